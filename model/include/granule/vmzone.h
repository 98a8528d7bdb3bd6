/*
 * granule — zones: fixed-size element allocators for the VM layer's own
 * metadata (prefix gr_vmzone_; XNU's zalloc, reported by zprint).
 *
 * A zone hands out elements of one size from chunks (16 KiB by default)
 * it takes from the host and keeps until destroyed; freed elements go on
 * a free list and are reused first. The VM layer allocates its objects and
 * tasks from zones, so `gr_vm_report_zprint` shows what its metadata costs.
 */
#ifndef GRANULE_VMZONE_H
#define GRANULE_VMZONE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_vmzone gr_vmzone;

/*! gr_vmzone_create() : a zone of elements of elem_size bytes (rounded up
 *  to 16) carved from chunks of chunk bytes (0: 16 KiB; at least one
 *  element). @return NULL on bad arguments or host memory exhaustion. */
gr_vmzone *gr_vmzone_create(const char *name, size_t elem_size, size_t chunk);

/*! gr_vmzone_destroy() : frees every chunk (live elements included). NULL
 *  is a no-op. */
void gr_vmzone_destroy(gr_vmzone *z);

/*! gr_vmzone_alloc() : @return a zeroed element, or NULL (host memory). */
void *gr_vmzone_alloc(gr_vmzone *z);

/*! gr_vmzone_free() : returns an element of z. NULL is a no-op. */
void gr_vmzone_free(gr_vmzone *z, void *p);

typedef struct gr_vmzone_stats {
    const char *name;
    size_t elem_size;
    uint64_t cur_elems;  /* elements the chunks hold (used + free) */
    uint64_t max_elems;  /* highest cur_elems */
    uint64_t cur_size;   /* bytes of chunks */
    uint64_t max_size;
    uint64_t inuse;      /* elements allocated now */
    uint64_t alloc_size; /* bytes per chunk */
    uint64_t alloc_count; /* elements ever allocated */
} gr_vmzone_stats;

void gr_vmzone_get_stats(const gr_vmzone *z, gr_vmzone_stats *s);

/*! gr_vmzone_report() : a `zprint`-style table of the n zones. */
void gr_vmzone_report(gr_vmzone *const *zones, unsigned n, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
