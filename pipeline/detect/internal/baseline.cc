// Windows, folding of closed windows into the EWMA baselines, seasonal
// factors, the peer/tenant blend and surge damping (docs/detector.md).
#include <algorithm>
#include <cmath>

#include "pipeline/detect/internal/detector_impl.h"

namespace exfilter {
using detect_internal::Ewma;
using detect_internal::EwmaDecayIdle;
using detect_internal::Dispersion;
using detect_internal::EwmaUpdate;
using detect_internal::FloorDiv;
using detect_internal::kLongRing;
using detect_internal::kShortRing;
using detect_internal::kSlots;
using detect_internal::TailScore;
using detect_internal::ThresholdCount;
using detect_internal::UserRec;
using detect_internal::BumpShare;
using detect_internal::kSubActions;
using detect_internal::kSubServices;
using detect_internal::kPeakMemory;
using detect_internal::kPeakScale;

namespace {
constexpr double kPeerBeta = 0.01;      // EWMA weight of one user fold in peer stats
constexpr double kGroupShareRate = 1e-3;  // group seasonal share update per event
constexpr double kSlotShrink = 0.1;     // pulls seasonal factors toward 1
constexpr double kSlotScale = 16.0;     // UserRec::slot_mean fixed-point scale
constexpr double kMinFactor = 0.05, kMaxFactor = 8.0;
constexpr uint32_t kMaxShareSteps = 16;  // one window moves a share at most this many steps
constexpr double kPriorMean = 0.1, kPriorVar = 10.0;  // before any peer statistics

// 2^n for the slot shift (0..kMaxSlotShift): scaling by it is exact, as ldexp.
inline double Pow2(int n) { return static_cast<double>(1u << n); }

inline int Mod(int64_t x, int r) {  // in [0, r): one remainder, not two
  const int m = static_cast<int>(x % r);
  return m < 0 ? m + r : m;
}

// Folds windows that leave the open range when the head moves from h to w:
// [h - L, min(h, w - L - 1)] from the ring, then the idle run (h, w - L - 1]
// in closed form, then clears the ring slots of windows (h, w].
template <typename Counter, typename Fold>
void AdvanceRing(Counter* ring, int r, int32_t h, int32_t w, int32_t lateness, Ewma& base,
                 const detect_internal::DecayTable& decay, Fold&& fold) {
  int32_t fold_end = w - lateness - 1;
  for (int32_t x = h - lateness; x <= std::min(h, fold_end); ++x) fold(x, ring[Mod(x, r)]);
  if (fold_end > h) EwmaDecayIdle(base, fold_end - h, decay);
  for (int32_t x = std::max(h + 1, w - r + 1); x <= w; ++x) ring[Mod(x, r)] = 0;
}

// One user fold into a group's peer statistics (EWMAs of the user's
// bias-corrected mean, its square and its dispersion).
inline void PeerUpdate(const Ewma& base, double weight, float& pm, float& pm2, float& pphi,
                       uint32_t& updates, float& bw) {
  double m = base.mean / weight;
  double phi = Dispersion(m, base.m2 / weight);
  pm = static_cast<float>(pm + kPeerBeta * (m - pm));
  pm2 = static_cast<float>(pm2 + kPeerBeta * (m * m - pm2));
  pphi = static_cast<float>(pphi + kPeerBeta * (phi - pphi));
  ++updates;
  // Bias correction of EWMAs started at 0 after n updates: 1 - (1 - beta)^n.
  bw = updates == 1 ? static_cast<float>(kPeerBeta)
                    : static_cast<float>(1.0 - (1.0 - bw) * (1.0 - kPeerBeta));
}

// A group's short-window peer statistics, copied out for a run of folds.
struct PeerShort {
  float mean = 0, mean2 = 0, phi = 0, bw = 1;
  uint32_t updates = 0;
  void Load(const GroupRec& g) {
    mean = g.peer_short_mean, mean2 = g.peer_short_mean2, phi = g.peer_short_phi;
    bw = g.peer_short_bw, updates = g.peer_updates;
  }
  void Store(GroupRec& g) const {
    g.peer_short_mean = mean, g.peer_short_mean2 = mean2, g.peer_short_phi = phi;
    g.peer_short_bw = bw, g.peer_updates = updates;
  }
};

// The closed long window's counts move the long-run shares (at most
// kMaxShareSteps steps per key); `set_bit` in meta marks shares as started.
template <int N>
void LearnShares(const uint8_t (&count)[N], uint8_t (&stored)[N - 1], uint8_t set_bit,
                 uint8_t& meta) {
  bool any = false;
  for (int i = 0; i < N; ++i) any |= count[i] != 0;
  if (!any) return;  // nothing to learn
  uint8_t share[N];
  detect_internal::LoadShares<N>(stored, (meta & set_bit) != 0, share);
  bool moved = false;
  for (int i = 0; i < N; ++i) {
    for (uint32_t n = 0; n < std::min<uint32_t>(count[i], kMaxShareSteps); ++n) {
      BumpShare(share, i);
      moved = true;
    }
  }
  if (!moved) return;
  detect_internal::StoreShares<N>(share, stored);
  meta |= set_bit;
}

// Bias correction of an EWMA started at 0 after n windows: 1 - a^n.
inline double EwmaWeight(int64_t n, double log_a) {
  return n <= 0 ? 0.0 : 1.0 - std::exp(static_cast<double>(n) * log_a);
}
}  // namespace

int SlotOf(int64_t t_ms) {
  int64_t day = FloorDiv(t_ms, 86'400'000);
  int64_t ms_of_day = t_ms - day * 86'400'000;
  int weekday = Mod(day + 3, 7);  // 1970-01-01 was a Thursday; Monday = 0
  int bin = static_cast<int>(ms_of_day / 21'600'000);
  return bin + (weekday >= 5 ? 4 : 0);
}

double SlotDuty(int slot) { return slot < 4 ? 5.0 / 28.0 : 2.0 / 28.0; }

double DetectorImpl::SlotFactor(const UserRec& u, int slot) const {
  return SlotFactor(u, slot, SlotMean(u));
}

double DetectorImpl::SlotMean(const UserRec& u) {
  double cbar = 0;
  for (int i = 0; i < kSlots; ++i) cbar += SlotDuty(i) * u.slot_mean[i];
  return cbar * Pow2(detect_internal::SlotShift(u));
}

double DetectorImpl::SlotFactor(const UserRec& u, int slot, double cbar) const {
  if (cbar <= 0) return 1.0;
  // Shrunk toward 1 by kSlotShrink; sum over slots of duty * factor stays 1.
  double f = (detect_internal::SlotValue(u, slot) + kSlotShrink * cbar) /
             ((1 + kSlotShrink) * cbar);
  return std::clamp(f, kMinFactor, kMaxFactor);
}

void DetectorImpl::LearnSlot(UserRec& u, int slot, double count, int64_t windows) const {
  // slot_mean[slot] << shift is the x16 fixed-point value; all slots share
  // the shift (only their ratios matter), so each is kept to 1 / 2^shift.
  int shift = detect_internal::SlotShift(u);
  const double c = detect_internal::SlotValue(u, slot);
  double keep = slot_keep_(windows);
  double target = c * keep + (1 - keep) * std::min(count * kSlotScale, 65535.0);
  // Round toward the target (in units of 2^shift) so that small values still move.
  double units = target * (1.0 / Pow2(shift));
  double r = target < c ? std::floor(units) : std::ceil(units);
  while (r > 255 && shift < detect_internal::kMaxSlotShift) {  // coarser: halve every slot
    ++shift;
    for (uint8_t& m : u.slot_mean) m = static_cast<uint8_t>((m + 1) >> 1);
    units = target * (1.0 / Pow2(shift));
    r = target < c ? std::floor(units) : std::ceil(units);
  }
  u.slot_mean[slot] = static_cast<uint8_t>(std::clamp(r, 0.0, 255.0));
  // Finer again while every slot fits in 7 bits (keeps >= 1/256 of the largest).
  while (shift > 0 && *std::max_element(std::begin(u.slot_mean), std::end(u.slot_mean)) < 128) {
    --shift;
    for (uint8_t& m : u.slot_mean) m = static_cast<uint8_t>(m << 1);
  }
  u.meta = static_cast<uint8_t>((u.meta & ~detect_internal::kSlotShiftMask) | shift);
}

// The peak (fixed point, kPeakScale per event) decays with kPeakMemory times
// the baseline half-life, once per long window, rounded down so that it
// reaches 0 (the rounding costs at most 1/kPeakScale event per window).
void DetectorImpl::DecayPeak(UserRec& u, int64_t windows) const {
  if (u.peak == 0) return;
  double keep = peak_keep_(windows);
  u.peak = static_cast<uint16_t>(std::floor(u.peak * keep));
}

// An idle run of long windows [a, b]: each slot decays by its own count of
// windows in the run (closed form over the 28 long windows of a week).
void DetectorImpl::DecaySlots(UserRec& u, int64_t a, int64_t b) const {
  if (b < a) return;
  // Every residue mod the week's period gets the whole weeks of the run, the
  // first (b - a + 1) mod period residues from a's one more.
  const int64_t period = static_cast<int64_t>(long_slot_.size());
  const int64_t len = b - a + 1;
  int64_t counts[kSlots] = {};
  if (len >= period) {
    const int64_t whole = len / period;
    for (int64_t j = 0; j < period; ++j) counts[long_slot_[j]] += whole;
  }
  for (int64_t x = a, end = a + len % period; x < end; ++x) counts[LongSlot(x)] += 1;
  for (int s = 0; s < kSlots; ++s) {
    if (counts[s] > 0) LearnSlot(u, s, 0.0, counts[s]);
  }
}

double DetectorImpl::GroupSlotFactor(const GroupRec* g, int slot) const {
  if (g == nullptr) return 1.0;
  double cbar = 0;
  for (int i = 0; i < kSlots; ++i) cbar += SlotDuty(i) * g->slot_mean[i];
  if (cbar <= 0) return 1.0;
  double f = (g->slot_mean[slot] + kSlotShrink * cbar) / ((1 + kSlotShrink) * cbar);
  return std::clamp(f, kMinFactor, kMaxFactor);
}

double DetectorImpl::Weight(int64_t n, bool is_long) const {
  const std::vector<float>& table = is_long ? long_weight_ : short_weight_;
  if (n <= 0) return 0.0;
  if (static_cast<uint64_t>(n) < table.size()) return table[n];
  return EwmaWeight(n, is_long ? p_.long_log_a : p_.short_log_a);
}

double DetectorImpl::WarmWeight(const UserRec& u, int64_t t_ms) const {
  double age = static_cast<double>(t_ms - int64_t{u.first_min} * 60'000);
  return std::clamp(age / static_cast<double>(p_.warmup_ms), 0.0, 1.0);
}

void DetectorImpl::Expectation(const UserRec& u, const GroupRec* peer, bool is_long, int slot,
                               double w, double cbar, double* mean, double* var) const {
  const Ewma& base = is_long ? u.long_base : u.short_base;
  int64_t n = is_long ? p_.k_div.Floor(u.short_head) - p_.long_lateness - FirstWindow(u, true)
                      : int64_t{u.short_head} - p_.short_lateness - FirstWindow(u, false);
  double weight = Weight(n, is_long);
  double own_w = weight > 0.05 ? w : 0.0;
  double m_own = 0, phi_own = 1;
  if (own_w > 0) {
    m_own = base.mean / weight;
    phi_own = Dispersion(m_own, base.m2 / weight);
  }
  if (own_w >= 1.0) {  // warmed up: the user's own baseline only
    *mean = std::max(m_own * SlotFactor(u, slot, cbar), config_.min_expected);
    *var = phi_own * *mean;
    return;
  }
  double per_window = is_long ? static_cast<double>(p_.k) : 1.0;
  double m_peer = kPriorMean * per_window, phi_peer = kPriorVar / kPriorMean;
  uint32_t updates = peer == nullptr ? 0 : is_long ? peer->peer_long_updates : peer->peer_updates;
  if (updates > 0) {
    double bw = is_long ? peer->peer_long_bw : peer->peer_short_bw;  // 1 - (1 - beta)^updates
    double pm = (is_long ? peer->peer_long_mean : peer->peer_short_mean) / bw;
    double pm2 = (is_long ? peer->peer_long_mean2 : peer->peer_short_mean2) / bw;
    double pphi = (is_long ? peer->peer_long_phi : peer->peer_short_phi) / bw;
    m_peer = pm;
    // Within-user dispersion plus the spread between the peers' rates.
    phi_peer = std::max(1.0, pphi + (pm > 0 ? std::max(0.0, pm2 - pm * pm) / pm : 0.0));
  }
  double f = own_w * SlotFactor(u, slot, cbar) + (1 - own_w) * GroupSlotFactor(peer, slot);
  double m = (own_w * m_own + (1 - own_w) * m_peer) * f;
  double phi = own_w * phi_own + (1 - own_w) * phi_peer;
  *mean = std::max(m, config_.min_expected);
  *var = phi * *mean;
}

double DetectorImpl::SurgeFactor(const GroupRec* t, int32_t w, uint32_t user_count,
                                 double user_expected) const {
  if (t == nullptr || !t->started) return 1.0;
  int64_t n = int64_t{t->short_head} - p_.short_lateness - t->first_window;
  double weight = Weight(n, false);
  if (weight < 0.05) return 1.0;
  double e = t->short_base.mean / weight * GroupSlotFactor(t, ShortSlot(w));
  if (e < config_.surge_min_expected) return 1.0;
  double others = e - std::min(user_expected, e / 2);
  double cur = static_cast<double>(t->short_ring[Mod(w, kShortRing)]) - user_count;
  double prev = w - 1 >= t->short_head - p_.short_lateness
                    ? static_cast<double>(t->short_ring[Mod(w - 1, kShortRing)])
                    : 0.0;
  double ratio = std::max(cur, prev) / others;
  return std::clamp(ratio, 1.0, config_.surge_max_factor);
}

double DetectorImpl::LongSurge(GroupRec* t, int32_t lw, double surge) {
  if (t == nullptr || lw < t->surge_long) return surge;
  if (lw > t->surge_long) {
    t->surge_long = lw;
    t->surge_long_max = 1;
  }
  t->surge_long_max = static_cast<float>(std::max<double>(t->surge_long_max, surge));
  return t->surge_long_max;
}

void DetectorImpl::FoldWindow(UserRec& u, bool is_long, int32_t x, uint32_t count,
                              GroupRec* peer) {
  const int64_t len = is_long ? p_.long_ms : p_.short_ms;
  const int64_t start_ms = int64_t{x} * len;
  const int64_t age = start_ms - int64_t{u.first_min} * 60'000;
  Ewma& base = is_long ? u.long_base : u.short_base;
  const double alpha = is_long ? p_.long_alpha : p_.short_alpha;
  if (count == 0) {
    // An empty window: x^2 / f is 0 whatever the seasonal factor and
    // nothing is anomalous (AdvanceUser folds empty short windows itself).
    EwmaUpdate(base, 0.0, 1.0, alpha);
    if (is_long) {
      DecayPeak(u, 1);
      LearnSlot(u, LongSlot(x), 0, 1);
    }
    LearnPeer(u, is_long, x, age, peer);
    return;
  }
  const int slot = is_long ? LongSlot(x) : ShortSlot(x);
  const double cbar = SlotMean(u);
  double learned = count;
  bool anomalous = false;
  if (age >= p_.warmup_ms && count >= config_.min_count) {
    double mean, var;
    Expectation(u, nullptr, is_long, slot, 1.0, cbar, &mean, &var);
    if (TailScore(count, mean, var) >= p_.threshold) {
      // Anomalous: learned only up to the count that would just reach the
      // threshold (winsorized), so it cannot teach that it is normal.
      anomalous = true;
      learned = std::max<double>(config_.min_count - 1, ThresholdCount(mean, var, p_.threshold));
    }
  }
  const double f = SlotFactor(u, slot, cbar);
  EwmaUpdate(base, learned, is_long ? std::max(0.5, f) : f, alpha);
  if (is_long) {
    DecayPeak(u, 1);
  } else if (learned * kPeakScale > u.peak) {
    u.peak = static_cast<uint16_t>(std::min(learned * kPeakScale, 65535.0));
  }
  if (anomalous) return;
  // Seasonal means learn at fold time, in window order: arrival order within
  // the allowed lateness does not change them.
  if (is_long) LearnSlot(u, slot, count, 1);
  LearnPeer(u, is_long, x, age, peer);
}

// The peer statistics learn every fold of users older than warmup / 7.
void DetectorImpl::LearnPeer(const UserRec& u, bool is_long, int32_t x, int64_t age,
                             GroupRec* peer) {
  if (peer == nullptr || age < p_.warmup_ms / 7) return;
  int64_t n = int64_t{x} + 1 - FirstWindow(u, is_long);
  if (is_long) {
    PeerUpdate(u.long_base, Weight(n, true), peer->peer_long_mean, peer->peer_long_mean2,
               peer->peer_long_phi, peer->peer_long_updates, peer->peer_long_bw);
  } else {
    PeerUpdate(u.short_base, Weight(n, false), peer->peer_short_mean, peer->peer_short_mean2,
               peer->peer_short_phi, peer->peer_updates, peer->peer_short_bw);
  }
}

// Moves the user's newest short window from h to w > h. Windows leaving the
// allowed lateness are folded in a canonical order: by the fold point F (all
// short windows < F folded), a long window lx being folded once F reaches
// (lx + Ll + 1) * K - Ls. So arrival order within the lateness does not
// change which baseline state each window is folded against.
void DetectorImpl::AdvanceUser(UserRec& u, int32_t w, GroupRec* peer) {
  const int64_t h = u.short_head;
  if (w <= h) return;
  const int64_t k = p_.k, ls = p_.short_lateness, ll = p_.long_lateness;
  const int64_t lh = p_.k_div.Floor(h), lw = p_.k_div.Floor(w);
  const int64_t short_end = w - ls - 1, long_end = lw - ll - 1;
  int64_t next_long = lh - ll;  // every long window before it is folded
  auto fold_long_upto = [&](int64_t f) {
    while (next_long <= std::min(lh, long_end) && (next_long + ll + 1) * k - ls <= f) {
      FoldWindow(u, true, static_cast<int32_t>(next_long),
                 u.long_ring[Mod(next_long, kLongRing)], peer);
      ++next_long;
    }
  };
  // Empty short windows (most of the ring after an idle gap) take a short
  // path with the same arithmetic as FoldWindow's: the EWMA step with x = 0
  // and the peer update. The chain runs on local copies (the compiler cannot
  // keep the user's and the group's floats in registers across each other's
  // stores); they are written back around every call that reads them.
  const int64_t first_ms = int64_t{u.first_min} * 60'000;
  const int64_t first_short = FirstWindow(u, false);
  const int64_t peer_min_age = p_.warmup_ms / 7;
  Ewma base = u.short_base;
  PeerShort ps;
  if (peer != nullptr) ps.Load(*peer);
  auto sync_out = [&] {
    u.short_base = base;
    if (peer != nullptr) ps.Store(*peer);
  };
  auto sync_in = [&] {
    base = u.short_base;
    if (peer != nullptr) ps.Load(*peer);
  };
  // Loop invariants: the first window old enough for the peer statistics
  // (x * short_ms - first_ms >= peer_min_age), the window after which the
  // next long window is folded, the ring position of x.
  const int64_t peer_from =
      peer == nullptr ? INT64_MAX
                      : FloorDiv(first_ms + peer_min_age + p_.short_ms - 1, p_.short_ms);
  const int64_t long_last = std::min(lh, long_end);
  auto long_due = [&] {  // x + 1 at which next_long is folded, if any
    return next_long <= long_last ? (next_long + ll + 1) * k - ls : INT64_MAX;
  };
  int64_t long_at = long_due();
  const int64_t x_end = std::min(h, short_end);
  int slot = Mod(h - ls, kShortRing);
  for (int64_t x = h - ls; x <= x_end; ++x, slot = slot + 1 == kShortRing ? 0 : slot + 1) {
    const uint32_t count = u.short_ring[slot];
    if (count != 0) {
      sync_out();
      FoldWindow(u, false, static_cast<int32_t>(x), count, peer);
      sync_in();
    } else {
      EwmaDecayStep(base, p_.short_alpha);
      if (x >= peer_from) {
        PeerUpdate(base, Weight(x + 1 - first_short, false), ps.mean, ps.mean2, ps.phi,
                   ps.updates, ps.bw);
      }
    }
    if (long_at <= x + 1) {
      sync_out();
      fold_long_upto(x + 1);
      sync_in();
      long_at = long_due();
    }
  }
  u.short_base = base;
  if (peer != nullptr) ps.Store(*peer);
  if (short_end > h) EwmaDecayIdle(u.short_base, short_end - h, short_idle_);
  fold_long_upto(short_end + 1);
  int64_t idle_from = std::max(next_long, lh + 1);
  if (long_end >= idle_from) {
    EwmaDecayIdle(u.long_base, long_end - idle_from + 1, long_idle_);
    DecaySlots(u, idle_from, long_end);
    DecayPeak(u, long_end - idle_from + 1);
  }
  const int64_t clear_from = std::max(h + 1, int64_t{w} - kShortRing + 1);
  for (int64_t x = clear_from, i = Mod(x, kShortRing); x <= w;
       ++x, i = i + 1 == kShortRing ? 0 : i + 1) {
    u.short_ring[i] = 0;
  }
  if (lw > lh) {
    if (incidents_.find(u.key) == incidents_.end()) {  // shares do not learn incidents
      LearnShares(u.svc_count, u.svc_share, detect_internal::kSvcShareSet, u.meta);
      LearnShares(u.act_count, u.act_share, detect_internal::kActShareSet, u.meta);
    }
    for (int64_t x = std::max(lh + 1, lw - kLongRing + 1); x <= lw; ++x) {
      u.long_ring[Mod(x, kLongRing)] = 0;
    }
    std::fill(std::begin(u.svc_count), std::end(u.svc_count), 0);
    std::fill(std::begin(u.act_count), std::end(u.act_count), 0);
  }
  u.short_head = w;
}

void DetectorImpl::CountGroup(GroupRec& g, int32_t w) {
  if (!g.started) {
    g.started = 1;
    g.short_head = w;
    g.first_window = w;
  }
  if (w < g.short_head - p_.short_lateness) w = g.short_head;  // late for the group
  if (w > g.short_head) {
    const double slot_alpha = std::min(1.0, p_.short_alpha * kSlots);
    AdvanceRing(g.short_ring, kShortRing, g.short_head, w, p_.short_lateness, g.short_base,
                short_idle_, [&](int32_t x, uint32_t c) {
                  int slot = ShortSlot(x);
                  EwmaUpdate(g.short_base, c, GroupSlotFactor(&g, slot), p_.short_alpha);
                  g.slot_mean[slot] += static_cast<float>(slot_alpha * (c - g.slot_mean[slot]));
                });
    g.short_head = w;
  }
  g.short_ring[Mod(w, kShortRing)]++;
}

GroupRec* DetectorImpl::Group(uint64_t key) {
  auto it = groups_.find(key);
  if (it != groups_.end()) return &it->second;
  if (groups_.size() >= config_.max_groups) return nullptr;
  group_cache_.Invalidate();  // an insert may move every record
  return &groups_[key];
}

GroupRec* DetectorImpl::CachedGroup(uint64_t key) {
  GroupCache& c = group_cache_;
  GroupCache::Entry& e = c.entries[(key * 0x9e3779b97f4a7c15ULL) >> 56];
  if (e.generation == c.generation && e.key == key) return e.rec;
  GroupRec* rec = Group(key);  // may start a new generation
  e = {key, c.generation, rec};
  return rec;
}

void DetectorImpl::Groups(uint64_t tenant_key, uint64_t peer_key, GroupRec** tenant,
                          GroupRec** peer) {
  *tenant = CachedGroup(tenant_key);
  if (peer_key == tenant_key) {
    *peer = *tenant;
    return;
  }
  const uint64_t generation = group_cache_.generation;
  *peer = CachedGroup(peer_key);
  // Inserting the peer may have rehashed the table: find the tenant again.
  if (group_cache_.generation != generation) *tenant = CachedGroup(tenant_key);
}
}  // namespace exfilter
