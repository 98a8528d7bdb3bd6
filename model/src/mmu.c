/*
 * The MMU top: L1 I/D -> L2 -> walk caches -> walker, with the timing of
 * docs/uarch.md. Every cycle number computed here is part of the RTL
 * contract; change docs/uarch.md in the same commit as any of them.
 *
 * The hit path is a direct-mapped cache of L1 lookup results per L1 (the
 * "front filter"), keyed by the raw VA page (all 64 bits, so the VA-range
 * and TBI checks it skips give the same answer). It is exact because it is
 * kept exact, not checked on every hit:
 *  - the L1 tells it (gr_tlb_observer) when an entry it names is
 *    invalidated (TLBI, eviction, back-invalidation, dirty miss): the slots
 *    naming that entry are emptied;
 *  - when a fill may shadow an entry a slot names, or the L1 is reset,
 *    the L1 says -1 and the whole side is emptied;
 *  - every register write empties it (the VA checks, the ASID and the
 *    permissions may change), so neither the ASID nor the EL is part of the
 *    key: the slot keeps the six permission outcomes (access type x EL).
 * A hit is then one compare, one permission bit, one LRU stamp store and
 * one counter increment; the statistics a hit implies (requests, accesses,
 * latency, per-ASID accesses, L1 hits by size) are derived from the slot's
 * counters when the slot is emptied and when gr_mmu_stats() is called.
 */
#include "granule/mmu.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define FILTER_BITS 9
#define FILTER_SLOTS (1u << FILTER_BITS)

/* One cached L1 lookup result, with everything a hit returns. The first
 * 64-byte line holds all that gr_mmu_run_plain()'s hit loop reads and
 * writes; the second the rest of the response. */
typedef struct fslot {
    _Alignas(64) uint64_t vpage; /* VA >> 12, all 64 bits of the VA; ~0: empty */
    /* The replacement touch without a call: LRU stores the next clock
     * value in *touch (the entry's stamp); the other policies do
     * *touch = (*touch & t_and) | t_or (PLRU: the set's tree bits on the
     * path to the way; FIFO, RANDOM: a dummy word). */
    uint64_t *touch;
    uint64_t hits[3];  /* hits by access type not yet in the statistics */
    uint64_t t_and, t_or;
    uint8_t perm;      /* the entry's owner_perm (the filter is emptied
                          whenever the permission epoch changes) */
    bool lru;
    _Alignas(64) uint64_t oa_base;
    uint64_t off_mask; /* page size - 1 */
    /* The response's trailing bytes (page_shift .. desc_written) for a
     * data access [0] and a fetch [1], stored with one write. */
    uint64_t tail[2];
    uint8_t psize;
    int32_t idx;       /* L1 entry index; -1 when empty */
} fslot;

_Static_assert(offsetof(fslot, oa_base) == 64 && sizeof(fslot) == 128, "fslot layout");

/* gr_mmu_resp's eight one-byte fields from page_shift to desc_written. */
_Static_assert(offsetof(gr_mmu_resp, desc_written) - offsetof(gr_mmu_resp, page_shift) == 7,
               "gr_mmu_resp tail layout");

/* The fault field of a successful response, by access type. */
static const gr_fault ok_fault[3] = {
    {GR_FAULT_NONE, 0, false, false, 0},
    {GR_FAULT_NONE, 0, true, false, 0},
    {GR_FAULT_NONE, 0, false, true, 0},
};

struct gr_mmu {
    gr_config cfg;
    gr_pmem *mem;
    gr_regs regs;
    gr_s1ctx ctx;
    uint16_t asid;       /* tag of the current ASID */
    uint16_t asid_mask;  /* configured width */
    gr_tlb *l1[2];       /* [0] instruction, [1] data */
    gr_tlb *l2;
    gr_wc *wc[GR_CONFIG_MAX_WC];
    gr_tlb_view view[2];
    /* [side * FILTER_SLOTS + slot], in place: no pointer on the hit path */
    fslot filter[2 * FILTER_SLOTS];
    bool lru_both;       /* both L1s use LRU: gr_mmu_run_plain()'s one clock */
    uint16_t *refs[2];   /* [side][L1 index]: filter slots naming it */
    uint64_t *clock[2];  /* [side]: the L1's LRU clock */
    uint64_t touch_sink; /* FIFO and RANDOM ignore touches */
    struct gr_mmu_obs {  /* gr_tlb_observer context of each L1 */
        gr_mmu *m;
        unsigned side;
    } obs[2];
    uint32_t epoch;      /* bumped by register writes: cached permissions */
    uint64_t free_at;    /* first cycle a request can be accepted */
    uint64_t next_t;     /* GR_MMU_T_NEXT: the cycle after the last acceptance */
    uint64_t last_valid; /* latest response-valid cycle so far */
    gr_stats st;
    gr_xlat x;           /* last walk */
    gr_pac *pac;         /* the PAC unit, decoded from the registers */
    uint64_t pac_va;     /* the pointer the last authenticating request used */
    bool pac_ok;         /* the last register write decoded */
};

static inline fslot *slot_at(gr_mmu *m, unsigned side, uint32_t i)
{
    return &m->filter[side * FILTER_SLOTS + i];
}

static inline uint64_t max64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* A hit path response always has latency lat.l1_hit and the current ASID
 * (a register write empties the filter first): the counters a hit implies
 * are derived here from the slot's per-access-type hit counts. */
