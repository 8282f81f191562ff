// AgentConfig: everything `exfilter` (the agent) runs with, settable from the
// command line and from the [agent] and [metrics] tables of the TOML config file; the
// detector's tables ([detector], [[suppress]], [[maintenance]]) and the
// parser's [generic] table are loaded by their own modules. Unknown tables or
// keys and bad values are refused with "FILE:LINE: ..." messages.
// Thread safety: plain value type; LoadAgentConfig is a pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <toml++/impl/forward_declarations.h>  // toml::table; the .cc files include toml.h

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "parsers/generic_mapping.h"
#include "pipeline/detect/detector_config.h"

namespace exfilter {

struct AgentConfig {
  std::vector<std::string> inputs;  // files and globs; empty = stdin
  bool follow = false;              // keep tailing (tail -F) until SIGTERM
  bool from_tail = false;           // follow: start new files at their end
  std::string output = "-";         // -, file:PATH, tcp://HOST:PORT
  bool annotate = false;            // --mode annotate: every event, with its exfilter object
  int threads = 0;                  // parse workers; 0 = the machine's cores
  std::string state_dir;            // checkpoint directory; empty = nothing persisted
  std::string dead_letter;          // file for unparsable input lines; empty = none
  std::string format = "auto";      // auto, m365, google, box, generic
  uint64_t max_line_bytes = 1 << 20;
  // Read whole regular files (not --follow) through a read-only mapping
  // instead of read() into the chunk buffers. Off by default: on the VMs
  // measured (perf/RESULTS.md) first touches of mapped pages cost more than
  // the copy read() makes.
  bool mmap_input = false;
  uint64_t chunk_bytes = 256 << 10;
  uint64_t memory_budget_bytes = 32 << 20;  // chunks in flight
  absl::Duration checkpoint_interval = absl::Seconds(10);
  absl::Duration stats_interval = absl::ZeroDuration();  // 0 = only the final summary
  absl::Duration poll_interval = absl::Milliseconds(250);  // follow: how often files are checked
  bool quiet = false;                    // no final summary on stderr
  uint64_t output_rotate_bytes = 0;      // file output: rotate at this size (0 = never)
  int output_keep_files = 5;
  bool output_compress = false;          // zstd-compress rotated output files
  absl::Duration coverage_interval = absl::ZeroDuration();  // 0 = no coverage records
  absl::Duration coverage_gap = absl::Hours(1);  // silent service/tenant longer than this: gap record
  absl::Duration coverage_silence_after = absl::ZeroDuration();  // follow: wall-clock silence record (0 = off)
  std::string metrics_listen;            // [metrics] listen / --metrics: HOST:PORT; empty = no endpoint
  bool drop_when_blocked = false;        // on_blocked = "drop": drop output instead of pausing input

  DetectorConfig detector;
  std::optional<GenericMapping> generic;
};

// Reads the whole file: [agent] into *config (keys present override), then
// the detector's and parser's tables. `file` is the path (used in messages).
absl::Status LoadConfigFile(const std::string& file, AgentConfig* config);
// Same, from already parsed TOML (tests).
absl::Status LoadConfigTable(const toml::table& root, std::string_view file, AgentConfig* config);

// Checks cross-field consistency after flags and file are merged.
absl::Status ValidateAgentConfig(const AgentConfig& config);

}  // namespace exfilter
