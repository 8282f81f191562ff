// One JSON value -> AuditEvents: pages are split into their elements, the
// service is decided from the record's keys, and each service's slots are
// normalized (UTC time, lower-cased user, bare IP, action class).
#include <string_view>

#include "parsers/internal/classify.h"
#include "parsers/internal/client_ip.h"
#include "parsers/internal/parser_state.h"
#include "parsers/internal/time_parse.h"

namespace exfilter::internal {
namespace {

Service DetectService(const Record& r, InputFormat format) {
  // An explicit format skips detection, but a record must still carry at
  // least one field of that service.
  switch (format) {
    case InputFormat::kM365: return r.evidence_m365 > 0 ? Service::kM365 : Service::kUnknown;
    case InputFormat::kGoogle:
      return r.evidence_google > 0 || r.g_flat ? Service::kGoogleWorkspace : Service::kUnknown;
    case InputFormat::kBox: return r.evidence_box > 0 ? Service::kBox : Service::kUnknown;
    default: break;
  }
  int best = r.evidence_m365;
  Service s = best > 0 ? Service::kM365 : Service::kUnknown;
  if (r.evidence_google > best) {
    best = r.evidence_google;
    s = Service::kGoogleWorkspace;
  }
  if (r.evidence_box > best) s = Service::kBox;
  return s;
}

bool IsSystemUser(std::string_view user) {
  return user.empty() || user == "unknown" || user == "app@sharepoint" ||
         user.substr(0, 11) == "sharepoint\\" || user == "not available";
}

}  // namespace

void ParserState::Emit(const AuditEvent& ev) {
  ++counters_.events;
  sink_.on_event(sink_.sink, ev);
}

void ParserState::Error(ParseErrorKind kind, std::string_view raw, std::string_view detail) {
  ++counters_.errors[static_cast<int>(kind)];
  ParseError err;
  err.kind = kind;
  err.offset = static_cast<size_t>(raw.data() - data_);
  err.length = raw.size();
  err.detail = detail;
  sink_.on_error(sink_.sink, err);
}

std::string_view ParserState::ValueText(const Cursor& start, error_code* json_error) {
  Cursor c = start;
  if ((*json_error = c.Skip())) return {};
  return {start.Here(), static_cast<size_t>(c.ConsumedEnd() - start.Here())};
}

ParserState::Outcome ParserState::ProcessTop(Cursor& c, bool top, error_code* json_error) {
  if (top) ++counters_.records;
  Record& r = top ? rec_ : elem_rec_;
  r.Clear();
  strings_.Reset();
  Cursor start = c;
  switch (c.Type()) {
    case JsonType::kObject: return ProcessObject(c, r, top, json_error);
    case JsonType::kArray: {
      if ((*json_error = ReadElements(c, r))) return Outcome::kJsonError;
      std::string_view raw(start.Here(), static_cast<size_t>(c.ConsumedEnd() - start.Here()));
      if (!top) return Fail(ParseErrorKind::kUnknownSchema, raw, "page inside a page");
      if (raw.size() > options_.max_record_bytes) {
        *json_error = simdjson::CAPACITY;  // isolated, then reported as too_long
        return Outcome::kJsonError;
      }
      EmitElements(r, start);
      return Outcome::kOk;
    }
    default: {
      // At the top, junk text reads as a run of scalars: the caller isolates
      // the line. An element of a page is just of an unknown schema.
      std::string_view raw = ValueText(start, json_error);
      if (top || *json_error) {
        if (!*json_error) *json_error = simdjson::TAPE_ERROR;
        return Outcome::kJsonError;
      }
      c.Advance();
      return Fail(ParseErrorKind::kUnknownSchema, raw, "not a JSON object");
    }
  }
}

ParserState::Outcome ParserState::ProcessObject(Cursor& c, Record& r, bool top,
                                                error_code* json_error) {
  Cursor start = c;
  if (options_.format == InputFormat::kGeneric && options_.generic) {
    std::string_view raw = ValueText(start, json_error);
    if (*json_error) return Outcome::kJsonError;
    if (raw.size() > options_.max_record_bytes) {
      *json_error = simdjson::CAPACITY;
      return Outcome::kJsonError;
    }
    c.Skip();
    return EmitGeneric(start, raw, json_error);
  }
  if (error_code e = ReadTop(c, mask_, r)) {
    if (e != simdjson::INCORRECT_TYPE) {
      *json_error = e;
      return Outcome::kJsonError;
    }
    std::string_view raw = ValueText(start, json_error);
    if (*json_error) return Outcome::kJsonError;
    c = start;
    c.Skip();
    return Fail(ParseErrorKind::kWrongType, raw, r.bad_field);
  }
  std::string_view raw(start.Here(), static_cast<size_t>(c.ConsumedEnd() - start.Here()));
  if (raw.size() > options_.max_record_bytes) {
    *json_error = simdjson::CAPACITY;  // isolated, then reported as too_long
    return Outcome::kJsonError;
  }
  if (r.page) {
    if (!top) return Fail(ParseErrorKind::kUnknownSchema, raw, "page inside a page");
    EmitElements(r, start);
    return Outcome::kOk;
  }
  Service s = DetectService(r, options_.format);
  if (s == Service::kUnknown) {
    if (options_.generic && options_.format == InputFormat::kAuto && GenericMatches(start))
      return EmitGeneric(start, raw, json_error);
    return Fail(ParseErrorKind::kUnknownSchema, raw, "no known audit fields");
  }
  return EmitRecord(r, s, raw);
}

void ParserState::EmitElements(const Record& page, const Cursor& at) {
  for (const uint32_t* element : page.elements) {
    Cursor c = at;
    c.Seek(element);
    error_code e = simdjson::SUCCESS;
    if (ProcessTop(c, /*top=*/false, &e) != Outcome::kJsonError) continue;
    Cursor start = at;
    start.Seek(element);
    error_code ignored;
    std::string_view raw = ValueText(start, &ignored);
    ReportJsonError(e, raw.empty() ? std::string_view(start.Here(), 1) : raw, /*last=*/false);
  }
}

ParserState::Outcome ParserState::EmitRecord(Record& r, Service s, std::string_view raw) {
  scratch_.Reset();
  switch (s) {
    case Service::kM365: return EmitM365(r, raw);
    case Service::kGoogleWorkspace: return EmitGoogle(r, raw);
    default: return EmitBox(r, raw);
  }
}

bool ParserState::ParseTime(std::string_view text, const char* field, std::string_view raw,
                            int64_t* ms) {
  *ms = 0;
  if (text.empty() || ParseTimestamp(text, ms, &dates_)) return true;
  Error(ParseErrorKind::kBadTime, raw, field);
  return false;
}

ParserState::Outcome ParserState::EmitM365(Record& r, std::string_view raw) {
  AuditEvent ev;
  ev.service = Service::kM365;
  std::string_view time = r.time.empty() ? r.time_alt : r.time;
  if (!ParseTime(time, "CreationTime", raw, &ev.time_ms)) return Outcome::kSchemaError;
  ev.tenant = r.tenant;
  ev.user = scratch_.Lower(r.user);
  ev.user_id = r.user_id;
  ev.op = r.op;
  ev.ip = NormalizeClientIp(r.ip);
  if (ev.ip.empty()) ev.ip = NormalizeClientIp(r.ip_alt);
  if (ev.ip.empty()) ev.ip = NormalizeClientIp(r.ip_alt2);
  ev.object = r.object;
  ev.destination = r.destination.empty() || r.dest_name.empty()
                       ? (r.destination.empty() ? r.dest_name : r.destination)
                       : scratch_.Join(r.destination, '/', r.dest_name);
  ev.app = r.app.empty() ? r.app_alt : r.app;
  ev.user_agent = r.user_agent;
  ev.id = r.id;
  ev.action = ClassifyM365(r.op, r.logon_error, r.result_status);
  ev.primary = !IsSystemUser(ev.user) && !(r.user_type >= 4 && r.user_type <= 8);
  ev.raw = raw;
  Emit(ev);
  return Outcome::kOk;
}

ParserState::Outcome ParserState::EmitGoogle(Record& r, std::string_view raw) {
  AuditEvent ev;
  ev.service = Service::kGoogleWorkspace;
  if (!ParseTime(r.time, "id.time", raw, &ev.time_ms)) return Outcome::kSchemaError;
  ev.tenant = r.tenant;
  ev.user = scratch_.Lower(r.user);
  ev.user_id = r.user_id;
  ev.ip = NormalizeClientIp(r.ip);
  ev.raw = raw;
  if (r.g_events.empty()) r.g_events.push_back(r.g_flat_event);  // Panther row, or none
  bool numbered = r.g_events_array && r.g_events.size() > 1;
  for (size_t i = 0; i < r.g_events.size(); ++i) {
    const GoogleEvent& g = r.g_events[i];
    ev.op = g.name;
    ev.object = g.object.empty() ? g.object_id : g.object;
    ev.destination = g.destination.empty() ? g.destination_id : g.destination;
    ev.app = r.app.empty() ? g.app : r.app;
    ev.action = ClassifyGoogle(r.g_app, g.name, g.suspicious);
    ev.primary = !ev.user.empty() && (!g.has_primary || g.primary);
    if (numbered) {
      char idx[24];
      size_t n = 0;
      size_t v = i;
      do {
        idx[sizeof(idx) - 1 - n++] = static_cast<char>('0' + v % 10);
        v /= 10;
      } while (v != 0);
      ev.id = scratch_.Join(r.id, '#', {idx + sizeof(idx) - n, n});
    } else {
      ev.id = r.id;
    }
    Emit(ev);
  }
  return Outcome::kOk;
}

ParserState::Outcome ParserState::EmitBox(Record& r, std::string_view raw) {
  AuditEvent ev;
  ev.service = Service::kBox;
  if (!ParseTime(r.time, "created_at", raw, &ev.time_ms)) return Outcome::kSchemaError;
  ev.user = scratch_.Lower(r.user);
  ev.user_id = r.user_id;
  ev.op = r.op;
  ev.ip = NormalizeClientIp(r.ip);
  ev.object = r.object;
  ev.action = ClassifyBox(r.op, r.rule_category);
  if (IsWatchedAction(ev.action)) ev.destination = r.destination;  // source.parent
  ev.app = r.app;
  ev.id = r.id;
  ev.primary = !ev.user.empty() && ev.user_id != "2";
  ev.raw = raw;
  Emit(ev);
  return Outcome::kOk;
}

}  // namespace exfilter::internal