static void slot_fold(gr_mmu *m, unsigned side, fslot *s)
{
    uint64_t n = s->hits[0] + s->hits[1] + s->hits[2];
    if (!n)
        return;
    gr_stats_tlb *st = side ? &m->st.l1d : &m->st.l1i;
    for (int i = 0; i < 3; i++) {
        st->hits[i][s->psize] += s->hits[i];
        m->st.accesses[i] += s->hits[i];
        s->hits[i] = 0;
    }
    m->st.requests += n;
    m->st.latency_sum += n * m->cfg.lat.l1_hit;
    m->st.latency_hist[m->cfg.lat.l1_hit < GR_STATS_HIST - 1 ? m->cfg.lat.l1_hit
                                                             : GR_STATS_HIST - 1] += n;
    m->st.asid[m->asid].accesses += n;
}

static void slot_empty(gr_mmu *m, unsigned side, fslot *s)
{
    if (s->idx < 0)
        return;
    slot_fold(m, side, s);
    m->refs[side][s->idx]--;
    s->idx = -1;
    s->vpage = ~0ull;
}

static void filter_clear_side(gr_mmu *m, unsigned side)
{
    for (uint32_t i = 0; i < FILTER_SLOTS; i++)
        slot_empty(m, side, slot_at(m, side, i));
}

static void filter_clear(gr_mmu *m)
{
    filter_clear_side(m, 0);
    filter_clear_side(m, 1);
}

/* gr_tlb_observer of each L1: entry idx was invalidated (-1: any lookup
 * result may have changed). Most entries have no slot, so this is one
 * load on the miss path. */
static void l1_changed(void *ctx, int idx)
{
    struct gr_mmu_obs *o = ctx;
    gr_mmu *m = o->m;
    if (idx < 0) {
        filter_clear_side(m, o->side);
        return;
    }
    if (!m->refs[o->side][idx])
        return;
    fslot *f = slot_at(m, o->side, 0);
    for (uint32_t i = 0; i < FILTER_SLOTS; i++)
        if (f[i].idx == idx)
            slot_empty(m, o->side, &f[i]);
}

/* Brings every counter up to date (slot counters folded, slots kept). */
static void fold_all(gr_mmu *m)
{
    for (unsigned side = 0; side < 2; side++)
        for (uint32_t i = 0; i < FILTER_SLOTS; i++)
            slot_fold(m, side, slot_at(m, side, i));
}

static void load_regs(gr_mmu *m, const gr_regs *regs)
{
    /* Emptied first: the slots' hits are folded under the old ASID. */
    filter_clear(m);
    m->regs = *regs;
    gr_s1_decode(regs, &m->ctx);
    m->asid = m->ctx.asid & m->asid_mask;
    m->epoch++;
    gr_pac_status ps;
    if (!m->pac)
        m->pac = gr_pac_create(regs, &ps);
    else
        ps = gr_pac_update(m->pac, regs);
    m->pac_ok = m->pac && ps == GR_PAC_OK;
}

gr_mmu *gr_mmu_create(const gr_config *cfg, gr_pmem *mem)
{
    if (gr_config_validate(cfg, NULL, 0) != 0)
        return NULL;
    /* aligned_alloc: the filter's slots are 64-byte aligned */
    const size_t sz = (sizeof(gr_mmu) + 63) & ~(size_t)63;
    gr_mmu *m = aligned_alloc(_Alignof(gr_mmu), sz);
    if (!m)
        return NULL;
    memset(m, 0, sz);
    m->cfg = *cfg;
    m->mem = mem;
    m->asid_mask = cfg->asid_bits == 16 ? 0xFFFF : 0xFF;
    m->l1[0] = gr_tlb_create(&cfg->l1i);
    m->l1[1] = gr_tlb_create(&cfg->l1d);
    bool ok = m->l1[0] && m->l1[1];
    if (cfg->l2.present)
        ok = ok && (m->l2 = gr_tlb_create(&cfg->l2)) != NULL;
    for (int i = 0; i < GR_CONFIG_MAX_WC; i++)
        if (cfg->wc[i].present)
            ok = ok && (m->wc[i] = gr_wc_create(&cfg->wc[i])) != NULL;
    ok = ok && gr_stats_init(&m->st) == 0;
    for (int s = 0; ok && s < 2; s++) {
        ok = (m->refs[s] = calloc(gr_tlb_capacity(m->l1[s]), sizeof *m->refs[s])) != NULL;
        for (uint32_t i = 0; ok && i < FILTER_SLOTS; i++) {
            fslot *f = slot_at(m, (unsigned)s, i);
            memset(f, 0, sizeof *f);
            f->vpage = ~0ull;
            f->idx = -1;
        }
    }
    if (!ok) {
        gr_mmu_destroy(m);
        return NULL;
    }
    gr_tlb_view_get(m->l1[0], &m->view[0]);
    gr_tlb_view_get(m->l1[1], &m->view[1]);
    for (unsigned s = 0; s < 2; s++) {
        m->obs[s].m = m;
        m->obs[s].side = s;
        m->clock[s] = &m->view[s].repl->clock;
        gr_tlb_set_observer(m->l1[s], l1_changed, &m->obs[s]);
    }
    m->lru_both = m->view[0].repl->policy == GR_REPL_LRU && m->view[1].repl->policy == GR_REPL_LRU;
    snprintf(m->st.config, sizeof m->st.config, "%s", cfg->name);
    m->st.l1i.present = m->st.l1d.present = true;
    m->st.l2.present = cfg->l2.present;
    for (int i = 0; i < GR_CONFIG_MAX_WC; i++)
        m->st.wc.present |= cfg->wc[i].present;
    gr_regs r;
    gr_regs_reset(&r);
    load_regs(m, &r);
    return m;
}

void gr_mmu_destroy(gr_mmu *m)
{
    if (!m)
        return;
    gr_tlb_destroy(m->l1[0]);
    gr_tlb_destroy(m->l1[1]);
    gr_tlb_destroy(m->l2);
    for (int i = 0; i < GR_CONFIG_MAX_WC; i++)
        gr_wc_destroy(m->wc[i]);
    gr_pac_destroy(m->pac);
    free(m->refs[0]);
    free(m->refs[1]);
    gr_stats_free(&m->st);
    free(m);
}

