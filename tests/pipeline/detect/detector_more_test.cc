// Cross-service, novelty, identity reasons, memory bounds, batching, reload.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "pipeline/detect/detector.h"
#include "util/hash.h"
#include "tests/pipeline/detect/test_events.h"

namespace exfilter::dtest {
namespace {

std::vector<DetectorEvent> Spread(std::string_view user, int64_t t, int n, int64_t span, Service s,
                                  ActionClass a = ActionClass::kUpload) {
  std::vector<DetectorEvent> out;
  for (int i = 0; i < n; ++i) out.push_back(Ev(user, t + span * i / n, a, s));
  return out;
}

std::vector<DetectorEvent> WithService(std::vector<DetectorEvent> v, Service s) {
  for (DetectorEvent& e : v) e.service = s;
  return v;
}

size_t Forwarded(const RunResult& r, uint64_t user, uint32_t* reasons = nullptr) {
  size_t n = 0;
  for (const Decision& d : r.decisions) {
    if (d.forward && d.user_key == user) {
      ++n;
      if (reasons != nullptr) *reasons |= d.reasons;
    }
  }
  return n;
}

// Returns forwarded events of "two" and "one" and the reasons of "two".
std::pair<size_t, size_t> CrossService(double factor, uint32_t* reasons) {
  DetectorConfig c = TestConfig();
  c.cross_service_factor = factor;
  auto d = MakeDetector(c);
  std::vector<std::vector<DetectorEvent>> history;
  for (const char* u : {"two@x", "one@x"}) {
    history.push_back(WithService(Steady(u, Monday(), 21, 8), Service::kM365));
    history.push_back(WithService(Steady(u, Monday(), 21, 8, "t1", 10, 6), Service::kBox));
  }
  Feed(*d, MergeByTime(std::move(history)));
  EXPECT_EQ(d->stats().forwarded, 0u);
  int64_t t0 = Monday() + 22 * kDay + 12 * kHour;
  // "two": 12 extra in both services over 12:00-17:00 (a moderate spike: the
  // long window learns these regular users' low dispersion); "one": M365 only.
  RunResult r = Feed(*d, MergeByTime({Spread("two@x", t0, 12, 5 * kHour, Service::kM365),
                                      Spread("two@x", t0, 12, 5 * kHour, Service::kBox),
                                      Spread("one@x", t0, 12, 5 * kHour, Service::kM365)}));
  return {Forwarded(r, Ev("two@x", 0).user_key, reasons), Forwarded(r, Ev("one@x", 0).user_key)};
}

TEST(DetectorMore, ModerateSpikeInTwoServicesAtOnceAlertsTheSameInOneDoesNot) {
  uint32_t reasons = 0;
  auto [two, one] = CrossService(0.6, &reasons);
  EXPECT_GT(two, 0u);
  EXPECT_TRUE(reasons & kReasonCrossService);
  EXPECT_EQ(one, 0u);
  // Without the cross-service factor the same spike stays under the bar.
  auto [two_plain, one_plain] = CrossService(1.0, &reasons);
  EXPECT_EQ(two_plain, 0u);
  EXPECT_EQ(one_plain, 0u);
}

TEST(DetectorMore, NewDestinationAndOffHoursAreReasons) {
  auto d = MakeDetector();
  auto history = Steady("kim@x", Monday(), 21, 8);
  for (DetectorEvent& e : history) e.dest_key = 111;  // always the same folder
  Feed(*d, history);
  // Saturday 03:00: a mass copy into a folder never used before.
  int64_t t0 = Monday() + 26 * kDay + 3 * kHour;
  auto burst = Spread("kim@x", t0, 100, 20 * kMinute, Service::kM365, ActionClass::kCopy);
  for (DetectorEvent& e : burst) e.dest_key = 222;
  RunResult r = Feed(*d, burst);
  ASSERT_GE(r.first_forward, 0);
  const Decision& first = r.decisions[r.first_forward];
  EXPECT_TRUE(first.reasons & kReasonNewDestination);
  EXPECT_TRUE(first.reasons & kReasonOffHours);
  EXPECT_TRUE(first.reasons & kReasonRate);
  // The same folder as always is not new.
  Decision old = d->Observe([&] { DetectorEvent e = Ev("kim@x", t0 + kHour); e.dest_key = 111; return e; }(), nullptr);
  EXPECT_FALSE(old.reasons & kReasonNewDestination);
}

TEST(DetectorMore, RiskySignInAndNewIpRaiseRiskForADay) {
  auto d = MakeDetector();
  Feed(*d, Steady("lee@x", Monday(), 21, 8));
  const uint64_t lee = Ev("lee@x", 0).user_key;
  int64_t t0 = Monday() + 22 * kDay + 9 * kHour;
  Decision s = d->Observe(Ev("lee@x", t0, ActionClass::kSigninSuccess), nullptr);
  EXPECT_EQ(s.reasons, 0u);  // the usual prefix
  DetectorEvent fresh = Ev("lee@x", t0 + kMinute, ActionClass::kSigninSuccess);
  fresh.prefix_key = IpPrefixKey("203.0.113.9");
  s = d->Observe(fresh, nullptr);
  EXPECT_EQ(s.reasons, static_cast<uint32_t>(kReasonNewIp));
  s = d->Observe(Ev("lee@x", t0 + 2 * kMinute, ActionClass::kSigninRisky), nullptr);
  EXPECT_EQ(s.reasons, static_cast<uint32_t>(kReasonNewIp | kReasonAfterRiskySignin));
  auto u = d->InspectUser(lee);
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->risk_until_ms, t0 + 2 * kMinute + 24 * kHour);
  // Risk alone never alerts: a few ordinary uploads stay quiet.
  RunResult r = Feed(*d, Spread("lee@x", t0 + kHour, 3, kHour, Service::kM365));
  EXPECT_EQ(r.forwarded, 0u);
  EXPECT_TRUE(r.decisions[0].reasons & kReasonAfterRiskySignin);
  // A day later it has expired.
  r = Feed(*d, Spread("lee@x", t0 + 25 * kHour, 1, kHour, Service::kM365));
  EXPECT_EQ(r.decisions[0].reasons & (kReasonNewIp | kReasonAfterRiskySignin), 0u);
  EXPECT_EQ(d->stats().risk_raised, 2u);
}

TEST(DetectorMore, MemoryIsBoundedByMaxUsers) {
  DetectorConfig c = TestConfig();
  c.max_users = 1000;
  auto d = MakeDetector(c);
  for (int u = 0; u < 5000; ++u) d->Observe(Ev(absl::StrCat("u", u), Monday() + u * 1000), nullptr);
  EXPECT_LE(d->tracked_users(), 1000u / 0.85 + 1);
  EXPECT_GT(d->stats().users_evicted, 3000u);
  // Record memory: 80 bytes + a 1-byte tag per slot, at most max_users / 0.85
  // slots, + the sketch.
  EXPECT_LE(d->MemoryBytes(), (1000 / 0.85 + 2) * 81 + (size_t{1} << 14) * 4 * 2 + 64 * 1024);
  // The newest users are the ones kept.
  EXPECT_TRUE(d->InspectUser(Ev("u4999", 0).user_key).has_value());
}

// A password spray: sign-in failures for 200,000 made-up account names, 200
// times max_users. Every one is a new user for the table, which stays at its
// bound (before, it filled up after a few thousand of them and the detector
// hung). The users with upload history are the ones kept, and a burst right
// after the spray is still judged against the learned baseline.
TEST(DetectorMore, PasswordSprayOverUnknownAccountsKeepsActiveBaselines) {
  DetectorConfig c = TestConfig();
  c.max_users = 1000;
  auto d = MakeDetector(c);
  std::vector<std::vector<DetectorEvent>> parts;
  for (int u = 0; u < 20; ++u) parts.push_back(Steady(absl::StrCat("staff", u, "@x"), Monday(), 21, 8));
  Feed(*d, MergeByTime(std::move(parts)));
  const int64_t t0 = Monday() + 21 * kDay;
  std::vector<DetectorEvent> spray;
  for (int i = 0; i < 200'000; ++i) {
    spray.push_back(Ev(absl::StrCat("guess", i, "@x"), t0 + i * 100, ActionClass::kSigninFailure));
  }
  Feed(*d, spray);
  EXPECT_LE(d->tracked_users(), static_cast<size_t>(0.85 * (1000 / 0.85 + 1)));
  EXPECT_GE(d->stats().users_evicted, 199'000u);
  for (int u = 0; u < 20; ++u) {
    EXPECT_TRUE(d->InspectUser(Ev(absl::StrCat("staff", u, "@x"), 0).user_key).has_value()) << u;
  }
  // Day 22, 10:00: 20x staff7's usual rate, against its own baseline.
  std::vector<DetectorEvent> burst;
  for (int i = 0; i < 160; ++i) burst.push_back(Ev("staff7@x", t0 + kDay + 10 * kHour + i * 15'000));
  RunResult r = Feed(*d, burst);
  ASSERT_GE(r.first_forward, 0);
  EXPECT_LE(r.first_forward, 15);
  EXPECT_EQ(r.decisions[r.first_forward].reasons & kReasonColdStart, 0u);
}

// Issue 3's goal: under 100 bytes per tracked user at 1 M users, from the
// detector's own accounting, the (config-fixed) novelty sketch excluded.
TEST(DetectorMore, UnderHundredBytesPerTrackedUserAtOneMillion) {
  DetectorConfig c = TestConfig();
  c.max_users = 1'000'000;
  c.sketch_width_log2 = 12;
  auto d = MakeDetector(c);
  ASSERT_NE(d, nullptr);
  std::vector<DetectorEvent> batch(4096);
  std::vector<Decision> out(batch.size());
  std::vector<DetectorRecord> records;
  const uint64_t tenant = StableHash("tenant-1m");
  for (uint64_t u = 0; u < c.max_users; u += batch.size()) {
    batch.resize(std::min<uint64_t>(batch.size(), c.max_users - u));
    for (size_t i = 0; i < batch.size(); ++i) {
      batch[i] = Ev("x", Monday() + static_cast<int64_t>(u + i));
      batch[i].tenant_key = batch[i].peer_key = tenant;
      batch[i].user_key = HashCombine(tenant, u + i + 1);
    }
    d->ObserveBatch(batch, out.data(), &records);
  }
  ASSERT_EQ(d->tracked_users(), 1'000'000u);
  EXPECT_EQ(d->stats().users_evicted, 0u);
  const size_t sketch = (size_t{1} << c.sketch_width_log2) * c.sketch_depth * 2;
  const double per_user =
      static_cast<double>(d->MemoryBytes() - sketch) / static_cast<double>(d->tracked_users());
  EXPECT_LT(per_user, 100.0);
  EXPECT_GT(per_user, 80.0);  // the record alone is 80 bytes: the accounting is not empty
}

TEST(DetectorMore, BatchEqualsOneByOneAndPlacesRecords) {
  DetectorConfig c = TestConfig();
  c.incident_cap = 20;
  c.summary_interval = absl::Minutes(1);
  auto events = Steady("m@x", Monday(), 21, 8);
  auto burst = Spread("m@x", Monday() + 22 * kDay + 10 * kHour, 600, 10 * kMinute, Service::kM365);
  events.insert(events.end(), burst.begin(), burst.end());
  auto a = MakeDetector(c), b = MakeDetector(c);
  RunResult one = Feed(*a, events);
  std::vector<Decision> dec(events.size());
  std::vector<DetectorRecord> records;
  b->ObserveBatch(events, dec.data(), &records);
  ASSERT_EQ(records.size(), one.records.size());
  ASSERT_GT(records.size(), 3u);
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_EQ(dec[i].forward, one.decisions[i].forward) << i;
    ASSERT_EQ(dec[i].score, one.decisions[i].score) << i;
  }
  for (const DetectorRecord& r : records) {
    ASSERT_LT(r.event_index, events.size());
    EXPECT_GE(events[r.event_index].time_ms, r.to_ms);  // emitted by a later event
  }
}

TEST(DetectorMore, ReconfigureKeepsStateAndRefusesStructuralChanges) {
  auto d = MakeDetector();
  Feed(*d, Steady("n@x", Monday(), 14, 8));
  std::string before = d->Serialize();
  DetectorConfig c = TestConfig();
  c.sensitivity = 1e-9;
  c.incident_cap = 10;
  ASSERT_TRUE(d->Reconfigure(c).ok());
  EXPECT_EQ(d->config().incident_cap, 10u);
  EXPECT_EQ(d->tracked_users(), 1u);
  c.long_window = absl::Hours(12);
  EXPECT_EQ(d->Reconfigure(c).code(), absl::StatusCode::kFailedPrecondition);
  c = TestConfig();
  c.sensitivity = 3;  // invalid
  EXPECT_EQ(d->Reconfigure(c).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(d->config().incident_cap, 10u);
}

TEST(DetectorMore, BulkSessionTwiceTheSizeAWeekLaterIsStillTolerated) {
  // One 200-file session in the cold start (peak 100 per 15 min), a week
  // later one of 450 (225 per 15 min): within 3x the peak remembered over a
  // week (the peak fades at 4x the baseline half-life).
  auto d = MakeDetector();
  auto events = Steady("pia@x", Monday(), 14, 8);
  for (int day : {2, 9}) {
    auto s = Spread("pia@x", Monday() + day * kDay + 14 * kHour, day == 2 ? 200 : 450,
                    30 * kMinute, Service::kM365);
    events.insert(events.end(), s.begin(), s.end());
  }
  events = MergeByTime({events});
  RunResult r = Feed(*d, events);
  size_t second = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    second += r.decisions[i].forward && events[i].time_ms >= Monday() + 9 * kDay;
  }
  EXPECT_EQ(second, 0u);
}

}  // namespace
}  // namespace exfilter::dtest

namespace exfilter::dtest {
namespace {

// A weekly bulk uploader: ~8 a day plus a 200-file session every Wednesday.
std::vector<DetectorEvent> WeeklyBulk(std::string_view user, int weeks) {
  auto events = Steady(user, Monday(), weeks * 7, 8);
  for (int w = 0; w < weeks; ++w) {
    auto s = Spread(user, Monday() + (w * 7 + 2) * kDay + 14 * kHour, 200, 30 * kMinute,
                    Service::kM365);
    events.insert(events.end(), s.begin(), s.end());
  }
  return MergeByTime({events});
}

TEST(DetectorMore, WeeklyBulkUploaderIsToleratedButThreeTimesItsPeakAlerts) {
  DetectorConfig c = TestConfig();
  auto d = MakeDetector(c);
  auto events = WeeklyBulk("olga@x", 4);
  RunResult r = Feed(*d, events);
  // Only sessions inside the first week (cold start) may alert.
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].time_ms >= Monday() + 7 * kDay) {
      ASSERT_FALSE(r.decisions[i].forward) << "week " << (events[i].time_ms - Monday()) / (7 * kDay);
    }
  }
  // Four times the session size in the same time: above 3x the peak.
  RunResult big = Feed(*d, Spread("olga@x", Monday() + 30 * kDay + 14 * kHour, 800, 30 * kMinute,
                                   Service::kM365));
  EXPECT_GT(big.forwarded, 0u);
  // Without the guard the ordinary sessions alert.
  c.peak_guard = 0;
  auto e = MakeDetector(c);
  RunResult plain = Feed(*e, events);
  size_t after_first_week = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    after_first_week += plain.decisions[i].forward && events[i].time_ms >= Monday() + 7 * kDay;
  }
  EXPECT_GT(after_first_week, 0u);
}

}  // namespace
}  // namespace exfilter::dtest
