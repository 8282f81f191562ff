// Labels of a generated scenario as the evaluation reads them: incidents with
// their kind, class and the native event ids that belong to them, from the
// Generator in memory or from its labels.jsonl file, indexed by a stable hash
// of the native id (M365 Id, Google id.uniqueQualifier, Box event_id).
// Thread safety: read-only after construction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace exfilter {
namespace gen {
class Generator;
}

struct EvalLabel {
  std::string id;       // "inc-0007"
  std::string kind;     // "burst_staging", ... (gen::IncidentKindName)
  bool malicious = false;
  std::string user;
  std::string service;  // "m365", "google_workspace", "box"
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  uint32_t events = 0;  // watched events labelled with it
};

class LabelSet {
 public:
  static LabelSet FromGenerator(const gen::Generator& gen);
  // Parses labels.jsonl; `path` names it in messages.
  static absl::StatusOr<LabelSet> ParseJsonl(std::string_view text, std::string_view path);

  const std::vector<EvalLabel>& labels() const { return labels_; }
  // Index of the incident a watched event belongs to, or -1.
  int32_t Find(std::string_view native_id) const { return FindHash(IdHash(native_id)); }
  int32_t FindHash(uint64_t id_hash) const;
  // Stable hash of a native id; a parser's "#<n>" event-index suffix (Google
  // activities with several events) is ignored.
  static uint64_t IdHash(std::string_view native_id);
  // Index of the incident a context event (sign-in) belongs to, or -1.
  int32_t FindContext(std::string_view native_id) const;

  void Add(EvalLabel label, const std::vector<std::string_view>& ids,
           const std::vector<std::string_view>& context_ids);

 private:
  std::vector<EvalLabel> labels_;
  absl::flat_hash_map<uint64_t, int32_t> by_id_;
  absl::flat_hash_map<uint64_t, int32_t> context_by_id_;
};

}  // namespace exfilter
