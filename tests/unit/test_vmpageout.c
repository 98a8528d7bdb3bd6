/*
 * VM layer part 2 (gr_vm_ pageout, pressure, compressor, swap, purgeable,
 * store data, vm_stat). Expectations come from the rules in vm.h and
 * docs/vm.md and from the bytes the test wrote itself:
 *  - pressure levels at the documented thresholds (worked out by hand for
 *    a 1024-frame RAM below);
 *  - aging clears AF with a TLBI: with the ideal TLB (which keeps every
 *    translation until a TLBI covers it), the next access must take an
 *    access-flag fault; without the TLBI it would not (shown too);
 *  - every byte written reads back identically after compression, swap
 *    and file write-back; a corrupted swap file is reported, never read;
 *  - volatile objects are emptied under pressure and read as zeros;
 *  - every frame is on exactly one queue.
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

#include "granule/vm.h"

#define RAM (4ull << 20) /* 1024 frames */
#define PG 4096u

typedef struct fx {
    gr_pmem *mem;
    gr_vmbe be;
    gr_vm *vm;
    int pid;
    char dir[64];
} fx;

static void cfg_small(gr_vm_config *c)
{
    gr_vm_config_default(c);
    c->ram_size = RAM;
    c->aslr = false;
    c->shared_cache_size = 0;
}

