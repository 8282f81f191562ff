#include "pipeline/detect/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "util/hash.h"
#include "util/strings.h"

namespace exfilter {
namespace {
constexpr char kMagic[8] = {'E', 'X', 'F', 'C', 'K', 'P', 'T', '\0'};
constexpr size_t kHeaderSize = 8 + 4 + 4 + 8 + 8;
constexpr uint64_t kMaxStateBytes = uint64_t{1} << 36;  // 64 GiB: refuse absurd sizes

template <typename T>
void Put(std::string* out, T v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(v));
}
template <typename T>
T Get(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
}  // namespace

std::string EncodeCheckpoint(const Detector& detector, std::string_view extra) {
  std::string payload;
  Put<uint64_t>(&payload, extra.size());
  payload.append(extra);
  payload.append(detector.Serialize());
  std::string compressed(ZSTD_compressBound(payload.size()), '\0');
  size_t n = ZSTD_compress(compressed.data(), compressed.size(), payload.data(), payload.size(), 3);
  compressed.resize(ZSTD_isError(n) ? 0 : n);
  std::string out(kMagic, sizeof(kMagic));
  Put<uint32_t>(&out, kCheckpointVersion);
  Put<uint32_t>(&out, 0);
  Put<uint64_t>(&out, payload.size());
  Put<uint64_t>(&out, XXH3_64bits(compressed.data(), compressed.size()));
  out.append(compressed);
  return out;
}

absl::Status DecodeCheckpoint(std::string_view bytes, Detector* detector, std::string* extra) {
  extra->clear();
  auto fail = [&](std::string_view why) {
    (void)detector->Restore("");  // leaves it fresh
    return absl::DataLossError(absl::StrCat("checkpoint refused: ", ToAbsl(why)));
  };
  if (bytes.size() < kHeaderSize || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return fail("not an exfilter checkpoint (bad magic or too short)");
  }
  uint32_t version = Get<uint32_t>(bytes.data() + 8);
  if (version != kCheckpointVersion) {
    return fail(absl::StrCat("format version ", version, ", this build reads ",
                             kCheckpointVersion));
  }
  uint64_t raw_size = Get<uint64_t>(bytes.data() + 16);
  uint64_t checksum = Get<uint64_t>(bytes.data() + 24);
  std::string_view compressed = bytes.substr(kHeaderSize);
  if (XXH3_64bits(compressed.data(), compressed.size()) != checksum) {
    return fail("checksum mismatch (corrupt or truncated)");
  }
  if (raw_size > kMaxStateBytes || raw_size < 8) return fail("implausible size");
  std::string payload(raw_size, '\0');
  size_t n = ZSTD_decompress(payload.data(), payload.size(), compressed.data(), compressed.size());
  if (ZSTD_isError(n) || n != raw_size) return fail("decompression failed");
  uint64_t extra_size = Get<uint64_t>(payload.data());
  if (extra_size > raw_size - 8) return fail("extra section larger than the payload");
  std::string_view state = std::string_view(payload).substr(8 + extra_size);
  if (absl::Status s = detector->Restore(state); !s.ok()) {
    return absl::DataLossError(absl::StrCat("checkpoint refused: ", s.message()));
  }
  extra->assign(payload.data() + 8, extra_size);
  return absl::OkStatus();
}

absl::Status WriteCheckpoint(std::string_view path, const Detector& detector,
                             std::string_view extra) {
  std::string bytes = EncodeCheckpoint(detector, extra);
  std::string tmp = absl::StrCat(ToAbsl(path), ".tmp");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot create ", tmp, ": ", std::strerror(errno)));
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t w = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return absl::UnavailableError(absl::StrCat("cannot write ", tmp, ": ", std::strerror(e)));
    }
    off += static_cast<size_t>(w);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return absl::UnavailableError(absl::StrCat("cannot sync ", tmp, ": ", std::strerror(errno)));
  }
  std::string dst(path);
  if (::rename(tmp.c_str(), dst.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot rename ", tmp, " to ", dst, ": ",
                                               std::strerror(errno)));
  }
  // Make the rename durable: sync the directory.
  std::string dir = dst.find('/') == std::string::npos ? "." : dst.substr(0, dst.rfind('/') + 1);
  if (int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
  return absl::OkStatus();
}

absl::Status ReadCheckpoint(std::string_view path, Detector* detector, std::string* extra) {
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in) {
    extra->clear();
    return absl::NotFoundError(absl::StrCat("no checkpoint at ", ToAbsl(path)));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  absl::Status s = DecodeCheckpoint(ss.str(), detector, extra);
  if (!s.ok()) return absl::DataLossError(absl::StrCat(ToAbsl(path), ": ", s.message()));
  return s;
}

}  // namespace exfilter
