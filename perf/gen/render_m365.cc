// Microsoft 365 Management Activity API records (SharePoint/OneDrive file
// operations, RecordType 6; Azure AD STS sign-ins, RecordType 15).
#include <array>

#include "perf/gen/random.h"
#include "perf/gen/render.h"

namespace exfilter::gen {
namespace {

constexpr std::array<std::string_view, 4> kAgents = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    "Microsoft SkyDriveSync 23.246.1127.0002 ship; Windows NT 10.0 (19045)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"};
constexpr std::array<std::string_view, 4> kFolders = {"Documents", "Documents/Projects",
                                                      "Documents/Shared", "Documents/Archive"};

std::string_view M365Operation(const GenEvent& ev) {
  switch (ev.op) {
    case Op::kUpload: return (ev.rnd >> 40) % 10 < 3 ? "FileSyncUploadedFull" : "FileUploaded";
    case Op::kCreate: return "FolderCreated";
    case Op::kCopy: return "FileCopied";
    case Op::kView: return "FileAccessed";
    case Op::kDownload: return (ev.rnd >> 40) % 10 < 2 ? "FileSyncDownloadedFull" : "FileDownloaded";
    case Op::kEdit: return "FileModified";
    case Op::kDelete: return "FileDeleted";
    case Op::kSigninFail: return "UserLoginFailed";
    default: return "UserLoggedIn";
  }
}

}  // namespace

Renderer::IdSpan Renderer::RenderM365(const GenEvent& ev, OutBuffer& out) const {
  const User& u = org_.users[ev.user];
  const std::string& slug = site_slug_[ev.user];
  uint64_t r2 = Mix64(ev.rnd), r3 = Mix64(r2);
  std::string_view folder = kFolders[(ev.rnd >> 50) % kFolders.size()];
  bool folder_item = ev.op == Op::kCreate;
  out.Lit("{\"CreationTime\":\"");
  out.DateTime(ev.time_ms);
  out.Lit("\",\"Id\":\"");
  IdSpan id{out.size(), 36};
  out.Guid(ev.rnd, r2);
  out.Lit("\",\"Operation\":\"");
  out.Str(M365Operation(ev));
  out.Lit("\",\"OrganizationId\":\"");
  out.Str(org_.tenant_m365);
  out.Lit("\",\"RecordType\":6,\"UserKey\":\"i:0h.f|membership|1003");
  out.Hex(Mix64(ev.user ^ options_.seed), 12);
  out.Lit("@live.com\",\"UserType\":0,\"Version\":1,\"Workload\":\"OneDrive\",\"ClientIP\":\"");
  out.Ipv4(Ip(ev));
  out.Lit("\",\"ObjectId\":\"https://");
  out.Str(host_);
  out.Lit("-my.sharepoint.com/personal/");
  out.Str(slug);
  out.Char('/');
  out.Str(folder);
  out.Char('/');
  if (folder_item) {
    out.Lit("Folder-");
    out.Hex(ev.rnd >> 32, 6);
  } else {
    FileName(ev.rnd, out);
  }
  out.Lit("\",\"UserId\":\"");
  out.Str(u.email);
  out.Lit("\",\"CorrelationId\":\"");
  out.Guid(r3, Mix64(r3));
  out.Lit("\",\"EventSource\":\"SharePoint\",\"ItemType\":\"");
  out.Str(folder_item ? std::string_view("Folder") : std::string_view("File"));
  out.Lit("\",\"ListId\":\"");
  out.Guid(Mix64(ev.user + 11), Mix64(ev.user + 12));
  out.Lit("\",\"ListItemUniqueId\":\"");
  out.Guid(r2 ^ r3, Mix64(r2 ^ r3));
  out.Lit("\",\"Site\":\"");
  out.Guid(Mix64(ev.user + 13), Mix64(ev.user + 14));
  out.Lit("\",\"UserAgent\":\"");
  out.Str(kAgents[ev.op == Op::kUpload && (ev.rnd >> 40) % 10 < 3 ? 2 : ev.user % 4 == 2 ? 0 : ev.user % 4]);
  if (!folder_item) {
    out.Lit("\",\"SourceFileExtension\":\"");
    out.Str(Extension(ev.rnd));
    out.Lit("\",\"SourceFileName\":\"");
    FileName(ev.rnd, out);
  }
  out.Lit("\",\"SiteUrl\":\"https://");
  out.Str(host_);
  out.Lit("-my.sharepoint.com/personal/");
  out.Str(slug);
  out.Lit("/\",\"SourceRelativeUrl\":\"");
  out.Str(folder);
  if (ev.op == Op::kCopy) {
    out.Lit("\",\"DestinationFileName\":\"");
    FileName(ev.rnd, out);
    if (ev.new_destination) {
      out.Lit("\",\"DestinationRelativeUrl\":\"/sites/ext-transfer-");
      out.Hex(incidents_[ev.incident].attacker_ip, 5);
      out.Lit("/Shared Documents");
    } else {
      out.Lit("\",\"DestinationRelativeUrl\":\"/personal/");
      out.Str(slug);
      out.Char('/');
      out.Str(kFolders[(ev.rnd >> 54) % kFolders.size()]);
    }
  }
  if (ev.via_app) {
    out.Lit("\",\"ApplicationId\":\"");
    out.Str(org_.migration_app);
    out.Lit("\",\"ApplicationDisplayName\":\"ShareGate Migration\",\"AppAccessContext\":{\"ClientAppId\":\"");
    out.Str(org_.migration_app);
    out.Lit("\",\"ClientAppName\":\"ShareGate Migration\"}}");
  } else {
    out.Lit("\"}");
  }
  return id;
}

