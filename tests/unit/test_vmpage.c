/* Tests for the VM layer's physical page allocator (gr_vmpage_). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "granule/vmpage.h"

#define BASE 0x800000000ull

static gr_pmem *mk_mem(uint64_t size)
{
    gr_pmem *m = gr_pmem_create();
    assert_int_equal(gr_pmem_add_region(m, BASE, size, "dram"), GR_PMEM_OK);
    return m;
}

static void test_vmpage_alloc_until_exhausted(void **state)
{
    (void)state;
    gr_pmem *m = mk_mem(64 * 1024);
    gr_vmpage *a = gr_vmpage_create(m, BASE, 64 * 1024);
    assert_non_null(a);
    uint64_t pa[4];
    for (int i = 0; i < 4; i++) {
        assert_int_equal(gr_vmpage_alloc(a, 14, GR_VMPAGE_Q_ACTIVE, true, &pa[i]), 0);
        assert_int_equal(pa[i] & 0x3fff, 0); /* naturally aligned 16K */
    }
    uint64_t x;
    assert_int_equal(gr_vmpage_alloc(a, 12, GR_VMPAGE_Q_ACTIVE, true, &x), -1);
    assert_int_equal(gr_vmpage_count(a, GR_VMPAGE_Q_FREE), 0);
    assert_int_equal(gr_vmpage_count(a, GR_VMPAGE_Q_ACTIVE), 64 * 1024);
    gr_vmpage_free(a, pa[2]);
    /* Four 4K frames fit in the freed 16K block, a fifth does not. */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(gr_vmpage_alloc(a, 12, GR_VMPAGE_Q_ACTIVE, true, &x), 0);
        assert_true(x >= pa[2] && x < pa[2] + 0x4000);
    }
    assert_int_equal(gr_vmpage_alloc(a, 12, GR_VMPAGE_Q_ACTIVE, true, &x), -1);
    gr_vmpage_destroy(a);
    gr_pmem_destroy(m);
}

static void test_vmpage_buddies_merge(void **state)
{
    (void)state;
    gr_pmem *m = mk_mem(16 * 1024);
    gr_vmpage *a = gr_vmpage_create(m, BASE, 16 * 1024);
    uint64_t p[4], big;
    for (int i = 0; i < 4; i++)
        assert_int_equal(gr_vmpage_alloc(a, 12, GR_VMPAGE_Q_ACTIVE, false, &p[i]), 0);
    assert_int_equal(gr_vmpage_alloc(a, 14, GR_VMPAGE_Q_ACTIVE, false, &big), -1);
    gr_vmpage_free(a, p[1]);
    gr_vmpage_free(a, p[3]);
    gr_vmpage_free(a, p[0]);
    assert_int_equal(gr_vmpage_alloc(a, 14, GR_VMPAGE_Q_ACTIVE, false, &big), -1);
    gr_vmpage_free(a, p[2]);
    gr_vmpage_free(a, p[2]); /* double free ignored */
    assert_int_equal(gr_vmpage_alloc(a, 14, GR_VMPAGE_Q_ACTIVE, false, &big), 0);
    assert_int_equal(big, BASE);
    gr_vmpage_destroy(a);
    gr_pmem_destroy(m);
}

static void test_vmpage_reused_frame_is_zeroed(void **state)
{
    (void)state;
    gr_pmem *m = mk_mem(16 * 1024);
    gr_vmpage *a = gr_vmpage_create(m, BASE, 16 * 1024);
    uint64_t p, q;
    assert_int_equal(gr_vmpage_alloc(a, 14, GR_VMPAGE_Q_ACTIVE, true, &p), 0);
    uint8_t junk[64];
    memset(junk, 0xa5, sizeof junk);
    assert_int_equal(gr_pmem_load(m, p + 0x3000, junk, sizeof junk), 0);
    gr_vmpage_free(a, p);
    assert_int_equal(gr_vmpage_alloc(a, 12, GR_VMPAGE_Q_ACTIVE, true, &q), 0);
    assert_int_equal(gr_vmpage_alloc(a, 12, GR_VMPAGE_Q_ACTIVE, true, &q), 0);
    assert_int_equal(gr_vmpage_alloc(a, 12, GR_VMPAGE_Q_ACTIVE, true, &q), 0);
    assert_int_equal(gr_vmpage_alloc(a, 12, GR_VMPAGE_Q_ACTIVE, true, &q), 0);
    uint8_t back[64];
    assert_int_equal(gr_pmem_dump(m, p + 0x3000, back, sizeof back), 0);
    for (size_t i = 0; i < sizeof back; i++)
        assert_int_equal(back[i], 0);
    gr_vmpage_destroy(a);
    gr_pmem_destroy(m);
}

