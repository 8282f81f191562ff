// Identity risk from sign-ins: a run of failures, a risky sign-in, or a
// successful sign-in from an IP / prefix never seen for the user raises the
// user's risk for risk_duration. Risk never alerts by itself; it lowers the
// threshold and floor for upload/create/copy (docs/detector.md).
#include "pipeline/detect/internal/detector_impl.h"
#include "util/hash.h"

namespace exfilter {
using detect_internal::UserRec;


uint32_t DetectorImpl::ActiveRisk(const UserRec& u, int64_t t_ms) const {
  return t_ms / 60'000 < int64_t{detect_internal::RiskUntilMin(u)} ? detect_internal::RiskBits(u)
                                                                    : 0u;
}

void DetectorImpl::ObserveSignin(const DetectorEvent& ev, UserRec& u, Decision& d) {
  stats_.signins++;
  const int64_t t = ev.time_ms;
  uint32_t raise = 0;
  switch (ev.action) {
    case ActionClass::kSigninFailure:
      // Raised once, when the run reaches failure_run; the 7-bit counter then
      // saturates without raising again.
      if ((u.fail_run & detect_internal::kFailRunMask) < detect_internal::kFailRunMask) {
        u.fail_run++;
        if ((u.fail_run & detect_internal::kFailRunMask) == config_.failure_run) {
          raise = kReasonAfterSigninFailures;
        }
      }
      break;
    case ActionClass::kSigninRisky:
      raise = kReasonAfterRiskySignin;
      break;
    case ActionClass::kSigninSuccess: {
      u.fail_run &= detect_internal::kUserHasWatched;
      uint64_t ipk = config_.new_ip_by_prefix ? ev.prefix_key : ev.ip_key;
      if (ipk == 0) break;
      uint32_t before = novelty_.Add(NoveltyKey(ev.user_key, ipk, kTagIp));
      bool old_enough = t - int64_t{u.first_min} * 60'000 >= p_.novelty_min_age_ms;
      if (before == 0 && old_enough) raise = kReasonNewIp;
      break;
    }
    default:
      break;
  }
  if (raise != 0) {
    stats_.risk_raised++;
    uint32_t current = ActiveRisk(u, t);
    detect_internal::SetRisk(u, static_cast<uint32_t>((t + p_.risk_ms) / 60'000), current | raise);
  }
  d.reasons = ActiveRisk(u, t);
}

}  // namespace exfilter
