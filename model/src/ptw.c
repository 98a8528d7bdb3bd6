/*
 * VMSAv8-64 stage-1 translation, EL1&0 regime, after the Arm ARM (DDI 0487)
 * pseudocode: AArch64.S1Translate, AArch64.S1Walk and their callees. The
 * registers are decoded once (gr_s1_decode); the walk loop reads only the
 * decoded parameters and memory, and every failure leaves through one place
 * (walk_fault) that records the type and level.
 */
#include "granule/ptw.h"

#include <string.h>

#define FINAL_LEVEL 3

static inline uint64_t bit(uint64_t v, unsigned n)
{
    return (v >> n) & 1;
}

/* v<hi:lo> */
static inline uint64_t field(uint64_t v, unsigned hi, unsigned lo)
{
    return (v >> lo) & (~0ull >> (63 - (hi - lo)));
}

/* Mask of bits hi..lo inclusive (hi >= lo). */
static inline uint64_t mask(unsigned hi, unsigned lo)
{
    return (~0ull >> (63 - hi)) & ~((1ull << lo) - 1);
}

static inline uint64_t bswap64(uint64_t v)
{
    return __builtin_bswap64(v);
}

/* TCR_EL1.IPS and ID_AA64MMFR0_EL1.PARange share this encoding. */
static unsigned pa_size_bits(unsigned enc)
{
    static const unsigned bits[] = {32, 36, 40, 42, 44, 48, 52};
    return enc < 7 ? bits[enc] : 0;
}

/* AArch64.PAMax(). PARange values the Arm ARM reserves are taken as 48 bits,
 * the size of an implementation without FEAT_LPA. */
static unsigned pamax(const gr_regs *r)
{
    unsigned b = pa_size_bits((unsigned)field(r->id_aa64mmfr0, 3, 0));
    return b ? b : 48;
}

/*
 * AArch64.GetS1TTWParams for one VA range of the EL1&0 regime.
 * TG1 encodes granules differently from TG0 (D19 TCR_EL1): a reserved
 * encoding behaves as an IMPLEMENTATION DEFINED implemented size; like QEMU,
 * granule picks 4K.
 */
static void decode_half(const gr_regs *r, int n, unsigned pa_bits, gr_s1half *h)
{
    uint64_t tcr = r->tcr;
    unsigned gbits;
    if (n == 0) {
        static const unsigned tg0[4] = {12, 16, 14, 12};
        gbits = tg0[field(tcr, 15, 14)];
    } else {
        static const unsigned tg1[4] = {12, 14, 12, 16};
        gbits = tg1[field(tcr, 31, 30)];
    }
    memset(h, 0, sizeof *h);
    h->granule_bits = (uint8_t)gbits;
    h->stride = (uint8_t)(gbits - 3);

    /* AArch64.S1MinTxSZ / AArch64.MaxTxSZ with FEAT_TTST and without
     * FEAT_LVA/LPA2: 16 .. 48 (47 for 64K). AArch64.S1TxSZFaults leaves a
     * fault on an out-of-range value IMPLEMENTATION DEFINED; granule
     * faults (translation, level 0), as QEMU does, and walks nothing. */
    unsigned txsz = (unsigned)(n == 0 ? field(tcr, 5, 0) : field(tcr, 21, 16));
    unsigned maxtxsz = gbits == 16 ? 47 : 48;
    if (txsz < 16) {
        txsz = 16;
        h->txsz_fault = true;
    } else if (txsz > maxtxsz) {
        txsz = maxtxsz;
        h->txsz_fault = true;
    }
    h->txsz = (uint8_t)txsz;
    h->ia_bits = (uint8_t)(64 - txsz);
    /* AArch64.S1StartLevel */
    h->start_level = (uint8_t)(FINAL_LEVEL - ((h->ia_bits - 1u - gbits) / h->stride));

    /* AArch64.PhysicalAddressSize: a reserved IPS value is taken as PAMax;
     * without FEAT_LPA2 the 4K and 16K granules stop at 48 bits. */
    unsigned ips = (unsigned)field(tcr, 34, 32);
    unsigned ps = pa_size_bits(ips);
    if (!ps)
        ps = pa_bits;
    unsigned max_ps = gbits == 16 ? pa_bits : (pa_bits < 48 ? pa_bits : 48);
    h->oa_bits = (uint8_t)(ps < max_ps ? ps : max_ps);
    /* AArch64.NextTableBase/LeafBase: with PAMax 52 the 64K granule's
     * descriptor bits [15:12] are OA[51:48] whatever IPS says. */
    h->lpa = gbits == 16 && pa_bits >= 52;

    h->epd = bit(tcr, n == 0 ? 7 : 23);
    h->tbi = bit(tcr, n == 0 ? 37 : 38);
    h->tbid = bit(tcr, n == 0 ? 51 : 52);
    h->hpd = bit(tcr, n == 0 ? 41 : 42);
    h->ha = bit(tcr, 39);
    /* TCR_EL1.HD has no effect unless HA is also set (the pseudocode only
     * ever tests HA && HD). */
    h->hd = h->ha && bit(tcr, 40);

    /* AArch64.S1TTBaseAddress: BADDR aligned to the size of the start-level
     * table; with 64K, IPS = 52 and FEAT_LPA, TTBR[5:2] holds BADDR[51:48]
     * and the table is at least 64-byte aligned. */
    uint64_t ttbr = n == 0 ? r->ttbr0 : r->ttbr1;
    unsigned levels = FINAL_LEVEL - h->start_level;
    unsigned tsize = h->ia_bits - (levels * h->stride + gbits) + 3;
    uint64_t base;
    if (gbits == 16 && ips == 6 && pa_bits >= 52) {
        if (tsize < 6)
            tsize = 6;
        base = (field(ttbr, 5, 2) << 48) | (ttbr & mask(47, 6));
    } else {
        base = ttbr & mask(47, 1);
    }
    h->ttb = base & ~((1ull << tsize) - 1);
}

