// Novelty memory (DetectorConfig::novelty_memory): with aging on, a
// destination not seen again for two periods is new again, one seen in the
// previous period is not; without aging it is never new again. Snapshots
// keep both generations; the config key parses and is range-checked.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pipeline/detect/detector_config.h"
#include "tests/pipeline/detect/test_events.h"
#include "util/hash.h"

namespace exfilter::dtest {
namespace {

constexpr int64_t kPeriod = 7 * kDay;

// The first period boundary (a multiple of 7 days since the epoch) after Monday().
int64_t Boundary() { return (Monday() / kPeriod + 1) * kPeriod; }

DetectorEvent To(int64_t t, std::string_view dest) {
  DetectorEvent e = Ev("nora@x", t);
  e.dest_key = StableHash(dest);
  return e;
}

DetectorConfig AgingConfig(absl::Duration memory) {
  DetectorConfig c = TestConfig();
  c.novelty_memory = memory;
  return c;
}

// Feeds `events` (one per short window: each window count is 1) and says,
// per event, whether its destination was new.
std::vector<bool> NewDestination(const DetectorConfig& c, const std::vector<DetectorEvent>& events) {
  auto d = MakeDetector(c);
  std::vector<bool> out;
  for (const DetectorEvent& e : events) {
    out.push_back((d->Observe(e, nullptr).reasons & kReasonNewDestination) != 0);
  }
  return out;
}

TEST(NoveltyMemory, SeenInThePreviousPeriodIsKnownTwoPeriodsAgoIsNew) {
  const int64_t g = Boundary();  // periods: [g - P, g) = k - 1, [g, g + P) = k, ...
  // x first seen late in period k - 1 (user two days old: novelty applies),
  // seen again in k: remembered across the boundary.
  std::vector<DetectorEvent> base = {To(g - 3 * kDay, "first"), To(g - kDay, "x"),
                                     To(g + kDay, "x")};
  // Remembered in k + 1 (the previous generation, k, saw it).
  auto seen = base;
  seen.push_back(To(g + 8 * kDay, "y"));
  seen.push_back(To(g + 8 * kDay + kHour, "x"));
  // Forgotten in k + 2: neither k + 1 nor k + 2 saw it.
  auto forgotten = base;
  forgotten.push_back(To(g + 8 * kDay, "y"));
  forgotten.push_back(To(g + 15 * kDay, "y"));
  forgotten.push_back(To(g + 15 * kDay + kHour, "x"));

  const DetectorConfig aging = AgingConfig(absl::Hours(24 * 7));
  EXPECT_EQ(NewDestination(aging, seen), (std::vector<bool>{false, true, false, true, false}));
  EXPECT_EQ(NewDestination(aging, forgotten),
            (std::vector<bool>{false, true, false, true, false, true}));
  // Without aging the sketch never forgets.
  const DetectorConfig never = AgingConfig(absl::ZeroDuration());
  EXPECT_EQ(NewDestination(never, forgotten),
            (std::vector<bool>{false, true, false, true, false, false}));
}

TEST(NoveltyMemory, AJumpOfSeveralPeriodsForgetsEverything) {
  const int64_t g = Boundary();
  std::vector<DetectorEvent> events = {To(g - 3 * kDay, "first"), To(g - kDay, "x"),
                                       To(g + 30 * kDay, "x")};
  EXPECT_EQ(NewDestination(AgingConfig(absl::Hours(24 * 7)), events),
            (std::vector<bool>{false, true, true}));
}

TEST(NoveltyMemory, SnapshotKeepsBothGenerationsAndNeedsTheSameSetting) {
  const int64_t g = Boundary();
  std::vector<DetectorEvent> events;
  for (int i = 0; i < 40; ++i) events.push_back(To(g - 3 * kDay + i * kHour, absl::StrCat("d", i % 7)));
  std::vector<DetectorEvent> later;
  for (int i = 0; i < 20; ++i) later.push_back(To(g + kDay + i * kHour, absl::StrCat("d", i % 9)));

  const DetectorConfig c = AgingConfig(absl::Hours(24 * 7));
  auto a = MakeDetector(c);
  for (const DetectorEvent& e : events) a->Observe(e, nullptr);
  auto b = MakeDetector(c);
  ASSERT_TRUE(b->Restore(a->Serialize()).ok());
  for (const DetectorEvent& e : later) {
    Decision da = a->Observe(e, nullptr), db = b->Observe(e, nullptr);
    EXPECT_EQ(da.reasons, db.reasons);
  }
  EXPECT_EQ(a->Serialize(), b->Serialize());
  // Twice the sketch memory of the same detector without aging.
  auto plain = MakeDetector(TestConfig());
  EXPECT_EQ(a->MemoryBytes() - plain->MemoryBytes(), (size_t{1} << 14) * 4 * 2);
  // A state saved with another novelty memory is refused, the detector left fresh.
  auto other = MakeDetector(TestConfig());
  absl::Status s = other->Restore(a->Serialize());
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(std::string(s.message()).find("nov=604800000"), std::string::npos) << s.message();
  EXPECT_EQ(other->tracked_users(), 0u);
}

TEST(NoveltyMemory, ConfigKeyParsesAndIsRangeChecked) {
  DetectorConfig c;
  toml::table ok = toml::parse("[detector]\nnovelty_memory = \"30d\"\n");
  ASSERT_TRUE(LoadDetectorConfig(ok, &c, "x.toml").ok());
  EXPECT_EQ(c.novelty_memory, absl::Hours(24 * 30));
  toml::table tiny = toml::parse("[detector]\nnovelty_memory = \"10m\"\n");
  absl::Status s = LoadDetectorConfig(tiny, &c, "x.toml");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("novelty_memory"), std::string::npos) << s.message();
  EXPECT_EQ(DetectorConfig{}.novelty_memory, absl::ZeroDuration());  // default: never forget
}

}  // namespace
}  // namespace exfilter::dtest
