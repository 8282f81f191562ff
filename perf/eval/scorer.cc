#include "perf/eval/scorer.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "absl/container/flat_hash_set.h"
#include "util/hash.h"

namespace exfilter {
namespace {

constexpr int64_t kGroupGapMs = 2 * 3'600'000;

}  // namespace

bool IsBurstKind(const std::string& kind) {
  return kind == "burst_staging" || kind == "off_hours_burst" || kind == "dormant_waking" ||
         kind == "mass_copy_new_destination";
}

bool Scorer::IsStaticAlert(const AuditEvent& ev, uint64_t user_hash) {
  int64_t hour = ev.time_ms / 3'600'000;
  uint32_t& count = hour_counts_[HashCombine(user_hash, static_cast<uint64_t>(hour))];
  return ++count > scope_.static_threshold;
}

void Scorer::Keep(int method, const AuditEvent& ev, uint64_t user_hash, const Decision* d) {
  bool watched = IsWatchedAction(ev.action) && ev.primary;
  Forward f{};
  f.id_hash = watched ? LabelSet::IdHash(ev.id) : 0;
  f.user_hash = user_hash;
  f.time_ms = ev.time_ms;
  if (d != nullptr) {
    f.incident_id = d->incident_id;
    f.reasons = d->reasons;
    f.observed = d->observed;
    f.expected = d->expected;
    f.score = d->score;
    f.threshold = d->threshold;
    f.window = static_cast<uint8_t>(d->window);
  }
  auto [op, inserted] = op_index_.try_emplace(std::string(ev.op), ops_.size());
  if (inserted) ops_.emplace_back(ev.op);
  f.op = op->second;
  user_names_.try_emplace(user_hash, ev.user);
  forwards_[method].push_back(f);
}

void Scorer::OnDecision(const AuditEvent& ev, const Decision& decision) {
  bool watched = IsWatchedAction(ev.action) && ev.primary;
  eval_events_ += ev.time_ms >= scope_.eval_start_ms;
  if (!decision.forward && !watched) return;
  uint64_t user_hash = StableHash(ev.user);
  if (decision.forward) Keep(0, ev, user_hash, &decision);
  if (watched && IsStaticAlert(ev, user_hash)) Keep(1, ev, user_hash, nullptr);
}

void Scorer::Summarise(const LabelSet& label_set, int method, uint64_t events) {
  MethodResult& m = methods_[method];
  const std::vector<EvalLabel>& labels = label_set.labels();
  const std::vector<Forward>& fw = forwards_[method];
  m.incidents.assign(labels.size(), IncidentResult{});
  m.forwarded = fw.size();
  uint64_t benign_forwarded = 0, eval_forwarded = 0;
  absl::flat_hash_set<uint64_t> incident_ids;
  for (const Forward& f : fw) {  // in input order: the first forwarded is the alert
    if (f.incident_id) incident_ids.insert(f.incident_id);
    eval_forwarded += f.time_ms >= scope_.eval_start_ms;
    int32_t label = f.id_hash ? label_set.FindHash(f.id_hash) : -1;
    if (label < 0 || !labels[label].malicious) ++benign_forwarded;
    if (label < 0) continue;
    IncidentResult& r = m.incidents[label];
    if (r.forwarded++ == 0) r.first_forward_ms = f.time_ms;
    r.detected = true;
  }
  m.detector_incidents = incident_ids.size();
  // Alert groups: per user, chained while gaps stay under kGroupGapMs.
  std::vector<size_t> order(fw.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return fw[a].user_hash != fw[b].user_hash ? fw[a].user_hash < fw[b].user_hash : fw[a].time_ms < fw[b].time_ms;
  });
  std::vector<GroupDetail> groups;
  for (size_t k = 0; k < order.size(); ++k) {
    const Forward& f = fw[order[k]];
    bool fresh = k == 0 || fw[order[k - 1]].user_hash != f.user_hash ||
                 f.time_ms - fw[order[k - 1]].time_ms > kGroupGapMs;
    if (fresh) {
      GroupDetail g;
      g.user = user_names_[f.user_hash];
      g.op = ops_[f.op];
      g.first_ms = f.time_ms;
      g.observed = f.observed;
      g.expected = f.expected;
      g.score = f.score;
      g.threshold = f.threshold;
      g.window = f.window;
      groups.push_back(std::move(g));
    }
    GroupDetail& g = groups.back();
    ++g.forwarded;
    g.reasons |= f.reasons;
    int32_t label = f.id_hash ? label_set.FindHash(f.id_hash) : -1;
    if (label >= 0 && g.label < 0) g.label = label;
    if (label >= 0 && labels[label].malicious) g.malicious = true;
  }
  std::sort(groups.begin(), groups.end(),
            [](const GroupDetail& a, const GroupDetail& b) { return a.first_ms < b.first_ms; });
  m.groups = groups.size();
  for (const GroupDetail& g : groups) {
    if (g.malicious) continue;
    (g.first_ms >= scope_.eval_start_ms ? m.fp_groups : m.learning_fp_groups) += 1;
  }
  if (method == 0) m.groups_detail = std::move(groups);

  std::set<std::string> kinds, caught;
  std::vector<double> ttd;
  for (size_t i = 0; i < labels.size(); ++i) {
    const EvalLabel& l = labels[i];
    const IncidentResult& r = m.incidents[i];
    if (!l.malicious) {
      ++m.benign;
      m.benign_alerted += r.detected;
      continue;
    }
    ++m.malicious;
    kinds.insert(l.kind);
    if (!r.detected) continue;
    ++m.detected;
    caught.insert(l.kind);
    if (IsBurstKind(l.kind)) ttd.push_back(std::max<int64_t>(0, r.first_forward_ms - l.start_ms) / 1000.0);
  }
  m.kinds = static_cast<uint32_t>(kinds.size());
  m.kinds_caught = static_cast<uint32_t>(caught.size());
  m.recall = m.malicious ? static_cast<double>(m.detected) / m.malicious : 1.0;
  double days = (scope_.eval_end_ms - scope_.eval_start_ms) / 86'400'000.0;
  double kusers = scope_.users / 1000.0;
  m.fp_per_1k_user_day = days > 0 && kusers > 0 ? m.fp_groups / kusers / days : 0;
  m.forward_ratio = events ? static_cast<double>(m.forwarded) / events : 0;
  m.benign_forward_ratio = events ? static_cast<double>(benign_forwarded) / events : 0;
  m.eval_forward_ratio = eval_events_ ? static_cast<double>(eval_forwarded) / eval_events_ : 0;
  if (!ttd.empty()) {
    std::sort(ttd.begin(), ttd.end());
    size_t n = ttd.size();
    m.median_ttd_burst_s = n % 2 ? ttd[n / 2] : (ttd[n / 2 - 1] + ttd[n / 2]) / 2;
  }
}

void Scorer::Finish(const LabelSet& labels, uint64_t events) {
  Summarise(labels, 0, events);
  Summarise(labels, 1, events);
}

}  // namespace exfilter
