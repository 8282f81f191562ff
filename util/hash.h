// Stable 64-bit hashing of user names, tenants, IPs and other keys.
// Unlike absl::Hash (seeded per process), these values are the same in every
// run and on every machine, so they may be stored in snapshots, used for shard
// routing and incident ids, and output stays byte-for-byte deterministic.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace exfilter {

inline uint64_t StableHash(std::string_view text, uint64_t seed = 0) {
  return XXH3_64bits_withSeed(text.data(), text.size(), seed);
}

// Combines two keys (e.g. tenant and user) into one, order-sensitive.
inline uint64_t HashCombine(uint64_t a, uint64_t b) {
  uint64_t both[2] = {a, b};
  return XXH3_64bits(both, sizeof(both));
}

}  // namespace exfilter
