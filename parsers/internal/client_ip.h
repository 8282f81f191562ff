// ClientIP normalization: the services write the client address as "ip",
// "ip:port", "[v6]:port", "[v6]", "[ip]:port", "::ffff:v4" (v4-mapped),
// "" or a host name ("localhost:12345", "cool.client.local"). The result is
// the bare IP as a sub-view of the input (no copy): port, brackets and the
// ::ffff: prefix removed; empty when the text holds no IP literal.
// Thread safety: pure function.
#pragma once

#include <cstddef>
#include <string_view>

namespace exfilter::internal {

std::string_view NormalizeClientIp(std::string_view text);

bool IsIpv4(std::string_view s);
// The length of the dotted quad at the start of s (1-3 digits per part, each
// at most 255; a fourth part of more digits counts its first three), or 0.
// With SSE2 from vector compares and bit scans; Ipv4PrefixBytes is the same
// function a byte at a time (the fallback elsewhere, and the tests' reference).
size_t Ipv4Prefix(std::string_view s);
size_t Ipv4PrefixBytes(std::string_view s);
bool IsIpv6(std::string_view s);

}  // namespace exfilter::internal
