// Google Workspace Reports API activity: id, actor, events (array, Elastic's
// single object, or Panther's top-level name/parameters) and the typed-union
// parameter list {name, value|intValue|boolValue|multiValue}.
#include <string_view>
#include <utility>

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

// One {name, value|boolValue|...} element; the keys come in any order.
simdjson::error_code ReadListParam(od::value v, GoogleEvent& ev, Record& r) {
  od::object obj;
  EXFILTER_READ(r, "parameters[]", v.get_object().get(obj));
  std::string_view name, sval;
  bool has_b = false, bval = false;
  for (auto fr : obj) {
    od::field f;
    if (auto e = std::move(fr).get(f)) return e;
    const char* k = RawKey(f);
    if (KeyIs(k, "name")) {
      EXFILTER_READ(r, "parameters[].name", GetStr(f.value(), &name));
    } else if (KeyIs(k, "value")) {
      if (IsObject(f.value())) continue;
      od::json_type t;
      if (auto e = f.value().type().get(t)) return e;
      if (t == od::json_type::string) EXFILTER_READ(r, "parameters[].value", GetStr(f.value(), &sval));
    } else if (KeyIs(k, "boolValue")) {
      has_b = true;
      EXFILTER_READ(r, "parameters[].boolValue", GetBoolish(f.value(), &bval));
    }
  }
  ApplyParam(name, sval, has_b, bval, ev);
  return SUCCESS;
}

// Panther's map form: {"doc_title": "x", "primary_event": true, ...}.
simdjson::error_code ReadMapParams(od::object obj, GoogleEvent& ev, Record& r) {
  for (auto fr : obj) {
    od::field f;
    if (auto e = std::move(fr).get(f)) return e;
    std::string_view name;
    if (auto e = f.unescaped_key().get(name)) return e;
    od::json_type t;
    if (auto e = f.value().type().get(t)) return e;
    std::string_view sval;
    bool bval = false, has_b = false;
    if (t == od::json_type::string) {
      EXFILTER_READ(r, "parameters", f.value().get_string().get(sval));
    } else if (t == od::json_type::boolean) {
      has_b = true;
      EXFILTER_READ(r, "parameters", f.value().get_bool().get(bval));
    }
    ApplyParam(name, sval, has_b, bval, ev);
  }
  return SUCCESS;
}

simdjson::error_code ReadOneEvent(od::value v, Record& r) {
  od::object obj;
  EXFILTER_READ(r, "events[]", v.get_object().get(obj));
  GoogleEvent& ev = r.g_events.emplace_back();
  for (auto fr : obj) {
    od::field f;
    if (auto e = std::move(fr).get(f)) return e;
    const char* k = RawKey(f);
    if (KeyIs(k, "name")) {
      EXFILTER_READ(r, "events.name", GetStr(f.value(), &ev.name));
    } else if (KeyIs(k, "parameters")) {
      if (auto e = ReadGoogleParams(f.value(), ev, r)) return e;
    }
  }
  return SUCCESS;
}

}  // namespace

simdjson::error_code ReadGoogleId(od::value v, Record& r) {
  od::object obj;
  EXFILTER_READ(r, "id", v.get_object().get(obj));
  for (auto fr : obj) {
    od::field f;
    if (auto e = std::move(fr).get(f)) return e;
    const char* k = RawKey(f);
    if (KeyIs(k, "time")) {
      EXFILTER_READ(r, "id.time", GetStr(f.value(), &r.time));
    } else if (KeyIs(k, "uniqueQualifier")) {
      EXFILTER_READ(r, "id.uniqueQualifier", GetStrOrNum(f.value(), &r.id));
    } else if (KeyIs(k, "applicationName")) {
      EXFILTER_READ(r, "id.applicationName", GetStr(f.value(), &r.g_app));
    } else if (KeyIs(k, "customerId")) {
      EXFILTER_READ(r, "id.customerId", GetStrOrNum(f.value(), &r.tenant));
    }
  }
  return SUCCESS;
}

simdjson::error_code ReadGoogleActor(od::value v, Record& r) {
  od::object obj;
  EXFILTER_READ(r, "actor", v.get_object().get(obj));
  std::string_view key;
  for (auto fr : obj) {
    od::field f;
    if (auto e = std::move(fr).get(f)) return e;
    const char* k = RawKey(f);
    if (KeyIs(k, "email")) {
      EXFILTER_READ(r, "actor.email", GetStr(f.value(), &r.user));
    } else if (KeyIs(k, "profileId")) {
      EXFILTER_READ(r, "actor.profileId", GetStrOrNum(f.value(), &r.user_id));
    } else if (KeyIs(k, "key")) {
      EXFILTER_READ(r, "actor.key", GetStrOrNum(f.value(), &key));
    } else if (KeyIs(k, "applicationInfo") && IsObject(f.value())) {
      od::object info;
      if (auto e = f.value().get_object().get(info)) return e;
      for (auto ir : info) {
        od::field g;
        if (auto e = std::move(ir).get(g)) return e;
        if (KeyIs(RawKey(g), "oauthClientId"))
          EXFILTER_READ(r, "actor.applicationInfo.oauthClientId", GetStrOrNum(g.value(), &r.app));
      }
    }
  }
  if (r.user_id.empty()) r.user_id = key;
  return SUCCESS;
}

simdjson::error_code ReadGoogleEvents(od::value v, Record& r) {
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  if (t == od::json_type::null) return SUCCESS;
  if (t == od::json_type::object) return ReadOneEvent(v, r);
  if (t != od::json_type::array) {
    r.bad_field = "events";
    return simdjson::INCORRECT_TYPE;
  }
  r.g_events_array = true;
  od::array arr;
  if (auto e = v.get_array().get(arr)) return e;
  for (auto el : arr) {
    od::value item;
    if (auto e = el.get(item)) return e;
    if (auto e = ReadOneEvent(item, r)) return e;
  }
  return SUCCESS;
}

simdjson::error_code ReadGoogleParams(od::value v, GoogleEvent& ev, Record& r) {
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  if (t == od::json_type::null) return SUCCESS;
  if (t == od::json_type::object) {
    od::object obj;
    if (auto e = v.get_object().get(obj)) return e;
    return ReadMapParams(obj, ev, r);
  }
  if (t != od::json_type::array) {
    r.bad_field = "parameters";
    return simdjson::INCORRECT_TYPE;
  }
  od::array arr;
  if (auto e = v.get_array().get(arr)) return e;
  for (auto el : arr) {
    od::value item;
    if (auto e = el.get(item)) return e;
    if (auto e = ReadListParam(item, ev, r)) return e;
  }
  return SUCCESS;
}

}  // namespace exfilter::internal
