/*
 * Tests for the VM layer top (gr_vm_): demand paging, file pages, COW and
 * collapse, protections, TLBIs, ASLR, 4K/16K tasks, reports, bad requests.
 * Expected values come from the layout and rules documented in vm.h and
 * docs/vm.md (addresses, sizes) and from the bytes the test itself wrote.
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

typedef struct fx {
    gr_pmem *mem;
    gr_vmbe be;
    gr_vm *vm;
} fx;

static void up(fx *f, const gr_vm_config *c, bool tlb)
{
    gr_vm_config d;
    if (!c) {
        gr_vm_config_default(&d);
        c = &d;
    }
    f->mem = gr_pmem_create();
    assert_int_equal(tlb ? gr_vmbe_ideal_tlb(f->mem, &f->be) : gr_vmbe_direct(f->mem, &f->be), 0);
    int err;
    f->vm = gr_vm_create(c, f->mem, &f->be, &err);
    assert_non_null(f->vm);
}

static void down(fx *f)
{
    gr_vm_destroy(f->vm);
    gr_vmbe_destroy(&f->be);
    gr_pmem_destroy(f->mem);
}

static gr_vm_task_info info(fx *f, int pid)
{
    gr_vm_task_info ti;
    assert_int_equal(gr_vm_task_info_get(f->vm, pid, &ti), GR_VM_OK);
    return ti;
}

static void wr(fx *f, int pid, uint64_t va, const char *s)
{
    gr_vm_result r;
    assert_int_equal(gr_vm_access(f->vm, pid, va, GR_ACC_WRITE, (void *)s, strlen(s) + 1, &r),
                     GR_VM_OK);
}

static void expect_str(fx *f, int pid, uint64_t va, const char *s)
{
    char buf[64] = {0};
    gr_vm_result r;
    assert_int_equal(gr_vm_access(f->vm, pid, va, GR_ACC_READ, buf, strlen(s) + 1, &r), GR_VM_OK);
    assert_string_equal(buf, s);
}

static uint64_t pa_of(fx *f, int pid, uint64_t va)
{
    gr_vm_result r;
    assert_int_equal(gr_vm_access(f->vm, pid, va, GR_ACC_READ, NULL, 0, &r), GR_VM_OK);
    return r.pa;
}

static void test_vm_demand_zero_fill(void **state)
{
    (void)state;
    fx f;
    up(&f, NULL, false);
    int pid;
    assert_int_equal(gr_vm_spawn(f.vm, "zero", 14, NULL, &pid), GR_VM_OK);
    uint64_t heap = info(&f, pid).heap_start;
    uint8_t buf[256];
    memset(buf, 0xee, sizeof buf);
    gr_vm_result r;
    assert_int_equal(gr_vm_access(f.vm, pid, heap + 0x100, GR_ACC_READ, buf, sizeof buf, &r), GR_VM_OK);
    assert_int_equal(r.faults, 1);
    for (size_t i = 0; i < sizeof buf; i++)
        assert_int_equal(buf[i], 0);
    /* The bytes are really in simulated physical memory. */
    wr(&f, pid, heap + 0x100, "hello");
    char raw[6];
    assert_int_equal(gr_pmem_dump(f.mem, r.pa, raw, 6), 0);
    assert_string_equal(raw, "hello");
    gr_vm_stats s;
    gr_vm_get_stats(f.vm, &s);
    assert_int_equal(s.zero_fill, 1);
    assert_int_equal(info(&f, pid).rss, 16384);
    /* A write to a fresh page of a writable region: one fault, no COW. */
    assert_int_equal(gr_vm_access(f.vm, pid, heap + 0x4000, GR_ACC_WRITE, buf, 8, &r), GR_VM_OK);
    assert_int_equal(r.faults, 1);
    gr_vm_get_stats(f.vm, &s);
    assert_int_equal(s.zero_fill, 2);
    assert_int_equal(s.cow_faults, 0);
    down(&f);
}