uint64_t gr_mmu_set_regs(gr_mmu *m, const gr_regs *regs, uint64_t t)
{
    /* docs/uarch.md "Register writes": wait for every response, apply in
     * cycle D, accept requests from D + 1. */
    uint64_t d = max64(t, max64(m->free_at, m->last_valid));
    load_regs(m, regs);
    m->free_at = d + 1;
    m->st.reg_writes++;
    m->st.last_cycle = max64(m->st.last_cycle, d);
    return d;
}

uint64_t gr_mmu_tlbi(gr_mmu *m, const gr_tlbi *op, uint64_t t)
{
    uint64_t d = max64(t, max64(m->free_at, m->last_valid));
    uint64_t done = d + m->cfg.lat.tlbi;
    gr_tlbi o = *op;
    /* With 8-bit ASIDs (TCR_EL1.AS = 0) the upper operand bits are ignored. */
    o.asid &= m->asid_mask & ((m->regs.tcr >> 36) & 1 ? 0xFFFF : 0xFF);
    m->st.l1i.tlbi_invalidated += gr_tlb_invalidate(m->l1[0], &o);
    m->st.l1d.tlbi_invalidated += gr_tlb_invalidate(m->l1[1], &o);
    if (m->l2)
        m->st.l2.tlbi_invalidated += gr_tlb_invalidate(m->l2, &o);
    for (int i = 0; i < GR_CONFIG_MAX_WC; i++)
        if (m->wc[i])
            m->st.wc.tlbi_invalidated += gr_wc_invalidate(m->wc[i], &o);
    m->st.tlbi[op->op]++;
    m->free_at = done;
    m->st.last_cycle = max64(m->st.last_cycle, done);
    return done;
}

uint64_t gr_mmu_ready(const gr_mmu *m)
{
    return m->free_at;
}

gr_stats *gr_mmu_stats(gr_mmu *m)
{
    fold_all(m);
    m->st.last_cycle = max64(m->st.last_cycle, m->last_valid);
    return &m->st;
}

const gr_xlat *gr_mmu_last_walk(const gr_mmu *m)
{
    return &m->x;
}

const gr_s1ctx *gr_mmu_ctx(const gr_mmu *m)
{
    return &m->ctx;
}

gr_tlb *gr_mmu_tlb(gr_mmu *m, int which)
{
    return which == 0 ? m->l1[0] : which == 1 ? m->l1[1] : which == 2 ? m->l2 : NULL;
}

gr_wc *gr_mmu_wc(gr_mmu *m, int which)
{
    return which >= 0 && which < GR_CONFIG_MAX_WC ? m->wc[which] : NULL;
}

uint64_t gr_mmu_last_pac_va(const gr_mmu *m)
{
    return m->pac_va;
}

uint16_t gr_mmu_asid(const gr_mmu *m)
{
    return m->asid;
}

/* ---- permissions and attributes of a TLB entry ---- */

/* The memory attributes a translation returns (as gr_s1_translate): MAIR
 * byte, with SCTLR_EL1.C = 0 making data accesses to Normal memory
 * Non-cacheable and SCTLR_EL1.I = 0 doing the same for fetches. */
static uint8_t attr_of(const gr_s1ctx *c, uint8_t idx, bool exec)
{
    uint8_t a = (uint8_t)(c->mair >> (8 * idx));
    if (!c->c && !exec && (a & 0xf0) != 0)
        a = 0x44;
    else if (!c->i && exec)
        a = 0x44;
    return a;
}

/* A write to a writable-clean page (DBM = 1, AP[2] = 1 in the descriptor,
 * TCR_EL1.HD set) must reach the walker so the descriptor is marked dirty
 * in memory (AArch64.S1Translate's dirty-state update). */
static bool needs_dirty(const gr_s1ctx *c, const gr_tte *t)
{
    return c->half[t->half].hd && t->dbm && ((t->desc >> 7) & 1);
}

static inline unsigned perm_bit(gr_acc acc, unsigned el)
{
    return (unsigned)acc * 2u + (el ? 1u : 0u);
}

/* gr_s1_check() depends on the context, the entry and (acc, el) only, so
 * its six outcomes are computed once per entry and register epoch. Bit
 * perm_bit(acc, el) set: the access passes and needs no walker. */
static void entry_prep(gr_mmu *m, gr_tlb_entry *e)
{
    uint8_t perm = 0;
    for (unsigned acc = 0; acc < 3; acc++) {
        for (unsigned el = 0; el < 2; el++) {
            gr_req r = {e->tte.va_base, (gr_acc)acc, (uint8_t)el};
            gr_fault f = gr_s1_check(&m->ctx, &e->tte, &r);
            bool ok = f.type == GR_FAULT_NONE;
            if (acc == GR_ACC_WRITE && needs_dirty(&m->ctx, &e->tte))
                ok = false;
            if (ok)
                perm |= (uint8_t)(1u << perm_bit((gr_acc)acc, el));
        }
    }
    e->owner_perm = perm;
    e->owner_attr[0] = attr_of(&m->ctx, e->tte.attr_index, false);
    e->owner_attr[1] = attr_of(&m->ctx, e->tte.attr_index, true);
    e->owner_epoch = m->epoch;
}

/* ---- statistics helpers ---- */

static inline void hist_add(uint64_t *h, uint64_t v)
{
    h[v < GR_STATS_HIST - 1 ? v : GR_STATS_HIST - 1]++;
}

