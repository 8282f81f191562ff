// Behaviour of the detection engine on hand-written event sequences.
#include "pipeline/detect/detector.h"

#include <gtest/gtest.h>

#include <cmath>

#include "pipeline/detect/internal/stats_math.h"
#include "tests/pipeline/detect/test_events.h"

namespace exfilter::dtest {
namespace {

// A burst of n uploads, one every `gap` ms from t.
std::vector<DetectorEvent> Burst(std::string_view user, int64_t t, int n, int64_t gap,
                                 std::string_view tenant = "t1") {
  std::vector<DetectorEvent> out;
  for (int i = 0; i < n; ++i) out.push_back(Ev(user, t + i * gap, ActionClass::kUpload, Service::kM365, tenant));
  return out;
}

TEST(Detector, SteadyUserStaysSilentForWeeks) {
  auto d = MakeDetector();
  RunResult r = Feed(*d, Steady("alice@corp.com", Monday(), 35, 8));
  EXPECT_GT(r.decisions.size(), 180u);
  EXPECT_EQ(r.forwarded, 0u);
  EXPECT_EQ(d->stats().incidents_opened, 0u);
  EXPECT_EQ(d->stats().watched, r.decisions.size());
}

TEST(Detector, TwentyTimesBurstCaughtWithinAFewEventsOfTheBar) {
  auto d = MakeDetector();
  Feed(*d, Steady("alice@corp.com", Monday(), 21, 8));
  // Day 22 (a Tuesday) 10:00: 20x the usual ~1 per hour => 160 in 40 minutes.
  int64_t t0 = Monday() + 22 * kDay + 10 * kHour;
  RunResult r = Feed(*d, Burst("alice@corp.com", t0, 160, 15'000));
  ASSERT_GE(r.first_forward, 0);
  // The floor is 12 events in a window: caught at the 12th, or a few after.
  EXPECT_LE(r.first_forward, 12 + 3);
  const Decision& first = r.decisions[r.first_forward];
  EXPECT_TRUE(first.reasons & kReasonRate);
  EXPECT_EQ(first.window, WindowKind::kShort);
  EXPECT_GE(first.score, first.threshold);
  EXPECT_GE(first.observed, 12u);
  EXPECT_LT(first.expected, 2.0f);
  EXPECT_NE(first.incident_id, 0u);
  EXPECT_EQ(first.incident_start_ms, t0 + r.first_forward * 15'000);
  // Everything after it belongs to the same incident and is forwarded.
  EXPECT_EQ(r.forwarded, 160u - r.first_forward);
  EXPECT_EQ(d->stats().incidents_opened, 1u);
  EXPECT_EQ(r.decisions.back().incident_id, first.incident_id);
}

TEST(Detector, LowAndSlowDayCaughtByTheLongWindow) {
  auto d = MakeDetector();
  Feed(*d, Steady("bob@corp.com", Monday(), 21, 8));
  // Day 22: 4x the usual rate all working day, evenly: 32 uploads 09-17.
  int64_t t0 = Monday() + 22 * kDay + 9 * kHour;
  RunResult r = Feed(*d, Burst("bob@corp.com", t0, 32, 15 * kMinute));
  ASSERT_GE(r.first_forward, 0) << "not caught";
  EXPECT_EQ(r.decisions[r.first_forward].window, WindowKind::kLong);
  // No short window ever held more than 2 of them.
  for (const Decision& dec : r.decisions) {
    if (dec.window == WindowKind::kShort) {
      EXPECT_LE(dec.observed, 2u);
    }
  }
}

TEST(Detector, IdleDecayMatchesTheClosedForm) {
  using detect_internal::Ewma;
  double alpha = 0.01, log_a = std::log(1 - alpha);
  for (int k : {1, 2, 7, 100, 5000}) {
    Ewma loop{3.5f, 2.0f}, closed{3.5f, 2.0f};
    for (int i = 0; i < k; ++i) detect_internal::EwmaUpdate(loop, 0.0, 1.0, alpha);
    detect_internal::EwmaDecayIdle(closed, k, log_a);
    EXPECT_NEAR(closed.mean, loop.mean, 1e-5 * 3.5) << k;
    EXPECT_NEAR(closed.m2, loop.m2, 1e-5 * 4) << k;
  }
  // In the detector: a user idle for 30 days decays by a^k exactly once.
  auto d = MakeDetector();
  Feed(*d, Steady("carol@corp.com", Monday(), 14, 8));
  auto before = d->InspectUser(Ev("carol@corp.com", 0).user_key);
  ASSERT_TRUE(before.has_value());
  int64_t last_head = before->short_head_ms;
  // The next event, 30 days later, folds the open windows and the idle run.
  int64_t t = last_head + 30 * kDay;
  d->Observe(Ev("carol@corp.com", t), nullptr);
  auto after = d->InspectUser(Ev("carol@corp.com", 0).user_key);
  ASSERT_TRUE(after.has_value());
  EXPECT_LT(after->short_mean, before->short_mean * 0.3);
  EXPECT_GT(after->short_mean, 0.0);
}

TEST(Detector, ThresholdCountInvertsTheScore) {
  for (double mu : {0.05, 0.5, 3.0, 40.0}) {
    for (double phi : {1.0, 4.0, 50.0}) {
      for (double s : {2.0, 6.0, 8.0}) {
        double x = detect_internal::ThresholdCount(mu, phi * mu, s);
        EXPECT_GT(x, mu);
        EXPECT_NEAR(detect_internal::TailScore(x, mu, phi * mu), s, 1e-6 * s) << mu << " " << phi;
      }
    }
  }
}

TEST(Detector, LateEventsLandInTheirWindowWhateverTheArrivalOrder) {
  std::vector<DetectorEvent> in_order = Steady("dave@corp.com", Monday(), 14, 12);
  std::vector<DetectorEvent> shuffled = in_order;
  // Deliver every third event 90 minutes late (inside the 2 h lateness).
  std::vector<DetectorEvent> late;
  std::vector<DetectorEvent> arrivals;
  for (size_t i = 0; i < shuffled.size(); ++i) {
    if (i % 3 == 0) {
      late.push_back(shuffled[i]);
      continue;
    }
    while (!late.empty() && late.front().time_ms + 90 * kMinute <= shuffled[i].time_ms) {
      arrivals.push_back(late.front());
      late.erase(late.begin());
    }
    arrivals.push_back(shuffled[i]);
  }
  arrivals.insert(arrivals.end(), late.begin(), late.end());
  ASSERT_EQ(arrivals.size(), in_order.size());
  size_t moved = 0;
  for (size_t i = 0; i < arrivals.size(); ++i) moved += arrivals[i].time_ms != in_order[i].time_ms;
  ASSERT_GT(moved, in_order.size() / 2);

  auto a = MakeDetector();
  auto b = MakeDetector();
  Feed(*a, in_order);
  Feed(*b, arrivals);
  EXPECT_EQ(b->stats().late, 0u);
  // A final event a day later folds every window on both.
  int64_t end = in_order.back().time_ms + kDay;
  a->Observe(Ev("dave@corp.com", end), nullptr);
  b->Observe(Ev("dave@corp.com", end), nullptr);
  auto ua = a->InspectUser(in_order[0].user_key), ub = b->InspectUser(in_order[0].user_key);
  ASSERT_TRUE(ua && ub);
  // Equal up to float rounding (an idle run may be decayed in one closed-form
  // step on one side and in two on the other).
  EXPECT_NEAR(ua->short_mean, ub->short_mean, 1e-5 * ua->short_mean);
  EXPECT_NEAR(ua->short_m2, ub->short_m2, 1e-5 * ua->short_m2);
  EXPECT_NEAR(ua->long_mean, ub->long_mean, 1e-5 * ua->long_mean);
  EXPECT_NEAR(ua->long_m2, ub->long_m2, 1e-5 * ua->long_m2);
  for (int s = 0; s < 8; ++s) EXPECT_NEAR(ua->slot_factor[s], ub->slot_factor[s], 1e-3) << s;
  EXPECT_GT(ua->short_mean, 0.0);

  // An event 3 hours late is counted as late and still scored.
  Decision dec = b->Observe(Ev("dave@corp.com", end - 3 * kHour), nullptr);
  EXPECT_TRUE(dec.late);
  EXPECT_TRUE(dec.watched);
  EXPECT_EQ(b->stats().late, 1u);
}

TEST(Detector, OrgWideSurgeAlertsNoOneButABurstInsideItDoes) {
  auto d = MakeDetector();
  std::vector<std::vector<DetectorEvent>> parts;
  for (int u = 0; u < 100; ++u) {
    parts.push_back(Steady("user" + std::to_string(u) + "@corp.com", Monday(), 21, 10));
  }
  Feed(*d, MergeByTime(std::move(parts)));
  ASSERT_EQ(d->stats().forwarded, 0u);
  // Day 22, 14:00-15:00: everyone uploads 60 files (a migration wave), and
  // user0 uploads 600.
  int64_t t0 = Monday() + 22 * kDay + 14 * kHour;
  std::vector<std::vector<DetectorEvent>> surge;
  for (int u = 1; u < 100; ++u) {
    surge.push_back(Burst("user" + std::to_string(u) + "@corp.com", t0 + u * 1000, 60, kMinute));
  }
  surge.push_back(Burst("user0@corp.com", t0, 600, 6'000));
  RunResult r = Feed(*d, MergeByTime(std::move(surge)));
  uint64_t user0 = Ev("user0@corp.com", 0).user_key;
  size_t others_forwarded = 0, user0_forwarded = 0;
  for (const Decision& dec : r.decisions) {
    if (!dec.forward) continue;
    (dec.user_key == user0 ? user0_forwarded : others_forwarded)++;
  }
  EXPECT_EQ(others_forwarded, 0u);
  EXPECT_GT(user0_forwarded, 0u);
}

TEST(Detector, LongWindowStaysDampedAfterAnOrgSurgeInsideItEnds) {
  auto d = MakeDetector();
  std::vector<std::vector<DetectorEvent>> parts;
  for (int u = 0; u < 100; ++u) {
    parts.push_back(Steady("user" + std::to_string(u) + "@corp.com", Monday(), 21, 10));
  }
  Feed(*d, MergeByTime(std::move(parts)));
  ASSERT_EQ(d->stats().forwarded, 0u);
  // Day 22 (a Tuesday), 12:00-12:30: everyone uploads 30 files (a deadline);
  // then each user's ordinary 5 uploads over 13:00-17:00, in the same 6 h
  // window (12:00-18:00) but after the surge: 35 against ~6 expected.
  int64_t t0 = Monday() + 22 * kDay + 12 * kHour;
  std::vector<std::vector<DetectorEvent>> day;
  for (int u = 0; u < 100; ++u) {
    std::string user = "user" + std::to_string(u) + "@corp.com";
    day.push_back(Burst(user, t0 + u * 1000, 30, kMinute));
    day.push_back(Burst(user, t0 + kHour + u * 1000, 5, 48 * kMinute));
  }
  RunResult r = Feed(*d, MergeByTime(std::move(day)));
  EXPECT_EQ(r.forwarded, 0u);
}

TEST(Detector, SignInFailureRunThenThreeTimesBurstAlertsTheBurstAloneDoesNot) {
  auto d = MakeDetector();
  // Two heavy users: ~5 uploads per 15 minutes, 06:00-18:00.
  auto a = Steady("erin@corp.com", Monday(), 21, 240, "t1", 6, 12);
  auto b = Steady("frank@corp.com", Monday(), 21, 240, "t1", 6, 12);
  Feed(*d, MergeByTime({a, b}));
  ASSERT_EQ(d->stats().forwarded, 0u);
  int64_t t0 = Monday() + 22 * kDay + 10 * kHour;
  // erin: three failed sign-ins then a success.
  for (int i = 0; i < 3; ++i) {
    d->Observe(Ev("erin@corp.com", t0 - 20 * kMinute + i * kMinute, ActionClass::kSigninFailure), nullptr);
  }
  d->Observe(Ev("erin@corp.com", t0 - 10 * kMinute, ActionClass::kSigninSuccess), nullptr);
  // Both: 3x for 45 minutes (15 per 15 minutes).
  RunResult r = Feed(*d, MergeByTime({Burst("erin@corp.com", t0, 45, kMinute),
                                     Burst("frank@corp.com", t0, 45, kMinute)}));
  size_t erin = 0, frank = 0;
  uint32_t erin_reasons = 0;
  for (const Decision& dec : r.decisions) {
    if (!dec.forward) continue;
    if (dec.user_key == Ev("erin@corp.com", 0).user_key) {
      erin++;
      erin_reasons |= dec.reasons;
    } else {
      frank++;
    }
  }
  EXPECT_GT(erin, 0u);
  EXPECT_EQ(frank, 0u);
  EXPECT_TRUE(erin_reasons & kReasonAfterSigninFailures);
}

TEST(Detector, LongestConfigurableFailureRunStillRaisesRisk) {
  DetectorConfig c = TestConfig();
  c.failure_run = 127;  // the largest value the config accepts
  auto d = MakeDetector(c);
  const int64_t t0 = Monday() + 10 * kHour;
  for (int i = 0; i < 126; ++i) {
    d->Observe(Ev("hank@corp.com", t0 + i * 1000, ActionClass::kSigninFailure), nullptr);
  }
  EXPECT_EQ(d->stats().risk_raised, 0u);
  Decision last = d->Observe(Ev("hank@corp.com", t0 + 126 * 1000, ActionClass::kSigninFailure), nullptr);
  EXPECT_EQ(d->stats().risk_raised, 1u);
  EXPECT_TRUE(last.reasons & kReasonAfterSigninFailures);
  // A longer run does not raise it again.
  d->Observe(Ev("hank@corp.com", t0 + 127 * 1000, ActionClass::kSigninFailure), nullptr);
  EXPECT_EQ(d->stats().risk_raised, 1u);
}

TEST(Detector, DormantAccountWakingUpIsCaught) {
  auto d = MakeDetector();
  std::vector<std::vector<DetectorEvent>> parts;
  for (int u = 0; u < 20; ++u) parts.push_back(Steady("peer" + std::to_string(u) + "@corp.com", Monday(), 70, 8));
  parts.push_back(Steady("gina@corp.com", Monday(), 14, 4));
  Feed(*d, MergeByTime(std::move(parts)));
  // gina has been silent for 8 weeks; then 100 uploads in 20 minutes.
  RunResult r = Feed(*d, Burst("gina@corp.com", Monday() + 71 * kDay + 10 * kHour, 100, 12'000));
  ASSERT_GE(r.first_forward, 0);
  EXPECT_LE(r.first_forward, 15);
  // A never-seen account doing the same is scored against its peers.
  RunResult n = Feed(*d, Burst("new@corp.com", Monday() + 71 * kDay + 11 * kHour, 100, 12'000));
  ASSERT_GE(n.first_forward, 0);
  EXPECT_LE(n.first_forward, 15);
  EXPECT_TRUE(n.decisions[n.first_forward].reasons & kReasonColdStart);
  EXPECT_TRUE(n.decisions[n.first_forward].reasons & kReasonPeerBaseline);
}

TEST(Detector, PerIncidentCapThenSummaries) {
  DetectorConfig c = TestConfig();
  c.incident_cap = 50;
  auto d = MakeDetector(c);
  Feed(*d, Steady("hank@corp.com", Monday(), 21, 8));
  int64_t t0 = Monday() + 22 * kDay + 10 * kHour;
  RunResult r = Feed(*d, Burst("hank@corp.com", t0, 2000, 600));  // 2,000 in 20 minutes
  ASSERT_GE(r.first_forward, 0);
  EXPECT_EQ(r.forwarded, 50u);
  size_t held = 2000 - r.first_forward - 50;
  EXPECT_EQ(d->stats().held_incident_cap, held);
  d->Flush(&r.records);
  uint64_t summarized = 0;
  int closed = 0;
  for (const DetectorRecord& rec : r.records) {
    ASSERT_EQ(rec.kind, RecordKind::kIncidentSummary);
    EXPECT_EQ(rec.incident_id, r.decisions[r.first_forward].incident_id);
    EXPECT_LE(rec.from_ms, rec.to_ms);
    summarized += rec.held_events;
    closed += rec.incident_closed;
  }
  EXPECT_EQ(summarized, held);
  EXPECT_EQ(closed, 1);
  // One summary per 5-minute interval of held events, plus the closing one.
  EXPECT_GE(r.records.size(), 3u);
  EXPECT_LE(r.records.size(), 6u);
}

TEST(Detector, GlobalRateCapHoldsBackAndNotifies) {
  DetectorConfig c = TestConfig();
  c.max_forwarded_per_minute = 10;
  auto d = MakeDetector(c);
  Feed(*d, Steady("ivan@corp.com", Monday(), 21, 8));
  RunResult r = Feed(*d, Burst("ivan@corp.com", Monday() + 22 * kDay + 10 * kHour, 300, 1000));
  d->Flush(&r.records);
  uint64_t held = 0;
  for (const DetectorRecord& rec : r.records) {
    if (rec.kind == RecordKind::kRateCapNotice) held += rec.held_events;
  }
  EXPECT_EQ(held, d->stats().held_rate_cap);
  EXPECT_GT(held, 0u);
  EXPECT_LE(r.forwarded, 10u * 6);  // 300 s of events: at most 10 per minute
}

TEST(Detector, SameInputSameDecisions) {
  auto run = [] {
    auto d = MakeDetector();
    auto events = MergeByTime({Steady("a@x", Monday(), 21, 8), Steady("b@x", Monday(), 21, 30)});
    auto burst = Steady("a@x", Monday() + 21 * kDay, 1, 400);
    events.insert(events.end(), burst.begin(), burst.end());
    RunResult r = Feed(*d, events);
    d->Flush(&r.records);
    return std::make_pair(r, d->Serialize());
  };
  auto [r1, s1] = run();
  auto [r2, s2] = run();
  ASSERT_EQ(r1.decisions.size(), r2.decisions.size());
  for (size_t i = 0; i < r1.decisions.size(); ++i) {
    EXPECT_EQ(r1.decisions[i].forward, r2.decisions[i].forward);
    EXPECT_EQ(r1.decisions[i].score, r2.decisions[i].score);
  }
  EXPECT_EQ(s1, s2);
}

}  // namespace
}  // namespace exfilter::dtest
