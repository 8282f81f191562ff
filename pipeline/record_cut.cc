#include "pipeline/record_cut.h"

#include <cstring>
#include <string_view>

namespace exfilter {
namespace {

bool OpensRecord(char c) { return c == '{' || c == '['; }
bool ClosesRecord(char c) { return c == '}' || c == ']'; }

std::string_view TrimRight(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
    line.remove_suffix(1);
  return line;
}

// True if the line (no newline) ends with a closing bracket.
bool EndsValue(std::string_view line) {
  line = TrimRight(line);
  return !line.empty() && ClosesRecord(line.back());
}

// True if the line looks like the end of a top-level value on its own: a
// whole "{...}" or "[...]" line, or a lone closing bracket, at column 0.
bool EndsRecord(std::string_view line) {
  line = TrimRight(line);
  return EndsValue(line) && (line.size() == 1 || OpensRecord(line.front()));
}

const char* LastNewline(const char* from, const char* to) {
  return to > from ? static_cast<const char*>(memrchr(from, '\n', static_cast<size_t>(to - from)))
                   : nullptr;
}

// The last line of data[start, end) that is not blank (end is just past a
// newline, or start).
std::string_view LastLine(const char* data, size_t start, size_t end) {
  const char* stop = data + end;
  while (stop > data + start) {
    const char* nl = LastNewline(data + start, stop - 1);  // stop[-1] is a newline
    const char* line = nl == nullptr ? data + start : nl + 1;
    std::string_view text(line, static_cast<size_t>(stop - 1 - line));
    if (text.find_first_not_of(" \t\r") != std::string_view::npos) return text;
    stop = line;
  }
  return {};
}

}  // namespace

size_t RecordCut(const char* data, size_t start, size_t window_end, size_t avail_end,
                 size_t max_tail) {
  const char* first = LastNewline(data + start, data + window_end);
  if (first == nullptr) return start;
  const size_t last_line_cut = static_cast<size_t>(first - data) + 1;
  for (const char* nl = first; nl != nullptr; nl = LastNewline(data + start, nl)) {
    const size_t cut = static_cast<size_t>(nl - data) + 1;
    if (window_end - cut > max_tail) break;  // too much would wait for the next chunk
    std::string_view before = LastLine(data, start, cut);
    if (cut < avail_end) {
      // In JSON a '}' or ']' followed by '{' or '[' needs a comma between
      // them, unless the first value ended: this is a boundary.
      if (OpensRecord(data[cut]) && EndsValue(before)) return cut;
    } else if (EndsRecord(before)) {  // the next line is not here yet
      return cut;
    }
  }
  return last_line_cut;
}

}  // namespace exfilter
