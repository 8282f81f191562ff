#!/usr/bin/env bash
# Installs what is needed, builds exfilter with warnings as errors and runs the
# whole test suite: unit and integration tests, then again under
# AddressSanitizer + UndefinedBehaviorSanitizer, the pipeline tests under
# ThreadSanitizer, and the parser fuzz target for a bounded time.
# Usage: scripts/test.sh [--quick]   (--quick: the plain build and tests only)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)
fuzz_seconds=${EXFILTER_FUZZ_SECONDS:-60}

step() { printf '\n==== %s ====\n' "$*"; }

"$root/scripts/install-deps.sh"

configure() {  # configure DIR [cmake args...]
  local dir=$1; shift
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEXFILTER_WERROR=ON "$@" >/dev/null
}
# Sanitizer builds: -O1 with line tables only, to keep CI well under 20 minutes on 2 cores.
sanitized=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-g1 -O1" -DEXFILTER_BENCH=OFF)

step "build (RelWithDebInfo, -Werror)"
configure build/release
cmake --build build/release -j "$jobs"
step "tests"
ctest --test-dir build/release -j "$jobs" --output-on-failure --timeout 600

[ "${1:-}" = "--quick" ] && exit 0

step "build and tests under AddressSanitizer + UndefinedBehaviorSanitizer"
configure build/asan -DEXFILTER_SANITIZE=address,undefined "${sanitized[@]}"
cmake --build build/asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan -j "$jobs" --output-on-failure --timeout 900

step "pipeline tests under ThreadSanitizer"
configure build/tsan -DEXFILTER_SANITIZE=thread "${sanitized[@]}"
cmake --build build/tsan -j "$jobs" --target pipeline_test exfilter
export TSAN_OPTIONS="suppressions=$root/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1"
ctest --test-dir build/tsan -j "$jobs" --output-on-failure --timeout 900 \
  -R '^agent\.(pipe_mode|thread_determinism|blocked_output|sighup_reload|follow_rotation|metrics|drop_mode|source_silent)$|^(Pipeline|Tailer|FileSink|TcpSink|ZstdInput|SilenceWatch)\.'
unset TSAN_OPTIONS

step "parser fuzzing for ${fuzz_seconds}s (libFuzzer, ASan+UBSan)"
CXX=clang++-14 configure build/fuzz -DEXFILTER_FUZZ=ON "${sanitized[@]}"
cmake --build build/fuzz -j "$jobs" --target chunk_parser_fuzz
tests/fuzz/run_fuzz.sh build/fuzz "$fuzz_seconds" "$root/../shared/corpus" 2>&1 | tail -n 12
echo "fuzzing: no crash in ${fuzz_seconds}s"
