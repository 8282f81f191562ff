// EnvelopeHint: which API page a line starts like, from its first bytes, for
// the message about a line too long to read. A collector that writes whole
// API pages on one line (an M365 content blob, a Google Reports API page, a
// Box events page) can exceed max_line_bytes with every page, and the
// operator should be told to raise the limit, not just that lines were
// skipped. A heuristic on raw text, never a parse: it only words a message.
// Thread safety: a pure function.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string_view>

namespace exfilter {

inline constexpr size_t kEnvelopeHintBytes = 512;

// What the text starts like ("a JSON array, like a Microsoft 365 content
// blob", "a Google Workspace Reports API page", "a Box events page"), or ""
// if none of these. Reads at most kEnvelopeHintBytes of `prefix`.
inline std::string_view EnvelopeHint(std::string_view prefix) {
  auto has_any = [](std::string_view text, std::initializer_list<std::string_view> needles) {
    for (std::string_view n : needles) {
      if (text.find(n) != std::string_view::npos) return true;
    }
    return false;
  };
  prefix = prefix.substr(0, kEnvelopeHintBytes);
  const size_t first = prefix.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  if (prefix[first] == '[') return "a JSON array, like a Microsoft 365 content blob";
  if (prefix[first] != '{') return {};
  if (has_any(prefix, {"\"admin#reports#activities\"", "\"reports#auditActivities\"", "\"items\"",
                       "\"nextPageToken\""}))
    return "a Google Workspace Reports API page";
  if (has_any(prefix, {"\"entries\"", "\"chunk_size\"", "\"next_stream_position\""}))
    return "a Box events page";
  return {};
}

}  // namespace exfilter
