#include "pipeline/detect/internal/count_min.h"

#include <algorithm>
#include <cstring>

#include "pipeline/detect/internal/stats_math.h"

namespace exfilter::detect_internal {
BlockedCountMin::BlockedCountMin(uint32_t width_log2, uint32_t depth)
    : depth_(depth) {
  uint64_t per_row = uint64_t{1} << width_log2;
  blocks_ = std::max<uint64_t>(1, per_row / (kBlockCounters / depth));
  num_counters_ = blocks_ * kBlockCounters;
  storage_ = HugeBuffer(num_counters_ * sizeof(uint16_t));
  base_ = static_cast<uint16_t*>(storage_.data());
}

void BlockedCountMin::Prefetch(uint64_t key) const {
  uint64_t h1 = Mix(key, 0x9e3779b97f4a7c15ULL);
  uint64_t block = static_cast<uint64_t>((static_cast<unsigned __int128>(h1) * blocks_) >> 64);
  __builtin_prefetch(base_ + block * kBlockCounters);
}

void BlockedCountMin::Clear() {
  std::memset(base_, 0, num_counters_ * sizeof(uint16_t));
  total_ = 0;
}

bool BlockedCountMin::LoadCounters(std::string_view bytes, uint64_t total) {
  if (bytes.size() != num_counters_ * sizeof(uint16_t)) return false;
  std::memcpy(base_, bytes.data(), bytes.size());
  total_ = total;
  return true;
}

}  // namespace exfilter::detect_internal
