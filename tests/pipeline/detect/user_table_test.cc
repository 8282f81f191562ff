// The user table's tag bytes (one per slot, a byte of the key), the
// multiply-shift FastDiv and the empty-window EWMA step used on the hot path
// (stats_math.h).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <set>
#include <vector>

#include "pipeline/detect/internal/stats_math.h"
#include "pipeline/detect/internal/user_table.h"

namespace exfilter::dtest {
namespace {
using detect_internal::Ewma;
using detect_internal::EwmaDecayStep;
using detect_internal::EwmaUpdate;
using detect_internal::FastDiv;
using detect_internal::FloorDiv;
using detect_internal::UserRec;
using detect_internal::UserTable;

uint64_t Next(uint64_t& s) {  // xorshift64*
  s ^= s >> 12;
  s ^= s << 25;
  s ^= s >> 27;
  return s * 0x2545F4914F6CDD1DULL;
}

int64_t FloorMod(int64_t a, int64_t d) { return ((a % d) + d) % d; }

bool SameBits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST(EwmaDecayStep, SameBitsAsTheUpdateWithCountZero) {
  // Every scale of value (zeros, subnormals, counts, huge), alphas of the
  // configured half-lives and extremes, many steps chained as in a fold.
  std::vector<float> values = {0.0f, -0.0f, std::numeric_limits<float>::denorm_min(),
                               std::numeric_limits<float>::min(), 1e-20f, 0.02f, 1.0f,
                               3.0f, 12.5f, 1e6f, std::numeric_limits<float>::max()};
  uint64_t s = 99;
  for (int i = 0; i < 20'000; ++i) {
    uint32_t bits = static_cast<uint32_t>(Next(s)) & 0x7f7fffffu;  // finite, >= 0
    float v;
    std::memcpy(&v, &bits, sizeof v);
    values.push_back(v);
  }
  const double alphas[] = {1e-9, 1.0 - std::exp(-std::log(2.0) * 15 / (14 * 24 * 60)),
                           1.0 - std::exp(-std::log(2.0) * 360 / (14 * 24 * 60)), 0.1, 0.5,
                           0.999999};
  size_t compared = 0;
  for (double alpha : alphas) {
    for (size_t i = 0; i + 1 < values.size(); ++i) {
      Ewma a{values[i], values[i + 1]};
      Ewma b = a;
      for (int step = 0; step < 9; ++step) {
        EwmaUpdate(a, 0.0, 1.0, alpha);
        EwmaDecayStep(b, alpha);
        ASSERT_TRUE(SameBits(a.mean, b.mean)) << values[i] << " alpha " << alpha;
        ASSERT_TRUE(SameBits(a.m2, b.m2)) << values[i + 1] << " alpha " << alpha;
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 1'000'000u);
}

TEST(FastDiv, MatchesFloorDivForEveryDivisorInUse) {
  // Window lengths (ms, minutes), windows per long window and per week.
  const int64_t divisors[] = {1,  2,  3,   4,   9,      15,     24,      28,        60,
                              96, 672, 2016, 60'000, 900'000, 3'600'000, 21'600'000,
                              86'400'000, 604'800'000};
  uint64_t s = 12345;
  for (int64_t d : divisors) {
    const FastDiv f(d);
    std::vector<int64_t> as;
    for (int64_t a = -3 * d - 5; a <= 3 * d + 5; a += std::max<int64_t>(1, d / 7)) as.push_back(a);
    for (int64_t k : {int64_t{1}, int64_t{1000}, int64_t{1'790'000'000'000} / d, INT64_MAX / d}) {
      for (int64_t e : {int64_t{-1}, int64_t{0}, int64_t{1}}) {
        if (e <= 0 || k * d < INT64_MAX) as.push_back(k * d + e);
      }
    }
    for (int i = 0; i < 20000; ++i) {
      as.push_back(static_cast<int64_t>(Next(s) >> (Next(s) % 64)));  // every magnitude
      as.push_back(-static_cast<int64_t>(Next(s) >> (2 + Next(s) % 62)));  // Mod stays in range
    }
    as.push_back(INT64_MAX);
    for (int64_t a : as) {
      ASSERT_EQ(f.Floor(a), FloorDiv(a, d)) << a << " / " << d;
      ASSERT_EQ(f.Mod(a), FloorMod(a, d)) << a << " mod " << d;
    }
  }
}

// Keys whose tags collide (same low byte, and low byte 0, which shares tag 1
// with low byte 1) are still told apart by the record's key.
TEST(UserTable, CollidingTagsFindTheRightRecord) {
  UserTable t(20'000);
  uint64_t s = 99;
  std::vector<uint64_t> keys;
  for (int i = 0; i < 6000; ++i) {
    const uint64_t low = i % 3 == 0 ? 0x2a : i % 3 == 1 ? 0x00 : 0x01;
    keys.push_back((Next(s) & ~uint64_t{0xff}) | low | (uint64_t{1} << 63));
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    bool is_new, evicted;
    UserRec* r = t.FindOrInsert(keys[i], &is_new, &evicted);  // grows several times
    ASSERT_TRUE(is_new);
    ASSERT_FALSE(evicted);
    r->first_min = static_cast<uint32_t>(i + 1);
  }
  EXPECT_EQ(t.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    const UserRec* r = t.Find(keys[i]);
    ASSERT_NE(r, nullptr) << i;
    EXPECT_EQ(r->key, keys[i]);
    EXPECT_EQ(r->first_min, i + 1);
    bool is_new, evicted;
    EXPECT_EQ(t.FindOrInsert(keys[i], &is_new, &evicted), r);
    EXPECT_FALSE(is_new);
  }
  // Absent keys with the same tags are not found.
  for (int i = 0; i < 2000; ++i) {
    EXPECT_EQ(t.Find((Next(s) & ~uint64_t{0xff}) | 0x2a), nullptr);
    EXPECT_EQ(t.Find((Next(s) & ~uint64_t{0xff}) | 0x00 | 1), nullptr);
  }
  size_t visited = 0;
  t.ForEach([&](const UserRec& r) { visited += r.key != 0; });
  EXPECT_EQ(visited, keys.size());
  EXPECT_EQ(t.MemoryBytes(), t.capacity() * 81);
}

// At the bound, every new user evicts one, so the load never rises above
// kMaxLoad: an empty slot always ends a probe. Here 50 times more users than
// the table holds go through it (before, the table filled up after ~5,000 of
// them, when new users whose home slot was empty took it without evicting,
// and the next absent key probed forever). Every user the table reports is
// found at its slot, none twice, and the new key is always present.
TEST(UserTable, FullTableEvictsAndStaysConsistent) {
  UserTable t(1000);
  const size_t bound = static_cast<size_t>(UserTable::kMaxLoad * static_cast<double>(1177));
  uint64_t s = 7;
  size_t evictions = 0;
  for (int i = 0; i < 50'000; ++i) {
    const uint64_t key = Next(s) | 1;
    bool is_new, evicted;
    UserRec* r = t.FindOrInsert(key, &is_new, &evicted);
    ASSERT_TRUE(is_new);
    r->short_head = i;
    evictions += evicted;
    ASSERT_EQ(t.Find(key), r) << i;
    ASSERT_LE(t.size(), bound) << i;
    if (i % 997 == 0 || i > 49'900) {
      size_t found = 0;
      std::set<uint64_t> keys;
      t.ForEach([&](const UserRec& rec) {
        found += t.Find(rec.key) == &rec;
        keys.insert(rec.key);
      });
      ASSERT_EQ(found, t.size()) << i;
      ASSERT_EQ(keys.size(), t.size()) << i;
    }
  }
  EXPECT_EQ(t.capacity(), 1177u);
  EXPECT_EQ(t.size(), bound);
  EXPECT_EQ(evictions, 50'000u - bound);
}

// Evictions take the stalest user (oldest short_head) near the new one:
// users active recently survive a flood of new keys that are never active
// again (a password spray over made-up account names).
TEST(UserTable, ActiveUsersSurviveAFloodOfNewKeys) {
  UserTable t(1000);
  uint64_t s = 11;
  std::vector<uint64_t> active;
  for (int i = 0; i < 100; ++i) {
    active.push_back(Next(s) | 1);
    bool is_new, evicted;
    t.FindOrInsert(active.back(), &is_new, &evicted)->short_head = 1'000'000;
  }
  for (int i = 0; i < 100'000; ++i) {
    bool is_new, evicted;
    t.FindOrInsert(Next(s) | 1, &is_new, &evicted);  // short_head 0: never active
  }
  size_t kept = 0;
  for (uint64_t k : active) kept += t.Find(k) != nullptr && t.Find(k)->short_head == 1'000'000;
  EXPECT_EQ(kept, active.size());
}

}  // namespace
}  // namespace exfilter::dtest
