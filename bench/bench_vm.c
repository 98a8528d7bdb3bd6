/*
 * VM layer benchmark: demand-zero faults resolved per second (fresh frames
 * and recycled frames that must really be zeroed), and translations per
 * second through gr_vm_access() on a hit-dominated stream, with the
 * TLB-less walker backend and with the gr_mmu backend; part 2: compressor
 * throughput against bare LZ4_compress_default on the same pages, and
 * faults per second under memory pressure (compressor, and compressor with
 * encrypted swap). Prints figures only: each is the median of several
 * measurements of at least 0.3 s each.
 */
#define _GNU_SOURCE
#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "granule/vm.h"

/* The thread's CPU time, not wall time: the machine is shared (2 cores,
 * often a load of 8), and time the scheduler gives to other processes
 * would otherwise be counted as the VM layer's. Cache and memory-bus
 * contention from the others still shows. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Each figure is the median of REPS measurements; each measurement repeats
 * its work until at least MIN_WINDOW seconds have been timed, so that timer
 * resolution and scheduling noise on a shared machine stay small. */
#define REPS 5
#define MIN_WINDOW 0.3

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static gr_vm *fault_vm(gr_pmem **mem, gr_vmbe *be, unsigned shift, int *pid)
{
    *mem = gr_pmem_create();
    gr_vmbe_direct(*mem, be);
    gr_vm_config c;
    gr_vm_config_default(&c);
    c.ram_size = 1ull << 30;
    c.tlbi_log_max = 0;
    gr_vm *vm = gr_vm_create(&c, *mem, be, NULL);
    gr_vm_spawn(vm, "bench", shift, NULL, pid);
    return vm;
}

static void fault_vm_destroy(gr_vm *vm, gr_pmem *mem, gr_vmbe *be)
{
    gr_vm_destroy(vm);
    gr_vmbe_destroy(be);
    gr_pmem_destroy(mem);
}

/* Write-faults every page of a fresh len-byte anonymous mapping; adds the
 * faults resolved to *n and the time they took to *dt; unmaps it after. */
static int fault_region(gr_vm *vm, int pid, uint64_t len, uint64_t pg, uint64_t *n, double *dt)
{
    uint64_t a;
    if (gr_vm_mmap(vm, pid, 0, len, GR_PROT_READ | GR_PROT_WRITE, GR_MAP_PRIVATE | GR_MAP_ANON,
                   NULL, 0, &a) != GR_VM_OK) {
        printf("mmap failed\n");
        return -1;
    }
    double t0 = now();
    for (uint64_t va = a; va < a + len; va += pg, (*n)++) {
        gr_vm_result r;
        if (gr_vm_access(vm, pid, va, GR_ACC_WRITE, NULL, 0, &r) != GR_VM_OK) {
            printf("fault failed: %s\n", gr_vm_strerror(r.status));
            return -1;
        }
    }
    *dt += now() - t0;
    gr_vm_munmap(vm, pid, a, len);
    return 0;
}

/* fresh: frames never used since boot (the allocator knows they read as
 * zero); recycled: frames freed by an earlier munmap, which must be zeroed. */
static void faults(unsigned shift, int recycled)
{
    const uint64_t len = 64ull << 20, pg = 1ull << shift;
    double rate[REPS];
    uint64_t total = 0;
    double window = 0;
    for (int rep = 0; rep < REPS; rep++) {
        uint64_t n = 0;
        double dt = 0;
        gr_pmem *mem = NULL;
        gr_vmbe be;
        int pid;
        gr_vm *vm = NULL;
        if (recycled) {
            vm = fault_vm(&mem, &be, shift, &pid);
            double ignore = 0;
            uint64_t in = 0;
            if (fault_region(vm, pid, len, pg, &in, &ignore))
                return;
        }
        while (dt < MIN_WINDOW) {
            if (!recycled) /* a new boot each round so that every frame is fresh */
                vm = fault_vm(&mem, &be, shift, &pid);
            if (fault_region(vm, pid, len, pg, &n, &dt))
                return;
            if (!recycled)
                fault_vm_destroy(vm, mem, &be);
        }
        if (recycled)
            fault_vm_destroy(vm, mem, &be);
        rate[rep] = (double)n / dt / 1e6;
        total += n;
        window += dt;
    }
    printf("demand-zero faults, %2lluK pages, %-8s frames: median %.2f M/s "
           "(%d runs, %llu faults in %.2f s)\n",
           (unsigned long long)(pg >> 10), recycled ? "recycled" : "fresh", median(rate, REPS),
           REPS, (unsigned long long)total, window);
}

