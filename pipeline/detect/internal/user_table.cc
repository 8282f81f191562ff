#include "pipeline/detect/internal/user_table.h"

#include <algorithm>
#include <cstring>

#include "pipeline/detect/decision.h"
#include "util/hash.h"

namespace exfilter::detect_internal {
namespace {
constexpr size_t kInitialSlots = 1024;
}

// Risk reasons in risk_word bits 28-30.
uint32_t RiskBits(const UserRec& u) {
  uint32_t b = u.risk_word >> 28;
  return ((b & 1) ? kReasonNewIp : 0u) | ((b & 2) ? kReasonAfterSigninFailures : 0u) |
         ((b & 4) ? kReasonAfterRiskySignin : 0u);
}

void SetRisk(UserRec& u, uint32_t until_min, uint32_t reason_bits) {
  uint32_t b = ((reason_bits & kReasonNewIp) ? 1u : 0u) |
               ((reason_bits & kReasonAfterSigninFailures) ? 2u : 0u) |
               ((reason_bits & kReasonAfterRiskySignin) ? 4u : 0u);
  u.risk_word = std::min(until_min, kRiskMinuteMask) | (b << 28);
}

UserTable::UserTable(uint64_t max_users)
    : max_slots_(std::max<uint64_t>(kInitialSlots,
                                    static_cast<uint64_t>(max_users / kMaxLoad) + 1)) {
  capacity_ = std::min<uint64_t>(kInitialSlots, max_slots_);
  buffer_ = HugeBuffer(capacity_ * sizeof(UserRec));
  slots_ = static_cast<UserRec*>(buffer_.data());
}

size_t UserTable::Home(uint64_t key) const {
  // Keys are XXH3 values already; mix once more so table position and
  // sketch positions are independent. fastrange maps onto any capacity.
  uint64_t h = key * 0x9e3779b97f4a7c15ULL;
  h ^= h >> 29;
  return static_cast<size_t>((static_cast<unsigned __int128>(h) * capacity_) >> 64);
}

void UserTable::Prefetch(uint64_t key) const {
  // The home slot and the next one (linear probing often goes one further):
  // an 80-byte record spans at most two cache lines, two records three.
  const char* p = reinterpret_cast<const char*>(&slots_[Home(key)]);
  __builtin_prefetch(p);
  __builtin_prefetch(p + 64);
  __builtin_prefetch(p + 128);
}

UserRec* UserTable::Find(uint64_t key) {
  return const_cast<UserRec*>(static_cast<const UserTable*>(this)->Find(key));
}

const UserRec* UserTable::Find(uint64_t key) const {
  if (key == 0) return nullptr;
  size_t n = capacity_;
  for (size_t i = Home(key), probes = 0; probes < n; ++probes, i = (i + 1 == n ? 0 : i + 1)) {
    if (slots_[i].key == key) return &slots_[i];
    if (slots_[i].key == 0) return nullptr;
  }
  return nullptr;
}

UserRec* UserTable::FindOrInsert(uint64_t key, bool* is_new, bool* evicted) {
  *is_new = false;
  *evicted = false;
  size_t n = capacity_;
  size_t stalest = n;
  int probes = 0;
  for (size_t i = Home(key);; i = (i + 1 == n ? 0 : i + 1), ++probes) {
    UserRec& r = slots_[i];
    if (r.key == key) return &r;
    if (r.key == 0) {
      if (size_ + 1 > kMaxLoad * n && n < max_slots_) {
        Grow();
        return FindOrInsert(key, is_new, evicted);
      }
      if (size_ + 1 > kMaxLoad * n && stalest != n) break;  // full: evict instead
      std::memset(static_cast<void*>(&r), 0, sizeof(r));
      r.key = key;
      ++size_;
      *is_new = true;
      return &r;
    }
    if (probes < kEvictProbe) {
      // Stalest = oldest newest-activity minute, then smallest key (deterministic).
      if (stalest == n || r.short_head < slots_[stalest].short_head ||
          (r.short_head == slots_[stalest].short_head && r.key < slots_[stalest].key)) {
        stalest = i;
      }
    }
  }
  UserRec& r = slots_[stalest];
  std::memset(static_cast<void*>(&r), 0, sizeof(r));
  r.key = key;
  *is_new = true;
  *evicted = true;
  return &r;
}

void UserTable::Grow() {
  uint64_t want = std::min<uint64_t>(max_slots_, capacity_ + capacity_ / 2);
  HugeBuffer old = std::move(buffer_);
  const UserRec* old_slots = slots_;
  size_t old_capacity = capacity_;
  buffer_ = HugeBuffer(want * sizeof(UserRec));
  slots_ = static_cast<UserRec*>(buffer_.data());
  capacity_ = want;
  size_ = 0;
  for (size_t i = 0; i < old_capacity; ++i) {
    if (old_slots[i].key == 0) continue;
    bool is_new, evicted;
    UserRec* dst = FindOrInsert(old_slots[i].key, &is_new, &evicted);
    *dst = old_slots[i];
  }
}

}  // namespace exfilter::detect_internal
