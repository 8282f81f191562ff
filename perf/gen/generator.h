// Generator: the seeded, streamed simulator of an organisation's SaaS audit
// activity (issue 5). It builds the organisation and the incident plan from
// the seed, then walks event time hour by hour, renders each event in its
// service's real JSON shape and hands whole lines to a StreamSink in delivery
// order (event time plus jitter; a share of Microsoft 365 arrives 30-90 min
// late). Labels (incident -> native event ids) are collected as it goes.
// Same options -> same bytes.
// Thread safety: none; one Generator per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "perf/gen/gen_types.h"

namespace exfilter::gen {

// Receives the stream in chunks of whole lines. stream is 0 for the mixed
// stream, or the Service number when the output is split by service.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual absl::Status Write(int stream, std::string_view lines) = 0;
};

struct IncidentLabel {
  std::string id;  // "inc-0007"
  IncidentKind kind = IncidentKind::kBurstStaging;
  std::string user;
  Service service = Service::kM365;
  int64_t start_ms = 0;  // planned start of its watched activity
  int64_t end_ms = 0;    // planned end
  std::vector<std::string> event_ids;    // watched events (upload/create/copy)
  std::vector<std::string> context_ids;  // sign-ins that set it up
};

struct GenStats {
  uint64_t events = 0;
  uint64_t bytes = 0;
  uint64_t pages = 0;
  uint64_t by_service[kNumServices] = {};
  uint64_t writes = 0;  // upload/create/copy events
};

class Generator {
 public:
  explicit Generator(const GenOptions& options);
  ~Generator();

  // Generates the whole scenario into sink. split: one stream per service
  // instead of one mixed stream. Stops early once options.max_bytes is reached.
  absl::Status Run(StreamSink& sink, bool split);

  const GenOptions& options() const { return options_; }
  const Organization& org() const { return org_; }
  const std::vector<Incident>& incidents() const { return incidents_; }
  const std::vector<IncidentLabel>& labels() const { return labels_; }
  const GenStats& stats() const { return stats_; }

 private:
  void Background(int64_t hour, std::vector<GenEvent>& out) const;
  void Incidents(int64_t t0, int64_t t1, std::vector<GenEvent>& out);
  absl::Status Emit(std::vector<GenEvent>& ready, size_t n, StreamSink& sink, bool split);
  GenEvent Make(uint32_t user, Service s, Op op, int64_t time_ms, uint64_t rnd) const;

  GenOptions options_;
  Organization org_;
  std::vector<Incident> incidents_;
  std::vector<IncidentLabel> labels_;
  std::vector<std::vector<int32_t>> cursors_;  // per incident, per burst: next event
  size_t next_incident_ = 0;                   // first incident not yet active
  std::vector<size_t> active_;                 // incidents overlapping the current hour
  GenStats stats_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace exfilter::gen