static void count_fault(gr_mmu *m, const gr_fault *f, bool retry)
{
    if (f->type == GR_FAULT_NONE)
        return;
    int l = f->level < 0 ? 0 : f->level > 3 ? 3 : f->level;
    m->st.faults[f->type][l]++;
    if (!retry)
        m->st.asid[m->asid].faults++;
}

/* ---- the hit path ---- */

/* Kept out of line so the hit path stays a small leaf function. */
static void slow(gr_mmu *m, const gr_mmu_req *rq, uint64_t t, uint64_t a, gr_mmu_resp *out)
    __attribute__((noinline));

/* Fibonacci hashing of the page's low 32 bits: neighbouring pages spread
 * over the slots, and it costs a multiply and a shift on the hit path. */
static inline uint32_t slot_of(uint64_t vp)
{
    return ((uint32_t)vp * 0x9E3779B1u) >> (32 - FILTER_BITS);
}

/* The hit path, shared by both entry points: *free_at and *last are the
 * MMU's free_at and last_valid and clk[side] the L1s' LRU clocks, held in
 * the caller's locals (registers in gr_mmu_translate_n()'s loop, so no
 * store-to-load chain through memory links consecutive hits). Everything
 * is read before the first store (the stores through out and the touch
 * pointer could alias anything), so the compiler needs no reloads. out
 * NULL: no response is stored.
 * @return false if rq needs slow(); then nothing has been written. */
static inline bool hit(gr_mmu *m, const gr_mmu_req *rq, uint64_t a, gr_mmu_resp *out,
                       uint64_t *free_at, uint64_t *last, uint64_t clk[2])
{
    const uint64_t va = rq->r.va;
    const unsigned acc = rq->r.acc, el = rq->r.el;
    if (__builtin_expect(rq->pac | rq->retry, 0))
        return false;
    const unsigned side = acc != GR_ACC_EXEC;
    const uint64_t vp = va >> 12;
    fslot *s = slot_at(m, side, slot_of(vp));
    if (s->vpage != vp || !((s->perm >> perm_bit((gr_acc)acc, el)) & 1))
        return false;
    uint64_t *touch = s->touch;
    const uint64_t pa = s->oa_base | (va & s->off_mask);
    const uint64_t tail = s->tail[!side];
    const uint64_t v = a + m->cfg.lat.l1_hit;
    if (__builtin_expect(s->lru, 1)) {
        /* Selects rather than indexes, so the clocks stay in registers. */
        const uint64_t c0 = clk[0], c1 = clk[1];
        const uint64_t c = (side ? c1 : c0) + 1;
        clk[0] = side ? c0 : c;
        clk[1] = side ? c : c1;
        *touch = c;
    } else {
        const uint64_t t_and = s->t_and, t_or = s->t_or;
        *touch = (*touch & t_and) | t_or;
    }
    s->hits[acc]++;
    if (out) {
        out->t_accept = a;
        out->t_valid = v;
        out->pa = pa;
        out->fault = ok_fault[acc];
        memcpy(&out->page_shift, &tail, 8);
    }
    *free_at = a + 1;
    if (v > *last)
        *last = v;
    return true;
}

/* The cycle rq is presented (GR_MMU_T_NEXT: the cycle after the previous
 * request was accepted). */
static inline uint64_t present(const gr_mmu_req *rq, uint64_t next)
{
    return rq->t == GR_MMU_T_NEXT ? next : rq->t;
}

void gr_mmu_translate(gr_mmu *m, const gr_mmu_req *rq, gr_mmu_resp *out)
{
    const uint64_t t = present(rq, m->next_t), free_at = m->free_at;
    const uint64_t a = t > free_at ? t : free_at;
    m->next_t = a + 1;
    uint64_t clk[2] = {*m->clock[0], *m->clock[1]};
    if (__builtin_expect(hit(m, rq, a, out, &m->free_at, &m->last_valid, clk), 1)) {
        *m->clock[0] = clk[0];
        *m->clock[1] = clk[1];
        if (__builtin_expect(a != t, 0))
            m->st.stall_cycles += a - t;
        return;
    }
    slow(m, rq, t, a, out);
}

/* The batch loops hold the MMU's timing state (free_at, last_valid, the
 * L1s' LRU clocks) in locals across hits; it goes back to *m around every
 * slow() call and when the batch ends. */
static inline void slow_in_batch(gr_mmu *m, const gr_mmu_req *rq, uint64_t t, uint64_t a,
                                 gr_mmu_resp *o, uint64_t *free_at, uint64_t *last,
                                 uint64_t clk[2])
{
    m->free_at = *free_at;
    m->last_valid = *last;
    *m->clock[0] = clk[0];
    *m->clock[1] = clk[1];
    slow(m, rq, t, a, o);
    *free_at = m->free_at;
    *last = m->last_valid;
    clk[0] = *m->clock[0];
    clk[1] = *m->clock[1];
}

static inline void batch_end(gr_mmu *m, uint64_t free_at, uint64_t last, const uint64_t clk[2],
                             uint64_t next, uint64_t stall)
{
    m->free_at = free_at;
    m->last_valid = last;
    *m->clock[0] = clk[0];
    *m->clock[1] = clk[1];
    m->next_t = next;
    m->st.stall_cycles += stall;
}

/* gr_mmu_translate_n() (keep: every response into out[i]) and gr_mmu_run()
 * (only a faulting response, into *out). keep is a constant in each
 * caller, so the hit loop of gr_mmu_run() stores no response at all. */
