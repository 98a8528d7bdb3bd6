/* Tests of the trace library (label `trace`): each importer against input
 * written the way the real tool writes it, round trips native <-> each
 * format, corrupt and truncated native files rejected with the offset, and
 * skip-ahead through the index.
 *
 * Golden values come from the tools' own output read with grep (the lackey
 * log, see data/README.md), from the documented layouts (ChampSim's
 * input_instr, the native format in docs/trace-format.md, checked here byte
 * by byte with libxxhash), or from records the test generated itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lzma.h>
#include <xxhash.h>
#include <zstd.h>

#include "granule/trace.h"
#include "nativefile.h"

#ifndef TRACE_DATA_DIR
#define TRACE_DATA_DIR "data"
#endif

/* ---- helpers ----------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static gr_trace_rec acc(int kind, uint64_t va, uint32_t size)
{
    gr_trace_rec r;
    memset(&r, 0, sizeof r);
    r.kind = (uint8_t)kind;
    r.va = va;
    r.size = size;
    return r;
}

static gr_trace_rec ev(int kind, uint64_t va, uint64_t a0, uint64_t a1)
{
    gr_trace_rec r;
    memset(&r, 0, sizeof r);
    r.kind = (uint8_t)kind;
    r.va = va;
    r.arg[0] = a0;
    r.arg[1] = a1;
    return r;
}

/* Reads every record of a memory buffer. @return the count; *st the final status. */
static size_t read_all_mem(const void *buf, size_t len, int fmt, gr_trace_rec *out, size_t cap,
                           gr_trace_status *st, gr_trace_reader **keep)
{
    gr_trace_reader *r;
    char err[256];
    gr_trace_status s = gr_trace_reader_open_mem(&r, buf, len, fmt, err, sizeof err);
    if (s != GR_TRACE_OK) {
        *st = s;
        if (keep)
            *keep = NULL;
        return 0;
    }
    size_t n = 0;
    gr_trace_rec rec;
    while ((s = gr_trace_reader_next(r, &rec)) == GR_TRACE_OK) {
        if (n < cap)
            out[n] = rec;
        n++;
    }
    *st = s;
    if (keep)
        *keep = r;
    else
        gr_trace_reader_close(r);
    return n;
}

static size_t read_all_text(const char *text, int fmt, gr_trace_rec *out, size_t cap,
                            gr_trace_status *st)
{
    return read_all_mem(text, strlen(text), fmt, out, cap, st, NULL);
}

/* The native version and codec write_file() gives a native file whose
 * header does not name a version: the tests of the native format run once
 * per (version, codec). */
static uint16_t native_ver = 1;
static uint8_t native_codec = GR_TRACE_CODEC_DEFAULT;

