// [detector], [[suppress]] and [[maintenance]] from TOML.
#include "pipeline/detect/detector_config.h"

#include <gtest/gtest.h>
#include <toml++/toml.h>

namespace exfilter {
namespace {

absl::Status Load(std::string_view text, DetectorConfig* c) {
  toml::table parsed = toml::parse(text);  // test inputs are well-formed TOML
  return LoadDetectorConfig(parsed, c, "exfilter.toml");
}

TEST(DetectorConfig, DefaultsAreValid) {
  EXPECT_TRUE(ValidateDetectorConfig(DetectorConfig{}).ok());
  DetectorConfig c;
  EXPECT_EQ(c.short_window, absl::Minutes(15));
  EXPECT_EQ(c.allowed_lateness, absl::Hours(2));
  EXPECT_EQ(c.warmup, absl::Hours(24 * 7));
  EXPECT_EQ(c.incident_cap, 200u);
  EXPECT_EQ(c.risk_duration, absl::Hours(24));
}

TEST(DetectorConfig, ReadsEveryKindOfValue) {
  DetectorConfig c;
  absl::Status s = Load(R"(
[agent]
threads = 4   # not ours: ignored
[detector]
sensitivity = 1e-8
min_count = 20
short_window = "10m"
long_window = "4h"
warmup = "3d"
allowed_lateness = 3600
new_ip_by_prefix = false
identities_file = "ids.csv"
[[suppress]]
name = "migration"
apps = ["1FEC8E78-BCE4-4AAF-AB1B-5451CC387264"]
[[suppress]]
users = ["svc-backup@corp.com"]
paths = ["https://corp.sharepoint.com/sites/legal/*"]
[[maintenance]]
name = "legal-export"
start = 2026-11-30T18:00:00Z
end = "2026-11-30T23:00:00+01:00"
users = ["legal@corp.com"]
)", &c);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(c.sensitivity, 1e-8);
  EXPECT_EQ(c.min_count, 20u);
  EXPECT_EQ(c.short_window, absl::Minutes(10));
  EXPECT_EQ(c.long_window, absl::Hours(4));
  EXPECT_EQ(c.warmup, absl::Hours(72));
  EXPECT_EQ(c.allowed_lateness, absl::Hours(1));
  EXPECT_FALSE(c.new_ip_by_prefix);
  EXPECT_EQ(c.identities_file, "ids.csv");
  ASSERT_EQ(c.suppress.size(), 3u);
  EXPECT_EQ(c.suppress[0].name, "migration");
  EXPECT_EQ(c.suppress[0].apps.size(), 1u);
  EXPECT_EQ(c.suppress[1].name, "suppress#1");
  EXPECT_EQ(c.suppress[1].paths[0], "https://corp.sharepoint.com/sites/legal/*");
  EXPECT_TRUE(c.suppress[2].has_time_range);
  EXPECT_EQ(c.suppress[2].start, absl::FromUnixSeconds(1796061600));  // 18:00Z
  EXPECT_EQ(c.suppress[2].end, absl::FromUnixSeconds(1796061600 + 4 * 3600));  // 22:00Z
}

TEST(DetectorConfig, UnknownKeyIsRefusedWithItsLine) {
  DetectorConfig c;
  absl::Status s = Load("[detector]\nmin_count = 3\n\nsensitivty = 1e-6\n", &c);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("exfilter.toml:4"), std::string::npos) << s;
  EXPECT_NE(s.message().find("sensitivty"), std::string::npos) << s;
  EXPECT_EQ(c.min_count, 12u);  // unchanged on error
  s = Load("[[suppress]]\nname = \"x\"\nuser = [\"a\"]\n", &c);
  EXPECT_NE(s.message().find("exfilter.toml:3: unknown key 'user' in [suppress]"),
            std::string::npos) << s;
}

TEST(DetectorConfig, BadValuesAreRefused) {
  DetectorConfig c;
  EXPECT_FALSE(Load("[detector]\nmin_count = \"many\"\n", &c).ok());
  EXPECT_FALSE(Load("[detector]\nsensitivity = 2.0\n", &c).ok());
  EXPECT_FALSE(Load("[detector]\nshort_window = \"soon\"\n", &c).ok());
  EXPECT_FALSE(Load("[detector]\nallowed_lateness = \"5h\"\n", &c).ok());  // beyond the ring
  EXPECT_FALSE(Load("[detector]\nlong_window = \"100m\"\n", &c).ok());      // not a multiple
  EXPECT_FALSE(Load("[[maintenance]]\nstart = 2026-11-30T18:00:00Z\n", &c).ok());  // no end
  EXPECT_FALSE(Load("[[maintenance]]\nstart = 2026-11-30T18:00:00\nend = 2026-11-30T19:00:00\n", &c).ok());  // no offset
  EXPECT_FALSE(Load("[[suppress]]\nname = \"matches everything\"\n", &c).ok());
  // The run counter holds 7 bits: a run of 128 could never be reached.
  EXPECT_FALSE(Load("[detector]\nfailure_run = 128\n", &c).ok());
  EXPECT_TRUE(Load("[detector]\nfailure_run = 127\n", &c).ok());
  EXPECT_EQ(c.failure_run, 127u);
  absl::Status s = Load("[detector]\nmin_count = -1\n", &c);
  EXPECT_NE(s.message().find("exfilter.toml:2: 'min_count' in [detector]"), std::string::npos) << s;
}

}  // namespace
}  // namespace exfilter
