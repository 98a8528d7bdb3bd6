/*
 * Tests for translation-table management (gr_vmpmap_): tables built by the
 * pmap are walked by the architectural walker (gr_s1_translate), and
 * descriptor values are checked against the VMSAv8-64 bit layout
 * (Arm ARM D8.3: AttrIndx[4:2], AP[7:6], SH[9:8], AF 10, nG 11, PXN 53,
 * UXN 54). TLBIs are recorded by a stub and checked one by one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "granule/ptw.h"
#include "granule/vmpmap.h"

#define BASE 0x800000000ull

typedef struct tlbi_log {
    int n;
    gr_tlbi_op op[16];
    uint64_t va[16];
    uint16_t asid[16];
} tlbi_log;

static void rec(void *ctx, gr_tlbi_op op, uint64_t va, uint16_t asid)
{
    tlbi_log *l = ctx;
    if (l->n < 16) {
        l->op[l->n] = op;
        l->va[l->n] = va;
        l->asid[l->n] = asid;
    }
    l->n++;
}

typedef struct fx {
    gr_pmem *mem;
    gr_vmpage *pages;
    gr_vmpmap *p;
    tlbi_log log;
    gr_s1ctx s1;
} fx;

static void setup(fx *f, unsigned gbits, uint64_t ram)
{
    memset(f, 0, sizeof *f);
    f->mem = gr_pmem_create();
    assert_int_equal(gr_pmem_add_region(f->mem, BASE, ram, "dram"), 0);
    f->pages = gr_vmpage_create(f->mem, BASE, ram);
    gr_vmpmap_cfg c = {gbits, 17, false, 0x42};
    f->p = gr_vmpmap_create(f->mem, f->pages, &c, rec, &f->log);
    assert_non_null(f->p);
    gr_regs r;
    gr_regs_reset(&r);
    /* T0SZ=17, TG0 (0 = 4K, 2 = 16K), EPD1, IPS=48 bits, AS (16-bit ASID). */
    r.tcr = 17 | (gbits == 14 ? 2ull << 14 : 0) | (1ull << 23) | (5ull << 32) |
            (1ull << 36);
    r.ttbr0 = gr_vmpmap_root(f->p) | (0x42ull << 48);
    r.mair = GR_VMPMAP_MAIR;
    r.sctlr |= 1;
    gr_s1_decode(&r, &f->s1);
}

static void teardown(fx *f)
{
    gr_vmpmap_destroy(f->p);
    gr_vmpage_destroy(f->pages);
    gr_pmem_destroy(f->mem);
}

static gr_xlat xl(fx *f, uint64_t va, gr_acc acc)
{
    gr_req q = {va, acc, 0};
    gr_xlat x;
    gr_s1_translate(&f->s1, f->mem, &q, &x);
    return x;
}

static void test_vmpmap_start_levels(void **state)
{
    (void)state;
    fx f;
    /* 4 - ceil((47 - 12) / 9) = 0 ; 4 - ceil((47 - 14) / 11) = 1 */
    setup(&f, 12, 1 << 20);
    assert_int_equal(gr_vmpmap_start_level(f.p), 0);
    teardown(&f);
    setup(&f, 14, 1 << 20);
    assert_int_equal(gr_vmpmap_start_level(f.p), 1);
    teardown(&f);
}

static void test_vmpmap_enter_descriptor_and_walk(void **state)
{
    (void)state;
    fx f;
    setup(&f, 12, 1 << 20);
    uint64_t va = 0x100004000ull, pa = 0x800010000ull;
    assert_int_equal(gr_vmpmap_enter(f.p, va, pa, GR_PROT_READ | GR_PROT_WRITE,
                                     GR_VMPMAP_ATTR_NORMAL, GR_VMPMAP_AF), 0);
    gr_vmpmap_leaf l;
    assert_true(gr_vmpmap_lookup(f.p, va + 0x123, &l));
    /* OA | page | AttrIndx=1 | AP=01 | SH=11 | AF | nG | PXN | UXN */
    assert_int_equal(l.desc, 0x0060000800010f47ull);
    gr_xlat x = xl(&f, va + 0x123, GR_ACC_WRITE);
    assert_int_equal(x.fault.type, GR_FAULT_NONE);
    assert_int_equal(x.pa, pa + 0x123);
    assert_true(x.tte.ng);
    x = xl(&f, va, GR_ACC_EXEC);
    assert_int_equal(x.fault.type, GR_FAULT_PERMISSION);
    /* Neighbouring page: never mapped. */
    x = xl(&f, va + 0x1000, GR_ACC_READ);
    assert_int_equal(x.fault.type, GR_FAULT_TRANSLATION);
    assert_int_equal(x.fault.level, 3);
    assert_int_equal(f.log.n, 0); /* filling an invalid entry needs no TLBI */
    assert_int_equal(gr_vmpmap_resident(f.p), 1);
    teardown(&f);
}