static char tmpl[64];

static const char *make_file(size_t n)
{
    strcpy(tmpl, "/tmp/granule_vm_XXXXXX");
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    uint8_t *b = malloc(n);
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(i * 7 + 3);
    assert_int_equal(write(fd, b, n), (ssize_t)n);
    free(b);
    close(fd);
    return tmpl;
}

static uint8_t file_byte(const char *path, long off)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, off, SEEK_SET);
    int c = fgetc(fp);
    fclose(fp);
    return (uint8_t)c;
}

static void test_vm_file_pagein(void **state)
{
    (void)state;
    fx f;
    up(&f, NULL, false);
    const char *path = make_file(40000);
    int pid;
    assert_int_equal(gr_vm_spawn(f.vm, "file", 14, NULL, &pid), GR_VM_OK);
    uint64_t a;
    assert_int_equal(gr_vm_mmap(f.vm, pid, 0, 65536, GR_PROT_READ, GR_MAP_PRIVATE, path, 0, &a),
                     GR_VM_OK);
    uint8_t b[16];
    gr_vm_result r;
    assert_int_equal(gr_vm_access(f.vm, pid, a + 20000, GR_ACC_READ, b, 16, &r), GR_VM_OK);
    for (int i = 0; i < 16; i++)
        assert_int_equal(b[i], (uint8_t)((20000 + i) * 7 + 3));
    /* Last partial page: bytes past EOF read as zero. */
    assert_int_equal(gr_vm_access(f.vm, pid, a + 39998, GR_ACC_READ, b, 4, &r), GR_VM_OK);
    assert_int_equal(b[0], (uint8_t)(39998 * 7 + 3));
    assert_int_equal(b[2], 0);
    /* A page wholly beyond EOF: SIGBUS. */
    assert_int_equal(gr_vm_access(f.vm, pid, a + 49152, GR_ACC_READ, b, 1, &r), GR_VM_BUS_ADRERR);
    gr_vm_stats s;
    gr_vm_get_stats(f.vm, &s);
    assert_int_equal(s.pageins, 2);
    /* Writing to a read-only mapping: access violation with the address. */
    assert_int_equal(gr_vm_access(f.vm, pid, a + 8, GR_ACC_WRITE, b, 1, &r), GR_VM_SEGV_ACCERR);
    assert_int_equal(r.va, a + 8);
    down(&f);
    unlink(path);
}

static void test_vm_private_vs_shared_file(void **state)
{
    (void)state;
    fx f;
    up(&f, NULL, false);
    const char *path = make_file(32768);
    int pid;
    assert_int_equal(gr_vm_spawn(f.vm, "file", 12, NULL, &pid), GR_VM_OK);
    uint64_t p, s;
    assert_int_equal(gr_vm_mmap(f.vm, pid, 0, 32768, GR_PROT_READ | GR_PROT_WRITE,
                                GR_MAP_PRIVATE, path, 0, &p), GR_VM_OK);
    assert_int_equal(gr_vm_mmap(f.vm, pid, 0, 32768, GR_PROT_READ | GR_PROT_WRITE,
                                GR_MAP_SHARED, path, 0, &s), GR_VM_OK);
    wr(&f, pid, p + 100, "private");
    expect_str(&f, pid, p + 100, "private");
    /* The shared view still shows the file's byte: the private write went
     * to a copy. */
    uint8_t c;
    gr_vm_result r;
    assert_int_equal(gr_vm_access(f.vm, pid, s + 100, GR_ACC_READ, &c, 1, &r), GR_VM_OK);
    assert_int_equal(c, (uint8_t)(100 * 7 + 3));
    assert_int_equal(gr_vm_munmap(f.vm, pid, p, 32768), GR_VM_OK);
    assert_int_equal(file_byte(path, 100), (uint8_t)(100 * 7 + 3));
    wr(&f, pid, s + 5000, "shared");
    assert_int_equal(gr_vm_munmap(f.vm, pid, s, 32768), GR_VM_OK);
    assert_int_equal(file_byte(path, 5000), 's');
    assert_int_equal(file_byte(path, 5005), 'd');
    assert_int_equal(file_byte(path, 4999), (uint8_t)(4999 * 7 + 3));
    down(&f);
    unlink(path);
}

