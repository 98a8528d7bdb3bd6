#!/bin/sh
# ctest conformance_qemu: generate random stage-1 cases, run them through
# QEMU's AT instruction (bare/probe.c) and through `granule translate`, and
# compare PAR_EL1 (docs/conformance.md).
#
# usage: run_conformance.sh GRANULE CONF_GEN CONF_CHECK PROBE_ELF QEMU OUTDIR
# Environment: GRANULE_CONF_SEED (default 1), GRANULE_CONF_ROUNDS (default
# 4; round i uses seed SEED+i, each with its own >= 10,000 translations per
# granule), GRANULE_CONF_CASES (register sets per round, default 300),
# GRANULE_CONF_VAS (per VA range and case, default 64),
# GRANULE_CONF_REQUIRED=1 (or CI set, as CI services do) turns a missing
# tool into a failure instead of a skip (exit 77). OUTDIR is removed after a pass and kept after a failure,
# for the reproduction commands printed.
set -u
granule=$1 gen=$2 check=$3 probe=$4 qemu=$5 out=$6
seed=${GRANULE_CONF_SEED:-1}
cases=${GRANULE_CONF_CASES:-300}
vas=${GRANULE_CONF_VAS:-64}
min_per_granule=10000

missing=""
[ -n "$probe" ] && [ -f "$probe" ] || missing="$missing aarch64-linux-gnu-gcc (package gcc-aarch64-linux-gnu; the probe was not built)"
[ -n "$qemu" ] && [ -x "$qemu" ] || missing="$missing qemu-system-aarch64 (package qemu-system-arm)"
if [ -n "$missing" ]; then
    echo "conformance_qemu: SKIPPED: missing:$missing"
    if [ "${GRANULE_CONF_REQUIRED:-0}" = 1 ] || [ -n "${CI:-}" ]; then
        echo "conformance_qemu: FAILED: the tools are required here (GRANULE_CONF_REQUIRED=1 or CI set)"
        exit 1
    fi
    exit 77
fi

case $probe in /*) ;; *) probe=$PWD/$probe ;; esac  # QEMU runs in $out
rounds=${GRANULE_CONF_ROUNDS:-4}
start=$(date +%s)
i=0
while [ $i -lt "$rounds" ]; do
    s=$((seed + i))
    echo "=== conformance round $((i + 1))/$rounds: seed $s, $cases register sets"
    rm -rf "$out" && mkdir -p "$out" || exit 1
    "$gen" "$s" "$cases" "$vas" "$out" || exit 1
    # The probe writes qemu_par.bin through semihosting, relative to cwd.
    (cd "$out" && timeout 300 "$qemu" -M virt,virtualization=on -cpu max \
        -m 1G -nodefaults -display none -serial stdio -semihosting \
        -kernel "$probe" -device loader,file=blob.bin,addr=0x48000000) || {
        echo "conformance_qemu: QEMU run failed (status $?)"
        exit 1
    }
    "$check" "$granule" "$out" "$min_per_granule"
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "conformance_qemu: FAILED at seed $s; cases kept in $out"
        echo "  rerun this round: GRANULE_CONF_SEED=$s GRANULE_CONF_ROUNDS=1 ctest -R conformance_qemu -V"
        exit $rc
    fi
    i=$((i + 1))
done
rm -rf "$out"
echo "conformance_qemu: PASS, $rounds rounds from seed $seed, $(( $(date +%s) - start )) s"
exit 0