static void write_file(const char *path, int fmt, const gr_trace_rec *recs, size_t n,
                       const gr_trace_header *hdr)
{
    gr_trace_writer *w;
    char err[256];
    gr_trace_header h = {0};
    if (hdr)
        h = *hdr;
    if (fmt == GR_TRACE_FMT_NATIVE && h.version_major == 0) {
        h.version_major = native_ver;
        h.codec = native_codec;
    }
    assert_int_equal(gr_trace_writer_open(&w, path, fmt, &h, err, sizeof err), GR_TRACE_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(gr_trace_writer_write(w, &recs[i]), GR_TRACE_OK);
    assert_int_equal(gr_trace_writer_close(w, err, sizeof err), GR_TRACE_OK);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void assert_rec_eq(const gr_trace_rec *a, const gr_trace_rec *b)
{
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->va, b->va);
    assert_int_equal(a->size, b->size);
    assert_int_equal(a->el, b->el);
    assert_int_equal(a->task, b->task);
    assert_int_equal(a->pac_key, b->pac_key);
    assert_int_equal(a->modifier, b->modifier);
    assert_int_equal(a->pc, b->pc);
    for (int i = 0; i < GR_TRACE_NARGS; i++)
        assert_int_equal(a->arg[i], b->arg[i]);
}

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* ---- lackey ----------------------------------------------------------- */

static void test_trace_lackey_real_log(void **state)
{
    (void)state;
    gr_trace_reader *r;
    char err[256];
    assert_int_equal(gr_trace_reader_open(&r, TRACE_DATA_DIR "/true.lackey.zst",
                                          GR_TRACE_FMT_AUTO, err, sizeof err),
                     GR_TRACE_OK);
    assert_int_equal(gr_trace_reader_format(r), GR_TRACE_FMT_LACKEY);
    const char *meta = gr_trace_reader_header(r)->meta;
    assert_non_null(strstr(meta, "lackey.pid=25090\n"));
    assert_non_null(strstr(meta, "lackey.command=/bin/true\n"));
    uint64_t count[GR_TREC_LAST + 1] = {0};
    gr_trace_rec rec, first[3], ev_first[3], ev_last, munmap = {0};
    size_t n = 0, ne = 0;
    gr_trace_status st;
    while ((st = gr_trace_reader_next(r, &rec)) == GR_TRACE_OK) {
        if (n < 3)
            first[n] = rec;
        n++;
        count[rec.kind]++;
        if (rec.kind >= GR_TREC_EVENT) {
            if (ne < 3)
                ev_first[ne] = rec;
            ne++;
            ev_last = rec;
            if (rec.kind == GR_TREC_MUNMAP)
                munmap = rec;
        }
    }
    assert_int_equal(st, GR_TRACE_END);
    /* grep counts of the log (data/README.md); an M line is a read and a write. */
    assert_int_equal(count[GR_TREC_FETCH], 128808);
    assert_int_equal(count[GR_TREC_READ], 28101 + 1504);
    assert_int_equal(count[GR_TREC_WRITE], 10266 + 1504);
    assert_int_equal(count[GR_TREC_MMAP], 12);
    assert_int_equal(count[GR_TREC_MPROTECT], 4);
    assert_int_equal(count[GR_TREC_MUNMAP], 1);
    assert_int_equal(count[GR_TREC_BRK], 1);
    assert_int_equal(count[GR_TREC_EXIT], 1);
    assert_int_equal(n, 128808 + 28101 + 10266 + 2 * 1504 + 19);
    /* "I  0401ab70,3", "I  0401ab73,5", " S 1fff000708,8" */
    gr_trace_rec want0 = acc(GR_TREC_FETCH, 0x0401ab70, 3);
    gr_trace_rec want1 = acc(GR_TREC_FETCH, 0x0401ab73, 5);
    gr_trace_rec want2 = acc(GR_TREC_WRITE, 0x1fff000708, 8);
    assert_rec_eq(&first[0], &want0);
    assert_rec_eq(&first[1], &want1);
    assert_rec_eq(&first[2], &want2);
    /* sys_brk ( 0x0 ) --> Success(0x4035000);
     * sys_mmap ( 0x0, 8192, 3, 34, 4294967295, 0 ) --> Success(0x4835000) */
    gr_trace_rec brk = ev(GR_TREC_BRK, 0x4035000, 0, 0);
    assert_rec_eq(&ev_first[0], &brk);
    gr_trace_rec mm = ev(GR_TREC_MMAP, 0x4835000, 8192, 3);
    mm.arg[2] = 34;
    mm.arg[3] = 4294967295u;
    assert_rec_eq(&ev_first[1], &mm);
    assert_int_equal(ev_first[2].arg[0], 16400);
    /* sys_munmap ( 0x483c000, 53883 ); exit_group( 0 ) */
    gr_trace_rec mu = ev(GR_TREC_MUNMAP, 0x483c000, 53883, 0);
    assert_rec_eq(&munmap, &mu);
    assert_int_equal(ev_last.kind, GR_TREC_EXIT);
    gr_trace_reader_close(r);
}

static void test_trace_lackey_lines(void **state)
{
    (void)state;
    /* Shapes copied from valgrind 3.19 output: an [async] call completed
     * on a later line, a failed mmap, an unimplemented syscall and its
     * continuation, CRLF, no final newline. */
    const char *text = "==7== Lackey, an example Valgrind tool\n"
                       "==7== Command: ./a\n"
                       "I  04000000,4\n"
                       " M 1ffefff010,8\n"
                       "SYSCALL[7,1](9) sys_mmap ( 0x0, 4096, 3, 34, 4294967295, 0 ) --> [async] ... \n"
                       " L 04a00000,2\n"
                       "SYSCALL[7,1](9) ... [async] --> Success(0x5000000) \n"
                       "SYSCALL[7,1](9) sys_mmap ( 0x0, 4096, 3, 34, 4294967295, 0 ) --> [pre-fail] Failure(0xc) \n"
                       "SYSCALL[7,1](334) unimplemented (by the kernel) syscall: 334! (ni_syscall)\n"
                       " --> [pre-fail] Failure(0x26) \n"
                       "SYSCALL[7,1](10) sys_mprotect ( 0x5000000, 4096, 1 )[sync] --> Success(0x0) \r\n"
                       "SYSCALL[7,1](257) sys_openat ( 4294967196, 0x4034bb0(/a,b)c), 524288 ) --> [async] ... \n"
                       " S 05000010,16";
    gr_trace_rec r[16];
    gr_trace_status st;
    size_t n = read_all_text(text, GR_TRACE_FMT_AUTO, r, 16, &st);
    assert_int_equal(st, GR_TRACE_END);
    assert_int_equal(n, 7);
    gr_trace_rec w[7] = {acc(GR_TREC_FETCH, 0x04000000, 4), acc(GR_TREC_READ, 0x1ffefff010, 8),
                         acc(GR_TREC_WRITE, 0x1ffefff010, 8), acc(GR_TREC_READ, 0x04a00000, 2),
                         ev(GR_TREC_MMAP, 0x5000000, 4096, 3),
                         ev(GR_TREC_MPROTECT, 0x5000000, 4096, 1),
                         acc(GR_TREC_WRITE, 0x05000010, 16)};
    w[4].arg[2] = 34;
    w[4].arg[3] = 4294967295u;
    for (size_t i = 0; i < n; i++)
        assert_rec_eq(&r[i], &w[i]);
}

static void expect_error(const char *text, int fmt, gr_trace_status want, uint64_t line,
                         uint64_t off, size_t good)
{
    gr_trace_reader *rd;
    gr_trace_rec r[16];
    gr_trace_status st;
    size_t n = read_all_mem(text, strlen(text), fmt, r, 16, &st, &rd);
    assert_non_null(rd);
    assert_int_equal(st, want);
    assert_int_equal(n, good);
    assert_int_equal(gr_trace_reader_error_line(rd), line);
    assert_int_equal(gr_trace_reader_error_offset(rd), off);
    char needle[64];
    snprintf(needle, sizeof needle, "line %llu ", (unsigned long long)line);
    assert_non_null(strstr(gr_trace_reader_error(rd), needle));
    gr_trace_reader_close(rd);
}

static void test_trace_lackey_errors(void **state)
{
    (void)state;
    expect_error("I  0400,4\n L zz,4\n", GR_TRACE_FMT_LACKEY, GR_TRACE_EFORMAT, 2, 10, 1);
    expect_error("I  0400,4\nI  0401,4\nhello\n", GR_TRACE_FMT_LACKEY, GR_TRACE_EFORMAT, 3, 20, 2);
    expect_error("I  0400,x\n", GR_TRACE_FMT_LACKEY, GR_TRACE_EFORMAT, 1, 0, 0);
    expect_error("I  11112222333344445,4\n", GR_TRACE_FMT_LACKEY, GR_TRACE_EFORMAT, 1, 0, 0);
    expect_error("SYSCALL[1,1](9) sys_mmap ( 0x0, 1 ) --> [pre-success] Success(0x1000) \n",
                 GR_TRACE_FMT_LACKEY, GR_TRACE_EFORMAT, 1, 0, 0);
}

/* ---- din, pinatrace ----------------------------------------------------- */

static void test_trace_din(void **state)
{
    (void)state;
    /* Dinero IV "din" (its -informat d): LABEL ADDRESS, hex address;
     * 0 read, 1 write, 2 ifetch, 3 unknown (read), 4 flush (no access). */
    const char *text = "2 400100\n0 7fff0008\n1\t0x7fff0010\n3 10 extra\n4 0\n\n2 400104";
    gr_trace_rec r[8];
    gr_trace_status st;
    size_t n = read_all_text(text, GR_TRACE_FMT_AUTO, r, 8, &st);
    assert_int_equal(st, GR_TRACE_END);
    assert_int_equal(n, 5);
    gr_trace_rec w[5] = {acc(GR_TREC_FETCH, 0x400100, 0), acc(GR_TREC_READ, 0x7fff0008, 0),
                         acc(GR_TREC_WRITE, 0x7fff0010, 0), acc(GR_TREC_READ, 0x10, 0),
                         acc(GR_TREC_FETCH, 0x400104, 0)};
    for (size_t i = 0; i < n; i++)
        assert_rec_eq(&r[i], &w[i]);
    expect_error("2 400100\n5 10\n", GR_TRACE_FMT_DIN, GR_TRACE_EFORMAT, 2, 9, 1);
    expect_error("2 400100\n0 1g\n", GR_TRACE_FMT_DIN, GR_TRACE_EFORMAT, 2, 9, 1);
}

/* din addresses of 1 to 16 digits, mixed case, with and without 0x, each
 * followed by a newline, a blank or a carriage return: the values strtoull()
 * gives; 17 digits and a digit run ending in a non-blank are errors. */
static void test_trace_din_addresses(void **state)
{
    (void)state;
    enum { N = 20000 };
    char *text = malloc((size_t)N * 32);
    uint64_t *want = malloc(N * sizeof *want);
    size_t len = 0;
    static const char *const sep[3] = {"\n", " 4\n", "\r\n"};
    for (int i = 0; i < N; i++) {
        uint64_t x = rnd();
        unsigned nd = 1 + (unsigned)(x % 16);
        char digits[17];
        for (unsigned d = 0; d < nd; d++) {
            unsigned h = (unsigned)(rnd() & 15);
            digits[d] = h < 10 ? (char)('0' + h) : (char)(((x >> 8) & 1 ? 'A' : 'a') + h - 10);
        }
        digits[nd] = 0;
        want[i] = strtoull(digits, NULL, 16);
        len += (size_t)sprintf(text + len, "%u %s%s%s", (unsigned)((x >> 9) % 3),
                               (x >> 12) & 1 ? "0x" : "", digits, sep[(x >> 13) % 3]);
    }
    gr_trace_reader *r;
    char err[256];
    assert_int_equal(gr_trace_reader_open_mem(&r, text, len, GR_TRACE_FMT_DIN, err, sizeof err),
                     GR_TRACE_OK);
    gr_trace_rec rec;
    for (int i = 0; i < N; i++) {
        assert_int_equal(gr_trace_reader_next(r, &rec), GR_TRACE_OK);
        assert_int_equal(rec.va, want[i]);
    }
    assert_int_equal(gr_trace_reader_next(r, &rec), GR_TRACE_END);
    gr_trace_reader_close(r);
    free(text);
    free(want);
    expect_error("0 12345678123456789\n", GR_TRACE_FMT_DIN, GR_TRACE_EFORMAT, 1, 0, 0);
    expect_error("0 1234567812345678\n0 12345678g\n", GR_TRACE_FMT_DIN, GR_TRACE_EFORMAT, 2,
                 19, 1);
    expect_error("0 0x\n", GR_TRACE_FMT_DIN, GR_TRACE_EFORMAT, 1, 0, 0);
    /* A byte >= 0x80 inside an address: below '0' as a signed byte. */
    expect_error("2 401ab70\n0 12\xe9" "4\n", GR_TRACE_FMT_DIN, GR_TRACE_EFORMAT, 2, 10, 1);
}

/* gr_trace_reader_read() in batches smaller than the reader's own buffer:
 * every record once, in order, then END (the records the reader had
 * buffered when its input ended were once lost after the first). */
static void test_trace_read_small_batches(void **state)
{
    (void)state;
    const char *text = "2 400100\n0 7fff0008\n1 7fff0010\n0 10\n2 400104\n";
    const uint64_t va[5] = {0x400100, 0x7fff0008, 0x7fff0010, 0x10, 0x400104};
    for (size_t batch = 1; batch <= 9; batch++) {
        gr_trace_reader *r;
        char err[256];
        assert_int_equal(gr_trace_reader_open_mem(&r, text, strlen(text), GR_TRACE_FMT_DIN, err,
                                                  sizeof err),
                         GR_TRACE_OK);
        gr_trace_rec rec[9];
        gr_trace_status st;
        size_t total = 0;
        do {
            size_t got = gr_trace_reader_read(r, rec, batch, &st);
            for (size_t i = 0; i < got; i++)
                assert_int_equal(rec[i].va, va[total + i]);
            total += got;
            assert_true(got == batch || st != GR_TRACE_OK);
        } while (st == GR_TRACE_OK);
        assert_int_equal(st, GR_TRACE_END);
        assert_int_equal(total, 5);
        gr_trace_reader_close(r);
    }
}

static void test_trace_pinatrace(void **state)
{
    (void)state;
    /* pinatrace.cpp: fprintf(trace, "%p: R %p\n", ip, addr) per access and
     * "#eof" at the end; glibc prints a null %p as "(nil)". */
    const char *text = "0x7f3c1a2b3c4d: W 0x7ffd5e6f7080\n"
                       "0x7f3c1a2b3c51: R 0x7f3c1a4b6e40\n"
                       "0x7f3c1a2b3c51: R (nil)\n"
                       "#eof\n";
    gr_trace_rec r[8];
    gr_trace_status st;
    size_t n = read_all_text(text, GR_TRACE_FMT_AUTO, r, 8, &st);
    assert_int_equal(st, GR_TRACE_END);
    assert_int_equal(n, 3);
    gr_trace_rec w[3] = {acc(GR_TREC_WRITE, 0x7ffd5e6f7080, 0),
                         acc(GR_TREC_READ, 0x7f3c1a4b6e40, 0), acc(GR_TREC_READ, 0, 0)};
    w[0].pc = 0x7f3c1a2b3c4d;
    w[1].pc = w[2].pc = 0x7f3c1a2b3c51;
    for (size_t i = 0; i < n; i++)
        assert_rec_eq(&r[i], &w[i]);
    expect_error("0x10: R 0x20\n0x10: X 0x20\n", GR_TRACE_FMT_PINATRACE, GR_TRACE_EFORMAT, 2, 13,
                 1);
}

/* ---- ChampSim --------------------------------------------------------- */

/* One input_instr, laid out by hand from ChampSim's struct (little endian). */
static void cs_put(uint8_t *b, uint64_t ip, const uint64_t dst[2], const uint64_t src[4])
{
    memset(b, 0, 64);
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(ip >> 8 * i);
    b[8] = 1;  /* is_branch */
    b[10] = 5; /* dst_regs[0] */
    b[12] = 6; /* src_regs[0] */
    for (int m = 0; m < 2; m++)
        for (int i = 0; i < 8; i++)
            b[16 + 8 * m + i] = (uint8_t)(dst[m] >> 8 * i);
    for (int m = 0; m < 4; m++)
        for (int i = 0; i < 8; i++)
            b[32 + 8 * m + i] = (uint8_t)(src[m] >> 8 * i);
}

static void test_trace_champsim(void **state)
{
    (void)state;
    uint8_t raw[3 * 64];
    const uint64_t d0[2] = {0, 0}, s0[4] = {0, 0, 0, 0};
    const uint64_t d1[2] = {0x7000, 0}, s1[4] = {0x8000, 0, 0x8008, 0};
    const uint64_t d2[2] = {0x9000, 0x9040}, s2[4] = {1, 2, 3, 4};
    cs_put(raw, 0x401000, d0, s0);
    cs_put(raw + 64, 0x401004, d1, s1);
    cs_put(raw + 128, 0x401008, d2, s2);
    gr_trace_rec r[16];
    gr_trace_status st;
    size_t n = read_all_mem(raw, sizeof raw, GR_TRACE_FMT_AUTO, r, 16, &st, NULL);
    assert_int_equal(st, GR_TRACE_END);
    assert_int_equal(n, 1 + 4 + 7);
    gr_trace_rec w[12] = {
        acc(GR_TREC_FETCH, 0x401000, 0), acc(GR_TREC_FETCH, 0x401004, 0),
        acc(GR_TREC_READ, 0x8000, 0),    acc(GR_TREC_READ, 0x8008, 0),
        acc(GR_TREC_WRITE, 0x7000, 0),   acc(GR_TREC_FETCH, 0x401008, 0),
        acc(GR_TREC_READ, 1, 0),         acc(GR_TREC_READ, 2, 0),
        acc(GR_TREC_READ, 3, 0),         acc(GR_TREC_READ, 4, 0),
        acc(GR_TREC_WRITE, 0x9000, 0),   acc(GR_TREC_WRITE, 0x9040, 0)};
    uint64_t pcs[12] = {0x401000, 0x401004, 0x401004, 0x401004, 0x401004, 0x401008,
                        0x401008, 0x401008, 0x401008, 0x401008, 0x401008, 0x401008};
    for (size_t i = 0; i < n; i++) {
        w[i].pc = pcs[i];
        assert_rec_eq(&r[i], &w[i]);
    }
    /* The same, xz-compressed as ChampSim traces are distributed. */
    uint8_t xz[1024];
    size_t xl = 0;
    assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, raw, sizeof raw, xz, &xl,
                                             sizeof xz),
                     LZMA_OK);
    gr_trace_rec r2[16];
    size_t n2 = read_all_mem(xz, xl, GR_TRACE_FMT_CHAMPSIM, r2, 16, &st, NULL);
    assert_int_equal(st, GR_TRACE_END);
    assert_int_equal(n2, n);
    for (size_t i = 0; i < n; i++)
        assert_rec_eq(&r2[i], &r[i]);
    /* A record cut short is reported at its offset. */
    gr_trace_reader *rd;
    n2 = read_all_mem(raw, 64 + 40, GR_TRACE_FMT_CHAMPSIM, r2, 16, &st, &rd);
    assert_int_equal(st, GR_TRACE_ETRUNC);
    assert_int_equal(n2, 1);
    assert_int_equal(gr_trace_reader_error_offset(rd), 64);
    gr_trace_reader_close(rd);
    /* A truncated xz stream is an error, not a short trace. */
    n2 = read_all_mem(xz, xl - 20, GR_TRACE_FMT_CHAMPSIM, r2, 16, &st, NULL);
    assert_true(st != GR_TRACE_END && st != GR_TRACE_OK);
}

/* ---- native ------------------------------------------------------------- */

