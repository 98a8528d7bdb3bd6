/*
 * granule — VMSAv8-64 stage-1 translation for the EL1&0 regime
 * (prefix gr_s1_ for the decoded context, gr_ptw_ for the walker).
 *
 * Structure follows the Arm ARM pseudocode (DDI 0487, AArch64.S1Translate
 * and its callees):
 *   gr_s1_decode()   AArch64.GetS1TTWParams, once per register write
 *   gr_s1_select()   VA range, TxSZ, canonical and EPD checks (level 0 faults)
 *   gr_ptw_walk()    AArch64.S1Walk: the descriptor loop, up to the leaf
 *   gr_s1_check()    AArch64.S1CheckPermissions on the leaf summary (gr_tte)
 *   gr_ptw_update()  hardware AF / dirty-state update of the leaf descriptor
 *   gr_s1_translate() all of the above, for an access with no TLB in front
 * The implementation modelled has FEAT_TTST, FEAT_HAFDBS, FEAT_PAN and
 * FEAT_HPDS; the PA size comes from ID_AA64MMFR0_EL1.PARange, and with a
 * 52-bit PARange the 64K granule uses FEAT_LPA's descriptor bits [15:12].
 */
#ifndef GRANULE_PTW_H
#define GRANULE_PTW_H

#include <stdbool.h>
#include <stdint.h>

#include "granule/fault.h"
#include "granule/pmem.h"
#include "granule/regs.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { GR_ACC_READ = 0, GR_ACC_WRITE = 1, GR_ACC_EXEC = 2 } gr_acc;

/* One translation request: an access of type acc at exception level el. */
typedef struct gr_req {
    uint64_t va;
    gr_acc acc;
    uint8_t el; /* 0 or 1 */
} gr_req;

/* Walk parameters of one VA range (TTBR0 or TTBR1), decoded once. */
typedef struct gr_s1half {
    uint8_t granule_bits; /* 12, 14 or 16 */
    uint8_t stride;       /* granule_bits - 3 */
    uint8_t txsz;         /* effective (clamped) TxSZ */
    uint8_t ia_bits;      /* 64 - txsz */
    uint8_t start_level;
    uint8_t oa_bits;      /* AArch64.PhysicalAddressSize(IPS, TGx) */
    bool txsz_fault;      /* TxSZ out of range: translation fault, level 0 */
    bool epd, tbi, tbid, hpd, ha, hd;
    bool lpa;             /* 64K granule with PAMax 52: desc[15:12]=OA[51:48] */
    uint64_t ttb;         /* start table base, aligned to the table size */
} gr_s1half;

/* Everything the walk and the permission check read, decoded from gr_regs. */
typedef struct gr_s1ctx {
    gr_s1half half[2]; /* [0] TTBR0 (VA[55]=0), [1] TTBR1 (VA[55]=1) */
    bool m;            /* SCTLR_EL1.M */
    bool wxn, ee, c, i, pan;
    uint8_t pa_bits;   /* AArch64.PAMax() from ID_AA64MMFR0_EL1.PARange */
    uint16_t asid;     /* current ASID: TTBR(A1).ASID, 8 bits unless TCR.AS */
    uint64_t mair;
} gr_s1ctx;

/* Summary of a leaf descriptor with its hierarchical attributes folded in:
 * what a TLB entry holds. */
typedef struct gr_tte {
    uint64_t va_base;   /* VA of the first byte the leaf maps, bits above
                           ia_bits as the request had them cleared */
    uint64_t oa_base;   /* output address of the first byte */
    uint8_t page_shift; /* log2 of the page or block size */
    uint8_t level;      /* lookup level of the leaf */
    uint8_t attr_index; /* AttrIndx[2:0] */
    uint8_t sh;         /* descriptor SH[1:0] */
    /* Permission inputs, AArch64.S1ApplyOutputPerms/S1ApplyTablePerms:
     * ap = effective AP[2:1] (bit 1 = AP[2], cleared for a writable-clean
     * page when TCR.HA and HD are set, since DBM makes it writable);
     * ap_table = APTable[1:0] OR'ed over the walk (0 with HPDn). */
    uint8_t ap, ap_table;
    bool uxn, pxn;      /* leaf XN bits OR'ed with UXNTable/PXNTable */
    bool af, dbm, ng, contiguous;
    uint8_t half;       /* which TTBR it came from */
    uint64_t desc;      /* the leaf descriptor as read; after a hardware
                           update (gr_ptw_update) as written */
    uint64_t desc_pa;   /* where it was read from */
} gr_tte;

