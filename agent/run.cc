#include "agent/run.h"

#include <signal.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"
#include "agent/control.h"
#include "agent/detect_stage.h"
#include "agent/metrics.h"
#include "pipeline/detect/checkpoint.h"
#include "pipeline/file_source.h"
#include "pipeline/reader.h"
#include "pipeline/tailer.h"

namespace exfilter {
namespace {

void Warn(const std::string& msg) { std::fprintf(stderr, "exfilter: %s\n", msg.c_str()); }

// Creates the state directory if needed and proves it is writable.
absl::Status PrepareStateDir(const std::string& dir) {
  if (mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) {
    return absl::PermissionDeniedError(absl::StrCat("cannot create state directory ", dir, ": ", std::strerror(errno)));
  }
  std::string probe = dir + "/.write-test";
  FILE* f = std::fopen(probe.c_str(), "w");
  if (f == nullptr) {
    return absl::PermissionDeniedError(absl::StrCat("state directory ", dir, " is not writable: ", std::strerror(errno)));
  }
  std::fclose(f);
  unlink(probe.c_str());
  return absl::OkStatus();
}

// Expands the FILE|GLOB arguments for a read-to-end run: every argument must
// name at least one file.
absl::StatusOr<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const std::string& a : args) {
    if (a == "-") {
      out.push_back(a);
      continue;
    }
    if (HasGlobChars(a)) {
      absl::StatusOr<std::vector<std::string>> m = RealFileSystem()->Glob(a);
      if (!m.ok()) return m.status();
      if (m->empty()) return absl::NotFoundError(absl::StrCat("no file matches '", a, "'"));
      out.insert(out.end(), m->begin(), m->end());
      continue;
    }
    absl::StatusOr<FileStat> st = RealFileSystem()->Stat(a);
    if (!st.ok()) return st.status();
    out.push_back(a);
  }
  return out;
}

// Maps a plain (not .zst) regular non-empty file read-only; nullptr when the
// file is not one (then it is read with read()). Appends to *mapped.
const char* MapRegularFile(const std::string& path, std::vector<std::pair<void*, size_t>>* mapped) {
  if (path == "-" || (path.size() >= 4 && path.compare(path.size() - 4, 4, ".zst") == 0)) return nullptr;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st;
  void* p = MAP_FAILED;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    p = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  }
  close(fd);
  if (p == MAP_FAILED) return nullptr;
  madvise(p, static_cast<size_t>(st.st_size), MADV_SEQUENTIAL);
  mapped->emplace_back(p, static_cast<size_t>(st.st_size));
  return static_cast<const char*>(p);
}

struct Signals {
  std::atomic<bool> stop{false};
};

}  // namespace

