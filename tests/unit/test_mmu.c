/*
 * The MMU top: paths, response cycles, fills, walk-cache use, TLBIs,
 * hardware AF/dirty with a TLB, ASID switches without flush, contiguous
 * coalescing. Every expected cycle is worked out by hand from
 * docs/uarch.md with the latencies of CFG below:
 *   L1 hit      A + 1
 *   L2 hit      A + 1 + 2
 *   walk        tw = A + 1 + 2 + 1 (L1, L2, walk cache), then 4 cycles per
 *               read and 3 per write, response one cycle after the last
 * The register write that starts each test takes cycle 0, so timelines
 * start at B = 1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "granule/mmu.h"
#include "ptbuild.h"

static const char CFG[] =
    "[mmu]\ncontiguous = on\n"
    "[l1i]\nentries = 4\n"
    "[l1d]\nentries = 4\nreplacement = lru\n"
    "[l2]\nentries = 16\nways = 4\n"
    "[walk_cache]\nentries = 4\nlevels = 0, 1, 2\n"
    "[latency]\nl1_hit = 1\nl2_hit = 2\nwalk_cache = 1\npac = 3\ntlbi = 2\n"
    "[memory]\nread_latency = 4\nwrite_latency = 3\n";

#define VA0 0x0000004000000000ull
#define PG(n) (VA0 + (uint64_t)(n) * 0x1000)
#define PA0 0x60000000ull
#define PA(n) (PA0 + (uint64_t)(n) * 0x1000)
#define RW_EL1 (PTB_AF | PTB_AP(PTB_AP_RW_NONE))

typedef struct fx {
    ptb b;
    ptb_tree t;
    gr_config c;
    gr_regs r;
    gr_mmu *m;
} fx;

static void fx_regs(fx *f, uint64_t root, uint16_t asid, uint64_t tcr_extra)
{
    ptb_regs(&f->r);
    f->r.tcr = PTB_TCR_T0SZ(16) | ptb_tcr_tg0(12) | PTB_TCR_IPS(5) | PTB_TCR_EPD1 |
               PTB_TCR_AS | tcr_extra;
    f->r.ttbr0 = root | ((uint64_t)asid << 48);
    f->r.mair = 0xff;
}

static fx *fx_new(const char *cfgtext, uint64_t tcr_extra)
{
    fx *f = calloc(1, sizeof *f);
    char err[256];
    assert_int_equal(gr_config_parse_string(&f->c, cfgtext, "test.ini", err, sizeof err), 0);
    assert_int_equal(ptb_init(&f->b, PTB_RAM_BASE, PTB_RAM_SIZE), 0);
    assert_int_equal(ptb_tree_init(&f->b, &f->t, 12, 16), 0);
    f->m = gr_mmu_create(&f->c, f->b.mem);
    assert_non_null(f->m);
    fx_regs(f, f->t.root, 1, tcr_extra);
    gr_mmu_set_regs(f->m, &f->r, 0);
    return f;
}

static void fx_free(fx *f)
{
    gr_mmu_destroy(f->m);
    ptb_fini(&f->b);
    free(f);
}

static void map(fx *f, int n, uint64_t attrs)
{
    assert_int_equal(ptb_map(&f->t, PG(n), 3, ptb_page(PA(n), attrs)), 0);
}

static gr_mmu_resp go(fx *f, uint64_t va, gr_acc acc, uint8_t el, uint64_t t, bool pac)
{
    gr_mmu_req q = {.r = {va, acc, el}, .t = t, .pac = pac};
    gr_mmu_resp o;
    gr_mmu_translate(f->m, &q, &o);
    return o;
}

/* fx_new() writes the registers in cycle 0: requests are accepted from
 * cycle B = 1 (docs/uarch.md "Register writes"). */
#define B 1

static void expect(gr_mmu_resp o, uint64_t accept, uint64_t valid, int path)
{
    assert_int_equal(o.t_accept, accept);
    assert_int_equal(o.t_valid, valid);
    assert_int_equal(o.path, path);
}

