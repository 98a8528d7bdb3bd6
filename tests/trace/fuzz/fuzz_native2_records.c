/* libFuzzer target for the native version-2 chunk body decoder
 * (traces/src/trace_native2.c): the input is the decompressed body of one
 * chunk, its record count taken from its own first 4 bytes, wrapped here
 * into a well-formed version-2 file (header, one chunk compressed with
 * zstd or, when the input's last byte is odd, LZ4; index, trailer; correct
 * XXH64s), so every input reaches the body checks and the record, plain-run
 * and in-place decoders rather than stopping at the checksum or the codec. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lz4frame.h>
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
    if (size < 4 || size > (1u << 20))
        return 0;
    const uint32_t count = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
                           (uint32_t)data[3] << 24;
    if (count == 0 || count > 262144 || count > size)
        return 0;
    const bool lz4 = data[size - 1] & 1;
    size_t bound = lz4 ? LZ4F_compressFrameBound(size, NULL) + 64 : ZSTD_compressBound(size);
    uint8_t *f = malloc(36 + 40 + bound + 40 + 16);
    if (!f)
        return 0;
    /* file header, version 2.0, no metadata */
    memcpy(f, "GRTRACE\x1a", 8);
    put(f + 8, 2, 2);
    put(f + 10, 0, 2);
    put(f + 12, 36, 4);
    put(f + 16, 4096, 4);
    put(f + 20, 1, 2);
    put(f + 22, 0, 2);
    put(f + 24, 0, 4);
    put(f + 28, XXH64(f, 28, 0), 8);
    /* one chunk */
    uint8_t *c = f + 36;
    size_t cl;
    if (lz4) {
        LZ4F_preferences_t pr;
        memset(&pr, 0, sizeof pr);
        pr.frameInfo.contentSize = size;
        cl = LZ4F_compressFrame(c + 40, bound, data, size, &pr);
        if (LZ4F_isError(cl)) {
            free(f);
            return 0;
        }
    } else {
        cl = ZSTD_compress(c + 40, bound, data, size, 1);
        if (ZSTD_isError(cl)) {
            free(f);
            return 0;
        }
    }
    memcpy(c, "GRC2", 4);
    put(c + 4, cl, 4);
    put(c + 8, size, 4);
    put(c + 12, count, 4);
    put(c + 16, 0, 8);
    put(c + 24, lz4 ? 2 : 1, 8);
    XXH64_state_t *h = XXH64_createState();
    XXH64_reset(h, 0);
    XXH64_update(h, c, 32);
    XXH64_update(h, c + 40, cl);
    put(c + 32, XXH64_digest(h), 8);
    XXH64_freeState(h);
    /* index and trailer */
    uint8_t *ix = c + 40 + cl;
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
        /* page sizes of 4K, 16K and 1K (the last takes the slow page test) */
        const uint64_t pgmask = data[size - 1] & 2 ? 0x3fff : data[size - 1] & 4 ? 0x3ff : 0xfff;
        /* the record decoder, the plain-run copy and the in-place view in
         * turn, as a replay reads */
        for (unsigned k = 0; st == GR_TRACE_OK; k++) {
            gr_trace_plain run;
            const uint64_t *pva;
            const uint8_t *pkind;
            uint64_t sum = 0;
            size_t got;
            switch (k % 3) {
            case 0:
                gr_trace_reader_read(r, recs, 1 + (k & 62), &st);
                break;
            case 1:
                gr_trace_reader_read_plain(r, va, kind, 64, pgmask, &run, &st);
                break;
            default:
                got = gr_trace_reader_plain_view(r, &pva, &pkind, 1024, pgmask, &run, &st);
                for (size_t i = 0; i < got; i++) /* every byte handed out is readable */
                    sum += pva[i] ^ pkind[i];
                if (sum == 1)
                    recs[0].va = sum;
                break;
            }
        }
        if (data[size - 1] & 8) /* seek into the chunk through the index */
            gr_trace_reader_seek(r, count / 2);
        gr_trace_reader_close(r);
    }
    free(f);
    return 0;
}
