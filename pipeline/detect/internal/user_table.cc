#include "pipeline/detect/internal/user_table.h"

#include <algorithm>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
  tag_buffer_ = HugeBuffer(capacity_ + kTagGroup);
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

void UserTable::PrefetchTags(uint64_t key) const {
  // The 16 tags the walk compares first may cross into the next line.
  const uint8_t* t = &tags_[Home(key)];
  __builtin_prefetch(t);
  __builtin_prefetch(t + kTagGroup - 1);
}

uint32_t UserTable::Candidates(size_t i, uint8_t tag) const {
#ifdef __SSE2__
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(tags_ + i));
  const __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(tag))),
                                   _mm_cmpeq_epi8(v, _mm_setzero_si128()));
  return static_cast<uint32_t>(_mm_movemask_epi8(hit));
#else
  uint32_t m = 0;
  for (size_t j = 0; j < kTagGroup; ++j) {
    if (tags_[i + j] == tag || tags_[i + j] == 0) m |= 1u << j;
  }
  return m;
#endif
}

size_t UserTable::FirstCandidate(size_t home, uint8_t tag) const {
  // Below the load cap an empty tag always ends the walk.
  for (size_t i = home;; i = Wrap(i + kTagGroup)) {
    if (uint32_t m = Candidates(i, tag)) return Wrap(i + static_cast<size_t>(__builtin_ctz(m)));
  }
}

void UserTable::PrefetchRecord(uint64_t key) const {
  // The slot the lookup will stop at; a record (80 bytes) spans two lines.
  const char* p = reinterpret_cast<const char*>(&slots_[FirstCandidate(Home(key), Tag(key))]);
  __builtin_prefetch(p);
  __builtin_prefetch(p + sizeof(UserRec) - 1);
}

UserRec* UserTable::Find(uint64_t key) {
  return const_cast<UserRec*>(static_cast<const UserTable*>(this)->Find(key));
}

size_t UserTable::Locate(uint64_t key, size_t home, size_t* empty) const {
  const uint8_t tag = Tag(key);
  for (size_t i = home;; i = Wrap(i + kTagGroup)) {
    for (uint32_t m = Candidates(i, tag); m != 0; m &= m - 1) {
      const size_t s = Wrap(i + static_cast<size_t>(__builtin_ctz(m)));
      if (tags_[s] == 0) {
        *empty = s;
        return kAbsent;
      }
      if (slots_[s].key == key) return s;
    }
  }
}

const UserRec* UserTable::Find(uint64_t key) const {
  if (key == 0) return nullptr;
  size_t empty;
  const size_t s = Locate(key, Home(key), &empty);
  return s == kAbsent ? nullptr : &slots_[s];
}

UserRec* UserTable::FindOrInsert(uint64_t key, bool* is_new, bool* evicted) {
  *is_new = false;
  *evicted = false;
  const uint8_t tag = Tag(key);
  const size_t n = capacity_;
  const size_t home = Home(key);
  // Only tags are read until a tag matches: other users' records stay untouched.
  size_t i = home;  // set by Locate when absent
  if (size_t s = Locate(key, home, &i); s != kAbsent) return &slots_[s];
  const size_t probes = i >= home ? i - home : i + n - home;  // slots before the empty one
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
    if (distance < probes) {
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
  SetTag(target, tag);
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
    SetTag(hole, tags_[k]);
    hole = k;
  }
  std::memset(static_cast<void*>(&slots_[hole]), 0, sizeof(UserRec));
  SetTag(hole, 0);
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
  tag_buffer_ = HugeBuffer(want + kTagGroup);
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
