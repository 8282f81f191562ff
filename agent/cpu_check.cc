// See agent/cpu_check.h.
#include "agent/cpu_check.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <iterator>

#include "util/isa_features.h"

namespace exfilter {
namespace {

#if defined(__x86_64__) || defined(__i386__)
// Where CPUID reports each feature, and which register state the OS must
// save for it to be usable (XCR0: AVX needs XMM+YMM, AVX-512 adds opmask
// and ZMM).
enum Reg { kLeaf1Ecx, kLeaf7Ebx, kLeaf7Ecx, kExtLeaf1Ecx, kRegCount };
enum State : uint64_t { kAnyState = 0, kAvxState = 0x6, kAvx512State = 0xe6 };
struct CpuidBit {
  Reg reg;
  int bit;
  State state;
  uint32_t feature;
};
constexpr CpuidBit kCpuidBits[] = {
    {kLeaf1Ecx, 0, kAnyState, isa::kSse3},          {kLeaf1Ecx, 9, kAnyState, isa::kSsse3},
    {kLeaf1Ecx, 19, kAnyState, isa::kSse41},        {kLeaf1Ecx, 20, kAnyState, isa::kSse42},
    {kLeaf1Ecx, 22, kAnyState, isa::kMovbe},        {kLeaf1Ecx, 23, kAnyState, isa::kPopcnt},
    {kLeaf1Ecx, 28, kAvxState, isa::kAvx},          {kLeaf1Ecx, 12, kAvxState, isa::kFma},
    {kLeaf1Ecx, 29, kAvxState, isa::kF16c},         {kLeaf7Ebx, 3, kAnyState, isa::kBmi1},
    {kLeaf7Ebx, 8, kAnyState, isa::kBmi2},          {kLeaf7Ebx, 5, kAvxState, isa::kAvx2},
    {kLeaf7Ebx, 16, kAvx512State, isa::kAvx512f},   {kLeaf7Ebx, 17, kAvx512State, isa::kAvx512dq},
    {kLeaf7Ebx, 21, kAvx512State, isa::kAvx512ifma}, {kLeaf7Ebx, 28, kAvx512State, isa::kAvx512cd},
    {kLeaf7Ebx, 30, kAvx512State, isa::kAvx512bw},  {kLeaf7Ebx, 31, kAvx512State, isa::kAvx512vl},
    {kLeaf7Ecx, 1, kAvx512State, isa::kAvx512vbmi}, {kLeaf7Ecx, 6, kAvx512State, isa::kAvx512vbmi2},
    {kLeaf7Ecx, 11, kAvx512State, isa::kAvx512vnni}, {kLeaf7Ecx, 12, kAvx512State, isa::kAvx512bitalg},
    {kLeaf7Ecx, 14, kAvx512State, isa::kAvx512vpopcntdq}, {kExtLeaf1Ecx, 5, kAnyState, isa::kLzcnt},
};
static_assert(std::size(kCpuidBits) == isa::kCount, "every feature bit has its CPUID source");

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
  uint32_t regs[kRegCount] = {};
  uint32_t a = 0, b = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &regs[kLeaf1Ecx], &d) == 0) return 0;
  __get_cpuid_count(7, 0, &a, &regs[kLeaf7Ebx], &regs[kLeaf7Ecx], &d);  // zeros if absent
  __get_cpuid(0x80000001, &a, &b, &regs[kExtLeaf1Ecx], &d);
  const bool osxsave = (regs[kLeaf1Ecx] >> 27 & 1u) != 0;
  const uint64_t xcr0 = osxsave ? Xcr0() : 0;
  uint32_t features = 0;
  for (const CpuidBit& c : kCpuidBits) {
    if ((regs[c.reg] >> c.bit & 1u) != 0 && (xcr0 & c.state) == c.state) features |= c.feature;
  }
  return features;
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
