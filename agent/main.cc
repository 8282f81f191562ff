// `exfilter`: the agent's command line (CLI11). With no subcommand it is the
// pipe filter / log agent of agent/run.h; subcommands (inspect, gen, eval,
// demo) register themselves from their own files (agent/commands.h).
#include <cstdio>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

#include "absl/strings/numbers.h"
#include "agent/commands.h"
#include "agent/config.h"
#include "agent/run.h"

namespace {

constexpr char kDescription[] =
    "exfilter: streaming detector and pre-filter for SaaS audit logs (Microsoft 365, Google Workspace,\n"
    "Box). Reads audit JSON lines, keeps per-user baselines of upload/create/copy activity, and\n"
    "forwards only the events that break them, each with an \"exfilter\" explanation object.\n\n"
    "  zcat audit.ndjson.zst | exfilter > anomalies.ndjson      pipe filter (stdin -> stdout)\n"
    "  exfilter 'logs/*.json' -o file:/var/log/anomalies.ndjson  read files to their end\n"
    "  exfilter -F --state-dir /var/lib/exfilter 'logs/*.json'   follow files, resume after restart\n\n"
    "Exit status: 0 done, 1 failed while running, 2 bad usage or configuration.";

struct Flags {
  std::vector<std::string> inputs;
  bool follow = false;
  std::string start_at;
  std::string output;
  std::string mode;
  int threads = 0;
  std::string state_dir, dead_letter, format, config, metrics, on_blocked;
  uint64_t max_line_bytes = 0;
  uint64_t memory_budget = 0;
  double stats_interval = 0;
  bool quiet = false;
  bool mmap = false;
  bool check_config = false;
  bool version = false;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace exfilter;
  CLI::App app(kDescription, "exfilter");
  Flags f;
  app.add_option("inputs", f.inputs, "FILE or GLOB to read ('-' = stdin; none = stdin)");
  app.add_flag("-F,--follow", f.follow, "keep tailing the files (tail -F) until SIGTERM");
  app.add_option("--start-at", f.start_at, "follow: where files present at start are read from")
      ->check(CLI::IsMember({"head", "tail"}));
  app.add_option("-o,--output", f.output, "where forwarded events go: - (stdout), file:PATH, tcp://HOST:PORT");
  app.add_option("--mode", f.mode, "filter: only anomalous events; annotate: every event with its score")
      ->check(CLI::IsMember({"filter", "annotate"}));
  app.add_option("-t,--threads", f.threads, "parse threads (default: the machine's cores)")
      ->check(CLI::Range(1, 256));
  app.add_option("-c,--config", f.config, "TOML config file (see packaging/exfilter.example.toml)");
  app.add_flag("--check-config", f.check_config, "validate the configuration and exit");
  app.add_option("--state-dir", f.state_dir, "keep the checkpoint (offsets + detector state) here and resume from it");
  app.add_option("--dead-letter", f.dead_letter, "append input lines that could not be parsed to this file");
  app.add_option("--format", f.format, "input format (default auto-detect per event)")
      ->check(CLI::IsMember({"auto", "m365", "google", "box", "generic"}));
  app.add_option("--max-line-bytes", f.max_line_bytes, "longer input lines are skipped and counted (default 1 MiB)")
      ->check(CLI::Range(uint64_t{1024}, uint64_t{1} << 30));
  app.add_flag("--mmap", f.mmap, "read whole files through a memory mapping instead of read()");
  app.add_option("--memory-budget", f.memory_budget, "bytes of input in flight (default 32 MiB)")
      ->check(CLI::Range(uint64_t{1} << 20, uint64_t{64} << 30));
  app.add_option("--stats-interval", f.stats_interval, "seconds between stats lines on stderr (0 = only at exit)")
      ->check(CLI::Range(0.0, 86400.0));
  app.add_option("--metrics", f.metrics, "serve Prometheus metrics and /healthz on HOST:PORT (e.g. 127.0.0.1:9464)");
  app.add_option("--on-blocked", f.on_blocked, "when the output blocks: block (pause input, default) or drop (count)")
      ->check(CLI::IsMember({"block", "drop"}));
  app.add_flag("-q,--quiet", f.quiet, "no summary line on stderr at exit");
  app.add_flag("-V,--version", f.version, "print the version and exit");
#ifdef EXFILTER_HAVE_INSPECT
  RegisterInspectCommand(app);
#endif
#ifdef EXFILTER_HAVE_GEN
  RegisterGenCommand(app);
#endif
#ifdef EXFILTER_HAVE_EVAL
  RegisterEvalCommand(app);
#endif
#ifdef EXFILTER_HAVE_DEMO
  RegisterDemoCommand(app);
#endif
  app.require_subcommand(0, 1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }
  if (!app.get_subcommands().empty()) return 0;  // the subcommand ran in its callback
  if (f.version) {
    std::printf("exfilter %s\n", EXFILTER_VERSION);
    return 0;
  }

  AgentConfig cfg;
  if (!f.config.empty()) {
    if (absl::Status s = LoadConfigFile(f.config, &cfg); !s.ok()) {
      std::fprintf(stderr, "exfilter: %s\n", std::string(s.message()).c_str());
      return kExitUsage;
    }
  }
  // Flags given on the command line win over the file.
  if (app.count("inputs")) cfg.inputs = f.inputs;
  if (app.count("--follow")) cfg.follow = f.follow;
  if (app.count("--start-at")) cfg.from_tail = f.start_at == "tail";
  if (app.count("--output")) cfg.output = f.output;
  if (app.count("--mode")) cfg.annotate = f.mode == "annotate";
  if (app.count("--threads")) cfg.threads = f.threads;
  if (app.count("--state-dir")) cfg.state_dir = f.state_dir;
  if (app.count("--dead-letter")) cfg.dead_letter = f.dead_letter;
  if (app.count("--format")) cfg.format = f.format;
  if (app.count("--max-line-bytes")) cfg.max_line_bytes = f.max_line_bytes;
  if (app.count("--mmap")) cfg.mmap_input = f.mmap;
  if (app.count("--memory-budget")) cfg.memory_budget_bytes = f.memory_budget;
  if (app.count("--stats-interval")) cfg.stats_interval = absl::Seconds(f.stats_interval);
  if (app.count("--quiet")) cfg.quiet = f.quiet;
  if (app.count("--metrics")) cfg.metrics_listen = f.metrics;
  if (app.count("--on-blocked")) cfg.drop_when_blocked = f.on_blocked == "drop";
  if (f.check_config) {
    absl::Status s = ValidateAgentConfig(cfg);
    if (!s.ok()) {
      std::fprintf(stderr, "exfilter: %s\n", std::string(s.message()).c_str());
      return kExitUsage;
    }
    std::fprintf(stderr, "exfilter: configuration OK%s%s\n", f.config.empty() ? "" : " (",
                 f.config.empty() ? "" : (f.config + ")").c_str());
    return 0;
  }
  return RunAgent(cfg, f.config);
}
