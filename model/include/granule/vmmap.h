/*
 * granule — address-space maps: the entries of one task (prefix gr_vmmap_;
 * XNU's vm_map / vm_map_entry).
 *
 * A map is a sorted array of non-overlapping entries [start, end), each
 * with protection and maximum protection, inheritance, a backing VM object
 * and offset, and the copy-on-write flag needs_copy (the object is shared
 * with another entry and must be shadowed before the first write, as
 * vm_map_copy's symmetric strategy does). The map holds one object
 * reference per entry; clipping an entry in two takes a second reference.
 *
 * Entry pointers stay valid until the next insert, clip or delete.
 */
#ifndef GRANULE_VMMAP_H
#define GRANULE_VMMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "granule/vmobj.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    GR_INHERIT_COPY = 0,  /* child gets a copy-on-write copy (default) */
    GR_INHERIT_SHARE = 1, /* child shares the same object */
    GR_INHERIT_NONE = 2   /* child gets nothing there */
} gr_inherit;

/* X(ENUM, "vmmap REGION TYPE") — what a region is, for reports. */
#define GR_VMMAP_TAGS(X)                   \
    X(PAGEZERO, "__PAGEZERO")              \
    X(TEXT, "__TEXT")                      \
    X(DATA, "__DATA")                      \
    X(LINKEDIT, "__LINKEDIT")              \
    X(MALLOC, "MALLOC")                    \
    X(STACK, "Stack")                      \
    X(GUARD, "STACK GUARD")                \
    X(SHARED_CACHE, "dyld shared cache")   \
    X(MAPPED_FILE, "mapped file")          \
    X(ANON, "VM_ALLOCATE")                 \
    X(DEVICE, "IOKit")

typedef enum {
#define GR_VMMAP_TAG_ENUM_(e, s) GR_VMMAP_TAG_##e,
    GR_VMMAP_TAGS(GR_VMMAP_TAG_ENUM_)
#undef GR_VMMAP_TAG_ENUM_
        GR_VMMAP_TAG_COUNT_
} gr_vmmap_tag;

/*! gr_vmmap_tag_name() : "__TEXT", "MALLOC", ... */
const char *gr_vmmap_tag_name(gr_vmmap_tag t);

typedef struct gr_vmmap_entry {
    uint64_t start, end;  /* page aligned, start < end */
    unsigned prot, max_prot; /* GR_PROT_* */
    gr_inherit inherit;
    gr_vmobj *obj;        /* NULL: reserved, nothing can be mapped */
    uint64_t offset;      /* byte offset of start in obj */
    bool needs_copy;      /* shadow obj before the first write */
    bool shared;          /* MAP_SHARED: writes go to obj itself */
    bool grows_down;      /* a stack: faults just below extend it */
    uint8_t tag;          /* gr_vmmap_tag */
    uint32_t wired;       /* wire (mlock) count of the whole entry */
} gr_vmmap_entry;

typedef struct gr_vmmap gr_vmmap;

/*! gr_vmmap_create() : an empty map for [min, max). */
gr_vmmap *gr_vmmap_create(uint64_t min, uint64_t max);

/*! gr_vmmap_destroy() : releases every entry's object. NULL is a no-op. */
void gr_vmmap_destroy(gr_vmmap *m);

/*! gr_vmmap_lookup() : @return the entry containing va, or NULL. */
gr_vmmap_entry *gr_vmmap_lookup(gr_vmmap *m, uint64_t va);

/*! gr_vmmap_insert() : adds a copy of e; the map takes over the caller's
 *  object reference. @return 0, -1 if [start, end) is outside the map or
 *  overlaps an entry (nothing changes; the reference stays the caller's),
 *  -2 on host memory exhaustion. */
int gr_vmmap_insert(gr_vmmap *m, const gr_vmmap_entry *e);

/*! gr_vmmap_is_free() : [start, end) is inside the map and overlaps nothing. */
bool gr_vmmap_is_free(const gr_vmmap *m, uint64_t start, uint64_t end);

/*! gr_vmmap_find_space() : the lowest address >= lo, aligned to align (a
 *  power of two), such that [addr, addr+size) is free and ends <= hi.
 *  @return 0 with *addr, or -1 if no such hole. */
int gr_vmmap_find_space(const gr_vmmap *m, uint64_t size, uint64_t align,
                        uint64_t lo, uint64_t hi, uint64_t *addr);

/*! gr_vmmap_clip() : splits the entry containing va so that va starts an
 *  entry (vm_map_clip_start). No-op if va is a boundary or unmapped.
 *  @return 0 or -2 on host memory exhaustion. */
int gr_vmmap_clip(gr_vmmap *m, uint64_t va);

/* Called for each entry inside the range before it is removed. */
typedef void (*gr_vmmap_delete_fn)(void *arg, gr_vmmap_entry *e);

/*! gr_vmmap_delete() : clips at start and end, calls fn (may be NULL) for
 *  each entry inside, then removes them and releases their objects.
 *  @return the number of entries removed, or -2 on host memory
 *  exhaustion (nothing removed). */
int gr_vmmap_delete(gr_vmmap *m, uint64_t start, uint64_t end,
                    gr_vmmap_delete_fn fn, void *arg);

/*! gr_vmmap_count()/gr_vmmap_at() : entries in address order. */
unsigned gr_vmmap_count(const gr_vmmap *m);
gr_vmmap_entry *gr_vmmap_at(gr_vmmap *m, unsigned i);

/*! gr_vmmap_size() : sum of entry sizes (VSZ). */
uint64_t gr_vmmap_size(const gr_vmmap *m);

uint64_t gr_vmmap_min(const gr_vmmap *m);
uint64_t gr_vmmap_max(const gr_vmmap *m);

#ifdef __cplusplus
}
#endif
#endif
