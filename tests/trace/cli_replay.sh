#!/usr/bin/env bash
# `granule replay`: a small lackey log with mapping system calls, replayed
# at 4K and 16K pages with and without demand mapping. Every expected count
# below is worked out by hand from the rules in docs/replay.md (comments
# give the reasoning), not from running granule. Then output formats and
# bad input.
set -u
granule=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/check.sh"
# field NAME FILE: a counter of the replay section of the JSON output
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[2])); print(d[sys.argv[3]][sys.argv[1]])' "$1" "$2" "${3:-replay}"; }

# 16K anonymous RW at 0x10000000, six accesses, then munmap in the middle.
cat >"$tmp/t.lackey" <<'LOG'
SYSCALL[100,1](9) sys_mmap ( 0x0, 16384, 3, 34, 4294967295, 0 ) --> [pre-success] Success(0x10000000) 
 S 10000000,8
 L 10000008,8
 S 10000ffc,8
 L 10004000,8
SYSCALL[100,1](11) sys_munmap ( 0x10000000, 16384 )[sync] --> Success(0x0) 
 L 10000000,8
I  10100000,4
LOG

# 4K pages, demand mapping on:
#  S 10000000       first touch: fault (zero fill)                        faults 1
#  L 10000008       same page: hit
#  S 10000ffc,8     crosses into 10001000: split; 2nd page first touch    faults 2, split 1
#  L 10004000       past the mmap: demand-maps [10004000, 10200000)       faults 3, demand 1
#  munmap           10000000..10004000 gone (TLBIs sent)
#  L 10000000       unmapped by the trace: violation                      faults 4, violations 1
#  I 10100000       in the data range demand-mapped RW: gains X           faults 5, upgrades 1
# records 8 = 2 events + 6 accesses; translations 7 (one split);
# MMU retries = resolved faults = 5 - 1 = 4.
"$granule" replay --quiet --json "$tmp/a.json" "$tmp/t.lackey"
check "4k exit" 0 $?
for kv in records:8 events:2 accesses:6 translations:7 split:1 faults:5 violations:1 \
          demand_maps:1 demand_upgrades:1 map_events:2 map_event_errors:0 tasks:1 instructions:1; do
  check "4k ${kv%%:*}" "${kv#*:}" "$(field "${kv%%:*}" "$tmp/a.json")"
done
check "4k mmu retries" 4 "$(field retries "$tmp/a.json" mmu)"
check "4k mmu requests" 11 "$(field requests "$tmp/a.json" mmu)" # 7 translations + 4 retries

# --no-demand-map: L 10004000 and I 10100000 are violations too.
"$granule" replay --quiet --no-demand-map --json "$tmp/b.json" "$tmp/t.lackey"
for kv in faults:5 violations:3 demand_maps:0 demand_upgrades:0; do
  check "no-demand ${kv%%:*}" "${kv#*:}" "$(field "${kv%%:*}" "$tmp/b.json")"
done

# 16K pages: the mmap is one page; S 10000ffc,8 stays inside it (no split);
# L 10004000 is the next 16K page: demand-mapped. Faults: S, L 10004000,
# L 10000000 (violation), I (upgrade) = 4.
"$granule" replay --quiet --granule 16k --json "$tmp/c.json" "$tmp/t.lackey"
for kv in translations:6 split:0 faults:4 violations:1 demand_maps:1 demand_upgrades:1; do
  check "16k ${kv%%:*}" "${kv#*:}" "$(field "${kv%%:*}" "$tmp/c.json")"
done
check "16k granule" 16384 "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["granule"])' "$tmp/c.json")"

# --limit: the first 3 records (mmap, S, L): one fault.
"$granule" replay --quiet --limit 3 --json "$tmp/d.json" "$tmp/t.lackey"
check "limit records" 3 "$(field records "$tmp/d.json")"
check "limit faults" 1 "$(field faults "$tmp/d.json")"

