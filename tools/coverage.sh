#!/usr/bin/env bash
# Line and branch coverage of the library and the command line (sim/) by the
# test suite.  Builds build/coverage (Debug, --coverage; the engine is
# threaded, so counters are updated atomically), runs every test except the
# valgrind label and the installation test, and prints gcovr's per-file
# tables and the totals of sim/.
#   tools/coverage.sh                    build, test, report
#   tools/coverage.sh --report           report the counts of the last run again
#   tools/coverage.sh --check            build, test, report, and exit 1 when
#                                        the totals are below the floor
#   tools/coverage.sh --report --check   the same check on the last run's counts
# The floor is 95% of the lines and 90% of the branches of sim/; a change
# that leaves code or a branch untested lowers the figures towards it.
#
# What counts:
# - The man pages and completions are generated at build time by the built
#   dealsim, and test_help checks them; they are generated again after the
#   old counts are removed, so that their generation counts like any test.
# - test_alloc runs each allocation failure in a forked child that ends
#   with _exit(); DS_GCOV makes the child write its counts first.
# - Code that cannot run is marked in sim/, each mark with a comment saying
#   why (a case that an earlier test returned from, a limit the kernel
#   enforces first, ...): GCOVR_EXCL_LINE (the line and its branches),
#   GCOVR_EXCL_BR_LINE (its branches) or GCOVR_EXCL_START ... GCOVR_EXCL_STOP
#   (the lines from START up to, not including, STOP).  Only such code: a
#   path that is hard to reach but can be reached is tested or left counted.
#   `grep -n GCOVR_EXCL sim/*.c` lists them.
# - No other gcovr filter: --exclude-unreachable-branches (branches on lines
#   without code) changes neither figure here, so it is not used.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/coverage
line_floor=95
branch_floor=90

report=0 check=0
for a in "$@"; do
  case $a in
    --report) report=1 ;;
    --check) check=1 ;;
    *) echo "usage: tools/coverage.sh [--report] [--check]" >&2; exit 2 ;;
  esac
done

if [ $report = 0 ]; then
  tools/deps.sh
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DDEALSIM_WERROR=ON \
    -DCMAKE_C_FLAGS="--coverage -fprofile-update=atomic -DDS_GCOV" \
    -DCMAKE_EXE_LINKER_FLAGS=--coverage -DCMAKE_SHARED_LINKER_FLAGS=--coverage \
    >/dev/null
  cmake --build "$build" -j "$(nproc)" >/dev/null
  # Counts of an earlier run would add up with this one's.
  find "$build" -name '*.gcda' -delete
  rm -f "$build/doc/stamp"
  cmake --build "$build" --target dealsim_docs >/dev/null
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
# gcovr writes a text report by replacing the file it is given, so its
# reports go into the build tree, never over a special file like /dev/null.
gcovr -a "$build/coverage.json" --txt "$build/coverage.txt" --print-summary \
  | grep -E '^(lines|branches):'

if [ $check = 1 ]; then
  below=
  gcovr -a "$build/coverage.json" --txt "$build/coverage.txt" --fail-under-line "$line_floor" \
    >/dev/null 2>&1 || below="lines"
  gcovr -a "$build/coverage.json" --txt "$build/coverage.txt" --fail-under-branch "$branch_floor" \
    >/dev/null 2>&1 || below="${below:+$below and }branches"
  if [ -n "$below" ]; then
    echo "coverage: $below below the floor ($line_floor% of lines, $branch_floor% of branches)" >&2
    exit 1
  fi
  echo "coverage: at or above the floor ($line_floor% of lines, $branch_floor% of branches)"
fi
