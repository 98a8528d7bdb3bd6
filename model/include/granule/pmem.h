/*
 * granule — simulated physical memory (prefix gr_pmem_).
 *
 * One sparse physical address space shared by the walker, the VM layer and
 * (later) the RTL harness. Memory exists only inside declared regions: an
 * access outside every region is what a bus returns for an unmapped address,
 * and the walker turns it into a synchronous external abort on the walk.
 * Inside a region, bytes never written read as zero; backing pages are
 * allocated on first write, so a large RAM region costs nothing until used.
 *
 * Multi-byte accessors are little-endian in memory, as the byte images loaded
 * with gr_pmem_load() are; callers that model SCTLR_ELx.EE swap themselves.
 */
#ifndef GRANULE_PMEM_H
#define GRANULE_PMEM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_pmem gr_pmem;

/* Error values returned by gr_pmem_ functions (0 is success). */
#define GR_PMEM_ERRORS(X)                                                     \
    X(GR_PMEM_OK, 0, "ok")                                                    \
    X(GR_PMEM_UNMAPPED, 1, "physical address is outside every memory region") \
    X(GR_PMEM_OVERLAP, 2, "region overlaps an existing region")               \
    X(GR_PMEM_BAD_RANGE, 3, "region is empty or wraps the address space")     \
    X(GR_PMEM_NOMEM, 4, "host out of memory")

typedef enum {
#define GR_PMEM_ENUM_(name, val, text) name = val,
    GR_PMEM_ERRORS(GR_PMEM_ENUM_)
#undef GR_PMEM_ENUM_
} gr_pmem_err;

/*! gr_pmem_strerror() : @return a static description of err. */
const char *gr_pmem_strerror(int err);

/*! gr_pmem_create() : @return an empty address space (no regions), or NULL
 *  if the host is out of memory. */
gr_pmem *gr_pmem_create(void);

/*! gr_pmem_destroy() : frees mem and all its pages. NULL is a no-op. */
void gr_pmem_destroy(gr_pmem *mem);

/*! gr_pmem_add_region() : declares [base, base+size) as memory that reads as
 *  zero until written. @name is copied and used in messages.
 *  @return GR_PMEM_OK, GR_PMEM_OVERLAP (with any existing region; the
 *  conflicting region's name is available from gr_pmem_region_name()),
 *  GR_PMEM_BAD_RANGE or GR_PMEM_NOMEM. */
int gr_pmem_add_region(gr_pmem *mem, uint64_t base, uint64_t size,
                       const char *name);

/*! gr_pmem_find_region() : @return the name of the region holding pa, or
 *  NULL if pa is unmapped. */
const char *gr_pmem_region_name(const gr_pmem *mem, uint64_t pa);

/*! gr_pmem_load() : copies len bytes to pa. Every byte must lie inside a
 *  region. @return GR_PMEM_OK or GR_PMEM_UNMAPPED (nothing written). */
int gr_pmem_load(gr_pmem *mem, uint64_t pa, const void *data, size_t len);

/*! gr_pmem_dump() : copies len bytes from pa (zero where never written).
 *  @return GR_PMEM_OK or GR_PMEM_UNMAPPED. */
int gr_pmem_dump(const gr_pmem *mem, uint64_t pa, void *out, size_t len);

/*! gr_pmem_zero() : makes len bytes from pa read as zero, as writing zeros
 *  with gr_pmem_load() would, but discards the backing of every 4 KiB page
 *  the range covers entirely instead of writing it (partly covered pages are
 *  cleared in place), so zeroing a freed frame costs no copy and returns its
 *  host memory. Every byte must lie inside a region.
 *  @return GR_PMEM_OK or GR_PMEM_UNMAPPED (nothing changed). */
int gr_pmem_zero(gr_pmem *mem, uint64_t pa, size_t len);

/*! gr_pmem_read64()/gr_pmem_write64() : naturally aligned 64-bit access
 *  (pa must be 8-byte aligned: the walker only issues such reads).
 *  @return GR_PMEM_OK or GR_PMEM_UNMAPPED (*out untouched, nothing
 *  written). */
int gr_pmem_read64(const gr_pmem *mem, uint64_t pa, uint64_t *out);
int gr_pmem_write64(gr_pmem *mem, uint64_t pa, uint64_t val);

/*! gr_pmem_stats() : pages of host memory allocated for backing. */
size_t gr_pmem_pages_backed(const gr_pmem *mem);

#ifdef __cplusplus
}
#endif
#endif
