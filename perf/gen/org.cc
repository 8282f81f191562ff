#include "perf/gen/org.h"

#include <algorithm>
#include <array>
#include <string>

#include "perf/gen/random.h"

namespace exfilter::gen {
namespace {

constexpr std::array<const char*, 24> kFirst = {
    "anna", "ben", "carla", "david", "elena", "farid", "grace", "hiro", "ines", "jonas",
    "kofi", "lena", "mateo", "nadia", "oscar", "priya", "quinn", "rosa", "sven", "tara",
    "umar", "vera", "wei", "yusuf"};
constexpr std::array<const char*, 20> kLast = {
    "adams", "becker", "costa", "dubois", "evans", "fischer", "garcia", "haddad", "ito",
    "jensen", "kowalski", "lopez", "moreau", "nguyen", "okafor", "patel", "rossi", "schmidt",
    "tanaka", "weber"};
struct Dept {
  const char* name;
  double weight;
  const char* role;
};
constexpr std::array<Dept, 10> kDepts = {{{"Engineering", 0.22, "engineer"},
                                          {"Sales", 0.16, "account_manager"},
                                          {"Support", 0.12, "support_agent"},
                                          {"Marketing", 0.09, "marketer"},
                                          {"Finance", 0.08, "analyst"},
                                          {"Operations", 0.09, "coordinator"},
                                          {"Research", 0.08, "researcher"},
                                          {"HR", 0.05, "hr_partner"},
                                          {"Legal", 0.04, "counsel"},
                                          {"IT", 0.07, "it_admin"}}};
constexpr std::array<int, 6> kTz = {-480, -300, 0, 60, 330, 540};
constexpr std::array<double, 6> kTzWeight = {0.15, 0.30, 0.15, 0.20, 0.10, 0.10};

template <typename W>
size_t Pick(Rng& rng, const W& weights) {
  double total = 0;
  for (double w : weights) total += w;
  double x = rng.Uniform() * total;
  for (size_t i = 0; i < weights.size(); ++i) {
    if ((x -= weights[i]) < 0) return i;
  }
  return weights.size() - 1;
}

std::string Guid(uint64_t a) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t b = Mix64(a);
  std::string s(36, '-');
  int bit = 0;
  for (int i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    uint64_t src = bit < 16 ? a : b;
    s[i] = kHex[(src >> (4 * (bit % 16))) & 15];
    ++bit;
  }
  return s;
}

User MakeUser(const GenOptions& o, uint32_t i) {
  Rng rng(Derive(o.seed, 0x05e7, i));
  User u;
  u.name = std::string(kFirst[rng.Next() % kFirst.size()]) + " " + kLast[rng.Next() % kLast.size()];
  std::string first = u.name.substr(0, u.name.find(' '));
  std::string last = u.name.substr(u.name.find(' ') + 1);
  u.email = first + "." + last + "." + std::to_string(1000 + i) + "@" + o.domain;
  std::array<double, kDepts.size()> dw;
  for (size_t d = 0; d < kDepts.size(); ++d) dw[d] = kDepts[d].weight;
  size_t dept = Pick(rng, dw);
  u.department = kDepts[dept].name;
  u.role = rng.Chance(0.1) ? "manager" : kDepts[dept].role;
  u.tz_minutes = kTz[Pick(rng, kTzWeight)];
  u.start_hour = static_cast<int>(rng.Range(7, 10));
  std::array<double, 3> sw = {0.6, 0.25, 0.15};
  u.main_service = static_cast<Service>(1 + Pick(rng, sw));
  u.services = static_cast<uint8_t>(1u << static_cast<int>(u.main_service));
  double extra = rng.Uniform();
  int n_extra = extra < 0.08 ? 2 : extra < 0.38 ? 1 : 0;
  for (int k = 0; k < n_extra; ++k) {
    u.services |= static_cast<uint8_t>(1u << (1 + Pick(rng, sw)));
  }
  u.daily_writes = std::clamp(rng.LogNormal(8.0, 1.0), 0.3, 400.0);
  u.dormant = rng.Chance(0.01) || i % 97 == 50;
  if (!u.dormant && (rng.Chance(0.008) || i % 101 == 7)) {
    u.bulk_weekday = static_cast<int>(rng.Range(0, 4));
    u.bulk_hour = static_cast<int>(rng.Range(10, 15));
  }
  u.office_ip = (20u << 24) | ((64u + static_cast<uint32_t>(dept)) << 16) | (i & 0xffff);
  return u;
}

}  // namespace

int64_t LocalTimeMs(const GenOptions& o, const User& u, int day, double local_hour) {
  return o.start_ms + day * kDayMs + static_cast<int64_t>(local_hour * kHourMs) -
         u.tz_minutes * kMinuteMs;
}

Organization BuildOrganization(const GenOptions& o) {
  Organization org;
  org.users.reserve(o.users + 1);
  for (uint32_t i = 0; i < static_cast<uint32_t>(o.users); ++i) org.users.push_back(MakeUser(o, i));
  User svc;
  svc.email = "svc-migration@" + o.domain;
  svc.name = "Migration Service";
  svc.department = "IT";
  svc.role = "service";
  svc.service_account = true;
  svc.dormant = true;  // active only in its migration incident
  svc.main_service = Service::kM365;
  svc.services = 1u << static_cast<int>(Service::kM365);
  svc.daily_writes = 0;
  svc.office_ip = (20u << 24) | (63u << 16) | 10u;
  org.users.push_back(svc);
  org.tenant_m365 = Guid(Derive(o.seed, 0x7e11));
  org.tenant_google = "C0" + std::to_string(Derive(o.seed, 0x9009) % 100000000);
  org.migration_app = Guid(Derive(o.seed, 0xa991));
  return org;
}

}  // namespace exfilter::gen
