/*
 * granule — the VM layer's compressor and swap (prefix gr_vmcomp_; XNU's
 * vm_compressor and its swap files).
 *
 * Anonymous pages the pageout daemon evicts are compressed with LZ4 (each
 * page an independent block at acceleration 1, as LZ4_compress_default
 * makes it, through a reused stream: LZ4_resetStream_fast +
 * LZ4_compress_fast_continue) and appended to fixed-size segments (64 KiB by
 * default, as arm64 macOS packs them). A segment's bytes live in simulated
 * physical memory: its frames are 16 KiB blocks taken from the gr_vmpage
 * allocator onto the COMPRESSOR queue, so the pool really occupies RAM. A
 * page whose compressed form is not smaller than the page is stored raw.
 *
 * Pool limit: at most max_segments segments in memory. When a new segment
 * is needed at the limit, the pool first compacts (sealed segments whose
 * live bytes are below compact_pct % of their used bytes have their live
 * pages moved into the open segment and are freed), then, with a swap
 * directory, writes the oldest sealed segment to a swap file; otherwise the
 * put fails with FULL.
 *
 * Swap: files swapfile0, swapfile1, ... of swapfile_size bytes in swap_dir,
 * created on demand (the lowest free number) and deleted lazily: a file
 * whose segments are all gone stays until gr_vmcomp_swap_trim(). Each
 * segment is encrypted with AES-256-XTS (OpenSSL EVP; a random 512-bit key
 * per pool from RAND_bytes; tweak = file number << 32 | segment slot, little
 * endian) and its ciphertext's SHA-256 is kept in memory, so a swap file
 * that was changed or truncated is reported (CORRUPT / TRUNCATED), never
 * read back. A page in a swapped segment is read by reading, verifying and
 * decrypting its segment (the last four are cached); the segment stays in
 * swap until its last live page is freed (XNU instead swaps whole segments
 * back in).
 *
 * Handles name stored pages; they stay valid across compaction and swap.
 */
#ifndef GRANULE_VMCOMP_H
#define GRANULE_VMCOMP_H

#include <stdint.h>

#include "granule/pmem.h"
#include "granule/vmpage.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GR_VMCOMP_ERRORS(X)                                              \
    X(OK, 0, "ok")                                                       \
    X(FULL, 1, "compressor pool full and no swap space")                \
    X(NOMEM, 2, "no free frame or host memory for a segment")           \
    X(BADHANDLE, 3, "no such stored page")                               \
    X(IOERR, 4, "swap file I/O error")                                   \
    X(CORRUPT, 5, "swap data failed its checksum (swap file corrupted)") \
    X(TRUNCATED, 6, "swap file shorter than its segments (truncated)")   \
    X(CRYPTO, 7, "encryption or decryption failed")                      \
    X(INVAL, 8, "invalid argument")

typedef enum {
#define GR_VMCOMP_ENUM_(e, v, t) GR_VMCOMP_##e = v,
    GR_VMCOMP_ERRORS(GR_VMCOMP_ENUM_)
#undef GR_VMCOMP_ENUM_
} gr_vmcomp_err;

/*! gr_vmcomp_strerror() : @return a static description of err. */
const char *gr_vmcomp_strerror(int err);

typedef struct gr_vmcomp_config {
    uint32_t segment_size;  /* bytes, a multiple of 16 KiB (default 64 KiB) */
    uint32_t max_segments;  /* segments in memory at most (0: 64) */
    uint32_t compact_pct;   /* compaction threshold in % (0: 50) */
    const char *swap_dir;   /* NULL: no swap */
    uint64_t swapfile_size; /* bytes, a multiple of segment_size (0: 1 MiB) */
    uint32_t max_swapfiles; /* (0: 8) */
} gr_vmcomp_config;

typedef struct gr_vmcomp gr_vmcomp;

/*! gr_vmcomp_create() : a pool whose segments are frames of pages (bytes in
 *  mem). @return NULL with *err (INVAL: bad config; NOMEM; CRYPTO: no
 *  key). */
