#include "pipeline/detect/annotation.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "parsers/inspect.h"
#include "pipeline/detect/detector_event.h"

namespace exfilter {
namespace {

void AppendFixed(double v, std::string* out) {
  if (!std::isfinite(v)) v = 0;
  char buf[48];
  int n = std::snprintf(buf, sizeof(buf), "%.3f", v);
  out->append(buf, static_cast<size_t>(n));
}
void AppendUint(uint64_t v, std::string* out) {
  char buf[24];
  int n = std::snprintf(buf, sizeof(buf), "%" PRIu64, v);
  out->append(buf, static_cast<size_t>(n));
}
void AppendHex(uint64_t v, std::string* out) {
  char buf[24];
  int n = std::snprintf(buf, sizeof(buf), "\"%016" PRIx64 "\"", v);
  out->append(buf, static_cast<size_t>(n));
}
void AppendQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", u);
      out->append(buf);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}
void AppendTimeString(int64_t ms, std::string* out) {
  out->push_back('"');
  AppendTimestamp(ms, out);
  out->push_back('"');
}

// Appends JSON text with its line breaks as spaces: valid JSON has no raw
// CR or LF inside a string, so they are whitespace between tokens and the
// value is unchanged; a pretty-printed event (from an API page) stays one
// output line.
void AppendOnOneLine(std::string_view json, std::string* out) {
  if (std::memchr(json.data(), '\n', json.size()) == nullptr &&
      std::memchr(json.data(), '\r', json.size()) == nullptr) {
    out->append(json);
    return;
  }
  size_t at = out->size();
  out->append(json);
  for (size_t i = at; i < out->size(); ++i) {
    char& c = (*out)[i];
    if (c == '\n' || c == '\r') c = ' ';
  }
}

}  // namespace

void AppendTimestamp(int64_t time_ms, std::string* out) { AppendRfc3339Millis(time_ms, out); }

void AppendExfilterObject(const Decision& d, std::string* out, const DetectorConfig* config) {
  out->append("{\"v\":");
  AppendUint(kOutputSchemaVersion, out);
  out->append(d.anomalous ? ",\"anomalous\":true" : ",\"anomalous\":false");
  out->append(",\"score\":");
  AppendFixed(d.score, out);
  out->append(",\"threshold\":");
  AppendFixed(d.threshold, out);
  out->append(",\"window\":\"");
  out->append(WindowName(d.window));
  out->append("\",\"window_seconds\":");
  AppendUint(static_cast<uint64_t>(d.window_seconds), out);
  if (d.window != WindowKind::kNone) {
    out->append(",\"window_start\":");
    AppendTimeString(d.window_start_ms, out);
  }
  out->append(",\"observed\":");
  AppendUint(d.observed, out);
  out->append(",\"expected\":");
  AppendFixed(d.expected, out);
  out->append(",\"spread\":");
  AppendFixed(d.spread, out);
  out->append(",\"key\":\"");
  out->append(KeyKindName(d.key));
  out->push_back('"');
  if (d.key == KeyKind::kUserService || d.key == KeyKind::kUserAction) {
    out->append(",\"key_detail\":\"");
    out->append(d.key == KeyKind::kUserService
                    ? ServiceName(static_cast<Service>(d.key_detail))
                    : ActionClassName(static_cast<ActionClass>(d.key_detail)));
    out->push_back('"');
  }
  out->append(",\"reasons\":[");
  bool first = true;
  for (int i = 0; i < kNumReasons; ++i) {
    uint32_t bit = 1u << i;
    if (!(d.reasons & bit)) continue;
    if (!first) out->push_back(',');
    first = false;
    out->push_back('"');
    out->append(ReasonName(bit));
    out->push_back('"');
  }
  out->push_back(']');
  if (d.incident_id != 0) {
    out->append(",\"incident\":{\"id\":");
    AppendHex(d.incident_id, out);
    out->append(",\"start\":");
    AppendTimeString(d.incident_start_ms, out);
    out->push_back('}');
  }
  if (d.capped) out->append(",\"capped\":true");
  if (d.late) out->append(",\"late\":true");
  if (d.suppress_rule != kNoSuppressRule) {
    out->append(",\"suppressed_by\":");
    if (config != nullptr && d.suppress_rule < config->suppress.size()) {
      AppendQuoted(config->suppress[d.suppress_rule].name, out);
    } else {
      AppendUint(d.suppress_rule, out);
    }
  }
  out->push_back('}');
}

void AppendForwarded(std::string_view raw, const Decision& d, std::string* out,
                     const DetectorConfig* config) {
  size_t end = raw.size();
  while (end > 0 && (raw[end - 1] == ' ' || raw[end - 1] == '\t' || raw[end - 1] == '\r' ||
                     raw[end - 1] == '\n')) {
    --end;
  }
  if (end == 0 || raw[end - 1] != '}') {
    out->append("{\"exfilter\":");
    AppendExfilterObject(d, out, config);
    out->append(",\"raw\":");
    AppendQuoted(raw.substr(0, end), out);
    out->append("}\n");
    return;
  }
  size_t close = end - 1;
  size_t before = close;
  while (before > 0 && (raw[before - 1] == ' ' || raw[before - 1] == '\t' ||
                        raw[before - 1] == '\r' || raw[before - 1] == '\n')) {
    --before;
  }
  bool empty_object = before > 0 && raw[before - 1] == '{';
  AppendOnOneLine(raw.substr(0, close), out);
  out->append(empty_object ? "\"exfilter\":" : ",\"exfilter\":");
  AppendExfilterObject(d, out, config);
  out->append("}\n");
}

void AppendRecord(const DetectorRecord& r, std::string* out) {
  bool summary = r.kind == RecordKind::kIncidentSummary;
  out->append(summary ? "{\"exfilter_record\":\"incident_summary\",\"v\":"
                      : "{\"exfilter_record\":\"rate_cap\",\"v\":");
  AppendUint(kOutputSchemaVersion, out);
  if (summary) {
    out->append(",\"incident\":{\"id\":");
    AppendHex(r.incident_id, out);
    out->append(",\"start\":");
    AppendTimeString(r.incident_start_ms, out);
    out->append("},\"user_key\":");
    AppendHex(r.user_key, out);
  }
  out->append(",\"from\":");
  AppendTimeString(r.from_ms, out);
  out->append(",\"to\":");
  AppendTimeString(r.to_ms, out);
  out->append(",\"held_events\":");
  AppendUint(r.held_events, out);
  out->append(",\"forwarded_events\":");
  AppendUint(r.forwarded_events, out);
  if (summary) out->append(r.incident_closed ? ",\"closed\":true" : ",\"closed\":false");
  out->append("}\n");
}

}  // namespace exfilter