void gr_s1_decode(const gr_regs *regs, gr_s1ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->pa_bits = (uint8_t)pamax(regs);
    decode_half(regs, 0, ctx->pa_bits, &ctx->half[0]);
    decode_half(regs, 1, ctx->pa_bits, &ctx->half[1]);
    uint64_t sctlr = regs->sctlr;
    ctx->m = bit(sctlr, 0);
    ctx->c = bit(sctlr, 2);
    ctx->i = bit(sctlr, 12);
    ctx->wxn = bit(sctlr, 19);
    ctx->ee = bit(sctlr, 25);
    ctx->pan = regs->pstate_pan & 1;
    ctx->mair = regs->mair;
    /* TCR_EL1.A1 picks the TTBR holding the current ASID; TCR_EL1.AS picks
     * 16 bits (else the upper 8 bits are ignored). */
    uint64_t ttbr = bit(regs->tcr, 22) ? regs->ttbr1 : regs->ttbr0;
    uint16_t asid = (uint16_t)field(ttbr, 63, 48);
    ctx->asid = bit(regs->tcr, 36) ? asid : (uint16_t)(asid & 0xff);
}

static void set_fault(gr_fault *f, gr_fault_type t, int level, const gr_req *req)
{
    f->type = t;
    f->level = (int8_t)level;
    f->write = req->acc == GR_ACC_WRITE;
    f->ifetch = req->acc == GR_ACC_EXEC;
    f->paddr = 0;
}

/* AArch64.AddrTop: the top bit that takes part in addressing. */
static unsigned addr_top(const gr_s1half *h, gr_acc acc)
{
    if (h->tbid && acc == GR_ACC_EXEC)
        return 63;
    return h->tbi ? 55 : 63;
}

int gr_s1_select(const gr_s1ctx *ctx, const gr_req *req, gr_fault *fault)
{
    int n = (int)bit(req->va, 55); /* AArch64.GetVARange */
    const gr_s1half *h = &ctx->half[n];
    set_fault(fault, GR_FAULT_NONE, 0, req);
    /* AArch64.S1Translate: TxSZ out of range, then AArch64.VAIsOutOfRange
     * (bits above the input size must all equal VA[55]); AArch64.S1Walk:
     * EPDn. All are translation faults at level 0. */
    uint64_t m = mask(addr_top(h, req->acc), h->ia_bits);
    if (h->txsz_fault || (req->va & m) != (n ? m : 0) || h->epd)
        fault->type = GR_FAULT_TRANSLATION;
    return n;
}

