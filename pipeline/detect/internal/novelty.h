// NoveltyMemory: how often each (user, destination) and (user, IP / prefix)
// pair was seen, for the novelty reasons (new_destination, new_ip). Without
// a memory period it is one count-min sketch that never forgets. With a
// period P (DetectorConfig::novelty_memory) it keeps two generations, the
// sketch of the current period of event time and the previous period's; a
// pair counts as seen if either saw it, so a pair not seen again is "new"
// again between P and 2P after its last sighting. Periods are
// floor(watermark / P), the watermark being the newest event time: the
// result depends only on the input sequence.
// Thread safety: none; owned by the detector thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "pipeline/detect/internal/count_min.h"

namespace exfilter::detect_internal {

class NoveltyMemory {
 public:
  static constexpr int64_t kNoPeriod = INT64_MIN;

  // `period_ms` 0: never forget (a single sketch).
  NoveltyMemory(uint32_t width_log2, uint32_t depth, int64_t period_ms);

  // Earlier sightings of `key` (never undercounted), then counts this one.
  uint32_t Add(uint64_t key) {  // inline: one or two calls per watched event
    uint32_t before = current_.Add(key);
    if (previous_) before = std::max(before, previous_->Estimate(key));
    return before;
  }
  void Prefetch(uint64_t key) const;
  // Moves to the period of `watermark_ms` (which never decreases): one
  // period on, the current generation becomes the previous one and a
  // cleared one starts; two or more, both are cleared.
  void Advance(int64_t watermark_ms) {  // inline: called for every newer event
    if (period_ms_ > 0 && watermark_ms >= next_ms_) AdvanceToPeriod(watermark_ms);
  }

  bool aging() const { return period_ms_ > 0; }
  size_t MemoryBytes() const;
  // For snapshots.
  BlockedCountMin& current() { return current_; }
  const BlockedCountMin& current() const { return current_; }
  BlockedCountMin* previous() { return previous_ ? &*previous_ : nullptr; }
  const BlockedCountMin* previous() const { return previous_ ? &*previous_ : nullptr; }
  int64_t period() const { return period_; }
  void set_period(int64_t period);

 private:
  void AdvanceToPeriod(int64_t watermark_ms);

  int64_t period_ms_;
  int64_t period_ = kNoPeriod;       // index of the current generation's period
  int64_t next_ms_ = INT64_MIN;      // start of the next period (fast check)
  BlockedCountMin current_;
  std::optional<BlockedCountMin> previous_;
};

}  // namespace exfilter::detect_internal
