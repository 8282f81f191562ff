#include "perf/eval/evaluation.h"

#include <simdjson.h>
#include <toml++/toml.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/time/time.h"
#include "perf/gen/generator.h"
#include "perf/gen/scenario_files.h"
#include "util/strings.h"

namespace exfilter {
namespace {

using Clock = std::chrono::steady_clock;

class Tee : public EvalObserver {
 public:
  Tee(EvalObserver* a, EvalObserver* b) : a_(a), b_(b) {}
  void OnDecision(const AuditEvent& ev, const Decision& d) override {
    a_->OnDecision(ev, d);
    if (b_ != nullptr) b_->OnDecision(ev, d);
  }
  void OnRecord(const DetectorRecord& r) override {
    a_->OnRecord(r);
    if (b_ != nullptr) b_->OnRecord(r);
  }

 private:
  EvalObserver* a_;
  EvalObserver* b_;
};

class RunnerSink : public gen::StreamSink {
 public:
  explicit RunnerSink(SequentialRunner* runner) : runner_(runner) {}
  absl::Status Write(int, std::string_view lines) override {
    auto t0 = Clock::now();
    runner_->Feed(lines);
    seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    return absl::OkStatus();
  }
  double seconds = 0;

 private:
  SequentialRunner* runner_;
};

absl::StatusOr<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);  // control plane, not the record path
  if (!in) return absl::NotFoundError(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Fill(EvalReport& report, const Scorer& scorer, LabelSet labels, const SequentialRunner& runner,
          double seconds) {
  report.events = runner.events();
  report.bytes = runner.bytes();
  report.parse_errors = runner.parse_errors();
  report.seconds = seconds;
  report.events_per_s = seconds > 0 ? runner.events() / seconds : 0;
  report.eval_start_ms = scorer.scope().eval_start_ms;
  report.labels = labels.labels();
  report.label_set = std::make_shared<const LabelSet>(std::move(labels));
  report.detector = scorer.detector();
  report.static_rule = scorer.static_rule();
  report.detector_stats = runner.detector().stats();
}

}  // namespace

absl::StatusOr<DetectorConfig> DetectorConfigFromToml(std::string_view text, std::string_view name) {
  // Debian's toml++ is a shared library built with exceptions: its parse
  // error arrives as one, caught here and turned into a Status.
  toml::table table;
  try {
    table = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    return absl::InvalidArgumentError(std::string(name) + ":" + std::to_string(e.source().begin.line) +
                                      ": " + std::string(e.description()));
  }
  DetectorConfig config;
  if (absl::Status s = LoadDetectorConfig(table, &config, name); !s.ok()) return s;
  return config;
}

absl::StatusOr<EvalReport> EvaluateGenerated(const gen::GenOptions& options, const EvalSettings& settings) {
  gen::Generator generator(options);
  absl::StatusOr<DetectorConfig> config =
      settings.config_path.empty() ? DetectorConfigFromToml(gen::ConfigToml(generator, ""), "scenario.toml")
                                   : absl::StatusOr<DetectorConfig>(absl::UnknownError(""));
  if (!settings.config_path.empty()) {
    absl::StatusOr<std::string> text = ReadText(settings.config_path);
    if (!text.ok()) return text.status();
    config = DetectorConfigFromToml(*text, settings.config_path);
  }
  if (!config.ok()) return config.status();
  if (!settings.with_context) config->suppress.clear();
  absl::StatusOr<Identities> ids = Identities::Parse(gen::IdentitiesCsv(generator.org()), "identities.csv");
  if (!ids.ok()) return ids.status();
  EvalScope scope;
  scope.users = static_cast<int>(generator.org().users.size());
  scope.eval_start_ms = options.start_ms + options.learning_days * gen::kDayMs;
  scope.eval_end_ms = options.start_ms + options.days * gen::kDayMs;
  scope.static_threshold = settings.static_threshold;
  Scorer scorer(scope);
  Tee tee(&scorer, settings.extra);
  auto builder = std::make_unique<EventBuilder>(*config, std::move(*ids));
  absl::StatusOr<std::unique_ptr<SequentialRunner>> runner =
      SequentialRunner::Create(*config, std::move(builder), &tee);
  if (!runner.ok()) return runner.status();
  RunnerSink sink(runner->get());
  if (absl::Status s = generator.Run(sink, false); !s.ok()) return s;
  auto t0 = Clock::now();
  (*runner)->Finish();
  double seconds = sink.seconds + std::chrono::duration<double>(Clock::now() - t0).count();
  LabelSet labels = LabelSet::FromGenerator(generator);  // complete once the run is
  scorer.Finish(labels, (*runner)->events());
  EvalReport report;
  report.users = scope.users;
  report.days = options.days;
  report.learning_days = options.learning_days;
  report.seed = options.seed;
  report.static_threshold = settings.static_threshold;
  report.with_context = settings.with_context;
  Fill(report, scorer, std::move(labels), **runner, seconds);
  return report;
}

absl::StatusOr<EvalReport> EvaluateDirectory(const std::string& dir, const EvalSettings& settings) {
  absl::StatusOr<std::string> meta_text = ReadText(dir + "/scenario.json");
  if (!meta_text.ok()) return meta_text.status();
  simdjson::dom::parser parser;
  simdjson::dom::element meta;
  int64_t users = 0, days = 0, learning = 0;
  uint64_t seed = 0;
  std::string_view start, stream;
  if (parser.parse(*meta_text).get(meta) || meta["users"].get(users) || meta["days"].get(days) ||
      meta["learning_days"].get(learning) || meta["seed"].get(seed) || meta["start"].get(start) ||
      meta["stream"].get(stream)) {
    return absl::InvalidArgumentError(dir + "/scenario.json: missing users/days/learning_days/seed/start/stream");
  }
  if (stream == "split") {
    return absl::InvalidArgumentError(dir + ": eval reads one mixed stream; generate without --split");
  }
  std::string stream_path = dir + "/" + std::string(stream);
  absl::Time start_time;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, ToAbsl(start), &start_time, &err)) {
    return absl::InvalidArgumentError(dir + "/scenario.json: bad start");
  }
  std::string config_path = settings.config_path.empty() ? dir + "/exfilter.toml" : settings.config_path;
  absl::StatusOr<std::string> config_text = ReadText(config_path);
  if (!config_text.ok()) return config_text.status();
  absl::StatusOr<DetectorConfig> config = DetectorConfigFromToml(*config_text, config_path);
  if (!config.ok()) return config.status();
  if (!settings.with_context) config->suppress.clear();
  absl::StatusOr<std::unique_ptr<EventBuilder>> builder = EventBuilder::Create(*config);
  if (!builder.ok()) return builder.status();
  absl::StatusOr<std::string> labels_text = ReadText(dir + "/labels.jsonl");
  if (!labels_text.ok()) return labels_text.status();
  absl::StatusOr<LabelSet> labels = LabelSet::ParseJsonl(*labels_text, dir + "/labels.jsonl");
  if (!labels.ok()) return labels.status();
  EvalScope scope;
  scope.users = static_cast<int>(users);
  int64_t start_ms = absl::ToUnixMillis(start_time);
  scope.eval_start_ms = start_ms + learning * gen::kDayMs;
  scope.eval_end_ms = start_ms + days * gen::kDayMs;
  scope.static_threshold = settings.static_threshold;
  Scorer scorer(scope);
  Tee tee(&scorer, settings.extra);
  absl::StatusOr<std::unique_ptr<SequentialRunner>> runner =
      SequentialRunner::Create(*config, std::move(*builder), &tee);
  if (!runner.ok()) return runner.status();
  auto t0 = Clock::now();
  if (absl::Status s = (*runner)->FeedFile(stream_path); !s.ok()) return s;
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  scorer.Finish(*labels, (*runner)->events());
  EvalReport report;
  report.users = scope.users;
  report.days = static_cast<int>(days);
  report.learning_days = static_cast<int>(learning);
  report.seed = seed;
  report.static_threshold = settings.static_threshold;
  report.with_context = settings.with_context;
  Fill(report, scorer, std::move(*labels), **runner, seconds);
  return report;
}

}  // namespace exfilter
