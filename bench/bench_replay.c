/*
 * bench_replay: replay throughput (gr_replay_run: trace reader, VM layer,
 * MMU fast path and statistics, all in the loop) on
 *   - a real trace: traces/corpus/sqlite3.grt (native version 1), and the
 *     same records written as native version 2 (zstd and LZ4 chunks) and
 *     as din and lackey text (din carries no sizes, so it has no
 *     page-crossing accesses);
 *   - synthetic native streams (version 1; hit-dominated also as version 2):
 *     hit-dominated (uniform over 32 data pages,
 *     one fetch from 8 code pages per data access) and miss-heavy (uniform
 *     over 1 GiB: every access an L1 and L2 miss, ~every access a first
 *     touch at the start);
 * with the A76-like preset and with a single-level TLB (48-entry fully
 * associative L1 I and D, no L2, no walk cache).
 * The first line is the yardstick: a bare hashed lookup loop over the same
 * VAs already in memory (see yardstick()).
 * Rates are per second of this thread's CPU time (a busy shared machine
 * that preempts the benchmark does not count against it); records/s counts
 * trace records, translations/s the requests issued.
 *
 *   bench_replay [CORPUS_DIR [HIT_RECORDS]]
 * Memory use for long traces: bench/replay_rss.sh.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "granule/config.h"
#include "granule/trace.h"
#include "replay.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t xorshift(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int write_synth(const char *path, uint64_t n, bool hit, uint16_t version)
{
    gr_trace_writer *w;
    char err[256];
    gr_trace_header h = {0};
    h.page_size = 4096;
    h.version_major = version;
    rng = 0x2545F4914F6CDD1Dull; /* the same records in every version */
    if (gr_trace_writer_open(&w, path, GR_TRACE_FMT_NATIVE, &h, err, sizeof err) != GR_TRACE_OK) {
        fprintf(stderr, "bench_replay: %s\n", err);
        return -1;
    }
    gr_trace_rec r;
    memset(&r, 0, sizeof r);
    r.size = 8;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t x = xorshift();
        if (hit) {
            r.kind = GR_TREC_FETCH;
            r.size = 4;
            r.va = 0x400000 + ((x & 7) << 12) + ((x >> 3) & 0xffc);
            gr_trace_writer_write(w, &r);
            r.size = 8;
            r.kind = (x >> 20) % 4 == 0 ? GR_TREC_WRITE : GR_TREC_READ;
            r.va = 0x10000000 + (((x >> 24) & 31) << 12) + ((x >> 32) & 0xff8);
        } else {
            r.kind = GR_TREC_READ;
            r.va = 0x100000000ull + ((x >> 8) % (1ull << 30) & ~7ull);
        }
        gr_trace_writer_write(w, &r);
    }
    return gr_trace_writer_close(w, err, sizeof err) == GR_TRACE_OK ? 0 : -1;
}

/* in -> out; a native out as version 2 with codec. */
static int convert(const char *in, const char *out, int fmt, uint8_t codec)
{
    gr_trace_reader *r;
    gr_trace_writer *w;
    char err[256];
    gr_trace_header h = {0};
    h.version_major = 2;
    h.codec = codec;
    if (gr_trace_reader_open(&r, in, GR_TRACE_FMT_AUTO, err, sizeof err) != GR_TRACE_OK ||
        gr_trace_writer_open(&w, out, fmt, &h, err, sizeof err) != GR_TRACE_OK) {
        fprintf(stderr, "bench_replay: %s\n", err);
        return -1;
    }
    gr_trace_rec rec;
    while (gr_trace_reader_next(r, &rec) == GR_TRACE_OK)
        gr_trace_writer_write(w, &rec);
    gr_trace_reader_close(r);
    return gr_trace_writer_close(w, err, sizeof err) == GR_TRACE_OK ? 0 : -1;
}

/* The best of REPEATS runs: the figure least disturbed by whatever else
 * shares the machine. */
#define REPEATS 3