static void test_mmu_paths_and_cycles(void **state)
{
    (void)state;
    fx *f = fx_new(CFG, 0);
    for (int i = 0; i < 8; i++)
        map(f, i, RW_EL1);
    /* cold: L1 [0,1), L2 [1,3), walk cache [3,4), reads L0..L3 issued at
     * 4, 8, 12, 16, last data at 20, response 21 */
    gr_mmu_resp o = go(f, PG(0) + 0x123, GR_ACC_READ, 1, B + 0, false);
    expect(o, B + 0, B + 21, GR_MMU_PATH_WALK);
    assert_int_equal(o.nreads, 4);
    assert_int_equal(o.walk_level, 0);
    assert_int_equal(o.pa, PA(0) + 0x123);
    assert_int_equal(o.page_shift, 12);
    assert_int_equal(o.mair_attr, 0xff);
    /* presented during the walk: accepted in the response cycle, L1 hit */
    o = go(f, PG(0) + 8, GR_ACC_READ, 1, B + 5, false);
    expect(o, B + 21, B + 22, GR_MMU_PATH_L1);
    /* next page: the walk cache holds the level-2 table descriptor, so the
     * walk is one read at level 3: tw = 22 + 4 = 26, data 30, valid 31 */
    o = go(f, PG(1), GR_ACC_WRITE, 1, B + 22, false);
    expect(o, B + 22, B + 31, GR_MMU_PATH_WALK);
    assert_int_equal(o.nreads, 1);
    assert_int_equal(o.walk_level, 3);
    assert_int_equal(o.pa, PA(1));
    /* a fetch of page 0: L1 I misses, the L2 has it: 31 + 1 + 2 */
    o = go(f, PG(0), GR_ACC_EXEC, 1, B + 31, false);
    expect(o, B + 31, B + 34, GR_MMU_PATH_L2);
    /* back-to-back hits: one accepted per cycle */
    o = go(f, PG(0), GR_ACC_READ, 1, B + 34, false);
    expect(o, B + 34, B + 35, GR_MMU_PATH_L1);
    o = go(f, PG(1), GR_ACC_READ, 1, B + 34, false);
    expect(o, B + 35, B + 36, GR_MMU_PATH_L1);
    /* VA bit 48 set with VA[55] = 0: out of range, level-0 translation
     * fault found beside the L1 lookup */
    o = go(f, 0x0001000000000000ull, GR_ACC_READ, 1, B + 40, false);
    expect(o, B + 40, B + 41, GR_MMU_PATH_EARLY);
    assert_int_equal(o.fault.type, GR_FAULT_TRANSLATION);
    assert_int_equal(o.fault.level, 0);
    /* PAC stage: lookup 3 cycles later, the port blocked meanwhile */
    o = go(f, PG(0), GR_ACC_READ, 1, B + 50, true);
    expect(o, B + 50, B + 54, GR_MMU_PATH_L1);
    o = go(f, PG(0), GR_ACC_READ, 1, B + 50, false);
    expect(o, B + 54, B + 55, GR_MMU_PATH_L1);
    /* a translation fault at level 3 after a walk-cache hit: one read */
    o = go(f, PG(9), GR_ACC_READ, 1, B + 60, false);
    expect(o, B + 60, B + 69, GR_MMU_PATH_WALK);
    assert_int_equal(o.fault.type, GR_FAULT_TRANSLATION);
    assert_int_equal(o.fault.level, 3);
    /* not cached: the same access walks again */
    o = go(f, PG(9), GR_ACC_READ, 1, B + 69, false);
    assert_int_equal(o.path, GR_MMU_PATH_WALK);

    const gr_stats *s = gr_mmu_stats(f->m);
    assert_int_equal(s->walks, 4);
    assert_int_equal(s->reads[0], 1);
    assert_int_equal(s->reads[3], 4);
    assert_int_equal(s->wc.hits[2], 3);
    assert_int_equal(gr_stats_tlb_hits(&s->l1d), 5);
    assert_int_equal(s->faults[GR_FAULT_TRANSLATION][3], 2);
    assert_int_equal(s->faults[GR_FAULT_TRANSLATION][0], 1);
    fx_free(f);
}

/* The batch entry points with back-to-back requests (GR_MMU_T_NEXT: each
 * presented the cycle after the previous acceptance), timelines from
 * docs/uarch.md as in test_mmu_paths_and_cycles ("R after a miss is V"):
 *   0 PG0 read   t=0  A=1  (registers took cycle 0)  walk, 4 reads  V=22
 *   1 PG0 read   t=2  A=22 L1 hit                                 V=23
 *   2 PG1 write  t=23 A=23 walk, walk-cache hit, 1 read           V=32
 *   3 PG0 fetch  t=24 A=32 L1 I miss, L2 hit                      V=35
 *   4 PG1 read   t=33 A=35 L1 hit                                 V=36
 *   5 PG9 read   t=36 A=36 walk, 1 read, translation fault L3     V=45
 *   6 PG0 read   not translated: the batch stops after the fault
 * Stall cycles (A - t): 1 + 20 + 0 + 8 + 2 + 0 = 31. */
static void batch_reqs(gr_mmu_req q[7])
{
    static const struct {
        int page;
        gr_acc acc;
    } s[7] = {{0, GR_ACC_READ}, {0, GR_ACC_READ},  {1, GR_ACC_WRITE}, {0, GR_ACC_EXEC},
              {1, GR_ACC_READ}, {9, GR_ACC_READ}, {0, GR_ACC_READ}};
    for (int i = 0; i < 7; i++)
        q[i] = (gr_mmu_req){.r = {PG(s[i].page) + (i == 1 ? 8 : 0), s[i].acc, 1},
                            .t = GR_MMU_T_NEXT};
}

