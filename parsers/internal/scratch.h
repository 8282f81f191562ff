// Per-record scratch space of a ChunkParser: lower-cased user names and
// composed ids are written here instead of the heap. Allocated once; reset
// before each record. When full, callers fall back to the unmodified text.
// Thread safety: owned by one ParserState.
#pragma once

#include <cstddef>
#include <cstdint>
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
  // Eight bytes at a time: the copy is written speculatively and only kept
  // (used_ advanced) if some byte was upper case.
  std::string_view Lower(std::string_view s) {
    size_t n = s.size();
    if (n > kBytes - used_) return s;
    char* out = buf_.get() + used_;
    uint64_t upper = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      uint64_t up = UpperBytes(w);
      upper |= up;
      w |= up >> 2;  // 0x80 >> 2 = 0x20, the case bit
      std::memcpy(out + i, &w, 8);
    }
    for (; i < n; ++i) {
      char c = s[i];
      bool up = c >= 'A' && c <= 'Z';
      upper |= up;
      out[i] = up ? static_cast<char>(c + 32) : c;
    }
    if (upper == 0) return s;
    used_ += n;
    return {out, n};
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
  // 0x80 in each byte of w that is 'A'..'Z', else 0.
  static uint64_t UpperBytes(uint64_t w) {
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
    uint64_t low7 = w & ~kHighs;
    uint64_t ge_a = low7 + kOnes * (0x80 - 'A');      // high bit: low7 >= 'A'
    uint64_t gt_z = low7 + kOnes * (0x80 - 'Z' - 1);  // high bit: low7 > 'Z'
    return (ge_a & ~gt_z) & ~w & kHighs;              // and the byte is ASCII
  }

  std::unique_ptr<char[]> buf_;
  size_t used_ = 0;
};

}  // namespace exfilter::internal
