/*
 * Translation-table management for one VA range (XNU's pmap, arm64 flavour).
 * Only level-3 page descriptors are written as leaves; the VM layer never
 * creates blocks, so a table, once installed, stays for the pmap's life.
 */
#include "granule/vmpmap.h"

#include <stdlib.h>

/* Descriptor fields (Arm ARM D8.3, VMSAv8-64 translation table format). */
#define D_VALID 1ull
#define D_TABLE 2ull /* bit 1: table (levels 0-2) or page (level 3) */
#define D_ATTR_SHIFT 2
#define D_AP1 (1ull << 6) /* AP[1]: EL0 access */
#define D_AP2 (1ull << 7) /* AP[2]: read-only */
#define D_SH_INNER (3ull << 8)
#define D_SH_OUTER (2ull << 8)
#define D_AF (1ull << 10)
#define D_NG (1ull << 11)
#define D_PXN (1ull << 53)
#define D_UXN (1ull << 54)
#define D_OA_MASK 0x0000fffffffff000ull /* OA[47:12]; low bits per granule */

struct gr_vmpmap {
    gr_pmem *mem;
    gr_vmpage *pages;
    gr_vmpmap_cfg cfg;
    gr_vmpmap_tlbi_fn tlbi;
    void *tlbi_ctx;
    unsigned stride, ia_bits, start_level;
    uint64_t root;
    uint64_t *tables; /* every table frame, for destroy */
    size_t ntables, cap;
    uint64_t resident;
    /* Lookup hint (as XNU's vm_map keeps a hint for its entries): the last
     * level-3 table found, and which VA span (va >> leaf_span) it maps.
     * Table descriptors are never changed and tables are freed only at
     * destroy, so a hint can never go stale; faults and unmaps walk
     * consecutive pages, so most leaf lookups hit it without re-reading
     * the upper levels. hint_table == 0: no hint. */
    uint64_t hint_span, hint_table;
};

static unsigned level_shift(const gr_vmpmap *p, unsigned level)
{
    return p->cfg.granule_bits + (3 - level) * p->stride;
}

static unsigned level_bits(const gr_vmpmap *p, unsigned level)
{
    return level == p->start_level ? p->ia_bits - level_shift(p, level)
                                   : p->stride;
}

static uint64_t oa_mask(const gr_vmpmap *p)
{
    return D_OA_MASK & ~((1ull << p->cfg.granule_bits) - 1);
}

static int new_table(gr_vmpmap *p, uint64_t *pa)
{
    if (p->ntables == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 8;
        uint64_t *n = realloc(p->tables, cap * sizeof *n);
        if (!n)
            return -1;
        p->tables = n;
        p->cap = cap;
    }
    if (gr_vmpage_alloc(p->pages, p->cfg.granule_bits, GR_VMPAGE_Q_PTP, true, pa))
        return -1;
    gr_vmpage_frame *fr = gr_vmpage_meta(p->pages, *pa);
    fr->owner = p;
    fr->wire_count = 1; /* translation tables are wired memory */
    p->tables[p->ntables++] = *pa;
    return 0;
}

gr_vmpmap *gr_vmpmap_create(gr_pmem *mem, gr_vmpage *pages,
                            const gr_vmpmap_cfg *cfg, gr_vmpmap_tlbi_fn tlbi,
                            void *tlbi_ctx)
{
    if (!mem || !pages || !cfg ||
        (cfg->granule_bits != 12 && cfg->granule_bits != 14) ||
        cfg->txsz < 16 || cfg->txsz > 39)
        return NULL;
    gr_vmpmap *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->mem = mem;
    p->pages = pages;
    p->cfg = *cfg;
    p->tlbi = tlbi;
    p->tlbi_ctx = tlbi_ctx;
    p->stride = cfg->granule_bits - 3;
    p->ia_bits = 64 - cfg->txsz;
    /* AArch64.S1StartLevel: 4 - ceil((inputsize - granule_bits) / stride). */
    unsigned span = p->ia_bits - cfg->granule_bits;
    p->start_level = 4 - (span + p->stride - 1) / p->stride;
    if (new_table(p, &p->root)) {
        free(p->tables);
        free(p);
        return NULL;
    }
    return p;
}

static void issue(gr_vmpmap *p, gr_tlbi_op op, uint64_t va)
{
    if (p->tlbi)
        p->tlbi(p->tlbi_ctx, op, va, p->cfg.kernel ? 0 : p->cfg.asid);
}

