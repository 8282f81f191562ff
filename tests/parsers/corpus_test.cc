// Every event of every corpus file (NDJSON and whole API pages) is read, and
// the normalized fields of real events from each file are what the services
// meant: user, UTC time, action class, operation, IP, id.
#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "parsers/inspect.h"
#include "tests/parsers/collect_sink.h"

namespace exfilter {
namespace {

const std::string kCorpus = EXFILTER_CORPUS_DIR;

CollectSink ParseCorpus(const std::string& name) {
  std::string text = ReadFileOrDie(kCorpus + "/" + name);
  EXPECT_FALSE(text.empty()) << name;
  return ParseText(text);
}

std::string Utc(int64_t ms) {
  std::string s;
  AppendRfc3339Millis(ms, &s);
  return s;
}

struct Expect {
  const char* file;
  size_t index;  // 0-based event index within the file
  Service service;
  const char* user;
  const char* time;
  ActionClass action;
  const char* op;
  const char* ip;
  const char* id;
};

void Check(const Expect& x) {
  CollectSink s = ParseCorpus(x.file);
  ASSERT_LT(x.index, s.events.size()) << x.file;
  const OwnedEvent& e = s.events[x.index];
  SCOPED_TRACE(std::string(x.file) + " #" + std::to_string(x.index));
  EXPECT_EQ(e.service, x.service);
  EXPECT_EQ(e.user, x.user);
  EXPECT_EQ(Utc(e.time_ms), x.time);
  EXPECT_EQ(ActionClassName(e.action), ActionClassName(x.action));
  EXPECT_EQ(e.op, x.op);
  EXPECT_EQ(e.ip, x.ip);
  EXPECT_EQ(e.id, x.id);
}

TEST(Corpus, EveryEventOfEveryFileIsRead) {
  struct Count {
    const char* file;
    size_t events;
  };
  // Line counts for NDJSON (one event each); element counts for pages.
  const Count kCounts[] = {
      {"box_event_type_stubs.ndjson", 130},
      {"box_events.ndjson", 19},
      {"box_events_panther.ndjson", 23},
      {"gws_drive.ndjson", 32},
      {"gws_drive_panther.ndjson", 30},
      {"gws_login.ndjson", 17},
      {"gws_login_panther.ndjson", 17},
      {"m365_edge_clientip_formats.ndjson", 15},
      {"m365_files.ndjson", 19},
      {"m365_files_panther.ndjson", 5},
      {"m365_other_shapes.ndjson", 1},
      {"m365_signin.ndjson", 18},
      {"m365_signin_panther.ndjson", 2},
      {"pages/box_events_page_demisto_docs_example.json", 1},
      {"pages/box_events_page_demisto_enterprise.json", 1},
      {"pages/box_events_page_demisto_user.json", 1},
      {"pages/box_events_page_elastic_mock.json", 2},
      {"pages/gws_reports_page_admin_nextpage_elastic_mock.json", 9},
      {"pages/gws_reports_page_drive_elastic_mock.json", 28},
      {"pages/gws_reports_page_empty_with_nextPageToken_elastic.json", 0},
      {"pages/m365_content_blob_msdocs.json", 3},
  };
  size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kCorpus)) {
    std::string ext = entry.path().extension();
    if (ext == ".ndjson" || ext == ".json") ++files;
  }
  EXPECT_EQ(files, std::size(kCounts)) << "a corpus file is not covered here";
  for (const Count& c : kCounts) {
    CollectSink s = ParseCorpus(c.file);
    EXPECT_EQ(s.events.size(), c.events) << c.file;
    EXPECT_TRUE(s.errors.empty()) << c.file << ": " << ParseErrorKindName(s.errors[0].kind);
    for (const OwnedEvent& e : s.events) EXPECT_NE(e.service, Service::kUnknown) << c.file;
  }
}

