#include "agent/detect_stage.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "pipeline/detect/annotation.h"
#include "pipeline/detect/checkpoint.h"
#include "util/count_byte.h"
#include "util/envelope_hint.h"

namespace exfilter {
namespace {

struct WorkerSink {
  const char* base;
  size_t len;
  const EventBuilder* builder;
  DetectPayload* p;
  size_t shift;
  void OnEvent(const AuditEvent& ev) {
    DetectorEvent de;
    if (!builder->Build(ev, &de)) de = DetectorEvent{};  // no usable time: scored as a default
    p->events.push_back(de);
    // raw points into the chunk (parser contract); anything else is not forwarded.
    const bool inside = ev.raw.data() >= base && ev.raw.data() + ev.raw.size() <= base + len;
    p->raws.emplace_back(inside ? static_cast<uint32_t>(ev.raw.data() - base) : 0,
                         inside ? static_cast<uint32_t>(ev.raw.size()) : 0);
  }
  void OnError(const ParseError& err) {
    p->bad.push_back({err.kind, static_cast<uint32_t>(err.offset + shift), static_cast<uint32_t>(err.length),
                      static_cast<uint32_t>(p->events.size()), err.detail});
  }
};

}  // namespace

void DetectWorker::Parse(Chunk& chunk) {
  auto& p = static_cast<DetectPayload&>(*chunk.payload);
  p.events.clear();
  p.raws.clear();
  p.bad.clear();
  p.newlines = 0;
  if (chunk.len == 0) return;
  std::shared_ptr<const EventBuilder> builder = builders_->Get();
  parser_.Reset();  // chunks end on a newline: nothing carries over
  WorkerSink sink{chunk.bytes(), chunk.len, builder.get(), &p, 0};
  size_t done = parser_.Parse(chunk.bytes(), chunk.len, sink);
  if (done < chunk.len) {
    sink.shift = done;
    parser_.ParseLast(chunk.bytes() + done, chunk.len - done, sink);
  }
  p.newlines = CountByte(chunk.bytes(), chunk.len, '\n');  // after the parse: the chunk is in cache
  counters_->Add(counters_->events, p.events.size());
  for (const auto& b : p.bad) counters_->Add(counters_->errors[static_cast<int>(b.kind)], 1);
}

void DetectStage::Consume(Chunk& chunk, std::string* out) {
  if (reload_pending_.load(std::memory_order_acquire)) ApplyReload();
  if (posted_pending_.load(std::memory_order_acquire)) TakePosted(out);
  auto& p = static_cast<DetectPayload&>(*chunk.payload);
  if (options_.report_bad_input) ReportBadInput(chunk, p);
  if (options_.dead_letter != nullptr && !chunk.too_long.empty()) {  // over-long lines before this chunk
    dead_.append(chunk.too_long);
    counters_->Add(counters_->dead_letters,
                   static_cast<uint64_t>(std::count(chunk.too_long.begin(), chunk.too_long.end(), '\n')));
  }
  const size_t n = p.events.size();
  p.decisions.resize(n);
  records_.clear();
  if (n > 0) detector_->ObserveBatch(p.events, p.decisions.data(), &records_);
  size_t rec = 0, bad = 0;
  uint64_t forwarded = 0, suppressed = 0, late = 0;
  uint64_t by_rule[PipelineCounters::kRuleSlots] = {};  // added to the counters once per chunk
  int64_t newest = 0;
  const DetectorConfig* cfg = &detector_->config();
  for (size_t i = 0; i < n; ++i) {
    for (; bad < p.bad.size() && p.bad[bad].before_event <= i; ++bad) {
      if (options_.dead_letter != nullptr) dead_.append(chunk.bytes() + p.bad[bad].offset, p.bad[bad].length).push_back('\n');
    }
    const Decision& d = p.decisions[i];
    if (coverage_.enabled()) coverage_.Observe(p.events[i], out);
    if (d.forward || options_.annotate) {
      AppendForwarded(std::string_view(chunk.bytes() + p.raws[i].first, p.raws[i].second), d, out, cfg);
    }
    forwarded += d.forward;
    late += d.late;
    if (d.suppress_rule != kNoSuppressRule) {
      ++suppressed;
      if (d.suppress_rule < slot_of_rule_.size() && slot_of_rule_[d.suppress_rule] >= 0) {
        ++by_rule[slot_of_rule_[d.suppress_rule]];
      }
    }
    newest = std::max(newest, p.events[i].time_ms);
    for (; rec < records_.size() && records_[rec].event_index <= i; ++rec) AppendRecord(records_[rec], out);
  }
  for (; rec < records_.size(); ++rec) AppendRecord(records_[rec], out);
  for (; bad < p.bad.size(); ++bad) {
    if (options_.dead_letter != nullptr) dead_.append(chunk.bytes() + p.bad[bad].offset, p.bad[bad].length).push_back('\n');
  }
  if (options_.dead_letter != nullptr) counters_->Add(counters_->dead_letters, p.bad.size());
  counters_->Add(counters_->forwarded, forwarded);
  counters_->Add(counters_->suppressed, suppressed);
  counters_->Add(counters_->late, late);
  if (suppressed > 0) {
    for (int r = 0; r < PipelineCounters::kRuleSlots; ++r) {
      if (by_rule[r] > 0) counters_->Add(counters_->suppressed_by_rule[r], by_rule[r]);
    }
  }
  counters_->Add(counters_->summaries, records_.size());
  if (newest > counters_->last_event_ms.load(std::memory_order_relaxed)) counters_->last_event_ms.store(newest);
  if (chunk.source >= offsets_.size()) offsets_.resize(chunk.source + 1, 0);
  if (chunk.end_offset > offsets_[chunk.source]) offsets_[chunk.source] = chunk.end_offset;
  dirty_ = true;
  if (!options_.checkpoint_path.empty() && absl::Now() >= next_checkpoint_) Checkpoint(out);
}

void DetectStage::ReportBadInput(const Chunk& chunk, const DetectPayload& p) {
  // Every chunk with bytes moves its source's line count; messages only for bad records.
  const std::vector<LongLine>& skipped = chunk.too_long_lines;
  uint64_t skipped_bytes = 0;
  for (const LongLine& line : skipped) skipped_bytes += line.length + 1;
  if (chunk.len > 0) bad_log_.StartChunk(chunk.source, chunk.begin_offset, skipped_bytes);
  if (!skipped.empty() || !p.bad.empty()) {
    const std::string name = sources_ != nullptr ? sources_->Path(chunk.source) : std::string();
    const absl::Time now = absl::Now();
    std::string messages;
    for (const LongLine& line : skipped) bad_log_.TooLong(name, line, now, &messages);
    uint64_t lines = 0, counted_to = 0;
    for (const DetectPayload::Bad& b : p.bad) {  // in chunk order: count newlines once
      if (b.offset > counted_to) lines += CountByte(chunk.bytes() + counted_to, b.offset - counted_to, '\n');
      counted_to = std::max<uint64_t>(counted_to, b.offset);
      if (b.kind == ParseErrorKind::kTooLong) {  // found by the parser, inside the chunk
        const std::string detail = BadInputLog::TooLongDetail(
            b.length, EnvelopeHint({chunk.bytes() + b.offset, chunk.len - b.offset}));
        bad_log_.Bad(name, lines, chunk.begin_offset + b.offset, b.kind, detail, now, &messages);
        continue;
      }
      bad_log_.Bad(name, lines, chunk.begin_offset + b.offset, b.kind, b.detail, now, &messages);
    }
    if (!messages.empty()) std::fputs(messages.c_str(), stderr);
  }
  if (chunk.len > 0) bad_log_.EndChunk(chunk.end_offset, p.newlines);
}

void DetectStage::Tick(std::string* out) {
  if (options_.report_bad_input) {
    std::string messages;
    bad_log_.Tick(absl::Now(), &messages);
    if (!messages.empty()) std::fputs(messages.c_str(), stderr);
  }
  if (reload_pending_.load(std::memory_order_acquire)) ApplyReload();
  if (posted_pending_.load(std::memory_order_acquire)) TakePosted(out);
  if (!dead_.empty() && options_.dead_letter != nullptr) {
    (void)options_.dead_letter->Write(dead_);
    dead_.clear();
  }
  if (dirty_ && !options_.checkpoint_path.empty() && absl::Now() >= next_checkpoint_) Checkpoint(out);
}

void DetectStage::Finish(std::string* out) {
  if (options_.flush_at_end) {
    records_.clear();
    detector_->Flush(&records_);
    for (const DetectorRecord& r : records_) AppendRecord(r, out);
    counters_->Add(counters_->summaries, records_.size());
  }
  if (!options_.checkpoint_path.empty()) Checkpoint(out, /*final=*/true);
  if (!dead_.empty() && options_.dead_letter != nullptr) {
    (void)options_.dead_letter->Write(dead_);
    (void)options_.dead_letter->Flush();
    dead_.clear();
  }
}

void DetectStage::Checkpoint(std::string* out, bool final) {
  next_checkpoint_ = absl::Now() + options_.checkpoint_interval;
  // Output before the offsets: the checkpoint never moves past what the sink
  // has not accepted (at-least-once output). In drop mode a blocked sink
  // makes SyncOutput give up: this checkpoint is skipped, the next interval
  // tries again (dropped lines count as handled).
  absl::Status s = pipeline_ != nullptr ? pipeline_->SyncOutput(out, final) : absl::OkStatus();
  if (absl::IsResourceExhausted(s) && !final) return;
  if (s.ok() && !dead_.empty() && options_.dead_letter != nullptr) {
    s = options_.dead_letter->Write(dead_);
    if (s.ok()) s = options_.dead_letter->Flush();
    dead_.clear();
  }
  if (s.ok()) s = WriteCheckpoint(options_.checkpoint_path, *detector_, sources_->Encode(offsets_));
  if (s.ok()) {
    counters_->Add(counters_->checkpoints, 1);
    dirty_ = false;
  } else if (checkpoint_status_.ok()) {
    std::fprintf(stderr, "exfilter: checkpoint not written: %s\n", std::string(s.message()).c_str());
  }
  checkpoint_status_ = s;
}

void DetectStage::RequestReload(const DetectorConfig& config) {
  std::lock_guard<std::mutex> lock(reload_mu_);
  pending_ = std::make_unique<DetectorConfig>(config);
  reload_pending_.store(true, std::memory_order_release);
}

void DetectStage::PostLines(std::string lines) {
  std::lock_guard<std::mutex> lock(reload_mu_);
  posted_.append(lines);
  posted_pending_.store(true, std::memory_order_release);
}

void DetectStage::TakePosted(std::string* out) {
  std::lock_guard<std::mutex> lock(reload_mu_);
  out->append(posted_);
  posted_.clear();
  posted_pending_.store(false, std::memory_order_release);
}

void DetectStage::MapRuleSlots(const DetectorConfig& config) {
  slot_of_rule_.clear();
  for (const SuppressRule& rule : config.suppress) {
    slot_of_rule_.push_back(counters_->rule_slots.SlotFor(rule.name, PipelineCounters::kRuleSlots));
  }
}

void DetectStage::ApplyReload() {
  std::unique_ptr<DetectorConfig> cfg;
  {
    std::lock_guard<std::mutex> lock(reload_mu_);
    cfg = std::move(pending_);
    reload_pending_.store(false, std::memory_order_release);
  }
  if (cfg == nullptr) return;
  cfg->score_below_floor = options_.annotate;  // the mode does not reload
  absl::Status s = detector_->Reconfigure(*cfg);
  if (s.ok()) MapRuleSlots(*cfg);
  std::fprintf(stderr, "exfilter: config reload %s%s\n", s.ok() ? "applied" : "refused: ",
               s.ok() ? "" : std::string(s.message()).c_str());
}

}  // namespace exfilter
