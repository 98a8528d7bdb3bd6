#!/usr/bin/env bash
# `granule pac`: results, JSON shape, exit codes and error messages.
# Golden values: PACGA of the published QARMA-64 inputs (c003b939_00000000);
# the failed-AUTDA error code 01 at <54:53> (TBI, FEAT_PAuth); the FPAC
# syndrome EC 0x1C | IL | ISS data:key = 0x72000002 for AUTDA.
set -u
granule=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/check.sh"


# FEAT_PAuth + QARMA5, T0SZ = T1SZ = 16, TG1 4K, TBI0, EnIA/EnIB/EnDA/EnDB set.
cat >"$tmp/k.regs" <<'EOF'
ID_AA64ISAR1_EL1 = 0x01000010
TCR_EL1 = 0x00000020_80100010
SCTLR_EL1 = 0xB8D0380C
APDAKeyHi_EL1 = 0x84be85ce9804e94b
APDAKeyLo_EL1 = 0xec2802d4e0a488e9
APGAKeyHi_EL1 = 0x84be85ce9804e94b
APGAKeyLo_EL1 = 0xec2802d4e0a488e9
EOF
sed 's/0x01000010/0x01000040/' "$tmp/k.regs" >"$tmp/fpac.regs"        # APA = FEAT_FPAC
sed 's/0xB8D0380C/0x30D01804/' "$tmp/k.regs" >"$tmp/off.regs"         # EnDA = 0
sed 's/0x01000010/0x00000100/' "$tmp/k.regs" >"$tmp/impdef.regs"      # API only
printf 'ID_AA64ISAR1_EL1 = 0\nAPDAKeyLo_EL1 = 1\n' >"$tmp/nopac.regs"
printf 'APDAKeyHi_EL1 = 0\n' >"$tmp/zero.regs"                        # set, even if 0

check ga "0xc003b93900000000" \
  "$("$granule" pac ga --regs "$tmp/k.regs" --key ga --modifier 0x477d469dec0b8762 0xfb623599da6e8127)"

s=$("$granule" pac sign --regs "$tmp/k.regs" --key da --modifier 5 0x0000123456789ab0)
check "sign keeps the VA" "0x0000123456789ab0" "$(printf '0x%016x' $((s & 0x8000ffffffffffff)))"
check "auth ok" "0x0000123456789ab0" "$("$granule" pac auth --regs "$tmp/k.regs" --key da --modifier 5 "$s")"
check "auth fail" "0x0020123456789ab0 failed" \
  "$("$granule" pac auth --regs "$tmp/k.regs" --key da --modifier 6 "$s")"
check "strip" "0x0000123456789ab0" "$("$granule" pac strip --regs "$tmp/k.regs" --key da "$s")"
check "0x1000 and 4096 are one value" "1" "$("$granule" pac sign --regs "$tmp/k.regs" --key da 0x1000 4096 | uniq | wc -l | tr -d ' ')"
check "one line per VALUE" "3" "$("$granule" pac sign --regs "$tmp/k.regs" --key da 1 2 3 | wc -l | tr -d ' ')"
check "zero key counts as set" "0x0000000000001000" \
  "$("$granule" pac strip --regs "$tmp/zero.regs" --key da 0x1000)"

json=$("$granule" pac auth --regs "$tmp/k.regs" --key da --modifier 6 --json "$s")
check "json" '{"input":"'"$s"'","op":"auth","key":"da","modifier":"0x0000000000000006","el":0,"result":"0x0020123456789ab0","disabled":false,"combined":false,"status":"failed","ok":false,"fault":"none","esr":null,"poisoned":true}' "$json"

