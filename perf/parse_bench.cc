// Parse throughput on one thread: ChunkParser over a realistic mixed stream
// (M365 / Google Workspace / Box in about 60/25/15 shares, ~900 bytes per
// event, 3000 users; seeded variations of corpus-shaped events), against
// simdjson's own DOM parse_many over the same bytes. Targets: >= 1.5 GB/s and
// >= 1.1x DOM. BM_IndexFloor: stage 1 alone, and stage 1 plus the least walk
// over its index (the floor of a parser on simdjson's index, as ours is).
// EXFILTER_PARSE_BENCH_INPUT=FILE benchmarks a file instead;
// EXFILTER_PARSE_BENCH_DUMP=FILE writes the stream out (to profile or split it).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include "parsers/chunk_parser.h"

namespace exfilter {
namespace {

constexpr int kUsers = 3000;
constexpr size_t kStreamBytes = size_t{64} << 20;
constexpr size_t kChunkBytes = size_t{1} << 20;

std::string Hex(std::mt19937_64& rng, int n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(kHex[rng() & 15]);
  return s;
}

std::string Guid(std::mt19937_64& rng) {
  return Hex(rng, 8) + "-" + Hex(rng, 4) + "-" + Hex(rng, 4) + "-" + Hex(rng, 4) + "-" +
         Hex(rng, 12);
}

std::string Pick(std::mt19937_64& rng, std::initializer_list<const char*> xs) {
  return *(xs.begin() + rng() % xs.size());
}

std::string Time(std::mt19937_64& rng, const char* suffix) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "2024-%02d-%02dT%02d:%02d:%02d%s", int(1 + rng() % 12),
                int(1 + rng() % 28), int(rng() % 24), int(rng() % 60), int(rng() % 60), suffix);
  return buf;
}

std::string User(std::mt19937_64& rng) { return "user" + std::to_string(rng() % kUsers); }

std::string Ip(std::mt19937_64& rng) {
  return std::to_string(rng() % 223 + 1) + "." + std::to_string(rng() % 256) + "." +
         std::to_string(rng() % 256) + "." + std::to_string(rng() % 254 + 1);
}

// Shaped like corpus m365_files.ndjson (OneDrive file operation).
std::string M365Event(std::mt19937_64& rng) {
  std::string user = User(rng), file = "Report " + Hex(rng, 6) + ".xlsx";
  std::string site = "https://contoso-my.sharepoint.com/personal/" + user + "_contoso_com/";
  return "{\"SiteUrl\": \"" + site + "\", \"OrganizationId\": \"b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd\", \"CreationTime\": \"" +
         Time(rng, "") + "\", \"ListId\": \"" + Guid(rng) +
         "\", \"SourceRelativeUrl\": \"Documents\", \"RecordType\": 6, \"UserId\": \"" + user +
         "@Contoso.com\", \"SourceFileExtension\": \"xlsx\", \"UserType\": 0, \"EventSource\": \"SharePoint\", "
         "\"UserAgent\": \"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\", \"ClientIP\": \"" +
         Ip(rng) + (rng() % 4 == 0 ? ":443" : "") + "\", \"CorrelationId\": \"" + Guid(rng) +
         "\", \"Workload\": \"OneDrive\", \"ObjectId\": \"" + site + "Documents/" + file +
         "\", \"WebId\": \"" + Guid(rng) + "\", \"SourceFileName\": \"" + file +
         "\", \"UserKey\": \"i:0h.f|membership|" + Hex(rng, 16) +
         "@live.com\", \"ItemType\": \"File\", \"ListItemUniqueId\": \"" + Guid(rng) +
         "\", \"Site\": \"" + Guid(rng) + "\", \"Version\": 1, \"Operation\": \"" +
         Pick(rng, {"FileAccessed", "FileAccessed", "FileModified", "FileUploaded",
                    "FileDownloaded", "FileSyncUploadedFull", "FolderCreated", "FileCopied"}) +
         "\", \"Id\": \"" + Guid(rng) + "\"}";
}

