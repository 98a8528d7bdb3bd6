/*
 * granule — VM objects, their pagers and shadow chains (prefix gr_vmobj_).
 *
 * A VM object (XNU vm_object) is a range of pages that entries of one or
 * more address spaces map at an offset. Its pager says where a page that is
 * not resident comes from:
 *   ANON   default pager: zero fill on demand (part 2 adds compression/swap)
 *   VNODE  vnode pager: bytes read from a real host file; dirty pages are
 *          written back with gr_vmobj_sync()
 *   DEVICE device pager: fixed physical range, never paged, no frames
 * Copy-on-write is a chain: a shadow object sits in front of the object it
 * copies (vm_object_shadow); a lookup goes down the chain until a page is
 * found; a write copies the page into the top object. When an anonymous
 * object is referenced only by the one shadow in front of it, the two merge
 * (vm_object_collapse): pages the shadow lacks move up, the rest are freed.
 *
 * Objects are reference counted: map entries and shadows hold references.
 * Every resident page is a gr_vmpage block (4K or 16K, the object's page
 * size) whose metadata names this object and the page's offset.
 */
#ifndef GRANULE_VMOBJ_H
#define GRANULE_VMOBJ_H

#include <stdbool.h>
#include <stdint.h>

#include "granule/pmem.h"
#include "granule/vmpage.h"
#include "granule/vmzone.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_vmobj gr_vmobj;

typedef enum { GR_VMOBJ_ANON, GR_VMOBJ_VNODE, GR_VMOBJ_DEVICE } gr_vmobj_kind;

#define GR_VMOBJ_NOPAGE UINT64_MAX

/* Counters a system of objects shares (owned by the caller, updated here). */
typedef struct gr_vmobj_stats {
    uint64_t objects;      /* live objects */
    uint64_t created;      /* objects ever created (object ids) */
    uint64_t pageins;      /* pages read from a vnode pager */
    uint64_t pageouts;     /* pages written back to a vnode */
    uint64_t collapses;    /* shadow objects merged */
    uint64_t collapse_moved, collapse_freed; /* pages */
} gr_vmobj_stats;

/* What every object of one system shares. */
typedef struct gr_vmobj_env {
    gr_pmem *mem;
    gr_vmpage *pages;
    gr_vmobj_stats *stats; /* may be NULL */
    /* Called for every compressed page an object forgets (discard, death,
     * collapse), so the compressor frees its slot. May be NULL. */
    void (*drop_compressed)(void *ctx, uint64_t handle);
    void *drop_ctx;
    gr_vmzone *zone; /* objects come from this zone (NULL: the heap) */
} gr_vmobj_env;

/*! gr_vmobj_struct_size() : bytes of one object (the size of its zone's
 *  elements). */
size_t gr_vmobj_struct_size(void);

/* Purgeable states (XNU VM_PURGABLE_*): NONVOLATILE keeps its pages;
 * VOLATILE may be emptied under memory pressure; EMPTY was emptied (its
 * pages are gone and read as zeros again); DENY can never become
 * volatile. */
#define GR_VMOBJ_PURGE_STATES(X) \
    X(NONVOLATILE, "nonvolatile") \
    X(VOLATILE, "volatile")       \
    X(EMPTY, "empty")             \
    X(DENY, "deny")

typedef enum {
#define GR_VMOBJ_PURGE_ENUM_(e, n) GR_VMOBJ_PURGE_##e,
    GR_VMOBJ_PURGE_STATES(GR_VMOBJ_PURGE_ENUM_)
#undef GR_VMOBJ_PURGE_ENUM_
} gr_vmobj_purge;

/* Where a page of a shadow chain is (gr_vmobj_locate). */
typedef enum { GR_VMOBJ_ABSENT, GR_VMOBJ_RESIDENT, GR_VMOBJ_COMPRESSED } gr_vmobj_where;

/*! gr_vmobj_create_anon() : a zero-fill object of size bytes (a multiple of
 *  1 << page_shift; page_shift 12 or 14), one reference. @return NULL on
 *  bad arguments or host memory exhaustion. */
