/*
 * Sweep job lists (harness/sweep/sweep.h, docs/sweep.md).
 *
 * Golden values come from docs/sweep.md: the grid rules (ranges, ways=full,
 * fully associative bases, removing and adding structures, linked axes,
 * point order), the invalid-combination rules, and the point key, which is
 * recomputed here with libxxhash's XXH64 over the text the document gives.
 * Configurations are compared field by field with the parsed presets.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <xxhash.h>

#include "granule/config.h"
#include "sweep.h"

#define T1 CORPUS_DIR "/sort.grt"
#define T2 CORPUS_DIR "/gzip.grt"

static char err[2048];

/* A sweep over T1 from a base and axes (NULL-terminated), expanded. */
static gr_sweep *grid(const char *base, bool strict, int want, ...)
{
    gr_sweep *s = gr_sweep_create();
    assert_non_null(s);
    if (base)
        assert_int_equal(gr_sweep_add_base(s, base, err, sizeof err), 0);
    va_list ap;
    va_start(ap, want);
    for (const char *a; (a = va_arg(ap, const char *)) != NULL;)
        assert_int_equal(gr_sweep_add_axis(s, a, err, sizeof err), 0);
    va_end(ap);
    assert_int_equal(gr_sweep_add_trace(s, T1, err, sizeof err), 0);
    int rc = gr_sweep_expand(s, strict, NULL, err, sizeof err);
    assert_int_equal(rc, want);
    return s;
}

static const gr_config *cfg_of(const gr_sweep *s, size_t i)
{
    const gr_sweep_point *p = gr_sweep_point_get(s, i);
    assert_non_null(p);
    return &p->cfg;
}

static void test_sweep_ranges_step_and_factor(void **state)
{
    (void)state;
    gr_sweep *s = grid("a76", false, 0, "l1d.entries=8:32:8", NULL);
    assert_int_equal(gr_sweep_count(s), 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(cfg_of(s, i)->l1d.entries, 8 * (i + 1));
        /* a76's L1 D is fully associative and stays so */
        assert_int_equal(cfg_of(s, i)->l1d.ways, 8 * (i + 1));
    }
    gr_sweep_destroy(s);
    s = grid("a76", false, 0, "l2.entries=320:2000:*2", NULL);
    assert_int_equal(gr_sweep_count(s), 3); /* 320, 640, 1280 */
    assert_int_equal(cfg_of(s, 2)->l2.entries, 1280);
    assert_int_equal(cfg_of(s, 2)->l2.ways, 5); /* a76's L2 is 5-way */
    gr_sweep_destroy(s);
}

static void test_sweep_ways_full_and_linked_axis(void **state)
{
    (void)state;
    gr_sweep *s = grid("a76", false, 0, "l1i.entries,l1d.entries=16,32", "l1d.ways=4,full", NULL);
    assert_int_equal(gr_sweep_count(s), 4);
    const uint32_t e[] = {16, 16, 32, 32}, w[] = {4, 16, 4, 32};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(cfg_of(s, i)->l1i.entries, e[i]);
        assert_int_equal(cfg_of(s, i)->l1i.ways, e[i]); /* fully associative base */
        assert_int_equal(cfg_of(s, i)->l1d.entries, e[i]);
        assert_int_equal(cfg_of(s, i)->l1d.ways, w[i]);
    }
    gr_sweep_destroy(s);
}

static void test_sweep_remove_and_add_structures(void **state)
{
    (void)state;
    gr_sweep *s = grid("a76", false, 0, "l2.entries=0,640", NULL);
    assert_int_equal(gr_sweep_count(s), 2);
    assert_false(cfg_of(s, 0)->l2.present);
    /* a76 looks up its walk cache beside the L2: without one, serially */
    assert_int_equal(cfg_of(s, 0)->wc_lookup, GR_WCL_SERIAL);
    assert_true(cfg_of(s, 1)->l2.present);
    assert_int_equal(cfg_of(s, 1)->l2.entries, 640);
    assert_int_equal(cfg_of(s, 1)->wc_lookup, GR_WCL_PARALLEL);
    gr_sweep_destroy(s);

    /* a base without [l2] gets one, fully associative */
    char path[] = "/tmp/test_sweep_XXXXXX.ini";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("[mmu]\nname = nol2\n[l1i]\nentries = 8\n[l1d]\nentries = 8\n", f);
    fclose(f);
    s = grid(path, false, 0, "l2.entries=64,128", "walk_cache.entries=0,16", NULL);
    unlink(path);
    assert_int_equal(gr_sweep_count(s), 4);
    assert_true(cfg_of(s, 3)->l2.present);
    assert_int_equal(cfg_of(s, 3)->l2.entries, 128);
    assert_int_equal(cfg_of(s, 3)->l2.ways, 128);
    assert_false(cfg_of(s, 0)->wc[0].present);
    assert_true(cfg_of(s, 1)->wc[0].present);
    assert_int_equal(cfg_of(s, 1)->wc[0].entries, 16);
    assert_string_equal(cfg_of(s, 1)->name, "nol2");
    gr_sweep_destroy(s);
}

