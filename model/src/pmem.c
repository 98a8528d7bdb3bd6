/*
 * Sparse simulated physical memory: a sorted array of regions (which say
 * what exists) and one hash table of 4 KiB backing pages (which hold what
 * was written), so a region as large as the whole PA space costs nothing
 * until written. Lookups cache the last region and the recent pages hit,
 * since walks and replays touch few of either at a time.
 */
#include "granule/pmem.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PMEM_PAGE_SHIFT 12
#define PMEM_PAGE_SIZE (1ull << PMEM_PAGE_SHIFT)

#define PMEM_RECENT 32 /* power of two */

typedef struct pmem_region {
    uint64_t base, size; /* size > 0, base + size does not wrap */
    char *name;
} pmem_region;

/* Open-addressing hash slot: key = page number + 1 (0 = empty). */
typedef struct pmem_slot {
    uint64_t key;
    uint8_t *page;
} pmem_slot;

/* Lookup-cache entry: a slot plus whether the whole 4 KiB page lies inside
 * one region, so read64/write64 on a cached page need no region search
 * (regions are never removed, so the answer cannot change). */
typedef struct pmem_recent {
    uint64_t key;
    uint8_t *page;
    bool whole;
} pmem_recent;

struct gr_pmem {
    pmem_region *regions; /* sorted by base, non-overlapping */
    size_t nregions, cap;
    size_t last;          /* index of the last region hit */
    pmem_slot *slots;     /* power-of-two table, at most half full */
    size_t nslots;
    size_t backed;        /* pages allocated */
    /* Direct-mapped cache of recent page lookups, indexed by the low bits
     * of the key: a walk reads one table page per level (up to 4), and
     * the VM layer alternates those with the frames it fills, so a
     * single "last page" entry would miss on nearly every read. */
    pmem_recent recent[PMEM_RECENT];
};

const char *gr_pmem_strerror(int err)
{
    switch (err) {
#define GR_PMEM_STR_(name, val, text) \
    case val:                         \
        return text;
        GR_PMEM_ERRORS(GR_PMEM_STR_)
#undef GR_PMEM_STR_
    default:
        return "unknown physical memory error";
    }
}

gr_pmem *gr_pmem_create(void)
{
    return calloc(1, sizeof(gr_pmem));
}

void gr_pmem_destroy(gr_pmem *mem)
{
    if (!mem)
        return;
    for (size_t i = 0; i < mem->nregions; i++)
        free(mem->regions[i].name);
    for (size_t i = 0; i < mem->nslots; i++)
        free(mem->slots[i].page);
    free(mem->slots);
    free(mem->regions);
    free(mem);
}

int gr_pmem_add_region(gr_pmem *mem, uint64_t base, uint64_t size,
                       const char *name)
{
    if (size == 0 || base + size - 1 < base)
        return GR_PMEM_BAD_RANGE;
    uint64_t last = base + size - 1;
    size_t pos = 0;
    for (; pos < mem->nregions; pos++) {
        const pmem_region *r = &mem->regions[pos];
        if (last >= r->base && base <= r->base + r->size - 1) {
            mem->last = pos;
            return GR_PMEM_OVERLAP;
        }
        if (r->base > base)
            break;
    }
    if (mem->nregions == mem->cap) {
        size_t cap = mem->cap ? mem->cap * 2 : 4;
        pmem_region *n = realloc(mem->regions, cap * sizeof(*n));
        if (!n)
            return GR_PMEM_NOMEM;
        mem->regions = n;
        mem->cap = cap;
    }
    char *nm = strdup(name ? name : "memory");
    if (!nm)
        return GR_PMEM_NOMEM;
    memmove(&mem->regions[pos + 1], &mem->regions[pos],
            (mem->nregions - pos) * sizeof(pmem_region));
    mem->regions[pos] = (pmem_region){base, size, nm};
    mem->nregions++;
    mem->last = pos;
    return GR_PMEM_OK;
}

/* Region holding pa, or NULL. */
static pmem_region *find(const gr_pmem *cmem, uint64_t pa)
{
    gr_pmem *mem = (gr_pmem *)cmem; /* only the lookup cache changes */
    if (mem->nregions == 0)
        return NULL;
    pmem_region *r = &mem->regions[mem->last];
    if (pa - r->base < r->size)
        return r;
    size_t lo = 0, hi = mem->nregions;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        r = &mem->regions[mid];
        if (pa < r->base)
            hi = mid;
        else if (pa - r->base >= r->size)
            lo = mid + 1;
        else {
            mem->last = mid;
            return r;
        }
    }
    return NULL;
}

const char *gr_pmem_region_name(const gr_pmem *mem, uint64_t pa)
{
    const pmem_region *r = find(mem, pa);
    return r ? r->name : NULL;
}

