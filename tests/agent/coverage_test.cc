// Coverage records: counts per (service, tenant) and interval, the silent and
// no-file-events gaps, forgetting a pair once its silence is reported, and
// the cap on pairs tracked (a source making up tenant ids).
#include "agent/coverage.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace exfilter {
namespace {

constexpr int64_t kHour = 3'600'000;
constexpr int64_t kT0 = int64_t{1'767'225'600'000};  // 2026-01-01T00:00:00Z

DetectorEvent Event(int64_t t_ms, uint64_t tenant, Service service = Service::kM365,
                    ActionClass action = ActionClass::kUpload) {
  DetectorEvent e;
  e.time_ms = t_ms;
  e.tenant_key = tenant;
  e.service = service;
  e.action = action;
  return e;
}

int CountRecords(const std::string& out, absl::string_view kind) {
  int n = 0;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    n += absl::StrContains(line, absl::StrCat("\"exfilter_record\":\"", kind, "\""));
  }
  return n;
}

TEST(Coverage, CountsPerPairAndIntervalAndReportsAFileLessSource) {
  Coverage cov(absl::Hours(1), absl::Hours(2));
  std::string out;
  cov.Observe(Event(kT0 + 10, 1), &out);
  cov.Observe(Event(kT0 + 20, 1, Service::kM365, ActionClass::kCopy), &out);
  cov.Observe(Event(kT0 + 30, 2, Service::kBox, ActionClass::kSigninSuccess), &out);
  EXPECT_EQ(out, "");  // the interval is still open
  cov.Observe(Event(kT0 + kHour + 5, 1), &out);
  EXPECT_EQ(CountRecords(out, "coverage"), 2);
  EXPECT_TRUE(absl::StrContains(out, "\"tenant\":\"0000000000000001\",\"from\":\"2026-01-01T00:00:00.000Z\","
                                     "\"to\":\"2026-01-01T01:00:00.000Z\",\"events\":2"))
      << out;
  EXPECT_TRUE(absl::StrContains(out, "\"upload\":1,\"create\":0,\"copy\":1")) << out;
  // Box for tenant 2 saw only a sign-in: its collector fetches no file events.
  EXPECT_TRUE(absl::StrContains(
      out, "\"service\":\"box\",\"tenant\":\"0000000000000002\",\"reason\":\"no_file_events\""))
      << out;
}

TEST(Coverage, ASilentPairIsReportedOnceThenForgotten) {
  Coverage cov(absl::Hours(1), absl::Hours(2));
  std::string out;
  cov.Observe(Event(kT0, 7, Service::kGoogleWorkspace), &out);
  for (int h = 0; h < 6; ++h) cov.Observe(Event(kT0 + h * kHour + 1, 1), &out);
  EXPECT_EQ(CountRecords(out, "coverage_gap"), 1) << out;
  EXPECT_TRUE(absl::StrContains(
      out, "\"service\":\"google_workspace\",\"tenant\":\"0000000000000007\",\"reason\":\"silent\""))
      << out;
  EXPECT_EQ(cov.tracked(), 1u);  // only the pair still sending
  // It comes back: counted again, and a new silence is reported again.
  out.clear();
  cov.Observe(Event(kT0 + 6 * kHour + 2, 7, Service::kGoogleWorkspace), &out);
  for (int h = 7; h < 12; ++h) cov.Observe(Event(kT0 + h * kHour + 1, 1), &out);
  EXPECT_EQ(CountRecords(out, "coverage_gap"), 1) << out;
  EXPECT_EQ(cov.tracked(), 1u);
}

TEST(Coverage, MadeUpTenantsAreCappedAndCountedInOneLine) {
  Coverage cov(absl::Hours(1), absl::Hours(2), /*max_cells=*/100);
  std::string out;
  for (uint64_t tenant = 1; tenant <= 5000; ++tenant) {
    cov.Observe(Event(kT0 + static_cast<int64_t>(tenant), tenant), &out);
  }
  EXPECT_EQ(cov.tracked(), 100u);
  cov.Observe(Event(kT0 + kHour, 1), &out);
  EXPECT_EQ(CountRecords(out, "coverage"), 100);
  EXPECT_EQ(CountRecords(out, "coverage_overflow"), 1);
  EXPECT_TRUE(absl::StrContains(out, "\"exfilter_record\":\"coverage_overflow\",\"from\":\"2026-01-01T00:00:00.000Z\","
                                     "\"to\":\"2026-01-01T01:00:00.000Z\",\"events\":4900,\"max_cells\":100}"))
      << out;
  // Once the made-up pairs fall silent and are reported, they free their room.
  for (int h = 2; h < 6; ++h) cov.Observe(Event(kT0 + h * kHour, 1), &out);
  EXPECT_EQ(cov.tracked(), 1u);
}

}  // namespace
}  // namespace exfilter
