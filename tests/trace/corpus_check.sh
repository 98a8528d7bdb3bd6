#!/usr/bin/env bash
# The committed real-trace corpus (traces/corpus) against its MANIFEST:
# every file is there with its sha256, reads back completely (no checksum or
# truncation error) with the recorded record count, and its access count
# equals I + L + S + 2 M counted from the lackey log by awk at capture time
# (an independent count: lackey's M is a load and a store).
set -u
granule=$1
corpus=$2
fails=0 passes=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

[ -r "$corpus/MANIFEST" ] || { echo "FAIL: no $corpus/MANIFEST"; exit 1; }
entries=0
while read -r name file sha n_rec n_acc n_ev i l s m; do
  entries=$((entries + 1))
  f=$corpus/$file
  if [ ! -r "$f" ]; then fail "$name: $f missing"; continue; fi
  got=$(sha256sum "$f" | cut -d' ' -f1)
  [ "$got" = "$sha" ] || { fail "$name: sha256 $got, MANIFEST says $sha"; continue; }
  [ "$n_acc" -eq $((i + l + s + 2 * m)) ] ||
    fail "$name: MANIFEST accesses $n_acc != I+L+S+2M = $((i + l + s + 2 * m))"
  out=$("$granule" convert --to din "$f" /dev/null 2>&1)
  rc=$?
  want="granule convert: $n_rec records, native -> din, $n_ev dropped"
  if [ $rc -ne 0 ] || [[ "$out" != "$want"* ]]; then
    fail "$name: read back: exit $rc, [$out], want [$want ...]"
  else
    passes=$((passes + 1))
  fi
done < <(awk '
  function num(x) { gsub(/[^0-9]/, "", x); return x }
  /^\[/ { name = substr($0, 2, length($0) - 2) }
  /^file = / { file = $3 }
  /^sha256 = / { sha = $3 }
  /^native_records = / { n = $3; a = num($5); e = num($7) }
  /^lackey_accesses = / { i = num($5); l = num($7); s = num($9); m = num($11) }
  /^capture_seconds/ { print name, file, sha, n, a, e, i, l, s, m }
' "$corpus/MANIFEST")
echo "corpus_check: $entries entries, $passes read back, $fails failed"
[ "$entries" -gt 0 ] && [ "$fails" -eq 0 ]
