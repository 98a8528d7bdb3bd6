#!/bin/sh
# granule diff --waves on the ASID mutant (diff_mutant_asid.sh's trace):
# exit 1, an FST written that fstdump reads, whose time range is exactly the
# window announced (cycles X-N to Y+2, X the cycle of the divergence, Y the
# one it was seen in, 10 time units a cycle), with the clock toggling at
# every edge across it, and the RTL's wrong response valid in cycle X (the
# mutant answers a hit in task 1's entry before the model's walk ends);
# the real RTL writes no waveform.
#   diff_waves.sh GRANULE GRANULE_MUTANT FSTDUMP
set -u
real=$1 granule=$2 fstdump=$3
n=40
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$real" gen multi --tasks 4 --quantum 500 --count 5000 --footprint 64K -o "$tmp/multi.grt" \
  >/dev/null || exit 2
"$real" diff --waves "$tmp/real" "$tmp/multi.grt" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "the real RTL diverges"; }
[ -e "$tmp/real/multi.fst" ] && fail "a waveform without a divergence"
"$granule" diff --rtl-model small-asid --waves "$tmp/w" --window $n "$tmp/multi.grt" >"$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
[ $rc -eq 1 ] || fail "exit $rc, expected 1"
line=$(grep '^waves: ' "$tmp/out") || fail "no waves line"
fst=$(echo "$line" | sed -n 's/^waves: \([^:]*\): .*/\1/p')
a=$(echo "$line" | sed -n 's/.*RTL cycles \([0-9]*\) to .*/\1/p')
b=$(echo "$line" | sed -n 's/.*RTL cycles [0-9]* to \([0-9]*\) .*/\1/p')
x=$(echo "$line" | sed -n 's/.*first divergence in cycle \([0-9]*\),.*/\1/p')
y=$(echo "$line" | sed -n 's/.*seen in cycle \([0-9]*\);.*/\1/p')
[ "$fst" = "$tmp/w/multi.fst" ] || fail "waveform at '$fst'"
[ -n "$a" ] && [ -n "$b" ] && [ -n "$x" ] && [ -n "$y" ] || fail "cycles not named"
rtl=$(sed -n 's/^    rtl  *\([0-9][0-9]*\) .*/\1/p' "$tmp/out")
[ "$x" = "$rtl" ] || fail "divergence cycle $x, the RTL's response in $rtl"
[ "$x" -gt $n ] || fail "divergence in cycle $x, inside the first window"
[ "$a" -eq $((x - n)) ] && [ "$b" -eq $((y + 2)) ] || fail "window $a..$b for $x, $y"
"$fstdump" "$fst" mmu.clk_i mmu.rsp_valid_o >"$tmp/dump" || { cat "$tmp/dump"; fail "fstdump"; }
head -n 5 "$tmp/dump"
start=$(sed -n 's/^start //p' "$tmp/dump")
end=$(sed -n 's/^end //p' "$tmp/dump")
[ "$start" -eq $((10 * a)) ] || fail "FST starts at $start, not $((10 * a))"
[ "$end" -eq $((10 * b + 5)) ] || fail "FST ends at $end, not $((10 * b + 5))"
[ "$start" -le $((10 * (x - n))) ] && [ "$end" -ge $((10 * x)) ] || fail "[x-n, x] not covered"
# One value per edge: 2 per cycle (the first dump holds every signal).
edges=$(grep -c ' mmu\.clk_i ' "$tmp/dump")
[ "$edges" -eq $((2 * (b - a + 1))) ] || fail "$edges clock values for cycles $a..$b"
"$fstdump" "$fst" --at $((10 * x)) mmu.rsp_valid_o mmu.rsp_level_o >"$tmp/at" || fail "fstdump --at"
cat "$tmp/at"
grep -q 'rsp_valid_o  *0x1$' "$tmp/at" || fail "the RTL's response not valid at cycle $x"
# It is the mutant's hit (leaf level 3), as the report's rtl row says.
grep -q 'rsp_level_o  *0x3$' "$tmp/at" || fail "not the hit's response at cycle $x"
exit 0