gr_vmobj *gr_vmobj_create_anon(const gr_vmobj_env *env, unsigned page_shift,
                               uint64_t size);

/*! gr_vmobj_create_vnode() : an object for the host file at path (opened
 *  read-write if possible, else read-only), size = file size rounded up to
 *  a page. @return NULL if the file cannot be opened (errno kept). */
gr_vmobj *gr_vmobj_create_vnode(const gr_vmobj_env *env, unsigned page_shift,
                                const char *path);

/*! gr_vmobj_create_device() : an object for physical [pa, pa+size), page
 *  aligned. @return NULL on bad arguments. */
gr_vmobj *gr_vmobj_create_device(const gr_vmobj_env *env, unsigned page_shift,
                                 uint64_t pa, uint64_t size);

/*! gr_vmobj_shadow() : a new anonymous object of size bytes in front of
 *  backing at byte offset off; the caller's reference to backing passes
 *  to the new object. @return NULL on host memory exhaustion (backing's
 *  reference is then still the caller's). */
gr_vmobj *gr_vmobj_shadow(gr_vmobj *backing, uint64_t off, uint64_t size);

/*! gr_vmobj_ref() : +1 reference. */
void gr_vmobj_ref(gr_vmobj *o);

/*! gr_vmobj_release() : -1 reference. At zero the object's dirty vnode
 *  pages are written back, its pages freed and its shadow released. When
 *  an anonymous object is left with one reference, held by a shadow, the
 *  two collapse. NULL is a no-op. */
void gr_vmobj_release(gr_vmobj *o);

/*! gr_vmobj_lookup() : @return the frame of page index idx if resident in
 *  o itself (for DEVICE: the device address), else GR_VMOBJ_NOPAGE. */
uint64_t gr_vmobj_lookup(const gr_vmobj *o, uint64_t idx);

/*! gr_vmobj_insert() : makes frame pa page idx of o (frame metadata owner
 *  and offset set). @return 0 or -1 (host memory exhausted). */
int gr_vmobj_insert(gr_vmobj *o, uint64_t idx, uint64_t pa);

/*! gr_vmobj_find() : looks idx up along the shadow chain starting at o.
 *  @return the frame, with *where = the object holding it and *widx its
 *  index there; or GR_VMOBJ_NOPAGE with *where = the bottom object of the
 *  chain and *widx the index there (the one whose pager must supply it). */
uint64_t gr_vmobj_find(gr_vmobj *o, uint64_t idx, gr_vmobj **where,
                       uint64_t *widx);

/*! gr_vmobj_locate() : like gr_vmobj_find(), but a page held compressed by
 *  an object of the chain also ends the search. @return RESIDENT (*val =
 *  frame), COMPRESSED (*val = compressor handle) or ABSENT; *where and *widx
 *  as for gr_vmobj_find(). */
gr_vmobj_where gr_vmobj_locate(gr_vmobj *o, uint64_t idx, gr_vmobj **where,
                               uint64_t *widx, uint64_t *val);

/*! gr_vmobj_set_compressed() : page idx of o leaves memory: its resident
 *  entry is removed (the caller frees the frame) and the compressor handle
 *  is recorded instead. @return 0 or -1 (host memory exhausted: nothing
 *  changed). */
int gr_vmobj_set_compressed(gr_vmobj *o, uint64_t idx, uint64_t handle);

/*! gr_vmobj_take_compressed() : removes page idx's compressor handle from
 *  o (the caller now owns it). @return 0 with *handle, -1 if none. */
int gr_vmobj_take_compressed(gr_vmobj *o, uint64_t idx, uint64_t *handle);

/*! gr_vmobj_remove_resident() : forgets resident page idx without freeing
 *  its frame (the pageout daemon frees it after unmapping). */
void gr_vmobj_remove_resident(gr_vmobj *o, uint64_t idx);

