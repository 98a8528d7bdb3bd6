/*
 * Unit tests for the walk cache (gr_wc_). Every walk is written by hand as
 * the descriptor reads a walker would record (no walker, no page tables),
 * and every expected entry is worked out from docs/uarch.md "Walk cache"
 * and the descriptor format (Arm ARM D8.3: table descriptor bits[1:0] =
 * 0b11, next-level table address in [47:12], PXNTable 59, UXNTable 60,
 * APTable 62:61; a block has bits[1:0] = 0b01).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "granule/walkcache.h"

/* VA 0x000000C052345678 with the 4K granule, 48-bit VA (start level 0):
 * level-0 region 2^39: 0x8000000000; level 1 (2^30): 0xC040000000;
 * level 2 (2^21): 0x52345678 >> 21 = 0x291, so 0xC052200000. */
#define VA 0x000000C052345678ull
#define KEY0 0x0000008000000000ull
#define KEY1 0x000000C040000000ull
#define KEY2 0x000000C052200000ull
#define T1 0x40001000ull
#define T2 0x40002000ull
#define T3 0x40003000ull
#define APTABLE_01 (1ull << 61)
#define UXNTABLE (1ull << 60)
#define PXNTABLE (1ull << 59)

static void ctx_4k(gr_s1ctx *c)
{
    memset(c, 0, sizeof *c);
    gr_s1half *h = &c->half[0];
    h->granule_bits = 12;
    h->stride = 9;
    h->txsz = 16;
    h->ia_bits = 48;
    h->start_level = 0;
    h->oa_bits = 48;
    c->m = true;
}

static gr_tlb_cfg wc_cfg(uint32_t entries, uint32_t ways, uint8_t levels)
{
    gr_tlb_cfg c;
    memset(&c, 0, sizeof c);
    c.present = true;
    c.entries = entries;
    c.ways = ways;
    c.sets = entries / ways;
    c.repl = GR_REPL_LRU;
    c.seed = 1;
    c.levels = levels;
    return c;
}

/* A walk from level 0 through tables at levels 0..2 to a page at level 3,
 * with APTable = 01 at level 0, UXNTable at level 1, PXNTable at level 2. */
static void walk_full(gr_xlat *x, uint64_t va)
{
    memset(x, 0, sizeof *x);
    x->req.va = va;
    x->nreads = 4;
    x->reads[0] = (gr_ptw_read){0, 0x40000000ull, T1 | APTABLE_01 | 3};
    x->reads[1] = (gr_ptw_read){1, T1, T2 | UXNTABLE | 3};
    x->reads[2] = (gr_ptw_read){2, T2, T3 | PXNTABLE | 3};
    x->reads[3] = (gr_ptw_read){3, T3, 0x60000000ull | (1u << 10) | 3};
}

static void test_walkcache_fill_from_walk(void **state)
{
    (void)state;
    gr_s1ctx c;
    ctx_4k(&c);
    gr_xlat x;
    walk_full(&x, VA);
    gr_wc_entry e[3];
    assert_int_equal(gr_wc_from_walk(&c, 0, NULL, &x, 5, e), 3);
    /* level 0: region 2^39, continue at level 1 in T1, APTable 01 */
    assert_int_equal(e[0].level, 0);
    assert_int_equal(e[0].region_shift, 39);
    assert_int_equal(e[0].vkey, KEY0);
    assert_int_equal(e[0].asid, 5);
    assert_int_equal(e[0].granule_bits, 12);
    assert_int_equal(e[0].next.level, 1);
    assert_int_equal(e[0].next.table, T1);
    assert_int_equal(e[0].next.ap_table, 1);
    assert_false(e[0].next.uxn_table);
    assert_false(e[0].next.pxn_table);
    /* level 1: attributes accumulate (APTable 01 from above, UXNTable) */
    assert_int_equal(e[1].region_shift, 30);
    assert_int_equal(e[1].vkey, KEY1);
    assert_int_equal(e[1].next.level, 2);
    assert_int_equal(e[1].next.table, T2);
    assert_int_equal(e[1].next.ap_table, 1);
    assert_true(e[1].next.uxn_table);
    assert_false(e[1].next.pxn_table);
    /* level 2 */
    assert_int_equal(e[2].region_shift, 21);
    assert_int_equal(e[2].vkey, KEY2);
    assert_int_equal(e[2].next.level, 3);
    assert_int_equal(e[2].next.table, T3);
    assert_true(e[2].next.uxn_table);
    assert_true(e[2].next.pxn_table);

    /* A walk that started from a cached level-1 entry (so its first read
     * is at level 2) inherits that entry's attributes. */
    gr_walk_start st = {2, T2, 2, false, true};
    gr_xlat y;
    memset(&y, 0, sizeof y);
    y.req.va = VA;
    y.nreads = 2;
    y.reads[0] = x.reads[2];
    y.reads[1] = x.reads[3];
    assert_int_equal(gr_wc_from_walk(&c, 0, &st, &y, 5, e), 1);
    assert_int_equal(e[0].level, 2);
    assert_int_equal(e[0].next.ap_table, 2);
    assert_false(e[0].next.uxn_table);
    assert_true(e[0].next.pxn_table);

    /* With TCR_EL1.HPD0 the table attributes are ignored (zero). */
    c.half[0].hpd = true;
    assert_int_equal(gr_wc_from_walk(&c, 0, NULL, &x, 5, e), 3);
    assert_int_equal(e[2].next.ap_table, 0);
    assert_false(e[2].next.uxn_table);
    assert_false(e[2].next.pxn_table);
}