static void up(fx *f, gr_vm_config *c, bool swap)
{
    memset(f, 0, sizeof *f);
    if (swap) {
        snprintf(f->dir, sizeof f->dir, "/tmp/granule_vmswap_XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        c->comp.swap_dir = f->dir;
    }
    f->mem = gr_pmem_create();
    assert_int_equal(gr_vmbe_ideal_tlb(f->mem, &f->be), 0);
    int err;
    f->vm = gr_vm_create(c, f->mem, &f->be, &err);
    assert_non_null(f->vm);
    assert_int_equal(gr_vm_spawn(f->vm, "t", 12, NULL, &f->pid), GR_VM_OK);
}

static void down(fx *f)
{
    gr_vm_destroy(f->vm);
    gr_vmbe_destroy(&f->be);
    gr_pmem_destroy(f->mem);
    if (f->dir[0])
        assert_int_equal(rmdir(f->dir), 0); /* every swap file was deleted */
}

static uint64_t frames(fx *f, gr_vmpage_queue q)
{
    return gr_vmpage_count(gr_vm_pages(f->vm), q) >> 12;
}

static uint64_t map_anon(fx *f, uint64_t pages)
{
    uint64_t a;
    assert_int_equal(gr_vm_mmap(f->vm, f->pid, 0, pages * PG, GR_PROT_READ | GR_PROT_WRITE,
                                GR_MAP_PRIVATE | GR_MAP_ANON, NULL, 0, &a),
                     GR_VM_OK);
    return a;
}

static uint64_t sm(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Contents of page i: `noise` random doublewords then zeros (noise 512:
 * incompressible). */
static void content(uint8_t *p, uint64_t i, unsigned noise)
{
    memset(p, 0, PG);
    uint64_t s = i * 7919 + 3;
    for (unsigned k = 0; k < noise; k++) {
        uint64_t v = sm(&s);
        memcpy(p + 8 * k, &v, 8);
    }
}

static void test_vm_pressure_levels_at_thresholds(void **state)
{
    (void)state;
    gr_vm_config c;
    cfg_small(&c);
    fx f;
    up(&f, &c, false);
    /* 1024 frames: NORMAL while avail >= 20.48 % -> >= 205 frames (avail*100
     * >= 20*1024 = 20480), WARNING down to 103 (10240), URGENT down to 52
     * (5120), CRITICAL below. No inactive/speculative/volatile pages here,
     * so avail = free frames. */
    assert_int_equal(frames(&f, GR_VMPAGE_Q_INACTIVE), 0);
    uint64_t a = map_anon(&f, 1024);
    int seen[4] = {0};
    for (uint64_t i = 0; i < 1024; i++) {
        gr_vm_result r;
        if (gr_vm_access(f.vm, f.pid, a + i * PG, GR_ACC_WRITE, NULL, 0, &r) != GR_VM_OK)
            break; /* memory exhausted: no pageout configured */
        uint64_t fr = frames(&f, GR_VMPAGE_Q_FREE);
        gr_vm_pressure_level want = fr >= 205   ? GR_VM_PRESSURE_NORMAL
                                    : fr >= 103 ? GR_VM_PRESSURE_WARNING
                                    : fr >= 52  ? GR_VM_PRESSURE_URGENT
                                                : GR_VM_PRESSURE_CRITICAL;
        assert_int_equal(gr_vm_pressure(f.vm), want);
        seen[want]++;
    }
    for (int l = 0; l < 4; l++)
        assert_true(seen[l] > 0);
    size_t n;
    const gr_vm_pressure_event *h = gr_vm_pressure_history(f.vm, &n);
    assert_int_equal(n, 3); /* normal -> warning -> urgent -> critical */
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(h[i].from, i);
        assert_int_equal(h[i].to, i + 1);
    }
    assert_string_equal(gr_vm_pressure_name(GR_VM_PRESSURE_URGENT), "urgent");
    down(&f);
}

/* Ages 48 written pages with one daemon run that must free one more frame
 * (the compressor's first segment takes 16 frames, so it evicts more than
 * one page), then touches every page: returns the access-flag faults the
 * touches took, having checked the TLBI log of the run. Queues are FIFO,
 * so the run deactivates pages 0, 1, 2, ... (D of them) and evicts pages
 * 0 .. C-1 (the inactive head); pages C .. D-1 stay mapped with AF clear. */
static uint64_t age_then_touch(bool drop, uint64_t *expect_af)
{
    gr_vm_config c;
    cfg_small(&c);
    fx f;
    up(&f, &c, false);
    uint64_t a = map_anon(&f, 48);
    for (uint64_t i = 0; i < 48; i++)
        assert_int_equal(gr_vm_access(f.vm, f.pid, a + i * PG, GR_ACC_WRITE, NULL, 0, NULL),
                         GR_VM_OK);
    assert_int_equal(frames(&f, GR_VMPAGE_Q_ACTIVE), 48);
    gr_vm_tlbi_log_clear(f.vm);
    if (drop)
        gr_vm_debug_drop_tlbi(f.vm, 1u << GR_VM_CAUSE_AGE);
    gr_vm_stats s0, s1;
    gr_vm_get_stats(f.vm, &s0);
    uint64_t want = gr_vmpage_count(gr_vm_pages(f.vm), GR_VMPAGE_Q_FREE) + PG;
    assert_true(gr_vm_pageout(f.vm, want) >= PG);
    gr_vm_get_stats(f.vm, &s1);
    uint64_t D = s1.deactivations - s0.deactivations, C = s1.compressions - s0.compressions;
    /* At least a third of the pages went inactive; 17 evictions pay for
     * the 16-frame segment plus the one frame asked for. */
    assert_true(D >= 16);
    assert_int_equal(C, 17);
    assert_true(D > C);
    size_t n;
    const gr_vm_tlbi_rec *log = gr_vm_tlbi_log(f.vm, &n);
    gr_vm_task_info ti;
    gr_vm_task_info_get(f.vm, f.pid, &ti);
    unsigned age = 0, pageout = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(log[i].op, GR_TLBI_VALE1);
        assert_int_equal(log[i].asid, ti.asid);
        if (log[i].cause == GR_VM_CAUSE_AGE) {
            assert_int_equal(log[i].va, a + age * PG); /* oldest first */
            age++;
        } else {
            assert_int_equal(log[i].cause, GR_VM_CAUSE_PAGEOUT);
            assert_int_equal(log[i].va, a + pageout * PG);
            pageout++;
        }
    }
    assert_int_equal(age, drop ? 0 : D);
    assert_int_equal(pageout, C);
    *expect_af = D - C;
    gr_vm_expect ex;
    assert_int_equal(gr_vm_lookup_page(f.vm, f.pid, a, &ex), GR_VM_OK); /* page 0: evicted */
    assert_true(ex.mapped && ex.compressed && !ex.resident);
    assert_int_equal(gr_vm_lookup_page(f.vm, f.pid, a + 47 * PG, &ex), GR_VM_OK);
    assert_true(ex.resident && !ex.compressed);
    for (uint64_t i = 0; i < 48; i++)
        assert_int_equal(gr_vm_access(f.vm, f.pid, a + i * PG, GR_ACC_READ, NULL, 0, NULL),
                         GR_VM_OK);
    gr_vm_stats s2;
    gr_vm_get_stats(f.vm, &s2);
    uint64_t af = s2.af_faults - s1.af_faults;
    assert_int_equal(s2.decompressions - s1.decompressions, C); /* evicted pages come back */
    /* Referenced pages are reactivated by the next run, not evicted. */
    if (!drop) {
        want = gr_vmpage_count(gr_vm_pages(f.vm), GR_VMPAGE_Q_FREE) + PG;
        gr_vm_pageout(f.vm, want);
        gr_vm_get_stats(f.vm, &s2);
        assert_true(s2.reactivations - s1.reactivations >= D - C);
    }
    down(&f);
    return af;
}

