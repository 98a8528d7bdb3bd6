/*
 * TLB structure and replacement: victims and hits computed by hand from the
 * rules in docs/uarch.md ("Replacement", "Multiple page sizes", "TLB
 * maintenance"), not from running the code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "granule/repl.h"
#include "granule/tlb.h"

static gr_tlb_cfg cfg_of(uint32_t entries, uint32_t ways, gr_repl repl, uint8_t sizes)
{
    gr_tlb_cfg c;
    memset(&c, 0, sizeof c);
    c.present = true;
    c.entries = entries;
    c.ways = ways;
    c.sets = entries / ways;
    c.repl = repl;
    c.seed = 0xACE1;
    c.sizes = sizes;
    return c;
}

/* An entry for the page of `va` with log2 size `shift`. */
static gr_tlb_entry ent(uint64_t va, unsigned shift, bool global, uint16_t asid)
{
    gr_tlb_entry e;
    memset(&e, 0, sizeof e);
    e.vkey = va & GR_TLB_VA_MASK & ~((1ull << shift) - 1);
    e.psize = (uint8_t)gr_config_psize_of_shift(shift);
    e.global = global;
    e.asid = global ? 0 : asid;
    e.tte.va_base = e.vkey;
    e.tte.oa_base = 0x80000000ull + e.vkey;
    e.tte.page_shift = (uint8_t)shift;
    e.tte.ng = !global;
    return e;
}

#define PG(n) (0x10000000ull + (uint64_t)(n) * 0x1000)

/* Fills pages 0..3 into a 1-set 4-way structure; returns their indexes. */
static void fill4(gr_tlb *t)
{
    for (int i = 0; i < 4; i++) {
        gr_tlb_entry e = ent(PG(i), 12, false, 1);
        bool ev = true;
        int k = gr_tlb_fill(t, &e, NULL, &ev);
        assert_int_equal(k, i); /* lowest invalid way first */
        assert_false(ev);
    }
}

static int victim_of_next_fill(gr_tlb *t, int page)
{
    gr_tlb_entry e = ent(PG(page), 12, false, 1), old;
    bool ev = false;
    int k = gr_tlb_fill(t, &e, &old, &ev);
    assert_true(ev);
    return k;
}

static void test_tlb_lru_victims(void **state)
{
    (void)state;
    gr_tlb_cfg c = cfg_of(4, 4, GR_REPL_LRU, 1u << GR_PS_4K);
    gr_tlb *t = gr_tlb_create(&c);
    fill4(t);
    /* hit page 0 and 2: LRU order now 1, 3, 0, 2 */
    gr_tlb_touch(t, gr_tlb_lookup(t, PG(0), 1, NULL));
    gr_tlb_touch(t, gr_tlb_lookup(t, PG(2), 1, NULL));
    assert_int_equal(victim_of_next_fill(t, 4), 1);
    assert_int_equal(victim_of_next_fill(t, 5), 3);
    assert_int_equal(victim_of_next_fill(t, 6), 0);
    assert_int_equal(gr_tlb_lookup(t, PG(2), 1, NULL), 2); /* still there */
    assert_int_equal(gr_tlb_lookup(t, PG(0), 1, NULL), -1);
    gr_tlb_destroy(t);
}

static void test_tlb_plru_victims(void **state)
{
    (void)state;
    /* Tree for 4 ways: node 0 root, node 1 over ways 0-1, node 2 over 2-3;
     * a touch points each node on the path away from the way; the victim
     * follows the bits (1 = upper half). After filling 0,1,2,3: all bits 0.
     * Hit way 0: n0=1, n1=1 -> victim n0=1 -> n2=0 -> way 2. Fill there:
     * n0=0, n2=1 -> victim n0=0 -> n1=1 -> way 1. */
    gr_tlb_cfg c = cfg_of(4, 4, GR_REPL_PLRU, 1u << GR_PS_4K);
    gr_tlb *t = gr_tlb_create(&c);
    fill4(t);
    gr_tlb_touch(t, gr_tlb_lookup(t, PG(0), 1, NULL));
    assert_int_equal(victim_of_next_fill(t, 4), 2);
    assert_int_equal(victim_of_next_fill(t, 5), 1);
    /* now n0=1 (after touching 1: n0=1, n1=0), n2=1 -> way 3 */
    assert_int_equal(victim_of_next_fill(t, 6), 3);
    gr_tlb_destroy(t);
}

