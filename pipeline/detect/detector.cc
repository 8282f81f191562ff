#include "pipeline/detect/detector.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "pipeline/detect/internal/detector_impl.h"

namespace exfilter {
using detect_internal::FloorDiv;

absl::StatusOr<std::unique_ptr<Detector>> Detector::Create(const DetectorConfig& config) {
  if (absl::Status s = ValidateDetectorConfig(config); !s.ok()) return s;
  return std::unique_ptr<Detector>(new Detector(std::make_unique<DetectorImpl>(config)));
}

Detector::Detector(std::unique_ptr<DetectorImpl> impl) : impl_(std::move(impl)) {}
Detector::~Detector() = default;

Decision Detector::Observe(const DetectorEvent& event, std::vector<DetectorRecord>* records) {
  return impl_->Observe(event, records);
}

void Detector::ObserveBatch(std::span<const DetectorEvent> events, Decision* decisions,
                            std::vector<DetectorRecord>* records) {
  impl_->ObserveBatch(events, decisions, records);
}

void Detector::Flush(std::vector<DetectorRecord>* records) { impl_->Flush(records); }

absl::Status Detector::Reconfigure(const DetectorConfig& config) {
  if (absl::Status s = ValidateDetectorConfig(config); !s.ok()) return s;
  if (DetectorImpl::StructureTag(config) != DetectorImpl::StructureTag(impl_->config_)) {
    return absl::FailedPreconditionError(
        "window lengths, lateness and sketch sizes cannot change on reload; restart instead");
  }
  if (config.max_users != impl_->config_.max_users) {
    return absl::FailedPreconditionError("max_users cannot change on reload; restart instead");
  }
  impl_->SetConfig(config);
  return absl::OkStatus();
}

const DetectorConfig& Detector::config() const { return impl_->config_; }
const DetectorStats& Detector::stats() const { return impl_->stats_; }
size_t Detector::tracked_users() const { return impl_->users_.size(); }

size_t Detector::MemoryBytes() const {
  return impl_->users_.MemoryBytes() + impl_->novelty_.MemoryBytes() +
         impl_->groups_.capacity() * (sizeof(GroupRec) + sizeof(uint64_t) + 1) +
         impl_->incidents_.size() * (sizeof(Incident) + 64);
}

std::optional<UserSnapshot> Detector::InspectUser(uint64_t user_key) const {
  const detect_internal::UserRec* u = impl_->users_.Find(user_key);
  if (u == nullptr) return std::nullopt;
  const Params& p = impl_->p_;
  UserSnapshot s;
  s.short_mean = u->short_base.mean;
  s.short_m2 = u->short_base.m2;
  s.long_mean = u->long_base.mean;
  s.long_m2 = u->long_base.m2;
  s.first_seen_ms = int64_t{u->first_min} * 60'000;
  s.short_head_ms = int64_t{u->short_head} * p.short_ms;
  s.short_count = u->short_ring[u->short_head % detect_internal::kShortRing];
  int64_t lh = FloorDiv(int64_t{u->short_head} * p.short_ms, p.long_ms);
  s.long_count = u->long_ring[lh % detect_internal::kLongRing];
  s.risk_until_ms = int64_t{detect_internal::RiskUntilMin(*u)} * 60'000;
  s.risk_reasons = detect_internal::RiskBits(*u);
  for (int i = 0; i < detect_internal::kSlots; ++i) s.slot_factor[i] = impl_->SlotFactor(*u, i);
  return s;
}

std::string Detector::Serialize() const { return impl_->Serialize(); }

absl::Status Detector::Restore(std::string_view bytes) {
  auto fresh = std::make_unique<DetectorImpl>(impl_->config_);
  std::string error;
  if (!fresh->Restore(bytes, &error)) {
    impl_ = std::make_unique<DetectorImpl>(impl_->config_);
    return absl::DataLossError(error);
  }
  impl_ = std::move(fresh);
  return absl::OkStatus();
}

std::string_view ReasonName(uint32_t bit) {
  switch (bit) {
    case kReasonRate: return "rate";
    case kReasonOffHours: return "off_hours";
    case kReasonCrossService: return "cross_service";
    case kReasonNewIp: return "new_ip";
    case kReasonNewDestination: return "new_destination";
    case kReasonAfterSigninFailures: return "after_signin_failures";
    case kReasonAfterRiskySignin: return "after_risky_signin";
    case kReasonColdStart: return "cold_start";
    case kReasonPeerBaseline: return "peer_baseline";
    case kReasonSurgeDamped: return "surge_damped";
    default: return "";
  }
}

std::string_view WindowName(WindowKind w) {
  switch (w) {
    case WindowKind::kShort: return "short";
    case WindowKind::kLong: return "long";
    default: return "none";
  }
}

std::string_view KeyKindName(KeyKind k) {
  switch (k) {
    case KeyKind::kUser: return "user";
    case KeyKind::kUserService: return "user_service";
    case KeyKind::kUserAction: return "user_action";
    default: return "none";
  }
}

}  // namespace exfilter
