// Text and JSON forms of an EvalReport (evaluation.h).
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "perf/eval/evaluation.h"
#include "perf/gen/json_out.h"
#include "pipeline/detect/annotation.h"

namespace exfilter {
namespace {

std::string Duration(double s) {
  char buf[32];
  if (s < 0) return "-";
  if (s < 60) {
    std::snprintf(buf, sizeof(buf), "%.0fs", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof(buf), "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%.1fh", s / 3600);
  }
  return buf;
}

void Line(std::string& out, const char* name, const std::string& a, const std::string& b) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), "  %-32s %-24s %s\n", name, a.c_str(), b.c_str());
  out += buf;
}

std::string Fmt(const char* f, double a, double b = 0, double c = 0) {
  char buf[96];
  std::snprintf(buf, sizeof(buf), f, a, b, c);
  return buf;
}

void Method(gen::OutBuffer& o, const MethodResult& m, const EvalReport& r) {
  auto num = [&](const char* key, double v, bool first = false) {
    if (!first) o.Char(',');
    o.Char('"');
    o.Str(key);
    o.Lit("\":");
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.6g", v);
    o.Str(buf);
  };
  o.Char('{');
  num("recall", m.recall, true);
  num("malicious", m.malicious);
  num("detected", m.detected);
  num("kinds", m.kinds);
  num("kinds_caught", m.kinds_caught);
  num("benign", m.benign);
  num("benign_alerted", m.benign_alerted);
  num("alert_groups", static_cast<double>(m.groups));
  num("detector_incidents", static_cast<double>(m.detector_incidents));
  num("fp_groups", static_cast<double>(m.fp_groups));
  num("learning_fp_groups", static_cast<double>(m.learning_fp_groups));
  num("fp_groups_per_1k_users_per_day", m.fp_per_1k_user_day);
  num("forwarded", static_cast<double>(m.forwarded));
  num("forward_ratio", m.forward_ratio);
  num("benign_forward_ratio", m.benign_forward_ratio);
  num("eval_forward_ratio", m.eval_forward_ratio);
  num("median_ttd_burst_s", m.median_ttd_burst_s);
  o.Lit(",\"incidents\":[");
  for (size_t i = 0; i < r.labels.size(); ++i) {
    const EvalLabel& l = r.labels[i];
    const IncidentResult& x = m.incidents[i];
    if (i) o.Char(',');
    o.Lit("{\"incident\":\"");
    o.Str(l.id);
    o.Lit("\",\"kind\":\"");
    o.Str(l.kind);
    o.Lit("\",\"class\":\"");
    o.Str(l.malicious ? std::string_view("malicious") : std::string_view("benign"));
    o.Lit("\",\"user\":\"");
    o.Str(l.user);
    o.Lit("\"");
    num("events", l.events);
    num("forwarded", x.forwarded);
    o.Lit(",\"detected\":");
    o.Str(x.detected ? std::string_view("true") : std::string_view("false"));
    num("share_forwarded", l.events ? static_cast<double>(x.forwarded) / l.events : 0);
    num("ttd_s", x.detected ? (x.first_forward_ms - l.start_ms) / 1000.0 : -1);
    o.Char('}');
  }
  o.Lit("]}");
}

