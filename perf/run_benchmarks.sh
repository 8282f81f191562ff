#!/usr/bin/env bash
# Builds the Google Benchmark kernels in Release and runs them one after the
# other (parser vs simdjson DOM, detector scoring, generator), printing the
# figures that perf/RESULTS.md records. End-to-end runs: perf/e2e.sh.
# Usage: perf/run_benchmarks.sh [benchmark filter regex]
set -euo pipefail
cd "$(dirname "$0")/.."
filter=${1:-.}
scripts/install-deps.sh
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build/bench -j "$(nproc)" --target parse_bench detect_bench gen_bench
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for b in parse_bench detect_bench gen_bench; do
  echo "== $b"
  build/bench/perf/$b --benchmark_filter="$filter" --benchmark_repetitions=3 \
    --benchmark_report_aggregates_only=true
done
