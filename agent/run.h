// RunAgent: the `exfilter` main job. Opens the inputs (stdin, files, globs,
// followed files), the sink, the dead-letter file and the checkpoint, runs the
// pipeline until end of input (or SIGTERM/SIGINT in follow mode), handles
// SIGHUP (config reload) and prints stats to stderr.
// Exit codes: 0 done; 1 failed while running (unreadable input, sink gave
// up, checkpoint not written); 2 bad usage or configuration.
// Thread safety: call once, from main().
#pragma once

#include <string>

#include "agent/config.h"

namespace exfilter {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitUsage = 2;

// `config_file` is re-read on SIGHUP (empty: nothing to reload).
int RunAgent(const AgentConfig& config, const std::string& config_file);

}  // namespace exfilter