static void test_vm_aging_clears_af_with_tlbi(void **state)
{
    (void)state;
    uint64_t want, got = age_then_touch(false, &want);
    assert_int_equal(got, want);
    /* The same check fails when the aging TLBIs are dropped: the ideal TLB
     * still holds AF = 1 translations, so no access faults. */
    got = age_then_touch(true, &want);
    assert_true(want > 0);
    assert_int_equal(got, 0);
}

static void test_vm_compressed_pages_read_back(void **state)
{
    (void)state;
    gr_vm_config c;
    cfg_small(&c);
    c.pageout = true;
    c.comp.max_segments = 1024; /* no pool limit: RAM is the limit */
    fx f;
    up(&f, &c, false);
    const uint64_t n = 2048; /* twice the RAM */
    uint64_t a = map_anon(&f, n);
    static uint8_t p[PG], q[PG];
    for (uint64_t i = 0; i < n; i++) {
        content(p, i, 16);
        assert_int_equal(gr_vm_access(f.vm, f.pid, a + i * PG, GR_ACC_WRITE, p, PG, NULL),
                         GR_VM_OK);
    }
    for (uint64_t i = 0; i < n; i++) {
        content(p, i, 16);
        assert_int_equal(gr_vm_access(f.vm, f.pid, a + i * PG, GR_ACC_READ, q, PG, NULL),
                         GR_VM_OK);
        assert_memory_equal(p, q, PG);
    }
    gr_vm_stats s;
    gr_vm_get_stats(f.vm, &s);
    assert_true(s.compressions >= n - 1024);
    assert_true(s.decompressions > 0);
    gr_vmcomp_stats cs;
    gr_vmcomp_get_stats(gr_vm_comp(f.vm), &cs);
    assert_true(cs.bytes_out * 4 < cs.bytes_in); /* 128 random bytes per page */
    down(&f);
}

/* Writes 3x RAM of incompressible pages through a small pool with swap. */
static void fill_swapping(fx *f, uint64_t *a, uint64_t n)
{
    static uint8_t p[PG];
    *a = map_anon(f, n);
    for (uint64_t i = 0; i < n; i++) {
        content(p, i, 512);
        assert_int_equal(gr_vm_access(f->vm, f->pid, *a + i * PG, GR_ACC_WRITE, p, PG, NULL),
                         GR_VM_OK);
    }
}

static void swap_cfg(gr_vm_config *c)
{
    cfg_small(c);
    c->pageout = true;
    c->comp.max_segments = 4;          /* 256 KiB pool */
    c->comp.swapfile_size = 1u << 20;  /* 16 segments per file */
    c->comp.max_swapfiles = 16;
}

