// ChunkReader cuts an Input into chunks of complete lines and submits them to
// the Pipeline. A partial last line stays in the source's cursor until its
// newline arrives (or FlushPartial takes it at end of input); a line longer
// than max_line_bytes is skipped up to its newline and counted (kTooLong),
// never the rest of the input; its first long_line_prefix bytes and its true
// length travel on the next chunk (Chunk::too_long) for the dead letter.
// Thread safety: none; used by the one reader thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "pipeline/counters.h"
#include "pipeline/input.h"
#include "pipeline/pipeline.h"

namespace exfilter {

// Where the reader stands in one source. `offset` is the source offset of
// the first byte not yet handed to a chunk (the checkpointable position once
// every chunk before it is consumed).
struct SourceCursor {
  uint32_t id = 0;
  uint64_t offset = 0;
  std::string carry;      // bytes after `offset` already read: a partial line
  bool skipping = false;  // inside an over-long line
  LongLine long_line;         // skipping: the over-long line (length so far)
  std::string long_prefix;   // skipping: its first bytes
  std::string too_long;      // records of ended over-long lines not yet on a chunk
  std::vector<LongLine> too_long_lines;  // those lines (also without records)
};

struct ReaderOptions {
  size_t max_line_bytes = 1 << 20;
  size_t long_line_prefix = 4096;  // bytes of an over-long line kept for the dead letter
                                   // (at most max_line_bytes; 0: none)
};

// The dead-letter record of an over-long line: its first bytes, then
// " [exfilter: too_long, N bytes]" with its true length (without the
// newline), then a newline. Appends to *out.
void AppendTooLongRecord(std::string_view prefix, uint64_t length, std::string* out);

class ChunkReader {
 public:
  ChunkReader(Pipeline* pipeline, const ReaderOptions& options, PipelineCounters* counters);
  ~ChunkReader();

  // Reads `in` until it has no bytes now (or `stop` is set), submitting every
  // complete line. Returns the number of bytes read; an error is the input's.
  absl::StatusOr<uint64_t> Pump(Input& in, SourceCursor& cur, const std::atomic<bool>* stop = nullptr);

  // Hands over the partial last line as if it ended with a newline, and
  // marks the chunk as the end of the source. Used when a file read to its
  // end has no final newline, or a tailed file is rotated away.
  void FlushPartial(SourceCursor& cur);

  // Zero-copy path for a memory-mapped regular file of `size` bytes at
  // `base` (the caller keeps the mapping until Pipeline::CloseInput): hands
  // it over from cur.offset to its end in chunks of complete lines that
  // point into the mapping; the last line is taken even without a newline.
  // `file_mapping`: base is a read-only file mapping whose consumed pages may
  // be dropped from the resident set (never for anonymous memory).
  void PumpMapped(const char* base, size_t size, SourceCursor& cur, bool file_mapping,
                  const std::atomic<bool>* stop = nullptr);

  // Returns the held chunk to the pipeline (as an empty chunk). Call before
  // Pipeline::CloseInput.
  void Release();

 private:
  Chunk* Take();
  // Frames c[0..len) for `cur`; submits the complete lines, keeps the rest.
  void Frame(Chunk* c, size_t len, SourceCursor& cur);
  // Over-long line bookkeeping: the first bytes are in `prefix`.
  // An over-long line of `len` bytes so far at source offset `offset`.
  void BeginLongLine(SourceCursor& cur, uint64_t offset, const char* prefix, size_t len);
  void EndLongLine(SourceCursor& cur);
  // Moves the cursor's pending over-long records onto `c`.
  static void Attach(Chunk* c, SourceCursor& cur);

  Pipeline* pipeline_;
  ReaderOptions options_;
  PipelineCounters* counters_;
  Chunk* held_ = nullptr;  // acquired but not yet submitted
};

}  // namespace exfilter