/* A mix of every record kind and field, with runs that make chunks. */
static gr_trace_rec *random_records(size_t n)
{
    gr_trace_rec *v = calloc(n, sizeof *v);
    assert_non_null(v);
    uint64_t pc = 0x400000, data = 0x7fff0000;
    for (size_t i = 0; i < n; i++) {
        gr_trace_rec *r = &v[i];
        uint64_t x = rnd();
        if (x % 97 == 0) {
            r->kind = (uint8_t)(GR_TREC_EVENT + (x >> 8) % (GR_TREC_LAST - GR_TREC_EVENT + 1));
            r->el = (uint8_t)((x >> 16) & 3);
            r->task = (uint32_t)(x >> 20) & 0xff;
            r->va = rnd();
            for (int a = 0; a < GR_TRACE_NARGS; a++)
                r->arg[a] = (x >> (24 + a)) & 1 ? rnd() >> (x & 63) : 0;
            continue;
        }
        int k = (int)((x >> 8) % 3);
        r->kind = (uint8_t)k;
        if (k == GR_TREC_FETCH)
            r->va = pc += (x >> 12) % 16 == 0 ? (rnd() % 8192) - 4096 : 4;
        else
            r->va = data += (x >> 12) % 4 == 0 ? rnd() : 8;
        r->size = (x >> 20) % 8 == 0 ? (uint32_t)(rnd() % 300) : 8;
        r->el = (x >> 24) % 50 == 0 ? 1 : 0;
        r->task = (x >> 30) % 40 == 0 ? (uint32_t)(rnd() % 5) : 0;
        if ((x >> 36) % 20 == 0) {
            r->pac_key = (uint8_t)(1 + rnd() % 5);
            r->modifier = rnd();
        }
        if ((x >> 42) % 3 == 0)
            r->pc = pc;
    }
    return v;
}

static const char *NATIVE_META = "source.file=unit test\nkey=value with spaces\n";

static void test_trace_native_roundtrip(void **state)
{
    (void)state;
    size_t n = 300000;
    gr_trace_rec *v = random_records(n);
    gr_trace_header h = {0};
    h.page_size = 16384;
    h.source = GR_TRACE_FMT_SYNTHETIC;
    h.meta = NATIVE_META;
    write_file("rt.grt", GR_TRACE_FMT_NATIVE, v, n, &h);
    gr_trace_reader *r;
    char err[256];
    assert_int_equal(gr_trace_reader_open(&r, "rt.grt", GR_TRACE_FMT_AUTO, err, sizeof err),
                     GR_TRACE_OK);
    const gr_trace_header *rh = gr_trace_reader_header(r);
    assert_int_equal(rh->version_major, native_ver);
    assert_int_equal(rh->page_size, 16384);
    assert_int_equal(rh->source, GR_TRACE_FMT_SYNTHETIC);
    assert_string_equal(rh->meta, NATIVE_META);
    gr_trace_rec *got = calloc(1000, sizeof *got);
    size_t i = 0;
    gr_trace_status st = GR_TRACE_OK;
    while (st == GR_TRACE_OK) {
        /* alternate batch reads and single reads */
        size_t k = (i / 1000) % 2 ? gr_trace_reader_read(r, got, 1000, &st)
                                  : (gr_trace_reader_next(r, got) == GR_TRACE_OK ? 1 : 0);
        if (k == 0 && st == GR_TRACE_OK)
            st = GR_TRACE_END;
        for (size_t j = 0; j < k; j++, i++) {
            assert_true(i < n);
            assert_rec_eq(&got[j], &v[i]);
        }
    }
    assert_int_equal(st, GR_TRACE_END);
    assert_int_equal(i, n);
    assert_int_equal(gr_trace_reader_total(r), n);
    gr_trace_reader_close(r);
    free(got);
    free(v);
}

/* A writer not told a version writes GR_TRACE_NATIVE_DEFAULT_VERSION. */
static void test_trace_native_roundtrip_default(void **state)
{
    (void)state;
    gr_trace_rec v[3] = {acc(GR_TREC_READ, 0x1000, 8), ev(GR_TREC_BRK, 0x5000, 0x4000, 0),
                         acc(GR_TREC_FETCH, 0x400000, 4)};
    write_file("def.grt", GR_TRACE_FMT_NATIVE, v, 3, NULL);
    gr_trace_reader *r;
    char err[256];
    assert_int_equal(gr_trace_reader_open(&r, "def.grt", GR_TRACE_FMT_AUTO, err, sizeof err),
                     GR_TRACE_OK);
    assert_int_equal(gr_trace_reader_header(r)->version_major, GR_TRACE_NATIVE_DEFAULT_VERSION);
    gr_trace_rec rec;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(gr_trace_reader_next(r, &rec), GR_TRACE_OK);
        assert_rec_eq(&rec, &v[i]);
    }
    assert_int_equal(gr_trace_reader_next(r, &rec), GR_TRACE_END);
    gr_trace_reader_close(r);
    remove("def.grt");
}

/* Whether x is a plain access as gr_trace_reader_read_plain() defines it,
 * given the run's context (task, el) or none yet (task < 0). The page test
 * is written as "first and last byte in the same page" here. */
static bool plain_rec(const gr_trace_rec *x, unsigned shift, long long task, int el)
{
    if (x->kind >= GR_TREC_EVENT || x->pac_key != GR_TRACE_PAC_NONE)
        return false;
    if (task >= 0 && (x->task != (uint64_t)task || x->el != el))
        return false;
    return x->size == 0 || (x->va >> shift) == ((x->va + x->size - 1) >> shift);
}

/* Reads path once with gr_trace_reader_read() and once with
 * gr_trace_reader_read_plain() (batches of 1, 7, 1000, 4096), falling back
 * to gr_trace_reader_read() of 1-3 records where it returns none: the same
 * records in the same order, each plain run maximal and of one context. */
static void check_read_plain(const char *path, unsigned shift)
{
    gr_trace_reader *r;
    char err[256];
    size_t cap = 400000, n = 0;
    gr_trace_rec *e = calloc(cap, sizeof *e);
    assert_int_equal(gr_trace_reader_open(&r, path, GR_TRACE_FMT_AUTO, err, sizeof err),
                     GR_TRACE_OK);
    gr_trace_status st = GR_TRACE_OK;
    while (st == GR_TRACE_OK && n < cap)
        n += gr_trace_reader_read(r, e + n, 1000 < cap - n ? 1000 : cap - n, &st);
    assert_int_equal(st, GR_TRACE_END);
    gr_trace_reader_close(r);

    assert_int_equal(gr_trace_reader_open(&r, path, GR_TRACE_FMT_AUTO, err, sizeof err),
                     GR_TRACE_OK);
    static const size_t batch[4] = {1, 7, 1000, 4096};
    uint64_t va[4096];
    uint8_t kind[4096];
    gr_trace_rec one[3];
    size_t i = 0, calls = 0, runs = 0, slow = 0;
    const uint64_t pgmask = (1ull << shift) - 1;
    st = GR_TRACE_OK;
    while (st == GR_TRACE_OK) {
        size_t b = batch[calls++ % 4];
        gr_trace_plain run = {7777, 9, 12345};
        /* every other round of four, the in-place form */
        const bool view = (calls / 4) % 2;
        const uint64_t *pva = va;
        const uint8_t *pkind = kind;
        size_t got = view ? gr_trace_reader_plain_view(r, &pva, &pkind, b, pgmask, &run, &st)
                          : gr_trace_reader_read_plain(r, va, kind, b, pgmask, &run, &st);
        if (got) {
            runs++;
            assert_true(got <= b);
            assert_int_equal(run.task, e[i].task);
            assert_int_equal(run.el, e[i].el);
            size_t fetches = 0;
            for (size_t j = 0; j < got; j++, i++) {
                assert_true(i < n);
                assert_true(plain_rec(&e[i], shift, run.task, run.el));
                assert_int_equal(pva[j], e[i].va);
                assert_int_equal(pkind[j], e[i].kind);
                fetches += e[i].kind == GR_TREC_FETCH;
            }
            assert_int_equal(run.fetches, fetches);
            /* a run is maximal (a view may end early: one span per call) */
            if (got < b && st == GR_TRACE_OK && !view)
                assert_false(i < n && plain_rec(&e[i], shift, run.task, run.el));
        } else {
            assert_int_equal(run.task, 7777); /* untouched */
            if (st != GR_TRACE_OK)
                break;
            assert_true(i < n);
            assert_false(plain_rec(&e[i], shift, -1, 0));
        }
        if (st != GR_TRACE_OK)
            break;
        size_t k = gr_trace_reader_read(r, one, 1 + calls % 3, &st);
        slow += k;
        for (size_t j = 0; j < k; j++, i++) {
            assert_true(i < n);
            assert_rec_eq(&one[j], &e[i]);
        }
    }
    assert_int_equal(st, GR_TRACE_END);
    assert_int_equal(i, n);
    assert_true(runs > 100 && slow > 100); /* both paths were taken */
    gr_trace_reader_close(r);
    free(e);
}

static void test_trace_read_plain(void **state)
{
    (void)state;
    size_t n = 200000;
    gr_trace_rec *v = random_records(n);
    gr_trace_header h = {0};
    write_file("plain.grt", GR_TRACE_FMT_NATIVE, v, n, &h);
    check_read_plain("plain.grt", 12);
    check_read_plain("plain.grt", 14);
    /* native version 2, both codecs; pages of 1 KiB take its slow test */
    for (int codec = GR_TRACE_CODEC_ZSTD; codec <= GR_TRACE_CODEC_LZ4; codec++) {
        gr_trace_header h2 = {0};
        h2.version_major = 2;
        h2.codec = (uint8_t)codec;
        write_file("plain2.grt", GR_TRACE_FMT_NATIVE, v, n, &h2);
        check_read_plain("plain2.grt", 12);
        check_read_plain("plain2.grt", 14);
        check_read_plain("plain2.grt", 10);
    }
    remove("plain2.grt");
    /* text: records converted from the format's own decoder */
    write_file("plain.lackey", GR_TRACE_FMT_LACKEY, v, n, &h);
    check_read_plain("plain.lackey", 12);
    /* din: its own plain decoder */
    write_file("plain.din", GR_TRACE_FMT_DIN, v, n, &h);
    check_read_plain("plain.din", 12);
    free(v);
    remove("plain.grt");
    remove("plain.lackey");
    remove("plain.din");

    /* a malformed din line: the records before it, then the error naming
     * line 3 and its offset, as gr_trace_reader_read() reports it */
    const char *text = "2 400100\n4 0\n0 7fzz\n";
    gr_trace_reader *r;
    char err[256];
    assert_int_equal(gr_trace_reader_open_mem(&r, text, strlen(text), GR_TRACE_FMT_DIN, err,
                                              sizeof err),
                     GR_TRACE_OK);
    uint64_t va[8];
    uint8_t kind[8];
    gr_trace_plain run;
    gr_trace_status st;
    assert_int_equal(gr_trace_reader_read_plain(r, va, kind, 8, 0xfff, &run, &st), 1);
    assert_int_equal(va[0], 0x400100);
    assert_int_equal(kind[0], GR_TREC_FETCH);
    assert_int_equal(run.fetches, 1);
    assert_int_equal(st, GR_TRACE_OK);
    assert_int_equal(gr_trace_reader_read_plain(r, va, kind, 8, 0xfff, &run, &st), 0);
    assert_int_equal(st, GR_TRACE_EFORMAT);
    assert_int_equal(gr_trace_reader_error_line(r), 3);
    assert_int_equal(gr_trace_reader_error_offset(r), 13);
    gr_trace_reader_close(r);
}

