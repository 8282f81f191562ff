// Out-of-line parts of the cursor: number grammar, unescaping, booleans.
#include "parsers/internal/json_util.h"

namespace exfilter::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Consumes digits from text at *i; false if there was none.
bool Digits(std::string_view text, size_t* i) {
  size_t start = *i;
  while (*i < text.size() && IsDigit(text[*i])) ++*i;
  return *i > start;
}

}  // namespace

bool IsJsonNumber(std::string_view text) {
  size_t i = 0;
  if (i < text.size() && text[i] == '-') ++i;
  if (i < text.size() && text[i] == '0') {
    ++i;
  } else if (!Digits(text, &i)) {
    return false;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!Digits(text, &i)) return false;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (!Digits(text, &i)) return false;
  }
  return i == text.size();
}

StringBuffer::StringBuffer(const simdjson::internal::dom_parser_implementation* impl,
                           size_t capacity)
    : impl_(impl),
      buf_(new uint8_t[capacity + simdjson::SIMDJSON_PADDING]),
      capacity_(capacity) {}

error_code StringBuffer::Unescape(const char* body, size_t len, std::string_view* out) {
  // An unescaped string is never longer than its source.
  if (len > capacity_ - used_) return simdjson::CAPACITY;
  uint8_t* dst = buf_.get() + used_;
  uint8_t* end = impl_->parse_string(reinterpret_cast<const uint8_t*>(body), dst);
  if (end == nullptr) return simdjson::STRING_ERROR;
  size_t n = static_cast<size_t>(end - dst);
  used_ += n;
  *out = {reinterpret_cast<const char*>(dst), n};
  return simdjson::SUCCESS;
}

error_code Cursor::GetBoolishSlow(bool* out) {
  switch (Type()) {
    case JsonType::kBool: {
      std::string_view t = Token();
      if (t != "true" && t != "false") return t[0] == 't' ? simdjson::T_ATOM_ERROR : simdjson::F_ATOM_ERROR;
      *out = t == "true";
      Advance();
      return simdjson::SUCCESS;
    }
    case JsonType::kString: {
      std::string_view s;
      if (error_code e = GetStr(&s)) return e;
      *out = s == "true" || s == "True";
      return simdjson::SUCCESS;
    }
    case JsonType::kNull: {
      std::string_view ignored;
      return GetStr(&ignored);
    }
    case JsonType::kNone: return Unexpected();
    default: return simdjson::INCORRECT_TYPE;
  }
}

}  // namespace exfilter::internal
