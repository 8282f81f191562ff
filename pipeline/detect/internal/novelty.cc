#include "pipeline/detect/internal/novelty.h"

#include <algorithm>
#include <utility>

#include "pipeline/detect/internal/stats_math.h"

namespace exfilter::detect_internal {

NoveltyMemory::NoveltyMemory(uint32_t width_log2, uint32_t depth, int64_t period_ms)
    : period_ms_(period_ms), current_(width_log2, depth) {
  if (period_ms_ > 0) previous_.emplace(width_log2, depth);
}

void NoveltyMemory::Prefetch(uint64_t key) const {
  current_.Prefetch(key);
  if (previous_) previous_->Prefetch(key);
}

void NoveltyMemory::AdvanceToPeriod(int64_t watermark_ms) {
  int64_t p = FloorDiv(watermark_ms, period_ms_);
  if (period_ != kNoPeriod && p == period_ + 1) {
    std::swap(current_, *previous_);
    current_.Clear();
  } else if (period_ != kNoPeriod && p > period_) {
    current_.Clear();
    previous_->Clear();
  }
  set_period(p);
}

void NoveltyMemory::set_period(int64_t period) {
  period_ = period;
  next_ms_ = period == kNoPeriod ? INT64_MIN : (period + 1) * period_ms_;
}

size_t NoveltyMemory::MemoryBytes() const {
  return current_.MemoryBytes() + (previous_ ? previous_->MemoryBytes() : 0);
}

}  // namespace exfilter::detect_internal
