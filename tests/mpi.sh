#!/usr/bin/env bash
# mpi.sh - runs over processes (SPEC §14): dealsim under mpirun.
#
# usage: mpi.sh DEALSIM MPIRUN WORKDIR CASE
#   CASE run | sweep | sensitivity | optimize: the command's every output
#        (and the report's, with sensitivity)
#        under `mpirun -n 1, 2, 3` with -j 1 and 2 is byte-identical to
#        one process's (-j 1, no mpirun).
#   CASE errors: an invalid scenario under -n 3 prints each error once and
#        exits 2, as one process does; an output that cannot be written
#        fails with one message and the status one process gives.
#   CASE signal: SIGTERM to mpirun during a run leaves no file behind.
#   CASE sbatch: tools/dealsim.sbatch, run outside Slurm on this machine,
#        writes what one process writes.
set -u
dealsim=$1 mpirun=$2 work=$3 case=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

# Run as root in a container; and no single-copy shared memory (ptrace is
# often refused there), which changes nothing but how bytes move.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
# Open MPI keeps memory to the end on purpose, in components it loads and
# unloads itself (so LeakSanitizer cannot even name them): in an ASan
# build, leaks are checked by every other test, without mpirun.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

fail=0
bad() { echo "FAIL: $*"; fail=1; }
mpi() { local n=$1; shift; timeout 600 "$mpirun" --oversubscribe -n "$n" "$@"; }

# same CMD...: CMD writes files named by the placeholder @ (a prefix);
# compare every file of the one-process run (prefix a) with each mpirun's.
same() {
  rm -f a* b*
  "$dealsim" "${@//@/a}" -j 1 >a.stdout 2>/dev/null || { bad "one process: $*"; return; }
  for n in 1 2 3; do
    for j in 1 2; do
      rm -f b*
      mpi "$n" "$dealsim" "${@//@/b}" -j "$j" >b.stdout 2>b.stderr ||
        { bad "mpirun -n $n -j $j: $* exited $?"; cat b.stderr; continue; }
      for f in a*; do
        cmp -s "$f" "b${f#a}" || bad "mpirun -n $n -j $j: $*: b${f#a} differs from $f"
      done
    done
  done
}

case $case in
run)
  # 7 blocks of draws, spread over the processes.
  same run -n 25000 -s 3 -o @.csv --draws-out @-draws.csv --inputs-out @-inputs.csv \
       --json @.json --format csv ;;
sweep)
  # Few points of several blocks each (blocks spread), then many small
  # points (whole points spread).
  same sweep --vary actors.bessent.threshold.mean=0.05:0.2:3 -n 9000 -s 5 -o @1.csv
  same sweep --vary actors.bessent.threshold.mean=0.05:0.2:70 -n 1000 -s 5 -o @2.csv ;;
sensitivity)
  same sensitivity -n 15000 -s 5 -o @.csv --json @.json
  # The report runs the scenario and its sensitivity the same way.
  same report -n 10000 -s 2 --no-timestamp -o @.html ;;
optimize)
  # Several chunks of candidates (a chunk is one run).
  DEALSIM_OPTIMIZE_CHUNK=10 same optimize -n 5000 -s 5 -o @.csv --format csv ;;
errors)
  printf '{"dealsim": 2, "bad": 1}\n' >bad.json
  "$dealsim" run bad.json -n 100 -o one.csv 2>one.err; want=$?
  mpi 3 "$dealsim" run bad.json -n 100 -o out.csv 2>many.err; got=$?
  [ "$want" = 2 ] || bad "one process: exit $want, not 2"
  [ "$got" = "$want" ] || bad "mpirun -n 3: exit $got, not $want"
  while IFS= read -r line; do
    n=$(grep -cxF -- "$line" many.err)
    [ "$n" = 1 ] || bad "'$line' printed $n times"
  done <one.err
  [ -s one.err ] || bad "no message"
  ls -A | grep -q '^out' && bad "a file was written"
  # An output in a missing directory: one message, one process's status.
  "$dealsim" run -n 100 -o nodir/x.csv 2>one.err; want=$?
  mpi 3 "$dealsim" run -n 100 -o nodir/x.csv 2>many.err; got=$?
  [ "$got" = "$want" ] && [ "$want" != 0 ] || bad "missing directory: exit $got, one process $want"
  [ "$(grep -c 'nodir' many.err)" = 1 ] || { bad "missing directory: not one message"; cat many.err; }
  # Processes given other runs (mpirun's A : B form): the run fails with
  # one message naming the process, exit 1, and no file.
  timeout 600 "$mpirun" --oversubscribe -n 2 "$dealsim" run -n 10000 -o other.csv : \
    -n 1 "$dealsim" run -n 20000 -o other.csv 2>many.err; got=$?
  [ "$got" = 1 ] || bad "another run: exit $got"
  [ "$(grep -c 'process 2 was given another run than process 0' many.err)" = 1 ] ||
    { bad "another run: message"; cat many.err; }
  timeout 600 "$mpirun" --oversubscribe -n 1 "$dealsim" sweep \
    --vary actors.bessent.threshold.mean=0.05:0.2:3 -n 10000 -o other.csv : \
    -n 1 "$dealsim" validate 2>many.err; got=$?
  [ "$got" = 1 ] || bad "a process that ended: exit $got"
  [ "$(grep -c 'process 1 ended its command before this run' many.err)" = 1 ] ||
    { bad "a process that ended: message"; cat many.err; }
  ls -A | grep -q '^other' && bad "a file was written" ;;
signal)
  mkdir out
  # mpirun itself (not a shell around it) gets the signal, as from a
  # batch scheduler; it passes it on to every process.  The rows go to
  # /dev/null through a link, so the temporary stays small.
  "$mpirun" --oversubscribe -n 2 "$dealsim" run -n 1000000000 -j 1 -o out/s.csv \
      2>signal.err &
  pid=$!
  # Wait until the run writes its temporaries, then stop it.
  for _ in $(seq 200); do
    [ -n "$(ls -A out)" ] && break
    sleep 0.1
  done
  [ -n "$(ls -A out)" ] || bad "the run wrote nothing in 20 s"
  kill -TERM "$pid"
  wait "$pid"; rc=$?
  [ "$rc" != 0 ] || bad "mpirun exited 0 after SIGTERM"
  [ -z "$(ls -A out)" ] || { bad "files left:"; ls -la out; }
  grep -q "interrupted" signal.err || { bad "no message"; cat signal.err; } ;;
sbatch)
  top=$(dirname "$(readlink -f "$0")")/..
  script=$top/tools/dealsim.sbatch scenario=$top/scenarios/japan_us_2025.json
  "$dealsim" run "$scenario" -n 20000 -s 4 -j 1 -o a.csv --json a.json -q || bad "one process"
  DEALSIM=$dealsim SCENARIO=$scenario DRAWS=20000 SEED=4 NTASKS=3 THREADS=2 OUT=$PWD/b.csv \
    MPIRUN_FLAGS=--oversubscribe PATH=$(dirname "$mpirun"):$PATH bash "$script" \
    >/dev/null 2>&1 || bad "the sbatch script failed"
  cmp -s a.csv b.csv || bad "b.csv differs"
  cmp -s a.json b.json || bad "b.json differs" ;;
*)
  echo "usage: mpi.sh DEALSIM MPIRUN WORKDIR run|sweep|sensitivity|optimize|errors|signal|sbatch" >&2
  exit 2 ;;
esac
[ $fail = 0 ] && echo "mpi $case: ok"
exit $fail