static void test_tlb_fifo_victims(void **state)
{
    (void)state;
    gr_tlb_cfg c = cfg_of(4, 4, GR_REPL_FIFO, 1u << GR_PS_4K);
    gr_tlb *t = gr_tlb_create(&c);
    fill4(t);
    gr_tlb_touch(t, gr_tlb_lookup(t, PG(0), 1, NULL)); /* hits do not matter */
    assert_int_equal(victim_of_next_fill(t, 4), 0);
    assert_int_equal(victim_of_next_fill(t, 5), 1);
    /* an invalidated way is refilled first and does not move the pointer */
    gr_tlbi op = {GR_TLBI_VAE1, PG(3), 1};
    assert_int_equal(gr_tlb_invalidate(t, &op), 1);
    bool ev = true;
    gr_tlb_entry e = ent(PG(9), 12, false, 1);
    assert_int_equal(gr_tlb_fill(t, &e, NULL, &ev), 3);
    assert_false(ev);
    assert_int_equal(victim_of_next_fill(t, 10), 2);
    assert_int_equal(victim_of_next_fill(t, 11), 3);
    gr_tlb_destroy(t);
}

static void test_tlb_lfsr_sequence(void **state)
{
    (void)state;
    /* Galois x^16+x^14+x^13+x^11+1 by hand from 0xACE1:
     * 0xACE1 lsb 1: 0x5670 ^ 0xB400 = 0xE270; lsb 0: 0x7138; 0x389C;
     * 0x1C4E; lsb 0: 0x0E27; lsb 1: 0x0713 ^ 0xB400 = 0xB313. */
    assert_int_equal(gr_repl_lfsr_step(0xACE1), 0xE270);
    assert_int_equal(gr_repl_lfsr_step(0xE270), 0x7138);
    assert_int_equal(gr_repl_lfsr_step(0x1C4E), 0x0E27);
    assert_int_equal(gr_repl_lfsr_step(0x0E27), 0xB313);
    /* maximal length: 65535 steps back to the seed, never zero */
    uint16_t s = 0xACE1;
    unsigned n = 0;
    do {
        s = gr_repl_lfsr_step(s);
        assert_int_not_equal(s, 0);
        n++;
    } while (s != 0xACE1 && n < 70000);
    assert_int_equal(n, 65535);
}

static void test_tlb_random_victims(void **state)
{
    (void)state;
    /* victims = state % 4 after each step: 0xE270 -> 0, 0x7138 -> 0,
     * 0x389C -> 0, 0x1C4E -> 2, 0x0E27 -> 3 */
    gr_tlb_cfg c = cfg_of(4, 4, GR_REPL_RANDOM, 1u << GR_PS_4K);
    gr_tlb *t = gr_tlb_create(&c);
    fill4(t); /* filling invalid ways does not step the LFSR */
    assert_int_equal(victim_of_next_fill(t, 4), 0);
    assert_int_equal(victim_of_next_fill(t, 5), 0);
    assert_int_equal(victim_of_next_fill(t, 6), 0);
    assert_int_equal(victim_of_next_fill(t, 7), 2);
    assert_int_equal(victim_of_next_fill(t, 8), 3);
    gr_tlb_destroy(t);
    /* 5 ways: 0xE270 = 57968 -> 57968 % 5 = 3 */
    c = cfg_of(5, 5, GR_REPL_RANDOM, 1u << GR_PS_4K);
    t = gr_tlb_create(&c);
    for (int i = 0; i < 5; i++) {
        gr_tlb_entry e = ent(PG(i), 12, false, 1);
        gr_tlb_fill(t, &e, NULL, NULL);
    }
    assert_int_equal(victim_of_next_fill(t, 5), 3);
    gr_tlb_destroy(t);
}

