#!/usr/bin/env bash
# `granule gen`: reproducible files, exit codes and messages, and the
# records as another format shows them (din, through the trace library's
# writer: `LABEL ADDRESS`, label 0 read, 1 write, 2 fetch).
set -u
granule=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/check.sh"


# Same seed, same bytes; another seed, other bytes (every kind).
for k in seq stride random chase multi; do
  "$granule" gen $k --count 20000 --footprint 1M --seed 7 -o "$tmp/a.$k" >/dev/null
  "$granule" gen $k --count 20000 --footprint 1M --seed 7 -o "$tmp/b.$k" >/dev/null
  "$granule" gen $k --count 20000 --footprint 1M --seed 8 -o "$tmp/c.$k" >/dev/null
  check "$k same seed" same "$(cmp -s "$tmp/a.$k" "$tmp/b.$k" && echo same || echo differ)"
  check "$k other seed" differ "$(cmp -s "$tmp/a.$k" "$tmp/c.$k" && echo same || echo differ)"
done

# A sequential stream with one fetch before each access, seen as din.
expect 0 "records" -- gen seq --count 5 --write-frac 0 --ifetch 1 --code-base 0x1000 \
  --base 0x20000 --size 4 --format din -o "$tmp/s.din"
check "seq as din" "2 1000
0 20000
2 1004
0 20004
2 1008
0 20008
2 100c
0 2000c
2 1010
0 20010" "$(tr -s ' ' <"$tmp/s.din" | sed 's/ 0x/ /; s/^\([0-9]\) 0*\([0-9a-f]\)/\1 \2/')"
# All writes.
"$granule" gen random --count 100 --write-frac 1 --format din -o "$tmp/w.din" >/dev/null
check "all writes" 100 "$(grep -c '^1 ' "$tmp/w.din")"

# The PAC workload signs with the REGS file's keys.
cat >"$tmp/k.regs" <<'EOF'
TCR_EL1 = 0x00000020_80100010
SCTLR_EL1 = 0xB8D0380C
APIAKeyHi_EL1 = 0x84be85ce9804e94b
APIAKeyLo_EL1 = 0xec2802d4e0a488e9
APDAKeyHi_EL1 = 0x84be85ce9804e94b
APDAKeyLo_EL1 = 0xec2802d4e0a488e9
EOF
sed 's/0xB8D0380C/0x30D01804/' "$tmp/k.regs" >"$tmp/off.regs" # EnIA = EnDA = 0
expect 0 "1000 records" -- gen pac --regs "$tmp/k.regs" --count 1000 -o "$tmp/p1"
"$granule" gen pac --regs "$tmp/k.regs" --count 1000 -o "$tmp/p2" >/dev/null
check "pac same seed" same "$(cmp -s "$tmp/p1" "$tmp/p2" && echo same || echo differ)"
expect 2 "needs --regs" -- gen pac --count 10 -o "$tmp/x"
expect 2 "EnIA" -- gen pac --regs "$tmp/off.regs" --count 10 -o "$tmp/x"
expect 2 "k.nope" -- gen pac --regs "$tmp/k.nope" --count 10 -o "$tmp/x"

# Bad input: exit 2 and a message naming the option and value.
expect 2 "unknown KIND .zigzag." -- gen zigzag -o "$tmp/x"
expect 2 "-o OUT is required" -- gen seq --count 10
expect 2 "--write-frac .1.5." -- gen seq --write-frac 1.5 -o "$tmp/x"
expect 2 "--page-size .5000." -- gen seq --page-size 5000 -o "$tmp/x"
expect 2 "--footprint .12Q." -- gen random --footprint 12Q -o "$tmp/x"
expect 2 "--quantum .0." -- gen multi --quantum 0 -o "$tmp/x"
expect 2 "base 0x1004: not a multiple" -- gen seq --base 0x1004 -o "$tmp/x"
expect 2 "regs applies to the pac workload" -- gen seq --regs "$tmp/k.regs" -o "$tmp/x"
expect 2 "unknown or incomplete option" -- gen seq --frobnicate -o "$tmp/x"

finish cli_gen
