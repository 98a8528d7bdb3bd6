#!/usr/bin/env bash
# Command-line error handling: every bad input exits 2 with a message naming
# the file, line or value, and never crashes (this also runs on the
# sanitizer build, where a leak or UB aborts the command with another code).
set -u
granule=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/check.sh"


printf 'TCR_EL1 = 0x10\nSCTLR_EL1 = 0x30D01805\nTTBR0_EL1 = 0x1000\n' >"$tmp/ok.regs"
printf 'TCR_EL1 = 0x10\nFOO_EL1 = 1\n' >"$tmp/unknown.regs"
printf '# comment\n\nTCR_EL1 0x10\n' >"$tmp/noeq.regs"
printf 'TCR_EL1 = 0x1g\n' >"$tmp/badnum.regs"
printf 'TCR_EL1 = 0x1_0000_0000_0000_0000\n' >"$tmp/overflow.regs"
head -c 4096 /dev/zero >"$tmp/a.bin"
: >"$tmp/empty.bin"
printf '0x1000\n0x2000:q\n' >"$tmp/vas.txt"

expect 0 'usage: granule'                  -- --help
expect 0 '^granule [0-9]+\.[0-9]+'         -- --version
expect 0 'usage: granule translate'        -- help translate
expect 2 'no command `frobnicate`'         -- frobnicate
expect 2 'no command `nope`'               -- help nope
expect 2 '--regs REGS is required'         -- translate 0x1000
expect 2 "$tmp/missing.regs: No such file" -- translate --regs "$tmp/missing.regs" 0x1000
expect 2 'unknown.regs:2: unknown register `FOO_EL1`' -- translate --regs "$tmp/unknown.regs" 0x1000
expect 2 'noeq.regs:3: expected `NAME = VALUE`'       -- translate --regs "$tmp/noeq.regs" 0x1000
expect 2 'badnum.regs:1: `0x1g` is not a number'      -- translate --regs "$tmp/badnum.regs" 0x1000
expect 2 'overflow.regs:1: .* is not a number'        -- translate --regs "$tmp/overflow.regs" 0x1000
expect 2 'argument `0xzz`: the VA is not a number'    -- translate --regs "$tmp/ok.regs" 0xzz
expect 2 'argument `0x10:q`: access must be r, w or x' -- translate --regs "$tmp/ok.regs" 0x10:q
expect 2 'argument `0x10:r:el3`: exception level'     -- translate --regs "$tmp/ok.regs" 0x10:r:el3
expect 2 'argument `0x10:r:el0:x:y`'                  -- translate --regs "$tmp/ok.regs" 0x10:r:el0:x:y
expect 2 'vas.txt:2: `0x2000:q`: access must be'      -- translate --regs "$tmp/ok.regs" --input "$tmp/vas.txt"
expect 2 'the PAC key must be ia, ib, da or db'        -- translate --regs "$tmp/ok.regs" 0x10:r:el0:auth=ga
expect 2 'the PAC modifier is not a number'           -- translate --regs "$tmp/ok.regs" 0x10:r:el0:auth=da,xyz
expect 2 'the fourth field must be auth='             -- translate --regs "$tmp/ok.regs" 0x10:r:el0:pac=da
printf 'ID_AA64ISAR1_EL1 = 0\n' >"$tmp/nopac.regs"
expect 2 'pointer authentication is not implemented'  -- translate --regs "$tmp/nopac.regs" 0x10:r:el0:auth=da
expect 2 'no VA given'                                -- translate --regs "$tmp/ok.regs"
expect 2 'unknown or incomplete option'               -- translate --regs "$tmp/ok.regs" --frob 0x10
expect 2 "a.bin@0x1800 .* overlaps .*a.bin@0x1000"   -- translate --regs "$tmp/ok.regs" --mem "$tmp/a.bin@0x1000" --mem "$tmp/a.bin@0x1800" 0x10
expect 2 'empty image'                                -- translate --regs "$tmp/ok.regs" --mem "$tmp/empty.bin@0x1000" 0x10
expect 2 'expected FILE@PA'                           -- translate --regs "$tmp/ok.regs" --mem "$tmp/a.bin" 0x10
expect 2 'expected BASE:SIZE'                         -- translate --regs "$tmp/ok.regs" --ram 0x1000 0x10
expect 2 'straddles the edge of a --ram region'       -- translate --regs "$tmp/ok.regs" --ram 0x0:0x1800 --mem "$tmp/a.bin@0x1000" 0x10
expect 2 'dump-mem .*outside every memory region'     -- translate --regs "$tmp/ok.regs" --ram 0:0x2000 --dump-mem "$tmp/d.bin@0x1000:0x2000" 0x10
expect 2 'runs past the top of the address space'     -- translate --regs "$tmp/ok.regs" --mem "$tmp/a.bin@0xfffffffffffff800" 0x10
# A table pointing nowhere is a result (an external abort naming the address), not an error.
expect 0 'external abort .* at PA 0x1000'             -- translate --regs "$tmp/ok.regs" 0x10
# --dump-mem writes memory after the run.
expect 0 'translation fault'                          -- translate --regs "$tmp/ok.regs" --mem "$tmp/a.bin@0x1000" --dump-mem "$tmp/d.bin@0x1000:16" 0x10
if [ "$(stat -c %s "$tmp/d.bin" 2>/dev/null)" != 16 ]; then
  echo "FAIL: --dump-mem did not write 16 bytes"; fails=$((fails + 1))
else
  passes=$((passes + 1))
fi

finish cli_errors
