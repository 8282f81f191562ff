// PipelineCounters: every number the agent reports (stats lines on stderr,
// the final summary, tests). Stages add per chunk, not per event.
// Thread safety: all fields are relaxed atomics; any thread may add or read.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace exfilter {

// Error kinds as the agent counts them: the parser's ParseErrorKind values,
// in the same order (agent/ static_casts between them).
enum class ErrorKind : uint8_t {
  kMalformedJson = 0,
  kTruncated,
  kInvalidUtf8,
  kNulByte,
  kTooLong,
  kUnknownSchema,
  kWrongType,
  kBadTime,
};
inline constexpr int kNumErrorKinds = 8;
const char* ErrorKindName(ErrorKind k);

// Which per-rule counter slot counts which suppression rule, by name: a rule
// keeps its slot, and its count, across a config reload that keeps its name;
// a new name takes the next free slot; rules sharing a name share a slot.
// Thread safety: an internal mutex (called per reload and per scrape, never
// per event).
class RuleSlots {
 public:
  // The slot of `name`, given one if it has none; -1 when all are taken.
  int SlotFor(std::string_view name, int max_slots);
  std::vector<std::string> Names() const;  // by slot

 private:
  mutable std::mutex mu_;
  std::vector<std::string> names_;  // guarded by mu_
};

struct PipelineCounters {
  std::atomic<uint64_t> bytes_read{0};
  std::atomic<uint64_t> chunks{0};
  std::atomic<uint64_t> events{0};
  std::atomic<uint64_t> forwarded{0};
  std::atomic<uint64_t> suppressed{0};
  std::atomic<uint64_t> summaries{0};
  std::atomic<uint64_t> output_bytes{0};
  std::atomic<uint64_t> queue_full{0};    // reader waited for a free chunk (backpressure)
  std::atomic<uint64_t> output_waits{0};  // ordered stage waited for the writer
  std::atomic<uint64_t> sink_retries{0};
  std::atomic<uint64_t> dead_letters{0};
  std::atomic<uint64_t> checkpoints{0};
  std::atomic<uint64_t> late{0};     // events older than the detector's allowed lateness
  std::atomic<uint64_t> dropped{0};  // drop mode: output lines dropped while the sink was blocked
  // Events suppressed per rule, by the rule's slot in rule_slots; rules
  // past the last slot count only in `suppressed`.
  static constexpr int kRuleSlots = 32;
  std::atomic<uint64_t> suppressed_by_rule[kRuleSlots] = {};
  RuleSlots rule_slots;
  std::atomic<int64_t> last_event_ms{0};  // newest event time seen (lag = now - this)
  std::atomic<uint64_t> errors[kNumErrorKinds] = {};

  void Add(std::atomic<uint64_t>& c, uint64_t n) { c.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Get(const std::atomic<uint64_t>& c) const { return c.load(std::memory_order_relaxed); }
  uint64_t TotalErrors() const;

  // One human-readable line: "events=... MB/s=... errors{malformed_json=..}"
  // `elapsed_s` and the previous totals give the rates.
  std::string StatsLine(double elapsed_s, uint64_t prev_bytes, uint64_t prev_events, int64_t now_ms) const;
};

}  // namespace exfilter
