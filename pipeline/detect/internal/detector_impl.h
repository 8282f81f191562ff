// DetectorImpl: the state and logic behind Detector (detector.h). Split over
// detector_impl.cc (per-event path), baseline.cc (windows, folding, scores),
// identity.cc (sign-ins), incidents.cc (incidents, caps, records) and
// serialize.cc (snapshots).
// Thread safety: none; one owner thread.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "pipeline/detect/decision.h"
#include "pipeline/detect/detector.h"
#include "pipeline/detect/detector_config.h"
#include "pipeline/detect/detector_event.h"
#include "pipeline/detect/internal/count_min.h"
#include "pipeline/detect/internal/novelty.h"
#include "pipeline/detect/internal/stats_math.h"
#include "pipeline/detect/internal/user_table.h"

namespace exfilter {

// Tenant or department statistics.
struct GroupRec {
  int32_t short_head = 0;                   // newest short window of the group
  int32_t first_window = 0;                 // first short window counted
  uint32_t started = 0;  // 4 bytes: no padding, snapshot bytes are deterministic
  uint32_t short_ring[detect_internal::kShortRing] = {};
  detect_internal::Ewma short_base;         // deseasonalized group count per window
  float slot_mean[detect_internal::kSlots] = {};  // EWMA count per short window, per slot
  // Peer baseline: EWMA over the group's warmed-up users' own baselines.
  float peer_short_mean = 0, peer_short_mean2 = 0, peer_short_phi = 0;
  float peer_long_mean = 0, peer_long_mean2 = 0, peer_long_phi = 0;
  uint32_t peer_updates = 0;       // short-window folds counted in the peer stats
  uint32_t peer_long_updates = 0;  // long-window folds
  float peer_short_bw = 1, peer_long_bw = 1;  // bias correction 1 - (1 - beta)^updates
  // Tenant: the largest surge factor seen so far in long window surge_long,
  // so that a user's long window stays damped after a surge inside it ends.
  int32_t surge_long = 0;
  float surge_long_max = 1;
};

struct Incident {
  uint64_t id = 0;
  int64_t start_ms = 0;
  int64_t last_ms = 0;            // last anomalous event
  int64_t summary_from_ms = 0;    // start of the interval being summarized
  uint64_t forwarded = 0;
  uint64_t held_total = 0;
  uint64_t held_pending = 0;      // held since the last summary
};

// Derived constants of a config.
struct Params {
  int64_t short_ms, long_ms;
  int32_t short_min, long_min, k;         // window lengths in minutes; k = long / short
  int32_t short_lateness, long_lateness;  // windows
  double short_log_a, long_log_a;         // ln(1 - alpha)
  double short_alpha, long_alpha;
  double slot_log_a;                      // ln(1 - rate) of a slot's EWMA per window
  double threshold;                       // -log10(sensitivity)
  int64_t warmup_ms, novelty_min_age_ms, risk_ms, cooldown_ms, summary_ms;
  // The same divisors for the hot path (no hardware divide).
  detect_internal::FastDiv short_ms_div, k_div, short_min_div, long_min_div;
};
Params DeriveParams(const DetectorConfig& c);

// Scores of one window for one key.
struct WindowScore {
  double score = 0;
  uint32_t observed = 0;
  double expected = 0;
  double var = 0;
};

class DetectorImpl {
 public:
  explicit DetectorImpl(const DetectorConfig& config);

  Decision Observe(const DetectorEvent& ev, std::vector<DetectorRecord>* records);
  // Observe for each event in order into decisions[i] (records get event_index).
  void ObserveBatch(std::span<const DetectorEvent> events, Decision* decisions,
                    std::vector<DetectorRecord>* records);
  // ObserveBatch prefetches in two stages: PrefetchFar (the user's tag line,
  // the novelty sketch blocks) well ahead, PrefetchNear (the user record,
  // located through the tags) closer to the event.
  void PrefetchFar(const DetectorEvent& ev) const;
  void PrefetchNear(const DetectorEvent& ev) const;
  void Flush(std::vector<DetectorRecord>* records);
  void SetConfig(const DetectorConfig& config);
  void BuildTables();

  // Serialization (serialize.cc).
  std::string Serialize() const;
  bool Restore(std::string_view bytes, std::string* error);
  static std::string StructureTag(const DetectorConfig& c);
  double SlotFactor(const detect_internal::UserRec& u, int slot) const;
  // The same with cbar = SlotMean(u) computed once for several slots.
  double SlotFactor(const detect_internal::UserRec& u, int slot, double cbar) const;
  static double SlotMean(const detect_internal::UserRec& u);  // duty-weighted slot_mean
  void LearnSlot(detect_internal::UserRec& u, int slot, double count, int64_t windows) const;
  void DecaySlots(detect_internal::UserRec& u, int64_t a, int64_t b) const;
  void DecayPeak(detect_internal::UserRec& u, int64_t windows) const;

