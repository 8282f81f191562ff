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
  int y, mo, d;
  if (!Digits(s, 0, 4, &y) || s[4] != '-' || !Digits(s, 5, 2, &mo) || s[7] != '-' ||
      !Digits(s, 8, 2, &d))
    return false;
  if (y < kMinYear || y > kMaxYear || mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo))
    return false;
  *days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
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
  int h, mi, sec;
  if ((s[10] != 'T' && s[10] != ' ' && s[10] != 't') || !Digits(s, 11, 2, &h) || s[13] != ':' ||
      !Digits(s, 14, 2, &mi) || s[16] != ':' || !Digits(s, 17, 2, &sec))
    return false;
  if (h > 23 || mi > 59 || sec > 60) return false;
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
