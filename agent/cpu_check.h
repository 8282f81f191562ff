// CPU check for the parsers' instruction set. The parsers' own code is built
// with -march=EXFILTER_PARSERS_ARCH (haswell by default: AVX2, BMI2, FMA;
// parsers/CMakeLists.txt), so on a CPU without those instructions (a pre-2013
// server, or a VM whose CPU model hides AVX2, such as QEMU's default) the
// first parse would die of SIGILL with no word of why. The exfilter binary
// checks at start-up, before any static initializer of the parsers runs, and
// refuses with a message that says how to rebuild.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace exfilter {

// The x86-64 ISA level (x86-64-v2/-v3/-v4) whose instructions code built with
// -march=`march` may use, or "" when there is nothing to check (no -march, or
// "native" and named CPUs this table does not know: the builder chose them).
std::string_view IsaLevelForMarch(std::string_view march);

// Whether this CPU runs code of that ISA level ("" is always true).
bool CpuSupportsIsaLevel(std::string_view level);

// The refusal printed when it does not.
std::string CpuRefusalMessage(std::string_view march, std::string_view level);

}  // namespace exfilter
