/*
 * VM objects (XNU osfmk/vm/vm_object.c in spirit): resident pages in an
 * open-addressing hash (index -> frame), pagers, shadow chains, collapse.
 */
#include "granule/vmobj.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EMPTY UINT64_MAX

/* Page index -> value, open addressing with linear probing and
 * backward-shift deletion: keys[i] = index or EMPTY, cap a power of 2. */
typedef struct pgtab {
    uint64_t *keys, *vals;
    uint64_t cap, count;
} pgtab;

struct gr_vmobj {
    gr_vmobj_env env;
    gr_vmobj_kind kind;
    unsigned shift;
    uint64_t size;
    uint32_t refs;
    uint64_t id;
    pgtab res;  /* resident pages: index -> frame */
    pgtab comp; /* compressed pages: index -> compressor handle */
    gr_vmobj_purge purge;
    /* shadow chain */
    gr_vmobj *shadow;
    uint64_t shadow_off;          /* bytes */
    gr_vmobj *shadowers;          /* objects whose shadow is this one */
    gr_vmobj *sh_next, *sh_prev;  /* siblings in shadow->shadowers */
    /* pagers */
    int fd;
    char *path;
    uint64_t fsize;
    bool fwritable;
    uint64_t dev_pa;
};

static gr_vmobj *alloc_obj(const gr_vmobj_env *env, gr_vmobj_kind kind,
                           unsigned shift, uint64_t size)
{
    if (!env || (shift != 12 && shift != 14) || (size & ((1ull << shift) - 1)))
        return NULL;
    gr_vmobj *o = env->zone ? gr_vmzone_alloc(env->zone) : calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->env = *env;
    o->kind = kind;
    o->shift = shift;
    o->size = size;
    o->refs = 1;
    o->fd = -1;
    if (env->stats) {
        env->stats->objects++;
        o->id = ++env->stats->created;
    }
    return o;
}

gr_vmobj *gr_vmobj_create_anon(const gr_vmobj_env *env, unsigned page_shift,
                               uint64_t size)
{
    return alloc_obj(env, GR_VMOBJ_ANON, page_shift, size);
}

gr_vmobj *gr_vmobj_create_vnode(const gr_vmobj_env *env, unsigned page_shift,
                                const char *path)
{
    if (!path || (page_shift != 12 && page_shift != 14))
        return NULL;
    bool rw = true;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0 && (errno == EACCES || errno == EROFS || errno == EPERM)) {
        rw = false;
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        errno = EINVAL;
        return NULL;
    }
    uint64_t pg = 1ull << page_shift;
    uint64_t size = ((uint64_t)st.st_size + pg - 1) & ~(pg - 1);
    gr_vmobj *o = alloc_obj(env, GR_VMOBJ_VNODE, page_shift, size);
    char *p = strdup(path);
    if (!o || !p) {
        if (o && env->stats)
            env->stats->objects--;
        if (o && env->zone)
            gr_vmzone_free(env->zone, o);
        else
            free(o);
        free(p);
        close(fd);
        return NULL;
    }
    o->fd = fd;
    o->path = p;
    o->fsize = (uint64_t)st.st_size;
    o->fwritable = rw;
    return o;
}

gr_vmobj *gr_vmobj_create_device(const gr_vmobj_env *env, unsigned page_shift,
                                 uint64_t pa, uint64_t size)
{
    if (pa & ((1ull << page_shift) - 1))
        return NULL;
    gr_vmobj *o = alloc_obj(env, GR_VMOBJ_DEVICE, page_shift, size);
    if (o)
        o->dev_pa = pa;
    return o;
}

/* ---- page tables of an object (pgtab) ---- */

static uint64_t hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return k;
}

/* The slot holding k, or the empty slot where it would go. */
static uint64_t pt_slot(const pgtab *h, uint64_t k)
{
    uint64_t m = h->cap - 1, i = hash(k) & m;
    while (h->keys[i] != EMPTY && h->keys[i] != k)
        i = (i + 1) & m;
    return i;
}

