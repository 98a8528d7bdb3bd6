#!/bin/sh
# Memory use of granule replay as a trace grows: a hit-dominated synthetic
# stream (uniform over 128 KiB) of 1M and of N records (default 100M; pass
# 1000000000 for the issue's billion) piped from `granule gen` into
# `granule replay -`, so no trace file is kept. Prints the peak RSS of each
# run and the host memory backing simulated physical memory; constant
# memory means the two peaks agree.
#   bench/replay_rss.sh GRANULE [N]
set -eu
G=$1
N=${2:-100000000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "replay_rss: peak RSS of granule replay (--ram 1G) vs trace length"
for n in 1000000 "$N"; do
  "$G" gen random --count "$n" --footprint 128K -o - 2>/dev/null |
    "$G" replay --quiet --ram 1G --json "$T/r.json" -
  python3 - "$T/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["replay"]
print("  %12d records  %7.1f s  %6.1f M rec/s (gen-bound)  peak RSS %6.1f MiB  simulated memory backed %5.2f MiB"
      % (r["records"], r["seconds"], r["records"] / r["seconds"] / 1e6,
         r["peak_rss_bytes"] / 2**20, r["sim_memory_bytes"] / 2**20))
PY
done
