#!/bin/sh
# Lock-step TLM wrapper vs direct calls on synthetic traces (label cosim):
# signed pointers with a fraction tampered (granule gen pac: the PAC stage,
# Auth's error-coded pointers, their faults and the authenticated address),
# and four tasks with context switches (granule gen multi: register writes
# between requests, several ASIDs, TLBIs at task exit), on the small and a76
# presets and on small with FEAT_PAuth2 + FEAT_FPAC. With MODE rtl: the RTL
# flavour against the C flavour (--mode rtl), on small only (the
# configuration the RTL flavour is built for).
#   sc_replay_gen.sh GRANULE GRANULE_SC_REPLAY CONFIGS_DIR [rtl]
set -u
granule=$1 screplay=$2 configs=$3 mode=${4:-diff}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1

# The keys, TCR_EL1 (T0SZ 17 as the VM layer's user range, TBI0) and
# SCTLR_EL1 (EnIA, EnDA) the pointers are signed with.
cat >"$tmp/k.regs" <<'REGS'
TCR_EL1 = 0x00000020_80110011
SCTLR_EL1 = 0xB8D0380C
APIAKeyHi_EL1 = 0x84be85ce9804e94b
APIAKeyLo_EL1 = 0xec2802d4e0a488e9
APDAKeyHi_EL1 = 0x84be85ce9804e94b
APDAKeyLo_EL1 = 0xec2802d4e0a488e9
REGS
sed -e 's/^fpac = off/fpac = on/' -e 's/^pauth2 = off/pauth2 = on/' \
    -e 's/^name = small/name = small-fpac/' "$configs/small.ini" >"$tmp/fpac.ini"
# The RTL simulates ~100000 cycles/s and the multi-task trace is
# walk-heavy (~150 cycles a record): shorter traces, as many switches.
count=20000 quantum=2000
[ "$mode" = rtl ] && count=5000 quantum=500
"$granule" gen pac --regs "$tmp/k.regs" --count $count --tamper-frac 0.3 \
  --stack-base 0x7ffff0000000 -o "$tmp/pac.grt" >/dev/null || exit 2
"$granule" gen multi --tasks 4 --quantum $quantum --count $count -o "$tmp/multi.grt" >/dev/null || exit 2

run() { # NAME ARGS...
  name=$1
  shift
  "$screplay" "$@" >"$tmp/out" 2>&1
  rc=$?
  if [ $rc -ne 0 ] || ! grep -q '^verdict: no divergence' "$tmp/out"; then
    echo "FAIL $name (exit $rc)"
    cat "$tmp/out"
    fail=1
  else
    echo "ok $name"
  fi
}

cfgs="small a76 $tmp/fpac.ini"
[ "$mode" = rtl ] && cfgs=small
for cfg in $cfgs; do
  run "pac $(basename "$cfg")" --mode "$mode" --config "$cfg" --regs "$tmp/k.regs" "$tmp/pac.grt"
  # A tampered pointer authenticates to an error-coded address outside the
  # user range: the run must have seen such faults, or PAC was not exercised.
  if ! grep -Eq 'violations [1-9]' "$tmp/out"; then
    echo "FAIL pac $(basename "$cfg"): no failed authentication"
    fail=1
  fi
  run "multi $(basename "$cfg")" --mode "$mode" --config "$cfg" "$tmp/multi.grt"
  if ! grep -Eq 'set_regs ([5-9]|[1-9][0-9])' "$tmp/out"; then
    echo "FAIL multi $(basename "$cfg"): too few context switches"
    fail=1
  fi
done
exit $fail
