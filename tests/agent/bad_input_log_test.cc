// BadInputLog: the stderr lines that say where bad input is, and CountByte,
// which gives them their line numbers.
#include "agent/bad_input_log.h"

#include <gtest/gtest.h>

#include <string>

#include "util/count_byte.h"

namespace exfilter {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

TEST(CountByte, CountsEveryOccurrenceAtEveryAlignment) {
  std::string text;
  for (int i = 0; i < 300; ++i) text += std::string(static_cast<size_t>(i % 13), 'x') + "\n";
  text += "\xff\n\x0a\x8a\x0b";  // high bytes next to the one we count
  for (size_t start = 0; start < 9; ++start) {
    size_t want = 0;
    for (size_t i = start; i < text.size(); ++i) want += text[i] == '\n';
    EXPECT_EQ(CountByte(text.data() + start, text.size() - start, '\n'), want) << start;
  }
  EXPECT_EQ(CountByte("\x80\x80\x80\x80\x80\x80\x80\x80\x80", 9, '\x80'), 9u);
  EXPECT_EQ(CountByte("", 0, '\n'), 0u);
}

TEST(CountByte, LongRunsOfMatchesAndRandomMixes) {
  const std::string all(5000, '\n');  // every byte matches, well past 255 words
  EXPECT_EQ(CountByte(all.data(), all.size(), '\n'), 5000u);
  std::string mixed;
  uint64_t x = 88172645463325252ULL, want = 0;
  for (int i = 0; i < 100000; ++i) {  // xorshift: a fixed pseudo-random mix of bytes
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const char c = "ab\n\xff\x8a"[x % 5];
    want += c == '\n';
    mixed.push_back(c);
  }
  EXPECT_EQ(CountByte(mixed.data(), mixed.size(), '\n'), want);
  // Every way of counting agrees (each SIMD one runs only where the CPU has it).
  EXPECT_EQ(count_byte_internal::ByMemchr(mixed.data(), mixed.size(), '\n'), want);
  const size_t by_memchr = count_byte_internal::ByMemchr(mixed.data() + 3, mixed.size() - 3, '\xff');
  if (__builtin_cpu_supports("avx2")) {
    EXPECT_EQ(count_byte_internal::ByAvx2(mixed.data() + 3, mixed.size() - 3, '\xff'), by_memchr);
  }
  if (__builtin_cpu_supports("avx512bw")) {
    EXPECT_EQ(count_byte_internal::ByAvx512(mixed.data() + 3, mixed.size() - 3, '\xff'), by_memchr);
  }
}

TEST(BadInputLog, NamesSourceLineByteKindAndDetail) {
  BadInputLog log;
  std::string msg;
  log.StartChunk(0, 0, 0);
  log.Bad("/var/log/m365.ndjson", 2, 1834, ParseErrorKind::kTruncated, "JSON document ended early", kNow, &msg);
  log.EndChunk(4096, 5);
  log.StartChunk(0, 4096, 0);  // the next chunk goes on counting lines
  log.Bad("/var/log/m365.ndjson", 0, 4096, ParseErrorKind::kBadTime, "CreationTime", kNow, &msg);
  log.EndChunk(8192, 5);
  EXPECT_EQ(msg,
            "exfilter: bad input: /var/log/m365.ndjson:3 (byte 1834): truncated: JSON document ended early\n"
            "exfilter: bad input: /var/log/m365.ndjson:6 (byte 4096): bad_time: CreationTime\n");
}

TEST(BadInputLog, SkippedOverLongLinesCountAsLines) {
  BadInputLog log;
  std::string msg;
  // A 2 MB first line was skipped: the first chunk starts right after it.
  log.StartChunk(1, 2000001, 2000001);
  log.TooLong("-", LongLine{0, 2000000, ""}, kNow, &msg);
  log.Bad("-", 1, 2000130, ParseErrorKind::kMalformedJson, "", kNow, &msg);
  log.EndChunk(2000200, 3);
  EXPECT_EQ(msg,
            "exfilter: bad input: stdin:1 (byte 0): too_long: a line of 2000000 bytes, over max_line_bytes: skipped\n"
            "exfilter: bad input: stdin:3 (byte 2000130): malformed_json\n");
}

TEST(BadInputLog, AnOverLongPageSaysToRaiseTheLimit) {
  BadInputLog log;
  std::string msg;
  log.StartChunk(0, 100, 0);  // resumed mid-file: bytes only
  log.TooLong("blobs.json", LongLine{100, 3000000, "a JSON array, like a Microsoft 365 content blob"}, kNow,
              &msg);
  EXPECT_EQ(msg,
            "exfilter: bad input: blobs.json (byte 100): too_long: a line of 3000000 bytes, over "
            "max_line_bytes: skipped; it starts like a JSON array, like a Microsoft 365 content blob: raise "
            "max_line_bytes to read such pages whole\n");
}

TEST(BadInputLog, ResumedMidFileGivesBytesOnly) {
  BadInputLog log;
  std::string msg;
  log.StartChunk(0, 52000, 0);  // resumed from a checkpoint: lines before are unknown
  log.Bad("a.ndjson", 3, 52100, ParseErrorKind::kInvalidUtf8, "", kNow, &msg);
  log.EndChunk(60000, 10);
  log.StartChunk(0, 0, 0);  // copytruncate: read from the start again, lines known
  log.Bad("a.ndjson", 0, 0, ParseErrorKind::kNulByte, "", kNow, &msg);
  log.EndChunk(100, 1);
  EXPECT_EQ(msg,
            "exfilter: bad input: a.ndjson (byte 52100): invalid_utf8\n"
            "exfilter: bad input: a.ndjson:1 (byte 0): nul_byte\n");
}

TEST(BadInputLog, AfterTheFirstNOnlyASummaryPerInterval) {
  BadInputLog log(2, absl::Minutes(1));
  std::string msg;
  log.StartChunk(0, 0, 0);
  for (int i = 0; i < 5; ++i) log.Bad("f", i, 10 * i, ParseErrorKind::kWrongType, "UserId", kNow, &msg);
  log.EndChunk(100, 5);
  EXPECT_EQ(msg,
            "exfilter: bad input: f:1 (byte 0): wrong_type: UserId\n"
            "exfilter: bad input: f:2 (byte 10): wrong_type: UserId\n"
            "exfilter: bad input: that makes 2 messages; further bad records are counted (errors= in the stats) "
            "and summed up every 1m\n");
  EXPECT_EQ(log.held_back(), 3u);
  msg.clear();
  log.Tick(kNow + absl::Seconds(30), &msg);
  EXPECT_EQ(msg, "");  // not yet an interval
  log.Tick(kNow + absl::Seconds(61), &msg);
  EXPECT_EQ(msg, "exfilter: bad input: 3 more bad records since the last report\n");
  EXPECT_EQ(log.held_back(), 0u);
  msg.clear();
  log.Tick(kNow + absl::Minutes(5), &msg);
  EXPECT_EQ(msg, "");  // nothing new
}

}  // namespace
}  // namespace exfilter
