// UserRec is the fixed-size per-user baseline record (80 bytes) and
// UserTable the open-addressing table (linear probing) that holds them. The
// table grows by 1.5x up to max_users / kMaxLoad slots; once it holds
// kMaxLoad of them, every new user evicts one (counted as an eviction), so
// memory never exceeds the bound and an empty slot always ends a probe. The
// victim is the stalest user among the first kEvictProbe users from the new
// user's home slot on: on the new user's probe path it gives up its slot,
// beyond it it is erased (backward-shift deletion, which keeps every other
// user's probe path unbroken).
// Beside the records, one tag byte per slot (0 = empty, else a byte of the
// key) lets a lookup probe a dense array (64 slots per cache line) and read
// only the record whose tag matches: 81 bytes per slot. Lookups compare 16
// tags at once; the first kTagGroup tags are mirrored past the end so that a
// group starting near the end needs no wrap-around.
// Thread safety: none; owned by the detector thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "pipeline/detect/internal/huge_buffer.h"
#include "pipeline/detect/internal/stats_math.h"

namespace exfilter::detect_internal {

inline constexpr int kShortRing = 9;   // short windows kept open (lateness)
inline constexpr int kLongRing = 2;    // long windows kept open
inline constexpr int kSlots = 8;       // seasonal slots: 4 x 6 h, weekday / weekend
inline constexpr int kSubServices = 3;  // m365, google workspace, box
inline constexpr int kSubActions = 3;   // upload, create, copy

struct UserRec {
  uint64_t key;               // 0 in an empty slot (UserTable's tag byte says which are used)
  int32_t short_head;         // newest short-window index seen
  uint32_t first_min;         // minute (since epoch) of the first event
  uint32_t risk_word;         // bits 0-27: risk raised until this minute; 28-30: reasons
  Ewma short_base;            // deseasonalized counts per short window
  Ewma long_base;             // deseasonalized counts per long window
  uint16_t short_ring[kShortRing];  // counts by short-window index mod kShortRing
  uint16_t long_ring[kLongRing];    // counts by long-window index mod kLongRing
  uint8_t slot_mean[kSlots];  // EWMA count per long window in each slot, x16 >> slot_shift
  uint8_t meta;               // bits 0-3: slot_shift; 4: svc_share set; 5: act_share set
  uint8_t svc_count[kSubServices];  // newest long window, per service (saturates at 255)
  uint8_t act_count[kSubActions];   // newest long window, per action class (idem)
  uint8_t svc_share[kSubServices - 1];  // long-run shares (sum 255, the last implied)
  uint8_t act_share[kSubActions - 1];
  uint8_t fail_run;           // bits 0-6: consecutive sign-in failures; bit 7: kUserHasWatched
  uint16_t peak;              // recent largest short-window count x kPeakScale (decays slowly)
};
static_assert(sizeof(UserRec) == 80, "per-user record must stay 80 bytes");
// UserRec::peak is fixed point (a peak of 16,383 or more events per short
// window saturates) and its half-life is kPeakMemory x the baseline's: a
// weekly bulk session is remembered for weeks.
inline constexpr double kPeakScale = 4.0;
inline constexpr double kPeakMemory = 4.0;
inline constexpr uint8_t kUserHasWatched = 0x80;  // in fail_run: short_head is valid
inline constexpr uint8_t kFailRunMask = 0x7f;

// UserRec::meta.
inline constexpr uint8_t kSlotShiftMask = 0x0f;
inline constexpr int kMaxSlotShift = 8;  // 255 << 8 ~ the former u16 cap
inline constexpr uint8_t kSvcShareSet = 0x10, kActShareSet = 0x20;
inline int SlotShift(const UserRec& u) { return u.meta & kSlotShiftMask; }
// slot_mean[i] in x16 fixed point (event counts x 16).
inline uint32_t SlotValue(const UserRec& u, int i) {
  return static_cast<uint32_t>(u.slot_mean[i]) << SlotShift(u);
}

// UserRec::risk_word: the minute is 28 bits (until the year 2480), the
// three identity-risk Reason bits are packed into bits 28-30.
inline constexpr uint32_t kRiskMinuteMask = (1u << 28) - 1;
inline uint32_t RiskUntilMin(const UserRec& u) { return u.risk_word & kRiskMinuteMask; }
uint32_t RiskBits(const UserRec& u);  // as Reason bits
void SetRisk(UserRec& u, uint32_t until_min, uint32_t reason_bits);

// uint8 shares that sum to 255 once set (the last one is not stored).
template <int N>
void LoadShares(const uint8_t (&stored)[N - 1], bool set, uint8_t (&share)[N]) {
  int sum = 0;
  for (int k = 0; k < N - 1; ++k) sum += share[k] = stored[k];
  share[N - 1] = static_cast<uint8_t>(set ? 255 - sum : 0);
}
template <int N>
void StoreShares(const uint8_t (&share)[N], uint8_t (&stored)[N - 1]) {
  for (int k = 0; k < N - 1; ++k) stored[k] = share[k];
}

// uint8 shares that sum to ~255: decay all by 1/32, give slot i the rest.
template <int N>
void BumpShare(uint8_t (&share)[N], int i) {
  int sum = 0;
  for (int k = 0; k < N; ++k) {
    share[k] = static_cast<uint8_t>(share[k] - (share[k] >> 5));
    sum += share[k];
  }
  int add = 255 - sum > 1 ? 255 - sum : 1;
  share[i] = static_cast<uint8_t>(share[i] + add > 255 ? 255 : share[i] + add);
}

class UserTable {
 public:
  static constexpr double kMaxLoad = 0.85;
  static constexpr int kEvictProbe = 8;
  static constexpr size_t kTagGroup = 16;  // tags compared at once

