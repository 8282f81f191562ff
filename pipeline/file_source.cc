#include "pipeline/file_source.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "util/hash.h"

namespace exfilter {
namespace {

absl::Status Errno(int err, std::string_view what, const std::string& path) {
  std::string msg = absl::StrCat(std::string(what), " ", path, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(msg);
  return absl::UnavailableError(msg);
}

class PosixFile : public OpenFile {
 public:
  PosixFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixFile() override { close(fd_); }
  absl::StatusOr<size_t> ReadAt(uint64_t offset, char* buf, size_t n) override {
    while (true) {
      ssize_t r = pread(fd_, buf, n, static_cast<off_t>(offset));
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) return Errno(errno, "cannot read", path_);
    }
  }
  absl::StatusOr<FileStat> Stat() override {
    struct stat st;
    if (fstat(fd_, &st) != 0) return Errno(errno, "cannot stat", path_);
    return FileStat{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                    static_cast<uint64_t>(st.st_size)};
  }

 private:
  int fd_;
  std::string path_;
};

class PosixFileSystem : public FileSystem {
 public:
  absl::StatusOr<std::vector<std::string>> Glob(const std::string& pattern) override {
    glob_t g{};
    int rc = glob(pattern.c_str(), GLOB_ERR, nullptr, &g);
    std::vector<std::string> out;
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    }
    globfree(&g);
    if (rc != 0 && rc != GLOB_NOMATCH) {
      return absl::InvalidArgumentError(absl::StrCat("cannot expand pattern '", pattern, "'"));
    }
    return out;
  }
  absl::StatusOr<FileStat> Stat(const std::string& path) override {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return Errno(errno, "cannot stat", path);
    if (S_ISDIR(st.st_mode)) return absl::InvalidArgumentError(absl::StrCat(path, " is a directory"));
    return FileStat{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                    static_cast<uint64_t>(st.st_size)};
  }
  absl::StatusOr<std::unique_ptr<OpenFile>> Open(const std::string& path) override {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Errno(errno, "cannot open", path);
    return std::unique_ptr<OpenFile>(std::make_unique<PosixFile>(fd, path));
  }
};

class FileInputImpl : public Input {
 public:
  FileInputImpl(OpenFile* file, uint64_t* offset) : file_(file), offset_(offset) {}
  absl::StatusOr<size_t> Read(char* buf, size_t cap) override {
    absl::StatusOr<size_t> n = file_->ReadAt(*offset_, buf, cap);
    if (n.ok()) *offset_ += *n;
    return n;
  }

 private:
  OpenFile* file_;
  uint64_t* offset_;
};

}  // namespace

FileSystem* RealFileSystem() {
  static PosixFileSystem fs;
  return &fs;
}

bool HasGlobChars(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

absl::StatusOr<FileIdentity> Identify(OpenFile& file) {
  absl::StatusOr<FileStat> st = file.Stat();
  if (!st.ok()) return st.status();
  FileIdentity id{st->dev, st->ino, 0};
  char buf[kFingerprintBytes];
  absl::StatusOr<size_t> n = file.ReadAt(0, buf, sizeof(buf));
  if (!n.ok()) return n.status();
  const char* nl = static_cast<const char*>(std::memchr(buf, '\n', *n));
  if (nl != nullptr) {
    id.fingerprint = StableHash({buf, static_cast<size_t>(nl - buf + 1)}) | 1;
  } else if (*n == sizeof(buf)) {
    id.fingerprint = StableHash({buf, *n}) | 1;
  }
  return id;
}

std::unique_ptr<Input> OpenFileInput(OpenFile* file, uint64_t* offset) {
  return std::make_unique<FileInputImpl>(file, offset);
}

}  // namespace exfilter
