#!/bin/sh
# ctest conformance_pac_qemu: random keys, modifiers, pointers and EL1&0
# translation controls; PACIA/PACIB/PACDA/PACDB, AUTIA/AUTIB/AUTDA/AUTDB
# (valid, tampered and unsigned pointers), XPACI, XPACD and PACGA run at EL1
# under QEMU (bare/pac_probe.c) and through `granule pac`; every result is
# compared (docs/conformance.md).
#
# usage: run_pac_conformance.sh GRANULE CONF_PAC_GEN CONF_PAC_CHECK PROBE_ELF QEMU OUTDIR
# Environment: GRANULE_CONF_SEED (default 1), GRANULE_CONF_PAC_ROUNDS
# (default 3; round i uses seed SEED+i, each with >= 10,000 operations per
# instruction), GRANULE_CONF_PAC_SETS (register sets per round, default 48),
# GRANULE_CONF_PAC_INPUTS (inputs per set, default 256),
# GRANULE_CONF_PAC_CORRUPT=N (flip QEMU's result word N: the test must
# fail), GRANULE_CONF_REQUIRED=1 (or CI set, as CI services do) turns a
# missing tool into a failure instead of a skip (exit 77). OUTDIR is
# removed after a pass and kept after a failure, for the reproduction
# commands printed.
set -u
granule=$1 gen=$2 check=$3 probe=$4 qemu=$5 out=$6
seed=${GRANULE_CONF_SEED:-1}
sets=${GRANULE_CONF_PAC_SETS:-48}
inputs=${GRANULE_CONF_PAC_INPUTS:-256}
min_per_insn=10000

missing=""
[ -n "$probe" ] && [ -f "$probe" ] || missing="$missing aarch64-linux-gnu-gcc (package gcc-aarch64-linux-gnu; the probe was not built)"
[ -n "$qemu" ] && [ -x "$qemu" ] || missing="$missing qemu-system-aarch64 (package qemu-system-arm)"
if [ -n "$missing" ]; then
    echo "conformance_pac_qemu: SKIPPED: missing:$missing"
    if [ "${GRANULE_CONF_REQUIRED:-0}" = 1 ] || [ -n "${CI:-}" ]; then
        echo "conformance_pac_qemu: FAILED: the tools are required here (GRANULE_CONF_REQUIRED=1 or CI set)"
        exit 1
    fi
    exit 77
fi

case $probe in /*) ;; *) probe=$PWD/$probe ;; esac  # QEMU runs in $out
rounds=${GRANULE_CONF_PAC_ROUNDS:-3}
start=$(date +%s)
i=0
while [ $i -lt "$rounds" ]; do
    s=$((seed + i))
    echo "=== PAC conformance round $((i + 1))/$rounds: seed $s, $sets register sets x $inputs inputs"
    rm -rf "$out" && mkdir -p "$out" || exit 1
    "$gen" "$s" "$sets" "$inputs" "$out" || exit 1
    # QEMU 7.2's -cpu max: FEAT_PAuth; pauth-impdef=off selects the
    # architected QARMA5 algorithm (the default, stated to be sure). The
    # probe checks ID_AA64ISAR1_EL1/ISAR2 and writes qemu_pac.bin
    # through semihosting, relative to cwd.
    (cd "$out" && timeout 300 "$qemu" -M virt,virtualization=on \
        -cpu max,pauth=on,pauth-impdef=off -m 1G -nodefaults -display none \
        -serial stdio -semihosting -kernel "$probe" \
        -device loader,file=blob.bin,addr=0x48000000) || {
        echo "conformance_pac_qemu: QEMU run failed (status $?)"
        exit 1
    }
    "$check" "$granule" "$out" "$min_per_insn"
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "conformance_pac_qemu: FAILED at seed $s; inputs kept in $out"
        echo "  rerun this round: GRANULE_CONF_SEED=$s GRANULE_CONF_PAC_ROUNDS=1 ctest -R conformance_pac_qemu -V"
        exit $rc
    fi
    i=$((i + 1))
done
rm -rf "$out"
echo "conformance_pac_qemu: PASS, $rounds rounds from seed $seed, $(( $(date +%s) - start )) s"
exit 0
