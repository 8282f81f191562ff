#include "perf/gen/json_out.h"

#include "util/civil_date.h"

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
  const CivilDate date = CivilFromDays(days);
  Int(date.year);
  Char('-');
  Digits2(static_cast<int>(date.month));
  Char('-');
  Digits2(static_cast<int>(date.day));
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
