// The per-event path: dispatch by action class, count a watched event into
// its windows, score every key, decide (docs/detector.md).
#include "pipeline/detect/internal/detector_impl.h"

#include <algorithm>
#include <cmath>

#include "util/hash.h"

namespace exfilter {
using detect_internal::FloorDiv;
using detect_internal::kLongRing;
using detect_internal::kShortRing;
using detect_internal::kSlots;
using detect_internal::kSubActions;
using detect_internal::kSubServices;
using detect_internal::kUserHasWatched;
using detect_internal::TailScore;
using detect_internal::UserRec;

namespace {
constexpr double kSubKeyMargin = 1.0;  // log10 units

// x mod r in [0, r) with one remainder.
inline int RingSlot(int64_t x, int r) {
  const int m = static_cast<int>(x % r);
  return m < 0 ? m + r : m;
}
inline void Bump(uint16_t& c) {
  if (c < 65535) ++c;
}
inline void Bump(uint8_t& c) {
  if (c < 255) ++c;
}
// Share of key i (stored shares sum to 255 once set, else 0), with a prior.
template <int N>
double ShareP(const uint8_t (&stored)[N - 1], bool set, int i) {
  int sum = 0;
  for (int k = 0; k < N - 1; ++k) sum += stored[k];
  int share_i = i < N - 1 ? stored[i] : (set ? 255 - sum : 0);
  return (share_i + 8.0 / N) / ((set ? 255 : 0) + 8.0);
}
int SubService(Service s) {
  switch (s) {
    case Service::kM365: return 0;
    case Service::kGoogleWorkspace: return 1;
    case Service::kBox: return 2;
    default: return -1;
  }
}
}  // namespace

Params DeriveParams(const DetectorConfig& c) {
  Params p;
  p.short_ms = absl::ToInt64Milliseconds(c.short_window);
  p.long_ms = absl::ToInt64Milliseconds(c.long_window);
  p.short_min = static_cast<int32_t>(p.short_ms / 60'000);
  p.long_min = static_cast<int32_t>(p.long_ms / 60'000);
  p.k = static_cast<int32_t>(p.long_ms / p.short_ms);
  int64_t late_ms = absl::ToInt64Milliseconds(c.allowed_lateness);
  p.short_lateness = static_cast<int32_t>((late_ms + p.short_ms - 1) / p.short_ms);
  p.long_lateness = static_cast<int32_t>((late_ms + p.long_ms - 1) / p.long_ms);
  double hl = absl::ToDoubleMilliseconds(c.baseline_half_life);
  p.short_log_a = -std::log(2.0) * static_cast<double>(p.short_ms) / hl;
  p.long_log_a = -std::log(2.0) * static_cast<double>(p.long_ms) / hl;
  p.short_alpha = 1.0 - std::exp(p.short_log_a);
  p.long_alpha = 1.0 - std::exp(p.long_log_a);
  // A slot sees one long window in every 4 days' worth of windows on average
  // (6-hour slots over weekdays and weekends): its memory matches the half-life.
  p.slot_log_a = p.long_log_a * static_cast<double>(detect_internal::kSlots);
  p.threshold = -std::log10(c.sensitivity);
  p.warmup_ms = absl::ToInt64Milliseconds(c.warmup);
  p.novelty_min_age_ms = absl::ToInt64Milliseconds(c.novelty_min_age);
  p.risk_ms = absl::ToInt64Milliseconds(c.risk_duration);
  p.cooldown_ms = absl::ToInt64Milliseconds(c.incident_cooldown);
  p.summary_ms = absl::ToInt64Milliseconds(c.summary_interval);
  p.short_ms_div = detect_internal::FastDiv(p.short_ms);
  p.k_div = detect_internal::FastDiv(p.k);
  p.short_min_div = detect_internal::FastDiv(p.short_min);
  p.long_min_div = detect_internal::FastDiv(p.long_min);
  return p;
}

DetectorImpl::DetectorImpl(const DetectorConfig& config)
    : config_(config),
      p_(DeriveParams(config)),
      users_(config.max_users),
      novelty_(config.sketch_width_log2, config.sketch_depth,
               absl::ToInt64Milliseconds(config.novelty_memory)) {
  stats_.suppressed_by_rule.assign(config.suppress.size(), 0);
  groups_.reserve(64);
  BuildTables();
}

void DetectorImpl::BuildTables() {
  // Windows divide a day (validated), so a week holds a whole number of them
  // and the epoch (a midnight) starts one: slot = table[index mod week].
  short_slot_.resize(static_cast<size_t>(7 * 86'400'000 / p_.short_ms));
  long_slot_.resize(static_cast<size_t>(7 * 86'400'000 / p_.long_ms));
  short_week_ = detect_internal::FastDiv(static_cast<int64_t>(short_slot_.size()));
  long_week_ = detect_internal::FastDiv(static_cast<int64_t>(long_slot_.size()));
  for (size_t j = 0; j < short_slot_.size(); ++j) {
    short_slot_[j] = static_cast<uint8_t>(SlotOf(static_cast<int64_t>(j) * p_.short_ms));
  }
  for (size_t j = 0; j < long_slot_.size(); ++j) {
    long_slot_[j] = static_cast<uint8_t>(SlotOf(static_cast<int64_t>(j) * p_.long_ms));
  }
  constexpr size_t kTable = size_t{1} << 14;
  short_weight_.resize(kTable);
  long_weight_.resize(kTable / 16);
  for (size_t n = 0; n < short_weight_.size(); ++n) {
    short_weight_[n] = static_cast<float>(1.0 - std::exp(static_cast<double>(n) * p_.short_log_a));
  }
  for (size_t n = 0; n < long_weight_.size(); ++n) {
    long_weight_[n] = static_cast<float>(1.0 - std::exp(static_cast<double>(n) * p_.long_log_a));
  }
  constexpr size_t kDecay = 4096;  // 42 days of 15-minute windows
  short_idle_.Build(p_.short_log_a, 1.0, kDecay);
  long_idle_.Build(p_.long_log_a, 1.0, kDecay);
  slot_keep_.Build(p_.slot_log_a, 1.0, kDecay);
  peak_keep_.Build(p_.long_log_a, detect_internal::kPeakMemory, kDecay);
}

void DetectorImpl::SetConfig(const DetectorConfig& config) {
  config_ = config;
  p_ = DeriveParams(config);
  BuildTables();
  stats_.suppressed_by_rule.resize(config.suppress.size(), 0);
  group_cache_.Invalidate();  // max_groups may have changed
}

namespace {
// Whether Observe() will reach the user table for `ev`, computed without
// branches: which events do is data, not a pattern.
inline bool ReachesUserTable(const DetectorEvent& ev) {
  const bool watched = IsWatchedAction(ev.action);
  return (watched | IsSigninAction(ev.action)) & ev.primary & (ev.user_key != 0) &
         (ev.time_ms > 0) & !(watched & (ev.suppress_rule != kNoSuppressRule));
}
}  // namespace

// Both stages are issued only for events that reach the user table.
void DetectorImpl::PrefetchFar(const DetectorEvent& ev) const {
  users_.PrefetchTags(ev.user_key);
  const bool novelty = IsWatchedAction(ev.action) | (ev.action == ActionClass::kSigninSuccess);
  if (!novelty) return;
  // The destination's block, else the IP's twice (a select, not a branch).
  const uint64_t ipk = config_.new_ip_by_prefix ? ev.prefix_key : ev.ip_key;
  const uint64_t ip_block = NoveltyKey(ev.user_key, ipk, kTagIp);
  const uint64_t dest_block = NoveltyKey(ev.user_key, ev.dest_key, kTagDest);
  novelty_.Prefetch(ev.dest_key != 0 ? dest_block : ip_block);
  novelty_.Prefetch(ip_block);
}

void DetectorImpl::PrefetchNear(const DetectorEvent& ev) const {
  users_.PrefetchRecord(ev.user_key);
}

Decision DetectorImpl::Observe(const DetectorEvent& ev, std::vector<DetectorRecord>* records) {
  Decision d;
  ObserveInto(ev, d, records);
  return d;
}

void DetectorImpl::ObserveBatch(std::span<const DetectorEvent> events, Decision* decisions,
                                std::vector<DetectorRecord>* records) {
  // The events that reach the user table, listed first so that prefetching
  // runs ahead by such events (the tag line and sketch blocks first, then,
  // once its tag line has arrived, the user record) and other events cost
  // no prediction of whether they do. Events are observed in input order.
  //
  // Prefetches are issued kGroup at a time: a prefetch retires only once its
  // address is translated, and on the VM measured (docs/detector.md) a TLB
  // miss, frequent in a table of a million users even on huge pages, took
  // about a memory latency, which a few hundred instructions of scoring
  // between two single prefetches cannot hide. Issued back to back, a
  // group's walks overlap. Event k's far stage is issued 2 * kGroup to
  // kGroup + 1 table events ahead, its near stage kGroup to 1 ahead.
  constexpr size_t kGroup = 8;
  const size_t n = events.size();
  std::vector<uint32_t>& table_events = table_events_;  // reused: no allocation per batch
  if (table_events.size() < n + 1) table_events.resize(n + 1);
  size_t m = 0;
  for (size_t i = 0; i < n; ++i) {
    table_events[m] = static_cast<uint32_t>(i);
    m += ReachesUserTable(events[i]);
  }
  table_events[m] = static_cast<uint32_t>(n);  // sentinel
  // One stage (PrefetchFar or PrefetchNear) for the group of listed events from `from`.
  auto prefetch_group = [&](void (DetectorImpl::*stage)(const DetectorEvent&) const, size_t from) {
    for (size_t k = from, end = std::min(m, from + kGroup); k < end; ++k) {
      (this->*stage)(events[table_events[k]]);
    }
  };
  prefetch_group(&DetectorImpl::PrefetchFar, 0);
  prefetch_group(&DetectorImpl::PrefetchFar, kGroup);
  prefetch_group(&DetectorImpl::PrefetchNear, 0);
  size_t next = 0;  // index in table_events of the next event that reaches the table
  for (size_t i = 0; i < n; ++i) {
    const bool reaches_table = table_events[next] == i;
    if (reaches_table) {
      if (next % kGroup == 0) {
        prefetch_group(&DetectorImpl::PrefetchFar, next + 2 * kGroup);
        prefetch_group(&DetectorImpl::PrefetchNear, next + kGroup);
      }
      ++next;
    }
    const size_t before = records->size();
    decisions[i] = Decision{};
    ObserveInto(events[i], reaches_table, decisions[i], records);
    for (size_t k = before; k < records->size(); ++k) {
      (*records)[k].event_index = static_cast<uint32_t>(i);
    }
  }
}

void DetectorImpl::ObserveInto(const DetectorEvent& ev, Decision& d,
                               std::vector<DetectorRecord>* records) {
  ObserveInto(ev, ReachesUserTable(ev), d, records);
}

void DetectorImpl::ObserveInto(const DetectorEvent& ev, bool reaches_table, Decision& d,
                               std::vector<DetectorRecord>* records) {
  d.user_key = ev.user_key;
  stats_.events++;
  if (ev.time_ms > watermark_ms_) {
    watermark_ms_ = ev.time_ms;
    novelty_.Advance(watermark_ms_);
    int64_t minute = FloorDiv(watermark_ms_, 60'000);
    if (minute != sweep_minute_) {
      sweep_minute_ = minute;
      Sweep(records);
    }
  }
  if (!reaches_table) {
    CountUnreached(ev, d);
    return;
  }
  bool is_new = false, evicted = false;
  UserRec* u = users_.FindOrInsert(ev.user_key, &is_new, &evicted);
  uint32_t t_min = static_cast<uint32_t>(ev.time_ms / 60'000);
  if (evicted) stats_.users_evicted++;
  if (is_new || t_min < u->first_min) u->first_min = t_min;
  if (!IsWatchedAction(ev.action)) {
    ObserveSignin(ev, *u, d);
    return;
  }
  ObserveWatched(ev, *u, is_new, d, records);
}

// An event that does not reach the user table: neither watched nor a
// sign-in (nothing to count), not the primary record of its event, or a
// suppressed watched event.
void DetectorImpl::CountUnreached(const DetectorEvent& ev, Decision& d) {
  if (!IsWatchedAction(ev.action) && !IsSigninAction(ev.action)) return;
  if (!ev.primary || ev.user_key == 0 || ev.time_ms <= 0) {
    stats_.non_primary++;
    return;
  }
  d.suppress_rule = ev.suppress_rule;  // a watched event with a suppression rule
  stats_.suppressed++;
  if (ev.suppress_rule < stats_.suppressed_by_rule.size()) {
    stats_.suppressed_by_rule[ev.suppress_rule]++;
  }
}

void DetectorImpl::ObserveWatched(const DetectorEvent& ev, UserRec& u, bool /*is_new*/,
                                  Decision& d, std::vector<DetectorRecord>* records) {
  stats_.watched++;
  d.watched = true;
  const int64_t t = ev.time_ms;
  // The novelty sketch first: it needs only the event's keys, so its hashing
  // runs while the user's record and the fold chain below are still waiting.
  const uint32_t seen_dest =
      ev.dest_key != 0 ? novelty_.Add(NoveltyKey(ev.user_key, ev.dest_key, kTagDest)) : 0;
  const uint64_t ipk = config_.new_ip_by_prefix ? ev.prefix_key : ev.ip_key;
  const uint32_t seen_ip = ipk != 0 ? novelty_.Add(NoveltyKey(ev.user_key, ipk, kTagIp)) : 0;
  int32_t w = static_cast<int32_t>(p_.short_ms_div.Floor(t));
  GroupRec* tenant;
  GroupRec* peer;
  Groups(ev.tenant_key, ev.peer_key, &tenant, &peer);
  if (!(u.fail_run & kUserHasWatched)) {
    u.fail_run |= kUserHasWatched;
    u.short_head = w;
  } else if (w < u.short_head - p_.short_lateness) {
    d.late = true;  // scored against the current state, counted in the newest window
    stats_.late++;
    w = u.short_head;
  }
  AdvanceUser(u, w, peer);
  int32_t lw = static_cast<int32_t>(p_.k_div.Floor(w));
  int32_t lh = static_cast<int32_t>(p_.k_div.Floor(u.short_head));
  if (lw < lh - p_.long_lateness) lw = lh;
  const int ring_s = RingSlot(w, kShortRing), ring_l = RingSlot(lw, kLongRing);
  Bump(u.short_ring[ring_s]);
  Bump(u.long_ring[ring_l]);
  int svc = SubService(ev.service);
  int act = static_cast<int>(ev.action) - static_cast<int>(ActionClass::kUpload);
  if (lw == lh) {
    if (svc >= 0) Bump(u.svc_count[svc]);
    Bump(u.act_count[act]);
  }
  int slot_s = ShortSlot(w);
  int slot_l = LongSlot(lw);
  if (tenant != nullptr) CountGroup(*tenant, w);
  if (peer != nullptr && peer != tenant) CountGroup(*peer, w);

  // Expectations and scores.
  const double ww = WarmWeight(u, t);
  uint32_t xs = u.short_ring[ring_s];
  uint32_t xl = u.long_ring[ring_l];
  const uint32_t risk = ActiveRisk(u, t);
  const uint32_t floor = risk != 0 ? config_.risk_min_count : config_.min_count;
  // Every candidate key needs its count at the floor to fire. Below it, and
  // outside an incident (whose events are all forwarded with their
  // explanation), the event cannot be anomalous: it is counted and its
  // reasons noted, but no key is scored (score 0) unless score_below_floor.
  // The sub-keys count events of the newest long window, all of them also
  // in its xl (which saturates later): xl is their bound.
  const bool scored = xs >= floor || xl >= floor || config_.score_below_floor ||
                      incidents_.contains(ev.user_key);
  // The long window's expectation is read only by the keys below that can be
  // scored: the long window at the floor, a service with 3 or more events,
  // the action class at the floor (the last two in the newest long window).
  bool long_scored = scored && xl >= floor;
  if (scored && lw == lh) {
    for (int i = 0; i < kSubServices; ++i) long_scored |= u.svc_count[i] >= 3;
    long_scored |= u.act_count[act] >= floor;
  }
  double ms, vs, ml = 0, vl = 0;
  const double cbar = SlotMean(u);  // slot_mean does not change below
  Expectation(u, peer, false, slot_s, ww, cbar, &ms, &vs);
  if (long_scored) Expectation(u, peer, true, slot_l, ww, cbar, &ml, &vl);
  double surge = SurgeFactor(tenant, w, xs, ms);
  double surge_l = LongSurge(tenant, lw, surge);
  ms *= surge, vs *= surge * surge, ml *= surge_l, vl *= surge_l * surge_l;

  WindowScore best{0.0, xs, ms, vs};
  d.window = WindowKind::kShort;
  d.key = KeyKind::kUser;
  int elevated_services = 0;
  if (scored) ScoreKeys(ev, u, xl, ml, vl, lw == lh, floor, best, d, &elevated_services);

  // Novelty: a destination / IP seen no more often than the events of this window.
  uint32_t reasons = 0;
  bool old_enough = t - int64_t{u.first_min} * 60'000 >= p_.novelty_min_age_ms;
  if (old_enough && ev.dest_key != 0 && seen_dest < xs) reasons |= kReasonNewDestination;
  if (old_enough && ipk != 0 && seen_ip < xs) reasons |= kReasonNewIp;
  double score = best.score;
  if (scored && reasons != 0) score += config_.novelty_bonus;
  reasons |= risk;
  // A user still warming up is held to a higher bar (its expectation is
  // mostly borrowed from peers); it fades linearly to 1 at the end of warm-up.
  double threshold = p_.threshold * (1.0 + (config_.cold_start_factor - 1.0) * (1.0 - ww));
  if (risk != 0) threshold *= config_.risk_threshold_factor;
  if (elevated_services >= 2) {
    reasons |= kReasonCrossService;
    threshold *= config_.cross_service_factor;
  }
  if (ww < 1.0) reasons |= kReasonColdStart;
  if (ww < 0.5) reasons |= kReasonPeerBaseline;
  if ((d.window == WindowKind::kLong ? surge_l : surge) > 1.5) reasons |= kReasonSurgeDamped;
  int slot_used = d.window == WindowKind::kLong ? slot_l : slot_s;
  if (ww >= 1.0 && SlotFactor(u, slot_used, cbar) < 0.5) reasons |= kReasonOffHours;
  bool fires = scored && score >= threshold && best.observed >= floor;
  // Peak guard: a user who recently had a big short window (a weekly bulk
  // upload) alerts in the short window only above peak_guard times it.
  if (fires && d.window == WindowKind::kShort && config_.peak_guard > 0 &&
      u.peak >= config_.peak_guard_min * detect_internal::kPeakScale &&
      best.observed * detect_internal::kPeakScale <= config_.peak_guard * u.peak) {
    fires = false;
  }
  if (fires) reasons |= kReasonRate;

  d.score = static_cast<float>(score);
  d.threshold = static_cast<float>(threshold);
  d.observed = best.observed;
  d.expected = static_cast<float>(best.expected);
  d.spread = static_cast<float>(std::sqrt(best.var));
  d.window_seconds = static_cast<int32_t>(
      (d.window == WindowKind::kLong ? p_.long_ms : p_.short_ms) / 1000);
  d.window_start_ms = d.window == WindowKind::kLong ? int64_t{lw} * p_.long_ms
                                                    : int64_t{w} * p_.short_ms;
  d.reasons = reasons;
  if (scored) Alerting(ev, fires, d, records);
}

// The score of every candidate key whose count reaches the floor (the user's
// short window in `best` already); the best is named in `d`. A sub-key (one
// service, one action class) must be 10x more surprising than the user's
// total to be named as the key that fired.
void DetectorImpl::ScoreKeys(const DetectorEvent& ev, const UserRec& u, uint32_t xl, double ml,
                             double vl, bool newest_long, uint32_t floor, WindowScore& best,
                             Decision& d, int* elevated_services) const {
  best.score = TailScore(best.observed, best.expected, best.var);
  auto consider = [&](double score, uint32_t x, double m, double v, WindowKind wk, KeyKind k,
                      uint8_t detail) {
    double margin = k == KeyKind::kUser ? 0.0 : kSubKeyMargin;
    if (x >= floor && (score > best.score + margin || best.observed < floor)) {
      best = {score, x, m, v};
      d.window = wk, d.key = k, d.key_detail = detail;
    }
  };
  if (xl >= floor) consider(TailScore(xl, ml, vl), xl, ml, vl, WindowKind::kLong, KeyKind::kUser, 0);
  if (!newest_long) return;
  const int svc = SubService(ev.service);
  const int act = static_cast<int>(ev.action) - static_cast<int>(ActionClass::kUpload);
  for (int i = 0; i < kSubServices; ++i) {
    if (u.svc_count[i] < 3) continue;  // neither elevated nor above any floor
    const bool set = (u.meta & detect_internal::kSvcShareSet) != 0;
    double p = ShareP<kSubServices>(u.svc_share, set, i);
    double sc = TailScore(u.svc_count[i], ml * p, std::max(vl * p, ml * p));
    if (sc >= 1.0) (*elevated_services)++;
    if (i == svc) {
      consider(sc, u.svc_count[i], ml * p, vl * p, WindowKind::kLong, KeyKind::kUserService,
               static_cast<uint8_t>(ev.service));
    }
  }
  if (u.act_count[act] >= floor) {
    const bool set = (u.meta & detect_internal::kActShareSet) != 0;
    double pa = ShareP<kSubActions>(u.act_share, set, act);
    consider(TailScore(u.act_count[act], ml * pa, std::max(vl * pa, ml * pa)),
             u.act_count[act], ml * pa, vl * pa, WindowKind::kLong, KeyKind::kUserAction,
             static_cast<uint8_t>(ev.action));
  }
}

}  // namespace exfilter
