// The output of `exfilter inspect`: one JSON object per input event with its
// normalized fields under stable keys, and one per bad record with the error
// kind and line number. How a user checks what exfilter understood of their
// logs, and how a generic mapping is debugged.
//
// Event line (keys always present, in this order; absent fields are ""):
//   {"service":"m365","tenant":"...","user":"a@b.com","time":"2020-02-07T16:44:07.000Z",
//    "action":"upload","op":"FileUploaded","ip":"81.2.69.143","object":"...",
//    "destination":"","app":"","user_agent":"...","id":"...","user_id":"...","primary":true}
//   "time" is RFC 3339 UTC with milliseconds, or null when the event had none.
// Error line:
//   {"error":"malformed_json","line":12,"source":"audit.json","detail":"..."}
//   A too_long line that starts like an API page adds "hint" (what to do).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "parsers/audit_event.h"
#include "parsers/parse_error.h"

namespace exfilter {

// Appends the event's JSON object (no newline) to *out; strings are escaped.
void AppendInspectJson(const AuditEvent& ev, std::string* out);

// Appends the error object (no newline). `line` is 1-based; `source` is the
// file name ("-" for stdin); a non-empty `hint` is added as "hint".
void AppendInspectErrorJson(const ParseError& err, uint64_t line, std::string_view source,
                            std::string* out, std::string_view hint = {});

// Appends ms since the epoch as "YYYY-MM-DDTHH:MM:SS.mmmZ".
void AppendRfc3339Millis(int64_t time_ms, std::string* out);

// Appends s as a JSON string literal with quotes and escapes.
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace exfilter
