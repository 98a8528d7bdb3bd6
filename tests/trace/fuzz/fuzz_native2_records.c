/* libFuzzer target for the native version-2 chunk body decoder
 * (traces/src/trace_native2.c): the input is the decompressed body of one
 * chunk, its record count taken from its own first 4 bytes, wrapped here
 * into a well-formed version-2 file (header, one chunk compressed with
 * zstd or, when the input's last byte is odd, LZ4 (with block and content
 * checksums when its bit 3 is set too); index, trailer; correct
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

#include "../nativefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4 || size > (1u << 20))
        return 0;
    const uint32_t count = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
                           (uint32_t)data[3] << 24;
    if (count == 0 || count > 262144 || count > size)
        return 0;
    /* odd last byte: LZ4, with every frame checksum if its bit 3 is set */
    const int lz4 = data[size - 1] & 1 ? 1 + (data[size - 1] >> 3 & 1) : 0;
    size_t len;
    uint8_t *f = nativefile_new(data, size, count, 2, lz4, &len);
    if (!f)
        return 0;

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
