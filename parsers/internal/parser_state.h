// The state behind a ChunkParser: simdjson's stage 1 (built once), the
// reusable Record, scratch space, counters, and the isolate-and-restart parse
// loop. chunk_parser.cc holds the loop, record_events.cc turns one JSON value
// into events, generic_reader.cc applies a GenericMapping.
// Thread safety: none; owned by one ChunkParser.
#pragma once

#include <cstddef>
#include <string_view>

#include "parsers/chunk_parser.h"
#include "parsers/internal/json_util.h"
#include "parsers/internal/record.h"
#include "parsers/internal/scratch.h"
#include "parsers/internal/time_parse.h"

namespace exfilter::internal {

class ParserState {
 public:
  explicit ParserState(ParserOptions options);

  size_t Parse(const char* data, size_t len, SinkRef sink);
  void ParseLast(const char* data, size_t len, SinkRef sink);
  void Reset() {
    skipping_ = false;
    line_mode_ = false;
  }

  ParserOptions options_;
  ParseCounters counters_;

 private:
  enum class Outcome { kOk, kSchemaError, kJsonError };

  // chunk_parser.cc
  void Begin(const char* data, size_t len, SinkRef sink);
  size_t ParseRange(size_t pos, size_t end, bool final);
  // Reads the records of [pos, end) in batches. Returns where it stopped;
  // *failed says the record there must be isolated (line mode).
  size_t RunStream(size_t pos, size_t end, bool final, bool* failed);
  // One batch: stage 1 over [pos, batch_end), then its records. Returns
  // where it stopped: batch_end, or the start of a value that continues past
  // it (*failed false), or of a bad record (*failed true; *index_error is
  // stage 1's error if the whole batch failed there).
  size_t RunBatch(size_t pos, size_t batch_end, bool* failed, error_code* index_error);
  // The batch after pos: whole lines, about batch_bytes_ (at least `least`).
  size_t BatchEnd(size_t pos, size_t end, size_t least) const;
  // Stage 1 over text; on success, a cursor over its structurals.
  error_code Index(std::string_view text, Cursor* c);
  size_t RunLines(size_t pos, size_t end, bool final);
  bool ParseOneLine(size_t start, size_t end, bool last);
  bool LooksLikeWholeLine(size_t start, size_t end);
  bool IsWholeValue(std::string_view text);
  void ReportJsonError(error_code e, std::string_view raw, bool last);

  // record_events.cc
  // Reads the value at c (consuming it) and emits its events or its error.
  Outcome ProcessTop(Cursor& c, bool top, error_code* json_error);
  Outcome ProcessObject(Cursor& c, Record& r, bool top, error_code* json_error);
  std::string_view ValueText(const Cursor& start, error_code* json_error);
  void EmitElements(const Record& page, const Cursor& at);
  Outcome EmitRecord(Record& r, Service s, std::string_view raw);
  Outcome EmitM365(Record& r, std::string_view raw);
  Outcome EmitGoogle(Record& r, std::string_view raw);
  Outcome EmitBox(Record& r, std::string_view raw);
  bool ParseTime(std::string_view text, const char* field, std::string_view raw, int64_t* ms);
  void Emit(const AuditEvent& ev);
  void Error(ParseErrorKind kind, std::string_view raw, std::string_view detail);
  Outcome Fail(ParseErrorKind kind, std::string_view raw, std::string_view detail) {
    Error(kind, raw, detail);
    return Outcome::kSchemaError;
  }

  // generic_reader.cc
  bool GenericMatches(const Cursor& root);
  Outcome EmitGeneric(const Cursor& root, std::string_view raw, error_code* json_error);

  std::unique_ptr<simdjson::internal::dom_parser_implementation> stage1_;
  StringBuffer strings_;
  Record rec_, elem_rec_;
  Scratch scratch_;
  DateCache dates_;
  unsigned mask_ = kBitM365 | kBitGoogle | kBitBox;
  size_t capacity_;
  size_t batch_bytes_;

  const char* data_ = nullptr;   // the current call's buffer
  const char* limit_ = nullptr;  // data_ + len + kParsePadding
  SinkRef sink_{};
  bool skipping_ = false;        // inside an over-long line, until its newline
  bool line_mode_ = false;       // isolating records one line at a time
  int good_run_ = 0;             // good lines in a row while in line mode
};

}  // namespace exfilter::internal
