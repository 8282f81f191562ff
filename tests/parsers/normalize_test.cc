// Table tests for the normalization pieces: every timestamp form, every
// ClientIP form, and every operation name mapping of the three services.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "parsers/inspect.h"
#include "parsers/internal/classify.h"
#include "parsers/internal/client_ip.h"
#include "parsers/internal/scratch.h"
#include "parsers/internal/time_parse.h"

namespace exfilter::internal {
namespace {

std::string Utc(std::string_view text) {
  int64_t ms = 0;
  if (!ParseTimestamp(text, &ms)) return "bad";
  std::string s;
  AppendRfc3339Millis(ms, &s);
  return s;
}

TEST(TimeParse, EveryForm) {
  struct Case {
    const char* in;
    const char* utc;
  } cases[] = {
      {"2020-02-07T16:44:07", "2020-02-07T16:44:07.000Z"},          // M365, no zone = UTC
      {"2022-12-12 19:31:41", "2022-12-12T19:31:41.000Z"},          // Panther M365
      {"2022-12-20 17:27:47.080000000", "2022-12-20T17:27:47.080Z"},  // Panther Google
      {"2020-10-02T15:00:00Z", "2020-10-02T15:00:00.000Z"},         // Google
      {"2025-07-25T06:45:36.066Z", "2025-07-25T06:45:36.066Z"},     // Google millis
      {"2022-07-19T07:18:04-07:00", "2022-07-19T14:18:04.000Z"},    // Box
      {"2022-10-20T11:38:56-08:02", "2022-10-20T19:40:56.000Z"},    // Box odd offset
      {"2020-01-01T00:30:00+01:00", "2019-12-31T23:30:00.000Z"},    // across a year
      {"2020-01-01T00:30:00+0100", "2019-12-31T23:30:00.000Z"},
      {"2020-01-01T00:30:00+01", "2019-12-31T23:30:00.000Z"},
      {"2024-02-29T12:00:00.5Z", "2024-02-29T12:00:00.500Z"},       // leap day
      {"2021-08-02T13:32:07Z", "2021-08-02T13:32:07.000Z"},
      {"2196-09-29T19:59:59", "2196-09-29T19:59:59.000Z"},          // every 9 and 6
      {"1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"},
  };
  for (const Case& c : cases) EXPECT_EQ(Utc(c.in), c.utc) << c.in;
}

TEST(TimeParse, RefusesBadAndOutOfRange) {
  for (const char* bad :
       {"", "yesterday", "2020-13-01T00:00:00", "2020-02-30T00:00:00", "2023-02-29T00:00:00",
        "2020-01-01T24:00:00", "2020-01-01T00:60:00", "1969-12-31T23:59:59Z",
        "2201-01-01T00:00:00Z", "2020-01-01T00:00:00+19:00", "2020-01-01T00:00:00Q",
        "2020-01-01T00:00:00.Z", "2020-01-01", "2020/01/01 00:00:00", "2020-01-01T00:00:00Z ",
        "2a20-01-01T00:00:00", "20-0-01-01T00:00:00", "2020-0x-01T00:00:00", "2020-01-01T0:00:000",
        "2020-01-01T00:0/:00", "2020-01-00T00:00:00", "2020-00-10T00:00:00", "2020-01-01T00:00:61"})
    EXPECT_EQ(Utc(bad), "bad") << bad;
}

TEST(TimeParse, DateCacheGivesTheSameAnswers) {
  // One cache through a sequence: hits, misses, and bad input next to a
  // cached date, each compared with a fresh parse.
  DateCache cache;
  for (const char* text :
       {"2024-02-29T10:00:00", "2024-02-29T23:59:59.999Z", "2024-02-29T25:00:00",
        "2024-02-29T00:00:00-01:00", "2023-02-29T00:00:00", "2024-03-01T00:00:00+00:30",
        "2024-03-01 00:00:01", "2024-03-01T00:00:0x", "2024-03-01", "1969-12-31T23:59:59Z",
        "2024-02-29T10:00:00"}) {
    int64_t cached = -1, fresh = -1;
    bool ok = ParseTimestamp(text, &cached, &cache);
    EXPECT_EQ(ok, ParseTimestamp(text, &fresh)) << text;
    if (ok) {
      EXPECT_EQ(cached, fresh) << text;
    }
  }
  int64_t ms = 0;
  ASSERT_TRUE(ParseTimestamp("2024-03-01T00:00:00+00:30", &ms, &cache));
  EXPECT_EQ(ms, 1709251200000 - 1800000);
}

TEST(Scratch, LowerEveryLengthAndByte) {
  // ASCII upper case only: UTF-8 bytes (\xc3\x9c is U+00DC) and the bytes
  // next to 'A'..'Z' ('@', '[', '`', '{') stay as they are.
  const std::string text = "J\xc3\x9crgen.SMITH@Example.COM[`{Z]AzA\xdf\x80";
  Scratch scratch;
  for (size_t n = 0; n <= text.size(); ++n) {
    std::string in = text.substr(0, n), want = in;
    for (char& c : want)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    scratch.Reset();
    std::string_view got = scratch.Lower(in);
    EXPECT_EQ(got, want) << n;
    EXPECT_EQ(got.data() == in.data(), want == in) << n;  // no copy without upper case
  }
}

TEST(ClientIp, EveryForm) {
  struct Case {
    const char* in;
    const char* ip;
  } cases[] = {
      {"10.11.12.13", "10.11.12.13"},
      {"10.11.12.13:12345", "10.11.12.13"},
      {"[10.11.12.13]:12345", "10.11.12.13"},
      {"[10.11.12.13]", "10.11.12.13"},
      {"::ffff:10.11.12.13", "10.11.12.13"},
      {"[::ffff:10.11.12.13]:12345", "10.11.12.13"},
      {"2001:db8::abcd", "2001:db8::abcd"},
      {"[2001:db8::abcd]:12345", "2001:db8::abcd"},
      {"[2001:db8::abcd]", "2001:db8::abcd"},
      {"2a01:111:f400:7e8a::15", "2a01:111:f400:7e8a::15"},
      {"", ""},
      {"localhost", ""},
      {"localhost:12345", ""},
      {"[localhost]:12345", ""},
      {"cool.client.local", ""},
      {"cool.client.local:12345", ""},
      {"[cool.client.local]:12345", ""},
      {"300.1.1.1", ""},
      {"1.2.3", ""},
      {"199.99.96.255", "199.99.96.255"},
      {"01.2.3.4", "01.2.3.4"},
      {"1.2.3.4:", "1.2.3.4"},
      {"1.2.3.4567", ""},
      {"1.2.3.4.5", ""},
      {"1.2.3.4:80:90", ""},
      {"1.2.3.256:443", ""},
      {"1..3.4", ""},
  };
  for (const Case& c : cases) EXPECT_EQ(NormalizeClientIp(c.in), c.ip) << c.in;
}

// The vector Ipv4Prefix against the byte reader (its fallback without SSE2).
TEST(Normalize, Ipv4PrefixAgreesWithTheByteReader) {
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  int checked = 0;
  auto check = [&](const std::string& text) {
    // Exact-size heap copy: ASan sees any read past the end.
    std::unique_ptr<char[]> exact(new char[text.size() + 1]);
    std::memcpy(exact.get(), text.data(), text.size());
    std::string_view s(exact.get(), text.size());
    ASSERT_EQ(Ipv4Prefix(s), Ipv4PrefixBytes(s)) << text;
    ++checked;
  };
  for (const char* edge : {"1.2.3.4", "255.255.255.255", "255.255.255.2555", "256.1.1.1", "1.2.3.4567",
                           "0.0.0.0:0", "1.2.3.", ".1.2.3.4", "1..2.3", "12.34.56.78:9", "999.9.9.9",
                           "1.2.3.4.5.6.7.8", "123.123.123.123123", "1.2.3.4\n", "\xff.1.1.1"})
    check(edge);
  // Structured quads: parts of 0-4 digits, values up to 9999, optional port and junk.
  for (int i = 0; i < 100000; ++i) {
    std::string t;
    for (int part = 0; part < 4; ++part) {
      if (part > 0) t += next() % 50 == 0 ? ':' : '.';
      int digits = static_cast<int>(next() % 9);
      digits = digits < 6 ? 1 + digits % 3 : digits - 6;  // mostly 1-3, some 0 and 4
      for (int d = 0; d < digits; ++d) t += static_cast<char>('0' + next() % (d == 0 ? 3 : 10));
    }
    if (next() % 3 == 0) {
      t += ':';  // two appends: GCC 12 warns (-Wrestrict, falsely) on ":" + string
      t += std::to_string(next() % 70000);
    }
    if (next() % 10 == 0) t += static_cast<char>(" 0.a:]"[next() % 6]);
    check(t);
  }
  // Random text over the characters that matter, every length up to 20.
  for (int i = 0; i < 100000; ++i) {
    std::string t(next() % 21, ' ');
    for (char& c : t) c = "0123456789.....:a"[next() % 17];
    check(t);
  }
  EXPECT_EQ(checked, 200015);
}

struct OpCase {
  const char* op;
  ActionClass action;
};

TEST(Classify, M365Operations) {
  const OpCase cases[] = {
      {"FileUploaded", ActionClass::kUpload},
      {"FileSyncUploadedFull", ActionClass::kUpload},
      {"FileSyncUploadedPartial", ActionClass::kUpload},
      {"FolderCreated", ActionClass::kCreate},
      {"FileCopied", ActionClass::kCopy},
      {"FolderCopied", ActionClass::kCopy},
      {"FileAccessed", ActionClass::kFileOther},
      {"FileDownloaded", ActionClass::kFileOther},
      {"FileModified", ActionClass::kFileOther},
      {"FileDeleted", ActionClass::kFileOther},
      {"FileMoved", ActionClass::kFileOther},
      {"FileRenamed", ActionClass::kFileOther},
      {"FileRecycled", ActionClass::kFileOther},
      {"FileSyncDownloadedFull", ActionClass::kFileOther},
      {"FolderMoved", ActionClass::kFileOther},
      {"PageViewed", ActionClass::kFileOther},
      {"UserLoggedIn", ActionClass::kSigninSuccess},
      {"UserLoginFailed", ActionClass::kSigninFailure},
      {"SharingSet", ActionClass::kOther},
      {"AnonymousLinkCreated", ActionClass::kOther},
      {"MailItemsAccessed", ActionClass::kOther},
      {"", ActionClass::kOther},
  };
  for (const OpCase& c : cases)
    EXPECT_EQ(ActionClassName(ClassifyM365(c.op, "", "Succeeded")), ActionClassName(c.action))
        << c.op;
  // ResultStatus Succeeded is not the outcome: LogonError is.
  EXPECT_EQ(ClassifyM365("UserLoggedIn", "FlowTokenExpired", "Succeeded"),
            ActionClass::kSigninFailure);
  EXPECT_EQ(ClassifyM365("PasswordLogonInitialAuthUsingPassword", "", "failed"),
            ActionClass::kSigninFailure);
  EXPECT_EQ(ClassifyM365("PasswordLogonInitialAuthUsingPassword", "", "success"),
            ActionClass::kSigninSuccess);
}

TEST(Classify, GoogleEvents) {
  const OpCase drive[] = {
      {"upload", ActionClass::kUpload},        {"create", ActionClass::kCreate},
      {"copy", ActionClass::kCopy},            {"view", ActionClass::kFileOther},
      {"download", ActionClass::kFileOther},   {"edit", ActionClass::kFileOther},
      {"delete", ActionClass::kFileOther},     {"move", ActionClass::kFileOther},
      {"rename", ActionClass::kFileOther},     {"trash", ActionClass::kFileOther},
      {"add_to_folder", ActionClass::kFileOther}, {"change_user_access", ActionClass::kOther},
      {"approval_requested", ActionClass::kOther},
  };
  for (const OpCase& c : drive)
    EXPECT_EQ(ActionClassName(ClassifyGoogle("drive", c.op, false)), ActionClassName(c.action))
        << c.op;
  const OpCase login[] = {
      {"login_success", ActionClass::kSigninSuccess},
      {"login_failure", ActionClass::kSigninFailure},
      {"suspicious_login", ActionClass::kSigninRisky},
      {"suspicious_login ", ActionClass::kSigninRisky},  // trailing space in a fixture
      {"suspicious_login_less_secure_app", ActionClass::kSigninRisky},
      {"suspicious_programmatic_login", ActionClass::kSigninRisky},
      {"login_challenge", ActionClass::kOther},
      {"logout", ActionClass::kOther},
      {"account_disabled_password_leak", ActionClass::kOther},
      {"upload", ActionClass::kOther},  // not a login event
  };
  for (const OpCase& c : login)
    EXPECT_EQ(ActionClassName(ClassifyGoogle("login", c.op, false)), ActionClassName(c.action))
        << c.op;
  EXPECT_EQ(ClassifyGoogle("login", "login_success", true), ActionClass::kSigninRisky);
  EXPECT_EQ(ClassifyGoogle("", "upload", false), ActionClass::kUpload);  // no application
  EXPECT_EQ(ClassifyGoogle("admin", "upload", false), ActionClass::kOther);
}

TEST(Classify, BoxEventTypes) {
  const OpCase cases[] = {
      {"UPLOAD", ActionClass::kUpload},           {"ITEM_UPLOAD", ActionClass::kUpload},
      {"ITEM_CREATE", ActionClass::kCreate},      {"COPY", ActionClass::kCopy},
      {"ITEM_COPY", ActionClass::kCopy},          {"LOGIN", ActionClass::kSigninSuccess},
      {"ADMIN_LOGIN", ActionClass::kSigninSuccess}, {"FAILED_LOGIN", ActionClass::kSigninFailure},
      {"DOWNLOAD", ActionClass::kFileOther},      {"PREVIEW", ActionClass::kFileOther},
      {"ITEM_DOWNLOAD", ActionClass::kFileOther}, {"ITEM_TRASH", ActionClass::kFileOther},
      {"ITEM_MOVE", ActionClass::kFileOther},     {"COLLABORATION_INVITE", ActionClass::kOther},
      {"USER_AUTHENTICATE_OAUTH2_ACCESS_TOKEN_CREATE", ActionClass::kOther},
  };
  for (const OpCase& c : cases)
    EXPECT_EQ(ActionClassName(ClassifyBox(c.op, "")), ActionClassName(c.action)) << c.op;
  EXPECT_EQ(ClassifyBox("SHIELD_ALERT", "Suspicious Locations"), ActionClass::kSigninRisky);
  EXPECT_EQ(ClassifyBox("SHIELD_ALERT", "Suspicious Sessions"), ActionClass::kSigninRisky);
  EXPECT_EQ(ClassifyBox("SHIELD_ALERT", "Anomalous Download"), ActionClass::kOther);
  EXPECT_EQ(ClassifyBox("SHIELD_ALERT", ""), ActionClass::kOther);
}

}  // namespace
}  // namespace exfilter::internal