static void batch_check_stats(gr_mmu *m)
{
    const gr_stats *s = gr_mmu_stats(m);
    assert_int_equal(s->walks, 3);
    assert_int_equal(gr_stats_tlb_hits(&s->l1d), 2);
    assert_int_equal(gr_stats_tlb_hits(&s->l2), 1);
    assert_int_equal(s->stall_cycles, 31);
    assert_int_equal(s->faults[GR_FAULT_TRANSLATION][3], 1);
    assert_int_equal(gr_stats_total_accesses(s), 6);
}

static void test_mmu_batch_back_to_back(void **state)
{
    (void)state;
    static const uint64_t acc[6] = {1, 22, 23, 32, 35, 36}, val[6] = {22, 23, 32, 35, 36, 45};
    static const int path[6] = {GR_MMU_PATH_WALK, GR_MMU_PATH_L1, GR_MMU_PATH_WALK,
                                GR_MMU_PATH_L2,   GR_MMU_PATH_L1, GR_MMU_PATH_WALK};
    gr_mmu_req q[7];
    batch_reqs(q);

    fx *f = fx_new(CFG, 0);
    for (int i = 0; i < 8; i++)
        map(f, i, RW_EL1);
    gr_mmu_resp o[7];
    assert_int_equal(gr_mmu_translate_n(f->m, q, 7, o), 6);
    for (int i = 0; i < 6; i++) {
        expect(o[i], acc[i], val[i], path[i]);
        assert_int_equal(o[i].fault.type, i == 5 ? GR_FAULT_TRANSLATION : GR_FAULT_NONE);
    }
    assert_int_equal(o[1].pa, PA(0) + 8);
    assert_int_equal(o[4].pa, PA(1));
    assert_int_equal(o[5].fault.level, 3);
    batch_check_stats(f->m);
    /* the request after the fault continues back to back: t = 37 */
    assert_int_equal(gr_mmu_translate_n(f->m, &q[6], 1, o), 1);
    expect(o[0], 45, 46, GR_MMU_PATH_L1);
    fx_free(f);

    /* gr_mmu_run: the same translations and statistics, only the fault
     * stored */
    f = fx_new(CFG, 0);
    for (int i = 0; i < 8; i++)
        map(f, i, RW_EL1);
    gr_mmu_resp fault;
    memset(&fault, 0, sizeof fault);
    assert_int_equal(gr_mmu_run(f->m, q, 5, &fault), 5);
    assert_int_equal(fault.t_accept, 0); /* untouched: nothing faulted */
    assert_int_equal(gr_mmu_run(f->m, &q[5], 2, &fault), 1);
    expect(fault, 36, 45, GR_MMU_PATH_WALK);
    assert_int_equal(fault.fault.type, GR_FAULT_TRANSLATION);
    assert_int_equal(fault.fault.level, 3);
    batch_check_stats(f->m);
    fx_free(f);

    /* gr_mmu_run_plain: the same requests as arrays */
    f = fx_new(CFG, 0);
    for (int i = 0; i < 8; i++)
        map(f, i, RW_EL1);
    uint64_t va[7];
    uint8_t ac[7];
    for (int i = 0; i < 7; i++) {
        va[i] = q[i].r.va;
        ac[i] = (uint8_t)q[i].r.acc;
    }
    memset(&fault, 0, sizeof fault);
    assert_int_equal(gr_mmu_run_plain(f->m, va, ac, 5, 1, &fault), 5);
    assert_int_equal(fault.t_accept, 0);
    assert_int_equal(gr_mmu_run_plain(f->m, &va[5], &ac[5], 2, 1, &fault), 1);
    expect(fault, 36, 45, GR_MMU_PATH_WALK);
    assert_int_equal(fault.fault.type, GR_FAULT_TRANSLATION);
    assert_int_equal(fault.fault.level, 3);
    batch_check_stats(f->m);
    /* the request after the fault: accepted in cycle 45 (the walk holds
     * the port until its response), valid in 46 */
    assert_int_equal(gr_mmu_run_plain(f->m, &va[6], &ac[6], 1, 1, &fault), 1);
    assert_int_equal(gr_stats_tlb_hits(&gr_mmu_stats(f->m)->l1d), 3);
    assert_int_equal(gr_mmu_stats(f->m)->stall_cycles, 31 + 8);
    fx_free(f);
}

/* The way each set of both L1s would give up next: equal in a and b. */
static void assert_same_victims(gr_mmu *a, gr_mmu *b)
{
    for (int w = 0; w < 2; w++) {
        gr_tlb_view va, vb;
        gr_tlb_view_get(gr_mmu_tlb(a, w), &va);
        gr_tlb_view_get(gr_mmu_tlb(b, w), &vb);
        assert_int_equal(va.repl->sets, vb.repl->sets);
        for (uint32_t set = 0; set < va.repl->sets; set++)
            assert_int_equal(gr_repl_next_victim(va.repl, set), gr_repl_next_victim(vb.repl, set));
    }
}

/* gr_mmu_run_plain() against gr_mmu_run() on one pseudo-random stream of
 * hits, misses, permission faults (writes to read-only pages, EL0
 * accesses to EL1-only pages) and unmapped pages, for each replacement
 * policy and for L1s of different policies (gr_mmu_run_plain() has one
 * hit loop for two LRU L1s, with one clock, and one for the rest), with
 * single translations and TLBIs between the batches: the statistics,
 * every fault and each set's next victim must be identical. */
