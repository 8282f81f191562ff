#include "perf/gen/render.h"

#include <array>

#include "perf/gen/random.h"

namespace exfilter::gen {
namespace {

constexpr std::array<std::string_view, 10> kStems = {"report", "invoice", "design", "notes",
                                                     "contract", "budget", "slides", "scan",
                                                     "backup", "export"};
constexpr std::array<std::string_view, 8> kExt = {"docx", "xlsx", "pdf", "pptx",
                                                  "png",  "csv",  "zip", "txt"};

}  // namespace

Renderer::Renderer(const GenOptions& options, const Organization& org,
                   const std::vector<Incident>& incidents)
    : options_(options), org_(org), incidents_(incidents) {
  host_ = options.domain.substr(0, options.domain.find('.'));
  site_slug_.reserve(org.users.size());
  for (const User& u : org.users) {
    std::string slug = u.email;
    for (char& c : slug) {
      if (c == '.' || c == '@') c = '_';
    }
    site_slug_.push_back(std::move(slug));
  }
}

std::string_view Renderer::Extension(uint64_t rnd) const { return kExt[(rnd >> 20) % kExt.size()]; }

void Renderer::FileName(uint64_t rnd, OutBuffer& out) const {
  out.Str(kStems[(rnd >> 8) % kStems.size()]);
  out.Char('-');
  out.Hex(rnd >> 32, 6);
  out.Char('.');
  out.Str(Extension(rnd));
}

uint32_t Renderer::Ip(const GenEvent& ev) const {
  if (ev.new_ip && ev.incident >= 0) return incidents_[ev.incident].attacker_ip;
  const User& u = org_.users[ev.user];
  // Most activity from the office, some from a stable home address.
  if ((ev.rnd & 0xf) < 3) return (73u << 24) | static_cast<uint32_t>(Mix64(ev.user) & 0xffffff);
  return u.office_ip;
}

Renderer::IdSpan Renderer::Render(const GenEvent& ev, OutBuffer& out) const {
  switch (ev.service) {
    case Service::kM365:
      return ev.op >= Op::kSigninOk ? RenderM365Signin(ev, out) : RenderM365(ev, out);
    case Service::kGoogleWorkspace:
      return RenderGoogle(ev, out);
    default:
      return RenderBox(ev, out);
  }
}

void Renderer::PageOpen(Service s, uint64_t rnd, OutBuffer& out) const {
  if (s == Service::kM365) {
    out.Char('[');  // a content blob is a bare JSON array
  } else if (s == Service::kGoogleWorkspace) {
    out.Lit("{\"kind\":\"admin#reports#activities\",\"etag\":\"\\\"");
    out.Hex(rnd, 16);
    out.Lit("\\\"\",\"items\":[");
  } else {
    out.Lit("{\"entries\":[");
  }
}

void Renderer::PageClose(Service s, uint64_t rnd, size_t count, OutBuffer& out) const {
  if (s == Service::kM365) {
    out.Char(']');
  } else if (s == Service::kGoogleWorkspace) {
    out.Lit("],\"nextPageToken\":\"A:");
    out.Uint(rnd % 10000000000000ull);
    out.Lit(":-");
    out.Hex(rnd >> 8, 12);
    out.Lit("\"}");
  } else {
    out.Lit("],\"chunk_size\":");
    out.Uint(count);
    out.Lit(",\"next_stream_position\":\"11529");
    out.Uint(rnd % 100000000000000ull);
    out.Lit("\"}");
  }
}

}  // namespace exfilter::gen
