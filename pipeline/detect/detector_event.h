// DetectorEvent is the detector's compact, string-free view of one audit
// event: stable XXH3 keys (util/hash.h), the event time and a few flags. Parse
// workers build it from an AuditEvent with EventBuilder (event_builder.h) and
// hand it, in input order, to the single detector thread (detector.h).
// Thread safety: plain, trivially copyable value type (safe to put in queues).
#pragma once

#include <cstdint>
#include <type_traits>

#include "parsers/audit_event.h"

namespace exfilter {

// Value of DetectorEvent::suppress_rule when no suppression rule matched.
inline constexpr uint16_t kNoSuppressRule = 0xFFFF;

struct DetectorEvent {
  int64_t time_ms = 0;      // event time, UTC ms since the epoch
  uint64_t tenant_key = 0;  // StableHash(tenant)
  uint64_t user_key = 0;    // HashCombine(tenant_key, StableHash(user)); 0 = no user
  uint64_t peer_key = 0;    // department group if the identities file has one, else tenant_key
  uint64_t ip_key = 0;      // StableHash(normalized ip); 0 = no or unparsable ip
  uint64_t prefix_key = 0;  // hash of the /24 (IPv4) or /48 (IPv6) prefix; 0 = none
  uint64_t dest_key = 0;    // StableHash(destination); 0 = none
  uint64_t app_key = 0;     // StableHash(lower-cased app / client id); 0 = none
  uint64_t dedup_key = 0;   // StableHash(service, native id); 0 = none (not used yet)
  Service service = Service::kUnknown;
  ActionClass action = ActionClass::kOther;
  bool primary = true;          // false: never counted in a baseline (AuditEvent::primary)
  bool service_account = false;  // identities file says this user is a service account
  uint16_t suppress_rule = kNoSuppressRule;  // index into DetectorConfig::suppress
};
static_assert(std::is_trivially_copyable_v<DetectorEvent>);
static_assert(sizeof(DetectorEvent) <= 88);

}  // namespace exfilter
