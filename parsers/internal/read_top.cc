// The single forward pass over a record's top-level keys (see record.h).
#include <string_view>
#include <utility>

#include "parsers/internal/record.h"
#include "parsers/internal/top_keys.h"

namespace exfilter::internal {
namespace {

using simdjson::SUCCESS;

bool IsM365Key(TopKey k) { return k >= TopKey::kCreationTime && k <= TopKey::kUserType; }
bool IsGoogleKey(TopKey k) { return k >= TopKey::kKind && k <= TopKey::kNextPageToken; }

simdjson::error_code ReadM365Key(TopKey key, od::value v, Record& r) {
  ++r.evidence_m365;
  switch (key) {
    case TopKey::kCreationTime: EXFILTER_READ(r, "CreationTime", GetStr(v, &r.time)); break;
    case TopKey::kTimeGenerated: EXFILTER_READ(r, "TimeGenerated", GetStr(v, &r.time_alt)); break;
    case TopKey::kId: EXFILTER_READ(r, "Id", GetStrOrNum(v, &r.id)); break;
    case TopKey::kOperation: EXFILTER_READ(r, "Operation", GetStr(v, &r.op)); break;
    case TopKey::kOrganizationId: EXFILTER_READ(r, "OrganizationId", GetStr(v, &r.tenant)); break;
    case TopKey::kUserId: EXFILTER_READ(r, "UserId", GetStr(v, &r.user)); break;
    case TopKey::kUserKey: EXFILTER_READ(r, "UserKey", GetStrOrNum(v, &r.user_id)); break;
    case TopKey::kClientIP: EXFILTER_READ(r, "ClientIP", GetStr(v, &r.ip)); break;
    case TopKey::kActorIpAddress: EXFILTER_READ(r, "ActorIpAddress", GetStr(v, &r.ip_alt)); break;
    case TopKey::kClientIPAddress:
      EXFILTER_READ(r, "Client_IPAddress", GetStr(v, &r.ip_alt2));
      break;
    case TopKey::kObjectId: EXFILTER_READ(r, "ObjectId", GetStrOrNum(v, &r.object)); break;
    case TopKey::kDestinationRelativeUrl:
      EXFILTER_READ(r, "DestinationRelativeUrl", GetStr(v, &r.destination));
      break;
    case TopKey::kDestinationFileName:
      EXFILTER_READ(r, "DestinationFileName", GetStr(v, &r.dest_name));
      break;
    case TopKey::kApplicationId: EXFILTER_READ(r, "ApplicationId", GetStr(v, &r.app_alt)); break;
    case TopKey::kAppAccessContext: return ReadM365AppContext(v, r);
    case TopKey::kUserAgent: EXFILTER_READ(r, "UserAgent", GetStr(v, &r.user_agent)); break;
    case TopKey::kExtendedProperties: return ReadM365ExtendedProperties(v, r);
    case TopKey::kLogonError: EXFILTER_READ(r, "LogonError", GetStr(v, &r.logon_error)); break;
    case TopKey::kResultStatus:
      EXFILTER_READ(r, "ResultStatus", GetStr(v, &r.result_status));
      break;
    case TopKey::kUserType: EXFILTER_READ(r, "UserType", GetSmallInt(v, &r.user_type)); break;
    default: break;  // Workload, RecordType: evidence only
  }
  return SUCCESS;
}

simdjson::error_code ReadGoogleKey(TopKey key, od::value v, Record& r) {
  switch (key) {
    case TopKey::kKind: {
      std::string_view kind;
      EXFILTER_READ(r, "kind", GetStr(v, &kind));
      if (kind == "admin#reports#activities" || kind == "reports#auditActivities") r.page = true;
      if (kind.substr(0, 14) == "admin#reports#") ++r.evidence_google;
      break;
    }
    case TopKey::kGoogleId:
      if (!IsObject(v)) break;  // another source's "id"
      ++r.evidence_google;
      return ReadGoogleId(v, r);
    case TopKey::kActor:  // common words: read, but no evidence on their own
      if (!IsObject(v)) break;
      return ReadGoogleActor(v, r);
    case TopKey::kIpAddress:
      EXFILTER_READ(r, "ipAddress", GetStr(v, &r.ip));
      break;
    case TopKey::kEvents: ++r.evidence_google; return ReadGoogleEvents(v, r);
    case TopKey::kOwnerDomain: break;
    case TopKey::kName:
      r.g_flat = true;
      EXFILTER_READ(r, "name", GetStr(v, &r.g_flat_event.name));
      break;
    case TopKey::kParameters:
      r.g_flat = true;
      return ReadGoogleParams(v, r.g_flat_event, r);
    case TopKey::kItems:
      ++r.evidence_google;
      r.page = true;
      return ReadElements(v, r);
    case TopKey::kNextPageToken:
      ++r.evidence_google;
      r.page = true;
      break;
    default: break;
  }
  return SUCCESS;
}

simdjson::error_code ReadBoxKey(TopKey key, od::value v, Record& r) {
  // "source", "ip_address" and "additional_details" are common words.
  if (key != TopKey::kSource && key != TopKey::kIpAddressBox && key != TopKey::kAdditionalDetails)
    ++r.evidence_box;
  switch (key) {
    case TopKey::kCreatedAt: EXFILTER_READ(r, "created_at", GetStr(v, &r.time)); break;
    case TopKey::kCreatedBy: return ReadBoxCreatedBy(v, r);
    case TopKey::kEventId: EXFILTER_READ(r, "event_id", GetStrOrNum(v, &r.id)); break;
    case TopKey::kEventType: EXFILTER_READ(r, "event_type", GetStr(v, &r.op)); break;
    case TopKey::kIpAddressBox: EXFILTER_READ(r, "ip_address", GetStr(v, &r.ip)); break;
    case TopKey::kSource: return ReadBoxSource(v, r);
    case TopKey::kAdditionalDetails: return ReadBoxDetails(v, r);
    case TopKey::kEntries: r.page = true; return ReadElements(v, r);
    case TopKey::kChunkSize:
    case TopKey::kNextStreamPosition: r.page = true; break;
    default: break;
  }
  return SUCCESS;
}

}  // namespace

simdjson::error_code ReadTop(od::object obj, unsigned mask, Record& r) {
  for (auto field_result : obj) {
    od::field f;
    if (auto e = std::move(field_result).get(f)) return e;
    TopKey key = LookupTopKey(RawKey(f));
    if (key == TopKey::kNone) continue;
    simdjson::error_code e = SUCCESS;
    if (IsM365Key(key)) {
      if (mask & kBitM365) e = ReadM365Key(key, f.value(), r);
    } else if (IsGoogleKey(key)) {
      if (mask & kBitGoogle) e = ReadGoogleKey(key, f.value(), r);
    } else if (mask & kBitBox) {
      e = ReadBoxKey(key, f.value(), r);
    }
    if (e) return e;
  }
  return SUCCESS;
}

simdjson::error_code ReadElements(od::value v, Record& r) {
  od::array arr;
  EXFILTER_READ(r, "page array", v.get_array().get(arr));
  return ReadArrayElements(arr, r);
}

simdjson::error_code ReadArrayElements(od::array arr, Record& r) {
  for (auto el : arr) {
    od::value item;
    if (auto e = el.get(item)) return e;
    od::json_type t;
    if (auto e = item.type().get(t)) return e;
    std::string_view raw;
    if (t == od::json_type::object) {
      od::object o;
      if (auto e = item.get_object().get(o)) return e;
      if (auto e = o.raw_json().get(raw)) return e;
    } else if (t == od::json_type::array) {
      od::array a;
      if (auto e = item.get_array().get(a)) return e;
      if (auto e = a.raw_json().get(raw)) return e;
    } else {
      raw = item.raw_json_token();
    }
    r.elements.push_back(TrimRight(raw));
  }
  return SUCCESS;
}

simdjson::error_code GetSmallInt(od::value v, int* out) {
  std::string_view text;
  if (auto e = GetStrOrNum(v, &text)) return e;
  int n = 0;
  if (text.empty() || text.size() > 4) return SUCCESS;
  for (char c : text) {
    if (c < '0' || c > '9') return SUCCESS;  // "Regular" and the like
    n = n * 10 + (c - '0');
  }
  *out = n;
  return SUCCESS;
}

}  // namespace exfilter::internal
