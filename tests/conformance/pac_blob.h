/*
 * Layout of the data the pointer-authentication conformance generator
 * (pac_gen.c) writes and the bare-metal PAC probe (bare/pac_probe.c) reads,
 * and of the results the probe writes back. Shared by host and AArch64
 * code, so fixed-width little-endian u64 words only.
 *
 * Physical memory (qemu-system-aarch64 -M virt -m 1G, RAM 0x40000000..):
 *   0x40080000  probe code, data, stacks (bare/link.ld)
 *   0x42000000  PAC_RESULT_PA: result header, then PAC_RES_WORDS per input
 *   0x48000000  PAC_BLOB_PA: this blob (QEMU's generic loader puts it there)
 */
#ifndef CONF_PAC_BLOB_H
#define CONF_PAC_BLOB_H

#include <stdint.h>

#define PAC_BLOB_PA 0x48000000ull
#define PAC_RESULT_PA 0x42000000ull
#define PAC_RESULT_BYTES (0x48000000ull - PAC_RESULT_PA)

#define PAC_MAGIC 0x31304341504752ull      /* "RGPAC01" */
#define PAC_RES_MAGIC 0x31305345524347ull  /* "GCRES01" */

/* Blob header. */
enum {
    PAC_HDR_MAGIC,
    PAC_HDR_NSETS,
    PAC_HDR_NINPUTS, /* total inputs over all sets */
    PAC_HDR_SET_OFF, /* byte offset of the set array */
    PAC_HDR_WORDS = 8
};

/* One register set: the EL1&0 controls and the five keys, as Arm names
 * them (key0 = Hi, key1 = Lo in ComputePAC). */
enum {
    PAC_SET_TCR,
    PAC_SET_SCTLR,
    PAC_SET_KEYS, /* 10 words: IA Hi, Lo, IB Hi, Lo, DA Hi, Lo, DB Hi, Lo, GA Hi, Lo */
    PAC_SET_IN_OFF = PAC_SET_KEYS + 10, /* byte offset of the inputs */
    PAC_SET_NIN,
    PAC_SET_WORDS = 16
};

/* One input: pointer, modifier, and the bits flipped to tamper with the
 * signed pointer. */
enum { PAC_IN_PTR, PAC_IN_MOD, PAC_IN_TAMPER, PAC_IN_WORDS };

/* Result header (at PAC_RESULT_PA, PAC_RES_HDR_WORDS words). */
enum {
    PAC_RES_MAGIC_W,
    PAC_RES_NINPUTS,
    PAC_RES_ISAR1,     /* ID_AA64ISAR1_EL1 as the probe read it */
    PAC_RES_ISAR2,     /* ID_AA64ISAR2_EL1 */
    PAC_RES_CURRENTEL, /* CurrentEL.EL the instructions ran at (1) */
    PAC_RES_HDR_WORDS = 8
};

/* Results of one input, p = pointer, m = modifier, t = tamper mask:
 * for key k in IA, IB, DA, DB (k = 0..3):
 *   [4k+0] s = PACxx(p, m)
 *   [4k+1] AUTxx(s, m)          valid
 *   [4k+2] AUTxx(s ^ t, m)      tampered
 *   [4k+3] AUTxx(p, m)          unsigned
 * [16] XPACI(p), [17] XPACD(p), [18] PACGA(p, m). */
enum {
    PAC_R_SIGN = 0,
    PAC_R_AUT_VALID = 1,
    PAC_R_AUT_TAMPERED = 2,
    PAC_R_AUT_UNSIGNED = 3,
    PAC_R_XPACI = 16,
    PAC_R_XPACD = 17,
    PAC_R_PACGA = 18,
    PAC_RES_WORDS = 19
};

#endif
