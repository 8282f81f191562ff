// Box enterprise event stream (admin_logs) entries.
#include "perf/gen/random.h"
#include "perf/gen/render.h"

namespace exfilter::gen {
namespace {

std::string_view BoxType(Op op) {
  switch (op) {
    case Op::kUpload:
    case Op::kCreate: return "UPLOAD";  // the enterprise stream has no create type
    case Op::kCopy: return "COPY";
    case Op::kView: return "PREVIEW";
    case Op::kDownload: return "DOWNLOAD";
    case Op::kEdit: return "EDIT";
    case Op::kDelete: return "DELETE";
    case Op::kSigninOk: return "LOGIN";
    case Op::kSigninFail: return "FAILED_LOGIN";
    default: return "SHIELD_ALERT";
  }
}

void BoxUser(const User& u, uint64_t box_id, OutBuffer& out) {
  out.Lit("{\"type\":\"user\",\"id\":\"");
  out.Uint(box_id);
  out.Lit("\",\"name\":\"");
  out.Str(u.name);
  out.Lit("\",\"login\":\"");
  out.Str(u.email);
  out.Lit("\"}");
}

}  // namespace

Renderer::IdSpan Renderer::RenderBox(const GenEvent& ev, OutBuffer& out) const {
  const User& u = org_.users[ev.user];
  uint64_t box_id = 14342560000ull + ev.user * 7ull;
  bool login = ev.op >= Op::kSigninOk;
  out.Lit("{\"source\":");
  if (login) {
    BoxUser(u, box_id, out);
  } else {
    out.Lit("{\"item_type\":\"");
    out.Str(ev.op == Op::kCreate ? std::string_view("folder") : std::string_view("file"));
    out.Lit("\",\"item_id\":\"");
    out.Uint(700000000000ull + (ev.rnd >> 24) % 100000000000ull);
    out.Lit("\",\"item_name\":\"");
    FileName(ev.rnd, out);
    out.Lit("\",\"parent\":{\"type\":\"folder\",\"name\":\"");
    if (ev.new_destination) {
      out.Lit("ext-transfer-");
      out.Hex(incidents_[ev.incident].attacker_ip, 5);
      out.Lit("\",\"id\":\"9");
      out.Uint(ev.incident);
    } else {
      out.Lit("Team Files\",\"id\":\"");
      out.Uint(100000000000ull + ev.user);
    }
    out.Lit("\"},\"owned_by\":");
    BoxUser(u, box_id, out);
    out.Char('}');
  }
  out.Lit(",\"created_by\":");
  BoxUser(u, box_id, out);
  out.Lit(",\"created_at\":\"");
  out.DateTime(ev.time_ms, u.tz_minutes);
  out.ZoneOffset(u.tz_minutes);
  out.Lit("\",\"event_id\":\"");
  IdSpan id{out.size(), 36};
  out.Guid(ev.rnd, Mix64(ev.rnd));
  out.Lit("\",\"event_type\":\"");
  out.Str(BoxType(ev.op));
  out.Lit("\",\"ip_address\":\"");
  out.Ipv4(Ip(ev));
  out.Lit("\",\"type\":\"event\",\"session_id\":null,\"additional_details\":");
  if (login) {
    out.Lit("null}");
  } else {
    out.Lit("{\"size\":");
    out.Uint(1000 + (ev.rnd >> 12) % 20000000);
    out.Lit(",\"version_id\":\"");
    out.Uint(800000000000ull + (ev.rnd >> 16) % 100000000000ull);
    out.Lit("\"}}");
  }
  return id;
}

}  // namespace exfilter::gen
