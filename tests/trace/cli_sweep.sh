#!/usr/bin/env bash
# `granule sweep` end to end (docs/sweep.md):
#  1. every row of a small grid (2 L1D sizes x with/without L2 x 4K/16K x two
#     corpus traces) equals the row `granule replay --csv` gives for the same
#     trace with a configuration file written here by awk from
#     configs/a76.ini (not by granule): an independent path to each point;
#  2. a sweep killed with SIGTERM or SIGINT after its first rows, and a
#     results file cut in the middle of a row, resume to exactly one row per
#     point, equal to an uninterrupted run's;
#  3. a points file run one index at a time gives the same rows;
#  4. bad grids, traces and results files exit 2 with a clear message.
set -u
granule=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
corpus=$root/traces/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/check.sh"
t1=$corpus/sort.grt t2=$corpus/gzip.grt
lim=50k
# drop the first N columns and the last (seconds: wall time)
cols() { awk -F, -v n="$1" '{ s = ""; for (i = n + 1; i < NF; i++) s = s (i > n + 1 ? "," : "") $i; print s }'; }

# 1. The grid against granule replay, point by point.
"$granule" sweep --quiet --base a76 --set l1d.entries=16,32 --set l2.entries=0,1280 \
  --granule 4k,16k --limit $lim -j2 -o "$tmp/grid.csv" "$t1" "$t2"
check "grid sweep exit" 0 $?
check "grid header" "point,key,l1d.entries,l2.entries,trace,config,granule" \
  "$(head -1 "$tmp/grid.csv" | cut -d, -f1-7)"
check "grid rows" 16 "$(tail -n +2 "$tmp/grid.csv" | wc -l)"
check "grid points 0..15 once each" "$(seq 0 15 | tr '\n' ' ')" \
  "$(tail -n +2 "$tmp/grid.csv" | cut -d, -f1 | sort -n | tr '\n' ' ')"
