#!/usr/bin/env bash
# `granule vm`: the fork/copy-on-write scenario of docs/vm.md. Every expected
# value below is derived by hand from the scenario and the VM layer's rules
# (docs/vm.md), not taken from a run:
#  - pid 1 touches 16 pages for the first time (1 __TEXT, 4 heap, 2 stack,
#    8 mmap, 1 shared cache): 16 translation faults, 16 zero fills, no TLBI
#    (filling an invalid descriptor needs none).
#  - fork write-protects pid 1's resident pages of writable COPY entries
#    (4 heap + 2 stack + 8 mmap = 14): 14 TLBI VALE1, cause fork.
#  - the child's 4 accesses hit invalid descriptors: 4 translation faults, 3
#    of them writes to pages below its new shadow objects (heap, mmap):
#    3 copies, 2 shadows, no TLBI.
#  - the parent's write to heap page 3 (mapped read-only by the fork) is a
#    permission fault, shadows the heap, copies the page and replaces a
#    valid descriptor with a new output address: break-before-make, 1 TLBI.
#  Totals: 21 faults (20 translation, 1 permission), 16 zero fill, 4 cow,
#  3 shadows, 15 TLBIs; RSS pid 1 = 16 pages, pid 2 = 4 pages (heap 0, 1, 2
#  and mmap 0).
#  - VSZ = 4G __PAGEZERO + 64K + 32K + 16K image + 1M heap + 128K stack +
#    one guard page + 32M shared cache + 8 mmap pages.
#  - zones: 2 shared-cache objects + 5 (image, heap, stack) + 1 mmap + 3
#    shadows = 11 objects; 2 tasks.
#  - ASLR: slides are splitmix64 draws (shared cache, then __TEXT, heap,
#    stack) modulo 2^14, 2^12, 2^16, 2^14 units of 16 KiB, computed here
#    with an independent bash implementation.
set -u
granule=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/check.sh"


# --- 4K pages, no ASLR: the layout of docs/vm.md at slide 0.
"$granule" vm --no-aslr >"$tmp/v4"
check "exit 4K" 0 $?
has "counters 4K" "$tmp/v4" \
  "faults 21 (translation 20, permission 1, access flag 0), zero fill 16, cow 4, shadows 3, context switches 3"
has "tlbi total" "$tmp/v4" "TLBIs issued: 15"
has "tlbi fork" "$tmp/v4" "  tlbi vale1    cause fork     14"
has "tlbi cow" "$tmp/v4" "  tlbi vale1    cause cow      1"
has "ps pid 1" "$tmp/v4" "    1     0       64    4228372   0.1   4K app"
has "ps pid 2" "$tmp/v4" "    2     1       16    4228372   0.0   4K app"
has "parent cow step" "$tmp/v4" \
  "  pid 1 write heap page 3              0x600000003000: ok, faults 1 (zero fill 0, cow 1), TLBIs 1"
has "child read step" "$tmp/v4" \
  "  pid 2 read  heap page 2              0x600000002000: ok, faults 1 (zero fill 0, cow 0), TLBIs 0"
# Region lines of pid 1 (first listing) and pid 2 (second listing).
awk '/^Virtual Memory Map of process 1/{p=1} /^Virtual Memory Map of process 2/{p=0} p' "$tmp/v4" >"$tmp/p1"
awk '/^Virtual Memory Map of process 2/{p=1} p' "$tmp/v4" >"$tmp/p2"
has "p1 text" "$tmp/p1" "__TEXT                    100000000-100010000    [    64K      4K] r-x/rwx SM=COW  "
has "p1 data" "$tmp/p1" "__DATA                    100010000-100018000    [    32K      0K] rw-/rwx SM=COW  "
has "p1 linkedit" "$tmp/p1" "__LINKEDIT                100018000-10001c000    [    16K      0K] r--/rwx SM=COW  "
has "p1 mmap" "$tmp/p1" "VM_ALLOCATE               300000000-300008000    [    32K     32K] rw-/rwx SM=COW  "
has "p1 heap" "$tmp/p1" \
  "MALLOC                 600000000000-600000100000 [     1M     16K] rw-/rwx SM=COW  DefaultMallocZone"
has "p1 stack" "$tmp/p1" "Stack                  7feffffe0000-7ff000000000 [   128K      8K] rw-/rwx SM=COW  thread 0"
has "p1 guard" "$tmp/p1" "STACK GUARD            7fefff7ff000-7fefff800000 [     4K      0K] ---/--- SM=NUL  "
has "p1 cache" "$tmp/p1" "dyld shared cache      7ff800000000-7ff802000000 [    32M      4K] r-x/rwx SM=COW  "
has "p2 heap" "$tmp/p2" \
  "MALLOC                 600000000000-600000100000 [     1M     12K] rw-/rwx SM=COW  DefaultMallocZone"
has "p2 mmap" "$tmp/p2" "VM_ALLOCATE               300000000-300008000    [    32K      4K] rw-/rwx SM=COW  "
has "p2 text" "$tmp/p2" "__TEXT                    100000000-100010000    [    64K      0K] r-x/rwx SM=COW  "

# Zones: 11 objects (2 shared-cache objects at boot, 5 image/heap/stack
# objects of pid 1, its mmap object, 3 shadows; the fork only adds
# references), all still live; 2 tasks.
zone() { awk -v z="$1" -v c="$2" '$1 == z { print $c }' "$tmp/v4"; }
check "zone objects inuse" 11 "$(zone vm.objects 7)"
check "zone objects allocs" 11 "$(zone vm.objects 9)"
check "zone tasks inuse" 2 "$(zone vm.tasks 7)"

