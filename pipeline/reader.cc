#include "pipeline/reader.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "pipeline/record_cut.h"
#include "util/envelope_hint.h"

namespace exfilter {

ChunkReader::ChunkReader(Pipeline* pipeline, const ReaderOptions& options, PipelineCounters* counters)
    : pipeline_(pipeline), options_(options), counters_(counters) {}

ChunkReader::~ChunkReader() { Release(); }

void ChunkReader::Release() {
  if (held_ == nullptr) return;
  held_->len = 0;
  held_->marker_only = true;
  pipeline_->SubmitChunk(held_);
  held_ = nullptr;
}

Chunk* ChunkReader::Take() {
  Chunk* c = held_ != nullptr ? held_ : pipeline_->AcquireChunk();
  held_ = nullptr;
  return c;
}

absl::StatusOr<uint64_t> ChunkReader::Pump(Input& in, SourceCursor& cur, const std::atomic<bool>* stop) {
  const size_t want = pipeline_->ChunkBytes();
  uint64_t total = 0;
  while (stop == nullptr || !stop->load(std::memory_order_relaxed)) {
    Chunk* c = Take();
    size_t len = cur.carry.size();
    c->Reserve(len + want, 0);
    if (len > 0) std::memcpy(c->data(), cur.carry.data(), len);
    cur.carry.clear();
    bool no_more_now = false;
    size_t fresh = 0;
    while (fresh < want) {
      absl::StatusOr<size_t> n = in.Read(c->data() + len, want - fresh);
      if (!n.ok()) {
        cur.carry.assign(c->data(), len);
        held_ = c;
        return n.status();
      }
      len += *n;
      fresh += *n;
      total += *n;
      counters_->Add(counters_->bytes_read, *n);
      if (*n == 0) {  // end of data for now
        no_more_now = true;
        break;
      }
      // A short read: take what is already there, but do not wait for more.
      if (fresh < want && !in.MoreNow()) break;
    }
    Frame(c, len, cur);
    if (no_more_now) return total;
  }
  return total;
}

void AppendTooLongRecord(std::string_view prefix, uint64_t length, std::string* out) {
  out->append(prefix.data(), prefix.size());
  absl::StrAppend(out, " [exfilter: too_long, ", length, " bytes]\n");
}

void ChunkReader::BeginLongLine(SourceCursor& cur, uint64_t offset, const char* prefix, size_t len) {
  counters_->Add(counters_->errors[static_cast<int>(ErrorKind::kTooLong)], 1);
  cur.skipping = true;
  // At least max_line_bytes is at hand: enough for the hint's few hundred bytes.
  cur.long_line = LongLine{offset, len, EnvelopeHint({prefix, len})};
  // At most max_line_bytes: that much is always at hand when a line is found too long.
  cur.long_prefix.assign(prefix, std::min({len, options_.long_line_prefix, options_.max_line_bytes}));
}

void ChunkReader::EndLongLine(SourceCursor& cur) {
  cur.skipping = false;
  if (options_.long_line_prefix > 0) AppendTooLongRecord(cur.long_prefix, cur.long_line.length, &cur.too_long);
  cur.too_long_lines.push_back(cur.long_line);
  cur.long_prefix.clear();
}

void ChunkReader::Attach(Chunk* c, SourceCursor& cur) {
  if (cur.too_long_lines.empty()) return;
  c->too_long.append(cur.too_long);
  c->too_long_lines.insert(c->too_long_lines.end(), cur.too_long_lines.begin(), cur.too_long_lines.end());
  cur.too_long.clear();
  cur.too_long_lines.clear();
}

void ChunkReader::Frame(Chunk* c, size_t len, SourceCursor& cur) {
  char* data = c->data();
  size_t start = 0;
  if (cur.skipping) {
    auto* nl = static_cast<char*>(std::memchr(data, '\n', len));
    if (nl == nullptr) {
      cur.offset += len;
      cur.long_line.length += len;
      held_ = c;
      return;
    }
    start = static_cast<size_t>(nl - data) + 1;
    cur.offset += start;
    cur.long_line.length += start - 1;
    EndLongLine(cur);
  }
  const size_t lines_end = RecordCut(data, start, len, len, options_.max_line_bytes);
  const size_t tail = len - lines_end;
  if (tail > options_.max_line_bytes) {
    BeginLongLine(cur, cur.offset + (lines_end - start), data + lines_end, tail);
  } else {
    cur.carry.assign(data + lines_end, tail);
  }
  if (lines_end == start) {  // no complete line: keep the chunk for the next read
    if (!cur.too_long_lines.empty()) {  // unless over-long lines wait: they go on an empty chunk
      c->len = 0;
      c->marker_only = true;
      c->source = cur.id;
      c->begin_offset = c->end_offset = cur.offset;
      Attach(c, cur);
      pipeline_->SubmitChunk(c);
    } else {
      held_ = c;
    }
    if (cur.skipping) cur.offset += tail;
    return;
  }
  if (start > 0) std::memmove(data, data + start, lines_end - start);
  c->len = lines_end - start;
  c->source = cur.id;
  c->begin_offset = cur.offset;
  c->end_offset = cur.offset + c->len;
  cur.offset = c->end_offset;
  if (cur.skipping) cur.offset += tail;
  Attach(c, cur);
  pipeline_->SubmitChunk(c);
}

void ChunkReader::FlushPartial(SourceCursor& cur) {
  Chunk* c = Take();
  const size_t len = cur.carry.size();
  c->Reserve(len + 1, 0);
  if (len > 0) {
    std::memcpy(c->data(), cur.carry.data(), len);
    c->data()[len] = '\n';
    c->len = len + 1;
  }
  c->source = cur.id;
  c->begin_offset = cur.offset;
  c->end_offset = cur.offset + len;
  c->end_of_source = true;
  c->marker_only = len == 0;
  cur.offset += len;
  cur.carry.clear();
  if (cur.skipping) EndLongLine(cur);  // the over-long line ends with its source
  Attach(c, cur);
  pipeline_->SubmitChunk(c);
}

}  // namespace exfilter

