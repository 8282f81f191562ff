// AuditEvent is exfilter's normalized view of one SaaS audit event, whatever
// service wrote it (Microsoft 365, Google Workspace, Box, or a generic mapped
// source). It is the contract between parsers/ and everything above them.
// Every string_view points into the input chunk or into the owning parser's
// scratch space: an AuditEvent is dead once its parser reads the next record,
// so whoever keeps anything hashes or copies it.
// Thread safety: plain value type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace exfilter {

enum class Service : uint8_t {
  kUnknown = 0,
  kM365,
  kGoogleWorkspace,
  kBox,
  kGeneric,
};
inline constexpr int kNumServices = 5;

// What an event means for the AN1514 detector. The first three are watched.
enum class ActionClass : uint8_t {
  kOther = 0,
  kUpload,
  kCreate,
  kCopy,
  kSigninSuccess,
  kSigninFailure,
  kSigninRisky,
  kFileOther,  // views, downloads, edits, deletes, moves ...
};
inline constexpr int kNumActionClasses = 8;

inline bool IsWatchedAction(ActionClass a) {
  return a == ActionClass::kUpload || a == ActionClass::kCreate || a == ActionClass::kCopy;
}
// Sign-in success, failure or risky sign-in (a range test, no branch).
inline bool IsSigninAction(ActionClass a) {
  constexpr auto kFirst = static_cast<uint8_t>(ActionClass::kSigninSuccess);
  constexpr auto kLast = static_cast<uint8_t>(ActionClass::kSigninRisky);
  return static_cast<uint8_t>(static_cast<uint8_t>(a) - kFirst) <= kLast - kFirst;
}

// Stable names used in output and configuration ("m365", "upload", ...).
std::string_view ServiceName(Service s);
std::string_view ActionClassName(ActionClass a);

struct AuditEvent {
  Service service = Service::kUnknown;
  ActionClass action = ActionClass::kOther;
  // False for events a baseline must not count: Google non-primary events,
  // M365 logout records with UserId "Unknown", system accounts.
  bool primary = true;
  int64_t time_ms = 0;  // event time, UTC milliseconds since the epoch

  std::string_view tenant;       // M365 OrganizationId, Google id.customerId, Box enterprise id
  std::string_view user;         // lower-cased UPN / email / login
  std::string_view user_id;      // the service's own user id (UserKey, profileId, created_by.id)
  std::string_view op;           // the service's own operation name
  std::string_view ip;           // normalized client IP: no port, brackets or ::ffff: prefix
  std::string_view object;       // file/folder name, path or URL
  std::string_view destination;  // copy/upload target, where there is one
  std::string_view app;          // app or OAuth client id (migration and sync tools)
  std::string_view user_agent;
  std::string_view id;           // native event id (de-duplication, matching output to input)

  // The event's own bytes, to forward untouched. For an event inside an API
  // page envelope this is the element of the page, not the whole line.
  std::string_view raw;
};

}  // namespace exfilter
