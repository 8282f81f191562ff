// The isolate-and-restart parse loop (STYLE.md "The parse loop"). Runs of
// good records are read in batches of whole lines: simdjson's stage 1 indexes
// a batch, then the cursor (json_util.h) walks its records. Stage 1 fails by
// batch (a bad UTF-8 byte fails its batch, an unclosed string swallows the
// next line), so at a failure the parser switches to line mode: each line is
// indexed and read alone and reported, and after kGoodRun good lines in a row
// the stream restarts. A value may span lines (pretty-printed pages); an
// unfinished one at the end of the chunk is left to the caller as tail.
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
// Batch: small enough that the batch text and its structural index stay in
// L2 while the records are read. A value that continues past its batch is
// indexed again with a batch that holds it (up to the capacity).
constexpr size_t kMinParserBytes = size_t{1} << 20;
constexpr size_t kBatchBytes = size_t{128} << 10;
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

std::unique_ptr<simdjson::internal::dom_parser_implementation> MakeStage1(size_t capacity) {
  std::unique_ptr<simdjson::internal::dom_parser_implementation> impl;
  if (simdjson::get_active_implementation()->create_dom_parser_implementation(
          capacity, simdjson::DEFAULT_MAX_DEPTH, impl) != simdjson::SUCCESS)
    std::abort();  // out of memory at start-up
  return impl;
}

size_t Capacity(const ParserOptions& o) { return std::max(o.max_record_bytes, kMinParserBytes); }

}  // namespace

ParserState::ParserState(ParserOptions options)
    : options_(std::move(options)),
      stage1_(MakeStage1(Capacity(options_))),
      strings_(stage1_.get(), Capacity(options_)),
      capacity_(Capacity(options_)),
      batch_bytes_(std::min(kBatchBytes, capacity_)) {
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

error_code ParserState::Index(std::string_view text, Cursor* c) {
  if (text.size() > capacity_) return simdjson::CAPACITY;
  error_code e = stage1_->stage1(reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                                 simdjson::stage1_mode::regular);
  if (e) return e;
  const uint32_t* idx = stage1_->structural_indexes.get();
  strings_.StartBatch(text.data(), text.data() + text.size());
  *c = Cursor(text.data(), idx, idx + stage1_->n_structural_indexes, &strings_);
  return simdjson::SUCCESS;
}

size_t ParserState::BatchEnd(size_t pos, size_t end, size_t least) const {
  size_t want = std::max(least, batch_bytes_);
  if (end - pos <= want) return end;
  const char* nl = FindLastNewline(data_ + pos, want);
  if (nl != nullptr && static_cast<size_t>(nl + 1 - data_) > pos + least) return nl + 1 - data_;
  nl = FindByte(data_ + pos + want, '\n', end - pos - want);  // one line longer than a batch
  return nl == nullptr ? end : nl + 1 - data_;
}

size_t ParserState::RunStream(size_t pos, size_t end, bool final, bool* failed) {
  size_t least = 0;
  while (pos < end) {
    size_t batch_end = BatchEnd(pos, end, least);
    error_code index_error = simdjson::SUCCESS;
    size_t stop = RunBatch(pos, batch_end, failed, &index_error);
    if (*failed && index_error == simdjson::UNCLOSED_STRING && final && batch_end == end) {
      // The input ends inside a string: read the lines before the last one;
      // the value still open there is truncated.
      const char* nl = FindLastNewline(data_ + pos, end - pos);
      size_t cut = nl == nullptr ? pos : nl + 1 - data_;
      if (cut == pos) return pos;  // one line: line mode reports it
      *failed = false;
      stop = RunBatch(pos, cut, failed, &index_error);
    }
    if (*failed) return stop;
    least = 0;
    if (stop == batch_end) {
      pos = batch_end;
      continue;
    }
    // A value continues past the batch: index it again with more lines.
    if (batch_end < end && batch_end - stop < capacity_) {
      least = std::min(capacity_, 2 * (batch_end - stop));
      pos = stop;
      continue;
    }
    // An unfinished value at the end: a broken line followed by good lines
    // (isolate it), or a pretty-printed page still arriving (keep it as the
    // caller's tail; at the end of input it is one truncated record).
    if (batch_end - stop >= capacity_ || LooksLikeWholeLine(stop, end)) {
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
  return end;
}

size_t ParserState::RunBatch(size_t pos, size_t batch_end, bool* failed,
                             error_code* index_error) {
  Cursor c;
  error_code e = Index({data_ + pos, batch_end - pos}, &c);
  if (e == simdjson::EMPTY) return batch_end;  // blank lines
  if (e) {
    *index_error = e;
    *failed = true;
    return pos;
  }
  while (!c.AtEnd()) {
    const uint32_t* start = c.position();
    size_t at = pos + *start;
    error_code json_error = simdjson::SUCCESS;
    if (ProcessTop(c, /*top=*/true, &json_error) != Outcome::kJsonError) continue;
    --counters_.records;  // counted again when isolated
    if (json_error == simdjson::INCOMPLETE_ARRAY_OR_OBJECT && c.AtEnd()) {
      Cursor probe = c;  // unfinished only if the value itself runs out
      probe.Seek(start);
      if (probe.Skip() == simdjson::INCOMPLETE_ARRAY_OR_OBJECT) return at;
    }
    *failed = true;
    return at;
  }
  return batch_end;
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
    if (!text.empty() && (text.front() == '{' || text.front() == '[') && IsWholeValue(text))
      return true;
  }
  return false;
}

// True if text is exactly one complete JSON value (as far as a skip checks).
bool ParserState::IsWholeValue(std::string_view text) {
  Cursor c;
  if (Index(text, &c) != simdjson::SUCCESS) return false;
  if (c.Type() == JsonType::kString) {
    std::string_view s;
    if (c.GetStr(&s) != simdjson::SUCCESS) return false;
  } else if (c.Type() == JsonType::kBool || c.Type() == JsonType::kNull) {
    bool ignored;
    if (c.GetBoolish(&ignored) != simdjson::SUCCESS) return false;
  } else if (c.Type() == JsonType::kNumber) {
    std::string_view s;
    if (c.GetStrOrNum(&s) != simdjson::SUCCESS) return false;
  } else if (c.Skip() != simdjson::SUCCESS) {
    return false;
  }
  return c.AtEnd();
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
  if (text.front() != '{' && text.front() != '[') {
    if (!IsWholeValue(text)) {
      ReportJsonError(simdjson::TAPE_ERROR, text, last);
      return false;
    }
    ++counters_.records;
    Error(ParseErrorKind::kUnknownSchema, text, "not a JSON object");
    return true;
  }
  Cursor c;
  if (error_code e = Index(text, &c)) {
    ReportJsonError(e, text, last);
    return false;
  }
  while (!c.AtEnd()) {  // usually one value; more are read as in a stream
    error_code json_error = simdjson::SUCCESS;
    if (ProcessTop(c, /*top=*/true, &json_error) != Outcome::kJsonError) continue;
    ReportJsonError(json_error, text, last);
    return false;
  }
  return true;
}

void ParserState::ReportJsonError(error_code e, std::string_view raw, bool last) {
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