/* The layout of docs/trace-format.md, read without the library. */
typedef struct {
    size_t nchunks;
    uint64_t hsize; /* chunk header bytes */
    uint64_t off[64], first[64];
    uint64_t index_off, total;
} layout;

static void parse_layout(const uint8_t *b, size_t len, layout *L)
{
    assert_memory_equal(b, "GRTRACE\x1a", 8);
    const uint64_t ver = le(b + 8, 2);
    assert_true(ver == 1 || ver == 2);
    /* version 2: a 40-byte chunk header, its codec at 24, the XXH64 at 32 */
    const uint64_t hs_len = ver == 1 ? 32 : 40;
    L->hsize = hs_len;
    uint64_t hlen = le(b + 12, 4), mlen = le(b + 24, 4);
    assert_int_equal(hlen, 28 + mlen + 8);
    assert_int_equal(le(b + 28 + mlen, 8), XXH64(b, 28 + mlen, 0));
    assert_memory_equal(b + len - 8, "GRTREND\n", 8);
    L->index_off = le(b + len - 16, 8);
    const uint8_t *ix = b + L->index_off;
    assert_memory_equal(ix, "GRIX", 4);
    L->nchunks = le(ix + 4, 4);
    L->total = le(ix + 8, 8);
    assert_true(L->nchunks <= 64);
    size_t ilen = 16 + 16 * L->nchunks;
    assert_int_equal(le(ix + ilen, 8), XXH64(ix, ilen, 0));
    uint64_t at = hlen;
    for (size_t c = 0; c < L->nchunks; c++) {
        L->off[c] = le(ix + 16 + 16 * c, 8);
        L->first[c] = le(ix + 24 + 16 * c, 8);
        const uint8_t *ch = b + L->off[c];
        assert_int_equal(L->off[c], at); /* chunks are contiguous */
        assert_memory_equal(ch, ver == 1 ? "GRCK" : "GRC2", 4);
        uint64_t clen = le(ch + 4, 4);
        assert_int_equal(le(ch + 16, 8), L->first[c]);
        if (ver == 2) {
            assert_true(ch[24] == 1 || ch[24] == 2);
            assert_true(ch[24] == 2 || le(ch + 40, 4) == 0xfd2fb528); /* a zstd frame */
            assert_true(ch[24] == 1 || le(ch + 40, 4) == 0x184d2204); /* an LZ4 frame */
            assert_int_equal(le(ch + 25, 7), 0);
        }
        XXH64_state_t *hs = XXH64_createState();
        XXH64_reset(hs, 0);
        XXH64_update(hs, ch, hs_len - 8);
        XXH64_update(hs, ch + hs_len, clen);
        assert_int_equal(le(ch + hs_len - 8, 8), XXH64_digest(hs));
        XXH64_freeState(hs);
        at += hs_len + clen;
    }
    assert_int_equal(at, L->index_off);
}

/* Records enough for at least 3 chunks: 65536 a chunk at most in version 1,
 * 262144 in version 2. */
static size_t three_chunks(size_t v1_n)
{
    return native_ver == 1 ? v1_n : 3 * 262144 + v1_n / 10;
}

static void test_trace_native_layout(void **state)
{
    (void)state;
    size_t n = three_chunks(200000);
    gr_trace_rec *v = random_records(n);
    gr_trace_header h = {0};
    h.page_size = 4096;
    h.meta = NATIVE_META;
    write_file("layout.grt", GR_TRACE_FMT_NATIVE, v, n, &h);
    size_t len;
    uint8_t *b = slurp("layout.grt", &len);
    layout L;
    parse_layout(b, len, &L);
    assert_int_equal(L.total, n);
    assert_true(L.nchunks >= 3); /* 65536 (v2: 262144) records per chunk at most */
    assert_int_equal(le(b + 8, 2), native_ver);
    assert_int_equal(le(b + 16, 4), 4096);
    assert_memory_equal(b + 28, NATIVE_META, strlen(NATIVE_META));
    free(b);
    free(v);
}

/* Records encoded by hand from docs/trace-format.md ("Record encoding"),
 * wrapped in a file built by hand, decode to what the document says. */
static void test_trace_native_encoding_by_hand(void **state)
{
    (void)state;
    static const uint8_t payload[] = {
        /* fetch: tag 0x0e = kind 2 | SIZE | CTX; size 4; EL 1; task 7; va 0x400000 */
        0x0e, 0x04, 0x01, 0x07, 0x80, 0x80, 0x80, 0x04,
        /* read: tag 0x04 = kind 0 | SIZE; size 8; va delta +0x7fff0000 */
        0x04, 0x08, 0x80, 0x80, 0xf8, 0xff, 0x0f,
        /* write: tag 0x31 = kind 1 | PAC | PC; key 3 (DA); modifier 0x1234;
         * va delta +8 (data class); pc delta +0x400004 */
        0x31, 0x03, 0xb4, 0x24, 0x10, 0x88, 0x80, 0x80, 0x04,
        /* mmap event: tag 0x94; EL 0; task 0; va 0x5000000; 2 args 4096, 3 */
        0x94, 0x00, 0x00, 0x80, 0x80, 0x80, 0x28, 0x02, 0x80, 0x20, 0x03};
    uint8_t f[512];
    memset(f, 0, sizeof f);
    memcpy(f, "GRTRACE\x1a", 8);
    f[8] = 1;                 /* version 1.0 */
    f[12] = 36;               /* header length, no metadata */
    f[17] = 0x40;             /* page size 0x4000 */
    f[20] = 6;                /* source: synthetic */
    uint64_t h = XXH64(f, 28, 0);
    for (int i = 0; i < 8; i++)
        f[28 + i] = (uint8_t)(h >> 8 * i);
    uint8_t *c = f + 36;
    size_t cl = ZSTD_compress(c + 32, 256, payload, sizeof payload, 1);
    assert_false(ZSTD_isError(cl));
    memcpy(c, "GRCK", 4);
    c[4] = (uint8_t)cl;
    c[8] = sizeof payload;
    c[12] = 4;
    XXH64_state_t *hs = XXH64_createState();
    XXH64_reset(hs, 0);
    XXH64_update(hs, c, 24);
    XXH64_update(hs, c + 32, cl);
    h = XXH64_digest(hs);
    XXH64_freeState(hs);
    for (int i = 0; i < 8; i++)
        c[24 + i] = (uint8_t)(h >> 8 * i);
    uint8_t *ix = c + 32 + cl;
    memcpy(ix, "GRIX", 4);
    ix[4] = 1;
    ix[8] = 4;
    ix[16] = 36;
    h = XXH64(ix, 32, 0);
    for (int i = 0; i < 8; i++)
        ix[32 + i] = (uint8_t)(h >> 8 * i);
    size_t ioff = (size_t)(ix - f);
    ix[40] = (uint8_t)ioff;
    ix[41] = (uint8_t)(ioff >> 8);
    memcpy(ix + 48, "GRTREND\n", 8);
    size_t len = ioff + 56;

    gr_trace_rec r[8];
    gr_trace_status st;
    gr_trace_reader *rd;
    size_t n = read_all_mem(f, len, GR_TRACE_FMT_AUTO, r, 8, &st, &rd);
    assert_int_equal(st, GR_TRACE_END);
    assert_int_equal(n, 4);
    assert_int_equal(gr_trace_reader_header(rd)->page_size, 0x4000);
    assert_int_equal(gr_trace_reader_header(rd)->source, GR_TRACE_FMT_SYNTHETIC);
    gr_trace_reader_close(rd);
    gr_trace_rec w[4] = {acc(GR_TREC_FETCH, 0x400000, 4), acc(GR_TREC_READ, 0x7fff0000, 8),
                         acc(GR_TREC_WRITE, 0x7fff0008, 8), ev(GR_TREC_MMAP, 0x5000000, 4096, 3)};
    for (int i = 0; i < 3; i++) {
        w[i].el = 1;
        w[i].task = 7;
    }
    w[2].pac_key = GR_TRACE_PAC_DA;
    w[2].modifier = 0x1234;
    w[2].pc = 0x400004;
    for (int i = 0; i < 4; i++)
        assert_rec_eq(&r[i], &w[i]);
}

static void test_trace_native_corrupt(void **state)
{
    (void)state;
    size_t n = three_chunks(150000);
    gr_trace_rec *v = random_records(n);
    write_file("corrupt.grt", GR_TRACE_FMT_NATIVE, v, n, NULL);
    size_t len;
    uint8_t *b = slurp("corrupt.grt", &len);
    layout L;
    parse_layout(b, len, &L);
    assert_true(L.nchunks >= 3);
    gr_trace_rec *sink = malloc(sizeof *sink * 16);
    for (size_t c = 0; c < L.nchunks; c++) {
        uint64_t end = c + 1 < L.nchunks ? L.off[c + 1] : L.index_off;
        /* a byte of the chunk header's sizes, of the payload start, middle and end */
        uint64_t where[] = {L.off[c] + 5,         L.off[c] + 17,         L.off[c] + 26,
                            L.off[c] + L.hsize, (L.off[c] + end) / 2, end - 1};
        for (size_t k = 0; k < sizeof where / sizeof where[0]; k++) {
            b[where[k]] ^= 0x40;
            gr_trace_status st;
            gr_trace_reader *rd;
            size_t got = read_all_mem(b, len, GR_TRACE_FMT_NATIVE, sink, 0, &st, &rd);
            /* a damaged payload length may also run the chunk past the end */
            assert_true(st == GR_TRACE_ECORRUPT || st == GR_TRACE_EFORMAT ||
                        st == GR_TRACE_ETRUNC);
            assert_int_equal(gr_trace_reader_error_offset(rd), L.off[c]);
            assert_int_equal(got, L.first[c]); /* everything before the chunk was good */
            assert_non_null(strstr(gr_trace_reader_error(rd), "byte offset"));
            gr_trace_reader_close(rd);
            b[where[k]] ^= 0x40;
        }
    }
    /* the file header and the index */
    gr_trace_status st;
    gr_trace_reader *rd;
    b[30] ^= 1;
    assert_int_equal(read_all_mem(b, len, GR_TRACE_FMT_NATIVE, sink, 0, &st, &rd), 0);
    assert_int_equal(st, GR_TRACE_ECORRUPT);
    assert_null(rd);
    b[30] ^= 1;
    b[L.index_off + 20] ^= 1;
    read_all_mem(b, len, GR_TRACE_FMT_NATIVE, sink, 0, &st, &rd);
    assert_int_equal(st, GR_TRACE_ECORRUPT);
    assert_int_equal(gr_trace_reader_error_offset(rd), L.index_off);
    gr_trace_reader_close(rd);
    b[L.index_off + 20] ^= 1;
    /* and the untouched file still reads */
    assert_int_equal(read_all_mem(b, len, GR_TRACE_FMT_NATIVE, sink, 0, &st, NULL), n);
    assert_int_equal(st, GR_TRACE_END);
    free(sink);
    free(b);
    free(v);
}

