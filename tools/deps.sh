#!/usr/bin/env bash
# Install what dealsim needs to build and test, when it is missing.
# As root this runs apt-get; otherwise it prints the exact command to run.
# Usage: tools/deps.sh            (build and test dependencies)
#        tools/deps.sh --build    (only what building and running needs:
#                                  README command 1)
set -euo pipefail
build_only=0
case ${1:-} in
  --build) build_only=1 ;;
  "") ;;
  *) echo "usage: tools/deps.sh [--build]" >&2; exit 2 ;;
esac

# bash, zsh and groff-base: the tests run the generated completion scripts
# and check the man pages with groff.
# python3-jsonschema: the schema tests validate with a real validator.
# clang and libclang-rt-dev: the libFuzzer campaigns of tools/fuzz.sh (clang
# alone does not bring libFuzzer: on Debian 12 its runtime,
# libclang_rt.fuzzer-x86_64.a, is in libclang-rt-14-dev, only recommended by
# clang-14 and not installed with --no-install-recommends).
# The build configures the tests too, so Criterion is a build dependency.
pkgs=(build-essential cmake pkg-config libgsl-dev libcjson-dev libcriterion-dev python3)
if [ $build_only = 0 ]; then
pkgs+=(bash zsh groff-base python3-jsonschema clang libclang-rt-dev)
# valgrind: the memcheck run of the command line (ctest -L valgrind);
# gcovr: tools/coverage.sh.
pkgs+=(valgrind gcovr)
# chromium: the headless browser that loads the page of `dealsim report`
# (ctest's report_browser; without it that test is reported as skipped).
pkgs+=(chromium)
# libopenmpi-dev and openmpi-bin: runs over processes under mpirun (SPEC
# §14); the build finds MPI when it is there, and ctest's mpi.* tests run
# the executable under mpirun.  Without them dealsim builds and runs as one
# process.
pkgs+=(libopenmpi-dev openmpi-bin)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "dealsim: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "dealsim: missing packages: ${missing[*]}" >&2
  echo "run:  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