static uint64_t pt_get(const pgtab *h, uint64_t k)
{
    if (!h->count)
        return GR_VMOBJ_NOPAGE;
    uint64_t s = pt_slot(h, k);
    return h->keys[s] == k ? h->vals[s] : GR_VMOBJ_NOPAGE;
}

static int pt_grow(pgtab *h, uint64_t first)
{
    uint64_t ncap = h->cap ? 2 * h->cap : first;
    uint64_t *k = malloc(ncap * sizeof *k), *v = malloc(ncap * sizeof *v);
    if (!k || !v) {
        free(k);
        free(v);
        return -1;
    }
    memset(k, 0xff, ncap * sizeof *k);
    pgtab old = *h;
    h->keys = k;
    h->vals = v;
    h->cap = ncap;
    for (uint64_t i = 0; i < old.cap; i++)
        if (old.keys[i] != EMPTY) {
            uint64_t s = pt_slot(h, old.keys[i]);
            k[s] = old.keys[i];
            v[s] = old.vals[i];
        }
    free(old.keys);
    free(old.vals);
    return 0;
}

/* Sets k -> v, growing (to first slots, or twice the size) first when the
 * table would be fuller than num/den. */
static int pt_put(pgtab *h, uint64_t k, uint64_t v, uint64_t num, uint64_t den, uint64_t first)
{
    if ((h->count + 1) * den > h->cap * num && pt_grow(h, first))
        return -1;
    uint64_t s = pt_slot(h, k);
    if (h->keys[s] != k)
        h->count++;
    h->keys[s] = k;
    h->vals[s] = v;
    return 0;
}

static void pt_remove_slot(pgtab *h, uint64_t s)
{
    uint64_t m = h->cap - 1;
    h->keys[s] = EMPTY;
    h->count--;
    /* Backward shift: move later members of the cluster into the hole if
     * their home slot is not between the hole and them. */
    for (uint64_t j = (s + 1) & m; h->keys[j] != EMPTY; j = (j + 1) & m) {
        uint64_t home = hash(h->keys[j]) & m;
        if (((j - home) & m) >= ((j - s) & m)) {
            h->keys[s] = h->keys[j];
            h->vals[s] = h->vals[j];
            h->keys[j] = EMPTY;
            s = j;
        }
    }
}

static void pt_free(pgtab *h)
{
    free(h->keys);
    free(h->vals);
    *h = (pgtab){0};
}

/* ---- resident pages ---- */

uint64_t gr_vmobj_lookup(const gr_vmobj *o, uint64_t idx)
{
    if (o->kind == GR_VMOBJ_DEVICE)
        return (idx << o->shift) < o->size ? o->dev_pa + (idx << o->shift)
                                           : GR_VMOBJ_NOPAGE;
    return pt_get(&o->res, idx);
}

int gr_vmobj_insert(gr_vmobj *o, uint64_t idx, uint64_t pa)
{
    /* At most half full: with linear probing a miss (every insert of a new
     * page) then probes ~2.5 slots instead of ~8.5 at three quarters. The
     * first table already fits up to 1024 pages of the object (or the
     * whole object if smaller): a region being faulted in would otherwise
     * rehash at 12, 24, 48, ... pages. */
    uint64_t first = 16;
    for (uint64_t pages = o->size >> o->shift; !o->res.cap && first < 2048 && first < pages * 2;)
        first *= 2;
    if (pt_put(&o->res, idx, pa, 1, 2, first))
        return -1;
    gr_vmpage_frame *fr = gr_vmpage_meta(o->env.pages, pa);
    if (fr) {
        fr->owner = o;
        fr->offset = idx << o->shift;
    }
    return 0;
}

/* ---- compressed pages (index -> handle), at most three quarters full ---- */