  explicit UserTable(uint64_t max_users);

  // The record for `key` or nullptr.
  UserRec* Find(uint64_t key);
  const UserRec* Find(uint64_t key) const;
  // The record for `key`, inserted zeroed (key set) if absent. `*is_new` is
  // set when inserted; `*evicted` when a stale user was dropped for it.
  UserRec* FindOrInsert(uint64_t key, bool* is_new, bool* evicted);
  // Two prefetch stages, issued for an event well before it is observed:
  // PrefetchTags (far ahead) loads the tag line at the key's home slot;
  // PrefetchRecord (nearer) walks the tags to the slot the lookup will stop
  // at (the first matching tag or the first empty slot) and loads that
  // record's two cache lines. Neither changes the table.
  void PrefetchTags(uint64_t key) const;
  void PrefetchRecord(uint64_t key) const;

  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  size_t MemoryBytes() const { return capacity_ * (sizeof(UserRec) + 1); }
  template <typename F>
  void ForEach(F&& f) const {
    for (size_t i = 0; i < capacity_; ++i) {
      if (tags_[i] != 0) f(slots_[i]);
    }
  }

 private:
  size_t Home(uint64_t key) const;
  static uint8_t Tag(uint64_t key) {
    const uint8_t t = static_cast<uint8_t>(key);  // Home uses the high bits
    return t != 0 ? t : 1;
  }
  void Grow();
  static constexpr size_t kAbsent = SIZE_MAX;
  size_t Next(size_t i) const { return i + 1 == capacity_ ? 0 : i + 1; }
  size_t Wrap(size_t i) const { return i >= capacity_ ? i - capacity_ : i; }  // i < 2 capacity
  // The slot holding `key` on the probe path from `home`, or kAbsent with
  // *empty set to the first empty slot of that path.
  size_t Locate(uint64_t key, size_t home, size_t* empty) const;
  // The stalest (oldest short_head, then smallest key) of `count` occupied
  // slots from `from` on, skipping empty ones.
  size_t Stalest(size_t from, int count) const;
  // Empties slot `i` and moves later records of its cluster back into the
  // hole where their probe paths allow (linear probing's deletion).
  void Erase(size_t i);
  // Bit j set when tag i + j (of the mirrored array) is `tag` or empty.
  uint32_t Candidates(size_t i, uint8_t tag) const;
  // The first slot from `home` on whose tag is `tag` or empty.
  size_t FirstCandidate(size_t home, uint8_t tag) const;
  void SetTag(size_t i, uint8_t tag) {
    tags_[i] = tag;
    if (i < kTagGroup) tags_[capacity_ + i] = tag;
  }

  uint64_t max_slots_;
  size_t size_ = 0;
  size_t capacity_ = 0;
  HugeBuffer buffer_;       // zeroed by the kernel: key 0 = empty
  HugeBuffer tag_buffer_;   // one tag per slot (+ kTagGroup mirrored), zeroed: 0 = empty
  UserRec* slots_ = nullptr;
  uint8_t* tags_ = nullptr;
};

}  // namespace exfilter::detect_internal
