#include "pipeline/counters.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace exfilter {

const char* ErrorKindName(ErrorKind k) {
  switch (k) {
    case ErrorKind::kMalformedJson: return "malformed_json";
    case ErrorKind::kTruncated: return "truncated";
    case ErrorKind::kInvalidUtf8: return "invalid_utf8";
    case ErrorKind::kNulByte: return "nul_byte";
    case ErrorKind::kTooLong: return "too_long";
    case ErrorKind::kUnknownSchema: return "unknown_schema";
    case ErrorKind::kWrongType: return "wrong_type";
    case ErrorKind::kBadTime: return "bad_time";
  }
  return "other";
}

uint64_t PipelineCounters::TotalErrors() const {
  uint64_t total = 0;
  for (const auto& e : errors) total += e.load(std::memory_order_relaxed);
  return total;
}

std::string PipelineCounters::StatsLine(double elapsed_s, uint64_t prev_bytes, uint64_t prev_events,
                                        int64_t now_ms) const {
  const uint64_t bytes = Get(bytes_read), ev = Get(events);
  const double secs = elapsed_s > 0 ? elapsed_s : 1e-9;
  std::string line = absl::StrFormat(
      "exfilter: events=%d bytes=%d events/s=%.0f MB/s=%.1f forwarded=%d suppressed=%d summaries=%d "
      "late=%d queue_full=%d output_waits=%d sink_retries=%d dead_letters=%d dropped=%d",
      ev, bytes, (ev - prev_events) / secs, (bytes - prev_bytes) / secs / 1e6, Get(forwarded),
      Get(suppressed), Get(summaries), Get(late), Get(queue_full), Get(output_waits), Get(sink_retries),
      Get(dead_letters), Get(dropped));
  const int64_t last = last_event_ms.load(std::memory_order_relaxed);
  if (last > 0 && now_ms > 0) absl::StrAppend(&line, " lag_s=", (now_ms - last) / 1000);
  absl::StrAppend(&line, " errors=", TotalErrors());
  for (int k = 0; k < kNumErrorKinds; ++k) {
    uint64_t n = errors[k].load(std::memory_order_relaxed);
    if (n > 0) absl::StrAppend(&line, " ", ErrorKindName(static_cast<ErrorKind>(k)), "=", n);
  }
  return line;
}

int RuleSlots::SlotFor(std::string_view name, int max_slots) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return static_cast<int>(i);
  }
  if (static_cast<int>(names_.size()) >= max_slots) return -1;
  names_.emplace_back(name);
  return static_cast<int>(names_.size()) - 1;
}

std::vector<std::string> RuleSlots::Names() const {
  std::lock_guard<std::mutex> lock(mu_);
  return names_;
}

}  // namespace exfilter
