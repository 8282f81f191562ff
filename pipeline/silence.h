// SilenceWatch: wall-clock silence of followed files. Fed, after each poll,
// the read offset of every followed file, it reports a file that has not
// grown for longer than `after` of wall time, once per silence (growth
// re-arms it). A file is "growing" from the first time it is seen. This is
// the agent's one wall-clock (so non-deterministic) record, used only in
// --follow mode.
// Thread safety: none; used by the one reader thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"

namespace exfilter {

struct SourceProgress {
  uint32_t source = 0;   // SourceTable id
  std::string path;
  uint64_t offset = 0;   // bytes read so far
};

struct SilentSource {
  uint32_t source = 0;
  std::string path;
  absl::Time last_growth;  // when its offset last moved (or it was first seen)
  absl::Duration silent;   // now - last_growth
};

class SilenceWatch {
 public:
  explicit SilenceWatch(absl::Duration after) : after_(after) {}
  bool enabled() const { return after_ > absl::ZeroDuration(); }

  // One observation at wall time `now`; returns the files that have just
  // become silent. Files no longer listed are forgotten.
  std::vector<SilentSource> Observe(const std::vector<SourceProgress>& sources, absl::Time now);

 private:
  struct State {
    uint64_t offset = 0;
    absl::Time last_growth;
    bool reported = false;
    bool seen = false;  // listed in the current observation
  };
  absl::Duration after_;
  absl::flat_hash_map<uint32_t, State> states_;
};

}  // namespace exfilter
