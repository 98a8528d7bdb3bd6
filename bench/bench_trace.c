/* bench_trace: how fast the trace readers turn files into records.
 *
 * A synthetic stream shaped like a lackey log of a real program (3/4
 * fetches walking code with short jumps, reads and writes around a stack and
 * a heap, lackey's sizes) is written once in every format, then read back
 * through gr_trace_reader_read() in batches, best of 3, from the page cache.
 * MB/s is input bytes (the file as stored) per second. Also: any trace files
 * given as arguments (e.g. the corpus lackey.zst files) are read and, when
 * not native, converted to native to show the compression ratio.
 *
 *   bench_trace [-n RECORDS] [TRACE...]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "granule/trace.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t xorshift(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static gr_trace_rec synth(void)
{
    static uint64_t pc = 0x401000, sp = 0x1ffefff800, heap = 0x4a20000;
    gr_trace_rec r;
    memset(&r, 0, sizeof r);
    uint64_t x = xorshift();
    unsigned k = x % 100;
    if (k < 75) {
        r.kind = GR_TREC_FETCH;
        r.size = 1 + (unsigned)(x >> 8) % 7;
        if ((x >> 16) % 12 == 0)
            pc += ((x >> 20) % 4096) - 2048;
        r.va = pc;
        pc += r.size;
    } else {
        r.kind = k < 92 ? GR_TREC_READ : GR_TREC_WRITE;
        static const uint32_t sizes[4] = {1, 2, 4, 8};
        r.size = sizes[(x >> 8) & 3];
        r.va = (x >> 12) & 1 ? sp - ((x >> 16) % 512) : heap + ((x >> 16) % (1u << 20));
    }
    return r;
}

static double file_mb(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (double)st.st_size / 1e6 : 0;
}

/* Reads path to the end, best of reps. @return records; *secs the best time. */
static uint64_t read_file(const char *path, int reps, double *secs)
{
    static gr_trace_rec recs[1024];
    uint64_t n = 0;
    *secs = 1e30;
    for (int i = 0; i < reps; i++) {
        gr_trace_reader *r;
        char err[256];
        if (gr_trace_reader_open(&r, path, GR_TRACE_FMT_AUTO, err, sizeof err) != GR_TRACE_OK) {
            fprintf(stderr, "bench_trace: %s\n", err);
            return 0;
        }
        double t0 = now();
        gr_trace_status st;
        uint64_t k = 0, sum = 0;
        size_t got;
        while ((got = gr_trace_reader_read(r, recs, 1024, &st)) > 0) {
            k += got;
            sum += recs[got - 1].va; /* touch the output */
        }
        double t = now() - t0;
        if (st != GR_TRACE_END)
            fprintf(stderr, "bench_trace: %s\n", gr_trace_reader_error(r));
        gr_trace_reader_close(r);
        if (t < *secs)
            *secs = t;
        n = k + (sum & 0);
    }
    return n;
}

static void report(const char *what, const char *path, uint64_t n, double secs)
{
    double mb = file_mb(path);
    printf("  %-22s %10" PRIu64 " records %9.1f MB  %8.1f M records/s  %8.1f MB/s\n", what, n,
           mb, (double)n / secs / 1e6, mb / secs);
}

static int convert(const char *in, const char *out, int fmt, uint64_t *n, double *secs)
{
    gr_trace_reader *r;
    gr_trace_writer *w;
    char err[256];
    if (gr_trace_reader_open(&r, in, GR_TRACE_FMT_AUTO, err, sizeof err) != GR_TRACE_OK) {
        fprintf(stderr, "bench_trace: %s\n", err);
        return -1;
    }
    if (gr_trace_writer_open(&w, out, fmt, gr_trace_reader_header(r), err, sizeof err) !=
        GR_TRACE_OK) {
        fprintf(stderr, "bench_trace: %s\n", err);
        gr_trace_reader_close(r);
        return -1;
    }
    static gr_trace_rec recs[1024];
    gr_trace_status st;
    size_t got;
    double t0 = now();
    *n = 0;
    while ((got = gr_trace_reader_read(r, recs, 1024, &st)) > 0) {
        for (size_t i = 0; i < got; i++)
            gr_trace_writer_write(w, &recs[i]);
        *n += got;
    }
    int rc = st == GR_TRACE_END && gr_trace_writer_close(w, err, sizeof err) == GR_TRACE_OK ? 0 : -1;
    if (st != GR_TRACE_END) {
        gr_trace_writer_close(w, NULL, 0);
        fprintf(stderr, "bench_trace: %s\n", gr_trace_reader_error(r));
    }
    *secs = now() - t0;
    gr_trace_reader_close(r);
    return rc;
}