static void test_sweep_point_order(void **state)
{
    (void)state;
    gr_sweep *s = gr_sweep_create();
    assert_int_equal(gr_sweep_add_base(s, "small,a76", err, sizeof err), 0);
    assert_int_equal(gr_sweep_add_axis(s, "l1d.replacement=lru,fifo", err, sizeof err), 0);
    assert_int_equal(gr_sweep_add_granules(s, "16k,4k", err, sizeof err), 0);
    assert_int_equal(gr_sweep_add_trace(s, T1, err, sizeof err), 0);
    assert_int_equal(gr_sweep_add_trace(s, T2, err, sizeof err), 0);
    assert_int_equal(gr_sweep_expand(s, true, NULL, err, sizeof err), 0);
    assert_int_equal(gr_sweep_count(s), 16);
    /* base, axes, granule, trace (fastest) */
    const gr_sweep_point *p = gr_sweep_point_get(s, 15); /* a76, fifo, 4k, T2 */
    assert_int_equal(p->index, 15);
    assert_string_equal(p->cfg.name, "a76");
    assert_int_equal(p->cfg.l1d.repl, GR_REPL_FIFO);
    assert_int_equal(p->page_shift, 12);
    assert_string_equal(p->trace, T2);
    assert_string_equal(p->values[0], "fifo");
    p = gr_sweep_point_get(s, 2); /* small, lru, 4k, T1 */
    assert_string_equal(p->cfg.name, "small");
    assert_int_equal(p->page_shift, 12);
    assert_string_equal(p->trace, T1);
    char d[256];
    gr_sweep_describe(s, 15, d, sizeof d);
    assert_string_equal(d, "a76 l1d.replacement=fifo 4k gzip.grt");
    assert_null(gr_sweep_point_get(s, 16));
    gr_sweep_destroy(s);
}

static void test_sweep_invalid_combinations(void **state)
{
    (void)state;
    /* 48 entries in 4 ways is 12 sets: skipped, the rest kept */
    gr_sweep *s = grid("a76", false, 0, "l1d.entries=16,48", "l1d.ways=4,full", NULL);
    assert_int_equal(gr_sweep_count(s), 3);
    assert_int_equal(gr_sweep_skipped(s), 1);
    gr_sweep_destroy(s);
    s = grid("a76", true, -1, "l1d.entries=16,48", "l1d.ways=4,full", NULL);
    assert_non_null(strstr(err, "a76 l1d.entries=48 l1d.ways=4: not a valid configuration"));
    gr_sweep_destroy(s);
    /* a value no combination can use is an error without --strict */
    s = grid("a76", false, -1, "l1d.entries=16,48", "l1d.ways=4", NULL);
    assert_non_null(strstr(err, "l1d.entries=48 makes no valid configuration"));
    gr_sweep_destroy(s);
    s = grid("a76", false, -1, "l1d.entires=16", NULL);
    assert_non_null(strstr(err, "l1d.entires: unknown key"));
    gr_sweep_destroy(s);
    /* the same configuration twice is one point */
    s = grid("a76", false, 0, "l2.entries=0,1280", "l2.ways=4,5", NULL);
    assert_int_equal(gr_sweep_count(s), 2); /* no L2; 1280x5 (1280/4 = 320 sets) */
    gr_sweep_destroy(s);
}

static void test_sweep_bad_axes_rejected(void **state)
{
    (void)state;
    const char *bad[] = {"l1d.entries", "entries=4", "l1d.entries=", "l1d.entries=4,,8",
                         "=4", "L1D.entries=4", "l1d.entries=8:4:1", "l1d.entries=4:8:*1",
                         "l1d.entries=4:8:0", "l1d.entries=4,4", "l1d.entries,l1d.entries=4"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gr_sweep *s = gr_sweep_create();
        err[0] = '\0';
        assert_int_equal(gr_sweep_add_axis(s, bad[i], err, sizeof err), -1);
        assert_true(strlen(err) > 0);
        gr_sweep_destroy(s);
    }
    gr_sweep *s = gr_sweep_create();
    assert_int_equal(gr_sweep_add_axis(s, "l1d.entries=4", err, sizeof err), 0);
    assert_int_equal(gr_sweep_add_axis(s, "l1i.entries,l1d.entries=4", err, sizeof err), -1);
    assert_int_equal(gr_sweep_add_granules(s, "4k,64k", err, sizeof err), -1);
    assert_int_equal(gr_sweep_add_trace(s, "-", err, sizeof err), -1);
    assert_int_equal(gr_sweep_add_trace(s, CORPUS_DIR "/no-such.grt", err, sizeof err), -1);
    assert_int_equal(gr_sweep_add_trace(s, CORPUS_DIR, err, sizeof err), -1);
    assert_int_equal(gr_sweep_add_base(s, "no-such-preset", err, sizeof err), -1);
    gr_sweep_destroy(s);
}