# --- 16K pages: same counts, every page 4x larger.
"$granule" vm --no-aslr --granule 16k >"$tmp/v16"
has "counters 16K" "$tmp/v16" \
  "faults 21 (translation 20, permission 1, access flag 0), zero fill 16, cow 4, shadows 3, context switches 3"
has "tlbi 16K" "$tmp/v16" "TLBIs issued: 15"
has "ps 16K" "$tmp/v16" "    1     0      256    4228480   0.4  16K app"
has "mmap 16K" "$tmp/v16" "VM_ALLOCATE               300000000-300020000    [   128K    128K] rw-/rwx SM=COW  "
has "guard 16K" "$tmp/v16" "STACK GUARD            7fefff7fc000-7fefff800000 [    16K      0K] ---/--- SM=NUL  "

# --- the other backends see the same faults and TLBIs.
for be in ideal mmu; do
  "$granule" vm --no-aslr --backend $be >"$tmp/vb"
  check "backend $be" "$(grep -E '^(faults|TLBIs|  tlbi)' "$tmp/v4")" "$(grep -E '^(faults|TLBIs|  tlbi)' "$tmp/vb")"
done

# --- ASLR from a seed (independent splitmix64).
rng=7
next() { # splitmix64 with logical shifts done by masking bash's arithmetic ones
  rng=$((rng + 0x9e3779b97f4a7c15)); local z=$rng
  z=$(((z ^ ((z >> 30) & 0x3ffffffff)) * 0xbf58476d1ce4e5b9))
  z=$(((z ^ ((z >> 27) & 0x1fffffffff)) * 0x94d049bb133111eb))
  R=$((z ^ ((z >> 31) & 0x1ffffffff)))
}
next; cache=$((0x7ff800000000 + (R & 0x3fff) * 0x4000))
next; text=$((0x100000000 + (R & 0xfff) * 0x4000))
next; heap=$((0x600000000000 + (R & 0xffff) * 0x4000))
next; stack=$((0x7ff000000000 - (R & 0x3fff) * 0x4000))
"$granule" vm --seed 7 >"$tmp/s7"
check "seed 7 layout" \
  "$(printf '1. spawn pid 1 (app): __TEXT %#x, heap %#x, stack top %#x, shared cache %#x; mmap 8 pages at 0x300000000' \
    $text $heap $stack $cache)" "$(grep '^1\. spawn' "$tmp/s7")"
has "seed 7 text region" "$tmp/s7" \
  "$(printf '%-22s %12x-%-12x [    64K      4K] r-x/rwx SM=COW  ' __TEXT $text $((text + 0x10000)))"
"$granule" vm --seed 7 >"$tmp/s7b"
check "seed reproduces" "" "$(cmp "$tmp/s7" "$tmp/s7b")"
"$granule" vm --seed 8 >"$tmp/s8"
check "seed 8 differs" 1 "$(cmp -s "$tmp/s7" "$tmp/s8"; echo $?)"

# --- pressure scenario (docs/vm.md): 256 volatile pages + 6144 pages (24 MiB
# on 8 MiB of RAM) written: 6400 zero fills; the volatile object is emptied
# (256 pages purged); no fork, so no copy-on-write; every 4K frame of the
# 8 MiB is on exactly one queue; swap files are deleted at the end.
mkdir "$tmp/sw"
"$granule" vm --scenario pressure --swap-dir "$tmp/sw" >"$tmp/pr"
check "pressure exit" 0 $?
val() { sed -n "s/^$1: *\([0-9]*\)\.\$/\1/p" "$tmp/pr"; }
check "zero filled" 6400 "$(val 'Pages zero filled')"
check "purged" 256 "$(val 'Pages purged')"
check "cow" 0 "$(val 'Pages copy-on-write')"
sum=0
for q in free active inactive speculative throttled 'wired down' 'occupied by compressor'; do
  sum=$((sum + $(val "Pages $q")))
done
check "queues add up to RAM" 2048 "$sum"
has "vm_stat header" "$tmp/pr" "Mach Virtual Memory Statistics: (page size of 4096 bytes)"
has "volatile emptied" "$tmp/pr" "3. pid 1: read back; volatile region now empty"
check "pressure level line" 1 "$(grep -cE '^Memory pressure: (normal|warning|urgent|critical) \(kernel level [0-3]\)$' "$tmp/pr")"
check "swapusage line" 1 "$(grep -cE '^vm\.swapusage: total = [0-9]+\.[0-9]{2}M  used = [0-9]+\.[0-9]{2}M  free = [0-9]+\.[0-9]{2}M  \(encrypted\)$' "$tmp/pr")"
check "swap files deleted" "" "$(ls -A "$tmp/sw")"

# --- bad input: exit 2 with a message naming the value.
expect 2 "--granule: want 4k or 16k, got \`8k\`" -- vm --granule 8k
expect 2 "--seed: want an unsigned integer, got \`x1\`" -- vm --seed x1
expect 2 "--backend: want direct, ideal or mmu, got \`rtl\`" -- vm --backend rtl
expect 2 "unknown argument \`--bogus\`" -- vm --bogus
expect 2 "--scenario: want fork or pressure, got \`swap\`" -- vm --scenario swap
expect 0 "usage: granule vm" -- help vm

finish cli_vm
