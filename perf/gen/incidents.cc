// Plans the labelled incidents of a scenario (see org.h).
#include <algorithm>
#include <vector>

#include "perf/gen/org.h"
#include "perf/gen/random.h"

namespace exfilter::gen {
namespace {

bool Has(const User& u, Service s) { return (u.services >> static_cast<int>(s)) & 1; }

class Planner {
 public:
  Planner(const Organization& org, const GenOptions& o)
      : org_(org), o_(o), rng_(Derive(o.seed, 0x1c1d)), used_(org.users.size(), false) {}

  // A random unused user matching pred, or -1.
  template <typename Pred>
  int64_t TakeUser(Pred pred) {
    size_t n = org_.users.size();
    size_t first = rng_.Next() % n;
    for (size_t k = 0; k < n; ++k) {
      size_t i = (first + k) % n;
      const User& u = org_.users[i];
      if (!used_[i] && !u.service_account && u.bulk_weekday < 0 && pred(u)) {
        used_[i] = true;
        return static_cast<int64_t>(i);
      }
    }
    return -1;
  }
  int Day(bool weekday) {
    for (;;) {
      // The last day stays free so that evening incidents end inside the run.
      int last = std::max(o_.learning_days, o_.days - 2);
      int d = static_cast<int>(rng_.Range(o_.learning_days, last));
      if (!weekday || (d % 7) < 5) return d;
    }
  }
  Incident& Add(IncidentKind kind, uint32_t user, Service service) {
    Incident inc;
    inc.kind = kind;
    inc.user = user;
    inc.service = service;
    inc.attacker_ip = (185u << 24) | (220u << 16) | static_cast<uint32_t>(rng_.Next() & 0xffff);
    out_.push_back(inc);
    return out_.back();
  }
  Burst MakeBurst(uint32_t user, Service s, Op op, int64_t start, int minutes, int count) {
    Burst b;
    b.user = user;
    b.service = s;
    b.op = op;
    b.start_ms = start;
    b.duration_ms = minutes * kMinuteMs;
    b.count = count;
    return b;
  }
  void PlanMalicious(IncidentKind kind);
  void PlanBenign();
  std::vector<Incident> Finish();
  Rng& rng() { return rng_; }