/* AArch64.BlockDescSupported without FEAT_LPA2 (DS = 0) and FEAT_D128. */
static bool block_supported(const gr_s1ctx *ctx, const gr_s1half *h, int level)
{
    switch (h->granule_bits) {
    case 12:
        return level == 1 || level == 2;
    case 14:
        return level == 2;
    default:
        return level == 2 || (level == 1 && ctx->pa_bits >= 52);
    }
}

/* Output-address bits of a table or leaf descriptor for a region of
 * 2^shift bytes (AArch64.NextTableBase, AArch64.LeafBase). */
static uint64_t desc_oa(const gr_s1half *h, uint64_t desc, unsigned shift)
{
    uint64_t oa = desc & mask(47, shift);
    if (h->lpa)
        oa |= field(desc, 15, 12) << 48;
    return oa;
}

static void walk_fault(gr_xlat *x, gr_fault_type t, int level)
{
    set_fault(&x->fault, t, level, &x->req);
}

void gr_ptw_walk(const gr_s1ctx *ctx, const gr_pmem *mem, int half,
                 const gr_walk_start *start, gr_xlat *x)
{
    const gr_s1half *h = &ctx->half[half];
    const uint64_t va = x->req.va;
    int level;
    uint64_t table;
    uint8_t ap_table = 0;
    bool uxn_table = false, pxn_table = false;

    x->have_tte = false;
    set_fault(&x->fault, GR_FAULT_NONE, 0, &x->req);
    if (start) {
        level = start->level;
        table = start->table;
        ap_table = start->ap_table;
        uxn_table = start->uxn_table;
        pxn_table = start->pxn_table;
    } else {
        level = h->start_level;
        table = h->ttb;
        /* AArch64.S1Walk: "Detect Address Size Fault by Descriptor
         * Address" for the TTBR is reported at level 0 whatever the start
         * level. */
        if (table >> h->oa_bits) {
            walk_fault(x, GR_FAULT_ADDRESS_SIZE, 0);
            return;
        }
    }

    for (;;) {
        /* AArch64.TTEntryAddress: the start level indexes with all the VA
         * bits left above this level; later levels with `stride` bits. */
        unsigned shift = h->granule_bits + h->stride * (unsigned)(FINAL_LEVEL - level);
        unsigned nbits = level == h->start_level ? h->ia_bits - shift : h->stride;
        uint64_t idx = (va >> shift) & ((1ull << nbits) - 1);
        uint64_t desc_pa = table | (idx << 3);
        uint64_t desc;

        /* FetchDescriptor: memory with no device behind it answers with an
         * external abort, reported as a synchronous external abort on the
         * walk at this level. */
        if (gr_pmem_read64(mem, desc_pa, &desc) != GR_PMEM_OK) {
            walk_fault(x, GR_FAULT_SYNC_EXTERNAL_ON_WALK, level);
            x->fault.paddr = desc_pa;
            return;
        }
        if (ctx->ee)
            desc = bswap64(desc);
        if (x->nreads < GR_PTW_MAX_DESC)
            x->reads[x->nreads++] = (gr_ptw_read){(uint8_t)level, desc_pa, desc};

        /* AArch64.DecodeDescriptorType */
        bool is_table = (desc & 3) == 3 && level != FINAL_LEVEL;
        bool is_leaf = ((desc & 3) == 3 && level == FINAL_LEVEL) ||
                       ((desc & 3) == 1 && block_supported(ctx, h, level));
        if (!is_table && !is_leaf) {
            walk_fault(x, GR_FAULT_TRANSLATION, level);
            return;
        }

        if (is_table) {
            uint64_t next = desc_oa(h, desc, h->granule_bits);
            /* AArch64.S1NextWalkStateTable: hierarchical attributes are
             * gathered unless TCR_EL1.HPDn disables them (FEAT_HPDS). */
            if (!h->hpd) {
                ap_table |= (uint8_t)field(desc, 62, 61);
                uxn_table |= bit(desc, 60);
                pxn_table |= bit(desc, 59);
            }
            /* Address size fault on the next table address, reported at
             * the level of the table descriptor that holds it. */
            if (next >> h->oa_bits) {
                walk_fault(x, GR_FAULT_ADDRESS_SIZE, level);
                return;
            }
            table = next;
            level++;
            continue;
        }

        uint64_t oa = desc_oa(h, desc, shift);
        /* AArch64.S1Walk, after the loop: address size on the output
         * address, then the access flag when hardware does not manage it. */
        if (oa >> h->oa_bits) {
            walk_fault(x, GR_FAULT_ADDRESS_SIZE, level);
            return;
        }
        if (!bit(desc, 10) && !h->ha) {
            walk_fault(x, GR_FAULT_ACCESS_FLAG, level);
            return;
        }

        gr_tte *t = &x->tte;
        t->va_base = (va & mask(h->ia_bits - 1, shift)) | (half ? mask(63, h->ia_bits) : 0);
        t->oa_base = oa;
        t->page_shift = (uint8_t)shift;
        t->level = (uint8_t)level;
        t->attr_index = (uint8_t)field(desc, 4, 2);
        t->sh = (uint8_t)field(desc, 9, 8);
        t->ap = (uint8_t)field(desc, 7, 6);
        t->dbm = bit(desc, 51);
        /* AArch64.S1ApplyOutputPerms: with HA and HD, DBM clears the
         * effective AP[2], so no write-permission fault is reported and the
         * dirty state can be set instead. */
        if (h->ha && h->hd && t->dbm)
            t->ap &= 1;
        t->ap_table = ap_table;
        t->uxn = bit(desc, 54) || uxn_table;
        t->pxn = bit(desc, 53) || pxn_table;
        t->af = bit(desc, 10);
        t->ng = bit(desc, 11);
        t->contiguous = bit(desc, 52);
        t->half = (uint8_t)half;
        t->desc = desc;
        t->desc_pa = desc_pa;
        x->have_tte = true;
        return;
    }
}

