/*
 * stackdist: the independent check of replay's TLB accounting.
 *
 * Reads a trace and, for its data accesses (loads and stores; with
 * --side i its instruction fetches instead; events are dropped), computes
 * LRU stack distances over pages: the
 * distance of an access is the number of distinct other pages touched since
 * the last access to its page (infinite on the first). A fully associative
 * LRU TLB of N entries then misses exactly on the accesses at distance >= N
 * (Mattson et al., 1970), whatever N, from one pass.
 *
 * An access whose bytes cross a page boundary touches two pages, in address
 * order, as replay translates it (docs/replay.md).
 *
 *   stackdist [--page-shift S] [--side d|i] [--limit N] [--din OUT] TRACE N...
 *
 * prints "N misses" for each N, and with --din writes the page-split data
 * stream as a Dinero din file (labels 0 read, 1 write), which replay then
 * reads with no sizes, mapping events or fetches, so nothing but the TLB
 * decides its misses.
 *
 * It shares nothing with the model: a move-to-front list, written for the
 * test.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "granule/trace.h"

#define MAXN 1024

static uint64_t stack[MAXN]; /* most recent first */
static unsigned depth;
static uint64_t hist[MAXN + 1]; /* [d]: accesses at distance d; [MAXN]: >= MAXN */

static void touch(uint64_t page)
{
    unsigned i = 0;
    while (i < depth && stack[i] != page)
        i++;
    hist[i < depth ? i : MAXN]++;
    if (i == depth) {
        if (depth < MAXN)
            depth++;
        i = depth - 1; /* the least recent falls off when full */
    }
    memmove(&stack[1], &stack[0], i * sizeof stack[0]);
    stack[0] = page;
}

int main(int argc, char **argv)
{
    unsigned shift = 12;
    uint64_t limit = 0;
    const char *din = NULL;
    int side_i = 0;
    int a = 1;
    for (; a < argc && argv[a][0] == '-' && argv[a][1] == '-'; a += 2) {
        if (a + 1 >= argc)
            break;
        if (!strcmp(argv[a], "--page-shift"))
            shift = (unsigned)strtoul(argv[a + 1], NULL, 0);
        else if (!strcmp(argv[a], "--limit"))
            limit = strtoull(argv[a + 1], NULL, 0);
        else if (!strcmp(argv[a], "--side"))
            side_i = !strcmp(argv[a + 1], "i");
        else if (!strcmp(argv[a], "--din"))
            din = argv[a + 1];
        else
            break;
    }
    if (a + 1 >= argc || (shift != 12 && shift != 14)) {
        fprintf(stderr, "usage: stackdist [--page-shift 12|14] [--side d|i] [--limit N] [--din OUT] "
                        "TRACE N...\n");
        return 2;
    }
    gr_trace_reader *r;
    char err[512];
    if (gr_trace_reader_open(&r, argv[a], GR_TRACE_FMT_AUTO, err, sizeof err) != GR_TRACE_OK) {
        fprintf(stderr, "stackdist: %s\n", err);
        return 2;
    }
    FILE *out = din ? fopen(din, "w") : NULL;
    if (din && !out) {
        perror(din);
        return 2;
    }
    const uint64_t pg = 1ull << shift;
    gr_trace_rec rec;
    gr_trace_status st;
    uint64_t n = 0;
    while ((!limit || n < limit) && (st = gr_trace_reader_next(r, &rec)) == GR_TRACE_OK) {
        n++;
        if (side_i ? rec.kind != GR_TREC_FETCH
                   : rec.kind != GR_TREC_READ && rec.kind != GR_TREC_WRITE)
            continue;
        uint64_t p = rec.va >> shift;
        touch(p);
        if (out)
            fprintf(out, "%d %" PRIx64 "\n", rec.kind, rec.va);
        if (rec.size > 1 && (rec.va & (pg - 1)) + rec.size > pg) {
            touch(p + 1);
            if (out)
                fprintf(out, "%d %" PRIx64 "\n", rec.kind, (p + 1) << shift);
        }
    }
    if (limit && n == limit)
        st = GR_TRACE_END;
    if (st != GR_TRACE_END) {
        fprintf(stderr, "stackdist: %s\n", gr_trace_reader_error(r));
        return 2;
    }
    gr_trace_reader_close(r);
    if (out && fclose(out)) {
        perror(din);
        return 2;
    }
    for (int i = a + 1; i < argc; i++) {
        unsigned long N = strtoul(argv[i], NULL, 0);
        if (N < 1 || N > MAXN) {
            fprintf(stderr, "stackdist: N must be 1..%d\n", MAXN);
            return 2;
        }
        uint64_t miss = hist[MAXN];
        for (unsigned d = (unsigned)N; d < MAXN; d++)
            miss += hist[d];
        printf("%lu %" PRIu64 "\n", N, miss);
    }
    return 0;
}
