// Builds the simulated organisation (users, departments, time zones, services,
// activity rates) and plans the labelled incidents, both from the seed alone.
// Thread safety: pure functions.
#pragma once

#include <vector>

#include "perf/gen/gen_types.h"

namespace exfilter::gen {

Organization BuildOrganization(const GenOptions& options);

// Incidents in start order, none before options.learning_days. Empty when
// options.incidents is false.
std::vector<Incident> PlanIncidents(const Organization& org, const GenOptions& options);

// Start of UTC day `day` plus a local wall-clock time of `user`.
int64_t LocalTimeMs(const GenOptions& options, const User& user, int day, double local_hour);

}  // namespace exfilter::gen