gr_fault gr_s1_check(const gr_s1ctx *ctx, const gr_tte *t, const gr_req *req)
{
    /* AArch64.S1DirectBasePermissions, then AArch64.S1ComputePermissions
     * for WXN. AP[2:1]: AP[2] = read-only, AP[1] = EL0 access. */
    bool ro = t->ap & 2, el0 = t->ap & 1;
    bool pr = true, pw = !ro, ur = el0, uw = el0 && !ro;
    if (t->ap_table & 1) /* APTable[0]: no EL0 access below this table */
        ur = uw = false;
    if (t->ap_table & 2) /* APTable[1]: read-only below this table */
        pw = uw = false;
    /* Locations writable at EL0 are never executable at EL1. */
    bool px = !(t->pxn || uw);
    bool ux = !t->uxn;
    /* FEAT_PAN: EL1 data accesses to EL0-accessible locations fault
     * (EPAN not implemented, so execute-only EL0 pages are exempt). */
    if (ctx->pan && req->el != 0 && req->acc != GR_ACC_EXEC && (ur || uw))
        pr = pw = false;
    bool r, w, x;
    if (req->el == 0) {
        r = ur;
        w = uw;
        x = ux;
    } else {
        r = pr;
        w = pw;
        x = px;
    }
    if (ctx->wxn && w)
        x = false;

    bool ok = req->acc == GR_ACC_READ ? r : req->acc == GR_ACC_WRITE ? w : x;
    gr_fault f;
    set_fault(&f, ok ? GR_FAULT_NONE : GR_FAULT_PERMISSION, ok ? 0 : t->level, req);
    return f;
}

bool gr_ptw_update(const gr_s1ctx *ctx, gr_pmem *mem, gr_xlat *x)
{
    const gr_s1half *h = &ctx->half[x->tte.half];
    uint64_t desc = x->tte.desc, nd = desc;
    /* AArch64.S1Translate after a successful permission check: set AF when
     * hardware manages it; clear AP[2] (nDirty) for a write to a
     * writable-clean descriptor when hardware manages dirty state. */
    if (h->ha)
        nd |= 1ull << 10;
    if (h->hd && bit(desc, 51) && x->req.acc == GR_ACC_WRITE)
        nd &= ~(1ull << 7);
    if (nd == desc)
        return true;
    uint64_t stored = ctx->ee ? bswap64(nd) : nd;
    if (gr_pmem_write64(mem, x->tte.desc_pa, stored) != GR_PMEM_OK) {
        walk_fault(x, GR_FAULT_SYNC_EXTERNAL_ON_WALK, x->tte.level);
        x->fault.paddr = x->tte.desc_pa;
        return false;
    }
    x->desc_written = true;
    x->new_desc = nd;
    x->tte.desc = nd;
    x->tte.af = true;
    return true;
}

