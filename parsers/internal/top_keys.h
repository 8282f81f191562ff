// The top-level keys ChunkParser reads, recognized from the raw key text
// (no unescaping) with a small open-addressing table: a hash of the length
// and two bytes, then one masked compare of at most 24 bytes. No branch
// depends on which key it is, so the lookup costs the same whatever order a
// writer put the keys in.
// Thread safety: the table is built once, during static initialization.
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
  TopKeyTable();
  // The key whose raw text (without quotes) is k[0, len). k must have 24
  // readable bytes.
  [[gnu::always_inline]] TopKey Lookup(const char* k, size_t len) const {
    if (len == 0 || len > kMaxLen) return TopKey::kNone;
    uint64_t w[3];
    std::memcpy(w, k, sizeof(w));
    for (uint32_t h = Hash(k, len);; h = (h + 1) & kMask) {
      const Entry& e = slots_[h];
      if (e.len == len) {
        uint64_t diff = ((w[0] ^ e.text[0]) & e.mask[0]) | ((w[1] ^ e.text[1]) & e.mask[1]) |
                        ((w[2] ^ e.text[2]) & e.mask[2]);
        if (diff == 0) return e.key;
      } else if (e.len == 0) {
        return TopKey::kNone;
      }
    }
  }

 private:
  static constexpr uint32_t kSize = 256, kMask = kSize - 1;
  struct Entry {
    uint64_t text[3] = {0, 0, 0};
    uint64_t mask[3] = {0, 0, 0};
    uint32_t len = 0;
    TopKey key = TopKey::kNone;
  };
  static uint32_t Hash(const char* k, size_t len) {
    return (static_cast<uint32_t>(static_cast<unsigned char>(k[0])) * 7u +
            static_cast<uint32_t>(static_cast<unsigned char>(k[len - 1])) * 31u +
            static_cast<uint32_t>(len) * 131u) & kMask;
  }
  void Add(const char* text, TopKey key);

  Entry slots_[kSize];
};

extern const TopKeyTable kTopKeys;

}  // namespace exfilter::internal