static void test_walkcache_no_fill_for_block_leaves(void **state)
{
    (void)state;
    gr_s1ctx c;
    ctx_4k(&c);
    gr_xlat x;
    gr_wc_entry e[3];
    /* level-1 block (1 GB): only the level-0 table descriptor is cached */
    memset(&x, 0, sizeof x);
    x.req.va = VA;
    x.nreads = 2;
    x.reads[0] = (gr_ptw_read){0, 0x40000000ull, T1 | 3};
    x.reads[1] = (gr_ptw_read){1, T1, 0x80000000ull | (1u << 10) | 1};
    assert_int_equal(gr_wc_from_walk(&c, 0, NULL, &x, 1, e), 1);
    assert_int_equal(e[0].level, 0);
    /* level-2 block (2 MB): levels 0 and 1, nothing for level 2 */
    x.nreads = 3;
    x.reads[1] = (gr_ptw_read){1, T1, T2 | 3};
    x.reads[2] = (gr_ptw_read){2, T2, 0x80000000ull | (1u << 10) | 1};
    assert_int_equal(gr_wc_from_walk(&c, 0, NULL, &x, 1, e), 2);
    assert_int_equal(e[1].level, 1);
    /* an invalid level-1 descriptor ends the walk: only level 0 */
    x.nreads = 2;
    x.reads[1] = (gr_ptw_read){1, T1, 0};
    assert_int_equal(gr_wc_from_walk(&c, 0, NULL, &x, 1, e), 1);
    /* a table address beyond the 40-bit output size is not followed */
    c.half[0].oa_bits = 40;
    x.nreads = 1;
    x.reads[0] = (gr_ptw_read){0, 0x40000000ull, 0x0000010000001000ull | 3};
    assert_int_equal(gr_wc_from_walk(&c, 0, NULL, &x, 1, e), 0);
}

/* Fills a walk's three entries for asid into w. */
static void fill_walk(gr_wc *w, const gr_s1ctx *c, uint64_t va, uint16_t asid)
{
    gr_xlat x;
    walk_full(&x, va);
    gr_wc_entry e[3];
    int n = gr_wc_from_walk(c, 0, NULL, &x, asid, e);
    for (int i = 0; i < n; i++)
        if (gr_wc_holds(w, e[i].level))
            gr_wc_fill(w, &e[i], NULL);
}

static int hit_level(const gr_wc *w, const gr_s1ctx *c, uint64_t va, uint16_t asid)
{
    int k = gr_wc_lookup(w, &c->half[0], va, asid);
    return k < 0 ? -1 : gr_wc_entry_at(w, k)->level;
}

static void test_walkcache_deepest_hit_and_asid(void **state)
{
    (void)state;
    gr_s1ctx c;
    ctx_4k(&c);
    gr_tlb_cfg cfg = wc_cfg(16, 4, 7);
    gr_wc *w = gr_wc_create(&cfg);
    assert_non_null(w);
    fill_walk(w, &c, VA, 5);
    assert_int_equal(gr_wc_valid_count(w), 3);
    /* same 2 MB region: the level-2 entry, continue at level 3 in T3 */
    int k = gr_wc_lookup(w, &c.half[0], VA + 0x1000, 5);
    assert_true(k >= 0);
    assert_int_equal(gr_wc_entry_at(w, k)->level, 2);
    assert_int_equal(gr_wc_entry_at(w, k)->next.table, T3);
    /* 4 sets of 4 ways; a level-2 entry covers 2 MB (4K granule), so its
     * set is VA[22:21], and the fill put it there */
    assert_int_equal(gr_wc_set_of(w, &c.half[0], VA + 0x1000, 2), (VA >> 21) & 3);
    assert_int_equal((unsigned)k / 4, (VA >> 21) & 3);
    /* a level-1 entry covers 1 GB: VA[31:30] */
    assert_int_equal(gr_wc_set_of(w, &c.half[0], VA, 1), (VA >> 30) & 3);
    /* same 1 GB, another 2 MB region: the level-1 entry */
    assert_int_equal(hit_level(w, &c, KEY1 + 0x00600000ull, 5), 1);
    /* same 512 GB, another 1 GB region: level 0 */
    assert_int_equal(hit_level(w, &c, KEY0 + 0x0000000040000000ull, 5), 0);
    /* another 512 GB region: miss */
    assert_int_equal(hit_level(w, &c, 0x0000010000000000ull, 5), -1);
    /* table descriptors have no nG: every entry is ASID-tagged */
    assert_int_equal(hit_level(w, &c, VA, 6), -1);
    /* the top byte is not part of the tag */
    assert_int_equal(hit_level(w, &c, VA | 0x5A00000000000000ull, 5), 2);
    gr_wc_destroy(w);

    /* a cache that holds levels 0 and 1 only never holds level 2 */
    cfg = wc_cfg(8, 2, 3);
    w = gr_wc_create(&cfg);
    assert_false(gr_wc_holds(w, 2));
    assert_true(gr_wc_holds(w, 1));
    fill_walk(w, &c, VA, 5);
    assert_int_equal(gr_wc_valid_count(w), 2);
    assert_int_equal(hit_level(w, &c, VA, 5), 1);
    gr_wc_destroy(w);
    gr_wc_destroy(NULL);
}

