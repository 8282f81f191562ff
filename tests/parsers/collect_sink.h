// Test helper: a ChunkParser sink that copies every event and error, so tests
// can assert on them after the parse.
// Thread safety: none.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/chunk_parser.h"

namespace exfilter {

struct OwnedEvent {
  Service service;
  ActionClass action;
  bool primary;
  int64_t time_ms;
  std::string tenant, user, user_id, op, ip, object, destination, app, user_agent, id, raw;
};

struct CollectSink {
  std::vector<OwnedEvent> events;
  std::vector<ParseError> errors;
  std::vector<int> order;  // 0 = event, 1 = error, in delivery order

  void OnEvent(const AuditEvent& e) {
    events.push_back(OwnedEvent{e.service, e.action, e.primary, e.time_ms,
                                std::string(e.tenant), std::string(e.user),
                                std::string(e.user_id), std::string(e.op), std::string(e.ip),
                                std::string(e.object), std::string(e.destination),
                                std::string(e.app), std::string(e.user_agent),
                                std::string(e.id), std::string(e.raw)});
    order.push_back(0);
  }
  void OnError(const ParseError& e) {
    errors.push_back(e);
    order.push_back(1);
  }
};

inline std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline CollectSink ParseText(std::string_view text, ParserOptions options = {}) {
  ChunkParser parser(std::move(options));
  CollectSink sink;
  ParseAll(parser, text, sink);
  return sink;
}

// Feeds text through a fixed buffer the way a file reader does: read up to
// `chunk` bytes, Parse, move the unconsumed tail to the front, repeat.
inline CollectSink ParseInChunks(std::string_view text, size_t chunk, ParserOptions options = {}) {
  ChunkParser parser(std::move(options));
  CollectSink sink;
  size_t cap = chunk + parser.options().max_record_bytes + 1;
  std::vector<char> buf(cap + kParsePadding);
  size_t have = 0, pos = 0;
  while (pos < text.size()) {
    size_t n = std::min({chunk, cap - have, text.size() - pos});
    std::memcpy(buf.data() + have, text.data() + pos, n);
    have += n;
    pos += n;
    size_t used = parser.Parse(buf.data(), have, sink);
    std::memmove(buf.data(), buf.data() + used, have - used);
    have -= used;
  }
  parser.ParseLast(buf.data(), have, sink);
  return sink;
}

}  // namespace exfilter
