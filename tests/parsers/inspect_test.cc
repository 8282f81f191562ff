// The `exfilter inspect` line format: stable keys, escaping, RFC 3339 UTC.
#include <string>

#include "gtest/gtest.h"
#include "parsers/inspect.h"

namespace exfilter {
namespace {

TEST(Inspect, EventLineHasStableKeys) {
  AuditEvent ev;
  ev.service = Service::kM365;
  ev.action = ActionClass::kUpload;
  ev.time_ms = 1581093847000;
  ev.tenant = "t";
  ev.user = "a@b.com";
  ev.op = "FileUploaded";
  ev.ip = "81.2.69.143";
  ev.object = "https://x/Doc \"1\".png";
  ev.id = "id1";
  std::string out;
  AppendInspectJson(ev, &out);
  EXPECT_EQ(out,
            R"({"service":"m365","tenant":"t","user":"a@b.com","time":"2020-02-07T16:44:07.000Z",)"
            R"("action":"upload","op":"FileUploaded","ip":"81.2.69.143","object":"https://x/Doc \"1\".png",)"
            R"("destination":"","app":"","user_agent":"","id":"id1","user_id":"","primary":true})");
}

TEST(Inspect, ErrorLineAndEscapes) {
  ParseError err;
  err.kind = ParseErrorKind::kInvalidUtf8;
  err.detail = "bad";
  std::string out;
  AppendInspectErrorJson(err, 12, "a\tb.json", &out);
  EXPECT_EQ(out, R"({"error":"invalid_utf8","line":12,"source":"a\tb.json","detail":"bad"})");
  out.clear();
  err.kind = ParseErrorKind::kTooLong;
  AppendInspectErrorJson(err, 3, "-", &out, "raise \"it\"");
  EXPECT_EQ(out, R"({"error":"too_long","line":3,"source":"-","detail":"bad","hint":"raise \"it\""})");
  out.clear();
  AppendJsonString(std::string_view("x\x01\n\\", 4), &out);
  EXPECT_EQ(out, R"("x\u0001\n\\")");
}

TEST(Inspect, TimeFormatting) {
  std::string s;
  AppendRfc3339Millis(1753425936066, &s);
  EXPECT_EQ(s, "2025-07-25T06:45:36.066Z");
  s.clear();
  AppendRfc3339Millis(951782400000, &s);  // 2000-02-29
  EXPECT_EQ(s, "2000-02-29T00:00:00.000Z");
}

}  // namespace
}  // namespace exfilter
