// The exfilter command line: each subcommand (inspect, gen, eval, demo) lives
// in its own file and registers itself on the CLI11 app built by main.cc.
// Thread safety: called once from main() before parsing arguments.
#pragma once

namespace CLI {
class App;
}

namespace exfilter {

void RegisterInspectCommand(CLI::App& app);  // agent/inspect_command.cc
void RegisterGenCommand(CLI::App& app);      // agent/gen_command.cc
void RegisterEvalCommand(CLI::App& app);     // agent/eval_command.cc
void RegisterDemoCommand(CLI::App& app);     // agent/demo_command.cc

}  // namespace exfilter
