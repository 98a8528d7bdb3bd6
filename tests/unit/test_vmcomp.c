/*
 * Compressor and swap: expectations from the design rules of vmcomp.h
 * (docs/vm.md): a stored page reads back byte for byte; LZ4 really shrinks
 * a compressible page and an incompressible one is stored raw (so a 64 KiB
 * segment holds exactly 16 raw 4 KiB pages); segments occupy allocator
 * frames; the pool limit, compaction, encrypted swap files, checksums and
 * lazy deletion behave as specified.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "granule/vmcomp.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (16ull << 20)
#define PG 4096u
#define SEG (64u << 10)

typedef struct fix {
    gr_pmem *mem;
    gr_vmpage *pages;
    gr_vmcomp *c;
    char dir[64];
} fix;

static uint64_t sm(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Incompressible page number n (random bytes). */
static void random_page(uint8_t *p, uint64_t n)
{
    uint64_t s = n * 1000003u + 17;
    for (unsigned i = 0; i < PG; i += 8) {
        uint64_t v = sm(&s);
        memcpy(p + i, &v, 8);
    }
}

static void setup_fix(fix *f, uint32_t max_segments, bool swap, uint64_t swapfile_size)
{
    memset(f, 0, sizeof *f);
    f->mem = gr_pmem_create();
    assert_int_equal(gr_pmem_add_region(f->mem, RAM_BASE, RAM_SIZE, "dram"), GR_PMEM_OK);
    f->pages = gr_vmpage_create(f->mem, RAM_BASE, RAM_SIZE);
    assert_non_null(f->pages);
    gr_vmcomp_config cfg = {0};
    cfg.max_segments = max_segments;
    cfg.swapfile_size = swapfile_size;
    if (swap) {
        snprintf(f->dir, sizeof f->dir, "/tmp/granule_vmcomp_XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        cfg.swap_dir = f->dir;
    }
    int err = -1;
    f->c = gr_vmcomp_create(f->mem, f->pages, &cfg, &err);
    assert_non_null(f->c);
    assert_int_equal(err, GR_VMCOMP_OK);
}

static void teardown_fix(fix *f)
{
    gr_vmcomp_destroy(f->c);
    gr_vmpage_destroy(f->pages);
    gr_pmem_destroy(f->mem);
    if (f->dir[0])
        assert_int_equal(rmdir(f->dir), 0); /* destroy deleted every swap file */
}

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static void test_vmcomp_roundtrip_and_ratio(void **state)
{
    (void)state;
    fix f;
    setup_fix(&f, 0, false, 0);
    static uint8_t zero[PG], sparse[PG], rnd[PG], out[PG];
    /* A mostly-zero page with a few small stores, as programs write. */
    for (unsigned i = 0; i < PG; i += 64)
        sparse[i] = (uint8_t)i;
    random_page(rnd, 1);
    uint64_t hz, hs, hr;
    assert_int_equal(gr_vmcomp_put(f.c, zero, PG, &hz), GR_VMCOMP_OK);
    assert_int_equal(gr_vmcomp_put(f.c, sparse, PG, &hs), GR_VMCOMP_OK);
    assert_int_equal(gr_vmcomp_put(f.c, rnd, PG, &hr), GR_VMCOMP_OK);
    gr_vmcomp_stats s;
    gr_vmcomp_get_stats(f.c, &s);
    assert_int_equal(s.pages, 3);
    assert_int_equal(s.raw_pages, 1);            /* random bytes do not shrink */
    assert_int_equal(s.bytes_in, 3 * PG);
    assert_true(s.bytes_out < PG + 2 * 400);     /* zero and sparse pages shrink a lot */
    assert_true(s.bytes_out >= PG);
    assert_int_equal(s.segments, 1);
    /* The segment really occupies frames of the allocator. */
    assert_int_equal(gr_vmpage_count(f.pages, GR_VMPAGE_Q_COMPRESSOR), SEG);
    memset(out, 0xaa, PG);
    assert_int_equal(gr_vmcomp_get(f.c, hz, out, PG), GR_VMCOMP_OK);
    assert_memory_equal(out, zero, PG);
    assert_int_equal(gr_vmcomp_get(f.c, hs, out, PG), GR_VMCOMP_OK);
    assert_memory_equal(out, sparse, PG);
    assert_int_equal(gr_vmcomp_get(f.c, hr, out, PG), GR_VMCOMP_OK);
    assert_memory_equal(out, rnd, PG);
    assert_int_equal(gr_vmcomp_get(f.c, hr, out, 16384), GR_VMCOMP_INVAL);
    assert_int_equal(gr_vmcomp_get(f.c, 999, out, PG), GR_VMCOMP_BADHANDLE);
    gr_vmcomp_free(f.c, hz);
    gr_vmcomp_free(f.c, hs);
    gr_vmcomp_free(f.c, hr);
    gr_vmcomp_get_stats(f.c, &s);
    assert_int_equal(s.pages, 0);
    assert_int_equal(s.bytes_in, 0);
    assert_int_equal(gr_vmcomp_get(f.c, hz, out, PG), GR_VMCOMP_BADHANDLE);
    teardown_fix(&f);
}

static void test_vmcomp_pool_limit_without_swap(void **state)
{
    (void)state;
    fix f;
    setup_fix(&f, 1, false, 0);
    static uint8_t p[PG];
    uint64_t h;
    for (unsigned i = 0; i < SEG / PG; i++) {
        random_page(p, i);
        assert_int_equal(gr_vmcomp_put(f.c, p, PG, &h), GR_VMCOMP_OK);
    }
    random_page(p, 99);
    assert_int_equal(gr_vmcomp_put(f.c, p, PG, &h), GR_VMCOMP_FULL);
    gr_vmcomp_stats s;
    gr_vmcomp_get_stats(f.c, &s);
    assert_int_equal(s.pages, SEG / PG);
    assert_int_equal(s.segments, 1);
    teardown_fix(&f);
}

static void test_vmcomp_compaction_frees_segments(void **state)
{
    (void)state;
    fix f;
    setup_fix(&f, 3, false, 0);
    static uint8_t p[PG], out[PG];
    uint64_t h[33];
    for (unsigned i = 0; i < 33; i++) {
        random_page(p, i);
        assert_int_equal(gr_vmcomp_put(f.c, p, PG, &h[i]), GR_VMCOMP_OK);
    }
    gr_vmcomp_stats s;
    gr_vmcomp_get_stats(f.c, &s);
    assert_int_equal(s.segments, 3); /* 16 + 16 + 1 raw pages */
    /* Free 12 of each full segment: each keeps 4 live pages (25 % < 50 %). */
    for (unsigned i = 0; i < 12; i++) {
        gr_vmcomp_free(f.c, h[i]);
        gr_vmcomp_free(f.c, h[16 + i]);
    }
    gr_vmcomp_get_stats(f.c, &s);
    assert_int_equal(s.live_bytes, 9 * PG);
    assert_int_equal(s.used_bytes, 33 * PG);
    assert_int_equal(gr_vmcomp_compact(f.c), 2);
    gr_vmcomp_get_stats(f.c, &s);
    assert_int_equal(s.segments, 1); /* the 8 survivors moved into the open one */
    assert_int_equal(s.pages_moved, 8);
    assert_int_equal(s.used_bytes, 9 * PG);
    assert_int_equal(gr_vmpage_count(f.pages, GR_VMPAGE_Q_COMPRESSOR), SEG);
    for (unsigned i = 12; i < 33; i++) {
        if (i >= 16 && i < 28)
            continue;
        random_page(p, i);
        assert_int_equal(gr_vmcomp_get(f.c, h[i], out, PG), GR_VMCOMP_OK);
        assert_memory_equal(out, p, PG);
    }
    teardown_fix(&f);
}

/* 17 raw pages with a one-segment pool: the first segment goes to swap. */
static void fill_swap(fix *f, uint64_t *h)
{
    static uint8_t p[PG];
    for (unsigned i = 0; i < 17; i++) {
        random_page(p, i);
        assert_int_equal(gr_vmcomp_put(f->c, p, PG, &h[i]), GR_VMCOMP_OK);
    }
}

static void test_vmcomp_swap_roundtrip_encrypted(void **state)
{
    (void)state;
    fix f;
    setup_fix(&f, 1, true, 2 * SEG);
    uint64_t h[17];
    const char *sw0 = gr_vmcomp_swap_path(f.c, 0);
    assert_false(exists(sw0)); /* created on demand */
    fill_swap(&f, h);
    gr_vmcomp_stats s;
    gr_vmcomp_get_stats(f.c, &s);
    assert_int_equal(s.swapouts, 1);
    assert_int_equal(s.segments_swapped, 1);
    assert_int_equal(s.segments, 1);
    assert_int_equal(s.swap_files, 1);
    assert_int_equal(s.swap_total, 2 * SEG);
    assert_int_equal(s.swap_used, SEG);
    assert_true(exists(sw0));
    /* The file holds ciphertext: no 64-byte run of any stored page. */
    static uint8_t file[2 * SEG], p[PG], out[PG];
    FILE *fp = fopen(sw0, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(file, 1, sizeof file, fp), sizeof file);
    fclose(fp);
    for (unsigned i = 0; i < 16; i++) {
        random_page(p, i);
        assert_null(memmem(file, sizeof file, p + 128, 64));
    }
    for (unsigned i = 0; i < 17; i++) {
        random_page(p, i);
        assert_int_equal(gr_vmcomp_get(f.c, h[i], out, PG), GR_VMCOMP_OK);
        assert_memory_equal(out, p, PG);
    }
    gr_vmcomp_get_stats(f.c, &s);
    assert_int_equal(s.swapins, 1); /* one segment read, then cached */
    teardown_fix(&f);
}

static void test_vmcomp_swap_corruption_detected(void **state)
{
    (void)state;
    fix f;
    setup_fix(&f, 1, true, 2 * SEG);
    uint64_t h[17];
    fill_swap(&f, h);
    FILE *fp = fopen(gr_vmcomp_swap_path(f.c, 0), "r+b");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 5000, SEEK_SET), 0);
    int b = fgetc(fp);
    assert_int_equal(fseek(fp, 5000, SEEK_SET), 0);
    fputc(b ^ 0x01, fp); /* one flipped bit */
    fclose(fp);
    static uint8_t out[PG];
    assert_int_equal(gr_vmcomp_get(f.c, h[0], out, PG), GR_VMCOMP_CORRUPT);
    assert_int_equal(gr_vmcomp_get(f.c, h[15], out, PG), GR_VMCOMP_CORRUPT);
    gr_vmcomp_stats s;
    gr_vmcomp_get_stats(f.c, &s);
    assert_int_equal(s.swap_errors, 2);
    assert_int_equal(s.swapins, 0);
    /* The page still in memory is unaffected. */
    static uint8_t p[PG];
    random_page(p, 16);
    assert_int_equal(gr_vmcomp_get(f.c, h[16], out, PG), GR_VMCOMP_OK);
    assert_memory_equal(out, p, PG);
    teardown_fix(&f);
}