# PAC records (granule gen pac): signed with the REGS file's keys, T0SZ 17
# as the VM layer's user range, the stack below 2^47. Untampered pointers
# authenticate: no violation, no PAC failure, every access a PAC request.
# Every tampered pointer fails Auth (docs/tracegen.md); the accesses are
# combined (LDRAA/RETAA-like) and the A76 preset has no FEAT_FPACCOMBINE,
# so Auth returns a pointer with an error code, whose translation faults
# outside the user range: 1000 violations, still no PAC failure fault.
cat >"$tmp/k.regs" <<'REGS'
TCR_EL1 = 0x00000020_80110011
SCTLR_EL1 = 0xB8D0380C
APIAKeyHi_EL1 = 0x84be85ce9804e94b
APIAKeyLo_EL1 = 0xec2802d4e0a488e9
APDAKeyHi_EL1 = 0x84be85ce9804e94b
APDAKeyLo_EL1 = 0xec2802d4e0a488e9
REGS
for tf in 0 1; do
  "$granule" gen pac --regs "$tmp/k.regs" --count 1000 --tamper-frac $tf \
     --stack-base 0x7ffff0000000 -o "$tmp/pac$tf.grt" >/dev/null 2>&1
  "$granule" replay --quiet --config a76 --regs "$tmp/k.regs" --json "$tmp/p$tf.json" "$tmp/pac$tf.grt"
  check "pac $tf exit" 0 $?
  check "pac $tf requests" 1000 "$(field pac_requests "$tmp/p$tf.json" mmu)"
  check "pac $tf failures" 0 "$(field pac_failures "$tmp/p$tf.json")"
done
check "pac untampered violations" 0 "$(field violations "$tmp/p0.json")"
check "pac tampered violations" 1000 "$(field violations "$tmp/p1.json")"

# PAC accesses that cross a page (24-byte accesses from 0x10000008: 4096 is
# not a multiple of 24). The second page is the authenticated pointer's
# next page: untampered, no violation; tampered, the access ends at its
# first page, one violation per record.
for tf in 0 1; do
  "$granule" gen pac --regs "$tmp/k.regs" --count 4000 --tamper-frac $tf --ret-frac 0 \
     --size 24 --base 0x10000008 --stack-base 0x7ffff0000000 -o "$tmp/px$tf.grt" >/dev/null 2>&1
  "$granule" replay --quiet --config a76 --regs "$tmp/k.regs" --json "$tmp/px$tf.json" "$tmp/px$tf.grt"
  check "pac split $tf exit" 0 $?
done
split=$(field split "$tmp/px0.json")
check "pac split happens" 1 "$([ "$split" -gt 0 ] && echo 1 || echo 0)"
check "pac split translations" $((4000 + split)) \
  $(( $(field requests "$tmp/px0.json" mmu) - $(field retries "$tmp/px0.json" mmu) ))
check "pac split untampered violations" 0 "$(field violations "$tmp/px0.json")"
check "pac split tampered violations" 4000 "$(field violations "$tmp/px1.json")"

# Access flag (Arm ARM, hardware management of the Access flag): with
# TCR_EL1.HA = 0 a descriptor with AF = 0 raises an Access flag fault that
# software resolves; with HA = 1 it never faults and the walker writes
# AF = 1 instead. The pageout daemon clears AF to age pages, so a
# footprint of 24 MiB in 16 MiB of RAM makes both happen; without pageout
# every leaf is entered with AF = 1 and neither does.
"$granule" gen random --footprint 24M --count 20000 --seed 7 -o "$tmp/press.grt" >/dev/null 2>&1
check "af gen" 0 $?
"$granule" replay --quiet --ram 16M --json "$tmp/af0.json" "$tmp/press.grt"
check "af replay, no pageout" 0 $?
"$granule" replay --quiet --ram 16M --pageout --json "$tmp/af1.json" "$tmp/press.grt"
check "af replay, software AF" 0 $?
"$granule" replay --quiet --ram 16M --pageout --hw-af --json "$tmp/af2.json" "$tmp/press.grt"
check "af replay, hardware AF" 0 $?
walker() { python3 -c 'import json,sys; print(json.load(open(sys.argv[2]))["mmu"]["walker"][sys.argv[1]])' "$1" "$2"; }
check "no pageout: af faults" 0 "$(field af_faults "$tmp/af0.json" vm)"
check "no pageout: af updates" 0 "$(walker af_updates "$tmp/af0.json")"
check "software AF: faults happen" 1 "$([ "$(field af_faults "$tmp/af1.json" vm)" -gt 0 ] && echo 1 || echo 0)"
check "software AF: no walker update" 0 "$(walker af_updates "$tmp/af1.json")"
check "hardware AF: no af fault" 0 "$(field af_faults "$tmp/af2.json" vm)"
check "hardware AF: updates happen" 1 "$([ "$(walker af_updates "$tmp/af2.json")" -gt 0 ] && echo 1 || echo 0)"
check "hardware AF: recorded" "True True" \
  "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["hw_af"], d["pageout"])' "$tmp/af2.json")"

