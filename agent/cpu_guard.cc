// Start-up guard of the exfilter binary: refuses to run on a CPU that lacks
// the instructions the parsers were built for (agent/cpu_check.h), before any
// static initializer compiled with those instructions can run. Linked into
// the executable itself (a static library member nobody references would be
// dropped by the linker).
#include <unistd.h>

#include <cstdio>
#include <string>

#include "agent/cpu_check.h"

namespace {

// Priority 101: before the default-priority constructors of every object.
__attribute__((constructor(101))) void RefuseCpuWithoutParsersIsa() {
  const std::string_view level = exfilter::IsaLevelForMarch(EXFILTER_PARSERS_MARCH);
  if (exfilter::CpuSupportsIsaLevel(level)) return;
  const std::string message = exfilter::CpuRefusalMessage(EXFILTER_PARSERS_MARCH, level);
  std::fputs(message.c_str(), stderr);
  _exit(2);
}

}  // namespace