static uint64_t clookup(const gr_vmobj *o, uint64_t idx)
{
    return pt_get(&o->comp, idx);
}

static int cinsert(gr_vmobj *o, uint64_t idx, uint64_t h)
{
    return pt_put(&o->comp, idx, h, 3, 4, 16);
}

static void drop_handle(gr_vmobj *o, uint64_t h)
{
    if (o->env.drop_compressed)
        o->env.drop_compressed(o->env.drop_ctx, h);
}

/* Forgets every compressed page (their slots are freed). */
static void drop_all_compressed(gr_vmobj *o)
{
    for (uint64_t s = 0; s < o->comp.cap; s++)
        if (o->comp.keys[s] != EMPTY)
            drop_handle(o, o->comp.vals[s]);
    pt_free(&o->comp);
}

gr_vmobj_where gr_vmobj_locate(gr_vmobj *o, uint64_t idx, gr_vmobj **where,
                               uint64_t *widx, uint64_t *val)
{
    for (;;) {
        uint64_t pa = gr_vmobj_lookup(o, idx);
        if (pa != GR_VMOBJ_NOPAGE) {
            *where = o;
            *widx = idx;
            *val = pa;
            return GR_VMOBJ_RESIDENT;
        }
        if (o->comp.count && (pa = clookup(o, idx)) != GR_VMOBJ_NOPAGE) {
            *where = o;
            *widx = idx;
            *val = pa;
            return GR_VMOBJ_COMPRESSED;
        }
        if (!o->shadow) {
            *where = o;
            *widx = idx;
            *val = GR_VMOBJ_NOPAGE;
            return GR_VMOBJ_ABSENT;
        }
        idx += o->shadow_off >> o->shift;
        o = o->shadow;
    }
}

int gr_vmobj_set_compressed(gr_vmobj *o, uint64_t idx, uint64_t handle)
{
    if (cinsert(o, idx, handle))
        return -1;
    gr_vmobj_remove_resident(o, idx);
    return 0;
}

int gr_vmobj_take_compressed(gr_vmobj *o, uint64_t idx, uint64_t *handle)
{
    if (!o->comp.count)
        return -1;
    uint64_t s = pt_slot(&o->comp, idx);
    if (o->comp.keys[s] != idx)
        return -1;
    *handle = o->comp.vals[s];
    pt_remove_slot(&o->comp, s);
    return 0;
}

void gr_vmobj_remove_resident(gr_vmobj *o, uint64_t idx)
{
    if (!o->res.count)
        return;
    uint64_t s = pt_slot(&o->res, idx);
    if (o->res.keys[s] == idx)
        pt_remove_slot(&o->res, s);
}

int gr_vmobj_write_page(gr_vmobj *o, uint64_t idx)
{
    uint64_t pa = gr_vmobj_lookup(o, idx);
    if (o->kind != GR_VMOBJ_VNODE || pa == GR_VMOBJ_NOPAGE)
        return 0;
    gr_vmpage_frame *fr = gr_vmpage_meta(o->env.pages, pa);
    uint64_t off = idx << o->shift, pg = 1ull << o->shift;
    if (!fr || !fr->dirty || off >= o->fsize)
        return 0;
    uint8_t buf[1u << 14];
    uint64_t len = o->fsize - off < pg ? o->fsize - off : pg;
    if (!o->fwritable || gr_pmem_dump(o->env.mem, pa, buf, len) ||
        pwrite(o->fd, buf, len, (off_t)off) != (ssize_t)len)
        return -1;
    fr->dirty = false;
    if (o->env.stats)
        o->env.stats->pageouts++;
    return 1;
}

void gr_vmobj_foreach_resident(const gr_vmobj *o, gr_vmobj_page_fn fn, void *arg)
{
    for (uint64_t s = 0; s < o->res.cap; s++)
        if (o->res.keys[s] != EMPTY && !fn(arg, o->res.keys[s], o->res.vals[s]))
            return;
}