static void test_vm_fork_cow(void **state)
{
    (void)state;
    fx f;
    up(&f, NULL, true);
    int p, c;
    assert_int_equal(gr_vm_spawn(f.vm, "parent", 14, NULL, &p), GR_VM_OK);
    uint64_t h = info(&f, p).heap_start;
    wr(&f, p, h, "parent");
    wr(&f, p, h + 0x8000, "second");
    uint64_t before = pa_of(&f, p, h);
    assert_int_equal(gr_vm_fork(f.vm, p, &c), GR_VM_OK);
    expect_str(&f, c, h, "parent");
    assert_int_equal(pa_of(&f, c, h), before); /* frame shared until written */
    wr(&f, c, h, "child");
    expect_str(&f, c, h, "child");
    expect_str(&f, p, h, "parent");
    assert_true(pa_of(&f, c, h) != before);
    wr(&f, p, h, "P2");
    expect_str(&f, p, h, "P2");
    expect_str(&f, c, h, "child");
    expect_str(&f, c, h + 0x8000, "second");
    expect_str(&f, p, h + 0x8000, "second");
    assert_int_equal(pa_of(&f, c, h + 0x8000), pa_of(&f, p, h + 0x8000));
    gr_vm_stats s;
    gr_vm_get_stats(f.vm, &s);
    assert_int_equal(s.cow_faults, 2);
    /* The fork write-protected the parent's mapped pages with TLBIs. */
    size_t n;
    const gr_vm_tlbi_rec *log = gr_vm_tlbi_log(f.vm, &n);
    int fork_tlbi = 0;
    for (size_t i = 0; i < n; i++)
        fork_tlbi += log[i].cause == GR_VM_CAUSE_FORK;
    assert_int_equal(fork_tlbi, 2);
    down(&f);
}

static void test_vm_shadow_collapse_after_exit(void **state)
{
    (void)state;
    fx f;
    up(&f, NULL, false);
    int p, c;
    assert_int_equal(gr_vm_spawn(f.vm, "parent", 12, NULL, &p), GR_VM_OK);
    uint64_t h = info(&f, p).heap_start;
    wr(&f, p, h, "A");
    wr(&f, p, h + 0x1000, "B");
    assert_int_equal(gr_vm_fork(f.vm, p, &c), GR_VM_OK);
    wr(&f, p, h, "A2");  /* parent shadows: chain of 2 */
    wr(&f, c, h + 0x1000, "B2"); /* child shadows too */
    gr_vmmap_entry *e = gr_vmmap_lookup(gr_vm_map_of(f.vm, p), h);
    assert_int_equal(gr_vmobj_chain_length(e->obj), 2);
    uint64_t free_before = gr_vmpage_count(gr_vm_pages(f.vm), GR_VMPAGE_Q_FREE);
    assert_int_equal(gr_vm_exit(f.vm, c), GR_VM_OK);
    e = gr_vmmap_lookup(gr_vm_map_of(f.vm, p), h);
    assert_int_equal(gr_vmobj_chain_length(e->obj), 1);
    gr_vm_stats s;
    gr_vm_get_stats(f.vm, &s);
    assert_int_equal(s.collapses, 1);
    expect_str(&f, p, h, "A2");
    expect_str(&f, p, h + 0x1000, "B");
    /* "A" (now hidden behind "A2") and the child's pages were freed. */
    assert_true(gr_vmpage_count(gr_vm_pages(f.vm), GR_VMPAGE_Q_FREE) > free_before);
    /* The moved page is writable in place: no copy. */
    wr(&f, p, h + 0x1000, "B3");
    gr_vm_get_stats(f.vm, &s);
    assert_int_equal(s.cow_faults, 2);
    assert_int_equal(s.cow_upgrades, 1);
    down(&f);
}

