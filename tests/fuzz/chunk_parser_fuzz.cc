// libFuzzer target over ChunkParser: the input is fed through a reader-like
// loop (fixed buffer, tail carried to the next call) with a chunk size, a
// record limit and a format taken from the first bytes. Checks the contract:
// no crash, consumed <= len, every error and event view inside the buffer,
// the tail never longer than the record limit.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "parsers/chunk_parser.h"

namespace {

using exfilter::AuditEvent;
using exfilter::ParseError;

struct CheckSink {
  const char* buf = nullptr;
  size_t len = 0;
  void Inside(const char* p, size_t n) const {
    if (n == 0) return;
    if (p < buf || p + n > buf + len) __builtin_trap();
  }
  void OnEvent(const AuditEvent& ev) {
    Inside(ev.raw.data(), ev.raw.size());
    volatile size_t sink = ev.user.size() + ev.op.size() + ev.ip.size() + ev.id.size() +
                           ev.object.size() + ev.destination.size();
    (void)sink;
  }
  void OnError(const ParseError& err) {
    if (err.offset > len || err.length > len - err.offset) __builtin_trap();
  }
};

exfilter::GenericMapping Mapping() {
  exfilter::GenericMapping m;
  m.user = "/userIdentity/arn";
  m.time = "/eventTime";
  m.op = "/eventName";
  m.ip = "/sourceIPAddress";
  m.id = "/eventID";
  m.ops["PutObject"] = exfilter::ActionClass::kUpload;
  return m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t chunk = 1 + (data[0] & 0x3f) * 37;
  exfilter::ParserOptions options;
  options.max_record_bytes = (data[1] & 1) ? 256 : 4096;
  static constexpr exfilter::InputFormat kFormats[] = {
      exfilter::InputFormat::kAuto, exfilter::InputFormat::kAuto, exfilter::InputFormat::kM365,
      exfilter::InputFormat::kGoogle, exfilter::InputFormat::kBox,
      exfilter::InputFormat::kGeneric};
  options.format = kFormats[(data[1] >> 1) % 6];
  if ((data[1] & 0x40) || options.format == exfilter::InputFormat::kGeneric)
    options.generic = Mapping();
  data += 2;
  size -= 2;

  exfilter::ChunkParser parser(std::move(options));
  const size_t cap = chunk + parser.options().max_record_bytes + 1;
  std::vector<char> buf(cap + exfilter::kParsePadding, ' ');
  CheckSink sink;
  size_t have = 0, pos = 0;
  while (pos < size) {
    size_t n = std::min({chunk, cap - have, size - pos});
    std::memcpy(buf.data() + have, data + pos, n);
    have += n;
    pos += n;
    std::memset(buf.data() + have, ' ', exfilter::kParsePadding);
    sink.buf = buf.data();
    sink.len = have;
    size_t used = parser.Parse(buf.data(), have, sink);
    if (used > have) __builtin_trap();
    if (have - used > parser.options().max_record_bytes) __builtin_trap();
    std::memmove(buf.data(), buf.data() + used, have - used);
    have -= used;
  }
  std::memset(buf.data() + have, ' ', exfilter::kParsePadding);
  sink.buf = buf.data();
  sink.len = have;
  parser.ParseLast(buf.data(), have, sink);
  return 0;
}