uint64_t gr_vmobj_compressed(const gr_vmobj *o) { return o->comp.count; }
gr_vmobj_purge gr_vmobj_purgeable(const gr_vmobj *o) { return o->purge; }

int gr_vmobj_set_purgeable(gr_vmobj *o, gr_vmobj_purge st)
{
    if (st == GR_VMOBJ_PURGE_VOLATILE && o->purge == GR_VMOBJ_PURGE_DENY)
        return -1;
    o->purge = st;
    return 0;
}

const char *gr_vmobj_purge_name(gr_vmobj_purge st)
{
    static const char *const names[] = {
#define GR_VMOBJ_PURGE_NAME_(e, n) n,
        GR_VMOBJ_PURGE_STATES(GR_VMOBJ_PURGE_NAME_)
#undef GR_VMOBJ_PURGE_NAME_
    };
    return (unsigned)st < sizeof names / sizeof names[0] ? names[st] : "?";
}

uint64_t gr_vmobj_find(gr_vmobj *o, uint64_t idx, gr_vmobj **where,
                       uint64_t *widx)
{
    uint64_t val;
    return gr_vmobj_locate(o, idx, where, widx, &val) == GR_VMOBJ_RESIDENT ? val
                                                                          : GR_VMOBJ_NOPAGE;
}

int gr_vmobj_pagein(gr_vmobj *o, uint64_t idx, uint64_t *pa)
{
    uint64_t pg = 1ull << o->shift, off = idx << o->shift;
    if (o->kind == GR_VMOBJ_DEVICE)
        return GR_VMOBJ_IOERR;
    if (o->kind == GR_VMOBJ_VNODE && off >= o->fsize)
        return GR_VMOBJ_EOF;
    /* A file page is zeroed first so the tail past EOF reads as zero. */
    if (gr_vmpage_alloc(o->env.pages, o->shift, GR_VMPAGE_Q_ACTIVE, true, pa))
        return GR_VMOBJ_NOMEM;
    if (o->kind == GR_VMOBJ_VNODE) {
        uint8_t buf[1u << 14];
        uint64_t n = o->fsize - off < pg ? o->fsize - off : pg;
        ssize_t got = pread(o->fd, buf, n, (off_t)off);
        if (got < 0 || gr_pmem_load(o->env.mem, *pa, buf, (size_t)got)) {
            gr_vmpage_free(o->env.pages, *pa);
            return GR_VMOBJ_IOERR;
        }
        if (o->env.stats)
            o->env.stats->pageins++;
    }
    if (gr_vmobj_insert(o, idx, *pa)) {
        gr_vmpage_free(o->env.pages, *pa);
        return GR_VMOBJ_NOMEM;
    }
    return GR_VMOBJ_OK;
}

void gr_vmobj_discard(gr_vmobj *o, uint64_t first, uint64_t last)
{
    if (o->kind == GR_VMOBJ_DEVICE)
        return;
    for (uint64_t s = 0; o->comp.count && s < o->comp.cap;) {
        uint64_t k = o->comp.keys[s];
        if (k != EMPTY && k >= first && k < last) {
            drop_handle(o, o->comp.vals[s]);
            pt_remove_slot(&o->comp, s);
        } else {
            s++;
        }
    }
    if (!o->res.count)
        return;
    if (last - first < o->res.count) {
        for (uint64_t i = first; i < last; i++) {
            uint64_t s = pt_slot(&o->res, i);
            if (o->res.keys[s] == i) {
                gr_vmpage_free(o->env.pages, o->res.vals[s]);
                pt_remove_slot(&o->res, s);
            }
        }
        return;
    }
    for (uint64_t s = 0; s < o->res.cap;) {
        uint64_t k = o->res.keys[s];
        if (k != EMPTY && k >= first && k < last) {
            gr_vmpage_free(o->env.pages, o->res.vals[s]);
            pt_remove_slot(&o->res, s); /* slot s may now hold a shifted key */
        } else {
            s++;
        }
    }
}

