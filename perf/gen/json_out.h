// OutBuffer: the generator's append-only text buffer. One buffer is reused for
// the whole run; numbers go through std::to_chars and timestamps through a
// civil-date conversion, so rendering an event allocates nothing.
// Thread safety: none; one buffer per generator.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace exfilter::gen {

class OutBuffer {
 public:
  explicit OutBuffer(size_t capacity = 1 << 20) { data_.resize(capacity); }

  size_t size() const { return size_; }
  std::string_view view() const { return {data_.data(), size_}; }
  std::string_view view(size_t from) const { return {data_.data() + from, size_ - from}; }
  void clear() { size_ = 0; }
  void Reserve(size_t more) {
    if (size_ + more > data_.size()) data_.resize((size_ + more) * 2);
  }

  template <size_t N>
  void Lit(const char (&s)[N]) { Raw(s, N - 1); }
  void Str(std::string_view s) { Raw(s.data(), s.size()); }
  void Char(char c) {
    Reserve(1);
    data_[size_++] = c;
  }
  void Raw(const char* s, size_t n) {
    Reserve(n);
    std::memcpy(data_.data() + size_, s, n);
    size_ += n;
  }
  void Int(int64_t v) {
    Reserve(24);
    auto r = std::to_chars(data_.data() + size_, data_.data() + size_ + 24, v);
    size_ = r.ptr - data_.data();
  }
  void Uint(uint64_t v) {
    Reserve(24);
    auto r = std::to_chars(data_.data() + size_, data_.data() + size_ + 24, v);
    size_ = r.ptr - data_.data();
  }
  // digits lowest nibbles of v, most significant first.
  void Hex(uint64_t v, int digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    Reserve(digits);
    for (int i = digits - 1; i >= 0; --i) data_[size_ + i] = kHex[(v >> (4 * (digits - 1 - i))) & 15];
    size_ += digits;
  }
  void Guid(uint64_t a, uint64_t b);  // 8-4-4-4-12 lower-case hex
  void Ipv4(uint32_t ip);
  // "YYYY-MM-DDTHH:MM:SS" of UTC time + offset_minutes; the caller adds a zone.
  void DateTime(int64_t ms, int offset_minutes = 0);
  void Digits2(int v) {
    Reserve(2);
    data_[size_++] = static_cast<char>('0' + v / 10);
    data_[size_++] = static_cast<char>('0' + v % 10);
  }
  void Digits3(int v) {
    Digits2(v / 10);
    Char(static_cast<char>('0' + v % 10));
  }
  void ZoneOffset(int minutes);  // "-07:00"

 private:
  std::vector<char> data_;
  size_t size_ = 0;
};

// RFC 3339 UTC with a Z: "2026-03-02T12:34:56Z", or with millis
// "2026-03-02T12:34:56.789Z".
void AppendRfc3339(OutBuffer& out, int64_t ms, bool millis);

}  // namespace exfilter::gen
