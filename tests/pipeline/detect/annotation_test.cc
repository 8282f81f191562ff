// Output formatting: the original JSON untouched plus "exfilter".
#include "pipeline/detect/annotation.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "pipeline/detect/detector_event.h"

namespace exfilter {
namespace {

Decision Sample() {
  Decision d;
  d.forward = true;
  d.anomalous = true;
  d.watched = true;
  d.window = WindowKind::kShort;
  d.key = KeyKind::kUser;
  d.window_seconds = 900;
  d.window_start_ms = 1581093900000;  // 2020-02-07T16:45:00Z
  d.score = 12.34567f;
  d.threshold = 6.0f;
  d.observed = 40;
  d.expected = 0.25f;
  d.spread = 0.5f;
  d.reasons = kReasonRate | kReasonNewDestination;
  d.incident_id = 0x00ab00cd00ef0012ULL;
  d.incident_start_ms = 1581093847000;  // 2020-02-07T16:44:07Z
  return d;
}

constexpr const char* kSampleObject =
    R"({"v":1,"anomalous":true,"score":12.346,"threshold":6.000,"window":"short",)"
    R"("window_seconds":900,"window_start":"2020-02-07T16:45:00.000Z","observed":40,)"
    R"("expected":0.250,"spread":0.500,"key":"user","reasons":["rate","new_destination"],)"
    R"("incident":{"id":"00ab00cd00ef0012","start":"2020-02-07T16:44:07.000Z"}})";

TEST(Annotation, CorpusEventKeepsItsBytesAndGainsOneMember) {
  std::ifstream in(std::string(EXFILTER_CORPUS_DIR) + "/m365_files.ndjson");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  std::string out;
  AppendForwarded(line + "  ", Sample(), &out);
  ASSERT_EQ(out.back(), '\n');
  ASSERT_GT(out.size(), line.size());
  // Everything before the original closing brace is untouched.
  EXPECT_EQ(out.substr(0, line.size() - 1), line.substr(0, line.size() - 1));
  EXPECT_EQ(out.substr(line.size() - 1),
            std::string(",\"exfilter\":") + kSampleObject + "}\n");
}

TEST(Annotation, ObjectIsExactAndDeterministic) {
  std::string a, b;
  AppendExfilterObject(Sample(), &a);
  AppendExfilterObject(Sample(), &b);
  EXPECT_EQ(a, kSampleObject);
  EXPECT_EQ(a, b);
}

TEST(Annotation, EmptyObjectNonObjectAndSuppressed) {
  Decision d;  // a non-watched event in annotate mode
  std::string out;
  AppendForwarded("{ }", d, &out);
  EXPECT_EQ(out,
            R"({ "exfilter":{"v":1,"anomalous":false,"score":0.000,"threshold":0.000,)"
            R"("window":"none","window_seconds":0,"observed":0,"expected":0.000,)"
            R"("spread":0.000,"key":"none","reasons":[]}})"
            "\n");
  out.clear();
  AppendForwarded("[1,\"a\"]", d, &out);
  EXPECT_EQ(out.rfind(R"({"exfilter":{"v":1,)", 0), 0u);
  EXPECT_NE(out.find(R"(,"raw":"[1,\"a\"]"})"), std::string::npos) << out;
  DetectorConfig c;
  c.suppress.emplace_back();
  c.suppress.back().name = "migration \"tool\"";
  d.suppress_rule = 0;
  out.clear();
  AppendExfilterObject(d, &out, &c);
  EXPECT_NE(out.find(R"("suppressed_by":"migration \"tool\"")"), std::string::npos) << out;
}

TEST(Annotation, RecordsAndTimestamps) {
  DetectorRecord r;
  r.kind = RecordKind::kIncidentSummary;
  r.incident_id = 0x1;
  r.user_key = 0xffffffffffffffffULL;
  r.incident_start_ms = 0;
  r.from_ms = 86'400'000;
  r.to_ms = 86'400'000 + 300'000;
  r.held_events = 1234;
  r.forwarded_events = 1000;
  r.incident_closed = true;
  std::string out;
  AppendRecord(r, &out);
  EXPECT_EQ(out,
            R"({"exfilter_record":"incident_summary","v":1,"incident":{"id":"0000000000000001",)"
            R"("start":"1970-01-01T00:00:00.000Z"},"user_key":"ffffffffffffffff",)"
            R"("from":"1970-01-02T00:00:00.000Z","to":"1970-01-02T00:05:00.000Z",)"
            R"("held_events":1234,"forwarded_events":1000,"closed":true})"
            "\n");
  out.clear();
  AppendTimestamp(951782400123, &out);  // leap day
  EXPECT_EQ(out, "2000-02-29T00:00:00.123Z");
  out.clear();
  AppendTimestamp(-1, &out);
  EXPECT_EQ(out, "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace exfilter
