// Decision is what the detector says about one event: forward it or not, and
// why (score against threshold, window, observed vs expected count, the key
// that fired, reasons, incident). DetectorRecord is an out-of-band output
// line the detector produces on its own: a summary of the events an incident
// held back after its cap, or a notice that the global alert-rate cap held
// events back. Both are small value types without strings; annotation.h
// turns them into JSON.
// Thread safety: plain value types.
#pragma once

#include <cstdint>
#include <string_view>

#include "parsers/audit_event.h"

namespace exfilter {

// Why an event was judged anomalous (bits of Decision::reasons).
enum Reason : uint32_t {
  kReasonRate = 1u << 0,                 // count in a window broke the baseline
  kReasonOffHours = 1u << 1,             // a time slot in which the user is rarely active
  kReasonCrossService = 1u << 2,         // >= 2 services elevated in the same window
  kReasonNewIp = 1u << 3,                // an IP / prefix never seen for the user
  kReasonNewDestination = 1u << 4,       // a destination never seen for the user
  kReasonAfterSigninFailures = 1u << 5,  // within risk_duration of a failure run
  kReasonAfterRiskySignin = 1u << 6,     // within risk_duration of a risky sign-in
  kReasonColdStart = 1u << 7,            // user history shorter than the warm-up
  kReasonPeerBaseline = 1u << 8,         // expected count mostly from the peer group
  kReasonSurgeDamped = 1u << 9,          // expectation raised by a tenant-wide surge
};
inline constexpr int kNumReasons = 10;
// Stable name of one reason bit ("rate", "off_hours", ...); "" if unknown.
std::string_view ReasonName(uint32_t bit);

enum class WindowKind : uint8_t { kNone = 0, kShort, kLong };
std::string_view WindowName(WindowKind w);  // "none", "short", "long"

// The key whose count fired: the user's watched actions all together, or one
// service or one action class of the user.
enum class KeyKind : uint8_t { kNone = 0, kUser, kUserService, kUserAction };
std::string_view KeyKindName(KeyKind k);  // "none", "user", "user_service", "user_action"

struct Decision {
  bool forward = false;     // filter mode writes the event (annotated) iff true
  bool anomalous = false;   // inside an incident (forwarded or held back by a cap)
  bool capped = false;      // anomalous but held back (incident cap or alert-rate cap)
  bool late = false;        // older than allowed lateness: scored against current state
  bool watched = false;     // upload / create / copy counted by the detector
  uint16_t suppress_rule = 0xFFFF;  // rule that suppressed it, or kNoSuppressRule
  WindowKind window = WindowKind::kNone;
  KeyKind key = KeyKind::kNone;
  uint8_t key_detail = 0;   // Service or ActionClass value for kUserService / kUserAction
  int32_t window_seconds = 0;
  int64_t window_start_ms = 0;
  float score = 0;          // -log10 of the tail probability bound (see docs/detector.md); 0 if
                            // no key reached the floor, unless config score_below_floor
  float threshold = 0;      // effective threshold (after risk / cross-service factors)
  uint32_t observed = 0;    // count in the window, this event included
  float expected = 0;       // expected count in that window
  float spread = 0;         // standard deviation of that count
  uint32_t reasons = 0;     // Reason bits
  uint64_t incident_id = 0;  // 0 = none
  int64_t incident_start_ms = 0;
  uint64_t user_key = 0;    // copied from the event (for summaries and tests)
};

enum class RecordKind : uint8_t { kIncidentSummary = 1, kRateCapNotice = 2 };

struct DetectorRecord {
  RecordKind kind = RecordKind::kIncidentSummary;
  uint64_t incident_id = 0;     // kIncidentSummary
  uint64_t user_key = 0;        // kIncidentSummary
  int64_t incident_start_ms = 0;
  int64_t from_ms = 0;          // event-time interval the record covers
  int64_t to_ms = 0;
  uint64_t held_events = 0;     // events held back in [from_ms, to_ms]
  uint64_t forwarded_events = 0;  // incident total so far (kIncidentSummary)
  bool incident_closed = false;   // last summary of this incident
  uint32_t event_index = 0;  // ObserveBatch: index of the event after which it goes
};

}  // namespace exfilter
