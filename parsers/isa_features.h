// What instruction-set features the parsers' own code was compiled for
// (-march=EXFILTER_PARSERS_ARCH, parsers/CMakeLists.txt), as util/isa_features.h
// bits: the `exfilter` binary compares them with the CPU's at start-up
// (agent/cpu_check.h). Recorded from the compiler's predefined macros in a
// file built with the parsers' flags, so any -march, native included, is
// described exactly. Constant data: reading it runs none of that code.
#pragma once

#include <cstdint>

namespace exfilter {

extern const uint32_t kParsersIsaFeatures;

}  // namespace exfilter
