#!/usr/bin/env python3
"""Writes tables.bin: the page tables of the linux-4k example (see README.md).

The image is loaded at PA 0x40000000. Run from this directory to regenerate.
"""
import struct

BASE = 0x40000000
img = bytearray(7 * 4096)

def put(table_pa, index, desc):
    off = table_pa - BASE + index * 8
    img[off:off + 8] = struct.pack("<Q", desc)

VALID, TABLE, AF, NG = 1, 2, 1 << 10, 1 << 11
AP_EL0_RW, AP_RO_EL1, AP_RO_ALL = 1 << 6, 2 << 6, 3 << 6
SH_ISH = 3 << 8
DBM, CONT, PXN, UXN = 1 << 51, 1 << 52, 1 << 53, 1 << 54
def attr(i): return i << 2

# TTBR0 (user, ASID 5): L0 0x40000000 -> L1 0x40001000 -> L2 0x40002000 -> L3 0x40003000
put(0x40000000, 0, 0x40001000 | TABLE | VALID)
put(0x40001000, 0, 0x40002000 | TABLE | VALID)
put(0x40001000, 1, 0x80000000 | VALID | AF | SH_ISH | attr(1) | UXN)      # 1G block, EL1 only
put(0x40002000, 2, 0x40003000 | TABLE | VALID)
put(0x40003000, 0, 0x90000000 | TABLE | VALID | AF | NG | AP_RO_ALL | SH_ISH | attr(1) | PXN)  # text
put(0x40003000, 1, 0x90001000 | TABLE | VALID | NG | AP_EL0_RW | AP_RO_EL1 | DBM | SH_ISH | attr(1) | PXN | UXN)  # data, clean, AF=0
for i in range(16):                                                            # 64K contiguous range
    put(0x40003000, 16 + i, (0x90010000 + i * 4096) | TABLE | VALID | AF | NG | AP_EL0_RW | SH_ISH | attr(1) | CONT | PXN | UXN)
put(0x40002000, 3, 0x90200000 | VALID | AF | NG | AP_EL0_RW | SH_ISH | attr(1) | PXN | UXN)  # 2M heap block
# TTBR1 (kernel): L0 0x40004000 [511] -> L1 0x40005000
put(0x40004000, 511, 0x40005000 | TABLE | VALID)
put(0x40005000, 0, 0x40000000 | VALID | AF | SH_ISH | attr(1) | UXN)        # 1G linear map
put(0x40005000, 1, 0x40006000 | TABLE | VALID | (1 << 60))                 # UXNTable
put(0x40006000, 0, 0x08000000 | VALID | AF | attr(0) | PXN)                # 2M device

with open("tables.bin", "wb") as f:
    f.write(img)
