// The whole generated stream: parses without error (NDJSON and API pages),
// is deterministic by seed, and its labels match the events in it.
#include <gtest/gtest.h>

#include <map>

#include "perf/gen/scenario_files.h"
#include "tests/gen/gen_test_util.h"
#include "util/hash.h"

namespace exfilter::gen {
namespace {

GenOptions Small(uint64_t seed) {
  GenOptions o;
  o.users = 120;
  o.days = 15;  // incidents on days 8-13: every weekday, so weekly bulk sessions too
  o.learning_days = 8;
  o.seed = seed;
  o.page_share = 0.2;  // many API pages
  return o;
}

TEST(Generator, StreamParsesWithoutErrorsInDeliveryOrder) {
  Generator gen(Small(3));
  StringSink sink;
  ASSERT_TRUE(gen.Run(sink, false).ok());
  CollectSink parsed = ParseText(sink.text[0]);
  EXPECT_TRUE(parsed.errors.empty()) << parsed.errors.size() << " errors";
  uint64_t primary = 0, per_service[kNumServices] = {};
  int64_t max_time = 0, late = 0;
  for (const ParsedEvent& e : parsed.events) {
    primary += e.primary;
    per_service[static_cast<int>(e.service)] += e.primary;
    if (e.time_ms + 20 * kMinuteMs < max_time) ++late;
    max_time = std::max(max_time, e.time_ms);
  }
  EXPECT_EQ(primary, gen.stats().events);
  for (int s = 1; s <= 3; ++s) EXPECT_EQ(per_service[s], gen.stats().by_service[s]) << s;
  EXPECT_GT(gen.stats().pages, 10u);
  // Disorder: a share of M365 events arrives 30-90 minutes late.
  EXPECT_GT(late, static_cast<int64_t>(gen.stats().by_service[1] / 20));
  double bytes_per_event = static_cast<double>(gen.stats().bytes) / gen.stats().events;
  EXPECT_GT(bytes_per_event, 700);
  EXPECT_LT(bytes_per_event, 1200);
}

TEST(Generator, SameSeedSameBytesOtherSeedOtherBytes) {
  auto digest = [](uint64_t seed, bool split) {
    Generator gen(Small(seed));
    StringSink sink;
    EXPECT_TRUE(gen.Run(sink, split).ok());
    uint64_t h = StableHash(LabelsJsonl(gen));
    for (const std::string& t : sink.text) h = HashCombine(h, StableHash(t));
    return h;
  };
  EXPECT_EQ(digest(5, false), digest(5, false));
  EXPECT_EQ(digest(5, true), digest(5, true));
  EXPECT_NE(digest(5, false), digest(6, false));
}

TEST(Generator, SplitStreamsHoldTheSameEventsAsTheMixedOne) {
  Generator mixed(Small(4)), split(Small(4));
  StringSink a, b;
  ASSERT_TRUE(mixed.Run(a, false).ok());
  ASSERT_TRUE(split.Run(b, true).ok());
  EXPECT_TRUE(b.text[0].empty());
  size_t total = 0;
  for (int s = 1; s <= 3; ++s) {
    CollectSink p = ParseText(b.text[s]);
    EXPECT_TRUE(p.errors.empty());
    for (const ParsedEvent& e : p.events) EXPECT_EQ(static_cast<int>(e.service), s);
    total += p.events.size();
  }
  EXPECT_EQ(total, ParseText(a.text[0]).events.size());
}

TEST(Generator, LabelsMatchTheStream) {
  Generator gen(Small(9));
  StringSink sink;
  ASSERT_TRUE(gen.Run(sink, false).ok());
  CollectSink parsed = ParseText(sink.text[0]);
  std::map<std::string, const ParsedEvent*> by_id;
  for (const ParsedEvent& e : parsed.events) {
    // Events of a multi-event Google activity are "<uniqueQualifier>#<n>".
    if (e.primary) by_id[e.id.substr(0, e.id.find('#'))] = &e;
  }
  std::map<std::string, int> kinds;
  ASSERT_FALSE(gen.labels().empty());
  for (const IncidentLabel& l : gen.labels()) {
    SCOPED_TRACE(l.id + " " + std::string(IncidentKindName(l.kind)));
    ++kinds[std::string(IncidentKindName(l.kind))];
    EXPECT_GE(l.start_ms, gen.options().start_ms + gen.options().learning_days * kDayMs);
    EXPECT_FALSE(l.event_ids.empty());
    for (const std::string& id : l.event_ids) {
      auto it = by_id.find(id);
      ASSERT_NE(it, by_id.end()) << id;
      const ParsedEvent& e = *it->second;
      EXPECT_TRUE(IsWatchedAction(e.action));
      EXPECT_GE(e.time_ms, l.start_ms - kMinuteMs);
      EXPECT_LE(e.time_ms, l.end_ms);
      if (l.kind != IncidentKind::kOrgSurge) {
        EXPECT_EQ(e.user, l.user);
      }
    }
    if (l.kind == IncidentKind::kCompromisedAccount) {
      int failures = 0, successes = 0;
      for (const std::string& id : l.context_ids) {
        ASSERT_TRUE(by_id.count(id)) << id;
        const ParsedEvent& e = *by_id[id];
        EXPECT_EQ(e.user, l.user);
        EXPECT_LT(e.time_ms, l.start_ms);  // the sign-ins come before the burst
        failures += e.action == ActionClass::kSigninFailure;
        successes += e.action == ActionClass::kSigninSuccess;
      }
      EXPECT_GE(failures, 5);
      EXPECT_EQ(successes, 1);
    }
  }
  // Every malicious kind and the benign ones are planned in a small org.
  for (int k = 0; k < kNumIncidentKinds; ++k) {
    EXPECT_GE(kinds[std::string(IncidentKindName(static_cast<IncidentKind>(k)))], 1) << k;
  }
}

}  // namespace
}  // namespace exfilter::gen
