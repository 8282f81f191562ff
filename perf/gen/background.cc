// The everyday activity of the organisation: per user and hour of event time,
// writes, non-write file events and sign-ins, shaped by the user's working
// hours in their time zone, weekends and a day-to-day factor.
#include <array>

#include "perf/gen/generator.h"
#include "perf/gen/random.h"

namespace exfilter::gen {
namespace {

// Activity by hour relative to the user's start of day (index 0 = -3 h).
constexpr std::array<double, 17> kProfile = {0.01, 0.04, 0.12, 0.6, 1.0, 1.1, 1.0, 0.55,
                                             0.9,  1.0,  1.0,  0.8, 0.45, 0.2, 0.1, 0.05, 0.02};
constexpr double kNight = 0.004;

double ProfileSum() {
  double s = kNight * (24 - kProfile.size());
  for (double p : kProfile) s += p;
  return s;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

Service PickService(const User& u, Rng& rng) {
  if (u.services == (1u << static_cast<int>(u.main_service)) || rng.Chance(0.65)) return u.main_service;
  for (;;) {
    int s = static_cast<int>(rng.Range(1, 3));
    if ((u.services >> s) & 1) return static_cast<Service>(s);
  }
}

}  // namespace

GenEvent Generator::Make(uint32_t user, Service s, Op op, int64_t time_ms, uint64_t rnd) const {
  GenEvent ev;
  if (s != Service::kGoogleWorkspace) time_ms -= time_ms % 1000;  // whole seconds
  ev.time_ms = time_ms;
  ev.rnd = rnd;
  ev.user = user;
  ev.service = s;
  ev.op = op;
  Rng d(rnd ^ 0xde1a);
  ev.arrival_ms = time_ms + static_cast<int64_t>(d.Uniform() * options_.jitter_ms);
  if (s == Service::kM365 && d.Chance(options_.m365_late_share)) {
    ev.arrival_ms += d.Range(30, 90) * kMinuteMs;
  }
  return ev;
}

void Generator::Background(int64_t hour, std::vector<GenEvent>& out) const {
  static const double kSum = ProfileSum();
  const int64_t t0 = options_.start_ms + hour * kHourMs;
  for (uint32_t ui = 0; ui < org_.users.size(); ++ui) {
    const User& u = org_.users[ui];
    if (u.dormant) continue;
    int64_t local_min = hour * 60 + u.tz_minutes;
    int64_t local_day = FloorDiv(local_min, 1440);
    int local_hour = static_cast<int>(local_min / 60 - local_day * 24);
    int rel = local_hour - u.start_hour + 3;
    double w = (rel >= 0 && rel < static_cast<int>(kProfile.size()) ? kProfile[rel] : kNight) / kSum;
    int weekday = static_cast<int>(((local_day % 7) + 7) % 7);  // start_ms is a Monday
    if (weekday >= 5) w *= 0.06;
    Rng day_rng(Derive(options_.seed, ui, static_cast<uint64_t>(local_day), 0xda7));
    double day_factor = day_rng.LogNormal(1.0, 0.35);
    Rng rng(Derive(options_.seed, ui, static_cast<uint64_t>(hour), 0xbac));
    double writes = u.daily_writes * day_factor * w;
    int64_t n_write = rng.Poisson(writes);
    int64_t n_other = rng.Poisson(writes * options_.nonwrite_ratio + 1.5 * w);
    int64_t n_signin = rng.Poisson(3.0 * w);
    int64_t n_fail = rng.Poisson(0.04 * w);
    auto add = [&](Op op) {
      Service s = PickService(u, rng);
      out.push_back(Make(ui, s, op, t0 + rng.Range(0, kHourMs - 1), rng.Next()));
    };
    for (int64_t i = 0; i < n_write; ++i) {
      double x = rng.Uniform();
      add(x < 0.7 ? Op::kUpload : x < 0.85 ? Op::kCreate : Op::kCopy);
    }
    for (int64_t i = 0; i < n_other; ++i) {
      double x = rng.Uniform();
      add(x < 0.5 ? Op::kView : x < 0.7 ? Op::kDownload : x < 0.95 ? Op::kEdit : Op::kDelete);
    }
    for (int64_t i = 0; i < n_signin; ++i) add(Op::kSigninOk);
    for (int64_t i = 0; i < n_fail; ++i) add(Op::kSigninFail);
    bool planned = options_.incidents && local_day >= options_.learning_days &&
                   options_.days > options_.learning_days;
    if (weekday == u.bulk_weekday && local_hour == u.bulk_hour && !planned) {
      // The weekly bulk session, unlabelled before the incidents start (the
      // same recipe as PlanIncidents uses afterwards).
      Rng r(Derive(options_.seed, 0xb01c, ui, static_cast<uint64_t>(local_day)));
      int64_t start = t0 + kHourMs / 4, duration = r.Range(30, 60) * kMinuteMs;
      int64_t count = r.Range(200, 500);
      for (int64_t i = 0; i < count; ++i) {
        out.push_back(Make(ui, u.main_service, Op::kUpload, start + duration * i / count, r.Next()));
      }
    }
  }
}

}  // namespace exfilter::gen
