#!/bin/sh
# Replay's TLB accounting on the real-trace corpus, checked two ways:
#  1. against an independent method: tests/trace/stackdist (LRU stack
#     distances over pages, Mattson et al.) gives the misses of a fully
#     associative LRU TLB of N entries for the data stream and the fetch
#     stream of each corpus trace, at 4K and 16K pages; `granule replay`
#     of the same page-split stream (a din file: no sizes, no mapping
#     events) with a single-level N-entry fully associative LRU TLB must
#     miss exactly as often, for every N;
#  2. against the committed expected values (tests/trace/expected/lru.txt),
#     which were produced by stackdist once and agree with step 1, so a
#     change to the corpus, the readers or stackdist itself is caught.
# Usage: replay_lru.sh GRANULE STACKDIST CORPUS_DIR EXPECTED [TRACE...]
set -eu
G=$1 SD=$2 CORPUS=$3 EXPECTED=$4
shift 4
TRACES=${*:-"gzip sort perl sqlite3 cc1"}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
NS="16 32 48 64"

for name in $TRACES; do
  # cc1 is 78M records: its first 8M keep the test short
  limit=0
  [ "$name" = cc1 ] && limit=8000000
  for shift in 12 14; do
    gran=4k; [ $shift = 14 ] && gran=16k
    for side in d i; do
      "$SD" --page-shift $shift --side $side --limit $limit --din "$T/s.din" \
            "$CORPUS/$name.grt" $NS > "$T/sd.txt"
      for N in $NS; do
        want=$(awk -v n=$N '$1 == n { print $2 }' "$T/sd.txt")
        exp=$(awk -v t=$name -v g=$gran -v s=$side -v n=$N \
                '$1 == t && $2 == g && $3 == s && $4 == n { print $5 }' "$EXPECTED")
        if [ "$want" != "$exp" ]; then
          echo "FAIL $name $gran $side N=$N: stackdist $want, expected.txt says '${exp}'"
          fail=1
        fi
        # One level: N-entry fully associative LRU on the side under test,
        # the other side minimal, no L2, no contiguous coalescing.
        if [ $side = d ]; then di=$N; ii=4; else di=4; ii=$N; fi
        printf '[mmu]\nname = fa%s\ncontiguous = off\n[l1i]\nentries = %s\nways = %s\nreplacement = lru\n[l1d]\nentries = %s\nways = %s\nreplacement = lru\n' \
          $N $ii $ii $di $di > "$T/fa.ini"
        "$G" replay --quiet --config "$T/fa.ini" --granule $gran --format din \
             --csv "$T/r.csv" "$T/s.din"
        # columns: ... l1i_misses (17), l1d_misses (19), violations (15)
        got=$(awk -F, -v s=$side 'NR == 2 { print (s == "d" ? $19 : $17) }' "$T/r.csv")
        viol=$(awk -F, 'NR == 2 { print $15 }' "$T/r.csv")
        if [ "$got" != "$want" ] || [ "$viol" != 0 ]; then
          echo "FAIL $name $gran $side N=$N: replay misses $got (violations $viol), stack distances say $want"
          fail=1
        else
          echo "ok   $name $gran $side N=$N: $got misses"
        fi
      done
    done
  done
done
exit $fail