int main(int argc, char **argv)
{
    uint64_t n = 5000000;
    int argi = 1;
    if (argc > 2 && strcmp(argv[1], "-n") == 0) {
        n = strtoull(argv[2], NULL, 0);
        argi = 3;
    }
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    static const struct {
        int fmt;
        const char *ext;
    } outs[] = {
        {GR_TRACE_FMT_NATIVE, "grt"},        {GR_TRACE_FMT_LACKEY, "lackey"},
        {GR_TRACE_FMT_DIN, "din"},           {GR_TRACE_FMT_PINATRACE, "pinatrace"},
        {GR_TRACE_FMT_CHAMPSIM, "champsimtrace"}, {GR_TRACE_FMT_LACKEY, "lackey.zst"},
        {GR_TRACE_FMT_CHAMPSIM, "champsimtrace.xz"},
    };
    enum { NOUT = sizeof outs / sizeof outs[0] };
    char paths[NOUT][512];
    gr_trace_writer *w[NOUT];
    char err[256];
    printf("bench_trace: %" PRIu64 " synthetic lackey-shaped records (%" PRIu64
           " in the compressed variants)\n", n, n / 10);
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 0; i < NOUT; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/bench_trace.%d.%s", tmp, (int)getpid(),
                 outs[i].ext);
        if (gr_trace_writer_open(&w[i], paths[i], outs[i].fmt, NULL, err, sizeof err)) {
            fprintf(stderr, "bench_trace: %s\n", err);
            return 1;
        }
    }
    double t0 = now();
    for (uint64_t i = 0; i < n; i++) {
        gr_trace_rec r = synth();
        /* pinatrace and ChampSim carry the pc of data accesses */
        /* the compressed variants (the last two) get a tenth: xz is slow to write */
        for (int k = 0; k < NOUT; k++)
            if (k < NOUT - 2 || i < n / 10)
                gr_trace_writer_write(w[k], &r);
    }
    for (int i = 0; i < NOUT; i++)
        gr_trace_writer_close(w[i], NULL, 0);
    printf("  (wrote all formats in %.1f s)\n", now() - t0);
    printf("read (best of 3, page cache):\n");
    for (int i = 0; i < NOUT; i++) {
        double secs;
        uint64_t got = read_file(paths[i], 3, &secs);
        char what[64];
        snprintf(what, sizeof what, "%s", outs[i].ext);
        report(what, paths[i], got, secs);
    }
    double lk = file_mb(paths[1]), nat = file_mb(paths[0]);
    printf("  native size: %.2f bytes/record, lackey text / native = %.1fx\n", nat * 1e6 / (double)n,
           lk / nat);
    for (int i = 0; i < NOUT; i++)
        unlink(paths[i]);

    /* real traces given on the command line */
    for (int a = argi; a < argc; a++) {
        double secs;
        uint64_t got = read_file(argv[a], 3, &secs);
        printf("%s:\n", argv[a]);
        report("read", argv[a], got, secs);
        char out[512];
        snprintf(out, sizeof out, "%s/bench_trace.%d.real.grt", tmp, (int)getpid());
        uint64_t cn;
        double cs;
        if (convert(argv[a], out, GR_TRACE_FMT_NATIVE, &cn, &cs) == 0) {
            printf("  convert to native: %.2f s, %.1f MB -> %.2f MB (%.2f bytes/record)\n", cs,
                   file_mb(argv[a]), file_mb(out), file_mb(out) * 1e6 / (double)cn);
            got = read_file(out, 3, &secs);
            report("native", out, got, secs);
        }
        unlink(out);
    }
    return 0;
}
