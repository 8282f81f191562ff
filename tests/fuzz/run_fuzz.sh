#!/usr/bin/env bash
# Builds a seed corpus from the shared sample corpus (each NDJSON line, each
# whole page, and a few chunked mixes, behind the two option bytes the target
# reads first) and runs chunk_parser_fuzz for a bounded time.
# Usage: tests/fuzz/run_fuzz.sh BUILD_DIR [SECONDS] [CORPUS_DIR]
set -euo pipefail
build=${1:?usage: run_fuzz.sh BUILD_DIR [SECONDS] [CORPUS_DIR]}
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
corpus=${3:-$here/../../../shared/corpus}
seeds=$build/fuzz_seeds
work=$build/fuzz_work
mkdir -p "$seeds" "$work"
n=0
emit() {  # emit OPTION_BYTES_HEX < content
  n=$((n + 1))
  { printf "$1"; cat; } > "$seeds/seed_$n"
}
for f in "$corpus"/*.ndjson; do
  while IFS= read -r line; do printf '%s\n' "$line" | emit '\x11\x00'; done < "$f"
  head -c 4000 "$f" | emit '\x05\x01'
done
for f in "$corpus"/pages/*.json "$here/../parsers/data/"*.ndjson; do
  emit '\x3f\x40' < "$f"
done
echo "seeds: $n in $seeds"
exec "$build/tests/fuzz/chunk_parser_fuzz" -max_total_time="$seconds" -max_len=16384 \
  -timeout=10 -rss_limit_mb=2048 "$work" "$seeds"