f=$("$granule" pac sign --regs "$tmp/fpac.regs" --key da 0x40001000)
expect 0 '^0x0000000040001000$'       -- pac auth --regs "$tmp/fpac.regs" --key da "$f"
expect 1 '^fault pac esr=0x72000002$' -- pac auth --regs "$tmp/fpac.regs" --key da --modifier 1 "$f"
expect 1 '"status":"fault".*"esr":"0x72000002"' -- pac auth --regs "$tmp/fpac.regs" --key da --modifier 1 --json "$f"
expect 1 '"combined":true,"status":"failed"' -- pac auth --regs "$tmp/fpac.regs" --key da --modifier 1 --combined --json "$f"
expect 0 'EnDA \(bit 27\) = 0'        -- pac sign --regs "$tmp/off.regs" --key da 0x1000

expect 2 'usage: granule pac'         -- pac
expect 2 'unknown operation `frob`'   -- pac frob --regs "$tmp/k.regs" --key da 1
expect 2 '--regs REGS is required'    -- pac sign --key da 1
expect 2 '--key is required'          -- pac sign --regs "$tmp/k.regs" 1
expect 2 'unknown key `xx`'           -- pac sign --regs "$tmp/k.regs" --key xx 1
expect 2 'ga takes --key ga'          -- pac ga --regs "$tmp/k.regs" --key da 1
expect 2 'sign takes --key ia, ib, da or db' -- pac sign --regs "$tmp/k.regs" --key ga 1
expect 2 'VALUE `0x1g` is not a number' -- pac sign --regs "$tmp/k.regs" --key da 0x1g
expect 2 '--modifier `zz` is not'     -- pac sign --regs "$tmp/k.regs" --key da --modifier zz 1
expect 2 '--el `2`: must be 0 or 1'   -- pac sign --regs "$tmp/k.regs" --key da --el 2 1
expect 2 'no VALUE given'             -- pac sign --regs "$tmp/k.regs" --key da
expect 2 'neither APIBKeyHi_EL1 nor APIBKeyLo_EL1: key ib is missing' -- pac sign --regs "$tmp/k.regs" --key ib 1
expect 2 'missing.regs: No such file' -- pac sign --regs "$tmp/missing.regs" --key da 1
expect 2 'IMPLEMENTATION DEFINED'     -- pac sign --regs "$tmp/impdef.regs" --key da 1
expect 2 'UNDEFINED'                  -- pac sign --regs "$tmp/nopac.regs" --key da 1
expect 2 'unknown or incomplete option' -- pac sign --regs "$tmp/k.regs" --key da --frob 1
expect 2 '--combined applies to auth only' -- pac sign --regs "$tmp/k.regs" --key da --combined 1

# Per-value modifiers (VALUE,M): the published PACGA inputs given per value,
# mixed with values that take --modifier; an auth with its own (wrong) M.
check "X,M overrides --modifier" "0xc003b93900000000 0xc003b93900000000" \
  "$("$granule" pac ga --regs "$tmp/k.regs" --key ga --modifier 1 0xfb623599da6e8127,0x477d469dec0b8762 \
     0xfb623599da6e8127,0x477d469dec0b8762 | tr '\n' ' ' | sed 's/ $//')"
check "X without ,M takes --modifier" "0xc003b93900000000" \
  "$("$granule" pac ga --regs "$tmp/k.regs" --key ga --modifier 0x477d469dec0b8762 1,1 0xfb623599da6e8127 | tail -1)"
check "auth X,M" "0x0000123456789ab0 0x0020123456789ab0 failed" \
  "$("$granule" pac auth --regs "$tmp/k.regs" --key da "$s,5" "$s,6" | tr '\n' ' ' | sed 's/ $//')"
expect 0 '"modifier":"0x0000000000000005"' -- pac sign --regs "$tmp/k.regs" --key da --json 0x1000,5
expect 2 'VALUE `0x1000,zz`: the modifier after `,` is not a number' -- pac sign --regs "$tmp/k.regs" --key da 0x1000,zz
expect 2 'VALUE `0x1000,1`: strip \(XPACI/XPACD\) takes no modifier' -- pac strip --regs "$tmp/k.regs" --key da 0x1000,1

finish cli_pac
