/* A native version-2 file around one chunk body, every checksum right:
 * file header (version 2.0, 4 KiB pages, source synthetic, no metadata),
 * one chunk said to hold count records compressed with zstd (level 1) or
 * LZ4, the index and the trailer. Shared by test_trace.c and
 * fuzz/fuzz_native2_records.c. */
#ifndef GRANULE_TEST_V2FILE_H
#define GRANULE_TEST_V2FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <lz4frame.h>
#include <xxhash.h>
#include <zstd.h>

static inline void v2file_put(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

/* Room v2file_make needs for a body of blen bytes. */
static inline size_t v2file_cap(size_t blen)
{
    size_t z = ZSTD_compressBound(blen), l = LZ4F_compressFrameBound(blen, NULL) + 64;
    return 36 + 40 + (z > l ? z : l) + 56;
}

/* Writes the file to f (room for v2file_cap(blen) bytes). @return its
 * length, or 0 if the body did not compress. */
static inline size_t v2file_make(uint8_t *f, const uint8_t *body, size_t blen, uint32_t count,
                                 bool lz4)
{
    memset(f, 0, 36);
    memcpy(f, "GRTRACE\x1a", 8);
    v2file_put(f + 8, 2, 2);     /* version 2.0 */
    v2file_put(f + 12, 36, 4);   /* header length, no metadata */
    v2file_put(f + 16, 4096, 4); /* page size */
    v2file_put(f + 20, 6, 2);    /* source: synthetic */
    v2file_put(f + 28, XXH64(f, 28, 0), 8);
    uint8_t *c = f + 36;
    memset(c, 0, 40);
    const size_t bound = v2file_cap(blen) - 36 - 40 - 56;
    size_t cl;
    if (lz4) {
        LZ4F_preferences_t pr;
        memset(&pr, 0, sizeof pr);
        pr.frameInfo.contentSize = blen;
        cl = LZ4F_compressFrame(c + 40, bound, body, blen, &pr);
        if (LZ4F_isError(cl))
            return 0;
    } else {
        cl = ZSTD_compress(c + 40, bound, body, blen, 1);
        if (ZSTD_isError(cl))
            return 0;
    }
    memcpy(c, "GRC2", 4);
    v2file_put(c + 4, cl, 4);
    v2file_put(c + 8, blen, 4);
    v2file_put(c + 12, count, 4);
    c[24] = lz4 ? 2 : 1; /* codec */
    XXH64_state_t *h = XXH64_createState();
    if (!h)
        return 0;
    XXH64_reset(h, 0);
    XXH64_update(h, c, 32);
    XXH64_update(h, c + 40, cl);
    v2file_put(c + 32, XXH64_digest(h), 8);
    XXH64_freeState(h);
    uint8_t *ix = c + 40 + cl;
    const size_t ioff = (size_t)(ix - f);
    memset(ix, 0, 56);
    memcpy(ix, "GRIX", 4);
    v2file_put(ix + 4, 1, 4);      /* one chunk */
    v2file_put(ix + 8, count, 8);  /* its records */
    v2file_put(ix + 16, 36, 8);    /* its offset */
    v2file_put(ix + 32, XXH64(ix, 32, 0), 8);
    v2file_put(ix + 40, ioff, 8);
    memcpy(ix + 48, "GRTREND\n", 8);
    return ioff + 56;
}

#endif
