#!/usr/bin/env bash
# `granule sweep --backend slurm` without a cluster (docs/sweep.md, "Slurm
# backend"): fake/sbatch runs each array task's batch script at once and
# fake/squeue queues nothing, so this runs in every build (the sanitizer one
# too) and as any user; cluster_sweep.sh is the same on real Slurm.
#  1. sbatch gets --array, --partition, --time, --mem and --sbatch's
#     arguments; the collected CSV equals the local backend's, in point order;
#  2. a trace changed after submission fails its points (job, task, exit 2
#     reported; collect exits 1); resume refuses until it is restored, then
#     submits exactly those points; a failing sbatch leaves no submission;
#  3. bad usage, another grid in the directory, foreign and malformed result
#     files: exit 2 with the file named.
set -u
granule=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/check.sh"
rows() { tail -n +2 "$1" | sort -t, -k1,1n | awk -F, '{ s = $1; for (i = 2; i < NF; i++) s = s "," $i; print s }'; }
export PATH=$here/fake:$PATH FAKE_SBATCH_DIR=$tmp
unset SLURM_CONF
mkdir "$tmp/traces"
cp "$root/traces/corpus/sort.grt" "$root/traces/corpus/gzip.grt" "$tmp/traces/"
t1=$tmp/traces/sort.grt t2=$tmp/traces/gzip.grt
grid=(--base a76 --set l1d.entries=16,32 --set l2.entries=0,1280 --limit 20k)
"$granule" sweep --quiet "${grid[@]}" -j2 -o "$tmp/local.csv" "$t1" "$t2"
check "local exit" 0 $?

# 1. submission options, collect against local
job=$("$granule" sweep --quiet --backend slurm --points-per-task 3 --partition debug --time 5 \
  --mem 1G --sbatch=--qos=low --sbatch=--nice=5 "${grid[@]}" -o "$tmp/A" "$t1" "$t2")
check "submit exit" 0 $?
check "job id" 101 "$job"
contains "sbatch arguments" "$tmp/args" \
  "--parsable --array=0-2 --job-name=granule-sweep --output=$tmp/A/logs/%A_%a.log --partition=debug --time=5 --mem=1G --qos=low --nice=5 $tmp/A/slurm/0.sh"
check "tasks" "0 1 2|3 4 5|6 7" "$(paste -sd'|' "$tmp/A/slurm/0.tasks")"
check "status" "8 points: 8 done, 0 running, 0 pending, 0 failed, 0 missing" \
  "$("$granule" sweep status "$tmp/A")"
"$granule" sweep collect --quiet -o - "$tmp/A" >"$tmp/A.csv"
check "collect exit" 0 $?
check "header" "$(head -1 "$tmp/local.csv")" "$(head -1 "$tmp/A.csv")"
check "rows equal local" "$(rows "$tmp/local.csv")" "$(rows "$tmp/A.csv")"
check "point order" "0 1 2 3 4 5 6 7 " "$(tail -n +2 "$tmp/A.csv" | cut -d, -f1 | tr '\n' ' ')"
contains "task log" "$tmp/A/logs/101_1.log" "point 4 (a76 l1d.entries=32 l2.entries=0 4k sort.grt): done"
"$granule" sweep --backend slurm "${grid[@]}" -o "$tmp/A" "$t1" "$t2" 2>"$tmp/err" >/dev/null
check "same sweep again exit" 0 $?
contains "same sweep again" "$tmp/err" "nothing to submit"

# 2. a changed trace, resume
cp "$t2" "$tmp/gzip.orig"
job=$(FAKE_SBATCH_HOOK="printf x >>'$t2'" "$granule" sweep --quiet --backend slurm \
  --points-per-task 2 "${grid[@]}" -o "$tmp/B" "$t1" "$t2")
check "submit B exit" 0 $?
"$granule" sweep collect "$tmp/B" 2>"$tmp/err"
check "collect with failures exit" 1 $?
for p in 1 3 5 7; do
  contains "failed point $p" "$tmp/err" "point $p (a76 "
  contains "failed point $p reason" "$tmp/err" \
    "failed, Slurm job $job array task $((p / 2)), exit 2: $t2: changed since the sweep was submitted"