static void test_vm_mprotect_guard_and_violations(void **state)
{
    (void)state;
    fx f;
    up(&f, NULL, false);
    int pid;
    assert_int_equal(gr_vm_spawn(f.vm, "prot", 14, NULL, &pid), GR_VM_OK);
    gr_vm_task_info ti = info(&f, pid);
    uint64_t h = ti.heap_start;
    wr(&f, pid, h, "x");
    assert_int_equal(gr_vm_mprotect(f.vm, pid, h, 0x4000, GR_PROT_READ), GR_VM_OK);
    gr_vm_result r;
    char c = 0;
    assert_int_equal(gr_vm_access(f.vm, pid, h + 1, GR_ACC_WRITE, &c, 1, &r), GR_VM_SEGV_ACCERR);
    assert_int_equal(r.va, h + 1);
    assert_int_equal(r.fault.type, GR_FAULT_PERMISSION);
    expect_str(&f, pid, h, "x");
    assert_int_equal(gr_vm_mprotect(f.vm, pid, h, 0x4000, GR_PROT_NONE), GR_VM_OK);
    assert_int_equal(gr_vm_access(f.vm, pid, h, GR_ACC_READ, &c, 1, &r), GR_VM_SEGV_ACCERR);
    assert_int_equal(gr_vm_mprotect(f.vm, pid, h, 0x4000, GR_PROT_READ | GR_PROT_WRITE), GR_VM_OK);
    expect_str(&f, pid, h, "x");
    /* __PAGEZERO and unmapped space. */
    assert_int_equal(gr_vm_access(f.vm, pid, 0, GR_ACC_READ, &c, 1, &r), GR_VM_SEGV_ACCERR);
    assert_int_equal(gr_vm_access(f.vm, pid, 0x500000000000ull, GR_ACC_READ, &c, 1, &r),
                     GR_VM_SEGV_MAPERR);
    /* Execute from the heap: no X right. */
    assert_int_equal(gr_vm_access(f.vm, pid, h, GR_ACC_EXEC, NULL, 0, &r), GR_VM_SEGV_ACCERR);
    /* Stack: growth below the entry, then the guard page. */
    uint64_t below = ti.stack_top - 128 * 1024 - 0x10;
    assert_int_equal(gr_vm_access(f.vm, pid, below, GR_ACC_WRITE, &c, 1, &r), GR_VM_OK);
    gr_vm_stats s;
    gr_vm_get_stats(f.vm, &s);
    assert_int_equal(s.stack_growths, 1);
    uint64_t guard = ti.stack_top - (8 << 20) - 0x4000;
    assert_int_equal(gr_vm_access(f.vm, pid, guard + 8, GR_ACC_WRITE, &c, 1, &r), GR_VM_SEGV_ACCERR);
    /* Kernel addresses from EL0. */
    assert_int_equal(gr_vm_access(f.vm, pid, gr_vm_kernel_text(f.vm), GR_ACC_READ, &c, 1, &r),
                     GR_VM_SEGV_MAPERR);
    /* Max protection: the guard's max is none. */
    assert_int_equal(gr_vm_mprotect(f.vm, pid, guard, 0x4000, GR_PROT_READ), GR_VM_PROT);
    down(&f);
}

/* Every resident page the munmap covered got a VALE1 with the task's
 * ASID, after which nothing translates there. @return true if so. */
