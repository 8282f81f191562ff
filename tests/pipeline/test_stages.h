// Test doubles for the pipeline: a worker that splits chunks into lines and
// an ordered stage that echoes them, checking chunk order and offsets.
// Thread safety: as ChunkWorker / OrderedStage.
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/pipeline.h"

namespace exfilter::testing {

struct LinesPayload : ChunkPayload {
  std::vector<std::pair<size_t, size_t>> lines;  // offset, length (without '\n')
};

class LineWorker : public ChunkWorker {
 public:
  void Parse(Chunk& chunk) override {
    auto& p = static_cast<LinesPayload&>(*chunk.payload);
    p.lines.clear();
    std::string_view v = chunk.view();
    size_t pos = 0;
    while (pos < v.size()) {
      size_t nl = v.find('\n', pos);
      if (nl == std::string_view::npos) nl = v.size();
      p.lines.emplace_back(pos, nl - pos);
      pos = nl + 1;
    }
  }
};

// Echoes every line with a '\n'; with `prefix` set, "<seq>:" before each.
class EchoStage : public OrderedStage {
 public:
  explicit EchoStage(bool prefix = false) : prefix_(prefix) {}
  void Consume(Chunk& chunk, std::string* out) override {
    Enter();
    if (chunk.seq != next_seq) order_ok = false;
    ++next_seq;
    if (!chunk.marker_only && chunk.len > 0) {
      auto [it, fresh] = offsets.try_emplace(chunk.source, 0);
      if (chunk.begin_offset < it->second) offsets_ok = false;
      it->second = chunk.end_offset;
    }
    if (chunk.end_of_source) ++ended;
    too_long.append(chunk.too_long);
    too_long_lines.insert(too_long_lines.end(), chunk.too_long_lines.begin(), chunk.too_long_lines.end());
    auto& p = static_cast<LinesPayload&>(*chunk.payload);
    for (auto [off, len] : p.lines) {
      if (prefix_) out->append(std::to_string(lines)).push_back(':');
      out->append(chunk.bytes() + off, len).push_back('\n');
      ++lines;
    }
    Leave();
  }
  void Tick(std::string* /*out*/) override {
    Enter();
    ++ticks;
    Leave();
  }
  void Finish(std::string* /*out*/) override {
    Enter();
    finished = true;
    Leave();
  }
  // The ordered stage runs on one worker at a time: any overlap is a bug.
  void Enter() {
    if (inside_.fetch_add(1) != 0) overlapped = true;
  }
  void Leave() { inside_.fetch_sub(1); }

  bool prefix_;
  uint64_t next_seq = 0;
  uint64_t lines = 0;
  int ended = 0;
  std::string too_long;  // the chunks' over-long line records, in order
  std::vector<LongLine> too_long_lines;  // and the lines
  bool order_ok = true;
  bool offsets_ok = true;
  bool finished = false;
  std::atomic<bool> overlapped{false};
  uint64_t ticks = 0;
  std::map<uint32_t, uint64_t> offsets;  // source -> end offset of its last chunk

 private:
  std::atomic<int> inside_{0};
};

// Collects everything written; can be blocked to test backpressure.
class StringSink : public Sink {
 public:
  absl::Status Write(std::string_view data) override {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !blocked_; });
    text_.append(data);
    return absl::OkStatus();
  }
  absl::Status Flush() override { return absl::OkStatus(); }
  void Block(bool b) {
    std::lock_guard<std::mutex> lock(mu_);
    blocked_ = b;
    cv_.notify_all();
  }
  std::string text() {
    std::lock_guard<std::mutex> lock(mu_);
    return text_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool blocked_ = false;
  std::string text_;
};

inline std::unique_ptr<ChunkPayload> MakeLinesPayload() { return std::make_unique<LinesPayload>(); }
inline std::unique_ptr<ChunkWorker> MakeLineWorker() { return std::make_unique<LineWorker>(); }

}  // namespace exfilter::testing