static void translations(int mmu, unsigned shift)
{
    gr_pmem *mem = gr_pmem_create();
    gr_vmbe be;
    if (mmu)
        gr_vmbe_mmu(NULL, mem, &be);
    else
        gr_vmbe_direct(mem, &be);
    gr_vm_config c;
    gr_vm_config_default(&c);
    c.ram_size = 256ull << 20;
    gr_vm *vm = gr_vm_create(&c, mem, &be, NULL);
    int pid;
    gr_vm_spawn(vm, "bench", shift, NULL, &pid);
    const uint64_t pages = 32, pg = 1ull << shift;
    uint64_t a;
    gr_vm_mmap(vm, pid, 0, pages * pg, GR_PROT_READ | GR_PROT_WRITE, GR_MAP_PRIVATE | GR_MAP_ANON,
               NULL, 0, &a);
    for (uint64_t i = 0; i < pages; i++)
        gr_vm_access(vm, pid, a + i * pg, GR_ACC_WRITE, NULL, 0, NULL);
    const uint64_t chunk = 200000;
    uint64_t x = 88172645463325252ull, sum = 0, faults = 0;
    double rate[REPS];
    for (int rep = 0; rep < REPS; rep++) {
        uint64_t n = 0;
        double dt = 0;
        while (dt < MIN_WINDOW) {
            double t0 = now();
            for (uint64_t i = 0; i < chunk; i++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                gr_vm_result r;
                gr_vm_access(vm, pid, a + (x % (pages * pg) & ~7ull), GR_ACC_READ, NULL, 0, &r);
                sum += r.pa;
                faults += r.faults;
            }
            dt += now() - t0;
            n += chunk;
        }
        rate[rep] = (double)n / dt / 1e6;
    }
    printf("translations via gr_vm_access, %-6s backend, %2lluK pages, %llu-page working set: "
           "median %.2f M/s (%d runs, %llu faults, checksum %llx)\n",
           mmu ? "gr_mmu" : "direct", (unsigned long long)(pg >> 10),
           (unsigned long long)pages, median(rate, REPS), REPS, (unsigned long long)faults,
           (unsigned long long)(sum & 0xffff));
    gr_vm_destroy(vm);
    gr_vmbe_destroy(&be);
    gr_pmem_destroy(mem);
}

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Pages as the VM layer's PATTERN store data leaves them: 128 stores per
 * page (pointers into the page, small integers, some random words). */
static void pattern_pages(uint8_t *buf, unsigned n)
{
    memset(buf, 0, (size_t)n * 4096);
    uint64_t k = 0;
    for (unsigned p = 0; p < n; p++)
        for (unsigned i = 0; i < 128; i++) {
            uint64_t h = mix(++k), off = (h >> 20) & 0xff8, v = h;
            if ((h & 3) == 1)
                v = 0x7f0000000000ull + p * 4096ull + (h >> 8 & 0xff8);
            else if ((h & 3) > 1)
                v = h >> 56;
            memcpy(buf + p * 4096ull + off, &v, 8);
        }
}

/* gr_vmcomp_put (LZ4 into segments in simulated RAM, slot bookkeeping)
 * against LZ4_compress_default alone on the same 4 KiB pages. */
static void compressor(void)
{
    enum { N = 2048 };
    uint8_t *pages = malloc((size_t)N * 4096);
    static char out[LZ4_COMPRESSBOUND(4096)];
    pattern_pages(pages, N);
    gr_pmem *mem = gr_pmem_create();
    gr_pmem_add_region(mem, 0x80000000ull, 64ull << 20, "dram");
    gr_vmpage *pg = gr_vmpage_create(mem, 0x80000000ull, 64ull << 20);
    gr_vmcomp_config cc = {0};
    cc.max_segments = 512;
    gr_vmcomp *c = gr_vmcomp_create(mem, pg, &cc, NULL);
    static uint64_t h[N];
    double raw[REPS], pool[REPS];
    uint64_t raw_in = 0, outb = 0;
    for (int rep = 0; rep < REPS; rep++) {
        uint64_t n = 0;
        double dt = 0;
        while (dt < MIN_WINDOW) {
            double t0 = now();
            for (unsigned i = 0; i < N; i++)
                outb += (uint64_t)LZ4_compress_default((const char *)pages + i * 4096ull, out,
                                                       4096, (int)sizeof out);
            dt += now() - t0;
            n += N;
            raw_in += (uint64_t)N * 4096;
        }
        raw[rep] = (double)n * 4096 / dt / 1e6;
        n = 0;
        dt = 0;
        while (dt < MIN_WINDOW) {
            double t0 = now();
            for (unsigned i = 0; i < N; i++)
                gr_vmcomp_put(c, pages + i * 4096ull, 4096, &h[i]);
            dt += now() - t0;
            for (unsigned i = 0; i < N; i++)
                gr_vmcomp_free(c, h[i]);
            n += N;
        }
        pool[rep] = (double)n * 4096 / dt / 1e6;
    }
    double r = median(raw, REPS), p = median(pool, REPS);
    printf("compression, 4K PATTERN pages: LZ4_compress_default median %.0f MB/s, "
           "gr_vmcomp_put median %.0f MB/s (%.0f%% of raw; LZ4 ratio %.2fx)\n",
           r, p, 100.0 * p / r, (double)raw_in / (double)(outb ? outb : 1));
    gr_vmcomp_destroy(c);
    gr_vmpage_destroy(pg);
    gr_pmem_destroy(mem);
    free(pages);
}

