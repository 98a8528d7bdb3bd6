#!/bin/sh
# granule diff on synthetic traces (ctest cosim_diff_gen_<cfg>): signed
# pointers with a fraction tampered (granule gen pac: the PAC stage, Auth's
# error-coded pointers and their faults) and four tasks with context
# switches (granule gen multi: register writes between requests, several
# ASIDs, TLBIs at task exit). Every diff must report 0 divergences.
#   diff_gen.sh GRANULE CONFIG
set -u
granule=$1 cfg=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Keys, TCR_EL1 (T0SZ 17 as the VM layer's user range, TBI0) and SCTLR_EL1
# (EnIA, EnDA) the pointers are signed with.
cat >"$tmp/k.regs" <<'REGS'
TCR_EL1 = 0x00000020_80110011
SCTLR_EL1 = 0xB8D0380C
APIAKeyHi_EL1 = 0x0123456789abcdef
APIAKeyLo_EL1 = 0x1122334455667788
APDAKeyHi_EL1 = 0x8877665544332211
APDAKeyLo_EL1 = 0xfedcba9876543210
REGS
"$granule" gen pac --regs "$tmp/k.regs" --count 5000 --tamper-frac 0.3 \
  --stack-base 0x7ffff0000000 -o "$tmp/pac.grt" >/dev/null || exit 2
"$granule" gen multi --tasks 4 --quantum 500 --count 5000 -o "$tmp/multi.grt" >/dev/null || exit 2
fail=0
for t in pac multi; do
  "$granule" diff --config "$cfg" --regs "$tmp/k.regs" "$tmp/$t.grt" >"$tmp/out" 2>&1
  rc=$?
  cat "$tmp/out"
  if [ $rc -ne 0 ] || ! grep -q "^granule diff $t.grt: [1-9][0-9]* translations, 0 divergences" "$tmp/out"; then
    echo "FAIL $t on $cfg (exit $rc)"
    fail=1
  fi
done
exit $fail
