#!/usr/bin/env bash
# Runs one case of the agent's binary tests: agent_test.sh CASE EXFILTER CORPUS_DIR
# Every case asserts concrete counts and bytes; `fail` prints why.
set -uo pipefail
CASE=$1
BIN=$(readlink -f "$2")
CORPUS=$(readlink -f "$3")
T=$(mktemp -d /tmp/exfilter-agent-test.XXXXXX)
trap 'kill -9 $(jobs -p) 2>/dev/null; rm -rf "$T"' EXIT
cd "$T"

fail() { echo "FAIL [$CASE]: $*" >&2; exit 1; }
expect_eq() { [ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"; }
# Waits (up to 30 s) until the shell condition $1 (evaluated each time) holds.
wait_for() {
  for _ in $(seq 1 300); do eval "$1" && return 0; sleep 0.1; done
  fail "timed out waiting for: $1"
}
lines() { if [ -f "$1" ]; then wc -l < "$1" | tr -d ' '; else echo 0; fi; }
# 19 + 32 + 19 events, one per line.
corpus() { cat "$CORPUS"/m365_files.ndjson "$CORPUS"/gws_drive.ndjson "$CORPUS"/box_events.ndjson; }
# n numbered M365 upload events, one per line.
events() {
  local from=$1 n=$2
  for i in $(seq "$from" $((from + n - 1))); do
    printf '{"CreationTime":"2026-11-30T10:%02d:%02d","Id":"ev-%d","Operation":"FileUploaded","OrganizationId":"org1","RecordType":6,"UserId":"user%d@corp.com","Workload":"OneDrive","ClientIP":"10.0.0.1","ObjectId":"https://corp/f%d.txt"}\n' \
      $(((i / 60) % 60)) $((i % 60)) "$i" $((i % 7)) "$i"
  done
}
stat_of() { grep -o "$1=[0-9]*" "$2" | tail -1 | cut -d= -f2; }

case "$CASE" in
pipe_mode)
  corpus > in.ndjson
  n_in=70
  "$BIN" --mode annotate < in.ndjson > out.ndjson 2> err.txt || fail "annotate exit $?"
  expect_eq "$(lines out.ndjson)" "$n_in" "annotate forwards every event"
  expect_eq "$(grep -c '"exfilter":{' out.ndjson)" "$n_in" "every line annotated"
  expect_eq "$(stat_of events err.txt)" "$n_in" "events counted on stderr"
  "$BIN" < in.ndjson > filtered.ndjson 2> err2.txt || fail "filter exit $?"
  expect_eq "$(lines filtered.ndjson)" "$(stat_of forwarded err2.txt)" "filter writes the forwarded events"
  # Files as arguments, in argument order, read to the end.
  "$BIN" --mode annotate -q "$CORPUS"/m365_files.ndjson "$CORPUS"/box_events.ndjson > two.ndjson || fail "files exit"
  expect_eq "$(head -1 two.ndjson | head -c 60)" "$(head -1 "$CORPUS"/m365_files.ndjson | head -c 60)" "first file first"
  expect_eq "$(lines two.ndjson)" 38 "both files read to their end"
  ;;
exit_codes)
  "$BIN" /no/such/file.json > /dev/null 2> e1.txt; expect_eq $? 2 "missing file"
  grep -q "/no/such/file.json" e1.txt || fail "message names the file: $(cat e1.txt)"
  "$BIN" 'nomatch-*.json' > /dev/null 2> e2.txt; expect_eq $? 2 "glob without match"
  grep -q "no file matches 'nomatch-\*.json'" e2.txt || fail "glob message: $(cat e2.txt)"
  "$BIN" --threads 0 < /dev/null 2> /dev/null; expect_eq $? 2 "bad flag value"
  "$BIN" --no-such-flag < /dev/null 2> /dev/null; expect_eq $? 2 "unknown flag"
  mkdir ro && chmod 500 ro
  if [ "$(id -u)" != 0 ]; then
    "$BIN" --state-dir ro/state < /dev/null 2> e3.txt; expect_eq $? 2 "unwritable state dir"
    grep -q "state directory" e3.txt || fail "state dir message: $(cat e3.txt)"
  fi
  touch plainfile
  "$BIN" --state-dir plainfile/state < /dev/null 2> e4.txt; expect_eq $? 2 "state dir under a file"
  grep -q "state directory" e4.txt || fail "state dir message: $(cat e4.txt)"
  "$BIN" -o file:/no/such/dir/out.json < /dev/null 2> e5.txt; expect_eq $? 2 "unwritable output"
  "$BIN" -o udp://x < /dev/null 2> e6.txt; expect_eq $? 2 "unknown output scheme"
  grep -q "tcp://HOST:PORT" e6.txt || fail "output message: $(cat e6.txt)"
  "$BIN" --version | grep -q '^exfilter [0-9]' || fail "--version"
  "$BIN" --help | grep -q -- '--state-dir' || fail "--help"
  printf '{"CreationTime":"2026-11-30T10:00:00","Operation":"FileUploaded","UserId":"a@b.c","Workload":"OneDrive","RecordType":6,"Id":"1"}\n' | "$BIN" -q > /dev/null
  expect_eq $? 0 "clean pipe run"
  ;;
