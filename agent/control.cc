#include "agent/control.h"

#include <pthread.h>

#include <cstdio>

#include "absl/strings/str_cat.h"

namespace exfilter {
namespace {

void Warn(const std::string& msg) { std::fprintf(stderr, "exfilter: %s\n", msg.c_str()); }

// Metrics are refreshed at the stats interval, or every second without one.
absl::Duration MetricsInterval(const AgentConfig& c) {
  return c.stats_interval > absl::ZeroDuration() ? c.stats_interval : absl::Seconds(1);
}

}  // namespace

void ControlThread::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ControlThread::Stop() {
  if (!thread_.joinable()) return;
  done_.store(true);
  pthread_kill(thread_.native_handle(), kControlWakeSignal);
  thread_.join();
}

void ControlThread::Reload() {
  AgentConfig fresh;
  absl::Status st = ctx_.config_file.empty() ? absl::FailedPreconditionError("no --config file to reload")
                                             : LoadConfigFile(ctx_.config_file, &fresh);
  absl::StatusOr<std::unique_ptr<EventBuilder>> b =
      st.ok() ? EventBuilder::Create(fresh.detector) : absl::StatusOr<std::unique_ptr<EventBuilder>>(st);
  if (!b.ok()) {
    Warn(absl::StrCat("config reload refused, keeping the running config: ", b.status().message()));
    return;
  }
  ctx_.builders->Set(std::shared_ptr<const EventBuilder>(std::move(*b)));
  ctx_.stage->RequestReload(fresh.detector);
}

void ControlThread::Run() {
  const AgentConfig& cfg = *ctx_.config;
  PipelineCounters& counters = *ctx_.counters;
  const absl::Time start = absl::Now();
  absl::Time last = start, next_stats = start + cfg.stats_interval, next_metrics = start;
  uint64_t prev_bytes = 0, prev_events = 0;
  const timespec wait{0, 100 * 1000 * 1000};
  auto refresh_metrics = [&](absl::Time now) {
    MetricsSample sample;
    sample.budget_fill = ctx_.pipeline->BudgetFill();
    sample.output_fill = ctx_.pipeline->OutputFill();
    ctx_.metrics->Update(counters, sample, now);
    next_metrics = now + MetricsInterval(cfg);
  };
  while (!done_.load()) {
    int s = sigtimedwait(&ctx_.signals, nullptr, &wait);
    if (s == SIGTERM || s == SIGINT) ctx_.stop->store(true);
    if (s == SIGHUP) Reload();
    absl::Time now = absl::Now();
    if (cfg.stats_interval > absl::ZeroDuration() && now >= next_stats) {
      Warn(counters.StatsLine(absl::ToDoubleSeconds(now - last), prev_bytes, prev_events, absl::ToUnixMillis(now))
               .substr(10));
      prev_bytes = counters.bytes_read.load();
      prev_events = counters.events.load();
      last = now;
      next_stats = now + cfg.stats_interval;
    }
    if (ctx_.metrics != nullptr && now >= next_metrics) refresh_metrics(now);
  }
  if (ctx_.metrics != nullptr) refresh_metrics(absl::Now());
}

}  // namespace exfilter
