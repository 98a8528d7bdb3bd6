/*
 * Multi-task scenario through an MMU with TLBs: several tasks, forks,
 * exits, mmap/munmap/mprotect, context switches, reads and writes checked
 * against a byte model; at checkpoints every page of every task is
 * translated by the MMU and compared with what the VM layer's own maps and
 * objects say (gr_vm_lookup_page). A stale TLB entry shows as a
 * translation that differs from the VM's view. The same scenario with the
 * VM's TLBIs suppressed must be caught (negative control).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "granule/vm.h"

#define MAXT 64
#define NPAGES 32
#define STRIDE 0x4000ull

typedef struct model {
    bool live[MAXT + 1];
    uint8_t byte[MAXT + 1][NPAGES];
    bool ro[MAXT + 1][NPAGES];
    uint64_t heap[MAXT + 1];
    uint64_t extra[MAXT + 1]; /* an mmap'ed region, 0 if none */
} model;

static uint64_t rng;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Compare every page the MMU translates with the VM's view.
 * @return the number of mismatching translations. */
static unsigned check_all(gr_vm *vm, const gr_vmbe *be, unsigned *checked)
{
    unsigned bad = 0;
    int pids[MAXT];
    unsigned n = gr_vm_pids(vm, pids, MAXT);
    for (unsigned k = 0; k < n; k++) {
        gr_vmmap *m = gr_vm_map_of(vm, pids[k]);
        gr_vm_switch(vm, pids[k]);
        for (unsigned i = 0; i < gr_vmmap_count(m); i++) {
            gr_vmmap_entry e = *gr_vmmap_at(m, i);
            if (!e.obj || e.end - e.start > (64u << 20))
                continue;
            for (uint64_t va = e.start; va < e.end; va += 0x1000) {
                gr_req q = {va, GR_ACC_READ, 0};
                gr_xlat x;
                be->ops->translate(be->ctx, &q, &x);
                gr_vm_expect ex;
                gr_vm_lookup_page(vm, pids[k], va, &ex);
                if (x.fault.type == GR_FAULT_NONE) {
                    (*checked)++;
                    uint64_t in_page = va & ((1ull << gr_vmobj_page_shift(e.obj)) - 1);
                    if (!ex.resident || !(ex.prot & GR_PROT_READ) || x.pa != ex.pa + in_page)
                        bad++;
                }
            }
        }
        /* Pages unmapped since: anything the MMU still translates in the
         * model's munmapped holes is stale. */
    }
    return bad;
}

/* paging: every 50 steps the pageout daemon is asked for more memory than
 * exists, so it ages and evicts every pageable page it can (compressing
 * anonymous pages under fork/COW chains, mprotect and exit). */
