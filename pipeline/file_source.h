// The small file-system interface the reader and the tailer use: glob, stat,
// open, positional reads. RealFileSystem() is POSIX; tests give the tailer an
// in-memory fake (no sleeps, no real files). Also: a file's identity
// (device + inode + fingerprint of its first line).
// Thread safety: a FileSystem may be shared; an OpenFile has one user.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "pipeline/input.h"
#include "pipeline/source_table.h"

namespace exfilter {

struct FileStat {
  uint64_t dev = 0, ino = 0, size = 0;
};

class OpenFile {
 public:
  virtual ~OpenFile() = default;
  virtual absl::StatusOr<size_t> ReadAt(uint64_t offset, char* buf, size_t n) = 0;
  virtual absl::StatusOr<FileStat> Stat() = 0;  // of the open file (follows renames)
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Matching paths in sorted order; a pattern without wildcards is itself
  // if it exists. InvalidArgument for a malformed pattern.
  virtual absl::StatusOr<std::vector<std::string>> Glob(const std::string& pattern) = 0;
  virtual absl::StatusOr<FileStat> Stat(const std::string& path) = 0;  // of the path now
  virtual absl::StatusOr<std::unique_ptr<OpenFile>> Open(const std::string& path) = 0;
};

FileSystem* RealFileSystem();
bool HasGlobChars(const std::string& s);

// Bytes hashed for the fingerprint: the first line, at most this many.
inline constexpr size_t kFingerprintBytes = 1024;
// Identity of an open file. fingerprint is 0 while the file has no complete
// first line shorter than kFingerprintBytes (not yet identifiable).
absl::StatusOr<FileIdentity> Identify(OpenFile& file);

// An Input reading `file` sequentially from `offset` (the tailer's reads).
std::unique_ptr<Input> OpenFileInput(OpenFile* file, uint64_t* offset);

}  // namespace exfilter
