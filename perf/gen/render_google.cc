// Google Workspace Admin SDK Reports API Activity records (drive and login
// applications), with events[] as an array as the API returns it.
#include "perf/gen/random.h"
#include "perf/gen/render.h"

namespace exfilter::gen {
namespace {

std::string_view DriveName(Op op) {
  switch (op) {
    case Op::kUpload: return "upload";
    case Op::kCreate: return "create";
    case Op::kCopy: return "copy";
    case Op::kView: return "view";
    case Op::kDownload: return "download";
    case Op::kEdit: return "edit";
    default: return "trash";
  }
}

std::string_view DocType(std::string_view ext) {
  if (ext == "docx") return "msword";
  if (ext == "xlsx") return "msexcel";
  if (ext == "pptx") return "mspowerpoint";
  if (ext == "pdf") return "pdf";
  if (ext == "png") return "png";
  return "unknown";
}

}  // namespace

Renderer::IdSpan Renderer::RenderGoogle(const GenEvent& ev, OutBuffer& out) const {
  const User& u = org_.users[ev.user];
  bool login = ev.op >= Op::kSigninOk;
  out.Lit("{\"kind\":\"admin#reports#activity\",\"id\":{\"time\":\"");
  AppendRfc3339(out, ev.time_ms, true);
  out.Lit("\",\"uniqueQualifier\":\"");
  IdSpan id{out.size(), 0};
  out.Int(static_cast<int64_t>(ev.rnd));
  id.length = out.size() - id.offset;
  out.Lit("\",\"applicationName\":\"");
  out.Str(login ? std::string_view("login") : std::string_view("drive"));
  out.Lit("\",\"customerId\":\"");
  out.Str(org_.tenant_google);
  out.Lit("\"},\"etag\":\"\\\"");
  out.Hex(Mix64(ev.rnd), 16);
  out.Lit("/");
  out.Hex(Mix64(ev.rnd + 1), 12);
  out.Lit("\\\"\",\"actor\":{\"callerType\":\"USER\",\"email\":\"");
  out.Str(u.email);
  out.Lit("\",\"profileId\":\"1");
  out.Uint(Mix64(ev.user ^ options_.seed) % 10000000000000000000ull);
  out.Lit("\"},\"ipAddress\":\"");
  out.Ipv4(Ip(ev));
  out.Lit("\",\"events\":[{");
  if (login) {
    if (ev.op == Op::kSigninOk) {
      out.Lit("\"type\":\"login\",\"name\":\"login_success\",\"parameters\":[{\"name\":\"login_type\",\"value\":\"google_password\"},{\"name\":\"login_challenge_method\",\"multiValue\":[\"password\"]},{\"name\":\"is_suspicious\",\"boolValue\":false}]}]}");
    } else if (ev.op == Op::kSigninFail) {
      out.Lit("\"type\":\"login\",\"name\":\"login_failure\",\"parameters\":[{\"name\":\"login_type\",\"value\":\"google_password\"},{\"name\":\"login_challenge_method\",\"multiValue\":[\"password\"]},{\"name\":\"login_failure_type\",\"value\":\"login_failure_invalid_password\"},{\"name\":\"is_suspicious\",\"boolValue\":false}]}]}");
    } else {
      out.Lit("\"type\":\"account_warning\",\"name\":\"suspicious_login\",\"parameters\":[{\"name\":\"affected_email_address\",\"value\":\"");
      out.Str(u.email);
      out.Lit("\"}]}]}");
    }
    return id;
  }
  std::string_view ext = Extension(ev.rnd);
  auto doc_params = [&](bool primary) {
    out.Lit("\"parameters\":[{\"name\":\"primary_event\",\"boolValue\":");
    out.Str(primary ? std::string_view("true") : std::string_view("false"));
    out.Lit("},{\"name\":\"billable\",\"boolValue\":true},{\"name\":\"owner_is_shared_drive\",\"boolValue\":false},{\"name\":\"owner\",\"value\":\"");
    out.Str(u.email);
    out.Lit("\"},{\"name\":\"doc_id\",\"value\":\"1");
    out.Hex(ev.rnd, 16);
    out.Hex(Mix64(ev.rnd), 16);
    out.Lit("\"},{\"name\":\"doc_title\",\"value\":\"");
    FileName(ev.rnd, out);
    out.Lit("\"},{\"name\":\"doc_type\",\"value\":\"");
    out.Str(DocType(ext));
    out.Lit("\"},{\"name\":\"visibility\",\"value\":\"private\"},{\"name\":\"originating_app_id\",\"value\":\"691301496089\"}");
  };
  out.Lit("\"type\":\"access\",\"name\":\"");
  out.Str(DriveName(ev.op));
  out.Lit("\",");
  doc_params(true);
  if (ev.op == Op::kCopy) {
    out.Lit(",{\"name\":\"destination_folder_id\",\"value\":\"0B");
    out.Hex(ev.new_destination ? incidents_[ev.incident].attacker_ip : Mix64(ev.user) , 10);
    out.Lit("\"},{\"name\":\"destination_folder_title\",\"value\":\"");
    out.Str(ev.new_destination ? std::string_view("ext-transfer") : std::string_view("My Drive"));
    out.Lit("\"}");
  }
  out.Lit("]}");
  // Drive logs secondary events beside the primary one in the same activity.
  if (ev.op <= Op::kCopy && (ev.rnd >> 36) % 4 == 0) {
    out.Lit(",{\"type\":\"access\",\"name\":\"add_to_folder\",");
    doc_params(false);
    out.Lit(",{\"name\":\"destination_folder_id\",\"value\":\"0B");
    out.Hex(Mix64(ev.user), 10);
    out.Lit("\"},{\"name\":\"destination_folder_title\",\"value\":\"My Drive\"}]}");
  }
  out.Lit("]}");
  return id;
}

}  // namespace exfilter::gen