static void test_vmpmap_remove_issues_vale1(void **state)
{
    (void)state;
    fx f;
    setup(&f, 14, 1 << 20);
    uint64_t va = 0x7ff000000000ull;
    for (int i = 0; i < 3; i++)
        assert_int_equal(gr_vmpmap_enter(f.p, va + i * 0x4000ull, BASE + 0x40000 + i * 0x4000ull,
                                         GR_PROT_READ, GR_VMPMAP_ATTR_NORMAL, GR_VMPMAP_AF), 0);
    assert_int_equal(gr_vmpmap_remove(f.p, va + 0x4000, va + 0x10000), 2);
    assert_int_equal(f.log.n, 2);
    assert_int_equal(f.log.op[0], GR_TLBI_VALE1);
    assert_int_equal(f.log.va[0], va + 0x4000);
    assert_int_equal(f.log.asid[0], 0x42);
    assert_int_equal(f.log.va[1], va + 0x8000);
    assert_int_equal(xl(&f, va + 0x4000, GR_ACC_READ).fault.type, GR_FAULT_TRANSLATION);
    assert_int_equal(xl(&f, va, GR_ACC_READ).pa, BASE + 0x40000);
    assert_int_equal(gr_vmpmap_count(f.p, 0, 1ull << 47), 1);
    teardown(&f);
}

/* Reverse maps follow the leaves: enter records (pmap, va) on the frame,
 * replacing a page moves it, remove_page forgets it with one VALE1. */
static void test_vmpmap_reverse_maps_and_remove_page(void **state)
{
    (void)state;
    fx f;
    setup(&f, 12, 1 << 20);
    uint64_t va = 0x300000000ull, fa = BASE + 0x80000, fb = BASE + 0x81000;
    assert_int_equal(gr_vmpmap_enter(f.p, va, fa, GR_PROT_READ, GR_VMPMAP_ATTR_NORMAL, GR_VMPMAP_AF), 0);
    assert_int_equal(gr_vmpmap_enter(f.p, va + 0x1000, fa, GR_PROT_READ, GR_VMPMAP_ATTR_NORMAL,
                                     GR_VMPMAP_AF), 0);
    assert_int_equal(gr_vmpage_pv_count(f.pages, fa), 2);
    /* A new output address at va: break-before-make, the map moves to fb. */
    assert_int_equal(gr_vmpmap_enter(f.p, va, fb, GR_PROT_READ, GR_VMPMAP_ATTR_NORMAL, GR_VMPMAP_AF), 0);
    assert_int_equal(gr_vmpage_pv_count(f.pages, fa), 1);
    assert_int_equal(gr_vmpage_pv_count(f.pages, fb), 1);
    f.log.n = 0;
    assert_true(gr_vmpmap_remove_page(f.p, va + 0x1000));
    assert_false(gr_vmpmap_remove_page(f.p, va + 0x1000)); /* already gone */
    assert_int_equal(f.log.n, 1);
    assert_int_equal(f.log.op[0], GR_TLBI_VALE1);
    assert_int_equal(f.log.va[0], va + 0x1000);
    assert_int_equal(gr_vmpage_pv_count(f.pages, fa), 0);
    assert_int_equal(xl(&f, va + 0x1000, GR_ACC_READ).fault.type, GR_FAULT_TRANSLATION);
    assert_int_equal(xl(&f, va, GR_ACC_READ).pa, fb);
    teardown(&f);
}

