// EventBuilder turns a parsed AuditEvent into a DetectorEvent: stable keys
// for tenant, user, peer group, IP and its /24 or /48 prefix, destination and
// app; the identities-file flags; and the first suppression rule that
// matches (allowlists of users, apps, object paths, service accounts, and
// maintenance windows). It reads the identities file once at Create().
// Thread safety: Build() is const and allocates nothing, so any number of
// parse workers may share one EventBuilder. Create() a new one on reload.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "parsers/audit_event.h"
#include "pipeline/detect/detector_config.h"
#include "pipeline/detect/detector_event.h"

namespace exfilter {

// One row of the identities file.
struct Identity {
  uint64_t department_key = 0;  // StableHash(department); 0 = none
  bool service_account = false;
};

// user name (lower-cased) hash -> identity. Read from CSV with a header line
// naming the columns (user, department, role, service_account; any order,
// extra columns ignored) or from JSONL objects with those members.
// service_account accepts true/false/1/0/yes/no.
class Identities {
 public:
  static absl::StatusOr<Identities> Load(std::string_view path);
  // Parses file contents; `path` names it in messages ("ids.csv:7: ...").
  static absl::StatusOr<Identities> Parse(std::string_view contents, std::string_view path);
  const Identity* Find(std::string_view user) const;
  size_t size() const { return by_user_.size(); }

 private:
  absl::flat_hash_map<uint64_t, Identity> by_user_;
};

class EventBuilder {
 public:
  // Loads config.identities_file when set. Fails on an unreadable or
  // malformed identities file or an invalid suppression rule.
  static absl::StatusOr<std::unique_ptr<EventBuilder>> Create(const DetectorConfig& config);
  // For tests and callers that already hold the identities.
  EventBuilder(const DetectorConfig& config, Identities identities);

  // Fills `*out` from `ev`. Returns false (and leaves *out unspecified) only
  // when the event has no usable time (time_ms == 0).
  bool Build(const AuditEvent& ev, DetectorEvent* out) const;

  // The first matching suppression rule, or kNoSuppressRule.
  uint16_t MatchSuppression(const AuditEvent& ev, uint64_t user_hash, bool service_account) const;

 private:
  struct Rule {
    absl::flat_hash_set<uint64_t> users;  // StableHash(user)
    absl::flat_hash_set<uint64_t> apps;   // StableHash(lower-cased app)
    std::vector<std::string> paths;
    bool service_accounts = false;
    bool has_time_range = false;
    int64_t start_ms = 0;
    int64_t end_ms = 0;
  };
  std::vector<Rule> rules_;
  Identities identities_;
};

// Helpers shared with tests: the keys EventBuilder computes.
uint64_t TenantKey(std::string_view tenant);
uint64_t UserKeyFor(uint64_t tenant_key, std::string_view user);
// Hash of the /24 (IPv4) or /48 (IPv6) prefix of a textual IP; 0 if unparsable.
uint64_t IpPrefixKey(std::string_view ip);
// Glob with '*' (any run, '/' included) and '?' (one byte); case-sensitive.
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace exfilter
