// The top-level keys ChunkParser reads, recognized from the raw key text
// (no unescaping) with a small perfect-hash table: a hash of the length and
// two bytes picks the one slot the key can be in, then one masked compare of
// at most 24 bytes decides. No branch depends on which key it is, so the
// lookup costs the same whatever order a writer put the keys in.
// Thread safety: the table is a compile-time constant.
#pragma once

#include <cstdint>
#include <cstring>

namespace exfilter::internal {

enum class TopKey : uint8_t {
  kNone,
  // Microsoft 365
  kCreationTime, kTimeGenerated, kId, kOperation, kOrganizationId, kUserId, kUserKey,
  kWorkload, kRecordType, kClientIP, kActorIpAddress, kClientIPAddress, kObjectId,
  kDestinationRelativeUrl, kDestinationFileName, kApplicationId, kAppAccessContext, kUserAgent,
  kExtendedProperties, kLogonError, kResultStatus, kUserType,
  // Google Workspace
  kKind, kGoogleId, kActor, kIpAddress, kEvents, kOwnerDomain, kName, kParameters, kItems,
  kNextPageToken,
  // Box
  kCreatedAt, kCreatedBy, kEventId, kEventType, kIpAddressBox, kSource, kAdditionalDetails,
  kEntries, kChunkSize, kNextStreamPosition,
  kCount
};

class TopKeyTable {
 public:
  static constexpr size_t kMaxLen = 24;
  constexpr TopKeyTable() = default;
  // The key whose raw text (without quotes) is k[0, len). k must have 24
  // readable bytes. One probe: the hash is perfect over the keys (checked at
  // compile time in top_keys.cc), so a miss is one compare too.
  [[gnu::always_inline]] TopKey Lookup(const char* k, size_t len) const {
    if (len - 1 >= kMaxLen) return TopKey::kNone;  // len 0 wraps around
    const Entry& e = slots_[Hash(k, len)];
    uint64_t w0, w1, w2;  // three loads straight into registers
    std::memcpy(&w0, k, 8);
    std::memcpy(&w1, k + 8, 8);
    std::memcpy(&w2, k + 16, 8);
    uint64_t diff = ((w0 ^ e.text[0]) & e.mask[0]) | ((w1 ^ e.text[1]) & e.mask[1]) |
                    ((w2 ^ e.text[2]) & e.mask[2]) | (e.len ^ len);
    return diff == 0 ? e.key : TopKey::kNone;
  }

  // Builds the table (constexpr: top_keys.cc fills it at compile time).
  constexpr void Add(const char* text, TopKey key) {
    size_t len = 0;
    while (text[len] != '\0') ++len;
    Entry& e = slots_[Hash(text, len)];
    if (e.len != 0 || len == 0 || len > kMaxLen) {
      bad_ = true;
      return;
    }
    e.len = len;
    e.key = key;
    for (size_t i = 0; i < len; ++i) {  // little-endian words, as memcpy loads them
      e.text[i / 8] |= uint64_t{static_cast<unsigned char>(text[i])} << (8 * (i % 8));
      e.mask[i / 8] |= uint64_t{0xff} << (8 * (i % 8));
    }
  }
  // True if two keys share a slot (or one is empty or too long).
  constexpr bool bad() const { return bad_; }

 private:
  static constexpr uint32_t kSize = 128, kMask = kSize - 1;
  struct Entry {
    uint64_t text[3] = {0, 0, 0};
    uint64_t mask[3] = {0, 0, 0};
    uint64_t len = 0;
    TopKey key = TopKey::kNone;
  };
  // Multipliers found by a search for a collision-free slot per key; a new
  // key that collides fails the build (top_keys.cc): search again then.
  static constexpr uint32_t Hash(const char* k, size_t len) {
    return (static_cast<uint32_t>(static_cast<unsigned char>(k[0])) +
            static_cast<uint32_t>(static_cast<unsigned char>(k[len - 1])) * 39u +
            static_cast<uint32_t>(len) * 53u) & kMask;
  }

  Entry slots_[kSize];
  bool bad_ = false;
};

extern const TopKeyTable kTopKeys;

}  // namespace exfilter::internal
