// Scorer: matches every decision of a run to the labels and computes the
// evaluation figures of issue 5 for exfilter's detector and, on the same
// events, for a static threshold rule (more than N watched events per user
// per clock hour, the way most SIEM rules work).
// Alert groups, the same for both methods: a user's forwarded events chained
// while the gap between them (event time) stays under 2 hours, whatever
// incident ids the detector gave them. A group with no event of a malicious
// incident is a false-positive group; only groups that start after the
// learning period count toward the FP rate.
// Forwarded events are kept as (id hash, time, group) and matched to the
// labels at Finish(), so labels may be completed while the stream runs.
// Thread safety: none.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "perf/eval/labels.h"
#include "perf/eval/runner.h"

namespace exfilter {

struct EvalScope {
  int users = 0;              // organisation size (identities)
  int64_t eval_start_ms = 0;  // end of the learning period
  int64_t eval_end_ms = 0;    // end of the scenario
  uint32_t static_threshold = 50;  // the static rule's N per user-hour
};

struct IncidentResult {
  uint32_t forwarded = 0;
  bool detected = false;
  int64_t first_forward_ms = 0;  // event time of the first forwarded event
};

// What the detector forwarded in one alert group (for the FP listing).
struct GroupDetail {
  std::string user;
  std::string op;
  int64_t first_ms = 0;
  uint64_t forwarded = 0;
  uint32_t reasons = 0;   // union of Decision::reasons
  uint32_t observed = 0;  // of the first forwarded event
  float expected = 0;
  float score = 0, threshold = 0;
  uint8_t window = 0;     // WindowKind of the first forwarded event
  bool malicious = false;  // holds an event of a malicious incident
  int32_t label = -1;     // an incident it holds, if any
};

struct MethodResult {
  std::vector<IncidentResult> incidents;  // parallel to LabelSet::labels()
  uint64_t forwarded = 0;
  uint32_t malicious = 0, detected = 0;
  uint32_t kinds = 0, kinds_caught = 0;
  uint32_t benign = 0, benign_alerted = 0;
  uint64_t groups = 0;             // alert groups in the whole run
  uint64_t detector_incidents = 0;  // distinct Decision::incident_id values forwarded
  uint64_t fp_groups = 0;          // no malicious event, starting after learning
  uint64_t learning_fp_groups = 0;  // no malicious event, during learning
  double recall = 0;
  double fp_per_1k_user_day = 0;
  double forward_ratio = 0;
  double benign_forward_ratio = 0;  // forwarded events outside malicious incidents / all events
  double eval_forward_ratio = 0;    // the same ratio over events after the learning period
  double median_ttd_burst_s = -1;  // -1: none detected
  std::vector<GroupDetail> groups_detail;  // detector only, in order of first event
};

class Scorer : public EvalObserver {
 public:
  explicit Scorer(const EvalScope& scope) : scope_(scope) {}
  void OnDecision(const AuditEvent& ev, const Decision& decision) override;
  // Matches what was forwarded to the labels and computes the figures.
  void Finish(const LabelSet& labels, uint64_t events);

  const MethodResult& detector() const { return methods_[0]; }
  const MethodResult& static_rule() const { return methods_[1]; }
  const EvalScope& scope() const { return scope_; }

 private:
  struct Forward {
    uint64_t id_hash;
    uint64_t user_hash;
    int64_t time_ms;
    uint64_t incident_id;  // detector only
    uint32_t reasons;
    uint32_t observed;
    float expected, score, threshold;
    uint8_t window;
    uint32_t op;  // index into ops_
  };
  bool IsStaticAlert(const AuditEvent& ev, uint64_t user_hash);
  void Keep(int method, const AuditEvent& ev, uint64_t user_hash, const Decision* d);
  void Summarise(const LabelSet& labels, int method, uint64_t events);

  EvalScope scope_;
  MethodResult methods_[2];  // detector, static rule
  std::vector<Forward> forwards_[2];
  absl::flat_hash_map<uint64_t, uint32_t> hour_counts_;  // (user, hour) -> watched events
  uint64_t eval_events_ = 0;  // events after the learning period
  absl::flat_hash_map<uint64_t, std::string> user_names_;  // of forwarded events
  absl::flat_hash_map<std::string, uint32_t> op_index_;
  std::vector<std::string> ops_;
};

// Kinds whose time to detect is summarised as "bursts".
bool IsBurstKind(const std::string& kind);

}  // namespace exfilter
