// Test helper: a ChunkParser sink that copies every event and error, so tests
// can assert on them after the parse.
// Thread safety: none.
#pragma once

#include <cstdint>
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

}  // namespace exfilter