# a76 with [l1d] entries = ways = E (it is fully associative), and without
# [l2] (then the walk caches cannot run beside it: serial lookup)
mkcfg() { # mkcfg E L2 OUT
  awk -v e="$1" -v l2="$2" '
    /^\[/ { sec = $0 }
    sec == "[l2]" && l2 == 0 { next }
    sec == "[l1d]" && /^(entries|ways) *=/ { sub(/=.*/, "= " e) }
    sec == "[mmu]" && /^walk_cache_lookup/ && l2 == 0 { $0 = "walk_cache_lookup = serial" }
    { print }' "$root/configs/a76.ini" >"$3"
}
n=0
for e in 16 32; do
  for l2 in 0 1280; do
    mkcfg $e $l2 "$tmp/c.ini"
    for g in 4k 16k; do
      gb=$([ $g = 4k ] && echo 4096 || echo 16384)
      for t in "$t1" "$t2"; do
        "$granule" replay --quiet --config "$tmp/c.ini" --granule $g --limit $lim \
          --csv "$tmp/r.csv" "$t"
        want=$(tail -1 "$tmp/r.csv" | cols 0)
        got=$(awk -F, -v e=$e -v l=$l2 -v g=$gb -v t="$(basename "$t")" \
          '$3 == e && $4 == l && $5 == t && $7 == g' "$tmp/grid.csv" | cols 4)
        check "row l1d=$e l2=$l2 $g $(basename "$t")" "$want" "$got"
        n=$((n + 1))
      done
    done
  done
done
check "rows compared" 16 $n

# 2. Interrupted sweeps resume to one row per point.
grid=(--base a76 --set l1d.entries=8:64:8 --limit 100k)
"$granule" sweep --quiet "${grid[@]}" -j2 -o "$tmp/full.csv" "$t1" "$t2"
check "uninterrupted exit" 0 $?
sorted() { tail -n +2 "$1" | sort -t, -k1,1n | cols 0; }
for sig in TERM INT; do
  f=$tmp/int-$sig.csv
  "$granule" sweep --quiet "${grid[@]}" -j1 -o "$f" "$t1" "$t2" &
  pid=$!
  for _ in $(seq 200); do
    [ -f "$f" ] && [ "$(wc -l <"$f")" -ge 3 ] && break
    sleep 0.05
  done
  kill -$sig $pid
  wait $pid
  rc=$?
  check "SIG$sig exit" $([ $sig = TERM ] && echo 143 || echo 130) $rc
  rows=$(($(wc -l <"$f") - 1))
  if [ $rows -ge 2 ] && [ $rows -lt 16 ]; then passes=$((passes + 1)); else
    echo "FAIL: SIG$sig: $rows rows before the kill, want 2..15"; fails=$((fails + 1)); fi
  check "SIG$sig: complete lines only" "" "$(tail -c 1 "$f" | tr -d '\n')"
  "$granule" sweep "${grid[@]}" -j2 -o "$f" "$t1" "$t2" 2>"$tmp/err"
  check "SIG$sig resume exit" 0 $?
  contains "SIG$sig resume redoes only the rest" "$tmp/err" "$((16 - rows)) run now, $rows already in"
  check "SIG$sig: one row per point" "$(seq 0 15 | tr '\n' ' ')" \
    "$(tail -n +2 "$f" | cut -d, -f1 | sort -n | tr '\n' ' ')"
  check "SIG$sig: rows equal the uninterrupted run's" "$(sorted "$tmp/full.csv")" "$(sorted "$f")"
done
# a results file cut in the middle of its last row (a kill during write)
head -c -25 "$tmp/full.csv" >"$tmp/cut.csv"
"$granule" sweep "${grid[@]}" -j2 -o "$tmp/cut.csv" "$t1" "$t2" 2>"$tmp/err"
check "cut file resume exit" 0 $?
contains "cut row redone" "$tmp/err" "1 run now, 15 already in"
check "cut file: 16 rows" 16 "$(tail -n +2 "$tmp/cut.csv" | wc -l)"
check "cut file: rows equal" "$(sorted "$tmp/full.csv")" "$(sorted "$tmp/cut.csv")"
# nothing left to do: nothing runs, the file is untouched
cp "$tmp/cut.csv" "$tmp/cut2.csv"
"$granule" sweep "${grid[@]}" -o "$tmp/cut.csv" "$t1" "$t2" 2>"$tmp/err"
check "complete sweep rerun exit" 0 $?
contains "complete sweep rerun" "$tmp/err" "16 points, all already in"
cmp -s "$tmp/cut.csv" "$tmp/cut2.csv"
check "complete sweep rerun leaves the file" 0 $?
# --list / --dry-run read the file but never repair or run
head -c -25 "$tmp/full.csv" >"$tmp/cut3.csv"
cp "$tmp/cut3.csv" "$tmp/cut4.csv"
check "dry-run" "16 points: 15 done, 1 to run on 1 workers" \
  "$("$granule" sweep --quiet "${grid[@]}" -j1 --dry-run -o "$tmp/cut3.csv" "$t1" "$t2" | tail -1)"
check "list" 16 "$("$granule" sweep --quiet "${grid[@]}" --list "$t1" "$t2" | wc -l)"
cmp -s "$tmp/cut3.csv" "$tmp/cut4.csv"
check "dry-run leaves the file" 0 $?

# 3. A points file, one point at a time (as a Slurm array task would).
"$granule" sweep --quiet "${grid[@]}" --write-points "$tmp/points.json" "$t1" "$t2"
check "write-points exit" 0 $?
for i in 0 7 15; do
  "$granule" sweep --quiet --points-file "$tmp/points.json" --point $i -o "$tmp/p$i.csv"
  check "point $i exit" 0 $?
  check "point $i row" "$(awk -F, -v i=$i '$1 == i' "$tmp/full.csv" | cols 0)" \
    "$(tail -n +2 "$tmp/p$i.csv" | cols 0)"
  check "point $i header" "$(head -1 "$tmp/full.csv")" "$(head -1 "$tmp/p$i.csv")"
done
"$granule" sweep --quiet --points-file "$tmp/points.json" --point 0-3,9 -j2 -o "$tmp/pp.csv"
check "point list rows" "0 1 2 3 9" "$(tail -n +2 "$tmp/pp.csv" | cut -d, -f1 | sort -n | tr '\n' ' ' | sed 's/ $//')"
sed 's/"key": "\(.\)/"key": "0\1/' "$tmp/points.json" >"$tmp/edited.json"
"$granule" sweep --points-file "$tmp/edited.json" --point 0 -o "$tmp/e.csv" 2>"$tmp/err"
check "edited points file exit" 2 $?
contains "edited points file message" "$tmp/err" "but the point hashes to"

# A trace that cannot be replayed fails its points (exit 2, the point and the
# byte offset named); the other trace's rows are written.
head -c 100000 "$t1" >"$tmp/cut.grt"
"$granule" sweep --base a76 --set l1d.entries=16,32 -o "$tmp/f.csv" "$tmp/cut.grt" "$t2" 2>"$tmp/err"
check "unreadable trace exit" 2 $?
contains "unreadable trace message" "$tmp/err" "point 2 (a76 l1d.entries=32 4k cut.grt): $tmp/cut.grt: byte offset"
contains "unreadable trace summary" "$tmp/err" "4 points: 2 run now, 0 already in $tmp/f.csv, 2 failed"
check "unreadable trace: the other rows" "1 3" "$(tail -n +2 "$tmp/f.csv" | cut -d, -f1 | sort -n | tr '\n' ' ' | sed 's/ $//')"

# 4. Bad input: exit 2 and a message naming what is wrong.
bad() { # bad NAME TEXT ARGS...
  local name=$1 text=$2
  shift 2
  "$granule" sweep --list "$@" >/dev/null 2>"$tmp/err"
  check "$name exit" 2 $?
  contains "$name message" "$tmp/err" "$text"
}
bad "misspelt key" "l1d.entires=16 makes no valid configuration: l1d.entires: unknown key \`entires\`" \
  --base a76 --set l1d.entires=16 "$t1"
bad "no =" "expected SECTION.KEY=VALUE" --set l1d.entries "$t1"
bad "no section" "\`entries\` is not SECTION.KEY" --set entries=16 "$t1"
bad "empty value" "an empty value" --set l1d.entries=16,,32 "$t1"
bad "bad range" "\`64:16:8\` is not a range" --set l1d.entries=64:16:8 "$t1"
bad "axis twice" "l1d.entries is already an axis" --set l1d.entries=16 --set l1d.entries=32 "$t1"
bad "value twice" "value 16 given twice" --set l1d.entries=16,16 "$t1"
bad "bad granule" "\`8k\` is not 4k or 16k" --granule 4k,8k "$t1"
bad "value never valid" "l1d.ways=5 makes no valid configuration" \
  --base a76 --set l1d.ways=12,5 "$t1"
bad "strict" "a76 l1d.entries=48 l1d.ways=4: not a valid configuration: l1d.ways:" \
  --strict --base a76 --set l1d.entries=16,48 --set l1d.ways=4,full "$t1"
bad "missing trace" "$tmp/none.grt: cannot read trace" --base a76 "$tmp/none.grt"
bad "no trace" "no TRACE given" --base a76
bad "bad base" "no-such-preset: no such file" --base a76,no-such-preset "$t1"
# without --strict an invalid combination is skipped, with a note
"$granule" sweep --list --base a76 --set l1d.entries=16,48 --set l1d.ways=4,full "$t1" \
  >"$tmp/out" 2>"$tmp/err"
check "skip exit" 0 $?
check "skip: valid points listed" 3 "$(wc -l <"$tmp/out")"
contains "skip note" "$tmp/err" "skipping a76 l1d.entries=48 l1d.ways=4: l1d.ways: [l1d] sets = entries / ways = 12 is not a power of two"
"$granule" sweep "${grid[@]}" "$t1" "$t2" 2>"$tmp/err"
check "no -o exit" 2 $?
contains "no -o message" "$tmp/err" "give -o FILE.csv"
"$granule" sweep --quiet --base a76 --set l1d.ways=48 --limit 1k -o "$tmp/full.csv" "$t1" 2>"$tmp/err"
check "other sweep's file exit" 2 $?
contains "other sweep's file message" "$tmp/err" "full.csv:1: the header is not this sweep's"
"$granule" sweep --points-file "$tmp/points.json" --point 16 -o "$tmp/x.csv" 2>"$tmp/err"
check "point out of range exit" 2 $?
contains "point out of range message" "$tmp/err" "0..15"
"$granule" sweep --points-file "$tmp/points.json" --base a76 -o "$tmp/x.csv" 2>"$tmp/err"
check "points file with a grid exit" 2 $?

finish cli_sweep
