// The parsers' own stage 2: a forward cursor over simdjson's stage-1 output
// (the structural index of a batch of records), with the typed reads the
// service readers need. It visits only the structurals of the records; it
// writes no tape, unescapes only the strings that are read and hold a
// backslash, and skips a nested value by counting brackets. What is read is
// checked like simdjson On-Demand checks it (object and array grammar, atom
// spelling, string escapes); what is skipped is checked for bracket balance.
// Thread safety: a Cursor is a value owned by one ParserState.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include <simdjson.h>

namespace exfilter::internal {

using simdjson::error_code;

// A key literal as the 8-byte words KeyIs compares: its bytes and closing
// quote, built at compile time from the string literal (keys up to 23 bytes).
struct KeyLit {
  uint64_t text[3] = {0, 0, 0};
  uint64_t mask[3] = {0, 0, 0};
  template <size_t N>
  consteval KeyLit(const char (&lit)[N]) {  // NOLINT: implicit from a literal
    static_assert(N <= 24, "KeyIs compares keys of at most 23 bytes");
    for (size_t i = 0; i < N; ++i) {  // lit[N - 1] is the NUL: the quote goes there
      unsigned char ch = i + 1 < N ? static_cast<unsigned char>(lit[i]) : '"';
      text[i / 8] |= uint64_t{ch} << (8 * (i % 8));
      mask[i / 8] |= uint64_t{0xff} << (8 * (i % 8));
    }
  }
};

// True if the raw (still escaped) key starting at k equals lit. Keys of the
// audit formats carry no escapes; an escaped key simply matches nothing.
// Reads 24 bytes at k: keys are always inside a padded input buffer.
[[gnu::always_inline]] inline bool KeyIs(const char* k, const KeyLit& lit) {
  uint64_t w0, w1, w2;
  std::memcpy(&w0, k, 8);
  std::memcpy(&w1, k + 8, 8);
  std::memcpy(&w2, k + 16, 8);
  return (((w0 ^ lit.text[0]) & lit.mask[0]) | ((w1 ^ lit.text[1]) & lit.mask[1]) |
          ((w2 ^ lit.text[2]) & lit.mask[2])) == 0;
}

enum class JsonType : uint8_t { kNone, kObject, kArray, kString, kNumber, kBool, kNull };

// Per byte: the JsonType of a value starting with it (kNone: cannot start a
// value), and whether it is JSON whitespace. One load instead of a chain of
// compares on the hot paths.
struct CharClass {
  JsonType type[256] = {};
  bool space[256] = {};
  constexpr CharClass() {
    type[static_cast<unsigned char>('{')] = JsonType::kObject;
    type[static_cast<unsigned char>('[')] = JsonType::kArray;
    type[static_cast<unsigned char>('"')] = JsonType::kString;
    type[static_cast<unsigned char>('t')] = type[static_cast<unsigned char>('f')] = JsonType::kBool;
    type[static_cast<unsigned char>('n')] = JsonType::kNull;
    type[static_cast<unsigned char>('-')] = JsonType::kNumber;
    for (char d = '0'; d <= '9'; ++d) type[static_cast<unsigned char>(d)] = JsonType::kNumber;
    for (char w : {' ', '\n', '\r', '\t'}) space[static_cast<unsigned char>(w)] = true;
  }
};
inline constexpr CharClass kCharClass;

[[gnu::always_inline]] inline bool IsSpace(char c) {
  return kCharClass.space[static_cast<unsigned char>(c)];
}

inline std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// A character that can start a JSON value (anything else is broken JSON).
[[gnu::always_inline]] inline bool IsValueStart(char c) {
  return kCharClass.type[static_cast<unsigned char>(c)] != JsonType::kNone;
}

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
    if (found != 0) return i + static_cast<size_t>(__builtin_ctzll(found) / 8) < n;
  }
  return false;
}

// True if text is one JSON number (RFC 8259 grammar).
bool IsJsonNumber(std::string_view text);

// Where unescaped strings go: one buffer per parser, reset per record. It
// also answers "does this string hold a backslash" for the current batch
// from one memchr that runs ahead (strings are mostly read in order, and
// most batches hold no backslash at all).
class StringBuffer {
 public:
  StringBuffer(const simdjson::internal::dom_parser_implementation* impl, size_t capacity);
  void Reset() { used_ = 0; }
  void StartBatch(const char* begin, const char* end) {
    batch_end_ = end;
    scanned_from_ = begin;
    next_backslash_ = Find(begin);
  }
  [[gnu::always_inline]] bool HasEscape(const char* body, size_t len) {
    if (body >= scanned_from_ && body <= next_backslash_) return next_backslash_ < body + len;
    if (body > next_backslash_ && body < batch_end_) {
      scanned_from_ = body;
      next_backslash_ = Find(body);
      return next_backslash_ < body + len;
    }
    return HasBackslash({body, len});  // behind the scan (a page's elements)
  }
  // The unescaped text of a string whose body starts at `body` and whose
  // closing quote is at body + len. STRING_ERROR for a bad escape.
  error_code Unescape(const char* body, size_t len, std::string_view* out);

