// BadInputLog tells the operator where bad input is: for the first records
// that could not be read, one stderr line each with the source, the line
// number (when the source was read from its start), the byte offset, the
// kind and what was wrong; after that, one line per interval with how many
// more there were. Counters (`errors=`, /metrics) and the dead-letter file
// still see every one; this is the part a person reads.
//
// It follows each source's line count chunk by chunk (chunks of a source come
// in order), so a line number costs one newline count per chunk.
// Thread safety: none; owned by the ordered stage.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "parsers/parse_error.h"
#include "pipeline/chunk.h"

namespace exfilter {

class BadInputLog {
 public:
  BadInputLog(int first_n = 10, absl::Duration interval = absl::Minutes(1))
      : first_n_(first_n), interval_(interval) {}

  // A chunk of `source` starts at `begin_offset`, right after the over-long
  // lines the reader skipped (`skipped_bytes` with their newlines). Call
  // before its TooLong() and Bad() calls.
  void StartChunk(uint32_t source, uint64_t begin_offset, uint64_t skipped_bytes);
  // Each over-long line skipped before the current chunk, in order. When it
  // starts like an API page, the message says to raise max_line_bytes.
  void TooLong(std::string_view source_name, const LongLine& line, absl::Time now, std::string* messages);
  // A bad record of the current chunk: `lines_before` newlines precede it in
  // the chunk, `offset` is its byte offset in the source. Appends a message
  // line to *messages unless the first_n are used up (then it is counted).
  void Bad(std::string_view source_name, uint64_t lines_before, uint64_t offset, ParseErrorKind kind,
           std::string_view detail, absl::Time now, std::string* messages);
  // The chunk ended at `end_offset` after `newlines` lines.
  void EndChunk(uint64_t end_offset, uint64_t newlines);
  // Reports the records held back since the last report, once per interval.
  void Tick(absl::Time now, std::string* messages);

  uint64_t held_back() const { return held_back_; }

  // What a too_long message says of a line of `length` bytes that starts
  // like `looks_like` (EnvelopeHint; "" if like nothing known).
  static std::string TooLongDetail(uint64_t length, std::string_view looks_like);

 private:
  void Report(std::string_view source_name, uint64_t line, const std::string& where, ParseErrorKind kind,
              std::string_view detail, absl::Time now, std::string* messages);

  struct Position {
    uint64_t end_offset = 0;  // where the last chunk ended
    uint64_t lines = 0;       // lines before end_offset
    bool known = false;       // lines counted from the start of the source
    bool seen = false;
  };
  int first_n_;
  absl::Duration interval_;
  int reported_ = 0;
  uint64_t held_back_ = 0;       // since the last summary
  absl::Time last_summary_ = absl::InfinitePast();
  std::vector<Position> positions_;  // by source id
  Position* current_ = nullptr;
};

}  // namespace exfilter