/* Leaf invalidation for one page: VALE1 by ASID for nG pages, VAALE1 (any
 * ASID) for the kernel's global pages. */
static void tlbi_page(gr_vmpmap *p, uint64_t va)
{
    issue(p, p->cfg.kernel ? GR_TLBI_VAALE1 : GR_TLBI_VALE1, va);
}

static bool forget_one(void *arg, uint64_t va, const gr_vmpmap_leaf *l)
{
    gr_vmpmap *p = arg;
    gr_vmpage_pv_remove(p->pages, l->pa, p, va);
    return true;
}

void gr_vmpmap_destroy(gr_vmpmap *p)
{
    if (!p)
        return;
    /* The reverse maps must not name a pmap that is gone. */
    gr_vmpmap_foreach(p, 0, ~0ull, forget_one, p);
    /* Tables are freed (and may be reused) only after no TLB or walk cache
     * can hold anything read from them. */
    issue(p, p->cfg.kernel ? GR_TLBI_VMALLE1 : GR_TLBI_ASIDE1, 0);
    for (size_t i = 0; i < p->ntables; i++) {
        gr_vmpage_frame *fr = gr_vmpage_meta(p->pages, p->tables[i]);
        if (fr)
            fr->wire_count = 0;
        gr_vmpage_free(p->pages, p->tables[i]);
    }
    free(p->tables);
    free(p);
}

uint64_t gr_vmpmap_root(const gr_vmpmap *p)
{
    return p->root;
}

unsigned gr_vmpmap_start_level(const gr_vmpmap *p)
{
    return p->start_level;
}

/* The VA bits this pmap translates are [ia_bits-1:0]; the kernel range has
 * every bit above them set. */
static bool va_ok(const gr_vmpmap *p, uint64_t va)
{
    uint64_t top = va >> p->ia_bits;
    uint64_t want = p->cfg.kernel ? (~0ull >> p->ia_bits) : 0;
    return top == want && !(va & ((1ull << p->cfg.granule_bits) - 1));
}

static uint64_t index_of(const gr_vmpmap *p, uint64_t va, unsigned level)
{
    return (va >> level_shift(p, level)) & ((1ull << level_bits(p, level)) - 1);
}

/* Address of the level-3 descriptor for va, creating tables if alloc. */
static int leaf_slot(gr_vmpmap *p, uint64_t va, bool alloc, uint64_t *slot)
{
    uint64_t span = va >> level_shift(p, 2);
    if (p->hint_table && span == p->hint_span) {
        *slot = p->hint_table + 8 * index_of(p, va, 3);
        return 0;
    }
    uint64_t table = p->root;
    for (unsigned level = p->start_level; level < 3; level++) {
        uint64_t dpa = table + 8 * index_of(p, va, level), d;
        if (gr_pmem_read64(p->mem, dpa, &d))
            return -2;
        if ((d & 3) != 3) {
            if (!alloc)
                return -1;
            uint64_t next;
            if (new_table(p, &next))
                return -2;
            d = next | D_VALID | D_TABLE;
            if (gr_pmem_write64(p->mem, dpa, d))
                return -2;
        }
        table = d & oa_mask(p);
    }
    p->hint_span = span;
    p->hint_table = table;
    *slot = table + 8 * index_of(p, va, 3);
    return 0;
}

static uint64_t make_desc(const gr_vmpmap *p, uint64_t pa, unsigned prot,
                          unsigned attr, bool af)
{
    uint64_t d = (pa & oa_mask(p)) | D_VALID | D_TABLE |
                 ((uint64_t)(attr & 7) << D_ATTR_SHIFT);
    d |= attr == GR_VMPMAP_ATTR_DEVICE ? D_SH_OUTER : D_SH_INNER;
    if (!(prot & GR_PROT_WRITE))
        d |= D_AP2;
    if (af)
        d |= D_AF;
    if (p->cfg.kernel) {
        /* EL1-only, global; never executable at EL0. */
        d |= D_UXN;
        if (!(prot & GR_PROT_EXEC))
            d |= D_PXN;
    } else {
        /* EL0 pages: nG (tagged with the task's ASID), and never
         * executable at EL1 (PXN), as XNU maps user memory. */
        d |= D_AP1 | D_NG | D_PXN;
        if (!(prot & GR_PROT_EXEC))
            d |= D_UXN;
        /* Device memory is never executable (an instruction fetch from
         * Device memory is a permission fault anyway). */
    }
    if (attr == GR_VMPMAP_ATTR_DEVICE)
        d |= D_UXN | D_PXN;
    return d;
}

