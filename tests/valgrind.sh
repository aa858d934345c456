#!/usr/bin/env bash
# The command line end to end under valgrind's memcheck: every command with
# each of its outputs, good and bad input, on small runs.  A command fails
# the test when memcheck reports anything (an invalid read or write, a use
# of an uninitialised value, a definite, indirect or possible leak) or when
# it exits with another status than expected.
#   tests/valgrind.sh DEALSIM SOURCE_DIR WORK_DIR
set -uo pipefail
bin=$1
src=$2
work=$3
japan=$src/scenarios/japan_us_2025.json
minimal=$src/tests/data/good/minimal.json
full=$src/tests/data/good/full.json

command -v valgrind >/dev/null || { echo "valgrind is not installed (tools/deps.sh)"; exit 1; }
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1

# 99 is no exit status of dealsim's: it means memcheck found errors.
vg=(valgrind --quiet --error-exitcode=99 --leak-check=full
    --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible
    --trace-children=no --num-callers=30)
failed=0
count=0
start=$SECONDS

# The command as shown: the source directory as SRC, long lists cut.
shown() {
  local t="dealsim ${*//$src/SRC}"
  [ ${#t} -le 150 ] || t="${t:0:150} ... ($# arguments)"
  printf '%s' "$t"
}

# check EXPECTED_STATUS ARGS...: run dealsim ARGS under memcheck, stdout to
# ./stdout, memcheck's report and dealsim's stderr to ./stderr.
check() {
  local want=$1 got t0=$SECONDS
  shift
  count=$((count + 1))
  "${vg[@]}" "$bin" "$@" >stdout 2>stderr </dev/null
  got=$?
  if [ "$got" -ne "$want" ]; then
    failed=$((failed + 1))
    if [ "$got" -eq 99 ]; then
      echo "FAIL (memcheck errors): $(shown "$@")"
    else
      echo "FAIL (exit status $got, expected $want): $(shown "$@")"
    fi
    sed 's/^/    /' stderr
  else
    echo "ok   $((SECONDS - t0))s  $(shown "$@")"
  fi
}

# run: every output at once, two threads and one, and each format to stdout.
check 0 run "$japan" -n 2000 -j 2 -s 1 -o a.csv --draws-out draws.csv --json a.json -q
check 0 run "$japan" -n 2000 -j 1 -s 2 -o b.csv -q
check 0 run -n 500 -j 2 --format table
check 0 run "$full" -n 500 -j 2 --format json --set protocol.rounds=2
check 0 run "$minimal" -n 500 -j 1 --format csv --progress
check 2 run "$japan" --set protocol.rounds=-1
check 1 run "$japan" -n 100 -q -o missing-dir/x.csv
# validate: the good files, every bad file at once (each reports its
# problems), a file that does not exist.
check 0 validate "$japan" "$minimal" "$full" "$src"/tests/data/oracle/*.json
check 2 validate "$src"/tests/data/bad/*.json
check 2 validate no-such-file.json
# sweep: a grid over two paths on two threads, lhs and sobol designs, a
# design file, and a bad design.
check 0 sweep "$japan" --vary actors.trump.threshold=0.1:0.5:3 \
  --vary protocol.rounds=1,2 -n 300 -j 2 -o sweep.csv -q
check 0 sweep "$minimal" --design lhs --samples 3 --vary protocol.rounds=1:4 \
  -n 200 -j 1 --vary-seed -q
check 0 sweep "$minimal" --design sobol --samples 3 --vary protocol.disconnect=0:0.4 \
  -n 200 -j 2 -q
printf 'protocol.rounds,actors.trump.threshold\n1,0.2\n"2",3e-1\n' >design.csv
check 0 sweep "$japan" --design-file design.csv -n 200 -j 2 -q
check 2 sweep "$japan" --design-file "$src/tests/data/design/ragged.csv" -n 200
# compare: two summaries (CSV and table), two sweeps, files that do not
# line up.
check 0 compare a.csv b.csv -o c.csv
check 0 compare a.csv b.csv --format table --only-significant
check 0 compare "$src/tests/data/compare/sweep_a.csv" "$src/tests/data/compare/sweep_b.csv"
check 2 compare a.csv "$src/tests/data/compare/summary_missing_column.csv"
# scenario, schema (when built), help, man page, completion, bad usage.
check 0 scenario -o s.json
check 0 validate s.json
if "$bin" help --commands | grep -qx schema; then
  check 0 schema
fi
check 0 help sweep
check 0 help --man run
check 0 help --completion zsh
check 2 run --bogus

echo "valgrind: $count commands, $failed failed, $((SECONDS - start)) s"
[ "$failed" -eq 0 ]
