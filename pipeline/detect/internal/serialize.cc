// Detector state to/from bytes: a structure tag (window lengths, ring and
// record sizes, sketch shape: a restored state is only meaningful with the
// same structure), then counters, users sorted by key, groups sorted by key,
// incidents, sketch counters. All integers little-endian, floats as bits.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "pipeline/detect/internal/detector_impl.h"
#include "util/strings.h"

namespace exfilter {
using detect_internal::UserRec;

namespace {
constexpr uint32_t kStateMagic = 0x45584453;  // "EXDS"
constexpr int kStateFormat = 4;  // 2: UserRec.peak; 3: peak in fixed point; 4: 80-byte UserRec

class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}
  template <typename T>
  void Put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    out_->append(reinterpret_cast<const char*>(&v), sizeof(v));
  }
  void Bytes(std::string_view s) {
    Put<uint64_t>(s.size());
    out_->append(s);
  }

 private:
  std::string* out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <typename T>
  bool Get(T* v) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (in_.size() < sizeof(T)) return false;
    std::memcpy(v, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return true;
  }
  bool Bytes(std::string_view* s) {
    uint64_t n;
    if (!Get(&n) || n > in_.size()) return false;
    *s = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

// Stats without the vector, for byte copying.
constexpr int kNumScalarStats = 14;
void PutStats(Writer& w, const DetectorStats& s) {
  const uint64_t v[kNumScalarStats] = {s.events, s.watched, s.signins, s.non_primary,
                                       s.late, s.suppressed, s.anomalous, s.forwarded,
                                       s.held_incident_cap, s.held_rate_cap,
                                       s.incidents_opened, s.incidents_untracked,
                                       s.users_evicted, s.risk_raised};
  for (uint64_t x : v) w.Put(x);
  w.Put<uint64_t>(s.suppressed_by_rule.size());
  for (uint64_t x : s.suppressed_by_rule) w.Put(x);
}
bool GetStats(Reader& r, DetectorStats* s) {
  uint64_t* v[kNumScalarStats] = {&s->events, &s->watched, &s->signins, &s->non_primary,
                                  &s->late, &s->suppressed, &s->anomalous, &s->forwarded,
                                  &s->held_incident_cap, &s->held_rate_cap,
                                  &s->incidents_opened, &s->incidents_untracked,
                                  &s->users_evicted, &s->risk_raised};
  for (uint64_t* x : v) {
    if (!r.Get(x)) return false;
  }
  uint64_t n;
  if (!r.Get(&n) || n > 65535) return false;
  std::vector<uint64_t> by_rule(n);
  for (uint64_t& x : by_rule) {
    if (!r.Get(&x)) return false;
  }
  // Rules may have changed since: keep the counts of the rules that still exist.
  for (size_t i = 0; i < s->suppressed_by_rule.size() && i < by_rule.size(); ++i) {
    s->suppressed_by_rule[i] = by_rule[i];
  }
  return true;
}
}  // namespace

std::string DetectorImpl::StructureTag(const DetectorConfig& c) {
  // fmt: bump whenever a serialized struct's layout or meaning changes.
  return absl::StrCat("fmt=", kStateFormat, ";short=", absl::ToInt64Milliseconds(c.short_window),
                      ";long=", absl::ToInt64Milliseconds(c.long_window),
                      ";late=", absl::ToInt64Milliseconds(c.allowed_lateness),
                      ";rec=", sizeof(UserRec), ";ring=", detect_internal::kShortRing, "/",
                      detect_internal::kLongRing, ";grp=", sizeof(GroupRec),
                      ";cm=", c.sketch_width_log2, "x", c.sketch_depth,
                      // Only with aging on, so that older snapshots still load without it.
                      c.novelty_memory > absl::ZeroDuration()
                          ? absl::StrCat(";nov=", absl::ToInt64Milliseconds(c.novelty_memory))
                          : "");
}

std::string DetectorImpl::Serialize() const {
  std::string out;
  Writer w(&out);
  w.Put(kStateMagic);
  w.Bytes(StructureTag(config_));
  PutStats(w, stats_);
  w.Put(watermark_ms_);
  w.Put(rate_minute_);
  w.Put(rate_forwarded_);
  w.Put(rate_held_);
  w.Put(sweep_minute_);
  std::vector<const UserRec*> users;
  users.reserve(users_.size());
  users_.ForEach([&](const UserRec& r) { users.push_back(&r); });
  std::sort(users.begin(), users.end(),
            [](const UserRec* a, const UserRec* b) { return a->key < b->key; });
  w.Put<uint64_t>(users.size());
  for (const UserRec* r : users) w.Put(*r);
  std::vector<std::pair<uint64_t, const GroupRec*>> groups;
  for (const auto& [k, g] : groups_) groups.emplace_back(k, &g);
  std::sort(groups.begin(), groups.end());
  w.Put<uint64_t>(groups.size());
  for (const auto& [k, g] : groups) {
    w.Put(k);
    w.Put(*g);
  }
  w.Put<uint64_t>(incidents_.size());
  for (const auto& [k, inc] : incidents_) {
    w.Put(k);
    w.Put(inc);
  }
  w.Put(novelty_.current().total());
  w.Bytes(novelty_.current().RawBytes());
  if (const detect_internal::BlockedCountMin* prev = novelty_.previous()) {
    w.Put(novelty_.period());
    w.Put(prev->total());
    w.Bytes(prev->RawBytes());
  }
  return out;
}

bool DetectorImpl::Restore(std::string_view bytes, std::string* error) {
  Reader r(bytes);
  uint32_t magic;
  std::string_view tag;
  if (!r.Get(&magic) || magic != kStateMagic || !r.Bytes(&tag)) {
    *error = "not a detector state";
    return false;
  }
  if (tag != StructureTag(config_)) {
    *error = absl::StrCat("incompatible detector state: saved with ", ToAbsl(tag), ", configured ",
                          StructureTag(config_));
    return false;
  }
  uint64_t n;
  bool ok = GetStats(r, &stats_) && r.Get(&watermark_ms_) && r.Get(&rate_minute_) &&
            r.Get(&rate_forwarded_) && r.Get(&rate_held_) && r.Get(&sweep_minute_) && r.Get(&n);
  for (uint64_t i = 0; ok && i < n; ++i) {
    UserRec rec;
    ok = r.Get(&rec) && rec.key != 0;
    if (!ok) break;
    bool is_new, evicted;
    *users_.FindOrInsert(rec.key, &is_new, &evicted) = rec;
    ok = is_new && !evicted;
  }
  ok = ok && r.Get(&n);
  for (uint64_t i = 0; ok && i < n; ++i) {
    uint64_t k;
    GroupRec g;
    ok = r.Get(&k) && r.Get(&g);
    if (ok) groups_[k] = g;
  }
  ok = ok && r.Get(&n);
  for (uint64_t i = 0; ok && i < n; ++i) {
    uint64_t k;
    Incident inc;
    ok = r.Get(&k) && r.Get(&inc);
    if (ok) incidents_[k] = inc;
  }
  uint64_t total;
  std::string_view counters;
  ok = ok && r.Get(&total) && r.Bytes(&counters) &&
       novelty_.current().LoadCounters(counters, total);
  if (detect_internal::BlockedCountMin* prev = novelty_.previous(); ok && prev != nullptr) {
    int64_t period;
    ok = r.Get(&period) && r.Get(&total) && r.Bytes(&counters) &&
         prev->LoadCounters(counters, total);
    if (ok) novelty_.set_period(period);
  }
  ok = ok && r.done();
  if (!ok) *error = "detector state is truncated or malformed";
  return ok;
}

}  // namespace exfilter