gr_vmcomp *gr_vmcomp_create(gr_pmem *mem, gr_vmpage *pages, const gr_vmcomp_config *cfg,
                            int *err);

/*! gr_vmcomp_destroy() : frees the segments and deletes every swap file.
 *  NULL is a no-op. */
void gr_vmcomp_destroy(gr_vmcomp *c);

/*! gr_vmcomp_put() : compresses len bytes (a page: 4096 or 16384).
 *  @return OK with *handle, FULL, NOMEM or IOERR/CRYPTO (swap-out failed);
 *  on error nothing is stored. */
int gr_vmcomp_put(gr_vmcomp *c, const void *page, uint32_t len, uint64_t *handle);

/*! gr_vmcomp_get() : decompresses the page of handle into out (len must be
 *  its size). The page stays stored until gr_vmcomp_free(). @return OK,
 *  BADHANDLE, INVAL, IOERR, CORRUPT, TRUNCATED or CRYPTO. */
int gr_vmcomp_get(gr_vmcomp *c, uint64_t handle, void *out, uint32_t len);

/*! gr_vmcomp_free() : forgets a stored page; a segment left without live
 *  pages is freed (its frames, or its swap slot). Bad handles are ignored. */
void gr_vmcomp_free(gr_vmcomp *c, uint64_t handle);

/*! gr_vmcomp_compact() : compacts every sealed in-memory segment below the
 *  threshold whose pages fit elsewhere. @return segments freed. */
unsigned gr_vmcomp_compact(gr_vmcomp *c);

/*! gr_vmcomp_swapout_oldest() : writes the oldest sealed in-memory segment
 *  to swap now. @return OK, FULL (nothing to write, or no swap space) or an
 *  I/O error. */
int gr_vmcomp_swapout_oldest(gr_vmcomp *c);

/*! gr_vmcomp_swap_trim() : deletes the swap files none of whose segments
 *  is still needed (lazy deletion). @return files deleted. */
unsigned gr_vmcomp_swap_trim(gr_vmcomp *c);

/*! gr_vmcomp_swap_path() : the path of swap file n (NULL without swap or
 *  if n is out of range); whether it exists is up to the host. */
const char *gr_vmcomp_swap_path(gr_vmcomp *c, unsigned n);

typedef struct gr_vmcomp_stats {
    uint64_t pages;            /* pages stored now (in memory or swap) */
    uint64_t pages_in_memory;  /* of which in in-memory segments */
    uint64_t bytes_in_memory;  /* their uncompressed bytes */
    uint64_t raw_pages;        /* of which stored uncompressed */
    uint64_t bytes_in;         /* uncompressed bytes of the pages stored */
    uint64_t bytes_out;        /* compressed bytes of the pages stored */
    uint64_t segments;         /* segments in memory (each occupies frames) */
    uint64_t segments_swapped; /* segments in swap files */
    uint64_t used_bytes;       /* bytes appended to in-memory segments */
    uint64_t live_bytes;       /* of which still holding live pages */
    uint64_t compressions, decompressions;
    uint64_t compactions, segments_compacted, pages_moved;
    uint64_t swapouts, swapins; /* segments written / read */
    uint64_t swap_files, swap_total, swap_used; /* files, bytes, bytes */
    uint64_t swap_errors;      /* corrupt or truncated reads detected */
} gr_vmcomp_stats;

/*! gr_vmcomp_get_stats() : current figures. Efficiency (XNU's compressor
 *  ratio: uncompressed pages per compressor page) = bytes_in_memory /
 *  (segments * segment_size); LZ4 ratio = bytes_in / bytes_out;
 *  fragmentation = 1 - live_bytes / used_bytes. */
void gr_vmcomp_get_stats(const gr_vmcomp *c, gr_vmcomp_stats *s);

/*! gr_vmcomp_segment_size() : the configured segment size. */
uint32_t gr_vmcomp_segment_size(const gr_vmcomp *c);

#ifdef __cplusplus
}
#endif
#endif
