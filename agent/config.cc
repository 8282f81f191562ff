#include "agent/config.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "agent/metrics.h"
#include "parsers/chunk_parser.h"
#include "util/strings.h"
#include "util/toml_fields.h"

namespace exfilter {
namespace {

using toml_fields::Bool;
using toml_fields::Int;
using toml_fields::OneOf;
using toml_fields::Setter;
using toml_fields::Str;
using toml_fields::StrList;
using toml_fields::Where;

// "250ms", "10s", "5m", "1h" or a number of seconds.
Setter Duration(absl::Duration* field) {
  return toml_fields::Dur(field, "must be a duration such as \"250ms\", \"10s\", \"5m\" or a number of seconds",
                          "must not be negative");
}

std::map<std::string, Setter> AgentSetters(AgentConfig* c, std::string* mode, std::string* start_at,
                                           std::string* on_blocked) {
  std::map<std::string, Setter> s;
  s["inputs"] = [c](const toml::node& n) -> std::optional<std::string> {
    if (n.as_array() == nullptr) return "must be an array of paths or globs";
    return StrList(&c->inputs)(n);
  };
  s["follow"] = Bool(&c->follow);
  s["start_at"] = OneOf(start_at, {"head", "tail"});
  s["output"] = Str(&c->output);
  s["mode"] = OneOf(mode, {"filter", "annotate"});
  s["threads"] = Int(&c->threads, 0, 256);
  s["state_dir"] = Str(&c->state_dir);
  s["dead_letter"] = Str(&c->dead_letter);
  s["format"] = OneOf(&c->format, {"auto", "m365", "google", "box", "generic"});
  s["max_line_bytes"] = Int(&c->max_line_bytes, 1024, int64_t{1} << 30);
  s["mmap_input"] = Bool(&c->mmap_input);
  s["chunk_bytes"] = Int(&c->chunk_bytes, 4096, int64_t{64} << 20);
  s["memory_budget_bytes"] = Int(&c->memory_budget_bytes, int64_t{1} << 20, int64_t{64} << 30);
  s["checkpoint_interval"] = Duration(&c->checkpoint_interval);
  s["stats_interval"] = Duration(&c->stats_interval);
  s["poll_interval"] = Duration(&c->poll_interval);
  s["quiet"] = Bool(&c->quiet);
  s["output_rotate_bytes"] = Int(&c->output_rotate_bytes, 0, int64_t{1} << 50);
  s["output_keep_files"] = Int(&c->output_keep_files, 1, 1000);
  s["output_compress"] = Bool(&c->output_compress);
  s["coverage_interval"] = Duration(&c->coverage_interval);
  s["coverage_gap"] = Duration(&c->coverage_gap);
  s["on_blocked"] = OneOf(on_blocked, {"block", "drop"});
  s["coverage_silence_after"] = Duration(&c->coverage_silence_after);
  return s;
}

absl::Status LoadMetricsTable(const toml::node& m, std::string_view file, AgentConfig* c) {
  const toml::table* t = m.as_table();
  if (t == nullptr) return absl::InvalidArgumentError(absl::StrCat(Where(file, m.source()), ": 'metrics' must be a table"));
  for (const auto& [key, node] : *t) {
    if (key.str() != "listen") {
      return absl::InvalidArgumentError(absl::StrCat(Where(file, node.source()), ": unknown key '",
                                                     std::string(key.str()), "' in [metrics]"));
    }
    std::optional<std::string> err = Str(&c->metrics_listen)(node);
    if (!err && !ValidMetricsAddress(c->metrics_listen)) err = "must be HOST:PORT, e.g. \"127.0.0.1:9464\"";
    if (err) return absl::InvalidArgumentError(absl::StrCat(Where(file, node.source()), ": metrics.listen ", *err));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status LoadConfigTable(const toml::table& root, std::string_view file, AgentConfig* config) {
  AgentConfig c = *config;
  static const char* kKnown[] = {"agent", "metrics", "detector", "suppress", "maintenance", "generic"};
  for (const auto& [key, node] : root) {
    bool known = false;
    for (const char* k : kKnown) known = known || key.str() == k;
    if (!known) {
      return absl::InvalidArgumentError(absl::StrCat(
          Where(file, node.source()), ": unknown key '", std::string(key.str()),
          "' (known tables: [agent], [metrics], [detector], [[suppress]], [[maintenance]], [generic])"));
    }
  }
  if (const toml::node* a = root.get("agent")) {
    const toml::table* t = a->as_table();
    if (t == nullptr) return absl::InvalidArgumentError(absl::StrCat(Where(file, a->source()), ": 'agent' must be a table"));
    std::string mode = c.annotate ? "annotate" : "filter";
    std::string start_at = c.from_tail ? "tail" : "head";
    std::string on_blocked = c.drop_when_blocked ? "drop" : "block";
    auto setters = AgentSetters(&c, &mode, &start_at, &on_blocked);
    for (const auto& [key, node] : *t) {
      auto it = setters.find(std::string(key.str()));
      if (it == setters.end()) {
        return absl::InvalidArgumentError(absl::StrCat(Where(file, node.source()), ": unknown key '",
                                                       std::string(key.str()), "' in [agent]"));
      }
      if (std::optional<std::string> err = it->second(node)) {
        return absl::InvalidArgumentError(
            absl::StrCat(Where(file, node.source()), ": agent.", std::string(key.str()), " ", *err));
      }
    }
    c.annotate = mode == "annotate";
    c.from_tail = start_at == "tail";
    c.drop_when_blocked = on_blocked == "drop";
  }
  if (const toml::node* m = root.get("metrics")) {
    if (absl::Status s = LoadMetricsTable(*m, file, &c); !s.ok()) return s;
  }
  if (absl::Status s = LoadDetectorConfig(root, &c.detector, file); !s.ok()) return s;
  if (const toml::node* g = root.get("generic")) {
    const toml::table* t = g->as_table();
    if (t == nullptr) return absl::InvalidArgumentError(absl::StrCat(Where(file, g->source()), ": 'generic' must be a table"));
    GenericMapping m;
    if (absl::Status s = LoadGenericMapping(*t, &m); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(ToAbsl(file), ": ", s.message()));
    }
    c.generic = std::move(m);
  }
  *config = std::move(c);
  return absl::OkStatus();
}

absl::Status LoadConfigFile(const std::string& file, AgentConfig* config) {
  std::ifstream in(file);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", file, ": ", std::strerror(errno)));
  std::stringstream text;
  text << in.rdbuf();
  // Debian's toml++ is a shared library built with exceptions: its parse
  // error arrives as one, caught here and turned into a Status.
  toml::table table;
  try {
    table = toml::parse(text.str(), file);
  } catch (const toml::parse_error& e) {
    return absl::InvalidArgumentError(absl::StrCat(file, ":", static_cast<uint64_t>(e.source().begin.line), ": ",
                                                   std::string(e.description())));
  }
  return LoadConfigTable(table, file, config);
}

absl::Status ValidateAgentConfig(const AgentConfig& c) {
  InputFormat f;
  if (!ParseInputFormat(c.format, &f)) return absl::InvalidArgumentError(absl::StrCat("unknown --format '", c.format, "'"));
  if (f == InputFormat::kGeneric && !c.generic) {
    return absl::InvalidArgumentError("--format generic needs a [generic] mapping in the config file");
  }
  if (c.follow && c.inputs.empty()) return absl::InvalidArgumentError("--follow needs FILE or GLOB arguments");
  if (!c.metrics_listen.empty() && !ValidMetricsAddress(c.metrics_listen)) {
    return absl::InvalidArgumentError(absl::StrCat("--metrics '", c.metrics_listen, "' must be HOST:PORT, e.g. 127.0.0.1:9464"));
  }
  if (c.memory_budget_bytes < 4 * c.chunk_bytes) {
    return absl::InvalidArgumentError("memory_budget_bytes must hold at least 4 chunks (4 x chunk_bytes)");
  }
  return absl::OkStatus();
}

}  // namespace exfilter
