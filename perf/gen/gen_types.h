// The workload generator's model: options, the simulated organisation, the
// planned incidents and the compact event record that renderers turn into
// Microsoft 365, Google Workspace or Box JSON.
// Thread safety: plain value types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/audit_event.h"

namespace exfilter::gen {

inline constexpr int64_t kMinuteMs = 60'000;
inline constexpr int64_t kHourMs = 60 * kMinuteMs;
inline constexpr int64_t kDayMs = 24 * kHourMs;

struct GenOptions {
  int users = 3000;
  int days = 21;
  uint64_t seed = 1;
  int learning_days = 9;                 // no incident before this day
  int64_t start_ms = 1772409600000;      // 2026-03-02T00:00:00Z, a Monday
  bool incidents = true;
  double page_share = 0.03;              // share of events written inside API pages
  double m365_late_share = 0.2;          // M365 events delivered 30-90 min late
  int64_t jitter_ms = 4 * kMinuteMs;     // delivery delay of every event: U(0, jitter)
  double nonwrite_ratio = 3.5;           // views/downloads/edits per write
  uint64_t max_bytes = 0;                // stop after this many bytes (0: run all days)
  std::string domain = "contoso-sim.com";
};

// Operations, rendered per service into its own vocabulary.
enum class Op : uint8_t {
  kUpload, kCreate, kCopy, kView, kDownload, kEdit, kDelete,
  kSigninOk, kSigninFail, kSigninSuspicious,
};
ActionClass IntendedAction(Service s, Op op);  // what a parser should read

struct User {
  std::string email;
  std::string name;
  std::string department;
  std::string role;
  bool service_account = false;
  bool dormant = false;        // no activity until an incident wakes it
  int tz_minutes = 0;          // offset from UTC
  int start_hour = 9;          // local start of the working day
  uint8_t services = 0;        // bit (1 << Service)
  Service main_service = Service::kM365;
  double daily_writes = 8;     // mean uploads/creates/copies on a workday
  int bulk_weekday = -1;       // weekly benign bulk session, or -1
  int bulk_hour = 0;           // local hour of that session
  uint32_t office_ip = 0;      // IPv4 as an integer
};

struct Organization {
  std::vector<User> users;
  std::string tenant_m365;     // OrganizationId GUID
  std::string tenant_google;   // customerId
  std::string migration_app;   // allowlisted app id (M365 ApplicationId)
};

enum class IncidentKind : uint8_t {
  kBurstStaging, kLowAndSlow, kOffHoursBurst, kCompromisedAccount, kCrossService,
  kDormantWaking, kMassCopyNewDestination,  // malicious
  kMigration, kOrgSurge, kLegalDiscovery, kWeeklyBulk,  // benign
};
inline constexpr int kNumIncidentKinds = 11;
std::string_view IncidentKindName(IncidentKind k);
std::string_view GenServiceName(Service s);  // "m365", "google_workspace", "box"
inline bool IsMalicious(IncidentKind k) { return k <= IncidentKind::kMassCopyNewDestination; }

// One run of similar events of an incident: count events of op spread over
// [start, start + duration) in one service, from the normal or a new IP.
struct Burst {
  uint32_t user = 0;
  Service service = Service::kM365;
  Op op = Op::kUpload;
  int64_t start_ms = 0;
  int64_t duration_ms = 0;
  int32_t count = 0;
  bool new_ip = false;         // from the incident's attacker IP
  bool new_destination = false;
  bool via_app = false;        // through the allowlisted migration app
  bool context = false;        // sign-ins: context, not counted as incident events
};

struct Incident {
  uint32_t index = 0;
  IncidentKind kind = IncidentKind::kBurstStaging;
  uint32_t user = 0;           // main user (org surge: the first participant)
  Service service = Service::kM365;
  int64_t start_ms = 0;        // first watched event (planned)
  int64_t end_ms = 0;
  uint32_t attacker_ip = 0;
  std::vector<Burst> bursts;
};

// The compact event before rendering. Renderers derive ids, names and paths
// from rnd, so an event costs no allocation until it is written.
struct GenEvent {
  int64_t time_ms = 0;
  int64_t arrival_ms = 0;
  uint64_t rnd = 0;
  uint32_t user = 0;
  int32_t incident = -1;       // index into the plan, or -1
  Service service = Service::kM365;
  Op op = Op::kView;
  bool new_ip = false;
  bool new_destination = false;
  bool via_app = false;
  bool context = false;
};

}  // namespace exfilter::gen