static void test_vmcomp_swap_truncation_detected(void **state)
{
    (void)state;
    fix f;
    setup_fix(&f, 1, true, 2 * SEG);
    uint64_t h[17];
    fill_swap(&f, h);
    assert_int_equal(truncate(gr_vmcomp_swap_path(f.c, 0), SEG / 2), 0);
    static uint8_t out[PG];
    assert_int_equal(gr_vmcomp_get(f.c, h[3], out, PG), GR_VMCOMP_TRUNCATED);
    teardown_fix(&f);
}

static void test_vmcomp_swap_files_deleted_lazily(void **state)
{
    (void)state;
    fix f;
    setup_fix(&f, 1, true, SEG); /* one segment per file */
    uint64_t h[33];
    static uint8_t p[PG];
    for (unsigned i = 0; i < 33; i++) {
        random_page(p, i);
        assert_int_equal(gr_vmcomp_put(f.c, p, PG, &h[i]), GR_VMCOMP_OK);
    }
    const char *sw0 = gr_vmcomp_swap_path(f.c, 0), *sw1 = gr_vmcomp_swap_path(f.c, 1);
    assert_true(exists(sw0));
    assert_true(exists(sw1));
    assert_false(exists(gr_vmcomp_swap_path(f.c, 2)));
    for (unsigned i = 0; i < 16; i++) /* every page of the segment in swapfile0 */
        gr_vmcomp_free(f.c, h[i]);
    gr_vmcomp_stats s;
    gr_vmcomp_get_stats(f.c, &s);
    assert_int_equal(s.segments_swapped, 1);
    assert_int_equal(s.swap_used, SEG);
    assert_true(exists(sw0)); /* not deleted yet: lazily */
    assert_int_equal(gr_vmcomp_swap_trim(f.c), 1);
    assert_false(exists(sw0));
    assert_true(exists(sw1));
    gr_vmcomp_get_stats(f.c, &s);
    assert_int_equal(s.swap_files, 1);
    /* The next segment to go out takes the lowest free number again. */
    for (unsigned i = 0; i < 16; i++) {
        random_page(p, 100 + i);
        uint64_t x;
        assert_int_equal(gr_vmcomp_put(f.c, p, PG, &x), GR_VMCOMP_OK);
    }
    assert_true(exists(sw0));
    teardown_fix(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vmcomp_roundtrip_and_ratio),
        cmocka_unit_test(test_vmcomp_pool_limit_without_swap),
        cmocka_unit_test(test_vmcomp_compaction_frees_segments),
        cmocka_unit_test(test_vmcomp_swap_roundtrip_encrypted),
        cmocka_unit_test(test_vmcomp_swap_corruption_detected),
        cmocka_unit_test(test_vmcomp_swap_truncation_detected),
        cmocka_unit_test(test_vmcomp_swap_files_deleted_lazily),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
