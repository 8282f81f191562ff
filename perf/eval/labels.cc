#include "perf/eval/labels.h"

#include <simdjson.h>

#include "absl/time/time.h"
#include "perf/gen/generator.h"
#include "util/hash.h"
#include "util/strings.h"

namespace exfilter {
namespace {

constexpr uint64_t kIdSeed = 0x1abe1;

bool ParseTime(std::string_view text, int64_t* ms) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, ToAbsl(text), &t, &err)) return false;
  *ms = absl::ToUnixMillis(t);
  return true;
}

}  // namespace

void LabelSet::Add(EvalLabel label, const std::vector<std::string_view>& ids,
                   const std::vector<std::string_view>& context_ids) {
  int32_t index = static_cast<int32_t>(labels_.size());
  label.events = static_cast<uint32_t>(ids.size());
  labels_.push_back(std::move(label));
  for (std::string_view id : ids) by_id_.try_emplace(StableHash(id, kIdSeed), index);
  for (std::string_view id : context_ids) context_by_id_.try_emplace(StableHash(id, kIdSeed), index);
}

uint64_t LabelSet::IdHash(std::string_view native_id) {
  // The parser names the events of a multi-event Google activity
  // "<uniqueQualifier>#<index>"; labels name the activity.
  size_t hash_mark = native_id.rfind('#');
  if (hash_mark != std::string_view::npos && hash_mark + 1 < native_id.size() &&
      native_id.find_first_not_of("0123456789", hash_mark + 1) == std::string_view::npos) {
    native_id = native_id.substr(0, hash_mark);
  }
  return StableHash(native_id, kIdSeed);
}

int32_t LabelSet::FindHash(uint64_t id_hash) const {
  auto it = by_id_.find(id_hash);
  return it == by_id_.end() ? -1 : it->second;
}

int32_t LabelSet::FindContext(std::string_view native_id) const {
  auto it = context_by_id_.find(StableHash(native_id, kIdSeed));
  return it == context_by_id_.end() ? -1 : it->second;
}

LabelSet LabelSet::FromGenerator(const gen::Generator& generator) {
  LabelSet set;
  for (const gen::IncidentLabel& l : generator.labels()) {
    EvalLabel label;
    label.id = l.id;
    label.kind = std::string(gen::IncidentKindName(l.kind));
    label.malicious = gen::IsMalicious(l.kind);
    label.user = l.user;
    label.service = std::string(gen::GenServiceName(l.service));
    label.start_ms = l.start_ms;
    label.end_ms = l.end_ms;
    std::vector<std::string_view> ids(l.event_ids.begin(), l.event_ids.end());
    std::vector<std::string_view> ctx(l.context_ids.begin(), l.context_ids.end());
    set.Add(std::move(label), ids, ctx);
  }
  return set;
}

absl::StatusOr<LabelSet> LabelSet::ParseJsonl(std::string_view text, std::string_view path) {
  LabelSet set;
  simdjson::dom::parser parser;
  size_t line_no = 0, pos = 0;
  std::vector<std::string_view> ids, ctx;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (line.empty()) continue;
    auto bad = [&](std::string_view what) {
      return absl::InvalidArgumentError(std::string(path) + ":" + std::to_string(line_no) + ": " +
                                        std::string(what));
    };
    simdjson::dom::element doc;
    if (parser.parse(line.data(), line.size()).get(doc)) return bad("not a JSON object");
    EvalLabel label;
    std::string_view id, kind, cls, user, service, start, end;
    if (doc["incident"].get(id) || doc["kind"].get(kind) || doc["class"].get(cls) ||
        doc["user"].get(user) || doc["service"].get(service) || doc["start"].get(start) ||
        doc["end"].get(end)) {
      return bad("missing incident/kind/class/user/service/start/end");
    }
    label.id = std::string(id);
    label.kind = std::string(kind);
    label.malicious = cls == "malicious";
    label.user = std::string(user);
    label.service = std::string(service);
    if (!ParseTime(start, &label.start_ms) || !ParseTime(end, &label.end_ms)) return bad("bad start/end");
    ids.clear();
    ctx.clear();
    simdjson::dom::array arr;
    if (doc["event_ids"].get(arr)) return bad("missing event_ids");
    for (simdjson::dom::element e : arr) {
      std::string_view s;
      if (e.get(s)) return bad("event_ids: not a string");
      ids.push_back(s);
    }
    if (!doc["context_ids"].get(arr)) {
      for (simdjson::dom::element e : arr) {
        std::string_view s;
        if (!e.get(s)) ctx.push_back(s);
      }
    }
    set.Add(std::move(label), ids, ctx);  // views die with the parser: Add hashes them
  }
  return set;
}

}  // namespace exfilter
