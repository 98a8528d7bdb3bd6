/*
 * granule tests — a small VMSAv8-64 page-table builder (prefix ptb_).
 *
 * Tests describe translations the way the Arm ARM does (a descriptor at a
 * lookup level, with its bits spelled out) and let this builder lay the
 * tables out in a gr_pmem: one RAM region, granule-aligned tables handed
 * out by a bump allocator, intermediate table descriptors created on
 * demand. Descriptors can be stored big-endian (SCTLR_EL1.EE = 1).
 *
 * The builder is deliberately independent of the walker under test: its
 * index arithmetic is the Arm ARM's (AArch64.TTEntryAddress, stride =
 * granule_bits - 3), and tests that check the index bits or start levels
 * compare against hand-written bit ranges, not against the builder.
 */
#ifndef GRANULE_TESTS_PTBUILD_H
#define GRANULE_TESTS_PTBUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "granule/pmem.h"
#include "granule/regs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returned by address-returning functions on failure (never a valid PA
 * of a table: tables are granule aligned). */
#define PTB_FAIL UINT64_MAX

/* Default RAM used by tests: 256 MiB at 1 GiB, below every IPS/PARange
 * (2^32 is the smallest), so table addresses never raise address size
 * faults unless a test wants them to. */
#define PTB_RAM_BASE 0x40000000ull
#define PTB_RAM_SIZE 0x10000000ull

/* ---- descriptor fields (VMSAv8-64 stage 1, 64-bit descriptors) ---- */
#define PTB_VALID (1ull << 0)
#define PTB_ATTRIDX(i) ((uint64_t)(i) << 2)    /* AttrIndx[2:0] = [4:2] */
#define PTB_NS (1ull << 5)
#define PTB_AP(ap) ((uint64_t)(ap) << 6)       /* AP[2:1] = [7:6] */
#define PTB_AP2 (1ull << 7)
#define PTB_SH(sh) ((uint64_t)(sh) << 8)       /* SH[1:0] = [9:8] */
#define PTB_AF (1ull << 10)
#define PTB_NG (1ull << 11)
#define PTB_DBM (1ull << 51)
#define PTB_CONT (1ull << 52)
#define PTB_PXN (1ull << 53)
#define PTB_UXN (1ull << 54)
#define PTB_SW(n) (1ull << (55 + (n)))         /* software use, 55..58 */
#define PTB_PXNTABLE (1ull << 59)
#define PTB_UXNTABLE (1ull << 60)
#define PTB_APTABLE(x) ((uint64_t)(x) << 61)   /* APTable[1:0] = [62:61] */
#define PTB_NSTABLE (1ull << 63)

/* AP[2:1] values (Arm ARM, stage 1 data access permissions). */
#define PTB_AP_RW_NONE 0u /* EL1 RW, EL0 none */
#define PTB_AP_RW_RW 1u   /* EL1 RW, EL0 RW */
#define PTB_AP_RO_NONE 2u /* EL1 RO, EL0 none */
#define PTB_AP_RO_RO 3u   /* EL1 RO, EL0 RO */

/*! ptb_page()/ptb_block()/ptb_table() : descriptor encodings. @oa and
 *  @next must already be aligned; @attrs is OR'ed in unchanged. A page
 *  descriptor (level 3) and a table descriptor share bits[1:0] = 0b11; a
 *  block has 0b01. */
static inline uint64_t ptb_page(uint64_t oa, uint64_t attrs)
{
    return oa | attrs | 3u;
}
static inline uint64_t ptb_block(uint64_t oa, uint64_t attrs)
{
    return oa | attrs | 1u;
}
static inline uint64_t ptb_table(uint64_t next, uint64_t attrs)
{
    return next | attrs | 3u;
}

/* ---- TCR_EL1 / SCTLR_EL1 / ID register fields ---- */
#define PTB_TCR_T0SZ(n) ((uint64_t)(n) & 0x3f)
#define PTB_TCR_EPD0 (1ull << 7)
#define PTB_TCR_T1SZ(n) (((uint64_t)(n) & 0x3f) << 16)
#define PTB_TCR_A1 (1ull << 22)
#define PTB_TCR_EPD1 (1ull << 23)
#define PTB_TCR_IPS(n) ((uint64_t)(n) << 32) /* 0..6 = 32,36,40,42,44,48,52 */
#define PTB_TCR_AS (1ull << 36)
#define PTB_TCR_TBI0 (1ull << 37)
#define PTB_TCR_TBI1 (1ull << 38)
#define PTB_TCR_HA (1ull << 39)
#define PTB_TCR_HD (1ull << 40)
#define PTB_TCR_HPD0 (1ull << 41)
#define PTB_TCR_HPD1 (1ull << 42)
#define PTB_TCR_TBID0 (1ull << 51)
#define PTB_TCR_TBID1 (1ull << 52)

