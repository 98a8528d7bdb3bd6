/*
 * Layout of the data blob the conformance generator writes and the bare-metal
 * probe reads (QEMU's generic loader places it at CONF_BLOB_PA). Shared by
 * gen.c (host) and bare/probe.c (AArch64), so it uses fixed-width words only;
 * everything is little-endian u64.
 *
 * Physical memory map under `qemu-system-aarch64 -M virt -m 1G`
 * (RAM is 0x40000000..0x7fffffff):
 *   0x40000000  DTB that QEMU places at the base of RAM
 *   0x40080000  probe code, data, stack (link.ld)
 *   0x42000000  CONF_RESULT_PA: per translation, in input order, two words:
 *               PAR_EL1, and ESR_EL2 if the AT took a Data Abort (else 0)
 *   0x44000000  CONF_REGION_PA: each case's page-table image is copied here
 *   0x48000000  CONF_BLOB_PA: this blob
 * A case's translation tables live only inside its image: every table
 * pointer the generator writes either lands inside the image or at a
 * physical address where the virt board has nothing (no RAM, no device), so
 * granule (which is given just the image) and QEMU see the same memory.
 */
#ifndef CONF_BLOB_H
#define CONF_BLOB_H

#include <stdint.h>

#define CONF_BLOB_PA 0x48000000ull
#define CONF_RESULT_PA 0x42000000ull
#define CONF_RESULT_MAX ((0x44000000ull - CONF_RESULT_PA) / 16)
#define CONF_REGION_PA 0x44000000ull
#define CONF_REGION_MAX (0x48000000ull - CONF_REGION_PA)

#define CONF_MAGIC 0x31304e4f43524721ull /* "!GRCON01" */

/* Header: CONF_HDR_WORDS words at the start of the blob. */
enum {
    CONF_HDR_MAGIC,
    CONF_HDR_NCASES,
    CONF_HDR_NVAS,     /* total translations (results written) */
    CONF_HDR_CASE_OFF, /* byte offset of the case array */
    CONF_HDR_WORDS = 8
};

/* One case: a register set, a page-table image and a list of requests. */
enum {
    CONF_CASE_TCR,
    CONF_CASE_TTBR0,
    CONF_CASE_TTBR1,
    CONF_CASE_MAIR,
    CONF_CASE_SCTLR,
    CONF_CASE_PAN,
    CONF_CASE_IMG_OFF, /* byte offset of the image in the blob */
    CONF_CASE_IMG_LEN, /* bytes, copied to CONF_REGION_PA */
    CONF_CASE_REQ_OFF, /* byte offset of the request array */
    CONF_CASE_NREQ,
    CONF_CASE_WORDS = 16
};

/* One request: two words, the VA and the access flags. */
#define CONF_REQ_WRITE 1u /* AT S1E1WP / S1E0W rather than a read */
#define CONF_REQ_EL0 2u   /* AT S1E0x rather than S1E1xP */

#endif
