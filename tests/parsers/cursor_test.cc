// The parsers' own stage 2 (parsers/internal/json_util.h, top_keys.h) and the
// batch loop around it: grammar checks on what is read, the key table, the
// backslash tracker, and values longer than a batch.
#include <string>

#include <gtest/gtest.h>

#include "parsers/internal/top_keys.h"
#include "tests/parsers/collect_sink.h"

namespace exfilter {
namespace {

std::string M365(const std::string& id, const std::string& user) {
  return R"({"CreationTime":"2024-05-01T10:00:00","Id":")" + id +
         R"(","Operation":"FileUploaded","OrganizationId":"org","RecordType":6,"UserId":")" + user +
         R"(","UserType":0,"Workload":"OneDrive","ClientIP":"10.1.2.3","ObjectId":"https://x/y.docx"})";
}

TEST(Cursor, GrammarErrorsInReadValuesAreMalformed) {
  // Each broken line costs only itself; the good line after it is read.
  for (std::string bad : {
           R"({"CreationTime" "2024-05-01T10:00:00","Operation":"FileUploaded"})",  // no colon
           R"({"Operation":"FileUploaded",})",                                     // comma, no key
           R"({"Operation":"FileUploaded" "UserId":"a@b.c"})",                     // no comma
           R"({"Id":01,"Operation":"FileUploaded"})",                              // bad number
           R"({"Id":-,"Operation":"FileUploaded"})",
           R"({"LogonError":nul,"Operation":"UserLoginFailed"})",                  // bad atom
           R"({"ExtendedProperties":[{"Name":"UserAgent","Value":"x"},],"Operation":"x"})",
           R"({"UserId":"a\qb","Operation":"FileUploaded"})",                      // bad escape
       }) {
    std::string text = bad;
    text += "\n";
    text += M365("good", "u@x.com");
    text += "\n";
    CollectSink s = ParseText(text);
    ASSERT_EQ(s.errors.size(), 1u) << bad;
    EXPECT_EQ(s.errors[0].kind, ParseErrorKind::kMalformedJson) << bad;
    EXPECT_EQ(s.errors[0].offset, 0u) << bad;
    ASSERT_EQ(s.events.size(), 1u) << bad;
    EXPECT_EQ(s.events[0].id, "good") << bad;
  }
}

TEST(Cursor, BooleansReadInEveryForm) {
  // primary_event decides `primary`; a misspelled atom costs only its line.
  auto line = [](const std::string& value) {
    return R"({"id":{"time":"2020-10-02T15:00:00Z","uniqueQualifier":"1","applicationName":"drive"},)"
           R"("actor":{"email":"a@b.c"},"events":[{"name":"upload","parameters":[)"
           R"({"name":"primary_event","boolValue":)" + value + R"(}]}]})" + "\n";
  };
  struct Case {
    const char* value;
    int primary;  // -1: malformed
  } cases[] = {{"true", 1}, {"false", 0}, {"true ", 1}, {"false\t", 0}, {"\"true\"", 1},
               {"\"True\"", 1}, {"\"false\"", 0}, {"truex", -1}, {"tru", -1},
               {"falsey", -1}, {"fals", -1}, {"t", -1}, {"nul", -1},
               {"null", 1}};  // a null boolValue is no value: primary, as when it is absent
  for (const Case& c : cases) {
    CollectSink s = ParseText(line(c.value) + M365("next", "n@x.com") + "\n");
    ASSERT_EQ(s.events.size(), c.primary < 0 ? 1u : 2u) << c.value;
    EXPECT_EQ(s.events.back().id, "next") << c.value;
    if (c.primary < 0) {
      ASSERT_EQ(s.errors.size(), 1u) << c.value;
      EXPECT_EQ(s.errors[0].kind, ParseErrorKind::kMalformedJson) << c.value;
    } else {
      EXPECT_TRUE(s.errors.empty()) << c.value;
      EXPECT_EQ(s.events[0].primary, c.primary == 1) << c.value;
    }
  }
}

