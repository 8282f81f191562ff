// Envelopes (M365 content blob, Google and Box API pages), Google multi-event
// activities and the Elastic / Panther variants, explicit formats.
#include <string>

#include "gtest/gtest.h"
#include "tests/parsers/collect_sink.h"

namespace exfilter {
namespace {

TEST(Envelope, M365ContentBlobOnOneLine) {
  std::string a = R"({"CreationTime":"2020-02-07T16:44:07","Id":"a","Operation":"FolderCreated","UserId":"X@Y.com"})";
  std::string b = R"({"CreationTime":"2020-02-07T16:44:08","Id":"b","Operation":"FileCopied","UserId":"x@y.com"})";
  std::string text = "[" + a + ", " + b + "]\n";
  CollectSink s = ParseText(text);
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[0].raw, a);
  EXPECT_EQ(s.events[1].raw, b);
  EXPECT_EQ(s.events[0].action, ActionClass::kCreate);
  EXPECT_EQ(s.events[1].action, ActionClass::kCopy);
  EXPECT_EQ(s.events[0].user, "x@y.com");
}

TEST(Envelope, GooglePageWithAndWithoutItems) {
  std::string act = R"({"kind":"admin#reports#activity","id":{"time":"2020-10-02T15:00:00Z","uniqueQualifier":"-9223372036854775808","applicationName":"drive","customerId":"C1"},"actor":{"email":"A@B.com"},"ipAddress":"1.2.3.4","events":[{"type":"access","name":"upload","parameters":[{"name":"primary_event","boolValue":true},{"name":"doc_title","value":"x.pdf"}]}]})";
  std::string page = R"({"kind":"admin#reports#activities","items":[)" + act + "," + act +
                     R"(],"nextPageToken":"abc"})";
  std::string empty = R"({"kind":"admin#reports#activities","etag":"e","nextPageToken":"t"})";
  CollectSink s = ParseText(page + "\n" + empty + "\n");
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_TRUE(s.errors.empty());
  EXPECT_EQ(s.events[0].raw, act);
  EXPECT_EQ(s.events[0].id, "-9223372036854775808");
  EXPECT_EQ(s.events[0].object, "x.pdf");
  EXPECT_EQ(s.events[0].tenant, "C1");
}

TEST(Envelope, BoxPageWithNumberStreamPosition) {
  std::string e1 = R"({"type":"event","event_id":"e1","event_type":"UPLOAD","created_at":"2022-07-19T07:18:04-07:00","created_by":{"type":"user","id":11446498,"login":"Bob@Box.com"},"ip_address":"8.8.8.8","source":{"item_type":"file","item_id":"1","item_name":"a.txt","parent":{"type":"folder","name":"Team","id":"5"}}})";
  std::string e2 = R"({"type":"event","event_id":"e2","event_type":"COPY","created_at":"2022-07-19T07:18:05-07:00","created_by":{"type":"user","id":"2","login":""},"source":null})";
  std::string page = R"({"chunk_size":1,"next_stream_position":1152922976252290800,"entries":[)" +
                     e1 + "," + e2 + "]}";
  CollectSink s = ParseText(page + "\n");
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[0].raw, e1);
  EXPECT_EQ(s.events[0].user, "bob@box.com");
  EXPECT_EQ(s.events[0].user_id, "11446498");
  EXPECT_EQ(s.events[0].object, "a.txt");
  EXPECT_EQ(s.events[0].destination, "Team");
  EXPECT_EQ(s.events[0].action, ActionClass::kUpload);
  EXPECT_EQ(s.events[1].action, ActionClass::kCopy);
  EXPECT_FALSE(s.events[1].primary);
}

TEST(Envelope, BadElementCostsOnlyItself) {
  std::string good = R"({"event_id":"g","event_type":"UPLOAD","created_at":"2022-07-19T07:18:04-07:00"})";
  std::string bad = R"({"event_id":"b","event_type":7})";
  std::string text = R"({"entries":[)" + good + "," + bad + "," + good + "]}\n";
  CollectSink s = ParseText(text);
  EXPECT_EQ(s.events.size(), 2u);
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_EQ(s.errors[0].kind, ParseErrorKind::kWrongType);
  EXPECT_EQ(text.substr(s.errors[0].offset, s.errors[0].length), bad);
}

