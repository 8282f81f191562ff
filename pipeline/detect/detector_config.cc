// [detector], [[suppress]] and [[maintenance]] from TOML, and validation.
#include "pipeline/detect/detector_config.h"

#include <cmath>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "pipeline/detect/internal/user_table.h"
#include "util/strings.h"
#include "util/toml_fields.h"

namespace exfilter {
namespace {

using toml_fields::Bool;
using toml_fields::Num;
using toml_fields::Setter;
using toml_fields::Str;
using toml_fields::StrList;
using toml_fields::Where;

std::optional<absl::Time> ParseTime(const toml::node& n) {
  if (auto dt = n.value<toml::date_time>(); dt && n.is_date_time()) {
    if (!dt->offset) return std::nullopt;  // a local time is ambiguous: refuse
    absl::CivilSecond cs(dt->date.year, dt->date.month, dt->date.day, dt->time.hour,
                         dt->time.minute, dt->time.second);
    return absl::FromCivil(cs, absl::UTCTimeZone()) - absl::Minutes(dt->offset->minutes) +
           absl::Nanoseconds(dt->time.nanosecond);
  }
  auto s = n.value<std::string>();
  absl::Time t;
  std::string err;
  if (!s || !absl::ParseTime(absl::RFC3339_full, *s, &t, &err)) return std::nullopt;
  return t;
}

Setter Dur(absl::Duration* field) {
  static constexpr const char* kBad = "must be a duration such as \"15m\", \"2h\", \"7d\"";
  return toml_fields::Dur(field, kBad, kBad);
}
Setter TimeOf(absl::Time* field) {
  return [=](const toml::node& n) -> std::optional<std::string> {
    auto t = ParseTime(n);
    if (!t) return "must be a date-time with offset, e.g. 2026-11-30T18:00:00Z";
    *field = *t;
    return std::nullopt;
  };
}

absl::Status ApplyTable(const toml::table& t, std::string_view file, std::string_view name,
                        const std::vector<std::pair<std::string_view, Setter>>& setters) {
  for (auto&& [key, node] : t) {
    const Setter* setter = nullptr;
    for (const auto& [k, s] : setters) {
      if (k == key.str()) setter = &s;
    }
    if (setter == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(Where(file, key.source()), ": unknown key '",
                                                     ToAbsl(key.str()), "' in [", ToAbsl(name), "]"));
    }
    if (auto err = (*setter)(node)) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(file, node.source()), ": '", ToAbsl(key.str()), "' in [", ToAbsl(name), "] ", *err));
    }
  }
  return absl::OkStatus();
}

std::vector<std::pair<std::string_view, Setter>> DetectorSetters(DetectorConfig* c) {
  return {
      {"short_window", Dur(&c->short_window)},
      {"long_window", Dur(&c->long_window)},
      {"allowed_lateness", Dur(&c->allowed_lateness)},
      {"baseline_half_life", Dur(&c->baseline_half_life)},
      {"warmup", Dur(&c->warmup)},
      {"sensitivity", Num(&c->sensitivity, 1e-300, 0.5)},
      {"min_count", Num(&c->min_count, 1, 65535)},
      {"min_expected", Num(&c->min_expected, 1e-6, 1e6)},
      {"cold_start_factor", Num(&c->cold_start_factor, 1, 100)},
      {"peak_guard", Num(&c->peak_guard, 0, 1000)},
      {"peak_guard_min", Num(&c->peak_guard_min, 1, 65535)},
      {"novelty_bonus", Num(&c->novelty_bonus, 0, 100)},
      {"novelty_min_age", Dur(&c->novelty_min_age)},
      {"novelty_memory", Dur(&c->novelty_memory)},
      {"failure_run", Num(&c->failure_run, 1, 127)},  // the run counter holds 7 bits
      {"risk_duration", Dur(&c->risk_duration)},
      {"risk_threshold_factor", Num(&c->risk_threshold_factor, 0.01, 1)},
      {"risk_min_count", Num(&c->risk_min_count, 1, 65535)},
      {"cross_service_factor", Num(&c->cross_service_factor, 0.01, 1)},
      {"new_ip_by_prefix", Bool(&c->new_ip_by_prefix)},
      {"surge_min_expected", Num(&c->surge_min_expected, 0, 1e9)},
      {"surge_max_factor", Num(&c->surge_max_factor, 1, 1e6)},
      {"incident_cooldown", Dur(&c->incident_cooldown)},
      {"incident_cap", Num(&c->incident_cap, 0, 4e9)},
      {"summary_interval", Dur(&c->summary_interval)},
      {"max_forwarded_per_minute", Num(&c->max_forwarded_per_minute, 0, 4e9)},
      {"max_users", Num(&c->max_users, 1, 1e9)},
      {"max_groups", Num(&c->max_groups, 1, 1e8)},
      {"max_incidents", Num(&c->max_incidents, 1, 1e8)},
      {"sketch_width_log2", Num(&c->sketch_width_log2, 10, 30)},
      {"sketch_depth", Num(&c->sketch_depth, 1, 8)},
      {"identities_file", Str(&c->identities_file)},
  };
}

