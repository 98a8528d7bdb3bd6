/* One set-associative TLB structure holding several page sizes. The
 * lookup rule (per-size index, smallest size then lowest way wins) is the
 * contract in docs/uarch.md; the packed tag array only makes it fast. */
#include "granule/tlb.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "granule/repl.h"

static const struct {
    const char *name;
    bool va, asid, last;
} tlbi_props[GR_TLBI_COUNT] = {
#define GR_TLBI_PROP_(e, nm, v, a, l) {nm, v, a, l},
    GR_TLBI_LIST(GR_TLBI_PROP_)
#undef GR_TLBI_PROP_
};

const char *gr_tlbi_name(gr_tlbi_op op)
{
    return (unsigned)op < GR_TLBI_COUNT ? tlbi_props[op].name : "?";
}

int gr_tlbi_parse(const char *s, gr_tlbi_op *op)
{
    if (strncasecmp(s, "tlbi ", 5) == 0)
        s += 5;
    for (int i = 0; i < GR_TLBI_COUNT; i++) {
        if (strcasecmp(s, tlbi_props[i].name) == 0) {
            *op = (gr_tlbi_op)i;
            return 0;
        }
    }
    return -1;
}

bool gr_tlbi_by_va(gr_tlbi_op op)
{
    return tlbi_props[op].va;
}

bool gr_tlbi_by_asid(gr_tlbi_op op)
{
    return tlbi_props[op].asid;
}

bool gr_tlbi_last_level(gr_tlbi_op op)
{
    return tlbi_props[op].last;
}

#define META_GLOBAL 0x10000u

struct gr_tlb {
    gr_tlb_cfg cfg;
    uint32_t sets, ways, set_mask, n;
    /* Packed tag per entry: vkey | psize << 1 | 1; 0 when invalid (vkey has
     * at least 12 zero bits at the bottom). */
    uint64_t *tagw;
    uint32_t *meta;    /* asid | META_GLOBAL */
    uint32_t *version;
    gr_tlb_entry *e;
    gr_repl_state repl;
    uint8_t nsz, szlist[GR_PS_COUNT]; /* configured sizes, ascending */
    uint8_t szshift[GR_PS_COUNT];
    uint32_t count[GR_PS_COUNT];      /* valid entries of each size */
    uint32_t gen, valid;
    gr_tlb_observer obs;
    void *obs_ctx;
};

void gr_tlb_set_observer(gr_tlb *t, gr_tlb_observer fn, void *ctx)
{
    t->obs = fn;
    t->obs_ctx = ctx;
}

static inline void notify(gr_tlb *t, int idx)
{
    if (t->obs)
        t->obs(t->obs_ctx, idx);
}

gr_tlb *gr_tlb_create(const gr_tlb_cfg *cfg)
{
    gr_tlb *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->cfg = *cfg;
    t->sets = cfg->sets;
    t->ways = cfg->ways;
    t->set_mask = cfg->sets - 1;
    t->n = cfg->sets * cfg->ways;
    t->tagw = calloc(t->n, sizeof *t->tagw);
    t->meta = calloc(t->n, sizeof *t->meta);
    t->version = calloc(t->n, sizeof *t->version);
    t->e = calloc(t->n, sizeof *t->e);
    if (!t->tagw || !t->meta || !t->version || !t->e ||
        gr_repl_init(&t->repl, cfg->repl, cfg->sets, cfg->ways, cfg->seed) != 0) {
        gr_tlb_destroy(t);
        return NULL;
    }
    for (int p = 0; p < GR_PS_COUNT; p++) {
        t->szshift[p] = (uint8_t)gr_config_psize_shift((gr_psize)p);
        if (cfg->sizes & (1u << p))
            t->szlist[t->nsz++] = (uint8_t)p;
    }
    return t;
}

void gr_tlb_destroy(gr_tlb *t)
{
    if (!t)
        return;
    gr_repl_free(&t->repl);
    free(t->tagw);
    free(t->meta);
    free(t->version);
    free(t->e);
    free(t);
}

void gr_tlb_reset(gr_tlb *t)
{
    for (uint32_t i = 0; i < t->n; i++) {
        if (t->tagw[i])
            t->version[i]++;
        t->tagw[i] = 0;
    }
    memset(t->count, 0, sizeof t->count);
    t->valid = 0;
    t->gen++;
    gr_repl_reset(&t->repl);
    notify(t, -1);
}

