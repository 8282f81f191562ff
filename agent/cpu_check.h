// CPU check for the parsers' instruction set. The parsers' own code is built
// with -march=EXFILTER_PARSERS_ARCH (haswell by default: AVX2, BMI2, FMA;
// parsers/CMakeLists.txt), so on a CPU without those instructions (a pre-2013
// server, or a VM whose CPU model hides AVX2, such as QEMU's default) the
// first parse would die of SIGILL with no word of why. The exfilter binary
// checks at start-up, before any static initializer of the parsers runs, and
// refuses with a message that names what is missing and how to rebuild.
// The features the build needs come from the compiler itself
// (parsers/isa_features.h), so any -march is checked, native included; the
// CPU's come from CPUID and XGETBV (AVX and AVX-512 also need the OS to save
// their registers).
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace exfilter {

// This CPU's features as util/isa_features.h bits (0 off x86-64).
uint32_t CpuIsaFeatures();

// "avx2, bmi2" for those bits, in bit order.
std::string IsaFeatureNames(uint32_t features);

// The refusal printed when the parsers were built with -march=`march` and
// the CPU lacks the `missing` features.
std::string CpuRefusalMessage(std::string_view march, uint32_t missing);

}  // namespace exfilter