static bool munmap_invalidates(bool drop)
{
    fx f;
    up(&f, NULL, true);
    int pid;
    gr_vm_spawn(f.vm, "unmap", 12, NULL, &pid);
    uint64_t a;
    gr_vm_mmap(f.vm, pid, 0, 0x4000, GR_PROT_READ | GR_PROT_WRITE, GR_MAP_PRIVATE | GR_MAP_ANON,
               NULL, 0, &a);
    for (int i = 0; i < 3; i++)
        wr(&f, pid, a + 0x1000 * (uint64_t)i, "data");
    gr_vm_tlbi_log_clear(f.vm);
    if (drop)
        gr_vm_debug_drop_tlbi(f.vm, 1u << GR_VM_CAUSE_UNMAP);
    gr_vm_munmap(f.vm, pid, a, 0x4000);
    size_t n;
    const gr_vm_tlbi_rec *log = gr_vm_tlbi_log(f.vm, &n);
    bool ok = n == 3;
    uint16_t asid = info(&f, pid).asid;
    for (size_t i = 0; ok && i < n; i++)
        ok = log[i].op == GR_TLBI_VALE1 && log[i].va == a + 0x1000 * i && log[i].asid == asid;
    /* Through the TLB: the unmapped page must fault, not hit a stale entry. */
    gr_vm_result r;
    ok = ok && gr_vm_access(f.vm, pid, a, GR_ACC_READ, NULL, 0, &r) == GR_VM_SEGV_MAPERR;
    down(&f);
    return ok;
}

static void test_vm_munmap_issues_tlbi(void **state)
{
    (void)state;
    assert_true(munmap_invalidates(false));
    /* The same check with the munmap TLBIs removed must fail. */
    assert_false(munmap_invalidates(true));
}

static void test_vm_aslr_reproducible(void **state)
{
    (void)state;
    gr_vm_task_info a[3];
    uint64_t seeds[3] = {42, 42, 43};
    for (int i = 0; i < 3; i++) {
        gr_vm_config c;
        gr_vm_config_default(&c);
        c.seed = seeds[i];
        fx f;
        up(&f, &c, false);
        int pid;
        gr_vm_spawn(f.vm, "a", 14, NULL, &pid);
        a[i] = info(&f, pid);
        down(&f);
    }
    assert_int_equal(a[0].text, a[1].text);
    assert_int_equal(a[0].heap_start, a[1].heap_start);
    assert_int_equal(a[0].stack_top, a[1].stack_top);
    assert_int_equal(a[0].shared_cache, a[1].shared_cache);
    assert_true(a[0].text != a[2].text || a[0].heap_start != a[2].heap_start ||
                a[0].stack_top != a[2].stack_top);
    gr_vm_config c;
    gr_vm_config_default(&c);
    c.aslr = false;
    fx f;
    up(&f, &c, false);
    int pid;
    gr_vm_spawn(f.vm, "a", 14, NULL, &pid);
    assert_int_equal(info(&f, pid).text, 0x100000000ull);
    assert_int_equal(info(&f, pid).heap_start, 0x600000000000ull);
    assert_int_equal(info(&f, pid).stack_top, 0x7ff000000000ull);
    down(&f);
}

