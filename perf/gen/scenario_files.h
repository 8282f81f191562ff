// The files of a generated scenario besides the event stream: labels
// (labels.jsonl), identities (identities.csv), the detector config that
// declares the benign context (exfilter.toml), and a file sink that writes
// the stream(s) as NDJSON, optionally zstd-compressed while streaming.
// Thread safety: none; one writer per generator run.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "perf/gen/generator.h"

namespace exfilter::gen {

// One JSON object per incident: incident, kind, class (malicious|benign),
// user, service, start, end (RFC 3339), events, event_ids, context_ids.
std::string LabelsJsonl(const Generator& gen);
// CSV with header user,department,role,service_account.
std::string IdentitiesCsv(const Organization& org);
// [[suppress]] for the migration app and [[maintenance]] for the legal export,
// in the schema of pipeline/detect/detector_config.h. identities_path goes to
// [detector] identities_file when not empty.
std::string ConfigToml(const Generator& gen, std::string_view identities_path);

// scenario.json: users, days, learning_days, seed, start, end (RFC 3339),
// events, bytes, stream (the mixed stream's file name, or "split").
std::string ScenarioJson(const Generator& gen, bool split, bool zstd);

// Stream file names: audit.ndjson (mixed) or <service>.ndjson, plus ".zst".
std::string StreamFileName(int stream, bool zstd);

class FileStreamSink : public StreamSink {
 public:
  static absl::StatusOr<std::unique_ptr<FileStreamSink>> Open(std::string dir, bool zstd,
                                                             int zstd_level = 1);
  ~FileStreamSink() override;
  absl::Status Write(int stream, std::string_view lines) override;
  absl::Status Close();  // ends the zstd frames and closes every file

 private:
  struct File;
  FileStreamSink(std::string dir, bool zstd, int level);
  std::string dir_;
  bool zstd_;
  int level_;
  std::unique_ptr<File> files_[kNumServices];
};

// Generates the scenario into dir: stream(s), labels.jsonl, identities.csv,
// scenario.json, exfilter.toml. Creates dir if needed.
absl::Status WriteScenario(Generator& gen, const std::string& dir, bool split, bool zstd);

}  // namespace exfilter::gen
