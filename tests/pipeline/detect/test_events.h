// Hand-written event sequences for the detector tests: deterministic, no
// randomness without a fixed seed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "pipeline/detect/detector.h"
#include "pipeline/detect/detector_event.h"
#include "pipeline/detect/event_builder.h"

namespace exfilter::dtest {

inline constexpr int64_t kMinute = 60'000;
inline constexpr int64_t kHour = 60 * kMinute;
inline constexpr int64_t kDay = 24 * kHour;

// 2026-11-02 00:00 UTC, a Monday.
inline int64_t Monday() {
  return absl::ToUnixMillis(absl::FromCivil(absl::CivilDay(2026, 11, 2), absl::UTCTimeZone()));
}

inline DetectorEvent Ev(std::string_view user, int64_t t, ActionClass a = ActionClass::kUpload,
                        Service s = Service::kM365, std::string_view tenant = "t1") {
  DetectorEvent e;
  e.time_ms = t;
  e.tenant_key = TenantKey(tenant);
  e.user_key = UserKeyFor(e.tenant_key, user);
  e.peer_key = e.tenant_key;
  e.service = s;
  e.action = a;
  e.prefix_key = IpPrefixKey("10.0.0.1");
  e.ip_key = 1;
  return e;
}

// A config with the defaults, spelled out where tests depend on them.
inline DetectorConfig TestConfig() {
  DetectorConfig c;
  c.sensitivity = 1e-6;
  c.min_count = 12;
  c.sketch_width_log2 = 14;
  c.max_users = 10'000;
  return c;
}

inline std::unique_ptr<Detector> MakeDetector(const DetectorConfig& c = TestConfig()) {
  auto d = Detector::Create(c);
  if (!d.ok()) return nullptr;
  return *std::move(d);
}

// `per_day` uploads spread evenly over `hours` hours from `from_hour` UTC on
// weekdays, for `days` days from `start` (a Monday), with a deterministic
// +-25% day-to-day wobble.
inline std::vector<DetectorEvent> Steady(std::string_view user, int64_t start, int days,
                                         int per_day, std::string_view tenant = "t1",
                                         int from_hour = 9, int hours = 8) {
  std::vector<DetectorEvent> out;
  for (int d = 0; d < days; ++d) {
    if (d % 7 >= 5) continue;
    int n = per_day + (per_day / 4) * ((d * 7 % 3) - 1);
    for (int i = 0; i < n; ++i) {
      int64_t t = start + d * kDay + from_hour * kHour + (hours * kHour) * i / n +
                  (d * 131 % 600) * 1000;
      out.push_back(Ev(user, t, ActionClass::kUpload, Service::kM365, tenant));
    }
  }
  return out;
}

// Merges sequences by time (stable), as the agent's input order would be.
std::vector<DetectorEvent> MergeByTime(std::vector<std::vector<DetectorEvent>> parts);

struct RunResult {
  std::vector<Decision> decisions;
  std::vector<DetectorRecord> records;
  size_t forwarded = 0;
  int first_forward = -1;  // index of the first forwarded event
};
RunResult Feed(Detector& d, const std::vector<DetectorEvent>& events);

}  // namespace exfilter::dtest
