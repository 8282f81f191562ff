// The agent's two pipeline stages around the parser and the detector:
//  - DetectWorker (one per parse worker): ChunkParser + shared EventBuilder;
//    turns a chunk into DetectorEvents with the byte range of each event and
//    the bad records, in input order.
//  - DetectStage (the ordered stage, run by one worker at a time): feeds the
//    Detector in input order, writes forwarded / annotated lines and detector
//    records, dead letters, tracks input offsets and writes the checkpoint
//    (after the sink accepted everything before it), applies reloaded
//    configs between chunks.
// Thread safety: DetectWorker as ChunkWorker; DetectStage as OrderedStage,
// except RequestReload and PostLines (any thread).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/bad_input_log.h"
#include "agent/config.h"
#include "agent/coverage.h"
#include "parsers/chunk_parser.h"
#include "pipeline/counters.h"
#include "pipeline/detect/decision.h"
#include "pipeline/detect/detector.h"
#include "pipeline/detect/event_builder.h"
#include "pipeline/pipeline.h"
#include "pipeline/sink.h"
#include "pipeline/source_table.h"

namespace exfilter {

struct DetectPayload : ChunkPayload {
  struct Bad {
    ParseErrorKind kind;
    uint32_t offset, length;
    uint32_t before_event;  // index of the first event after it
    std::string_view detail;  // static text (ParseError::detail)
  };
  std::vector<DetectorEvent> events;
  std::vector<std::pair<uint32_t, uint32_t>> raws;  // offset, length of each event in the chunk
  std::vector<Bad> bad;
  uint64_t newlines = 0;            // in the chunk: line numbers for bad-input messages
  std::vector<Decision> decisions;  // ordered stage scratch
};

// Shared, replaceable parse-side context (new one on SIGHUP).
struct ParseContext {
  ParserOptions parser;
  std::shared_ptr<const EventBuilder> builder;
};

// std::mutex rather than absl::Mutex here and below: Debian's Abseil is not
// built for ThreadSanitizer, which then cannot see its synchronization.
class ContextHolder {
 public:
  void Set(std::shared_ptr<const EventBuilder> b) {
    std::lock_guard<std::mutex> lock(mu_);
    builder_ = std::move(b);
  }
  std::shared_ptr<const EventBuilder> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return builder_;
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const EventBuilder> builder_;  // guarded by mu_
};

class DetectWorker : public ChunkWorker {
 public:
  DetectWorker(const ParserOptions& options, const ContextHolder* builders, PipelineCounters* counters)
      : parser_(options), builders_(builders), counters_(counters) {}
  void Parse(Chunk& chunk) override;

 private:
  ChunkParser parser_;
  const ContextHolder* builders_;
  PipelineCounters* counters_;
};

struct StageOptions {
  bool annotate = false;
  std::string checkpoint_path;  // empty: no checkpoint
  absl::Duration checkpoint_interval = absl::Seconds(10);
  Sink* dead_letter = nullptr;
  bool flush_at_end = true;  // close incidents at end of input (not when resuming later)
  absl::Duration coverage_interval = absl::ZeroDuration();  // 0: no coverage records
  absl::Duration coverage_gap = absl::Hours(1);
  bool report_bad_input = true;  // the first bad records on stderr (BadInputLog)
};

class DetectStage : public OrderedStage {
 public:
  DetectStage(const StageOptions& options, Detector* detector, const SourceTable* sources,
              PipelineCounters* counters)
      : options_(options),
        detector_(detector),
        sources_(sources),
        counters_(counters),
        coverage_(options.coverage_interval, options.coverage_gap) {
    MapRuleSlots(detector->config());
  }
  void set_pipeline(Pipeline* p) { pipeline_ = p; }

  void Consume(Chunk& chunk, std::string* out) override;
  void Tick(std::string* out) override;
  void Finish(std::string* out) override;

  // A new detector config (SIGHUP); applied by the ordered thread between chunks.
  void RequestReload(const DetectorConfig& config);
  // Lines from another thread (source_silent records) for the output; the
  // ordered thread writes them between chunks.
  void PostLines(std::string lines);
  absl::Status last_checkpoint_status() const { return checkpoint_status_; }

 private:
  void Checkpoint(std::string* out, bool final = false);
  void ApplyReload();
  void ReportBadInput(const Chunk& chunk, const DetectPayload& p);
  void MapRuleSlots(const DetectorConfig& config);  // slot_of_rule_ for this config

  StageOptions options_;
  Detector* detector_;
  const SourceTable* sources_;
  PipelineCounters* counters_;
  Pipeline* pipeline_ = nullptr;
  std::vector<uint64_t> offsets_;  // consumed offset per source id
  std::vector<DetectorRecord> records_;
  std::vector<int> slot_of_rule_;  // DetectorConfig::suppress index -> counter slot (-1: none)
  Coverage coverage_;
  BadInputLog bad_log_;
  std::string dead_;
  absl::Time next_checkpoint_ = absl::InfinitePast();
  bool dirty_ = false;
  absl::Status checkpoint_status_;

  std::mutex reload_mu_;
  std::unique_ptr<DetectorConfig> pending_;  // guarded by reload_mu_
  std::atomic<bool> reload_pending_{false};
  std::string posted_;  // guarded by reload_mu_
  std::atomic<bool> posted_pending_{false};
  void TakePosted(std::string* out);
};

}  // namespace exfilter
