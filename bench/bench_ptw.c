/*
 * Cold-walk throughput of the stage-1 walker (no TLB in front): every
 * translation is a full walk from the TTBR. Builds a 4-level 4K table set
 * (and a 3-level 64K one) mapping a few thousand scattered pages, then
 * translates a pseudo-random sequence of mapped VAs. Prints walks/s.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "granule/ptw.h"

#define RAM_BASE 0x40000000ull
#define RAM_SIZE (2048ull << 20)

static uint64_t next_free;

static uint64_t alloc_table(unsigned gbits)
{
    uint64_t pa = next_free;
    next_free += 1ull << gbits;
    return pa;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t xorshift(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Maps va -> pa with a page at level 3, creating tables as needed. */
static void map_page(gr_pmem *mem, const gr_s1half *h, uint64_t va, uint64_t pa)
{
    uint64_t table = h->ttb;
    for (int level = h->start_level;; level++) {
        unsigned shift = h->granule_bits + h->stride * (unsigned)(3 - level);
        unsigned nbits = level == h->start_level ? h->ia_bits - shift : h->stride;
        uint64_t slot = table + (((va >> shift) & ((1ull << nbits) - 1)) << 3);
        uint64_t d;
        gr_pmem_read64(mem, slot, &d);
        if (level == 3) {
            gr_pmem_write64(mem, slot, pa | (1ull << 10) | (1 << 6) | 3);
            return;
        }
        if (!(d & 1)) {
            d = alloc_table(h->granule_bits) | 3;
            gr_pmem_write64(mem, slot, d);
        }
        table = d & 0x0000fffffffff000ull & ~((1ull << h->granule_bits) - 1);
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void run(const char *name, uint64_t tcr, unsigned gbits)
{
    enum { NPAGES = 4096, NWALKS = 4000000 };
    gr_pmem *mem = gr_pmem_create();
    gr_pmem_add_region(mem, RAM_BASE, RAM_SIZE, "ram");
    next_free = RAM_BASE;
    gr_regs regs;
    gr_regs_reset(&regs);
    regs.tcr = tcr;
    regs.ttbr0 = alloc_table(gbits);
    regs.mair = 0xff;
    regs.sctlr |= 1;
    gr_s1ctx ctx;
    gr_s1_decode(&regs, &ctx);
    uint64_t *vas = malloc(NPAGES * sizeof *vas);
    for (int i = 0; i < NPAGES; i++) {
        vas[i] = (xorshift() & 0x0000ffffffffffffull) & ~((1ull << gbits) - 1);
        map_page(mem, &ctx.half[0], vas[i], 0x100000000ull + ((uint64_t)i << gbits));
    }
    gr_xlat x;
    uint64_t faults = 0, sum = 0;
    double t0 = now();
    for (int i = 0; i < NWALKS; i++) {
        gr_req req = {vas[xorshift() % NPAGES] | (uint64_t)(i & 0xff8), GR_ACC_READ, 1};
        gr_s1_translate(&ctx, mem, &req, &x);
        faults += x.fault.type != GR_FAULT_NONE;
        sum += x.pa;
    }
    double dt = now() - t0;
    printf("bench_ptw %-28s %8.2f M walks/s  (%d walks, %.3f s, %d levels, faults %" PRIu64
           ", checksum %" PRIx64 ")\n",
           name, NWALKS / dt / 1e6, NWALKS, dt, 4 - ctx.half[0].start_level, faults, sum);
    free(vas);
    gr_pmem_destroy(mem);
}

int main(void)
{
    /* T0SZ=16, IPS=48 bits; TG0 = 4K (0) / 64K (1). */
    run("4K granule, 48-bit VA", 16 | (5ull << 32), 12);
    run("64K granule, 48-bit VA", 16 | (1ull << 14) | (5ull << 32), 16);
    return 0;
}
