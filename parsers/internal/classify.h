// Operation name -> ActionClass for each service, with the real operation
// names (see /work/shared/schemas.md): M365 SharePoint/OneDrive and Entra
// sign-ins, Google Workspace drive and login, Box enterprise and user streams.
// Thread safety: pure functions.
#pragma once

#include <string_view>

#include "parsers/audit_event.h"

namespace exfilter::internal {

// logon_error: M365 LogonError (non-empty means the sign-in failed even when
// ResultStatus says Succeeded); result_status for legacy RecordType 9.
ActionClass ClassifyM365(std::string_view op, std::string_view logon_error,
                         std::string_view result_status);

// app: id.applicationName ("drive", "login", ... or empty); is_suspicious:
// the login_success parameter. Trailing spaces in names are ignored.
ActionClass ClassifyGoogle(std::string_view app, std::string_view name, bool is_suspicious);

// rule_category: additional_details.shield_alert.rule_category (SHIELD_ALERT).
ActionClass ClassifyBox(std::string_view event_type, std::string_view rule_category);

}  // namespace exfilter::internal