static void test_trace_native_truncated(void **state)
{
    (void)state;
    size_t n = three_chunks(140000);
    gr_trace_rec *v = random_records(n);
    write_file("trunc.grt", GR_TRACE_FMT_NATIVE, v, n, NULL);
    size_t len;
    uint8_t *b = slurp("trunc.grt", &len);
    layout L;
    parse_layout(b, len, &L);
    /* every cut: each chunk boundary and +-1 around it, the index, the
     * trailer, and 200 evenly spread points */
    uint64_t cuts[400];
    size_t nc = 0;
    for (size_t c = 0; c < L.nchunks; c++) {
        cuts[nc++] = L.off[c];
        cuts[nc++] = L.off[c] + 1;
        cuts[nc++] = L.off[c] + 31;
        cuts[nc++] = L.off[c] - 1;
    }
    cuts[nc++] = L.index_off;
    cuts[nc++] = L.index_off + 8;
    cuts[nc++] = len - 16;
    cuts[nc++] = len - 1;
    for (int i = 0; i < 200; i++)
        cuts[nc++] = (uint64_t)len * (uint64_t)i / 200;
    for (size_t i = 0; i < nc; i++) {
        gr_trace_status st;
        gr_trace_reader *rd;
        read_all_mem(b, cuts[i], GR_TRACE_FMT_NATIVE, NULL, 0, &st, &rd);
        assert_true(st != GR_TRACE_END && st != GR_TRACE_OK);
        if (rd) {
            if (cuts[i] >= 8) /* shorter than the magic is not recognisably ours */
                assert_int_equal(st, GR_TRACE_ETRUNC);
            assert_true(gr_trace_reader_error_offset(rd) <= cuts[i]);
            gr_trace_reader_close(rd);
        }
    }
    /* A cut at a chunk boundary leaves whole chunks: the reader says the
     * index is missing, at the cut. */
    gr_trace_status st;
    gr_trace_reader *rd;
    size_t got = read_all_mem(b, L.off[2], GR_TRACE_FMT_NATIVE, NULL, 0, &st, &rd);
    assert_int_equal(st, GR_TRACE_ETRUNC);
    assert_int_equal(got, L.first[2]);
    assert_int_equal(gr_trace_reader_error_offset(rd), L.off[2]);
    gr_trace_reader_close(rd);
    free(b);
    free(v);
}

static void test_trace_native_seek(void **state)
{
    (void)state;
    size_t n = 200000;
    gr_trace_rec *v = random_records(n);
    write_file("seek.grt", GR_TRACE_FMT_NATIVE, v, n, NULL);
    gr_trace_reader *r;
    char err[256];
    assert_int_equal(gr_trace_reader_open(&r, "seek.grt", GR_TRACE_FMT_NATIVE, err, sizeof err),
                     GR_TRACE_OK);
    uint64_t targets[] = {150000, 0, 65535, 65536, 65537, 199999, 3, 131072, 100};
    gr_trace_rec rec;
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        assert_int_equal(gr_trace_reader_seek(r, targets[i]), GR_TRACE_OK);
        assert_int_equal(gr_trace_reader_position(r), targets[i]);
        assert_int_equal(gr_trace_reader_next(r, &rec), GR_TRACE_OK);
        assert_rec_eq(&rec, &v[targets[i]]);
        if (targets[i] + 1 < n) {
            assert_int_equal(gr_trace_reader_next(r, &rec), GR_TRACE_OK);
            assert_rec_eq(&rec, &v[targets[i] + 1]);
        } else {
            assert_int_equal(gr_trace_reader_next(r, &rec), GR_TRACE_END);
        }
    }
    assert_int_equal(gr_trace_reader_total(r), n);
    /* at and past the end */
    assert_int_equal(gr_trace_reader_seek(r, n + 5), GR_TRACE_OK);
    assert_int_equal(gr_trace_reader_next(r, &rec), GR_TRACE_END);
    /* and back, then read to the end: the index and trailer are checked again */
    assert_int_equal(gr_trace_reader_seek(r, n - 10), GR_TRACE_OK);
    size_t k = 0;
    while (gr_trace_reader_next(r, &rec) == GR_TRACE_OK)
        k++;
    assert_int_equal(k, 10);
    gr_trace_reader_close(r);
    /* A text trace seeks forward by reading, and not backward. */
    const char *din = "0 10\n0 20\n0 30\n0 40\n";
    assert_int_equal(gr_trace_reader_open_mem(&r, din, strlen(din), GR_TRACE_FMT_AUTO, err,
                                              sizeof err),
                     GR_TRACE_OK);
    assert_int_equal(gr_trace_reader_seek(r, 2), GR_TRACE_OK);
    assert_int_equal(gr_trace_reader_next(r, &rec), GR_TRACE_OK);
    assert_int_equal(rec.va, 0x30);
    assert_int_equal(gr_trace_reader_seek(r, 1), GR_TRACE_EUNSUPPORTED);
    gr_trace_reader_close(r);
    free(v);
}

/* ---- round trips through each foreign format ---------------------------- */

/* What survives a trip through fmt: the fields the format holds. */
static gr_trace_rec project(const gr_trace_rec *in, int fmt)
{
    gr_trace_rec o;
    if (fmt == GR_TRACE_FMT_NATIVE)
        return *in;
    memset(&o, 0, sizeof o);
    o.kind = in->kind;
    o.va = in->va;
    if (fmt == GR_TRACE_FMT_LACKEY) {
        o.size = in->size;
        if (in->kind >= GR_TREC_EVENT)
            o = *in;
    } else if (fmt == GR_TRACE_FMT_PINATRACE || fmt == GR_TRACE_FMT_CHAMPSIM) {
        o.pc = in->pc;
    }
    return o;
}

/* in -> out as native version ver with codec, record by record. */
static void convert_native(const char *in, const char *out, uint16_t ver, uint8_t codec)
{
    gr_trace_reader *r;
    gr_trace_writer *w;
    char err[256];
    assert_int_equal(gr_trace_reader_open(&r, in, GR_TRACE_FMT_AUTO, err, sizeof err),
                     GR_TRACE_OK);
    gr_trace_header h = *gr_trace_reader_header(r);
    h.version_major = ver;
    h.codec = codec;
    assert_int_equal(gr_trace_writer_open(&w, out, GR_TRACE_FMT_NATIVE, &h, err, sizeof err),
                     GR_TRACE_OK);
    gr_trace_rec rec;
    gr_trace_status st;
    while ((st = gr_trace_reader_next(r, &rec)) == GR_TRACE_OK)
        assert_int_equal(gr_trace_writer_write(w, &rec), GR_TRACE_OK);
    assert_int_equal(st, GR_TRACE_END);
    assert_int_equal(gr_trace_writer_dropped(w), 0);
    assert_int_equal(gr_trace_writer_close(w, err, sizeof err), GR_TRACE_OK);
    gr_trace_reader_close(r);
}

/* a and b hold the same records, every byte of every field equal. */
static void same_records(const char *a, const char *b)
{
    gr_trace_reader *ra, *rb;
    char err[256];
    assert_int_equal(gr_trace_reader_open(&ra, a, GR_TRACE_FMT_AUTO, err, sizeof err),
                     GR_TRACE_OK);
    assert_int_equal(gr_trace_reader_open(&rb, b, GR_TRACE_FMT_AUTO, err, sizeof err),
                     GR_TRACE_OK);
    gr_trace_rec x, y;
    gr_trace_status sa, sb;
    size_t n = 0;
    for (;;) {
        sa = gr_trace_reader_next(ra, &x);
        sb = gr_trace_reader_next(rb, &y);
        assert_int_equal(sa, sb);
        if (sa != GR_TRACE_OK)
            break;
        assert_memory_equal(&x, &y, sizeof x);
        n++;
    }
    assert_int_equal(sa, GR_TRACE_END);
    gr_trace_reader_close(ra);
    gr_trace_reader_close(rb);
}

static void roundtrip(int fmt, const gr_trace_rec *v, size_t n, const char *path)
{
    write_file(path, fmt, v, n, NULL);
    gr_trace_reader *r;
    char err[256];
    assert_int_equal(gr_trace_reader_open(&r, path, GR_TRACE_FMT_AUTO, err, sizeof err),
                     GR_TRACE_OK);
    assert_int_equal(gr_trace_reader_format(r), fmt);
    gr_trace_rec rec;
    size_t i = 0;
    gr_trace_status st;
    while ((st = gr_trace_reader_next(r, &rec)) == GR_TRACE_OK) {
        assert_true(i < n);
        gr_trace_rec want = project(&v[i], fmt);
        if (memcmp(&rec, &want, sizeof rec) != 0)
            print_message("%s: record %zu differs\n", path, i);
        assert_rec_eq(&rec, &want);
        i++;
    }
    assert_int_equal(st, GR_TRACE_END);
    assert_int_equal(i, n);
    gr_trace_reader_close(r);
    /* and the foreign file -> native version 2 gives back exactly its records */
    for (int codec = GR_TRACE_CODEC_ZSTD; codec <= GR_TRACE_CODEC_LZ4; codec++) {
        convert_native(path, "rt.v2.grt", 2, (uint8_t)codec);
        same_records(path, "rt.v2.grt");
    }
    remove("rt.v2.grt");
}

static void test_trace_roundtrip_formats(void **state)
{
    (void)state;
    enum { N = 50000 };
    gr_trace_rec *v = calloc(N, sizeof *v);
    /* lackey: accesses with sizes, and the events lackey writes */
    for (size_t i = 0; i < N; i++) {
        uint64_t x = rnd();
        if (i % 1000 == 999) {
            static const int evk[] = {GR_TREC_MMAP, GR_TREC_MUNMAP, GR_TREC_MPROTECT,
                                      GR_TREC_BRK, GR_TREC_EXIT};
            int k = evk[x % 5];
            v[i] = ev(k, k == GR_TREC_EXIT ? 0 : (x >> 12) << 12, 0, 0);
            if (k == GR_TREC_MMAP)
                for (int a = 0; a < 5; a++)
                    v[i].arg[a] = rnd() % 100000;
            else if (k == GR_TREC_MPROTECT)
                v[i].arg[0] = 4096, v[i].arg[1] = 3;
            else
                v[i].arg[0] = x % 65536;
            continue;
        }
        v[i] = acc((int)(x % 3), (x >> 8) & 0xffffffffffull, (uint32_t)(1 + (x >> 50) % 16));
        /* an M line: a read then a write of the same bytes */
        if (i % 7 == 0 && i + 1 < N && v[i].kind == GR_TREC_READ) {
            v[i + 1] = v[i];
            v[i + 1].kind = GR_TREC_WRITE;
            i++;
        }
    }
    roundtrip(GR_TRACE_FMT_LACKEY, v, N, "rt.lackey");
    roundtrip(GR_TRACE_FMT_LACKEY, v, N, "rt.lackey.zst");
    /* din: kind and address */
    for (size_t i = 0; i < N; i++)
        v[i] = acc((int)(rnd() % 3), rnd(), 0);
    roundtrip(GR_TRACE_FMT_DIN, v, N, "rt.din");
    roundtrip(GR_TRACE_FMT_DIN, v, N, "rt.din.xz");
    /* pinatrace: data accesses with their pc */
    for (size_t i = 0; i < N; i++) {
        v[i] = acc(GR_TREC_READ + (int)(rnd() % 2), rnd(), 0);
        v[i].pc = rnd() >> (rnd() % 64);
    }
    roundtrip(GR_TRACE_FMT_PINATRACE, v, N, "rt.pinatrace");
    /* ChampSim: instructions of a fetch, up to 4 reads, up to 2 writes */
    size_t n = 0;
    while (n + 7 <= N) {
        uint64_t ip = rnd() | 1;
        v[n] = acc(GR_TREC_FETCH, ip, 0);
        v[n++].pc = ip;
        int nr = (int)(rnd() % 5), nw = (int)(rnd() % 3);
        for (int k = 0; k < nr + nw; k++) {
            v[n] = acc(k < nr ? GR_TREC_READ : GR_TREC_WRITE, rnd() | 1, 0);
            v[n++].pc = ip;
        }
    }
    roundtrip(GR_TRACE_FMT_CHAMPSIM, v, n, "rt.champsimtrace");
    roundtrip(GR_TRACE_FMT_CHAMPSIM, v, n, "rt.champsimtrace.xz");
    /* and native holds all of them */
    roundtrip(GR_TRACE_FMT_NATIVE, v, n, "rt2.grt");
    free(v);
}

