#include "perf/gen/gen_types.h"

namespace exfilter::gen {

ActionClass IntendedAction(Service s, Op op) {
  switch (op) {
    case Op::kUpload: return ActionClass::kUpload;
    case Op::kCreate:  // Box's enterprise stream logs a new folder as UPLOAD
      return s == Service::kBox ? ActionClass::kUpload : ActionClass::kCreate;
    case Op::kCopy: return ActionClass::kCopy;
    case Op::kSigninOk: return ActionClass::kSigninSuccess;
    case Op::kSigninFail: return ActionClass::kSigninFailure;
    case Op::kSigninSuspicious: return ActionClass::kSigninRisky;
    default: return ActionClass::kFileOther;
  }
}

std::string_view IncidentKindName(IncidentKind k) {
  switch (k) {
    case IncidentKind::kBurstStaging: return "burst_staging";
    case IncidentKind::kLowAndSlow: return "low_and_slow";
    case IncidentKind::kOffHoursBurst: return "off_hours_burst";
    case IncidentKind::kCompromisedAccount: return "compromised_account";
    case IncidentKind::kCrossService: return "cross_service";
    case IncidentKind::kDormantWaking: return "dormant_waking";
    case IncidentKind::kMassCopyNewDestination: return "mass_copy_new_destination";
    case IncidentKind::kMigration: return "migration";
    case IncidentKind::kOrgSurge: return "org_surge";
    case IncidentKind::kLegalDiscovery: return "legal_discovery";
    case IncidentKind::kWeeklyBulk: return "weekly_bulk";
  }
  return "unknown";
}

std::string_view GenServiceName(Service s) {
  switch (s) {
    case Service::kM365: return "m365";
    case Service::kGoogleWorkspace: return "google_workspace";
    case Service::kBox: return "box";
    default: return "unknown";
  }
}

}  // namespace exfilter::gen