// The detector's false-positive groups after the learning period: counts by
// cause, then the first ones in full.
void FalsePositives(std::string& out, const EvalReport& r) {
  std::set<std::string> attacked;  // users of malicious incidents
  for (const EvalLabel& l : r.labels) {
    if (l.malicious) attacked.insert(l.user);
  }
  std::map<std::string, int> causes;
  std::vector<const GroupDetail*> shown;
  for (const GroupDetail& g : r.detector.groups_detail) {
    if (g.malicious || g.first_ms < r.eval_start_ms) continue;
    std::string cause = g.label >= 0 ? "benign " + r.labels[g.label].kind
                        : attacked.count(g.user) ? "attacked user, outside the attack"
                                                 : "unlabelled, " + std::string(WindowName(static_cast<WindowKind>(g.window))) + " window";
    ++causes[cause];
    if (shown.size() < 15) shown.push_back(&g);
  }
  out += "  detector false-positive groups after learning, by cause:";
  for (const auto& [cause, n] : causes) out += " " + cause + ": " + std::to_string(n) + ";";
  out += "\n";
  char buf[512];
  for (const GroupDetail* g : shown) {
    std::string time;
    AppendTimestamp(g->first_ms, &time);
    std::string reasons;
    for (int b = 0; b < kNumReasons; ++b) {
      if (!(g->reasons & (1u << b))) continue;
      if (!reasons.empty()) reasons += ',';
      reasons += ReasonName(1u << b);
    }
    std::snprintf(buf, sizeof(buf), "    %s %-36.36s %-20.20s %5llu fwd, %s %u vs %.1f, score %.1f/%.1f [%s]%s%s\n",
                  time.c_str(), g->user.c_str(), g->op.c_str(), static_cast<unsigned long long>(g->forwarded),
                  std::string(WindowName(static_cast<WindowKind>(g->window))).c_str(), g->observed, g->expected,
                  g->score, g->threshold, reasons.c_str(), g->label >= 0 ? " benign " : "",
                  g->label >= 0 ? r.labels[g->label].kind.c_str() : "");
    out += buf;
  }
}

}  // namespace

std::string FormatReport(const EvalReport& r, bool per_incident) {
  std::string out;
  char buf[512];
  std::snprintf(buf, sizeof(buf),
                "Scenario: %d users, %d days (first %d learning), seed %llu: %llu events, %.1f MB, "
                "%llu parse errors\n",
                r.users, r.days, r.learning_days, static_cast<unsigned long long>(r.seed),
                static_cast<unsigned long long>(r.events), r.bytes / 1e6,
                static_cast<unsigned long long>(r.parse_errors));
  out += buf;
  if (per_incident) {
    std::snprintf(buf, sizeof(buf), "  %-9s %-26s %-9s %-36s %7s %10s %9s\n", "incident", "kind",
                  "class", "user", "events", "forwarded", "detect");
    out += buf;
    for (size_t i = 0; i < r.labels.size(); ++i) {
      const EvalLabel& l = r.labels[i];
      const IncidentResult& x = r.detector.incidents[i];
      std::snprintf(buf, sizeof(buf), "  %-9s %-26s %-9s %-36.36s %7u %9.1f%% %9s\n", l.id.c_str(),
                    l.kind.c_str(), l.malicious ? "malicious" : "benign", l.user.c_str(), l.events,
                    l.events ? 100.0 * x.forwarded / l.events : 0.0,
                    !x.detected ? "no" : Duration((x.first_forward_ms - l.start_ms) / 1000.0).c_str());
      out += buf;
    }
  }
  if (per_incident) FalsePositives(out, r);
  std::snprintf(buf, sizeof(buf), "static (>%u/user/hour)", r.static_threshold);
  Line(out, "", "exfilter", buf);
  const MethodResult& d = r.detector;
  const MethodResult& s = r.static_rule;
  Line(out, "recall, malicious incidents", Fmt("%.3f (%.0f/%.0f)", d.recall, d.detected, d.malicious),
       Fmt("%.3f (%.0f/%.0f)", s.recall, s.detected, s.malicious));
  Line(out, "kinds caught", Fmt("%.0f/%.0f", d.kinds_caught, d.kinds), Fmt("%.0f/%.0f", s.kinds_caught, s.kinds));
  Line(out, r.with_context ? "benign incidents alerted" : "benign alerted (no context)",
       Fmt("%.0f/%.0f", d.benign_alerted, d.benign), Fmt("%.0f/%.0f", s.benign_alerted, s.benign));
  Line(out, "alert groups (detector incidents)", Fmt("%.0f (%.0f)", d.groups, d.detector_incidents),
       Fmt("%.0f", s.groups));
  Line(out, "FP alert groups /1k users/day", Fmt("%.3f (%.0f groups)", d.fp_per_1k_user_day, d.fp_groups),
       Fmt("%.3f (%.0f groups)", s.fp_per_1k_user_day, s.fp_groups));
  Line(out, "  (learning period, not counted)", Fmt("%.0f groups", d.learning_fp_groups),
       Fmt("%.0f groups", s.learning_fp_groups));
  Line(out, "forwarded / all events", Fmt("%.3f%% (%.0f)", 100 * d.forward_ratio, d.forwarded),
       Fmt("%.3f%% (%.0f)", 100 * s.forward_ratio, s.forwarded));
  Line(out, "  of which outside malicious", Fmt("%.3f%%", 100 * d.benign_forward_ratio),
       Fmt("%.3f%%", 100 * s.benign_forward_ratio));
  Line(out, "  after the learning period", Fmt("%.3f%%", 100 * d.eval_forward_ratio),
       Fmt("%.3f%%", 100 * s.eval_forward_ratio));
  Line(out, "median time to detect, bursts", Duration(d.median_ttd_burst_s), Duration(s.median_ttd_burst_s));
  Line(out, "events/s (parse+detect, 1 thread)", Fmt("%.2fM (%.1f s)", r.events_per_s / 1e6, r.seconds), "");
  return out;
}