static void test_tlb_set_index_per_size(void **state)
{
    (void)state;
    /* 4 sets x 1 way: a 4K entry's set is VA[13:12], a 2M entry's VA[22:21] */
    gr_tlb_cfg c = cfg_of(4, 1, GR_REPL_LRU, (1u << GR_PS_4K) | (1u << GR_PS_2M));
    gr_tlb *t = gr_tlb_create(&c);
    gr_tlb_entry a = ent(0x40001000, 12, true, 0);  /* set 1 */
    gr_tlb_entry b = ent(0x40005000, 12, true, 0);  /* set 1 too */
    gr_tlb_entry h = ent(0x40200000, 21, true, 0);  /* VA[22:21] = 1: set 1 */
    gr_tlb_entry g = ent(0x40400000, 21, true, 0);  /* VA[22:21] = 2: set 2 */
    assert_int_equal(gr_tlb_fill(t, &a, NULL, NULL), 1);
    bool ev;
    assert_int_equal(gr_tlb_fill(t, &b, NULL, &ev), 1);
    assert_true(ev);
    assert_int_equal(gr_tlb_lookup(t, 0x40001000, 0, NULL), -1);
    assert_int_equal(gr_tlb_fill(t, &g, NULL, &ev), 2);
    assert_false(ev);
    assert_int_equal(gr_tlb_lookup(t, 0x405fffff, 7, NULL), 2); /* inside the 2M */
    assert_int_equal(gr_tlb_fill(t, &h, NULL, &ev), 1);
    assert_true(ev); /* evicted page b */
    /* gr_tlb_set_of() names the same sets (the hand-derived ones above),
     * for any VA inside the entry. */
    assert_int_equal(gr_tlb_set_of(t, 0x40001000, GR_PS_4K), 1);
    assert_int_equal(gr_tlb_set_of(t, 0x40005fff, GR_PS_4K), 1);
    assert_int_equal(gr_tlb_set_of(t, 0x40003000, GR_PS_4K), 3);
    assert_int_equal(gr_tlb_set_of(t, 0x403fffff, GR_PS_2M), 1);
    assert_int_equal(gr_tlb_set_of(t, 0x40400000, GR_PS_2M), 2);
    assert_int_equal(gr_tlb_set_of(t, 0xffff000040400000ull, GR_PS_2M), 2); /* tag bits ignored */
    gr_tlb_destroy(t);
}

static void test_tlb_smallest_size_wins_and_probe(void **state)
{
    (void)state;
    gr_tlb_cfg c = cfg_of(8, 8, GR_REPL_LRU, (1u << GR_PS_4K) | (1u << GR_PS_64K) |
                                                 (1u << GR_PS_2M));
    gr_tlb *t = gr_tlb_create(&c);
    gr_tlb_entry big = ent(0x40200000, 21, true, 0), small = ent(0x40234000, 12, true, 0);
    int kb = gr_tlb_fill(t, &big, NULL, NULL);
    int ks = gr_tlb_fill(t, &small, NULL, NULL);
    unsigned probe = 99;
    assert_int_equal(gr_tlb_lookup(t, 0x40234abc, 0, &probe), ks);
    assert_int_equal(probe, 0); /* first configured size */
    assert_int_equal(gr_tlb_lookup(t, 0x40235000, 0, &probe), kb);
    assert_int_equal(probe, 2); /* third configured size (4K, 64K, 2M) */
    assert_int_equal(gr_tlb_lookup(t, 0x50000000, 0, &probe), -1);
    assert_int_equal(probe, 2); /* a miss probes all three */
    gr_tlb_destroy(t);
}

static void test_tlb_asid_and_global(void **state)
{
    (void)state;
    gr_tlb_cfg c = cfg_of(8, 8, GR_REPL_LRU, GR_PS_ALL);
    gr_tlb *t = gr_tlb_create(&c);
    gr_tlb_entry n1 = ent(PG(1), 12, false, 1), gl = ent(PG(2), 12, true, 0);
    gr_tlb_fill(t, &n1, NULL, NULL);
    gr_tlb_fill(t, &gl, NULL, NULL);
    assert_true(gr_tlb_lookup(t, PG(1), 1, NULL) >= 0);
    assert_int_equal(gr_tlb_lookup(t, PG(1), 2, NULL), -1);
    assert_true(gr_tlb_lookup(t, PG(2), 1, NULL) >= 0);
    assert_true(gr_tlb_lookup(t, PG(2), 0xBEEF, NULL) >= 0);
    /* VA[63:56] are not part of the tag */
    assert_true(gr_tlb_lookup(t, PG(2) | 0x5A00000000000000ull, 3, NULL) >= 0);
    gr_tlb_destroy(t);
}