/* AArch64.S1DisabledOutput: stage 1 off gives the flat mapping, with an
 * address size fault (level 0) for VA bits at or above PAMax. Data accesses
 * are Device-nGnRnE; instruction fetches Normal Write-Through (cacheable,
 * SCTLR_EL1.I = 1) or Non-cacheable. */
static void translate_disabled(const gr_s1ctx *ctx, gr_xlat *x)
{
    const gr_s1half *h = &ctx->half[bit(x->req.va, 55)];
    unsigned top = addr_top(h, x->req.acc);
    if (x->req.va & mask(top, ctx->pa_bits)) {
        set_fault(&x->fault, GR_FAULT_ADDRESS_SIZE, 0, &x->req);
        return;
    }
    x->pa = x->req.va & mask(ctx->pa_bits - 1, 0);
    if (x->req.acc == GR_ACC_EXEC)
        x->mair_attr = ctx->i ? 0xAA : 0x44;
    else
        x->mair_attr = 0x00;
}

void gr_s1_translate(const gr_s1ctx *ctx, gr_pmem *mem, const gr_req *req,
                     gr_xlat *x)
{
    memset(x, 0, sizeof *x);
    x->req = *req;
    x->asid = ctx->asid;
    set_fault(&x->fault, GR_FAULT_NONE, 0, req);
    if (!ctx->m) {
        translate_disabled(ctx, x);
        return;
    }
    int half = gr_s1_select(ctx, req, &x->fault);
    if (x->fault.type != GR_FAULT_NONE)
        return;
    gr_ptw_walk(ctx, mem, half, NULL, x);
    if (x->fault.type != GR_FAULT_NONE)
        return;
    x->fault = gr_s1_check(ctx, &x->tte, req);
    if (x->fault.type != GR_FAULT_NONE)
        return;
    if (!gr_ptw_update(ctx, mem, x))
        return;
    x->pa = x->tte.oa_base | (req->va & ((1ull << x->tte.page_shift) - 1));
    x->mair_attr = (uint8_t)(ctx->mair >> (8 * x->tte.attr_index));
    /* AArch64.S1Translate: with SCTLR_EL1.C = 0, data accesses treat Normal
     * memory as Normal Non-cacheable. */
    if (!ctx->c && req->acc != GR_ACC_EXEC && (x->mair_attr & 0xf0) != 0)
        x->mair_attr = 0x44;
    else if (!ctx->i && req->acc == GR_ACC_EXEC)
        x->mair_attr = 0x44;
}

/* PAREncodeShareability: Device and Normal Inner+Outer Non-cacheable memory
 * report Outer Shareable; otherwise the descriptor's SH. */
static unsigned par_sh(uint8_t attr, uint8_t sh)
{
    bool device = (attr & 0xf0) == 0;
    bool nc = (attr & 0xf0) == 0x40 && (attr & 0x0f) == 0x04;
    return device || nc ? 2 : sh;
}

uint64_t gr_par_encode(const gr_s1ctx *ctx, const gr_xlat *x)
{
    (void)ctx;
    /* AArch64.EncodePAR: bit 11 is RES1 in the 64-bit format. */
    uint64_t par = 1ull << 11;
    if (x->fault.type != GR_FAULT_NONE) {
        par |= 1;
        par |= (uint64_t)gr_fault_fsc(&x->fault) << 1;
        return par;
    }
    /* NS is UNKNOWN for a Non-secure regime; report 1 as QEMU does. */
    par |= 1ull << 9;
    uint8_t sh = x->have_tte ? x->tte.sh : 0;
    par |= (uint64_t)par_sh(x->mair_attr, sh) << 7;
    par |= x->pa & mask(51, 12);
    par |= (uint64_t)x->mair_attr << 56;
    return par;
}
