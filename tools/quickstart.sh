#!/usr/bin/env bash
# README command 1: install what is missing, build (release), and check the
# built-in Japan-US 2025 scenario through `dealsim validate`.
# Extra arguments go to `dealsim validate`.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target dealsim >/dev/null
exec build/release/dealsim validate "$@"
