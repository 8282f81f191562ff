// Chunk is the unit that travels through the pipeline: a buffer of complete
// input lines (hundreds of KB) read from one source, plus the per-chunk result
// a parse worker attaches (ChunkPayload) for the ordered stage to consume.
// Chunks are allocated once into a pool whose size is the memory budget and
// circulate reader -> parse worker -> ordered stage -> pool; no chunk is ever
// freed or allocated while the pipeline runs.
// Thread safety: a chunk is owned by exactly one stage at a time; the queue
// hand-off is the synchronization point.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace exfilter {

// What a parse worker leaves on a chunk. The concrete type belongs to whoever
// builds the pipeline's stages (agent/ for the real parser and detector).
class ChunkPayload {
 public:
  virtual ~ChunkPayload() = default;
};

// An over-long line the reader skipped: where it starts in its source, its
// true length (without its newline), and what it starts like when that is an
// API page (EnvelopeHint; "" otherwise).
struct LongLine {
  uint64_t offset = 0;
  uint64_t length = 0;
  std::string_view looks_like;
  bool operator==(const LongLine&) const = default;
};

struct Chunk {
  // The chunk's bytes: the owned buffer, or (zero-copy) a memory-mapped file
  // range `ext`. Either way at least SIMDJSON_PADDING readable bytes follow.
  const char* bytes() const { return ext != nullptr ? ext : buf.get(); }
  std::string_view view() const { return {bytes(), len}; }
  // The owned buffer the reader fills: capacity() + SIMDJSON_PADDING bytes;
  // the padding after len is zeroed on submit and never part of len.
  char* data() { return buf.get(); }
  size_t capacity() const { return cap; }

  // Grows the buffer (rare: only for lines longer than the chunk size),
  // keeping the first `keep` bytes.
  void Reserve(size_t want, size_t keep) {
    if (want <= cap) return;
    // Not zeroed: pages are touched only when used (the padding is zeroed
    // per chunk by Pipeline::SubmitChunk).
    std::unique_ptr<char[]> bigger(new char[want + simdjson::SIMDJSON_PADDING]);
    if (keep > 0) std::memcpy(bigger.get(), buf.get(), keep);
    buf = std::move(bigger);
    cap = want;
  }

  std::unique_ptr<char[]> buf;
  size_t cap = 0;
  size_t len = 0;            // bytes of complete lines in bytes()
  const char* ext = nullptr; // zero-copy: bytes live in a mapping the reader keeps alive
  bool drop_pages = false;   // ext is a read-only mapping of the whole file (ext - begin_offset
                             // is its start): drop its pages once consumed
  uint64_t seq = 0;          // global input order; the ordered stage sorts on it
  uint32_t source = 0;       // index in the SourceTable
  uint64_t begin_offset = 0; // source offset of buf[0]
  uint64_t end_offset = 0;   // source offset after the last byte this chunk consumed
  // Dead-letter records (ChunkReader::AppendTooLongRecord) of over-long lines
  // the reader skipped before this chunk's bytes. Cleared, not freed, on reuse.
  std::string too_long;
  // Each over-long line skipped before this chunk's bytes, whether or not it
  // has a record.
  std::vector<LongLine> too_long_lines;
  bool end_of_source = false;       // last chunk of a source that will not grow again
  bool marker_only = false;         // no bytes: carries only end_of_source / offsets
  std::unique_ptr<ChunkPayload> payload;
};

}  // namespace exfilter