static void run(const gr_config *cfg, const char *label, const char *path, int fmt)
{
    gr_replay_opts o;
    gr_replay_opts_default(&o);
    o.format = fmt;
    char err[512];
    double best = 0;
    for (int k = 0; k < REPEATS; k++) {
        gr_replay *r = gr_replay_create(cfg, &o, err, sizeof err);
        if (!r) {
            fprintf(stderr, "bench_replay: %s\n", err);
            return;
        }
        double t0 = cpu_now();
        int rc = gr_replay_run(r, path, err, sizeof err);
        double dt = cpu_now() - t0;
        if (rc) {
            fprintf(stderr, "bench_replay: %s\n", err);
            gr_replay_destroy(r);
            return;
        }
        if (k == 0 || dt < best)
            best = dt;
        if (k == REPEATS - 1) {
            const gr_replay_counts *c = gr_replay_counts_get(r);
            const gr_stats *s = gr_replay_stats(r);
            uint64_t l1 = gr_stats_tlb_hits(&s->l1i) + gr_stats_tlb_hits(&s->l1d);
            uint64_t l1a = l1 + gr_stats_tlb_misses(&s->l1i) + gr_stats_tlb_misses(&s->l1d);
            printf("  %-8s %-24s %10" PRIu64 " rec %7.1f M rec/s %7.1f M transl/s  L1 hit %6.2f%%"
                   "  faults %" PRIu64 "\n",
                   cfg->name, label, c->records, (double)c->records / best / 1e6,
                   (double)c->translations / best / 1e6,
                   l1a ? 100.0 * (double)l1 / (double)l1a : 0.0, c->faults);
        }
        gr_replay_destroy(r);
    }
}

/* The reader alone, as the replay reads (plain runs in place through
 * gr_trace_reader_plain_view, the rest record by record): the ceiling the
 * trace format puts on a replay. */
static void decode(const char *label, const char *path, int fmt)
{
    gr_trace_rec rec[64];
    char err[256];
    double best = 0;
    uint64_t n = 0, sum = 0;
    for (int k = 0; k < REPEATS; k++) {
        gr_trace_reader *r;
        if (gr_trace_reader_open(&r, path, fmt, err, sizeof err) != GR_TRACE_OK) {
            fprintf(stderr, "bench_replay: %s\n", err);
            return;
        }
        double t0 = cpu_now();
        gr_trace_status st = GR_TRACE_OK;
        n = 0;
        while (st == GR_TRACE_OK) {
            gr_trace_plain run;
            const uint64_t *va;
            const uint8_t *kind;
            size_t got = gr_trace_reader_plain_view(r, &va, &kind, 1024, 0xfff, &run, &st);
            for (size_t i = 0; i < got; i++)
                sum += va[i] ^ kind[i];
            n += got;
            if (!got && st == GR_TRACE_OK)
                n += gr_trace_reader_read(r, rec, 64, &st);
        }
        double dt = cpu_now() - t0;
        gr_trace_reader_close(r);
        if (k == 0 || dt < best)
            best = dt;
    }
    printf("  %-8s %-24s %10" PRIu64 " rec %7.1f M rec/s  (checksum %016" PRIx64 ")\n", "decode",
           label, n, (double)n / best / 1e6, sum);
}

/* The yardstick the issue measures the replay goals against: a bare hashed
 * lookup loop over the trace's VAs as a binary stream (an array already in
 * memory: no decoding, no VM layer, no statistics beyond one hit count),
 * with a 512-slot direct-mapped hash of the 4K page standing in for the
 * TLB. No replay of the same records can be faster than this loop on the
 * same machine; it is printed beside the replay's rates so the two are
 * measured under the same load. */
static void yardstick(const char *path)
{
    gr_trace_reader *r;
    char err[256];
    if (gr_trace_reader_open(&r, path, GR_TRACE_FMT_AUTO, err, sizeof err) != GR_TRACE_OK) {
        fprintf(stderr, "bench_replay: %s\n", err);
        return;
    }
    size_t n = 0, cap = 1u << 20;
    uint64_t *va = malloc(cap * sizeof *va);
    gr_trace_rec rec;
    while (va && gr_trace_reader_next(r, &rec) == GR_TRACE_OK) {
        if (rec.kind > GR_TREC_FETCH)
            continue;
        if (n == cap) {
            uint64_t *g = realloc(va, 2 * cap * sizeof *va);
            if (!g) {
                free(va);
                va = NULL;
                break;
            }
            va = g;
            cap *= 2;
        }
        va[n++] = rec.va;
    }
    gr_trace_reader_close(r);
    if (!va) {
        fprintf(stderr, "bench_replay: out of memory for the yardstick\n");
        return;
    }
    static uint64_t slot[512];
    double best = 0;
    uint64_t hits = 0;
    for (int k = 0; k < REPEATS; k++) {
        memset(slot, 0xff, sizeof slot);
        hits = 0;
        double t0 = cpu_now();
        for (size_t i = 0; i < n; i++) {
            const uint64_t vp = va[i] >> 12;
            const unsigned h = (unsigned)(vp ^ vp >> 9 ^ vp >> 18) & 511u;
            const uint64_t old = slot[h];
            hits += old == vp;
            slot[h] = vp;
        }
        double dt = cpu_now() - t0;
        if (k == 0 || dt < best)
            best = dt;
    }
    printf("  %-8s %-24s %10zu rec %7.1f M rec/s  (bare hashed lookup loop, hits %.2f%%)\n",
           "yardstk", "sqlite3 VAs in memory", n, (double)n / best / 1e6,
           n ? 100.0 * (double)hits / (double)n : 0.0);
    free(va);
}

