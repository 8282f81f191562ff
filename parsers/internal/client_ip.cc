#include "parsers/internal/client_ip.h"

namespace exfilter::internal {

bool IsIpv4(std::string_view s) {
  if (s.size() < 7 || s.size() > 15) return false;
  int dots = 0, digits = 0, value = 0;
  for (char c : s) {
    if (c == '.') {
      if (digits == 0 || ++dots > 3) return false;
      digits = value = 0;
      continue;
    }
    unsigned d = static_cast<unsigned char>(c) - '0';
    if (d > 9 || ++digits > 3) return false;
    value = value * 10 + static_cast<int>(d);
    if (value > 255) return false;
  }
  return dots == 3 && digits > 0;
}

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
  // Fast path: a plain dotted quad (the common case).
  if (IsIpv4(s)) return s;
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
