#include "pipeline/sink.h"

#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "util/strings.h"

namespace exfilter {
namespace {

absl::Status WriteAll(int fd, std::string_view data, const std::string& name) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(absl::StrCat("cannot write to ", name, ": ", std::strerror(errno)));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

class FdSinkImpl : public Sink {
 public:
  FdSinkImpl(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  absl::Status Write(std::string_view data) override { return WriteAll(fd_, data, name_); }
  absl::Status Flush() override { return absl::OkStatus(); }

 private:
  int fd_;
  std::string name_;
};

absl::Status CompressFile(const std::string& from, const std::string& to) {
  int in = open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return absl::UnavailableError(absl::StrCat("cannot open ", from, ": ", std::strerror(errno)));
  int out = open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) {
    close(in);
    return absl::UnavailableError(absl::StrCat("cannot create ", to, ": ", std::strerror(errno)));
  }
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  std::vector<char> ibuf(ZSTD_CStreamInSize()), obuf(ZSTD_CStreamOutSize());
  absl::Status status;
  while (status.ok()) {
    ssize_t n = read(in, ibuf.data(), ibuf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = absl::UnavailableError(absl::StrCat("cannot read ", from));
      break;
    }
    ZSTD_EndDirective mode = n == 0 ? ZSTD_e_end : ZSTD_e_continue;
    ZSTD_inBuffer zin{ibuf.data(), static_cast<size_t>(n), 0};
    bool done = false;
    while (!done && status.ok()) {
      ZSTD_outBuffer zout{obuf.data(), obuf.size(), 0};
      size_t rem = ZSTD_compressStream2(cctx, &zout, &zin, mode);
      if (ZSTD_isError(rem)) status = absl::InternalError(ZSTD_getErrorName(rem));
      if (status.ok()) status = WriteAll(out, {obuf.data(), zout.pos}, to);
      done = mode == ZSTD_e_end ? rem == 0 : zin.pos == zin.size;
    }
    if (n == 0) break;
  }
  ZSTD_freeCCtx(cctx);
  close(in);
  close(out);
  if (status.ok()) unlink(from.c_str());
  return status;
}

class FileSinkImpl : public Sink {
 public:
  FileSinkImpl(std::string path, const SinkOptions& options) : path_(std::move(path)), options_(options) {}
  ~FileSinkImpl() override {
    if (fd_ >= 0) close(fd_);
  }
  absl::Status Open() {
    fd_ = open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) return absl::PermissionDeniedError(absl::StrCat("cannot open output file ", path_, ": ", std::strerror(errno)));
    struct stat st;
    size_ = fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
    return absl::OkStatus();
  }
  absl::Status Write(std::string_view data) override {
    // Rotate on line boundaries only: split the block where the limit falls.
    while (!data.empty()) {
      size_t take = data.size();
      if (options_.rotate_bytes > 0 && size_ + take > options_.rotate_bytes) {
        size_t room = size_ < options_.rotate_bytes ? options_.rotate_bytes - size_ : 0;
        size_t cut = data.rfind('\n', room == 0 ? 0 : room - 1);
        take = cut == std::string_view::npos ? 0 : cut + 1;
        if (take == 0 && size_ == 0) {  // one line longer than the limit
          size_t nl = data.find('\n');
          take = nl == std::string_view::npos ? data.size() : nl + 1;
        }
      }
      if (take > 0) {
        if (absl::Status s = WriteAll(fd_, data.substr(0, take), path_); !s.ok()) return s;
        size_ += take;
        data.remove_prefix(take);
      }
      if (!data.empty()) {
        if (absl::Status s = Rotate(); !s.ok()) return s;
      }
    }
    return absl::OkStatus();
  }
  absl::Status Flush() override { return absl::OkStatus(); }

 private:
  std::string Rotated(int i) const {
    return absl::StrCat(path_, ".", i, options_.compress ? ".zst" : "");
  }
  absl::Status Rotate() {
    close(fd_);
    fd_ = -1;
    const int keep = std::max(1, options_.keep_files);
    unlink(Rotated(keep).c_str());
    for (int i = keep - 1; i >= 1; --i) rename(Rotated(i).c_str(), Rotated(i + 1).c_str());
    const std::string first = absl::StrCat(path_, ".1");
    if (rename(path_.c_str(), first.c_str()) != 0) {
      return absl::UnavailableError(absl::StrCat("cannot rotate ", path_, ": ", std::strerror(errno)));
    }
    if (options_.compress) {
      if (absl::Status s = CompressFile(first, Rotated(1)); !s.ok()) return s;
    }
    return Open();
  }

