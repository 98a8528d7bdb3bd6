/* libFuzzer target for the native record decoder: the input is the
 * decompressed payload of one chunk (first two bytes: its record count),
 * wrapped here into a well-formed native file (header, one zstd chunk,
 * index, trailer, with correct XXH64s), so every input reaches the varint
 * and tag decoding in trace_native.c rather than stopping at zstd. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>
#include <zstd.h>

#include "granule/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3 || size > (1u << 20) + 2)
        return 0;
    uint32_t count = (uint32_t)(data[0] | data[1] << 8);
    if (count == 0)
        count = 1;
    const uint8_t *raw = data + 2;
    size_t ulen = size - 2;
    size_t bound = ZSTD_compressBound(ulen);
    uint8_t *f = malloc(36 + 32 + bound + 40 + 16);
    if (!f)
        return 0;
    /* file header, no metadata */
    memcpy(f, "GRTRACE\x1a", 8);
    put(f + 8, 1, 2);
    put(f + 10, 0, 2);
    put(f + 12, 36, 4);
    put(f + 16, 4096, 4);
    put(f + 20, 1, 2);
    put(f + 22, 0, 2);
    put(f + 24, 0, 4);
    put(f + 28, XXH64(f, 28, 0), 8);
    /* one chunk */
    uint8_t *c = f + 36;
    size_t cl = ZSTD_compress(c + 32, bound, raw, ulen, 1);
    if (ZSTD_isError(cl)) {
        free(f);
        return 0;
    }
    memcpy(c, "GRCK", 4);
    put(c + 4, cl, 4);
    put(c + 8, ulen, 4);
    put(c + 12, count, 4);
    put(c + 16, 0, 8);
    XXH64_state_t *h = XXH64_createState();
    XXH64_reset(h, 0);
    XXH64_update(h, c, 24);
    XXH64_update(h, c + 32, cl);
    put(c + 24, XXH64_digest(h), 8);
    XXH64_freeState(h);
    /* index and trailer */
    uint8_t *ix = c + 32 + cl;
    uint64_t ioff = (uint64_t)(ix - f);
    memcpy(ix, "GRIX", 4);
    put(ix + 4, 1, 4);
    put(ix + 8, count, 8);
    put(ix + 16, 36, 8);
    put(ix + 24, 0, 8);
    put(ix + 32, XXH64(ix, 32, 0), 8);
    put(ix + 40, ioff, 8);
    memcpy(ix + 48, "GRTREND\n", 8);
    size_t len = ioff + 56;

    gr_trace_reader *r;
    char err[256];
    if (gr_trace_reader_open_mem(&r, f, len, GR_TRACE_FMT_NATIVE, err, sizeof err) == GR_TRACE_OK) {
        gr_trace_rec recs[64];
        uint64_t va[64];
        uint8_t kind[64];
        gr_trace_status st = GR_TRACE_OK;
        /* the record decoder and the plain-run decoder in turn, as a
         * replay reads */
        for (unsigned k = 0; st == GR_TRACE_OK; k++) {
            gr_trace_plain run;
            if (k & 1)
                gr_trace_reader_read(r, recs, 1 + (k & 62), &st);
            else
                gr_trace_reader_read_plain(r, va, kind, 64, data[1] & 1 ? 0x3fff : 0xfff, &run,
                                           &st);
        }
        if (data[0] & 1) /* seek into the chunk through the index */
            gr_trace_reader_seek(r, count / 2);
        gr_trace_reader_close(r);
    }
    free(f);
    return 0;
}
