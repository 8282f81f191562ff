#include "pipeline/tailer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace exfilter {

struct Tailer::Tracked {
  std::string path;
  std::unique_ptr<OpenFile> file;
  FileIdentity id;
  SourceCursor cursor;
  uint64_t read_offset = 0;  // next byte to read
  bool gone = false;         // the path no longer names this file
};

Tailer::Tailer(FileSystem* fs, std::vector<std::string> patterns, const TailOptions& options, SourceTable* sources,
               absl::flat_hash_map<std::string, uint64_t> resume)
    : fs_(fs), patterns_(std::move(patterns)), options_(options), sources_(sources), resume_(std::move(resume)) {}

Tailer::~Tailer() = default;

void Tailer::Track(const std::string& path, std::unique_ptr<OpenFile> file, const FileIdentity& id,
                   bool first_scan) {
  auto t = std::make_unique<Tracked>();
  t->path = path;
  t->file = std::move(file);
  t->id = id;
  t->cursor.id = sources_->Register(path, id);
  uint64_t start = 0;
  absl::StatusOr<FileStat> st = t->file->Stat();
  const uint64_t size = st.ok() ? st->size : 0;
  if (uint64_t known = 0; TakeKnownOffset(id.Key(), &known)) {
    start = known <= size ? known : 0;  // shrank while we were not reading it: from the head
  } else if (first_scan && options_.from_tail) {
    start = size;  // the last line may be partial: wait for the next newline
    while (start > 0) {
      char c;
      absl::StatusOr<size_t> n = t->file->ReadAt(start - 1, &c, 1);
      if (!n.ok() || *n == 0 || c == '\n') break;
      --start;
    }
  }
  t->cursor.offset = start;
  t->read_offset = start;
  files_.push_back(std::move(t));
}

bool Tailer::TakeKnownOffset(const std::string& key, uint64_t* offset) {
  if (auto it = resume_.find(key); it != resume_.end()) {
    *offset = it->second;
    resume_.erase(it);
    return true;
  }
  if (auto it = dropped_.find(key); it != dropped_.end()) {
    *offset = it->second.first;
    dropped_.erase(it);
    return true;
  }
  return false;
}

void Tailer::RememberDropped(const Tracked& t) {
  if (t.id.fingerprint == 0) return;  // no first line: nothing to know it by
  const std::string key = t.id.Key();
  dropped_[key] = {t.read_offset, ++dropped_seq_};
  dropped_order_.emplace_back(key, dropped_seq_);
  while (dropped_order_.size() > kDroppedMemory) {
    const auto& [old_key, seq] = dropped_order_.front();
    if (auto it = dropped_.find(old_key); it != dropped_.end() && it->second.second == seq) {
      dropped_.erase(it);
    }
    dropped_order_.pop_front();
  }
}