static inline size_t translate_n(gr_mmu *m, const gr_mmu_req *rq, size_t n, gr_mmu_resp *out,
                                 bool keep)
{
    uint64_t free_at = m->free_at, last = m->last_valid, next = m->next_t, stall = 0;
    uint64_t clk[2] = {*m->clock[0], *m->clock[1]};
    gr_mmu_resp scratch;
    size_t i = 0;
    while (i < n) {
        gr_mmu_resp *o = keep ? &out[i] : &scratch;
        const uint64_t t = present(&rq[i], next);
        const uint64_t a = t > free_at ? t : free_at;
        next = a + 1;
        if (__builtin_expect(hit(m, &rq[i], a, keep ? o : NULL, &free_at, &last, clk), 1)) {
            stall += a - t;
            i++;
            continue;
        }
        slow_in_batch(m, &rq[i], t, a, o, &free_at, &last, clk);
        i++;
        if (o->fault.type != GR_FAULT_NONE) {
            if (!keep)
                *out = *o;
            break;
        }
    }
    batch_end(m, free_at, last, clk, next, stall);
    return i;
}

size_t gr_mmu_translate_n(gr_mmu *m, const gr_mmu_req *rq, size_t n, gr_mmu_resp *out)
{
    return translate_n(m, rq, n, out, true);
}

size_t gr_mmu_run(gr_mmu *m, const gr_mmu_req *rq, size_t n, gr_mmu_resp *fault)
{
    return translate_n(m, rq, n, fault, false);
}

/* The filter slot of each access kind's side: fetches the L1 I's (side 0),
 * reads and writes the L1 D's. */
static const uint32_t side_base[3] = {FILTER_SLOTS, FILTER_SLOTS, 0};

/* gr_mmu_run_plain()'s hit loop: from va[i], while requests hit a filter
 * slot that permits them (pm[k]: the slot's permission bit for access
 * kind k at the run's EL); returns the first request that does not, or n.
 * clk[] are the L1s' LRU clocks. one_clock (a constant at each call, so
 * the compiler makes two loops) when both L1s use LRU: then one clock
 * serves both, since an L1's stamps only need to grow with time
 * (gr_repl_victim() compares them within a set) and a clock shared with
 * the other L1 still grows; both clocks leave with its value. */
static inline __attribute__((always_inline)) size_t
hits(gr_mmu *m, const uint64_t *va, const uint8_t *acc, size_t i, size_t n, const uint8_t pm[3],
     uint64_t clk[2], bool one_clock)
{
    fslot *const f = m->filter;
    uint64_t c = max64(clk[0], clk[1]);
    for (; i < n; i++) {
        const uint64_t vp = va[i] >> 12;
        const unsigned k = acc[i];
        fslot *s = f + (side_base[k] + slot_of(vp));
        if (s->vpage != vp || !(s->perm & pm[k]))
            break;
        uint64_t *const touch = s->touch;
        s->hits[k]++;
        if (one_clock)
            *touch = ++c;
        else if (s->lru)
            *touch = ++clk[k != GR_ACC_EXEC];
        else
            *touch = (*touch & s->t_and) | s->t_or;
    }
    if (one_clock)
        clk[0] = clk[1] = c;
    return i;
}

/* translate_n() specialised for back-to-back requests without PAC or
 * retry. In a streak of hits request i + 1 is accepted the cycle after
 * request i (free_at and next both become a + 1), so only the streak's
 * first request can stall and the latest valid cycle is the last hit's:
 * the loop keeps one cycle counter and settles the timing state once per
 * streak. Misses go through slow() exactly as in translate_n(). */
size_t gr_mmu_run_plain(gr_mmu *m, const uint64_t *va, const uint8_t *acc, size_t n,
                        unsigned el, gr_mmu_resp *fault)
{
    uint64_t free_at = m->free_at, last = m->last_valid, next = m->next_t, stall = 0;
    uint64_t clk[2] = {*m->clock[0], *m->clock[1]};
    const uint64_t lat = m->cfg.lat.l1_hit;
    const bool lru = m->lru_both;
    uint8_t pm[3];
    for (unsigned k = 0; k < 3; k++)
        pm[k] = (uint8_t)(1u << perm_bit((gr_acc)k, el));
    size_t i = 0;
    while (i < n) {
        const size_t i0 = i;
        i = lru ? hits(m, va, acc, i, n, pm, clk, true) : hits(m, va, acc, i, n, pm, clk, false);
        if (i != i0) {
            const uint64_t a0 = next > free_at ? next : free_at;
            const uint64_t a = a0 + (i - i0); /* the cycle after the last hit's */
            stall += a0 - next;
            if (a - 1 + lat > last)
                last = a - 1 + lat;
            free_at = next = a;
        }
        if (i == n)
            break;
        const gr_mmu_req rq = {.r = {va[i], (gr_acc)acc[i], (uint8_t)el}, .t = next};
        const uint64_t am = next > free_at ? next : free_at;
        next = am + 1;
        gr_mmu_resp o;
        slow_in_batch(m, &rq, rq.t, am, &o, &free_at, &last, clk);
        i++;
        if (o.fault.type != GR_FAULT_NONE) {
            *fault = o;
            break;
        }
    }
    batch_end(m, free_at, last, clk, next, stall);
    return i;
}

/* ---- the rest: L1 lookup, L2, walk caches, walker ---- */

