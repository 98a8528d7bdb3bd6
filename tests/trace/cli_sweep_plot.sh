#!/usr/bin/env bash
# scripts/plot on a sweep's results: a PNG (checked by its 8-byte signature,
# PNG spec section 5.2) with the default and with explicit columns; bad
# input exits 2. Skipped (exit 77) without Debian's python3-matplotlib.
set -u
granule=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
plot=$root/scripts/plot
if ! /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  echo "python3-matplotlib not installed: skipping"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/check.sh"
png_sig() { head -c 8 "$1" | od -An -tx1 | tr -d ' \n'; }
sig=89504e470d0a1a0a

"$granule" sweep --quiet --base a76 --set l1d.entries=16,32,64 --granule 4k,16k --limit 20k \
  -j2 -o "$tmp/s.csv" "$root/traces/corpus/sort.grt" "$root/traces/corpus/gzip.grt"
check "sweep exit" 0 $?
"$plot" "$tmp/s.csv" 2>"$tmp/err"
check "default plot exit" 0 $?
check "default plot: PNG next to the CSV" $sig "$(png_sig "$tmp/s.png")"
"$plot" -o "$tmp/m.png" --x l1d_entries --metric l2_hit_rate,walk_mpki --log-x --title t "$tmp/s.csv"
check "explicit plot exit" 0 $?
check "explicit plot PNG" $sig "$(png_sig "$tmp/m.png")"
"$plot" -o "$tmp/x.png" --metric no_such "$tmp/s.csv" 2>"$tmp/err"
check "unknown metric exit" 2 $?
grep -q "no column \`no_such\`" "$tmp/err"
check "unknown metric message" 0 $?
"$plot" -o "$tmp/x.png" "$tmp/none.csv" 2>/dev/null
check "missing CSV exit" 2 $?
check "help exit" 0 "$("$plot" --help >/dev/null; echo $?)"

finish cli_sweep_plot
