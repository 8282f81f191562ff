// Tailer follows files named by paths and globs as a log agent does (tail -F):
// files that start matching a glob are picked up; rename rotation (the old
// file is read to its end, then the new one from its head), copytruncate and
// truncate-and-rewrite (the file shrinks: read again from 0) are handled; a
// file is known by device + inode + fingerprint of its first line, so inode
// reuse and two files with the same first line are told apart. A partial
// last line waits for its newline; it is taken when the file is rotated away.
// A file that leaves the patterns and comes back (renamed out and back in)
// goes on where it was left, for the last kDroppedMemory files dropped.
// All I/O goes through FileSystem, so tests drive it with an in-memory fake.
// Thread safety: none; Poll runs on the one reader thread.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "pipeline/file_source.h"
#include "pipeline/reader.h"
#include "pipeline/silence.h"
#include "pipeline/source_table.h"

namespace exfilter {

struct TailOptions {
  bool from_tail = false;  // files present at the first scan start at their end
};

class Tailer {
 public:
  static constexpr size_t kDroppedMemory = 1024;  // offsets of files no longer followed

  // `resume`: identity key -> offset from the checkpoint (SourceTable::Decode).
  Tailer(FileSystem* fs, std::vector<std::string> patterns, const TailOptions& options, SourceTable* sources,
         absl::flat_hash_map<std::string, uint64_t> resume);
  ~Tailer();

  // One scan: finds new, rotated and truncated files and reads every file's
  // new bytes through `reader`. Returns the bytes read (0: nothing new).
  // Errors on single files are reported in warnings(), not returned.
  uint64_t Poll(ChunkReader& reader, const std::atomic<bool>* stop);

  // Files currently followed (path, source id), for stats and tests.
  std::vector<std::pair<std::string, uint32_t>> Files() const;
  // Files currently followed with the offset read so far (silence watch).
  std::vector<SourceProgress> Progress() const;
  // Warnings since the last call (unreadable files, bad patterns). Each
  // failing pattern or path warns once while it keeps failing; one that
  // recovers or disappears is forgotten, and warns again if it fails later.
  std::vector<std::string> TakeWarnings();
  // Patterns and paths remembered as failing (bounded by those failing now).
  size_t FailingCount() const { return warned_.size(); }
  // Files dropped whose offsets are remembered (at most kDroppedMemory).
  size_t DroppedCount() const { return dropped_.size(); }

 private:
  struct Tracked;
  void Discover();
  void Track(const std::string& path, std::unique_ptr<OpenFile> file, const FileIdentity& id, bool first_scan);
  void ReadFile(Tracked& t, ChunkReader& reader, const std::atomic<bool>* stop, uint64_t* total);
  // Where a newly tracked file starts: its checkpointed or dropped offset, if any.
  bool TakeKnownOffset(const std::string& key, uint64_t* offset);
  void RememberDropped(const Tracked& t);

  FileSystem* fs_;
  std::vector<std::string> patterns_;
  TailOptions options_;
  SourceTable* sources_;
  absl::flat_hash_map<std::string, uint64_t> resume_;
  // Identity key -> (offset read, sequence number) of files dropped, and
  // the keys in the order dropped (an entry is evicted only by its own
  // sequence number: a key dropped again is not evicted by its old entry).
  absl::flat_hash_map<std::string, std::pair<uint64_t, uint64_t>> dropped_;
  std::deque<std::pair<std::string, uint64_t>> dropped_order_;
  uint64_t dropped_seq_ = 0;
  std::vector<std::unique_ptr<Tracked>> files_;
  std::vector<std::string> warnings_;
  absl::flat_hash_set<std::string> warned_;  // failing at the last scan, warned about
  bool first_scan_ = true;
};

}  // namespace exfilter
