// The batched, prefetching path (Detector::ObserveBatch) against the one
// event at a time path (Detector::Observe) on a long seeded sequence shaped
// to reach every branch of the per-event path: several tenants and many
// departments (the group table grows and rehashes), more users than
// max_users (evictions), late and very late events, bursts that open
// incidents and hit the caps, sign-ins of every kind, suppressed and
// non-primary events. Every decision field, every record and the final
// snapshot bytes must be equal.
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "pipeline/detect/detector.h"
#include "tests/pipeline/detect/test_events.h"
#include "util/hash.h"

namespace exfilter::dtest {
namespace {

uint64_t Next(uint64_t& s) {  // xorshift64*
  s ^= s >> 12;
  s ^= s << 25;
  s ^= s >> 27;
  return s * 0x2545F4914F6CDD1DULL;
}

std::vector<DetectorEvent> SeededStream(size_t n, uint64_t seed) {
  std::vector<DetectorEvent> out;
  out.reserve(n);
  uint64_t s = seed;
  int64_t t = Monday();
  uint64_t burst_user = 0, burst_left = 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t u = Next(s) % 1500;
    if (burst_left == 0 && Next(s) % 4000 == 0) {
      burst_user = Next(s) % 1500;
      burst_left = 100 + Next(s) % 1500;
    }
    const bool in_burst = burst_left > 0 && Next(s) % 2 == 0;
    if (in_burst) u = burst_user, --burst_left;
    DetectorEvent e;
    e.tenant_key = HashCombine(StableHash("tenant"), u % 3);
    e.peer_key = u % 5 == 0 ? e.tenant_key : HashCombine(e.tenant_key, 100 + u % 97);
    e.user_key = HashCombine(e.tenant_key, u + 1);
    t += 400 + static_cast<int64_t>(Next(s) % 800);  // ~ 9 days for 1M events
    const uint64_t late = Next(s) % 20;
    e.time_ms = t - (late == 0 ? static_cast<int64_t>(Next(s) % (6 * kHour))
                     : late == 1 ? static_cast<int64_t>(Next(s) % kHour)
                                 : 0);
    const int r = static_cast<int>(Next(s) % 100);
    e.action = in_burst  ? (r < 60 ? ActionClass::kUpload
                            : r < 80 ? ActionClass::kCopy
                                     : ActionClass::kCreate)
               : r < 20 ? ActionClass::kUpload
               : r < 25 ? ActionClass::kCreate
               : r < 28 ? ActionClass::kCopy
               : r < 33 ? ActionClass::kSigninSuccess
               : r < 36 ? ActionClass::kSigninFailure
               : r < 37 ? ActionClass::kSigninRisky
                        : ActionClass::kFileOther;
    e.service = static_cast<Service>(1 + Next(s) % 3);
    e.prefix_key = HashCombine(u, Next(s) % (in_burst ? 40 : 3));
    e.ip_key = HashCombine(e.prefix_key, 1);
    e.dest_key = Next(s) % 4 == 0 ? HashCombine(u, 77 + Next(s) % (in_burst ? 100 : 5)) : 0;
    e.primary = Next(s) % 50 != 0;
    if (Next(s) % 200 == 0) e.suppress_rule = 0;
    if (Next(s) % 1000 == 0) e.user_key = 0;
    out.push_back(e);
  }
  return out;
}

DetectorConfig StreamConfig() {
  DetectorConfig c = TestConfig();
  c.max_users = 1000;  // fewer than the stream's 1,500 users: evictions
  c.max_groups = 250;  // fewer than its ~300 tenants and departments
  c.incident_cap = 50;
  c.summary_interval = absl::Minutes(2);
  c.max_forwarded_per_minute = 40;
  c.warmup = absl::Hours(36);
  c.suppress.resize(1);
  c.suppress[0].name = "sync";
  return c;
}

void ExpectSameDecision(const Decision& a, const Decision& b, size_t i) {
  ASSERT_EQ(a.forward, b.forward) << i;
  ASSERT_EQ(a.anomalous, b.anomalous) << i;
  ASSERT_EQ(a.capped, b.capped) << i;
  ASSERT_EQ(a.late, b.late) << i;
  ASSERT_EQ(a.watched, b.watched) << i;
  ASSERT_EQ(a.suppress_rule, b.suppress_rule) << i;
  ASSERT_EQ(a.window, b.window) << i;
  ASSERT_EQ(a.key, b.key) << i;
  ASSERT_EQ(a.key_detail, b.key_detail) << i;
  ASSERT_EQ(a.window_seconds, b.window_seconds) << i;
  ASSERT_EQ(a.window_start_ms, b.window_start_ms) << i;
  ASSERT_EQ(a.score, b.score) << i;
  ASSERT_EQ(a.threshold, b.threshold) << i;
  ASSERT_EQ(a.observed, b.observed) << i;
  ASSERT_EQ(a.expected, b.expected) << i;
  ASSERT_EQ(a.spread, b.spread) << i;
  ASSERT_EQ(a.reasons, b.reasons) << i;
  ASSERT_EQ(a.incident_id, b.incident_id) << i;
  ASSERT_EQ(a.incident_start_ms, b.incident_start_ms) << i;
  ASSERT_EQ(a.user_key, b.user_key) << i;
}

TEST(DetectorBatch, BatchedDecisionsRecordsAndStateEqualOneAtATime) {
  const std::vector<DetectorEvent> events = SeededStream(400'000, 20261201);
  auto one = MakeDetector(StreamConfig());
  auto batched = MakeDetector(StreamConfig());
  ASSERT_NE(one, nullptr);
  ASSERT_NE(batched, nullptr);

  std::vector<Decision> want(events.size());
  std::vector<DetectorRecord> want_records;
  for (size_t i = 0; i < events.size(); ++i) {
    size_t before = want_records.size();
    want[i] = one->Observe(events[i], &want_records);
    for (size_t k = before; k < want_records.size(); ++k) {
      want_records[k].event_index = static_cast<uint32_t>(i);
    }
  }
  // Batches of varying sizes (1 to 300, some shorter than the prefetch distance).
  std::vector<Decision> got(events.size());
  std::vector<DetectorRecord> got_records;
  uint64_t s = 7;
  for (size_t pos = 0; pos < events.size();) {
    size_t n = std::min<size_t>(events.size() - pos, 1 + Next(s) % 300);
    std::vector<DetectorRecord> records;
    batched->ObserveBatch({events.data() + pos, n}, got.data() + pos, &records);
    for (DetectorRecord r : records) {
      r.event_index += static_cast<uint32_t>(pos);
      got_records.push_back(r);
    }
    pos += n;
  }
  one->Flush(&want_records);
  batched->Flush(&got_records);

  for (size_t i = 0; i < events.size(); ++i) {
    ExpectSameDecision(got[i], want[i], i);
    if (testing::Test::HasFatalFailure()) return;
  }
  ASSERT_EQ(got_records.size(), want_records.size());
  for (size_t i = 0; i < got_records.size(); ++i) {
    EXPECT_EQ(got_records[i].kind, want_records[i].kind) << i;
    EXPECT_EQ(got_records[i].incident_id, want_records[i].incident_id) << i;
    EXPECT_EQ(got_records[i].from_ms, want_records[i].from_ms) << i;
    EXPECT_EQ(got_records[i].to_ms, want_records[i].to_ms) << i;
    EXPECT_EQ(got_records[i].held_events, want_records[i].held_events) << i;
    EXPECT_EQ(got_records[i].event_index, want_records[i].event_index) << i;
  }
  EXPECT_EQ(batched->Serialize(), one->Serialize());

  // The stream reaches the branches it was shaped for.
  const DetectorStats& st = one->stats();
  EXPECT_GT(st.users_evicted, 0u);
  EXPECT_GT(st.late, 0u);
  EXPECT_GT(st.incidents_opened, 0u);
  EXPECT_GT(st.held_incident_cap, 0u);
  EXPECT_GT(st.held_rate_cap, 0u);
  EXPECT_GT(st.risk_raised, 0u);
  EXPECT_GT(st.suppressed, 0u);
  EXPECT_GT(st.non_primary, 0u);
  EXPECT_GT(got_records.size(), 10u);
}

// An event none of whose keys reaches the floor cannot fire: by default it
// is counted but not scored (score 0), which changes nothing else. With
// score_below_floor (--mode annotate) it gets its score. Both detectors
// agree on every other field, every record and the state, and on anomalous
// events on the score too.
TEST(DetectorBatch, EventsBelowTheFloorAreCountedNotScoredUnlessAsked) {
  const std::vector<DetectorEvent> events = SeededStream(200'000, 20261202);
  DetectorConfig scoring_all = StreamConfig();
  scoring_all.score_below_floor = true;
  auto skips = MakeDetector(StreamConfig());
  auto scores = MakeDetector(scoring_all);
  ASSERT_NE(skips, nullptr);
  ASSERT_NE(scores, nullptr);
  std::vector<DetectorRecord> skips_records, scores_records;
  size_t unscored = 0, scored = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    Decision a = skips->Observe(events[i], &skips_records);
    const Decision b = scores->Observe(events[i], &scores_records);
    if (a.watched && !a.anomalous && a.score == 0 && b.score > 0) {
      ++unscored;
      ASSERT_LT(a.observed, StreamConfig().min_count) << i;
      a.score = b.score;
    }
    if (a.watched && a.score > 0) ++scored;
    ExpectSameDecision(a, b, i);
    if (testing::Test::HasFatalFailure()) return;
  }
  skips->Flush(&skips_records);
  scores->Flush(&scores_records);
  ASSERT_EQ(skips_records.size(), scores_records.size());
  for (size_t i = 0; i < skips_records.size(); ++i) {
    EXPECT_EQ(skips_records[i].incident_id, scores_records[i].incident_id) << i;
    EXPECT_EQ(skips_records[i].held_events, scores_records[i].held_events) << i;
  }
  EXPECT_EQ(skips->Serialize(), scores->Serialize());
  EXPECT_GT(unscored, 20'000u);  // many of the stream's watched events (43,571)
  EXPECT_GT(scored, 20'000u);    // events at the floor are still scored (76,616)
  EXPECT_GT(skips->stats().forwarded, 0u);
}

}  // namespace
}  // namespace exfilter::dtest