static unsigned run(const gr_vmbe *be, gr_pmem *mem, unsigned drop_mask, unsigned steps,
                    unsigned *checked, unsigned *violations, bool paging)
{
    gr_vm_config c;
    gr_vm_config_default(&c);
    c.seed = 7;
    c.ram_size = 128ull << 20;
    c.comp.max_segments = 4096;
    int err;
    gr_vm *vm = gr_vm_create(&c, mem, be, &err);
    assert_non_null(vm);
    gr_vm_debug_drop_tlbi(vm, drop_mask);
    static model md;
    memset(&md, 0, sizeof md);
    rng = 0x1234567;
    unsigned bad = 0;
    for (int i = 0; i < 3; i++) {
        int pid;
        assert_int_equal(gr_vm_spawn(vm, "task", i == 1 ? 12 : 14, NULL, &pid), GR_VM_OK);
        md.live[pid] = true;
        gr_vm_task_info ti;
        gr_vm_task_info_get(vm, pid, &ti);
        md.heap[pid] = ti.heap_start;
    }
    int pids[MAXT];
    int created = 3;
    for (unsigned s = 0; s < steps; s++) {
        unsigned n = gr_vm_pids(vm, pids, MAXT);
        int pid = pids[rnd() % n];
        unsigned op = rnd() % 100, pg = rnd() % NPAGES;
        uint64_t va = md.heap[pid] + pg * STRIDE + 0x10;
        gr_vm_result r;
        if (op < 40) {
            uint8_t b = (uint8_t)rnd();
            int st = gr_vm_access(vm, pid, va, GR_ACC_WRITE, &b, 1, &r);
            if (md.ro[pid][pg]) {
                if (st != GR_VM_SEGV_ACCERR)
                    bad++;
            } else if (st != GR_VM_OK) {
                bad++;
            } else {
                md.byte[pid][pg] = b;
            }
        } else if (op < 80) {
            uint8_t b = 0xff;
            if (gr_vm_access(vm, pid, va, GR_ACC_READ, &b, 1, &r) != GR_VM_OK ||
                b != md.byte[pid][pg])
                bad++;
        } else if (op < 86 && created < MAXT) {
            int child;
            assert_int_equal(gr_vm_fork(vm, pid, &child), GR_VM_OK);
            md.live[child] = true;
            created = child;
            md.heap[child] = md.heap[pid];
            memcpy(md.byte[child], md.byte[pid], NPAGES);
            memcpy(md.ro[child], md.ro[pid], NPAGES);
            md.extra[child] = md.extra[pid];
        } else if (op < 90 && n > 2) {
            gr_vm_exit(vm, pid);
            md.live[pid] = false;
        } else if (op < 94) {
            bool ro = !md.ro[pid][pg];
            uint64_t p = md.heap[pid] + pg * STRIDE;
            assert_int_equal(gr_vm_mprotect(vm, pid, p, STRIDE,
                                            ro ? GR_PROT_READ : GR_PROT_READ | GR_PROT_WRITE),
                             GR_VM_OK);
            md.ro[pid][pg] = ro;
        } else if (md.extra[pid]) {
            /* Unmap the extra region: the MMU must stop translating it. */
            uint64_t a = md.extra[pid];
            gr_vm_munmap(vm, pid, a, 0x10000);
            md.extra[pid] = 0;
            gr_vm_switch(vm, pid);
            for (uint64_t p = a; p < a + 0x10000; p += 0x1000) {
                gr_req q = {p, GR_ACC_READ, 0};
                gr_xlat x;
                be->ops->translate(be->ctx, &q, &x);
                if (x.fault.type == GR_FAULT_NONE)
                    bad++;
            }
        } else {
            uint64_t a;
            if (gr_vm_mmap(vm, pid, 0, 0x10000, GR_PROT_READ | GR_PROT_WRITE,
                           GR_MAP_PRIVATE | GR_MAP_ANON, NULL, 0, &a) == GR_VM_OK) {
                md.extra[pid] = a;
                for (uint64_t p = a; p < a + 0x10000; p += 0x1000)
                    gr_vm_access(vm, pid, p, GR_ACC_WRITE, "m", 1, &r);
            }
        }
        if (paging && s % 50 == 24)
            gr_vm_pageout(vm, ~0ull >> 1);
        if (s % 500 == 499)
            bad += check_all(vm, be, checked);
    }
    bad += check_all(vm, be, checked);
    gr_vm_stats st;
    gr_vm_get_stats(vm, &st);
    *violations = (unsigned)st.violations;
    if (paging) {
        assert_true(st.compressions > 1000);
        assert_true(st.decompressions > 100);
        assert_true(st.reactivations + st.deactivations > 0);
    }
    gr_vm_destroy(vm);
    return bad;
}

static void scenario_p(bool mmu, unsigned drop, unsigned *bad, unsigned *checked, bool paging)
{
    gr_pmem *mem = gr_pmem_create();
    gr_vmbe be;
    assert_int_equal(mmu ? gr_vmbe_mmu(NULL, mem, &be) : gr_vmbe_ideal_tlb(mem, &be), 0);
    unsigned v;
    *checked = 0;
    *bad = run(&be, mem, drop, 4000, checked, &v, paging);
    gr_vmbe_destroy(&be);
    gr_pmem_destroy(mem);
}

static void scenario(bool mmu, unsigned drop, unsigned *bad, unsigned *checked)
{
    scenario_p(mmu, drop, bad, checked, false);
}

/* The random scenario with the pageout daemon evicting everything it can
 * every 50 steps: the byte model must still hold and no translation may
 * outlive an eviction (ideal TLB and gr_mmu). Negative control: dropping
 * the aging and pageout TLBIs must be caught. (Dropping only the pageout
 * ones is not: a page is evicted only if unreferenced since its AF was
 * cleared with a TLBI, and an AF = 0 descriptor is never cached, so no TLB
 * can hold it by then; the eviction's TLBI is the belt to those braces.) */
