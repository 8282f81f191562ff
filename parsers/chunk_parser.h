// ChunkParser turns buffers of audit JSON (Microsoft 365, Google Workspace,
// Box, or a generic mapped source) into normalized AuditEvents, one call per
// read chunk of hundreds of KB, at SIMD speed (simdjson On-Demand).
//
// Input: newline-delimited JSON. A line holds one event or a whole API page
// (M365 content blob = bare array; Google {items:[...],nextPageToken};
// Box {chunk_size,entries:[...]}); each element of a page is delivered as its
// own event. A valid JSON value may also span lines (pretty-printed pages).
// The service is detected per record unless ParserOptions::format says it.
//
// Contract of Parse(data, len, sink):
//  - The caller owns the buffer. data[len .. len + kParsePadding) must be
//    readable (allocate the read buffer once with kParsePadding spare bytes;
//    their content does not matter).
//  - Returns the number of bytes consumed. The rest, data[ret, len), is an
//    unfinished last line: the caller moves it to the front of its buffer,
//    appends newly read bytes and calls Parse again. The tail never exceeds
//    max_record_bytes (a longer line is reported as too_long and skipped
//    without buffering, even across calls), so a buffer of
//    max_record_bytes + chunk size + kParsePadding always makes progress.
//  - At end of input, the caller passes the remaining tail (no newline) to
//    ParseLast(data, len, sink) (same padding rule); it is parsed as a final
//    line, and reported as truncated if it is not a complete value.
//  - Sink: any object with
//        void OnEvent(const AuditEvent& ev);   // one per event, in input order
//        void OnError(const ParseError& err);  // one per bad record, in order
//    Events and errors are delivered in input order, interleaved.
//  - Lifetimes: ev's string_views point into `data` (raw, and values without
//    JSON escapes) or into this parser's scratch space (unescaped strings,
//    lower-cased users). They are dead once OnEvent returns: the sink hashes or
//    copies what it keeps. ParseError::offset/length are relative to `data`.
//  - Line numbers: ParseError::offset is a byte offset within this call's
//    buffer. A caller that needs line numbers keeps the count of newlines it
//    has consumed so far and adds 1 + the newlines in data[0, offset)
//    (CountNewlines below).
//  - Bad input (malformed JSON, a truncated last line, invalid UTF-8, NUL
//    bytes, too long, unknown schema, wrong field types, bad times) costs only
//    its own record; every good record around it is delivered. Errors are
//    counted per kind in counters().
//  - Allocates nothing per event. One simdjson parser per ChunkParser, built
//    once (threaded = false).
// Thread safety: none. Each parser thread owns one ChunkParser.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "parsers/audit_event.h"
#include "parsers/generic_mapping.h"
#include "parsers/parse_error.h"

namespace exfilter {

// Spare readable bytes required after every buffer given to the parser
// (at least SIMDJSON_PADDING; checked in chunk_parser.cc).
inline constexpr size_t kParsePadding = 64;
inline constexpr size_t kDefaultMaxRecordBytes = size_t{1} << 20;

enum class InputFormat : uint8_t { kAuto = 0, kM365, kGoogle, kBox, kGeneric };

// "auto", "m365", "google", "box", "generic".
std::string_view InputFormatName(InputFormat f);
// Accepts the names above (and "google_workspace"); false if unknown.
bool ParseInputFormat(std::string_view name, InputFormat* out);

struct ParserOptions {
  InputFormat format = InputFormat::kAuto;
  size_t max_record_bytes = kDefaultMaxRecordBytes;
  // Used when format is kGeneric, and in kAuto for records that are none of
  // the known services but match the mapping's detect pointer.
  std::optional<GenericMapping> generic;
};

namespace internal {
// Type-erased sink so the parse loop lives in the .cc files.
struct SinkRef {
  void* sink;
  void (*on_event)(void* sink, const AuditEvent& ev);
  void (*on_error)(void* sink, const ParseError& err);
};
template <typename Sink>
SinkRef MakeSinkRef(Sink& sink) {
  return SinkRef{
      &sink, [](void* s, const AuditEvent& ev) { static_cast<Sink*>(s)->OnEvent(ev); },
      [](void* s, const ParseError& err) { static_cast<Sink*>(s)->OnError(err); }};
}
class ParserState;
}  // namespace internal

class ChunkParser {
 public:
  explicit ChunkParser(ParserOptions options = {});
  ~ChunkParser();
  ChunkParser(ChunkParser&&) noexcept;
  ChunkParser& operator=(ChunkParser&&) noexcept;

  // See the contract above. Returns bytes consumed (<= len).
  template <typename Sink>
  size_t Parse(const char* data, size_t len, Sink&& sink) {
    return ParseImpl(data, len, internal::MakeSinkRef(sink));
  }
  // The final bytes of the input, not ended by a newline. Consumes all.
  template <typename Sink>
  void ParseLast(const char* data, size_t len, Sink&& sink) {
    ParseLastImpl(data, len, internal::MakeSinkRef(sink));
  }

  // Forgets the state carried between calls (an over-long line being
  // skipped); call it before reading a different input. Counters stay.
  void Reset();

  const ParseCounters& counters() const;
  const ParserOptions& options() const;

 private:
  size_t ParseImpl(const char* data, size_t len, internal::SinkRef sink);
  void ParseLastImpl(const char* data, size_t len, internal::SinkRef sink);

  std::unique_ptr<internal::ParserState> state_;
};

// Parses a whole in-memory input (tests, small files): copies `text` once
// into a padded buffer, then Parse + ParseLast. Offsets are relative to text.
template <typename Sink>
void ParseAll(ChunkParser& parser, std::string_view text, Sink&& sink) {
  std::string buf;
  buf.reserve(text.size() + kParsePadding);
  buf.assign(text.data(), text.size());
  buf.append(kParsePadding, ' ');
  size_t done = parser.Parse(buf.data(), text.size(), sink);
  if (done < text.size()) {
    // The tail starts at `done`; shift offsets back to `text`.
    struct Shift {
      Sink& inner;
      size_t base;
      void OnEvent(const AuditEvent& ev) { inner.OnEvent(ev); }
      void OnError(const ParseError& err) {
        ParseError e = err;
        e.offset += base;
        inner.OnError(e);
      }
    } shift{sink, done};
    parser.ParseLast(buf.data() + done, text.size() - done, shift);
  }
}

// Newlines in data[0, n): the caller's line-number helper.
size_t CountNewlines(const char* data, size_t n);

}  // namespace exfilter
