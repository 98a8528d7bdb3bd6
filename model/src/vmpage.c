/*
 * Buddy allocator over 4 KiB frames (orders 0..2) with one metadata record
 * per frame and intrusive queues. Free blocks sit on one list per order;
 * allocated blocks on the list of their queue.
 */
#include "granule/vmpage.h"

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
#define NLISTS (GR_VMPAGE_Q_COUNT_ + GR_VMPAGE_MAX_ORDER + 1)

/* Reverse-map entry: one (pmap, va) translation of a block. */
typedef struct pv_entry {
    void *pmap;
    uint64_t va;
    uint32_t next;
} pv_entry;

struct gr_vmpage {
    gr_pmem *mem;
    uint64_t base, size;
    uint32_t nframes;
    gr_vmpage_frame *f;
    uint32_t head[NLISTS], tail[NLISTS];
    uint64_t bytes[GR_VMPAGE_Q_COUNT_];
    pv_entry *pv;      /* pool; free entries chained from pv_free */
    uint32_t npv, pv_cap, pv_free;
};

static unsigned list_of(const gr_vmpage_frame *fr)
{
    return fr->queue == GR_VMPAGE_Q_FREE ? GR_VMPAGE_Q_COUNT_ + fr->order
                                         : fr->queue;
}

static void unlink_frame(gr_vmpage *a, uint32_t i)
{
    gr_vmpage_frame *fr = &a->f[i];
    if (fr->qprev != NIL)
        a->f[fr->qprev].qnext = fr->qnext;
    else
        a->head[list_of(fr)] = fr->qnext;
    if (fr->qnext != NIL)
        a->f[fr->qnext].qprev = fr->qprev;
    else
        a->tail[list_of(fr)] = fr->qprev;
    fr->qnext = fr->qprev = NIL;
    a->bytes[fr->queue] -= (uint64_t)1 << (GR_VMPAGE_SHIFT + fr->order);
}

/* Free lists push at the head (LIFO: recently freed, cache-warm blocks
 * first); page queues append at the tail (FIFO: the head is the block that
 * joined longest ago, which is what the pageout daemon ages). */
static void link_frame(gr_vmpage *a, uint32_t i, gr_vmpage_queue q)
{
    gr_vmpage_frame *fr = &a->f[i];
    fr->queue = (uint8_t)q;
    unsigned l = list_of(fr);
    if (q == GR_VMPAGE_Q_FREE) {
        fr->qprev = NIL;
        fr->qnext = a->head[l];
        if (fr->qnext != NIL)
            a->f[fr->qnext].qprev = i;
        else
            a->tail[l] = i;
        a->head[l] = i;
    } else {
        fr->qnext = NIL;
        fr->qprev = a->tail[l];
        if (fr->qprev != NIL)
            a->f[fr->qprev].qnext = i;
        else
            a->head[l] = i;
        a->tail[l] = i;
    }
    a->bytes[q] += (uint64_t)1 << (GR_VMPAGE_SHIFT + fr->order);
}

gr_vmpage *gr_vmpage_create(gr_pmem *mem, uint64_t base, uint64_t size)
{
    const uint64_t blk = 1ull << (GR_VMPAGE_SHIFT + GR_VMPAGE_MAX_ORDER);
    if (!mem || size == 0 || (base | size) & (blk - 1) ||
        (size >> GR_VMPAGE_SHIFT) >= NIL || base + size < base)
        return NULL;
    gr_vmpage *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->mem = mem;
    a->base = base;
    a->size = size;
    a->nframes = (uint32_t)(size >> GR_VMPAGE_SHIFT);
    a->f = calloc(a->nframes, sizeof *a->f);
    if (!a->f) {
        free(a);
        return NULL;
    }
    for (unsigned l = 0; l < NLISTS; l++)
        a->head[l] = a->tail[l] = NIL;
    a->pv_free = NIL;
    for (uint32_t i = 0; i < a->nframes; i++) {
        a->f[i].pristine = true;
        a->f[i].qnext = a->f[i].qprev = NIL;
        a->f[i].pv = NIL;
    }
    /* Insert from the top so the lowest block is allocated first. */
    for (uint32_t i = a->nframes; i > 0;) {
        i -= 1u << GR_VMPAGE_MAX_ORDER;
        a->f[i].order = GR_VMPAGE_MAX_ORDER;
        link_frame(a, i, GR_VMPAGE_Q_FREE);
    }
    return a;
}