config_errors)
  printf '[agent]\nthreads = 2\nmode = "annotate"\n' > good.toml
  "$BIN" -c good.toml --check-config 2> ok.txt; expect_eq $? 0 "good config"
  printf '[agent]\nthreads = 2\n\n# comment\nthredas = 3\n' > bad1.toml
  "$BIN" -c bad1.toml --check-config 2> e1.txt; expect_eq $? 2 "unknown key"
  grep -q "bad1.toml:5: unknown key 'thredas' in \[agent\]" e1.txt || fail "unknown key message: $(cat e1.txt)"
  printf '[agent]\nmode = "loud"\n' > bad2.toml
  "$BIN" -c bad2.toml --check-config 2> e2.txt; expect_eq $? 2 "bad value"
  grep -q 'bad2.toml:2: agent.mode must be one of "filter" "annotate"' e2.txt || fail "bad value message: $(cat e2.txt)"
  printf '[agnet]\nx = 1\n' > bad3.toml
  "$BIN" -c bad3.toml --check-config 2> e3.txt; expect_eq $? 2 "unknown table"
  grep -q "bad3.toml:1: unknown key 'agnet'" e3.txt || fail "unknown table message: $(cat e3.txt)"
  printf '[detector]\nsensitivty = 1e-6\n' > bad4.toml
  "$BIN" -c bad4.toml --check-config 2> e4.txt; expect_eq $? 2 "unknown detector key"
  grep -q "bad4.toml:2" e4.txt || fail "detector key message: $(cat e4.txt)"
  printf '[agent\nthreads = 2\n' > bad5.toml
  "$BIN" -c bad5.toml --check-config 2> e5.txt; expect_eq $? 2 "TOML syntax"
  grep -q "bad5.toml:1" e5.txt || fail "syntax message: $(cat e5.txt)"
  "$BIN" -c missing.toml --check-config 2> e6.txt; expect_eq $? 2 "missing config"
  grep -q "missing.toml" e6.txt || fail "missing config message: $(cat e6.txt)"
  printf '[agent]\non_blocked = "drop"\n[metrics]\nlisten = "localhost"\n' > bad7.toml
  "$BIN" -c bad7.toml --check-config 2> e7.txt; expect_eq $? 2 "bad metrics address"
  grep -q 'bad7.toml:4: metrics.listen must be HOST:PORT' e7.txt || fail "metrics message: $(cat e7.txt)"
  printf '[agent]\non_blocked = "spill"\n' > bad8.toml
  "$BIN" -c bad8.toml --check-config 2> e8.txt; expect_eq $? 2 "bad on_blocked"
  grep -q 'bad8.toml:2: agent.on_blocked must be one of "block" "drop"' e8.txt || fail "on_blocked message: $(cat e8.txt)"
  # Flags win over the file; the example config is valid.
  "$BIN" -c "$(dirname "$0")/../../packaging/exfilter.example.toml" --check-config 2> /dev/null
  expect_eq $? 0 "packaging/exfilter.example.toml is valid"
  ;;
thread_determinism)
  "$BIN" gen --users 50 --days 14 --seed 5 -o - > big.ndjson 2> /dev/null || fail "gen"
  [ "$(stat -c %s big.ndjson)" -gt 20000000 ] || fail "gen wrote too little"
  for t in 1 2 3; do
    "$BIN" -t $t --mode annotate -q big.ndjson > a$t.ndjson || fail "annotate t=$t"
    "$BIN" -t $t -q big.ndjson > f$t.ndjson || fail "filter t=$t"
  done
  cmp -s a1.ndjson a2.ndjson && cmp -s a1.ndjson a3.ndjson || fail "annotate output differs by thread count"
  cmp -s f1.ndjson f2.ndjson && cmp -s f1.ndjson f3.ndjson || fail "filter output differs by thread count"
  [ "$(lines f1.ndjson)" -gt 0 ] || fail "generated incidents produced no forwarded event"
  # Annotate scores every event, also watched ones below any floor (8 at risk, else 12) that
  # cannot fire and that filter mode does not score.
  grep -Eq '"anomalous":false,"score":([1-9]|0\.[0-9]*[1-9])[^}]*"observed":[1-7],' a1.ndjson ||
    fail "annotate left events below the floor unscored"
  # Pipe (short reads, other chunking) gives the same bytes as the file.
  cat big.ndjson | "$BIN" -t 2 --mode annotate -q > p2.ndjson
  cmp -s a1.ndjson p2.ndjson || fail "stdin output differs from file output"
  # A memory-mapped file (--mmap) gives the same bytes as read().
  for t in 1 2; do
    "$BIN" -t $t --mmap --mode annotate -q big.ndjson > m$t.ndjson || fail "--mmap t=$t"
    cmp -s a1.ndjson m$t.ndjson || fail "--mmap output differs from read() output (t=$t)"
  done
  ;;