 private:
  const char* Find(const char* from) const {
    const void* p = std::memchr(from, '\\', static_cast<size_t>(batch_end_ - from));
    return p == nullptr ? batch_end_ : static_cast<const char*>(p);
  }

  const simdjson::internal::dom_parser_implementation* impl_;
  const char* batch_end_ = nullptr;
  const char* scanned_from_ = nullptr;
  const char* next_backslash_ = nullptr;
  std::unique_ptr<uint8_t[]> buf_;
  size_t capacity_;
  size_t used_ = 0;
};

class Cursor {
 public:
  Cursor() = default;
  // buf: the batch text; [at, end): its structural index (end[0] holds the
  // batch length, as stage 1 leaves it).
  Cursor(const char* buf, const uint32_t* at, const uint32_t* end, StringBuffer* strings)
      : buf_(buf), at_(at), end_(end), strings_(strings) {}

  bool AtEnd() const { return at_ >= end_; }
  char Peek() const { return at_ < end_ ? buf_[*at_] : '\0'; }
  const char* Here() const { return buf_ + *at_; }
  const char* buf() const { return buf_; }
  const uint32_t* position() const { return at_; }
  const uint32_t* end() const { return end_; }
  void Seek(const uint32_t* at) { at_ = at; }
  void Advance() { ++at_; }
  // The error for an unexpected structural: running out of them means the
  // value is unfinished (truncated, or a page still arriving).
  error_code Unexpected() const {
    return AtEnd() ? simdjson::INCOMPLETE_ARRAY_OR_OBJECT : simdjson::TAPE_ERROR;
  }
  // An object member's key and its colon: *key points just past the key's
  // opening quote, and the cursor moves to the value. On a grammar error the
  // cursor stays on the structural at fault (Unexpected() tells which).
  [[gnu::always_inline]] error_code Key(const char** key) {
    if (end_ - at_ >= 2 && buf_[at_[0]] == '"' && buf_[at_[1]] == ':') {
      *key = buf_ + at_[0] + 1;
      at_ += 2;
      return simdjson::SUCCESS;
    }
    if (Peek() != '"') return Unexpected();
    ++at_;
    return Unexpected();  // no colon after the key
  }
  // The length of the raw key at k, for a cursor on the key's value.
  size_t KeyLength(const char* k) const {
    const char* quote = buf_ + at_[-1] - 1;  // the colon is the last structural
    while (*quote != '"') --quote;
    return static_cast<size_t>(quote - k);
  }
  // Where the last consumed structural ends (a closing bracket or a scalar).
  const char* ConsumedEnd() const {
    const char* p = buf_ + at_[-1];
    if (*p == '}' || *p == ']') return p + 1;
    return TokenAt(at_ - 1).data() + TokenAt(at_ - 1).size();
  }

  JsonType Type() const { return kCharClass.type[static_cast<unsigned char>(Peek())]; }

  // True if the string body[0, len) of this batch holds a backslash.
  [[gnu::always_inline]] bool HasEscape(const char* body, size_t len) {
    return strings_->HasEscape(body, len);
  }

  // The scalar text at the cursor, trailing whitespace trimmed.
  std::string_view Token() const { return TokenAt(at_); }

  // Skips one value (a container by bracket counting).
  error_code Skip() {
    char c = Peek();
    if (c != '{' && c != '[') {
      if (!IsValueStart(c)) return Unexpected();
      ++at_;
      return simdjson::SUCCESS;
    }
    int depth = 0;
    do {
      if (at_ >= end_) return simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
      char ch = buf_[*at_++];
      depth += (ch == '{' || ch == '[') - (ch == '}' || ch == ']');
    } while (depth > 0);
    return simdjson::SUCCESS;
  }

  // A string into *out (a view into the input when it has no escape); null
  // leaves *out unchanged; another value is INCORRECT_TYPE (not consumed).
  [[gnu::always_inline]] error_code GetStr(std::string_view* out) {
    char c = Peek();
    if (c == '"') return GetString(out);
    if (c == 'n') return GetNull();
    return IsValueStart(c) ? simdjson::INCORRECT_TYPE : Unexpected();
  }