TEST(Cursor, GoogleParametersReadInEveryShape) {
  // The plain {"name":...,"value":...} element has a fast path; every other
  // shape of the same parameter must read the same (or fail the same way).
  auto line = [](const std::string& param) {
    return R"({"id":{"time":"2020-10-02T15:00:00Z","uniqueQualifier":"1","applicationName":"drive"},)"
           R"("actor":{"email":"a@b.c"},"events":[{"name":"upload","parameters":[)"
           R"({"name":"doc_id","value":"id-1"},)" + param +
           R"(,{"name":"primary_event","boolValue":false}]}]})" + "\n";
  };
  struct Case {
    const char* param;
    const char* title;  // nullptr: malformed
  } cases[] = {
      {R"({"name":"doc_title","value":"Plan.pdf"})", "Plan.pdf"},
      {R"({ "name" : "doc_title" , "value" : "Plan.pdf" })", "Plan.pdf"},
      {R"({"value":"Plan.pdf","name":"doc_title"})", "Plan.pdf"},
      {R"({"name":"doc_title","value":"Q\"3\" plan"})", "Q\"3\" plan"},
      {R"({"name":"doc\u005ftitle","value":"Plan.pdf"})", "Plan.pdf"},
      {R"({"name":"doc_title","value":null})", ""},
      {R"({"name":"doc_title","multiValue":["a","b"]})", ""},
      {R"({"name":"doc_title","intValue":"7"})", ""},
      {R"({"name":"doc_titles","value":"Plan.pdf"})", ""},
      {R"({"name":"doc_title","value":"Plan.pdf","extra":1})", "Plan.pdf"},
      {R"({"name":"doc_title","value":"Plan.pdf"])", nullptr},
      {R"({"name":"doc_title":"value","Plan.pdf"})", nullptr},
  };
  for (const Case& c : cases) {
    CollectSink s = ParseText(line(c.param) + M365("next", "n@x.com") + "\n");
    ASSERT_FALSE(s.events.empty()) << c.param;
    EXPECT_EQ(s.events.back().id, "next") << c.param;
    if (c.title == nullptr) {
      ASSERT_EQ(s.events.size(), 1u) << c.param;
      ASSERT_EQ(s.errors.size(), 1u) << c.param;
      EXPECT_EQ(s.errors[0].kind, ParseErrorKind::kMalformedJson) << c.param;
      continue;
    }
    ASSERT_EQ(s.events.size(), 2u) << c.param;
    EXPECT_TRUE(s.errors.empty()) << c.param;
    const OwnedEvent& ev = s.events[0];
    EXPECT_EQ(ev.object, *c.title ? c.title : "id-1") << c.param;  // doc_title, else doc_id
    EXPECT_FALSE(ev.primary) << c.param;  // the element after it is still read
  }
}

TEST(Cursor, SkippedNestedValuesAndEscapes) {
  std::string line =
      R"({"Site":{"a":[1,{"b":"]}"}],"c":{}},"CreationTime":"2024-05-01T10:00:00","Id":"e\"1",)"
      R"("Operation":"FileUploaded","UserId":"J\u00fcrgen@X.com","ClientIP":"10.1.2.3:443",)"
      R"("ObjectId":12345678901234567890,"UserType":"0","Empty":[],"Obj":{}})";
  std::string text = line;
  text += "\n";
  CollectSink s = ParseText(text);
  ASSERT_TRUE(s.errors.empty());
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].id, "e\"1");
  EXPECT_EQ(s.events[0].user, "j\xc3\xbcrgen@x.com");
  EXPECT_EQ(s.events[0].ip, "10.1.2.3");
  EXPECT_EQ(s.events[0].object, "12345678901234567890");  // a number kept as its text
  EXPECT_EQ(s.events[0].raw, line);
}

