// Nested objects of Box events (created_by, source, additional_details) and
// of Microsoft 365 records (AppAccessContext, ExtendedProperties).
#include <string_view>

#include "parsers/internal/record.h"

namespace exfilter::internal {
namespace {

using simdjson::SUCCESS;

// An object is read; null is fine (absent, consumed); another value is a
// wrong type when `strict`, else skipped.
enum class Shape { kObject, kDone };
error_code ExpectObject(Cursor& c, const char* field, bool strict, Record& r, Shape* shape) {
  *shape = Shape::kDone;
  switch (c.Type()) {
    case JsonType::kObject: *shape = Shape::kObject; return SUCCESS;
    case JsonType::kNone: return c.Unexpected();
    case JsonType::kNull: return c.Skip();
    default: return strict ? Read(r, field, simdjson::INCORRECT_TYPE) : c.Skip();
  }
}

// The string member `name` of the object at c (other members skipped);
// c must be at an object.
error_code ReadOneMember(Cursor& c, const char* field, Record& r, bool (*is_name)(const char*),
                         std::string_view* out) {
  return ForEachField(c, [&](const char* k) -> error_code {
    if (is_name(k)) return Read(r, field, c.GetStr(out));
    return c.Skip();
  });
}

}  // namespace

error_code ReadBoxCreatedBy(Cursor& c, Record& r) {
  Shape shape;
  if (error_code e = ExpectObject(c, "created_by", true, r, &shape); e || shape == Shape::kDone)
    return e;
  return ForEachField(c, [&](const char* k) -> error_code {
    if (KeyIs(k, "login")) return Read(r, "created_by.login", c.GetStr(&r.user));
    if (KeyIs(k, "id")) return Read(r, "created_by.id", c.GetStrOrNum(&r.user_id));
    return c.Skip();
  });
}

error_code ReadBoxSource(Cursor& c, Record& r) {
  Shape shape;
  if (error_code e = ExpectObject(c, "source", false, r, &shape); e || shape == Shape::kDone)
    return e;
  std::string_view item_name, name, folder_name;
  error_code e = ForEachField(c, [&](const char* k) -> error_code {
    if (KeyIs(k, "item_name")) return Read(r, "source.item_name", c.GetStr(&item_name));
    if (KeyIs(k, "name")) return Read(r, "source.name", c.GetStr(&name));
    if (KeyIs(k, "folder_name")) return Read(r, "source.folder_name", c.GetStr(&folder_name));
    if (KeyIs(k, "parent") && c.Type() == JsonType::kObject)
      return ReadOneMember(
          c, "source.parent.name", r, [](const char* key) { return KeyIs(key, "name"); },
          &r.destination);
    return c.Skip();
  });
  r.object = !item_name.empty() ? item_name : !name.empty() ? name : folder_name;
  return e;
}

error_code ReadBoxDetails(Cursor& c, Record& r) {
  Shape shape;  // Panther stores additional_details as a JSON string: ignored
  if (error_code e = ExpectObject(c, "additional_details", false, r, &shape);
      e || shape == Shape::kDone)
    return e;
  return ForEachField(c, [&](const char* k) -> error_code {
    if (KeyIs(k, "shield_alert") && c.Type() == JsonType::kObject)
      return ReadOneMember(
          c, "shield_alert.rule_category", r,
          [](const char* key) { return KeyIs(key, "rule_category"); }, &r.rule_category);
    if (KeyIs(k, "service_id"))
      return Read(r, "additional_details.service_id", c.GetStrOrNum(&r.app));
    return c.Skip();
  });
}

error_code ReadM365AppContext(Cursor& c, Record& r) {
  Shape shape;
  if (error_code e = ExpectObject(c, "AppAccessContext", false, r, &shape);
      e || shape == Shape::kDone)
    return e;
  return ReadOneMember(
      c, "AppAccessContext.ClientAppId", r,
      [](const char* key) { return KeyIs(key, "ClientAppId"); }, &r.app);
}

// [{"Name":"UserAgent","Value":"..."}, ...]: keeps the UserAgent value.
error_code ReadM365ExtendedProperties(Cursor& c, Record& r) {
  if (c.Type() != JsonType::kArray) return c.Skip();
  return ForEachElement(c, [&]() -> error_code {
    if (c.Type() != JsonType::kObject) return c.Skip();
    std::string_view name, value;
    error_code e = ForEachField(c, [&](const char* k) -> error_code {
      if (KeyIs(k, "Name")) return Read(r, "ExtendedProperties.Name", c.GetStr(&name));
      if (KeyIs(k, "Value") && name == "UserAgent")
        return Read(r, "ExtendedProperties.Value", c.GetStr(&value));
      return c.Skip();
    });
    if (!e && name == "UserAgent" && r.user_agent.empty()) r.user_agent = value;
    return e;
  });
}

}  // namespace exfilter::internal
