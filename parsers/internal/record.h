// One JSON record read in a single forward pass over its top-level keys.
// The three services use disjoint key names (M365 "CreationTime", Google
// "id"/"actor"/"events", Box "created_at"/"event_type"), so one pass fills the
// slots of whichever service wrote the record and counts evidence for each;
// the service is then the one with the most evidence (or the forced format).
// Views point into the input or the parser's StringBuffer.
// Thread safety: owned by one ParserState.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "parsers/audit_event.h"
#include "parsers/internal/json_util.h"

namespace exfilter::internal {

// One Google Workspace event (an element of events[], or a Panther row).
struct GoogleEvent {
  std::string_view name, object, object_id, destination, destination_id, app;
  bool has_primary = false;
  bool primary = true;
  bool suspicious = false;
};

// Service bits for ReadTop's mask.
inline constexpr unsigned kBitM365 = 1, kBitGoogle = 2, kBitBox = 4;

// The per-record slots: plain values, reset at once by Record::Clear().
struct RecordSlots {
  int evidence_m365 = 0, evidence_google = 0, evidence_box = 0;
  bool page = false;  // {items:[...]} or {entries:[...]}: elements hold the events

  // Slots shared by the services (each key writes one).
  std::string_view time, tenant, user, user_id, op, ip, object, destination, dest_name, app,
      app_alt, user_agent, id;
  // Microsoft 365.
  std::string_view time_alt, ip_alt, ip_alt2, logon_error, result_status;
  int user_type = -1;
  // Google Workspace.
  std::string_view g_app;
  bool g_events_array = false;
  bool g_flat = false;  // Panther: name/parameters at top level
  GoogleEvent g_flat_event;
  // Box.
  std::string_view rule_category;

  // On a wrong-type error: the field that had it (static text).
  const char* bad_field = "";
};

struct Record : RecordSlots {
  void Clear() {
    static_cast<RecordSlots&>(*this) = RecordSlots{};
    elements.clear();
    g_events.clear();
  }
  std::vector<const uint32_t*> elements;  // page elements: their first structural
  std::vector<GoogleEvent> g_events;
};

// Reads every top-level field of the object at c into r, honoring mask (keys
// of services outside the mask are skipped). Returns INCORRECT_TYPE with
// r.bad_field set for a field of the wrong type, another error for broken
// JSON.
error_code ReadTop(Cursor& c, unsigned mask, Record& r);

// Nested readers (read_google.cc, read_box_m365.cc); each consumes its value.
error_code ReadGoogleId(Cursor& c, Record& r);
error_code ReadGoogleActor(Cursor& c, Record& r);
error_code ReadGoogleEvents(Cursor& c, Record& r);
error_code ReadGoogleParams(Cursor& c, GoogleEvent& ev, Record& r);
error_code ReadBoxCreatedBy(Cursor& c, Record& r);
error_code ReadBoxSource(Cursor& c, Record& r);
error_code ReadBoxDetails(Cursor& c, Record& r);
error_code ReadM365AppContext(Cursor& c, Record& r);
error_code ReadM365ExtendedProperties(Cursor& c, Record& r);
// The elements of the page array at c, as positions, into r.elements.
error_code ReadElements(Cursor& c, Record& r);

// A JSON int as string or number ("0", 0) into *out; other text leaves -1.
error_code GetSmallInt(Cursor& c, int* out);

// e, after noting `field` as the culprit if e is an error.
[[gnu::always_inline]] inline error_code Read(Record& r, const char* field, error_code e) {
  if (e) r.bad_field = field;
  return e;
}

}  // namespace exfilter::internal