/*! gr_vmobj_write_page() : writes page idx (resident, VNODE) back to the
 *  file if its frame is dirty and clears the dirty bit. @return 1 written,
 *  0 nothing to write, -1 I/O error. */
int gr_vmobj_write_page(gr_vmobj *o, uint64_t idx);

/* Visitor over resident pages; return false to stop. */
typedef bool (*gr_vmobj_page_fn)(void *arg, uint64_t idx, uint64_t pa);

/*! gr_vmobj_foreach_resident() : calls fn for every resident page of o
 *  itself (not its shadow). fn must not change o. */
void gr_vmobj_foreach_resident(const gr_vmobj *o, gr_vmobj_page_fn fn, void *arg);

/*! gr_vmobj_empty() : drops every compressed page of o and frees every
 *  resident one (the caller has unmapped them); used by purging. */
void gr_vmobj_empty(gr_vmobj *o);

/*! gr_vmobj_compressed() : pages of o itself held by the compressor. */
uint64_t gr_vmobj_compressed(const gr_vmobj *o);

/*! gr_vmobj_purgeable()/set_purgeable() : purgeable state (new objects are
 *  NONVOLATILE). Setting VOLATILE on a DENY object fails (-1). */
gr_vmobj_purge gr_vmobj_purgeable(const gr_vmobj *o);
int gr_vmobj_set_purgeable(gr_vmobj *o, gr_vmobj_purge st);
const char *gr_vmobj_purge_name(gr_vmobj_purge st);

/* Results of gr_vmobj_pagein(). */
#define GR_VMOBJ_OK 0
#define GR_VMOBJ_NOMEM (-1)  /* no free frame */
#define GR_VMOBJ_EOF (-2)    /* page entirely beyond end of file: SIGBUS */
#define GR_VMOBJ_IOERR (-3)  /* host read failed */

/*! gr_vmobj_pagein() : makes page idx of o resident from its pager: zero
 *  fill (ANON), file read (VNODE). @return GR_VMOBJ_OK with *pa, or one of
 *  the errors above. Not for DEVICE. */
int gr_vmobj_pagein(gr_vmobj *o, uint64_t idx, uint64_t *pa);

/*! gr_vmobj_discard() : frees the resident pages of o with index in
 *  [first, last) (only valid when no pmap maps them). */
void gr_vmobj_discard(gr_vmobj *o, uint64_t first, uint64_t last);

/*! gr_vmobj_sync() : writes o's dirty pages back to its file (VNODE only),
 *  up to the end of the file. @return pages written, or -1 on I/O error. */
int64_t gr_vmobj_sync(gr_vmobj *o);

/*! gr_vmobj_collapse() : merges o with its shadow if that shadow is
 *  anonymous and referenced only by o. @return true if it collapsed
 *  (repeats down the chain while possible). */
bool gr_vmobj_collapse(gr_vmobj *o);

/* Accessors. */
gr_vmobj_kind gr_vmobj_kind_of(const gr_vmobj *o);
unsigned gr_vmobj_page_shift(const gr_vmobj *o);
uint64_t gr_vmobj_size(const gr_vmobj *o);
uint32_t gr_vmobj_refs(const gr_vmobj *o);
uint64_t gr_vmobj_resident(const gr_vmobj *o);
gr_vmobj *gr_vmobj_backing(const gr_vmobj *o);
uint64_t gr_vmobj_backing_offset(const gr_vmobj *o);
unsigned gr_vmobj_chain_length(const gr_vmobj *o); /* 1 = no shadow */
const char *gr_vmobj_path(const gr_vmobj *o);      /* VNODE, else NULL */
uint64_t gr_vmobj_file_size(const gr_vmobj *o);    /* VNODE, else 0 */
bool gr_vmobj_writable_file(const gr_vmobj *o);    /* opened read-write */
uint64_t gr_vmobj_id(const gr_vmobj *o);           /* unique per system */
bool gr_vmobj_shadowed(const gr_vmobj *o);         /* another object shadows it */

#ifdef __cplusplus
}
#endif
#endif