TEST(Cursor, EscapesInsideAPageAreReadFromTheirElement) {
  // Elements are walked after their page, behind the backslash scan.
  std::string text = "[";
  text += M365("a\\u0031", "one@x.com");
  text += ",";
  text += M365("b", "tw\\u006f@x.com");
  text += ",";
  text += M365("c", "three@x.com");
  text += "]\n";
  text += M365("d\\/", "four@x.com");
  text += "\n";
  CollectSink s = ParseText(text);
  ASSERT_TRUE(s.errors.empty());
  ASSERT_EQ(s.events.size(), 4u);
  EXPECT_EQ(s.events[0].id, "a1");
  EXPECT_EQ(s.events[1].user, "two@x.com");
  EXPECT_EQ(s.events[2].id, "c");
  EXPECT_EQ(s.events[3].id, "d/");
}

TEST(Cursor, ValuesLongerThanABatch) {
  // One line of ~600 KiB (an M365 content blob), and a pretty-printed Box
  // page of ~400 KiB spread over many lines: both longer than a 128 KiB batch.
  std::string blob = "[";
  for (int i = 0; i < 2500; ++i) {
    if (i > 0) blob += ",";
    std::string id = "m";
    id += std::to_string(i);
    blob += M365(id, "u@x.com");
  }
  blob += "]";
  std::string page = "{\n  \"entries\": [\n";
  for (int i = 0; i < 3000; ++i) {
    if (i > 0) page += ",\n";
    page += "    {\n      \"event_id\": \"b";
    page += std::to_string(i);
    page += "\",\n      \"event_type\": \"ITEM_UPLOAD\",\n      \"created_by\": {\"login\": "
            "\"u@x.com\"},\n      \"created_at\": \"2024-05-01T10:00:00-07:00\"\n    }";
  }
  page += "\n  ],\n  \"chunk_size\": 3000\n}\n";
  ASSERT_GT(blob.size(), size_t{512} << 10);
  ASSERT_GT(page.size(), size_t{256} << 10);
  std::string text = M365("first", "u@x.com");
  text += "\n";
  text += blob;
  text += "\n";
  text += page;
  text += M365("last", "u@x.com");
  text += "\n";
  for (size_t chunk : {size_t{0}, size_t{1} << 20, size_t{3} << 20}) {
    CollectSink s = chunk == 0 ? ParseText(text) : ParseInChunks(text, chunk);
    EXPECT_TRUE(s.errors.empty()) << chunk;
    ASSERT_EQ(s.events.size(), 1u + 2500u + 3000u + 1u) << chunk;
    EXPECT_EQ(s.events[1].id, "m0");
    EXPECT_EQ(s.events[2500].id, "m2499");
    EXPECT_EQ(s.events[2501].id, "b0");
    EXPECT_EQ(s.events[5500].id, "b2999");
    EXPECT_EQ(s.events[5501].id, "last");
  }
}

TEST(TopKeys, EveryKeyAndNoNearMiss) {
  using internal::TopKey;
  const internal::TopKeyTable& t = internal::kTopKeys;
  auto lookup = [&](std::string key) {
    key.append(32, '"');  // the lookup reads up to 24 bytes past the key's start
    return t.Lookup(key.data(), key.find('"'));
  };
  EXPECT_EQ(lookup("CreationTime"), TopKey::kCreationTime);
  EXPECT_EQ(lookup("DestinationRelativeUrl"), TopKey::kDestinationRelativeUrl);
  EXPECT_EQ(lookup("Id"), TopKey::kId);
  EXPECT_EQ(lookup("id"), TopKey::kGoogleId);
  EXPECT_EQ(lookup("ip_address"), TopKey::kIpAddressBox);
  EXPECT_EQ(lookup("ipAddress"), TopKey::kIpAddress);
  EXPECT_EQ(lookup("next_stream_position"), TopKey::kNextStreamPosition);
  EXPECT_EQ(lookup("UserType"), TopKey::kUserType);
  for (const char* miss : {"", "I", "Ids", "creationTime", "CreationTim", "CreationTimes",
                           "UserIdX", "ListId", "next_stream_positions",
                           "a_key_much_longer_than_twenty_four_bytes"})
    EXPECT_EQ(lookup(miss), TopKey::kNone) << miss;
}

}  // namespace
}  // namespace exfilter