absl::Status LoadRules(const toml::node* node, std::string_view file, std::string_view name,
                       bool maintenance, std::vector<SuppressRule>* out) {
  if (node == nullptr) return absl::OkStatus();
  const toml::array* arr = node->as_array();
  if (arr == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(file, node->source()), ": '", ToAbsl(name), "' must be [[", ToAbsl(name), "]] tables"));
  }
  for (const toml::node& e : *arr) {
    const toml::table* t = e.as_table();
    if (t == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(file, e.source()), ": '", ToAbsl(name), "' entries must be tables"));
    }
    SuppressRule r;
    std::vector<std::pair<std::string_view, Setter>> setters = {
        {"name", Str(&r.name)}, {"users", StrList(&r.users)}};
    if (maintenance) {
      setters.push_back({"start", TimeOf(&r.start)});
      setters.push_back({"end", TimeOf(&r.end)});
    } else {
      setters.push_back({"apps", StrList(&r.apps)});
      setters.push_back({"paths", StrList(&r.paths)});
      setters.push_back({"service_accounts", Bool(&r.service_accounts)});
    }
    if (absl::Status s = ApplyTable(*t, file, name, setters); !s.ok()) return s;
    std::string where = Where(file, t->source());
    if (maintenance) {
      if (!t->contains("start") || !t->contains("end") || r.end <= r.start) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": [[maintenance]] needs start < end"));
      }
      r.has_time_range = true;
    } else if (r.users.empty() && r.apps.empty() && r.paths.empty() && !r.service_accounts) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": [[suppress]] needs at least one of users, apps, paths, service_accounts"));
    }
    if (r.name.empty()) r.name = absl::StrCat(ToAbsl(name), "#", out->size());
    out->push_back(std::move(r));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateDetectorConfig(const DetectorConfig& c) {
  auto bad = [](std::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("detector config: ", ToAbsl(what)));
  };
  if (c.short_window < absl::Minutes(1)) return bad("short_window must be >= 1m");
  if (c.long_window < c.short_window || c.long_window % c.short_window != absl::ZeroDuration()) {
    return bad("long_window must be a multiple of short_window");
  }
  if (c.short_window % absl::Minutes(1) != absl::ZeroDuration() ||
      absl::Hours(24) % c.short_window != absl::ZeroDuration() ||
      absl::Hours(24) % c.long_window != absl::ZeroDuration()) {
    return bad("short_window and long_window must be whole minutes that divide a day");
  }
  if (c.allowed_lateness < absl::ZeroDuration() ||
      c.allowed_lateness > (detect_internal::kShortRing - 1) * c.short_window ||
      c.allowed_lateness > (detect_internal::kLongRing - 1) * c.long_window) {
    return bad(absl::StrCat("allowed_lateness must be <= ", detect_internal::kShortRing - 1,
                            " short windows and <= 1 long window"));
  }
  if (c.baseline_half_life < c.long_window) return bad("baseline_half_life must be >= long_window");
  if (c.warmup <= absl::ZeroDuration()) return bad("warmup must be > 0");
  if (!(c.sensitivity > 0 && c.sensitivity < 1)) return bad("sensitivity must be in (0, 1)");
  if (c.min_count < 1 || c.risk_min_count < 1) return bad("min_count must be >= 1");
  if (c.sketch_depth != 1 && c.sketch_depth != 2 && c.sketch_depth != 4 && c.sketch_depth != 8) {
    return bad("sketch_depth must be 1, 2, 4 or 8");
  }
  if (c.sketch_width_log2 < 10 || c.sketch_width_log2 > 30) {
    return bad("sketch_width_log2 must be in [10, 30]");
  }
  if (c.suppress.size() >= 0xFFFF) return bad("too many suppression rules");
  if (c.summary_interval <= absl::ZeroDuration()) return bad("summary_interval must be > 0");
  if (c.novelty_memory != absl::ZeroDuration() &&
      (c.novelty_memory < absl::Hours(1) || c.novelty_memory % absl::Minutes(1) != absl::ZeroDuration())) {
    return bad("novelty_memory must be 0 (never forget) or whole minutes, at least 1h");
  }
  return absl::OkStatus();
}

absl::Status LoadDetectorConfig(const toml::table& root, DetectorConfig* config,
                                std::string_view file) {
  DetectorConfig c = *config;
  if (const toml::node* d = root.get("detector")) {
    const toml::table* t = d->as_table();
    if (t == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(file, d->source()), ": 'detector' must be a table"));
    }
    if (absl::Status s = ApplyTable(*t, file, "detector", DetectorSetters(&c)); !s.ok()) return s;
  }
  std::vector<SuppressRule> rules;
  if (absl::Status s = LoadRules(root.get("suppress"), file, "suppress", false, &rules); !s.ok()) {
    return s;
  }
  if (absl::Status s = LoadRules(root.get("maintenance"), file, "maintenance", true, &rules);
      !s.ok()) {
    return s;
  }
  if (root.contains("suppress") || root.contains("maintenance")) c.suppress = std::move(rules);
  if (absl::Status s = ValidateDetectorConfig(c); !s.ok()) return s;
  *config = std::move(c);
  return absl::OkStatus();
}

}  // namespace exfilter
