// String adapters shared by every layer.
// Debian's Abseil (20220623) has its own absl::string_view that does not
// convert from std::string_view; Abseil calls go through ToAbsl().
// Thread safety: pure functions.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace exfilter {

inline absl::string_view ToAbsl(std::string_view sv) { return {sv.data(), sv.size()}; }
inline std::string_view ToStd(absl::string_view sv) { return {sv.data(), sv.size()}; }

}  // namespace exfilter
