#include "parsers/internal/classify.h"

#include <initializer_list>

namespace exfilter::internal {
namespace {

bool OneOf(std::string_view s, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names)
    if (s == n) return true;
  return false;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

ActionClass ClassifyM365(std::string_view op, std::string_view logon_error,
                         std::string_view result_status) {
  if (op.empty()) return ActionClass::kOther;
  if (OneOf(op, {"FileUploaded", "FileSyncUploadedFull", "FileSyncUploadedPartial"}))
    return ActionClass::kUpload;
  if (op == "FolderCreated") return ActionClass::kCreate;
  if (OneOf(op, {"FileCopied", "FolderCopied"})) return ActionClass::kCopy;
  if (op == "UserLoggedIn")
    return logon_error.empty() ? ActionClass::kSigninSuccess : ActionClass::kSigninFailure;
  if (op == "UserLoginFailed") return ActionClass::kSigninFailure;
  if (op == "PasswordLogonInitialAuthUsingPassword") {
    if (OneOf(result_status, {"success", "Success", "Succeeded", "succeeded"}))
      return ActionClass::kSigninSuccess;
    return ActionClass::kSigninFailure;
  }
  if (StartsWith(op, "File") || StartsWith(op, "Folder") || op == "PageViewed" ||
      op == "PageViewedExtended")
    return ActionClass::kFileOther;
  return ActionClass::kOther;
}

ActionClass ClassifyGoogle(std::string_view app, std::string_view name, bool is_suspicious) {
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  if (app.empty() || app == "drive") {
    if (name == "upload") return ActionClass::kUpload;
    if (name == "create") return ActionClass::kCreate;
    if (name == "copy") return ActionClass::kCopy;
    if (OneOf(name, {"view", "edit", "download", "delete", "move", "rename", "trash", "untrash",
                     "preview", "print", "add_to_folder", "remove_from_folder",
                     "access_item_content", "sheets_import_range", "email_as_attachment",
                     "add_lock", "remove_lock"}))
      return ActionClass::kFileOther;
  }
  if (app.empty() || app == "login") {
    if (name == "login_success")
      return is_suspicious ? ActionClass::kSigninRisky : ActionClass::kSigninSuccess;
    if (name == "login_failure") return ActionClass::kSigninFailure;
    if (OneOf(name, {"suspicious_login", "suspicious_login_less_secure_app",
                     "suspicious_programmatic_login"}))
      return ActionClass::kSigninRisky;
  }
  return ActionClass::kOther;
}

ActionClass ClassifyBox(std::string_view t, std::string_view rule_category) {
  if (t.empty()) return ActionClass::kOther;
  if (OneOf(t, {"UPLOAD", "ITEM_UPLOAD"})) return ActionClass::kUpload;
  if (t == "ITEM_CREATE") return ActionClass::kCreate;
  if (OneOf(t, {"COPY", "ITEM_COPY"})) return ActionClass::kCopy;
  if (OneOf(t, {"LOGIN", "ADMIN_LOGIN"})) return ActionClass::kSigninSuccess;
  if (t == "FAILED_LOGIN") return ActionClass::kSigninFailure;
  if (t == "SHIELD_ALERT")
    return OneOf(rule_category, {"Suspicious Locations", "Suspicious Sessions"})
               ? ActionClass::kSigninRisky
               : ActionClass::kOther;
  if (OneOf(t, {"DOWNLOAD", "PREVIEW", "EDIT", "DELETE", "MOVE", "RENAME", "UNDELETE", "LOCK",
                "UNLOCK", "ITEM_DOWNLOAD", "ITEM_PREVIEW", "ITEM_TRASH", "ITEM_RENAME",
                "ITEM_MOVE", "ITEM_SYNC", "ITEM_UNSYNC", "ITEM_MODIFY", "ITEM_UNDELETE_VIA_TRASH",
                "ITEM_OPEN"}))
    return ActionClass::kFileOther;
  return ActionClass::kOther;
}

}  // namespace exfilter::internal