static void test_vm_swap_round_trip(void **state)
{
    (void)state;
    gr_vm_config c;
    swap_cfg(&c);
    fx f;
    up(&f, &c, true);
    uint64_t a, n = 3072;
    fill_swapping(&f, &a, n);
    gr_vmcomp_stats cs;
    gr_vmcomp_get_stats(gr_vm_comp(f.vm), &cs);
    assert_true(cs.swapouts > 0);
    assert_true(cs.segments <= 4);
    static uint8_t p[PG], q[PG];
    for (uint64_t i = 0; i < n; i++) {
        content(p, i, 512);
        assert_int_equal(gr_vm_access(f.vm, f.pid, a + i * PG, GR_ACC_READ, q, PG, NULL),
                         GR_VM_OK);
        assert_memory_equal(p, q, PG);
    }
    gr_vmcomp_get_stats(gr_vm_comp(f.vm), &cs);
    assert_true(cs.swapins > 0);
    /* Lazy deletion: unmapping frees every swapped page, but the files
     * stay until the pressure is next found normal. */
    assert_true(cs.swap_files > 0);
    const char *sw0 = gr_vmcomp_swap_path(gr_vm_comp(f.vm), 0);
    assert_int_equal(gr_vm_munmap(f.vm, f.pid, a, n * PG), GR_VM_OK);
    gr_vmcomp_get_stats(gr_vm_comp(f.vm), &cs);
    assert_int_equal(cs.swap_used, 0);
    assert_true(cs.swap_files > 0);
    struct stat st;
    assert_int_equal(stat(sw0, &st), 0);
    assert_int_equal(gr_vm_pressure(f.vm), GR_VM_PRESSURE_NORMAL);
    gr_vmcomp_get_stats(gr_vm_comp(f.vm), &cs);
    assert_int_equal(cs.swap_files, 0);
    assert_int_equal(cs.swap_total, 0);
    assert_int_equal(stat(sw0, &st), -1);
    down(&f);
}

static void test_vm_swap_corruption_reported(void **state)
{
    (void)state;
    gr_vm_config c;
    swap_cfg(&c);
    fx f;
    up(&f, &c, true);
    uint64_t a, n = 3072;
    fill_swapping(&f, &a, n);
    const char *sw = gr_vmcomp_swap_path(gr_vm_comp(f.vm), 0);
    FILE *fp = fopen(sw, "r+b");
    assert_non_null(fp);
    for (long off = 100; off < (1l << 20); off += 64 << 10) { /* every segment slot */
        assert_int_equal(fseek(fp, off, SEEK_SET), 0);
        fputc(0x5a, fp);
    }
    fclose(fp);
    static uint8_t p[PG], q[PG];
    unsigned bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        content(p, i, 512);
        gr_vm_result r;
        int st = gr_vm_access(f.vm, f.pid, a + i * PG, GR_ACC_READ, q, PG, &r);
        if (st == GR_VM_SWAPERR) {
            bad++;
            continue;
        }
        assert_int_equal(st, GR_VM_OK);
        assert_memory_equal(p, q, PG); /* never wrong bytes */
    }
    assert_true(bad > 0);
    gr_vm_stats s;
    gr_vm_get_stats(f.vm, &s);
    assert_int_equal(s.swap_errors, bad);
    down(&f);
}

