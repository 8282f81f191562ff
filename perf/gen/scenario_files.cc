#include "perf/gen/scenario_files.h"

#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "perf/gen/json_out.h"

namespace exfilter::gen {
namespace {

void Rfc(OutBuffer& out, int64_t ms) {
  out.Char('"');
  AppendRfc3339(out, ms, false);
  out.Char('"');
}

void IdList(OutBuffer& out, const std::vector<std::string>& ids) {
  out.Char('[');
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out.Char(',');
    out.Char('"');
    out.Str(ids[i]);
    out.Char('"');
  }
  out.Char(']');
}

absl::Status WriteFile(const std::string& path, std::string_view text) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return absl::UnavailableError(path + ": " + std::strerror(errno));
  size_t n = std::fwrite(text.data(), 1, text.size(), f);
  if (std::fclose(f) != 0 || n != text.size()) return absl::DataLossError(path + ": write failed");
  return absl::OkStatus();
}

}  // namespace

std::string LabelsJsonl(const Generator& gen) {
  OutBuffer out;
  for (const IncidentLabel& l : gen.labels()) {
    out.Lit("{\"incident\":\"");
    out.Str(l.id);
    out.Lit("\",\"kind\":\"");
    out.Str(IncidentKindName(l.kind));
    out.Lit("\",\"class\":\"");
    out.Str(IsMalicious(l.kind) ? std::string_view("malicious") : std::string_view("benign"));
    out.Lit("\",\"user\":\"");
    out.Str(l.user);
    out.Lit("\",\"service\":\"");
    out.Str(GenServiceName(l.service));
    out.Lit("\",\"start\":");
    Rfc(out, l.start_ms);
    out.Lit(",\"end\":");
    Rfc(out, l.end_ms);
    out.Lit(",\"events\":");
    out.Uint(l.event_ids.size());
    out.Lit(",\"event_ids\":");
    IdList(out, l.event_ids);
    out.Lit(",\"context_ids\":");
    IdList(out, l.context_ids);
    out.Lit("}\n");
  }
  return std::string(out.view());
}

std::string IdentitiesCsv(const Organization& org) {
  std::string out = "user,department,role,service_account\n";
  for (const User& u : org.users) {
    out += u.email + "," + u.department + "," + u.role + "," +
           (u.service_account ? "true" : "false") + "\n";
  }
  return out;
}

std::string ConfigToml(const Generator& gen, std::string_view identities_path) {
  OutBuffer out;
  out.Lit("# Benign context of the generated scenario (seed ");
  out.Uint(gen.options().seed);
  out.Lit("): the detector's\n# [detector], [[suppress]] and [[maintenance]] tables.\n[detector]\n");
  if (!identities_path.empty()) {
    out.Lit("identities_file = \"");
    out.Str(identities_path);
    out.Lit("\"\n");
  }
  out.Lit("\n[[suppress]]\nname = \"migration-tool\"\napps = [\"");
  out.Str(gen.org().migration_app);
  out.Lit("\"]\n");
  for (const Incident& inc : gen.incidents()) {
    if (inc.kind != IncidentKind::kLegalDiscovery) continue;
    out.Lit("\n[[maintenance]]\nname = \"legal-discovery-export\"\nstart = ");
    AppendRfc3339(out, inc.start_ms - 30 * kMinuteMs, false);
    out.Lit("\nend = ");
    AppendRfc3339(out, inc.end_ms + 30 * kMinuteMs, false);
    out.Lit("\nusers = [\"");
    out.Str(gen.org().users[inc.user].email);
    out.Lit("\"]\n");
  }
  return std::string(out.view());
}

std::string ScenarioJson(const Generator& gen, bool split, bool zstd) {
  const GenOptions& o = gen.options();
  OutBuffer out;
  out.Lit("{\"users\":");
  out.Uint(gen.org().users.size());
  out.Lit(",\"days\":");
  out.Int(o.days);
  out.Lit(",\"learning_days\":");
  out.Int(o.learning_days);
  out.Lit(",\"seed\":");
  out.Uint(o.seed);
  out.Lit(",\"start\":\"");
  AppendRfc3339(out, o.start_ms, false);
  out.Lit("\",\"end\":\"");
  AppendRfc3339(out, o.start_ms + o.days * kDayMs, false);
  out.Lit("\",\"events\":");
  out.Uint(gen.stats().events);
  out.Lit(",\"bytes\":");
  out.Uint(gen.stats().bytes);
  out.Lit(",\"stream\":\"");
  out.Str(split ? std::string_view("split") : std::string_view(StreamFileName(0, zstd)));
  out.Lit("\"}\n");
  return std::string(out.view());
}

