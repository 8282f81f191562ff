#include "agent/coverage.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "parsers/inspect.h"
#include "pipeline/detect/annotation.h"
#include "util/strings.h"

namespace exfilter {

void AppendSourceSilentRecord(const SilentSource& s, std::string* out) {
  out->append("{\"exfilter_record\":\"source_silent\",\"path\":");
  AppendJsonString(s.path, out);
  out->append(",\"last_growth\":\"");
  AppendRfc3339Millis(absl::ToUnixMillis(s.last_growth), out);
  absl::StrAppend(out, "\",\"silent_seconds\":", absl::ToInt64Seconds(s.silent), "}\n");
}

namespace {
// "from":"<from_ms>","to":"<to_ms>" (RFC 3339, UTC).
void AppendInterval(int64_t from_ms, int64_t to_ms, std::string* out) {
  out->append("\"from\":\"");
  AppendTimestamp(from_ms, out);
  out->append("\",\"to\":\"");
  AppendTimestamp(to_ms, out);
  out->append("\"");
}
}  // namespace

void Coverage::Observe(const DetectorEvent& ev, std::string* out) {
  if (ev.time_ms <= 0) return;
  const int64_t bucket = ev.time_ms - ev.time_ms % interval_ms_;
  if (start_ms_ < 0) start_ms_ = bucket;
  if (bucket > start_ms_) {  // late events (bucket < start) count into the open interval
    Emit(start_ms_ + interval_ms_, out);
    start_ms_ = bucket;
  }
  const std::pair<uint8_t, uint64_t> key{static_cast<uint8_t>(ev.service), ev.tenant_key};
  auto it = cells_.find(key);
  if (it == cells_.end()) {
    if (cells_.size() >= max_cells_) {
      ++overflow_events_;
      return;
    }
    it = cells_.emplace(key, Cell{}).first;
  }
  Cell& c = it->second;
  ++c.counts[static_cast<int>(ev.action)];
  ++c.total;
  c.last_ms = std::max(c.last_ms, ev.time_ms);
}

void Coverage::Emit(int64_t end_ms, std::string* out) {
  std::vector<std::pair<uint8_t, uint64_t>> keys;
  keys.reserve(cells_.size());
  for (const auto& [k, c] : cells_) keys.push_back(k);
  std::sort(keys.begin(), keys.end());  // deterministic order
  for (const auto& k : keys) {
    auto it = cells_.find(k);
    if (!EmitCell(k, it->second, end_ms, out)) cells_.erase(it);
  }
  if (overflow_events_ > 0) {
    out->append("{\"exfilter_record\":\"coverage_overflow\",");
    AppendInterval(start_ms_, end_ms, out);
    absl::StrAppend(out, ",\"events\":", overflow_events_, ",\"max_cells\":", max_cells_, "}\n");
    overflow_events_ = 0;
  }
}

bool Coverage::EmitCell(std::pair<uint8_t, uint64_t> k, Cell& c, int64_t end_ms, std::string* out) {
  const absl::string_view service = ToAbsl(ServiceName(static_cast<Service>(k.first)));
  const std::string tenant = absl::StrFormat("%016x", k.second);
  if (c.total == 0) {
    if (end_ms - c.last_ms <= gap_ms_) return true;
    absl::StrAppend(out, "{\"exfilter_record\":\"coverage_gap\",\"service\":\"", service, "\",\"tenant\":\"", tenant,
                    "\",\"reason\":\"silent\",\"last_event\":\"");
    AppendTimestamp(c.last_ms, out);
    absl::StrAppend(out, "\",\"silent_seconds\":", (end_ms - c.last_ms) / 1000, "}\n");
    return false;  // reported once: forgotten until it comes back
  }
  absl::StrAppend(out, "{\"exfilter_record\":\"coverage\",\"service\":\"", service, "\",\"tenant\":\"", tenant,
                  "\",");
  AppendInterval(start_ms_, end_ms, out);
  absl::StrAppend(out, ",\"events\":", c.total);
  for (int a = 0; a < kNumActionClasses; ++a) {
    absl::StrAppend(out, ",\"", ToAbsl(ActionClassName(static_cast<ActionClass>(a))), "\":", c.counts[a]);
  }
  out->append(",\"last_event\":\"");
  AppendTimestamp(c.last_ms, out);
  out->append("\"}\n");
  const uint64_t file_events =
      c.counts[static_cast<int>(ActionClass::kUpload)] + c.counts[static_cast<int>(ActionClass::kCreate)] +
      c.counts[static_cast<int>(ActionClass::kCopy)] + c.counts[static_cast<int>(ActionClass::kFileOther)];
  if (file_events == 0) {
    absl::StrAppend(out, "{\"exfilter_record\":\"coverage_gap\",\"service\":\"", service, "\",\"tenant\":\"", tenant,
                    "\",\"reason\":\"no_file_events\",");
    AppendInterval(start_ms_, end_ms, out);
    out->append("}\n");
  }
  std::fill(std::begin(c.counts), std::end(c.counts), 0);
  c.total = 0;
  return true;
}

}  // namespace exfilter
