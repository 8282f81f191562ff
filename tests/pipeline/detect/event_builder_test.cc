// EventBuilder keys, identities and suppression, end to end with the detector.
#include "pipeline/detect/event_builder.h"

#include <gtest/gtest.h>

#include "tests/pipeline/detect/test_events.h"
#include "util/hash.h"

namespace exfilter::dtest {
namespace {

AuditEvent Audit(std::string_view user, int64_t t, std::string_view app = "",
                 std::string_view object = "https://corp.sharepoint.com/sites/eng/a.docx") {
  AuditEvent e;
  e.service = Service::kM365;
  e.action = ActionClass::kUpload;
  e.time_ms = t;
  e.tenant = "b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd";
  e.user = user;
  e.ip = "81.2.69.143";
  e.app = app;
  e.object = object;
  e.id = "652b339f-908c-a000-f25f-91423da7dd9b";
  return e;
}

TEST(EventBuilder, StableKeysAndPrefixes) {
  EventBuilder b(DetectorConfig{}, Identities{});
  DetectorEvent d;
  ASSERT_TRUE(b.Build(Audit("asr@testsiem.onmicrosoft.com", 1581093847000), &d));
  EXPECT_EQ(d.tenant_key, StableHash("b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd"));
  EXPECT_EQ(d.user_key, HashCombine(d.tenant_key, StableHash("asr@testsiem.onmicrosoft.com")));
  EXPECT_EQ(d.peer_key, d.tenant_key);  // no identities file: the tenant
  EXPECT_EQ(d.ip_key, StableHash("81.2.69.143"));
  EXPECT_EQ(d.prefix_key, IpPrefixKey("81.2.69.1"));
  EXPECT_NE(d.prefix_key, IpPrefixKey("81.2.70.143"));
  EXPECT_EQ(IpPrefixKey("2001:db8:1::1"), IpPrefixKey("2001:0db8:0001:ffff::9"));
  EXPECT_NE(IpPrefixKey("2001:db8:1::1"), IpPrefixKey("2001:db8:2::1"));
  EXPECT_EQ(IpPrefixKey("not an ip"), 0u);
  EXPECT_EQ(d.suppress_rule, kNoSuppressRule);
  EXPECT_FALSE(b.Build(Audit("x", 0), &d));  // no time
}

TEST(EventBuilder, PrefixKeysOfEveryAddressForm) {
  // IPv4 /24 and IPv6 /48; what inet_pton refuses has no prefix.
  EXPECT_EQ(IpPrefixKey("81.2.69.1"), IpPrefixKey("81.2.69.255"));
  EXPECT_NE(IpPrefixKey("81.2.69.1"), IpPrefixKey("81.2.70.1"));
  EXPECT_NE(IpPrefixKey("81.2.69.1"), 0u);
  EXPECT_EQ(IpPrefixKey("0.0.0.0"), IpPrefixKey("0.0.0.9"));
  EXPECT_EQ(IpPrefixKey("2001:db8:1::1"), IpPrefixKey("2001:db8:1:ffff::2"));
  EXPECT_NE(IpPrefixKey("2001:db8:1::1"), IpPrefixKey("2001:db8:2::1"));
  for (const char* bad : {"", "81.2.69", "81.2.69.256", "081.2.69.1", "81.2.69.1.5", "1.2.3.4x",
                          "host.example.com", "1..2.3"})
    EXPECT_EQ(IpPrefixKey(bad), 0u) << bad;
}

TEST(EventBuilder, IdentitiesFromCsvAndJsonl) {
  auto csv = Identities::Parse(
      "user,department,role,service_account\n"
      "Alice@Corp.com,Finance,analyst,false\n"
      "svc-sync@corp.com,IT,sync,yes\n",
      "ids.csv");
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(csv->size(), 2u);
  ASSERT_NE(csv->Find("alice@corp.com"), nullptr);
  EXPECT_FALSE(csv->Find("alice@corp.com")->service_account);
  EXPECT_TRUE(csv->Find("svc-sync@corp.com")->service_account);
  auto jsonl = Identities::Parse(
      "{\"user\":\"alice@corp.com\",\"department\":\"Finance\",\"service_account\":false}\n"
      "{\"user\":\"bob@corp.com\",\"department\":\"Finance\",\"service_account\":\"no\"}\n",
      "ids.jsonl");
  ASSERT_TRUE(jsonl.ok()) << jsonl.status();
  EXPECT_EQ(jsonl->Find("alice@corp.com")->department_key,
            csv->Find("alice@corp.com")->department_key);
  EventBuilder b(DetectorConfig{}, *std::move(jsonl));
  DetectorEvent a, c;
  ASSERT_TRUE(b.Build(Audit("alice@corp.com", 1), &a));
  ASSERT_TRUE(b.Build(Audit("bob@corp.com", 1), &c));
  EXPECT_EQ(a.peer_key, c.peer_key);  // same department
  EXPECT_NE(a.peer_key, a.tenant_key);
  auto bad = Identities::Parse("user,service_account\nx@y,maybe\n", "ids.csv");
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("ids.csv:2"), std::string::npos);
  EXPECT_FALSE(Identities::Parse("name,dept\nx,y\n", "ids.csv").ok());
}

TEST(EventBuilder, GlobPatterns) {
  EXPECT_TRUE(GlobMatch("https://corp/sites/legal/*", "https://corp/sites/legal/a/b.pdf"));
  EXPECT_FALSE(GlobMatch("https://corp/sites/legal/*", "https://corp/sites/eng/a.pdf"));
  EXPECT_TRUE(GlobMatch("*.pst", "/exports/mail-2026.pst"));
  EXPECT_TRUE(GlobMatch("/backup/?" "?/*", "/backup/01/x"));
  EXPECT_FALSE(GlobMatch("/backup/?" "?/*", "/backup/1/x"));
}

// Allowlisted app ids, users, paths and maintenance windows suppress a burst
// that would otherwise alert, and each rule counts what it suppressed.
TEST(EventBuilder, SuppressionRulesSuppressAndCount) {
  DetectorConfig c = TestConfig();
  c.suppress.resize(2);
  c.suppress[0].name = "migration-app";
  c.suppress[0].apps = {"1FEC8E78-bce4-4aaf-ab1b-5451cc387264"};
  c.suppress[1].name = "legal-paths";
  c.suppress[1].paths = {"https://corp.sharepoint.com/sites/legal/*"};
  SuppressRule maintenance;
  maintenance.name = "export";
  maintenance.users = {"carol@corp.com"};
  maintenance.has_time_range = true;
  int64_t t0 = Monday() + 22 * kDay + 10 * kHour;
  maintenance.start = absl::FromUnixMillis(t0);
  maintenance.end = absl::FromUnixMillis(t0 + kHour);
  c.suppress.push_back(maintenance);
  EventBuilder b(c, Identities{});
  auto d = MakeDetector(c);
  // History for four users, built through the builder.
  for (const char* u : {"alice@corp.com", "bob@corp.com", "carol@corp.com", "dan@corp.com"}) {
    for (const DetectorEvent& s : Steady(u, Monday(), 21, 8)) {
      std::string user = u;
      DetectorEvent e;
      ASSERT_TRUE(b.Build(Audit(user, s.time_ms), &e));
      d->Observe(e, nullptr);
    }
  }
  ASSERT_EQ(d->stats().forwarded, 0u);
  auto burst = [&](std::string_view user, int64_t start, std::string_view app,
                   std::string_view object) {
    size_t forwarded = 0;
    for (int i = 0; i < 200; ++i) {
      DetectorEvent e;
      EXPECT_TRUE(b.Build(Audit(user, start + i * 5000, app, object), &e));
      forwarded += d->Observe(e, nullptr).forward;
    }
    return forwarded;
  };
  const char* eng = "https://corp.sharepoint.com/sites/eng/x.docx";
  EXPECT_EQ(burst("alice@corp.com", t0, "1fec8e78-BCE4-4aaf-ab1b-5451cc387264", eng), 0u);
  EXPECT_EQ(burst("bob@corp.com", t0, "", "https://corp.sharepoint.com/sites/legal/case1/x.pdf"), 0u);
  EXPECT_EQ(burst("carol@corp.com", t0, "", eng), 0u);
  // The same burst outside the maintenance window alerts.
  EXPECT_GT(burst("carol@corp.com", t0 + 2 * kHour, "", eng), 0u);
  // An unlisted user is not covered by the maintenance window.
  EXPECT_GT(burst("dan@corp.com", t0, "", eng), 0u);
  ASSERT_EQ(d->stats().suppressed_by_rule.size(), 3u);
  EXPECT_EQ(d->stats().suppressed_by_rule[0], 200u);
  EXPECT_EQ(d->stats().suppressed_by_rule[1], 200u);
  EXPECT_EQ(d->stats().suppressed_by_rule[2], 200u);
  EXPECT_EQ(d->stats().suppressed, 600u);
}

}  // namespace
}  // namespace exfilter::dtest
