// The single forward pass over a record's top-level keys (see record.h).
#include <string_view>

#include "parsers/internal/record.h"
#include "parsers/internal/top_keys.h"

namespace exfilter::internal {
namespace {

using simdjson::SUCCESS;

// How a top-level key is read: the plain ones straight into a slot (one
// table lookup, no switch on the key), the others by their service's reader.
enum class Kind : uint8_t { kSpecial, kStr, kStrOrNum, kSkip };
struct KeyInfo {
  Kind kind = Kind::kSpecial;
  unsigned service = 0;                   // kBit*; none for TopKey::kNone
  int RecordSlots::*evidence = nullptr;   // counted when the key is seen
  std::string_view RecordSlots::*slot = nullptr;
  const char* name = "";
};

struct KeyInfoTable {
  KeyInfo info[static_cast<size_t>(TopKey::kCount)];
  KeyInfo& operator[](TopKey k) { return info[static_cast<size_t>(k)]; }
  const KeyInfo& operator[](TopKey k) const { return info[static_cast<size_t>(k)]; }
};

using Slot = std::string_view RecordSlots::*;

void AddM365(KeyInfoTable& t) {
  auto add = [&](TopKey k, Kind kind, Slot slot, const char* name) {
    t[k] = {kind, kBitM365, &RecordSlots::evidence_m365, slot, name};
  };
  add(TopKey::kCreationTime, Kind::kStr, &RecordSlots::time, "CreationTime");
  add(TopKey::kTimeGenerated, Kind::kStr, &RecordSlots::time_alt, "TimeGenerated");
  add(TopKey::kId, Kind::kStrOrNum, &RecordSlots::id, "Id");
  add(TopKey::kOperation, Kind::kStr, &RecordSlots::op, "Operation");
  add(TopKey::kOrganizationId, Kind::kStr, &RecordSlots::tenant, "OrganizationId");
  add(TopKey::kUserId, Kind::kStr, &RecordSlots::user, "UserId");
  add(TopKey::kUserKey, Kind::kStrOrNum, &RecordSlots::user_id, "UserKey");
  add(TopKey::kWorkload, Kind::kSkip, nullptr, "Workload");  // evidence only
  add(TopKey::kRecordType, Kind::kSkip, nullptr, "RecordType");
  add(TopKey::kClientIP, Kind::kStr, &RecordSlots::ip, "ClientIP");
  add(TopKey::kActorIpAddress, Kind::kStr, &RecordSlots::ip_alt, "ActorIpAddress");
  add(TopKey::kClientIPAddress, Kind::kStr, &RecordSlots::ip_alt2, "Client_IPAddress");
  add(TopKey::kObjectId, Kind::kStrOrNum, &RecordSlots::object, "ObjectId");
  add(TopKey::kDestinationRelativeUrl, Kind::kStr, &RecordSlots::destination,
      "DestinationRelativeUrl");
  add(TopKey::kDestinationFileName, Kind::kStr, &RecordSlots::dest_name, "DestinationFileName");
  add(TopKey::kApplicationId, Kind::kStr, &RecordSlots::app_alt, "ApplicationId");
  add(TopKey::kAppAccessContext, Kind::kSpecial, nullptr, "AppAccessContext");
  add(TopKey::kUserAgent, Kind::kStr, &RecordSlots::user_agent, "UserAgent");
  add(TopKey::kExtendedProperties, Kind::kSpecial, nullptr, "ExtendedProperties");
  add(TopKey::kLogonError, Kind::kStr, &RecordSlots::logon_error, "LogonError");
  add(TopKey::kResultStatus, Kind::kStr, &RecordSlots::result_status, "ResultStatus");
  add(TopKey::kUserType, Kind::kSpecial, nullptr, "UserType");
}

void AddGoogle(KeyInfoTable& t) {
  // Evidence only from what ReadGoogleKey decides.
  for (TopKey k : {TopKey::kKind, TopKey::kGoogleId, TopKey::kActor, TopKey::kEvents,
                   TopKey::kName, TopKey::kParameters, TopKey::kItems, TopKey::kNextPageToken})
    t[k] = {Kind::kSpecial, kBitGoogle, nullptr, nullptr, ""};
  t[TopKey::kIpAddress] = {Kind::kStr, kBitGoogle, nullptr, &RecordSlots::ip, "ipAddress"};
  t[TopKey::kOwnerDomain] = {Kind::kSkip, kBitGoogle, nullptr, nullptr, "ownerDomain"};
}

void AddBox(KeyInfoTable& t) {
  auto add = [&](TopKey k, Kind kind, Slot slot, const char* name) {
    t[k] = {kind, kBitBox, &RecordSlots::evidence_box, slot, name};
  };
  add(TopKey::kCreatedAt, Kind::kStr, &RecordSlots::time, "created_at");
  add(TopKey::kCreatedBy, Kind::kSpecial, nullptr, "created_by");
  add(TopKey::kEventId, Kind::kStrOrNum, &RecordSlots::id, "event_id");
  add(TopKey::kEventType, Kind::kStr, &RecordSlots::op, "event_type");
  add(TopKey::kEntries, Kind::kSpecial, nullptr, "entries");
  add(TopKey::kChunkSize, Kind::kSpecial, nullptr, "chunk_size");
  add(TopKey::kNextStreamPosition, Kind::kSpecial, nullptr, "next_stream_position");
  // "source", "ip_address" and "additional_details" are common words: no evidence.
  t[TopKey::kIpAddressBox] = {Kind::kStr, kBitBox, nullptr, &RecordSlots::ip, "ip_address"};
  t[TopKey::kSource] = {Kind::kSpecial, kBitBox, nullptr, nullptr, "source"};
  t[TopKey::kAdditionalDetails] = {Kind::kSpecial, kBitBox, nullptr, nullptr, "additional_details"};
}

KeyInfoTable MakeKeyInfo() {
  KeyInfoTable t;
  AddM365(t);
  AddGoogle(t);
  AddBox(t);
  return t;
}

const KeyInfoTable kKeyInfo = MakeKeyInfo();

error_code ReadM365Special(TopKey key, Cursor& c, Record& r) {
  switch (key) {
    case TopKey::kAppAccessContext: return ReadM365AppContext(c, r);
    case TopKey::kExtendedProperties: return ReadM365ExtendedProperties(c, r);
    case TopKey::kUserType: return Read(r, "UserType", GetSmallInt(c, &r.user_type));
    default: return c.Skip();
  }
}

error_code ReadGoogleKind(Cursor& c, Record& r) {
  std::string_view kind;
  if (error_code e = Read(r, "kind", c.GetStr(&kind))) return e;
  if (kind == "admin#reports#activities" || kind == "reports#auditActivities") r.page = true;
  if (kind.substr(0, 14) == "admin#reports#") ++r.evidence_google;
  return SUCCESS;
}

error_code ReadGoogleKey(TopKey key, Cursor& c, Record& r) {
  switch (key) {
    case TopKey::kKind: return ReadGoogleKind(c, r);
    case TopKey::kGoogleId:
      if (c.Type() != JsonType::kObject) return c.Skip();  // another source's "id"
      ++r.evidence_google;
      return ReadGoogleId(c, r);
    case TopKey::kActor:  // common words: read, but no evidence on their own
      if (c.Type() != JsonType::kObject) return c.Skip();
      return ReadGoogleActor(c, r);
    case TopKey::kIpAddress: return Read(r, "ipAddress", c.GetStr(&r.ip));
    case TopKey::kEvents: ++r.evidence_google; return ReadGoogleEvents(c, r);
    case TopKey::kName:
      r.g_flat = true;
      return Read(r, "name", c.GetStr(&r.g_flat_event.name));
    case TopKey::kParameters:
      r.g_flat = true;
      return ReadGoogleParams(c, r.g_flat_event, r);
    case TopKey::kItems:
      ++r.evidence_google;
      r.page = true;
      return ReadElements(c, r);
    case TopKey::kNextPageToken:
      ++r.evidence_google;
      r.page = true;
      return c.Skip();
    default: return c.Skip();  // ownerDomain
  }
}

error_code ReadBoxSpecial(TopKey key, Cursor& c, Record& r) {
  switch (key) {
    case TopKey::kCreatedBy: return ReadBoxCreatedBy(c, r);
    case TopKey::kSource: return ReadBoxSource(c, r);
    case TopKey::kAdditionalDetails: return ReadBoxDetails(c, r);
    case TopKey::kEntries: r.page = true; return ReadElements(c, r);
    case TopKey::kChunkSize:
    case TopKey::kNextStreamPosition: r.page = true; return c.Skip();
    default: return c.Skip();
  }
}

error_code ReadSpecial(TopKey key, unsigned service, Cursor& c, Record& r) {
  if (service == kBitGoogle) return ReadGoogleKey(key, c, r);
  if (service == kBitBox) return ReadBoxSpecial(key, c, r);
  return ReadM365Special(key, c, r);
}

}  // namespace

error_code ReadTop(Cursor& c, unsigned mask, Record& r) {
  return ForEachField(c, [&](const char* k) -> error_code {
    TopKey key = kTopKeys.Lookup(k, c.KeyLength(k));
    const KeyInfo& info = kKeyInfo[key];
    if ((info.service & mask) == 0) return c.Skip();  // unknown, or outside the format
    if (info.evidence != nullptr) ++(r.*info.evidence);
    switch (info.kind) {
      case Kind::kStr: return Read(r, info.name, c.GetStr(&(r.*info.slot)));
      case Kind::kStrOrNum: return Read(r, info.name, c.GetStrOrNum(&(r.*info.slot)));
      case Kind::kSkip: return c.Skip();
      default: return ReadSpecial(key, info.service, c, r);
    }
  });
}

error_code ReadElements(Cursor& c, Record& r) {
  if (c.Type() == JsonType::kNone) return c.Unexpected();
  if (c.Type() != JsonType::kArray) return Read(r, "page array", simdjson::INCORRECT_TYPE);
  return ForEachElement(c, [&] {
    r.elements.push_back(c.position());
    return c.Skip();
  });
}

error_code GetSmallInt(Cursor& c, int* out) {
  std::string_view text;
  if (error_code e = c.GetStrOrNum(&text)) return e;
  int n = 0;
  if (text.empty() || text.size() > 4) return SUCCESS;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return SUCCESS;  // "Regular" and the like
    n = n * 10 + (ch - '0');
  }
  *out = n;
  return SUCCESS;
}

}  // namespace exfilter::internal