void gr_vmpage_destroy(gr_vmpage *a)
{
    if (!a)
        return;
    free(a->f);
    free(a->pv);
    free(a);
}

int gr_vmpage_alloc(gr_vmpage *a, unsigned shift, gr_vmpage_queue q, bool zero,
                    uint64_t *pa)
{
    if (shift < GR_VMPAGE_SHIFT || shift > GR_VMPAGE_SHIFT + GR_VMPAGE_MAX_ORDER ||
        q == GR_VMPAGE_Q_FREE || q >= GR_VMPAGE_Q_COUNT_)
        return -1;
    unsigned want = shift - GR_VMPAGE_SHIFT, o = want;
    while (o <= GR_VMPAGE_MAX_ORDER && a->head[GR_VMPAGE_Q_COUNT_ + o] == NIL)
        o++;
    if (o > GR_VMPAGE_MAX_ORDER)
        return -1;
    uint32_t i = a->head[GR_VMPAGE_Q_COUNT_ + o];
    unlink_frame(a, i);
    /* Split: keep the low half, free the high half (its buddy). */
    while (o > want) {
        o--;
        uint32_t b = i + (1u << o);
        a->f[b].order = (uint8_t)o;
        link_frame(a, b, GR_VMPAGE_Q_FREE);
    }
    bool pristine = true;
    for (uint32_t k = 0; k < (1u << want); k++) {
        pristine &= a->f[i + k].pristine;
        a->f[i + k].pristine = false;
    }
    gr_vmpage_frame *fr = &a->f[i];
    fr->order = (uint8_t)want;
    fr->owner = NULL;
    fr->offset = 0;
    fr->wire_count = 0;
    fr->dirty = false;
    link_frame(a, i, q);
    *pa = a->base + ((uint64_t)i << GR_VMPAGE_SHIFT);
    if (zero && !pristine &&
        gr_pmem_zero(a->mem, *pa, (size_t)1 << shift) != GR_PMEM_OK) {
        gr_vmpage_free(a, *pa);
        return -1;
    }
    return 0;
}

static int index_of(const gr_vmpage *a, uint64_t pa, uint32_t *i)
{
    if (pa < a->base || pa - a->base >= a->size ||
        (pa & ((1u << GR_VMPAGE_SHIFT) - 1)))
        return -1;
    *i = (uint32_t)((pa - a->base) >> GR_VMPAGE_SHIFT);
    return 0;
}

void gr_vmpage_free(gr_vmpage *a, uint64_t pa)
{
    uint32_t i;
    if (!a || index_of(a, pa, &i) || a->f[i].queue == GR_VMPAGE_Q_FREE)
        return;
    unlink_frame(a, i);
    unsigned o = a->f[i].order;
    a->f[i].owner = NULL;
    a->f[i].wire_count = 0;
    while (o < GR_VMPAGE_MAX_ORDER) {
        uint32_t b = i ^ (1u << o);
        gr_vmpage_frame *bf = &a->f[b];
        if (bf->queue != GR_VMPAGE_Q_FREE || bf->order != o)
            break;
        unlink_frame(a, b);
        i &= ~(1u << o);
        o++;
    }
    a->f[i].order = (uint8_t)o;
    link_frame(a, i, GR_VMPAGE_Q_FREE);
}

gr_vmpage_frame *gr_vmpage_meta(gr_vmpage *a, uint64_t pa)
{
    uint32_t i;
    return index_of(a, pa, &i) ? NULL : &a->f[i];
}

void gr_vmpage_set_queue(gr_vmpage *a, uint64_t pa, gr_vmpage_queue q)
{
    uint32_t i;
    if (index_of(a, pa, &i) || a->f[i].queue == GR_VMPAGE_Q_FREE ||
        q == GR_VMPAGE_Q_FREE || q >= GR_VMPAGE_Q_COUNT_ || a->f[i].queue == q)
        return;
    unlink_frame(a, i);
    link_frame(a, i, q);
}

void gr_vmpage_wire(gr_vmpage *a, uint64_t pa)
{
    gr_vmpage_frame *fr = gr_vmpage_meta(a, pa);
    if (!fr || fr->queue == GR_VMPAGE_Q_FREE)
        return;
    if (fr->wire_count++ == 0 && fr->queue != GR_VMPAGE_Q_PTP)
        gr_vmpage_set_queue(a, pa, GR_VMPAGE_Q_WIRED);
}

