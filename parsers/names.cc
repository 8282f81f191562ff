// Stable names of services, action classes, error kinds and input formats.
#include <cstring>
#include <string_view>

#include "parsers/audit_event.h"
#include "parsers/chunk_parser.h"
#include "parsers/parse_error.h"

namespace exfilter {

std::string_view ServiceName(Service s) {
  switch (s) {
    case Service::kM365: return "m365";
    case Service::kGoogleWorkspace: return "google_workspace";
    case Service::kBox: return "box";
    case Service::kGeneric: return "generic";
    default: return "unknown";
  }
}

std::string_view ActionClassName(ActionClass a) {
  switch (a) {
    case ActionClass::kUpload: return "upload";
    case ActionClass::kCreate: return "create";
    case ActionClass::kCopy: return "copy";
    case ActionClass::kSigninSuccess: return "signin_success";
    case ActionClass::kSigninFailure: return "signin_failure";
    case ActionClass::kSigninRisky: return "signin_risky";
    case ActionClass::kFileOther: return "file_other";
    default: return "other";
  }
}

std::string_view ParseErrorKindName(ParseErrorKind kind) {
  switch (kind) {
    case ParseErrorKind::kMalformedJson: return "malformed_json";
    case ParseErrorKind::kTruncated: return "truncated";
    case ParseErrorKind::kInvalidUtf8: return "invalid_utf8";
    case ParseErrorKind::kNulByte: return "nul_byte";
    case ParseErrorKind::kTooLong: return "too_long";
    case ParseErrorKind::kUnknownSchema: return "unknown_schema";
    case ParseErrorKind::kWrongType: return "wrong_type";
    case ParseErrorKind::kBadTime: return "bad_time";
  }
  return "unknown";
}

std::string_view InputFormatName(InputFormat f) {
  switch (f) {
    case InputFormat::kM365: return "m365";
    case InputFormat::kGoogle: return "google";
    case InputFormat::kBox: return "box";
    case InputFormat::kGeneric: return "generic";
    default: return "auto";
  }
}

bool ParseInputFormat(std::string_view name, InputFormat* out) {
  for (InputFormat f : {InputFormat::kAuto, InputFormat::kM365, InputFormat::kGoogle,
                        InputFormat::kBox, InputFormat::kGeneric}) {
    if (name == InputFormatName(f)) {
      *out = f;
      return true;
    }
  }
  if (name == "google_workspace") {
    *out = InputFormat::kGoogle;
    return true;
  }
  return false;
}

}  // namespace exfilter