partial_last_line)
  events 0 5 > in.ndjson
  events 5 1 | head -c -1 >> in.ndjson   # last line without its newline
  "$BIN" --mode annotate < in.ndjson > out.ndjson 2> err.txt
  expect_eq "$(lines out.ndjson)" 6 "last line without newline is read at end of input"
  grep -q '"Id":"ev-5"' out.ndjson || fail "ev-5 missing"
  expect_eq "$(stat_of errors err.txt)" 0 "no error"
  # The same file by name, read() and mapped (its last bytes copied for the padding).
  for io in "" --mmap; do
    "$BIN" --mode annotate $io in.ndjson > file.ndjson 2> /dev/null || fail "file $io"
    cmp -s out.ndjson file.ndjson || fail "file ${io:-read()} output differs from stdin"
  done
  ;;
over_long_line)
  events 0 3 > in.ndjson
  printf '{"CreationTime":"2026-11-30T10:00:00","Operation":"FileUploaded","UserId":"x@y.z","pad":"%s"}\n' \
    "$(head -c 3000000 /dev/zero | tr '\0' a)" >> in.ndjson
  events 3 4 >> in.ndjson
  "$BIN" --mode annotate --max-line-bytes 1048576 --state-dir st < in.ndjson > /dev/null 2>&1
  # Dead letter: the first 4 KiB of the long line and its true length, from stdin and from the file (read() and mapped).
  long_len=$(sed -n 4p in.ndjson | tr -d '\n' | wc -c)
  { sed -n 4p in.ndjson | head -c 4096; echo " [exfilter: too_long, $long_len bytes]"; } > dead-expected.txt
  "$BIN" -q --max-line-bytes 1048576 --dead-letter dead-stdin.txt < in.ndjson > /dev/null || fail "stdin run"
  cmp -s dead-stdin.txt dead-expected.txt || fail "dead letter (stdin): $(head -c 100 dead-stdin.txt) ... $(tail -c 60 dead-stdin.txt)"
  "$BIN" --max-line-bytes 1048576 --dead-letter dead-file.txt in.ndjson 2> err0.txt > /dev/null || fail "file run"
  cmp -s dead-file.txt dead-expected.txt || fail "dead letter (file): $(tail -c 60 dead-file.txt)"
  expect_eq "$(stat_of dead_letters err0.txt)" 1 "dead_letters counted"
  "$BIN" -q --mmap --max-line-bytes 1048576 --dead-letter dead-mmap.txt in.ndjson > /dev/null || fail "mapped file run"
  cmp -s dead-mmap.txt dead-expected.txt || fail "dead letter (mapped file): $(tail -c 60 dead-mmap.txt)"
  "$BIN" --mode annotate --max-line-bytes 1048576 --state-dir st in.ndjson > out.ndjson 2> err.txt
  expect_eq "$(lines out.ndjson)" 7 "every line around the long one is read"
  expect_eq "$(stat_of too_long err.txt)" 1 "the long line is counted"
  grep -q '"Id":"ev-6"' out.ndjson || fail "ev-6 missing"
  # Restart: the checkpoint offset is past the long line; only new lines are read.
  events 7 2 >> in.ndjson
  "$BIN" --mode annotate --max-line-bytes 1048576 --state-dir st in.ndjson > out2.ndjson 2> err2.txt
  expect_eq "$(lines out2.ndjson)" 2 "after restart only the appended lines"
  grep -q '"Id":"ev-7"' out2.ndjson && grep -q '"Id":"ev-8"' out2.ndjson || fail "appended lines missing"
  ;;
