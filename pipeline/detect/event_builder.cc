#include "pipeline/detect/event_builder.h"

#include <arpa/inet.h>

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/time/time.h"
#include "util/hash.h"
#include "util/strings.h"

namespace exfilter {
namespace {
constexpr uint64_t kSeedV4 = 4, kSeedV6 = 6, kSeedApp = 0x617070, kSeedId = 0x6964;

// Lower-cases into buf (up to its size); longer text is hashed as it is.
uint64_t LowerHash(std::string_view s, uint64_t seed) {
  char buf[256];
  if (s.size() > sizeof(buf)) return StableHash(s, seed);
  for (size_t i = 0; i < s.size(); ++i) buf[i] = absl::ascii_tolower(static_cast<unsigned char>(s[i]));
  return StableHash(std::string_view(buf, s.size()), seed);
}

// A dotted quad as inet_pton reads it ("10.0.0.1": each part 0-255, no
// leading zero) into addr; false for anything else (then inet_pton decides).
bool ParseDottedQuad(std::string_view ip, unsigned char addr[4]) {
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0 && (i >= ip.size() || ip[i++] != '.')) return false;
    unsigned value = 0, digits = 0;
    const size_t first = i;
    while (i < ip.size() && ip[i] >= '0' && ip[i] <= '9' && digits < 3) {
      value = value * 10 + static_cast<unsigned>(ip[i++] - '0');
      ++digits;
    }
    if (digits == 0 || value > 255 || (digits > 1 && ip[first] == '0')) return false;
    addr[part] = static_cast<unsigned char>(value);
  }
  return i == ip.size();
}

}  // namespace

uint64_t TenantKey(std::string_view tenant) { return StableHash(tenant); }

uint64_t UserKeyFor(uint64_t tenant_key, std::string_view user) {
  return user.empty() ? 0 : HashCombine(tenant_key, StableHash(user));
}

uint64_t IpPrefixKey(std::string_view ip) {
  unsigned char quad[4];
  if (ParseDottedQuad(ip, quad)) {  // the common case, without a copy and inet_pton
    return StableHash(std::string_view(reinterpret_cast<char*>(quad), 3), kSeedV4);
  }
  char buf[64];
  if (ip.empty() || ip.size() >= sizeof(buf)) return 0;
  std::memcpy(buf, ip.data(), ip.size());
  buf[ip.size()] = '\0';
  unsigned char addr[16];
  if (inet_pton(AF_INET, buf, addr) == 1) {
    return StableHash(std::string_view(reinterpret_cast<char*>(addr), 3), kSeedV4);
  }
  if (inet_pton(AF_INET6, buf, addr) == 1) {
    return StableHash(std::string_view(reinterpret_cast<char*>(addr), 6), kSeedV6);
  }
  return 0;
}

bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p, ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

absl::StatusOr<std::unique_ptr<EventBuilder>> EventBuilder::Create(const DetectorConfig& config) {
  Identities ids;
  if (!config.identities_file.empty()) {
    absl::StatusOr<Identities> loaded = Identities::Load(config.identities_file);
    if (!loaded.ok()) return loaded.status();
    ids = *std::move(loaded);
  }
  return std::make_unique<EventBuilder>(config, std::move(ids));
}

EventBuilder::EventBuilder(const DetectorConfig& config, Identities identities)
    : identities_(std::move(identities)) {
  for (const SuppressRule& r : config.suppress) {
    Rule rule;
    for (const std::string& u : r.users) {
      rule.users.insert(StableHash(absl::AsciiStrToLower(ToAbsl(u))));
    }
    for (const std::string& a : r.apps) rule.apps.insert(LowerHash(a, kSeedApp));
    rule.paths = r.paths;
    rule.service_accounts = r.service_accounts;
    rule.has_time_range = r.has_time_range;
    if (r.has_time_range) {
      rule.start_ms = absl::ToUnixMillis(r.start);
      rule.end_ms = absl::ToUnixMillis(r.end);
    }
    rules_.push_back(std::move(rule));
  }
}

uint16_t EventBuilder::MatchSuppression(const AuditEvent& ev, uint64_t user_hash,
                                        bool service_account) const {
  uint64_t app_hash = ev.app.empty() ? 0 : LowerHash(ev.app, kSeedApp);
  for (size_t i = 0; i < rules_.size(); ++i) {
    const Rule& r = rules_[i];
    if (r.has_time_range && (ev.time_ms < r.start_ms || ev.time_ms >= r.end_ms)) continue;
    if (r.service_accounts && !service_account) continue;
    if (!r.users.empty() && !r.users.contains(user_hash)) continue;
    if (!r.apps.empty() && (app_hash == 0 || !r.apps.contains(app_hash))) continue;
    if (!r.paths.empty()) {
      bool any = false;
      for (const std::string& g : r.paths) any = any || GlobMatch(g, ev.object);
      if (!any) continue;
    }
    return static_cast<uint16_t>(i);
  }
  return kNoSuppressRule;
}

bool EventBuilder::Build(const AuditEvent& ev, DetectorEvent* out) const {
  if (ev.time_ms == 0) return false;
  DetectorEvent d;
  d.time_ms = ev.time_ms;
  d.tenant_key = TenantKey(ev.tenant);
  std::string_view user = !ev.user.empty() ? ev.user : ev.user_id;
  uint64_t user_hash = StableHash(user);
  d.user_key = user.empty() ? 0 : HashCombine(d.tenant_key, user_hash);
  const Identity* id = user.empty() ? nullptr : identities_.Find(user);
  d.peer_key = id != nullptr && id->department_key != 0
                   ? HashCombine(d.tenant_key, id->department_key)
                   : d.tenant_key;
  d.service_account = id != nullptr && id->service_account;
  d.ip_key = ev.ip.empty() ? 0 : StableHash(ev.ip);
  d.prefix_key = IpPrefixKey(ev.ip);
  d.dest_key = ev.destination.empty() ? 0 : StableHash(ev.destination);
  d.app_key = ev.app.empty() ? 0 : LowerHash(ev.app, kSeedApp);
  d.dedup_key = ev.id.empty() ? 0 : StableHash(ev.id, kSeedId + static_cast<uint64_t>(ev.service));
  d.service = ev.service;
  d.action = ev.action;
  d.primary = ev.primary;
  if (IsWatchedAction(ev.action) && !rules_.empty()) {
    d.suppress_rule = MatchSuppression(ev, user_hash, d.service_account);
  }
  *out = d;
  return true;
}

}  // namespace exfilter
