/*
 * The direct MMU backend: AArch64.S1Translate on every access, no TLB.
 * Register writes are decoded once (gr_s1_decode), as a real MMU latches
 * them, so translate() never reads a register.
 */
#include "granule/vmbe.h"

#include "granule/config.h"
#include "granule/mmu.h"

#include <stdlib.h>
#include <string.h>

typedef struct direct {
    gr_pmem *mem;
    gr_s1ctx s1;
    uint64_t tlbis;
} direct;

static void d_set_regs(void *ctx, const gr_regs *regs)
{
    direct *d = ctx;
    gr_s1_decode(regs, &d->s1);
}

static void d_translate(void *ctx, const gr_req *req, gr_xlat *out)
{
    direct *d = ctx;
    gr_s1_translate(&d->s1, d->mem, req, out);
}

static void d_tlbi(void *ctx, gr_tlbi_op op, uint64_t va, uint16_t asid)
{
    (void)op;
    (void)va;
    (void)asid;
    ((direct *)ctx)->tlbis++;
}

static void d_destroy(void *ctx)
{
    free(ctx);
}

static const gr_vmbe_ops direct_ops = {d_set_regs, d_translate, d_tlbi, d_destroy};

int gr_vmbe_direct(gr_pmem *mem, gr_vmbe *out)
{
    direct *d = calloc(1, sizeof *d);
    if (!d)
        return -1;
    d->mem = mem;
    gr_regs r;
    gr_regs_reset(&r);
    gr_s1_decode(&r, &d->s1);
    out->ops = &direct_ops;
    out->ctx = d;
    return 0;
}

uint64_t gr_vmbe_direct_tlbis(const gr_vmbe *be)
{
    return be && be->ops == &direct_ops ? ((const direct *)be->ctx)->tlbis : 0;
}

void gr_vmbe_destroy(gr_vmbe *be)
{
    if (!be || !be->ops)
        return;
    if (be->ops->destroy)
        be->ops->destroy(be->ctx);
    be->ops = NULL;
    be->ctx = NULL;
}

/* ---- idealised TLB backend ---- */

typedef struct tlbe {
    struct tlbe *next;
    uint64_t vpage; /* va >> page_shift of the cached leaf */
    uint16_t asid;
    bool global;
    gr_tte tte;
    uint8_t mair_attr;
} tlbe;

#define ITLB_BUCKETS 4096u

typedef struct ideal {
    gr_pmem *mem;
    gr_s1ctx s1;
    tlbe *b[ITLB_BUCKETS];
    uint64_t hits, misses, entries;
} ideal;

static unsigned bucket(uint64_t va)
{
    /* Bucket by the 16K-aligned VA so 4K and 16K entries of one VA meet. */
    uint64_t k = (va >> 14) * 0x9e3779b97f4a7c15ull;
    return (unsigned)(k >> 52) & (ITLB_BUCKETS - 1);
}

static bool covers(const tlbe *e, uint64_t va)
{
    return (va >> e->tte.page_shift) == e->vpage;
}

static void i_set_regs(void *ctx, const gr_regs *regs)
{
    ideal *d = ctx;
    gr_s1_decode(regs, &d->s1);
}

static void i_translate(void *ctx, const gr_req *req, gr_xlat *x)
{
    ideal *d = ctx;
    /* TBI is not modelled here: the VM layer issues untagged addresses. */
    for (tlbe *e = d->b[bucket(req->va)]; e; e = e->next) {
        if (!covers(e, req->va) || (!e->global && e->asid != d->s1.asid))
            continue;
        d->hits++;
        memset(x, 0, sizeof *x);
        x->req = *req;
        x->asid = d->s1.asid;
        x->tte = e->tte;
        x->have_tte = true;
        x->fault = gr_s1_check(&d->s1, &e->tte, req);
        if (x->fault.type == GR_FAULT_NONE) {
            x->pa = e->tte.oa_base | (req->va & ((1ull << e->tte.page_shift) - 1));
            x->mair_attr = e->mair_attr;
        }
        return;
    }
    d->misses++;
    gr_s1_translate(&d->s1, d->mem, req, x);
    if (x->fault.type != GR_FAULT_NONE || !x->have_tte)
        return; /* faulting walks are never cached */
    tlbe *e = malloc(sizeof *e);
    if (!e)
        return;
    e->vpage = req->va >> x->tte.page_shift;
    e->asid = d->s1.asid;
    e->global = !x->tte.ng;
    e->tte = x->tte;
    e->mair_attr = x->mair_attr;
    unsigned b = bucket(req->va);
    e->next = d->b[b];
    d->b[b] = e;
    d->entries++;
}

