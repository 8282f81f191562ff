// Small helpers over simdjson On-Demand used by every service reader: key
// comparison without unescaping, and typed reads that tell a null (absent)
// apart from a wrong type.
// Thread safety: pure functions over the caller's simdjson values.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include <simdjson.h>

namespace exfilter::internal {

namespace od = simdjson::ondemand;

// True if the raw (still escaped) key starting at k equals lit. Keys of the
// audit formats carry no escapes; an escaped key simply matches nothing.
template <size_t N>
inline bool KeyIs(const char* k, const char (&lit)[N]) {
  return std::memcmp(k, lit, N - 1) == 0 && k[N - 1] == '"';
}

inline const char* RawKey(od::field& f) {
  return reinterpret_cast<const char*>(f.key().raw());
}

inline std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' ||
                        s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// A character that can start a JSON value (anything else is broken JSON).
inline bool IsValueStart(char c) {
  return c == '{' || c == '[' || c == '"' || c == 't' || c == 'f' || c == 'n' || c == '-' ||
         (c >= '0' && c <= '9');
}

// The text of a string token without its quotes, if it holds no escape: a
// view straight into the input, no copy. Empty optional-like result: false.
// True if s has a backslash. Reads whole 8-byte words, up to 7 bytes past
// the end: the input always has kParsePadding readable bytes after it.
[[gnu::always_inline]] inline bool HasBackslash(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
  constexpr uint64_t kSlashes = kOnes * '\\';
  const char* p = s.data();
  size_t n = s.size();
  for (size_t i = 0; i < n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    uint64_t x = w ^ kSlashes;
    uint64_t found = (x - kOnes) & ~x & kHighs;
    if (found != 0) {
      size_t at = i + static_cast<size_t>(__builtin_ctzll(found) / 8);
      if (at < n) return true;
      return false;  // only past the end (an earlier byte would have matched first)
    }
  }
  return false;
}

[[gnu::always_inline]] inline bool PlainString(std::string_view token, std::string_view* out) {
  token = TrimRight(token);
  if (token.size() < 2 || token.back() != '"') return false;
  std::string_view inner = token.substr(1, token.size() - 2);
  if (HasBackslash(inner)) return false;
  *out = inner;
  return true;
}

// String value into *out: a view into the input when it has no escapes,
// else unescaped into parser scratch. null leaves *out empty. Anything else
// is INCORRECT_TYPE.
[[gnu::always_inline]] inline simdjson::error_code GetStr(od::value v, std::string_view* out) {
  std::string_view token = v.raw_json_token();
  if (token.empty()) return simdjson::TAPE_ERROR;
  if (token[0] == '"') {
    if (PlainString(token, out)) return simdjson::SUCCESS;
    return v.get_string().get(*out);
  }
  if (token[0] == 'n') {
    bool is_null = false;
    if (auto e = v.is_null().get(is_null)) return e;
    return is_null ? simdjson::SUCCESS : simdjson::INCORRECT_TYPE;
  }
  return IsValueStart(token[0]) ? simdjson::INCORRECT_TYPE : simdjson::TAPE_ERROR;
}

// A string, or a number kept as its JSON text (ids that pipelines write either
// way; never converted through a double). null leaves *out empty.
[[gnu::always_inline]] inline simdjson::error_code GetStrOrNum(od::value v, std::string_view* out) {
  std::string_view token = v.raw_json_token();
  if (token.empty()) return simdjson::TAPE_ERROR;
  char c = token[0];
  if (c == '-' || (c >= '0' && c <= '9')) {
    *out = TrimRight(token);
    return simdjson::SUCCESS;
  }
  return GetStr(v, out);
}

// A boolean, or the strings "true"/"false"; null leaves *out unchanged.
inline simdjson::error_code GetBoolish(od::value v, bool* out) {
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  if (t == od::json_type::boolean) return v.get_bool().get(*out);
  if (t == od::json_type::string) {
    std::string_view s;
    if (auto e = v.get_string().get(s)) return e;
    *out = (s == "true" || s == "True");
    return simdjson::SUCCESS;
  }
  if (t == od::json_type::null) return simdjson::SUCCESS;
  return simdjson::INCORRECT_TYPE;
}

// Type of v; objects and arrays are "containers".
inline bool IsObject(od::value v) {
  od::json_type t;
  return v.type().get(t) == simdjson::SUCCESS && t == od::json_type::object;
}

}  // namespace exfilter::internal
