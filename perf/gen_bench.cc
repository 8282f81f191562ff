// Generator throughput: MB/s of rendered audit JSON (issue 5 target: at least
// 300 MB/s on one core, so the generator never bottlenecks a benchmark).
#include <benchmark/benchmark.h>

#include "perf/gen/generator.h"

namespace exfilter::gen {
namespace {

class CountingSink : public StreamSink {
 public:
  absl::Status Write(int, std::string_view lines) override {
    bytes += lines.size();
    benchmark::DoNotOptimize(lines.data());
    return absl::OkStatus();
  }
  uint64_t bytes = 0;
};

void BM_Generate(benchmark::State& state) {
  GenOptions options;
  options.users = static_cast<int>(state.range(0));
  options.days = 3;
  options.learning_days = 1;
  uint64_t bytes = 0, events = 0;
  for (auto _ : state) {
    Generator gen(options);
    CountingSink sink;
    if (!gen.Run(sink, /*split=*/false).ok()) state.SkipWithError("generation failed");
    bytes += sink.bytes;
    events += gen.stats().events;
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["bytes/event"] = events ? static_cast<double>(bytes) / events : 0;
}
BENCHMARK(BM_Generate)->Arg(3000)->Arg(30000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace exfilter::gen

BENCHMARK_MAIN();
