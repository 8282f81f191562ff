// Nested objects of Box events (created_by, source, additional_details) and
// of Microsoft 365 records (AppAccessContext, ExtendedProperties).
#include <string_view>
#include <utility>

#include "parsers/internal/record.h"

namespace exfilter::internal {
namespace {

using simdjson::SUCCESS;

// null is fine (absent); another non-object is a wrong type when `strict`.
simdjson::error_code OpenObject(od::value v, const char* field, bool strict, Record& r,
                                od::object* obj, bool* present) {
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  *present = t == od::json_type::object;
  if (*present) return v.get_object().get(*obj);
  if (t == od::json_type::null || !strict) return SUCCESS;
  r.bad_field = field;
  return simdjson::INCORRECT_TYPE;
}

}  // namespace

simdjson::error_code ReadBoxCreatedBy(od::value v, Record& r) {
  od::object obj;
  bool present;
  if (auto e = OpenObject(v, "created_by", true, r, &obj, &present); e || !present) return e;
  for (auto fr : obj) {
    od::field f;
    if (auto e = std::move(fr).get(f)) return e;
    const char* k = RawKey(f);
    if (KeyIs(k, "login")) {
      EXFILTER_READ(r, "created_by.login", GetStr(f.value(), &r.user));
    } else if (KeyIs(k, "id")) {
      EXFILTER_READ(r, "created_by.id", GetStrOrNum(f.value(), &r.user_id));
    }
  }
  return SUCCESS;
}

simdjson::error_code ReadBoxSource(od::value v, Record& r) {
  od::object obj;
  bool present;
  if (auto e = OpenObject(v, "source", false, r, &obj, &present); e || !present) return e;
  std::string_view item_name, name, folder_name;
  for (auto fr : obj) {
    od::field f;
    if (auto e = std::move(fr).get(f)) return e;
    const char* k = RawKey(f);
    if (KeyIs(k, "item_name")) {
      EXFILTER_READ(r, "source.item_name", GetStr(f.value(), &item_name));
    } else if (KeyIs(k, "name")) {
      EXFILTER_READ(r, "source.name", GetStr(f.value(), &name));
    } else if (KeyIs(k, "folder_name")) {
      EXFILTER_READ(r, "source.folder_name", GetStr(f.value(), &folder_name));
    } else if (KeyIs(k, "parent") && IsObject(f.value())) {
      od::object parent;
      if (auto e = f.value().get_object().get(parent)) return e;
      for (auto pr : parent) {
        od::field g;
        if (auto e = std::move(pr).get(g)) return e;
        if (KeyIs(RawKey(g), "name"))
          EXFILTER_READ(r, "source.parent.name", GetStr(g.value(), &r.destination));
      }
    }
  }
  r.object = !item_name.empty() ? item_name : !name.empty() ? name : folder_name;
  return SUCCESS;
}

simdjson::error_code ReadBoxDetails(od::value v, Record& r) {
  od::object obj;
  bool present;  // Panther stores additional_details as a JSON string: ignored
  if (auto e = OpenObject(v, "additional_details", false, r, &obj, &present); e || !present)
    return e;
  for (auto fr : obj) {
    od::field f;
    if (auto e = std::move(fr).get(f)) return e;
    const char* k = RawKey(f);
    if (KeyIs(k, "shield_alert") && IsObject(f.value())) {
      od::object alert;
      if (auto e = f.value().get_object().get(alert)) return e;
      for (auto ar : alert) {
        od::field g;
        if (auto e = std::move(ar).get(g)) return e;
        if (KeyIs(RawKey(g), "rule_category"))
          EXFILTER_READ(r, "shield_alert.rule_category", GetStr(g.value(), &r.rule_category));
      }
    } else if (KeyIs(k, "service_id")) {
      EXFILTER_READ(r, "additional_details.service_id", GetStrOrNum(f.value(), &r.app));
    }
  }
  return SUCCESS;
}

simdjson::error_code ReadM365AppContext(od::value v, Record& r) {
  od::object obj;
  bool present;
  if (auto e = OpenObject(v, "AppAccessContext", false, r, &obj, &present); e || !present)
    return e;
  for (auto fr : obj) {
    od::field f;
    if (auto e = std::move(fr).get(f)) return e;
    if (KeyIs(RawKey(f), "ClientAppId"))
      EXFILTER_READ(r, "AppAccessContext.ClientAppId", GetStr(f.value(), &r.app));
  }
  return SUCCESS;
}

// [{"Name":"UserAgent","Value":"..."}, ...]: keeps the UserAgent value.
simdjson::error_code ReadM365ExtendedProperties(od::value v, Record& r) {
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  if (t != od::json_type::array) return SUCCESS;
  od::array arr;
  if (auto e = v.get_array().get(arr)) return e;
  for (auto el : arr) {
    od::value item;
    if (auto e = el.get(item)) return e;
    if (!IsObject(item)) continue;
    od::object obj;
    if (auto e = item.get_object().get(obj)) return e;
    std::string_view name, value;
    for (auto fr : obj) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return e;
      const char* k = RawKey(f);
      if (KeyIs(k, "Name")) {
        EXFILTER_READ(r, "ExtendedProperties.Name", GetStr(f.value(), &name));
      } else if (KeyIs(k, "Value") && name == "UserAgent") {
        EXFILTER_READ(r, "ExtendedProperties.Value", GetStr(f.value(), &value));
      }
    }
    if (name == "UserAgent" && r.user_agent.empty()) r.user_agent = value;
  }
  return SUCCESS;
}

}  // namespace exfilter::internal