static void test_vm_4k_and_16k_side_by_side(void **state)
{
    (void)state;
    fx f;
    up(&f, NULL, true);
    int a, b;
    assert_int_equal(gr_vm_spawn(f.vm, "intel", 12, NULL, &a), GR_VM_OK);
    assert_int_equal(gr_vm_spawn(f.vm, "arm", 14, NULL, &b), GR_VM_OK);
    /* TCR_EL1.TG0 (bits 15:14): 0b00 4K, 0b10 16K. */
    assert_int_equal((info(&f, a).tcr >> 14) & 3, 0);
    assert_int_equal((info(&f, b).tcr >> 14) & 3, 2);
    assert_true(info(&f, a).asid != info(&f, b).asid);
    uint64_t ha = info(&f, a).heap_start, hb = info(&f, b).heap_start;
    for (int round = 0; round < 2; round++) {
        wr(&f, a, ha + 0x1000, "four");
        wr(&f, b, hb + 0x1000, "sixteen");
    }
    expect_str(&f, a, ha + 0x1000, "four");
    expect_str(&f, b, hb + 0x1000, "sixteen");
    /* Page size shows in RSS: one 4K page vs one 16K page. */
    assert_int_equal(info(&f, a).rss, 4096);
    assert_int_equal(info(&f, b).rss, 16384);
    /* A 16K page: ha+0x0 is not resident in the 4K task, hb+0x0 is. */
    gr_vm_expect e;
    gr_vm_lookup_page(f.vm, a, ha, &e);
    assert_false(e.resident);
    gr_vm_lookup_page(f.vm, b, hb, &e);
    assert_true(e.resident);
    /* The shared cache: one frame for every task of the same page size. */
    int a2;
    gr_vm_spawn(f.vm, "intel2", 12, NULL, &a2);
    uint64_t sc = info(&f, a).shared_cache;
    assert_int_equal(pa_of(&f, a, sc + 0x3000), pa_of(&f, a2, sc + 0x3000));
    down(&f);
}

static void test_vm_vmmap_known_layout(void **state)
{
    (void)state;
    gr_vm_config c;
    gr_vm_config_default(&c);
    c.aslr = false;
    c.shared_cache_size = 1 << 20;
    fx f;
    up(&f, &c, false);
    gr_vm_image img = {.text = 0x4000, .data = 0x4000, .linkedit = 0x4000,
                       .heap_initial = 1 << 20, .heap_max = 1 << 24,
                       .stack_initial = 0x8000, .stack_max = 4 << 20};
    int pid;
    assert_int_equal(gr_vm_spawn(f.vm, "MyApp", 14, &img, &pid), GR_VM_OK);
    char buf[64];
    gr_vm_result r;
    gr_vm_access(f.vm, pid, 0x100000000ull, GR_ACC_EXEC, NULL, 0, &r);
    gr_vm_access(f.vm, pid, 0x100004000ull, GR_ACC_WRITE, buf, 4, &r);
    char *out = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&out, &len);
    assert_int_equal(gr_vm_report_vmmap(f.vm, pid, fp), GR_VM_OK);
    fclose(fp);
    const char *want =
        "Virtual Memory Map of process 1 (MyApp)\n"
        "Output report format:  64-bit process\n"
        "VM page size:  16384 bytes\n"
        "\n"
        "==== Non-writable regions for process 1\n"
        "REGION TYPE                 START - END          [  VSIZE   RSDNT] PRT/MAX SHRMOD  REGION DETAIL\n"
        "__PAGEZERO                        0-100000000    [     4G      0K] ---/--- SM=NUL  \n"
        "__TEXT                    100000000-100004000    [    16K     16K] r-x/rwx SM=PRV  \n"
        "__LINKEDIT                100008000-10000c000    [    16K      0K] r--/rwx SM=NUL  \n"
        "STACK GUARD            7fefffbfc000-7fefffc00000 [    16K      0K] ---/--- SM=NUL  \n"
        "dyld shared cache      7ff800000000-7ff800100000 [     1M      0K] r-x/rwx SM=COW  \n"
        "\n"
        "==== Writable regions for process 1\n"
        "REGION TYPE                 START - END          [  VSIZE   RSDNT] PRT/MAX SHRMOD  REGION DETAIL\n"
        "__DATA                    100004000-100008000    [    16K     16K] rw-/rwx SM=PRV  \n"
        "MALLOC                 600000000000-600000100000 [     1M      0K] rw-/rwx SM=NUL  DefaultMallocZone\n"
        "Stack                  7fefffff8000-7ff000000000 [    32K      0K] rw-/rwx SM=NUL  thread 0\n"
        "\n"
        "==== Legend\n"
        "SM=sharing mode:\n"
        "\tCOW=copy_on_write PRV=private NUL=empty SHM=shared\n";
    assert_string_equal(out, want);
    free(out);
    down(&f);
}