TEST(Corpus, M365Events) {
  Check({"m365_files.ndjson", 2, Service::kM365, "asr@testsiem.onmicrosoft.com",
         "2020-02-07T16:44:21.000Z", ActionClass::kUpload, "FileUploaded", "81.2.69.143",
         "dac93a9f-f2fb-4cac-d18f-08d7abecfbb6"});
  Check({"m365_files.ndjson", 18, Service::kM365, "samir@acme.sharepoint.net",
         "2017-09-25T22:42:35.000Z", ActionClass::kCopy, "FileCopied", "62.68.137.155",
         "9605876a-1c37-4337-ecbc-08d2409e6e9a"});
  Check({"m365_signin.ndjson", 8, Service::kM365, "asr@testsiem.onmicrosoft.com",
         "2020-02-07T16:42:59.000Z", ActionClass::kSigninFailure, "UserLoggedIn",
         "213.97.47.133", "b0c1c4a7-c6db-4f14-b628-54e37a7a6785"});
  Check({"m365_signin.ndjson", 0, Service::kM365, "asr@testsiem.onmicrosoft.com",
         "2020-02-10T15:13:13.000Z", ActionClass::kSigninSuccess, "UserLoggedIn",
         "83.57.233.151", "ca0efc24-1b89-4962-8fef-a3ac5437302f"});
  Check({"m365_signin.ndjson", 16, Service::kM365, "admin@contoso.onmicrosoft.com",
         "2015-06-29T20:03:19.000Z", ActionClass::kSigninFailure,
         "PasswordLogonInitialAuthUsingPassword", "134.170.188.221",
         "80c76bd2-9d81-4c57-a97a-accfc3443dca"});
  Check({"m365_files_panther.ndjson", 0, Service::kM365, "my.user@yourorg.onmicrosoft.com",
         "2022-12-12T19:31:41.000Z", ActionClass::kOther, "AddedToSecureLink", "1.2.3.4",
         "111-aa-234"});
  Check({"m365_signin_panther.ndjson", 0, Service::kM365, "sample.user@yourorg.onmicrosoft.com",
         "2022-12-12T15:57:57.000Z", ActionClass::kSigninFailure, "UserLoginFailed", "1.2.3.4",
         "abc-def-123"});
  Check({"m365_other_shapes.ndjson", 0, Service::kM365, "pgustavo@simulandlabs.com",
         "2021-08-02T13:32:07.000Z", ActionClass::kOther, "MailItemsAccessed", "1.2.3.4", ""});
  Check({"m365_edge_clientip_formats.ndjson", 5, Service::kM365, "", "2020-02-17T17:12:03.000Z",
         ActionClass::kOther, "", "2001:db8::abcd", "3be78a31-dbd3-4c2c-eaf9-08d7b3cc8226"});
  Check({"pages/m365_content_blob_msdocs.json", 1, Service::kM365,
         "admin@contoso.onmicrosoft.com", "2015-06-29T20:03:34.000Z", ActionClass::kSigninSuccess,
         "PasswordLogonInitialAuthUsingPassword", "134.170.188.221",
         "4e655d3f-35fa-42e0-b050-264b2d255c7a"});
}

TEST(Corpus, M365FieldsBesideTheKeyOnes) {
  CollectSink s = ParseCorpus("m365_files.ndjson");
  const OwnedEvent& copy = s.events[18];
  EXPECT_EQ(copy.destination, "/my library/PurchaseOrder.xls");
  EXPECT_EQ(copy.tenant, "fa0f55b5-3dac-425b-8e00-c58e5889499c");
  const OwnedEvent& upload = s.events[2];
  EXPECT_EQ(upload.tenant, "b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd");
  EXPECT_EQ(upload.user_id, "i:0h.f|membership|1003200096971f55@live.com");
  EXPECT_TRUE(upload.primary);
  EXPECT_EQ(upload.user_agent.rfind("Mozilla/5.0 (Macintosh", 0), 0u);
  // app@sharepoint and the OAuth2 logout record never count toward a baseline.
  EXPECT_FALSE(s.events[5].primary);
  CollectSink signin = ParseCorpus("m365_signin.ndjson");
  EXPECT_EQ(signin.events[10].user, "unknown");
  EXPECT_FALSE(signin.events[10].primary);
  // AAD user agent comes from ExtendedProperties.
  EXPECT_EQ(signin.events[0].user_agent.rfind("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.14", 0),
            0u);
  EXPECT_EQ(signin.events[0].app, "4345a7b9-9a63-4910-a426-35363201d503");
}

TEST(Corpus, GoogleWorkspaceEvents) {
  Check({"gws_drive.ndjson", 19, Service::kGoogleWorkspace, "foo@bar.com",
         "2020-10-02T15:00:00.000Z", ActionClass::kUpload, "upload", "67.43.156.13",
         "6108376977952886205"});
  Check({"gws_drive.ndjson", 15, Service::kGoogleWorkspace, "foo@bar.com",
         "2020-10-02T15:00:00.000Z", ActionClass::kFileOther, "untrash", "67.43.156.13",
         "-8381386042448252517"});  // negative, never through a double
  Check({"gws_drive.ndjson", 31, Service::kGoogleWorkspace, "johndoe@acme.com",
         "2025-07-25T06:45:36.066Z", ActionClass::kFileOther, "access_item_content", "",
         "4444444444444444444"});
  Check({"gws_login.ndjson", 14, Service::kGoogleWorkspace, "foo@bar.com",
         "2020-10-02T15:00:00.000Z", ActionClass::kSigninRisky, "login_success", "67.43.156.13",
         "1"});  // is_suspicious = true; uniqueQualifier as a JSON number
  Check({"gws_login.ndjson", 9, Service::kGoogleWorkspace, "foo@bar.com",
         "2020-10-02T15:00:00.000Z", ActionClass::kSigninFailure, "login_failure",
         "98.235.162.24", "1"});
  Check({"gws_drive_panther.ndjson", 10, Service::kGoogleWorkspace, "diana@justice.org",
         "2025-11-04T20:51:00.000Z", ActionClass::kUpload, "upload", "1.1.1.1", ""});
  Check({"gws_drive_panther.ndjson", 0, Service::kGoogleWorkspace, "user@example.io",
         "2022-12-20T17:27:47.080Z", ActionClass::kFileOther, "rename", "12.12.12.12",
         "-7312729053723258069"});
  Check({"gws_login_panther.ndjson", 16, Service::kGoogleWorkspace, "bob@example.com",
         "1970-01-01T00:00:00.000Z", ActionClass::kSigninFailure, "login_failure",
         "111.111.111.111", ""});
  Check({"pages/gws_reports_page_drive_elastic_mock.json", 19, Service::kGoogleWorkspace,
         "foo@bar.com", "2022-05-04T15:04:05.000Z", ActionClass::kUpload, "upload",
         "98.235.162.24", "1#19"});
  Check({"pages/gws_reports_page_admin_nextpage_elastic_mock.json", 0,
         Service::kGoogleWorkspace, "foo@bar.com", "2022-04-04T15:04:05.000Z", ActionClass::kOther,
         "CHANGE_APPLICATION_SETTING", "98.235.162.24", "1#0"});
}

