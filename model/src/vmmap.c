/*
 * Address-space map as a sorted array with a lookup hint: tasks have tens
 * to hundreds of entries, and the fault path mostly hits the entry it hit
 * last (vm_map's "hint" does the same).
 */
#include "granule/vmmap.h"

#include <stdlib.h>
#include <string.h>

struct gr_vmmap {
    uint64_t min, max;
    gr_vmmap_entry *e;
    unsigned n, cap, hint;
};

const char *gr_vmmap_tag_name(gr_vmmap_tag t)
{
    static const char *const names[] = {
#define GR_VMMAP_TAG_NAME_(e, s) s,
        GR_VMMAP_TAGS(GR_VMMAP_TAG_NAME_)
#undef GR_VMMAP_TAG_NAME_
    };
    return (unsigned)t < GR_VMMAP_TAG_COUNT_ ? names[t] : "?";
}

gr_vmmap *gr_vmmap_create(uint64_t min, uint64_t max)
{
    if (min >= max)
        return NULL;
    gr_vmmap *m = calloc(1, sizeof *m);
    if (m) {
        m->min = min;
        m->max = max;
    }
    return m;
}

void gr_vmmap_destroy(gr_vmmap *m)
{
    if (!m)
        return;
    for (unsigned i = 0; i < m->n; i++)
        gr_vmobj_release(m->e[i].obj);
    free(m->e);
    free(m);
}

/* Index of the first entry with end > va (m->n if none). */
static unsigned first_after(const gr_vmmap *m, uint64_t va)
{
    unsigned lo = 0, hi = m->n;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (m->e[mid].end <= va)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

gr_vmmap_entry *gr_vmmap_lookup(gr_vmmap *m, uint64_t va)
{
    if (m->hint < m->n) {
        gr_vmmap_entry *h = &m->e[m->hint];
        if (va >= h->start && va < h->end)
            return h;
    }
    unsigned i = first_after(m, va);
    if (i < m->n && m->e[i].start <= va) {
        m->hint = i;
        return &m->e[i];
    }
    return NULL;
}

bool gr_vmmap_is_free(const gr_vmmap *m, uint64_t start, uint64_t end)
{
    if (start >= end || start < m->min || end > m->max)
        return false;
    unsigned i = first_after(m, start);
    return i == m->n || m->e[i].start >= end;
}

static int reserve(gr_vmmap *m)
{
    if (m->n < m->cap)
        return 0;
    unsigned cap = m->cap ? 2 * m->cap : 16;
    gr_vmmap_entry *n = realloc(m->e, cap * sizeof *n);
    if (!n)
        return -2;
    m->e = n;
    m->cap = cap;
    return 0;
}

int gr_vmmap_insert(gr_vmmap *m, const gr_vmmap_entry *e)
{
    if (!gr_vmmap_is_free(m, e->start, e->end))
        return -1;
    if (reserve(m))
        return -2;
    unsigned i = first_after(m, e->start);
    memmove(&m->e[i + 1], &m->e[i], (m->n - i) * sizeof *m->e);
    m->e[i] = *e;
    m->n++;
    m->hint = i;
    return 0;
}

int gr_vmmap_find_space(const gr_vmmap *m, uint64_t size, uint64_t align,
                        uint64_t lo, uint64_t hi, uint64_t *addr)
{
    if (size == 0 || !align || (align & (align - 1)))
        return -1;
    if (lo < m->min)
        lo = m->min;
    if (hi > m->max)
        hi = m->max;
    uint64_t a = (lo + align - 1) & ~(align - 1);
    for (unsigned i = first_after(m, a); a >= lo; i++) {
        uint64_t next = i < m->n ? m->e[i].start : hi;
        if (next > hi)
            next = hi;
        if (a + size >= a && a + size <= next) {
            *addr = a;
            return 0;
        }
        if (i >= m->n || m->e[i].start >= hi)
            return -1;
        a = (m->e[i].end + align - 1) & ~(align - 1);
    }
    return -1;
}

int gr_vmmap_clip(gr_vmmap *m, uint64_t va)
{
    unsigned i = first_after(m, va);
    if (i == m->n || m->e[i].start >= va)
        return 0;
    if (reserve(m))
        return -2;
    memmove(&m->e[i + 1], &m->e[i], (m->n - i) * sizeof *m->e);
    m->n++;
    gr_vmmap_entry *a = &m->e[i], *b = &m->e[i + 1];
    b->offset += va - a->start;
    b->start = va;
    a->end = va;
    if (b->obj)
        gr_vmobj_ref(b->obj);
    return 0;
}

int gr_vmmap_delete(gr_vmmap *m, uint64_t start, uint64_t end,
                    gr_vmmap_delete_fn fn, void *arg)
{
    if (start >= end)
        return 0;
    if (gr_vmmap_clip(m, start) || gr_vmmap_clip(m, end))
        return -2;
    unsigned i = first_after(m, start), j = i;
    while (j < m->n && m->e[j].start < end)
        j++;
    for (unsigned k = i; k < j; k++) {
        if (fn)
            fn(arg, &m->e[k]);
        gr_vmobj_release(m->e[k].obj);
    }
    memmove(&m->e[i], &m->e[j], (m->n - j) * sizeof *m->e);
    m->n -= j - i;
    m->hint = 0;
    return (int)(j - i);
}

unsigned gr_vmmap_count(const gr_vmmap *m)
{
    return m->n;
}

gr_vmmap_entry *gr_vmmap_at(gr_vmmap *m, unsigned i)
{
    return i < m->n ? &m->e[i] : NULL;
}

uint64_t gr_vmmap_size(const gr_vmmap *m)
{
    uint64_t s = 0;
    for (unsigned i = 0; i < m->n; i++)
        s += m->e[i].end - m->e[i].start;
    return s;
}

uint64_t gr_vmmap_min(const gr_vmmap *m) { return m->min; }
uint64_t gr_vmmap_max(const gr_vmmap *m) { return m->max; }
