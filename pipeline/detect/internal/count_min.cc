#include "pipeline/detect/internal/count_min.h"

#include <algorithm>
#include <cstring>

#include "pipeline/detect/internal/stats_math.h"

namespace exfilter::detect_internal {
namespace {
constexpr uint32_t kBlockCounters = 32;  // 64 bytes of uint16_t
uint32_t Log2(uint32_t v) {
  uint32_t r = 0;
  while ((1u << r) < v) ++r;
  return r;
}
}  // namespace

BlockedCountMin::BlockedCountMin(uint32_t width_log2, uint32_t depth)
    : depth_(depth), row_bits_(Log2(kBlockCounters / depth)) {
  uint64_t per_row = uint64_t{1} << width_log2;
  blocks_ = std::max<uint64_t>(1, per_row / (kBlockCounters / depth));
  num_counters_ = blocks_ * kBlockCounters;
  storage_ = HugeBuffer(num_counters_ * sizeof(uint16_t));
  base_ = static_cast<uint16_t*>(storage_.data());
}

uint16_t* BlockedCountMin::Slots(uint64_t key, uint32_t* pos) const {
  uint64_t h1 = Mix(key, 0x9e3779b97f4a7c15ULL);
  uint64_t h2 = Mix(key, 0xc2b2ae3d27d4eb4fULL);
  uint64_t block = static_cast<uint64_t>((static_cast<unsigned __int128>(h1) * blocks_) >> 64);
  uint32_t row_width = 1u << row_bits_;
  for (uint32_t r = 0; r < depth_; ++r) {
    pos[r] = r * row_width + static_cast<uint32_t>((h2 >> (r * 8)) & (row_width - 1));
  }
  return base_ + block * kBlockCounters;
}

uint32_t BlockedCountMin::Estimate(uint64_t key) const {
  uint32_t pos[8];
  const uint16_t* b = Slots(key, pos);
  uint32_t m = UINT32_MAX;
  for (uint32_t r = 0; r < depth_; ++r) m = std::min<uint32_t>(m, b[pos[r]]);
  return m;
}

uint32_t BlockedCountMin::Add(uint64_t key, uint32_t n) {
  uint32_t pos[8];
  uint16_t* b = Slots(key, pos);
  uint32_t m = UINT32_MAX;
  for (uint32_t r = 0; r < depth_; ++r) m = std::min<uint32_t>(m, b[pos[r]]);
  uint32_t target = std::min<uint32_t>(m + n, 65535);
  // Conservative update: raise only the counters below the new minimum.
  for (uint32_t r = 0; r < depth_; ++r) {
    if (b[pos[r]] < target) b[pos[r]] = static_cast<uint16_t>(target);
  }
  total_ += n;
  return m;
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
