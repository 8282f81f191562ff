// CountByte: how many times one byte value occurs in a buffer (the line count
// of every chunk, for error messages that name a line). AVX2 where the CPU
// has it (32 bytes a step, byte counters summed every 255 steps), else one
// memchr per match (glibc's is vectorized; audit lines are hundreds of bytes).
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

__attribute__((target("avx2"))) inline size_t ByAvx2(const char* p, size_t n, char byte) {
  const __m256i pattern = _mm256_set1_epi8(byte);
  size_t count = 0, i = 0;
  while (i + 32 <= n) {
    __m256i acc = _mm256_setzero_si256();  // per-byte counts: at most 255 steps a round
    for (int step = 0; step < 255 && i + 32 <= n; ++step, i += 32) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
      acc = _mm256_sub_epi8(acc, _mm256_cmpeq_epi8(v, pattern));  // a match is -1
    }
    const __m256i sums = _mm256_sad_epu8(acc, _mm256_setzero_si256());  // four 64-bit sums
    count += static_cast<size_t>(_mm256_extract_epi64(sums, 0) + _mm256_extract_epi64(sums, 1) +
                                 _mm256_extract_epi64(sums, 2) + _mm256_extract_epi64(sums, 3));
  }
  return count + ByMemchr(p + i, n - i, byte);
}

}  // namespace count_byte_internal

inline size_t CountByte(const char* p, size_t n, char byte) {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2 ? count_byte_internal::ByAvx2(p, n, byte) : count_byte_internal::ByMemchr(p, n, byte);
}

}  // namespace exfilter
