#!/usr/bin/env bash
# `granule convert`: a lackey log captured here with the real valgrind (when
# installed) converted to native and back, every format through native, and
# bad input rejected with exit 2 and the file, line or byte offset.
# Expected counts come from grep on the log, not from granule.
set -u
granule=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/check.sh"

# 1. A real lackey log of /bin/true.
if command -v valgrind >/dev/null 2>&1; then
  valgrind --tool=lackey --trace-mem=yes --trace-syscalls=yes --log-file="$tmp/true.lackey" /bin/true
  "$granule" convert --quiet "$tmp/true.lackey" "$tmp/true.grt"
  check "lackey->native exit" 0 $?
  "$granule" convert --quiet "$tmp/true.grt" "$tmp/back.lackey"
  check "native->lackey exit" 0 $?
  # the access lines come back exactly (M lines included)
  grep -E '^(I  | [LSM] )' "$tmp/true.lackey" >"$tmp/a"
  grep -E '^(I  | [LSM] )' "$tmp/back.lackey" >"$tmp/b"
  cmp -s "$tmp/a" "$tmp/b"
  check "lackey access lines round trip" 0 $?
  # and the successful mapping system calls, as (name, result)
  sc() { grep -E 'sys_(mmap|munmap|mprotect|brk) |exit_group' "$1" | grep -v -e Failure -e '\[async\] \.\.\.' |
         sed -E 's/.*(sys_[a-z]+|exit_group).*Success\((0x[0-9a-f]+)\).*/\1 \2/'; }
  check "lackey mapping syscalls round trip" "$(sc "$tmp/true.lackey")" "$(sc "$tmp/back.lackey")"
  # din view: one line per access, labels from the line kinds
  "$granule" convert --quiet "$tmp/true.grt" "$tmp/true.din"
  want=$(( $(grep -c '^I  ' "$tmp/true.lackey") + $(grep -c -E '^ [LS] ' "$tmp/true.lackey") + 2 * $(grep -c '^ M ' "$tmp/true.lackey") ))
  check "din line count" "$want" "$(wc -l <"$tmp/true.din")"
  check "din fetch count" "$(grep -c '^I  ' "$tmp/true.lackey")" "$(grep -c '^2 ' "$tmp/true.din")"
else
  echo "valgrind not installed: skipping the live lackey capture"
fi

# 2. stdin/stdout and explicit formats.
printf '2 400100\n0 7fff0008\n1 7fff0010\n' >"$tmp/x.din"
out=$("$granule" convert --quiet - - <"$tmp/x.din" | "$granule" convert --quiet --to din - -)
check "din via stdin/stdout" "$(cat "$tmp/x.din")" "$out"
"$granule" convert --quiet --to pinatrace "$tmp/x.din" "$tmp/x.out"
check "din->pinatrace drops the fetch" "0x0: R 0x7fff0008|0x0: W 0x7fff0010|#eof" "$(tr '\n' '|' <"$tmp/x.out" | sed 's/|$//')"
"$granule" convert "$tmp/x.din" "$tmp/x.champsimtrace.xz" 2>"$tmp/err"
check "din->champsim.xz exit" 0 $?
"$granule" convert --quiet "$tmp/x.champsimtrace.xz" "$tmp/y.din"
check "champsim.xz->din" "2 400100|0 7fff0008|1 7fff0010" "$(tr '\n' '|' <"$tmp/y.din" | sed 's/|$//')"

