#!/usr/bin/env bash
# scripts/capture-trace end to end on a tiny real program (/bin/true, about
# 170 k lackey lines, ~1 s): the native file reads back with exactly the
# accesses the raw lackey log holds (I + L + S + 2 M, counted here by grep
# from the kept log, not by capture-trace's own awk), the manifest entry is
# complete, and bad usage exits 2.
set -u
granule=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
capture=$here/scripts/capture-trace
if ! command -v valgrind >/dev/null; then
  echo "cli_capture: valgrind not installed, nothing checked"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/check.sh"

"$capture" --granule "$granule" --manifest "$tmp/M" --name t --keep-log "$tmp/log" \
  -o "$tmp/t.grt" -- true >"$tmp/out" 2>&1
check "exit status" 0 $?
i=$(grep -c '^I  ' "$tmp/log") l=$(grep -c '^ L ' "$tmp/log")
s=$(grep -c '^ S ' "$tmp/log") m=$(grep -c '^ M ' "$tmp/log")
check "log has fetches" yes "$([ "$i" -gt 1000 ] && echo yes || echo no)"
summary=$("$granule" convert --to din "$tmp/t.grt" /dev/null 2>&1)
n=$(echo "$summary" | sed -n 's/.* \([0-9][0-9]*\) records.*/\1/p')
e=$(echo "$summary" | sed -n 's/.*, \([0-9][0-9]*\) dropped.*/\1/p')
check "accesses read back" $((i + l + s + 2 * m)) $((n - e))
mm=$(grep -c '^SYSCALL.* sys_\(mmap\|munmap\|mprotect\|brk\|mremap\) (' "$tmp/log")
check "some mapping events" yes "$([ "$e" -ge "$mm" ] && [ "$mm" -gt 0 ] && echo yes || echo no)"
for key in file format command program valgrind granule lackey_accesses mapping_syscalls \
           native_records bytes sha256 capture_seconds; do
  check "manifest $key" 1 "$(grep -c "^$key = " "$tmp/M")"
done
check "manifest sha256" "$(sha256sum "$tmp/t.grt" | cut -d' ' -f1)" \
  "$(sed -n 's/^sha256 = //p' "$tmp/M")"

# The lackey fallback keeps the log, zstd-compressed, readable by granule too.
"$capture" --format lackey -o "$tmp/t.lackey.zst" -- true >/dev/null 2>&1
check "lackey fallback" 0 $?
n2=$("$granule" convert --to din "$tmp/t.lackey.zst" /dev/null 2>&1 | sed -n 's/.* \([0-9][0-9]*\) records.*/\1/p')
check "lackey fallback readable" yes "$([ "${n2:-0}" -gt 100000 ] && echo yes || echo no)"

"$capture" -o "$tmp/x" >/dev/null 2>&1
check "no program" 2 $?
"$capture" -o "$tmp/x" -- no-such-program-xyz >/dev/null 2>&1
check "missing program" 2 $?
"$capture" --format bogus -o "$tmp/x" -- true >/dev/null 2>&1
check "bad format" 2 $?

finish cli_capture
