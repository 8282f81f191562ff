#include "pipeline/silence.h"

namespace exfilter {

std::vector<SilentSource> SilenceWatch::Observe(const std::vector<SourceProgress>& sources, absl::Time now) {
  std::vector<SilentSource> out;
  if (!enabled()) return out;
  for (auto& [id, st] : states_) st.seen = false;
  for (const SourceProgress& p : sources) {
    auto [it, fresh] = states_.try_emplace(p.source);
    State& st = it->second;
    st.seen = true;
    if (fresh || p.offset != st.offset) {
      st.offset = p.offset;
      st.last_growth = now;
      st.reported = false;
      continue;
    }
    if (!st.reported && now - st.last_growth > after_) {
      st.reported = true;
      out.push_back({p.source, p.path, st.last_growth, now - st.last_growth});
    }
  }
  absl::erase_if(states_, [](const auto& kv) { return !kv.second.seen; });
  return out;
}

}  // namespace exfilter
