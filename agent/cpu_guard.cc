// Start-up guard of the exfilter binary: refuses to run on a CPU that lacks
// the instructions the parsers were built for (agent/cpu_check.h), before any
// static initializer compiled with those instructions can run. Linked into
// the executable itself (a static library member nobody references would be
// dropped by the linker).
#include <unistd.h>

#include <cstdio>
#include <string>

#include "agent/cpu_check.h"
#include "parsers/isa_features.h"

namespace {

// Priority 101: before the default-priority constructors of every object.
__attribute__((constructor(101))) void RefuseCpuWithoutParsersIsa() {
  const uint32_t missing = exfilter::kParsersIsaFeatures & ~exfilter::CpuIsaFeatures();
  if (missing == 0) return;
  const std::string message = exfilter::CpuRefusalMessage(EXFILTER_PARSERS_MARCH, missing);
  std::fputs(message.c_str(), stderr);
  _exit(2);
}

}  // namespace