TEST(Envelope, PrettyPrintedPageAcrossLines) {
  std::string text =
      "{\n  \"entries\": [\n    {\n      \"event_id\": \"p1\",\n      \"event_type\": "
      "\"ITEM_UPLOAD\"\n    },\n    {\n      \"event_id\": \"p2\",\n      \"event_type\": "
      "\"ITEM_COPY\"\n    }\n  ],\n  \"chunk_size\": 2\n}\n";
  CollectSink s = ParseText(text + text);
  ASSERT_EQ(s.events.size(), 4u);
  EXPECT_TRUE(s.errors.empty());
  EXPECT_EQ(s.events[3].id, "p2");
  // Read in small chunks, the page arrives over several calls.
  for (size_t chunk : {7, 40, 100}) {
    CollectSink c = ParseInChunks(text + text, chunk);
    EXPECT_EQ(c.events.size(), 4u) << chunk;
    EXPECT_TRUE(c.errors.empty()) << chunk;
  }
  // A page cut short at the end of input is one truncated error.
  CollectSink cut = ParseText(text + text.substr(0, 60));
  EXPECT_EQ(cut.events.size(), 2u);
  ASSERT_EQ(cut.errors.size(), 1u);
  EXPECT_EQ(cut.errors[0].kind, ParseErrorKind::kTruncated);
  EXPECT_EQ(cut.errors[0].offset, text.size());
}

TEST(GoogleActivity, EveryEventOfAnActivity) {
  std::string act = R"({"id":{"time":"2020-10-02T15:00:00Z","uniqueQualifier":"77","applicationName":"drive","customerId":"C"},"actor":{"email":"u@x.com","profileId":"9"},"ipAddress":"2001:db8::1","events":[)"
                    R"({"type":"access","name":"upload","parameters":[{"name":"primary_event","boolValue":true},{"name":"doc_title","value":"a"}]},)"
                    R"({"type":"access","name":"create","parameters":[{"boolValue":false,"name":"primary_event"},{"name":"doc_id","value":"id-b"}]},)"
                    R"({"type":"access","name":"copy","parameters":[{"name":"doc_title","value":"c"},{"name":"destination_folder_title","value":"dst"},{"name":"login_challenge_method","multiValue":["x","y"]}]}]})";
  CollectSink s = ParseText(act + "\n");
  ASSERT_EQ(s.events.size(), 3u);
  EXPECT_EQ(s.events[0].action, ActionClass::kUpload);
  EXPECT_EQ(s.events[1].action, ActionClass::kCreate);
  EXPECT_EQ(s.events[2].action, ActionClass::kCopy);
  EXPECT_TRUE(s.events[0].primary);
  EXPECT_FALSE(s.events[1].primary);  // primary_event=false
  EXPECT_TRUE(s.events[2].primary);   // no primary_event parameter
  EXPECT_EQ(s.events[0].id, "77#0");
  EXPECT_EQ(s.events[2].id, "77#2");
  EXPECT_EQ(s.events[1].object, "id-b");
  EXPECT_EQ(s.events[2].destination, "dst");
  EXPECT_EQ(s.events[2].ip, "2001:db8::1");
  for (const OwnedEvent& e : s.events) EXPECT_EQ(e.raw, act);
}

TEST(GoogleActivity, ElasticObjectAndPantherFlatForms) {
  std::string elastic = R"({"id":{"time":"2020-10-02T15:00:00Z","uniqueQualifier":1,"applicationName":"login"},"actor":{"email":"a@b.c"},"events":{"type":"login","name":"login_success","parameters":[{"name":"is_suspicious","boolValue":true}]}})";
  std::string panther = R"({"id":{"applicationName":"drive","time":"2022-12-20 17:27:47.080000000","uniqueQualifier":"-1"},"actor":{"email":"p@q.r"},"name":"upload","type":"access","parameters":{"primary_event":false,"doc_title":"d"}})";
  CollectSink s = ParseText(elastic + "\n" + panther + "\n");
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[0].action, ActionClass::kSigninRisky);
  EXPECT_EQ(s.events[0].id, "1");
  EXPECT_EQ(s.events[1].action, ActionClass::kUpload);
  EXPECT_FALSE(s.events[1].primary);
  EXPECT_EQ(s.events[1].object, "d");
}

TEST(Format, ExplicitFormatSkipsDetection) {
  std::string box = R"({"event_id":"e","event_type":"UPLOAD","created_at":"2022-07-19T07:18:04-07:00"})";
  ParserOptions options;
  options.format = InputFormat::kBox;
  CollectSink s = ParseText(box + "\n" + R"({"CreationTime":"2020-02-07T16:44:07","Operation":"FileUploaded"})" + "\n", options);
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].service, Service::kBox);
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_EQ(s.errors[0].kind, ParseErrorKind::kUnknownSchema);
  InputFormat f;
  EXPECT_TRUE(ParseInputFormat("google", &f));
  EXPECT_EQ(f, InputFormat::kGoogle);
  EXPECT_FALSE(ParseInputFormat("dropbox", &f));
}

}  // namespace
}  // namespace exfilter