/* Arm ARM TLBI semantics for EL1 stage 1: VA forms with ASID also hit global
 * entries for the VA; AA forms hit every ASID; ASIDE1 spares global entries. */
static bool tlbi_hits(const tlbe *e, gr_tlbi_op op, uint64_t va, uint16_t asid)
{
    bool by_va = gr_tlbi_by_va(op), by_asid = gr_tlbi_by_asid(op);
    if (by_va && !covers(e, va))
        return false;
    if (!by_asid)
        return true;
    /* By ASID: non-global entries of that ASID; the VA forms also hit
     * global entries for the VA. */
    return by_va ? (e->global || e->asid == asid) : (!e->global && e->asid == asid);
}

static void i_tlbi(void *ctx, gr_tlbi_op op, uint64_t va, uint16_t asid)
{
    ideal *d = ctx;
    bool all = !gr_tlbi_by_va(op);
    for (unsigned b = all ? 0 : bucket(va); b < (all ? ITLB_BUCKETS : bucket(va) + 1); b++) {
        for (tlbe **pp = &d->b[b]; *pp;) {
            tlbe *e = *pp;
            if (tlbi_hits(e, op, va, asid)) {
                *pp = e->next;
                free(e);
                d->entries--;
            } else {
                pp = &e->next;
            }
        }
    }
}

static void i_destroy(void *ctx)
{
    ideal *d = ctx;
    i_tlbi(d, GR_TLBI_VMALLE1, 0, 0);
    free(d);
}

static const gr_vmbe_ops ideal_ops = {i_set_regs, i_translate, i_tlbi, i_destroy};

int gr_vmbe_ideal_tlb(gr_pmem *mem, gr_vmbe *out)
{
    ideal *d = calloc(1, sizeof *d);
    if (!d)
        return -1;
    d->mem = mem;
    gr_regs r;
    gr_regs_reset(&r);
    gr_s1_decode(&r, &d->s1);
    out->ops = &ideal_ops;
    out->ctx = d;
    return 0;
}

void gr_vmbe_ideal_tlb_stats(const gr_vmbe *be, uint64_t *hits, uint64_t *misses,
                             uint64_t *entries)
{
    const ideal *d = be && be->ops == &ideal_ops ? be->ctx : NULL;
    *hits = d ? d->hits : 0;
    *misses = d ? d->misses : 0;
    *entries = d ? d->entries : 0;
}

/* ---- the MMU top (TLBs + walk caches + walker) ---- */

static void m_set_regs(void *ctx, const gr_regs *regs)
{
    gr_mmu *m = ctx;
    gr_mmu_set_regs(m, regs, gr_mmu_ready(m));
}

static void m_translate(void *ctx, const gr_req *req, gr_xlat *x)
{
    gr_mmu *m = ctx;
    gr_mmu_req rq = {.r = *req, .t = gr_mmu_ready(m)};
    gr_mmu_resp rs;
    gr_mmu_translate(m, &rq, &rs);
    memset(x, 0, sizeof *x);
    x->req = *req;
    x->fault = rs.fault;
    x->pa = rs.pa;
    x->mair_attr = rs.mair_attr;
    x->asid = gr_mmu_ctx(m)->asid;
    x->tte.page_shift = rs.page_shift;
    x->tte.level = rs.level;
    x->tte.sh = rs.sh;
    x->have_tte = rs.page_shift != 0;
    x->desc_written = rs.desc_written;
}

static void m_tlbi(void *ctx, gr_tlbi_op op, uint64_t va, uint16_t asid)
{
    gr_mmu *m = ctx;
    gr_tlbi t = {op, va, asid};
    gr_mmu_tlbi(m, &t, gr_mmu_ready(m));
}

static void m_destroy(void *ctx)
{
    gr_mmu_destroy(ctx);
}

static const gr_vmbe_ops mmu_ops = {m_set_regs, m_translate, m_tlbi, m_destroy};

int gr_vmbe_mmu(const struct gr_config *cfg, gr_pmem *mem, gr_vmbe *out)
{
    gr_config def;
    if (!cfg) {
        gr_config_defaults(&def);
        cfg = &def;
    }
    gr_mmu *m = gr_mmu_create(cfg, mem);
    if (!m)
        return -1;
    out->ops = &mmu_ops;
    out->ctx = m;
    return 0;
}

struct gr_mmu *gr_vmbe_mmu_of(const gr_vmbe *be)
{
    return be && be->ops == &mmu_ops ? be->ctx : NULL;
}
