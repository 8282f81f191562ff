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
  Coverage(absl::Duration interval, absl::Duration gap)
      : interval_ms_(absl::ToInt64Milliseconds(interval)), gap_ms_(absl::ToInt64Milliseconds(gap)) {}
  bool enabled() const { return interval_ms_ > 0; }

  // Counts one event; appends the records of every interval that `ev`
  // closes (before counting it) to *out.
  void Observe(const DetectorEvent& ev, std::string* out);

 private:
  struct Cell {
    uint64_t counts[kNumActionClasses] = {};
    uint64_t total = 0;
    int64_t last_ms = 0;
    bool gap_reported = false;
  };
  void Emit(int64_t end_ms, std::string* out);

  int64_t interval_ms_;
  int64_t gap_ms_;
  int64_t start_ms_ = -1;  // start of the open interval
  absl::flat_hash_map<std::pair<uint8_t, uint64_t>, Cell> cells_;
};

}  // namespace exfilter