/* Where a walk starts: a TTBR (level = start level) or, for a walk-cache
 * hit, a table at a deeper level with the table attributes gathered above. */
typedef struct gr_walk_start {
    uint8_t level;
    uint64_t table; /* table base PA */
    uint8_t ap_table;            /* APTable[1:0] accumulated above */
    bool uxn_table, pxn_table;   /* accumulated above */
} gr_walk_start;

#define GR_PTW_MAX_DESC 5
/* One descriptor fetched during a walk (table or leaf). */
typedef struct gr_ptw_read {
    uint8_t level;
    uint64_t pa;   /* descriptor address */
    uint64_t val;  /* value as read (after EE byte order) */
} gr_ptw_read;

/* The result of one translation. Fields other than fault are meaningful
 * only as far as the walk got (tte only when the walk reached a leaf). */
typedef struct gr_xlat {
    gr_req req;
    gr_fault fault;
    uint64_t pa;        /* valid when fault.type == GR_FAULT_NONE */
    gr_tte tte;
    bool have_tte;      /* the walk reached a leaf */
    uint8_t mair_attr;  /* MAIR_EL1.Attr<attr_index>, or the MMU-off attr */
    uint16_t asid;
    uint8_t nreads;
    gr_ptw_read reads[GR_PTW_MAX_DESC];
    bool desc_written;  /* a hardware AF/dirty update was written */
    uint64_t new_desc;  /* the value written */
} gr_xlat;

/*! gr_s1_decode() : decodes regs into ctx (AArch64.GetS1TTWParams for both
 *  VA ranges). Call again after any register write. */
void gr_s1_decode(const gr_regs *regs, gr_s1ctx *ctx);

/*! gr_s1_select() : the checks that come before any memory access: TxSZ out
 *  of range, VA out of range for the selected TTBR (with TBI/TBID), EPDn.
 *  @return the VA range (0 or 1) with fault NONE, or the level-0
 *  translation fault in *fault. */
int gr_s1_select(const gr_s1ctx *ctx, const gr_req *req, gr_fault *fault);

/*! gr_ptw_walk() : walks from start (NULL: the TTBR of range `half`) to the
 *  leaf, appending every descriptor read to x->reads. Raises translation,
 *  address size, access flag (HA=0) and external-abort faults in x->fault.
 *  On success x->tte is filled and x->have_tte is set. */
void gr_ptw_walk(const gr_s1ctx *ctx, const gr_pmem *mem, int half,
                 const gr_walk_start *start, gr_xlat *x);

/*! gr_s1_check() : the stage-1 permission check of req against tte
 *  (AP, APTable, UXN/PXN, WXN, PAN; a writable-clean page counts as
 *  writable when TCR.HD is set). @return a permission fault or NONE. */
gr_fault gr_s1_check(const gr_s1ctx *ctx, const gr_tte *tte, const gr_req *req);

/*! gr_ptw_update() : hardware access-flag and dirty-state management: sets
 *  AF (TCR.HA) and, for a write to a writable-clean page (TCR.HD), clears
 *  AP[2]; writes the descriptor back to mem if it changed. Also updates
 *  tte. @return false if the write-back hit unmapped memory (x->fault is
 *  then a synchronous external abort at the leaf level). */
bool gr_ptw_update(const gr_s1ctx *ctx, gr_pmem *mem, gr_xlat *x);

/*! gr_s1_translate() : the whole stage-1 translation of req (select, walk,
 *  permission check, hardware update, output address) with no TLB. */
void gr_s1_translate(const gr_s1ctx *ctx, gr_pmem *mem, const gr_req *req,
                     gr_xlat *x);

/*! gr_par_encode() : the PAR_EL1 value an AT instruction for x's request
 *  would return (Arm ARM AArch64.EncodePAR; NS reported as 1, as for a
 *  Non-secure regime). */
uint64_t gr_par_encode(const gr_s1ctx *ctx, const gr_xlat *x);

#ifdef __cplusplus
}
#endif
#endif
