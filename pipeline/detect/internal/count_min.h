// BlockedCountMin: a count-min sketch with conservative update whose `depth`
// counters for one key share one 64-byte block (one cache miss per update or
// query). Row r of a block holds 32/depth counters; the block and each row's
// position come from two independent mixes (stats_math.h Mix) of the key,
// which is itself a stable XXH3-derived hash.
// Guarantees (docs/detector.md): the estimate never undercounts (until a
// counter saturates at 65535), and with probability >= 1 - e^-depth it
// overcounts by at most e * N / (blocks * 32 / depth) for a stream of N.
// Thread safety: none; owned by the detector thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "pipeline/detect/internal/huge_buffer.h"
#include "pipeline/detect/internal/stats_math.h"

namespace exfilter::detect_internal {

class BlockedCountMin {
 public:
  // 2^width_log2 counters per row; depth in {1, 2, 4, 8}.
  BlockedCountMin(uint32_t width_log2, uint32_t depth);
  BlockedCountMin(const BlockedCountMin&) = delete;
  BlockedCountMin& operator=(const BlockedCountMin&) = delete;
  BlockedCountMin(BlockedCountMin&&) = default;  // the mapping moves, base_ stays valid
  BlockedCountMin& operator=(BlockedCountMin&&) = default;

  // Inline: one or two calls per watched event. The depth is dispatched to
  // a constant, so the row loops unroll (same counters, same results).
  uint32_t Estimate(uint64_t key) const {
    return ByDepth([&](auto depth) { return EstimateRows<depth()>(key); });
  }
  // Adds `n` with conservative update; returns the estimate before adding.
  uint32_t Add(uint64_t key, uint32_t n = 1) {
    total_ += n;
    return ByDepth([&](auto depth) { return AddRows<depth()>(key, n); });
  }
  void Prefetch(uint64_t key) const;
  void Clear();

  uint64_t total() const { return total_; }
  uint32_t depth() const { return depth_; }
  uint64_t counters_per_row() const { return blocks_ * (32 / depth_); }
  size_t MemoryBytes() const { return storage_.size(); }
  // Raw counters for snapshots.
  std::string_view RawBytes() const {
    return {reinterpret_cast<const char*>(base_), num_counters_ * sizeof(uint16_t)};
  }
  bool LoadCounters(std::string_view bytes, uint64_t total);

 private:
  static constexpr uint32_t kBlockCounters = 32;  // 64 bytes of uint16_t
  // f(std::integral_constant<uint32_t, depth_>) for depth_ in {1, 2, 4, 8}.
  template <typename F>
  uint32_t ByDepth(F&& f) const {
    switch (depth_) {
      case 1: return f(std::integral_constant<uint32_t, 1>{});
      case 2: return f(std::integral_constant<uint32_t, 2>{});
      case 4: return f(std::integral_constant<uint32_t, 4>{});
      default: return f(std::integral_constant<uint32_t, 8>{});
    }
  }
  // The key's block and, in row r, its counter's index within the block
  // (rows of 32/D counters; depth D in {1, 2, 4, 8}).
  template <uint32_t D>
  uint16_t* Slots(uint64_t key, uint32_t* pos) const {
    constexpr uint32_t kRowWidth = kBlockCounters / D;
    uint64_t h1 = Mix(key, 0x9e3779b97f4a7c15ULL);
    uint64_t h2 = Mix(key, 0xc2b2ae3d27d4eb4fULL);
    uint64_t block = static_cast<uint64_t>((static_cast<unsigned __int128>(h1) * blocks_) >> 64);
    for (uint32_t r = 0; r < D; ++r) {
      pos[r] = r * kRowWidth + static_cast<uint32_t>((h2 >> (r * 8)) & (kRowWidth - 1));
    }
    return base_ + block * kBlockCounters;
  }
  template <uint32_t D>
  uint32_t EstimateRows(uint64_t key) const {
    uint32_t pos[D];
    const uint16_t* b = Slots<D>(key, pos);
    uint32_t m = UINT32_MAX;
    for (uint32_t r = 0; r < D; ++r) m = std::min<uint32_t>(m, b[pos[r]]);
    return m;
  }
  template <uint32_t D>
  uint32_t AddRows(uint64_t key, uint32_t n) {
    uint32_t pos[D];
    uint16_t* b = Slots<D>(key, pos);
    uint32_t m = UINT32_MAX;
    for (uint32_t r = 0; r < D; ++r) m = std::min<uint32_t>(m, b[pos[r]]);
    const uint16_t target = static_cast<uint16_t>(std::min<uint32_t>(m + n, 65535));
    // Conservative update: raise only the counters below the new minimum
    // (a max stored back, not a branch: which counters are below it is
    // data-dependent and mispredicted about half the time).
    for (uint32_t r = 0; r < D; ++r) b[pos[r]] = std::max(b[pos[r]], target);
    return m;
  }

  uint32_t depth_;
  uint64_t blocks_;
  uint64_t total_ = 0;
  uint64_t num_counters_;
  HugeBuffer storage_;  // page-aligned, so every block is one cache line
  uint16_t* base_;
};

}  // namespace exfilter::detect_internal