/* The population every TLBI test starts from (FA, 16 entries):
 *   A: 4K global at X        B: 4K nG asid 1 at X + 4K
 *   C: 4K nG asid 2 at X + 4K  D: 2M nG asid 1 covering X
 *   E: 64K global covering X + 0x10000   F: 4K nG asid 1 far away */
#define X 0x0000007000000000ull
static gr_tlb *tlbi_population(void)
{
    gr_tlb_cfg c = cfg_of(16, 16, GR_REPL_LRU, GR_PS_ALL);
    gr_tlb *t = gr_tlb_create(&c);
    gr_tlb_entry e[] = {
        ent(X, 12, true, 0),           ent(X + 0x1000, 12, false, 1),
        ent(X + 0x1000, 12, false, 2), ent(X, 21, false, 1),
        ent(X + 0x10000, 16, true, 0), ent(X + 0x40000000, 12, false, 1),
    };
    for (size_t i = 0; i < sizeof e / sizeof e[0]; i++)
        assert_int_equal(gr_tlb_fill(t, &e[i], NULL, NULL), (int)i);
    return t;
}

static bool alive(gr_tlb *t, int idx)
{
    return gr_tlb_entry_at(t, idx) != NULL;
}

static void check_alive(gr_tlb *t, const char *pattern)
{
    for (int i = 0; i < 6; i++)
        assert_int_equal(alive(t, i), pattern[i] == '1');
}

static void run_tlbi(gr_tlbi_op op, uint64_t va, uint16_t asid, unsigned n, const char *left)
{
    gr_tlb *t = tlbi_population();
    gr_tlbi o = {op, va, asid};
    assert_int_equal(gr_tlb_invalidate(t, &o), n);
    check_alive(t, left);
    gr_tlb_destroy(t);
}

static void test_tlb_tlbi_forms(void **state)
{
    (void)state;
    /*                                    A B C D E F */
    run_tlbi(GR_TLBI_VMALLE1, 0, 0, 6, "000000");
    run_tlbi(GR_TLBI_VMALLE1IS, 0, 0, 6, "000000");
    /* ASIDE1 removes only non-global entries of the ASID */
    run_tlbi(GR_TLBI_ASIDE1, 0, 1, 3, "101010");
    run_tlbi(GR_TLBI_ASIDE1IS, 0, 2, 1, "110111");
    run_tlbi(GR_TLBI_ASIDE1, 0, 9, 0, "111111");
    /* VAE1 at X+0x1000, ASID 1: B (asid 1) and D (2M asid 1 covering it);
     * not C (asid 2); A is at X, not X+0x1000 */
    run_tlbi(GR_TLBI_VAE1, X + 0x1000, 1, 2, "101011");
    /* VAE1 at X, ASID 2: the global A; D is asid 1 */
    run_tlbi(GR_TLBI_VAE1IS, X + 0x123, 2, 1, "011111");
    /* VALE1 behaves the same on TLB entries (all are leaves) */
    run_tlbi(GR_TLBI_VALE1, X + 0x1000, 1, 2, "101011");
    run_tlbi(GR_TLBI_VALE1IS, X + 0x10008, 5, 1, "111101"); /* the 64K global */
    /* VAAE1: every ASID: B, C and D at X+0x1000 */
    run_tlbi(GR_TLBI_VAAE1, X + 0x1000, 0, 3, "100011");
    run_tlbi(GR_TLBI_VAAE1IS, X, 0, 2, "011011");
    run_tlbi(GR_TLBI_VAALE1, X + 0x1fffff, 0, 1, "111011");
    run_tlbi(GR_TLBI_VAALE1IS, X + 0x40000000, 0, 1, "111110");
}

static void test_tlb_make_entry_splinters(void **state)
{
    (void)state;
    gr_tte t;
    memset(&t, 0, sizeof t);
    t.va_base = 0x40000000;
    t.oa_base = 0x80000000;
    t.page_shift = 30; /* a 1G block */
    t.ng = true;
    gr_tlb_entry e;
    /* a structure with 4K and 2M only keeps the 2M piece around the VA */
    assert_true(gr_tlb_make_entry((1u << GR_PS_4K) | (1u << GR_PS_2M), &t, 0x40634567, 3, &e));
    assert_int_equal(e.psize, GR_PS_2M);
    assert_int_equal(e.vkey, 0x40600000);
    assert_int_equal(e.tte.oa_base, 0x80600000);
    assert_int_equal(e.asid, 3);
    assert_false(e.global);
    /* nothing fits: a 4K page in a 2M-only structure */
    t.page_shift = 12;
    assert_false(gr_tlb_make_entry(1u << GR_PS_2M, &t, 0x40000000, 3, &e));
}

