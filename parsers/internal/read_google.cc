// Google Workspace Reports API activity: id, actor, events (array, Elastic's
// single object, or Panther's top-level name/parameters) and the typed-union
// parameter list {name, value|intValue|boolValue|multiValue}.
#include <cstring>
#include <string_view>

#include "parsers/internal/record.h"

namespace exfilter::internal {
namespace {

using simdjson::SUCCESS;

void ApplyParam(std::string_view name, std::string_view sval, bool has_b, bool bval,
                GoogleEvent& ev) {
  if (name.empty()) return;
  switch (name[0]) {
    case 'd':
      if (name == "doc_title") ev.object = sval;
      else if (name == "doc_id") ev.object_id = sval;
      else if (name == "destination_folder_title") ev.destination = sval;
      else if (name == "destination_folder_id") ev.destination_id = sval;
      break;
    case 'i':
      if (name == "is_suspicious" && has_b) ev.suspicious = bval;
      break;
    case 'o':
      if (name == "originating_app_id") ev.app = sval;
      break;
    case 'p':
      if (name == "primary_event" && has_b) {
        ev.has_primary = true;
        ev.primary = bval;
      }
      break;
    default: break;
  }
}

// The string at structural `at` when its closing quote directly precedes the
// next structural and it holds no escape: its body into *out.
[[gnu::always_inline]] inline bool PlainString(Cursor& c, const uint32_t* at,
                                               std::string_view* out) {
  const char* buf = c.buf();
  const char* close = buf + at[1] - 1;
  if (buf[at[0]] != '"' || *close != '"' || at[1] - 1 <= at[0]) return false;
  const char* body = buf + at[0] + 1;
  const size_t len = static_cast<size_t>(close - body);
  if (c.HasEscape(body, len)) return false;
  *out = {body, len};
  return true;
}

// The common element, {"name":"N","value":"S"} or {"name":"N","boolValue":
// true|false}, read from its nine structurals at once (no whitespace inside
// the strings' reach, no escapes). False, with nothing consumed, for any
// other element: ReadListParam reads it.
bool ReadPlainParam(Cursor& c, GoogleEvent& ev) {
  const uint32_t* at = c.position();
  if (c.end() - at < 9) return false;
  const char* buf = c.buf();
  if (buf[at[0]] != '{' || buf[at[2]] != ':' || buf[at[4]] != ',' || buf[at[6]] != ':' ||
      buf[at[8]] != '}' || buf[at[1]] != '"' || buf[at[5]] != '"' ||
      !KeyIs(buf + at[1] + 1, "name"))
    return false;
  std::string_view name, sval;
  if (!PlainString(c, at + 3, &name)) return false;
  const char* key = buf + at[5] + 1;
  bool has_b = false, bval = false;
  if (KeyIs(key, "value")) {
    if (!PlainString(c, at + 7, &sval)) return false;
  } else if (KeyIs(key, "boolValue")) {
    const char* v = buf + at[7];
    const uint32_t len = at[8] - at[7];
    if (len == 4 && std::memcmp(v, "true", 4) == 0) {
      bval = true;
    } else if (len != 5 || std::memcmp(v, "false", 5) != 0) {
      return false;
    }
    has_b = true;
  } else {
    return false;
  }
  ApplyParam(name, sval, has_b, bval, ev);
  c.Seek(at + 9);
  return true;
}

// One {name, value|boolValue|...} element; the keys come in any order.
error_code ReadListParam(Cursor& c, GoogleEvent& ev, Record& r) {
  if (ReadPlainParam(c, ev)) return SUCCESS;
  if (c.Type() != JsonType::kObject)
    return c.Type() == JsonType::kNone ? c.Unexpected() : Read(r, "parameters[]", simdjson::INCORRECT_TYPE);
  std::string_view name, sval;
  bool has_b = false, bval = false;
  error_code e = ForEachField(c, [&](const char* k) -> error_code {
    if (KeyIs(k, "name")) return Read(r, "parameters[].name", c.GetStr(&name));
    if (KeyIs(k, "value") && c.Type() == JsonType::kString)
      return Read(r, "parameters[].value", c.GetStr(&sval));
    if (KeyIs(k, "boolValue")) {
      has_b = c.Type() != JsonType::kNull;  // null: as if absent
      return Read(r, "parameters[].boolValue", c.GetBoolish(&bval));
    }
    return c.Skip();
  });
  if (!e) ApplyParam(name, sval, has_b, bval, ev);
  return e;
}

// Panther's map form: {"doc_title": "x", "primary_event": true, ...}.
error_code ReadMapParams(Cursor& c, GoogleEvent& ev, Record& r) {
  return ForEachField(c, [&](const char* k) -> error_code {
    const char* quote = static_cast<const char*>(std::memchr(k, '"', c.Here() - k));
    std::string_view name(k, quote == nullptr ? 0 : static_cast<size_t>(quote - k));
    std::string_view sval;
    bool bval = false, has_b = false;
    error_code e = simdjson::SUCCESS;
    if (c.Type() == JsonType::kString) {
      e = Read(r, "parameters", c.GetStr(&sval));
    } else if (c.Type() == JsonType::kBool) {
      has_b = true;
      e = Read(r, "parameters", c.GetBoolish(&bval));
    } else {
      e = c.Skip();
    }
    if (!e) ApplyParam(name, sval, has_b, bval, ev);
    return e;
  });
}

error_code ReadOneEvent(Cursor& c, Record& r) {
  if (c.Type() != JsonType::kObject)
    return c.Type() == JsonType::kNone ? c.Unexpected() : Read(r, "events[]", simdjson::INCORRECT_TYPE);
  GoogleEvent& ev = r.g_events.emplace_back();
  return ForEachField(c, [&](const char* k) -> error_code {
    if (KeyIs(k, "name")) return Read(r, "events.name", c.GetStr(&ev.name));
    if (KeyIs(k, "parameters")) return ReadGoogleParams(c, ev, r);
    return c.Skip();
  });
}

}  // namespace

error_code ReadGoogleId(Cursor& c, Record& r) {
  return ForEachField(c, [&](const char* k) -> error_code {
    if (KeyIs(k, "time")) return Read(r, "id.time", c.GetStr(&r.time));
    if (KeyIs(k, "uniqueQualifier")) return Read(r, "id.uniqueQualifier", c.GetStrOrNum(&r.id));
    if (KeyIs(k, "applicationName")) return Read(r, "id.applicationName", c.GetStr(&r.g_app));
    if (KeyIs(k, "customerId")) return Read(r, "id.customerId", c.GetStrOrNum(&r.tenant));
    return c.Skip();
  });
}

error_code ReadGoogleActor(Cursor& c, Record& r) {
  std::string_view key;
  error_code e = ForEachField(c, [&](const char* k) -> error_code {
    if (KeyIs(k, "email")) return Read(r, "actor.email", c.GetStr(&r.user));
    if (KeyIs(k, "profileId")) return Read(r, "actor.profileId", c.GetStrOrNum(&r.user_id));
    if (KeyIs(k, "key")) return Read(r, "actor.key", c.GetStrOrNum(&key));
    if (KeyIs(k, "applicationInfo") && c.Type() == JsonType::kObject) {
      return ForEachField(c, [&](const char* g) -> error_code {
        if (KeyIs(g, "oauthClientId"))
          return Read(r, "actor.applicationInfo.oauthClientId", c.GetStrOrNum(&r.app));
        return c.Skip();
      });
    }
    return c.Skip();
  });
  if (r.user_id.empty()) r.user_id = key;
  return e;
}

error_code ReadGoogleEvents(Cursor& c, Record& r) {
  switch (c.Type()) {
    case JsonType::kNull: return c.Skip();
    case JsonType::kObject: return ReadOneEvent(c, r);
    case JsonType::kArray: break;
    case JsonType::kNone: return c.Unexpected();
    default: return Read(r, "events", simdjson::INCORRECT_TYPE);
  }
  r.g_events_array = true;
  return ForEachElement(c, [&] { return ReadOneEvent(c, r); });
}

error_code ReadGoogleParams(Cursor& c, GoogleEvent& ev, Record& r) {
  switch (c.Type()) {
    case JsonType::kNull: return c.Skip();
    case JsonType::kObject: return ReadMapParams(c, ev, r);
    case JsonType::kArray: break;
    case JsonType::kNone: return c.Unexpected();
    default: return Read(r, "parameters", simdjson::INCORRECT_TYPE);
  }
  return ForEachElement(c, [&] { return ReadListParam(c, ev, r); });
}

}  // namespace exfilter::internal