/*! ptb_tcr_tg0()/ptb_tcr_tg1() : the TG0/TG1 field for a granule of
 *  2^granule_bits bytes (the two fields encode sizes differently:
 *  TG0 4K=0 64K=1 16K=2, TG1 16K=1 4K=2 64K=3). */
uint64_t ptb_tcr_tg0(unsigned granule_bits);
uint64_t ptb_tcr_tg1(unsigned granule_bits);

#define PTB_SCTLR_M (1ull << 0)
#define PTB_SCTLR_WXN (1ull << 19)
#define PTB_SCTLR_EE (1ull << 25)

/*! ptb_mmfr0() : an ID_AA64MMFR0_EL1 value with PARange = parange
 *  (0..6 = 32,36,40,42,44,48,52 bits) declaring the 4K, 16K and 64K
 *  granules implemented (TGran4 = 0, TGran64 = 0, TGran16 = 0b0001). */
uint64_t ptb_mmfr0(unsigned parange);

/* ---- the builder ---- */
typedef struct ptb {
    gr_pmem *mem;       /* owned; holds one region "ram" */
    uint64_t ram_base, ram_size;
    uint64_t next;      /* bump allocator */
    bool big_endian;    /* store descriptors byte-reversed (SCTLR_EL1.EE) */
} ptb;

/*! ptb_init() : creates b->mem with one zero-filled RAM region
 *  [ram_base, ram_base+ram_size). @return 0, or -1 (nothing to free). */
int ptb_init(ptb *b, uint64_t ram_base, uint64_t ram_size);

/*! ptb_fini() : destroys b->mem. */
void ptb_fini(ptb *b);

/*! ptb_alloc() : size bytes of RAM aligned to align (a power of two),
 *  zero. @return the PA, or PTB_FAIL when RAM is exhausted. */
uint64_t ptb_alloc(ptb *b, uint64_t size, uint64_t align);

/*! ptb_new_table() : a zeroed table of one granule, granule aligned.
 *  @return its PA or PTB_FAIL. */
uint64_t ptb_new_table(ptb *b, unsigned granule_bits);

/*! ptb_write()/ptb_read() : one descriptor at pa, in the builder's byte
 *  order. ptb_write @return 0 or -1 (unmapped); ptb_read returns
 *  PTB_FAIL for an unmapped pa. */
int ptb_write(ptb *b, uint64_t pa, uint64_t desc);
uint64_t ptb_read(const ptb *b, uint64_t pa);

/* The tables of one VA range (one TTBR). */
typedef struct ptb_tree {
    ptb *b;
    unsigned granule_bits; /* 12, 14 or 16 */
    unsigned txsz;         /* T0SZ or T1SZ, in range for the granule */
    unsigned start_level;
    uint64_t root;         /* PA of the start-level table (TTBR.BADDR) */
    uint64_t table_attrs;  /* OR'ed into every table descriptor created */
} ptb_tree;

/*! ptb_start_level() : the Arm ARM start level for a granule and TxSZ:
 *  4 - ceil((64 - txsz - granule_bits) / (granule_bits - 3)). */
unsigned ptb_start_level(unsigned granule_bits, unsigned txsz);

/*! ptb_tree_init() : fills t and allocates its root table.
 *  @return 0 or -1. */
int ptb_tree_init(ptb *b, ptb_tree *t, unsigned granule_bits, unsigned txsz);

/*! ptb_index() : the table index va selects at level (the start level
 *  takes the bits from the top of the input address). */
uint64_t ptb_index(const ptb_tree *t, uint64_t va, unsigned level);

/*! ptb_level_shift() : log2 of the size a descriptor at level maps. */
unsigned ptb_level_shift(unsigned granule_bits, unsigned level);

/*! ptb_slot() : the PA of the descriptor for va at level, creating the
 *  table descriptors above it as needed (an existing valid table
 *  descriptor is followed; anything else is replaced by a new table).
 *  @return the PA or PTB_FAIL. */
uint64_t ptb_slot(ptb_tree *t, uint64_t va, unsigned level);

/*! ptb_desc_pa() : like ptb_slot() but creates nothing. @return the PA,
 *  or PTB_FAIL if a table on the way is missing. */
uint64_t ptb_desc_pa(const ptb_tree *t, uint64_t va, unsigned level);

/*! ptb_map() : writes desc as the descriptor for va at level (creating
 *  tables above). @return 0 or -1. */
int ptb_map(ptb_tree *t, uint64_t va, unsigned level, uint64_t desc);

/*! ptb_set_bits() : ORs set into, and clears clear from, the descriptor
 *  for va at level (which must exist). @return 0 or -1. */
int ptb_set_bits(ptb_tree *t, uint64_t va, unsigned level, uint64_t set,
                 uint64_t clear);

/*! ptb_regs() : gr_regs with every register at its reset value, then
 *  stage 1 enabled (SCTLR_EL1.M = 1). */
void ptb_regs(gr_regs *r);

#ifdef __cplusplus
}
#endif
#endif
