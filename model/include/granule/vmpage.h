/*
 * granule — physical page allocator of the VM layer (prefix gr_vmpage_).
 *
 * Manages the frames of one RAM range inside gr_pmem. The unit is a 4 KiB
 * frame; a 16 KiB page (a 16K-granule task's page, or a 16K translation
 * table) is a naturally aligned block of four frames, so the allocator is a
 * buddy allocator with orders 0 (4K), 1 (8K) and 2 (16K). Every frame has a
 * metadata record (XNU's vm_page_t): owner and offset, wired count, the
 * queue it is on, dirty and "pristine" bits. A block's record is the one of
 * its first frame.
 *
 * Queues are intrusive doubly linked lists (free lists per order, active,
 * inactive, wired, page-table pages, speculative, throttled, compressor
 * segments) so the pageout daemon can age and move pages in O(1). Page
 * queues are FIFO (a block joins at the tail, gr_vmpage_first() is the
 * oldest); free lists are LIFO (the block freed last is reused first).
 *
 * Reverse maps (XNU's pv lists): every block records the (pmap, VA) pairs
 * that map it, so the pageout daemon can find and remove every
 * translation of a page it ages or evicts.
 *
 * Page contents live in gr_pmem, never here: a zero-filled page really reads
 * as zero bytes. A frame nobody has allocated since creation is "pristine":
 * gr_pmem never had a byte written there, so it already reads as zeros and
 * zero-filling it needs no write. Every other frame is zeroed with real
 * writes.
 */
#ifndef GRANULE_VMPAGE_H
#define GRANULE_VMPAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "granule/pmem.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_vmpage gr_vmpage;

#define GR_VMPAGE_SHIFT 12 /* allocation unit: 4 KiB */
#define GR_VMPAGE_MAX_ORDER 2

/* X(ENUM, "name") — the page queues (vm_page_queue_* in XNU). */
#define GR_VMPAGE_QUEUES(X)       \
    X(FREE, "free")               \
    X(ACTIVE, "active")           \
    X(INACTIVE, "inactive")       \
    X(WIRED, "wired")             \
    X(PTP, "pagetable")           \
    X(SPECULATIVE, "speculative") \
    X(THROTTLED, "throttled")     \
    X(COMPRESSOR, "compressor")

typedef enum {
#define GR_VMPAGE_Q_ENUM_(e, n) GR_VMPAGE_Q_##e,
    GR_VMPAGE_QUEUES(GR_VMPAGE_Q_ENUM_)
#undef GR_VMPAGE_Q_ENUM_
        GR_VMPAGE_Q_COUNT_
} gr_vmpage_queue;

/* Frame metadata (valid for a block's first frame). */
typedef struct gr_vmpage_frame {
    void *owner;         /* the VM object (or pmap) holding the page */
    uint64_t offset;     /* byte offset of the page in its owner */
    uint32_t wire_count; /* > 0: on the wired queue, never paged out */
    uint8_t queue;       /* gr_vmpage_queue */
    uint8_t order;       /* block size = 4K << order */
    bool dirty;          /* modified since read from its pager */
    bool pristine;       /* never allocated: pmem holds no bytes here */
    uint32_t qnext, qprev; /* queue links (frame indices) */
    uint32_t pv;         /* first reverse-map entry (internal) */
} gr_vmpage_frame;

/*! gr_vmpage_create() : an allocator for [base, base+size) of mem. base and
 *  size must be multiples of 16 KiB and the range must lie in a region of
 *  mem. @return NULL on bad arguments or host memory exhaustion. */
gr_vmpage *gr_vmpage_create(gr_pmem *mem, uint64_t base, uint64_t size);

/*! gr_vmpage_destroy() : NULL is a no-op. */
void gr_vmpage_destroy(gr_vmpage *a);

/*! gr_vmpage_alloc() : allocates a block of 1 << shift bytes (shift 12, 13
 *  or 14) naturally aligned, puts it on queue q with wire_count 0, owner
 *  NULL. With zero set, the block reads as zeros afterwards.
 *  @return 0 with *pa set, or -1 when no block is free (physical memory
 *  exhausted) or shift is unsupported. */
int gr_vmpage_alloc(gr_vmpage *a, unsigned shift, gr_vmpage_queue q, bool zero,
                    uint64_t *pa);

/*! gr_vmpage_free() : returns the block at pa (as allocated) to the free
 *  lists, merging buddies. Freeing a free or foreign address is ignored. */
void gr_vmpage_free(gr_vmpage *a, uint64_t pa);

/*! gr_vmpage_meta() : @return the metadata of the block at pa, or NULL if
 *  pa is outside the managed range. */
gr_vmpage_frame *gr_vmpage_meta(gr_vmpage *a, uint64_t pa);

/*! gr_vmpage_set_queue() : moves an allocated block to queue q. */
void gr_vmpage_set_queue(gr_vmpage *a, uint64_t pa, gr_vmpage_queue q);

/*! gr_vmpage_wire()/unwire() : wire count +1/-1; the block is on the wired
 *  queue while the count is non-zero and returns to active at zero. */
void gr_vmpage_wire(gr_vmpage *a, uint64_t pa);
void gr_vmpage_unwire(gr_vmpage *a, uint64_t pa);

/*! gr_vmpage_count() : bytes currently on queue q. */
uint64_t gr_vmpage_count(const gr_vmpage *a, gr_vmpage_queue q);

/*! gr_vmpage_total() : bytes managed. */
uint64_t gr_vmpage_total(const gr_vmpage *a);

/*! gr_vmpage_base() : first managed physical address. */
uint64_t gr_vmpage_base(const gr_vmpage *a);

/*! gr_vmpage_queue_name() : "free", "active", ... */
const char *gr_vmpage_queue_name(gr_vmpage_queue q);

/*! gr_vmpage_first()/next() : iterate the blocks on queue q (next returns
 *  UINT64_MAX after the last). For part 2's pageout scans and for tests. */
uint64_t gr_vmpage_first(const gr_vmpage *a, gr_vmpage_queue q);
uint64_t gr_vmpage_next(const gr_vmpage *a, uint64_t pa);

/*! gr_vmpage_pv_add() : records that pmap maps the block at pa at va.
 *  @return 0, or -1 (pa not managed, or host memory exhausted). */
int gr_vmpage_pv_add(gr_vmpage *a, uint64_t pa, void *pmap, uint64_t va);

/*! gr_vmpage_pv_remove() : forgets that mapping (absent: no-op). */
void gr_vmpage_pv_remove(gr_vmpage *a, uint64_t pa, void *pmap, uint64_t va);

/* Visitor: return false to stop. The visitor may remove the mapping it is
 * given (and only that one). */
typedef bool (*gr_vmpage_pv_fn)(void *arg, void *pmap, uint64_t va);

/*! gr_vmpage_pv_foreach() : calls fn for every mapping of the block at pa. */
void gr_vmpage_pv_foreach(gr_vmpage *a, uint64_t pa, gr_vmpage_pv_fn fn, void *arg);

/*! gr_vmpage_pv_count() : @return how many mappings the block at pa has. */
unsigned gr_vmpage_pv_count(const gr_vmpage *a, uint64_t pa);

#ifdef __cplusplus
}
#endif
#endif
