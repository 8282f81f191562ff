// The generic source: fields found by JSON pointer (GenericMapping). Each
// at_pointer() rewinds the document and reuses simdjson's string buffer, so
// every value is copied into scratch before the next lookup. Slower than the
// single-pass readers of the known services; meant for smaller feeds.
#include <string_view>

#include "parsers/internal/client_ip.h"
#include "parsers/internal/parser_state.h"
#include "parsers/internal/time_parse.h"

namespace exfilter::internal {
namespace {

// "1672574400", "1672574400.25" (seconds) or milliseconds.
bool ParseUnixTime(std::string_view text, bool seconds, int64_t* ms) {
  std::string_view whole = text, frac;
  if (size_t dot = text.find('.'); dot != text.npos) {
    whole = text.substr(0, dot);
    frac = text.substr(dot + 1);
  }
  int64_t v = 0;
  if (!ParseInt64(whole, &v)) return false;
  int64_t extra = 0;
  if (seconds) {
    int scale = 100;
    for (size_t i = 0; i < frac.size() && i < 3; ++i) {
      if (frac[i] < '0' || frac[i] > '9') return false;
      extra += (frac[i] - '0') * scale;
      scale /= 10;
    }
    v *= 1000;
  }
  *ms = v + extra;
  return *ms >= 0 && *ms < DaysFromCivil(kMaxYear + 1, 1, 1) * 86400000;
}

}  // namespace

bool ParserState::GenericMatches(od::document_reference doc) {
  const GenericMapping& m = *options_.generic;
  const std::string& ptr = m.detect.empty() ? m.op : m.detect;
  od::value v;
  return !ptr.empty() && doc.at_pointer(ptr).get(v) == simdjson::SUCCESS;
}

ParserState::Outcome ParserState::EmitGeneric(od::document_reference doc, std::string_view raw,
                                              simdjson::error_code* json_error) {
  const GenericMapping& m = *options_.generic;
  scratch_.Reset();
  const char* bad_field = nullptr;
  auto read = [&](const std::string& ptr, std::string_view* out) -> bool {
    if (ptr.empty()) return true;
    od::value v;
    simdjson::error_code e = doc.at_pointer(ptr).get(v);
    if (e == simdjson::NO_SUCH_FIELD || e == simdjson::INDEX_OUT_OF_BOUNDS ||
        e == simdjson::INCORRECT_TYPE)
      return true;  // absent
    std::string_view s;
    if (e == simdjson::SUCCESS) e = GetStrOrNum(v, &s);
    if (e == simdjson::INCORRECT_TYPE) {
      bad_field = ptr.c_str();
      return false;
    }
    if (e) {
      *json_error = e;
      return false;
    }
    *out = scratch_.Copy(s);
    return true;
  };
  AuditEvent ev;
  ev.service = Service::kGeneric;
  std::string_view time, user;
  if (!read(m.user, &user) || !read(m.time, &time) || !read(m.op, &ev.op) ||
      !read(m.ip, &ev.ip) || !read(m.id, &ev.id) || !read(m.tenant, &ev.tenant) ||
      !read(m.user_id, &ev.user_id) || !read(m.object, &ev.object) ||
      !read(m.destination, &ev.destination) || !read(m.app, &ev.app) ||
      !read(m.user_agent, &ev.user_agent)) {
    if (bad_field == nullptr) return Outcome::kJsonError;
    // The pointer text lives in the mapping, which outlives the sink call.
    Error(ParseErrorKind::kWrongType, raw, bad_field);
    return Outcome::kSchemaError;
  }
  bool time_ok = true;
  if (!time.empty()) {
    time_ok = m.time_format == GenericTimeFormat::kRfc3339
                  ? ParseTimestamp(time, &ev.time_ms)
                  : ParseUnixTime(time, m.time_format == GenericTimeFormat::kUnixSeconds,
                                  &ev.time_ms);
  }
  if (!time_ok) {
    Error(ParseErrorKind::kBadTime, raw, m.time);
    return Outcome::kSchemaError;
  }
  ev.user = scratch_.Lower(user);
  ev.ip = NormalizeClientIp(ev.ip);
  ev.action = m.Classify(ev.op);
  ev.primary = !ev.user.empty();
  ev.raw = raw;
  Emit(ev);
  return Outcome::kOk;
}

}  // namespace exfilter::internal
