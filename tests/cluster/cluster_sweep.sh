#!/usr/bin/env bash
# `granule sweep --backend slurm` on a real one-node Slurm cluster
# (scripts/slurm-cluster; docs/sweep.md, "Slurm backend"):
#  1. an 8-point sweep (2 L1D sizes x with/without L2 x two corpus traces)
#     run as an array job collects to the same rows as the local backend's
#     (sorted by point; `seconds`, a wall time, left out), with the same
#     header; the wall times of both are printed;
#  2. a held submission (2 points per task) whose second trace is changed
#     before release: its 4 points fail, collect reports each with its job,
#     array task and exit code and exits 1; resume refuses while the trace
#     differs from the manifest, then resubmits exactly those 4 points once
#     it is restored, and the collected CSV equals the local one;
#  3. another grid into the same directory and a result file from another
#     sweep are refused (exit 2, file named; cli_sweep_slurm.sh checks
#     malformed files without a cluster).
# Needs root (slurmd); skipped (77) otherwise.
set -u
granule=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: the Slurm daemons need root"
  exit 77
fi
tmp=$(mktemp -d)
chmod 0755 "$tmp" # munged runs as munge on a socket in there
cluster=$tmp/cluster
cleanup() {
  "$root/scripts/slurm-cluster" stop "$cluster" quiet
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
. "$(dirname "$0")/../lib/check.sh"
fatal() { echo "FAIL: $*"; for f in "$cluster"/*.log; do echo "== $f"; tail -n 20 "$f"; done; exit 1; }
now() { date +%s.%N; }
# every point's row without its last column (seconds), in point order
rows() { tail -n +2 "$1" | sort -t, -k1,1n | awk -F, '{ s = $1; for (i = 2; i < NF; i++) s = s "," $i; print s }'; }
# wait_job JOB SECONDS: polls squeue (not sbatch --wait, which backs off)
wait_job() {
  local end=$((SECONDS + $2))
  while [ $SECONDS -lt $end ]; do
    [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
    sleep 0.2
  done
  fatal "job $1 not finished after $2 s: $(squeue 2>&1)"
}

timeout 120 "$root/scripts/slurm-cluster" start "$cluster" || fatal "the cluster did not start"
export SLURM_CONF=$cluster/slurm.conf

mkdir "$tmp/traces"
cp "$root/traces/corpus/sort.grt" "$root/traces/corpus/gzip.grt" "$tmp/traces/"
t1=$tmp/traces/sort.grt t2=$tmp/traces/gzip.grt
grid=(--base a76 --set l1d.entries=16,32 --set l2.entries=0,1280 --limit 50k)

# 1. local against Slurm
t0=$(now)
"$granule" sweep --quiet "${grid[@]}" -j2 -o "$tmp/local.csv" "$t1" "$t2"
check "local exit" 0 $?
tlocal=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')
check "local rows" 8 "$(tail -n +2 "$tmp/local.csv" | wc -l)"

t0=$(now)
job=$("$granule" sweep --quiet --backend slurm "${grid[@]}" -o "$tmp/A" "$t1" "$t2")
check "submit exit" 0 $?
[ -n "$job" ] || fatal "no job id"
wait_job "$job" 90
"$granule" sweep collect --quiet "$tmp/A"
check "collect exit" 0 $?
tslurm=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')
check "header" "$(head -1 "$tmp/local.csv")" "$(head -1 "$tmp/A/results.csv")"
check "rows equal local" "$(rows "$tmp/local.csv")" "$(rows "$tmp/A/results.csv")"
check "rows in point order" "$(seq 0 7 | tr '\n' ' ')" \
  "$(tail -n +2 "$tmp/A/results.csv" | cut -d, -f1 | tr '\n' ' ')"
check "status" "8 points: 8 done, 0 running, 0 pending, 0 failed, 0 missing" \
  "$("$granule" sweep status "$tmp/A")"
"$granule" sweep resume "$tmp/A" 2>"$tmp/err"
check "resume with nothing to do" 0 $?
contains "resume with nothing to do" "$tmp/err" "nothing to submit"
check "manifest traces" 2 "$(grep -c '"xxh64"' "$tmp/A/manifest.json")"
printf 'figures: 8-point sweep local -j2 %.2f s, Slurm (submit to collected) %.2f s\n' \
  "$tlocal" "$tslurm"

# 2. failing points, reported, then completed by resume
cp "$t2" "$tmp/gzip.orig"
job=$("$granule" sweep --quiet --backend slurm --points-per-task 2 --sbatch=--hold \
  "${grid[@]}" -o "$tmp/B" "$t1" "$t2")
check "held submit exit" 0 $?
check "held status" "8 points: 0 done, 0 running, 8 pending, 0 failed, 0 missing" \
  "$("$granule" sweep status "$tmp/B")"
check "4 tasks of 2 points" "0 1|2 3|4 5|6 7" "$(paste -sd'|' "$tmp/B/slurm/0.tasks")"
printf 'x' >>"$t2" # the trace changes after submission
scontrol release "$job" || fatal "scontrol release $job"
wait_job "$job" 90
"$granule" sweep collect "$tmp/B" 2>"$tmp/err"
check "collect with failures exit" 1 $?
check "collect with failures rows" 4 "$(tail -n +2 "$tmp/B/results.csv" | wc -l)"
for p in 1 3 5 7; do
  contains "failed point $p" "$tmp/err" \
    "point $p (a76 "
  contains "failed point $p job/task/exit" "$tmp/err" \
    "failed, Slurm job $job array task $((p / 2)), exit 2: $t2: changed since the sweep was submitted"
done
check "failed lines" 4 "$(grep -c ': failed, Slurm job' "$tmp/err")"
check "status with failures" "8 points: 4 done, 0 running, 0 pending, 4 failed, 0 missing" \
  "$("$granule" sweep status "$tmp/B")"
"$granule" sweep resume "$tmp/B" 2>"$tmp/err"
check "resume with a changed trace exit" 2 $?
contains "resume with a changed trace" "$tmp/err" "$t2: changed since the sweep was submitted"
cp "$tmp/gzip.orig" "$t2"
job2=$("$granule" sweep resume --quiet "$tmp/B")
check "resume exit" 0 $?
check "resume submitted only the failed points" "1|3|5|7" "$(paste -sd'|' "$tmp/B/slurm/1.tasks")"
wait_job "$job2" 90
"$granule" sweep collect --quiet "$tmp/B"
check "collect after resume exit" 0 $?
check "rows after resume equal local" "$(rows "$tmp/local.csv")" "$(rows "$tmp/B/results.csv")"
check "resumed point's job" "$job2" \
  "$(sed -n 's/.*"job": *\([0-9]*\).*/\1/p' "$tmp/B/results/3.json")"

# 3. refusing to mix
"$granule" sweep --quiet --backend slurm --base a76 --set l1d.entries=48 --limit 50k \
  -o "$tmp/A" "$t1" "$t2" 2>"$tmp/err"
check "another grid into A exit" 2 $?
contains "another grid into A" "$tmp/err" "refusing to mix"
job=$("$granule" sweep --quiet --backend slurm --base a76 --set l1d.entries=48 --limit 10k \
  -o "$tmp/C" "$t1")
wait_job "$job" 90
cp -r "$tmp/A" "$tmp/M"
cp "$tmp/C/results/0.json" "$tmp/M/results/0.json"
"$granule" sweep collect "$tmp/M" 2>"$tmp/err"
check "foreign status exit" 2 $?
contains "foreign status" "$tmp/err" "$tmp/M/results/0.json: from another sweep"
finish cluster_sweep
