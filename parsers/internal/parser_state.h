// The state behind a ChunkParser: simdjson parsers (built once), the reusable
// Record, scratch space, counters, and the isolate-and-restart parse loop.
// chunk_parser.cc holds the loop, record_events.cc turns one JSON value into
// events, generic_reader.cc applies a GenericMapping.
// Thread safety: none; owned by one ChunkParser.
#pragma once

#include <cstddef>
#include <string_view>

#include "parsers/chunk_parser.h"
#include "parsers/internal/json_util.h"
#include "parsers/internal/record.h"
#include "parsers/internal/scratch.h"

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

  // What a read record turns into. In a stream the record's end (so its raw
  // bytes) is only known when the next record starts, so delivery waits until
  // then; rec_'s views stay valid because simdjson writes its string buffer
  // only while a record is read.
  struct Pending {
    enum class Kind : uint8_t { kNone, kRecord, kPage, kError } kind = Kind::kNone;
    Service service = Service::kUnknown;
    ParseErrorKind error = ParseErrorKind::kMalformedJson;
    std::string_view detail;
    const char* start = nullptr;

    static Pending Of(Kind kind, Service service = Service::kUnknown) {
      Pending p;
      p.kind = kind;
      p.service = service;
      return p;
    }
    static Pending Err(ParseErrorKind error, std::string_view detail) {
      Pending p;
      p.kind = Kind::kError;
      p.error = error;
      p.detail = detail;
      return p;
    }
  };

  // chunk_parser.cc
  void Begin(const char* data, size_t len, SinkRef sink);
  size_t ParseRange(size_t pos, size_t end, bool final);
  // Runs iterate_many over [pos, end). Returns where it stopped; *failed says
  // the record there must be isolated (line mode).
  size_t RunStream(size_t pos, size_t end, bool final, bool* failed);
  size_t RunLines(size_t pos, size_t end, bool final);
  bool ParseOneLine(size_t start, size_t end, bool last);
  bool LooksLikeWholeLine(size_t start, size_t end);
  void ReportJsonError(simdjson::error_code e, std::string_view raw, bool last);

  // record_events.cc
  Outcome ProcessTop(od::document_reference doc, std::string_view raw, bool top,
                     simdjson::error_code* json_error);
  Outcome Deliver(const Pending& p, Record& r, std::string_view raw);
  void Finish(const Pending& p, Record& r, std::string_view raw);
  void FlushPending(const char* end);
  void EmitElements(const Record& page);
  Outcome EmitRecord(Record& r, Service s, std::string_view raw);
  Outcome EmitM365(Record& r, std::string_view raw);
  Outcome EmitGoogle(Record& r, std::string_view raw);
  Outcome EmitBox(Record& r, std::string_view raw);
  bool ParseTime(std::string_view text, const char* field, std::string_view raw, int64_t* ms);
  void Emit(const AuditEvent& ev);
  void Error(ParseErrorKind kind, std::string_view raw, std::string_view detail);

  // generic_reader.cc
  bool GenericMatches(od::document_reference doc);
  Outcome EmitGeneric(od::document_reference doc, std::string_view raw,
                      simdjson::error_code* json_error);

  od::parser parser_;
  od::parser elem_parser_;
  Record rec_, elem_rec_;
  Scratch scratch_;
  unsigned mask_ = kBitM365 | kBitGoogle | kBitBox;
  size_t batch_bytes_;

  const char* data_ = nullptr;   // the current call's buffer
  const char* limit_ = nullptr;  // data_ + len + kParsePadding
  SinkRef sink_{};
  bool skipping_ = false;        // inside an over-long line, until its newline
  bool line_mode_ = false;       // isolating records one line at a time
  bool in_stream_ = false;       // the record being read came from iterate_many
  bool defer_ = false;           // in a stream: deliver at the next record's start
  Pending pending_;
  int good_run_ = 0;             // good lines in a row while in line mode
};

}  // namespace exfilter::internal
