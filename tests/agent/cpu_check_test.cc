// The start-up CPU check (agent/cpu_check.h): which ISA level each -march
// needs, that this machine (which runs the parser tests) passes the level of
// this build, and the refusal's wording.
#include "agent/cpu_check.h"

#include <gtest/gtest.h>

namespace exfilter {
namespace {

TEST(CpuCheck, LevelOfEachMarch) {
  EXPECT_EQ(IsaLevelForMarch("haswell"), "x86-64-v3");
  EXPECT_EQ(IsaLevelForMarch("x86-64-v3"), "x86-64-v3");
  EXPECT_EQ(IsaLevelForMarch("x86-64-v2"), "x86-64-v2");
  EXPECT_EQ(IsaLevelForMarch("skylake-avx512"), "x86-64-v4");
  EXPECT_EQ(IsaLevelForMarch(""), "");        // compiler default: nothing to check
  EXPECT_EQ(IsaLevelForMarch("native"), "");  // the builder's own CPU
  EXPECT_EQ(IsaLevelForMarch("Haswell"), "");  // GCC's names are lower case
}

TEST(CpuCheck, ThisMachineRunsThisBuild) {
  // The parser tests of this build run here, so the check must pass here.
  EXPECT_TRUE(CpuSupportsIsaLevel(IsaLevelForMarch(EXFILTER_PARSERS_MARCH)));
  EXPECT_TRUE(CpuSupportsIsaLevel(""));
  EXPECT_TRUE(CpuSupportsIsaLevel("x86-64-v2"));  // every x86-64 CPU of the last 12 years
}

TEST(CpuCheck, RefusalSaysWhyAndHowToRebuild) {
  EXPECT_EQ(CpuRefusalMessage("haswell", "x86-64-v3"),
            "exfilter: this build's parsers use x86-64-v3 instructions (-march=haswell) and this CPU "
            "lacks them: it would stop on an illegal instruction. Rebuild with cmake "
            "-DEXFILTER_PARSERS_ARCH= (the compiler's default) or a -march this CPU has.\n");
}

}  // namespace
}  // namespace exfilter