static void test_mmu_run_plain_matches_run(void **state)
{
    (void)state;
    static const char *const repl[][2] = {{"lru", "lru"},   {"plru", "plru"},
                                          {"fifo", "fifo"}, {"random", "random"},
                                          {"plru", "lru"},  {"lru", "fifo"}};
    for (unsigned p = 0; p < sizeof repl / sizeof repl[0]; p++) {
        char cfg[512];
        snprintf(cfg, sizeof cfg,
                 "[mmu]\ncontiguous = on\n[l1i]\nentries = 4\nreplacement = %s\n"
                 "[l1d]\nentries = 8\nways = 4\nreplacement = %s\n"
                 "[l2]\nentries = 16\nways = 4\n",
                 repl[p][0], repl[p][1]);
        fx *fa = fx_new(cfg, 0), *fb = fx_new(cfg, 0);
        for (int i = 0; i < 24; i++) {
            /* pages 0-15 RW at EL1, 16-19 read-only, 20-23 EL0 RW; 24-31
             * unmapped */
            uint64_t at = i < 16 ? RW_EL1 : i < 20 ? (PTB_AF | PTB_AP(PTB_AP_RO_NONE))
                                               : (PTB_AF | PTB_AP(PTB_AP_RW_RW));
            map(fa, i, at);
            map(fb, i, at);
        }
        enum { N = 20000 };
        gr_mmu_req *q = calloc(N, sizeof *q);
        uint64_t *va = calloc(N, sizeof *va);
        uint8_t *ac = calloc(N, 1);
        uint8_t *el = calloc(N, 1);
        uint64_t x = 0x9e3779b97f4a7c15ull + p;
        for (size_t i = 0; i < N; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            /* mostly a hot set of 6 pages, sometimes anywhere */
            unsigned pg = (x & 0xff) < 230 ? (unsigned)(x >> 8) % 6 : (unsigned)(x >> 8) % 32;
            va[i] = PG(pg) + ((x >> 20) & 0xff8);
            ac[i] = (uint8_t)((x >> 32) % 3);
            el[i] = (x >> 40) % 16 == 0 ? 0 : 1;
            q[i] = (gr_mmu_req){.r = {va[i], (gr_acc)ac[i], el[i]}, .t = GR_MMU_T_NEXT};
        }
        size_t faults = 0;
        for (size_t i = 0; i < N;) {
            if (i % 500 == 0 && i) {
                /* between batches: one request through gr_mmu_translate()
                 * (the L1s' own clocks) and, every other time, a TLBI */
                gr_mmu_resp ra, rb;
                gr_mmu_translate(fa->m, &q[i - 1], &ra);
                gr_mmu_translate(fb->m, &q[i - 1], &rb);
                assert_memory_equal(&ra, &rb, sizeof ra);
                if (i % 1000 == 0) {
                    const gr_tlbi op = {GR_TLBI_VAAE1, va[i] & ~0xfffull, 0};
                    assert_int_equal(gr_mmu_tlbi(fa->m, &op, 0), gr_mmu_tlbi(fb->m, &op, 0));
                }
                assert_same_victims(fa->m, fb->m);
            }
            /* one EL per call, as gr_mmu_run_plain() takes it, and batches
             * that end at multiples of 500 */
            const size_t stop = (i / 500 + 1) * 500;
            size_t j = i;
            while (j < N && j < stop && el[j] == el[i])
                j++;
            while (i < j) {
                gr_mmu_resp fa_r, fb_r;
                memset(&fa_r, 0, sizeof fa_r);
                memset(&fb_r, 0, sizeof fb_r);
                size_t ka = gr_mmu_run(fa->m, q + i, j - i, &fa_r);
                size_t kb = gr_mmu_run_plain(fb->m, va + i, ac + i, j - i, el[i], &fb_r);
                assert_int_equal(ka, kb);
                assert_memory_equal(&fa_r, &fb_r, sizeof fa_r);
                faults += fa_r.fault.type != GR_FAULT_NONE;
                i += ka;
            }
        }
        assert_true(faults > 100); /* the stream exercises the fault exit */
        /* end on a streak of hits, so the last-valid cycle comes from one */
        const gr_mmu_req h = {.r = {PG(0), GR_ACC_READ, 1}, .t = GR_MMU_T_NEXT};
        const uint64_t hva = PG(0);
        const uint8_t hac = GR_ACC_READ;
        for (size_t i = 0; i < 8; i++) {
            gr_mmu_resp r;
            assert_int_equal(gr_mmu_run(fa->m, &h, 1, &r), 1);
            assert_int_equal(gr_mmu_run_plain(fb->m, &hva, &hac, 1, 1, &r), 1);
        }
        assert_int_equal(gr_mmu_ready(fa->m), gr_mmu_ready(fb->m));
        const gr_stats *sa = gr_mmu_stats(fa->m), *sb = gr_mmu_stats(fb->m);
        assert_true(sa->walks > 100);
        assert_memory_equal(sa, sb, offsetof(gr_stats, asid));
        assert_memory_equal(&sa->asid[1], &sb->asid[1], sizeof sa->asid[1]);
        assert_same_victims(fa->m, fb->m);
        free(q);
        free(va);
        free(ac);
        free(el);
        fx_free(fa);
        fx_free(fb);
    }
}

