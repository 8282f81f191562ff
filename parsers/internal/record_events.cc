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

// True if doc (a scalar root) is one valid JSON scalar spanning all of text.
bool IsWholeScalar(od::document_reference doc, std::string_view text) {
  std::string_view token;
  if (doc.raw_json_token().get(token) || TrimRight(token).size() != text.size()) return false;
  od::json_type t;
  if (doc.type().get(t)) return false;
  switch (t) {
    case od::json_type::number: {
      double d;
      return doc.get_double().get(d) == simdjson::SUCCESS;
    }
    case od::json_type::boolean: {
      bool b;
      return doc.get_bool().get(b) == simdjson::SUCCESS;
    }
    case od::json_type::null: {
      bool n = false;
      return doc.is_null().get(n) == simdjson::SUCCESS && n;
    }
    case od::json_type::string: {
      std::string_view s;
      return doc.get_string().get(s) == simdjson::SUCCESS;
    }
    default: return false;
  }
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

ParserState::Outcome ParserState::ProcessTop(od::document_reference doc, std::string_view raw,
                                             bool top, simdjson::error_code* json_error) {
  using Kind = Pending::Kind;
  if (top) ++counters_.records;
  od::json_type t;
  if ((*json_error = doc.type().get(t))) return Outcome::kJsonError;
  Record& r = top ? rec_ : elem_rec_;
  r.Clear();
  if (t == od::json_type::array) {
    if (!top) return Deliver(Pending::Err(ParseErrorKind::kUnknownSchema, "page inside a page"), r, raw);
    od::array arr;
    if ((*json_error = doc.get_array().get(arr))) return Outcome::kJsonError;
    if ((*json_error = ReadArrayElements(arr, r))) return Outcome::kJsonError;
    return Deliver(Pending::Of(Kind::kPage), r, raw);
  }
  if (t != od::json_type::object) {
    // In a stream, junk text reads as a run of scalars: isolate the line.
    if (top && (in_stream_ || !IsWholeScalar(doc, raw))) {
      *json_error = simdjson::TAPE_ERROR;
      return Outcome::kJsonError;
    }
    return Deliver(Pending::Err(ParseErrorKind::kUnknownSchema, "not a JSON object"), r, raw);
  }
  if (options_.format == InputFormat::kGeneric && options_.generic)
    return EmitGeneric(doc, raw, json_error);
  od::object obj;
  if ((*json_error = doc.get_object().get(obj))) return Outcome::kJsonError;
  if (simdjson::error_code e = ReadTop(obj, mask_, r)) {
    if (e != simdjson::INCORRECT_TYPE) {
      *json_error = e;
      return Outcome::kJsonError;
    }
    return Deliver(Pending::Err(ParseErrorKind::kWrongType, r.bad_field), r, raw);
  }
  if (r.page) {
    if (!top) return Deliver(Pending::Err(ParseErrorKind::kUnknownSchema, "page inside a page"), r, raw);
    return Deliver(Pending::Of(Kind::kPage), r, raw);
  }
  Service s = DetectService(r, options_.format);
  if (s == Service::kUnknown) {
    if (options_.generic && options_.format == InputFormat::kAuto && GenericMatches(doc))
      return EmitGeneric(doc, raw, json_error);
    return Deliver(Pending::Err(ParseErrorKind::kUnknownSchema, "no known audit fields"), r, raw);
  }
  return Deliver(Pending::Of(Kind::kRecord, s), r, raw);
}

ParserState::Outcome ParserState::Deliver(const Pending& p, Record& r, std::string_view raw) {
  if (defer_) {  // only top-level records in a stream: r is rec_
    pending_ = p;
    pending_.start = raw.data();
    return Outcome::kOk;
  }
  Finish(p, r, raw);
  return p.kind == Pending::Kind::kError ? Outcome::kSchemaError : Outcome::kOk;
}

void ParserState::FlushPending(const char* end) {
  if (pending_.kind == Pending::Kind::kNone) return;
  Pending p = pending_;
  pending_.kind = Pending::Kind::kNone;
  std::string_view raw = TrimRight({p.start, static_cast<size_t>(end - p.start)});
  if (raw.size() > options_.max_record_bytes) {
    Error(ParseErrorKind::kTooLong, raw, "record longer than the limit");
    return;
  }
  Finish(p, rec_, raw);
}

void ParserState::Finish(const Pending& p, Record& r, std::string_view raw) {
  switch (p.kind) {
    case Pending::Kind::kRecord: EmitRecord(r, p.service, raw); break;
    case Pending::Kind::kPage: EmitElements(r); break;
    case Pending::Kind::kError: Error(p.error, raw, p.detail); break;
    default: break;
  }
}

void ParserState::EmitElements(const Record& page) {
  bool defer = defer_;
  defer_ = false;  // elements know their own bytes
  for (std::string_view raw : page.elements) {
    od::document doc;
    simdjson::error_code e =
        elem_parser_.iterate(raw.data(), raw.size(), limit_ - raw.data()).get(doc);
    if (e == simdjson::SUCCESS &&
        ProcessTop(od::document_reference(doc), raw, /*top=*/false, &e) != Outcome::kJsonError)
      continue;
    ReportJsonError(e, raw, /*last=*/false);
  }
  defer_ = defer;
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
  if (text.empty() || ParseTimestamp(text, ms)) return true;
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
