// Checkpoint files: the whole detector state plus an opaque `extra` section
// (the agent stores its input offsets there) in one atomic file, so that
// offsets and baselines always agree after a crash.
// Format (docs/detector.md): magic "EXFCKPT\0", u32 format version, u32
// reserved, u64 uncompressed size, u64 XXH3 of the compressed payload, then
// the zstd-compressed payload [u64 extra size][extra][Detector::Serialize()].
// Written to "<path>.tmp", fsync'ed, then renamed over `path`.
// Thread safety: call from the detector's owner thread (or while it is idle).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "pipeline/detect/detector.h"

namespace exfilter {

inline constexpr uint32_t kCheckpointVersion = 1;

// Builds the file bytes (exposed for tests).
std::string EncodeCheckpoint(const Detector& detector, std::string_view extra);
// Parses file bytes into `detector` and `*extra`. On any error (bad magic,
// version, checksum, size, decompression, state) the detector is left fresh,
// `*extra` is cleared, and the Status says what was wrong.
absl::Status DecodeCheckpoint(std::string_view bytes, Detector* detector, std::string* extra);

absl::Status WriteCheckpoint(std::string_view path, const Detector& detector,
                             std::string_view extra);
// NotFound if `path` does not exist (a first start, not an error to warn of).
absl::Status ReadCheckpoint(std::string_view path, Detector* detector, std::string* extra);

}  // namespace exfilter
