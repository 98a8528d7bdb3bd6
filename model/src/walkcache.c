/* Walk cache: table descriptors, tagged by VA region, level, granule and
 * ASID; the contract is docs/uarch.md "Walk cache". */
#include "granule/walkcache.h"

#include <stdlib.h>
#include <string.h>

#include "granule/repl.h"

struct gr_wc {
    gr_tlb_cfg cfg;
    uint32_t sets, ways, set_mask, n;
    uint64_t *tagw;  /* vkey | level << 1 | 1; 0 = invalid */
    gr_wc_entry *e;
    gr_repl_state repl;
    uint32_t valid;
};

gr_wc *gr_wc_create(const gr_tlb_cfg *cfg)
{
    gr_wc *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->cfg = *cfg;
    w->sets = cfg->sets;
    w->ways = cfg->ways;
    w->set_mask = cfg->sets - 1;
    w->n = cfg->sets * cfg->ways;
    w->tagw = calloc(w->n, sizeof *w->tagw);
    w->e = calloc(w->n, sizeof *w->e);
    if (!w->tagw || !w->e ||
        gr_repl_init(&w->repl, cfg->repl, cfg->sets, cfg->ways, cfg->seed) != 0) {
        gr_wc_destroy(w);
        return NULL;
    }
    return w;
}

void gr_wc_destroy(gr_wc *w)
{
    if (!w)
        return;
    gr_repl_free(&w->repl);
    free(w->tagw);
    free(w->e);
    free(w);
}

void gr_wc_reset(gr_wc *w)
{
    memset(w->tagw, 0, w->n * sizeof *w->tagw);
    w->valid = 0;
    gr_repl_reset(&w->repl);
}

static unsigned region_shift(const gr_s1half *h, int level)
{
    return h->granule_bits + h->stride * (unsigned)(3 - level);
}

uint32_t gr_wc_set_of(const gr_wc *w, const gr_s1half *h, uint64_t va, int level)
{
    return (uint32_t)(((va & GR_TLB_VA_MASK) >> region_shift(h, level)) & w->set_mask);
}

int gr_wc_lookup(const gr_wc *w, const gr_s1half *h, uint64_t va, uint16_t asid)
{
    va &= GR_TLB_VA_MASK;
    for (int l = 2; l >= h->start_level; l--) {
        if (!(w->cfg.levels & (1u << l)))
            continue;
        unsigned r = region_shift(h, l);
        uint64_t key = va & ~((1ull << r) - 1);
        uint64_t want = key | (uint64_t)l << 1 | 1u;
        uint32_t base = (uint32_t)((key >> r) & w->set_mask) * w->ways;
        for (uint32_t i = 0; i < w->ways; i++) {
            uint32_t k = base + i;
            if (w->tagw[k] == want && w->e[k].asid == asid &&
                w->e[k].granule_bits == h->granule_bits)
                return (int)k;
        }
    }
    return -1;
}

void gr_wc_touch(gr_wc *w, int idx)
{
    gr_repl_touch(&w->repl, (uint32_t)idx / w->ways, (uint32_t)idx % w->ways);
}

const gr_repl_state *gr_wc_repl(const gr_wc *w)
{
    return &w->repl;
}

const gr_wc_entry *gr_wc_entry_at(const gr_wc *w, int idx)
{
    if (idx < 0 || (uint32_t)idx >= w->n || !w->tagw[idx])
        return NULL;
    return &w->e[idx];
}

bool gr_wc_holds(const gr_wc *w, int level)
{
    return level >= 0 && level <= 2 && (w->cfg.levels & (1u << level));
}

int gr_wc_fill(gr_wc *w, const gr_wc_entry *e, bool *evicted)
{
    uint32_t set = (uint32_t)((e->vkey >> e->region_shift) & w->set_mask);
    uint32_t base = set * w->ways, way = w->ways;
    for (uint32_t i = 0; i < w->ways; i++) {
        if (!w->tagw[base + i]) {
            way = i;
            break;
        }
    }
    bool ev = way == w->ways;
    if (ev) {
        way = gr_repl_victim(&w->repl, set);
        w->valid--;
    }
    if (evicted)
        *evicted = ev;
    uint32_t k = base + way;
    w->e[k] = *e;
    w->tagw[k] = e->vkey | (uint64_t)e->level << 1 | 1u;
    w->valid++;
    gr_repl_touch(&w->repl, set, way);
    return (int)k;
}

unsigned gr_wc_invalidate(gr_wc *w, const gr_tlbi *op)
{
    if (gr_tlbi_last_level(op->op))
        return 0;
    bool by_va = gr_tlbi_by_va(op->op), by_asid = gr_tlbi_by_asid(op->op);
    uint64_t va = op->va & GR_TLB_VA_MASK;
    unsigned n = 0;
    for (uint32_t k = 0; k < w->n; k++) {
        if (!w->tagw[k])
            continue;
        const gr_wc_entry *e = &w->e[k];
        if (by_va) {
            /* By-VA forms drop the region's entries for every ASID: a
             * conservative reading that is always allowed (table entries
             * of a global mapping may be cached under any ASID). */
            if ((va & ~((1ull << e->region_shift) - 1)) != e->vkey)
                continue;
        } else if (by_asid && e->asid != op->asid) {
            continue;
        }
        w->tagw[k] = 0;
        w->valid--;
        n++;
    }
    return n;
}

unsigned gr_wc_valid_count(const gr_wc *w)
{
    return w->valid;
}

int gr_wc_from_walk(const gr_s1ctx *ctx, int half, const gr_walk_start *start,
                    const gr_xlat *x, uint16_t asid, gr_wc_entry out[3])
{
    const gr_s1half *h = &ctx->half[half];
    uint8_t ap_table = start ? start->ap_table : 0;
    bool uxn = start ? start->uxn_table : false, pxn = start ? start->pxn_table : false;
    int n = 0;
    for (int i = 0; i < x->nreads; i++) {
        const gr_ptw_read *r = &x->reads[i];
        if ((r->val & 3) != 3 || r->level >= 3)
            break; /* the leaf, or an invalid descriptor: the walk ended */
        /* AArch64.NextTableBase, as the walker computes it. */
        uint64_t next = r->val & 0x0000FFFFFFFFF000ull & ~((1ull << h->granule_bits) - 1);
        if (h->lpa)
            next |= ((r->val >> 12) & 0xF) << 48;
        if (next >> h->oa_bits)
            break; /* address size fault: the walker did not follow it */
        if (!h->hpd) {
            ap_table |= (uint8_t)((r->val >> 61) & 3);
            uxn |= (r->val >> 60) & 1;
            pxn |= (r->val >> 59) & 1;
        }
        gr_wc_entry *e = &out[n++];
        memset(e, 0, sizeof *e);
        e->level = r->level;
        e->granule_bits = h->granule_bits;
        e->region_shift = (uint8_t)region_shift(h, r->level);
        e->vkey = x->req.va & GR_TLB_VA_MASK & ~((1ull << e->region_shift) - 1);
        e->asid = asid;
        e->next.level = (uint8_t)(r->level + 1);
        e->next.table = next;
        e->next.ap_table = ap_table;
        e->next.uxn_table = uxn;
        e->next.pxn_table = pxn;
        if (n == 3)
            break;
    }
    return n;
}