static void test_mmu_tlbi_and_walk_cache(void **state)
{
    (void)state;
    fx *f = fx_new(CFG, 0);
    map(f, 0, RW_EL1 | PTB_NG);
    map(f, 1, RW_EL1 | PTB_NG);
    go(f, PG(0), GR_ACC_READ, 1, B + 0, false); /* fills WC levels 0..2 */
    /* TLBI at 21: waits for nothing, completes 2 cycles later */
    gr_tlbi op = {GR_TLBI_VALE1, PG(0), 1};
    assert_int_equal(gr_mmu_tlbi(f->m, &op, B + 21), B + 23);
    /* last-level form: the walk cache survives, one read */
    gr_mmu_resp o = go(f, PG(0), GR_ACC_READ, 1, B + 0, false);
    expect(o, B + 23, B + 23 + 4 + 4 + 1, GR_MMU_PATH_WALK);
    assert_int_equal(o.nreads, 1);
    /* non-last-level form: the walk cache entries covering the VA go */
    op.op = GR_TLBI_VAE1;
    uint64_t t = gr_mmu_tlbi(f->m, &op, 0);
    assert_int_equal(t, B + 32 + 2);
    o = go(f, PG(0), GR_ACC_READ, 1, t, false);
    expect(o, B + 34, B + 34 + 4 + 16 + 1, GR_MMU_PATH_WALK);
    assert_int_equal(o.nreads, 4);
    /* ASIDE1 of another ASID leaves everything */
    op = (gr_tlbi){GR_TLBI_ASIDE1, 0, 7};
    t = gr_mmu_tlbi(f->m, &op, 0);
    o = go(f, PG(0), GR_ACC_READ, 1, t, false);
    assert_int_equal(o.path, GR_MMU_PATH_L1);
    /* ASIDE1 of our ASID removes the nG page and the walk cache */
    op.asid = 1;
    t = gr_mmu_tlbi(f->m, &op, 0);
    o = go(f, PG(0), GR_ACC_READ, 1, t, false);
    assert_int_equal(o.nreads, 4);
    fx_free(f);
}

static void test_mmu_global_survives_aside1(void **state)
{
    (void)state;
    fx *f = fx_new(CFG, 0);
    map(f, 0, RW_EL1 & ~PTB_NG);          /* global */
    map(f, 1, RW_EL1 | PTB_NG);           /* non-global */
    go(f, PG(0), GR_ACC_READ, 1, 0, false);
    go(f, PG(1), GR_ACC_READ, 1, 0, false);
    gr_tlbi op = {GR_TLBI_ASIDE1IS, 0, 1};
    uint64_t t = gr_mmu_tlbi(f->m, &op, 0);
    assert_int_equal(go(f, PG(0), GR_ACC_READ, 1, t, false).path, GR_MMU_PATH_L1);
    assert_int_equal(go(f, PG(1), GR_ACC_READ, 1, t, false).path, GR_MMU_PATH_WALK);
    fx_free(f);
}

static void test_mmu_asid_switch_without_flush(void **state)
{
    (void)state;
    fx *f = fx_new(CFG, 0);
    map(f, 0, RW_EL1 | PTB_NG);
    /* a second table set for ASID 2 maps page 0 elsewhere */
    ptb_tree t2;
    assert_int_equal(ptb_tree_init(&f->b, &t2, 12, 16), 0);
    assert_int_equal(ptb_map(&t2, PG(0), 3, ptb_page(PA(100), RW_EL1 | PTB_NG)), 0);

    assert_int_equal(go(f, PG(0), GR_ACC_READ, 1, 0, false).pa, PA(0));
    gr_regs r1 = f->r;
    fx_regs(f, t2.root, 2, 0);
    uint64_t t = gr_mmu_set_regs(f->m, &f->r, 0) + 1;
    gr_mmu_resp o = go(f, PG(0), GR_ACC_READ, 1, 0, false);
    assert_int_equal(o.t_accept, t);
    assert_int_equal(o.path, GR_MMU_PATH_WALK);
    assert_int_equal(o.pa, PA(100));
    /* back to ASID 1: its entry is still there */
    gr_mmu_set_regs(f->m, &r1, 0);
    o = go(f, PG(0), GR_ACC_READ, 1, 0, false);
    assert_int_equal(o.path, GR_MMU_PATH_L1);
    assert_int_equal(o.pa, PA(0));
    /* change the mapping without a TLBI: the stale entry keeps translating */
    assert_int_equal(ptb_map(&f->t, PG(0), 3, ptb_page(PA(200), RW_EL1 | PTB_NG)), 0);
    assert_int_equal(go(f, PG(0), GR_ACC_READ, 1, 0, false).pa, PA(0));
    gr_tlbi op = {GR_TLBI_VAE1, PG(0), 1};
    gr_mmu_tlbi(f->m, &op, 0);
    assert_int_equal(go(f, PG(0), GR_ACC_READ, 1, 0, false).pa, PA(200));
    /* ASID 2's entry was not touched by the ASID-1 TLBI */
    gr_mmu_set_regs(f->m, &f->r, 0);
    fx_regs(f, t2.root, 2, 0);
    gr_mmu_set_regs(f->m, &f->r, 0);
    o = go(f, PG(0), GR_ACC_READ, 1, 0, false);
    assert_int_equal(o.path, GR_MMU_PATH_L1);
    assert_int_equal(o.pa, PA(100));
    fx_free(f);
}

