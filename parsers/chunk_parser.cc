// The isolate-and-restart parse loop (STYLE.md "The parse loop"). Runs of
// good records go through simdjson iterate_many; iterate_many fails by batch
// (a bad UTF-8 byte fails its batch, an unclosed record swallows the next
// line), so at a failure the parser switches to line mode: each line is
// parsed alone with iterate() and reported, and after kGoodRun good lines in
// a row the stream restarts. A value may span lines (pretty-printed pages);
// an unfinished one at the end of the chunk is left to the caller as tail.
#include "parsers/chunk_parser.h"

#include <algorithm>
#include <cstring>

#include "parsers/internal/json_util.h"
#include "parsers/internal/parser_state.h"

namespace exfilter {

static_assert(kParsePadding >= simdjson::SIMDJSON_PADDING, "kParsePadding below SIMDJSON_PADDING");

namespace internal {
namespace {

constexpr int kGoodRun = 64;
// iterate_many batch: small enough that the batch text and its structural
// index stay in L2 while the records are read (1 MiB batches cost ~40%).
// A record longer than a batch fails the stream and is read in line mode.
constexpr size_t kMinParserBytes = size_t{1} << 20;
constexpr size_t kBatchBytes = size_t{256} << 10;
constexpr int kLookaheadLines = 8;

const char* FindByte(const char* p, char c, size_t n) {
  return static_cast<const char*>(std::memchr(p, c, n));
}

const char* FindLastNewline(const char* p, size_t n) {
  return static_cast<const char*>(memrchr(p, '\n', n));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  return TrimRight(s);
}

}  // namespace

ParserState::ParserState(ParserOptions options)
    : options_(std::move(options)),
      parser_(std::max(options_.max_record_bytes, kMinParserBytes)),
      elem_parser_(std::max(options_.max_record_bytes, kMinParserBytes)),
      batch_bytes_(std::min(kBatchBytes, std::max(options_.max_record_bytes, kMinParserBytes))) {
  parser_.threaded = false;
  elem_parser_.threaded = false;
  switch (options_.format) {
    case InputFormat::kM365: mask_ = kBitM365; break;
    case InputFormat::kGoogle: mask_ = kBitGoogle; break;
    case InputFormat::kBox: mask_ = kBitBox; break;
    default: break;
  }
  rec_.elements.reserve(1024);
  rec_.g_events.reserve(64);
  elem_rec_.g_events.reserve(64);
}

void ParserState::Begin(const char* data, size_t len, SinkRef sink) {
  data_ = data;
  limit_ = data + len + kParsePadding;
  sink_ = sink;
}

size_t ParserState::Parse(const char* data, size_t len, SinkRef sink) {
  Begin(data, len, sink);
  size_t pos = 0;
  if (skipping_) {
    const char* nl = FindByte(data, '\n', len);
    if (nl == nullptr) return len;
    skipping_ = false;
    pos = nl + 1 - data;
  }
  const char* last = FindLastNewline(data + pos, len - pos);
  size_t end = last == nullptr ? pos : last + 1 - data;
  while (true) {
    size_t done = ParseRange(pos, end, /*final=*/false);
    if (len - done <= options_.max_record_bytes) return done;
    // The unfinished tail is already too long: report it and skip its line.
    const char* nl = FindByte(data + done, '\n', len - done);
    size_t stop = nl == nullptr ? len : nl - data;
    Error(ParseErrorKind::kTooLong, {data + done, stop - done}, "record longer than the limit");
    if (nl == nullptr) {
      skipping_ = true;
      return len;
    }
    pos = stop + 1;
  }
}

void ParserState::ParseLast(const char* data, size_t len, SinkRef sink) {
  Begin(data, len, sink);
  if (skipping_) {  // the rest of an over-long line, already reported
    skipping_ = false;
    return;
  }
  ParseRange(0, len, /*final=*/true);
  line_mode_ = false;
}

size_t ParserState::ParseRange(size_t pos, size_t end, bool final) {
  while (pos < end) {
    if (line_mode_) {
      pos = RunLines(pos, end, final);
      continue;
    }
    bool failed = false;
    size_t stop = RunStream(pos, end, final, &failed);
    if (!failed) return stop;
    line_mode_ = true;
    good_run_ = 0;
    pos = stop;
  }
  return pos;
}

size_t ParserState::RunStream(size_t pos, size_t end, bool final, bool* failed) {
  od::document_stream stream;
  if (parser_.iterate_many(data_ + pos, end - pos, batch_bytes_).get(stream)) {
    *failed = true;
    return pos;
  }
  // Without a generic mapping a record's bytes end where the next one starts
  // (Deliver/FlushPending), which costs nothing; the generic reader needs them
  // up front (iterator source(), a walk over the record's structure).
  in_stream_ = true;
  defer_ = !options_.generic;
  size_t stop = end;
  for (auto it = stream.begin(); it != stream.end(); ++it) {
    size_t at = pos + it.current_index();
    FlushPending(data_ + at);
    od::document_reference doc;
    if ((*it).get(doc) != simdjson::SUCCESS) {
      *failed = true;
      stop = at;
      break;
    }
    std::string_view raw = defer_ ? std::string_view(data_ + at, 0) : TrimRight(it.source());
    if (raw.size() > options_.max_record_bytes) {
      *failed = true;  // line mode reports it as too_long
      stop = at;
      break;
    }
    simdjson::error_code json_error = simdjson::SUCCESS;
    if (ProcessTop(doc, raw, /*top=*/true, &json_error) == Outcome::kJsonError) {
      --counters_.records;  // counted again when isolated
      pending_.kind = Pending::Kind::kNone;
      *failed = true;
      stop = at;
      break;
    }
  }
  if (!*failed) stop = end - stream.truncated_bytes();
  FlushPending(data_ + stop);
  in_stream_ = false;
  defer_ = false;
  if (*failed || stop == end) return stop;
  // An unfinished value: a broken line followed by good lines (isolate it),
  // or a pretty-printed page still arriving (keep it as the caller's tail;
  // at the end of input it is one truncated record).
  if (LooksLikeWholeLine(stop, end)) {
    *failed = true;
    return stop;
  }
  if (final) {
    ++counters_.records;
    Error(ParseErrorKind::kTruncated, Trim({data_ + stop, end - stop}),
          "input ends inside a JSON value");
    return end;
  }
  return stop;
}

// True if one of the lines after the one at `start` is a complete JSON value
// on its own, i.e. the value at `start` is a broken line, not a page in
// progress.
bool ParserState::LooksLikeWholeLine(size_t start, size_t end) {
  const char* nl = FindByte(data_ + start, '\n', end - start);
  for (int i = 0; i < kLookaheadLines && nl != nullptr; ++i) {
    size_t line = nl + 1 - data_;
    if (line >= end) return false;
    nl = FindByte(data_ + line, '\n', end - line);
    size_t line_end = nl == nullptr ? end : nl - data_;
    std::string_view text = Trim({data_ + line, line_end - line});
    if (text.empty() || (text.front() != '{' && text.front() != '[')) continue;
    od::document doc;
    std::string_view json;
    if (elem_parser_.iterate(text.data(), text.size(), limit_ - text.data()).get(doc) ==
            simdjson::SUCCESS &&
        doc.raw_json().get(json) == simdjson::SUCCESS && TrimRight(json).size() == text.size())
      return true;
  }
  return false;
}

size_t ParserState::RunLines(size_t pos, size_t end, bool final) {
  while (pos < end) {
    const char* nl = FindByte(data_ + pos, '\n', end - pos);
    size_t line_end = nl == nullptr ? end : nl - data_;
    bool good = ParseOneLine(pos, line_end, final && nl == nullptr);
    pos = nl == nullptr ? end : line_end + 1;
    good_run_ = good ? good_run_ + 1 : 0;
    if (good_run_ >= kGoodRun) {
      line_mode_ = false;
      return pos;
    }
  }
  return pos;
}

bool ParserState::ParseOneLine(size_t start, size_t end, bool last) {
  std::string_view text = Trim({data_ + start, end - start});
  if (text.empty()) return true;
  if (text.size() > options_.max_record_bytes) {
    Error(ParseErrorKind::kTooLong, text, "record longer than the limit");
    return false;
  }
  if (FindByte(text.data(), '\0', text.size()) != nullptr) {
    Error(ParseErrorKind::kNulByte, text, "NUL byte in the record");
    return false;
  }
  od::document doc;
  if (auto e = parser_.iterate(text.data(), text.size(), limit_ - text.data()).get(doc)) {
    ReportJsonError(e, text, last);
    return false;
  }
  simdjson::error_code json_error = simdjson::SUCCESS;
  Outcome o = ProcessTop(od::document_reference(doc), text, /*top=*/true, &json_error);
  if (o == Outcome::kJsonError) ReportJsonError(json_error, text, last);
  return o != Outcome::kJsonError;
}

void ParserState::ReportJsonError(simdjson::error_code e, std::string_view raw, bool last) {
  ParseErrorKind kind = ParseErrorKind::kMalformedJson;
  if (e == simdjson::UTF8_ERROR) {
    kind = ParseErrorKind::kInvalidUtf8;
  } else if (e == simdjson::CAPACITY) {
    kind = ParseErrorKind::kTooLong;
  } else if (last || e == simdjson::INCOMPLETE_ARRAY_OR_OBJECT ||
             e == simdjson::UNCLOSED_STRING) {
    kind = ParseErrorKind::kTruncated;
  }
  Error(kind, raw, simdjson::error_message(e));
}

}  // namespace internal

ChunkParser::ChunkParser(ParserOptions options)
    : state_(std::make_unique<internal::ParserState>(std::move(options))) {}
ChunkParser::~ChunkParser() = default;
ChunkParser::ChunkParser(ChunkParser&&) noexcept = default;
ChunkParser& ChunkParser::operator=(ChunkParser&&) noexcept = default;

size_t ChunkParser::ParseImpl(const char* data, size_t len, internal::SinkRef sink) {
  return state_->Parse(data, len, sink);
}
void ChunkParser::ParseLastImpl(const char* data, size_t len, internal::SinkRef sink) {
  state_->ParseLast(data, len, sink);
}
void ChunkParser::Reset() { state_->Reset(); }
const ParseCounters& ChunkParser::counters() const { return state_->counters_; }
const ParserOptions& ChunkParser::options() const { return state_->options_; }

size_t CountNewlines(const char* data, size_t n) {
  size_t count = 0;
  const char* end = data + n;
  for (const char* p = data; (p = static_cast<const char*>(std::memchr(p, '\n', end - p)));
       ++p)
    ++count;
  return count;
}

}  // namespace exfilter
