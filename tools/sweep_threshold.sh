#!/usr/bin/env bash
# Example: sweep the US president's threshold from a shell loop, one summary
# CSV per setting, then line two of them up with `dealsim compare`.
#   tools/sweep_threshold.sh [OUTDIR] [DRAWS]
# Uses build/release/dealsim (built by tools/quickstart.sh) unless DEALSIM
# names another executable.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dealsim=${DEALSIM:-$here/build/release/dealsim}
out=${1:-threshold-sweep}
draws=${2:-20000}
mkdir -p "$out"
for t in 0.1 0.2 0.3 0.4 0.5; do
  # Same seed for every setting: differences are the threshold's, not noise.
  "$dealsim" run -n "$draws" -s 7 -q --set "actors.trump.threshold=$t" \
    -o "$out/threshold_$t.csv"
  echo "wrote $out/threshold_$t.csv"
done
"$dealsim" compare "$out/threshold_0.2.csv" "$out/threshold_0.4.csv" \
  --only-significant -o "$out/compare_0.2_vs_0.4.csv"
echo "wrote $out/compare_0.2_vs_0.4.csv"