static void test_mmu_af_and_dirty_updates(void **state)
{
    (void)state;
    fx *f = fx_new(CFG, PTB_TCR_HA | PTB_TCR_HD);
    map(f, 0, PTB_AP(PTB_AP_RW_NONE));                 /* AF = 0 */
    map(f, 1, PTB_AF | PTB_DBM | PTB_AP(PTB_AP_RO_NONE)); /* writable-clean */
    /* AF set by hardware: 4 reads then a 3-cycle write: 4 + 16 + 3 + 1 */
    gr_mmu_resp o = go(f, PG(0), GR_ACC_READ, 1, B + 0, false);
    expect(o, B + 0, B + 24, GR_MMU_PATH_WALK);
    assert_true(o.desc_written);
    assert_true(ptb_read(&f->b, ptb_desc_pa(&f->t, PG(0), 3)) & PTB_AF);
    /* read of the clean page: cached, nothing written (WC hit, 1 read) */
    o = go(f, PG(1), GR_ACC_READ, 1, B + 24, false);
    expect(o, B + 24, B + 24 + 4 + 4 + 1, GR_MMU_PATH_WALK);
    assert_false(o.desc_written);
    o = go(f, PG(1), GR_ACC_READ, 1, B + 33, false);
    expect(o, B + 33, B + 34, GR_MMU_PATH_L1);
    /* a write hits the writable-clean entry: it goes to the walker, which
     * marks the descriptor dirty (AP[2] cleared): 1 read + 1 write */
    o = go(f, PG(1), GR_ACC_WRITE, 1, B + 34, false);
    expect(o, B + 34, B + 34 + 4 + 4 + 3 + 1, GR_MMU_PATH_WALK);
    assert_true(o.desc_written);
    assert_int_equal(o.fault.type, GR_FAULT_NONE);
    assert_false(ptb_read(&f->b, ptb_desc_pa(&f->t, PG(1), 3)) & PTB_AP2);
    /* now dirty: the next write hits */
    o = go(f, PG(1), GR_ACC_WRITE, 1, B + 46, false);
    expect(o, B + 46, B + 47, GR_MMU_PATH_L1);
    const gr_stats *s = gr_mmu_stats(f->m);
    assert_int_equal(s->af_updates, 1);
    assert_int_equal(s->dirty_updates, 1);
    assert_int_equal(s->l1d.dirty_misses, 1);
    fx_free(f);
}

static void test_mmu_af_zero_not_cached_without_ha(void **state)
{
    (void)state;
    fx *f = fx_new(CFG, 0);
    map(f, 0, PTB_AP(PTB_AP_RW_NONE)); /* AF = 0, HA = 0: access flag fault */
    gr_mmu_resp o = go(f, PG(0), GR_ACC_READ, 1, 0, false);
    assert_int_equal(o.fault.type, GR_FAULT_ACCESS_FLAG);
    o = go(f, PG(0), GR_ACC_READ, 1, 0, false);
    assert_int_equal(o.path, GR_MMU_PATH_WALK);
    assert_int_equal(o.fault.type, GR_FAULT_ACCESS_FLAG);
    fx_free(f);
}

static void test_mmu_permission_fault_from_tlb(void **state)
{
    (void)state;
    fx *f = fx_new(CFG, 0);
    map(f, 0, PTB_AF | PTB_AP(PTB_AP_RO_NONE));
    go(f, PG(0), GR_ACC_READ, 1, B + 0, false);
    gr_mmu_resp o = go(f, PG(0), GR_ACC_WRITE, 1, B + 21, false);
    expect(o, B + 21, B + 22, GR_MMU_PATH_L1);
    assert_int_equal(o.fault.type, GR_FAULT_PERMISSION);
    assert_int_equal(o.fault.level, 3);
    assert_true(o.fault.write);
    /* EL0 has no access at all */
    o = go(f, PG(0), GR_ACC_READ, 0, B + 22, false);
    assert_int_equal(o.fault.type, GR_FAULT_PERMISSION);
    assert_int_equal(o.path, GR_MMU_PATH_L1);
    fx_free(f);
}