static void test_vm_purgeable_emptied_under_pressure(void **state)
{
    (void)state;
    gr_vm_config c;
    cfg_small(&c);
    c.pageout = true;
    fx f;
    up(&f, &c, false);
    uint64_t v = map_anon(&f, 16), d = map_anon(&f, 16);
    gr_vmobj_purge old;
    assert_int_equal(gr_vm_purgeable(f.vm, f.pid, d, GR_VMOBJ_PURGE_DENY, &old), GR_VM_OK);
    assert_int_equal(old, GR_VMOBJ_PURGE_NONVOLATILE);
    assert_int_equal(gr_vm_purgeable(f.vm, f.pid, d, GR_VMOBJ_PURGE_VOLATILE, NULL), GR_VM_INVAL);
    assert_int_equal(gr_vm_purgeable(f.vm, f.pid, v + PG, GR_VMOBJ_PURGE_VOLATILE, NULL),
                     GR_VM_SEGV_MAPERR); /* not the start of a mapping */
    for (uint64_t i = 0; i < 16; i++)
        assert_int_equal(gr_vm_access(f.vm, f.pid, v + i * PG, GR_ACC_WRITE, "data", 5, NULL),
                         GR_VM_OK);
    assert_int_equal(gr_vm_purgeable(f.vm, f.pid, v, GR_VMOBJ_PURGE_VOLATILE, &old), GR_VM_OK);
    assert_int_equal(old, GR_VMOBJ_PURGE_NONVOLATILE);
    /* Volatile pages count as available memory. */
    gr_vm_tlbi_log_clear(f.vm);
    uint64_t fill = map_anon(&f, 1024);
    for (uint64_t i = 0; i < 1024; i++)
        assert_int_equal(gr_vm_access(f.vm, f.pid, fill + i * PG, GR_ACC_WRITE, NULL, 0, NULL),
                         GR_VM_OK);
    assert_int_equal(gr_vm_purgeable(f.vm, f.pid, v, -1, &old), GR_VM_OK);
    assert_int_equal(old, GR_VMOBJ_PURGE_EMPTY);
    gr_vm_stats s;
    gr_vm_get_stats(f.vm, &s);
    assert_int_equal(s.purges, 1);
    assert_int_equal(s.purged_pages, 16);
    size_t n;
    const gr_vm_tlbi_rec *log = gr_vm_tlbi_log(f.vm, &n);
    unsigned purge_tlbis = 0;
    for (size_t i = 0; i < n; i++)
        if (log[i].cause == GR_VM_CAUSE_PURGE) {
            assert_true(log[i].va >= v && log[i].va < v + 16 * PG);
            purge_tlbis++;
        }
    assert_int_equal(purge_tlbis, 16);
    char buf[5] = "xxxx";
    assert_int_equal(gr_vm_access(f.vm, f.pid, v + 3 * PG, GR_ACC_READ, buf, 5, NULL), GR_VM_OK);
    assert_memory_equal(buf, "\0\0\0\0\0", 5); /* emptied: zeros again */
    down(&f);
}

static void test_vm_store_data_documented(void **state)
{
    (void)state;
    gr_vm_config c;
    cfg_small(&c);
    c.store_data = GR_VM_STORE_PATTERN;
    c.seed = 42;
    fx f;
    up(&f, &c, false);
    uint64_t a = map_anon(&f, 4);
    uint64_t s = 42; /* the generator, per vm.h */
    for (unsigned k = 0; k < 8; k++) {
        uint64_t va = a + k * 1000 + 3; /* stored at va & ~7 */
        assert_int_equal(gr_vm_access(f.vm, f.pid, va, GR_ACC_WRITE, NULL, 0, NULL), GR_VM_OK);
        uint64_t h = sm(&s);
        uint64_t want = (h & 3) == 0 ? h : (h & 3) == 1 ? ((va & ~0xfffull) | (h >> 8 & 0xff8))
                                                          : h >> 56;
        uint64_t got;
        assert_int_equal(gr_vm_access(f.vm, f.pid, va & ~7ull, GR_ACC_READ, &got, 8, NULL),
                         GR_VM_OK);
        assert_int_equal(got, want);
    }
    gr_vm_stats st;
    gr_vm_get_stats(f.vm, &st);
    assert_int_equal(st.stores, 8);
    down(&f);
}

/* Every frame on exactly one queue: free + active + inactive + speculative
 * + wired + compressor + throttled = total, read from the vm_stat report. */
