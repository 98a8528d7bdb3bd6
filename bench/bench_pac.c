/*
 * ComputePAC throughput (PACs/s): the table-driven QARMA-64 (QARMA5 and
 * QARMA3) with the key schedule prepared once per key register (as gr_pac
 * holds it) and with raw keys, the pseudocode-shaped reference, and the
 * whole AddPAC / Auth instructions. Prints figures only.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "granule/pac.h"
#include "granule/regs.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static volatile uint64_t sink;

/* splitmix64: cheap varying inputs so no call can be hoisted. */
static inline uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

static void report(const char *what, long n, double secs)
{
    printf("%-44s %10.2f M/s  (%6.1f ns each, %ld ops)\n", what, (double)n / secs / 1e6,
           secs * 1e9 / (double)n, n);
}

static gr_pac *make_ctx(uint64_t isar1, uint64_t isar2)
{
    gr_regs r;
    gr_regs_reset(&r);
    r.id_aa64isar1 = isar1;
    r.id_aa64isar2 = isar2;
    r.sctlr |= (1ull << 31) | (1ull << 30) | (1ull << 27) | (1ull << 13);
    r.tcr = (16ull) | (16ull << 16) | (2ull << 30) | (1ull << 37); /* 48-bit, TBI0 */
    r.apdakeyhi = 0x84be85ce9804e94bull;
    r.apdakeylo = 0xec2802d4e0a488e9ull;
    r.apgakeyhi = 0x84be85ce9804e94bull;
    r.apgakeylo = 0xec2802d4e0a488e9ull;
    gr_pac_status st;
    gr_pac *c = gr_pac_create(&r, &st);
    if (!c) {
        fprintf(stderr, "bench_pac: %s\n", gr_pac_strerror(st));
        exit(1);
    }
    return c;
}

int main(void)
{
    const long n = 4000000, nref = 200000;
    uint64_t acc = 0;
    double t0;

    gr_pac *c5 = make_ctx(0x01000010ull, 0);       /* APA = GPA = 1: QARMA5 */
    gr_pac *c3 = make_ctx(0, 0x0000001100ull);     /* APA3 = GPA3 = 1: QARMA3 */
    gr_pac_qarma *q5 = gr_pac_qarma_create(GR_PAC_SIGMA2, 5);
    if (!q5)
        return 1;

    for (int rep = 0; rep < 2; rep++) { /* first pass warms caches and clocks */
        t0 = now();
        for (long i = 0; i < n; i++) {
            uint64_t v;
            gr_pac_compute(c5, GR_PAC_KEY_DA, mix((uint64_t)i), (uint64_t)i, &v);
            acc ^= v;
        }
        if (rep)
            report("ComputePAC QARMA5 (keyed, gr_pac_compute)", n, now() - t0);
    }
    t0 = now();
    for (long i = 0; i < n; i++) {
        uint64_t v;
        gr_pac_compute(c3, GR_PAC_KEY_DA, mix((uint64_t)i), (uint64_t)i, &v);
        acc ^= v;
    }
    report("ComputePAC QARMA3 (keyed, gr_pac_compute)", n, now() - t0);

    t0 = now();
    for (long i = 0; i < n; i++)
        acc ^= gr_pac_qarma_encrypt(q5, mix((uint64_t)i), (uint64_t)i, 0x84be85ce9804e94bull,
                                    acc | 1);
    report("QARMA5 with a new key each call", n, now() - t0);

    t0 = now();
    uint64_t x = 1;
    for (long i = 0; i < n; i++)
        x = gr_pac_qarma_encrypt(q5, x, (uint64_t)i, 0x84be85ce9804e94bull, 0xec2802d4e0a488e9ull);
    acc ^= x;
    report("QARMA5 latency (dependent chain, raw key)", n, now() - t0);

    t0 = now();
    for (long i = 0; i < nref; i++)
        acc ^= gr_pac_qarma64_ref(mix((uint64_t)i), (uint64_t)i, 0x84be85ce9804e94bull,
                                  0xec2802d4e0a488e9ull, GR_PAC_SIGMA2, 5);
    report("QARMA5 reference (pseudocode-shaped)", nref, now() - t0);

    gr_pac_req req = {.key = GR_PAC_KEY_DA, .el = 0};
    gr_pac_res res;
    t0 = now();
    for (long i = 0; i < n; i++) {
        req.ptr = mix((uint64_t)i) & 0x0000FFFFFFFFFFF0ull;
        req.modifier = (uint64_t)i;
        gr_pac_sign(c5, &req, &res);
        acc ^= res.value;
    }
    report("PACDA (gr_pac_sign, QARMA5)", n, now() - t0);

    t0 = now();
    for (long i = 0; i < n; i++) {
        req.ptr = mix((uint64_t)i);
        req.modifier = (uint64_t)i;
        gr_pac_auth(c5, &req, &res);
        acc ^= res.value;
    }
    report("AUTDA (gr_pac_auth, QARMA5)", n, now() - t0);

    sink = acc;
    gr_pac_qarma_destroy(q5);
    gr_pac_destroy(c5);
    gr_pac_destroy(c3);
    return 0;
}