int64_t gr_vmobj_sync(gr_vmobj *o)
{
    if (o->kind != GR_VMOBJ_VNODE)
        return 0;
    int64_t n = 0;
    uint8_t buf[1u << 14];
    for (uint64_t s = 0; s < o->res.cap; s++) {
        if (o->res.keys[s] == EMPTY)
            continue;
        gr_vmpage_frame *fr = gr_vmpage_meta(o->env.pages, o->res.vals[s]);
        if (!fr || !fr->dirty)
            continue;
        uint64_t off = o->res.keys[s] << o->shift, pg = 1ull << o->shift;
        if (off < o->fsize) {
            uint64_t len = o->fsize - off < pg ? o->fsize - off : pg;
            if (!o->fwritable || gr_pmem_dump(o->env.mem, o->res.vals[s], buf, len) ||
                pwrite(o->fd, buf, len, (off_t)off) != (ssize_t)len)
                return -1;
            if (o->env.stats)
                o->env.stats->pageouts++;
            n++;
        }
        /* The page stays dirty: other tasks may hold writable mappings of
         * it, and without reverse maps they cannot all be made read-only
         * again, so a later sync writes it again. */
    }
    return n;
}

/* ---- references, shadows, collapse ---- */

static void link_shadow(gr_vmobj *o, gr_vmobj *backing, uint64_t off)
{
    o->shadow = backing;
    o->shadow_off = off;
    o->sh_prev = NULL;
    o->sh_next = backing->shadowers;
    if (o->sh_next)
        o->sh_next->sh_prev = o;
    backing->shadowers = o;
}

static void unlink_shadow(gr_vmobj *o)
{
    gr_vmobj *b = o->shadow;
    if (!b)
        return;
    if (o->sh_prev)
        o->sh_prev->sh_next = o->sh_next;
    else
        b->shadowers = o->sh_next;
    if (o->sh_next)
        o->sh_next->sh_prev = o->sh_prev;
    o->sh_next = o->sh_prev = NULL;
    o->shadow = NULL;
}

gr_vmobj *gr_vmobj_shadow(gr_vmobj *backing, uint64_t off, uint64_t size)
{
    gr_vmobj *o = alloc_obj(&backing->env, GR_VMOBJ_ANON, backing->shift, size);
    if (!o)
        return NULL;
    link_shadow(o, backing, off);
    return o;
}

void gr_vmobj_ref(gr_vmobj *o)
{
    o->refs++;
}

static void free_pages(gr_vmobj *o)
{
    drop_all_compressed(o);
    for (uint64_t s = 0; s < o->res.cap; s++)
        if (o->res.keys[s] != EMPTY)
            gr_vmpage_free(o->env.pages, o->res.vals[s]);
    pt_free(&o->res);
}

static void destroy_struct(gr_vmobj *o)
{
    if (o->env.stats)
        o->env.stats->objects--;
    if (o->fd >= 0)
        close(o->fd);
    free(o->path);
    if (o->env.zone)
        gr_vmzone_free(o->env.zone, o);
    else
        free(o);
}

size_t gr_vmobj_struct_size(void)
{
    return sizeof(gr_vmobj);
}

/* b is anonymous, referenced once, by its only shadower o: move b's pages
 * that o lacks (and that fall inside o) up into o, free the others, and
 * let o take over b's own shadow. */