  std::string path_;
  SinkOptions options_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

class TcpSinkImpl : public Sink {
 public:
  TcpSinkImpl(std::string host, int port, const SinkOptions& options)
      : host_(std::move(host)), port_(port), options_(options), name_(absl::StrCat("tcp://", host_, ":", port)) {}
  ~TcpSinkImpl() override { Disconnect(); }

  absl::Status Write(std::string_view data) override {
    absl::Duration backoff = options_.retry_initial;
    for (int attempt = 1;; ++attempt) {
      absl::Status s = fd_ >= 0 ? absl::OkStatus() : Connect();
      if (s.ok()) s = WriteAll(fd_, data, name_);
      if (s.ok()) return s;
      Disconnect();  // the whole block is sent again: at-least-once
      if (options_.max_attempts > 0 && attempt >= options_.max_attempts) return s;
      if (options_.stop != nullptr && options_.stop->load()) return s;
      if (options_.retries != nullptr) options_.retries->fetch_add(1, std::memory_order_relaxed);
      std::this_thread::sleep_for(absl::ToChronoMilliseconds(backoff));
      backoff = std::min(backoff * 2, options_.retry_max);
    }
  }
  absl::Status Flush() override { return absl::OkStatus(); }

  absl::Status Connect() {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string port = std::to_string(port_);
    if (int rc = getaddrinfo(host_.c_str(), port.c_str(), &hints, &res); rc != 0) {
      return absl::UnavailableError(absl::StrCat("cannot resolve ", name_, ": ", gai_strerror(rc)));
    }
    int err = 0;
    for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
      int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) continue;
      if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
        fd_ = fd;
        break;
      }
      err = errno;
      close(fd);
    }
    freeaddrinfo(res);
    if (fd_ < 0) return absl::UnavailableError(absl::StrCat("cannot connect to ", name_, ": ", std::strerror(err)));
    return absl::OkStatus();
  }

 private:
  void Disconnect() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  std::string host_;
  int port_;
  SinkOptions options_;
  std::string name_;
  int fd_ = -1;
};

}  // namespace

std::unique_ptr<Sink> FdSink(int fd, std::string name) { return std::make_unique<FdSinkImpl>(fd, std::move(name)); }

absl::StatusOr<std::unique_ptr<Sink>> FileSink(std::string path, const SinkOptions& options) {
  auto sink = std::make_unique<FileSinkImpl>(std::move(path), options);
  if (absl::Status s = sink->Open(); !s.ok()) return s;
  return std::unique_ptr<Sink>(std::move(sink));
}

absl::StatusOr<std::unique_ptr<Sink>> TcpSink(std::string host, int port, const SinkOptions& options) {
  signal(SIGPIPE, SIG_IGN);  // a closed peer is an error to retry, not a fatal signal
  return std::unique_ptr<Sink>(std::make_unique<TcpSinkImpl>(std::move(host), port, options));
}

absl::StatusOr<std::unique_ptr<Sink>> OpenSink(std::string_view uri, const SinkOptions& options) {
  if (uri == "-" || uri == "stdout") return FdSink(1, "stdout");
  if (uri.substr(0, 5) == "file:") {
    std::string path(uri.substr(5));
    if (path.empty()) return absl::InvalidArgumentError("output 'file:' needs a path, e.g. file:/var/log/exfilter.ndjson");
    return FileSink(std::move(path), options);
  }
  if (uri.substr(0, 6) == "tcp://") {
    std::string_view rest = uri.substr(6);
    size_t colon = rest.rfind(':');
    int port = 0;
    if (colon == std::string_view::npos || colon == 0 || !absl::SimpleAtoi(ToAbsl(rest.substr(colon + 1)), &port) ||
        port <= 0 || port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("output '", std::string(uri), "' must be tcp://HOST:PORT"));
    }
    std::string host(rest.substr(0, colon));
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return TcpSink(std::move(host), port, options);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown output '", std::string(uri), "': use -, file:PATH or tcp://HOST:PORT"));
}

}  // namespace exfilter
