// Evaluation of exfilter's detector on a labelled generated scenario (issue
// 5): runs the SequentialRunner over the stream, scores it with Scorer, and
// formats the result as text and JSON. Two entry points: a scenario generated
// in memory (no disk), and a directory written by `exfilter gen`.
// Thread safety: none; each call is independent.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "perf/eval/scorer.h"
#include "perf/gen/gen_types.h"

namespace exfilter {

struct EvalSettings {
  std::string config_path;       // detector config; empty: the scenario's own
  bool with_context = true;      // false: drop the [[suppress]]/[[maintenance]] rules
  uint32_t static_threshold = 50;
  EvalObserver* extra = nullptr;  // also sees every decision (the demo's printer)
};

struct EvalReport {
  int users = 0, days = 0, learning_days = 0;
  uint64_t seed = 0;
  int64_t eval_start_ms = 0;  // end of the learning period
  uint64_t events = 0, bytes = 0, parse_errors = 0;
  double seconds = 0;  // parse + build + detect, wall time
  double events_per_s = 0;
  uint32_t static_threshold = 0;
  bool with_context = true;
  std::vector<EvalLabel> labels;
  std::shared_ptr<const LabelSet> label_set;  // the same, with the native-id index
  MethodResult detector, static_rule;
  DetectorStats detector_stats;
};

absl::StatusOr<EvalReport> EvaluateGenerated(const gen::GenOptions& options, const EvalSettings& settings);
// dir holds scenario.json, labels.jsonl, exfilter.toml, identities.csv and
// the mixed stream audit.ndjson[.zst].
absl::StatusOr<EvalReport> EvaluateDirectory(const std::string& dir, const EvalSettings& settings);

// Human-readable summary; per_incident adds one line per labelled incident.
std::string FormatReport(const EvalReport& report, bool per_incident);
std::string ReportJson(const EvalReport& report);

// The goals of issue 5, checked on a report: recall >= 0.95 with every
// malicious kind caught, <= 1 FP alert group per 1,000 users per day, no
// benign incident alerted (when the context is configured), <= 0.5% of events
// forwarded, median time to detect bursts <= 10 minutes. Returns one line per
// missed goal; empty when all are met.
std::vector<std::string> GoalFailures(const EvalReport& report);

// Reads [detector]/[[suppress]]/[[maintenance]] from TOML text.
absl::StatusOr<DetectorConfig> DetectorConfigFromToml(std::string_view text, std::string_view name);

}  // namespace exfilter