static void collapse_into(gr_vmobj *o, gr_vmobj *b)
{
    uint64_t base = o->shadow_off >> o->shift, n = o->size >> o->shift;
    for (uint64_t s = 0; s < b->res.cap; s++) {
        uint64_t k = b->res.keys[s];
        if (k == EMPTY)
            continue;
        uint64_t pa = b->res.vals[s];
        if (k >= base && k - base < n && gr_vmobj_lookup(o, k - base) == GR_VMOBJ_NOPAGE &&
            clookup(o, k - base) == GR_VMOBJ_NOPAGE && gr_vmobj_insert(o, k - base, pa) == 0) {
            if (o->env.stats)
                o->env.stats->collapse_moved++;
        } else {
            gr_vmpage_free(b->env.pages, pa);
            if (o->env.stats)
                o->env.stats->collapse_freed++;
        }
    }
    pt_free(&b->res);
    /* Compressed pages move up on the same terms as resident ones. */
    for (uint64_t s = 0; s < b->comp.cap; s++) {
        uint64_t k = b->comp.keys[s];
        if (k == EMPTY)
            continue;
        if (k >= base && k - base < n && gr_vmobj_lookup(o, k - base) == GR_VMOBJ_NOPAGE &&
            clookup(o, k - base) == GR_VMOBJ_NOPAGE && cinsert(o, k - base, b->comp.vals[s]) == 0)
            continue;
        drop_handle(b, b->comp.vals[s]);
    }
    pt_free(&b->comp);
    uint64_t off = o->shadow_off;
    unlink_shadow(o);
    gr_vmobj *bb = b->shadow;
    if (bb) {
        uint64_t boff = b->shadow_off;
        unlink_shadow(b); /* b's reference on bb passes to o */
        link_shadow(o, bb, off + boff);
    }
    if (o->env.stats)
        o->env.stats->collapses++;
    destroy_struct(b);
}

static bool collapsible(const gr_vmobj *o)
{
    const gr_vmobj *b = o->shadow;
    return b && b->kind == GR_VMOBJ_ANON && b->refs == 1 &&
           b->shadowers == o && !o->sh_next;
}

bool gr_vmobj_collapse(gr_vmobj *o)
{
    bool any = false;
    while (collapsible(o)) {
        collapse_into(o, o->shadow);
        any = true;
    }
    return any;
}

void gr_vmobj_release(gr_vmobj *o)
{
    while (o) {
        if (o->refs > 1) {
            o->refs--;
            /* The last reference left may be a lone shadow's: merge. */
            if (o->refs == 1 && o->shadowers && !o->shadowers->sh_next &&
                o->kind == GR_VMOBJ_ANON)
                gr_vmobj_collapse(o->shadowers);
            return;
        }
        gr_vmobj_sync(o);
        free_pages(o);
        gr_vmobj *b = o->shadow;
        unlink_shadow(o);
        destroy_struct(o);
        o = b; /* drop the reference o held on its shadow */
    }
}

void gr_vmobj_empty(gr_vmobj *o)
{
    free_pages(o);
}

gr_vmobj_kind gr_vmobj_kind_of(const gr_vmobj *o) { return o->kind; }
unsigned gr_vmobj_page_shift(const gr_vmobj *o) { return o->shift; }
uint64_t gr_vmobj_size(const gr_vmobj *o) { return o->size; }
uint32_t gr_vmobj_refs(const gr_vmobj *o) { return o->refs; }
uint64_t gr_vmobj_resident(const gr_vmobj *o) { return o->res.count; }
gr_vmobj *gr_vmobj_backing(const gr_vmobj *o) { return o->shadow; }
uint64_t gr_vmobj_backing_offset(const gr_vmobj *o) { return o->shadow_off; }
const char *gr_vmobj_path(const gr_vmobj *o) { return o->path; }
uint64_t gr_vmobj_file_size(const gr_vmobj *o) { return o->fsize; }
bool gr_vmobj_writable_file(const gr_vmobj *o) { return o->fwritable; }
uint64_t gr_vmobj_id(const gr_vmobj *o) { return o->id; }
bool gr_vmobj_shadowed(const gr_vmobj *o) { return o->shadowers != NULL; }

unsigned gr_vmobj_chain_length(const gr_vmobj *o)
{
    unsigned n = 0;
    for (; o; o = o->shadow)
        n++;
    return n;
}