// Shaped like corpus gws_drive.ndjson (Elastic-split Reports API activity).
std::string GoogleEvent(std::mt19937_64& rng) {
  std::string user = User(rng);
  return "{\"kind\":\"admin#reports#activity\",\"id\":{\"time\":\"" + Time(rng, ".123Z") +
         "\",\"uniqueQualifier\":\"-" + std::to_string(rng() >> 2) +
         "\",\"applicationName\":\"drive\",\"customerId\":\"C03az79cb\"},\"actor\":{\"callerType\":\"USER\",\"email\":\"" +
         user + "@contoso.com\",\"profileId\":\"1" + std::to_string(rng() % 100000000000ull) +
         "\"},\"ownerDomain\":\"contoso.com\",\"ipAddress\":\"" + Ip(rng) +
         "\",\"events\":{\"type\":\"access\",\"name\":\"" +
         Pick(rng, {"view", "view", "edit", "upload", "create", "download"}) +
         "\",\"parameters\":[{\"name\":\"billable\",\"boolValue\":true},{\"name\":\"doc_id\",\"value\":\"1" +
         Hex(rng, 32) + "\"},{\"name\":\"doc_title\",\"value\":\"Quarterly plan " + Hex(rng, 4) +
         "\"},{\"name\":\"doc_type\",\"value\":\"document\"},{\"name\":\"originating_app_id\",\"value\":\"691301496089\"},"
         "{\"name\":\"owner\",\"value\":\"" + user +
         "@contoso.com\"},{\"name\":\"owner_is_shared_drive\",\"boolValue\":false},{\"name\":\"primary_event\",\"boolValue\":true},"
         "{\"name\":\"visibility\",\"value\":\"private\"},{\"name\":\"actor_is_collaborator_account\",\"boolValue\":false}]}}";
}

// Shaped like corpus box_events.ndjson (enterprise stream event).
std::string BoxEvent(std::mt19937_64& rng) {
  std::string user = User(rng);
  return "{\"source\":{\"item_type\":\"file\",\"item_id\":\"" + std::to_string(rng() % 1000000000000ull) +
         "\",\"item_name\":\"design-" + Hex(rng, 6) +
         ".pdf\",\"parent\":{\"type\":\"folder\",\"name\":\"Projects\",\"id\":\"" +
         std::to_string(rng() % 100000000) +
         "\"},\"owned_by\":{\"type\":\"user\",\"id\":\"14342567114\",\"name\":\"Owner Name\",\"login\":\"owner@contoso.com\"}},"
         "\"created_by\":{\"type\":\"user\",\"id\":\"" + std::to_string(rng() % 100000000000ull) +
         "\",\"name\":\"Some User\",\"login\":\"" + user + "@contoso.com\"},\"created_at\":\"" +
         Time(rng, "-08:00") + "\",\"event_id\":\"" + Guid(rng) + "\",\"event_type\":\"" +
         Pick(rng, {"PREVIEW", "DOWNLOAD", "UPLOAD", "COPY", "EDIT", "LOGIN"}) +
         "\",\"ip_address\":\"" + Ip(rng) +
         "\",\"type\":\"event\",\"session_id\":null,\"additional_details\":{\"size\":" +
         std::to_string(rng() % 100000000) + ",\"version_id\":\"" +
         std::to_string(rng() % 1000000000000ull) + "\",\"service_id\":\"" +
         std::to_string(rng() % 100000) + "\",\"service_name\":\"Box Sync for Windows\"}}";
}

const std::string& Stream() {
  static const std::string* stream = [] {
    auto* s = new std::string;
    if (const char* path = std::getenv("EXFILTER_PARSE_BENCH_INPUT")) {  // e.g. `exfilter gen -o -`
      std::ifstream in(path, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      *s = ss.str();
      s->reserve(s->size() + kParsePadding);
      std::fprintf(stderr, "stream: %zu bytes from %s\n", s->size(), path);
      return s;
    }
    std::mt19937_64 rng(42);
    s->reserve(kStreamBytes + kChunkBytes);
    size_t n[3] = {0, 0, 0};
    while (s->size() < kStreamBytes) {
      int r = static_cast<int>(rng() % 100);
      int k = r < 60 ? 0 : r < 85 ? 1 : 2;
      ++n[k];
      *s += k == 0 ? M365Event(rng) : k == 1 ? GoogleEvent(rng) : BoxEvent(rng);
      *s += '\n';
    }
    size_t events = n[0] + n[1] + n[2];
    std::fprintf(stderr, "stream: %zu bytes, %zu events (%.0f bytes/event), m365/google/box %zu/%zu/%zu\n",
                 s->size(), events, double(s->size()) / events, n[0], n[1], n[2]);
    if (const char* dump = std::getenv("EXFILTER_PARSE_BENCH_DUMP")) {  // the stream, for profiling
      std::ofstream(dump, std::ios::binary) << *s;
    }
    s->append(kParsePadding, ' ');
    s->resize(s->size() - kParsePadding);  // padding stays allocated and readable
    return s;
  }();
  return *stream;
}

struct CountSink {
  uint64_t events = 0, errors = 0, sum = 0;
  void OnEvent(const AuditEvent& ev) {
    ++events;
    sum += ev.user.size() + ev.op.size() + ev.ip.size() + static_cast<uint64_t>(ev.time_ms) +
           static_cast<uint64_t>(ev.action);
  }
  void OnError(const ParseError&) { ++errors; }
};

void BM_ParseChunk(benchmark::State& state) {
  const std::string& s = Stream();
  ChunkParser parser;
  CountSink sink;
  for (auto _ : state) {
    size_t pos = 0;
    while (pos < s.size()) {  // reads of kChunkBytes; the tail is re-offered
      size_t len = std::min(kChunkBytes, s.size() - pos);
      size_t used = parser.Parse(s.data() + pos, len, sink);
      if (pos + len == s.size() && used < len) {
        parser.ParseLast(s.data() + pos + used, len - used, sink);
        used = len;
      }
      pos += used;
    }
    benchmark::DoNotOptimize(sink.sum);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * s.size()));
  state.counters["events"] = static_cast<double>(sink.events) / state.iterations();
  state.counters["errors"] = static_cast<double>(sink.errors);
}
BENCHMARK(BM_ParseChunk)->Unit(benchmark::kMillisecond)->MinTime(3);

