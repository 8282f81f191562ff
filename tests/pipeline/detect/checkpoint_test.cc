// Snapshots: a round trip gives identical decisions afterwards; corrupt,
// truncated and incompatible files are refused and leave a fresh detector.
#include "pipeline/detect/checkpoint.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "tests/pipeline/detect/test_events.h"

namespace exfilter::dtest {
namespace {

std::vector<DetectorEvent> Workload() {
  auto events = MergeByTime({Steady("a@x", Monday(), 21, 8), Steady("b@x", Monday(), 21, 40),
                             Steady("c@x", Monday(), 10, 3)});
  for (int i = 0; i < 300; ++i) events.push_back(Ev("a@x", Monday() + 21 * kDay + 10 * kHour + i * 2000));
  for (int i = 0; i < 200; ++i) events.push_back(Ev("b@x", Monday() + 22 * kDay + 11 * kHour + i * 3000));
  return events;
}

TEST(Checkpoint, RoundTripGivesIdenticalDecisionsAfterwards) {
  auto events = Workload();
  size_t half = events.size() - 350;  // in the middle of a's burst
  auto a = MakeDetector();
  std::vector<DetectorRecord> ra;
  for (size_t i = 0; i < half; ++i) a->Observe(events[i], &ra);
  std::string bytes = EncodeCheckpoint(*a, "offsets:42");
  auto b = MakeDetector();
  std::string extra;
  ASSERT_TRUE(DecodeCheckpoint(bytes, b.get(), &extra).ok());
  EXPECT_EQ(extra, "offsets:42");
  EXPECT_EQ(b->tracked_users(), a->tracked_users());
  EXPECT_EQ(b->Serialize(), a->Serialize());
  std::vector<DetectorRecord> rb;
  size_t forwarded = 0;
  for (size_t i = half; i < events.size(); ++i) {
    Decision da = a->Observe(events[i], &ra), db = b->Observe(events[i], &rb);
    ASSERT_EQ(da.forward, db.forward) << i;
    ASSERT_EQ(da.score, db.score) << i;
    ASSERT_EQ(da.incident_id, db.incident_id) << i;
    forwarded += da.forward;
  }
  EXPECT_GT(forwarded, 0u);
  EXPECT_EQ(a->stats().forwarded, b->stats().forwarded);
  EXPECT_EQ(a->Serialize(), b->Serialize());
}

TEST(Checkpoint, FileIsWrittenAtomicallyAndReadBack) {
  auto a = MakeDetector();
  for (const auto& e : Workload()) a->Observe(e, nullptr);
  std::string path = ::testing::TempDir() + "/detect_ckpt_" + std::to_string(::getpid());
  ASSERT_TRUE(WriteCheckpoint(path, *a, "xyz").ok());
  std::ifstream tmp(path + ".tmp");
  EXPECT_FALSE(tmp.good());  // renamed away
  auto b = MakeDetector();
  std::string extra;
  ASSERT_TRUE(ReadCheckpoint(path, b.get(), &extra).ok());
  EXPECT_EQ(extra, "xyz");
  EXPECT_EQ(a->Serialize(), b->Serialize());
  EXPECT_EQ(ReadCheckpoint(path + ".missing", b.get(), &extra).code(), absl::StatusCode::kNotFound);
  std::remove(path.c_str());
}

TEST(Checkpoint, CorruptTruncatedAndIncompatibleAreRefusedSafely) {
  auto a = MakeDetector();
  for (const auto& e : Workload()) a->Observe(e, nullptr);
  const std::string good = EncodeCheckpoint(*a, "offsets");
  std::vector<std::pair<std::string, std::string>> bad;
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x40;
  bad.emplace_back("flipped byte", flipped);
  bad.emplace_back("truncated", good.substr(0, good.size() - 100));
  bad.emplace_back("header only", good.substr(0, 20));
  bad.emplace_back("empty", "");
  bad.emplace_back("garbage", std::string(4096, 'x'));
  std::string version = good;
  version[8] = 99;
  bad.emplace_back("future version", version);
  for (const auto& [what, bytes] : bad) {
    auto b = MakeDetector();
    b->Observe(Ev("someone@x", Monday()), nullptr);  // has state before
    std::string extra = "stale";
    absl::Status s = DecodeCheckpoint(bytes, b.get(), &extra);
    EXPECT_FALSE(s.ok()) << what;
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << what;
    EXPECT_EQ(b->tracked_users(), 0u) << what;  // fresh, not half-loaded
    EXPECT_EQ(b->stats().events, 0u) << what;
    EXPECT_TRUE(extra.empty()) << what;
  }
  // Same bytes, different window length: incompatible, refused with a reason.
  DetectorConfig other = TestConfig();
  other.short_window = absl::Minutes(20);
  auto c = MakeDetector(other);
  ASSERT_NE(c, nullptr);
  std::string extra;
  absl::Status s = DecodeCheckpoint(good, c.get(), &extra);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("incompatible"), std::string::npos) << s.message();
  EXPECT_EQ(c->tracked_users(), 0u);
}

// A state written before the 80-byte user record (format 3, 96-byte records)
// is refused with the reason and leaves a fresh detector.
TEST(Checkpoint, OlderStateFormatIsRefused) {
  auto a = MakeDetector();
  for (const auto& e : Workload()) a->Observe(e, nullptr);
  std::string state = a->Serialize();
  const size_t fmt = state.find("fmt=4;");
  const size_t rec = state.find(";rec=80;");
  ASSERT_NE(fmt, std::string::npos);
  ASSERT_NE(rec, std::string::npos);
  state.replace(rec, 8, ";rec=96;");
  state.replace(fmt, 6, "fmt=3;");
  auto b = MakeDetector();
  b->Observe(Ev("someone@x", Monday()), nullptr);
  absl::Status s = b->Restore(state);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_NE(s.message().find("incompatible"), std::string::npos) << s.message();
  EXPECT_EQ(b->tracked_users(), 0u);
  EXPECT_EQ(b->stats().events, 0u);
}

}  // namespace
}  // namespace exfilter::dtest
