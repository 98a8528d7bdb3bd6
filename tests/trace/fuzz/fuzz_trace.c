/* libFuzzer target for one trace reader (FUZZ_FMT, a gr_trace_format; 0 =
 * detection). Built by tests/trace/fuzz/CMakeLists.txt with clang:
 *   cmake -DGRANULE_FUZZ=ON -DCMAKE_C_COMPILER=clang ...
 *   fuzz_native -max_total_time=600 seeds/native
 * The library is built for fuzzing with GRANULE_TRACE_FUZZ, which lets a
 * native chunk with a wrong checksum through so the fuzzer reaches the
 * decompressor and record decoder behind it. */
#include <stddef.h>
#include <stdint.h>

#include "granule/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gr_trace_reader *r;
    char err[256];
    if (gr_trace_reader_open_mem(&r, data, size, FUZZ_FMT, err, sizeof err) != GR_TRACE_OK)
        return 0;
    gr_trace_rec recs[64];
    uint64_t va[64];
    uint8_t kind[64];
    gr_trace_status st = GR_TRACE_OK;
    uint64_t n = 0, calls = 0;
    /* rotate through the four read paths (the plain-run paths with 4K and
     * 16K pages), and seek once when the input asks */
    while (st == GR_TRACE_OK && n < 10000000) {
        gr_trace_plain run;
        switch (calls++ % 4) {
        case 0:
            n += gr_trace_reader_read(r, recs, 64, &st);
            break;
        case 1:
            st = gr_trace_reader_next(r, recs);
            n++;
            break;
        case 2:
            n += gr_trace_reader_read_plain(r, va, kind, 64, calls & 4 ? 0xfff : 0x3fff, &run,
                                            &st);
            break;
        default: {
            /* in place (native version 2: the chunk's own columns) */
            const uint64_t *pva;
            const uint8_t *pkind;
            size_t got = gr_trace_reader_plain_view(r, &pva, &pkind, 64, calls & 4 ? 0xfff : 0x3fff,
                                                    &run, &st);
            for (size_t i = 0; i < got; i++)
                va[i % 64] = pva[i] ^ pkind[i];
            n += got;
            break;
        }
        }
        if (n == 5 && size > 0 && (data[size - 1] & 3) == 1)
            gr_trace_reader_seek(r, data[0] * 7u);
    }
    (void)gr_trace_reader_error(r);
    gr_trace_reader_close(r);
    return 0;
}
