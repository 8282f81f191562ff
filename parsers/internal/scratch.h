// Per-record scratch space of a ChunkParser: lower-cased user names and
// composed ids are written here instead of the heap. Allocated once; reset
// before each record. When full, callers fall back to the unmodified text.
// Thread safety: owned by one ParserState.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace exfilter::internal {

class Scratch {
 public:
  static constexpr size_t kBytes = 256 * 1024;
  Scratch() : buf_(new char[kBytes]) {}
  void Reset() { used_ = 0; }

  // ASCII lower case of s; s itself if it has no upper case or no room.
  std::string_view Lower(std::string_view s) {
    size_t i = 0;
    while (i < s.size() && !(s[i] >= 'A' && s[i] <= 'Z')) ++i;
    if (i == s.size() || s.size() > kBytes - used_) return s;
    char* out = buf_.get() + used_;
    for (size_t j = 0; j < s.size(); ++j) {
      char c = s[j];
      out[j] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    }
    used_ += s.size();
    return {out, s.size()};
  }

  // a + sep + b (no sep if a already ends with it); a alone if no room.
  std::string_view Join(std::string_view a, char sep, std::string_view b) {
    size_t with_sep = (!a.empty() && a.back() == sep) ? 0 : 1;
    size_t n = a.size() + with_sep + b.size();
    if (n > kBytes - used_) return a;
    char* out = buf_.get() + used_;
    std::memcpy(out, a.data(), a.size());
    if (with_sep) out[a.size()] = sep;
    std::memcpy(out + a.size() + with_sep, b.data(), b.size());
    used_ += n;
    return {out, n};
  }

  // A copy of s (for views that the next simdjson call would invalidate).
  std::string_view Copy(std::string_view s) {
    if (s.size() > kBytes - used_) return {};
    char* out = buf_.get() + used_;
    std::memcpy(out, s.data(), s.size());
    used_ += s.size();
    return {out, s.size()};
  }

 private:
  std::unique_ptr<char[]> buf_;
  size_t used_ = 0;
};

}  // namespace exfilter::internal
