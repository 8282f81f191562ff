#include "perf/gen/generator.h"

#include <algorithm>
#include <cstdio>

#include "perf/gen/json_out.h"
#include "perf/gen/org.h"
#include "perf/gen/random.h"
#include "perf/gen/render.h"

namespace exfilter::gen {
namespace {

constexpr size_t kFlushBytes = 1 << 20;
constexpr double kMeanPage = 10;

}  // namespace

struct Generator::Impl {
  Impl(const GenOptions& o, const Organization& org, const std::vector<Incident>& inc)
      : renderer(o, org, inc) {}
  Renderer renderer;
  OutBuffer out[kNumServices];  // [0] mixed stream, [service] when split
  std::vector<uint8_t> consumed;
  std::vector<GenEvent> pending;
};

Generator::Generator(const GenOptions& options)
    : options_(options),
      org_(BuildOrganization(options_)),
      incidents_(PlanIncidents(org_, options_)),
      impl_(std::make_unique<Impl>(options_, org_, incidents_)) {
  labels_.resize(incidents_.size());
  cursors_.resize(incidents_.size());
  for (size_t i = 0; i < incidents_.size(); ++i) {
    const Incident& inc = incidents_[i];
    IncidentLabel& l = labels_[i];
    char id[32];
    std::snprintf(id, sizeof(id), "inc-%04zu", i + 1);
    l.id = id;
    l.kind = inc.kind;
    l.user = org_.users[inc.user].email;
    l.service = inc.service;
    l.start_ms = inc.start_ms;
    l.end_ms = inc.end_ms;
    cursors_[i].assign(inc.bursts.size(), 0);
  }
}

Generator::~Generator() = default;

void Generator::Incidents(int64_t t0, int64_t t1, std::vector<GenEvent>& out) {
  // Incidents are sorted by start; sign-ins may precede the start by < 1 h.
  while (next_incident_ < incidents_.size() && incidents_[next_incident_].start_ms - kHourMs < t1) {
    active_.push_back(next_incident_++);
  }
  std::erase_if(active_, [&](size_t i) { return incidents_[i].end_ms < t0; });
  for (size_t i : active_) {
    const Incident& inc = incidents_[i];
    for (size_t b = 0; b < inc.bursts.size(); ++b) {
      const Burst& burst = inc.bursts[b];
      int32_t& k = cursors_[i][b];
      for (; k < burst.count; ++k) {
        Rng r(Derive(options_.seed, 0x1ce, i * 4096 + b, static_cast<uint64_t>(k)));
        int64_t t = burst.start_ms + static_cast<int64_t>(
                                         (k + r.Uniform()) * static_cast<double>(burst.duration_ms) / burst.count);
        if (t >= t1) break;
        GenEvent ev = Make(burst.user, burst.service, burst.op, std::max(t, t0), r.Next());
        ev.incident = static_cast<int32_t>(i);
        ev.new_ip = burst.new_ip;
        ev.new_destination = burst.new_destination;
        ev.via_app = burst.via_app;
        ev.context = burst.context;
        out.push_back(ev);
      }
    }
  }
}

absl::Status Generator::Emit(std::vector<GenEvent>& ready, size_t n, StreamSink& sink, bool split) {
  std::vector<uint8_t>& consumed = impl_->consumed;
  consumed.assign(n, 0);
  const Renderer& r = impl_->renderer;
  auto one = [&](const GenEvent& ev, OutBuffer& out) {
    Renderer::IdSpan id = r.Render(ev, out);
    ++stats_.events;
    ++stats_.by_service[static_cast<int>(ev.service)];
    if (ev.op <= Op::kCopy) ++stats_.writes;
    if (ev.incident >= 0) {
      IncidentLabel& l = labels_[ev.incident];
      (ev.context ? l.context_ids : l.event_ids).emplace_back(out.view().substr(id.offset, id.length));
    }
  };
  for (size_t i = 0; i < n; ++i) {
    if (consumed[i]) continue;
    const GenEvent& ev = ready[i];
    int stream = split ? static_cast<int>(ev.service) : 0;
    OutBuffer& out = impl_->out[stream];
    size_t before = out.size();
    Rng page_rng(ev.rnd ^ 0x9a6e);
    if (page_rng.Chance(options_.page_share / kMeanPage)) {
      // An API page: this event and the next ready ones of the same service.
      int64_t want = page_rng.Range(2, 2 * static_cast<int64_t>(kMeanPage) - 2);
      r.PageOpen(ev.service, ev.rnd, out);
      size_t count = 0;
      for (size_t j = i; j < n && static_cast<int64_t>(count) < want; ++j) {
        if (consumed[j] || ready[j].service != ev.service) continue;
        if (count++) out.Char(',');
        one(ready[j], out);
        consumed[j] = 1;
      }
      r.PageClose(ev.service, ev.rnd, count, out);
      ++stats_.pages;
    } else {
      one(ev, out);
    }
    out.Char('\n');
    stats_.bytes += out.size() - before;
    if (out.size() >= kFlushBytes) {
      if (absl::Status s = sink.Write(stream, out.view()); !s.ok()) return s;
      out.clear();
    }
  }
  return absl::OkStatus();
}

absl::Status Generator::Run(StreamSink& sink, bool split) {
  std::vector<GenEvent>& pending = impl_->pending;
  auto order = [](const GenEvent& a, const GenEvent& b) {
    return a.arrival_ms != b.arrival_ms ? a.arrival_ms < b.arrival_ms : a.rnd < b.rnd;
  };
  const int64_t hours = static_cast<int64_t>(options_.days) * 24;
  for (int64_t h = 0; h < hours; ++h) {
    int64_t t0 = options_.start_ms + h * kHourMs, t1 = t0 + kHourMs;
    Background(h, pending);
    Incidents(t0, t1, pending);
    std::sort(pending.begin(), pending.end(), order);
    // Later hours only add events arriving at or after t1.
    size_t n = std::partition_point(pending.begin(), pending.end(),
                                    [&](const GenEvent& e) { return e.arrival_ms < t1; }) -
               pending.begin();
    if (h + 1 == hours) n = pending.size();
    if (absl::Status s = Emit(pending, n, sink, split); !s.ok()) return s;
    pending.erase(pending.begin(), pending.begin() + n);
    if (options_.max_bytes && stats_.bytes >= options_.max_bytes) break;
  }
  for (int s = 0; s < kNumServices; ++s) {
    OutBuffer& out = impl_->out[s];
    if (out.size() == 0) continue;
    if (absl::Status st = sink.Write(s, out.view()); !st.ok()) return st;
    out.clear();
  }
  return absl::OkStatus();
}

}  // namespace exfilter::gen
