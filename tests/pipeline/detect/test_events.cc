#include "tests/pipeline/detect/test_events.h"

#include <algorithm>

namespace exfilter::dtest {

std::vector<DetectorEvent> MergeByTime(std::vector<std::vector<DetectorEvent>> parts) {
  std::vector<DetectorEvent> all;
  for (auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  std::stable_sort(all.begin(), all.end(), [](const DetectorEvent& a, const DetectorEvent& b) {
    return a.time_ms < b.time_ms;
  });
  return all;
}

RunResult Feed(Detector& d, const std::vector<DetectorEvent>& events) {
  RunResult r;
  for (size_t i = 0; i < events.size(); ++i) {
    Decision dec = d.Observe(events[i], &r.records);
    if (dec.forward) {
      r.forwarded++;
      if (r.first_forward < 0) r.first_forward = static_cast<int>(i);
    }
    r.decisions.push_back(dec);
  }
  return r;
}

}  // namespace exfilter::dtest
