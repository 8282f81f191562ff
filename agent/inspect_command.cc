// `exfilter inspect [FILE...]`: prints, for every input event, one JSON line
// with its normalized fields (parsers/inspect.h), and for bad input one line
// with the error kind, line number and file. Reads stdin when no file is
// given. How a user checks what exfilter understood of their logs, and how a
// generic mapping ([generic] in the config) is debugged.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "agent/commands.h"
#include "agent/config.h"
#include "parsers/chunk_parser.h"
#include "parsers/inspect.h"
#include "util/envelope_hint.h"

namespace exfilter {
namespace {

constexpr size_t kReadBytes = size_t{1} << 20;

struct InspectFlags {
  std::vector<std::string> files;
  std::string config;
  std::string format;
  uint64_t max_line_bytes = 0;
  bool errors_only = false;
};

// Writes events and errors as JSON lines; turns error offsets into line numbers.
class InspectSink {
 public:
  explicit InspectSink(bool errors_only) : errors_only_(errors_only) {}

  void Begin(const char* buf, std::string_view source, uint64_t lines_before) {
    buf_ = buf;
    source_ = source;
    line_at_ = lines_before + 1;
    counted_to_ = 0;
  }
  void OnEvent(const AuditEvent& ev) {
    if (errors_only_) return;
    AppendInspectJson(ev, &out_);
    out_.push_back('\n');
    MaybeFlush();
  }
  void OnError(const ParseError& err) {
    if (err.offset >= counted_to_) {  // errors come in input order
      line_at_ += CountNewlines(buf_ + counted_to_, err.offset - counted_to_);
      counted_to_ = err.offset;
    }
    AppendInspectErrorJson(err, line_at_, source_, &out_, TooLongHint(err));
    out_.push_back('\n');
    MaybeFlush();
  }
  void Flush() {
    std::fwrite(out_.data(), 1, out_.size(), stdout);
    out_.clear();
  }

 private:
  // For a too_long line that starts like an API page: what to do about it.
  std::string_view TooLongHint(const ParseError& err) {
    if (err.kind != ParseErrorKind::kTooLong) return {};
    std::string_view looks_like = EnvelopeHint({buf_ + err.offset, err.length});
    if (looks_like.empty()) return {};
    hint_.assign("it starts like ");
    hint_.append(looks_like);
    hint_.append(": raise --max-line-bytes (max_line_bytes) to read such pages whole");
    return hint_;
  }
  void MaybeFlush() {
    if (out_.size() >= (64 << 10)) Flush();
  }
  bool errors_only_;
  const char* buf_ = nullptr;
  std::string_view source_;
  uint64_t line_at_ = 1;
  size_t counted_to_ = 0;
  std::string hint_;
  std::string out_;
};

// Reads one input (fd) through a buffer allocated once, as the agent does.
bool InspectFd(int fd, std::string_view name, ChunkParser& parser, InspectSink& sink) {
  size_t cap = kReadBytes + parser.options().max_record_bytes + 1;
  std::unique_ptr<char[]> buf(new char[cap + kParsePadding]);
  std::memset(buf.get() + cap, ' ', kParsePadding);
  size_t have = 0;
  uint64_t lines = 0;
  parser.Reset();
  while (true) {
    ssize_t n = read(fd, buf.get() + have, std::min(kReadBytes, cap - have));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::fprintf(stderr, "inspect: %.*s: %s\n", int(name.size()), name.data(), std::strerror(errno));
      return false;
    }
    if (n == 0) break;
    have += static_cast<size_t>(n);
    std::memset(buf.get() + have, ' ', kParsePadding);
    sink.Begin(buf.get(), name, lines);
    size_t used = parser.Parse(buf.get(), have, sink);
    lines += CountNewlines(buf.get(), used);
    std::memmove(buf.get(), buf.get() + used, have - used);
    have -= used;
  }
  sink.Begin(buf.get(), name, lines);
  std::memset(buf.get() + have, ' ', kParsePadding);
  parser.ParseLast(buf.get(), have, sink);
  return true;
}

int RunInspect(const InspectFlags& flags) {
  AgentConfig cfg;
  if (!flags.config.empty()) {
    if (absl::Status s = LoadConfigFile(flags.config, &cfg); !s.ok()) {
      std::fprintf(stderr, "inspect: %s\n", std::string(s.message()).c_str());
      return 2;
    }
  }
  ParserOptions options;
  std::string format = flags.format.empty() ? cfg.format : flags.format;
  if (!ParseInputFormat(format, &options.format)) {
    std::fprintf(stderr, "inspect: unknown --format %s (auto, m365, google, box, generic)\n",
                 format.c_str());
    return 2;
  }
  options.max_record_bytes = flags.max_line_bytes ? flags.max_line_bytes : cfg.max_line_bytes;
  options.generic = cfg.generic;
  if (options.format == InputFormat::kGeneric && !options.generic) {
    std::fprintf(stderr, "inspect: --format generic needs a [generic] table (-c FILE)\n");
    return 2;
  }
  ChunkParser parser(std::move(options));
  InspectSink sink(flags.errors_only);
  bool ok = true;
  if (flags.files.empty()) {
    ok = InspectFd(STDIN_FILENO, "-", parser, sink);
  } else {
    for (const std::string& file : flags.files) {
      int fd = file == "-" ? STDIN_FILENO : open(file.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        std::fprintf(stderr, "inspect: %s: %s\n", file.c_str(), std::strerror(errno));
        ok = false;
        continue;
      }
      ok = InspectFd(fd, file, parser, sink) && ok;
      if (fd != STDIN_FILENO) close(fd);
    }
  }
  sink.Flush();
  std::fflush(stdout);
  const ParseCounters& c = parser.counters();
  std::fprintf(stderr, "inspect: %llu events, %llu errors", (unsigned long long)c.events,
               (unsigned long long)c.TotalErrors());
  for (int k = 0; k < kNumParseErrorKinds; ++k) {
    if (c.errors[k] == 0) continue;
    std::string_view name = ParseErrorKindName(static_cast<ParseErrorKind>(k));
    std::fprintf(stderr, " %.*s=%llu", int(name.size()), name.data(), (unsigned long long)c.errors[k]);
  }
  std::fprintf(stderr, "\n");
  return ok ? 0 : 1;
}

}  // namespace

void RegisterInspectCommand(CLI::App& app) {
  auto flags = std::make_shared<InspectFlags>();
  CLI::App* cmd = app.add_subcommand(
      "inspect", "Print what exfilter understands of each input event (one JSON line each)");
  cmd->add_option("files", flags->files, "input files ('-' or none = stdin)");
  cmd->add_option("-c,--config", flags->config, "TOML config ([generic] mapping, [agent] format)");
  cmd->add_option("--format", flags->format, "auto, m365, google, box or generic (default auto)");
  cmd->add_option("--max-line-bytes", flags->max_line_bytes,
                  "longer records are reported as too_long (default 1 MiB)");
  cmd->add_flag("--errors-only", flags->errors_only, "print only the lines for bad input");
  cmd->callback([flags] {
    int rc = RunInspect(*flags);
    std::fflush(stdout);
    if (rc != 0) std::exit(rc);
  });
}

}  // namespace exfilter
