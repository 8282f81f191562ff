// CountByte: how many times one byte value occurs in a buffer, eight bytes at
// a time (the line count of a chunk, for error messages that name a line).
// Thread safety: pure function.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace exfilter {

inline size_t CountByte(const char* p, size_t n, char byte) {
  constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7fULL;
  const uint64_t pattern = 0x0101010101010101ULL * static_cast<uint8_t>(byte);
  size_t count = 0, i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    w ^= pattern;  // matching bytes are now zero
    // High bit set exactly in the zero bytes (no carries between bytes).
    const uint64_t zero = ~(((w & kLow7) + kLow7) | w | kLow7);
    count += static_cast<size_t>(std::popcount(zero));
  }
  for (; i < n; ++i) count += p[i] == byte;
  return count;
}

}  // namespace exfilter