static void test_mmu_contiguous_coalescing(void **state)
{
    (void)state;
    for (int on = 0; on < 2; on++) {
        char cfg[1024];
        snprintf(cfg, sizeof cfg, "%s", CFG);
        if (!on)
            memcpy(strstr(cfg, "contiguous = on"), "contiguous = no", 15);
        fx *f = fx_new(cfg, 0);
        for (int i = 16; i < 32; i++) /* a 64K-aligned group of 16 */
            map(f, i, RW_EL1 | PTB_CONT);
        gr_mmu_resp o = go(f, PG(16), GR_ACC_READ, 1, 0, false);
        assert_int_equal(o.path, GR_MMU_PATH_WALK);
        o = go(f, PG(21) + 0x10, GR_ACC_READ, 1, 0, false);
        assert_int_equal(o.path, on ? GR_MMU_PATH_L1 : GR_MMU_PATH_WALK);
        assert_int_equal(o.pa, PA(21) + 0x10);
        assert_int_equal(o.page_shift, on ? 16 : 12);
        /* TLBI by VA of any page in the range removes the whole entry */
        if (on) {
            gr_tlbi op = {GR_TLBI_VALE1, PG(30), 1};
            gr_mmu_tlbi(f->m, &op, 0);
            assert_int_equal(go(f, PG(17), GR_ACC_READ, 1, 0, false).path, GR_MMU_PATH_WALK);
        }
        fx_free(f);
    }
}

static void test_mmu_stats_outputs(void **state)
{
    (void)state;
    fx *f = fx_new(CFG, 0);
    map(f, 0, RW_EL1);
    for (int i = 0; i < 5; i++)
        go(f, PG(0), GR_ACC_READ, 1, 0, false);
    go(f, PG(0), GR_ACC_EXEC, 1, 0, false);
    gr_stats *s = gr_mmu_stats(f->m);
    s->instructions = 1000;
    char *buf = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&buf, &len);
    assert_int_equal(gr_stats_write_csv(s, mf), 0);
    fclose(mf);
    assert_non_null(strstr(buf, "\ntlb.l1d.hits,4\n"));
    assert_non_null(strstr(buf, "\ntlb.l1d.misses,1\n"));
    assert_non_null(strstr(buf, "\ntlb.l1i.misses,1\n"));
    assert_non_null(strstr(buf, "\ntlb.l1d.by_access.read.hits.4K,4\n"));
    assert_non_null(strstr(buf, "\ntlb.l2.hits,1\n"));
    assert_non_null(strstr(buf, "\naccesses.total,6\n"));
    assert_non_null(strstr(buf, "\nlatency.hist.1,4\n"));
    assert_non_null(strstr(buf, "\nasids.1.accesses,6\n"));
    assert_non_null(strstr(buf, "\ntlb.l1d.mpki,1.000000\n"));
    free(buf);
    buf = NULL;
    mf = open_memstream(&buf, &len);
    assert_int_equal(gr_stats_write_json(s, mf), 0);
    fclose(mf);
    assert_non_null(strstr(buf, "\"walks\": 1"));
    free(buf);
    fx_free(f);
}

/* ---- authenticating requests (docs/uarch.md "PAC stage") ---- */

/* The published QARMA-64 key (Avanzi, ToSC 2017) as APIAKey, EnIA set;
 * apa is the ID_AA64ISAR1_EL1.APA level (1 FEAT_PAuth, 5 FPACCOMBINE). */
#define PAC_MOD 0x477d469dec0b8762ull
static uint64_t fx_pac_regs(fx *f, unsigned apa)
{
    f->r.sctlr |= 1ull << 31; /* SCTLR_EL1.EnIA */
    f->r.apiakeyhi = 0x84be85ce9804e94bull;
    f->r.apiakeylo = 0xec2802d4e0a488e9ull;
    f->r.id_aa64isar1 = (f->r.id_aa64isar1 & ~0xF0ull) | ((uint64_t)apa << 4);
    return gr_mmu_set_regs(f->m, &f->r, 0) + 1;
}

/* PACIA by the PAC unit's signing function (not the authentication path
 * under test): the pointer with its PAC in bits [63:56] and [54:48]
 * (TBI0 = 0, T0SZ = 16: bottom PAC bit 48, bit 55 kept). */
static uint64_t sign_ia(const gr_regs *r, uint64_t va)
{
    gr_pac *p = gr_pac_create(r, NULL);
    assert_non_null(p);
    gr_pac_req pr = {va, PAC_MOD, GR_PAC_KEY_IA, 1, false};
    gr_pac_res res;
    assert_int_equal(gr_pac_sign(p, &pr, &res), GR_PAC_OK);
    gr_pac_destroy(p);
    assert_int_equal(res.value & 0x0000FFFFFFFFFFFFull, va);
    assert_int_equal((res.value >> 55) & 1, 0);
    assert_true((res.value >> 48) != 0); /* a PAC was inserted */
    return res.value;
}