static void filter_install(gr_mmu *m, unsigned side, const gr_req *r, int idx)
{
    uint64_t vp = r->va >> 12;
    fslot *s = slot_at(m, side, slot_of(vp));
    const gr_tlb_view *v = &m->view[side];
    const gr_tlb_entry *e = &v->entries[idx];
    slot_empty(m, side, s);
    s->oa_base = e->tte.oa_base;
    s->off_mask = (1ull << e->tte.page_shift) - 1;
    s->perm = e->owner_perm;
    s->psize = e->psize;
    for (int x = 0; x < 2; x++) {
        gr_mmu_resp t;
        memset(&t, 0, sizeof t);
        t.page_shift = e->tte.page_shift;
        t.level = e->tte.level;
        t.mair_attr = e->owner_attr[x];
        t.sh = e->tte.sh;
        t.path = GR_MMU_PATH_L1;
        memcpy(&s->tail[x], &t.page_shift, 8);
    }
    s->vpage = vp;
    s->idx = idx;
    m->refs[side][idx]++;
    gr_repl_state *rp = v->repl;
    s->lru = rp->policy == GR_REPL_LRU;
    s->t_and = ~0ull;
    s->t_or = 0;
    if (s->lru) {
        s->touch = &rp->stamp[idx];
    } else if (rp->policy == GR_REPL_PLRU) {
        /* The bits gr_repl_touch_slow() writes for this way (docs/uarch.md
         * "PLRU"): found by touching a copy from all-zeros and all-ones. */
        uint32_t set = (uint32_t)idx / v->ways, way = (uint32_t)idx % v->ways;
        uint64_t keep = rp->tree[set];
        rp->tree[set] = 0;
        gr_repl_touch_slow(rp, set, way);
        s->t_or = rp->tree[set];
        rp->tree[set] = ~0ull;
        gr_repl_touch_slow(rp, set, way);
        s->t_and = rp->tree[set];
        rp->tree[set] = keep;
        s->touch = &rp->tree[set];
    } else {
        s->touch = &m->touch_sink;
    }
}

/* The number of entries a contiguous range groups, as log2 (Arm ARM
 * D8.6.1, "The Contiguous bit"): 16 for 4K; 128 at level 3 and 32 at
 * level 2 for 16K; 32 for 64K. */
static unsigned contig_log2(unsigned granule_bits, unsigned level)
{
    switch (granule_bits) {
    case 12:
        return 4;
    case 14:
        return level == 3 ? 7 : 5;
    default:
        return 5;
    }
}

/* Evict bookkeeping for a TLB fill, with inclusive back-invalidation. */
static void tlb_fill(gr_mmu *m, gr_tlb *t, gr_stats_tlb *st, const gr_tlb_entry *e, gr_acc acc,
                     bool is_l2)
{
    gr_tlb_entry ev;
    bool did;
    gr_tlb_fill(t, e, &ev, &did);
    st->fills[e->psize]++;
    if (!did)
        return;
    st->evictions[acc][ev.psize]++;
    if (is_l2 && m->cfg.l2_incl == GR_INCL_INCLUSIVE) {
        unsigned sh = gr_config_psize_shift((gr_psize)ev.psize);
        m->st.l1i.back_invalidated +=
            gr_tlb_invalidate_within(m->l1[0], ev.vkey, sh, ev.global, ev.asid);
        m->st.l1d.back_invalidated +=
            gr_tlb_invalidate_within(m->l1[1], ev.vkey, sh, ev.global, ev.asid);
    }
}

static void respond_entry(gr_mmu *m, const gr_req *r, const gr_tlb_entry *e, gr_mmu_resp *out)
{
    out->pa = e->tte.oa_base | (r->va & ((1ull << e->tte.page_shift) - 1));
    out->page_shift = e->tte.page_shift;
    out->level = e->tte.level;
    out->mair_attr = e->owner_attr[r->acc == GR_ACC_EXEC];
    out->sh = e->tte.sh;
    (void)m;
}