static void decode(const gr_vmpmap *p, uint64_t d, uint64_t dpa,
                   gr_vmpmap_leaf *l)
{
    l->pa = d & oa_mask(p);
    l->attr = (unsigned)((d >> D_ATTR_SHIFT) & 7);
    l->af = d & D_AF;
    l->ng = d & D_NG;
    l->desc = d;
    l->desc_pa = dpa;
    unsigned prot = GR_PROT_READ;
    if (!(d & D_AP2))
        prot |= GR_PROT_WRITE;
    if (!(d & (p->cfg.kernel ? D_PXN : D_UXN)))
        prot |= GR_PROT_EXEC;
    l->prot = prot;
}

int gr_vmpmap_enter(gr_vmpmap *p, uint64_t va, uint64_t pa, unsigned prot,
                    unsigned attr, unsigned flags)
{
    if (!va_ok(p, va) || (prot & GR_PROT_ALL) == 0 || attr > 7 ||
        (pa & ((1ull << p->cfg.granule_bits) - 1)))
        return -1;
    uint64_t slot, old;
    int r = leaf_slot(p, va, true, &slot);
    if (r)
        return r;
    if (gr_pmem_read64(p->mem, slot, &old))
        return -2;
    uint64_t d = make_desc(p, pa, prot, attr, flags & GR_VMPMAP_AF);
    if (old == d)
        return 0;
    if (!(old & D_VALID)) {
        /* Invalid entries are never cached: no TLBI needed. The reverse
         * map learns the new translation (device pages have none). */
        if (gr_vmpage_pv_add(p->pages, pa, p, va) && gr_vmpage_meta(p->pages, pa))
            return -2;
        if (gr_pmem_write64(p->mem, slot, d)) {
            gr_vmpage_pv_remove(p->pages, pa, p, va);
            return -2;
        }
        p->resident++;
        return 0;
    }
    if ((old & oa_mask(p)) != (d & oa_mask(p)) ||
        ((old >> D_ATTR_SHIFT) & 7) != attr) {
        /* Break-before-make: a new output address or memory type must
         * not coexist with the old one in any TLB. */
        if ((old & oa_mask(p)) != (d & oa_mask(p))) {
            if (gr_vmpage_pv_add(p->pages, pa, p, va) && gr_vmpage_meta(p->pages, pa))
                return -2;
            gr_vmpage_pv_remove(p->pages, old & oa_mask(p), p, va);
        }
        gr_pmem_write64(p->mem, slot, 0);
        tlbi_page(p, va);
        gr_pmem_write64(p->mem, slot, d);
        return 0;
    }
    /* Same page, different permissions/AF: no break needed, but the old
     * entry may be cached and would keep raising (or hiding) faults. */
    gr_pmem_write64(p->mem, slot, d);
    tlbi_page(p, va);
    return 0;
}

typedef struct visit_ctx {
    const gr_vmpmap *p;
    uint64_t start, end;
    gr_vmpmap_visit_fn fn;
    void *arg;
    bool stop;
} visit_ctx;

static void visit(visit_ctx *c, unsigned level, uint64_t table, uint64_t base)
{
    const gr_vmpmap *p = c->p;
    unsigned shift = level_shift(p, level);
    uint64_t n = 1ull << level_bits(p, level);
    uint64_t span = 1ull << shift;
    uint64_t first = c->start > base ? (c->start - base) >> shift : 0;
    for (uint64_t i = first; i < n && !c->stop; i++) {
        uint64_t va = base + i * span;
        if (va >= c->end || va < base)
            break;
        uint64_t dpa = table + 8 * i, d;
        if (gr_pmem_read64(p->mem, dpa, &d) || (d & 3) != 3)
            continue;
        if (level < 3) {
            visit(c, level + 1, d & oa_mask(p), va);
        } else {
            gr_vmpmap_leaf l;
            decode(p, d, dpa, &l);
            if (!c->fn(c->arg, va, &l))
                c->stop = true;
        }
    }
}

