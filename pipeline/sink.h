// Sink is where forwarded lines go: stdout, a file with size rotation
// (optionally zstd-compressed), or JSON lines over TCP with reconnect. Other
// kinds (HTTP, Kafka, Fluent Bit Forward) implement the same interface.
// Thread safety: none; a sink is used by the one writer thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace exfilter {

class Sink {
 public:
  virtual ~Sink() = default;
  // Writes all of `data` (whole lines). A sink retries transient failures
  // itself; an error Status means it gave up and the data was not accepted.
  virtual absl::Status Write(std::string_view data) = 0;
  // Pushes buffered bytes to the OS / peer. After OK, everything written
  // before is accepted (the checkpoint may move past it).
  virtual absl::Status Flush() = 0;
};

struct SinkOptions {
  uint64_t rotate_bytes = 0;        // file: rotate when the file reaches this size (0: never)
  int keep_files = 5;               // file: rotated files kept (PATH.1 ... PATH.N)
  bool compress = false;            // file: zstd-compress rotated files (PATH.1.zst)
  absl::Duration retry_initial = absl::Milliseconds(100);  // tcp backoff
  absl::Duration retry_max = absl::Seconds(10);
  int max_attempts = 0;             // tcp: give up after this many failed attempts (0: never)
  std::atomic<bool>* stop = nullptr;  // tcp: stop retrying once set (shutdown)
  std::atomic<uint64_t>* retries = nullptr;  // counts every retry
};

// "-" or "stdout" -> stdout; "file:PATH"; "tcp://HOST:PORT". Errors name
// the URI and say what is wrong with it.
absl::StatusOr<std::unique_ptr<Sink>> OpenSink(std::string_view uri, const SinkOptions& options);

std::unique_ptr<Sink> FdSink(int fd, std::string name);  // not closed
absl::StatusOr<std::unique_ptr<Sink>> FileSink(std::string path, const SinkOptions& options);
absl::StatusOr<std::unique_ptr<Sink>> TcpSink(std::string host, int port, const SinkOptions& options);

}  // namespace exfilter
