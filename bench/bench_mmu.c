/*
 * Replay throughput of the MMU model (gr_mmu_translate: TLBs, walk caches,
 * walker and timing) on two synthetic streams, for each preset in configs/:
 *   hit-dominated  random accesses to 32 data pages and 8 code pages (all
 *                  L1 hits after warm-up)
 *   miss-heavy     random accesses over 64K pages (256 MB): L1 and mostly
 *                  L2 misses, walks that hit the walk cache
 * and, as the yardstick for the hit path, a bare hashed 48-entry fully
 * associative true-LRU lookup (no timing, statistics or permission checks)
 * on the same hit-dominated requests, timed in the same run so a busy
 * shared machine slows both alike.
 * Arguments (optional): the configs directory, one preset name, the number
 * of repetitions (default 200) of the hit-dominated stream.
 * Prints translations per second of this thread's CPU time (so a busy
 * shared machine that preempts the benchmark does not count against it;
 * cache and frequency sharing still do); asserts nothing about speed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "granule/config.h"
#include "granule/mmu.h"

#define RAM_BASE 0x40000000ull
#define RAM_SIZE (1024ull << 20)
#define NPAGES 65536u
#define VA_BASE 0x0000004000000000ull

static uint64_t next_free = RAM_BASE;

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static inline uint64_t xorshift(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* 4K granule, 48-bit VA, start level 0: map va -> pa with a page. */
static void map_page(gr_pmem *mem, uint64_t ttb, uint64_t va, uint64_t pa)
{
    uint64_t table = ttb;
    for (int level = 0;; level++) {
        unsigned shift = 12 + 9 * (unsigned)(3 - level);
        uint64_t slot = table + (((va >> shift) & 511) << 3);
        uint64_t d;
        gr_pmem_read64(mem, slot, &d);
        if (level == 3) {
            /* AF = 1, AP = RW at EL1 and EL0, Normal memory AttrIndx 0 */
            gr_pmem_write64(mem, slot, pa | (1ull << 10) | (1u << 6) | 3);
            return;
        }
        if (!(d & 1)) {
            d = next_free | 3;
            next_free += 4096;
            gr_pmem_write64(mem, slot, d);
        }
        table = d & 0x0000fffffffff000ull;
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#define NREQ (1u << 16)

/* The yardstick: 48 entries, a 256-bucket open-addressed hash from VA page
 * to entry, a stamp per entry for true LRU (a hit is one store). A miss
 * evicts the least recent entry and rebuilds the hash (misses only occur
 * while warming up on the hit-dominated stream). */
#define BARE_N 48
#define BARE_H 256
typedef struct bare {
    uint64_t tag[BARE_N], pa[BARE_N], stamp[BARE_N], clock;
    int8_t hash[BARE_H];
} bare;

static unsigned bare_slot(uint64_t vpn)
{
    return (unsigned)((vpn * 0x9e3779b97f4a7c15ull) >> 56);
}

static void bare_rehash(bare *b)
{
    memset(b->hash, -1, sizeof b->hash);
    for (int i = 0; i < BARE_N; i++) {
        if (b->tag[i] == ~0ull)
            continue;
        unsigned h = bare_slot(b->tag[i]);
        while (b->hash[h] >= 0)
            h = (h + 1) & (BARE_H - 1);
        b->hash[h] = (int8_t)i;
    }
}

static __attribute__((noinline)) uint64_t bare_lookup(bare *b, uint64_t va)
{
    uint64_t vpn = va >> 12;
    for (unsigned h = bare_slot(vpn);; h = (h + 1) & (BARE_H - 1)) {
        int i = b->hash[h];
        if (i < 0)
            break;
        if (b->tag[i] == vpn) {
            b->stamp[i] = ++b->clock;
            return b->pa[i] | (va & 0xfff);
        }
    }
    int v = 0;
    for (int i = 1; i < BARE_N; i++)
        if (b->stamp[i] < b->stamp[v])
            v = i;
    b->tag[v] = vpn;
    b->pa[v] = (vpn << 12) ^ 0x40000000ull; /* any translation will do */
    b->stamp[v] = ++b->clock;
    bare_rehash(b);
    return b->pa[v] | (va & 0xfff);
}

static double run_bare(const gr_mmu_req *reqs, unsigned n, unsigned reps)
{
    static bare b;
    memset(&b, 0, sizeof b);
    for (int i = 0; i < BARE_N; i++)
        b.tag[i] = ~0ull;
    bare_rehash(&b);
    uint64_t sink = 0;
    for (unsigned i = 0; i < n; i++) /* warm-up */
        sink += bare_lookup(&b, reqs[i].r.va);
    double t0 = now();
    for (unsigned r = 0; r < reps; r++)
        for (unsigned i = 0; i < n; i++)
            sink += bare_lookup(&b, reqs[i].r.va);
    double dt = now() - t0;
    if (sink == 42)
        printf("!");
    return (double)n * reps / dt;
}

static double run(gr_mmu *m, const gr_mmu_req *reqs, unsigned n, unsigned reps, uint64_t *cyc)
{
    gr_mmu_resp resp;
    uint64_t sink = 0, t = 0;
    double t0 = now();
    for (unsigned r = 0; r < reps; r++) {
        for (unsigned i = 0; i < n; i++) {
            gr_mmu_req q = reqs[i];
            q.t = t;
            gr_mmu_translate(m, &q, &resp);
            t = resp.t_accept + 1;
            sink += resp.pa;
        }
    }
    double dt = now() - t0;
    *cyc = t + (sink & 1);
    return (double)n * reps / dt;
}

/* The replay fast path: gr_mmu_translate_n() over batches of 256 requests
 * presented back to back (GR_MMU_T_NEXT), as granule replay issues them. */
#define BATCH 256
static double run_n(gr_mmu *m, const gr_mmu_req *reqs, unsigned n, unsigned reps)
{
    static gr_mmu_resp resp[BATCH];
    uint64_t sink = 0;
    double t0 = now();
    for (unsigned r = 0; r < reps; r++) {
        for (unsigned i = 0; i < n;) {
            unsigned want = n - i < BATCH ? n - i : BATCH;
            size_t got = gr_mmu_translate_n(m, reqs + i, want, resp);
            for (size_t k = 0; k < got; k++)
                sink += resp[k].pa;
            i += (unsigned)got;
        }
    }
    double dt = now() - t0;
    if (sink == 42)
        printf("!");
    return (double)n * reps / dt;
}

/* gr_mmu_run(): the same, keeping only statistics and faults. */
static double run_stats(gr_mmu *m, const gr_mmu_req *reqs, unsigned n, unsigned reps)
{
    gr_mmu_resp f;
    double t0 = now();
    for (unsigned r = 0; r < reps; r++)
        for (unsigned i = 0; i < n;)
            i += (unsigned)gr_mmu_run(m, reqs + i, n - i, &f);
    return (double)n * reps / (now() - t0);
}

int main(int argc, char **argv)
{
    static const char *const presets[] = {"a76", "a55", "champsim", "small"};
    /* Default: configs/ next to this source (CMake passes absolute paths). */
    char defdir[512];
    snprintf(defdir, sizeof defdir, "%s", __FILE__);
    char *slash = strrchr(defdir, '/');
    if (slash)
        snprintf(slash, sizeof defdir - (size_t)(slash - defdir), "/../configs");
    else
        snprintf(defdir, sizeof defdir, "configs");
    const char *dir = argc > 1 ? argv[1] : defdir;
    gr_pmem *mem = gr_pmem_create();
    gr_pmem_add_region(mem, RAM_BASE, RAM_SIZE, "ram");
    uint64_t ttb = next_free;
    next_free += 4096;
    uint64_t data_pa = RAM_BASE + (512ull << 20);
    for (unsigned i = 0; i < NPAGES; i++)
        map_page(mem, ttb, VA_BASE + ((uint64_t)i << 12), data_pa + ((uint64_t)i << 12));

    gr_regs regs;
    gr_regs_reset(&regs);
    regs.tcr = 16 | (5ull << 32); /* T0SZ = 16, 4K, IPS 48 bits, EPD1 = 0 */
    regs.tcr |= 1ull << 23;       /* EPD1: no TTBR1 walks */
    regs.ttbr0 = ttb | (1ull << 48);
    regs.mair = 0xff;
    regs.sctlr |= 1;

    gr_mmu_req *hit = malloc(NREQ * sizeof *hit), *miss = malloc(NREQ * sizeof *miss);
    gr_mmu_req *hitn = malloc(NREQ * sizeof *hitn);
    for (unsigned i = 0; i < NREQ; i++) {
        uint64_t r = xorshift();
        bool ifetch = (r & 7) == 0;
        uint64_t page = ifetch ? 1000 + ((r >> 8) & 7) : (r >> 8) & 31;
        hit[i] = (gr_mmu_req){.r = {VA_BASE + (page << 12) + ((r >> 20) & 0xff8),
                                    ifetch ? GR_ACC_EXEC
                                    : ((r >> 4) & 3) == 0 ? GR_ACC_WRITE
                                                          : GR_ACC_READ,
                                    0}};
        uint64_t mp = (r >> 8) % NPAGES;
        miss[i] = (gr_mmu_req){.r = {VA_BASE + (mp << 12) + ((r >> 32) & 0xff8), GR_ACC_READ, 0}};
        hitn[i] = hit[i];
        hitn[i].t = GR_MMU_T_NEXT;
    }

    unsigned reps = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 0) : 200;
    if (!reps)
        reps = 1;
    printf("bench_mmu: gr_mmu_translate throughput (single thread)\n");
    printf("  bare hashed 48-entry FA LRU lookup (yardstick) %7.1f M/s\n",
           run_bare(hit, NREQ, reps) / 1e6);
    for (size_t p = 0; p < sizeof presets / sizeof presets[0]; p++) {
        if (argc > 2 && strcmp(argv[2], presets[p]) != 0)
            continue;
        char path[1100], err[512];
        snprintf(path, sizeof path, "%s/%s.ini", dir, presets[p]);
        gr_config cfg;
        if (gr_config_load(&cfg, path, err, sizeof err) != 0) {
            fprintf(stderr, "bench_mmu: %s\n", err);
            return 1;
        }
        gr_mmu *m = gr_mmu_create(&cfg, mem);
        gr_mmu_set_regs(m, &regs, 0);
        uint64_t cyc;
        run(m, hit, NREQ, 1, &cyc); /* warm-up */
        gr_stats_clear(gr_mmu_stats(m));
        double h = run(m, hit, NREQ, reps, &cyc);
        double hn = run_n(m, hitn, NREQ, reps);
        double hr = run_stats(m, hitn, NREQ, reps);
        const gr_stats *s = gr_mmu_stats(m);
        double l1hr = 100.0 * (double)(gr_stats_tlb_hits(&s->l1d) + gr_stats_tlb_hits(&s->l1i)) /
                      (double)gr_stats_total_accesses(s);
        gr_stats_clear(gr_mmu_stats(m));
        double ms = run(m, miss, NREQ, 10, &cyc);
        double l2hr = s->l2.present ? 100.0 * (double)gr_stats_tlb_hits(&s->l2) /
                                          (double)(gr_stats_tlb_hits(&s->l2) +
                                                   gr_stats_tlb_misses(&s->l2))
                                    : 0.0;
        printf("  %-9s hit-dominated %6.1f M/s per call, %6.1f M/s batched, %6.1f M/s run "
               "(L1 hit %.2f%%)"
               "   miss-heavy %6.2f M/s (L2 hit %.1f%%, %.2f walks/access, mean latency %.1f "
               "cycles)\n",
               presets[p], h / 1e6, hn / 1e6, hr / 1e6, l1hr, ms / 1e6, l2hr,
               (double)s->walks / (double)gr_stats_total_accesses(s),
               (double)s->latency_sum / (double)gr_stats_total_accesses(s));
        gr_mmu_destroy(m);
    }
    free(hit);
    free(hitn);
    free(miss);
    gr_pmem_destroy(mem);
    return 0;
}
