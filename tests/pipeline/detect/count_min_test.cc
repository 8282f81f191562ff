// Count-min sketch properties on seeded streams: the estimate never
// undercounts, and stays within e*N/width for all but a few keys.
#include "pipeline/detect/internal/count_min.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "absl/container/flat_hash_map.h"

namespace exfilter::detect_internal {
namespace {

struct Case {
  uint32_t width_log2, depth;
  int keys, events;
  uint32_t seed;
};

class CountMinProperty : public ::testing::TestWithParam<Case> {};

TEST_P(CountMinProperty, NeverUndercountsAndStaysWithinTheBound) {
  const Case c = GetParam();
  BlockedCountMin cm(c.width_log2, c.depth);
  std::mt19937_64 rng(c.seed);
  // Zipf-like: key i with weight 1/(i+1).
  std::vector<double> w(c.keys);
  for (int i = 0; i < c.keys; ++i) w[i] = 1.0 / (i + 1);
  std::discrete_distribution<int> pick(w.begin(), w.end());
  absl::flat_hash_map<uint64_t, uint32_t> truth;
  for (int i = 0; i < c.events; ++i) {
    uint64_t key = 0x1234567ULL * (pick(rng) + 1);
    uint32_t before = cm.Add(key);
    ASSERT_GE(before, truth[key]);  // also true before each update
    truth[key]++;
  }
  EXPECT_EQ(cm.total(), static_cast<uint64_t>(c.events));
  const double bound = std::exp(1.0) * c.events / static_cast<double>(cm.counters_per_row());
  const double delta = std::exp(-static_cast<double>(c.depth));
  size_t over = 0;
  for (const auto& [key, n] : truth) {
    uint32_t est = cm.Estimate(key);
    ASSERT_GE(est, n) << "undercount";
    if (est - n > bound) ++over;
  }
  // At most delta of the keys over the bound (plus slack for a finite sample).
  EXPECT_LE(static_cast<double>(over), delta * truth.size() + 3) << over << " of " << truth.size();
  // An unseen key is estimated within the bound too (usually 0).
  EXPECT_LE(cm.Estimate(0xdeadbeefULL), bound + 1);
}

INSTANTIATE_TEST_SUITE_P(Seeded, CountMinProperty,
                         ::testing::Values(Case{10, 4, 5000, 20000, 1}, Case{10, 4, 5000, 20000, 2},
                                           Case{12, 2, 20000, 100000, 3},
                                           Case{14, 8, 50000, 200000, 4},
                                           Case{10, 1, 3000, 30000, 5}));

TEST(CountMin, ConservativeUpdateRaisesOnlyTheMinimum) {
  BlockedCountMin cm(10, 4);
  EXPECT_EQ(cm.Add(7), 0u);
  EXPECT_EQ(cm.Add(7), 1u);
  EXPECT_EQ(cm.Add(7, 5), 2u);
  EXPECT_EQ(cm.Estimate(7), 7u);
  EXPECT_EQ(cm.Estimate(8), 0u);
}

TEST(CountMin, SaturatesInsteadOfWrapping) {
  BlockedCountMin cm(10, 2);
  cm.Add(1, 65000);
  cm.Add(1, 1000);
  EXPECT_EQ(cm.Estimate(1), 65535u);
}

TEST(CountMin, RawBytesRoundTrip) {
  BlockedCountMin a(11, 4), b(11, 4), c(12, 4);
  for (uint64_t k = 1; k < 500; ++k) a.Add(k * 977, static_cast<uint32_t>(k % 7 + 1));
  ASSERT_TRUE(b.LoadCounters(a.RawBytes(), a.total()));
  for (uint64_t k = 1; k < 600; ++k) EXPECT_EQ(a.Estimate(k * 977), b.Estimate(k * 977));
  EXPECT_FALSE(c.LoadCounters(a.RawBytes(), a.total()));
}

}  // namespace
}  // namespace exfilter::detect_internal
