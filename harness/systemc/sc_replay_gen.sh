#!/bin/sh
# Lock-step TLM wrapper vs direct calls on synthetic traces (label cosim):
# signed pointers with a fraction tampered (granule gen pac: the PAC stage,
# Auth's error-coded pointers, their faults and the authenticated address),
# and four tasks with context switches (granule gen multi: register writes
# between requests, several ASIDs, TLBIs at task exit), on the small and a76
# presets and on small with FEAT_PAuth2 + FEAT_FPAC.
#   sc_replay_gen.sh GRANULE GRANULE_SC_REPLAY CONFIGS_DIR
set -u
granule=$1 screplay=$2 configs=$3
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
"$granule" gen pac --regs "$tmp/k.regs" --count 20000 --tamper-frac 0.3 \
  --stack-base 0x7ffff0000000 -o "$tmp/pac.grt" >/dev/null || exit 2
"$granule" gen multi --tasks 4 --quantum 2000 --count 20000 -o "$tmp/multi.grt" >/dev/null || exit 2

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

for cfg in small a76 "$tmp/fpac.ini"; do
  run "pac $(basename "$cfg")" --config "$cfg" --regs "$tmp/k.regs" "$tmp/pac.grt"
  # A tampered pointer authenticates to an error-coded address outside the
  # user range: the run must have seen such faults, or PAC was not exercised.
  if ! grep -Eq 'violations [1-9]' "$tmp/out"; then
    echo "FAIL pac $(basename "$cfg"): no failed authentication"
    fail=1
  fi
  run "multi $(basename "$cfg")" --config "$cfg" "$tmp/multi.grt"
  if ! grep -Eq 'set_regs ([5-9]|[1-9][0-9])' "$tmp/out"; then
    echo "FAIL multi $(basename "$cfg"): too few context switches"
    fail=1
  fi
done
exit $fail
