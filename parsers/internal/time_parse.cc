#include "parsers/internal/time_parse.h"

#include <cstring>

namespace exfilter::internal {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    unsigned d = static_cast<unsigned char>(s[i]) - '0';
    if (d > 9) return false;
    v = v * 10 + static_cast<int>(d);
  }
  *out = v;
  return true;
}

// The two-digit number at p, or 1000 (beyond every field's range) if either
// byte is not a digit. Branch-free, so fixed-layout fields cost a few
// instructions each.
[[gnu::always_inline]] inline unsigned Two(const char* p) {
  unsigned a = static_cast<unsigned char>(p[0]) - '0';
  unsigned b = static_cast<unsigned char>(p[1]) - '0';
  return ((a > 9) | (b > 9)) ? 1000 : a * 10 + b;
}

// "HH:MM:SS" at p (8 bytes) with SWAR: XOR with '0' maps exactly the bytes
// '0'..'9' to 0..9, so one mask test checks all six digits, and one multiply
// pairs the digits. False if a byte is not a digit or a separator is not ':'.
[[gnu::always_inline]] inline bool ClockFields(const char* p, unsigned* h, unsigned* mi,
                                               unsigned* sec) {
  constexpr uint64_t kDigits = 0xffff00ffff00ffffull;  // bytes 0,1 3,4 6,7
  constexpr uint64_t kColons = 0x00003a00003a0000ull;  // ':' at bytes 2 and 5
  uint64_t w;
  std::memcpy(&w, p, 8);
  uint64_t t = (w ^ 0x3030303030303030ull) & kDigits;
  uint64_t over = (t | ((t & 0x7f7f7f7f7f7f7f7full) + 0x7676767676767676ull)) &
                  0x8080808080808080ull & kDigits;  // a byte > 9
  if (over != 0 || (w & ~kDigits) != kColons) return false;
  uint64_t pairs = t * 10 + (t >> 8);  // byte 0, 3, 6: tens * 10 + ones
  *h = static_cast<unsigned>(pairs & 0xff);
  *mi = static_cast<unsigned>((pairs >> 24) & 0xff);
  *sec = static_cast<unsigned>((pairs >> 48) & 0xff);
  return true;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Parses the zone suffix at s[pos..]: "", "Z", "z", "+HH:MM", "+HHMM", "+HH".
bool ParseZone(std::string_view s, size_t pos, int64_t* offset_s) {
  *offset_s = 0;
  if (pos == s.size()) return true;
  if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) return true;
  if (s[pos] != '+' && s[pos] != '-') return false;
  int sign = s[pos] == '-' ? -1 : 1;
  int hh = 0, mm = 0;
  if (!Digits(s, pos + 1, 2, &hh)) return false;
  size_t p = pos + 3;
  if (p < s.size()) {
    if (s[p] == ':') ++p;
    if (!Digits(s, p, 2, &mm) || p + 2 != s.size()) return false;
  }
  if (hh > 18 || mm > 59) return false;
  *offset_s = sign * (hh * 3600 + mm * 60);
  return true;
}

// The date at s[0, 10) (s has at least 19 bytes) as days since 1970-01-01.
bool ParseDate(std::string_view s, int64_t* days) {
  const char* p = s.data();
  unsigned century = Two(p), year = Two(p + 2), mo = Two(p + 5), d = Two(p + 8);
  if (p[4] != '-' || p[7] != '-' || century > 99 || year > 99) return false;
  int y = static_cast<int>(century * 100 + year);
  if (y < kMinYear || y > kMaxYear || mo < 1 || mo > 12 || d < 1 ||
      d > static_cast<unsigned>(DaysInMonth(y, static_cast<int>(mo))))
    return false;
  *days = DaysFromCivil(y, mo, d);
  return true;
}

}  // namespace

bool ParseTimestamp(std::string_view s, int64_t* ms, DateCache* cache) {
  // YYYY-MM-DD[T ]HH:MM:SS
  if (s.size() < 19) return false;
  int64_t days = 0;
  if (cache->valid && std::memcmp(s.data(), cache->text, sizeof(cache->text)) == 0) {
    days = cache->days;
  } else {
    if (!ParseDate(s, &days)) return false;
    std::memcpy(cache->text, s.data(), sizeof(cache->text));
    cache->days = days;
    cache->valid = true;
  }
  const char* p = s.data();
  unsigned h, mi, sec;
  if ((p[10] != 'T' && p[10] != ' ' && p[10] != 't') || !ClockFields(p + 11, &h, &mi, &sec) ||
      h > 23 || mi > 59 || sec > 60)
    return false;
  size_t pos = 19;
  int frac_ms = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    size_t start = pos;
    int scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac_ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return false;
  }
  int64_t offset_s = 0;
  if (!ParseZone(s, pos, &offset_s)) return false;
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_s;
  *ms = secs * 1000 + frac_ms;
  return true;
}

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    i = 1;
  }
  if (i == s.size() || s.size() - i > 18) return false;  // no overflow below 10^18
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    unsigned d = static_cast<unsigned char>(s[i]) - '0';
    if (d > 9) return false;
    v = v * 10 + d;
  }
  *out = neg ? -v : v;
  return true;
}

}  // namespace exfilter::internal
