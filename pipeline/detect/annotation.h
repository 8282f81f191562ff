// Output formatting: a forwarded event is its original JSON, untouched, with
// one added top-level member "exfilter":{...} (the schema is documented in
// docs/output-schema.md: the contract with SIEMs), newline-terminated.
// Out-of-band records (incident summaries, rate-cap notices) are one JSON
// object per line with "exfilter_record" as first member. Numbers have
// fixed decimals, so the same Decision always gives the same bytes.
// Thread safety: pure functions; they append to the caller's buffer.
#pragma once

#include <string>
#include <string_view>

#include "pipeline/detect/decision.h"
#include "pipeline/detect/detector_config.h"

namespace exfilter {

inline constexpr int kOutputSchemaVersion = 1;

// Appends `raw` with the "exfilter" member inserted before its final '}'
// (trailing whitespace after it is dropped) and a '\n'. If `raw` does not end
// in '}' (not an object), appends {"exfilter":{...},"raw":"<escaped raw>"}.
// `config`, when given, names the suppression rule.
void AppendForwarded(std::string_view raw, const Decision& decision, std::string* out,
                     const DetectorConfig* config = nullptr);

// Appends just the value of the "exfilter" member (an object, no newline).
void AppendExfilterObject(const Decision& decision, std::string* out,
                          const DetectorConfig* config = nullptr);

// Appends one record line (newline-terminated).
void AppendRecord(const DetectorRecord& record, std::string* out);

// "2026-11-30T18:04:05.123Z"
void AppendTimestamp(int64_t time_ms, std::string* out);

}  // namespace exfilter
