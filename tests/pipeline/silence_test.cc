// SilenceWatch: a followed file that stops growing is reported once after
// the configured wall time; growth re-arms it; forgotten files are dropped.
// Time is passed in: no clock, no sleep.
#include "pipeline/silence.h"

#include <gtest/gtest.h>

namespace exfilter {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1796000000);

TEST(SilenceWatch, ReportsOnceAfterTheThresholdAndReArmsOnGrowth) {
  SilenceWatch w(absl::Seconds(60));
  std::vector<SourceProgress> files = {{0, "a.log", 100}, {1, "b.log", 5}};
  EXPECT_TRUE(w.Observe(files, kT0).empty());  // first sight counts as growth
  files[1].offset = 50;                        // b grows at +30s
  EXPECT_TRUE(w.Observe(files, kT0 + absl::Seconds(30)).empty());
  EXPECT_TRUE(w.Observe(files, kT0 + absl::Seconds(60)).empty());  // a: exactly 60s, not more
  std::vector<SilentSource> s = w.Observe(files, kT0 + absl::Seconds(61));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].source, 0u);
  EXPECT_EQ(s[0].path, "a.log");
  EXPECT_EQ(s[0].last_growth, kT0);
  EXPECT_EQ(s[0].silent, absl::Seconds(61));
  EXPECT_TRUE(w.Observe(files, kT0 + absl::Seconds(80)).empty());  // a: reported already
  s = w.Observe(files, kT0 + absl::Seconds(91));                    // b: 61s since +30s
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].path, "b.log");
  files[0].offset = 200;  // a grows again: re-armed
  EXPECT_TRUE(w.Observe(files, kT0 + absl::Seconds(100)).empty());
  s = w.Observe(files, kT0 + absl::Seconds(161));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].path, "a.log");
  EXPECT_EQ(s[0].last_growth, kT0 + absl::Seconds(100));
}

TEST(SilenceWatch, ARotatedFileStartsAFreshClockAndTheOldOneIsForgotten) {
  SilenceWatch w(absl::Seconds(10));
  EXPECT_TRUE(w.Observe({{0, "app.log", 10}}, kT0).empty());
  // Rotation: source 0 is gone, source 1 (the new app.log) appears at +8s.
  EXPECT_TRUE(w.Observe({{1, "app.log", 0}}, kT0 + absl::Seconds(8)).empty());
  EXPECT_TRUE(w.Observe({{1, "app.log", 0}}, kT0 + absl::Seconds(15)).empty());
  std::vector<SilentSource> s = w.Observe({{1, "app.log", 0}}, kT0 + absl::Seconds(19));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].source, 1u);
  EXPECT_EQ(s[0].silent, absl::Seconds(11));
}

TEST(SilenceWatch, ZeroThresholdIsOff) {
  SilenceWatch w(absl::ZeroDuration());
  EXPECT_FALSE(w.enabled());
  EXPECT_TRUE(w.Observe({{0, "a", 1}}, kT0).empty());
  EXPECT_TRUE(w.Observe({{0, "a", 1}}, kT0 + absl::Hours(100)).empty());
}

}  // namespace
}  // namespace exfilter