static void test_vmpmap_protect_and_replace(void **state)
{
    (void)state;
    fx f;
    setup(&f, 12, 1 << 20);
    uint64_t va = 0x200000000ull;
    gr_vmpmap_enter(f.p, va, BASE + 0x80000, GR_PROT_READ | GR_PROT_WRITE,
                    GR_VMPMAP_ATTR_NORMAL, GR_VMPMAP_AF);
    assert_int_equal(gr_vmpmap_protect(f.p, va, va + 0x1000, GR_PROT_READ), 1);
    assert_int_equal(f.log.n, 1);
    assert_int_equal(xl(&f, va, GR_ACC_WRITE).fault.type, GR_FAULT_PERMISSION);
    assert_int_equal(xl(&f, va, GR_ACC_READ).fault.type, GR_FAULT_NONE);
    /* Same protection again: nothing changes, no TLBI. */
    assert_int_equal(gr_vmpmap_protect(f.p, va, va + 0x1000, GR_PROT_READ), 0);
    assert_int_equal(f.log.n, 1);
    /* New output address: break-before-make, one TLBI for the page. */
    assert_int_equal(gr_vmpmap_enter(f.p, va, BASE + 0x81000, GR_PROT_READ | GR_PROT_WRITE,
                                     GR_VMPMAP_ATTR_NORMAL, GR_VMPMAP_AF), 0);
    assert_int_equal(f.log.n, 2);
    assert_int_equal(f.log.op[1], GR_TLBI_VALE1);
    assert_int_equal(xl(&f, va + 8, GR_ACC_WRITE).pa, BASE + 0x81008);
    assert_int_equal(gr_vmpmap_resident(f.p), 1);
    teardown(&f);
}

static void test_vmpmap_access_flag(void **state)
{
    (void)state;
    fx f;
    setup(&f, 12, 1 << 20);
    uint64_t va = 0x300000000ull;
    gr_vmpmap_enter(f.p, va, BASE + 0x90000, GR_PROT_READ, GR_VMPMAP_ATTR_NORMAL, 0);
    gr_xlat x = xl(&f, va, GR_ACC_READ);
    assert_int_equal(x.fault.type, GR_FAULT_ACCESS_FLAG);
    assert_true(gr_vmpmap_set_af(f.p, va));
    assert_int_equal(f.log.n, 0);
    assert_int_equal(xl(&f, va, GR_ACC_READ).fault.type, GR_FAULT_NONE);
    assert_true(gr_vmpmap_clear_af(f.p, va));
    assert_int_equal(f.log.n, 1); /* the AF=1 entry may be cached */
    assert_false(gr_vmpmap_set_af(f.p, va + 0x1000));
    teardown(&f);
}

static void test_vmpmap_out_of_tables(void **state)
{
    (void)state;
    fx f;
    /* 16 KiB of RAM: the root table takes one 4K frame, three remain, and a
     * 4-level walk needs three more tables; a second distant page needs
     * new ones that cannot be allocated. */
    setup(&f, 12, 16 * 1024);
    assert_int_equal(gr_vmpmap_enter(f.p, 0x1000, BASE, GR_PROT_READ, 1, GR_VMPMAP_AF), 0);
    assert_int_equal(gr_vmpmap_enter(f.p, 0x7f0000000000ull, BASE, GR_PROT_READ, 1,
                                     GR_VMPMAP_AF), -2);
    assert_int_equal(gr_vmpmap_enter(f.p, 0x1001, BASE, GR_PROT_READ, 1, 0), -1);
    assert_int_equal(gr_vmpmap_enter(f.p, 1ull << 47, BASE, GR_PROT_READ, 1, 0), -1);
    assert_int_equal(gr_vmpmap_enter(f.p, 0x2000, BASE, GR_PROT_NONE, 1, 0), -1);
    teardown(&f);
}

static void test_vmpmap_destroy_flushes_asid(void **state)
{
    (void)state;
    fx f;
    setup(&f, 14, 1 << 20);
    gr_vmpmap_enter(f.p, 0x4000, BASE + 0x10000, GR_PROT_READ, 1, GR_VMPMAP_AF);
    uint64_t before = gr_vmpage_count(f.pages, GR_VMPAGE_Q_FREE);
    gr_vmpmap_destroy(f.p);
    f.p = NULL;
    assert_int_equal(f.log.n, 1);
    assert_int_equal(f.log.op[0], GR_TLBI_ASIDE1);
    assert_int_equal(f.log.asid[0], 0x42);
    assert_int_equal(gr_vmpage_count(f.pages, GR_VMPAGE_Q_FREE), before + 3 * 0x4000);
    assert_int_equal(gr_vmpage_count(f.pages, GR_VMPAGE_Q_PTP), 0);
    teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vmpmap_start_levels),
        cmocka_unit_test(test_vmpmap_enter_descriptor_and_walk),
        cmocka_unit_test(test_vmpmap_remove_issues_vale1),
        cmocka_unit_test(test_vmpmap_protect_and_replace),
        cmocka_unit_test(test_vmpmap_reverse_maps_and_remove_page),
        cmocka_unit_test(test_vmpmap_access_flag),
        cmocka_unit_test(test_vmpmap_out_of_tables),
        cmocka_unit_test(test_vmpmap_destroy_flushes_asid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