static gr_mmu_resp go_auth(fx *f, uint64_t ptr, uint64_t mod, uint64_t t)
{
    gr_mmu_req q = {.r = {ptr, GR_ACC_READ, 1}, .t = t, .pac = true,
                    .key = GR_PAC_KEY_IA, .modifier = mod};
    gr_mmu_resp o;
    gr_mmu_translate(f->m, &q, &o);
    return o;
}

static void test_mmu_pac_auth_fpaccombine(void **state)
{
    (void)state;
    fx *f = fx_new(CFG, 0);
    map(f, 0, RW_EL1);
    uint64_t b = fx_pac_regs(f, 5);
    uint64_t sp = sign_ia(&f->r, PG(0) + 0x40);
    /* warm the L1 D with the plain pointer */
    gr_mmu_resp o = go(f, PG(0), GR_ACC_READ, 1, b, false);
    assert_int_equal(o.path, GR_MMU_PATH_WALK);
    uint64_t t = o.t_valid;
    /* authenticates: PAC stage [t, t+3), L1 [t+3, t+4), valid t+4 */
    o = go_auth(f, sp, PAC_MOD, t);
    expect(o, t, t + 4, GR_MMU_PATH_L1);
    assert_int_equal(o.fault.type, GR_FAULT_NONE);
    assert_int_equal(o.pa, PA(0) + 0x40);
    const gr_stats *s = gr_mmu_stats(f->m);
    uint64_t l1hits = gr_stats_tlb_hits(&s->l1d);
    /* one PAC bit flipped: FPACCOMBINE raises the PAC-fail exception when
     * the result is known (t+4+3) and it is answered from the lookup stage
     * one cycle later, with no lookup; the port is free again at t+8 */
    o = go_auth(f, sp ^ (1ull << 50), PAC_MOD, t + 4);
    expect(o, t + 4, t + 8, GR_MMU_PATH_EARLY);
    assert_int_equal(o.fault.type, GR_FAULT_PAC_FAIL);
    assert_int_equal(o.pa, 0);
    /* the wrong modifier fails the same way */
    o = go_auth(f, sp, PAC_MOD ^ 1, t + 5);
    expect(o, t + 8, t + 12, GR_MMU_PATH_EARLY);
    assert_int_equal(o.fault.type, GR_FAULT_PAC_FAIL);
    s = gr_mmu_stats(f->m);
    assert_int_equal(gr_stats_tlb_hits(&s->l1d), l1hits); /* no lookup */
    assert_int_equal(s->faults[GR_FAULT_PAC_FAIL][0], 2);
    assert_int_equal(s->pac_requests, 3);
    /* the next plain access is accepted in the cycle after the fault's
     * PAC stage (t+8+3+1 = t+12) */
    o = go(f, PG(0), GR_ACC_READ, 1, t + 9, false);
    expect(o, t + 12, t + 13, GR_MMU_PATH_L1);
    fx_free(f);
}

static void test_mmu_pac_auth_without_fpac(void **state)
{
    (void)state;
    fx *f = fx_new(CFG, 0);
    map(f, 0, RW_EL1);
    uint64_t b = fx_pac_regs(f, 1);
    uint64_t sp = sign_ia(&f->r, PG(0) + 0x80);
    /* cold: the authenticated pointer walks (PAC 3 + L1 1 + L2 2 + walk
     * cache 1, then four reads of 4: 7 + 16 + 1) */
    gr_mmu_resp o = go_auth(f, sp, PAC_MOD, b);
    expect(o, b, b + 24, GR_MMU_PATH_WALK);
    assert_int_equal(o.fault.type, GR_FAULT_NONE);
    assert_int_equal(o.pa, PA(0) + 0x80);
    uint64_t t = o.t_valid;
    /* FEAT_PAuth without FPAC: the failed Auth puts an error code in the
     * pointer, which then fails the VA range check: a level-0 translation
     * fault at the lookup stage, t + 3 + 1 */
    o = go_auth(f, sp ^ (1ull << 50), PAC_MOD, t);
    expect(o, t, t + 4, GR_MMU_PATH_EARLY);
    assert_int_equal(o.fault.type, GR_FAULT_TRANSLATION);
    assert_int_equal(o.fault.level, 0);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mmu_paths_and_cycles),
        cmocka_unit_test(test_mmu_batch_back_to_back),
        cmocka_unit_test(test_mmu_run_plain_matches_run),
        cmocka_unit_test(test_mmu_tlbi_and_walk_cache),
        cmocka_unit_test(test_mmu_global_survives_aside1),
        cmocka_unit_test(test_mmu_asid_switch_without_flush),
        cmocka_unit_test(test_mmu_af_and_dirty_updates),
        cmocka_unit_test(test_mmu_af_zero_not_cached_without_ha),
        cmocka_unit_test(test_mmu_permission_fault_from_tlb),
        cmocka_unit_test(test_mmu_contiguous_coalescing),
        cmocka_unit_test(test_mmu_stats_outputs),
        cmocka_unit_test(test_mmu_pac_auth_fpaccombine),
        cmocka_unit_test(test_mmu_pac_auth_without_fpac),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
