#!/usr/bin/env bash
# Regenerate the fixed-seed golden summary checked by tests/test_cli.c.  Run
# only after a deliberate change of the model or the Japan-US scenario, and
# say why in the commit message.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset dev >/dev/null
cmake --build --preset dev -j "$(nproc)" --target dealsim >/dev/null
build/dev/dealsim run scenarios/japan_us_2025.json -n 20000 -s 2025 \
  --format csv > tests/golden/japan_us_2025.csv
echo "wrote tests/golden/japan_us_2025.csv"