static size_t hash_key(uint64_t key, size_t nslots)
{
    /* Fibonacci hashing: page numbers are often consecutive. */
    return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (nslots - 1);
}

static void cache_fill(gr_pmem *mem, pmem_recent *c, uint64_t key, uint8_t *page)
{
    uint64_t base = (key - 1) << PMEM_PAGE_SHIFT;
    const pmem_region *r = find(mem, base);
    c->key = key;
    c->page = page;
    c->whole = r && r->size - (base - r->base) >= PMEM_PAGE_SIZE;
}

/* Backing page of the 4K page holding pa, or NULL if never written. */
static uint8_t *page_lookup(const gr_pmem *cmem, uint64_t pa)
{
    gr_pmem *mem = (gr_pmem *)cmem; /* only the lookup cache changes */
    uint64_t key = (pa >> PMEM_PAGE_SHIFT) + 1;
    pmem_recent *c = &mem->recent[key & (PMEM_RECENT - 1)];
    if (c->key == key)
        return c->page;
    if (!mem->nslots)
        return NULL;
    for (size_t i = hash_key(key, mem->nslots);; i = (i + 1) & (mem->nslots - 1)) {
        if (mem->slots[i].key == key) {
            cache_fill(mem, c, key, mem->slots[i].page);
            return mem->slots[i].page;
        }
        if (mem->slots[i].key == 0)
            return NULL;
    }
}

static void slot_insert(pmem_slot *slots, size_t nslots, uint64_t key, uint8_t *page)
{
    size_t i = hash_key(key, nslots);
    while (slots[i].key)
        i = (i + 1) & (nslots - 1);
    slots[i] = (pmem_slot){key, page};
}

/* Every byte of [pa, pa+len) is inside some region. */
static bool covered(const gr_pmem *mem, uint64_t pa, size_t len)
{
    while (len > 0) {
        const pmem_region *r = find(mem, pa);
        if (!r)
            return false;
        uint64_t room = r->size - (pa - r->base);
        if (room >= len)
            return true;
        pa += room;
        len -= room;
    }
    return true;
}

static uint8_t *page_for_write(gr_pmem *mem, uint64_t pa)
{
    uint8_t *page = page_lookup(mem, pa);
    if (page)
        return page;
    if ((mem->backed + 1) * 2 > mem->nslots) {
        size_t n = mem->nslots ? mem->nslots * 2 : 1024;
        pmem_slot *ns = calloc(n, sizeof *ns);
        if (!ns)
            return NULL;
        for (size_t i = 0; i < mem->nslots; i++)
            if (mem->slots[i].key)
                slot_insert(ns, n, mem->slots[i].key, mem->slots[i].page);
        free(mem->slots);
        mem->slots = ns;
        mem->nslots = n;
    }
    page = calloc(1, PMEM_PAGE_SIZE);
    if (!page)
        return NULL;
    uint64_t key = (pa >> PMEM_PAGE_SHIFT) + 1;
    slot_insert(mem->slots, mem->nslots, key, page);
    mem->backed++;
    cache_fill(mem, &mem->recent[key & (PMEM_RECENT - 1)], key, page);
    return page;
}

int gr_pmem_load(gr_pmem *mem, uint64_t pa, const void *data, size_t len)
{
    if (len && (pa + len - 1 < pa || !covered(mem, pa, len)))
        return GR_PMEM_UNMAPPED;
    const uint8_t *src = data;
    while (len > 0) {
        uint64_t off = pa & (PMEM_PAGE_SIZE - 1);
        size_t n = PMEM_PAGE_SIZE - off;
        if (n > len)
            n = len;
        uint8_t *page = page_for_write(mem, pa);
        if (!page)
            return GR_PMEM_NOMEM;
        memcpy(page + off, src, n);
        pa += n;
        src += n;
        len -= n;
    }
    return GR_PMEM_OK;
}

int gr_pmem_dump(const gr_pmem *mem, uint64_t pa, void *out, size_t len)
{
    if (len && (pa + len - 1 < pa || !covered(mem, pa, len)))
        return GR_PMEM_UNMAPPED;
    uint8_t *dst = out;
    while (len > 0) {
        uint64_t off = pa & (PMEM_PAGE_SIZE - 1);
        size_t n = PMEM_PAGE_SIZE - off;
        if (n > len)
            n = len;
        const uint8_t *page = page_lookup(mem, pa);
        if (page)
            memcpy(dst, page + off, n);
        else
            memset(dst, 0, n);
        pa += n;
        dst += n;
        len -= n;
    }
    return GR_PMEM_OK;
}

/* Removes key's page from the table (backward-shift deletion, so the linear
 * probe sequences of the keys after it stay unbroken) and frees it. */