Renderer::IdSpan Renderer::RenderM365Signin(const GenEvent& ev, OutBuffer& out) const {
  const User& u = org_.users[ev.user];
  bool failed = ev.op == Op::kSigninFail;
  uint64_t r2 = Mix64(ev.rnd);
  uint64_t object_guid = Mix64(ev.user ^ 0x0b1ec7);
  out.Lit("{\"CreationTime\":\"");
  out.DateTime(ev.time_ms);
  out.Lit("\",\"Id\":\"");
  IdSpan id{out.size(), 36};
  out.Guid(ev.rnd, r2);
  out.Lit("\",\"Operation\":\"");
  out.Str(M365Operation(ev));
  out.Lit("\",\"OrganizationId\":\"");
  out.Str(org_.tenant_m365);
  out.Lit("\",\"RecordType\":15,\"ResultStatus\":\"");
  out.Str(failed ? std::string_view("Failed") : std::string_view("Succeeded"));
  out.Lit("\",\"UserKey\":\"");
  out.Hex(object_guid, 16);
  out.Char('@');
  out.Str(options_.domain);
  out.Lit("\",\"UserType\":0,\"Version\":1,\"Workload\":\"AzureActiveDirectory\",\"ClientIP\":\"");
  out.Ipv4(Ip(ev));
  out.Lit("\",\"ObjectId\":\"00000003-0000-0ff1-ce00-000000000000\",\"UserId\":\"");
  out.Str(u.email);
  out.Lit("\",\"AzureActiveDirectoryEventType\":1,\"ExtendedProperties\":[{\"Name\":\"ResultStatusDetail\",\"Value\":\"");
  out.Str(failed ? std::string_view("Success") : std::string_view("Redirect"));
  out.Lit("\"},{\"Name\":\"UserAgent\",\"Value\":\"");
  out.Str(kAgents[ev.user % 2]);
  out.Lit("\"},{\"Name\":\"UserAuthenticationMethod\",\"Value\":\"1\"},{\"Name\":\"RequestType\",\"Value\":\"");
  out.Str(failed ? std::string_view("Login:login") : std::string_view("OAuth2:Authorize"));
  out.Lit("\"},{\"Name\":\"KeepMeSignedIn\",\"Value\":\"False\"}],\"ModifiedProperties\":[],\"Actor\":[{\"ID\":\"");
  out.Guid(object_guid, Mix64(object_guid));
  out.Lit("\",\"Type\":0},{\"ID\":\"");
  out.Str(u.email);
  out.Lit("\",\"Type\":5}],\"ActorContextId\":\"");
  out.Str(org_.tenant_m365);
  out.Lit("\",\"ActorIpAddress\":\"");
  out.Ipv4(Ip(ev));
  out.Lit("\",\"InterSystemsId\":\"");
  out.Guid(Mix64(r2), Mix64(r2 + 1));
  out.Lit("\",\"IntraSystemId\":\"");
  out.Guid(Mix64(r2 + 2), Mix64(r2 + 3));
  out.Lit("\",\"SupportTicketId\":\"\",\"Target\":[{\"ID\":\"00000003-0000-0ff1-ce00-000000000000\",\"Type\":0}],\"TargetContextId\":\"");
  out.Str(org_.tenant_m365);
  out.Lit("\",\"ApplicationId\":\"89bee1f7-5e6e-4d8a-9f3d-ecd601259da7\"");
  if (failed) {
    out.Lit(",\"LogonError\":\"InvalidUserNameOrPassword\",\"ErrorCode\":\"50126\"");
  }
  out.Char('}');
  return id;
}

}  // namespace exfilter::gen
