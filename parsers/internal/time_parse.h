// Timestamp parsing for every form the audit services write, to UTC
// milliseconds: M365 "2020-02-07T16:44:07" (no zone = UTC), Panther
// "2022-12-12 19:31:41" and "2022-12-20 17:27:47.080000000", Google
// "2020-10-02T15:00:00Z" / "2025-07-25T06:45:36.066Z", Box local offsets
// "2022-07-19T07:18:04-07:00" (even "-08:02"), "+0100" and "+01".
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "util/civil_date.h"

namespace exfilter::internal {

// Years outside this range are reported as bad_time.
inline constexpr int kMinYear = 1970;
inline constexpr int kMaxYear = 2200;

// The last date (YYYY-MM-DD) parsed and its day number: consecutive events
// mostly share their date, so its digits are checked and converted once.
struct DateCache {
  char text[10] = {};
  int64_t days = 0;
  bool valid = false;
};

// Parses text into *ms (UTC). False on any other form or an out-of-range
// field (month 13, hour 24, offset beyond 18 h, year outside the range).
bool ParseTimestamp(std::string_view text, int64_t* ms, DateCache* cache);
inline bool ParseTimestamp(std::string_view text, int64_t* ms) {
  DateCache cache;
  return ParseTimestamp(text, ms, &cache);
}

// "123", "-5", "1.5e3" is refused: only integers. False if not an integer.
bool ParseInt64(std::string_view text, int64_t* out);

}  // namespace exfilter::internal
