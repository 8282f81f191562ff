#include "perf/eval/scorer.h"

#include <algorithm>
#include <set>

#include "util/hash.h"

namespace exfilter {

bool IsBurstKind(const std::string& kind) {
  return kind == "burst_staging" || kind == "off_hours_burst" || kind == "dormant_waking" ||
         kind == "mass_copy_new_destination";
}

bool Scorer::IsStaticAlert(const AuditEvent& ev, uint64_t user_hash, uint64_t* group) {
  int64_t hour = ev.time_ms / 3'600'000;
  uint32_t& count = hour_counts_[HashCombine(user_hash, static_cast<uint64_t>(hour))];
  if (++count <= scope_.static_threshold) return false;
  StaticUser& u = static_users_[user_hash];
  if (hour > u.last_alert_hour + 1 || hour < u.last_alert_hour - 1) {
    u.group = HashCombine(user_hash, static_cast<uint64_t>(hour) ^ 0x57a71c);
  }
  u.last_alert_hour = std::max(u.last_alert_hour, hour);
  *group = u.group;
  return true;
}

void Scorer::OnDecision(const AuditEvent& ev, const Decision& decision) {
  bool watched = IsWatchedAction(ev.action) && ev.primary;
  if (decision.forward) {
    uint64_t group = decision.incident_id ? decision.incident_id : decision.user_key;
    forwards_[0].push_back({watched ? LabelSet::IdHash(ev.id) : 0, ev.time_ms, group});
  }
  uint64_t static_group = 0;
  if (watched && IsStaticAlert(ev, StableHash(ev.user), &static_group)) {
    forwards_[1].push_back({LabelSet::IdHash(ev.id), ev.time_ms, static_group});
  }
}

void Scorer::Summarise(const LabelSet& label_set, int method, uint64_t events) {
  MethodResult& m = methods_[method];
  const std::vector<EvalLabel>& labels = label_set.labels();
  m.incidents.assign(labels.size(), IncidentResult{});
  struct Group {
    int64_t first_ms = 0;
    bool malicious = false;
  };
  absl::flat_hash_map<uint64_t, Group> groups;
  for (const Forward& f : forwards_[method]) {
    ++m.forwarded;
    auto [it, inserted] = groups.try_emplace(f.group);
    if (inserted) it->second.first_ms = f.time_ms;
    int32_t label = f.id_hash ? label_set.FindHash(f.id_hash) : -1;
    if (label < 0) continue;
    IncidentResult& r = m.incidents[label];
    if (r.forwarded++ == 0) r.first_forward_ms = f.time_ms;
    r.detected = true;
    if (labels[label].malicious) it->second.malicious = true;
  }
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
  m.groups = groups.size();
  for (const auto& [key, g] : groups) {
    if (g.malicious) continue;
    (g.first_ms >= scope_.eval_start_ms ? m.fp_groups : m.learning_fp_groups) += 1;
  }
  double days = (scope_.eval_end_ms - scope_.eval_start_ms) / 86'400'000.0;
  double kusers = scope_.users / 1000.0;
  m.fp_per_1k_user_day = days > 0 && kusers > 0 ? m.fp_groups / kusers / days : 0;
  m.forward_ratio = events ? static_cast<double>(m.forwarded) / events : 0;
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
