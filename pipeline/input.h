// Input is one stream of bytes the reader cuts into chunks: a file, stdin, a
// decompressed .zst file, or an in-memory buffer in tests. Sources of other
// kinds (Fluent Bit Forward, Kafka) implement the same interface.
// Thread safety: none; an Input is used by the one reader thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace exfilter {

class Input {
 public:
  virtual ~Input() = default;
  // Reads up to `cap` bytes into `buf` (owned by the caller). Returns the
  // number read; 0 means no bytes now (end of file for a file read to its
  // end, "not yet" for a tailed one). An error Status names the input.
  virtual absl::StatusOr<size_t> Read(char* buf, size_t cap) = 0;
  // After a Read returned 0: true if the input has ended for good, false if
  // it only had nothing for now (a pipe whose writer is still there).
  virtual bool AtEnd() const { return true; }
  // After a short Read: true if another Read would return bytes at once
  // (a pipe with more data already in it), so the reader fills its chunk
  // instead of handing on a small one; false if it would wait.
  virtual bool MoreNow() { return false; }
};

// Opens `path` for reading ("-" is stdin), positioned at byte `offset` of its
// (decompressed) content. Files ending in .zst are decompressed on the fly.
// Errors: NotFound / PermissionDenied / InvalidArgument with the path and the
// system's reason, fit for a shell user.
absl::StatusOr<std::unique_ptr<Input>> OpenInput(const std::string& path, uint64_t offset = 0);

// Wraps an already open descriptor (not closed unless `owned`).
std::unique_ptr<Input> FdInput(int fd, bool owned, std::string name);

// Decompresses a zstd stream read from `compressed`.
std::unique_ptr<Input> ZstdInput(std::unique_ptr<Input> compressed, std::string name);

// Serves `text` in reads of at most `max_read` bytes (tests).
std::unique_ptr<Input> StringInput(std::string text, size_t max_read = SIZE_MAX);

}  // namespace exfilter
