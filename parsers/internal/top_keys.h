// The top-level keys ChunkParser reads, recognized from the raw key text by
// first character and a memcmp (no unescaping, no hashing).
// Thread safety: pure function.
#pragma once

#include <cstdint>

#include "parsers/internal/json_util.h"

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
};

[[gnu::always_inline]] inline TopKey LookupTopKey(const char* k) {
  switch (k[0]) {
    case 'A':
      if (KeyIs(k, "AppAccessContext")) return TopKey::kAppAccessContext;
      if (KeyIs(k, "ApplicationId")) return TopKey::kApplicationId;
      if (KeyIs(k, "ActorIpAddress")) return TopKey::kActorIpAddress;
      break;
    case 'C':
      if (KeyIs(k, "CreationTime")) return TopKey::kCreationTime;
      if (KeyIs(k, "ClientIP")) return TopKey::kClientIP;
      if (KeyIs(k, "Client_IPAddress")) return TopKey::kClientIPAddress;
      break;
    case 'D':
      if (KeyIs(k, "DestinationRelativeUrl")) return TopKey::kDestinationRelativeUrl;
      if (KeyIs(k, "DestinationFileName")) return TopKey::kDestinationFileName;
      break;
    case 'E':
      if (KeyIs(k, "ExtendedProperties")) return TopKey::kExtendedProperties;
      break;
    case 'I':
      if (KeyIs(k, "Id")) return TopKey::kId;
      break;
    case 'L':
      if (KeyIs(k, "LogonError")) return TopKey::kLogonError;
      break;
    case 'O':
      if (KeyIs(k, "Operation")) return TopKey::kOperation;
      if (KeyIs(k, "OrganizationId")) return TopKey::kOrganizationId;
      if (KeyIs(k, "ObjectId")) return TopKey::kObjectId;
      break;
    case 'R':
      if (KeyIs(k, "RecordType")) return TopKey::kRecordType;
      if (KeyIs(k, "ResultStatus")) return TopKey::kResultStatus;
      break;
    case 'T':
      if (KeyIs(k, "TimeGenerated")) return TopKey::kTimeGenerated;
      break;
    case 'U':
      if (KeyIs(k, "UserId")) return TopKey::kUserId;
      if (KeyIs(k, "UserKey")) return TopKey::kUserKey;
      if (KeyIs(k, "UserAgent")) return TopKey::kUserAgent;
      if (KeyIs(k, "UserType")) return TopKey::kUserType;
      break;
    case 'W':
      if (KeyIs(k, "Workload")) return TopKey::kWorkload;
      break;
    case 'a':
      if (KeyIs(k, "actor")) return TopKey::kActor;
      if (KeyIs(k, "additional_details")) return TopKey::kAdditionalDetails;
      break;
    case 'c':
      if (KeyIs(k, "created_at")) return TopKey::kCreatedAt;
      if (KeyIs(k, "created_by")) return TopKey::kCreatedBy;
      if (KeyIs(k, "chunk_size")) return TopKey::kChunkSize;
      break;
    case 'e':
      if (KeyIs(k, "events")) return TopKey::kEvents;
      if (KeyIs(k, "event_id")) return TopKey::kEventId;
      if (KeyIs(k, "event_type")) return TopKey::kEventType;
      if (KeyIs(k, "entries")) return TopKey::kEntries;
      break;
    case 'i':
      if (KeyIs(k, "id")) return TopKey::kGoogleId;
      if (KeyIs(k, "ipAddress")) return TopKey::kIpAddress;
      if (KeyIs(k, "ip_address")) return TopKey::kIpAddressBox;
      if (KeyIs(k, "items")) return TopKey::kItems;
      break;
    case 'k':
      if (KeyIs(k, "kind")) return TopKey::kKind;
      break;
    case 'n':
      if (KeyIs(k, "name")) return TopKey::kName;
      if (KeyIs(k, "nextPageToken")) return TopKey::kNextPageToken;
      if (KeyIs(k, "next_stream_position")) return TopKey::kNextStreamPosition;
      break;
    case 'o':
      if (KeyIs(k, "ownerDomain")) return TopKey::kOwnerDomain;
      break;
    case 'p':
      if (KeyIs(k, "parameters")) return TopKey::kParameters;
      break;
    case 's':
      if (KeyIs(k, "source")) return TopKey::kSource;
      break;
    default:
      break;
  }
  return TopKey::kNone;
}

}  // namespace exfilter::internal
