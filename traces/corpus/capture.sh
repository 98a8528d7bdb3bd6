#!/usr/bin/env bash
# Re-captures the real-trace corpus with scripts/capture-trace and rewrites
# MANIFEST. Every workload is tiny on purpose: valgrind lackey writes about a
# million lines a second and each line is one record.
#
#   traces/corpus/capture.sh [--format native|lackey] [NAME...]
#
# The inputs are committed under inputs/ (gpl3-*.txt are the first 4 KiB and
# 16 KiB of Debian's /usr/share/common-licenses/GPL-3). Programs run under
# `env -i` with a fixed minimal environment (see scripts/capture-trace), in
# this directory's inputs/ so relative paths are the same for everyone.
# Captures are not bit-identical run to run: valgrind's log carries process
# ids, and the kernel's ASLR still moves mmap results; record counts stay
# within a fraction of a percent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
capture=$here/../../scripts/capture-trace
format=
if [ "${1:-}" = --format ]; then format=$2; shift 2; fi
# The first granule with the convert command ($GRANULE, PATH, build*/).
granule=${GRANULE:-}
if [ -z "$granule" ]; then
  for g in "$(command -v granule 2>/dev/null || true)" "$here"/../../build*/harness/granule; do
    if [ -n "$g" ] && [ -x "$g" ] && "$g" help convert >/dev/null 2>&1; then granule=$g; break; fi
  done
fi
if [ -z "$format" ]; then
  if [ -n "$granule" ]; then format=native; else format=lackey; fi
fi
case $format in
  native) ext=grt; [ -n "$granule" ] || { echo "capture.sh: no granule with convert; build it or set GRANULE" >&2; exit 2; } ;;
  lackey) ext=lackey.zst ;;
  *) echo "capture.sh: --format $format: native or lackey" >&2; exit 2 ;;
esac

cc1=$(gcc -print-prog-name=cc1)
declare -A cmd stdin
order=(gzip sort perl sqlite3 cc1)
cmd[gzip]="gzip -9 -c gpl3-16k.txt"
cmd[sort]="sort -f gpl3-16k.txt"
cmd[perl]="perl wordfreq.pl gpl3-4k.txt"
cmd[sqlite3]="sqlite3 :memory:"; stdin[sqlite3]=queries.sql
cmd[cc1]="$cc1 -quiet -O0 small.c -o /dev/null"

names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${order[@]}")
manifest=$here/MANIFEST
if [ $# -eq 0 ]; then
  {
    echo "# granule real-trace corpus: one section per trace, written by capture.sh."
    echo "# Re-capture: traces/corpus/capture.sh [NAME...] (cwd of each command: traces/corpus/inputs)."
    echo "# host: $(. /etc/os-release && echo "$PRETTY_NAME"), $(uname -m), kernel $(uname -r)"
    echo "# lackey_accesses: lackey lines I/L/S/M; native_records: what granule reads back (an M line is two"
    echo "# records, a load and a store; events are the mapping syscalls plus process events);"
    echo "# mapping_syscalls: mmap/munmap/mprotect/mremap/brk lines; bytes and sha256 of the file."
    echo
  } >"$manifest"
fi
for n in "${names[@]}"; do
  [ -n "${cmd[$n]:-}" ] || { echo "capture.sh: no workload $n (have: ${order[*]})" >&2; exit 2; }
  echo "== $n: ${cmd[$n]}"
  args=(--format "$format" ${granule:+--granule "$granule"} --cwd "$here/inputs" --name "$n" --manifest "$manifest" -o "$here/$n.$ext")
  [ -n "${stdin[$n]:-}" ] && args+=(--stdin "$here/inputs/${stdin[$n]}")
  # shellcheck disable=SC2086
  "$capture" "${args[@]}" -- ${cmd[$n]}
done
