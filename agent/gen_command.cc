// `exfilter gen`: writes a generated, labelled scenario (perf/gen/) to a
// directory, or the mixed event stream alone to stdout with --out -.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "agent/commands.h"
#include "perf/gen/generator.h"
#include "perf/gen/scenario_files.h"

namespace exfilter {
namespace {

struct GenFlags {
  gen::GenOptions options;
  std::string out = "exfilter-scenario";
  std::string size;
  bool split = false;
  bool zstd = false;
  bool no_incidents = false;
};

// "500M", "2G", "1048576" -> bytes; false on a bad value.
bool ParseSize(const std::string& text, uint64_t* bytes) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || v < 0) return false;
  std::string unit(end);
  double mult = unit.empty() || unit == "B" ? 1
                : unit == "K" || unit == "KB" ? 1e3
                : unit == "M" || unit == "MB" ? 1e6
                : unit == "G" || unit == "GB" ? 1e9
                                              : -1;
  if (mult < 0) return false;
  *bytes = static_cast<uint64_t>(v * mult);
  return true;
}

class StdoutSink : public gen::StreamSink {
 public:
  absl::Status Write(int, std::string_view lines) override {
    size_t done = 0;
    while (done < lines.size()) {
      ssize_t n = ::write(1, lines.data() + done, lines.size() - done);
      if (n <= 0) return absl::UnavailableError("stdout: write failed");
      done += static_cast<size_t>(n);
    }
    return absl::OkStatus();
  }
};

int RunGen(GenFlags& flags) {
  if (!flags.size.empty()) {
    if (!ParseSize(flags.size, &flags.options.max_bytes)) {
      std::fprintf(stderr, "exfilter gen: --size %s: expected a number with K, M or G\n",
                   flags.size.c_str());
      return 2;
    }
    // Enough days for the size (about 45 KB per user and day), then stop at it.
    double per_day = 45e3 * std::max(1, flags.options.users);
    int needed = static_cast<int>(flags.options.max_bytes / per_day * 1.3) + 2;
    flags.options.days = std::max(flags.options.days, needed);
  }
  flags.options.incidents = !flags.no_incidents;
  auto t0 = std::chrono::steady_clock::now();
  gen::Generator generator(flags.options);
  absl::Status status;
  if (flags.out == "-") {
    StdoutSink sink;
    status = generator.Run(sink, /*split=*/false);
  } else {
    status = gen::WriteScenario(generator, flags.out, flags.split, flags.zstd);
  }
  if (!status.ok()) {
    std::fprintf(stderr, "exfilter gen: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const gen::GenStats& s = generator.stats();
  std::fprintf(stderr,
               "exfilter gen: %llu events (%llu uploads/creates/copies; %llu API-page lines), "
               "%.1f MB in %.2f s (%.0f MB/s), %zu users, %zu labelled incidents%s%s\n",
               static_cast<unsigned long long>(s.events), static_cast<unsigned long long>(s.writes),
               static_cast<unsigned long long>(s.pages), s.bytes / 1e6, secs,
               s.bytes / 1e6 / (secs > 0 ? secs : 1), generator.org().users.size(),
               generator.labels().size(), flags.out == "-" ? "" : " -> ",
               flags.out == "-" ? "" : flags.out.c_str());
  return 0;
}

}  // namespace

void RegisterGenCommand(CLI::App& app) {
  auto flags = std::make_shared<GenFlags>();
  CLI::App* cmd = app.add_subcommand(
      "gen", "Generate a labelled, simulated organisation's M365 / Google Workspace / Box audit logs");
  cmd->add_option("--users", flags->options.users, "Users in the organisation")->capture_default_str();
  cmd->add_option("--days", flags->options.days, "Days of event time")->capture_default_str();
  cmd->add_option("--seed", flags->options.seed, "Random seed (same seed, same bytes)")->capture_default_str();
  cmd->add_option("--learning-days", flags->options.learning_days, "Days before the first incident")
      ->capture_default_str();
  cmd->add_option("-o,--out", flags->out,
                  "Output directory (stream, labels.jsonl, identities.csv, exfilter.toml), "
                  "or - for the mixed stream on stdout")
      ->capture_default_str();
  cmd->add_option("--size", flags->size, "Stop after this many bytes (e.g. 2G); days then unlimited");
  cmd->add_flag("--split", flags->split, "One file per service instead of one mixed audit.ndjson");
  cmd->add_flag("--zstd", flags->zstd, "Compress the stream files (.ndjson.zst)");
  cmd->add_flag("--no-incidents", flags->no_incidents, "Normal activity only");
  cmd->add_option("--page-share", flags->options.page_share, "Share of events inside API-page lines")
      ->capture_default_str();
  cmd->add_option("--late-share", flags->options.m365_late_share,
                  "Share of Microsoft 365 events delivered 30-90 minutes late")
      ->capture_default_str();
  cmd->callback([flags] {
    int rc = RunGen(*flags);
    if (rc != 0) std::exit(rc);
  });
}

}  // namespace exfilter
