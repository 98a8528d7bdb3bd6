/* Configuration parsing: presets, every rejection with its line, and the
 * INI round trip. Expected lines and reasons come from the inputs below. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "granule/config.h"

static char *source_path(const char *rel)
{
    static char buf[1024];
    /* tests/unit/test_config.c -> the repository root */
    snprintf(buf, sizeof buf, "%s", __FILE__);
    char *p = strstr(buf, "tests/unit/");
    if (!p)
        p = buf;
    snprintf(p, sizeof buf - (size_t)(p - buf), "%s", rel);
    return buf;
}

static void test_config_presets_load(void **state)
{
    (void)state;
    const char *names[] = {"configs/a76.ini", "configs/a55.ini", "configs/champsim.ini",
                           "configs/small.ini"};
    gr_config c;
    char err[256];
    for (int i = 0; i < 4; i++)
        assert_int_equal(gr_config_load(&c, source_path(names[i]), err, sizeof err), 0);
    gr_config_load(&c, source_path("configs/a76.ini"), err, sizeof err);
    assert_int_equal(c.l1d.entries, 48);
    assert_int_equal(c.l1d.sets, 1);
    assert_int_equal(c.l2.entries, 1280);
    assert_int_equal(c.l2.ways, 5);
    assert_int_equal(c.l2.sets, 256);
    assert_string_equal(c.name, "a76");
    gr_config_load(&c, source_path("configs/champsim.ini"), err, sizeof err);
    assert_int_equal(c.l2.sets, 128);
    assert_int_equal(c.l2.ways, 12);
    assert_true(c.wc[1].present && c.wc[2].present && c.wc[3].present);
    assert_false(c.wc[0].present);
    assert_int_equal(c.l1d.sizes, 1u << GR_PS_4K);
}

static void reject(const char *text, const char *want)
{
    gr_config c;
    char err[256];
    assert_int_equal(gr_config_parse_string(&c, text, "t.ini", err, sizeof err), -1);
    if (!strstr(err, want))
        fail_msg("got \"%s\", wanted \"%s\"", err, want);
}

#define L1 "[l1i]\nentries = 4\n[l1d]\nentries = 4\n"

static void test_config_rejections(void **state)
{
    (void)state;
    reject("[l1i]\nentries = 48\n[l1d]\nentries = 12\nways = 4\n",
           "t.ini:5: [l1d] sets = entries / ways = 3 is not a power of two");
    reject("[l1i]\nentries = 4\nways = 8\n[l1d]\nentries = 4\n", "t.ini:3: [l1i] ways (8)");
    reject(L1 "[l2]\nentries = 1280\nways = 5\nreplacement = plru\n",
           "t.ini:8: [l2] tree PLRU needs a power-of-two");
    reject(L1 "[l2]\nentries = 16\ncolour = blue\n", "t.ini:7: unknown key `colour` in [l2]");
    reject(L1 "[l3]\nentries = 16\n", "t.ini:6: unknown section [l3]");
    reject(L1 "[mmu]\nasid_bits = 12\n", "t.ini:6: asid_bits");
    reject("[l1i]\nentries = 4\nentries = 8\n[l1d]\nentries = 4\n",
           "t.ini:3: `entries` in [l1i] already given on line 2");
    reject("[l1i]\nentries = 4\npage_sizes = 4K, 8K\n[l1d]\nentries = 4\n",
           "t.ini:3: page_sizes");
    reject(L1 "[walk_cache]\nentries = 4\nlevels = 1, 2\n[walk_cache_l2]\nentries = 2\n",
           "a table level is held by two walk caches");
    reject("[l1i]\nentries = 4\n", "missing section [l1d]");
    reject(L1 "[l2]\nentries = 16\nways = 4\nreplacement = random\nseed = 0\n", "t.ini:9: seed");
    reject(L1 "[latency]\nl1_hit = 0\n", "t.ini:6: l1_hit");
}

static void test_config_round_trip(void **state)
{
    (void)state;
    gr_config a, b;
    char err[256];
    assert_int_equal(gr_config_load(&a, source_path("configs/small.ini"), err, sizeof err), 0);
    char *t1 = NULL, *t2 = NULL;
    size_t n1, n2;
    FILE *f = open_memstream(&t1, &n1);
    gr_config_write_ini(&a, f);
    fclose(f);
    assert_int_equal(gr_config_parse_string(&b, t1, "small", err, sizeof err), 0);
    f = open_memstream(&t2, &n2);
    gr_config_write_ini(&b, f);
    fclose(f);
    assert_string_equal(t1, t2);
    assert_int_equal(b.l2.repl, GR_REPL_RANDOM);
    assert_int_equal(b.l2.seed, 0xACE1);
    assert_true(b.l2.seq_probe);
    assert_int_equal(b.l2_incl, GR_INCL_INCLUSIVE);
    free(t1);
    free(t2);
}

static void test_config_sv_package(void **state)
{
    (void)state;
    gr_config c;
    char err[256];
    assert_int_equal(gr_config_load(&c, source_path("configs/a76.ini"), err, sizeof err), 0);
    char *t = NULL;
    size_t n;
    FILE *f = open_memstream(&t, &n);
    gr_config_write_sv(&c, f);
    fclose(f);
    assert_non_null(strstr(t, "package granule_cfg_pkg;"));
    assert_non_null(strstr(t, "L2Ways    = 5;"));
    assert_non_null(strstr(t, "L2Sets    = 256;"));
    assert_non_null(strstr(t, "L1dEntries = 48;"));
    assert_non_null(strstr(t, "endpackage"));
    free(t);
}

/* gr_config_same_rtl(): the RTL is decided by the package's parameters, not
 * by the configuration's name; one parameter the package carries (the L2's
 * set count) makes two configurations different hardware. */
static void test_config_same_rtl(void **state)
{
    (void)state;
    gr_config a, b;
    char err[256];
    assert_int_equal(gr_config_load(&a, source_path("configs/small.ini"), err, sizeof err), 0);
    b = a;
    assert_int_equal(gr_config_same_rtl(&a, &b), 1);
    snprintf(b.name, sizeof b.name, "renamed");
    assert_int_equal(gr_config_same_rtl(&a, &b), 1);
    assert_int_equal(gr_config_same_rtl(&b, &a), 1);
    assert_string_equal(b.name, "renamed"); /* neither argument changed */
    assert_string_equal(a.name, "small");
    gr_config c;
    assert_int_equal(gr_config_load(&c, source_path("configs/a76.ini"), err, sizeof err), 0);
    assert_int_equal(gr_config_same_rtl(&a, &c), 0);
    /* The same L2 with twice the sets: 64 entries as 16 x 4 instead of 8 x 4. */
    b = a;
    assert_int_equal(b.l2.entries, 32);
    b.l2.entries = 64;
    b.l2.sets = 16;
    assert_int_equal(gr_config_validate(&b, err, sizeof err), 0);
    assert_int_equal(gr_config_same_rtl(&a, &b), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_presets_load),
        cmocka_unit_test(test_config_rejections),
        cmocka_unit_test(test_config_round_trip),
        cmocka_unit_test(test_config_sv_package),
        cmocka_unit_test(test_config_same_rtl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