void gr_vmpage_unwire(gr_vmpage *a, uint64_t pa)
{
    gr_vmpage_frame *fr = gr_vmpage_meta(a, pa);
    if (!fr || fr->queue == GR_VMPAGE_Q_FREE || fr->wire_count == 0)
        return;
    if (--fr->wire_count == 0 && fr->queue == GR_VMPAGE_Q_WIRED)
        gr_vmpage_set_queue(a, pa, GR_VMPAGE_Q_ACTIVE);
}

uint64_t gr_vmpage_count(const gr_vmpage *a, gr_vmpage_queue q)
{
    return q < GR_VMPAGE_Q_COUNT_ ? a->bytes[q] : 0;
}

uint64_t gr_vmpage_total(const gr_vmpage *a)
{
    return a->size;
}

uint64_t gr_vmpage_base(const gr_vmpage *a)
{
    return a->base;
}

const char *gr_vmpage_queue_name(gr_vmpage_queue q)
{
    static const char *const names[] = {
#define GR_VMPAGE_Q_NAME_(e, n) n,
        GR_VMPAGE_QUEUES(GR_VMPAGE_Q_NAME_)
#undef GR_VMPAGE_Q_NAME_
    };
    return q < GR_VMPAGE_Q_COUNT_ ? names[q] : "?";
}

uint64_t gr_vmpage_first(const gr_vmpage *a, gr_vmpage_queue q)
{
    if (q >= GR_VMPAGE_Q_COUNT_ || q == GR_VMPAGE_Q_FREE || a->head[q] == NIL)
        return UINT64_MAX;
    return a->base + ((uint64_t)a->head[q] << GR_VMPAGE_SHIFT);
}

uint64_t gr_vmpage_next(const gr_vmpage *a, uint64_t pa)
{
    uint32_t i;
    if (index_of(a, pa, &i) || a->f[i].qnext == NIL)
        return UINT64_MAX;
    return a->base + ((uint64_t)a->f[i].qnext << GR_VMPAGE_SHIFT);
}

/* ---- reverse maps ---- */

int gr_vmpage_pv_add(gr_vmpage *a, uint64_t pa, void *pmap, uint64_t va)
{
    uint32_t i;
    if (index_of(a, pa, &i))
        return -1;
    if (a->pv_free == NIL) {
        if (a->npv == a->pv_cap) {
            uint32_t cap = a->pv_cap ? 2 * a->pv_cap : 1024;
            pv_entry *n = realloc(a->pv, cap * sizeof *n);
            if (!n)
                return -1;
            a->pv = n;
            a->pv_cap = cap;
        }
        a->pv_free = a->npv++;
        a->pv[a->pv_free].next = NIL;
    }
    uint32_t e = a->pv_free;
    a->pv_free = a->pv[e].next;
    a->pv[e] = (pv_entry){pmap, va, a->f[i].pv};
    a->f[i].pv = e;
    return 0;
}

void gr_vmpage_pv_remove(gr_vmpage *a, uint64_t pa, void *pmap, uint64_t va)
{
    uint32_t i;
    if (index_of(a, pa, &i))
        return;
    for (uint32_t *link = &a->f[i].pv; *link != NIL; link = &a->pv[*link].next) {
        uint32_t e = *link;
        if (a->pv[e].pmap == pmap && a->pv[e].va == va) {
            *link = a->pv[e].next;
            a->pv[e].next = a->pv_free;
            a->pv_free = e;
            return;
        }
    }
}

void gr_vmpage_pv_foreach(gr_vmpage *a, uint64_t pa, gr_vmpage_pv_fn fn, void *arg)
{
    uint32_t i;
    if (index_of(a, pa, &i))
        return;
    for (uint32_t e = a->f[i].pv; e != NIL;) {
        uint32_t next = a->pv[e].next; /* fn may remove e */
        if (!fn(arg, a->pv[e].pmap, a->pv[e].va))
            return;
        e = next;
    }
}

unsigned gr_vmpage_pv_count(const gr_vmpage *a, uint64_t pa)
{
    uint32_t i;
    unsigned n = 0;
    if (index_of(a, pa, &i))
        return 0;
    for (uint32_t e = a->f[i].pv; e != NIL; e = a->pv[e].next)
        n++;
    return n;
}
