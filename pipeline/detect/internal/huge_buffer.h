// HugeBuffer: a zeroed, page-aligned anonymous mapping for the detector's big
// tables (user records, sketches), advised to use transparent huge pages so
// random accesses cost fewer TLB misses. Untouched pages are not resident.
// Thread safety: none; move-only value owned by one table.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <utility>

namespace exfilter::detect_internal {

class HugeBuffer {
 public:
  HugeBuffer() = default;
  explicit HugeBuffer(size_t bytes) : size_(bytes) {
    if (bytes == 0) return;
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      p = std::calloc(1, bytes);  // still zeroed; freed with free()
      if (p == nullptr) std::abort();  // out of memory: nothing sensible to do
      mapped_ = false;
    } else {
#ifdef MADV_HUGEPAGE
      (void)::madvise(p, bytes, MADV_HUGEPAGE);
#endif
    }
    data_ = p;
  }
  ~HugeBuffer() { Release(); }
  HugeBuffer(const HugeBuffer&) = delete;
  HugeBuffer& operator=(const HugeBuffer&) = delete;
  HugeBuffer(HugeBuffer&& o) noexcept { *this = std::move(o); }
  HugeBuffer& operator=(HugeBuffer&& o) noexcept {
    if (this != &o) {
      Release();
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
      mapped_ = o.mapped_;
    }
    return *this;
  }

  void* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void Release() {
    if (data_ == nullptr) return;
    if (mapped_) {
      ::munmap(data_, size_);
    } else {
      std::free(data_);
    }
    data_ = nullptr;
  }

  void* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = true;
};

}  // namespace exfilter::detect_internal