/* docs/sweep.md, "Point keys": XXH64 (seed 0) of the documented text. */
static void test_sweep_key_is_the_documented_hash(void **state)
{
    (void)state;
    gr_sweep *s = grid("a76", false, 0, "l1d.entries=32", NULL);
    gr_config c;
    assert_int_equal(gr_config_load(&c, CONFIGS_DIR "/a76.ini", err, sizeof err), 0);
    c.l1d.entries = c.l1d.ways = 32;
    char *ini = NULL, *text = NULL;
    size_t il = 0, tl = 0;
    FILE *m = open_memstream(&ini, &il);
    gr_config_write_ini(&c, m);
    fclose(m);
    char *real = realpath(T1, NULL);
    m = open_memstream(&text, &tl);
    fprintf(m,
            "granule sweep point 1\ntrace = %s\ngranule = 4096\nformat = auto\nlimit = 0\n"
            "demand_map = 1\nram = 8589934592\n%s",
            real, ini);
    fclose(m);
    char want[17];
    snprintf(want, sizeof want, "%016llx", (unsigned long long)XXH64(text, tl, 0));
    assert_string_equal(gr_sweep_point_get(s, 0)->key, want);
    free(ini);
    free(text);
    free(real);
    gr_sweep_destroy(s);
    /* the same configuration written differently has the same key */
    gr_sweep *a = grid("a76", false, 0, "l1d.ways=full", NULL);
    gr_sweep *b = grid("a76", false, 0, "l1d.ways=48", NULL);
    assert_string_equal(gr_sweep_point_get(a, 0)->key, gr_sweep_point_get(b, 0)->key);
    gr_sweep_destroy(b);
    /* and anything that changes the row changes it */
    b = grid("a76", false, 0, "l1d.ways=24", NULL);
    assert_string_not_equal(gr_sweep_point_get(a, 0)->key, gr_sweep_point_get(b, 0)->key);
    gr_sweep_destroy(b);
    gr_sweep_destroy(a);
}

static char *header_of(const gr_sweep *s)
{
    char *h = NULL;
    size_t hl = 0;
    FILE *m = open_memstream(&h, &hl);
    gr_sweep_csv_header(s, m);
    fclose(m);
    return h;
}

static void test_sweep_resume_scan(void **state)
{
    (void)state;
    gr_sweep *s = grid("a76", false, 0, "l1d.entries=16,32,64", NULL);
    char *h = header_of(s);
    char path[] = "/tmp/test_sweep_XXXXXX.csv";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    size_t nf = 1;
    for (const char *p = h; *p; p++)
        nf += *p == ',';
    fputs(h, f);
    const size_t rows[] = {2, 0};
    for (size_t r = 0; r < 2; r++) {
        fprintf(f, "%zu,%s", rows[r], gr_sweep_point_get(s, rows[r])->key);
        for (size_t k = 2; k < nf; k++)
            fputs(",\"x,y\"", f); /* quoted commas are one field */
        fputc('\n', f);
    }
    fputs("9,0123456789abcdef", f); /* a row of another grid: kept, ignored */
    for (size_t k = 2; k < nf; k++)
        fputs(",1", f);
    fputc('\n', f);
    long good = ftell(f);
    fprintf(f, "1,%s,16,sort.grt", gr_sweep_point_get(s, 1)->key); /* cut short */
    long all = ftell(f);
    fclose(f);
    bool done[3], hh;
    assert_int_equal(gr_sweep_resume_scan(s, path, false, done, &hh, err, sizeof err), 0);
    assert_true(hh);
    assert_true(done[0] && !done[1] && done[2]);
    f = fopen(path, "r");
    fseek(f, 0, SEEK_END);
    assert_int_equal(ftell(f), all); /* not repaired */
    fclose(f);
    assert_int_equal(gr_sweep_resume_scan(s, path, true, done, &hh, err, sizeof err), 0);
    assert_true(done[0] && !done[1] && done[2]);
    f = fopen(path, "r");
    fseek(f, 0, SEEK_END);
    assert_int_equal(ftell(f), good); /* the partial row is gone */
    fclose(f);
    /* a complete row of the wrong width is an error naming the line */
    f = fopen(path, "a");
    fputs("1,abc,2\n", f);
    fclose(f);
    assert_int_equal(gr_sweep_resume_scan(s, path, true, done, &hh, err, sizeof err), -1);
    assert_non_null(strstr(err, ":5: 3 fields"));
    /* another sweep's header is refused */
    gr_sweep *o = grid("a76", false, 0, "l1d.ways=48", NULL);
    bool d1[1];
    assert_int_equal(gr_sweep_resume_scan(o, path, true, d1, &hh, err, sizeof err), -1);
    assert_non_null(strstr(err, ":1: the header is not this sweep's"));
    gr_sweep_destroy(o);
    /* a missing file: nothing done */
    unlink(path);
    assert_int_equal(gr_sweep_resume_scan(s, path, true, done, &hh, err, sizeof err), 0);
    assert_false(hh || done[0] || done[1] || done[2]);
    free(h);
    gr_sweep_destroy(s);
}

