// The generic source: loading the [generic] table (unknown keys refused with
// their line) and reading a CloudTrail-shaped S3 sample through it.
#include <string>

#include "gtest/gtest.h"
#include <toml++/toml.h>

#include "parsers/generic_mapping.h"
#include "tests/parsers/collect_sink.h"

namespace exfilter {
namespace {

const char kCloudTrailMapping[] = R"(
[generic]
name = "cloudtrail_s3"
detect = "/eventSource"
user = "/userIdentity/arn"
time = "/eventTime"
time_format = "rfc3339"
op = "/eventName"
ip = "/sourceIPAddress"
id = "/eventID"
tenant = "/recipientAccountId"
user_id = "/userIdentity/principalId"
object = "/requestParameters/key"
destination = "/requestParameters/bucketName"
user_agent = "/userAgent"
[generic.ops]
upload = ["PutObject", "CompleteMultipartUpload"]
create = ["CreateBucket"]
copy = ["CopyObject"]
signin_success = ["ConsoleLogin"]
file_other = ["GetObject", "DeleteObject"]
)";

GenericMapping LoadOrDie(const char* toml_text) {
  toml::table parsed = toml::parse(toml_text);
  GenericMapping m;
  absl::Status s = LoadGenericMapping(*parsed["generic"].as_table(), &m);
  EXPECT_TRUE(s.ok()) << s;
  return m;
}

absl::Status LoadError(const char* toml_text) {
  toml::table parsed = toml::parse(toml_text);
  GenericMapping m;
  return LoadGenericMapping(*parsed["generic"].as_table(), &m);
}

TEST(GenericMapping, Loads) {
  GenericMapping m = LoadOrDie(kCloudTrailMapping);
  EXPECT_EQ(m.name, "cloudtrail_s3");
  EXPECT_EQ(m.user, "/userIdentity/arn");
  EXPECT_EQ(m.Classify("PutObject"), ActionClass::kUpload);
  EXPECT_EQ(m.Classify("CopyObject"), ActionClass::kCopy);
  EXPECT_EQ(m.Classify("ListBuckets"), ActionClass::kOther);
}

TEST(GenericMapping, RefusesUnknownKeysNamingKeyAndLine) {
  absl::Status s = LoadError("[generic]\nuser = \"/u\"\ntime = \"/t\"\nop = \"/o\"\nusr = \"/x\"\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(s.message()), "generic.usr (line 5): unknown key");
  s = LoadError("[generic]\nuser = \"/u\"\ntime = \"/t\"\nop = \"/o\"\n[generic.ops]\nuplod = [\"X\"]\n");
  EXPECT_EQ(std::string(s.message()), "generic.ops.uplod (line 6): unknown action class");
  s = LoadError("[generic]\nuser = \"/u\"\ntime = \"/t\"\nop = \"o\"\n");
  EXPECT_EQ(std::string(s.message()), "generic.op (line 4): a JSON pointer starts with '/'");
  s = LoadError("[generic]\nuser = \"/u\"\ntime = \"/t\"\nop = \"/o\"\ntime_format = \"iso\"\n");
  EXPECT_EQ(std::string(s.message()), "generic.time_format (line 5): must be rfc3339, unix_s or unix_ms");
  s = LoadError("[generic]\nuser = \"/u\"\ntime = \"/t\"\n");
  EXPECT_NE(std::string(s.message()).find("generic.op"), std::string::npos);
  s = LoadError("[generic]\nuser = 5\ntime = \"/t\"\nop = \"/o\"\n");
  EXPECT_EQ(std::string(s.message()), "generic.user (line 2): must be a JSON pointer string");
}

TEST(GenericMapping, ReadsCloudTrailS3) {
  ParserOptions options;
  options.generic = LoadOrDie(kCloudTrailMapping);
  std::string text = ReadFileOrDie(std::string(EXFILTER_PARSERS_TESTDATA) + "/cloudtrail_s3.ndjson");
  // Auto mode: M365 lines still go to the M365 reader; CloudTrail to the mapping.
  text += R"({"CreationTime":"2020-02-07T16:44:07","Id":"m","Operation":"FileUploaded","UserId":"a@b.c"})" "\n";
  CollectSink s = ParseText(text, options);
  ASSERT_EQ(s.events.size(), 5u);
  ASSERT_EQ(s.errors.size(), 1u);  // the line with a numeric user
  EXPECT_EQ(s.errors[0].kind, ParseErrorKind::kWrongType);
  const OwnedEvent& put = s.events[0];
  EXPECT_EQ(put.service, Service::kGeneric);
  EXPECT_EQ(put.user, "arn:aws:iam::123456789012:user/alice");
  EXPECT_EQ(put.time_ms, 1673613296000);  // 2023-01-13T12:34:56Z
  EXPECT_EQ(put.action, ActionClass::kUpload);
  EXPECT_EQ(put.op, "PutObject");
  EXPECT_EQ(put.ip, "198.51.100.7");
  EXPECT_EQ(put.id, "a1b2c3d4-0001-4000-8000-000000000001");
  EXPECT_EQ(put.object, "reports/q4.xlsx");
  EXPECT_EQ(put.destination, "acme-finance");
  EXPECT_EQ(put.tenant, "123456789012");
  EXPECT_EQ(s.events[1].action, ActionClass::kCopy);
  EXPECT_EQ(s.events[2].action, ActionClass::kFileOther);
  EXPECT_EQ(s.events[3].action, ActionClass::kSigninSuccess);
  EXPECT_EQ(s.events[3].ip, "");  // AWS Internal: not an IP
  EXPECT_EQ(s.events[4].service, Service::kM365);
}

TEST(GenericMapping, ExplicitGenericFormatAndUnixTime) {
  ParserOptions options;
  options.format = InputFormat::kGeneric;
  options.generic = LoadOrDie(
      "[generic]\nuser = \"/actor/email\"\ntime = \"/ts\"\ntime_format = \"unix_s\"\nop = "
      "\"/action\"\n[generic.ops]\nupload = [\"file_upload\"]\n");
  CollectSink s = ParseText(
      R"({"actor":{"email":"Dev@Slack.com"},"ts":1700000000.25,"action":"file_upload"})" "\n"
      R"({"actor":{"email":"dev@slack.com"},"ts":"1700000001","action":"file_upload"})" "\n"
      R"({"actor":{"email":"dev@slack.com"},"ts":"soon","action":"file_upload"})" "\n",
      options);
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[0].user, "dev@slack.com");
  EXPECT_EQ(s.events[0].time_ms, 1700000000250);
  EXPECT_EQ(s.events[1].time_ms, 1700000001000);
  EXPECT_EQ(s.events[0].action, ActionClass::kUpload);
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_EQ(s.errors[0].kind, ParseErrorKind::kBadTime);
  // Without the mapping, an "actor" key alone does not make a Google record.
  CollectSink plain = ParseText(R"({"actor":{"email":"a@b.c"},"action":"file_upload"})" "\n");
  EXPECT_TRUE(plain.events.empty());
  ASSERT_EQ(plain.errors.size(), 1u);
  EXPECT_EQ(plain.errors[0].kind, ParseErrorKind::kUnknownSchema);
}

TEST(GenericMapping, PointersIntoArraysEscapedKeysAndWrongTypes) {
  // RFC 6901: array indexes, "~1" for "/" and "~0" for "~"; a pointer that
  // names nothing leaves the field empty; a container where a string belongs
  // is a wrong_type error that names the pointer.
  ParserOptions options;
  options.format = InputFormat::kGeneric;
  options.generic = LoadOrDie(
      "[generic]\nuser = \"/actors/1/email\"\ntime = \"/t\"\nop = \"/a~1b\"\n"
      "ip = \"/net/~0ip\"\nobject = \"/files/9\"\n[generic.ops]\nupload = [\"put\"]\n");
  // The error's detail (the pointer) lives in the parser's options: keep it alive.
  ChunkParser parser(std::move(options));
  CollectSink s;
  ParseAll(parser,
      R"({"actors":[{"email":"x@y.z"},{"skip":[1,{"a":2}],"email":"Two@Y.z"}],"t":"2024-01-02T03:04:05Z",)"
      R"("a/b":"put","net":{"~ip":"10.0.0.9:443"},"files":["f0"]})" "\n"
      R"({"actors":[{"email":"x@y.z"},{"email":{"nested":true}}],"t":"2024-01-02T03:04:05Z","a/b":"put"})" "\n",
      s);
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].user, "two@y.z");
  EXPECT_EQ(s.events[0].op, "put");
  EXPECT_EQ(s.events[0].ip, "10.0.0.9");
  EXPECT_EQ(s.events[0].object, "");  // /files/9: out of bounds
  EXPECT_EQ(s.events[0].action, ActionClass::kUpload);
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_EQ(s.errors[0].kind, ParseErrorKind::kWrongType);
  EXPECT_EQ(s.errors[0].detail, "/actors/1/email");
}

}  // namespace
}  // namespace exfilter