static void test_vm_stat_pages_accounted_once(void **state)
{
    (void)state;
    gr_vm_config c;
    cfg_small(&c);
    c.pageout = true;
    c.store_data = GR_VM_STORE_PATTERN;
    fx f;
    up(&f, &c, false);
    uint64_t a = map_anon(&f, 2048);
    for (uint64_t i = 0; i < 2048; i++)
        assert_int_equal(gr_vm_access(f.vm, f.pid, a + i * PG, GR_ACC_WRITE, NULL, 0, NULL),
                         GR_VM_OK);
    char *txt = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&txt, &len);
    gr_vm_report_vm_stat(f.vm, m);
    fclose(m);
    const char *names[] = {"Pages free:", "Pages active:", "Pages inactive:",
                           "Pages speculative:", "Pages throttled:", "Pages wired down:",
                           "Pages occupied by compressor:"};
    uint64_t sum = 0;
    for (unsigned i = 0; i < 7; i++) {
        const char *l = strstr(txt, names[i]);
        assert_non_null(l);
        sum += strtoull(l + strlen(names[i]), NULL, 10);
    }
    assert_int_equal(sum, RAM / PG);
    assert_non_null(strstr(txt, "Mach Virtual Memory Statistics: (page size of 4096 bytes)"));
    const char *z = strstr(txt, "Pages zero filled:");
    assert_non_null(z);
    assert_int_equal(strtoull(z + strlen("Pages zero filled:"), NULL, 10), 2048);
    free(txt);
    down(&f);
}

static void test_vm_file_pages_written_back_and_dropped(void **state)
{
    (void)state;
    char path[] = "/tmp/granule_vmfile_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static uint8_t p[PG], q[PG];
    for (unsigned i = 0; i < 8; i++) {
        memset(p, 'a' + i, PG);
        assert_int_equal(write(fd, p, PG), PG);
    }
    gr_vm_config c;
    cfg_small(&c);
    fx f;
    up(&f, &c, false);
    uint64_t a;
    assert_int_equal(gr_vm_mmap(f.vm, f.pid, 0, 8 * PG, GR_PROT_READ | GR_PROT_WRITE,
                                GR_MAP_SHARED, path, 0, &a),
                     GR_VM_OK);
    for (unsigned i = 0; i < 8; i++) /* pages 0-3 written (dirty), 4-7 read */
        assert_int_equal(gr_vm_access(f.vm, f.pid, a + i * PG, i < 4 ? GR_ACC_WRITE : GR_ACC_READ,
                                      i < 4 ? "ZZ" : (void *)q, i < 4 ? 2 : 1, NULL),
                         GR_VM_OK);
    assert_int_equal(frames(&f, GR_VMPAGE_Q_SPECULATIVE), 8); /* paged in from the file */
    gr_vm_stats s0, s1;
    gr_vm_get_stats(f.vm, &s0);
    gr_vm_pageout(f.vm, ~0ull >> 1); /* reclaim everything reclaimable */
    gr_vm_get_stats(f.vm, &s1);
    assert_int_equal(s1.file_drops - s0.file_drops, 8);
    assert_int_equal(s1.pageouts - s0.pageouts, 4); /* only the dirty ones */
    for (unsigned i = 0; i < 8; i++) {
        assert_int_equal(pread(fd, q, PG, (off_t)i * PG), PG);
        memset(p, 'a' + i, PG);
        if (i < 4)
            memcpy(p, "ZZ", 2);
        assert_memory_equal(p, q, PG);
    }
    /* Accessing a dropped page reads it from the file again. */
    assert_int_equal(gr_vm_access(f.vm, f.pid, a + 2 * PG, GR_ACC_READ, q, 3, NULL), GR_VM_OK);
    assert_memory_equal(q, "ZZc", 3);
    gr_vm_stats s2;
    gr_vm_get_stats(f.vm, &s2);
    assert_int_equal(s2.pageins - s1.pageins, 1);
    down(&f);
    close(fd);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vm_pressure_levels_at_thresholds),
        cmocka_unit_test(test_vm_aging_clears_af_with_tlbi),
        cmocka_unit_test(test_vm_compressed_pages_read_back),
        cmocka_unit_test(test_vm_swap_round_trip),
        cmocka_unit_test(test_vm_swap_corruption_reported),
        cmocka_unit_test(test_vm_purgeable_emptied_under_pressure),
        cmocka_unit_test(test_vm_store_data_documented),
        cmocka_unit_test(test_vm_stat_pages_accounted_once),
        cmocka_unit_test(test_vm_file_pages_written_back_and_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