 private:
  const Organization& org_;
  const GenOptions& o_;
  Rng rng_;
  std::vector<bool> used_;
  std::vector<Incident> out_;
};

void Planner::PlanMalicious(IncidentKind kind) {
  auto active = [](const User& u) { return !u.dormant; };
  int64_t ui = kind == IncidentKind::kDormantWaking ? TakeUser([](const User& u) { return u.dormant; })
               : kind == IncidentKind::kCrossService
                   ? TakeUser([](const User& u) { return !u.dormant && (u.services & (u.services - 1)); })
                   : TakeUser(active);
  if (ui < 0) return;
  const User& u = org_.users[ui];
  uint32_t user = static_cast<uint32_t>(ui);
  Service s = u.main_service;
  Incident& inc = Add(kind, user, s);
  int day = Day(kind != IncidentKind::kOffHoursBurst);
  int64_t t = LocalTimeMs(o_, u, day, rng_.Range(10, 15) + rng_.Uniform());
  Op op = rng_.Chance(0.7) ? Op::kUpload : Op::kCopy;
  switch (kind) {
    case IncidentKind::kBurstStaging:
      inc.bursts.push_back(MakeBurst(user, s, op, t, rng_.Range(15, 50), rng_.Range(300, 2000)));
      break;
    case IncidentKind::kLowAndSlow: {
      int hours = static_cast<int>(rng_.Range(5, 8));
      double per_hour = std::max(8.0, 5.0 * u.daily_writes / 9.0);
      t = LocalTimeMs(o_, u, day, u.start_hour + 0.5);
      inc.bursts.push_back(MakeBurst(user, s, Op::kUpload, t, hours * 60,
                                     static_cast<int>(per_hour * hours)));
      break;
    }
    case IncidentKind::kOffHoursBurst:
      t = LocalTimeMs(o_, u, day, rng_.Range(1, 3) + rng_.Uniform());
      inc.bursts.push_back(MakeBurst(user, s, op, t, rng_.Range(20, 50), rng_.Range(150, 400)));
      break;
    case IncidentKind::kCompromisedAccount: {
      Burst fail = MakeBurst(user, s, Op::kSigninFail, t - 20 * kMinuteMs, 10, rng_.Range(5, 10));
      Burst ok = MakeBurst(user, s, Op::kSigninOk, t - 8 * kMinuteMs, 1, 1);
      fail.new_ip = ok.new_ip = fail.context = ok.context = true;
      inc.bursts.push_back(fail);
      inc.bursts.push_back(ok);
      Burst b = MakeBurst(user, s, op, t, rng_.Range(30, 60), rng_.Range(60, 150));
      b.new_ip = true;
      inc.bursts.push_back(b);
      break;
    }
    case IncidentKind::kCrossService:
      for (int sv = 1; sv <= 3; ++sv) {
        Service other = static_cast<Service>(sv);
        if (!Has(u, other) || inc.bursts.size() == 2) continue;
        inc.bursts.push_back(MakeBurst(user, other, Op::kUpload, t, 60, rng_.Range(40, 80)));
      }
      break;
    case IncidentKind::kDormantWaking:
      inc.bursts.push_back(MakeBurst(user, s, Op::kUpload, t, rng_.Range(30, 60), rng_.Range(200, 600)));
      break;
    default: {  // kMassCopyNewDestination: copies where copy is documented
      if (s == Service::kGoogleWorkspace && Has(u, Service::kM365)) s = inc.service = Service::kM365;
      Burst b = MakeBurst(user, s, Op::kCopy, t, rng_.Range(30, 60), rng_.Range(200, 800));
      b.new_destination = true;
      inc.bursts.push_back(b);
      break;
    }
  }
}

void Planner::PlanBenign() {
  const uint32_t svc = static_cast<uint32_t>(org_.users.size() - 1);
  Incident& mig = Add(IncidentKind::kMigration, svc, Service::kM365);
  int64_t t = o_.start_ms + Day(false) * kDayMs + 18 * kHourMs;
  Burst b = MakeBurst(svc, Service::kM365, Op::kUpload, t, 8 * 60, std::max(5000, o_.users * 8));
  b.via_app = true;
  mig.bursts.push_back(b);

  int64_t legal = TakeUser([](const User& u) { return !u.dormant && u.department == "Legal"; });
  if (legal >= 0) {
    const User& u = org_.users[legal];
    Incident& inc = Add(IncidentKind::kLegalDiscovery, static_cast<uint32_t>(legal), u.main_service);
    int64_t start = LocalTimeMs(o_, u, Day(true), 19.0);
    inc.bursts.push_back(MakeBurst(inc.user, u.main_service, Op::kCopy, start, 120, rng_.Range(3000, 6000)));
  }

  Incident& surge = Add(IncidentKind::kOrgSurge, 0, Service::kM365);
  int day = Day(true);
  for (uint32_t i = 0; i + 1 < org_.users.size(); ++i) {
    const User& u = org_.users[i];
    if (u.dormant || used_[i] || u.bulk_weekday >= 0 || !rng_.Chance(0.3)) continue;
    int64_t start = o_.start_ms + day * kDayMs + 14 * kHourMs;  // the same UTC deadline for all
    int count = std::max(3, static_cast<int>(3.0 * u.daily_writes * 2.0 / 9.0 + 0.5));
    if (surge.bursts.empty()) surge.user = i, surge.service = u.main_service;
    surge.bursts.push_back(MakeBurst(i, u.main_service, Op::kUpload, start, 120, count));
  }

  for (uint32_t i = 0; i + 1 < org_.users.size(); ++i) {
    const User& u = org_.users[i];
    if (u.bulk_weekday < 0) continue;
    for (int d = o_.learning_days; d < o_.days; ++d) {
      if (d % 7 != u.bulk_weekday) continue;
      Incident& inc = Add(IncidentKind::kWeeklyBulk, i, u.main_service);
      int64_t start = LocalTimeMs(o_, u, d, u.bulk_hour + 0.25);
      Rng r(Derive(o_.seed, 0xb01c, i, static_cast<uint64_t>(d)));
      inc.bursts.push_back(MakeBurst(i, u.main_service, Op::kUpload, start, r.Range(30, 60), r.Range(200, 500)));
    }
  }
}

std::vector<Incident> Planner::Finish() {
  for (Incident& inc : out_) {
    inc.start_ms = INT64_MAX;
    inc.end_ms = 0;
    for (const Burst& b : inc.bursts) {
      if (!b.context) inc.start_ms = std::min(inc.start_ms, b.start_ms);
      inc.end_ms = std::max(inc.end_ms, b.start_ms + b.duration_ms);
    }
  }
  std::stable_sort(out_.begin(), out_.end(),
                   [](const Incident& a, const Incident& b) { return a.start_ms < b.start_ms; });
  for (size_t i = 0; i < out_.size(); ++i) out_[i].index = static_cast<uint32_t>(i);
  return std::move(out_);
}

}  // namespace

std::vector<Incident> PlanIncidents(const Organization& org, const GenOptions& o) {
  if (!o.incidents || o.days <= o.learning_days) return {};
  Planner p(org, o);
  int per_kind = std::max(1, (o.users + 500) / 1000);
  for (int k = 0; k < per_kind; ++k) {
    for (int kind = 0; kind <= static_cast<int>(IncidentKind::kMassCopyNewDestination); ++kind) {
      p.PlanMalicious(static_cast<IncidentKind>(kind));
    }
  }
  p.PlanBenign();
  return p.Finish();
}

}  // namespace exfilter::gen