static void test_vm_bad_requests(void **state)
{
    (void)state;
    gr_vm_config c;
    gr_vm_config_default(&c);
    c.ram_size = 1 << 20; /* 64 frames of 16K */
    c.shared_cache_size = 0;
    fx f;
    up(&f, &c, false);
    int pid;
    assert_int_equal(gr_vm_spawn(f.vm, "bad", 14, NULL, &pid), GR_VM_OK);
    uint64_t a, b;
    assert_int_equal(gr_vm_mmap(f.vm, pid, 0x300000000ull, 0x8000, GR_PROT_READ,
                                GR_MAP_PRIVATE | GR_MAP_ANON | GR_MAP_FIXED, NULL, 0, &a), GR_VM_OK);
    assert_int_equal(gr_vm_mmap(f.vm, pid, 0x300004000ull, 0x8000, GR_PROT_READ,
                                GR_MAP_PRIVATE | GR_MAP_ANON | GR_MAP_FIXED, NULL, 0, &b), GR_VM_EXISTS);
    assert_int_equal(gr_vm_mmap(f.vm, pid, 0x300000001ull, 0x8000, GR_PROT_READ,
                                GR_MAP_PRIVATE | GR_MAP_ANON | GR_MAP_FIXED, NULL, 0, &b), GR_VM_INVAL);
    assert_int_equal(gr_vm_mmap(f.vm, pid, 0, 0x8000, GR_PROT_READ, GR_MAP_SHARED | GR_MAP_PRIVATE | GR_MAP_ANON,
                                NULL, 0, &b), GR_VM_INVAL);
    assert_int_equal(gr_vm_mmap(f.vm, pid, 0, 0x8000, GR_PROT_READ, GR_MAP_PRIVATE,
                                "/nonexistent/file", 0, &b), GR_VM_IOERR);
    assert_int_equal(gr_vm_access(f.vm, 99, 0, GR_ACC_READ, NULL, 0, NULL), GR_VM_NOPID);
    assert_int_equal(gr_vm_fork(f.vm, 99, &b == NULL ? NULL : &pid), GR_VM_NOPID);
    /* Exhaust physical memory: faults fail with NOMEM, nothing crashes. */
    uint64_t h = info(&f, pid).heap_start;
    int status = GR_VM_OK;
    uint64_t i;
    for (i = 0; i < 100 && status == GR_VM_OK; i++) {
        gr_vm_result r;
        status = gr_vm_access(f.vm, pid, h + i * 0x4000, GR_ACC_WRITE, "z", 1, &r);
    }
    assert_int_equal(status, GR_VM_NOMEM);
    assert_true(i > 40);
    /* Freeing memory makes the same access succeed. */
    assert_int_equal(gr_vm_munmap(f.vm, pid, h, 0x40000), GR_VM_OK);
    gr_vm_result r;
    assert_int_equal(gr_vm_access(f.vm, pid, h + (i - 1) * 0x4000, GR_ACC_WRITE, "z", 1, &r), GR_VM_OK);
    assert_int_equal(gr_vm_exit(f.vm, pid), GR_VM_OK);
    assert_int_equal(gr_vm_exit(f.vm, pid), GR_VM_NOPID);
    down(&f);
}

