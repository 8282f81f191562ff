// SourceTable names every input the reader opened (id -> path and identity)
// and encodes / decodes the input offsets stored in the checkpoint's extra
// section. A file's identity is device + inode + a fingerprint of its first
// line, so a reused inode or a rotated file is not mistaken for the old one.
// Only live sources are encoded: the tailer retires a source when it stops
// following the file (rotated out of its patterns, deleted, or truncated and
// so renamed by a new identity), so the checkpoint does not grow by one line
// per rotation over the months a follower runs.
// Thread safety: Register/Retire/Path/Encode lock an internal mutex (control
// plane, never per event).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace exfilter {

struct FileIdentity {
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint64_t fingerprint = 0;  // StableHash of the first line (0: none yet / not a file)
  bool operator==(const FileIdentity&) const = default;
  std::string Key() const;   // "dev:ino:fingerprint"
};

class SourceTable {
 public:
  // Returns the new source's id (ids are dense, from 0).
  uint32_t Register(std::string path, FileIdentity identity);
  // The source is no longer followed: Encode leaves it out. Path(id) still
  // answers (its last chunks may still be on their way to the output).
  void Retire(uint32_t id);
  // The followed file was renamed (rotation within the patterns): messages
  // and the checkpoint name it by its new path from now on.
  void Rename(uint32_t id, std::string path);
  std::string Path(uint32_t id) const;

  // "exfilter-offsets v1\n" then "key\toffset\tpath\n" per live source whose
  // identity is known; `offsets[id]` is the consumed offset of source id.
  std::string Encode(const std::vector<uint64_t>& offsets) const;
  // Parses Encode()'s output into identity key -> offset. Bad lines are skipped.
  static absl::flat_hash_map<std::string, uint64_t> Decode(std::string_view extra);

 private:
  struct Entry {
    std::string path;
    FileIdentity identity;
    bool retired = false;
  };
  // std::mutex: Debian's Abseil is not built for ThreadSanitizer, which then
  // cannot see absl::Mutex's synchronization.
  mutable std::mutex mu_;
  std::vector<Entry> entries_;  // guarded by mu_
};

}  // namespace exfilter
