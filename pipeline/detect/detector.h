// Detector is the detection engine: compact per-user baselines of
// upload/create/copy counts in short and long event-time windows (EWMA mean
// and variance, seasonal slots, peer/tenant blend during warm-up), identity
// risk from sign-ins, novelty of destinations and IPs, tenant-wide surge
// damping, incidents with a per-incident cap and a global alert-rate cap.
// docs/detector.md has the model and formulas.
//
// Ordering contract: ONE thread feeds every event, in input order (the agent
// reorders by input sequence number). Given the same config and the same
// event sequence, every Decision, record and snapshot byte is identical: no
// clocks, no randomness, time comes only from the events.
//
// Out-of-band records (incident summaries, rate-cap notices) are appended to
// the `records` vector passed in; a record produced while observing event i
// belongs right after event i's output line (ObserveBatch sets
// DetectorRecord::event_index to i). Flush() at end of input emits what is
// still pending (not needed before a checkpoint: pending state is saved).
// Thread safety: none; one owner thread. const methods may be called from
// that thread only (or while it is stopped, e.g. to snapshot).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pipeline/detect/decision.h"
#include "pipeline/detect/detector_config.h"
#include "pipeline/detect/detector_event.h"

namespace exfilter {

struct DetectorStats {
  uint64_t events = 0;            // Observe() calls
  uint64_t watched = 0;           // primary upload/create/copy events counted
  uint64_t signins = 0;           // sign-in success / failure / risky events
  uint64_t non_primary = 0;       // ignored by baselines
  uint64_t late = 0;              // older than the allowed lateness
  uint64_t suppressed = 0;        // matched a suppression rule
  uint64_t anomalous = 0;         // events inside incidents
  uint64_t forwarded = 0;         // Decision::forward == true
  uint64_t held_incident_cap = 0;  // anomalous, held back by the per-incident cap
  uint64_t held_rate_cap = 0;     // anomalous, held back by max_forwarded_per_minute
  uint64_t incidents_opened = 0;
  uint64_t incidents_untracked = 0;  // max_incidents reached
  uint64_t users_evicted = 0;     // max_users reached: stalest nearby user forgotten
  uint64_t risk_raised = 0;       // identity-risk activations
  std::vector<uint64_t> suppressed_by_rule;  // index = DetectorConfig::suppress index
};

// What tests and `exfilter inspect` may read about one user.
struct UserSnapshot {
  // EWMA moments (not bias-corrected) of the count per window: mean and the
  // seasonally scaled second moment (docs/detector.md).
  double short_mean = 0, short_m2 = 0;
  double long_mean = 0, long_m2 = 0;
  int64_t first_seen_ms = 0;
  int64_t short_head_ms = 0;              // start of the newest short window seen
  uint32_t short_count = 0;               // count in the newest short window
  uint32_t long_count = 0;                // count in the newest long window
  int64_t risk_until_ms = 0;
  uint32_t risk_reasons = 0;
  // Seasonal factor per slot (6-hour bins of the UTC day, weekdays 0-3 then
  // weekends 4-7): expected count = mean * factor.
  double slot_factor[8] = {};
};

class DetectorImpl;

class Detector {
 public:
  // Validates the config (ValidateDetectorConfig) and allocates the bounded
  // structures (count-min sketches; the user table grows up to max_users).
  static absl::StatusOr<std::unique_ptr<Detector>> Create(const DetectorConfig& config);
  ~Detector();
  Detector(const Detector&) = delete;
  Detector& operator=(const Detector&) = delete;

  // Scores one event and updates the state. Never fails; bad fields (no
  // user, time 0) give a default Decision and are counted.
  Decision Observe(const DetectorEvent& event, std::vector<DetectorRecord>* records);
  // Same as calling Observe on each event in order (decisions[i] for
  // events[i]), with memory prefetching ahead. `decisions` holds events.size().
  void ObserveBatch(std::span<const DetectorEvent> events, Decision* decisions,
                    std::vector<DetectorRecord>* records);
  // End of input: closes every incident, emitting its pending summary.
  void Flush(std::vector<DetectorRecord>* records);

  // New thresholds, caps and rules (SIGHUP) keep the learned state. Window
  // lengths, lateness and sketch sizes must not change (error otherwise).
  absl::Status Reconfigure(const DetectorConfig& config);

  const DetectorConfig& config() const;
  const DetectorStats& stats() const;
  size_t tracked_users() const;
  size_t MemoryBytes() const;  // bytes held by tables and sketches
  std::optional<UserSnapshot> InspectUser(uint64_t user_key) const;

  // Whole state to/from bytes (uncompressed; checkpoint.h adds the file
  // format). Restore() on bad bytes returns an error and leaves the detector
  // fresh (as after Create), never half-loaded.
  std::string Serialize() const;
  absl::Status Restore(std::string_view bytes);

 private:
  explicit Detector(std::unique_ptr<DetectorImpl> impl);
  std::unique_ptr<DetectorImpl> impl_;
};

}  // namespace exfilter
