// Every kind of generated event, in each service, reads back through the real
// parser as the user, time, action, id, IP, destination and app it was made with.
#include <gtest/gtest.h>

#include "perf/gen/org.h"
#include "perf/gen/render.h"
#include "tests/gen/gen_test_util.h"

namespace exfilter::gen {
namespace {

class RenderTest : public ::testing::Test {
 protected:
  RenderTest() : org_(BuildOrganization(options_)), incidents_(PlanIncidents(org_, options_)),
                 renderer_(options_, org_, incidents_) {}

  GenEvent Event(Service s, Op op, int64_t time_ms, uint32_t user = 5) const {
    GenEvent ev;
    ev.service = s;
    ev.op = op;
    ev.time_ms = time_ms;
    ev.user = user;
    ev.rnd = 0x1234567890abcdefull ^ (static_cast<uint64_t>(op) << 8) ^ static_cast<uint64_t>(s);
    return ev;
  }
  // Renders one event, parses it, and returns the single primary event.
  ParsedEvent RoundTrip(const GenEvent& ev, std::string* id_text) {
    OutBuffer out;
    Renderer::IdSpan id = renderer_.Render(ev, out);
    *id_text = std::string(out.view().substr(id.offset, id.length));
    CollectSink sink = ParseText(out.view());
    EXPECT_TRUE(sink.errors.empty()) << out.view();
    EXPECT_FALSE(sink.events.empty()) << out.view();
    return sink.events.empty() ? ParsedEvent{} : sink.events.front();
  }

  GenOptions options_ = [] {
    GenOptions o;
    o.users = 300;
    o.days = 12;
    o.learning_days = 8;
    return o;
  }();
  Organization org_;
  std::vector<Incident> incidents_;
  Renderer renderer_;
};

TEST_F(RenderTest, EveryServiceAndOperationParsesToItsIntent) {
  const int64_t t = 1772454896000;  // 2026-03-02T12:34:56Z
  const Op ops[] = {Op::kUpload, Op::kCreate, Op::kCopy, Op::kView, Op::kDownload,
                    Op::kEdit, Op::kDelete, Op::kSigninOk, Op::kSigninFail};
  for (Service s : {Service::kM365, Service::kGoogleWorkspace, Service::kBox}) {
    for (Op op : ops) {
      SCOPED_TRACE(std::string(GenServiceName(s)) + " op " + std::to_string(static_cast<int>(op)));
      int64_t time = s == Service::kGoogleWorkspace ? t + 789 : t;  // Google keeps millis
      std::string id;
      ParsedEvent p = RoundTrip(Event(s, op, time), &id);
      EXPECT_EQ(p.service, s);
      EXPECT_EQ(p.user, org_.users[5].email);
      EXPECT_EQ(p.time_ms, time);
      EXPECT_EQ(p.action, IntendedAction(s, op));
      EXPECT_TRUE(p.primary);
      EXPECT_EQ(p.id, id);
      EXPECT_FALSE(id.empty());
    }
  }
}

TEST_F(RenderTest, BoxLocalOffsetIsReadAsUtc) {
  uint32_t user = 0;
  while (org_.users[user].tz_minutes == 0) ++user;
  std::string id;
  ParsedEvent p = RoundTrip(Event(Service::kBox, Op::kUpload, 1772454896000, user), &id);
  EXPECT_EQ(p.time_ms, 1772454896000);
}

TEST_F(RenderTest, AttackerIpDestinationAndMigrationAppAreVisible) {
  ASSERT_FALSE(incidents_.empty());
  GenEvent ev = Event(Service::kM365, Op::kCopy, 1772454896000);
  ev.incident = 0;
  ev.new_ip = true;
  ev.new_destination = true;
  std::string id;
  ParsedEvent p = RoundTrip(ev, &id);
  uint32_t ip = incidents_[0].attacker_ip;
  EXPECT_EQ(p.ip, std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." +
                      std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255));
  EXPECT_NE(p.destination.find("/sites/ext-transfer-"), std::string::npos) << p.destination;
  EXPECT_EQ(p.action, ActionClass::kCopy);

  GenEvent mig = Event(Service::kM365, Op::kUpload, 1772454896000,
                       static_cast<uint32_t>(org_.users.size() - 1));
  mig.via_app = true;
  p = RoundTrip(mig, &id);
  EXPECT_EQ(p.user, "svc-migration@contoso-sim.com");
  EXPECT_EQ(p.app, org_.migration_app);
}

TEST_F(RenderTest, GoogleSecondaryEventIsNotPrimary) {
  // rnd bits 36..37 == 0 add an add_to_folder event beside the upload.
  GenEvent ev = Event(Service::kGoogleWorkspace, Op::kUpload, 1772454896123);
  ev.rnd &= ~(uint64_t{3} << 36);
  OutBuffer out;
  renderer_.Render(ev, out);
  CollectSink sink = ParseText(out.view());
  ASSERT_EQ(sink.events.size(), 2u);
  EXPECT_EQ(sink.events[0].op, "upload");
  EXPECT_EQ(sink.events[0].id, std::to_string(static_cast<int64_t>(ev.rnd)) + "#0");
  EXPECT_TRUE(sink.events[0].primary);
  EXPECT_EQ(sink.events[1].op, "add_to_folder");
  EXPECT_FALSE(sink.events[1].primary);
}

}  // namespace
}  // namespace exfilter::gen
