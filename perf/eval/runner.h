// SequentialRunner: exfilter's detection path in one thread and in input
// order, for evaluation and the demo: ChunkParser -> EventBuilder ->
// Detector::Observe -> Decision, reported per event to an EvalObserver.
// No queues, no reordering: what the agent computes with any thread count
// (its output is deterministic and in input order) is computed here directly.
// Thread safety: none; one runner per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "parsers/chunk_parser.h"
#include "pipeline/detect/detector.h"
#include "pipeline/detect/event_builder.h"

namespace exfilter {

class EvalObserver {
 public:
  virtual ~EvalObserver() = default;
  // Every parsed event with the detector's decision about it. `ev` is dead
  // after the call returns.
  virtual void OnDecision(const AuditEvent& ev, const Decision& decision) = 0;
  virtual void OnRecord(const DetectorRecord&) {}
};

class SequentialRunner {
 public:
  // builder: made from the same config (EventBuilder::Create, or with
  // in-memory identities). Fails if the detector refuses the config.
  static absl::StatusOr<std::unique_ptr<SequentialRunner>> Create(
      const DetectorConfig& config, std::unique_ptr<EventBuilder> builder, EvalObserver* observer);

  // Any chunking: whole lines are parsed, an unfinished last line is kept.
  void Feed(std::string_view bytes);
  // End of input: the kept tail is parsed and the detector flushed.
  void Finish();
  // Feeds a whole NDJSON file (.zst decompressed while reading), then Finish().
  absl::Status FeedFile(const std::string& path);

  uint64_t events() const { return events_; }
  uint64_t parse_errors() const { return parse_errors_; }
  uint64_t bytes() const { return bytes_; }
  const Detector& detector() const { return *detector_; }
  const DetectorConfig& config() const { return config_; }

  // ChunkParser sink interface.
  void OnEvent(const AuditEvent& ev);
  void OnError(const ParseError&) { ++parse_errors_; }

 private:
  SequentialRunner(const DetectorConfig& config, std::unique_ptr<EventBuilder> builder,
                   std::unique_ptr<Detector> detector, EvalObserver* observer);
  void Records();

  DetectorConfig config_;
  ChunkParser parser_;
  std::unique_ptr<EventBuilder> builder_;
  std::unique_ptr<Detector> detector_;
  EvalObserver* observer_;
  std::vector<char> buf_;  // tail + new bytes, kParsePadding spare
  size_t used_ = 0;
  std::vector<DetectorRecord> records_;
  uint64_t events_ = 0;
  uint64_t parse_errors_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace exfilter