  DetectorConfig config_;
  Params p_;
  DetectorStats stats_;
  detect_internal::UserTable users_;
  absl::flat_hash_map<uint64_t, GroupRec> groups_;
  std::map<uint64_t, Incident> incidents_;  // by user key: ordered, deterministic sweeps
  detect_internal::NoveltyMemory novelty_;  // (user, destination / ip / prefix) seen counts
  int64_t watermark_ms_ = INT64_MIN;          // newest event time seen
  int64_t rate_minute_ = INT64_MIN;           // event-time minute of the rate cap
  uint64_t rate_forwarded_ = 0;
  uint64_t rate_held_ = 0;
  int64_t sweep_minute_ = INT64_MIN;
  std::vector<float> short_weight_, long_weight_;  // EwmaWeight(n) for small n
  std::vector<uint32_t> table_events_;  // ObserveBatch: indexes of events reaching the table
  std::vector<uint8_t> short_slot_, long_slot_;    // slot of a window by its index mod a week
  detect_internal::FastDiv short_week_, long_week_;  // their sizes (windows per week)
  // a^n of idle runs (short / long baseline, seasonal slot, peak), tabulated.
  detect_internal::DecayTable short_idle_, long_idle_, slot_keep_, peak_keep_;
  // Group records by key, direct-mapped: the tenant and a few dozen
  // departments stay cached between events. An entry is valid only in the
  // generation it was stored in; any insert into groups_ (records may move)
  // or a config change starts a new generation.
  struct GroupCache {
    static constexpr int kEntries = 256;
    struct Entry {
      uint64_t key = 0;
      uint64_t generation = 0;
      GroupRec* rec = nullptr;
    };
    uint64_t generation = 1;
    Entry entries[kEntries];
    void Invalidate() { ++generation; }
  };
  GroupCache group_cache_;

 private:
  // baseline.cc
  void AdvanceUser(detect_internal::UserRec& u, int32_t w, GroupRec* peer);
  void FoldWindow(detect_internal::UserRec& u, bool is_long, int32_t x, uint32_t count,
                  GroupRec* peer);
  void LearnPeer(const detect_internal::UserRec& u, bool is_long, int32_t x, int64_t age,
                 GroupRec* peer);
  void CountGroup(GroupRec& g, int32_t w);
  double GroupSlotFactor(const GroupRec* g, int slot) const;
  double Weight(int64_t n, bool is_long) const;
  int ShortSlot(int64_t w) const { return short_slot_[short_week_.Mod(w)]; }
  int LongSlot(int64_t lw) const { return long_slot_[long_week_.Mod(lw)]; }
  int64_t FirstWindow(const detect_internal::UserRec& u, bool is_long) const {
    return (is_long ? p_.long_min_div : p_.short_min_div).Floor(u.first_min);
  }
  double WarmWeight(const detect_internal::UserRec& u, int64_t t_ms) const;
  // cbar: SlotMean(u).
  void Expectation(const detect_internal::UserRec& u, const GroupRec* peer, bool is_long,
                   int slot, double w, double cbar, double* mean, double* var) const;
  // The surge factor for the long window lw: the largest short-window factor
  // of the tenant seen in it (remembered in the tenant's GroupRec).
  static double LongSurge(GroupRec* tenant, int32_t lw, double surge);
  double SurgeFactor(const GroupRec* tenant, int32_t w, uint32_t user_count,
                     double user_expected) const;
  GroupRec* Group(uint64_t key);
  GroupRec* CachedGroup(uint64_t key);  // Group() through group_cache_
  // The tenant's and the peer group's records (nullptr beyond max_groups),
  // both valid together: looking up the second may insert and rehash.
  void Groups(uint64_t tenant_key, uint64_t peer_key, GroupRec** tenant, GroupRec** peer);
  // identity.cc
  void ObserveSignin(const DetectorEvent& ev, detect_internal::UserRec& u, Decision& d);
  uint32_t ActiveRisk(const detect_internal::UserRec& u, int64_t t_ms) const;
  // incidents.cc
  void Alerting(const DetectorEvent& ev, bool fires, Decision& d,
                std::vector<DetectorRecord>* records);
  bool RateAllows(int64_t t_ms, std::vector<DetectorRecord>* records);
  void Sweep(std::vector<DetectorRecord>* records);
  void CloseIncident(uint64_t user, Incident& inc, int64_t to_ms, bool closed,
                     std::vector<DetectorRecord>* records);
  // detector_impl.cc
  void ObserveInto(const DetectorEvent& ev, Decision& d, std::vector<DetectorRecord>* records);
  // `reaches_table`: ReachesUserTable(ev), known to ObserveBatch already.
  void ObserveInto(const DetectorEvent& ev, bool reaches_table, Decision& d,
                   std::vector<DetectorRecord>* records);
  void CountUnreached(const DetectorEvent& ev, Decision& d);
  void ObserveWatched(const DetectorEvent& ev, detect_internal::UserRec& u, bool is_new,
                      Decision& d, std::vector<DetectorRecord>* records);
  // Scores the candidate keys that reach `floor` into `best` and names the
  // best in `d`; counts the services elevated in the newest long window.
  void ScoreKeys(const DetectorEvent& ev, const detect_internal::UserRec& u, uint32_t xl,
                 double ml, double vl, bool newest_long, uint32_t floor, WindowScore& best,
                 Decision& d, int* elevated_services) const;
};

// Sketch key of (user, destination) or (user, ip / prefix).
inline constexpr uint64_t kTagDest = 0x64657374ULL, kTagIp = 0x6970ULL;
inline uint64_t NoveltyKey(uint64_t user, uint64_t key, uint64_t tag) {
  return detect_internal::Mix(user, key ^ tag);
}

int SlotOf(int64_t t_ms);  // 0..7: 6-hour bin of the UTC day, +4 on weekends
double SlotDuty(int slot);  // share of the week's time in that slot

}  // namespace exfilter
