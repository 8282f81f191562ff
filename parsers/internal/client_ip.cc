#include "parsers/internal/client_ip.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace exfilter::internal {

size_t Ipv4PrefixBytes(std::string_view s) {
  const char* p = s.data();
  const char* end = p + s.size();
  auto octet = [&]() {  // 1-3 digits worth at most 255
    if (p == end) return false;
    unsigned v = static_cast<unsigned char>(*p) - '0';
    if (v > 9) return false;
    ++p;
    for (int i = 0; i < 2 && p < end; ++i, ++p) {
      unsigned d = static_cast<unsigned char>(*p) - '0';
      if (d > 9) break;
      v = v * 10 + d;
    }
    return v <= 255;
  };
  for (int part = 0; part < 3; ++part) {
    if (!octet() || p == end || *p != '.') return 0;
    ++p;
  }
  if (!octet()) return 0;
  return static_cast<size_t>(p - s.data());
}

#if !defined(__SSE2__)
size_t Ipv4Prefix(std::string_view s) { return Ipv4PrefixBytes(s); }
#else
namespace {

// The first n (7..15) bytes of p in the low n bytes of a vector, zeros after
// them, reading nothing past p + n: two overlapping loads.
__m128i LoadUpTo15(const char* p, size_t n) {
  uint64_t lo = 0, hi = 0;
  if (n >= 8) {
    std::memcpy(&lo, p, 8);
    if (n > 8) {
      std::memcpy(&hi, p + n - 8, 8);
      hi >>= 8 * (16 - n);  // bytes [8, n)
    }
  } else {  // n == 7: bytes [0, 4) and [3, 7)
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + 3, 4);
    lo = a | (uint64_t{b} << 24);
  }
  return _mm_set_epi64x(static_cast<int64_t>(hi), static_cast<int64_t>(lo));
}

// The value of the len (1..3) digits at d[at] (digit values, not text).
[[gnu::always_inline]] inline unsigned Part(const uint8_t* d, unsigned at, unsigned len) {
  const unsigned one = d[at], two = one * 10 + d[at + 1], three = two * 10 + d[at + 2];
  return len == 1 ? one : len == 2 ? two : three;
}

}  // namespace

// The dots and digits of the first 15 bytes as bit masks: the three parts
// between the dots and the fourth after them are located with bit scans, not
// a loop per digit, so the lengths of the parts cost no mispredicted branch.
size_t Ipv4Prefix(std::string_view s) {
  const size_t n = s.size() < 15 ? s.size() : 15;
  if (n < 7) return 0;  // "1.2.3.4" at least
  const __m128i v = LoadUpTo15(s.data(), n);
  const __m128i digits = _mm_sub_epi8(v, _mm_set1_epi8('0'));
  const unsigned dots = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.'))));
  // Unsigned digit <= 9: min(x, 9) == x.
  const unsigned is_digit = static_cast<unsigned>(
      _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(digits, _mm_set1_epi8(9)), digits)));
  const unsigned d1 = static_cast<unsigned>(__builtin_ctz(dots | 0x10000));
  const unsigned rest = dots & (dots - 1);
  const unsigned d2 = static_cast<unsigned>(__builtin_ctz(rest | 0x10000));
  const unsigned d3 = static_cast<unsigned>(__builtin_ctz((rest & (rest - 1)) | 0x10000));
  if (d3 >= 15) return 0;  // fewer than three dots
  // The fourth part: the digits after the third dot, at most three of them.
  const unsigned after = ~is_digit & ~((2u << d3) - 1);
  unsigned len4 = static_cast<unsigned>(__builtin_ctz(after | 0x10000)) - d3 - 1;
  len4 = len4 > 3 ? 3 : len4;
  const unsigned end = d3 + 1 + len4;
  const unsigned len1 = d1, len2 = d2 - d1 - 1, len3 = d3 - d2 - 1;
  const bool parts_ok = (len1 - 1 <= 2) & (len2 - 1 <= 2) & (len3 - 1 <= 2) & (len4 - 1 <= 2);  // 1..3
  const unsigned span = (1u << end) - 1;
  if (!parts_ok || ((is_digit | dots) & span) != span) return 0;
  alignas(16) uint8_t d[32] = {};
  _mm_store_si128(reinterpret_cast<__m128i*>(d), digits);
  const unsigned max = Part(d, 0, len1) | Part(d, d1 + 1, len2) | Part(d, d2 + 1, len3);
  if (max > 255 || Part(d, d3 + 1, len4) > 255) return 0;
  return end;
}
#endif  // __SSE2__

bool IsIpv4(std::string_view s) { return !s.empty() && Ipv4Prefix(s) == s.size(); }

bool IsIpv6(std::string_view s) {
  if (s.size() < 2 || s.size() > 45) return false;
  int colons = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ':') {
      ++colons;
    } else if (c == '.') {
      // Embedded IPv4 tail ("::ffff:1.2.3.4"): the rest after the last colon.
      size_t last = s.rfind(':');
      return colons >= 2 && last != s.npos && last < i && IsIpv4(s.substr(last + 1));
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return colons >= 2 && colons <= 7;
}

namespace {

std::string_view StripV4Mapped(std::string_view s) {
  constexpr std::string_view kLower = "::ffff:", kUpper = "::FFFF:";
  if (s.size() > kLower.size() &&
      (s.substr(0, kLower.size()) == kLower || s.substr(0, kUpper.size()) == kUpper)) {
    std::string_view v4 = s.substr(kLower.size());
    if (IsIpv4(v4)) return v4;
  }
  return s;
}

}  // namespace

std::string_view NormalizeClientIp(std::string_view s) {
  // Fast paths: a plain dotted quad, or one with a port (the common cases).
  if (size_t n = Ipv4Prefix(s); n != 0) {
    if (n == s.size()) return s;
    if (s[n] == ':' && s.find(':', n + 1) == s.npos) return s.substr(0, n);
  }
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return {};
  if (s.front() == '[') {  // "[addr]" or "[addr]:port"
    size_t close = s.find(']');
    if (close == s.npos) return {};
    s = s.substr(1, close - 1);
  } else if (size_t colon = s.find(':'); colon != s.npos && s.find(':', colon + 1) == s.npos) {
    s = s.substr(0, colon);  // one colon: "v4:port" or "host:port"
  }
  s = StripV4Mapped(s);
  if (IsIpv4(s) || IsIpv6(s)) return s;
  return {};
}

}  // namespace exfilter::internal
