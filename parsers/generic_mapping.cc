// Loading the [generic] table of the config file into a GenericMapping.
#include "parsers/generic_mapping.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "util/strings.h"
#include "util/toml_fields.h"

namespace exfilter {
namespace {

absl::Status Bad(std::string_view key, const toml::node& node, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("generic.", ToAbsl(key), " (line ",
                                                 toml_fields::Line(node.source()), "): ", ToAbsl(what)));
}

std::string* PointerSlot(GenericMapping* m, std::string_view key) {
  struct Slot {
    std::string_view name;
    std::string GenericMapping::*field;
  };
  static constexpr Slot kSlots[] = {
      {"detect", &GenericMapping::detect},   {"user", &GenericMapping::user},
      {"time", &GenericMapping::time},       {"op", &GenericMapping::op},
      {"ip", &GenericMapping::ip},           {"id", &GenericMapping::id},
      {"tenant", &GenericMapping::tenant},   {"user_id", &GenericMapping::user_id},
      {"object", &GenericMapping::object},   {"destination", &GenericMapping::destination},
      {"app", &GenericMapping::app},         {"user_agent", &GenericMapping::user_agent},
  };
  for (const Slot& s : kSlots)
    if (s.name == key) return &(m->*s.field);
  return nullptr;
}

bool ActionFromName(std::string_view name, ActionClass* out) {
  for (int i = 0; i < kNumActionClasses; ++i) {
    auto a = static_cast<ActionClass>(i);
    if (ActionClassName(a) == name) {
      *out = a;
      return true;
    }
  }
  return false;
}

absl::Status LoadOps(const toml::table& ops, GenericMapping* out) {
  for (auto&& [key, node] : ops) {
    std::string name = "ops." + std::string(key.str());
    ActionClass action;
    if (!ActionFromName(key.str(), &action)) return Bad(name, node, "unknown action class");
    const toml::array* values = node.as_array();
    if (values == nullptr) return Bad(name, node, "must be an array of operation names");
    for (const toml::node& v : *values) {
      const auto* s = v.as_string();
      if (s == nullptr) return Bad(name, v, "must be an array of operation names");
      out->ops[s->get()] = action;
    }
  }
  return absl::OkStatus();
}

}  // namespace

ActionClass GenericMapping::Classify(std::string_view op) const {
  auto it = ops.find(ToAbsl(op));
  return it == ops.end() ? ActionClass::kOther : it->second;
}

absl::Status LoadGenericMapping(const toml::table& table, GenericMapping* out) {
  *out = GenericMapping{};
  for (auto&& [key, node] : table) {
    std::string_view k = key.str();
    if (k == "ops") {
      const toml::table* ops = node.as_table();
      if (ops == nullptr) return Bad(k, node, "must be a table");
      if (absl::Status s = LoadOps(*ops, out); !s.ok()) return s;
      continue;
    }
    if (k == "name") {
      if (auto err = toml_fields::Str(&out->name)(node)) return Bad(k, node, *err);
      continue;
    }
    if (k == "time_format") {
      std::string f;
      if (auto err = toml_fields::Str(&f)(node)) return Bad(k, node, *err);
      if (f == "rfc3339") {
        out->time_format = GenericTimeFormat::kRfc3339;
      } else if (f == "unix_s") {
        out->time_format = GenericTimeFormat::kUnixSeconds;
      } else if (f == "unix_ms") {
        out->time_format = GenericTimeFormat::kUnixMillis;
      } else {
        return Bad(k, node, "must be rfc3339, unix_s or unix_ms");
      }
      continue;
    }
    const auto* s = node.as_string();
    std::string* slot = PointerSlot(out, k);
    if (slot == nullptr) return Bad(k, node, "unknown key");
    if (s == nullptr) return Bad(k, node, "must be a JSON pointer string");
    if (s->get().empty() || s->get()[0] != '/')
      return Bad(k, node, "a JSON pointer starts with '/'");
    *slot = s->get();
  }
  for (auto [name, value] : {std::pair<std::string_view, const std::string*>{"user", &out->user},
                             {"time", &out->time},
                             {"op", &out->op}}) {
    if (value->empty())
      return absl::InvalidArgumentError(
          absl::StrCat("generic.", ToAbsl(name), " (line ", toml_fields::Line(table.source()),
                       "): required key missing"));
  }
  return absl::OkStatus();
}

}  // namespace exfilter