static void test_vm_brk_and_af(void **state)
{
    (void)state;
    fx f;
    up(&f, NULL, false);
    int pid;
    gr_vm_spawn(f.vm, "brk", 12, NULL, &pid);
    uint64_t cur;
    gr_vm_brk(f.vm, pid, 0, &cur);
    assert_int_equal(cur, info(&f, pid).heap_start + (1 << 20));
    gr_vm_result r;
    assert_int_equal(gr_vm_access(f.vm, pid, cur + 8, GR_ACC_WRITE, "q", 1, &r), GR_VM_SEGV_MAPERR);
    assert_int_equal(gr_vm_brk(f.vm, pid, cur + 0x2000, &cur), GR_VM_OK);
    assert_int_equal(gr_vm_access(f.vm, pid, cur - 8, GR_ACC_WRITE, "q", 1, &r), GR_VM_OK);
    assert_int_equal(gr_vm_brk(f.vm, pid, cur - 0x2000, &cur), GR_VM_OK);
    assert_int_equal(gr_vm_access(f.vm, pid, cur + 8, GR_ACC_READ, NULL, 0, &r), GR_VM_SEGV_MAPERR);
    /* Software access flag: clear it, the next access takes an AF fault. */
    uint64_t h = info(&f, pid).heap_start;
    wr(&f, pid, h, "af");
    assert_true(gr_vmpmap_clear_af(gr_vm_pmap_of(f.vm, pid), h));
    assert_int_equal(gr_vm_access(f.vm, pid, h, GR_ACC_READ, NULL, 0, &r), GR_VM_OK);
    assert_int_equal(r.faults, 1);
    assert_int_equal(r.fault.type, GR_FAULT_ACCESS_FLAG);
    gr_vm_stats s;
    gr_vm_get_stats(f.vm, &s);
    assert_int_equal(s.af_faults, 1);
    down(&f);
}

static void test_vm_device_and_wire(void **state)
{
    (void)state;
    fx f;
    up(&f, NULL, false);
    assert_int_equal(gr_pmem_add_region(f.mem, 0x9000000, 0x10000, "uart"), 0);
    int pid;
    gr_vm_spawn(f.vm, "dev", 14, NULL, &pid);
    uint64_t a;
    assert_int_equal(gr_vm_map_device(f.vm, pid, 0x9000000, 0x4000, GR_PROT_READ | GR_PROT_WRITE, &a),
                     GR_VM_OK);
    gr_vm_result r;
    assert_int_equal(gr_vm_access(f.vm, pid, a + 0x18, GR_ACC_WRITE, "U", 1, &r), GR_VM_OK);
    assert_int_equal(r.pa, 0x9000018);
    gr_vmpmap_leaf l;
    assert_true(gr_vmpmap_lookup(gr_vm_pmap_of(f.vm, pid), a, &l));
    assert_int_equal(l.attr, GR_VMPMAP_ATTR_DEVICE);
    /* Wiring faults pages in and moves their frames to the wired queue. */
    uint64_t h = info(&f, pid).heap_start;
    assert_int_equal(gr_vm_wire(f.vm, pid, h, 0x8000, true), GR_VM_OK);
    assert_int_equal(gr_vmpage_count(gr_vm_pages(f.vm), GR_VMPAGE_Q_WIRED), 0x4000 + 0x8000);
    assert_int_equal(gr_vm_wire(f.vm, pid, h, 0x8000, false), GR_VM_OK);
    assert_int_equal(gr_vmpage_count(gr_vm_pages(f.vm), GR_VMPAGE_Q_WIRED), 0x4000);
    down(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vm_demand_zero_fill),
        cmocka_unit_test(test_vm_file_pagein),
        cmocka_unit_test(test_vm_private_vs_shared_file),
        cmocka_unit_test(test_vm_fork_cow),
        cmocka_unit_test(test_vm_shadow_collapse_after_exit),
        cmocka_unit_test(test_vm_mprotect_guard_and_violations),
        cmocka_unit_test(test_vm_munmap_issues_tlbi),
        cmocka_unit_test(test_vm_aslr_reproducible),
        cmocka_unit_test(test_vm_4k_and_16k_side_by_side),
        cmocka_unit_test(test_vm_vmmap_known_layout),
        cmocka_unit_test(test_vm_bad_requests),
        cmocka_unit_test(test_vm_brk_and_af),
        cmocka_unit_test(test_vm_device_and_wire),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
