// See agent/cpu_check.h.
#include "agent/cpu_check.h"

#include <array>
#include <utility>

namespace exfilter {

std::string_view IsaLevelForMarch(std::string_view march) {
  // GCC's -march names and the level of the instructions they imply (the
  // compiler emits AES, PCLMUL or RDRND only from intrinsics, which the
  // parsers do not use, so Haswell's extras over x86-64-v3 need no check).
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kLevels = {{
      {"x86-64-v2", "x86-64-v2"}, {"nehalem", "x86-64-v2"},   {"westmere", "x86-64-v2"},
      {"x86-64-v3", "x86-64-v3"}, {"haswell", "x86-64-v3"},   {"broadwell", "x86-64-v3"},
      {"znver2", "x86-64-v3"},    {"x86-64-v4", "x86-64-v4"}, {"skylake-avx512", "x86-64-v4"},
  }};
  for (const auto& [name, level] : kLevels) {
    if (name == march) return level;
  }
  return {};
}

bool CpuSupportsIsaLevel(std::string_view level) {
  // Feature by feature (clang 14 does not know the level names): the ones a
  // compiler emits unasked at each level.
  __builtin_cpu_init();  // may run before the constructors that would call it
  const bool v2 = __builtin_cpu_supports("sse3") && __builtin_cpu_supports("ssse3") &&
                  __builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("sse4.2") &&
                  __builtin_cpu_supports("popcnt");
  const bool v3 = v2 && __builtin_cpu_supports("avx") && __builtin_cpu_supports("avx2") &&
                  __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
                  __builtin_cpu_supports("fma");
  const bool v4 = v3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                  __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
                  __builtin_cpu_supports("avx512vl");
  if (level == "x86-64-v2") return v2;
  if (level == "x86-64-v3") return v3;
  if (level == "x86-64-v4") return v4;
  return true;
}

std::string CpuRefusalMessage(std::string_view march, std::string_view level) {
  std::string message = "exfilter: this build's parsers use ";
  message.append(level);
  message.append(" instructions (-march=");
  message.append(march);
  message.append(
      ") and this CPU lacks them: it would stop on an illegal instruction. Rebuild with cmake "
      "-DEXFILTER_PARSERS_ARCH= (the compiler's default) or a -march this CPU has.\n");
  return message;
}

}  // namespace exfilter