/* Faults per second on a footprint of 3x RAM (16 MiB) written with
 * PATTERN store data then read back: zero fills, compressions by the
 * pageout daemon, decompressions (and swap reads with swap). */
static void pressure(bool swap)
{
    double rate[REPS];
    uint64_t faults = 0, comps = 0, swapouts = 0;
    double window = 0;
    for (int rep = 0; rep < REPS; rep++) {
        uint64_t n = 0;
        double dt = 0;
        while (dt < MIN_WINDOW) {
            char dir[] = "/tmp/granule_benchvm_XXXXXX";
            if (swap && !mkdtemp(dir))
                return;
            gr_pmem *mem = gr_pmem_create();
            gr_vmbe be;
            gr_vmbe_direct(mem, &be);
            gr_vm_config c;
            gr_vm_config_default(&c);
            c.ram_size = 16ull << 20;
            c.shared_cache_size = 0;
            c.tlbi_log_max = 0;
            c.pageout = true;
            c.store_data = GR_VM_STORE_PATTERN;
            c.comp.max_segments = swap ? 1 : 4096;
            c.comp.max_swapfiles = 64;
            c.comp.swap_dir = swap ? dir : NULL;
            gr_vm *vm = gr_vm_create(&c, mem, &be, NULL);
            int pid;
            gr_vm_spawn(vm, "bench", 12, NULL, &pid);
            const uint64_t pages = 3 * (16ull << 20) / 4096;
            uint64_t a;
            gr_vm_mmap(vm, pid, 0, pages * 4096, GR_PROT_READ | GR_PROT_WRITE,
                       GR_MAP_PRIVATE | GR_MAP_ANON, NULL, 0, &a);
            gr_vm_stats s0, s1;
            gr_vm_get_stats(vm, &s0);
            double t0 = now();
            for (int pass = 0; pass < 2; pass++)
                for (uint64_t i = 0; i < pages; i++)
                    gr_vm_access(vm, pid, a + i * 4096 + (i * 8 & 0xff8),
                                 pass ? GR_ACC_READ : GR_ACC_WRITE, NULL, 0, NULL);
            dt += now() - t0;
            gr_vm_get_stats(vm, &s1);
            gr_vmcomp_stats cs;
            gr_vmcomp_get_stats(gr_vm_comp(vm), &cs);
            n += s1.faults - s0.faults;
            comps += s1.compressions - s0.compressions;
            swapouts += cs.swapouts;
            gr_vm_destroy(vm);
            gr_vmbe_destroy(&be);
            gr_pmem_destroy(mem);
            if (swap)
                rmdir(dir);
        }
        rate[rep] = (double)n / dt / 1e6;
        faults += n;
        window += dt;
    }
    printf("faults under pressure (3x RAM, write then read, %s): median %.2f M/s "
           "(%llu faults, %llu compressions, %llu segment swapouts in %.2f s)\n",
           swap ? "compressor + encrypted swap" : "compressor only", median(rate, REPS),
           (unsigned long long)faults, (unsigned long long)comps,
           (unsigned long long)swapouts, window);
}

/* An optional argument runs one part only (for profiling): "fresh",
 * "recycled", "direct", "mmu", "compress" or "pressure". */
int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : "";
    printf("bench_vm: rates per second of this thread's CPU time\n");
#define PART_(name) (!*only || !strcmp(only, name))
    for (unsigned shift = 12; shift <= 14; shift += 2) {
        if (PART_("fresh"))
            faults(shift, 0);
        if (PART_("recycled"))
            faults(shift, 1);
    }
    for (int mmu = 0; mmu <= 1; mmu++)
        for (unsigned shift = 12; shift <= 14; shift += 2)
            if (PART_(mmu ? "mmu" : "direct"))
                translations(mmu, shift);
    if (PART_("compress"))
        compressor();
    if (PART_("pressure")) {
        pressure(false);
        pressure(true);
    }
#undef PART_
    return 0;
}
