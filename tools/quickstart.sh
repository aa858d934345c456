#!/usr/bin/env bash
# README command 1: install what is missing, build (release), and run the
# built-in Japan-US 2025 scenario, printing a readable table.
# Extra arguments go to `dealsim run`, e.g. tools/quickstart.sh -n 1000000
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh --build
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target dealsim >/dev/null
exec build/release/dealsim run --format table "$@"
