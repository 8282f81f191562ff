// ChunkParser: bad input of every kind costs only its own line (also across
// iterate_many batches and read-chunk boundaries), envelopes and Google
// multi-event activities, explicit formats, line numbers.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/parsers/collect_sink.h"

namespace exfilter {
namespace {

std::string M365(int i, std::string_view op = "FileUploaded") {
  return "{\"CreationTime\":\"2020-02-07T16:44:07\",\"Id\":\"id-" + std::to_string(i) +
         "\",\"Operation\":\"" + std::string(op) +
         "\",\"UserId\":\"User" + std::to_string(i % 7) + "@Contoso.com\",\"ClientIP\":\"10.0.0.1:443\"}";
}

std::vector<std::string> Ids(const CollectSink& s) {
  std::vector<std::string> ids;
  for (const OwnedEvent& e : s.events) ids.push_back(e.id);
  return ids;
}

struct BadCase {
  const char* name;
  std::string line;
  ParseErrorKind kind;
};

std::vector<BadCase> BadCases() {
  return {
      {"malformed", R"({"Operation": "FileUploaded", "UserId": })", ParseErrorKind::kMalformedJson},
      {"garbage", "this is not json", ParseErrorKind::kMalformedJson},
      {"unclosed", R"({"CreationTime":"2020-02-07T16:44:07","Operation":"FileUploaded")",
       ParseErrorKind::kTruncated},
      {"utf8", "{\"UserId\":\"a\xff\xfe b\",\"CreationTime\":\"2020-02-07T16:44:07\"}",
       ParseErrorKind::kInvalidUtf8},
      {"nul", std::string("{\"UserId\":\"a\0b\",\"Operation\":\"FileUploaded\"}", 44),
       ParseErrorKind::kNulByte},
      {"unknown", R"({"foo":1,"bar":[1,2,3]})", ParseErrorKind::kUnknownSchema},
      {"scalar", "42", ParseErrorKind::kUnknownSchema},
      {"number_for_string",
       R"({"CreationTime":"2020-02-07T16:44:07","UserId":5,"Operation":"FileUploaded"})",
       ParseErrorKind::kWrongType},
      {"object_for_string", R"({"CreationTime":"2020-02-07T16:44:07","Operation":{"a":1}})",
       ParseErrorKind::kWrongType},
      {"string_for_events",
       R"({"id":{"time":"2020-10-02T15:00:00Z","applicationName":"drive"},"events":"upload"})",
       ParseErrorKind::kWrongType},
      {"bad_month", R"({"CreationTime":"2020-13-45T00:00:00","Operation":"FileUploaded"})",
       ParseErrorKind::kBadTime},
      {"out_of_range", R"({"created_at":"1900-01-01T00:00:00-07:00","event_type":"UPLOAD"})",
       ParseErrorKind::kBadTime},
  };
}

TEST(ChunkParser, EachBadKindCostsOneLine) {
  for (const BadCase& c : BadCases()) {
    SCOPED_TRACE(c.name);
    std::string text = M365(1) + "\n" + c.line + "\n" + M365(2) + "\n";
    CollectSink s = ParseText(text);
    ASSERT_EQ(s.events.size(), 2u);
    EXPECT_EQ(s.events[0].id, "id-1");
    EXPECT_EQ(s.events[1].id, "id-2");
    ASSERT_EQ(s.errors.size(), 1u);
    EXPECT_EQ(ParseErrorKindName(s.errors[0].kind), ParseErrorKindName(c.kind));
    EXPECT_EQ(s.errors[0].offset, M365(1).size() + 1);
    EXPECT_EQ(s.errors[0].length, c.line.size());
    EXPECT_EQ(s.order, (std::vector<int>{0, 1, 0}));
    // The line number a caller derives from the offset.
    EXPECT_EQ(1 + CountNewlines(text.data(), s.errors[0].offset), 2u);
  }
}

TEST(ChunkParser, CountersByKind) {
  std::string text;
  for (const BadCase& c : BadCases()) text += c.line + "\n" + M365(0) + "\n";
  ChunkParser parser;
  CollectSink s;
  ParseAll(parser, text, s);
  EXPECT_EQ(s.events.size(), BadCases().size());
  EXPECT_EQ(parser.counters().events, BadCases().size());
  EXPECT_EQ(parser.counters().Errors(ParseErrorKind::kWrongType), 3u);
  EXPECT_EQ(parser.counters().Errors(ParseErrorKind::kBadTime), 2u);
  EXPECT_EQ(parser.counters().Errors(ParseErrorKind::kUnknownSchema), 2u);
  EXPECT_EQ(parser.counters().Errors(ParseErrorKind::kNulByte), 1u);
  EXPECT_EQ(parser.counters().Errors(ParseErrorKind::kInvalidUtf8), 1u);
  EXPECT_EQ(parser.counters().TotalErrors(), BadCases().size());
}

TEST(ChunkParser, TruncatedLastLine) {
  std::string text = M365(1) + "\n" + M365(2).substr(0, 40);
  CollectSink s = ParseText(text);
  ASSERT_EQ(s.events.size(), 1u);
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_EQ(s.errors[0].kind, ParseErrorKind::kTruncated);
  EXPECT_EQ(s.errors[0].offset, M365(1).size() + 1);
  // A complete last line without a newline is fine.
  EXPECT_EQ(ParseText(M365(1) + "\n" + M365(2)).events.size(), 2u);
}

TEST(ChunkParser, TooLongLineIsSkippedNotTheRest) {
  ParserOptions options;
  options.max_record_bytes = 300;
  std::string longline = "{\"CreationTime\":\"2020-02-07T16:44:07\",\"Operation\":\"" +
                         std::string(500, 'x') + "\"}";
  std::string text = M365(1) + "\n" + longline + "\n" + M365(2) + "\n";
  CollectSink whole = ParseText(text, options);
  EXPECT_EQ(Ids(whole), (std::vector<std::string>{"id-1", "id-2"}));
  ASSERT_EQ(whole.errors.size(), 1u);
  EXPECT_EQ(whole.errors[0].kind, ParseErrorKind::kTooLong);
  // Read in chunks smaller than the line: skipped without buffering it.
  for (size_t chunk : {64, 100, 257}) {
    CollectSink s = ParseInChunks(text, chunk, options);
    EXPECT_EQ(Ids(s), (std::vector<std::string>{"id-1", "id-2"})) << chunk;
    ASSERT_EQ(s.errors.size(), 1u) << chunk;
    EXPECT_EQ(s.errors[0].kind, ParseErrorKind::kTooLong);
  }
}

// Several batches of iterate_many (1 MiB each) with bad lines at the start, in
// the middle, around the batch boundaries and at the end.
TEST(ChunkParser, GoodLinesSurviveAcrossBatchBoundaries) {
  std::string text;
  std::vector<std::string> want;
  std::vector<size_t> bad_lines;
  const std::string pad(600, 'p');
  for (int i = 0; i < 5000; ++i) {
    bool bad = i == 0 || i == 7 || i == 1500 || i == 1747 || i == 1748 || i == 3000 ||
               i == 3495 || i == 4999;
    if (bad) {
      bad_lines.push_back(i);
      text += (i % 2 ? "{\"UserId\":\"\xc3\x28\",\"x\":\"" + pad + "\"}"  // bad UTF-8
                     : "{\"Operation\":\"FileUploaded\",\"UserId\":\"" + pad);  // unclosed
    } else {
      std::string line = M365(i);
      line.insert(line.size() - 1, ",\"Pad\":\"" + pad + "\"");
      text += line;
      want.push_back("id-" + std::to_string(i));
    }
    text += "\n";
  }
  ASSERT_GT(text.size(), size_t{3} << 20);
  CollectSink s = ParseText(text);
  EXPECT_EQ(Ids(s), want);
  ASSERT_EQ(s.errors.size(), bad_lines.size());
  for (size_t i = 0; i < bad_lines.size(); ++i)
    EXPECT_EQ(CountNewlines(text.data(), s.errors[i].offset), bad_lines[i]);
  // Same result whatever the read chunk size.
  for (size_t chunk : {4096, 65536, 300000}) {
    CollectSink c = ParseInChunks(text, chunk);
    EXPECT_EQ(Ids(c), want) << chunk;
    EXPECT_EQ(c.errors.size(), bad_lines.size()) << chunk;
  }
}

// Records longer than an iterate_many batch but within the limit are read.
TEST(ChunkParser, BigRecordsWithinTheLimit) {
  std::string big = M365(9);
  big.insert(big.size() - 1, ",\"Pad\":\"" + std::string(700000, 'q') + "\"");
  std::string text = M365(1) + "\n" + big + "\n" + M365(2) + "\n" + big + "\n";
  CollectSink s = ParseText(text);
  EXPECT_EQ(Ids(s), (std::vector<std::string>{"id-1", "id-9", "id-2", "id-9"}));
  EXPECT_TRUE(s.errors.empty());
  EXPECT_EQ(s.events[1].raw.size(), big.size());
  CollectSink c = ParseInChunks(text, 65536);
  EXPECT_EQ(Ids(c), Ids(s));
}

TEST(ChunkParser, ChunkBoundariesAnywhere) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += M365(i) + (i % 3 ? "\n" : "\r\n");
  text += "\n\n";  // blank lines are not errors
  std::vector<std::string> want = Ids(ParseText(text));
  ASSERT_EQ(want.size(), 40u);
  for (size_t chunk = 1; chunk < 400; chunk += 37) {
    CollectSink s = ParseInChunks(text, chunk);
    EXPECT_EQ(Ids(s), want) << chunk;
    EXPECT_TRUE(s.errors.empty()) << chunk;
  }
}

// The padding after a buffer may hold anything (the agent maps files: the
// next chunk's bytes follow): results do not depend on it.
TEST(ChunkParser, PaddingContentDoesNotMatter) {
  std::string text;
  for (const BadCase& c : BadCases()) text += c.line + "\n" + M365(3) + "\n";
  text += "[" + M365(4) + "]\n" + "{\"CreationTime\":\"2020-02-07T16:44:07\",\"Operation\":\"x\",\"Id\":7";
  CollectSink want = ParseText(text);
  for (std::string pad : {std::string(64, '\\'), std::string(64, '9'), std::string(64, '"'),
                          std::string(64, '}'), std::string(64, '\0')}) {
    std::string buf = text + pad;
    size_t cut = text.rfind('\n') + 1;
    ChunkParser parser;
    CollectSink got;
    size_t used = parser.Parse(buf.data(), cut, got);
    EXPECT_EQ(used, cut);
    parser.ParseLast(buf.data() + cut, text.size() - cut, got);
    EXPECT_EQ(Ids(got), Ids(want)) << int(pad[0]);
    ASSERT_EQ(got.errors.size(), want.errors.size()) << int(pad[0]);
    for (size_t i = 0; i + 1 < got.errors.size(); ++i)
      EXPECT_EQ(got.errors[i].kind, want.errors[i].kind) << int(pad[0]) << " #" << i;
    EXPECT_EQ(got.errors.back().kind, want.errors.back().kind) << int(pad[0]);
  }
}

TEST(ChunkParser, UserIsLowerCasedAndIpNormalized) {
  CollectSink s = ParseText(M365(3) + "\n");
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].user, "user3@contoso.com");
  EXPECT_EQ(s.events[0].ip, "10.0.0.1");
  EXPECT_EQ(s.events[0].raw, M365(3));
}

}  // namespace
}  // namespace exfilter
