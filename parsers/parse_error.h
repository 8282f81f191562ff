// Per-record parse failures and their counters. A bad record never stops a
// parse: it is reported to the sink as a ParseError (kind, where it is in the
// chunk) and counted by kind; the records around it are read normally.
// Thread safety: plain value types and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace exfilter {

// Stable names (ParseErrorKindName) are used in output, stats and tests.
enum class ParseErrorKind : uint8_t {
  kMalformedJson = 0,  // "malformed_json": not valid JSON
  kTruncated,          // "truncated": the input ends inside a record
  kInvalidUtf8,        // "invalid_utf8"
  kNulByte,            // "nul_byte": a NUL byte in the line
  kTooLong,            // "too_long": longer than ParserOptions::max_record_bytes
  kUnknownSchema,      // "unknown_schema": valid JSON, but no known audit shape
  kWrongType,          // "wrong_type": a field of the wrong JSON type
  kBadTime,            // "bad_time": unparsable or out-of-range timestamp
};
inline constexpr int kNumParseErrorKinds = 8;

std::string_view ParseErrorKindName(ParseErrorKind kind);

struct ParseError {
  ParseErrorKind kind = ParseErrorKind::kMalformedJson;
  // Byte offset of the bad record (a line, or one element of an API page)
  // within the buffer given to this Parse/ParseLast call, and its length
  // (without the newline). For a too_long line that continues past the chunk,
  // length counts only the bytes in this chunk.
  size_t offset = 0;
  size_t length = 0;
  // Static text saying what was wrong (a field name or simdjson's message);
  // never owned, valid for the life of the program.
  std::string_view detail;
};

struct ParseCounters {
  uint64_t records = 0;  // top-level JSON values read (a page counts once)
  uint64_t events = 0;   // AuditEvents delivered to the sink
  uint64_t errors[kNumParseErrorKinds] = {};

  uint64_t Errors(ParseErrorKind kind) const { return errors[static_cast<int>(kind)]; }
  uint64_t TotalErrors() const {
    uint64_t n = 0;
    for (uint64_t e : errors) n += e;
    return n;
  }
};

}  // namespace exfilter
