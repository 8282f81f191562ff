#!/usr/bin/env bash
# End-to-end throughput of exfilter against the tools a user would otherwise
# pipe audit logs through, on one generated file of mixed audit events:
#   cat (the I/O floor), jq select (on a slice, extrapolated), simdjson DOM
#   parse_many (parse-only reference, perf/parse_bench), exfilter -t 1 and -t 2.
# Prints MB/s, events/s, peak RSS and ratios. Targets on the 2-core machine:
# exfilter -t 2 >= 1.2 GB/s, >= 1.7x -t 1, >= 35x jq, peak RSS < 200 MB.
#
# Usage: perf/e2e.sh [BUILD_DIR] [SIZE|FILE]   (defaults: /work/build-agent, 1G)
#   SIZE generates a file with `exfilter gen --size SIZE` (seed 1) under $E2E_DIR
#   (default /tmp/exfilter-e2e); FILE uses an existing NDJSON file.
#   REPEAT=N (default 5): jq's and exfilter's runs are repeated N times, in
#   rounds (jq, -t 1, -t 2, pipe, mmap), and the medians are printed (this VM's
#   timings vary by +-20%; jq alone ran at 44-71 MB/s in three single runs).
#   The pipe row is `cat FILE | exfilter -t 2` (stdin, the pipe-filter use);
#   the mmap row is `exfilter -t 2 --mmap FILE` (the file mapped, not read()).
set -euo pipefail
BUILD=${1:-/work/build-agent}
WHAT=${2:-1G}
BIN=$BUILD/agent/exfilter
DIR=${E2E_DIR:-/tmp/exfilter-e2e}
JQ_SLICE=$((100 * 1000 * 1000))
mkdir -p "$DIR"
[ -x "$BIN" ] || { echo "e2e: build exfilter first (ninja -C $BUILD exfilter)" >&2; exit 2; }

if [ -f "$WHAT" ]; then
  INPUT=$WHAT
else
  INPUT=$DIR/e2e-$WHAT.ndjson
  if [ ! -s "$INPUT" ]; then
    echo "e2e: generating $WHAT of mixed audit events into $INPUT" >&2
    "$BIN" gen --size "$WHAT" --seed 1 -o - > "$INPUT"
  fi
fi
BYTES=$(stat -c %s "$INPUT")
cat "$INPUT" > /dev/null  # page cache warm: every run reads from memory

# run NAME CMD...: wall seconds and peak RSS (KB) of CMD into $SECS/$RSS.
run() {
  # jq exits 5 after complaining about API-page lines (arrays); it still reads everything.
  /usr/bin/time -o "$DIR/time.txt" -f "%e %M %U %S" "$@" > /dev/null 2> "$DIR/stderr.txt" || true
  read -r SECS RSS USR SYS < <(tail -1 "$DIR/time.txt")
  CPU=$(awk -v u="$USR" -v s="$SYS" 'BEGIN { printf "%.2f", u + s }')
}
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / s / 1e6 }'; }

echo "e2e: load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
run cat "$INPUT"
CAT_S=$SECS; CAT_RSS=$RSS; CAT_CPU=$CPU

head -c $JQ_SLICE "$INPUT" > "$DIR/slice.ndjson"
SLICE_BYTES=$(stat -c %s "$DIR/slice.ndjson")

DOM_MBPS=n/a
if [ -x "$BUILD/perf/parse_bench" ]; then
  head -c $((300 * 1000 * 1000)) "$INPUT" > "$DIR/dom.ndjson"
  DOM_MBPS=$(EXFILTER_PARSE_BENCH_INPUT="$DIR/dom.ndjson" "$BUILD/perf/parse_bench" \
    --benchmark_filter=BM_DomParseMany --benchmark_format=json 2> /dev/null |
    jq '.benchmarks[0].bytes_per_second / 1e6 | floor')
fi

