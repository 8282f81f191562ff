// The narrowed fields of the 80-byte user record (docs/detector.md, "Memory
// bounds"): seasonal slot means as u8 with a shared shift track an exact
// EWMA at any scale; shares keep their implied last entry; risk packing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "pipeline/detect/internal/detector_impl.h"
#include "tests/pipeline/detect/test_events.h"

namespace exfilter::dtest {
namespace {
using detect_internal::UserRec;

// The factor from exact (double) slot means, as SlotFactor computes it.
double ExactFactor(const double (&c)[detect_internal::kSlots], int slot) {
  double cbar = 0;
  for (int i = 0; i < detect_internal::kSlots; ++i) cbar += SlotDuty(i) * c[i];
  return std::clamp((c[slot] + 0.1 * cbar) / (1.1 * cbar), 0.05, 8.0);
}

// Feeds `rounds` long windows of per-slot counts to both the record and an
// exact EWMA; the factors must agree within `tol` (relative).
void LearnAndCompare(DetectorImpl& impl, UserRec& u, double (&exact)[detect_internal::kSlots],
                     const double (&counts)[detect_internal::kSlots], int rounds, double tol) {
  const double keep = impl.slot_keep_(1);
  for (int r = 0; r < rounds; ++r) {
    for (int s = 0; s < detect_internal::kSlots; ++s) {
      impl.LearnSlot(u, s, counts[s], 1);
      exact[s] = exact[s] * keep + (1 - keep) * counts[s] * 16;
    }
  }
  for (int s = 0; s < detect_internal::kSlots; ++s) {
    EXPECT_NEAR(impl.SlotFactor(u, s), ExactFactor(exact, s), tol * ExactFactor(exact, s))
        << "slot " << s << " counts " << counts[s];
  }
}

TEST(UserRecord, SlotMeansTrackTheExactEwmaAtEveryScale) {
  DetectorImpl impl(TestConfig());
  UserRec u{};
  double exact[detect_internal::kSlots] = {};
  // A heavy user: 300-500 events per long window (x16 = 8,000: shift 5).
  const double heavy[detect_internal::kSlots] = {0, 300, 500, 20, 0, 40, 60, 0};
  LearnAndCompare(impl, u, exact, heavy, 120, 0.01);
  EXPECT_GE(detect_internal::SlotShift(u), 5);
  EXPECT_NEAR(DetectorImpl::SlotMean(u), [&] {
    double cbar = 0;
    for (int i = 0; i < detect_internal::kSlots; ++i) cbar += SlotDuty(i) * exact[i];
    return cbar;
  }(), 0.01 * 16 * 100);
  // The user slows down 100x: the shift comes back and precision with it.
  const double light[detect_internal::kSlots] = {0, 3, 5, 1, 0, 2, 2, 0};
  LearnAndCompare(impl, u, exact, light, 200, 0.08);  // x16 units: +-1 of 16-80
  EXPECT_EQ(detect_internal::SlotShift(u), 0);
  // Beyond the former u16 cap (65,535 / 16 events) the largest slot saturates.
  const double huge[detect_internal::kSlots] = {0, 9000, 9000, 9000, 9000, 9000, 9000, 9000};
  for (int r = 0; r < 100; ++r) impl.LearnSlot(u, 1, huge[1], 1);
  EXPECT_EQ(detect_internal::SlotShift(u), detect_internal::kMaxSlotShift);
  EXPECT_EQ(detect_internal::SlotValue(u, 1), 255u << detect_internal::kMaxSlotShift);
}

TEST(UserRecord, SharesSumTo255WithTheLastImplied) {
  uint8_t stored[2] = {};
  uint8_t share[3];
  detect_internal::LoadShares<3>(stored, false, share);
  EXPECT_EQ(share[0] + share[1] + share[2], 0);
  share[2] = 0;
  for (int i = 0; i < 40; ++i) detect_internal::BumpShare(share, i % 5 == 0 ? 0 : 2);
  EXPECT_EQ(share[0] + share[1] + share[2], 255);
  detect_internal::StoreShares<3>(share, stored);
  uint8_t back[3];
  detect_internal::LoadShares<3>(stored, true, back);
  EXPECT_EQ(back[0], share[0]);
  EXPECT_EQ(back[1], share[1]);
  EXPECT_EQ(back[2], share[2]);
  EXPECT_GT(back[2], back[0]);
}

TEST(UserRecord, RiskWordKeepsMinuteAndReasons) {
  UserRec u{};
  const uint32_t minute = static_cast<uint32_t>((Monday() + 90 * kDay) / 60'000);
  detect_internal::SetRisk(u, minute, kReasonNewIp | kReasonAfterRiskySignin);
  EXPECT_EQ(detect_internal::RiskUntilMin(u), minute);
  EXPECT_EQ(detect_internal::RiskBits(u), uint32_t{kReasonNewIp | kReasonAfterRiskySignin});
  detect_internal::SetRisk(u, minute + 1, kReasonAfterSigninFailures);
  EXPECT_EQ(detect_internal::RiskUntilMin(u), minute + 1);
  EXPECT_EQ(detect_internal::RiskBits(u), uint32_t{kReasonAfterSigninFailures});
}

}  // namespace
}  // namespace exfilter::dtest