std::vector<std::string> GoalFailures(const EvalReport& r) {
  std::vector<std::string> out;
  const MethodResult& d = r.detector;
  if (d.recall < 0.95) out.push_back(Fmt("recall %.3f < 0.95", d.recall));
  if (d.kinds_caught < d.kinds) out.push_back(Fmt("%.0f of %.0f malicious kinds caught", d.kinds_caught, d.kinds));
  if (d.fp_per_1k_user_day > 1.0) {
    out.push_back(Fmt("%.3f FP alert groups per 1,000 users per day > 1", d.fp_per_1k_user_day));
  }
  if (r.with_context && d.benign_alerted > 0) {
    out.push_back(Fmt("%.0f benign incidents alerted", d.benign_alerted));
  }
  if (d.forward_ratio > 0.005) out.push_back(Fmt("%.3f%% of events forwarded > 0.5%%", 100 * d.forward_ratio));
  if (d.median_ttd_burst_s > 600) {
    out.push_back("median time to detect bursts " + Duration(d.median_ttd_burst_s) + " > 10 min");
  }
  std::map<std::string, int> benign_kinds;
  for (size_t i = 0; i < r.labels.size(); ++i) {
    if (r.labels[i].malicious && !d.incidents[i].detected) {
      out.push_back("missed " + r.labels[i].id + " (" + r.labels[i].kind + ", " + r.labels[i].user + ")");
    } else if (!r.labels[i].malicious && d.incidents[i].detected && r.with_context) {
      ++benign_kinds[r.labels[i].kind];
    }
  }
  for (const auto& [kind, n] : benign_kinds) out.push_back("benign " + kind + " alerted: " + std::to_string(n));
  return out;
}

std::string ReportJson(const EvalReport& r) {
  gen::OutBuffer o;
  char buf[512];
  std::snprintf(buf, sizeof(buf),
                "{\"scenario\":{\"users\":%d,\"days\":%d,\"learning_days\":%d,\"seed\":%llu},"
                "\"events\":%llu,\"bytes\":%llu,\"parse_errors\":%llu,\"seconds\":%.3f,"
                "\"events_per_s\":%.0f,\"with_context\":%s,\"static_threshold\":%u,\"detector\":",
                r.users, r.days, r.learning_days, static_cast<unsigned long long>(r.seed),
                static_cast<unsigned long long>(r.events), static_cast<unsigned long long>(r.bytes),
                static_cast<unsigned long long>(r.parse_errors), r.seconds, r.events_per_s,
                r.with_context ? "true" : "false", r.static_threshold);
  o.Str(buf);
  Method(o, r.detector, r);
  o.Lit(",\"static_rule\":");
  Method(o, r.static_rule, r);
  o.Lit("}\n");
  return std::string(o.view());
}

}  // namespace exfilter