done
contains "collect names the log" "$tmp/err" "log $tmp/B/logs/${job}_3.log"
check "failed lines" 4 "$(grep -c ': failed, Slurm job' "$tmp/err")"
check "rows with failures" 4 "$(tail -n +2 "$tmp/B/results.csv" | wc -l)"
"$granule" sweep status --verbose "$tmp/B" >"$tmp/out"
contains "status with failures" "$tmp/out" "8 points: 4 done, 0 running, 0 pending, 4 failed, 0 missing"
check "status --verbose lines" 5 "$(wc -l <"$tmp/out")"
"$granule" sweep resume "$tmp/B" 2>"$tmp/err"
check "resume with a changed trace exit" 2 $?
contains "resume with a changed trace" "$tmp/err" "$t2: changed since the sweep was submitted"
cp "$tmp/gzip.orig" "$t2"
PATH=$tmp/badbin:$PATH
mkdir "$tmp/badbin"
printf '#!/bin/sh\necho "sbatch: error: invalid partition specified: nope" >&2\nexit 1\n' \
  >"$tmp/badbin/sbatch"
chmod +x "$tmp/badbin/sbatch"
"$granule" sweep resume --partition nope "$tmp/B" 2>"$tmp/err"
check "failing sbatch exit" 2 $?
contains "failing sbatch" "$tmp/err" "sbatch failed (exit 1): sbatch: error: invalid partition specified: nope"
check "failing sbatch leaves no submission" "" "$(ls "$tmp/B/slurm" | grep '^1\.')"
PATH=${PATH#"$tmp/badbin:"}
job2=$("$granule" sweep resume --quiet "$tmp/B")
check "resume exit" 0 $?
check "resume submitted only the failed points" "1|3|5|7" "$(paste -sd'|' "$tmp/B/slurm/1.tasks")"
"$granule" sweep collect --quiet "$tmp/B"
check "collect after resume exit" 0 $?
check "rows after resume equal local" "$(rows "$tmp/local.csv")" "$(rows "$tmp/B/results.csv")"
check "resumed point's job" "$job2" "$(sed -n 's/.*"job": *\([0-9]*\).*/\1/p' "$tmp/B/results/3.json")"

# 3. bad usage and bad directories
err() { # err NAME TEXT CMD...: exit 2 and TEXT on stderr
  local name=$1 text=$2
  shift 2
  "$@" >/dev/null 2>"$tmp/err"
  check "$name exit" 2 $?
  contains "$name" "$tmp/err" "$text"
}
err "slurm option without the backend" "need --backend slurm" \
  "$granule" sweep --points-per-task 2 "${grid[@]}" -o "$tmp/x.csv" "$t1"
err "unknown backend" "--backend: \`pbs\` is not local or slurm" \
  "$granule" sweep --backend pbs "${grid[@]}" -o "$tmp/x.csv" "$t1"
err "no directory" "give -o DIR" "$granule" sweep --backend slurm "${grid[@]}" "$t1"
err "bad points per task" "--points-per-task: \`0\`" \
  "$granule" sweep --backend slurm --points-per-task 0 "${grid[@]}" -o "$tmp/y" "$t1"
err "collect with slurm options" "collect: wrong arguments" \
  "$granule" sweep collect --partition x "$tmp/A"
err "collect without a directory" "collect: wrong arguments" "$granule" sweep collect
err "not a results directory" "$tmp/traces/manifest.json: no manifest" \
  "$granule" sweep status "$tmp/traces"
err "missing directory" "$tmp/nonexistent" "$granule" sweep collect "$tmp/nonexistent"
err "another grid" "refusing to mix" \
  "$granule" sweep --backend slurm --base a76 --set l1d.entries=48 --limit 20k -o "$tmp/A" "$t1"
err "two submitters" "$tmp/A/slurm/.lock: another granule sweep is submitting" \
  flock "$tmp/A/slurm/.lock" "$granule" sweep resume "$tmp/A"
id=$(sed -n 's/.*"id": "\(.*\)".*/\1/p' "$tmp/A/manifest.json")
err "task of another manifest" "the task was submitted for 0123456789abcdef; refusing to mix" \
  "$granule" sweep task "$tmp/A" 0 0 0123456789abcdef
err "no such task" "$tmp/A/slurm/0.tasks: no task 3 (3 tasks)" "$granule" sweep task "$tmp/A" 0 3 "$id"
"$granule" sweep --quiet --backend slurm --base a76 --set l1d.entries=48 --limit 20k \
  -o "$tmp/C" "$t1" >/dev/null
cp -r "$tmp/A" "$tmp/M"
cp "$tmp/C/results/0.json" "$tmp/M/results/0.json"
err "foreign status" "$tmp/M/results/0.json: from another sweep" "$granule" sweep collect "$tmp/M"
bad() { # bad NAME FILE CONTENT WANT: collect of A with FILE replaced by CONTENT
  rm -rf "$tmp/M"
  cp -r "$tmp/A" "$tmp/M"
  printf '%b' "$3" >"$tmp/M/$2"
  err "$1" "$4" "$granule" sweep collect "$tmp/M"
}
bad "row cut short" results/3.csv "$(head -1 "$tmp/A/results/3.csv")\\n3,abc" \
  "$tmp/M/results/3.csv:2: want exactly one complete row"
bad "two rows" results/3.csv "$(cat "$tmp/A/results/3.csv")\\n$(tail -1 "$tmp/A/results/3.csv")\\n" \
  "$tmp/M/results/3.csv:2: want exactly one complete row"
bad "row of another point" results/3.csv "$(sed '2s/^3,/4,/' "$tmp/A/results/3.csv")\\n" \
  "$tmp/M/results/3.csv:2: not point 3's row"
bad "short row" results/3.csv "$(head -1 "$tmp/A/results/3.csv")\\n3,x,y\\n" \
  "$tmp/M/results/3.csv:2: 3 fields, the header has"
bad "bad header" results/2.csv "point,key\\n2,x\\n" "$tmp/M/results/2.csv:1: not this sweep's header"
bad "bad status JSON" results/5.json "{\"manifest\": " "$tmp/M/results/5.json:1:"
bad "status of another point" results/5.json "$(sed 's/"point":5/"point":4/' "$tmp/A/results/5.json")" \
  "$tmp/M/results/5.json: point 4 key"
bad "stray file" results/notes.txt "hello\\n" "$tmp/M/results/notes.txt: not a result of this sweep"
bad "point out of range" results/8.csv "x\\n" "$tmp/M/results/8.csv: not a result of this sweep"
bad "edited points file" points.json "{}\\n" "$tmp/M/points.json: XXH64"
bad "manifest not JSON" manifest.json "" "$tmp/M/manifest.json:"
bad "bad task list" slurm/0.tasks "0 1 x\\n" "$tmp/M/slurm/0.tasks:1: not a list of point indices"
rm -rf "$tmp/M"
cp -r "$tmp/A" "$tmp/M"
rm "$tmp/M/results/4.json"
err "row without status" "$tmp/M/results/4.csv: no status 4.json" "$granule" sweep collect "$tmp/M"
rm -rf "$tmp/M"
cp -r "$tmp/A" "$tmp/M"
sed -i 's/"npoints": 8/"npoints": 7/' "$tmp/M/manifest.json"
err "edited manifest count" "$tmp/M/manifest.json: header or point count differs" \
  "$granule" sweep collect "$tmp/M"
rm -rf "$tmp/M"
cp -r "$tmp/A" "$tmp/M"
sed -i 's/"granule_version": "[^"]*"/"granule_version": "0.0.0-edited"/' "$tmp/M/manifest.json"
err "edited manifest version" "$tmp/M/manifest.json: id $id, but its contents hash to" \
  "$granule" sweep collect "$tmp/M"

finish cli_sweep_slurm