int main(int argc, char **argv)
{
    char defdir[512];
    snprintf(defdir, sizeof defdir, "%s", __FILE__);
    char *slash = strrchr(defdir, '/');
    if (slash)
        snprintf(slash, sizeof defdir - (size_t)(slash - defdir), "/../traces/corpus");
    const char *corpus = argc > 1 ? argv[1] : defdir;
    uint64_t nhit = argc > 2 ? strtoull(argv[2], NULL, 0) : 8000000;

    char dir[] = "/tmp/bench_replay.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char real[600], din[600], lackey[600], hit[600], miss[600], v2z[600], v2l[600], hit2[600];
    snprintf(real, sizeof real, "%s/sqlite3.grt", corpus);
    snprintf(din, sizeof din, "%s/sqlite3.din", dir);
    snprintf(lackey, sizeof lackey, "%s/sqlite3.lackey", dir);
    snprintf(hit, sizeof hit, "%s/hit.grt", dir);
    snprintf(miss, sizeof miss, "%s/miss.grt", dir);
    snprintf(v2z, sizeof v2z, "%s/sqlite3.v2zstd.grt", dir);
    snprintf(v2l, sizeof v2l, "%s/sqlite3.v2lz4.grt", dir);
    snprintf(hit2, sizeof hit2, "%s/hit.v2.grt", dir);
    int ok = convert(real, din, GR_TRACE_FMT_DIN, 0) == 0 &&
             convert(real, lackey, GR_TRACE_FMT_LACKEY, 0) == 0 &&
             convert(real, v2z, GR_TRACE_FMT_NATIVE, GR_TRACE_CODEC_ZSTD) == 0 &&
             convert(real, v2l, GR_TRACE_FMT_NATIVE, GR_TRACE_CODEC_LZ4) == 0 &&
             write_synth(hit, nhit, true, 1) == 0 && write_synth(hit2, nhit, true, 2) == 0 &&
             write_synth(miss, 1000000, false, 1) == 0;

    gr_config cfgs[2];
    char err[512];
    if (ok && gr_replay_load_config(&cfgs[0], "a76", err, sizeof err) != 0) {
        fprintf(stderr, "bench_replay: %s\n", err);
        ok = 0;
    }
    static const char single[] = "[mmu]\nname = single\ncontiguous = off\n"
                                 "[l1i]\nentries = 48\nways = 48\nreplacement = lru\n"
                                 "[l1d]\nentries = 48\nways = 48\nreplacement = lru\n";
    if (ok && gr_config_parse_string(&cfgs[1], single, "single.ini", err, sizeof err) != 0) {
        fprintf(stderr, "bench_replay: %s\n", err);
        ok = 0;
    }
    if (ok) {
        printf("bench_replay: granule replay throughput (single thread, CPU time, best of %d)\n",
               REPEATS);
        yardstick(real);
        decode("sqlite3 native", real, GR_TRACE_FMT_AUTO);
        decode("sqlite3 native v2 zstd", v2z, GR_TRACE_FMT_AUTO);
        decode("sqlite3 native v2 lz4", v2l, GR_TRACE_FMT_AUTO);
        decode("sqlite3 din text", din, GR_TRACE_FMT_DIN);
        decode("sqlite3 lackey text", lackey, GR_TRACE_FMT_LACKEY);
        for (int c = 0; c < 2; c++) {
            run(&cfgs[c], "sqlite3 native", real, GR_TRACE_FMT_AUTO);
            run(&cfgs[c], "sqlite3 native v2 zstd", v2z, GR_TRACE_FMT_AUTO);
            run(&cfgs[c], "sqlite3 native v2 lz4", v2l, GR_TRACE_FMT_AUTO);
            run(&cfgs[c], "sqlite3 din text", din, GR_TRACE_FMT_DIN);
            run(&cfgs[c], "sqlite3 lackey text", lackey, GR_TRACE_FMT_LACKEY);
            run(&cfgs[c], "synthetic hit-dominated", hit, GR_TRACE_FMT_AUTO);
            run(&cfgs[c], "synthetic hit-dom. v2", hit2, GR_TRACE_FMT_AUTO);
            run(&cfgs[c], "synthetic miss-heavy", miss, GR_TRACE_FMT_AUTO);
        }
    }
    unlink(din);
    unlink(lackey);
    unlink(hit);
    unlink(miss);
    unlink(v2z);
    unlink(v2l);
    unlink(hit2);
    rmdir(dir);
    return ok ? 0 : 1;
}