void Tailer::Discover() {
  std::vector<std::string> paths;
  bool complete = true;  // every pattern expanded: a file not listed is gone
  absl::flat_hash_set<std::string> failing;  // patterns and paths failing in this scan
  auto warn_once = [&](const std::string& what, const absl::Status& status) {
    if (!warned_.contains(what)) warnings_.push_back(std::string(status.message()));
    failing.insert(what);
  };
  for (const std::string& p : patterns_) {
    absl::StatusOr<std::vector<std::string>> m = fs_->Glob(p);
    if (!m.ok()) {
      warn_once(p, m.status());
      complete = false;
      continue;
    }
    paths.insert(paths.end(), m->begin(), m->end());
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  // Which tracked file does each path name now?
  for (auto& t : files_) t->gone = true;
  for (const std::string& path : paths) {
    absl::StatusOr<FileStat> st = fs_->Stat(path);
    if (!st.ok()) {
      // Deleted since the glob: gone. Any other error (permissions) says
      // nothing of the file we follow under this path, and is worth a warning.
      if (!absl::IsNotFound(st.status())) {
        warn_once(path, st.status());
        complete = false;
      }
      continue;
    }
    Tracked* same = nullptr;
    for (auto& t : files_) {
      if (t->id.dev == st->dev && t->id.ino == st->ino) same = t.get();
    }
    if (same != nullptr) {  // an open file keeps its inode: same inode, same file
      if (same->path != path) sources_->Rename(same->cursor.id, path);
      same->path = path;
      same->gone = false;
      continue;
    }
    absl::StatusOr<std::unique_ptr<OpenFile>> f = fs_->Open(path);
    if (!f.ok()) {
      warn_once(path, f.status());
      continue;
    }
    absl::StatusOr<FileIdentity> id = Identify(**f);
    if (!id.ok() || id->fingerprint == 0) continue;  // no first line yet: next poll
    Track(path, std::move(*f), *id, first_scan_);
  }
  // A pattern that failed to expand (a directory briefly unreadable) or a
  // path that could not be examined says nothing of the files followed:
  // dropping them would read them again from the head when the scan works
  // again. They stay followed until a complete scan.
  if (!complete) {
    for (auto& t : files_) t->gone = false;
  }
  // Failures are remembered only while they last (a complete scan knows
  // every path that still fails), so rotated unreadable files do not pile up.
  if (complete) {
    warned_ = std::move(failing);
  } else {
    warned_.merge(failing);
  }
  first_scan_ = false;
}

void Tailer::ReadFile(Tracked& t, ChunkReader& reader, const std::atomic<bool>* stop, uint64_t* total) {
  absl::StatusOr<FileStat> st = t.file->Stat();
  absl::StatusOr<FileIdentity> now = Identify(*t.file);
  const bool rewritten = now.ok() && now->fingerprint != 0 && t.id.fingerprint != 0 &&
                         now->fingerprint != t.id.fingerprint;
  if ((st.ok() && st->size < t.read_offset) || rewritten) {
    // Truncated (copytruncate, or truncate-and-rewrite): the file starts over.
    reader.FlushPartial(t.cursor);
    t.read_offset = 0;
    t.id = now.ok() ? *now : FileIdentity{t.id.dev, t.id.ino, 0};
    sources_->Retire(t.cursor.id);
    t.cursor = SourceCursor{};
    t.cursor.id = sources_->Register(t.path, t.id);
  }
  if (t.id.fingerprint == 0) {  // grew its first line since: identify it now
    if (now.ok() && now->fingerprint != 0) {
      t.id = *now;
      sources_->Retire(t.cursor.id);
      t.cursor.id = sources_->Register(t.path, t.id);
    }
  }
  std::unique_ptr<Input> in = OpenFileInput(t.file.get(), &t.read_offset);
  absl::StatusOr<uint64_t> n = reader.Pump(*in, t.cursor, stop);
  if (!n.ok()) {
    warnings_.push_back(std::string(n.status().message()));
    return;
  }
  *total += *n;
}

uint64_t Tailer::Poll(ChunkReader& reader, const std::atomic<bool>* stop) {
  Discover();
  uint64_t total = 0;
  for (auto& t : files_) {
    if (t->file == nullptr) continue;
    if (stop != nullptr && stop->load()) break;
    ReadFile(*t, reader, stop, &total);
    if (t->gone) {  // rotated away or deleted, and read to its end: take the partial line
      reader.FlushPartial(t->cursor);
      sources_->Retire(t->cursor.id);
      RememberDropped(*t);
      t->file.reset();
    }
  }
  files_.erase(std::remove_if(files_.begin(), files_.end(), [](const auto& t) { return t->file == nullptr; }),
               files_.end());
  return total;
}

std::vector<std::pair<std::string, uint32_t>> Tailer::Files() const {
  std::vector<std::pair<std::string, uint32_t>> out;
  for (const auto& t : files_) out.emplace_back(t->path, t->cursor.id);
  return out;
}

std::vector<SourceProgress> Tailer::Progress() const {
  std::vector<SourceProgress> out;
  for (const auto& t : files_) out.push_back({t->cursor.id, t->path, t->read_offset});
  return out;
}

std::vector<std::string> Tailer::TakeWarnings() { return std::exchange(warnings_, {}); }

}  // namespace exfilter
