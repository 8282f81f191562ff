// See parsers/isa_features.h. Compiled with the parsers' -march.
#include "parsers/isa_features.h"

#include "util/isa_features.h"

namespace exfilter {

const uint32_t kParsersIsaFeatures = EXFILTER_ISA_FEATURES_OF_THIS_TU;

}  // namespace exfilter