int RunAgent(const AgentConfig& cfg, const std::string& config_file) {
  // Signals are taken by one thread (sigwait); every other thread blocks them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, kControlWakeSignal);  // ControlThread::Stop wakes its thread with it
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  if (absl::Status s = ValidateAgentConfig(cfg); !s.ok()) {
    Warn(std::string(s.message()));
    return kExitUsage;
  }
  std::vector<std::string> files;
  if (!cfg.follow) {
    absl::StatusOr<std::vector<std::string>> f = ExpandInputs(cfg.inputs);
    if (!f.ok()) {
      Warn(std::string(f.status().message()));
      return kExitUsage;
    }
    files = std::move(*f);
    if (files.empty()) files.push_back("-");
  }
  std::string checkpoint_path;
  if (!cfg.state_dir.empty()) {
    if (absl::Status s = PrepareStateDir(cfg.state_dir); !s.ok()) {
      Warn(std::string(s.message()));
      return kExitUsage;
    }
    checkpoint_path = cfg.state_dir + "/checkpoint.exf";
  }
  PipelineCounters counters;
  Signals sig;
  SinkOptions sink_opt;
  sink_opt.rotate_bytes = cfg.output_rotate_bytes;
  sink_opt.keep_files = cfg.output_keep_files;
  sink_opt.compress = cfg.output_compress;
  sink_opt.stop = &sig.stop;
  sink_opt.retries = &counters.sink_retries;
  absl::StatusOr<std::unique_ptr<Sink>> sink = OpenSink(cfg.output, sink_opt);
  if (!sink.ok()) {
    Warn(std::string(sink.status().message()));
    return kExitUsage;
  }
  std::unique_ptr<Sink> dead_letter;
  if (!cfg.dead_letter.empty()) {
    absl::StatusOr<std::unique_ptr<Sink>> d = FileSink(cfg.dead_letter, SinkOptions{});
    if (!d.ok()) {
      Warn(std::string(d.status().message()));
      return kExitUsage;
    }
    dead_letter = std::move(*d);
  }
  DetectorConfig detector_config = cfg.detector;
  detector_config.score_below_floor = cfg.annotate;  // annotate: every event with its score
  absl::StatusOr<std::unique_ptr<Detector>> detector = Detector::Create(detector_config);
  if (!detector.ok()) {
    Warn(absl::StrCat("bad detector configuration: ", detector.status().message()));
    return kExitUsage;
  }
  absl::StatusOr<std::unique_ptr<EventBuilder>> builder = EventBuilder::Create(cfg.detector);
  if (!builder.ok()) {
    Warn(std::string(builder.status().message()));
    return kExitUsage;
  }
  ContextHolder builders;
  builders.Set(std::shared_ptr<const EventBuilder>(std::move(*builder)));
  std::string extra;
  if (!checkpoint_path.empty()) {
    absl::Status s = ReadCheckpoint(checkpoint_path, detector->get(), &extra);
    if (!s.ok() && !absl::IsNotFound(s)) Warn(absl::StrCat("checkpoint ignored, starting fresh: ", s.message()));
  }
  absl::flat_hash_map<std::string, uint64_t> resume = SourceTable::Decode(extra);

  ParserOptions popt;
  ParseInputFormat(cfg.format, &popt.format);
  popt.max_record_bytes = cfg.max_line_bytes;
  popt.generic = cfg.generic;
  SourceTable sources;
  StageOptions sopt;
  sopt.annotate = cfg.annotate;
  sopt.checkpoint_path = checkpoint_path;
  sopt.checkpoint_interval = cfg.checkpoint_interval;
  sopt.dead_letter = dead_letter.get();
  sopt.flush_at_end = checkpoint_path.empty();
  sopt.coverage_interval = cfg.coverage_interval;
  sopt.coverage_gap = cfg.coverage_gap;
  sopt.report_bad_input = !cfg.quiet;
  DetectStage stage(sopt, detector->get(), &sources, &counters);
  PipelineOptions pipe_opt;
  pipe_opt.workers = cfg.threads > 0 ? cfg.threads : std::max(1u, std::thread::hardware_concurrency());
  pipe_opt.chunk_bytes = cfg.chunk_bytes;
  pipe_opt.budget_bytes = cfg.memory_budget_bytes;
  pipe_opt.drop_when_blocked = cfg.drop_when_blocked;
  Pipeline pipeline(
      pipe_opt, [&] { return std::make_unique<DetectWorker>(popt, &builders, &counters); },
      [] { return std::make_unique<DetectPayload>(); }, &stage, sink->get(), &counters);
  stage.set_pipeline(&pipeline);

  const absl::Time start = absl::Now();
  std::unique_ptr<MetricsExporter> metrics;
  if (!cfg.metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<MetricsExporter>> m = MetricsExporter::Start(cfg.metrics_listen);
    if (!m.ok()) {
      Warn(std::string(m.status().message()));
      return kExitUsage;
    }
    metrics = std::move(*m);
    if (!cfg.quiet) Warn(absl::StrCat("metrics on port ", metrics->port(), " (/metrics, /healthz)"));
  }
  ControlContext control_ctx;
  control_ctx.config = &cfg;
  control_ctx.config_file = config_file;
  control_ctx.signals = set;
  control_ctx.counters = &counters;
  control_ctx.pipeline = &pipeline;
  control_ctx.stage = &stage;
  control_ctx.builders = &builders;
  control_ctx.metrics = metrics.get();
  control_ctx.stop = &sig.stop;
  ControlThread control(control_ctx);
  control.Start();

  pipeline.Start();
  int rc = kExitOk;
  std::vector<std::pair<void*, size_t>> mapped;  // alive until the pipeline is closed
  {
    ChunkReader reader(&pipeline, ReaderOptions{cfg.max_line_bytes}, &counters);
    if (!cfg.follow) {
      for (const std::string& path : files) {
        if (sig.stop.load()) break;
        FileIdentity id;
        if (path != "-") {
          absl::StatusOr<std::unique_ptr<OpenFile>> f = RealFileSystem()->Open(path);
          absl::StatusOr<FileIdentity> i = f.ok() ? Identify(**f) : absl::StatusOr<FileIdentity>(f.status());
          if (i.ok()) id = *i;
        }
        uint64_t offset = 0;
        if (auto it = resume.find(id.Key()); id.fingerprint != 0 && it != resume.end()) offset = it->second;
        const char* map = cfg.mmap_input ? MapRegularFile(path, &mapped) : nullptr;
        if (map != nullptr) {  // zero-copy
          SourceCursor cur;
          cur.id = sources.Register(path, id);
          cur.offset = std::min<uint64_t>(offset, mapped.back().second);
          reader.PumpMapped(map, mapped.back().second, cur, /*file_mapping=*/true, &sig.stop);
          continue;
        }
        absl::StatusOr<std::unique_ptr<Input>> in = OpenInput(path, offset);
        if (!in.ok()) {
          Warn(std::string(in.status().message()));
          rc = kExitRuntime;
          continue;
        }
        SourceCursor cur;
        cur.id = sources.Register(path, id);
        cur.offset = offset;
        while (!sig.stop.load()) {
          absl::StatusOr<uint64_t> n = reader.Pump(**in, cur, &sig.stop);
          if (!n.ok()) {
            Warn(std::string(n.status().message()));
            rc = kExitRuntime;
            break;
          }
          if (*n == 0 && (*in)->AtEnd()) break;  // end of input
        }
        if (!sig.stop.load()) reader.FlushPartial(cur);
      }
    } else {
      Tailer tailer(RealFileSystem(), cfg.inputs, TailOptions{cfg.from_tail}, &sources, resume);
      SilenceWatch silence(cfg.coverage_silence_after);
      while (!sig.stop.load()) {
        uint64_t n = tailer.Poll(reader, &sig.stop);
        for (const std::string& w : tailer.TakeWarnings()) Warn(w);
        if (silence.enabled()) {
          std::string lines;
          for (const SilentSource& s : silence.Observe(tailer.Progress(), absl::Now())) AppendSourceSilentRecord(s, &lines);
          if (!lines.empty()) stage.PostLines(std::move(lines));
        }
        if (n == 0) {
          const absl::Time until = absl::Now() + cfg.poll_interval;
          while (!sig.stop.load() && absl::Now() < until) absl::SleepFor(absl::Milliseconds(20));
        }
      }
    }
    reader.Release();
  }
  absl::Status sink_status = pipeline.CloseInput();
  for (auto [p, n] : mapped) munmap(p, n);
  control.Stop();
  if (!sink_status.ok()) {
    Warn(absl::StrCat("output failed, events after the failure were not written: ", sink_status.message()));
    rc = kExitRuntime;
  }
  if (!stage.last_checkpoint_status().ok()) rc = kExitRuntime;
  if (!cfg.quiet) {
    const absl::Time now = absl::Now();
    Warn(counters.StatsLine(absl::ToDoubleSeconds(now - start), 0, 0, 0).substr(10));
  }
  if (cfg.drop_when_blocked && counters.dropped.load() > 0) {
    Warn(absl::StrCat("dropped ", counters.dropped.load(), " output lines while the output was blocked (--on-blocked drop)"));
  }
  return rc;
}

}  // namespace exfilter
