// The agent's control thread: takes SIGTERM/SIGINT (stop), SIGHUP (reload
// the config file into the parse context and the detector), prints the
// periodic stats line and refreshes the Prometheus endpoint. It only reads
// the pipeline's relaxed counters, so the record path never waits for it.
// Thread safety: Start once from the main thread, after blocking the signals
// in `signals` (which must include kControlWakeSignal) in every thread; Stop
// from the same thread.
#pragma once

#include <signal.h>

#include <atomic>
#include <string>
#include <thread>

#include "agent/config.h"
#include "agent/detect_stage.h"
#include "agent/metrics.h"
#include "pipeline/counters.h"
#include "pipeline/pipeline.h"

namespace exfilter {

// Sent by Stop to the control thread so that it leaves its 100 ms signal wait
// at once: the agent's exit does not wait for the next tick.
inline constexpr int kControlWakeSignal = SIGUSR2;

struct ControlContext {
  const AgentConfig* config = nullptr;
  std::string config_file;            // re-read on SIGHUP (empty: nothing to reload)
  sigset_t signals;                   // taken with sigtimedwait
  PipelineCounters* counters = nullptr;
  const Pipeline* pipeline = nullptr;  // budget fill for the metrics
  DetectStage* stage = nullptr;
  ContextHolder* builders = nullptr;
  MetricsExporter* metrics = nullptr;  // may be null
  std::atomic<bool>* stop = nullptr;   // set on SIGTERM/SIGINT
};

class ControlThread {
 public:
  explicit ControlThread(const ControlContext& context) : ctx_(context) {}
  ~ControlThread() { Stop(); }
  void Start();
  void Stop();  // joins; refreshes the metrics one last time

 private:
  void Run();
  void Reload();

  ControlContext ctx_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace exfilter