static void page_discard(gr_pmem *mem, uint64_t key)
{
    if (!mem->nslots)
        return;
    size_t mask = mem->nslots - 1, i = hash_key(key, mem->nslots);
    while (mem->slots[i].key != key) {
        if (mem->slots[i].key == 0)
            return;
        i = (i + 1) & mask;
    }
    free(mem->slots[i].page);
    mem->backed--;
    if (mem->recent[key & (PMEM_RECENT - 1)].key == key)
        mem->recent[key & (PMEM_RECENT - 1)] = (pmem_recent){0, NULL, false};
    /* Move up every later entry of the cluster whose home slot is not in
     * the cyclic range (i, j]: it was probed past the hole. */
    for (size_t j = (i + 1) & mask; mem->slots[j].key; j = (j + 1) & mask) {
        size_t home = hash_key(mem->slots[j].key, mem->nslots);
        if (((j - home) & mask) >= ((j - i) & mask)) {
            mem->slots[i] = mem->slots[j];
            i = j;
        }
    }
    mem->slots[i] = (pmem_slot){0, NULL};
}

int gr_pmem_zero(gr_pmem *mem, uint64_t pa, size_t len)
{
    if (len && (pa + len - 1 < pa || !covered(mem, pa, len)))
        return GR_PMEM_UNMAPPED;
    while (len > 0) {
        uint64_t off = pa & (PMEM_PAGE_SIZE - 1);
        size_t n = PMEM_PAGE_SIZE - off;
        if (n > len)
            n = len;
        if (n == PMEM_PAGE_SIZE) {
            page_discard(mem, (pa >> PMEM_PAGE_SHIFT) + 1);
        } else {
            uint8_t *page = page_lookup(mem, pa);
            if (page)
                memset(page + off, 0, n);
        }
        pa += n;
        len -= n;
    }
    return GR_PMEM_OK;
}

/* Host-order conversion of a little-endian doubleword: one load (or one
 * load and a byte swap) instead of a loop over bytes, since every walk
 * step goes through here. */
static uint64_t load_le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static void store_le64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    memcpy(p, &v, 8);
}

/* The doubleword at pa lies inside one region and one backing page. */
static bool fast64(const gr_pmem *mem, uint64_t pa)
{
    const pmem_region *r = find(mem, pa);
    return r && r->size - (pa - r->base) >= 8 && (pa & (PMEM_PAGE_SIZE - 1)) <= PMEM_PAGE_SIZE - 8;
}

/* The cached backing page of pa if the doubleword at pa lies inside it and
 * the page lies wholly inside a region, else NULL: the walker's and the VM
 * layer's descriptor accesses almost always take this path. */
static uint8_t *cached64(const gr_pmem *cmem, uint64_t pa)
{
    gr_pmem *mem = (gr_pmem *)cmem;
    uint64_t key = (pa >> PMEM_PAGE_SHIFT) + 1;
    const pmem_recent *c = &mem->recent[key & (PMEM_RECENT - 1)];
    if (c->key == key && c->whole && (pa & (PMEM_PAGE_SIZE - 1)) <= PMEM_PAGE_SIZE - 8)
        return c->page;
    return NULL;
}

int gr_pmem_read64(const gr_pmem *mem, uint64_t pa, uint64_t *out)
{
    const uint8_t *cp = cached64(mem, pa);
    if (cp) {
        *out = load_le64(cp + (pa & (PMEM_PAGE_SIZE - 1)));
        return GR_PMEM_OK;
    }
    if (fast64(mem, pa)) {
        const uint8_t *page = page_lookup(mem, pa);
        *out = page ? load_le64(page + (pa & (PMEM_PAGE_SIZE - 1))) : 0;
        return GR_PMEM_OK;
    }
    /* Slow path: the doubleword straddles a page or a region boundary. */
    uint8_t b[8];
    int err = gr_pmem_dump(mem, pa, b, 8);
    if (err == GR_PMEM_OK)
        *out = load_le64(b);
    return err;
}

int gr_pmem_write64(gr_pmem *mem, uint64_t pa, uint64_t val)
{
    uint8_t *cp = cached64(mem, pa);
    if (cp) {
        store_le64(cp + (pa & (PMEM_PAGE_SIZE - 1)), val);
        return GR_PMEM_OK;
    }
    if (fast64(mem, pa)) {
        uint8_t *page = page_for_write(mem, pa);
        if (!page)
            return GR_PMEM_NOMEM;
        store_le64(page + (pa & (PMEM_PAGE_SIZE - 1)), val);
        return GR_PMEM_OK;
    }
    uint8_t b[8];
    store_le64(b, val);
    return gr_pmem_load(mem, pa, b, 8);
}

size_t gr_pmem_pages_backed(const gr_pmem *mem)
{
    return mem->backed;
}