  // A string, or a number kept as its JSON text (ids that pipelines write
  // either way; never converted through a double). null leaves *out as is.
  [[gnu::always_inline]] error_code GetStrOrNum(std::string_view* out) {
    if (Type() != JsonType::kNumber) return GetStr(out);
    *out = Token();
    if (!IsJsonNumber(*out)) return simdjson::NUMBER_ERROR;
    ++at_;
    return simdjson::SUCCESS;
  }

  // A boolean, or the strings "true"/"True"/"false"; null leaves *out as is.
  // Inline for a bare true/false directly followed by the next structural.
  [[gnu::always_inline]] error_code GetBoolish(bool* out) {
    if (at_ < end_) {
      const char* p = buf_ + at_[0];
      uint32_t len = at_[1] - at_[0];
      uint64_t w;
      std::memcpy(&w, p, 8);  // inside the padded input
      if (len == 4 && (w & 0xffffffffull) == 0x65757274ull) {  // "true"
        *out = true;
        ++at_;
        return simdjson::SUCCESS;
      }
      if (len == 5 && (w & 0xffffffffffull) == 0x65736c6166ull) {  // "false"
        *out = false;
        ++at_;
        return simdjson::SUCCESS;
      }
    }
    return GetBoolishSlow(out);
  }

 private:
  error_code GetBoolishSlow(bool* out);
  std::string_view TokenAt(const uint32_t* at) const {
    const char* s = buf_ + at[0];
    const char* e = buf_ + at[1];
    while (e > s + 1 && IsSpace(e[-1])) --e;
    return {s, static_cast<size_t>(e - s)};
  }
  [[gnu::always_inline]] error_code GetString(std::string_view* out) {
    // The closing quote is the last byte before the next structural, but
    // for whitespace (stage 1 starts a pseudo-structural at any other byte).
    const char* open = buf_ + at_[0];
    const char* close = buf_ + at_[1] - 1;
    if (*close != '"' || close == open) {
      std::string_view token = Token();
      if (token.size() < 2 || token.back() != '"') return simdjson::STRING_ERROR;
      close = token.data() + token.size() - 1;
    }
    const char* body = open + 1;
    size_t len = static_cast<size_t>(close - body);
    ++at_;
    if (!strings_->HasEscape(body, len)) {
      *out = {body, len};
      return simdjson::SUCCESS;
    }
    return strings_->Unescape(body, len, out);
  }
  error_code GetNull() {
    if (Token() != "null") return simdjson::N_ATOM_ERROR;
    ++at_;
    return simdjson::SUCCESS;
  }

  const char* buf_ = nullptr;
  const uint32_t* at_ = nullptr;
  const uint32_t* end_ = nullptr;
  StringBuffer* strings_ = nullptr;
};

// Calls field(key) for each member of the object at the cursor, with the
// cursor on the member's value; key points just past the key's opening quote
// (compare it with KeyIs). field must consume the value and return SUCCESS,
// or return an error, which stops the walk. INCORRECT_TYPE if not an object.
template <typename F>
[[gnu::always_inline]] inline error_code ForEachField(Cursor& c, F&& field) {
  if (c.Peek() != '{') return c.AtEnd() ? c.Unexpected() : simdjson::INCORRECT_TYPE;
  c.Advance();
  if (c.Peek() == '}') {
    c.Advance();
    return simdjson::SUCCESS;
  }
  while (true) {
    const char* key;
    if (error_code e = c.Key(&key)) return e;
    if (error_code e = field(key)) return e;
    char next = c.Peek();
    c.Advance();
    if (next == '}') return simdjson::SUCCESS;
    if (next != ',') return (c.Seek(c.position() - 1), c.Unexpected());
  }
}

// Calls element() for each element of the array at the cursor, with the
// cursor on it; element must consume it. INCORRECT_TYPE if not an array.
template <typename F>
[[gnu::always_inline]] inline error_code ForEachElement(Cursor& c, F&& element) {
  if (c.Peek() != '[') return c.AtEnd() ? c.Unexpected() : simdjson::INCORRECT_TYPE;
  c.Advance();
  if (c.Peek() == ']') {
    c.Advance();
    return simdjson::SUCCESS;
  }
  while (true) {
    if (error_code e = element()) return e;
    char next = c.Peek();
    c.Advance();
    if (next == ']') return simdjson::SUCCESS;
    if (next != ',') return (c.Seek(c.position() - 1), c.Unexpected());
  }
}

}  // namespace exfilter::internal
