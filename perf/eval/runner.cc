#include "perf/eval/runner.h"

#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace exfilter {
namespace {

constexpr size_t kReadBytes = 1 << 20;

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

SequentialRunner::SequentialRunner(const DetectorConfig& config, std::unique_ptr<EventBuilder> builder,
                                   std::unique_ptr<Detector> detector, EvalObserver* observer)
    : config_(config), builder_(std::move(builder)), detector_(std::move(detector)), observer_(observer) {
  buf_.resize(2 * kReadBytes + kParsePadding);
}

absl::StatusOr<std::unique_ptr<SequentialRunner>> SequentialRunner::Create(
    const DetectorConfig& config, std::unique_ptr<EventBuilder> builder, EvalObserver* observer) {
  absl::StatusOr<std::unique_ptr<Detector>> detector = Detector::Create(config);
  if (!detector.ok()) return detector.status();
  return std::unique_ptr<SequentialRunner>(
      new SequentialRunner(config, std::move(builder), std::move(*detector), observer));
}

void SequentialRunner::OnEvent(const AuditEvent& ev) {
  ++events_;
  DetectorEvent dev;
  Decision decision;
  if (builder_->Build(ev, &dev)) decision = detector_->Observe(dev, &records_);
  observer_->OnDecision(ev, decision);
  if (!records_.empty()) Records();
}

void SequentialRunner::Records() {
  for (const DetectorRecord& r : records_) observer_->OnRecord(r);
  records_.clear();
}

void SequentialRunner::Feed(std::string_view bytes) {
  bytes_ += bytes.size();
  while (!bytes.empty()) {
    size_t room = buf_.size() - kParsePadding - used_;
    if (room == 0) {  // one line longer than the buffer: grow (the parser caps it)
      buf_.resize(buf_.size() * 2);
      continue;
    }
    size_t n = std::min(room, bytes.size());
    std::memcpy(buf_.data() + used_, bytes.data(), n);
    used_ += n;
    bytes.remove_prefix(n);
    size_t done = parser_.Parse(buf_.data(), used_, *this);
    std::memmove(buf_.data(), buf_.data() + done, used_ - done);
    used_ -= done;
  }
}

void SequentialRunner::Finish() {
  if (used_ > 0) parser_.ParseLast(buf_.data(), used_, *this);
  used_ = 0;
  detector_->Flush(&records_);
  Records();
}

absl::Status SequentialRunner::FeedFile(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return absl::NotFoundError(path + ": " + std::strerror(errno));
  std::vector<char> in(kReadBytes), out(ZSTD_DStreamOutSize());
  ZSTD_DCtx* dctx = EndsWith(path, ".zst") ? ZSTD_createDCtx() : nullptr;
  absl::Status status;
  size_t n;
  while ((n = std::fread(in.data(), 1, in.size(), f)) > 0) {
    if (dctx == nullptr) {
      Feed({in.data(), n});
      continue;
    }
    ZSTD_inBuffer zin{in.data(), n, 0};
    for (;;) {  // until the input is used and the output not full
      ZSTD_outBuffer zout{out.data(), out.size(), 0};
      size_t r = ZSTD_decompressStream(dctx, &zout, &zin);
      if (ZSTD_isError(r)) {
        status = absl::DataLossError(path + ": " + ZSTD_getErrorName(r));
        break;
      }
      Feed({out.data(), zout.pos});
      if (zin.pos == zin.size && zout.pos < zout.size) break;
    }
    if (!status.ok()) break;
  }
  if (std::ferror(f) && status.ok()) status = absl::DataLossError(path + ": read failed");
  std::fclose(f);
  if (dctx != nullptr) ZSTD_freeDCtx(dctx);
  Finish();
  return status;
}

}  // namespace exfilter
