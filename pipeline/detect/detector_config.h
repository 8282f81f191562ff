// DetectorConfig holds every knob of the detection engine and the benign
// context (suppression rules, maintenance windows, identities file), with the
// documented defaults of docs/detector.md. LoadDetectorConfig() reads the
// detector's part of the agent's TOML file:
//
//   [detector]            # any key below, e.g. sensitivity = 1e-6
//   [[suppress]]          # allowlist rule; every given criterion must match
//   name = "migration-tool"
//   users = ["svc-mig@corp.com"]   # lower-cased user names
//   apps = ["1fec8e78-..."]        # app / OAuth client ids (case-insensitive)
//   paths = ["https://corp.sharepoint.com/sites/legal/*"]  # globs: * and ?
//   service_accounts = true        # users flagged in the identities file
//   [[maintenance]]       # a time range, for all users or the listed ones
//   name = "legal-export"
//   start = 2026-11-30T18:00:00Z   # TOML date-time or RFC 3339 string
//   end = "2026-11-30T23:00:00Z"
//   users = ["legal@corp.com"]     # optional
//
// Other top-level tables belong to the agent and are ignored here. Unknown
// keys inside these tables are refused with the key and the file line.
// Thread safety: plain value type; LoadDetectorConfig is a pure function.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <toml++/impl/forward_declarations.h>  // toml::table; the .cc files include toml.h

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace exfilter {

struct SuppressRule {
  std::string name;                 // shown in output and stats
  std::vector<std::string> users;   // lower-cased; empty = any user
  std::vector<std::string> apps;    // compared case-insensitively; empty = any app
  std::vector<std::string> paths;   // globs on AuditEvent::object; empty = any object
  bool service_accounts = false;    // true: only users the identities file flags
  bool has_time_range = false;      // maintenance window: [start, end)
  absl::Time start = absl::InfinitePast();
  absl::Time end = absl::InfiniteFuture();
};

struct DetectorConfig {
  // --- windows and baselines ---
  absl::Duration short_window = absl::Minutes(15);  // bursts
  absl::Duration long_window = absl::Hours(6);      // low-and-slow staging
  absl::Duration allowed_lateness = absl::Hours(2);  // events later than this are "late"
  absl::Duration baseline_half_life = absl::Hours(24 * 14);  // EWMA memory
  absl::Duration warmup = absl::Hours(24 * 7);  // own history needed before no peer blend
  // --- scoring ---
  double sensitivity = 1e-8;   // tail probability that alerts: threshold = -log10(sensitivity)
  uint32_t min_count = 12;     // absolute floor: fewer events in a window never alert
  double min_expected = 0.02;  // floor of the expected count per window
  // An event none of whose keys reaches the floor cannot fire, so its score
  // is not computed (Decision::score 0) unless this is set: `--mode
  // annotate` sets it (every event with its score). Not a TOML key.
  bool score_below_floor = false;
  double peak_guard = 3.0;         // short window must exceed this x the user's recent peak (0: off)
  uint32_t peak_guard_min = 30;    // ... once that peak is at least this many events
  double cold_start_factor = 2.0;  // threshold multiplier for a user with no history, fading to 1 at warm-up
  double novelty_bonus = 1.0;  // added to the score (log10 units) for new destination / IP
  absl::Duration novelty_min_age = absl::Hours(24);  // younger users have nothing "new"
  // Novelty forgets: a (user, destination / IP) pair not seen again for
  // between novelty_memory and twice it is "new" again (two sketch
  // generations of novelty_memory of event time each; twice the sketch
  // memory). 0: never forget (one sketch).
  absl::Duration novelty_memory = absl::ZeroDuration();
  // --- identity risk ---
  uint32_t failure_run = 3;                      // consecutive sign-in failures that raise risk (1..127)
  absl::Duration risk_duration = absl::Hours(24);  // how long raised risk lasts
  double risk_threshold_factor = 0.4;            // threshold multiplier while at risk
  uint32_t risk_min_count = 8;                   // floor while at risk
  double cross_service_factor = 0.6;             // threshold multiplier: >=2 services elevated
  bool new_ip_by_prefix = true;                  // novelty of the /24 or /48, else the exact IP
  // --- tenant-wide surges ---
  double surge_min_expected = 20.0;  // tenant expected count per short window to damp at all
  double surge_max_factor = 20.0;    // cap of the damping multiplier
  // --- incidents and caps ---
  absl::Duration incident_cooldown = absl::Minutes(30);  // quiet time that ends an incident
  uint32_t incident_cap = 200;                           // forwarded events per incident
  absl::Duration summary_interval = absl::Minutes(5);    // one summary per interval when held
  uint32_t max_forwarded_per_minute = 5000;              // global cap, event-time minutes
  // --- memory bounds ---
  uint64_t max_users = 1'000'000;     // tracked users; beyond it the stalest nearby is evicted
  uint32_t max_groups = 100'000;      // tenants + departments with their own statistics
  uint32_t max_incidents = 100'000;   // open incidents; beyond it new ones are not tracked
  uint32_t sketch_width_log2 = 20;    // count-min: 2^w counters per row
  uint32_t sketch_depth = 4;          // count-min rows
  // --- benign context ---
  std::string identities_file;        // CSV or JSONL: user, department, role, service_account
  std::vector<SuppressRule> suppress;  // [[suppress]] then [[maintenance]] entries, in file order
};

// Checks ranges and consistency (e.g. lateness fits the window rings).
absl::Status ValidateDetectorConfig(const DetectorConfig& config);

// Reads [detector], [[suppress]] and [[maintenance]] from `root` into
// `*config` (keys not present keep their current values), then validates.
// `file` names the file in messages: "exfilter.toml:12: unknown key 'x' in [detector]".
absl::Status LoadDetectorConfig(const toml::table& root, DetectorConfig* config,
                                std::string_view file = "config");

}  // namespace exfilter