# CSV: a header and one row per trace, the same figures as the JSON.
"$granule" replay --quiet --csv "$tmp/r.csv" --json "$tmp/r.json" "$tmp/t.lackey" "$tmp/t.lackey"
check "csv rows" 3 "$(wc -l <"$tmp/r.csv")"
check "csv translations" "7 7" "$(awk -F, 'NR > 1 { printf "%s%s", s, $12; s = " " }' "$tmp/r.csv")"
check "json array" 2 "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$tmp/r.json")"

# The table names the counters and the MMU's TLBs.
out=$("$granule" replay --config a76 "$tmp/t.lackey")
check "table exit" 0 $?
echo "$out" | grep -q '^  violations  *1 ' ; check "table violations" 0 $?
echo "$out" | grep -q 'MMU statistics (config a76)' ; check "table mmu" 0 $?

# Native v1 and v2 replay alike: a multi-task trace (context switches, so
# the v2 context list) and a PAC trace (the v2 PAC list), at 4K and 16K
# pages, give the same JSON but for the trace name, the time and the RSS
# (the PAC trace signed with the keys file above).
"$granule" gen multi --count 20000 --tasks 4 --quantum 700 -o "$tmp/m2.grt" >/dev/null
"$granule" gen pac --regs "$tmp/k.regs" --count 20000 -o "$tmp/p2.grt" >/dev/null
strip_json() { grep -v -e '"trace"' -e '"seconds"' -e '"peak_rss_bytes"' "$1"; }
for t in m2 p2; do
  "$granule" convert --quiet --native-version 1 "$tmp/$t.grt" "$tmp/$t.v1.grt"
  for g in 4k 16k; do
    "$granule" replay --quiet --config a76 --granule $g --json "$tmp/a.json" "$tmp/$t.grt"
    "$granule" replay --quiet --config a76 --granule $g --json "$tmp/b.json" "$tmp/$t.v1.grt"
    check "$t $g: native v2 and v1 replay alike" "$(strip_json "$tmp/b.json")" "$(strip_json "$tmp/a.json")"
  done
done

# Bad input: exit 2 and the file and line.
printf ' L 10000000,8\n X garbage\n' >"$tmp/bad.lackey"
msg=$("$granule" replay --quiet --format lackey "$tmp/bad.lackey" 2>&1)
check "bad trace exit" 2 $?
case "$msg" in *bad.lackey*line\ 2*) r=0 ;; *) r=1 ;; esac
check "bad trace message names file and line [$msg]" 0 $r
# Hand-made native v2 files with right checksums (tests/trace/data/README.md):
# a 4K-crossing access missing from the split list, a split entry on an
# access that does not cross, an 11-byte pc varint. Both page sizes: exit 2
# and the chunk's byte offset with the reason, as convert reports them.
data=$(dirname "$0")/data
for c in "split-missing:not in the split list" "split-extra:does not cross a 4 KiB page" \
         "pc-overlong:pc value 0 is longer than 10 bytes"; do
  f=$data/${c%%:*}.v2.grt
  for g in 4k 16k; do
    msg=$("$granule" replay --quiet --granule $g "$f" 2>&1)
    check "${c%%:*} $g exit" 2 $?
    case "$msg" in *"byte offset 36: chunk 0: "*"${c#*:}"*) r=0 ;; *) r=1 ;; esac
    check "${c%%:*} $g message [$msg]" 0 $r
  done
  msg=$("$granule" convert --quiet "$f" "$tmp/c.grt" 2>&1)
  check "${c%%:*} convert exit" 2 $?
  case "$msg" in *"byte offset 36: chunk 0: "*"${c#*:}"*) r=0 ;; *) r=1 ;; esac
  check "${c%%:*} convert message [$msg]" 0 $r
done
"$granule" replay --granule 8k "$tmp/t.lackey" 2>/dev/null; check "bad granule" 2 $?
"$granule" replay --config nosuch "$tmp/t.lackey" 2>/dev/null; check "bad config" 2 $?
"$granule" replay --limit 0 "$tmp/t.lackey" 2>/dev/null; check "bad limit" 2 $?
"$granule" replay 2>/dev/null; check "no trace" 2 $?
"$granule" replay "$tmp/missing.grt" 2>/dev/null; check "missing trace" 2 $?

finish cli_replay
