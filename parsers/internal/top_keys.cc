#include "parsers/internal/top_keys.h"

namespace exfilter::internal {
namespace {

constexpr TopKeyTable MakeTopKeys() {
  TopKeyTable t;
  t.Add("CreationTime", TopKey::kCreationTime);
  t.Add("TimeGenerated", TopKey::kTimeGenerated);
  t.Add("Id", TopKey::kId);
  t.Add("Operation", TopKey::kOperation);
  t.Add("OrganizationId", TopKey::kOrganizationId);
  t.Add("UserId", TopKey::kUserId);
  t.Add("UserKey", TopKey::kUserKey);
  t.Add("Workload", TopKey::kWorkload);
  t.Add("RecordType", TopKey::kRecordType);
  t.Add("ClientIP", TopKey::kClientIP);
  t.Add("ActorIpAddress", TopKey::kActorIpAddress);
  t.Add("Client_IPAddress", TopKey::kClientIPAddress);
  t.Add("ObjectId", TopKey::kObjectId);
  t.Add("DestinationRelativeUrl", TopKey::kDestinationRelativeUrl);
  t.Add("DestinationFileName", TopKey::kDestinationFileName);
  t.Add("ApplicationId", TopKey::kApplicationId);
  t.Add("AppAccessContext", TopKey::kAppAccessContext);
  t.Add("UserAgent", TopKey::kUserAgent);
  t.Add("ExtendedProperties", TopKey::kExtendedProperties);
  t.Add("LogonError", TopKey::kLogonError);
  t.Add("ResultStatus", TopKey::kResultStatus);
  t.Add("UserType", TopKey::kUserType);
  t.Add("kind", TopKey::kKind);
  t.Add("id", TopKey::kGoogleId);
  t.Add("actor", TopKey::kActor);
  t.Add("ipAddress", TopKey::kIpAddress);
  t.Add("events", TopKey::kEvents);
  t.Add("ownerDomain", TopKey::kOwnerDomain);
  t.Add("name", TopKey::kName);
  t.Add("parameters", TopKey::kParameters);
  t.Add("items", TopKey::kItems);
  t.Add("nextPageToken", TopKey::kNextPageToken);
  t.Add("created_at", TopKey::kCreatedAt);
  t.Add("created_by", TopKey::kCreatedBy);
  t.Add("event_id", TopKey::kEventId);
  t.Add("event_type", TopKey::kEventType);
  t.Add("ip_address", TopKey::kIpAddressBox);
  t.Add("source", TopKey::kSource);
  t.Add("additional_details", TopKey::kAdditionalDetails);
  t.Add("entries", TopKey::kEntries);
  t.Add("chunk_size", TopKey::kChunkSize);
  t.Add("next_stream_position", TopKey::kNextStreamPosition);
  return t;
}

}  // namespace

constexpr TopKeyTable kTopKeys = MakeTopKeys();
static_assert(!kTopKeys.bad(),
              "two top-level keys share a slot: choose other multipliers in TopKeyTable::Hash");

}  // namespace exfilter::internal
