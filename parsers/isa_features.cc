// See parsers/isa_features.h. Compiled with the parsers' -march.
#include "parsers/isa_features.h"

#include "util/isa_features.h"

namespace exfilter {

const uint32_t kParsersIsaFeatures = isa::kFeaturesOfThisTu;

}  // namespace exfilter
