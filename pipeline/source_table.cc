#include "pipeline/source_table.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "util/strings.h"

namespace exfilter {

std::string FileIdentity::Key() const { return absl::StrCat(dev, ":", ino, ":", fingerprint); }

uint32_t SourceTable::Register(std::string path, FileIdentity identity) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.push_back(Entry{std::move(path), identity});
  return static_cast<uint32_t>(entries_.size() - 1);
}

void SourceTable::Retire(uint32_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (id < entries_.size()) entries_[id].retired = true;
}

void SourceTable::Rename(uint32_t id, std::string path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (id < entries_.size()) entries_[id].path = std::move(path);
}

std::string SourceTable::Path(uint32_t id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return id < entries_.size() ? entries_[id].path : std::string("?");
}

std::string SourceTable::Encode(const std::vector<uint64_t>& offsets) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out = "exfilter-offsets v1\n";
  absl::flat_hash_map<std::string, size_t> latest;  // a key seen twice (reopened): keep the last
  for (size_t id = 0; id < entries_.size() && id < offsets.size(); ++id) {
    if (entries_[id].retired || entries_[id].identity.fingerprint == 0) continue;
    latest[entries_[id].identity.Key()] = id;
  }
  for (size_t id = 0; id < entries_.size() && id < offsets.size(); ++id) {
    const std::string key = entries_[id].identity.Key();
    auto it = latest.find(key);
    if (it == latest.end() || it->second != id) continue;
    absl::StrAppend(&out, key, "\t", offsets[id], "\t", entries_[id].path, "\n");
  }
  return out;
}

absl::flat_hash_map<std::string, uint64_t> SourceTable::Decode(std::string_view extra) {
  absl::flat_hash_map<std::string, uint64_t> out;
  for (absl::string_view line : absl::StrSplit(ToAbsl(extra), '\n')) {
    std::vector<absl::string_view> f = absl::StrSplit(line, absl::MaxSplits('\t', 2));
    uint64_t off = 0;
    if (f.size() < 2 || !absl::SimpleAtoi(f[1], &off)) continue;
    out[std::string(f[0])] = off;
  }
  return out;
}

}  // namespace exfilter
