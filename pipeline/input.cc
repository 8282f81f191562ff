#include "pipeline/input.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace exfilter {
namespace {

absl::Status ErrnoStatus(int err, std::string_view what, std::string_view name) {
  std::string msg = absl::StrCat(std::string(what), " ", std::string(name), ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(msg);
  if (err == EISDIR) return absl::InvalidArgumentError(msg);
  return absl::UnavailableError(msg);
}

class FdInputImpl : public Input {
 public:
  FdInputImpl(int fd, bool owned, std::string name) : fd_(fd), owned_(owned), name_(std::move(name)) {
    struct stat st;
    is_stream_ = fstat(fd_, &st) == 0 && !S_ISREG(st.st_mode);
    // A 64 KiB pipe means a read, a wakeup of the writer and a short chunk per
    // 64 KiB; 1 MiB (the unprivileged maximum) lets reads fill whole chunks.
    if (is_stream_ && S_ISFIFO(st.st_mode)) (void)fcntl(fd_, F_SETPIPE_SZ, 1 << 20);
  }
  bool AtEnd() const override { return at_end_; }
  bool MoreNow() override {
    if (!is_stream_) return !at_end_;
    pollfd p{fd_, POLLIN, 0};
    return poll(&p, 1, 0) > 0 && (p.revents & POLLIN) != 0;
  }
  ~FdInputImpl() override {
    if (owned_) close(fd_);
  }
  absl::StatusOr<size_t> Read(char* buf, size_t cap) override {
    if (is_stream_) {  // wait at most a moment, so a stop request is seen
      pollfd p{fd_, POLLIN, 0};
      int rc = poll(&p, 1, 200);
      if (rc == 0 || (rc < 0 && errno == EINTR)) {
        at_end_ = false;
        return size_t{0};
      }
    }
    while (true) {
      ssize_t n = read(fd_, buf, cap);
      at_end_ = n == 0;
      if (n >= 0) return static_cast<size_t>(n);
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return size_t{0};
      return ErrnoStatus(errno, "cannot read", name_);
    }
  }

 private:
  int fd_;
  bool owned_;
  std::string name_;
  bool is_stream_ = false;
  bool at_end_ = false;
};

class ZstdInputImpl : public Input {
 public:
  ZstdInputImpl(std::unique_ptr<Input> in, std::string name)
      : in_(std::move(in)), name_(std::move(name)), dctx_(ZSTD_createDCtx()), inbuf_(ZSTD_DStreamInSize()) {}
  ~ZstdInputImpl() override { ZSTD_freeDCtx(dctx_); }
  bool AtEnd() const override { return in_->AtEnd(); }
  bool MoreNow() override { return pos_ < filled_ || in_->MoreNow(); }

  absl::StatusOr<size_t> Read(char* buf, size_t cap) override {
    if (cap == 0) return size_t{0};
    size_t produced = 0;
    while (produced == 0) {
      if (pos_ == filled_) {
        absl::StatusOr<size_t> n = in_->Read(inbuf_.data(), inbuf_.size());
        if (!n.ok()) return n.status();
        if (*n == 0) {
          if (!in_->AtEnd()) return size_t{0};
          if (!frame_done_) return absl::DataLossError(absl::StrCat("truncated zstd stream in ", name_));
          return size_t{0};
        }
        filled_ = *n;
        pos_ = 0;
      }
      ZSTD_inBuffer zin{inbuf_.data(), filled_, pos_};
      ZSTD_outBuffer zout{buf, cap, 0};
      size_t rc = ZSTD_decompressStream(dctx_, &zout, &zin);
      if (ZSTD_isError(rc)) {
        return absl::DataLossError(absl::StrCat("corrupt zstd data in ", name_, ": ", ZSTD_getErrorName(rc)));
      }
      frame_done_ = rc == 0;
      pos_ = zin.pos;
      produced = zout.pos;
    }
    return produced;
  }

 private:
  std::unique_ptr<Input> in_;
  std::string name_;
  ZSTD_DCtx* dctx_;
  std::vector<char> inbuf_;
  size_t filled_ = 0;
  size_t pos_ = 0;
  bool frame_done_ = true;
};

class StringInputImpl : public Input {
 public:
  StringInputImpl(std::string text, size_t max_read) : text_(std::move(text)), max_read_(max_read) {}
  bool MoreNow() override { return pos_ < text_.size(); }
  absl::StatusOr<size_t> Read(char* buf, size_t cap) override {
    size_t n = std::min({cap, max_read_, text_.size() - pos_});
    std::memcpy(buf, text_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string text_;
  size_t max_read_;
  size_t pos_ = 0;
};

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::unique_ptr<Input> FdInput(int fd, bool owned, std::string name) {
  return std::make_unique<FdInputImpl>(fd, owned, std::move(name));
}

std::unique_ptr<Input> ZstdInput(std::unique_ptr<Input> compressed, std::string name) {
  return std::make_unique<ZstdInputImpl>(std::move(compressed), std::move(name));
}

std::unique_ptr<Input> StringInput(std::string text, size_t max_read) {
  return std::make_unique<StringInputImpl>(std::move(text), max_read);
}

absl::StatusOr<std::unique_ptr<Input>> OpenInput(const std::string& path, uint64_t offset) {
  std::unique_ptr<Input> in;
  const bool zst = EndsWith(path, ".zst");
  if (path == "-") {
    in = FdInput(0, false, "stdin");
  } else {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(errno, "cannot open", path);
    if (!zst && offset > 0 && lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
      int err = errno;
      close(fd);
      return ErrnoStatus(err, "cannot seek in", path);
    }
    in = FdInput(fd, true, path);
  }
  if (!zst) return in;
  in = ZstdInput(std::move(in), path);
  // Compressed streams cannot seek: decompress and discard up to `offset`.
  std::vector<char> skip(1 << 16);
  while (offset > 0) {
    absl::StatusOr<size_t> n = in->Read(skip.data(), std::min<uint64_t>(offset, skip.size()));
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    offset -= *n;
  }
  return in;
}

}  // namespace exfilter
