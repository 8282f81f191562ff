// The start-up CPU check (agent/cpu_check.h): the feature bits each -march
// implies, read off the compiler (util/isa_features.h), the CPU's own from
// CPUID agreeing with what the compiler's -march=native finds here, this
// machine passing this build's parsers, and the refusal's wording.
#include "agent/cpu_check.h"

#include <gtest/gtest.h>

#include "parsers/isa_features.h"
#include "util/isa_features.h"

namespace exfilter {
namespace isa_test {
// tests/agent/isa_of_march.cc, one object per -march.
extern const uint32_t kIsa_haswell;
extern const uint32_t kIsa_skylake_avx512;
extern const uint32_t kIsa_x86_64;
extern const uint32_t kIsa_native;
}  // namespace isa_test
namespace {

using namespace isa;

TEST(CpuCheck, FeaturesOfEachMarch) {
  // x86-64-v3 (Haswell): AVX2, BMI1/2, FMA, F16C, LZCNT, MOVBE over v2.
  const uint32_t v2 = kSse3 | kSsse3 | kSse41 | kSse42 | kPopcnt;
  const uint32_t v3 = v2 | kAvx | kAvx2 | kBmi1 | kBmi2 | kFma | kF16c | kLzcnt | kMovbe;
  EXPECT_EQ(isa_test::kIsa_haswell, v3) << IsaFeatureNames(isa_test::kIsa_haswell);
  // x86-64-v4 (Skylake-SP): AVX-512 F, BW, CD, DQ, VL over v3.
  EXPECT_EQ(isa_test::kIsa_skylake_avx512,
            v3 | kAvx512f | kAvx512bw | kAvx512cd | kAvx512dq | kAvx512vl)
      << IsaFeatureNames(isa_test::kIsa_skylake_avx512);
  EXPECT_EQ(isa_test::kIsa_x86_64, 0u);  // SSE2 only: nothing to check
}

TEST(CpuCheck, CpuidAgreesWithTheCompilersNative) {
  // -march=native asks the compiler what this CPU has (its own CPUID and
  // XGETBV reading): ours must find the same.
  EXPECT_EQ(CpuIsaFeatures(), isa_test::kIsa_native)
      << "CPUID: " << IsaFeatureNames(CpuIsaFeatures())
      << "\n-march=native: " << IsaFeatureNames(isa_test::kIsa_native);
}

TEST(CpuCheck, ThisMachineRunsThisBuildsParsers) {
  // The parser tests of this build run here, so the check must pass here.
  EXPECT_EQ(kParsersIsaFeatures & ~CpuIsaFeatures(), 0u)
      << "missing: " << IsaFeatureNames(kParsersIsaFeatures & ~CpuIsaFeatures());
}

TEST(CpuCheck, NamesInBitOrder) {
  EXPECT_EQ(IsaFeatureNames(0), "");
  EXPECT_EQ(IsaFeatureNames(kAvx2 | kBmi2 | kFma), "avx2, bmi2, fma");
  EXPECT_EQ(IsaFeatureNames(kAvx512vpopcntdq | kSse3), "sse3, avx512vpopcntdq");
}

TEST(CpuCheck, RefusalSaysWhatIsMissingAndHowToRebuild) {
  EXPECT_EQ(CpuRefusalMessage("haswell", kAvx2 | kBmi2 | kFma),
            "exfilter: this build's parsers were compiled with -march=haswell and this CPU lacks "
            "avx2, bmi2, fma: it would stop on an illegal instruction. Rebuild with cmake "
            "-DEXFILTER_PARSERS_ARCH= (the compiler's default) or a -march this CPU has.\n");
}

}  // namespace
}  // namespace exfilter
