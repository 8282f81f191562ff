#include "parsers/internal/top_keys.h"

namespace exfilter::internal {

TopKeyTable::TopKeyTable() {
  Add("CreationTime", TopKey::kCreationTime);
  Add("TimeGenerated", TopKey::kTimeGenerated);
  Add("Id", TopKey::kId);
  Add("Operation", TopKey::kOperation);
  Add("OrganizationId", TopKey::kOrganizationId);
  Add("UserId", TopKey::kUserId);
  Add("UserKey", TopKey::kUserKey);
  Add("Workload", TopKey::kWorkload);
  Add("RecordType", TopKey::kRecordType);
  Add("ClientIP", TopKey::kClientIP);
  Add("ActorIpAddress", TopKey::kActorIpAddress);
  Add("Client_IPAddress", TopKey::kClientIPAddress);
  Add("ObjectId", TopKey::kObjectId);
  Add("DestinationRelativeUrl", TopKey::kDestinationRelativeUrl);
  Add("DestinationFileName", TopKey::kDestinationFileName);
  Add("ApplicationId", TopKey::kApplicationId);
  Add("AppAccessContext", TopKey::kAppAccessContext);
  Add("UserAgent", TopKey::kUserAgent);
  Add("ExtendedProperties", TopKey::kExtendedProperties);
  Add("LogonError", TopKey::kLogonError);
  Add("ResultStatus", TopKey::kResultStatus);
  Add("UserType", TopKey::kUserType);
  Add("kind", TopKey::kKind);
  Add("id", TopKey::kGoogleId);
  Add("actor", TopKey::kActor);
  Add("ipAddress", TopKey::kIpAddress);
  Add("events", TopKey::kEvents);
  Add("ownerDomain", TopKey::kOwnerDomain);
  Add("name", TopKey::kName);
  Add("parameters", TopKey::kParameters);
  Add("items", TopKey::kItems);
  Add("nextPageToken", TopKey::kNextPageToken);
  Add("created_at", TopKey::kCreatedAt);
  Add("created_by", TopKey::kCreatedBy);
  Add("event_id", TopKey::kEventId);
  Add("event_type", TopKey::kEventType);
  Add("ip_address", TopKey::kIpAddressBox);
  Add("source", TopKey::kSource);
  Add("additional_details", TopKey::kAdditionalDetails);
  Add("entries", TopKey::kEntries);
  Add("chunk_size", TopKey::kChunkSize);
  Add("next_stream_position", TopKey::kNextStreamPosition);
}

void TopKeyTable::Add(const char* text, TopKey key) {
  size_t len = std::strlen(text);
  uint32_t h = Hash(text, len);
  while (slots_[h].len != 0) h = (h + 1) & kMask;
  Entry& e = slots_[h];
  e.len = static_cast<uint32_t>(len);
  e.key = key;
  char padded[kMaxLen] = {};
  std::memcpy(padded, text, len);
  std::memcpy(e.text, padded, sizeof(e.text));
  unsigned char ones[kMaxLen] = {};
  std::memset(ones, 0xff, len);
  std::memcpy(e.mask, ones, sizeof(e.mask));
}

const TopKeyTable kTopKeys;

}  // namespace exfilter::internal