TEST(Corpus, GoogleFieldsBesideTheKeyOnes) {
  CollectSink s = ParseCorpus("gws_drive.ndjson");
  EXPECT_EQ(s.events[0].destination, "folder title");  // add_to_folder
  EXPECT_EQ(s.events[0].object, "document title");
  EXPECT_EQ(s.events[31].app, "1111111111111111111111");  // oauthClientId
  EXPECT_EQ(s.events[31].tenant, "abc134abc123");
  EXPECT_EQ(s.events[31].user_id, "222222222222222222222222");
}

TEST(Corpus, BoxEvents) {
  Check({"box_events.ndjson", 0, Service::kBox, "info@elastic.co", "2022-07-19T14:18:04.000Z",
         ActionClass::kUpload, "ITEM_UPLOAD", "", "36e2e8726b67f7ce275b479c4a0cb4ef0fd0d61c"});
  Check({"box_events.ndjson", 11, Service::kBox, "", "2022-10-20T19:40:56.000Z",
         ActionClass::kSigninRisky, "SHIELD_ALERT", "67.43.156.0",
         "97f1b31f-f143-4777-81f8-1b557b39ca33"});  // -08:02 offset
  Check({"box_events.ndjson", 14, Service::kBox, "user@sumologic.com",
         "2016-12-15T19:08:58.000Z", ActionClass::kSigninSuccess, "LOGIN", "1.1.1.1",
         "7988d00a-aca3-4454-9021-652477f4fa78"});
  Check({"box_events.ndjson", 16, Service::kBox, "ashamah@paloaltonetworks.com",
         "2020-12-15T08:44:58.000Z", ActionClass::kFileOther, "RENAME", "37.142.10.140",
         "451677f7-9c7c-497d-a272-69903c1f6c29"});
  Check({"box_events_panther.ndjson", 21, Service::kBox, "cat@example",
         "1970-01-01T00:00:00.000Z", ActionClass::kSigninFailure, "FAILED_LOGIN",
         "111.111.111.111", ""});
  Check({"box_event_type_stubs.ndjson", 28, Service::kBox, "", "1970-01-01T00:00:00.000Z",
         ActionClass::kCopy, "COPY", "", ""});
  Check({"pages/box_events_page_elastic_mock.json", 1, Service::kBox, "info@elastic.co",
         "2022-06-27T12:09:40.000Z", ActionClass::kCreate, "ITEM_CREATE", "",
         "e1cb161d5fbd3f3a80fd560f39a0f52a2cff3db9"});
  Check({"pages/box_events_page_demisto_user.json", 0, Service::kBox,
         "ashamah@paloaltonetworks.com", "2020-11-25T12:12:23.000Z", ActionClass::kUpload,
         "ITEM_UPLOAD", "", "821c82f3cf438bf0d206aa80aac526ea1700a46b"});
}

TEST(Corpus, BoxDestinationIsTheSourceParent) {
  CollectSink s = ParseCorpus("box_events.ndjson");
  EXPECT_EQ(s.events[1].op, "ITEM_COPY");
  EXPECT_EQ(s.events[1].object, "box-test-4 (1)");
  EXPECT_EQ(s.events[1].destination, "All Files");
  EXPECT_EQ(s.events[0].destination, "box-test-sub");
  EXPECT_EQ(s.events[3].destination, "");  // not for downloads
  EXPECT_FALSE(s.events[9].primary);        // anonymous user id 2
}

TEST(Corpus, PageElementsAreForwardedAlone) {
  std::string text = ReadFileOrDie(kCorpus + "/pages/box_events_page_elastic_mock.json");
  CollectSink s = ParseText(text);
  ASSERT_EQ(s.events.size(), 2u);
  for (const OwnedEvent& e : s.events) {
    EXPECT_EQ(e.raw.front(), '{');
    EXPECT_EQ(e.raw.back(), '}');
    EXPECT_NE(text.find(e.raw), std::string::npos);
    EXPECT_EQ(e.raw.find("chunk_size"), std::string::npos);
  }
  EXPECT_NE(s.events[0].raw.find("97f1b31f-f143-4777-81f8-1b557b39ca31"), std::string::npos);
}

}  // namespace
}  // namespace exfilter
