// Where the reader cuts chunks (pipeline/record_cut.h): NDJSON at the last
// newline as before, pretty-printed pages at a record start.
#include "pipeline/record_cut.h"

#include <string>

#include <gtest/gtest.h>

namespace exfilter {
namespace {

size_t Cut(const std::string& s, size_t window_end, size_t avail_end, size_t max_tail = 1 << 20) {
  return RecordCut(s.data(), 0, window_end, avail_end, max_tail);
}

const std::string kPage = "{\n  \"entries\": [\n    {\"event_id\": \"1\"}\n  ],\n  \"chunk_size\": 1\n}\n";

TEST(RecordCut, NdjsonCutsAtTheLastNewline) {
  std::string s = "{\"a\":1}\n{\"b\":2}\n{\"c\":";
  EXPECT_EQ(Cut(s, s.size(), s.size()), 16u);    // the unfinished line waits
  EXPECT_EQ(Cut(s, 16, 16), 16u);                // a whole record ends the window
  EXPECT_EQ(Cut(s, 16, s.size()), 16u);          // the next byte starts a record
  std::string crlf = "{\"a\":1}\r\n{\"b\":2}\r\n";
  EXPECT_EQ(Cut(crlf, crlf.size(), crlf.size()), crlf.size());
  EXPECT_EQ(Cut("no newline", 10, 10), 0u);
}

TEST(RecordCut, PrettyPrintedPageGoesWholeToTheNextChunk) {
  std::string s = "{\"a\":1}\n" + kPage + kPage;
  size_t second = 8 + kPage.size();
  // A read that ends inside the second page: cut before it, not inside.
  for (size_t end = second + 2; end < s.size(); ++end) {
    if (s[end - 1] != '\n') continue;
    EXPECT_EQ(Cut(s, end, end), second) << end;
    EXPECT_EQ(Cut(s, end, s.size()), second) << end;
  }
  // The closing bracket at column 0 ends a page.
  EXPECT_EQ(Cut(s, s.size(), s.size()), s.size());
  EXPECT_EQ(Cut(s, second, second), second);
  // Inside the first page, the record before it is the cut.
  EXPECT_EQ(Cut(s, 8 + 16, 8 + 16), 8u);
}

TEST(RecordCut, FallsBackToTheLastNewlineWhenTheTailWouldBeTooLong) {
  std::string s = "{\"a\":1}\n" + kPage;
  size_t end = s.size() - 2;  // inside the page, after a newline
  while (s[end - 1] != '\n') --end;
  EXPECT_EQ(Cut(s, end, end, /*max_tail=*/1 << 20), 8u);
  EXPECT_EQ(Cut(s, end, end, /*max_tail=*/10), end);
  // Indented lines only (no record start): the last newline, as before.
  std::string indented = "  {\"a\":1}\n  {\"b\":2}\n";
  EXPECT_EQ(Cut(indented, indented.size() - 1, indented.size()), 10u);
}

TEST(RecordCut, WrappedJsonAndBlankLines) {
  // Elastic's mock pages wrap long lines after a comma; a continuation line
  // may start with '{' but the line before it does not end a value.
  std::string wrapped =
      "{\"kind\":\"k\",\"items\":[{\"a\":1},\n{\"b\":2},\n{\"c\":3}]}\n\n";
  EXPECT_EQ(Cut(wrapped, wrapped.size(), wrapped.size()), wrapped.size());
  std::string two = "{\"x\":1}\n\n" + wrapped;
  size_t inside = two.find("{\"b\"");
  EXPECT_EQ(Cut(two, inside, inside), 9u);           // before the wrapped page
  EXPECT_EQ(Cut(two, inside, two.size()), 9u);
}

}  // namespace
}  // namespace exfilter
