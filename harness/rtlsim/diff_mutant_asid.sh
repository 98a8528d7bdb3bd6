#!/bin/sh
# The ASID mutant (a TLB lookup that ignores the ASID) against four tasks
# touching the same 16 pages, a context switch every 500 accesses: the real
# RTL gives 0 divergences; the mutant must exit 1 and name a record after
# the first context switch (the first task alone cannot tell).
#   diff_mutant_asid.sh GRANULE GRANULE_MUTANT
set -u
real=$1 granule=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$real" gen multi --tasks 4 --quantum 500 --count 5000 --footprint 64K -o "$tmp/multi.grt" \
  >/dev/null || exit 2
"$real" diff "$tmp/multi.grt" >"$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
[ $rc -eq 0 ] && grep -q " 0 divergences" "$tmp/out" || { echo "FAIL: the real RTL diverges"; exit 1; }
"$granule" diff --rtl-model small-asid "$tmp/multi.grt" >"$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
[ $rc -eq 1 ] || { echo "FAIL: exit $rc, expected 1"; exit 1; }
rec=$(sed -n 's/^divergence at record \([0-9][0-9]*\).*/\1/p' "$tmp/out" | head -n 1)
[ -n "$rec" ] || { echo "FAIL: no record named"; exit 1; }
[ "$rec" -gt 500 ] || { echo "FAIL: divergence at record $rec, before the first context switch"; exit 1; }
grep -q "first at record $rec)" "$tmp/out" || { echo "FAIL: verdict names another record"; exit 1; }
exit 0
