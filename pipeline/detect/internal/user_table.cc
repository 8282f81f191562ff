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
  tag_buffer_ = HugeBuffer(capacity_);
  slots_ = static_cast<UserRec*>(buffer_.data());
  tags_ = static_cast<uint8_t*>(tag_buffer_.data());
}

size_t UserTable::Home(uint64_t key) const {
  // Keys are XXH3 values already; mix once more so table position and
  // sketch positions are independent. fastrange maps onto any capacity.
  uint64_t h = key * 0x9e3779b97f4a7c15ULL;
  h ^= h >> 29;
  return static_cast<size_t>((static_cast<unsigned __int128>(h) * capacity_) >> 64);
}

void UserTable::PrefetchTags(uint64_t key) const { __builtin_prefetch(&tags_[Home(key)]); }

void UserTable::PrefetchRecord(uint64_t key) const {
  // The slot the lookup will stop at; a record (80 bytes) spans two lines.
  const uint8_t tag = Tag(key);
  size_t i = Home(key);
  for (size_t probes = 0; probes < capacity_; ++probes, i = (i + 1 == capacity_ ? 0 : i + 1)) {
    if (tags_[i] == tag || tags_[i] == 0) break;
  }
  const char* p = reinterpret_cast<const char*>(&slots_[i]);
  __builtin_prefetch(p);
  __builtin_prefetch(p + sizeof(UserRec) - 1);
}

UserRec* UserTable::Find(uint64_t key) {
  return const_cast<UserRec*>(static_cast<const UserTable*>(this)->Find(key));
}

const UserRec* UserTable::Find(uint64_t key) const {
  if (key == 0) return nullptr;
  const uint8_t tag = Tag(key);
  size_t n = capacity_;
  for (size_t i = Home(key), probes = 0; probes < n; ++probes, i = (i + 1 == n ? 0 : i + 1)) {
    if (tags_[i] == 0) return nullptr;
    if (tags_[i] == tag && slots_[i].key == key) return &slots_[i];
  }
  return nullptr;
}

UserRec* UserTable::FindOrInsert(uint64_t key, bool* is_new, bool* evicted) {
  *is_new = false;
  *evicted = false;
  const uint8_t tag = Tag(key);
  const size_t n = capacity_;
  const size_t home = Home(key);
  size_t i = home;
  int probes = 0;
  // Only tags are read until a tag matches: other users' records stay untouched.
  for (;; i = (i + 1 == n ? 0 : i + 1), ++probes) {
    if (tags_[i] == 0) break;
    if (tags_[i] == tag && slots_[i].key == key) return &slots_[i];
  }
  if (size_ + 1 > kMaxLoad * n && n < max_slots_) {
    Grow();
    return FindOrInsert(key, is_new, evicted);
  }
  size_t target = i;
  if (size_ + 1 > kMaxLoad * n) {
    // At the bound: the stalest of the first kEvictProbe users from home on
    // is evicted, so that the load never rises above kMaxLoad. On the new
    // key's probe path (before slot i, the first empty one) it gives up its
    // slot; beyond it, it is erased and the new key takes slot i.
    *evicted = true;
    const size_t victim = Stalest(home, kEvictProbe);
    const size_t distance = victim >= home ? victim - home : victim + n - home;
    if (distance < static_cast<size_t>(probes)) {
      target = victim;
    } else {
      Erase(victim);  // moves records only after slot i: i stays the first empty
      ++size_;
    }
  } else {
    ++size_;
  }
  UserRec& r = slots_[target];
  std::memset(static_cast<void*>(&r), 0, sizeof(r));
  r.key = key;
  tags_[target] = tag;
  *is_new = true;
  return &r;
}

size_t UserTable::Stalest(size_t from, int count) const {
  size_t stalest = SIZE_MAX;
  for (size_t j = from; count > 0; j = Next(j)) {
    if (tags_[j] == 0) continue;
    --count;
    const UserRec& r = slots_[j];
    if (stalest == SIZE_MAX || r.short_head < slots_[stalest].short_head ||
        (r.short_head == slots_[stalest].short_head && r.key < slots_[stalest].key)) {
      stalest = j;
    }
  }
  return stalest;
}

void UserTable::Erase(size_t hole) {
  for (size_t k = Next(hole); tags_[k] != 0; k = Next(k)) {
    // The record at k may move back to the hole unless its home lies
    // cyclically in (hole, k]: then the hole is before its probe path.
    const size_t h = Home(slots_[k].key);
    const bool home_after_hole = hole <= k ? (hole < h && h <= k) : (hole < h || h <= k);
    if (home_after_hole) continue;
    slots_[hole] = slots_[k];
    tags_[hole] = tags_[k];
    hole = k;
  }
  std::memset(static_cast<void*>(&slots_[hole]), 0, sizeof(UserRec));
  tags_[hole] = 0;
  --size_;
}

void UserTable::Grow() {
  uint64_t want = std::min<uint64_t>(max_slots_, capacity_ + capacity_ / 2);
  HugeBuffer old = std::move(buffer_);
  HugeBuffer old_tags = std::move(tag_buffer_);
  const UserRec* old_slots = slots_;
  const uint8_t* old_tag = tags_;
  size_t old_capacity = capacity_;
  buffer_ = HugeBuffer(want * sizeof(UserRec));
  tag_buffer_ = HugeBuffer(want);
  slots_ = static_cast<UserRec*>(buffer_.data());
  tags_ = static_cast<uint8_t*>(tag_buffer_.data());
  capacity_ = want;
  size_ = 0;
  for (size_t i = 0; i < old_capacity; ++i) {
    if (old_tag[i] == 0) continue;
    bool is_new, evicted;
    UserRec* dst = FindOrInsert(old_slots[i].key, &is_new, &evicted);
    *dst = old_slots[i];
  }
}

}  // namespace exfilter::detect_internal
