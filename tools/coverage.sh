#!/usr/bin/env bash
# Line and branch coverage of the library and the command line (sim/) by the
# test suite.  Builds build/coverage (Debug, --coverage; the engine is
# threaded, so counters are updated atomically), runs every test except the
# valgrind label and the installation test, and prints gcovr's per-file table and totals of sim/.
#   tools/coverage.sh            build, test, report
#   tools/coverage.sh --report   report the counts of the last run again
# Lines marked GCOVR_EXCL_LINE / GCOVR_EXCL_BR_LINE (each with a comment
# saying why it cannot run) are left out of the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/coverage

if [ "${1:-}" != "--report" ]; then
  tools/deps.sh
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DDEALSIM_WERROR=ON \
    -DCMAKE_C_FLAGS="--coverage -fprofile-update=atomic" \
    -DCMAKE_EXE_LINKER_FLAGS=--coverage -DCMAKE_SHARED_LINKER_FLAGS=--coverage \
    >/dev/null
  cmake --build "$build" -j "$(nproc)" >/dev/null
  # Counts of an earlier run would add up with this one's.
  find "$build" -name '*.gcda' -delete
  # test_install builds a program against the installed library, which
  # would need --coverage too; it tests the installation, not sim/.
  ctest --test-dir "$build" -j "$(nproc)" -LE valgrind -E '^test_install$' \
    --output-on-failure
fi

# Only what was compiled from sim/ (not the tests, not the generated
# built-in scenario), as paths relative to the repository: gather once,
# then print the lines table, the branches table and the totals.
gcovr -r . --object-directory "$build" -f 'sim/' -j "$(nproc)" \
  --exclude-directories "$build/CMakeFiles/[0-9]" --json "$build/coverage.json"
gcovr -a "$build/coverage.json" --sort-uncovered
gcovr -a "$build/coverage.json" --sort-uncovered --branches
# The summary goes with a text report, which gcovr writes by replacing
# the file it is given: never a special file such as /dev/null.
gcovr -a "$build/coverage.json" --txt "$build/coverage.txt" --print-summary \
  | grep -E '^(lines|branches):'