static void test_vmpage_wire_moves_queues(void **state)
{
    (void)state;
    gr_pmem *m = mk_mem(16 * 1024);
    gr_vmpage *a = gr_vmpage_create(m, BASE, 16 * 1024);
    uint64_t p;
    assert_int_equal(gr_vmpage_alloc(a, 12, GR_VMPAGE_Q_ACTIVE, true, &p), 0);
    gr_vmpage_wire(a, p);
    gr_vmpage_wire(a, p);
    assert_int_equal(gr_vmpage_meta(a, p)->wire_count, 2);
    assert_int_equal(gr_vmpage_count(a, GR_VMPAGE_Q_WIRED), 4096);
    gr_vmpage_unwire(a, p);
    assert_int_equal(gr_vmpage_count(a, GR_VMPAGE_Q_WIRED), 4096);
    gr_vmpage_unwire(a, p);
    assert_int_equal(gr_vmpage_count(a, GR_VMPAGE_Q_WIRED), 0);
    assert_int_equal(gr_vmpage_count(a, GR_VMPAGE_Q_ACTIVE), 4096);
    assert_int_equal(gr_vmpage_first(a, GR_VMPAGE_Q_ACTIVE), p);
    assert_int_equal(gr_vmpage_next(a, p), UINT64_MAX);
    assert_null(gr_vmpage_create(m, BASE + 1, 16 * 1024));
    gr_vmpage_destroy(a);
    gr_vmpage_destroy(NULL);
    gr_pmem_destroy(m);
}

/* Page queues are FIFO (first() is the oldest); reverse-map entries are
 * added, visited (the visitor may remove its own entry) and removed. */
typedef struct pv_seen {
    gr_vmpage *a;
    uint64_t pa;
    unsigned n;
    uint64_t vas;
} pv_seen;

static bool pv_drop(void *arg, void *pmap, uint64_t va)
{
    pv_seen *s = arg;
    s->n++;
    s->vas += va;
    gr_vmpage_pv_remove(s->a, s->pa, pmap, va);
    return true;
}

static void test_vmpage_fifo_queues_and_reverse_maps(void **state)
{
    (void)state;
    gr_pmem *m = mk_mem(256 * 1024);
    gr_vmpage *a = gr_vmpage_create(m, BASE, 256 * 1024);
    uint64_t p[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(gr_vmpage_alloc(a, 12, GR_VMPAGE_Q_INACTIVE, false, &p[i]), 0);
    assert_int_equal(gr_vmpage_first(a, GR_VMPAGE_Q_INACTIVE), p[0]);
    assert_int_equal(gr_vmpage_next(a, p[0]), p[1]);
    gr_vmpage_set_queue(a, p[0], GR_VMPAGE_Q_ACTIVE);
    gr_vmpage_set_queue(a, p[0], GR_VMPAGE_Q_INACTIVE); /* back at the tail */
    assert_int_equal(gr_vmpage_first(a, GR_VMPAGE_Q_INACTIVE), p[1]);
    assert_int_equal(gr_vmpage_next(a, p[2]), p[0]);
    assert_int_equal(gr_vmpage_next(a, p[0]), UINT64_MAX);
    int x1, x2;
    assert_int_equal(gr_vmpage_pv_add(a, p[1], &x1, 0x1000), 0);
    assert_int_equal(gr_vmpage_pv_add(a, p[1], &x2, 0x2000), 0);
    assert_int_equal(gr_vmpage_pv_add(a, p[1], &x1, 0x5000), 0);
    assert_int_equal(gr_vmpage_pv_add(a, BASE - 0x1000, &x1, 0), -1); /* not managed */
    assert_int_equal(gr_vmpage_pv_count(a, p[1]), 3);
    gr_vmpage_pv_remove(a, p[1], &x2, 0x2000);
    gr_vmpage_pv_remove(a, p[1], &x2, 0x9000); /* absent: no-op */
    assert_int_equal(gr_vmpage_pv_count(a, p[1]), 2);
    pv_seen s = {a, p[1], 0, 0};
    gr_vmpage_pv_foreach(a, p[1], pv_drop, &s);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.vas, 0x6000);
    assert_int_equal(gr_vmpage_pv_count(a, p[1]), 0);
    gr_vmpage_destroy(a);
    gr_pmem_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vmpage_fifo_queues_and_reverse_maps),
        cmocka_unit_test(test_vmpage_alloc_until_exhausted),
        cmocka_unit_test(test_vmpage_buddies_merge),
        cmocka_unit_test(test_vmpage_reused_frame_is_zeroed),
        cmocka_unit_test(test_vmpage_wire_moves_queues),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
