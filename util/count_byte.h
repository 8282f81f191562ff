// CountByte: how many times one byte value occurs in a buffer (the line count
// of every chunk, for error messages that name a line). With AVX-512BW (128
// bytes a step) or AVX2 (64) where the CPU has them, else one memchr per
// match (glibc's is vectorized; audit lines are hundreds of bytes). With
// AVX-512 it takes ~2% of a run's CPU (perf/RESULTS.md; memory bound).
// Thread safety: pure functions.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace exfilter {
namespace count_byte_internal {

inline size_t ByMemchr(const char* p, size_t n, char byte) {
  size_t count = 0;
  const char* end = p + n;
  while (p < end) {
    const void* hit = std::memchr(p, byte, static_cast<size_t>(end - p));
    if (hit == nullptr) break;
    ++count;
    p = static_cast<const char*>(hit) + 1;
  }
  return count;
}

__attribute__((target("avx512bw,popcnt"))) inline size_t ByAvx512(const char* p, size_t n, char byte) {
  const __m512i pattern = _mm512_set1_epi8(byte);
  size_t count = 0, i = 0;
  for (; i + 128 <= n; i += 128) {
    const uint64_t a = _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(p + i), pattern);
    const uint64_t b = _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(p + i + 64), pattern);
    count += static_cast<size_t>(__builtin_popcountll(a) + __builtin_popcountll(b));
  }
  return count + ByMemchr(p + i, n - i, byte);
}

__attribute__((target("avx2,popcnt"))) inline size_t ByAvx2(const char* p, size_t n, char byte) {
  const __m256i pattern = _mm256_set1_epi8(byte);
  size_t count = 0, i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 32));
    const auto ma = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, pattern)));
    const auto mb = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, pattern)));
    count += static_cast<size_t>(__builtin_popcount(ma) + __builtin_popcount(mb));
  }
  return count + ByMemchr(p + i, n - i, byte);
}

}  // namespace count_byte_internal

inline size_t CountByte(const char* p, size_t n, char byte) {
  static const int level = __builtin_cpu_supports("avx512bw") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
  if (level == 2) return count_byte_internal::ByAvx512(p, n, byte);
  if (level == 1) return count_byte_internal::ByAvx2(p, n, byte);
  return count_byte_internal::ByMemchr(p, n, byte);
}

}  // namespace exfilter
