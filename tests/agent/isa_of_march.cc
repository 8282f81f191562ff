// The feature bits util/isa_features.h reads off the compiler when this file
// is built with a given -march (tests/agent/CMakeLists.txt compiles it once
// per -march, each defining ISA_VARIABLE): what cpu_check_test compares with
// the features the compiler's documentation gives for that -march.
#include <cstdint>

#include "util/isa_features.h"

namespace exfilter::isa_test {

extern const uint32_t ISA_VARIABLE;
const uint32_t ISA_VARIABLE = isa::kFeaturesOfThisTu;

}  // namespace exfilter::isa_test