/* gr_repl_next_victim(): the victim docs/uarch.md's rules give, without
 * advancing the state (the next gr_repl_victim() returns the same way). */
static void test_repl_next_victim(void **state)
{
    (void)state;
    gr_repl_state r;
    /* LRU, 4 ways: reset order is way order (0 least recent); after
     * touching 0 then 2 the least recent is 1. */
    assert_int_equal(gr_repl_init(&r, GR_REPL_LRU, 1, 4, 1), 0);
    gr_repl_reset(&r);
    gr_repl_touch(&r, 0, 0);
    gr_repl_touch(&r, 0, 2);
    assert_int_equal(gr_repl_next_victim(&r, 0), 1);
    assert_int_equal(gr_repl_next_victim(&r, 0), 1);
    assert_int_equal(gr_repl_victim(&r, 0), 1);
    gr_repl_free(&r);
    /* Tree PLRU, 4 ways, bits 0 at reset: touching way 0 points the root
     * to the upper half (node 2, bit 0: way 2) and node 1 to way 1; then
     * touching way 2 points the root back to the lower half: way 1. */
    assert_int_equal(gr_repl_init(&r, GR_REPL_PLRU, 2, 4, 1), 0);
    gr_repl_reset(&r);
    gr_repl_touch(&r, 1, 0);
    assert_int_equal(gr_repl_next_victim(&r, 1), 2);
    assert_int_equal(gr_repl_next_victim(&r, 0), 0);
    gr_repl_touch(&r, 1, 2);
    assert_int_equal(gr_repl_next_victim(&r, 1), 1);
    assert_int_equal(gr_repl_victim(&r, 1), 1);
    gr_repl_free(&r);
    /* FIFO: the pointer, 0 at reset, advanced only by a victim. */
    assert_int_equal(gr_repl_init(&r, GR_REPL_FIFO, 2, 4, 1), 0);
    gr_repl_reset(&r);
    assert_int_equal(gr_repl_next_victim(&r, 1), 0);
    assert_int_equal(gr_repl_next_victim(&r, 1), 0);
    assert_int_equal(gr_repl_victim(&r, 1), 0);
    assert_int_equal(gr_repl_next_victim(&r, 1), 1);
    assert_int_equal(gr_repl_next_victim(&r, 0), 0);
    gr_repl_free(&r);
    /* RANDOM, seed 3: one step of x^16+x^14+x^13+x^11+1 (taps 0xB400)
     * gives 3 >> 1 ^ 0xB400 = 0xB401, way 0xB401 % 4 = 1; the next step
     * 0xB401 >> 1 ^ 0xB400 = 0xEE00, way 0. */
    assert_int_equal(gr_repl_init(&r, GR_REPL_RANDOM, 1, 4, 3), 0);
    gr_repl_reset(&r);
    assert_int_equal(gr_repl_next_victim(&r, 0), 1);
    assert_int_equal(gr_repl_next_victim(&r, 0), 1);
    assert_int_equal(gr_repl_victim(&r, 0), 1);
    assert_int_equal(gr_repl_next_victim(&r, 0), 0);
    gr_repl_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tlb_lru_victims),
        cmocka_unit_test(test_tlb_plru_victims),
        cmocka_unit_test(test_tlb_fifo_victims),
        cmocka_unit_test(test_tlb_lfsr_sequence),
        cmocka_unit_test(test_tlb_random_victims),
        cmocka_unit_test(test_repl_next_victim),
        cmocka_unit_test(test_tlb_set_index_per_size),
        cmocka_unit_test(test_tlb_smallest_size_wins_and_probe),
        cmocka_unit_test(test_tlb_asid_and_global),
        cmocka_unit_test(test_tlb_tlbi_forms),
        cmocka_unit_test(test_tlb_make_entry_splinters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
