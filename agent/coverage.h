// Coverage records: every interval of EVENT time, one line per (service,
// tenant) with the events seen by action class and the last event time, and
// a coverage-gap line when a (service, tenant) stayed silent longer than the
// configured gap while others went on, or showed events but no file events
// at all (a collector that only fetches sign-ins). Event time, not wall time,
// drives them, so the output stays identical whatever the thread count; a
// stop of ALL input shows as the absence of coverage records.
//   {"exfilter_record":"coverage","service":"m365","tenant":"<hash>","from":...,"to":...,
//    "events":N,"upload":N,...,"last_event":...}
//   {"exfilter_record":"coverage_gap","service":"box","tenant":"<hash>","reason":"silent",
//    "last_event":...,"silent_seconds":N}
// Memory is bounded: a (service, tenant) is forgotten once its silence has
// been reported (it starts afresh if it comes back), and at most `max_cells`
// are tracked; events of further pairs in an interval are counted in one line
// (a source emitting made-up tenant ids cannot grow the table):
//   {"exfilter_record":"coverage_overflow","from":...,"to":...,"events":N,"max_cells":N}
// In --follow mode with coverage_silence_after, a followed file that has not
// grown for that long of WALL time gets the one non-deterministic record:
//   {"exfilter_record":"source_silent","path":"...","last_growth":...,"silent_seconds":N}
// Thread safety: none; owned by the ordered stage. AppendSourceSilentRecord
// is a pure function.
#pragma once

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "pipeline/detect/detector_event.h"
#include "pipeline/silence.h"

namespace exfilter {

// Appends the source_silent line (with its newline) to *out.
void AppendSourceSilentRecord(const SilentSource& s, std::string* out);

class Coverage {
 public:
  static constexpr size_t kDefaultMaxCells = 65'536;

  Coverage(absl::Duration interval, absl::Duration gap, size_t max_cells = kDefaultMaxCells)
      : interval_ms_(absl::ToInt64Milliseconds(interval)),
        gap_ms_(absl::ToInt64Milliseconds(gap)),
        max_cells_(max_cells) {}
  bool enabled() const { return interval_ms_ > 0; }
  size_t tracked() const { return cells_.size(); }  // (service, tenant) pairs held

  // Counts one event; appends the records of every interval that `ev`
  // closes (before counting it) to *out.
  void Observe(const DetectorEvent& ev, std::string* out);

 private:
  struct Cell {
    uint64_t counts[kNumActionClasses] = {};
    uint64_t total = 0;
    int64_t last_ms = 0;
  };
  void Emit(int64_t end_ms, std::string* out);
  // Appends the cell's lines for the interval ending at end_ms; false once
  // the cell can be forgotten (silent, its gap reported).
  bool EmitCell(std::pair<uint8_t, uint64_t> key, Cell& c, int64_t end_ms, std::string* out);

  int64_t interval_ms_;
  int64_t gap_ms_;
  size_t max_cells_;
  int64_t start_ms_ = -1;  // start of the open interval
  uint64_t overflow_events_ = 0;  // events of untracked pairs in the open interval
  absl::flat_hash_map<std::pair<uint8_t, uint64_t>, Cell> cells_;
};

}  // namespace exfilter