/* foreign -> native -> foreign is byte-exact for the canonical text forms */
static void test_trace_roundtrip_bytes(void **state)
{
    (void)state;
    static const struct {
        int fmt;
        const char *text;
    } cases[] = {
        {GR_TRACE_FMT_DIN, "2 400100\n0 7fff0008\n1 7fff0010\n"},
        {GR_TRACE_FMT_PINATRACE, "0x7f3c1a2b3c4d: W 0x7ffd5e6f7080\n0x7f3c1a2b3c51: R 0x10\n#eof\n"},
        {GR_TRACE_FMT_LACKEY, "I  0401ab70,3\n S 1fff000708,8\n M 04033e06,1\n L 1fff0006f8,8\n"
                              "SYSCALL[1,1](12) sys_brk ( 0x0 ) --> [pre-success] Success(0x4035000) \n"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        FILE *f = fopen("in.txt", "wb");
        fputs(cases[c].text, f);
        fclose(f);
        gr_trace_rec recs[16];
        gr_trace_status st;
        size_t n = read_all_text(cases[c].text, cases[c].fmt, recs, 16, &st);
        assert_int_equal(st, GR_TRACE_END);
        write_file("mid.grt", GR_TRACE_FMT_NATIVE, recs, n, NULL);
        size_t len;
        uint8_t *b = slurp("mid.grt", &len);
        gr_trace_rec again[16];
        assert_int_equal(read_all_mem(b, len, GR_TRACE_FMT_AUTO, again, 16, &st, NULL), n);
        write_file("out.txt", cases[c].fmt, again, n, NULL);
        free(b);
        b = slurp("out.txt", &len);
        assert_int_equal(len, strlen(cases[c].text));
        assert_memory_equal(b, cases[c].text, len);
        free(b);
    }
}

static void test_trace_detect(void **state)
{
    (void)state;
    gr_trace_reader *r;
    char err[256];
    assert_int_equal(gr_trace_reader_open_mem(&r, "hello world\n", 12, GR_TRACE_FMT_AUTO, err,
                                              sizeof err),
                     GR_TRACE_EFORMAT);
    assert_null(r);
    assert_non_null(strstr(err, "cannot tell the trace format"));
    assert_int_equal(gr_trace_reader_open_mem(&r, "", 0, GR_TRACE_FMT_AUTO, err, sizeof err),
                     GR_TRACE_EFORMAT);
    /* overriding detection */
    assert_int_equal(gr_trace_reader_open_mem(&r, "", 0, GR_TRACE_FMT_DIN, err, sizeof err),
                     GR_TRACE_OK);
    gr_trace_rec rec;
    assert_int_equal(gr_trace_reader_next(r, &rec), GR_TRACE_END);
    gr_trace_reader_close(r);
    assert_int_equal(gr_trace_reader_open(&r, "no/such/file", GR_TRACE_FMT_AUTO, err, sizeof err),
                     GR_TRACE_EIO);
    assert_non_null(strstr(err, "no/such/file"));
    assert_int_equal(gr_trace_format_parse("champsim"), GR_TRACE_FMT_CHAMPSIM);
    assert_int_equal(gr_trace_format_parse("bogus"), -1);
    gr_trace_reader_close(NULL);
    assert_int_equal(gr_trace_writer_close(NULL, NULL, 0), GR_TRACE_OK);
}

/* ---- native version 2 ----------------------------------------------------- */

/* v1 -> v2 -> v1 gives the v1 file back byte for byte (so v2 holds every
 * field v1 does), with either codec; and v2 -> v2 is stable. */
static void test_trace_native_v1_v2_bytes(void **state)
{
    (void)state;
    size_t n = 300000;
    gr_trace_rec *v = random_records(n);
    gr_trace_header h = {0};
    h.version_major = 1;
    h.page_size = 16384;
    h.source = GR_TRACE_FMT_LACKEY;
    h.meta = NATIVE_META;
    write_file("a.v1.grt", GR_TRACE_FMT_NATIVE, v, n, &h);
    size_t la, lb;
    uint8_t *a = slurp("a.v1.grt", &la);
    for (int codec = GR_TRACE_CODEC_ZSTD; codec <= GR_TRACE_CODEC_LZ4; codec++) {
        convert_native("a.v1.grt", "b.v2.grt", 2, (uint8_t)codec);
        same_records("a.v1.grt", "b.v2.grt");
        convert_native("b.v2.grt", "c.v1.grt", 1, 0);
        uint8_t *c = slurp("c.v1.grt", &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(a, c, la);
        free(c);
        /* the header survives: page size, source, metadata */
        gr_trace_reader *r;
        char err[256];
        assert_int_equal(gr_trace_reader_open(&r, "b.v2.grt", GR_TRACE_FMT_AUTO, err, sizeof err),
                         GR_TRACE_OK);
        const gr_trace_header *rh = gr_trace_reader_header(r);
        assert_int_equal(rh->version_major, 2);
        assert_int_equal(rh->version_minor, 0);
        assert_int_equal(rh->page_size, 16384);
        assert_int_equal(rh->source, GR_TRACE_FMT_LACKEY);
        assert_string_equal(rh->meta, NATIVE_META);
        gr_trace_reader_close(r);
        convert_native("b.v2.grt", "d.v2.grt", 2, (uint8_t)codec);
        uint8_t *b = slurp("b.v2.grt", &la);
        uint8_t *d = slurp("d.v2.grt", &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(b, d, la);
        free(b);
        free(d);
        la = lb = 0;
        free(a);
        a = slurp("a.v1.grt", &la);
    }
    free(a);
    free(v);
    remove("a.v1.grt");
    remove("b.v2.grt");
    remove("c.v1.grt");
    remove("d.v2.grt");
}

/* Corner records: every event kind with all five arguments at their
 * extremes, sizes 0, 1, 254, 255 and 2^32-1, VA deltas at each length
 * boundary, context changes and PAC on the first and last records. */
static void test_trace_native_v2_corners(void **state)
{
    (void)state;
    gr_trace_rec v[200];
    size_t n = 0;
    static const uint32_t sizes[] = {0, 1, 254, 255, 256, 4096, UINT32_MAX};
    static const int64_t deltas[] = {0, 127, -128, 128, -129, 32767, -32768, 32768, -32769,
                                     INT32_MAX, INT32_MIN, (int64_t)INT32_MAX + 1,
                                     (int64_t)INT32_MIN - 1, INT64_MAX, INT64_MIN};
    v[n] = acc(GR_TREC_READ, 0xfffffffffffffff8ull, 8);
    v[n].task = UINT32_MAX;
    v[n].el = 3;
    v[n].pac_key = GR_TRACE_PAC_GA;
    v[n++].modifier = UINT64_MAX;
    for (int k = GR_TREC_EVENT; k <= GR_TREC_LAST; k++) {
        v[n] = ev(k, UINT64_MAX, UINT64_MAX, 1);
        v[n].arg[4] = UINT64_MAX;
        v[n].el = 3;
        v[n++].task = UINT32_MAX;
    }
    uint64_t va = 0;
    for (size_t i = 0; i < sizeof deltas / sizeof deltas[0]; i++) {
        for (int k = 0; k < 3; k++) {
            v[n] = acc(k, va += (uint64_t)deltas[i], sizes[(i + (size_t)k) % 7]);
            v[n++].pc = k == 1 ? 0 : va ^ 0x5555;
        }
    }
    v[n] = acc(GR_TREC_FETCH, 0xfff, 2); /* crosses a 4K page */
    v[n].pac_key = GR_TRACE_PAC_IB;
    v[n].el = 1;
    v[n++].modifier = 0;
    for (int codec = GR_TRACE_CODEC_ZSTD; codec <= GR_TRACE_CODEC_LZ4; codec++) {
        for (size_t m = 1; m <= n; m += m < 8 ? 1 : 13) {
            gr_trace_header h = {0};
            h.version_major = 2;
            h.codec = (uint8_t)codec;
            write_file("corner.grt", GR_TRACE_FMT_NATIVE, v, m, &h);
            gr_trace_rec got[200];
            gr_trace_status st;
            size_t len;
            uint8_t *b = slurp("corner.grt", &len);
            assert_int_equal(read_all_mem(b, len, GR_TRACE_FMT_AUTO, got, 200, &st, NULL), m);
            assert_int_equal(st, GR_TRACE_END);
            for (size_t i = 0; i < m; i++)
                assert_rec_eq(&got[i], &v[i]);
            free(b);
        }
    }
    remove("corner.grt");
}

/* A version-2 chunk body encoded by hand from docs/trace-format.md
 * ("Native format, version 2.0"): 5 records, every column and side list. */
static const uint8_t V2_BODY[] = {
    /* body header: N 5, contexts 1, PAC 1, splits 1, events 1, big sizes 1,
     * event bytes 10, pc bytes 10, delta bytes 12, reserved */
    5, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 10, 0, 0, 0,
    10, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0,
    /* kinds (8 = N rounded up to 4): fetch, read, write, mmap (0x14), fetch */
    0x02, 0x00, 0x01, 0x14, 0x02, 0, 0, 0,
    /* length codes: records 0-3 = 4, 4, 1, 1 bytes (2, 2, 0, 0); record 4 = 2 bytes (1) */
    0x0a, 0x01,
    /* sizes: 4, 8, escaped, (event) 0, 4 */
    0x04, 0x08, 0xff, 0x00, 0x04, 0, 0, 0,
    /* big sizes: 300 */
    0x2c, 0x01, 0, 0,
    /* context from record 0: task 7, EL 1 */
    0, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0,
    /* PAC on record 2: key 3 (DA), modifier 0x1234 */
    2, 0, 0, 0, 3, 0, 0, 0, 0x34, 0x12, 0, 0, 0, 0, 0, 0,
    /* record 4 crosses a 4 KiB page */
    4, 0, 0, 0,
    /* record 3 is an event */
    3, 0, 0, 0,
    /* its body: EL 0, task 0, va 0x5000000, 2 arguments 4096 and 3 */
    0x00, 0x00, 0x80, 0x80, 0x80, 0x28, 0x02, 0x80, 0x20, 0x03,
    /* pc, one zigzag varint per access: 0, 0, +0x400004, -0x400004 */
    0x00, 0x00, 0x88, 0x80, 0x80, 0x04, 0x87, 0x80, 0x80, 0x04,
    /* VA deltas: +0x400000 (fetch), +0x7fff0000 (data), +8 (data), 0 (the
     * event's byte), +0xffe (fetch) */
    0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0xff, 0x7f, 0x08, 0x00, 0xfe, 0x0f};

/* A version-2 file around body (one chunk said to hold count records,
 * zstd), every checksum right, in f (1024 bytes). @return its length. */
static size_t v2_file(uint8_t *f, const uint8_t *body, size_t blen, uint32_t count)
{
    assert_true(nativefile_cap(blen) <= 1024);
    size_t len = nativefile_make(f, body, blen, count, 2, false);
    assert_true(len > 0);
    return len;
}

static void test_trace_native_v2_by_hand(void **state)
{
    (void)state;
    uint8_t f[1024];
    size_t len = v2_file(f, V2_BODY, sizeof V2_BODY, 5);
    gr_trace_rec r[8];
    gr_trace_status st;
    gr_trace_reader *rd;
    size_t n = read_all_mem(f, len, GR_TRACE_FMT_AUTO, r, 8, &st, &rd);
    assert_int_equal(st, GR_TRACE_END);
    assert_int_equal(n, 5);
    assert_int_equal(gr_trace_reader_header(rd)->version_major, 2);
    assert_int_equal(gr_trace_reader_header(rd)->page_size, 0x1000);
    gr_trace_reader_close(rd);
    gr_trace_rec w[5] = {acc(GR_TREC_FETCH, 0x400000, 4), acc(GR_TREC_READ, 0x7fff0000, 8),
                         acc(GR_TREC_WRITE, 0x7fff0008, 300), ev(GR_TREC_MMAP, 0x5000000, 4096, 3),
                         acc(GR_TREC_FETCH, 0x400ffe, 4)};
    for (int i = 0; i < 5; i++) {
        if (i == 3)
            continue;
        w[i].el = 1;
        w[i].task = 7;
    }
    w[2].pac_key = GR_TRACE_PAC_DA;
    w[2].modifier = 0x1234;
    w[2].pc = 0x400004;
    for (int i = 0; i < 5; i++)
        assert_rec_eq(&r[i], &w[i]);
    /* the same body in any LZ4 frame: the library's default, and one with
     * 64 KiB blocks and block and content checksums (another writer's) */
    for (int lz4 = 1; lz4 <= 2; lz4++) {
        uint8_t g[1024];
        assert_true(nativefile_cap(sizeof V2_BODY) <= sizeof g);
        const size_t gl = nativefile_make(g, V2_BODY, sizeof V2_BODY, 5, 2, lz4);
        assert_true(gl > 0);
        assert_int_equal(g[36 + 24], 2); /* codec LZ4 */
        gr_trace_rec q[8];
        assert_int_equal(read_all_mem(g, gl, GR_TRACE_FMT_AUTO, q, 8, &st, NULL), 5);
        assert_int_equal(st, GR_TRACE_END);
        for (int i = 0; i < 5; i++)
            assert_rec_eq(&q[i], &w[i]);
    }
    /* the writer encodes the same records into the same body */
    gr_trace_header h = {0};
    h.version_major = 2;
    h.codec = GR_TRACE_CODEC_ZSTD;
    h.page_size = 0x1000;
    h.source = GR_TRACE_FMT_SYNTHETIC;
    write_file("hand2.grt", GR_TRACE_FMT_NATIVE, w, 5, &h);
    size_t wl;
    uint8_t *wb = slurp("hand2.grt", &wl);
    uint8_t body[256];
    size_t cl = (size_t)le(wb + 36 + 4, 4);
    assert_int_equal(ZSTD_decompress(body, sizeof body, wb + 36 + 40, cl), sizeof V2_BODY);
    assert_memory_equal(body, V2_BODY, sizeof V2_BODY);
    free(wb);
    remove("hand2.grt");
}

/* Version-1 records that are malformed under right checksums (record
 * encoding of docs/trace-format.md): each reported at the chunk's byte
 * offset (36) after the good record before it, with the field at fault
 * named, read by the record decoder and by the plain-run decoder (which
 * leaves PAC and event records to the record decoder). */
static void test_trace_native_v1_malformed(void **state)
{
    (void)state;
    /* record 0: a read (tag SIZE), size 8, VA delta +0x1000 (zigzag
     * 0x2000 = 80 40) */
    static const uint8_t good[] = {0x04, 0x08, 0x80, 0x40};
#define FF10 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
    static const struct {
        uint8_t rec[16];
        size_t len;
        const char *what;
    } cases[] = {
        {{0x40, 0x00}, 2, "reserved bit 6"},
        {{0x03, 0x00}, 2, "access kind 3"},
        {{0x04, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00}, 7, "size is over 32 bits"},  /* 2^32 */
        {{0x04, FF10, 0x00}, 12, "size varint is longer than 10 bytes"},
        {{0x08, 0x04, 0x00, 0x00}, 4, "EL is over 3"},
        {{0x08, 0x00, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00}, 8, "task is over 32 bits"},
        {{0x10, 0x00, 0x00, 0x00}, 4, "PAC key is not 1..5"},
        {{0x10, 0x06, 0x00, 0x00}, 4, "PAC key is not 1..5"},
        {{0x00, FF10}, 11, "VA delta varint is longer than 10 bytes"},
        {{0x20, 0x00, FF10}, 12, "pc delta varint is longer than 10 bytes"},
        {{0x85, 0x00, 0x00, 0x00, 0x00}, 5, "names no event kind"},   /* kind 5 */
        {{0x9c, 0x00, 0x00, 0x00, 0x00}, 5, "names no event kind"},   /* kind 28 */
        {{0x90, 0x04, 0x00, 0x00, 0x00}, 5, "event's EL is over 3"},
        {{0x90, 0x00, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00, 0x00}, 9, "event's task is over 32 bits"},
        {{0x90, 0x00, 0x00, 0x00, 0x06}, 5, "more than 5 arguments"},
        {{0x90, 0x00, 0x00, 0x00, 0x01, FF10}, 15, "event argument varint is longer than 10"},
        {{0x08, 0x00, FF10, 0x00}, 13, "task varint is longer than 10 bytes"},
        {{0x10, 0x01, FF10, 0x00}, 13, "PAC modifier varint is longer than 10 bytes"},
        /* records cut short: the padding after the chunk reads as zeros */
        {{0x04, 0x80}, 2, "runs past the end of the chunk"},  /* size varint */
        {{0x10}, 1, "runs past the end of the chunk"},        /* PAC key (0 in the padding) */
        {{0x90, 0x00}, 2, "runs past the end of the chunk"},  /* event task */
        {{0x00}, 1, "runs past the end of the chunk"},        /* VA delta */
    };
#undef FF10
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        uint8_t body[32], f[1024];
        memcpy(body, good, sizeof good);
        memcpy(body + sizeof good, cases[k].rec, cases[k].len);
        const size_t blen = sizeof good + cases[k].len;
        assert_true(nativefile_cap(blen) <= sizeof f);
        const size_t len = nativefile_make(f, body, blen, 2, 1, false);
        assert_true(len > 0);
        for (int plain = 0; plain < 2; plain++) {
            gr_trace_reader *rd;
            char err[256];
            assert_int_equal(gr_trace_reader_open_mem(&rd, f, len, GR_TRACE_FMT_NATIVE, err,
                                                      sizeof err),
                             GR_TRACE_OK);
            assert_int_equal(gr_trace_reader_header(rd)->version_major, 1);
            gr_trace_status st = GR_TRACE_OK;
            size_t got = 0;
            while (st == GR_TRACE_OK) {
                gr_trace_rec r[4];
                uint64_t va[4];
                uint8_t kind[4];
                gr_trace_plain run;
                size_t m = plain ? gr_trace_reader_read_plain(rd, va, kind, 4, 0xfff, &run, &st)
                                 : 0;
                if (!m && st == GR_TRACE_OK)
                    m = gr_trace_reader_read(rd, r, 1, &st);
                got += m;
            }
            const char *e = gr_trace_reader_error(rd);
            if (st != GR_TRACE_EFORMAT || got != 1 || !strstr(e, cases[k].what))
                print_message("case %zu (plain %d): %s (%zu records)\n", k, plain, e, got);
            assert_int_equal(st, GR_TRACE_EFORMAT);
            assert_int_equal(got, 1);
            assert_int_equal(gr_trace_reader_error_offset(rd), 36);
            assert_non_null(strstr(e, "byte offset 36: chunk 0: record 1 (byte 4 of the "
                                      "decompressed chunk) is malformed: it"));
            assert_non_null(strstr(e, cases[k].what));
            gr_trace_reader_close(rd);
        }
    }
}

/* Bodies that are malformed under right checksums: each reported at the
 * chunk's byte offset (36) as malformed, after the records before the bad
 * one when the body itself was sound. */
static void test_trace_native_v2_malformed(void **state)
{
    (void)state;
    static const struct {
        size_t at;       /* byte of V2_BODY changed */
        uint8_t to;
        uint32_t count;  /* records the chunk header claims */
        size_t good;     /* records delivered before the error */
        const char *what;
    } cases[] = {
        {0, 5, 6, 0, "records"},              /* chunk header and body disagree */
        {36, 1, 5, 0, "reserved"},            /* reserved body field */
        {41, 3, 5, 0, "invalid kind"},        /* record 1 of kind 3 */
        {43, 0x1c, 5, 0, "invalid kind"},     /* record 3 of kind 28 */
        {45, 1, 5, 0, "padding"},             /* a padding kind */
        {48, 0x0b, 5, 0, "length codes"},     /* record 0 takes 8 bytes: too few deltas */
        {49, 0x05, 5, 0, "length codes"},     /* an unused length code set */
        {51, 0xff, 5, 0, "escaped sizes"},    /* a second escaped size, one big size */
        {53, 0x01, 5, 0, "invalid kind"},     /* the event has a size */
        {70, 4, 5, 0, "context entry"},       /* EL 4 */
        {78, 0, 5, 0, "PAC entry"},           /* no key */
        {78, 6, 5, 0, "PAC entry"},           /* key 6 */
        {90, 3, 5, 0, "split entry"},         /* the event crosses a page */
        {94, 2, 5, 0, "event entry"},         /* record 2 is no event */
        {104, 6, 5, 3, "record 3"},           /* 6 event arguments */
        {98, 4, 5, 3, "record 3"},            /* EL 4 */
        {117, 0x84, 5, 0, "pc stream"},       /* the last pc value unterminated */
        {128, 0x00, 5, 4, "record 4"},        /* record 4 no longer crosses: the split list lies */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        uint8_t body[sizeof V2_BODY], f[1024];
        memcpy(body, V2_BODY, sizeof body);
        body[cases[k].at] = cases[k].to;
        size_t len = v2_file(f, body, sizeof body, cases[k].count);
        gr_trace_status st;
        gr_trace_reader *rd;
        gr_trace_rec r[8];
        size_t got = read_all_mem(f, len, GR_TRACE_FMT_NATIVE, r, 8, &st, &rd);
        if (st != GR_TRACE_EFORMAT || got != cases[k].good ||
            !strstr(gr_trace_reader_error(rd), cases[k].what))
            print_message("case %zu: %s (%zu records)\n", k, gr_trace_reader_error(rd), got);
        assert_int_equal(st, GR_TRACE_EFORMAT);
        assert_int_equal(got, cases[k].good);
        assert_int_equal(gr_trace_reader_error_offset(rd), 36);
        assert_non_null(strstr(gr_trace_reader_error(rd), "byte offset 36: chunk 0"));
        assert_non_null(strstr(gr_trace_reader_error(rd), cases[k].what));
        gr_trace_reader_close(rd);
    }
    /* a codec byte other than 1 and 2 */
    uint8_t f[1024];
    size_t len = v2_file(f, V2_BODY, sizeof V2_BODY, 5);
    f[36 + 24] = 3;
    gr_trace_status st;
    gr_trace_reader *rd;
    assert_int_equal(read_all_mem(f, len, GR_TRACE_FMT_NATIVE, NULL, 0, &st, &rd), 0);
    assert_true(st == GR_TRACE_ECORRUPT || st == GR_TRACE_EFORMAT);
    assert_int_equal(gr_trace_reader_error_offset(rd), 36);
    gr_trace_reader_close(rd);
    /* a version-1 chunk in a version-2 file */
    len = v2_file(f, V2_BODY, sizeof V2_BODY, 5);
    memcpy(f + 36, "GRCK", 4);
    assert_int_equal(read_all_mem(f, len, GR_TRACE_FMT_NATIVE, NULL, 0, &st, &rd), 0);
    assert_int_equal(st, GR_TRACE_EFORMAT);
    assert_int_equal(gr_trace_reader_error_offset(rd), 36);
    assert_non_null(strstr(gr_trace_reader_error(rd), "bad magic"));
    gr_trace_reader_close(rd);
    /* version 3 is refused at its version field */
    len = v2_file(f, V2_BODY, sizeof V2_BODY, 5);
    f[8] = 3;
    assert_int_equal(read_all_mem(f, len, GR_TRACE_FMT_NATIVE, NULL, 0, &st, &rd), 0);
    assert_int_equal(st, GR_TRACE_EUNSUPPORTED);
    assert_null(rd);
}

/* The body of a chunk of two 8-byte reads at 0x1000 and va1, with a split
 * entry for record 1 when split1. @return its length. */
static size_t two_reads_body(uint8_t *b, uint64_t va1, bool split1)
{
    memset(b, 0, 64);
    b[0] = 2;               /* N */
    b[12] = split1;         /* split entries */
    b[32] = 4;              /* delta bytes */
    uint8_t *p = b + 40 + 4; /* kinds: 2 reads, 2 padding */
    *p++ = 0x05;            /* length codes: 2 bytes, 2 bytes */
    p[0] = p[1] = 8;        /* sizes */
    p += 4;
    if (split1)
        *p = 1, p += 4;     /* split entry: record 1 */
    const uint64_t d = va1 - 0x1000;
    p[0] = 0x00, p[1] = 0x10, p[2] = (uint8_t)d, p[3] = (uint8_t)(d >> 8);
    return (size_t)(p + 4 - b);
}

/* A 4K-crossing access missing from the split list, and a split entry on an
 * access that does not cross: read through the plain-run paths at pages of
 * 1K, 4K and 16K, record 0 is delivered (plain) and record 1 is reported,
 * with the reason, at the chunk's byte offset; read record by record, the
 * same. A v2 pc varint of 11 bytes is refused when the chunk is opened. */
static void test_trace_native_v2_checked_plain(void **state)
{
    (void)state;
    static const struct {
        uint64_t va1;
        bool split1;
        const char *what;
    } cases[] = {
        {0x1ffc, false, "an access crossing a 4 KiB page is not in the split list"},
        {0x1008, true, "an access in the split list does not cross a 4 KiB page"},
    };
    static const uint64_t masks[] = {0x3ff, 0xfff, 0x3fff};
    for (size_t k = 0; k < 2; k++) {
        for (size_t m = 0; m < 4; m++) {
            uint8_t body[64], f[1024];
            size_t len = v2_file(f, body, two_reads_body(body, cases[k].va1, cases[k].split1), 2);
            gr_trace_reader *r;
            char err[256];
            assert_int_equal(gr_trace_reader_open_mem(&r, f, len, GR_TRACE_FMT_NATIVE, err,
                                                      sizeof err),
                             GR_TRACE_OK);
            gr_trace_status st = GR_TRACE_OK;
            gr_trace_rec one[2];
            size_t got = 0;
            if (m < 3) {
                /* the plain paths give record 0 only, then stop */
                gr_trace_plain run = {0, 0, 0};
                bool view = k == 0;
                uint64_t va[4];
                uint8_t kind[4];
                const uint64_t *pva = va;
                const uint8_t *pkind = kind;
                for (int t = 0; t < 3; t++) {
                    size_t g = view ? gr_trace_reader_plain_view(r, &pva, &pkind, 4, masks[m],
                                                                  &run, &st)
                                    : gr_trace_reader_read_plain(r, va, kind, 4, masks[m], &run,
                                                                 &st);
                    assert_int_equal(st, GR_TRACE_OK);
                    if (got == 0 && masks[m] >= 0xfff) {
                        assert_int_equal(g, 1);
                        assert_int_equal(pva[0], 0x1000);
                    }
                    got += g;
                    view = !view;
                }
                assert_true(got <= 1);
            }
            /* record by record: record 1 is reported */
            got += gr_trace_reader_read(r, one, 2 - got, &st);
            assert_int_equal(got, 1);
            assert_int_equal(st, GR_TRACE_EFORMAT);
            assert_int_equal(gr_trace_reader_error_offset(r), 36);
            assert_non_null(strstr(gr_trace_reader_error(r), "record 1"));
            assert_non_null(strstr(gr_trace_reader_error(r), cases[k].what));
            gr_trace_reader_close(r);
        }
    }
    /* a pc value of 11 bytes: the chunk is refused before any record */
    uint8_t body[80], f[1024];
    size_t bl = two_reads_body(body, 0x1008, false);
    memmove(body + 40 + 9 + 12, body + 40 + 9, 4); /* deltas after the pc stream */
    memset(body + 40 + 9, 0x80, 10);
    body[40 + 9 + 10] = 0x00; /* record 0's pc: 11 bytes */
    body[40 + 9 + 11] = 0x00; /* record 1's pc */
    body[28] = 12;            /* pc bytes */
    bl += 12;
    size_t len = v2_file(f, body, bl, 2);
    gr_trace_status st;
    gr_trace_reader *r;
    assert_int_equal(read_all_mem(f, len, GR_TRACE_FMT_NATIVE, NULL, 0, &st, &r), 0);
    assert_int_equal(st, GR_TRACE_EFORMAT);
    assert_int_equal(gr_trace_reader_error_offset(r), 36);
    assert_non_null(strstr(gr_trace_reader_error(r), "pc value 0 is longer than 10 bytes"));
    gr_trace_reader_close(r);
    /* one of 10 bytes is read */
    body[40 + 9 + 9] = 0x01;
    body[40 + 9 + 10] = 0x00;
    memmove(body + 40 + 9 + 11, body + 40 + 9 + 12, 4);
    body[28] = 11;
    len = v2_file(f, body, bl - 1, 2);
    gr_trace_rec rec[2];
    assert_int_equal(read_all_mem(f, len, GR_TRACE_FMT_NATIVE, rec, 2, &st, &r), 2);
    assert_int_equal(st, GR_TRACE_END);
    assert_int_equal(rec[0].pc, 0x4000000000000000ull); /* 2^63 unzigzagged */
    gr_trace_reader_close(r);
}

/* Chunks closed by size rather than count: events with every argument at
 * its longest (73 body bytes a record); then accesses, most of them with
 * escaped sizes, and a pc stream that appears with the last. */
static void test_trace_native_v2_big_chunks(void **state)
{
    (void)state;
    size_t n = 300000;
    gr_trace_rec *v = calloc(n, sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++) {
        if (i < 240000) {
            v[i] = ev(GR_TREC_MMAP, UINT64_MAX - i, UINT64_MAX, UINT64_MAX);
            for (int a = 2; a < GR_TRACE_NARGS; a++)
                v[i].arg[a] = UINT64_MAX;
            v[i].task = UINT32_MAX;
        } else {
            /* most sizes escaped (>= 255), many 4K crossings */
            v[i] = acc(GR_TREC_READ, i * 64, i % 8 ? 1000 : 8);
            v[i].pc = i + 1 == n ? 0x400000 : 0;
        }
    }
    gr_trace_header h = {0};
    h.version_major = 2;
    write_file("big2.grt", GR_TRACE_FMT_NATIVE, v, n, &h);
    size_t len;
    uint8_t *b = slurp("big2.grt", &len);
    layout L;
    parse_layout(b, len, &L);
    assert_true(L.nchunks >= 2);
    for (size_t c = 0; c < L.nchunks; c++)
        assert_true(le(b + L.off[c] + 8, 4) <= (16u << 20)); /* U, the body's length */
    gr_trace_reader *r;
    char err[256];
    assert_int_equal(gr_trace_reader_open_mem(&r, b, len, GR_TRACE_FMT_AUTO, err, sizeof err),
                     GR_TRACE_OK);
    gr_trace_rec rec;
    size_t i = 0;
    while (gr_trace_reader_next(r, &rec) == GR_TRACE_OK) {
        assert_true(i < n);
        assert_rec_eq(&rec, &v[i]);
        i++;
    }
    if (i != n)
        print_message("%s\n", gr_trace_reader_error(r));
    assert_int_equal(i, n);
    assert_int_equal(gr_trace_reader_total(r), n);
    gr_trace_reader_close(r);
    free(b);
    free(v);
    remove("big2.grt");
}

static int use_v1(void **state)
{
    (void)state;
    native_ver = 1;
    native_codec = GR_TRACE_CODEC_DEFAULT;
    return 0;
}
static int use_v2_zstd(void **state)
{
    (void)state;
    native_ver = 2;
    native_codec = GR_TRACE_CODEC_ZSTD;
    return 0;
}
static int use_v2_lz4(void **state)
{
    (void)state;
    native_ver = 2;
    native_codec = GR_TRACE_CODEC_LZ4;
    return 0;
}
static int use_default(void **state)
{
    (void)state;
    native_ver = 0; /* the writer's default */
    native_codec = GR_TRACE_CODEC_DEFAULT;
    return 0;
}

/* a native test once per version and codec */
#define NATIVE_TESTS(f)                                      \
    {#f "_v1", f, use_v1, use_v1, NULL},                     \
    {#f "_v2_zstd", f, use_v2_zstd, use_v1, NULL},           \
    {#f "_v2_lz4", f, use_v2_lz4, use_v1, NULL}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_lackey_real_log),
        cmocka_unit_test(test_trace_lackey_lines),
        cmocka_unit_test(test_trace_lackey_errors),
        cmocka_unit_test(test_trace_din),
        cmocka_unit_test(test_trace_din_addresses),
        cmocka_unit_test(test_trace_read_small_batches),
        cmocka_unit_test(test_trace_pinatrace),
        cmocka_unit_test(test_trace_champsim),
        NATIVE_TESTS(test_trace_native_roundtrip),
        {"test_trace_native_roundtrip_default", test_trace_native_roundtrip_default, use_default,
         use_v1, NULL},
        cmocka_unit_test(test_trace_read_plain),
        NATIVE_TESTS(test_trace_native_layout),
        cmocka_unit_test(test_trace_native_encoding_by_hand),
        NATIVE_TESTS(test_trace_native_corrupt),
        NATIVE_TESTS(test_trace_native_truncated),
        NATIVE_TESTS(test_trace_native_seek),
        cmocka_unit_test(test_trace_native_v1_v2_bytes),
        cmocka_unit_test(test_trace_native_v2_corners),
        cmocka_unit_test(test_trace_native_v2_by_hand),
        cmocka_unit_test(test_trace_native_v1_malformed),
        cmocka_unit_test(test_trace_native_v2_malformed),
        cmocka_unit_test(test_trace_native_v2_checked_plain),
        cmocka_unit_test(test_trace_native_v2_big_chunks),
        cmocka_unit_test(test_trace_roundtrip_formats),
        cmocka_unit_test(test_trace_roundtrip_bytes),
        cmocka_unit_test(test_trace_detect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