void BM_DomParseMany(benchmark::State& state) {
  const std::string& s = Stream();
  simdjson::dom::parser parser;
  parser.threaded = false;
  uint64_t docs = 0;
  for (auto _ : state) {
    simdjson::dom::document_stream stream;
    if (parser.parse_many(s.data(), s.size(), kChunkBytes).get(stream)) {
      state.SkipWithError("parse_many failed");
      return;
    }
    for (auto doc : stream) {
      simdjson::dom::element e;
      if (doc.get(e) == simdjson::SUCCESS) ++docs;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * s.size()));
  state.counters["docs"] = static_cast<double>(docs) / state.iterations();
}
BENCHMARK(BM_DomParseMany)->Unit(benchmark::kMillisecond)->MinTime(3);

// The floor of any parser built on simdjson's stage-1 index, as ChunkParser
// is: stage 1 over the same 128 KiB line-aligned batches the parser uses,
// then (walk = 1) a pass that reads the byte of every structural and counts
// nesting depth, which any reader of the index must at least do (a nested
// value can only be skipped by visiting its structurals). Everything a parser
// does beyond that (keys, values, grammar, normalization) comes on top.
void BM_IndexFloor(benchmark::State& state) {
  const std::string& s = Stream();
  const bool walk = state.range(0) != 0;
  std::unique_ptr<simdjson::internal::dom_parser_implementation> impl;
  if (simdjson::get_active_implementation()->create_dom_parser_implementation(
          size_t{1} << 20, simdjson::DEFAULT_MAX_DEPTH, impl) != simdjson::SUCCESS) {
    state.SkipWithError("no stage 1");
    return;
  }
  constexpr size_t kBatch = size_t{128} << 10;
  uint64_t seen = 0;
  for (auto _ : state) {
    size_t pos = 0;
    while (pos < s.size()) {
      size_t end = std::min(s.size(), pos + kBatch);
      if (end < s.size()) {
        end = static_cast<size_t>(static_cast<const char*>(memrchr(s.data() + pos, '\n', end - pos)) -
                                  s.data()) + 1;
      }
      if (impl->stage1(reinterpret_cast<const uint8_t*>(s.data() + pos), end - pos,
                       simdjson::stage1_mode::regular) != simdjson::SUCCESS) {
        state.SkipWithError("stage 1 failed");
        return;
      }
      if (walk) {
        const char* buf = s.data() + pos;
        const uint32_t* idx = impl->structural_indexes.get();
        int depth = 0;
        for (uint32_t i = 0; i < impl->n_structural_indexes; ++i) {
          const char c = buf[idx[i]];
          depth += (c == '{' || c == '[') - (c == '}' || c == ']');
          seen += static_cast<unsigned char>(c);
        }
        seen += static_cast<uint64_t>(depth);
      }
      pos = end;
    }
  }
  benchmark::DoNotOptimize(seen);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * s.size()));
}
BENCHMARK(BM_IndexFloor)->ArgName("walk")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(3);

}  // namespace
}  // namespace exfilter

BENCHMARK_MAIN();
