#include "perf/gen/json_out.h"

namespace exfilter::gen {

void OutBuffer::Guid(uint64_t a, uint64_t b) {
  Hex(a >> 32, 8);
  Char('-');
  Hex(a >> 16, 4);
  Char('-');
  Hex(a, 4);
  Char('-');
  Hex(b >> 48, 4);
  Char('-');
  Hex(b, 12);
}

void OutBuffer::Ipv4(uint32_t ip) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    Uint((ip >> shift) & 255);
    if (shift) Char('.');
  }
}

void OutBuffer::DateTime(int64_t ms, int offset_minutes) {
  int64_t secs = ms / 1000 + offset_minutes * 60;
  if (ms < 0 && ms % 1000) --secs;
  int64_t days = secs / 86400, rem = secs % 86400;
  if (rem < 0) rem += 86400, --days;
  // Howard Hinnant's civil_from_days.
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  Int(y);
  Char('-');
  Digits2(static_cast<int>(m));
  Char('-');
  Digits2(static_cast<int>(d));
  Char('T');
  Digits2(static_cast<int>(rem / 3600));
  Char(':');
  Digits2(static_cast<int>(rem / 60 % 60));
  Char(':');
  Digits2(static_cast<int>(rem % 60));
}

void OutBuffer::ZoneOffset(int minutes) {
  Char(minutes < 0 ? '-' : '+');
  if (minutes < 0) minutes = -minutes;
  Digits2(minutes / 60);
  Char(':');
  Digits2(minutes % 60);
}

void AppendRfc3339(OutBuffer& out, int64_t ms, bool millis) {
  out.DateTime(ms);
  if (millis) {
    out.Char('.');
    out.Digits3(static_cast<int>(((ms % 1000) + 1000) % 1000));
  }
  out.Char('Z');
}

}  // namespace exfilter::gen
