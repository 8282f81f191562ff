// `exfilter eval`: scores the detector on labelled generated scenarios, from a
// directory written by `exfilter gen` or generated in memory (--generate).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "agent/commands.h"
#include "perf/eval/evaluation.h"

namespace exfilter {
namespace {

struct EvalFlags {
  std::string dir;
  bool generate = false;
  gen::GenOptions options;
  std::vector<uint64_t> seeds = {1};
  EvalSettings settings;
  bool no_context = false;
  bool incidents = false;
  bool check = false;
  std::string json;
};

bool WriteText(const std::string& path, const std::string& text) {
  FILE* f = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (f != stdout) ok = std::fclose(f) == 0 && ok;
  return ok;
}

int RunEval(EvalFlags& flags) {
  if (flags.dir.empty() == !flags.generate) {
    std::fprintf(stderr, "exfilter eval: give a scenario directory or --generate (not both)\n");
    return 2;
  }
  flags.settings.with_context = !flags.no_context;
  std::string json = flags.generate && flags.seeds.size() > 1 ? "[" : "";
  int missed = 0;
  const std::vector<uint64_t> seeds = flags.generate ? flags.seeds : std::vector<uint64_t>{0};
  for (size_t i = 0; i < seeds.size(); ++i) {
    absl::StatusOr<EvalReport> report;
    if (flags.generate) {
      gen::GenOptions o = flags.options;
      o.seed = seeds[i];
      report = EvaluateGenerated(o, flags.settings);
    } else {
      report = EvaluateDirectory(flags.dir, flags.settings);
    }
    if (!report.ok()) {
      std::fprintf(stderr, "exfilter eval: %s\n", std::string(report.status().message()).c_str());
      return 1;
    }
    std::string text = FormatReport(*report, flags.incidents);
    std::vector<std::string> failures = GoalFailures(*report);
    text += failures.empty() ? "  goals: all met\n" : "  goals missed:\n";
    for (const std::string& f : failures) text += "    - " + f + "\n";
    missed += !failures.empty();
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
    if (json.size() > 1) json += ",";
    std::string one = ReportJson(*report);
    json += seeds.size() > 1 ? one.substr(0, one.size() - 1) : one;
  }
  if (flags.generate && seeds.size() > 1) json += "]\n";
  std::string json_path = !flags.json.empty() ? flags.json : flags.generate ? "" : flags.dir + "/eval.json";
  if (!json_path.empty()) {
    if (!WriteText(json_path, json)) {
      std::fprintf(stderr, "exfilter eval: cannot write %s\n", json_path.c_str());
      return 1;
    }
    if (json_path != "-") std::fprintf(stderr, "exfilter eval: JSON report in %s\n", json_path.c_str());
  }
  return flags.check && missed ? 3 : 0;
}

}  // namespace

void RegisterEvalCommand(CLI::App& app) {
  auto flags = std::make_shared<EvalFlags>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "Score the detector on a labelled scenario (recall, false positives, forward ratio, "
              "time to detect), beside a static per-hour threshold");
  cmd->add_option("dir", flags->dir, "Scenario directory written by `exfilter gen`");
  cmd->add_flag("--generate", flags->generate, "Generate the scenario in memory instead");
  cmd->add_option("--users", flags->options.users, "With --generate: users")->capture_default_str();
  cmd->add_option("--days", flags->options.days, "With --generate: days")->capture_default_str();
  cmd->add_option("--learning-days", flags->options.learning_days, "With --generate: days before incidents")
      ->capture_default_str();
  cmd->add_option("--seeds", flags->seeds, "With --generate: one run per seed")->delimiter(',');
  cmd->add_option("-c,--config", flags->settings.config_path,
                  "Detector config TOML (default: the scenario's exfilter.toml)");
  cmd->add_flag("--no-context", flags->no_context,
                "Drop the scenario's allowlist and maintenance window (shows what they buy)");
  cmd->add_option("--static-threshold", flags->settings.static_threshold,
                  "The static rule's uploads/creates/copies per user per hour")
      ->capture_default_str();
  cmd->add_flag("--incidents", flags->incidents, "One line per labelled incident");
  cmd->add_option("--json", flags->json, "JSON report path (default DIR/eval.json; - for stdout)");
  cmd->add_flag("--check", flags->check, "Exit 3 if a goal of issue 5 is missed");
  cmd->callback([flags] {
    int rc = RunEval(*flags);
    if (rc != 0) std::exit(rc);
  });
}

}  // namespace exfilter