std::string StreamFileName(int stream, bool zstd) {
  std::string name = stream == 0 ? "audit" : std::string(GenServiceName(static_cast<Service>(stream)));
  return name + (zstd ? ".ndjson.zst" : ".ndjson");
}

struct FileStreamSink::File {
  FILE* f = nullptr;
  ZSTD_CCtx* cctx = nullptr;
  std::vector<char> zbuf;
  std::string path;
};

FileStreamSink::FileStreamSink(std::string dir, bool zstd, int level)
    : dir_(std::move(dir)), zstd_(zstd), level_(level) {}

FileStreamSink::~FileStreamSink() { (void)Close(); }

absl::StatusOr<std::unique_ptr<FileStreamSink>> FileStreamSink::Open(std::string dir, bool zstd,
                                                                   int level) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::UnavailableError(dir + ": " + ec.message());
  return std::unique_ptr<FileStreamSink>(new FileStreamSink(std::move(dir), zstd, level));
}

absl::Status FileStreamSink::Write(int stream, std::string_view lines) {
  std::unique_ptr<File>& file = files_[stream];
  if (!file) {
    file = std::make_unique<File>();
    file->path = dir_ + "/" + StreamFileName(stream, zstd_);
    file->f = std::fopen(file->path.c_str(), "wb");
    if (file->f == nullptr) return absl::UnavailableError(file->path + ": " + std::strerror(errno));
    if (zstd_) {
      file->cctx = ZSTD_createCCtx();
      ZSTD_CCtx_setParameter(file->cctx, ZSTD_c_compressionLevel, level_);
      file->zbuf.resize(ZSTD_CStreamOutSize());
    }
  }
  if (!zstd_) {
    if (std::fwrite(lines.data(), 1, lines.size(), file->f) != lines.size()) {
      return absl::DataLossError(file->path + ": write failed");
    }
    return absl::OkStatus();
  }
  ZSTD_inBuffer in{lines.data(), lines.size(), 0};
  while (in.pos < in.size) {
    ZSTD_outBuffer out{file->zbuf.data(), file->zbuf.size(), 0};
    size_t r = ZSTD_compressStream2(file->cctx, &out, &in, ZSTD_e_continue);
    if (ZSTD_isError(r)) return absl::InternalError(std::string("zstd: ") + ZSTD_getErrorName(r));
    if (std::fwrite(file->zbuf.data(), 1, out.pos, file->f) != out.pos) {
      return absl::DataLossError(file->path + ": write failed");
    }
  }
  return absl::OkStatus();
}

absl::Status FileStreamSink::Close() {
  absl::Status status;
  for (std::unique_ptr<File>& file : files_) {
    if (!file) continue;
    if (file->cctx != nullptr) {
      ZSTD_inBuffer in{nullptr, 0, 0};
      size_t left;
      do {
        ZSTD_outBuffer out{file->zbuf.data(), file->zbuf.size(), 0};
        left = ZSTD_compressStream2(file->cctx, &out, &in, ZSTD_e_end);
        if (ZSTD_isError(left)) break;
        std::fwrite(file->zbuf.data(), 1, out.pos, file->f);
      } while (left != 0);
      ZSTD_freeCCtx(file->cctx);
    }
    if (std::fclose(file->f) != 0 && status.ok()) status = absl::DataLossError(file->path + ": close failed");
    file.reset();
  }
  return status;
}

absl::Status WriteScenario(Generator& gen, const std::string& dir, bool split, bool zstd) {
  absl::StatusOr<std::unique_ptr<FileStreamSink>> sink = FileStreamSink::Open(dir, zstd);
  if (!sink.ok()) return sink.status();
  if (absl::Status s = gen.Run(**sink, split); !s.ok()) return s;
  if (absl::Status s = (*sink)->Close(); !s.ok()) return s;
  if (absl::Status s = WriteFile(dir + "/labels.jsonl", LabelsJsonl(gen)); !s.ok()) return s;
  if (absl::Status s = WriteFile(dir + "/identities.csv", IdentitiesCsv(gen.org())); !s.ok()) return s;
  if (absl::Status s = WriteFile(dir + "/scenario.json", ScenarioJson(gen, split, zstd)); !s.ok()) return s;
  return WriteFile(dir + "/exfilter.toml", ConfigToml(gen, dir + "/identities.csv"));
}

}  // namespace exfilter::gen