static void test_vmscenario_pageout_under_fork_cow(void **state)
{
    (void)state;
    unsigned bad, checked;
    scenario_p(false, 0, &bad, &checked, true);
    assert_int_equal(bad, 0);
    assert_true(checked > 100);
    scenario_p(true, 0, &bad, &checked, true);
    assert_int_equal(bad, 0);
    scenario_p(false, (1u << GR_VM_CAUSE_PAGEOUT) | (1u << GR_VM_CAUSE_AGE), &bad, &checked, true);
    assert_true(bad > 0);
}

static void test_vmscenario_mmu_translations_match_maps(void **state)
{
    (void)state;
    unsigned bad, checked;
    scenario(true, 0, &bad, &checked);
    assert_int_equal(bad, 0);
    assert_true(checked > 1000);
}

static void test_vmscenario_ideal_tlb_translations_match_maps(void **state)
{
    (void)state;
    unsigned bad, checked;
    scenario(false, 0, &bad, &checked);
    assert_int_equal(bad, 0);
    assert_true(checked > 1000);
}

static void test_vmscenario_dropped_tlbis_are_caught(void **state)
{
    (void)state;
    unsigned bad, checked;
    unsigned all = (1u << GR_VM_CAUSE_UNMAP) | (1u << GR_VM_CAUSE_PROTECT) |
                   (1u << GR_VM_CAUSE_COW) | (1u << GR_VM_CAUSE_FORK);
    scenario(false, all, &bad, &checked);
    assert_true(bad > 0);
    scenario(true, 1u << GR_VM_CAUSE_UNMAP, &bad, &checked);
    assert_true(bad > 0);
}

/* ---- part 2: a footprint of 3x physical memory ---- */

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Page i of writer `tag`: every 4th page random (incompressible), the
 * others 32 random doublewords then zeros (compressible). */
static void content(uint8_t *p, size_t len, uint64_t tag, uint64_t i)
{
    memset(p, 0, len);
    size_t words = i % 4 == 0 ? len / 8 : 32;
    for (size_t k = 0; k < words; k++) {
        uint64_t v = mix(tag << 48 ^ i << 20 ^ k);
        memcpy(p + 8 * k, &v, 8);
    }
}

static void write_pages(gr_vm *vm, int pid, uint64_t base, uint64_t pg, uint64_t tag,
                        uint64_t from, uint64_t to, uint64_t step)
{
    static uint8_t p[1u << 14];
    for (uint64_t i = from; i < to; i += step) {
        content(p, pg, tag, i);
        gr_vm_result r;
        assert_int_equal(gr_vm_access(vm, pid, base + i * pg, GR_ACC_WRITE, p, pg, &r), GR_VM_OK);
    }
}

/* Every page of the region holds what its last writer wrote. */
static void check_pages(gr_vm *vm, int pid, uint64_t base, uint64_t pg, uint64_t n,
                        uint64_t tag, uint64_t tag2, uint64_t step2)
{
    static uint8_t p[1u << 14], q[1u << 14];
    for (uint64_t i = 0; i < n; i++) {
        content(p, pg, step2 && i % step2 == 0 ? tag2 : tag, i);
        gr_vm_result r;
        assert_int_equal(gr_vm_access(vm, pid, base + i * pg, GR_ACC_READ, q, pg, &r), GR_VM_OK);
        assert_memory_equal(p, q, pg);
        gr_vm_expect e;
        assert_int_equal(gr_vm_lookup_page(vm, pid, base + i * pg, &e), GR_VM_OK);
        assert_true(e.resident);
        assert_int_equal(e.pa, r.pa & ~(pg - 1)); /* the MMU agrees with the maps */
    }
}