static inline bool tag_match(uint32_t meta, uint16_t asid)
{
    return (meta & META_GLOBAL) || (uint16_t)meta == asid;
}

uint32_t gr_tlb_set_of(const gr_tlb *t, uint64_t va, gr_psize p)
{
    return (uint32_t)(((va & GR_TLB_VA_MASK) >> t->szshift[p]) & t->set_mask);
}

int gr_tlb_lookup(const gr_tlb *t, uint64_t va, uint16_t asid, unsigned *probe)
{
    va &= GR_TLB_VA_MASK;
    for (unsigned i = 0; i < t->nsz; i++) {
        unsigned p = t->szlist[i];
        if (!t->count[p])
            continue; /* no entry of this size: the probe cannot hit */
        unsigned shift = t->szshift[p];
        uint64_t key = va & ~((1ull << shift) - 1);
        uint64_t want = key | (uint64_t)p << 1 | 1u;
        uint32_t base = (uint32_t)((key >> shift) & t->set_mask) * t->ways;
        for (uint32_t w = 0; w < t->ways; w++) {
            uint32_t k = base + w;
            if (t->tagw[k] == want && tag_match(t->meta[k], asid)) {
                if (probe)
                    *probe = i;
                return (int)k;
            }
        }
    }
    if (probe)
        *probe = t->nsz ? t->nsz - 1u : 0u;
    return -1;
}

void gr_tlb_touch(gr_tlb *t, int idx)
{
    gr_repl_touch(&t->repl, (uint32_t)idx / t->ways, (uint32_t)idx % t->ways);
}

const gr_tlb_entry *gr_tlb_entry_at(const gr_tlb *t, int idx)
{
    if (idx < 0 || (uint32_t)idx >= t->n || !t->tagw[idx])
        return NULL;
    return &t->e[idx];
}

gr_tlb_entry *gr_tlb_entry_mut(gr_tlb *t, int idx)
{
    if (idx < 0 || (uint32_t)idx >= t->n || !t->tagw[idx])
        return NULL;
    return &t->e[idx];
}

uint32_t gr_tlb_version(const gr_tlb *t, int idx)
{
    return t->version[idx];
}

uint32_t gr_tlb_gen(const gr_tlb *t)
{
    return t->gen;
}

static void kill(gr_tlb *t, uint32_t k)
{
    t->count[t->e[k].psize]--;
    t->valid--;
    t->tagw[k] = 0;
    t->version[k]++;
    notify(t, (int)k);
}

int gr_tlb_fill(gr_tlb *t, const gr_tlb_entry *e, gr_tlb_entry *evicted, bool *did_evict)
{
    unsigned shift = t->szshift[e->psize];
    uint32_t set = (uint32_t)((e->vkey >> shift) & t->set_mask);
    uint32_t base = set * t->ways, way = t->ways;
    for (uint32_t w = 0; w < t->ways; w++) {
        if (!t->tagw[base + w]) {
            way = w;
            break;
        }
    }
    bool ev = false;
    if (way == t->ways) {
        way = gr_repl_victim(&t->repl, set);
        ev = true;
        if (evicted)
            *evicted = t->e[base + way];
        kill(t, base + way);
    }
    if (did_evict)
        *did_evict = ev;
    uint32_t k = base + way;

    /* A lookup cache stays exact unless the new entry can shadow another
     * one (docs/uarch.md: smallest size, then lowest way, wins). When every
     * valid entry has the new entry's size, only its own set can hold one;
     * otherwise every entry is checked, from the packed arrays. Large
     * structures (never cached) just bump. */
    bool shadow = false;
    if (t->n <= 256) {
        if (t->count[e->psize] == t->valid) {
            uint64_t want = e->vkey | (uint64_t)e->psize << 1 | 1u;
            for (uint32_t w = 0; w < t->ways && !shadow; w++)
                shadow = t->tagw[base + w] == want &&
                         (e->global || (t->meta[base + w] & META_GLOBAL) ||
                          (uint16_t)t->meta[base + w] == e->asid);
        } else {
            uint64_t lo = e->vkey, hi = e->vkey + (1ull << shift);
            for (uint32_t i = 0; i < t->n && !shadow; i++) {
                uint64_t tw = t->tagw[i];
                if (!tw)
                    continue;
                uint64_t vk = tw & ~0xFFFull;
                uint64_t end = vk + (1ull << t->szshift[(tw >> 1) & 7]);
                shadow = vk < hi && lo < end &&
                         (e->global || (t->meta[i] & META_GLOBAL) ||
                          (uint16_t)t->meta[i] == e->asid);
            }
        }
        t->gen += shadow;
    } else {
        shadow = true;
        t->gen++;
    }

    t->e[k] = *e;
    t->e[k].owner_epoch = 0;
    t->e[k].owner_perm = 0;
    t->e[k].owner_attr[0] = t->e[k].owner_attr[1] = 0;
    t->tagw[k] = e->vkey | (uint64_t)e->psize << 1 | 1u;
    t->meta[k] = e->global ? META_GLOBAL : e->asid;
    t->version[k]++;
    t->count[e->psize]++;
    t->valid++;
    gr_repl_touch(&t->repl, set, way);
    if (shadow)
        notify(t, -1);
    return (int)k;
}

