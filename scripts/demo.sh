#!/usr/bin/env bash
# Installs what is needed, builds exfilter and runs its main job on the
# embedded demo stream: a small generated organisation with attacks in it,
# showing which events get forwarded and why, then how the run scored.
set -euo pipefail
cd "$(dirname "$0")/.."
"$(pwd)/scripts/install-deps.sh"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j "$(nproc)" --target exfilter
exec build/release/agent/exfilter demo "$@"
