// The generic source: fields found by JSON pointer (GenericMapping), each
// looked up from the record's root with the cursor. Slower than the
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

// True if the raw key at k (just past its opening quote) equals the pointer
// token (whose "~1" and "~0" stand for "/" and "~"). Escaped keys match
// nothing.
bool KeyMatchesToken(const char* k, std::string_view token) {
  size_t j = 0;
  for (size_t i = 0; i < token.size(); ++i, ++j) {
    char want = token[i];
    if (want == '~' && i + 1 < token.size()) want = token[++i] == '1' ? '/' : '~';
    if (k[j] != want || k[j] == '"' || k[j] == '\\') return false;
  }
  return k[j] == '"';
}

// Returned by a field or element callback to stop the walk at the value the
// cursor is on (not an error: no simdjson call returns it here).
constexpr error_code kStopHere = simdjson::OUT_OF_ORDER_ITERATION;

// Moves c to the member named token of the object at c, or the element
// numbered token of the array at c.
error_code Descend(Cursor& c, std::string_view token) {
  error_code e = simdjson::SUCCESS;
  if (c.Type() == JsonType::kObject) {
    e = ForEachField(c, [&](const char* key) {
      return KeyMatchesToken(key, token) ? kStopHere : c.Skip();
    });
    if (e == simdjson::SUCCESS) return simdjson::NO_SUCH_FIELD;
  } else {
    int64_t index = 0;
    if (c.Type() != JsonType::kArray || !ParseInt64(token, &index) || index < 0)
      return simdjson::INCORRECT_TYPE;
    e = ForEachElement(c, [&] { return index-- == 0 ? kStopHere : c.Skip(); });
    if (e == simdjson::SUCCESS) return simdjson::INDEX_OUT_OF_BOUNDS;
  }
  return e == kStopHere ? simdjson::SUCCESS : e;
}

// c at the value that the JSON pointer (RFC 6901) names, from the root.
error_code AtPointer(const Cursor& root, std::string_view pointer, Cursor* c) {
  *c = root;
  if (pointer.empty()) return simdjson::SUCCESS;
  if (pointer[0] != '/') return simdjson::INVALID_JSON_POINTER;
  pointer.remove_prefix(1);
  while (true) {
    size_t slash = pointer.find('/');
    if (error_code e = Descend(*c, pointer.substr(0, slash))) return e;
    if (slash == pointer.npos) return simdjson::SUCCESS;
    pointer.remove_prefix(slash + 1);
  }
}

}  // namespace

bool ParserState::GenericMatches(const Cursor& root) {
  const GenericMapping& m = *options_.generic;
  const std::string& ptr = m.detect.empty() ? m.op : m.detect;
  Cursor c;
  return !ptr.empty() && AtPointer(root, ptr, &c) == simdjson::SUCCESS;
}

ParserState::Outcome ParserState::EmitGeneric(const Cursor& root, std::string_view raw,
                                              error_code* json_error) {
  const GenericMapping& m = *options_.generic;
  scratch_.Reset();
  const char* bad_field = nullptr;
  auto read = [&](const std::string& ptr, std::string_view* out) -> bool {
    if (ptr.empty()) return true;
    Cursor c;
    error_code e = AtPointer(root, ptr, &c);
    if (e == simdjson::NO_SUCH_FIELD || e == simdjson::INDEX_OUT_OF_BOUNDS ||
        e == simdjson::INCORRECT_TYPE)
      return true;  // absent
    if (e == simdjson::SUCCESS) e = c.GetStrOrNum(out);
    if (e == simdjson::INCORRECT_TYPE) {
      bad_field = ptr.c_str();
      return false;
    }
    if (e) {
      *json_error = e;
      return false;
    }
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
                  ? ParseTimestamp(time, &ev.time_ms, &dates_)
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