pretty_pages)
  # Pretty-printed API pages (the corpus pages, 1-86 lines each) between NDJSON
  # lines, with 16 KiB chunks: most chunk ends fall inside a page. Every event
  # of every page must come out, as `inspect` (one reader, no chunks) sees them.
  for i in $(seq 1 20); do
    events $((i * 100)) "$i"
    for f in "$CORPUS"/pages/*.json; do cat "$f"; echo; done
  done > in.ndjson
  printf '[agent]\nchunk_bytes = 16384\n' > small.toml
  want=$("$BIN" inspect in.ndjson | grep -vc '"error"')
  [ "$want" -gt 1000 ] || fail "inspect reads the input ($want events)"
  expect_eq "$("$BIN" inspect in.ndjson | grep -c '"error"')" 0 "inspect: no errors"
  "$BIN" -c small.toml --mode annotate < in.ndjson > out-stdin.ndjson 2> err1.txt || fail "stdin run"
  expect_eq "$(lines out-stdin.ndjson)" "$want" "stdin: every event of every page"
  expect_eq "$(stat_of errors err1.txt)" 0 "stdin: no parse errors"
  "$BIN" -c small.toml --mode annotate in.ndjson > out-file.ndjson 2> err2.txt || fail "file run"
  expect_eq "$(lines out-file.ndjson)" "$want" "mapped file: every event of every page"
  expect_eq "$(stat_of errors err2.txt)" 0 "mapped file: no parse errors"
  cmp -s out-stdin.ndjson out-file.ndjson || fail "stdin and file outputs differ"
  ;;
invalid_utf8)
  events 0 2 > in.ndjson
  printf '{"CreationTime":"2026-11-30T10:00:00","Operation":"FileUploaded","UserId":"bad\xff\xfe@y.z","Id":"bad"}\n' >> in.ndjson
  events 2 2 >> in.ndjson
  "$BIN" --mode annotate --dead-letter dead.ndjson < in.ndjson > out.ndjson 2> err.txt
  expect_eq $? 0 "exit"
  expect_eq "$(lines out.ndjson)" 4 "good lines around the bad one"
  expect_eq "$(stat_of invalid_utf8 err.txt)" 1 "invalid_utf8 counted"
  expect_eq "$(lines dead.ndjson)" 1 "dead letter holds the bad line"
  grep -q '"Id":"bad"' dead.ndjson || fail "dead letter content"
  grep -q '^exfilter: bad input: stdin:3 (byte [0-9]*): invalid_utf8' err.txt || fail "message names stdin line 3: $(cat err.txt)"
  ;;
bad_input_messages)
  corpus > good.ndjson  # 70 real events
  { head -5 good.ndjson; printf '{"UserId":\n'; sed -n 6,40p good.ndjson; printf 'not json\n'
    sed -n 41,70p good.ndjson; for i in $(seq 1 12); do printf '{"CreationTime":"2026-11-30T10:00:%02d",\n' "$i"; done
  } > mixed.ndjson
  "$BIN" --mode annotate mixed.ndjson > out.ndjson 2> err.txt
  expect_eq $? 0 "exit"
  expect_eq "$(lines out.ndjson)" 70 "every good event still forwarded"
  byte6=$(head -5 mixed.ndjson | wc -c)
  grep -qx "exfilter: bad input: mixed.ndjson:6 (byte $byte6): truncated: .*" err.txt || fail "line 6: $(cat err.txt)"
  grep -q '^exfilter: bad input: mixed.ndjson:42 (byte [0-9]*): malformed_json' err.txt || fail "line 42"
  grep -q '^exfilter: bad input: mixed.ndjson:73 (byte [0-9]*): truncated' err.txt || fail "line 73"
  expect_eq "$(grep -c '^exfilter: bad input: mixed.ndjson:' err.txt)" 10 "the first 10 bad records are shown"
  grep -q '^exfilter: bad input: that makes 10 messages' err.txt || fail "the limit is said"
  expect_eq "$(stat_of errors err.txt)" 14 "every bad record counted"
  "$BIN" -q --mode annotate mixed.ndjson > /dev/null 2> quiet.txt
  expect_eq "$(grep -c 'bad input' quiet.txt)" 0 "-q keeps stderr quiet"
  # An over-long first line is line 1, and the lines after it keep their numbers (stdin too).
  { head -c 2000000 /dev/zero | tr '\0' x; echo; head -2 good.ndjson; printf '{"UserId":\n'; } > long.ndjson
  "$BIN" < long.ndjson > /dev/null 2> long.txt
  grep -q '^exfilter: bad input: stdin:1 (byte 0): too_long: a line of 2000000 bytes, over max_line_bytes: skipped$' long.txt ||
    fail "long line: $(cat long.txt)"
  byte4=$((2000001 + $(head -2 good.ndjson | wc -c)))
  grep -q "^exfilter: bad input: stdin:4 (byte $byte4): truncated" long.txt || fail "line after it: $(cat long.txt)"
  ;;
too_long_page)
  # A whole M365 content blob on one line, over the limit: skipped, with where
  # it is and what to do, and the events around it still forwarded (stdin, a
  # file read with read() in 4 KiB chunks and a mapped file (--mmap) read long
  # lines on different paths).
  events 0 3 > in.ndjson
  { printf '['; events 10 30 | paste -sd, - | tr -d '\n'; printf ']\n'; } >> in.ndjson
  events 3 3 >> in.ndjson
  blob_at=$(head -3 in.ndjson | wc -c)
  blob_len=$(sed -n 4p in.ndjson | tr -d '\n' | wc -c)
  for how in stdin file mmap; do
    if [ $how = stdin ]; then
      "$BIN" --mode annotate --max-line-bytes 4096 < in.ndjson > out.ndjson 2> err.txt; name=stdin
    else  # 4 KiB chunks: the blob is longer than a chunk (the mapped reader's own path with --mmap)
      printf '[agent]\nchunk_bytes = 4096\nmax_line_bytes = 4096\nmmap_input = %s\n' \
        "$([ $how = mmap ] && echo true || echo false)" > small.toml
      "$BIN" -c small.toml --mode annotate in.ndjson > out.ndjson 2> err.txt; name=in.ndjson
    fi
    expect_eq $? 0 "$how: exit"
    expect_eq "$(lines out.ndjson)" 6 "$how: the events around the blob"
    expect_eq "$(stat_of too_long err.txt)" 1 "$how: too_long counted"
    grep -qx "exfilter: bad input: $name:4 (byte $blob_at): too_long: a line of $blob_len bytes, over max_line_bytes: skipped; it starts like a JSON array, like a Microsoft 365 content blob: raise max_line_bytes to read such pages whole" err.txt ||
      fail "$how: message: $(cat err.txt)"
  done
  # inspect says the same: the error line for line 4 carries what to do.
  "$BIN" inspect --errors-only --max-line-bytes 4096 in.ndjson > insp.txt 2> /dev/null
  expect_eq "$(lines insp.txt)" 1 "inspect: one error line"
  grep -qF '{"error":"too_long","line":4,' insp.txt || fail "inspect: error line: $(cat insp.txt)"
  grep -qF '"hint":"it starts like a JSON array, like a Microsoft 365 content blob: raise --max-line-bytes (max_line_bytes) to read such pages whole"}' insp.txt ||
    fail "inspect: hint: $(cat insp.txt)"
  ;;
zst_input)
  events 0 50 > in.ndjson
  zstd -q in.ndjson -o in.ndjson.zst
  "$BIN" --mode annotate -q in.ndjson.zst > out.ndjson || fail "zst exit"
  "$BIN" --mode annotate -q in.ndjson > plain.ndjson
  cmp -s out.ndjson plain.ndjson || fail ".zst gives other output than the plain file"
  expect_eq "$(lines out.ndjson)" 50 ".zst events"
  head -c 100 in.ndjson.zst > cut.zst
  "$BIN" -q cut.zst > /dev/null 2> e.txt; expect_eq $? 1 "truncated .zst is a runtime error"
  grep -q "cut.zst" e.txt || fail "message names the file"
  ;;
kill9_restart)
  "$BIN" gen --size 60M --seed 9 -o - > big.ndjson 2> /dev/null
  printf '[agent]\ncheckpoint_interval = "20ms"\nmode = "annotate"\nquiet = true\n' > c.toml
  # Reference: one uninterrupted run.
  "$BIN" -c c.toml --state-dir ref -t 2 big.ndjson -o file:ref.ndjson || fail "reference run"
  # Interrupted run: kill -9 once a checkpoint exists, then restart.
  "$BIN" -c c.toml --state-dir st -t 2 --memory-budget 4194304 big.ndjson -o file:run1.ndjson &
  pid=$!
  wait_for '[ -s st/checkpoint.exf ]'
  kill -9 $pid; wait $pid 2>/dev/null
  "$BIN" -c c.toml --state-dir st -t 2 big.ndjson -o file:run2.ndjson || fail "restart"
  # Same detector state and offsets as the uninterrupted run: nothing lost, nothing counted twice.
  cmp -s ref/checkpoint.exf st/checkpoint.exf || fail "checkpoint after restart differs from the reference"
  # Output: the restart's lines are exactly the reference's tail, and nothing is missing.
  n2=$(lines run2.ndjson)
  [ "$n2" -gt 0 ] || fail "restart wrote nothing (killed too late?)"
  tail -n "$n2" ref.ndjson | cmp -s - run2.ndjson || fail "restart output is not the reference tail"
  # Every reference line is in run1 + run2 (run1 may end in a line cut by the kill).
  cat run1.ndjson run2.ndjson | sort -u > union.txt
  sort -u ref.ndjson > ref-sorted.txt
  expect_eq "$(comm -23 ref-sorted.txt union.txt | wc -l)" 0 "reference lines missing after kill -9 + restart"
  extra=$(comm -13 ref-sorted.txt union.txt | wc -l)
  [ "$extra" -le 1 ] || fail "$extra lines in the output that the reference does not have"
  ;;
follow_rotation)
  events 0 10 > app.log
  "$BIN" -F --mode annotate -c <(printf '[agent]\npoll_interval = "50ms"\n') 'app.log*' -o file:out.ndjson 2> err.txt &
  pid=$!
  wait_for '[ "$(lines out.ndjson)" -ge 10 ]'
  mv app.log app.log.1
  events 10 3 >> app.log.1          # still written after the rename
  events 13 5 > app.log             # the new file
  wait_for '[ "$(lines out.ndjson)" -ge 18 ]'
  events 18 2 >> app.log
  wait_for '[ "$(lines out.ndjson)" -ge 20 ]'
  kill -TERM $pid; wait $pid; expect_eq $? 0 "SIGTERM exit"
  expect_eq "$(lines out.ndjson)" 20 "every line once"
  for i in 0 9 10 12 13 19; do grep -q "\"Id\":\"ev-$i\"" out.ndjson || fail "ev-$i missing"; done
  ;;
follow_copytruncate)
  events 0 8 > app.log
  "$BIN" -F --mode annotate -c <(printf '[agent]\npoll_interval = "50ms"\n') app.log -o file:out.ndjson 2> err.txt &
  pid=$!
  wait_for '[ "$(lines out.ndjson)" -ge 8 ]'
  cp app.log app.log.1 && : > app.log  # copytruncate
  sleep 0.3
  events 8 4 >> app.log
  wait_for '[ "$(lines out.ndjson)" -ge 12 ]'
  kill -TERM $pid; wait $pid; expect_eq $? 0 "SIGTERM exit"
  expect_eq "$(lines out.ndjson)" 12 "lines after truncation read once"
  grep -q '"Id":"ev-11"' out.ndjson || fail "ev-11 missing"
  ;;
follow_partial_at_sigterm)
  events 0 4 > app.log
  events 4 1 | head -c 60 >> app.log   # a line being written
  cfg=$(printf '[agent]\npoll_interval = "50ms"\nmode = "annotate"\n')
  "$BIN" -F -c <(echo "$cfg") --state-dir st app.log -o file:out1.ndjson 2> /dev/null &
  pid=$!
  wait_for '[ "$(lines out1.ndjson)" -ge 4 ]'
  kill -TERM $pid; wait $pid; expect_eq $? 0 "SIGTERM exit"
  expect_eq "$(lines out1.ndjson)" 4 "the partial line is not taken"
  events 4 1 | tail -c +61 >> app.log   # the writer finishes the line
  events 5 1 >> app.log
  "$BIN" -F -c <(echo "$cfg") --state-dir st app.log -o file:out2.ndjson 2> /dev/null &
  pid=$!
  wait_for '[ "$(lines out2.ndjson)" -ge 2 ]'
  kill -TERM $pid; wait $pid
  expect_eq "$(lines out2.ndjson)" 2 "completed line and the next, once"
  grep -q '"Id":"ev-4"' out2.ndjson || fail "completed line"
  ;;
sighup_reload)
  printf '[agent]\npoll_interval = "50ms"\nmode = "annotate"\n' > c.toml
  events 0 3 > app.log
  "$BIN" -F -c c.toml app.log -o file:out.ndjson 2> err.txt &
  pid=$!
  wait_for '[ "$(lines out.ndjson)" -ge 3 ]'
  printf '[agent]\npoll_interval = "50ms"\nmode = "annotate"\n[[suppress]]\nname = "all-of-user1"\nusers = ["user1@corp.com"]\n' > c.toml
  kill -HUP $pid
  wait_for 'grep -q "config reload applied" err.txt'
  events 7 7 >> app.log                     # user0..user6, one each
  wait_for '[ "$(lines out.ndjson)" -ge 10 ]'
  kill -TERM $pid; wait $pid; expect_eq $? 0 "exit"
  grep '"UserId":"user1@corp.com"' out.ndjson | tail -1 | grep -q 'all-of-user1' || fail "reloaded rule not applied"
  printf '[agent]\npoll_interval = "50ms"\n' > c2.toml
  "$BIN" -F --mode annotate -c c2.toml app.log -o file:o2.ndjson 2> err2.txt &
  pid=$!
  wait_for '[ "$(lines o2.ndjson)" -ge 1 ]'
  printf '[agent]\nbogus = 1\n' > c2.toml
  kill -HUP $pid
  wait_for 'grep -q "config reload refused" err2.txt'
  kill -TERM $pid; wait $pid; expect_eq $? 0 "still running after a refused reload"
  ;;
blocked_output)
  "$BIN" gen --size 40M --seed 4 -o - > big.ndjson 2> /dev/null
  mkfifo pipe
  "$BIN" --mode annotate --memory-budget 4194304 -t 2 big.ndjson > pipe 2> err.txt &
  pid=$!
  exec 3< pipe
  sleep 1                              # the reader is blocked by the full pipe
  rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  cat <&3 > out.ndjson
  wait $pid; expect_eq $? 0 "exit"
  "$BIN" --mode annotate -q -t 2 big.ndjson | cmp -s - out.ndjson || fail "output after unblocking differs"
  [ "$(stat_of queue_full err.txt)" -gt 0 ] || fail "backpressure not counted"
  echo "rss while blocked: ${rss} KB"
  [ "$rss" -lt 200000 ] || fail "memory while blocked ${rss} KB"
  ;;
metrics)
  # --metrics on a free port (0): the counters of the stats line, per kind and per rule, and /healthz.
  printf '[agent]\npoll_interval = "50ms"\nmode = "annotate"\n[metrics]\nlisten = "127.0.0.1:0"\n[[suppress]]\nname = "user1-migration"\nusers = ["user1@corp.com"]\n' > c.toml
  : > app.log
  "$BIN" -F -c c.toml --stats-interval 0.1 app.log -o file:out.ndjson 2> err.txt &
  pid=$!
  wait_for 'grep -q "metrics on port" err.txt'
  port=$(grep -o 'metrics on port [0-9]*' err.txt | awk '{print $4}')
  m() { curl -sf "http://127.0.0.1:$port/metrics" | grep "^$1 " | awk '{print $2}'; }
  expect_eq "$(m exfilter_up)" 1 "up before any input"
  events 0 10 >> app.log                    # user0..user6: user1 has ev-1 and ev-8
  printf '{"CreationTime":"2026-11-30T10:00:00","Operation":"FileUploaded","UserId":"bad\xff@y.z","Id":"bad"}\n' >> app.log
  printf '{"CreationTime":"2026-11-30T10:00:00","Operation":\n' >> app.log
  events 10 4 >> app.log                    # ev-10..13: user1 has none
  wait_for '[ "$(m exfilter_events_total)" == 14 ] && [ "$(m exfilter_output_bytes_total)" -gt 0 ]'
  expect_eq "$(m exfilter_input_bytes_total)" "$(stat -c %s app.log)" "bytes"
  expect_eq "$(m 'exfilter_parse_errors_total{kind="invalid_utf8"}')" 1 "invalid_utf8"
  [ "$(m 'exfilter_parse_errors_total{kind="malformed_json"}')" == 1 ] || [ "$(m 'exfilter_parse_errors_total{kind="truncated"}')" == 1 ] ||
    fail "the cut line is counted: $(curl -s "http://127.0.0.1:$port/metrics" | grep parse_errors)"
  expect_eq "$(m exfilter_suppressed_total)" 2 "suppressed"
  expect_eq "$(m 'exfilter_suppressed_by_rule_total{rule="user1-migration"}')" 2 "suppressed by rule"
  expect_eq "$(m exfilter_dropped_total)" 0 "nothing dropped"
  expect_eq "$(m exfilter_output_bytes_total)" "$(stat -c %s out.ndjson)" "output bytes"
  # A reload that puts a new rule first: each rule's count stays under its own name.
  printf '[agent]\npoll_interval = "50ms"\nmode = "annotate"\n[metrics]\nlisten = "127.0.0.1:0"\n[[suppress]]\nname = "user2-bulk"\nusers = ["user2@corp.com"]\n[[suppress]]\nname = "user1-migration"\nusers = ["user1@corp.com"]\n' > c.toml
  kill -HUP $pid
  wait_for 'grep -q "config reload applied" err.txt'
  events 14 9 >> app.log                    # ev-14..22: user1 has ev-15 and ev-22, user2 has ev-16
  wait_for '[ "$(m exfilter_events_total)" == 23 ]'
  wait_for '[ "$(m exfilter_suppressed_total)" == 5 ]'
  expect_eq "$(m 'exfilter_suppressed_by_rule_total{rule="user1-migration"}')" 4 "user1's rule after the reload"
  expect_eq "$(m 'exfilter_suppressed_by_rule_total{rule="user2-bulk"}')" 1 "the new rule"
  curl -sf "http://127.0.0.1:$port/healthz" | grep -q '^exfilter_up 1$' || fail "/healthz"
  progress=$(curl -sf "http://127.0.0.1:$port/healthz" | awk '/^exfilter_last_progress_timestamp_seconds/ {print int($2)}')
  [ "$progress" -ge "$(($(date +%s) - 60))" ] || fail "last progress $progress is not recent"
  kill -TERM $pid; wait $pid; expect_eq $? 0 "SIGTERM exit"
  expect_eq "$(stat_of events err.txt)" 23 "stderr agrees"
  expect_eq "$(stat_of suppressed err.txt)" 5 "stderr suppressed"
  # A port that is taken is refused at start.
  "$BIN" -F --metrics "127.0.0.1:$port" app.log > /dev/null 2> /dev/null &
  pid2=$!
  wait_for '[ "$(curl -s -o /dev/null -w %{http_code} "http://127.0.0.1:$port/metrics")" == 200 ]'
  "$BIN" -F --metrics "127.0.0.1:$port" app.log > /dev/null 2> e2.txt; expect_eq $? 2 "port in use"
  grep -q "cannot listen for metrics on 127.0.0.1:$port" e2.txt || fail "port message: $(cat e2.txt)"
  kill -TERM $pid2; wait $pid2
  "$BIN" --metrics localhost < /dev/null 2> e3.txt; expect_eq $? 2 "bad address"
  ;;
drop_mode)
  # --on-blocked drop: with the output blocked, input keeps flowing; every line is delivered or counted.
  "$BIN" gen --size 40M --seed 4 -o - > big.ndjson 2> /dev/null
  "$BIN" --mode annotate -t 2 big.ndjson > all.ndjson 2> ref.txt
  n=$(lines all.ndjson)                   # one output line per event (some input lines hold several)
  expect_eq "$(stat_of events ref.txt)" "$n" "reference run"
  mkfifo pipe
  "$BIN" --mode annotate --on-blocked drop --memory-budget 4194304 -t 2 --stats-interval 0.1 big.ndjson > pipe 2> err.txt &
  pid=$!
  exec 3< pipe
  wait_for '[ "$(stat_of events err.txt)" == "$n" ]'   # read to the end while nobody reads the output
  cat <&3 > out.ndjson
  wait $pid; expect_eq $? 0 "exit"
  dropped=$(stat_of dropped err.txt)
  [ "$dropped" -gt 0 ] || fail "nothing dropped"
  expect_eq "$(( $(lines out.ndjson) + dropped ))" "$n" "delivered + dropped"
  grep -q "dropped $dropped output lines while the output was blocked" err.txt || fail "final drop line: $(tail -2 err.txt)"
  # Delivered lines are whole lines of the unblocked output.
  expect_eq "$(comm -13 <(sort all.ndjson) <(sort out.ndjson) | wc -l)" 0 "delivered lines not in the unblocked output"
  # Unblocked, drop mode drops nothing.
  "$BIN" --mode annotate --on-blocked drop -t 2 big.ndjson 2> err2.txt > unblocked.ndjson
  cmp -s unblocked.ndjson all.ndjson || fail "drop mode output differs when not blocked"
  expect_eq "$(stat_of dropped err2.txt)" 0 "nothing dropped when unblocked"
  ;;
source_silent)
  # --follow with coverage_silence_after: a file that stops growing gets one source_silent record
  # per silence (wall clock); growth re-arms it.
  printf '[agent]\npoll_interval = "50ms"\nmode = "annotate"\ncoverage_silence_after = "400ms"\n' > c.toml
  events 0 3 > app.log
  "$BIN" -F -c c.toml app.log -o file:out.ndjson 2> err.txt &
  pid=$!
  wait_for '[ "$(grep -c source_silent out.ndjson 2>/dev/null)" == 1 ]'
  expect_eq "$(grep -c '"exfilter":{' out.ndjson)" 3 "events before the silence"
  grep source_silent out.ndjson | grep -q '^{"exfilter_record":"source_silent","path":"app.log","last_growth":"20[0-9-]*T[0-9:.]*Z","silent_seconds":0}$' ||
    fail "record: $(grep source_silent out.ndjson)"
  events 3 2 >> app.log
  wait_for '[ "$(grep -c source_silent out.ndjson)" == 2 ]'
  expect_eq "$(grep -n source_silent out.ndjson | tail -1 | cut -d: -f1)" 7 "second record after the two new events"
  kill -TERM $pid; wait $pid; expect_eq $? 0 "SIGTERM exit"
  # Off in the deterministic (read-to-end) path.
  "$BIN" -q -c c.toml --mode annotate app.log > once.ndjson
  expect_eq "$(grep -c source_silent once.ndjson)" 0 "no wall-clock record without --follow"
  ;;
file_output_rotation)
  events 0 400 > in.ndjson
  "$BIN" --mode annotate -q -c <(printf '[agent]\noutput_rotate_bytes = 40000\noutput_keep_files = 50\n') in.ndjson -o file:out.ndjson
  [ -f out.ndjson.1 ] || fail "no rotated file"
  total=$(cat out.ndjson out.ndjson.* | wc -l)
  expect_eq "$total" 400 "rotation loses nothing"
  for f in out.ndjson out.ndjson.*; do
    [ "$(stat -c %s "$f")" -le 40000 ] || fail "$f larger than the limit"
    [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" == '\n' ] || fail "$f does not end on a line"
  done
  "$BIN" --mode annotate -q -c <(printf '[agent]\noutput_rotate_bytes = 40000\noutput_compress = true\noutput_keep_files = 50\n') in.ndjson -o file:z.ndjson
  [ -f z.ndjson.1.zst ] && [ ! -f z.ndjson.1 ] || fail "no compressed rotated file"
  zstd -q -dc z.ndjson.*.zst > z1.ndjson || fail "rotated files do not decompress"
  expect_eq "$(grep -c '"exfilter":{' z1.ndjson)" "$(lines z1.ndjson)" "compressed file content"
  expect_eq "$(( $(lines z1.ndjson) + $(lines z.ndjson) ))" 400 "compressed rotation loses nothing"
  ;;
coverage_records)
  up() { printf '{"CreationTime":"2026-11-30T%s","Id":"%s","Operation":"FileUploaded","OrganizationId":"%s","RecordType":6,"UserId":"a@corp.com","Workload":"OneDrive","ObjectId":"https://corp/x"}\n' "$1" "$2" "$3"; }
  { up 08:10:00 u1 org1
    printf '{"CreationTime":"2026-11-30T08:20:00","Id":"s1","Operation":"UserLoggedIn","OrganizationId":"org2","RecordType":15,"UserId":"b@corp.com","Workload":"AzureActiveDirectory","ResultStatus":"Success"}\n'
    up 09:30:00 u2 org1; up 11:00:00 u3 org1; up 13:00:00 u4 org1; } > in.ndjson
  cfg='[agent]\ncoverage_interval = "1h"\ncoverage_gap = "2h"\n'
  "$BIN" -q -c <(printf "$cfg") in.ndjson > out.ndjson || fail "exit"
  expect_eq "$(grep -c '"exfilter_record":"coverage"' out.ndjson)" 4 "coverage lines: 08h x2, 09h, 11h"
  expect_eq "$(grep -c '"reason":"no_file_events"' out.ndjson)" 1 "sign-in-only tenant flagged"
  grep '"reason":"silent"' out.ndjson | grep -q '"last_event":"2026-11-30T08:20:00.000Z","silent_seconds":13200' ||
    fail "silent tenant gap: $(grep coverage_gap out.ndjson)"
  expect_eq "$(grep -c '"reason":"silent"' out.ndjson)" 1 "one gap record per silence"
  grep '"from":"2026-11-30T08:00:00.000Z"' out.ndjson | grep '"upload":1' | grep -q '"events":1' || fail "08h counts"
  ;;
demo)
  # The README's first command: a generated org with attacks, what is forwarded and why.
  "$BIN" demo > out.txt 2> err.txt || fail "demo exit $?: $(tail -3 err.txt)"
  grep -q '^exfilter demo: a simulated organisation of 301 users over 21 days' out.txt || fail "header: $(head -1 out.txt)"
  [ "$(grep -c -- '-> labelled inc-[0-9]* [a-z_]* (malicious)' out.txt)" -ge 5 ] || fail "attack alert groups shown"
  grep -q 'reasons: rate' out.txt || fail "each forwarded sample explains itself"
  for kind in burst_staging low_and_slow off_hours_burst compromised_account cross_service dormant_waking \
      mass_copy_new_destination migration legal_discovery org_surge weekly_bulk; do
    grep -q "  $kind " out.txt || fail "scorecard lists $kind"
  done
  recall=$(awk '/^  recall, malicious incidents/ {print $4}' out.txt)
  awk -v r="$recall" 'BEGIN { exit !(r >= 0.85) }' || fail "demo recall $recall"
  grep -Eq 'migration +benign .* 0\.0% +no' out.txt || fail "allowlisted migration must not alert"
  ;;
*)
  fail "unknown case"
  ;;
esac
echo "PASS [$CASE]"
