// See agent/cpu_check.h.
#include "agent/cpu_check.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "util/isa_features.h"

namespace exfilter {
namespace {

#if defined(__x86_64__) || defined(__i386__)
bool Bit(uint32_t reg, int bit) { return ((reg >> bit) & 1u) != 0; }

// XCR0: which register states the OS saves on a context switch.
uint64_t Xcr0() {
  uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t{hi} << 32) | lo;
}
#endif

}  // namespace

uint32_t CpuIsaFeatures() {
#if defined(__x86_64__) || defined(__i386__)
  uint32_t a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0) return 0;
  uint32_t f = 0;
  if (Bit(c, 0)) f |= isa::kSse3;
  if (Bit(c, 9)) f |= isa::kSsse3;
  if (Bit(c, 19)) f |= isa::kSse41;
  if (Bit(c, 20)) f |= isa::kSse42;
  if (Bit(c, 22)) f |= isa::kMovbe;
  if (Bit(c, 23)) f |= isa::kPopcnt;
  // AVX state (XMM and YMM) saved by the OS; AVX-512 adds opmask and ZMM.
  const uint64_t xcr0 = Bit(c, 27) ? Xcr0() : 0;
  const bool avx_os = (xcr0 & 0x6) == 0x6;
  const bool avx512_os = (xcr0 & 0xe6) == 0xe6;
  if (avx_os) {
    if (Bit(c, 28)) f |= isa::kAvx;
    if (Bit(c, 12)) f |= isa::kFma;
    if (Bit(c, 29)) f |= isa::kF16c;
  }
  uint32_t b7 = 0, c7 = 0;
  if (__get_cpuid_count(7, 0, &a, &b7, &c7, &d) != 0) {
    if (Bit(b7, 3)) f |= isa::kBmi1;
    if (Bit(b7, 8)) f |= isa::kBmi2;
    if (avx_os && Bit(b7, 5)) f |= isa::kAvx2;
    if (avx512_os) {
      if (Bit(b7, 16)) f |= isa::kAvx512f;
      if (Bit(b7, 17)) f |= isa::kAvx512dq;
      if (Bit(b7, 21)) f |= isa::kAvx512ifma;
      if (Bit(b7, 28)) f |= isa::kAvx512cd;
      if (Bit(b7, 30)) f |= isa::kAvx512bw;
      if (Bit(b7, 31)) f |= isa::kAvx512vl;
      if (Bit(c7, 1)) f |= isa::kAvx512vbmi;
      if (Bit(c7, 6)) f |= isa::kAvx512vbmi2;
      if (Bit(c7, 11)) f |= isa::kAvx512vnni;
      if (Bit(c7, 12)) f |= isa::kAvx512bitalg;
      if (Bit(c7, 14)) f |= isa::kAvx512vpopcntdq;
    }
  }
  if (__get_cpuid(0x80000001, &a, &b, &c, &d) != 0 && Bit(c, 5)) f |= isa::kLzcnt;
  return f;
#else
  return 0;
#endif
}

std::string IsaFeatureNames(uint32_t features) {
  std::string names;
  for (int i = 0; i < isa::kCount; ++i) {
    if ((features >> i & 1u) == 0) continue;
    if (!names.empty()) names += ", ";
    names += isa::kNames[i];
  }
  return names;
}

std::string CpuRefusalMessage(std::string_view march, uint32_t missing) {
  std::string message = "exfilter: this build's parsers were compiled with -march=";
  message.append(march);
  message.append(" and this CPU lacks ");
  message.append(IsaFeatureNames(missing));
  message.append(
      ": it would stop on an illegal instruction. Rebuild with cmake "
      "-DEXFILTER_PARSERS_ARCH= (the compiler's default) or a -march this CPU has.\n");
  return message;
}

}  // namespace exfilter
