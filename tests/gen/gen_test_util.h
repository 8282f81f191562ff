// Helpers for the generator tests: a StreamSink that keeps everything in
// memory, and a parser sink that copies what the tests compare.
#pragma once

#include <string>
#include <vector>

#include "parsers/chunk_parser.h"
#include "perf/gen/generator.h"

namespace exfilter::gen {

class StringSink : public StreamSink {
 public:
  absl::Status Write(int stream, std::string_view lines) override {
    text[stream].append(lines);
    return absl::OkStatus();
  }
  std::string text[kNumServices];
};

struct ParsedEvent {
  Service service;
  ActionClass action;
  bool primary;
  int64_t time_ms;
  std::string user, op, ip, destination, app, id;
};

struct CollectSink {
  std::vector<ParsedEvent> events;
  std::vector<ParseError> errors;
  void OnEvent(const AuditEvent& ev) {
    events.push_back({ev.service, ev.action, ev.primary, ev.time_ms, std::string(ev.user),
                      std::string(ev.op), std::string(ev.ip), std::string(ev.destination),
                      std::string(ev.app), std::string(ev.id)});
  }
  void OnError(const ParseError& err) { errors.push_back(err); }
};

inline CollectSink ParseText(std::string_view text) {
  ChunkParser parser;
  CollectSink sink;
  ParseAll(parser, text, sink);
  return sink;
}

}  // namespace exfilter::gen
