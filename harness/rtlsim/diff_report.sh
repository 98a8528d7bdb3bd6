#!/bin/sh
# The divergence report's history and entry dump (docs/cosim.md), on the
# ASID mutant (its TLB lookup ignores the ASID; diff_mutant_asid.sh's
# trace: four tasks on the same 16 pages, a context switch every 500
# accesses, task i with ASID i). What the mutant's bug implies, checked
# against the report:
#  * first divergence: task 2's first access after the switch. The history
#    ends with it (marked *), preceded by the context switch's register
#    write (record 1 + 500: the generator writes a ctxsw record before each
#    quantum) loading TTBR0 with ASID 2, and task 1's translations, on which
#    both sides agree (unmarked). The L1 D dump holds, on the RTL's side,
#    the entry the mutant hit: the request's page under ASID 1, marked ~
#    (covers the VA under another ASID), its PA the page of the PA the RTL
#    answered; no entry of that page is usable for ASID 2 (none marked >),
#    which is why the model walks.
#  * second divergence (--keep-going --max-report 2): the retry after the VM layer mapped
#    the page for task 2. The model misses again, walks and fills the L1 D
#    with the ASID-2 entry; the mutant hits task 1's entry again and fills
#    nothing: the model's row of that way is the page under ASID 2, marked
#    >, the way marked * (the sides differ), and the RTL's L1 D holds no
#    usable entry for the page.
#   diff_report.sh GRANULE GRANULE_MUTANT
set -u
real=$1 granule=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
quantum=500
"$real" gen multi --tasks 4 --quantum $quantum --count 5000 --footprint 64K -o "$tmp/multi.grt" \
  >/dev/null || exit 2
# The first divergence, stopping there (the default).
"$granule" diff --rtl-model small-asid --history 8 "$tmp/multi.grt" >"$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
[ $rc -eq 1 ] || fail "exit $rc, expected 1"
awk '/^divergence at /{n++} n==1' "$tmp/out" >"$tmp/r1"
[ -s "$tmp/r1" ] || fail "no report"
# The second, with --keep-going.
"$granule" diff --rtl-model small-asid --keep-going --max-report 2 --history 8 --limit 520 \
  "$tmp/multi.grt" >"$tmp/outk" 2>&1
rc=$?
cat "$tmp/outk"
[ $rc -eq 1 ] || fail "--keep-going: exit $rc, expected 1"
awk '/^divergence at /{n++} n==2' "$tmp/outk" >"$tmp/r2"
[ -s "$tmp/r2" ] || fail "--keep-going: no second report"
rec=$(sed -n '1s/^divergence at record \([0-9]*\) .*/\1/p' "$tmp/r1")
[ -n "$rec" ] || fail "first report names no record"
va=$(sed -n 's/^    request: va \(0x[0-9a-f]*\) .*/\1/p' "$tmp/r1")
[ -n "$va" ] || fail "no request VA"
page=$(printf '0x%016x' $((va & ~0xfff)))
rtlpa=$(sed -n 's/^    rtl  *[0-9][0-9]*  *\(0x[0-9a-f]*\) .*/\1/p' "$tmp/r1")
[ -n "$rtlpa" ] || fail "no PA in the rtl row (the mutant's hit)"
rtlpage=$(printf '0x%012x' $((rtlpa & ~0xfff)))

# History: 8 transactions, the last the divergent one.
grep -q '^  the last 8 transactions' "$tmp/r1" || fail "no history header"
grep -E '^    [ *] (record [0-9]+|boot) ' "$tmp/r1" >"$tmp/h1"
[ "$(wc -l <"$tmp/h1")" -eq 8 ] || fail "$(wc -l <"$tmp/h1") history lines, expected 8"
tail -n 1 "$tmp/h1" | grep -q "^    \* record $rec translation [0-9]*: read va $(printf '%#x' $((va)))" ||
  fail "the history does not end with the divergent translation"
sw=$((1 + quantum))
line=$(grep "^      record $sw register write: TTBR0 " "$tmp/h1") ||
  fail "no unmarked register write at record $sw (the context switch) in the history"
ttbr0=$(echo "$line" | sed -n 's/.*TTBR0 \(0x[0-9a-f]*\) .*/\1/p')
[ $((ttbr0 >> 48)) -eq 2 ] || fail "the context switch loads ASID $((ttbr0 >> 48)), not 2"
head -n 7 "$tmp/h1" | grep -q '^    \*' && fail "a difference before the divergent translation"

# Entries at the first divergence: the L1 D section(s).
awk '/^    l1d set /{s=1; next} /^    [a-z]/{s=0} s' "$tmp/r1" >"$tmp/l1d1"
grep -q "^              rtl   ~ va $page 4K   asid 1     pa $rtlpage " "$tmp/l1d1" ||
  fail "no RTL L1 D entry for page $page under ASID 1 with PA $rtlpage marked ~"
grep -q " model ~ va $page 4K   asid 1 " "$tmp/l1d1" ||
  fail "the model's L1 D lacks task 1's entry (both sides should hold it)"
grep -q ' > va ' "$tmp/l1d1" && fail "an L1 D entry usable for ASID 2 at the first divergence"

# Entries at the second: the model's new ASID-2 entry in a way marked *.
awk '/^    l1d set /{s=1; next} /^    [a-z]/{s=0} s' "$tmp/r2" >"$tmp/l1d2"
grep -q "^    \* way [0-9] *model > va $page 4K   asid 2 " "$tmp/l1d2" ||
  fail "no differing L1 D way with the model's ASID-2 entry for $page"
grep -q ' rtl   > va ' "$tmp/l1d2" && fail "the RTL's L1 D holds a usable entry for ASID 2"

# --history 0: no history; a bad count is a usage error.
"$granule" diff --rtl-model small-asid --history 0 "$tmp/multi.grt" >"$tmp/out0" 2>&1
[ $? -eq 1 ] || fail "--history 0: exit status"
grep -q 'transactions, oldest first' "$tmp/out0" && fail "--history 0 printed a history"
grep -q '^  TLB and walk-cache entries' "$tmp/out0" || fail "--history 0: no entries dump"
"$granule" diff --history -3 "$tmp/multi.grt" >"$tmp/outb" 2>&1
[ $? -eq 2 ] || fail "--history -3 accepted"
grep -q -- '--history -3' "$tmp/outb" || fail "--history -3: the message does not name it"
exit 0
