#include "parsers/internal/client_ip.h"

namespace exfilter::internal {
namespace {

// One to three digits at *p (before end) worth at most 255: advances *p.
[[gnu::always_inline]] inline bool Octet(const char** p, const char* end) {
  const char* q = *p;
  if (q == end) return false;
  unsigned v = static_cast<unsigned char>(*q) - '0';
  if (v > 9) return false;
  ++q;
  for (int i = 0; i < 2 && q < end; ++i, ++q) {
    unsigned d = static_cast<unsigned char>(*q) - '0';
    if (d > 9) break;
    v = v * 10 + d;
  }
  *p = q;
  return v <= 255;
}

// The length of the dotted quad at the start of s (1-3 digits per part,
// each <= 255), or 0 if s does not start with one.
size_t Ipv4Prefix(std::string_view s) {
  const char* p = s.data();
  const char* end = p + s.size();
  for (int part = 0; part < 3; ++part) {
    if (!Octet(&p, end) || p == end || *p != '.') return 0;
    ++p;
  }
  if (!Octet(&p, end)) return 0;
  return static_cast<size_t>(p - s.data());
}

}  // namespace

bool IsIpv4(std::string_view s) { return !s.empty() && Ipv4Prefix(s) == s.size(); }

bool IsIpv6(std::string_view s) {
  if (s.size() < 2 || s.size() > 45) return false;
  int colons = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ':') {
      ++colons;
    } else if (c == '.') {
      // Embedded IPv4 tail ("::ffff:1.2.3.4"): the rest after the last colon.
      size_t last = s.rfind(':');
      return colons >= 2 && last != s.npos && last < i && IsIpv4(s.substr(last + 1));
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return colons >= 2 && colons <= 7;
}

namespace {

std::string_view StripV4Mapped(std::string_view s) {
  constexpr std::string_view kLower = "::ffff:", kUpper = "::FFFF:";
  if (s.size() > kLower.size() &&
      (s.substr(0, kLower.size()) == kLower || s.substr(0, kUpper.size()) == kUpper)) {
    std::string_view v4 = s.substr(kLower.size());
    if (IsIpv4(v4)) return v4;
  }
  return s;
}

}  // namespace

std::string_view NormalizeClientIp(std::string_view s) {
  // Fast paths: a plain dotted quad, or one with a port (the common cases).
  if (size_t n = Ipv4Prefix(s); n != 0) {
    if (n == s.size()) return s;
    if (s[n] == ':' && s.find(':', n + 1) == s.npos) return s.substr(0, n);
  }
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return {};
  if (s.front() == '[') {  // "[addr]" or "[addr]:port"
    size_t close = s.find(']');
    if (close == s.npos) return {};
    s = s.substr(1, close - 1);
  } else if (size_t colon = s.find(':'); colon != s.npos && s.find(':', colon + 1) == s.npos) {
    s = s.substr(0, colon);  // one colon: "v4:port" or "host:port"
  }
  s = StripV4Mapped(s);
  if (IsIpv4(s) || IsIpv6(s)) return s;
  return {};
}

}  // namespace exfilter::internal
