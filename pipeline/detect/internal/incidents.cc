// Incidents (one per user burst, with cooldown), the per-incident cap with
// summary records, and the global alert-rate cap with notices. Everything is
// driven by event time in input order, so records are deterministic.
#include <algorithm>

#include "pipeline/detect/internal/detector_impl.h"
#include "util/hash.h"

namespace exfilter {
using detect_internal::FloorDiv;

void DetectorImpl::CloseIncident(uint64_t user, Incident& inc, int64_t to_ms, bool closed,
                                 std::vector<DetectorRecord>* records) {
  if (inc.held_pending == 0) return;
  DetectorRecord r;
  r.kind = RecordKind::kIncidentSummary;
  r.incident_id = inc.id;
  r.user_key = user;
  r.incident_start_ms = inc.start_ms;
  r.from_ms = inc.summary_from_ms;
  r.to_ms = std::max(to_ms, inc.summary_from_ms);
  r.held_events = inc.held_pending;
  r.forwarded_events = inc.forwarded;
  r.incident_closed = closed;
  if (records != nullptr) records->push_back(r);
  inc.held_pending = 0;
  inc.summary_from_ms = r.to_ms;
}

bool DetectorImpl::RateAllows(int64_t /*t_ms*/, std::vector<DetectorRecord>* records) {
  int64_t minute = FloorDiv(watermark_ms_, 60'000);
  if (minute != rate_minute_) {
    if (rate_held_ > 0 && records != nullptr) {
      DetectorRecord r;
      r.kind = RecordKind::kRateCapNotice;
      r.from_ms = rate_minute_ * 60'000;
      r.to_ms = r.from_ms + 60'000;
      r.held_events = rate_held_;
      r.forwarded_events = rate_forwarded_;
      records->push_back(r);
    }
    rate_minute_ = minute;
    rate_forwarded_ = 0;
    rate_held_ = 0;
  }
  if (rate_forwarded_ >= config_.max_forwarded_per_minute) {
    rate_held_++;
    return false;
  }
  rate_forwarded_++;
  return true;
}

void DetectorImpl::Alerting(const DetectorEvent& ev, bool fires, Decision& d,
                            std::vector<DetectorRecord>* records) {
  const int64_t t = ev.time_ms;
  auto it = incidents_.find(ev.user_key);
  if (it != incidents_.end() && t > it->second.last_ms + p_.cooldown_ms) {
    CloseIncident(ev.user_key, it->second, it->second.last_ms, true, records);
    incidents_.erase(it);
    it = incidents_.end();
  }
  if (it == incidents_.end()) {
    if (!fires) return;
    if (incidents_.size() >= config_.max_incidents) {
      stats_.incidents_untracked++;
    } else {
      Incident inc;
      inc.id = HashCombine(ev.user_key, static_cast<uint64_t>(t));
      inc.start_ms = t;
      inc.last_ms = t;
      inc.summary_from_ms = t;
      it = incidents_.emplace(ev.user_key, inc).first;
      stats_.incidents_opened++;
    }
  }
  d.anomalous = true;
  stats_.anomalous++;
  if (it != incidents_.end()) {
    Incident& inc = it->second;
    inc.last_ms = std::max(inc.last_ms, t);
    d.incident_id = inc.id;
    d.incident_start_ms = inc.start_ms;
    if (inc.forwarded >= config_.incident_cap) {
      d.capped = true;
      stats_.held_incident_cap++;
      inc.held_total++;
      inc.held_pending++;
      if (t >= inc.summary_from_ms + p_.summary_ms) {
        CloseIncident(ev.user_key, inc, t, false, records);
      }
      return;
    }
  }
  if (!RateAllows(t, records)) {
    d.capped = true;
    stats_.held_rate_cap++;
    return;
  }
  d.forward = true;
  stats_.forwarded++;
  if (it != incidents_.end()) it->second.forwarded++;
}

void DetectorImpl::Sweep(std::vector<DetectorRecord>* records) {
  int64_t late_ms = absl::ToInt64Milliseconds(config_.allowed_lateness);
  for (auto it = incidents_.begin(); it != incidents_.end();) {
    Incident& inc = it->second;
    if (watermark_ms_ > inc.last_ms + p_.cooldown_ms + late_ms) {
      CloseIncident(it->first, inc, inc.last_ms, true, records);
      it = incidents_.erase(it);
      continue;
    }
    if (inc.held_pending > 0 && watermark_ms_ >= inc.summary_from_ms + p_.summary_ms) {
      CloseIncident(it->first, inc, watermark_ms_, false, records);
    }
    ++it;
  }
}

void DetectorImpl::Flush(std::vector<DetectorRecord>* records) {
  for (auto& [user, inc] : incidents_) CloseIncident(user, inc, inc.last_ms, true, records);
  incidents_.clear();
  if (rate_held_ > 0) {
    DetectorRecord r;
    r.kind = RecordKind::kRateCapNotice;
    r.from_ms = rate_minute_ * 60'000;
    r.to_ms = r.from_ms + 60'000;
    r.held_events = rate_held_;
    r.forwarded_events = rate_forwarded_;
    if (records != nullptr) records->push_back(r);
    rate_held_ = 0;
    rate_forwarded_ = 0;
  }
}

}  // namespace exfilter
