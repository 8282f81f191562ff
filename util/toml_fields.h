// Typed setters for TOML config tables, shared by the agent's [agent] table,
// the detector's [detector]/[[suppress]]/[[maintenance]] tables and the
// parser's [generic] table. A Setter checks one node's type and range, stores
// the value into the field it was made for and returns the error text (e.g.
// "must be true or false") or nothing; the caller prefixes it with the place
// (Where(): "FILE:LINE") and the key, so every module keeps its own message
// layout. Durations are "250ms", "10s", "5m", "1h30m", "7d" or a number of
// seconds.
// Thread safety: pure functions; a Setter writes only the field it captured.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "util/strings.h"

namespace exfilter::toml_fields {

// Error text, or nothing when the value was stored.
using Setter = std::function<std::optional<std::string>(const toml::node&)>;

// The line a node or key starts on (1-based).
inline uint64_t Line(const toml::source_region& src) {
  return static_cast<uint64_t>(src.begin.line);
}

// "FILE:LINE" for messages.
inline std::string Where(std::string_view file, const toml::source_region& src) {
  return absl::StrCat(ToAbsl(file), ":", Line(src));
}

inline Setter Bool(bool* field) {
  return [=](const toml::node& n) -> std::optional<std::string> {
    if (!n.is_boolean()) return "must be true or false";
    *field = *n.value<bool>();
    return std::nullopt;
  };
}

inline Setter Str(std::string* field) {
  return [=](const toml::node& n) -> std::optional<std::string> {
    if (!n.is_string()) return "must be a string";
    *field = *n.value<std::string>();
    return std::nullopt;
  };
}

// An array of strings; the field is replaced, also when a later element is bad.
inline Setter StrList(std::vector<std::string>* field) {
  return [=](const toml::node& n) -> std::optional<std::string> {
    const toml::array* a = n.as_array();
    if (a == nullptr) return "must be an array of strings";
    field->clear();
    for (const toml::node& e : *a) {
      if (!e.is_string()) return "must be an array of strings";
      field->push_back(*e.value<std::string>());
    }
    return std::nullopt;
  };
}

// A TOML integer in [lo, hi].
template <typename T>
Setter Int(T* field, int64_t lo, int64_t hi) {
  return [=](const toml::node& n) -> std::optional<std::string> {
    if (!n.is_integer() || *n.value<int64_t>() < lo || *n.value<int64_t>() > hi) {
      return absl::StrCat("must be an integer in [", lo, ", ", hi, "]");
    }
    *field = static_cast<T>(*n.value<int64_t>());
    return std::nullopt;
  };
}

// A TOML integer or float in [lo, hi].
template <typename T>
Setter Num(T* field, double lo, double hi) {
  return [=](const toml::node& n) -> std::optional<std::string> {
    auto v = n.value<double>();
    if (!v || !(n.is_integer() || n.is_floating_point()) || *v < lo || *v > hi) {
      return absl::StrCat("must be a number in [", lo, ", ", hi, "]");
    }
    *field = static_cast<T>(*v);
    return std::nullopt;
  };
}

// One of the allowed strings.
inline Setter OneOf(std::string* field, std::vector<std::string> allowed) {
  return [=](const toml::node& n) -> std::optional<std::string> {
    if (n.is_string()) {
      for (const std::string& a : allowed) {
        if (*n.value<std::string>() == a) {
          *field = a;
          return std::nullopt;
        }
      }
    }
    std::string msg = "must be one of";
    for (const std::string& a : allowed) absl::StrAppend(&msg, " \"", a, "\"");
    return msg;
  };
}

// "250ms", "15m", "2h", "1h30m", "7d" or a number of seconds; nothing if not
// a duration. May be negative.
inline std::optional<absl::Duration> ParseDuration(const toml::node& n) {
  if (auto i = n.value<int64_t>(); i && n.is_integer()) return absl::Seconds(*i);
  if (auto f = n.value<double>(); f && n.is_floating_point()) return absl::Seconds(*f);
  auto s = n.value<std::string>();
  if (!s || s->empty()) return std::nullopt;
  if (s->back() == 'd') {
    char* end = nullptr;
    double days = std::strtod(s->c_str(), &end);
    if (end != s->c_str() + s->size() - 1) return std::nullopt;
    return absl::Hours(24) * days;
  }
  absl::Duration d;
  if (!absl::ParseDuration(*s, &d)) return std::nullopt;
  return d;
}

// A duration >= 0. `bad` is returned for what is not a duration, `negative`
// for a negative one (modules word them differently).
inline Setter Dur(absl::Duration* field, std::string bad, std::string negative) {
  return [=](const toml::node& n) -> std::optional<std::string> {
    std::optional<absl::Duration> d = ParseDuration(n);
    if (!d) return bad;
    if (*d < absl::ZeroDuration()) return negative;
    *field = *d;
    return std::nullopt;
  };
}

}  // namespace exfilter::toml_fields