# 3. Native versions and codecs: version 2 with LZ4 chunks unless told;
# the version at byte 8, a v2 chunk's codec at byte 24 of its header (the
# first chunk follows the file header, whose length is at byte 12);
# v1 -> v2 -> v1 is byte-exact.
byte() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
codec() { byte "$1" $(( $(od -An -tu4 -j 12 -N4 "$1" | tr -d ' ') + 24 )); }
"$granule" convert --quiet "$tmp/x.din" "$tmp/d.grt"
check "default native version" 2 "$(byte "$tmp/d.grt" 8)"
check "default codec: lz4" 2 "$(codec "$tmp/d.grt")"
"$granule" convert --quiet --codec zstd "$tmp/x.din" "$tmp/z.grt"
check "--codec zstd" 1 "$(codec "$tmp/z.grt")"
"$granule" convert --quiet --native-version 1 "$tmp/z.grt" "$tmp/v1.grt"
check "--native-version 1" 1 "$(byte "$tmp/v1.grt" 8)"
"$granule" convert --quiet "$tmp/v1.grt" "$tmp/v2.grt"
check "a v1 input gives v2" 2 "$(byte "$tmp/v2.grt" 8)"
"$granule" convert --quiet --native-version 1 "$tmp/v2.grt" "$tmp/v1b.grt"
cmp -s "$tmp/v1.grt" "$tmp/v1b.grt"
check "v1 -> v2 -> v1 byte-exact" 0 $?
check "v2 -> din" "$(cat "$tmp/x.din")" "$("$granule" convert --quiet --to din "$tmp/v2.grt" -)"
"$granule" convert --native-version 3 "$tmp/x.din" "$tmp/o.grt" 2>/dev/null
check "--native-version 3" 2 $?
"$granule" convert --codec xz "$tmp/x.din" "$tmp/o.grt" 2>/dev/null
check "--codec xz" 2 $?
# options that would be ignored are refused, and nothing is written
"$granule" convert --native-version 1 --codec lz4 "$tmp/x.din" "$tmp/n1.grt" 2>"$tmp/err"
check "--codec with --native-version 1" 2 $?
grep -q "codec applies to native version 2 only" "$tmp/err"
check "--codec with version 1 message" 0 $?
"$granule" convert --codec zstd "$tmp/x.din" "$tmp/n2.din" 2>"$tmp/err"
check "--codec with a din OUT" 2 $?
"$granule" convert --native-version 2 --to lackey "$tmp/x.din" "$tmp/n3.out" 2>/dev/null
check "--native-version with a lackey OUT" 2 $?
"$granule" convert --page-size 16384 "$tmp/x.din" "$tmp/n4.din" 2>/dev/null
check "--page-size with a din OUT" 2 $?
"$granule" convert --meta k=v --to pinatrace "$tmp/x.din" - >"$tmp/n5.out" 2>"$tmp/err"
check "--meta with a pinatrace OUT" 2 $?
grep -q -- "--meta applies to a native OUT only" "$tmp/err"
check "--meta with a pinatrace OUT message" 0 $?
check "refused conversions write nothing" "" "$(ls "$tmp"/n1.grt "$tmp"/n2.din "$tmp"/n3.out "$tmp"/n4.din 2>/dev/null; cat "$tmp"/n5.out)"

# 4. Bad input: exit 2 and a message naming the file and where.
printf '2 400100\n0 zz\n' >"$tmp/bad.din"
"$granule" convert "$tmp/bad.din" "$tmp/o.grt" 2>"$tmp/err"
check "bad din exit" 2 $?
grep -q "bad.din: line 2 (byte offset 9)" "$tmp/err"
check "bad din message" 0 $?
printf '2 400100\n' | "$granule" convert - "$tmp/o.grt" 2>/dev/null
head -c 100 "$tmp/o.grt" >"$tmp/cut.grt"
"$granule" convert "$tmp/cut.grt" "$tmp/o.din" 2>"$tmp/err"
check "truncated native exit" 2 $?
grep -q "cut.grt: byte offset" "$tmp/err"
check "truncated native message" 0 $?
"$granule" convert --from nosuch "$tmp/x.din" "$tmp/o.grt" 2>/dev/null
check "unknown --from" 2 $?
"$granule" convert "$tmp/x.din" 2>/dev/null
check "missing OUT" 2 $?

finish cli_convert
