#!/bin/sh
# The lock-step regression of issue 8 (ctest cosim_regress_<cfg>, label
# cosim; cosim_full_<cfg>, label cosim-full): `granule diff` of the C model
# against the RTL on every synthetic generator and every corpus trace with
# one configuration. Every diff must exit 0 and report 0 divergences over a
# non-zero number of translations; the memory-pressure runs must also make
# the walker write (AF updates), so that comparison is exercised.
#   regress.sh GRANULE CONFIG CORPUS_DIR quick|full
# quick: sort.grt whole and the first 200K records of the other corpus
# traces; full: every corpus trace whole.
set -u
granule=$1 cfg=$2 corpus=$3 mode=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 runs=0

# Keys, TCR_EL1 (T0SZ 17 as the VM layer's user range, TBI0) and SCTLR_EL1
# (EnIA, EnDA) for the signed pointers of `gen pac`.
cat >"$tmp/k.regs" <<'REGS'
TCR_EL1 = 0x00000020_80110011
SCTLR_EL1 = 0xB8D0380C
APIAKeyHi_EL1 = 0x0123456789abcdef
APIAKeyLo_EL1 = 0x1122334455667788
APDAKeyHi_EL1 = 0x8877665544332211
APDAKeyLo_EL1 = 0xfedcba9876543210
REGS

gen() {
  name=$1; shift
  "$granule" gen "$@" -o "$tmp/$name.grt" >/dev/null 2>"$tmp/err" ||
    { echo "FAIL: granule gen $*: $(cat "$tmp/err")"; exit 2; }
}
# One fetch before each data access from a 64K code region, so both L1s,
# the L2 and the arbitration between the sides are exercised.
code="--ifetch 1 --code-size 64K"
gen seq seq --count 20000 --footprint 8M --size 64 $code
gen stride stride --count 20000 --footprint 256M $code
gen random random --count 20000 --footprint 64M $code
gen chase chase --count 20000 --footprint 16M $code
gen pac pac --regs "$tmp/k.regs" --count 5000 --tamper-frac 0.3 --stack-base 0x7ffff0000000
gen multi multi --tasks 4 --quantum 500 --count 5000 $code
# 24 MiB touched with 16 MiB of RAM: the pageout daemon clears AF and
# compresses pages, so walks meet AF = 0 (docs/replay.md).
gen press random --count 20000 --footprint 24M --seed 7

# diff NAME TRACE [ARGS...]: one lock-step run; the verdict line must name
# the trace with translations and 0 divergences.
diff_one() {
  name=$1 trace=$2; shift 2
  runs=$((runs + 1))
  "$granule" diff --config "$cfg" "$@" "$trace" >"$tmp/out" 2>&1
  rc=$?
  base=$(basename "$trace")
  if [ $rc -ne 0 ] || ! grep -q "^granule diff $base: [1-9][0-9]* translations, 0 divergences" "$tmp/out"; then
    echo "FAIL: $name on $cfg (exit $rc):"; head -40 "$tmp/out"
    fail=1
    return 1
  fi
  grep "^granule diff $base:" "$tmp/out" | sed "s/^/$name: /"
  return 0
}

for g in seq stride random chase multi; do
  diff_one "gen $g" "$tmp/$g.grt"
done
diff_one "gen pac" "$tmp/pac.grt" --regs "$tmp/k.regs"
# The pageout daemon's TLBIs show that the pressure happened (a
# run without it makes one TLBI per task exit at most).
if diff_one "pressure, software AF" "$tmp/press.grt" --ram 16M --pageout; then
  tlbis=$(grep -Eo "[0-9]+ TLBIs" "$tmp/out" | head -1 | cut -d' ' -f1)
  if [ "${tlbis:-0}" -lt 1000 ]; then
    echo "FAIL: no memory pressure on $cfg (${tlbis:-no} TLBIs):"; cat "$tmp/out"
    fail=1
  fi
fi
if diff_one "pressure, hardware AF" "$tmp/press.grt" --ram 16M --pageout --hw-af; then
  if ! grep -Eq " [1-9][0-9]* walker writes" "$tmp/out"; then
    echo "FAIL: hardware AF under pressure made no walker write on $cfg:"; cat "$tmp/out"
    fail=1
  else
    echo "pressure, hardware AF: $(grep -Eo "[0-9]+ walker writes" "$tmp/out") compared"
  fi
fi

for t in sort gzip perl sqlite3 cc1; do
  limit=
  if [ "$mode" = quick ] && [ $t != sort ]; then limit="--limit 200K"; fi
  # shellcheck disable=SC2086
  diff_one "corpus $t${limit:+ ($limit)}" "$corpus/$t.grt" $limit
done

echo "cosim regression on $cfg ($mode): $runs diffs, $([ $fail = 0 ] && echo "all with 0 divergences" || echo FAILED)"
exit $fail
