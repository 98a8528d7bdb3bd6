/* A native file around one chunk body, every checksum right: file header
 * (version 1.0 or 2.0, 4 KiB pages, source synthetic, no metadata), one
 * chunk said to hold count records, the index and the trailer
 * (docs/trace-format.md). A version-1 chunk is compressed with zstd; a
 * version-2 chunk with zstd (level 1) or LZ4, as its codec byte says (lz4
 * 1: the library's default frame; 2: 64 KiB blocks with block and content
 * checksums, as another LZ4 writer may make it).
 * Shared by test_trace.c and the record-decoder fuzz targets, so that
 * their inputs reach the body decoders rather than stop at a checksum. */
#ifndef GRANULE_TEST_NATIVEFILE_H
#define GRANULE_TEST_NATIVEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lz4frame.h>
#include <xxhash.h>
#include <zstd.h>

static inline void nativefile_put(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

/* Room nativefile_make needs for a body of blen bytes. */
static inline size_t nativefile_cap(size_t blen)
{
    LZ4F_preferences_t p;
    memset(&p, 0, sizeof p);
    p.frameInfo.blockSizeID = LZ4F_max64KB;
    p.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
    p.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    size_t z = ZSTD_compressBound(blen), l = LZ4F_compressFrameBound(blen, &p);
    return 36 + 40 + (z > l ? z : l) + 56;
}

/* Writes the file to f (room for nativefile_cap(blen) bytes); version 1
 * or 2, lz4 (0: zstd) for a version-2 chunk only. @return its length, or
 * 0 if the body did not compress. */
static inline size_t nativefile_make(uint8_t *f, const uint8_t *body, size_t blen, uint32_t count,
                                     unsigned version, int lz4)
{
    if (version != 1 && version != 2)
        return 0;
    if (version == 1 && lz4)
        return 0;
    /* the chunk header: "GRCK" and 32 bytes in version 1, "GRC2" and 40
     * (with the codec byte at 24) in version 2; its XXH64 is the last 8 */
    const size_t ch = version == 1 ? 32 : 40;
    memset(f, 0, 36);
    memcpy(f, "GRTRACE\x1a", 8);
    nativefile_put(f + 8, version, 2); /* version N.0 */
    nativefile_put(f + 12, 36, 4);     /* header length, no metadata */
    nativefile_put(f + 16, 4096, 4);   /* page size */
    nativefile_put(f + 20, 6, 2);      /* source: synthetic */
    nativefile_put(f + 28, XXH64(f, 28, 0), 8);
    uint8_t *c = f + 36;
    memset(c, 0, ch);
    const size_t bound = nativefile_cap(blen) - 36 - 40 - 56;
    size_t cl;
    if (lz4) {
        LZ4F_preferences_t pr;
        memset(&pr, 0, sizeof pr);
        pr.frameInfo.contentSize = blen;
        if (lz4 == 2) {
            pr.frameInfo.blockSizeID = LZ4F_max64KB;
            pr.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
            pr.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
        }
        cl = LZ4F_compressFrame(c + ch, bound, body, blen, &pr);
        if (LZ4F_isError(cl))
            return 0;
    } else {
        cl = ZSTD_compress(c + ch, bound, body, blen, 1);
        if (ZSTD_isError(cl))
            return 0;
    }
    memcpy(c, version == 1 ? "GRCK" : "GRC2", 4);
    nativefile_put(c + 4, cl, 4);
    nativefile_put(c + 8, blen, 4);
    nativefile_put(c + 12, count, 4);
    if (version == 2)
        c[24] = lz4 ? 2 : 1; /* codec */
    XXH64_state_t *h = XXH64_createState();
    if (!h)
        return 0;
    XXH64_reset(h, 0);
    XXH64_update(h, c, ch - 8);
    XXH64_update(h, c + ch, cl);
    nativefile_put(c + ch - 8, XXH64_digest(h), 8);
    XXH64_freeState(h);
    uint8_t *ix = c + ch + cl;
    const size_t ioff = (size_t)(ix - f);
    memset(ix, 0, 56);
    memcpy(ix, "GRIX", 4);
    nativefile_put(ix + 4, 1, 4);     /* one chunk */
    nativefile_put(ix + 8, count, 8); /* its records */
    nativefile_put(ix + 16, 36, 8);   /* its offset */
    nativefile_put(ix + 32, XXH64(ix, 32, 0), 8);
    nativefile_put(ix + 40, ioff, 8);
    memcpy(ix + 48, "GRTREND\n", 8);
    return ioff + 56;
}

/* nativefile_make() into a new buffer (free() it). @return it, with its
 * length in *len, or NULL. */
static inline uint8_t *nativefile_new(const uint8_t *body, size_t blen, uint32_t count,
                                      unsigned version, int lz4, size_t *len)
{
    uint8_t *f = malloc(nativefile_cap(blen));
    if (f && !(*len = nativefile_make(f, body, blen, count, version, lz4))) {
        free(f);
        f = NULL;
    }
    return f;
}

#endif
