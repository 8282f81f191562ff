// Renderers: one GenEvent -> one event in its service's real JSON shape
// (Microsoft 365 Management Activity record, Google Reports API Activity,
// Box enterprise event), appended to an OutBuffer without a newline.
// Names, ids and paths derive from the event's rnd, so the same event always
// renders to the same bytes.
// Thread safety: a Renderer is read-only after construction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "perf/gen/gen_types.h"
#include "perf/gen/json_out.h"

namespace exfilter::gen {

class Renderer {
 public:
  Renderer(const GenOptions& options, const Organization& org, const std::vector<Incident>& incidents);

  // Appends the event; returns the [offset, length) of its native id in out
  // (M365 Id, Google id.uniqueQualifier, Box event_id).
  struct IdSpan {
    size_t offset = 0;
    size_t length = 0;
  };
  IdSpan Render(const GenEvent& ev, OutBuffer& out) const;

  // Envelope fragments for API pages.
  void PageOpen(Service s, uint64_t rnd, OutBuffer& out) const;
  void PageClose(Service s, uint64_t rnd, size_t count, OutBuffer& out) const;

 private:
  IdSpan RenderM365(const GenEvent& ev, OutBuffer& out) const;
  IdSpan RenderM365Signin(const GenEvent& ev, OutBuffer& out) const;
  IdSpan RenderGoogle(const GenEvent& ev, OutBuffer& out) const;
  IdSpan RenderBox(const GenEvent& ev, OutBuffer& out) const;
  uint32_t Ip(const GenEvent& ev) const;
  void FileName(uint64_t rnd, OutBuffer& out) const;
  std::string_view Extension(uint64_t rnd) const;

  const GenOptions& options_;
  const Organization& org_;
  const std::vector<Incident>& incidents_;
  std::vector<std::string> site_slug_;  // per user: first_last_1000_contoso-sim_com
  std::string host_;                    // contoso-sim (tenant host prefix)
};

}  // namespace exfilter::gen
