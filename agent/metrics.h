// MetricsExporter: the optional Prometheus endpoint (prometheus-cpp) of the
// agent. GET /metrics serves the same numbers as the stats lines on stderr
// (events, bytes, parse errors by kind, forwarded, suppressed by rule, late,
// dropped, lag, budget fill, ...) plus exfilter_up and the wall time of the
// last progress; GET /healthz serves exfilter_up and that timestamp alone.
// The pipeline never touches it: Update() copies PipelineCounters (relaxed
// atomics) into the registry, called from the agent's control thread at the
// stats interval, so the record path pays nothing.
// Thread safety: Start and Update from one thread; prometheus-cpp's own
// threads serve HTTP requests (its registry is internally locked).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pipeline/counters.h"

namespace exfilter {

// Gauges the counters do not hold, sampled by the caller.
struct MetricsSample {
  double budget_fill = 0;  // chunks in use / chunk pool (0..1)
  double output_fill = 0;  // output blocks in use / output blocks (0..1)
};

class MetricsExporter {
 public:
  // Listens on `listen` ("127.0.0.1:9464"; port 0 picks a free port).
  // Per-rule counters are labelled with the rule names of
  // PipelineCounters::rule_slots, as rules appear (also after a reload).
  // Fails (never throws) when the address is malformed or cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsExporter>> Start(const std::string& listen);
  ~MetricsExporter();

  // The port actually bound (useful with port 0).
  int port() const;
  // Copies the counters into the registry; `now` is the wall time.
  void Update(const PipelineCounters& counters, const MetricsSample& sample, absl::Time now);

 private:
  struct Impl;
  explicit MetricsExporter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Checks "HOST:PORT" (HOST an IPv4 address or a name, PORT 0..65535).
bool ValidMetricsAddress(const std::string& listen);

}  // namespace exfilter
