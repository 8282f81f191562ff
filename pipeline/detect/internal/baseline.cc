// Windows, folding of closed windows into the EWMA baselines, seasonal
// factors, the peer/tenant blend and surge damping (docs/detector.md).
#include <algorithm>
#include <cmath>

#include "pipeline/detect/internal/detector_impl.h"

namespace exfilter {
using detect_internal::Ewma;
using detect_internal::EwmaDecayIdle;
using detect_internal::EwmaUpdate;
using detect_internal::FloorDiv;
using detect_internal::kLongRing;
using detect_internal::kShortRing;
using detect_internal::kSlots;
using detect_internal::TailScore;
using detect_internal::UserRec;

namespace {
constexpr double kPeerBeta = 0.01;      // EWMA weight of one user fold in peer stats
constexpr double kGroupShareRate = 1e-3;  // group seasonal share update per event
constexpr double kShareprior = 32.0;    // pseudo-count (of 255) pulling shares to duty
constexpr double kMinFactor = 0.05, kMaxFactor = 8.0;
constexpr double kPriorMean = 0.1, kPriorVar = 10.0;  // before any peer statistics

inline int Mod(int64_t x, int r) { return static_cast<int>(((x % r) + r) % r); }

// Folds windows that leave the open range when the head moves from h to w:
// [h - L, min(h, w - L - 1)] from the ring, then the idle run (h, w - L - 1]
// in closed form, then clears the ring slots of windows (h, w].
template <typename Counter, typename Fold>
void AdvanceRing(Counter* ring, int r, int32_t h, int32_t w, int32_t lateness, Ewma& base,
                 double log_a, Fold&& fold) {
  int32_t fold_end = w - lateness - 1;
  for (int32_t x = h - lateness; x <= std::min(h, fold_end); ++x) fold(x, ring[Mod(x, r)]);
  if (fold_end > h) EwmaDecayIdle(base, fold_end - h, log_a);
  for (int32_t x = std::max(h + 1, w - r + 1); x <= w; ++x) ring[Mod(x, r)] = 0;
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
  double sum = 0;
  for (int i = 0; i < kSlots; ++i) sum += u.slot_share[i];
  double duty = SlotDuty(slot);
  double p = (u.slot_share[slot] + kShareprior * duty) / (sum + kShareprior);
  return std::clamp(p / duty, kMinFactor, kMaxFactor);
}

double DetectorImpl::GroupSlotFactor(const GroupRec* g, int slot) const {
  if (g == nullptr) return 1.0;
  double sum = 0;
  for (int i = 0; i < kSlots; ++i) sum += g->slot_share[i];
  double duty = SlotDuty(slot);
  double prior = 0.05;
  double p = (g->slot_share[slot] + prior * duty) / (sum + prior);
  return std::clamp(p / duty, kMinFactor, kMaxFactor);
}

double DetectorImpl::WarmWeight(const UserRec& u, int64_t t_ms) const {
  double age = static_cast<double>(t_ms - int64_t{u.first_min} * 60'000);
  return std::clamp(age / static_cast<double>(p_.warmup_ms), 0.0, 1.0);
}

void DetectorImpl::Expectation(const UserRec& u, const GroupRec* peer, bool is_long, int slot,
                               double w, double* mean, double* var) const {
  const Ewma& base = is_long ? u.long_base : u.short_base;
  int64_t first_ms = int64_t{u.first_min} * 60'000;
  int64_t n = is_long ? FloorDiv(int64_t{u.short_head} * p_.short_ms, p_.long_ms) -
                            p_.long_lateness - FloorDiv(first_ms, p_.long_ms)
                      : int64_t{u.short_head} - p_.short_lateness - FloorDiv(first_ms, p_.short_ms);
  double weight = EwmaWeight(n, is_long ? p_.long_log_a : p_.short_log_a);
  double own_w = weight > 0.05 ? w : 0.0;
  double m_own = own_w > 0 ? base.mean / weight : 0.0;
  double v_own = own_w > 0 ? base.var / weight : 0.0;
  double m_peer = kPriorMean, v_peer = kPriorVar;
  if (peer != nullptr && peer->peer_updates > 0) {
    double pm = is_long ? peer->peer_long_mean : peer->peer_short_mean;
    double pm2 = is_long ? peer->peer_long_mean2 : peer->peer_short_mean2;
    double pv = is_long ? peer->peer_long_var : peer->peer_short_var;
    m_peer = pm;
    v_peer = pv + std::max(0.0, pm2 - pm * pm);  // within- plus between-user variance
  } else if (is_long) {
    m_peer = kPriorMean * static_cast<double>(p_.long_ms / p_.short_ms);
    v_peer = kPriorVar * static_cast<double>(p_.long_ms / p_.short_ms);
  }
  double f = own_w * SlotFactor(u, slot) + (1 - own_w) * GroupSlotFactor(peer, slot);
  double m = (own_w * m_own + (1 - own_w) * m_peer) * f;
  double v = (own_w * v_own + (1 - own_w) * v_peer) * f * f;
  *mean = std::max(m, config_.min_expected);
  *var = std::max(v, *mean);
}

double DetectorImpl::SurgeFactor(const GroupRec* t, int32_t w, uint32_t user_count,
                                 double user_expected) const {
  if (t == nullptr || !t->started) return 1.0;
  int64_t n = int64_t{t->short_head} - p_.short_lateness - t->first_window;
  double weight = EwmaWeight(n, p_.short_log_a);
  if (weight < 0.05) return 1.0;
  double e = t->short_base.mean / weight * GroupSlotFactor(t, SlotOf(int64_t{w} * p_.short_ms));
  if (e < config_.surge_min_expected) return 1.0;
  double others = e - std::min(user_expected, e / 2);
  double cur = static_cast<double>(t->short_ring[Mod(w, kShortRing)]) - user_count;
  double prev = w - 1 >= t->short_head - p_.short_lateness
                    ? static_cast<double>(t->short_ring[Mod(w - 1, kShortRing)])
                    : 0.0;
  double ratio = std::max(cur, prev) / others;
  return std::clamp(ratio, 1.0, config_.surge_max_factor);
}

void DetectorImpl::FoldShort(UserRec& u, int32_t x, uint32_t count, GroupRec* peer) {
  int64_t start_ms = int64_t{x} * p_.short_ms;
  int slot = SlotOf(start_ms);
  double f = SlotFactor(u, slot);
  int64_t age = start_ms - int64_t{u.first_min} * 60'000;
  if (age >= p_.warmup_ms && count >= config_.min_count) {
    double mean, var;
    Expectation(u, nullptr, false, slot, 1.0, &mean, &var);
    if (TailScore(count, mean, var) >= p_.threshold) return;  // anomalous: not learned
  }
  EwmaUpdate(u.short_base, count / f, p_.short_alpha);
  if (peer != nullptr && age >= p_.warmup_ms / 7) {
    int64_t n = int64_t{x} + 1 - FloorDiv(int64_t{u.first_min} * 60'000, p_.short_ms);
    double weight = EwmaWeight(n, p_.short_log_a);
    double m = u.short_base.mean / weight, v = u.short_base.var / weight;
    peer->peer_short_mean += kPeerBeta * (m - peer->peer_short_mean);
    peer->peer_short_mean2 += kPeerBeta * (m * m - peer->peer_short_mean2);
    peer->peer_short_var += kPeerBeta * (v - peer->peer_short_var);
    peer->peer_updates++;
  }
}

void DetectorImpl::FoldLong(UserRec& u, int32_t lx, uint32_t count, GroupRec* peer) {
  int64_t start_ms = int64_t{lx} * p_.long_ms;
  int slot = SlotOf(start_ms);
  double f = SlotFactor(u, slot);
  int64_t age = start_ms - int64_t{u.first_min} * 60'000;
  if (age >= p_.warmup_ms && count >= config_.min_count) {
    double mean, var;
    Expectation(u, nullptr, true, slot, 1.0, &mean, &var);
    if (TailScore(count, mean, var) >= p_.threshold) return;
  }
  EwmaUpdate(u.long_base, count / f, p_.long_alpha);
  if (peer != nullptr && age >= p_.warmup_ms / 7) {
    int64_t n = int64_t{lx} + 1 - FloorDiv(int64_t{u.first_min} * 60'000, p_.long_ms);
    double weight = EwmaWeight(n, p_.long_log_a);
    double m = u.long_base.mean / weight, v = u.long_base.var / weight;
    peer->peer_long_mean += kPeerBeta * (m - peer->peer_long_mean);
    peer->peer_long_mean2 += kPeerBeta * (m * m - peer->peer_long_mean2);
    peer->peer_long_var += kPeerBeta * (v - peer->peer_long_var);
  }
}

void DetectorImpl::AdvanceUser(UserRec& u, int32_t w, GroupRec* peer) {
  int32_t h = u.short_head;
  if (w <= h) return;
  int32_t lh = static_cast<int32_t>(FloorDiv(int64_t{h} * p_.short_ms, p_.long_ms));
  int32_t lw = static_cast<int32_t>(FloorDiv(int64_t{w} * p_.short_ms, p_.long_ms));
  AdvanceRing(u.short_ring, kShortRing, h, w, p_.short_lateness, u.short_base, p_.short_log_a,
              [&](int32_t x, uint32_t c) { FoldShort(u, x, c, peer); });
  if (lw > lh) {
    AdvanceRing(u.long_ring, kLongRing, lh, lw, p_.long_lateness, u.long_base, p_.long_log_a,
                [&](int32_t x, uint32_t c) { FoldLong(u, x, c, peer); });
    std::fill(std::begin(u.svc_count), std::end(u.svc_count), 0);
    std::fill(std::begin(u.act_count), std::end(u.act_count), 0);
  }
  u.short_head = w;
}

void DetectorImpl::CountGroup(GroupRec& g, int32_t w, int slot) {
  if (!g.started) {
    g.started = 1;
    g.short_head = w;
    g.first_window = w;
  }
  if (w < g.short_head - p_.short_lateness) w = g.short_head;  // late for the group
  if (w > g.short_head) {
    AdvanceRing(g.short_ring, kShortRing, g.short_head, w, p_.short_lateness, g.short_base,
                p_.short_log_a, [&](int32_t x, uint32_t c) {
                  double f = GroupSlotFactor(&g, SlotOf(int64_t{x} * p_.short_ms));
                  EwmaUpdate(g.short_base, c / f, p_.short_alpha);
                });
    g.short_head = w;
  }
  g.short_ring[Mod(w, kShortRing)]++;
  for (int i = 0; i < kSlots; ++i) g.slot_share[i] *= static_cast<float>(1 - kGroupShareRate);
  g.slot_share[slot] += static_cast<float>(kGroupShareRate);
}

GroupRec* DetectorImpl::Group(uint64_t key) {
  auto it = groups_.find(key);
  if (it != groups_.end()) return &it->second;
  if (groups_.size() >= config_.max_groups) return nullptr;
  return &groups_[key];
}

}  // namespace exfilter
