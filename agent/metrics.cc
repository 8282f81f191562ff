#include "agent/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <thread>
#include <utility>

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace exfilter {

struct MetricsExporter::Impl {
  using Counter = prometheus::Counter;
  using Gauge = prometheus::Gauge;

  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::shared_ptr<prometheus::Registry> health = std::make_shared<prometheus::Registry>();
  std::unique_ptr<prometheus::Exposer> exposer;
  std::string host;  // as given in the listen address

  // The plain counters, each following one PipelineCounters field.
  std::vector<std::pair<Counter*, std::atomic<uint64_t> PipelineCounters::*>> plain;
  Counter* errors[kNumErrorKinds] = {};
  prometheus::Family<prometheus::Counter>* rules = nullptr;
  std::vector<Counter*> by_rule;  // by RuleSlots slot
  Gauge* lag = nullptr;
  Gauge* last_event = nullptr;
  Gauge* budget_fill = nullptr;
  Gauge* output_fill = nullptr;
  Gauge* up[2] = {};             // /metrics, /healthz
  Gauge* last_progress[2] = {};  // /metrics, /healthz
  uint64_t seen_bytes = 0, seen_events = 0;

  Counter* AddCounter(const std::string& name, const std::string& help) {
    return &prometheus::BuildCounter().Name(name).Help(help).Register(*registry).Add({});
  }
  Gauge* AddGauge(prometheus::Registry& r, const std::string& name, const std::string& help) {
    return &prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
  }
  void Build();
};

namespace {

struct CounterDef {
  const char* name;
  const char* help;
  std::atomic<uint64_t> PipelineCounters::*field;
};
using PC = PipelineCounters;
const CounterDef kCounters[] = {
    {"exfilter_events_total", "Input events parsed.", &PC::events},
    {"exfilter_input_bytes_total", "Input bytes read.", &PC::bytes_read},
    {"exfilter_forwarded_total", "Events forwarded as anomalous.", &PC::forwarded},
    {"exfilter_suppressed_total", "Events matched by a suppression or maintenance rule.", &PC::suppressed},
    {"exfilter_records_total", "Detector records written (incident summaries and others).", &PC::summaries},
    {"exfilter_late_events_total", "Events older than the allowed lateness.", &PC::late},
    {"exfilter_dropped_total", "Output lines dropped while the sink was blocked (--on-blocked drop).", &PC::dropped},
    {"exfilter_output_bytes_total", "Bytes the sink accepted.", &PC::output_bytes},
    {"exfilter_queue_full_total", "Times the reader waited for the memory budget (backpressure).", &PC::queue_full},
    {"exfilter_output_waits_total", "Times the ordered stage waited for the writer.", &PC::output_waits},
    {"exfilter_sink_retries_total", "Sink retries.", &PC::sink_retries},
    {"exfilter_dead_letters_total", "Lines written to the dead-letter file.", &PC::dead_letters},
    {"exfilter_checkpoints_total", "Checkpoints written.", &PC::checkpoints},
};

// Opens and closes a TCP connection to an IPv4 host:port (any address and
// names other than "localhost" mean loopback); errors are ignored.
void WakeListener(const std::string& host, int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1 || addr.sin_addr.s_addr == htonl(INADDR_ANY)) {
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  (void)connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  close(fd);
}

// Counters only grow: the registry follows the atomic by the difference.
void Follow(prometheus::Counter* c, uint64_t value) {
  const double delta = static_cast<double>(value) - c->Value();
  if (delta > 0) c->Increment(delta);
}

}  // namespace

void MetricsExporter::Impl::Build() {
  for (const CounterDef& d : kCounters) plain.emplace_back(AddCounter(d.name, d.help), d.field);
  auto& err = prometheus::BuildCounter()
                  .Name("exfilter_parse_errors_total")
                  .Help("Input lines that could not be parsed, by kind.")
                  .Register(*registry);
  for (int k = 0; k < kNumErrorKinds; ++k) errors[k] = &err.Add({{"kind", ErrorKindName(static_cast<ErrorKind>(k))}});
  rules = &prometheus::BuildCounter()
               .Name("exfilter_suppressed_by_rule_total")
               .Help("Events suppressed, by rule name (a reload that keeps a rule's name keeps its count).")
               .Register(*registry);
  lag = AddGauge(*registry, "exfilter_lag_seconds", "Wall time minus the newest event time seen.");
  last_event = AddGauge(*registry, "exfilter_last_event_timestamp_seconds", "Newest event time seen (Unix seconds).");
  budget_fill = AddGauge(*registry, "exfilter_budget_fill_ratio", "Share of the input memory budget in use.");
  output_fill = AddGauge(*registry, "exfilter_output_fill_ratio", "Share of the output blocks in use.");
  prometheus::Registry* both[2] = {registry.get(), health.get()};
  for (int i = 0; i < 2; ++i) {
    up[i] = AddGauge(*both[i], "exfilter_up", "1 while the agent runs.");
    last_progress[i] = AddGauge(*both[i], "exfilter_last_progress_timestamp_seconds",
                                "Wall time (Unix seconds) when input was last read or parsed.");
  }
}

bool ValidMetricsAddress(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  int port = -1;
  return absl::SimpleAtoi(listen.substr(colon + 1), &port) && port >= 0 && port <= 65535;
}

MetricsExporter::MetricsExporter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MetricsExporter::~MetricsExporter() {
  if (impl_ == nullptr || impl_->exposer == nullptr) return;
  // CivetWeb's listener polls with a 2 s timeout and stopping waits for it:
  // connections to the port wake it, so shutdown does not take 2 s.
  const int port = this->port();
  std::atomic<bool> stopped{false};
  std::thread waker([&] {
    while (!stopped.load()) {
      WakeListener(impl_->host, port);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  impl_->exposer.reset();
  stopped.store(true);
  waker.join();
}

absl::StatusOr<std::unique_ptr<MetricsExporter>> MetricsExporter::Start(const std::string& listen) {
  if (!ValidMetricsAddress(listen)) {
    return absl::InvalidArgumentError(absl::StrCat("metrics address '", listen, "' is not HOST:PORT"));
  }
  auto impl = std::make_unique<Impl>();
  impl->host = listen.substr(0, listen.rfind(':'));
  impl->Build();
  // prometheus-cpp (CivetWeb) reports a failed bind with an exception.
  try {
    impl->exposer = std::make_unique<prometheus::Exposer>(listen, 1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot listen for metrics on ", listen, ": ", e.what()));
  }
  impl->exposer->RegisterCollectable(impl->registry, "/metrics");
  impl->exposer->RegisterCollectable(impl->health, "/healthz");
  const double now = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
  for (int i = 0; i < 2; ++i) {
    impl->up[i]->Set(1);
    impl->last_progress[i]->Set(now);
  }
  return std::unique_ptr<MetricsExporter>(new MetricsExporter(std::move(impl)));
}

int MetricsExporter::port() const {
  std::vector<int> ports = impl_->exposer->GetListeningPorts();
  return ports.empty() ? -1 : ports.front();
}

void MetricsExporter::Update(const PipelineCounters& c, const MetricsSample& sample, absl::Time now) {
  Impl& m = *impl_;
  const uint64_t events = c.Get(c.events), bytes = c.Get(c.bytes_read);
  for (auto [counter, field] : m.plain) Follow(counter, c.Get(c.*field));
  for (int k = 0; k < kNumErrorKinds; ++k) Follow(m.errors[k], c.Get(c.errors[k]));
  const std::vector<std::string> rule_names = c.rule_slots.Names();
  for (size_t i = m.by_rule.size(); i < rule_names.size(); ++i) m.by_rule.push_back(&m.rules->Add({{"rule", rule_names[i]}}));
  for (size_t i = 0; i < m.by_rule.size(); ++i) Follow(m.by_rule[i], c.Get(c.suppressed_by_rule[i]));
  const int64_t last_ms = c.last_event_ms.load(std::memory_order_relaxed);
  const double now_s = absl::ToDoubleSeconds(now - absl::UnixEpoch());
  if (last_ms > 0) {
    m.last_event->Set(last_ms / 1000.0);
    m.lag->Set(now_s - last_ms / 1000.0);
  }
  m.budget_fill->Set(sample.budget_fill);
  m.output_fill->Set(sample.output_fill);
  if (events != m.seen_events || bytes != m.seen_bytes) {
    m.seen_events = events;
    m.seen_bytes = bytes;
    for (Impl::Gauge* g : m.last_progress) g->Set(now_s);
  }
}

}  // namespace exfilter