static void slow(gr_mmu *m, const gr_mmu_req *rq, uint64_t t, uint64_t a, gr_mmu_resp *out)
{
    gr_req rr = rq->r; /* the VA becomes the authenticated pointer */
    const gr_req *r = &rr;
    const gr_config *c = &m->cfg;
    const bool retry = rq->retry;
    const unsigned side = r->acc != GR_ACC_EXEC;
    gr_tlb *l1 = m->l1[side];
    gr_stats_tlb *s1 = side ? &m->st.l1d : &m->st.l1i;
    gr_stats_asid *as = &m->st.asid[m->asid];
    /* The PAC stage precedes the lookup and blocks the port. */
    const uint64_t l = a + (rq->pac ? c->lat.pac : 0);

    memset(out, 0, sizeof *out);
    out->t_accept = a;
    out->fault.write = r->acc == GR_ACC_WRITE;
    out->fault.ifetch = r->acc == GR_ACC_EXEC;
    m->st.requests++;
    m->st.pac_requests += rq->pac;
    if (retry) {
        m->st.retries++;
    } else {
        m->st.accesses[r->acc]++;
        as->accesses++;
        m->st.stall_cycles += a - t;
    }

    uint64_t tv; /* response-valid cycle */
    gr_fault f;
    int half = 0;

    if (rq->pac && m->pac_ok) {
        /* PAC stage, cycles [a, l): the authentication step of a combined
         * instruction (AuthXX -> AArch64.Auth with is_combined). Its
         * result is known in cycle l. With FEAT_FPACCOMBINE a failure is
         * the PAC-fail exception: answered from the lookup stage without
         * any lookup, like a level-0 fault. Otherwise the result (on a
         * failure, with the error code or the XOR in its PAC field) is
         * what is translated. A machine without address authentication
         * (E_UNDEFINED) leaves the pointer as it is. */
        gr_pac_req pr = {rr.va, rq->modifier, rq->key, rr.el, true};
        gr_pac_res res;
        if (gr_pac_auth(m->pac, &pr, &res) == GR_PAC_OK) {
            if (res.fault.type == GR_FAULT_PAC_FAIL) {
                out->fault = res.fault;
                out->path = GR_MMU_PATH_EARLY;
                count_fault(m, &out->fault, retry);
                tv = l + c->lat.l1_hit;
                m->free_at = l + 1;
                goto done;
            }
            rr.va = res.value;
        }
        m->pac_va = rr.va;
    }

    if (!m->ctx.m) {
        /* Stage 1 off: flat mapping, no TLB, answered in the L1 stage. */
        gr_xlat x;
        gr_s1_translate(&m->ctx, m->mem, r, &x);
        out->fault = x.fault;
        out->pa = x.pa;
        out->mair_attr = x.mair_attr;
        out->path = GR_MMU_PATH_EARLY;
        m->st.mmu_off++;
        count_fault(m, &out->fault, retry);
        tv = l + c->lat.l1_hit;
        m->free_at = l + 1;
        goto done;
    }
    half = gr_s1_select(&m->ctx, r, &f);
    if (f.type != GR_FAULT_NONE) {
        /* TxSZ, VA range and EPD faults are found beside the L1 lookup. */
        out->fault = f;
        out->path = GR_MMU_PATH_EARLY;
        count_fault(m, &f, retry);
        tv = l + c->lat.l1_hit;
        m->free_at = l + 1;
        goto done;
    }

    /* L1 lookup, cycles [l, l + l1_hit). */
    const uint16_t asid = m->asid;
    int i1 = gr_tlb_lookup(l1, r->va, asid, NULL);
    if (i1 >= 0) {
        gr_tlb_entry *e = gr_tlb_entry_mut(l1, i1);
        if (e->owner_epoch != m->epoch)
            entry_prep(m, e);
        if ((e->owner_perm >> perm_bit(r->acc, r->el)) & 1) {
            gr_tlb_touch(l1, i1);
            if (!retry) {
                filter_install(m, side, r, i1);
                s1->hits[r->acc][e->psize]++;
            }
            respond_entry(m, r, e, out);
            out->path = GR_MMU_PATH_L1;
            tv = l + c->lat.l1_hit;
            m->free_at = l + 1;
            goto done;
        }
        f = gr_s1_check(&m->ctx, &e->tte, r);
        if (f.type != GR_FAULT_NONE) {
            /* A permission fault from the cached entry: no walk. */
            gr_tlb_touch(l1, i1);
            if (!retry)
                s1->hits[r->acc][e->psize]++;
            s1->perm_faults++;
            out->fault = f;
            out->page_shift = e->tte.page_shift;
            out->level = e->tte.level;
            out->path = GR_MMU_PATH_L1;
            count_fault(m, &f, retry);
            tv = l + c->lat.l1_hit;
            m->free_at = l + 1;
            goto done;
        }
        /* Write to a writable-clean entry: drop it and go to the walker. */
        s1->dirty_misses++;
        gr_tlb_invalidate_at(l1, i1);
    }
    if (!retry)
        as->l1_misses++;

    /* L2 lookup, cycles [t2, t2 + l2_hit + extra probes). */
    const uint64_t t2 = l + c->lat.l1_hit;
    const int nwc = (m->wc[0] != NULL) + (m->wc[1] != NULL) + (m->wc[2] != NULL) +
                    (m->wc[3] != NULL);
    uint64_t tw; /* cycle the walker issues its first read */
    int miss_ps1 = GR_STATS_NONE, miss_ps2 = GR_STATS_NONE;
    gr_tlb_entry ne1, ne2;
    if (m->l2) {
        unsigned probe;
        int i2 = gr_tlb_lookup(m->l2, r->va, asid, &probe);
        uint64_t l2lat = c->lat.l2_hit + (c->l2.seq_probe ? probe : 0);
        if (i2 >= 0) {
            gr_tlb_entry *e = gr_tlb_entry_mut(m->l2, i2);
            if (e->owner_epoch != m->epoch)
                entry_prep(m, e);
            bool pass = (e->owner_perm >> perm_bit(r->acc, r->el)) & 1;
            f = pass ? (gr_fault){0} : gr_s1_check(&m->ctx, &e->tte, r);
            if (pass || f.type != GR_FAULT_NONE) {
                /* L2 hit: fill the L1 (also when the access then takes a
                 * permission fault: the translation itself is valid). */
                gr_tlb_touch(m->l2, i2);
                if (!retry)
                    m->st.l2.hits[r->acc][e->psize]++;
                gr_tlb_entry hit = *e;
                if (gr_tlb_make_entry(gr_tlb_sizes(l1), &hit.tte, r->va, asid, &ne1)) {
                    tlb_fill(m, l1, s1, &ne1, r->acc, false);
                    miss_ps1 = ne1.psize;
                }
                if (!retry)
                    s1->misses[r->acc][miss_ps1]++;
                if (pass) {
                    respond_entry(m, r, &hit, out);
                } else {
                    m->st.l2.perm_faults++;
                    out->fault = f;
                    out->page_shift = hit.tte.page_shift;
                    out->level = hit.tte.level;
                    count_fault(m, &f, retry);
                }
                out->path = GR_MMU_PATH_L2;
                tv = t2 + l2lat;
                m->free_at = tv;
                goto done;
            }
            m->st.l2.dirty_misses++;
            gr_tlb_invalidate_at(m->l2, i2);
        }
        if (!retry)
            as->l2_misses++;
        if (c->wc_lookup == GR_WCL_PARALLEL)
            tw = t2 + max64(l2lat, nwc ? c->lat.wc : 0);
        else
            tw = t2 + l2lat + (nwc ? c->lat.wc : 0);
    } else {
        tw = t2 + (nwc ? c->lat.wc : 0);
    }

    /* Walk caches: all looked up at once, the deepest hit wins (a level is
     * held by one cache at most, so there are no ties). */
    const gr_s1half *h = &m->ctx.half[half];
    gr_walk_start start;
    const gr_walk_start *sp = NULL;
    if (nwc) {
        int best_c = -1, best_i = -1, best_l = -1;
        for (int i = 0; i < GR_CONFIG_MAX_WC; i++) {
            if (!m->wc[i])
                continue;
            int k = gr_wc_lookup(m->wc[i], h, r->va, asid);
            if (k >= 0 && gr_wc_entry_at(m->wc[i], k)->level > best_l) {
                best_c = i;
                best_i = k;
                best_l = gr_wc_entry_at(m->wc[i], k)->level;
            }
        }
        m->st.wc.lookups++;
        if (best_c >= 0) {
            gr_wc_touch(m->wc[best_c], best_i);
            m->st.wc.hits[best_l]++;
            start = gr_wc_entry_at(m->wc[best_c], best_i)->next;
            sp = &start;
        }
    }

    /* The walk. */
    gr_xlat *x = &m->x;
    x->req = *r;
    x->asid = m->ctx.asid;
    x->nreads = 0;
    x->have_tte = false;
    x->desc_written = false;
    x->new_desc = 0;
    x->pa = 0;
    x->mair_attr = 0;
    gr_ptw_walk(&m->ctx, m->mem, half, sp, x);
    unsigned nreads = x->nreads;
    for (unsigned i = 0; i < x->nreads; i++)
        m->st.reads[x->reads[i].level & 3]++;
    if (x->fault.type == GR_FAULT_SYNC_EXTERNAL_ON_WALK) {
        /* The aborted read was issued and answered (with an error). */
        nreads++;
        m->st.reads[x->fault.level & 3]++;
    }
    m->st.walks++;
    m->st.walk_start[(sp ? sp->level : h->start_level) & 3]++;
    if (!retry)
        as->walks++;

    /* Walk-cache fills: every table descriptor the walker followed. */
    if (nwc) {
        gr_wc_entry we[3];
        int n = gr_wc_from_walk(&m->ctx, half, sp, x, asid, we);
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < GR_CONFIG_MAX_WC; i++) {
                if (m->wc[i] && gr_wc_holds(m->wc[i], we[j].level)) {
                    bool ev;
                    gr_wc_fill(m->wc[i], &we[j], &ev);
                    m->st.wc.fills[we[j].level]++;
                    m->st.wc.evictions += ev;
                }
            }
        }
    }

    bool wrote = false;
    if (x->fault.type == GR_FAULT_NONE) {
        x->fault = gr_s1_check(&m->ctx, &x->tte, r);
        if (x->fault.type == GR_FAULT_NONE) {
            bool af_before = x->tte.af;
            uint64_t d_before = x->tte.desc;
            bool ok = gr_ptw_update(&m->ctx, m->mem, x);
            wrote = x->desc_written || !ok;
            if (x->desc_written) {
                m->st.af_updates += !af_before;
                m->st.dirty_updates += ((d_before >> 7) & 1) && !((x->new_desc >> 7) & 1);
            }
            if (ok) {
                x->pa = x->tte.oa_base | (r->va & ((1ull << x->tte.page_shift) - 1));
                x->mair_attr = attr_of(&m->ctx, x->tte.attr_index, r->acc == GR_ACC_EXEC);
            }
        }
    }
    uint64_t wcycles = (uint64_t)nreads * c->mem.read + (wrote ? c->mem.write : 0);
    m->st.walk_cycles += wcycles;
    hist_add(m->st.walk_hist, wcycles);
    /* Response registered one cycle after the last memory response. */
    tv = tw + wcycles + 1;
    m->free_at = tv;

    out->fault = x->fault;
    out->path = GR_MMU_PATH_WALK;
    out->walk_level = sp ? sp->level : h->start_level;
    out->nreads = (uint8_t)nreads;
    out->desc_written = x->desc_written;
    if (x->have_tte) {
        out->page_shift = x->tte.page_shift;
        out->level = x->tte.level;
    }
    count_fault(m, &x->fault, retry);
    if (x->fault.type == GR_FAULT_NONE) {
        out->pa = x->pa;
        out->mair_attr = x->mair_attr;
        out->sh = x->tte.sh;
    }

    /* TLB fills: a translation found by the walk (also when the access
     * then failed its permission check), never one with AF = 0 (it
     * faulted, or hardware did not set AF because the access faulted). */
    if (x->have_tte && x->tte.af &&
        (x->fault.type == GR_FAULT_NONE || x->fault.type == GR_FAULT_PERMISSION)) {
        gr_tte t = x->tte;
        if (c->contig && t.contiguous) {
            unsigned sh = t.page_shift + contig_log2(h->granule_bits, t.level);
            /* Coalesced entry: the range's first VA and OA (a CONSTRAINED
             * UNPREDICTABLE misprogrammed range resolves to the aligned OA). */
            t.va_base &= ~((1ull << sh) - 1);
            t.oa_base &= ~((1ull << sh) - 1);
            t.page_shift = (uint8_t)sh;
        }
        if (m->l2 && gr_tlb_make_entry(gr_tlb_sizes(m->l2), &t, r->va, asid, &ne2)) {
            tlb_fill(m, m->l2, &m->st.l2, &ne2, r->acc, true);
            miss_ps2 = ne2.psize;
        }
        if (gr_tlb_make_entry(gr_tlb_sizes(l1), &t, r->va, asid, &ne1)) {
            tlb_fill(m, l1, s1, &ne1, r->acc, false);
            miss_ps1 = ne1.psize;
        }
    }
    if (!retry) {
        s1->misses[r->acc][miss_ps1]++;
        if (m->l2)
            m->st.l2.misses[r->acc][miss_ps2]++;
    }

done:
    out->t_valid = tv;
    if (!retry) {
        m->st.latency_sum += tv - a;
        hist_add(m->st.latency_hist, tv - a);
    }
    m->last_valid = max64(m->last_valid, tv);
    m->st.last_cycle = max64(m->st.last_cycle, tv);
}
