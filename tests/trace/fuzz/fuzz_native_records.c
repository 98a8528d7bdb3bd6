/* libFuzzer target for the native record decoder: the input is the
 * decompressed payload of one chunk (first two bytes: its record count),
 * wrapped here (../nativefile.h) into a well-formed version-1 native file (header, one zstd chunk,
 * index, trailer, with correct XXH64s), so every input reaches the varint
 * and tag decoding in trace_native.c rather than stopping at zstd. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "granule/trace.h"

#include "../nativefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3 || size > (1u << 20) + 2)
        return 0;
    uint32_t count = (uint32_t)(data[0] | data[1] << 8);
    if (count == 0)
        count = 1;
    size_t len;
    uint8_t *f = nativefile_new(data + 2, size - 2, count, 1, 0, &len);
    if (!f)
        return 0;

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