unsigned gr_tlb_invalidate(gr_tlb *t, const gr_tlbi *op)
{
    bool by_va = gr_tlbi_by_va(op->op), by_asid = gr_tlbi_by_asid(op->op);
    uint64_t va = op->va & GR_TLB_VA_MASK;
    unsigned n = 0;
    for (uint32_t k = 0; k < t->n; k++) {
        if (!t->tagw[k])
            continue;
        const gr_tlb_entry *e = &t->e[k];
        if (by_va) {
            /* Every page size covering the VA: compare at the entry's own
             * size. */
            if ((va & ~((1ull << t->szshift[e->psize]) - 1)) != e->vkey)
                continue;
            if (by_asid && !e->global && e->asid != op->asid)
                continue;
        } else if (by_asid) {
            /* ASIDE1 leaves global entries alone. */
            if (e->global || e->asid != op->asid)
                continue;
        }
        kill(t, k);
        n++;
    }
    return n;
}

void gr_tlb_invalidate_at(gr_tlb *t, int idx)
{
    if (idx >= 0 && (uint32_t)idx < t->n && t->tagw[idx])
        kill(t, (uint32_t)idx);
}

void gr_tlb_view_get(gr_tlb *t, gr_tlb_view *v)
{
    v->version = t->version;
    v->gen = &t->gen;
    v->entries = t->e;
    v->repl = &t->repl;
    v->ways = t->ways;
}

unsigned gr_tlb_invalidate_within(gr_tlb *t, uint64_t vkey, unsigned shift, bool global,
                                  uint16_t asid)
{
    unsigned n = 0;
    uint64_t end = vkey + (1ull << shift);
    for (uint32_t k = 0; k < t->n; k++) {
        if (!t->tagw[k])
            continue;
        const gr_tlb_entry *e = &t->e[k];
        if (e->vkey < vkey || e->vkey >= end)
            continue;
        if (e->global != global || (!global && e->asid != asid))
            continue;
        kill(t, k);
        n++;
    }
    return n;
}

uint8_t gr_tlb_sizes(const gr_tlb *t)
{
    return t->cfg.sizes;
}

unsigned gr_tlb_capacity(const gr_tlb *t)
{
    return t->n;
}

unsigned gr_tlb_ways(const gr_tlb *t)
{
    return t->ways;
}

unsigned gr_tlb_valid_count(const gr_tlb *t)
{
    return t->valid;
}

bool gr_tlb_make_entry(uint8_t sizes, const gr_tte *tte, uint64_t va, uint16_t asid,
                       gr_tlb_entry *out)
{
    int pick = -1;
    for (int p = GR_PS_COUNT - 1; p >= 0; p--) {
        if ((sizes & (1u << p)) && gr_config_psize_shift((gr_psize)p) <= tte->page_shift) {
            pick = p;
            break;
        }
    }
    if (pick < 0)
        return false;
    unsigned s = gr_config_psize_shift((gr_psize)pick);
    /* Offset of the chosen piece inside the translation's range. */
    uint64_t off = (va - tte->va_base) & ((1ull << tte->page_shift) - 1) & ~((1ull << s) - 1);
    memset(out, 0, sizeof *out);
    out->tte = *tte;
    out->tte.va_base = tte->va_base + off;
    out->tte.oa_base = tte->oa_base + off;
    out->tte.page_shift = (uint8_t)s;
    out->vkey = out->tte.va_base & GR_TLB_VA_MASK;
    out->psize = (uint8_t)pick;
    out->global = !tte->ng;
    out->asid = tte->ng ? asid : 0;
    out->vmid = 0;
    return true;
}