# Median of the REPEAT runs' seconds and cpu seconds; the largest RSS.
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
REPEAT=${REPEAT:-5}
declare -A SECS_OF CPU_OF RSS_OF
for _ in $(seq "$REPEAT"); do
  for t in jq 1 2 pipe mmap; do
    case $t in
      jq) run jq -c 'select(.Operation=="FileUploaded")' "$DIR/slice.ndjson" ;;
      pipe) run sh -c "cat '$INPUT' | '$BIN' -t 2" ;;
      mmap) run "$BIN" -t 2 --mmap "$INPUT" ;;
      *) run "$BIN" -t $t "$INPUT" ;;
    esac
    SECS_OF[$t]+=" $SECS"; CPU_OF[$t]+=" $CPU"
    [ "$RSS" -gt "${RSS_OF[$t]:-0}" ] && RSS_OF[$t]=$RSS
    if [ $t == 1 ]; then
      EVENTS=$(grep -o 'events=[0-9]*' "$DIR/stderr.txt" | head -1 | cut -d= -f2)
      FORWARDED=$(grep -o 'forwarded=[0-9]*' "$DIR/stderr.txt" | head -1 | cut -d= -f2)
    fi
  done
done
echo "e2e: jq seconds per run on the slice:${SECS_OF[jq]}" >&2
echo "e2e: exfilter seconds per run: -t 1:${SECS_OF[1]}; -t 2:${SECS_OF[2]}; pipe:${SECS_OF[pipe]}; mmap:${SECS_OF[mmap]}" >&2
T1_S=$(median <<< "${SECS_OF[1]}"); T1_CPU=$(median <<< "${CPU_OF[1]}"); T1_RSS=${RSS_OF[1]}
T2_S=$(median <<< "${SECS_OF[2]}"); T2_CPU=$(median <<< "${CPU_OF[2]}"); T2_RSS=${RSS_OF[2]}
P_S=$(median <<< "${SECS_OF[pipe]}"); P_CPU=$(median <<< "${CPU_OF[pipe]}"); P_RSS=${RSS_OF[pipe]}
M_S=$(median <<< "${SECS_OF[mmap]}"); M_CPU=$(median <<< "${CPU_OF[mmap]}"); M_RSS=${RSS_OF[mmap]}
JQ_S=$(awk -v s="$(median <<< "${SECS_OF[jq]}")" -v b="$BYTES" -v sb="$SLICE_BYTES" 'BEGIN { printf "%.2f", s * b / sb }')
JQ_CPU=$(awk -v c="$(median <<< "${CPU_OF[jq]}")" -v b="$BYTES" -v sb="$SLICE_BYTES" 'BEGIN { printf "%.2f", c * b / sb }')
JQ_RSS=${RSS_OF[jq]}

printf 'input: %s, %d bytes, %s events, %s forwarded (exfilter filter mode); jq and exfilter rows: median of %d rounds\n' \
  "$INPUT" "$BYTES" "$EVENTS" "$FORWARDED" "$REPEAT"
printf '%-28s %8s %10s %14s %10s %8s %12s\n' tool seconds MB/s events/s peak_RSS_MB cpu_s MB/cpu_s
row() { printf '%-28s %8s %10s %14s %10s %8s %12s\n' "$1" "$2" "$(mbps "$BYTES" "$2")" \
  "$(awk -v e="$EVENTS" -v s="$2" 'BEGIN { printf "%.0f", e / s }')" "$(( $3 / 1024 ))" "$4" "$(mbps "$BYTES" "$4")"; }
row "cat" "$CAT_S" "$CAT_RSS" "$CAT_CPU"
row "jq select (extrapolated)" "$JQ_S" "$JQ_RSS" "$JQ_CPU"
printf '%-28s %8s %10s %14s %10s %8s %12s\n' "simdjson DOM parse_many" "-" "$DOM_MBPS" - - - "$DOM_MBPS"
row "exfilter -t 1" "$T1_S" "$T1_RSS" "$T1_CPU"
row "exfilter -t 2" "$T2_S" "$T2_RSS" "$T2_CPU"
row "cat | exfilter -t 2 (pipe)" "$P_S" "$P_RSS" "$P_CPU"
row "exfilter -t 2 --mmap" "$M_S" "$M_RSS" "$M_CPU"
awk -v t1="$T1_S" -v t2="$T2_S" -v mm="$M_S" -v jq="$JQ_S" -v cat="$CAT_S" -v b="$BYTES" -v dom="$DOM_MBPS" 'BEGIN {
  printf "ratios: -t 2 / -t 1 = %.2fx; -t 2 / jq = %.1fx; -t 2 / cat = %.2f", t1 / t2, jq / t2, cat / t2
  if (dom != "n/a") printf "; -t 2 / DOM = %.2fx", (b / t2 / 1e6) / dom
  printf "; -t 2 read() / --mmap = %.2fx", mm / t2
  printf "\n" }'