static void test_walkcache_lru_eviction(void **state)
{
    (void)state;
    gr_s1ctx c;
    ctx_4k(&c);
    /* one set of two ways holding level 2 only: three 2 MB regions */
    gr_tlb_cfg cfg = wc_cfg(2, 2, 4);
    gr_wc *w = gr_wc_create(&cfg);
    bool ev = true;
    gr_wc_entry e = {KEY2, 1, 2, 12, 21, {3, T3, 0, false, false}};
    gr_wc_fill(w, &e, &ev);
    assert_false(ev);
    e.vkey = KEY2 + 0x200000;
    gr_wc_fill(w, &e, &ev);
    assert_false(ev);
    /* touch the first: the second is now least recent */
    gr_wc_touch(w, gr_wc_lookup(w, &c.half[0], KEY2, 1));
    e.vkey = KEY2 + 0x400000;
    gr_wc_fill(w, &e, &ev);
    assert_true(ev);
    assert_int_equal(hit_level(w, &c, KEY2, 1), 2);
    assert_int_equal(hit_level(w, &c, KEY2 + 0x200000, 1), -1);
    assert_int_equal(hit_level(w, &c, KEY2 + 0x400000, 1), 2);
    gr_wc_destroy(w);
}

static unsigned tlbi(gr_wc *w, gr_tlbi_op op, uint64_t va, uint16_t asid)
{
    gr_tlbi t = {op, va, asid};
    return gr_wc_invalidate(w, &t);
}

static void test_walkcache_tlbi_semantics(void **state)
{
    (void)state;
    gr_s1ctx c;
    ctx_4k(&c);
    /* fully associative (one set of 16): no evictions in this test */
    gr_tlb_cfg cfg = wc_cfg(16, 16, 7);
    gr_wc *w = gr_wc_create(&cfg);
    fill_walk(w, &c, VA, 5);
    /* last-level forms may keep walk-cache entries: nothing removed */
    assert_int_equal(tlbi(w, GR_TLBI_VALE1, VA, 5), 0);
    assert_int_equal(tlbi(w, GR_TLBI_VALE1IS, VA, 5), 0);
    assert_int_equal(tlbi(w, GR_TLBI_VAALE1, VA, 0), 0);
    assert_int_equal(tlbi(w, GR_TLBI_VAALE1IS, VA, 0), 0);
    assert_int_equal(gr_wc_valid_count(w), 3);
    /* VAE1 removes every entry whose region covers the VA, whatever its
     * ASID (operand ASID 7, entries of ASID 5) */
    assert_int_equal(tlbi(w, GR_TLBI_VAE1, VA, 7), 3);
    assert_int_equal(gr_wc_valid_count(w), 0);
    /* a VA in the same 1 GB but another 2 MB region: levels 0 and 1 only */
    fill_walk(w, &c, VA, 5);
    assert_int_equal(tlbi(w, GR_TLBI_VAAE1IS, KEY1 + 0x00600000ull, 0), 2);
    assert_int_equal(hit_level(w, &c, VA, 5), 2);
    assert_int_equal(hit_level(w, &c, KEY1 + 0x00600000ull, 5), -1);
    assert_int_equal(tlbi(w, GR_TLBI_VMALLE1IS, 0, 0), 1);
    /* ASIDE1 removes that ASID's entries only */
    fill_walk(w, &c, VA, 5);
    fill_walk(w, &c, 0x0000010000000000ull + (VA & 0x7FFFFFFFFFull), 9);
    assert_int_equal(gr_wc_valid_count(w), 6);
    assert_int_equal(tlbi(w, GR_TLBI_ASIDE1, 0, 7), 0);
    assert_int_equal(tlbi(w, GR_TLBI_ASIDE1IS, 0, 5), 3);
    assert_int_equal(hit_level(w, &c, VA, 5), -1);
    assert_int_equal(hit_level(w, &c, 0x0000010000000000ull + (VA & 0x7FFFFFFFFFull), 9), 2);
    /* VMALLE1: everything (ASID 9's three entries are left) */
    assert_int_equal(tlbi(w, GR_TLBI_VMALLE1, 0, 0), 3);
    assert_int_equal(gr_wc_valid_count(w), 0);
    gr_wc_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walkcache_fill_from_walk),
        cmocka_unit_test(test_walkcache_no_fill_for_block_leaves),
        cmocka_unit_test(test_walkcache_deepest_hit_and_asid),
        cmocka_unit_test(test_walkcache_lru_eviction),
        cmocka_unit_test(test_walkcache_tlbi_semantics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