void gr_vmpmap_foreach(const gr_vmpmap *p, uint64_t start, uint64_t end,
                       gr_vmpmap_visit_fn fn, void *arg)
{
    uint64_t base = p->cfg.kernel ? ~0ull << p->ia_bits : 0;
    visit_ctx c = {p, start < base ? base : start, end, fn, arg, false};
    if (c.start >= end)
        return;
    visit(&c, p->start_level, p->root, base);
}

typedef struct edit_arg {
    gr_vmpmap *p;
    unsigned prot; /* for protect */
    uint64_t n;
} edit_arg;

static bool remove_one(void *arg, uint64_t va, const gr_vmpmap_leaf *l)
{
    edit_arg *e = arg;
    gr_pmem_write64(e->p->mem, l->desc_pa, 0);
    gr_vmpage_pv_remove(e->p->pages, l->pa, e->p, va);
    tlbi_page(e->p, va);
    e->p->resident--;
    e->n++;
    return true;
}

bool gr_vmpmap_remove_page(gr_vmpmap *p, uint64_t va)
{
    uint64_t slot, d;
    if (!va_ok(p, va) || leaf_slot(p, va, false, &slot) || gr_pmem_read64(p->mem, slot, &d) ||
        (d & 3) != 3)
        return false;
    gr_vmpmap_leaf l;
    decode(p, d, slot, &l);
    edit_arg e = {p, 0, 0};
    remove_one(&e, va, &l);
    return true;
}

uint64_t gr_vmpmap_remove(gr_vmpmap *p, uint64_t start, uint64_t end)
{
    edit_arg e = {p, 0, 0};
    gr_vmpmap_foreach(p, start, end, remove_one, &e);
    return e.n;
}

static bool protect_one(void *arg, uint64_t va, const gr_vmpmap_leaf *l)
{
    edit_arg *e = arg;
    unsigned prot = l->prot & e->prot;
    if (prot == l->prot)
        return true;
    if (!(prot & GR_PROT_READ))
        return remove_one(arg, va, l);
    uint64_t d = make_desc(e->p, l->pa, prot, l->attr, l->af);
    gr_pmem_write64(e->p->mem, l->desc_pa, d);
    tlbi_page(e->p, va);
    e->n++;
    return true;
}

uint64_t gr_vmpmap_protect(gr_vmpmap *p, uint64_t start, uint64_t end,
                           unsigned prot)
{
    edit_arg e = {p, prot, 0};
    gr_vmpmap_foreach(p, start, end, protect_one, &e);
    return e.n;
}

static bool af_edit(gr_vmpmap *p, uint64_t va, bool set)
{
    uint64_t slot, d;
    if (!va_ok(p, va) || leaf_slot(p, va, false, &slot) ||
        gr_pmem_read64(p->mem, slot, &d) || (d & 3) != 3)
        return false;
    uint64_t n = set ? d | D_AF : d & ~D_AF;
    if (n != d) {
        gr_pmem_write64(p->mem, slot, n);
        if (!set)
            tlbi_page(p, va);
    }
    return true;
}

bool gr_vmpmap_clear_af(gr_vmpmap *p, uint64_t va)
{
    return af_edit(p, va, false);
}

bool gr_vmpmap_set_af(gr_vmpmap *p, uint64_t va)
{
    return af_edit(p, va, true);
}

bool gr_vmpmap_lookup(const gr_vmpmap *p, uint64_t va, gr_vmpmap_leaf *leaf)
{
    uint64_t slot, d;
    va &= ~((1ull << p->cfg.granule_bits) - 1);
    if (!va_ok(p, va) || leaf_slot((gr_vmpmap *)p, va, false, &slot) ||
        gr_pmem_read64(p->mem, slot, &d) || (d & 3) != 3)
        return false;
    decode(p, d, slot, leaf);
    return true;
}

uint64_t gr_vmpmap_resident(const gr_vmpmap *p)
{
    return p->resident;
}

static bool count_one(void *arg, uint64_t va, const gr_vmpmap_leaf *l)
{
    (void)va;
    (void)l;
    ++*(uint64_t *)arg;
    return true;
}

uint64_t gr_vmpmap_count(const gr_vmpmap *p, uint64_t start, uint64_t end)
{
    uint64_t n = 0;
    gr_vmpmap_foreach(p, start, end, count_one, &n);
    return n;
}

uint64_t gr_vmpmap_tables(const gr_vmpmap *p)
{
    return p->ntables;
}