static void test_sweep_points_file_round_trip(void **state)
{
    (void)state;
    gr_sweep *s = gr_sweep_create();
    assert_int_equal(gr_sweep_add_base(s, "a76", err, sizeof err), 0);
    assert_int_equal(gr_sweep_add_axis(s, "l1d.entries=16,32", err, sizeof err), 0);
    assert_int_equal(gr_sweep_add_axis(s, "l1d.ways=4,full", err, sizeof err), 0);
    assert_int_equal(gr_sweep_add_granules(s, "4k,16k", err, sizeof err), 0);
    assert_int_equal(gr_sweep_add_trace(s, T1, err, sizeof err), 0);
    assert_int_equal(gr_sweep_add_trace(s, T2, err, sizeof err), 0);
    gr_replay_opts o;
    gr_replay_opts_default(&o);
    o.limit = 1000;
    gr_sweep_set_opts(s, &o);
    assert_int_equal(gr_sweep_expand(s, false, NULL, err, sizeof err), 0);
    char path[] = "/tmp/test_sweep_XXXXXX.json";
    int fd = mkstemps(path, 5);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_int_equal(gr_sweep_write_points(s, f), 0);
    fclose(f);
    gr_sweep *l = gr_sweep_load_points(path, err, sizeof err);
    assert_non_null(l);
    assert_int_equal(gr_sweep_count(l), gr_sweep_count(s));
    assert_int_equal(gr_sweep_count(l), 16);
    for (size_t i = 0; i < 16; i++) {
        const gr_sweep_point *a = gr_sweep_point_get(s, i), *b = gr_sweep_point_get(l, i);
        assert_string_equal(a->key, b->key);
        assert_string_equal(a->trace, b->trace);
        assert_int_equal(a->page_shift, b->page_shift);
        assert_string_equal(a->values[0], b->values[0]);
        assert_string_equal(a->values[1], b->values[1]);
        assert_string_equal(a->ini, b->ini);
        assert_string_equal(a->cfg.name, b->cfg.name);
        /* every field after the name (whose bytes past the NUL may differ) */
        assert_memory_equal(&a->cfg.asid_bits, &b->cfg.asid_bits,
                            sizeof a->cfg - offsetof(gr_config, asid_bits));
    }
    char *ha = header_of(s), *hb = header_of(l);
    assert_string_equal(ha, hb);
    free(ha);
    free(hb);
    /* a point whose configuration was edited no longer matches its key */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "sed -i 's/read_latency = 11/read_latency = 12/' %s", path);
    assert_int_equal(system(cmd), 0);
    gr_sweep *e = gr_sweep_load_points(path, err, sizeof err);
    assert_null(e);
    assert_non_null(strstr(err, "but the point hashes to"));
    unlink(path);
    gr_sweep_destroy(l);
    gr_sweep_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep_ranges_step_and_factor),
        cmocka_unit_test(test_sweep_ways_full_and_linked_axis),
        cmocka_unit_test(test_sweep_remove_and_add_structures),
        cmocka_unit_test(test_sweep_point_order),
        cmocka_unit_test(test_sweep_invalid_combinations),
        cmocka_unit_test(test_sweep_bad_axes_rejected),
        cmocka_unit_test(test_sweep_key_is_the_documented_hash),
        cmocka_unit_test(test_sweep_resume_scan),
        cmocka_unit_test(test_sweep_points_file_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