static void test_vmscenario_pressure_3x_footprint(void **state)
{
    (void)state;
    char dir[] = "/tmp/granule_vmscen_XXXXXX";
    assert_non_null(mkdtemp(dir));
    gr_pmem *mem = gr_pmem_create();
    gr_vmbe be;
    assert_int_equal(gr_vmbe_mmu(NULL, mem, &be), 0);
    gr_vm_config c;
    gr_vm_config_default(&c);
    c.ram_size = 8ull << 20;          /* 2048 frames */
    c.shared_cache_size = 0;
    c.pageout = true;
    c.comp.max_segments = 8;          /* 512 KiB pool */
    c.comp.swapfile_size = 1u << 20;
    c.comp.max_swapfiles = 64;
    c.comp.swap_dir = dir;
    int err;
    gr_vm *vm = gr_vm_create(&c, mem, &be, &err);
    assert_non_null(vm);
    /* A: 4K task, 10 MiB; B = fork(A) rewrites every 2nd page (5 MiB of
     * copies); C: 16K task, 10 MiB. 25 MiB on 8 MiB of RAM. Writers take
     * turns in chunks, so context switches interleave with the paging. */
    int a, b, cc;
    assert_int_equal(gr_vm_spawn(vm, "A", 12, NULL, &a), GR_VM_OK);
    assert_int_equal(gr_vm_spawn(vm, "C", 14, NULL, &cc), GR_VM_OK);
    const uint64_t na = 2560, nc = 640;
    uint64_t ra, rc;
    assert_int_equal(gr_vm_mmap(vm, a, 0, na * 4096, GR_PROT_READ | GR_PROT_WRITE,
                                GR_MAP_PRIVATE | GR_MAP_ANON, NULL, 0, &ra), GR_VM_OK);
    assert_int_equal(gr_vm_mmap(vm, cc, 0, nc * 16384, GR_PROT_READ | GR_PROT_WRITE,
                                GR_MAP_PRIVATE | GR_MAP_ANON, NULL, 0, &rc), GR_VM_OK);
    for (uint64_t k = 0; k < 10; k++) {
        write_pages(vm, a, ra, 4096, 1, k * na / 10, (k + 1) * na / 10, 1);
        write_pages(vm, cc, rc, 16384, 3, k * nc / 10, (k + 1) * nc / 10, 1);
    }
    assert_int_equal(gr_vm_fork(vm, a, &b), GR_VM_OK);
    for (uint64_t k = 0; k < 10; k++)
        write_pages(vm, b, ra, 4096, 2, k * na / 10 + (k * na / 10) % 2, (k + 1) * na / 10, 2);
    check_pages(vm, a, ra, 4096, na, 1, 0, 0);
    check_pages(vm, b, ra, 4096, na, 1, 2, 2);
    check_pages(vm, cc, rc, 16384, nc, 3, 0, 0);

    gr_vm_stats s;
    gr_vm_get_stats(vm, &s);
    gr_vmcomp_stats cs;
    gr_vmcomp_get_stats(gr_vm_comp(vm), &cs);
    size_t nh;
    gr_vm_pressure_history(vm, &nh);
    assert_true(s.compressions > 0 && s.decompressions > 0);
    assert_true(cs.swapouts > 0 && cs.swapins > 0);
    assert_true(nh > 0);
    assert_int_equal(s.swap_errors, 0);
    printf("3x footprint: %llu faults, %llu compressions, %llu decompressions, "
           "%llu swapouts, %llu swapins (segments), %llu pressure transitions\n",
           (unsigned long long)s.faults, (unsigned long long)s.compressions,
           (unsigned long long)s.decompressions, (unsigned long long)cs.swapouts,
           (unsigned long long)cs.swapins, (unsigned long long)nh);
    gr_vm_report_memory_pressure(vm, stdout);
    gr_vm_report_swapusage(vm, stdout);
    gr_vm_report_vm_stat(vm, stdout);
    gr_vm_destroy(vm);
    gr_vmbe_destroy(&be);
    gr_pmem_destroy(mem);
    assert_int_equal(rmdir(dir), 0); /* every swap file deleted */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vmscenario_pressure_3x_footprint),
        cmocka_unit_test(test_vmscenario_pageout_under_fork_cow),
        cmocka_unit_test(test_vmscenario_mmu_translations_match_maps),
        cmocka_unit_test(test_vmscenario_ideal_tlb_translations_match_maps),
        cmocka_unit_test(test_vmscenario_dropped_tlbis_are_caught),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