namespace exfilter {

void ChunkReader::PumpMapped(const char* base, size_t size, SourceCursor& cur, bool file_mapping,
                             const std::atomic<bool>* stop) {
  const size_t want = pipeline_->ChunkBytes();
  const size_t pad = simdjson::SIMDJSON_PADDING;
  size_t pos = cur.offset;
  while (pos < size && size - pos > want + pad && (stop == nullptr || !stop->load(std::memory_order_relaxed))) {
    size_t end = RecordCut(base, pos, pos + want, size, options_.max_line_bytes);
    if (end == pos) {  // a line longer than a chunk: find where it ends
      const char* e = static_cast<const char*>(std::memchr(base + pos + want, '\n', size - pos - want));
      end = e != nullptr ? static_cast<size_t>(e - base) + 1 : size;
      if (end - pos > options_.max_line_bytes) {
        BeginLongLine(cur, pos, base + pos, end - pos);
        cur.long_line.length = e != nullptr ? end - pos - 1 : end - pos;  // without its newline
        EndLongLine(cur);
        counters_->Add(counters_->bytes_read, end - pos);
        pos = end;
        cur.offset = pos;
        continue;
      }
      if (end + pad > size) break;  // near the end: the copying path below takes it
    }
    Chunk* c = Take();
    c->ext = base + pos;
    c->drop_pages = file_mapping;
    c->len = end - pos;
    c->source = cur.id;
    c->begin_offset = pos;
    c->end_offset = end;
    counters_->Add(counters_->bytes_read, c->len);
    pos = end;
    cur.offset = pos;
    Attach(c, cur);
    pipeline_->SubmitChunk(c);
  }
  if (stop != nullptr && stop->load(std::memory_order_relaxed)) return;
  // The last bytes (no readable padding after them in the mapping) are copied.
  std::unique_ptr<Input> rest = StringInput(std::string(base + pos, size - pos));
  (void)Pump(*rest, cur, stop);
  FlushPartial(cur);
}

}  // namespace exfilter
