/*
 * Synthetic trace generators (granule/tracegen.h).
 *
 * Golden values: the splitmix64 and xoshiro256** outputs below were computed
 * by a separate Python transcription of the published reference code
 * (splitmix64.c and xoshiro256starstar.c by Vigna); splitmix64 from state 0
 * giving e220a8397b1dcdaf, 6e789e6aa1b965f4, ... is the sequence quoted
 * with that code. Every other property is checked from the definition of
 * the stream (strides, the cycle of a pointer chase, the quantum of an
 * interleave) or statistically against a binomial tolerance, and the PAC
 * workload is authenticated with the model's own gr_pac_auth().
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "granule/pac.h"
#include "granule/regs.h"
#include "granule/tracegen.h"

/* Draws all the records of g into a fresh array (at most max). */
static gr_trace_rec *drain(gr_tracegen *g, size_t max, size_t *n)
{
    gr_trace_rec *v = calloc(max + 1, sizeof *v);
    assert_non_null(v);
    size_t i = 0;
    while (i <= max && gr_tracegen_next(g, &v[i]))
        i++;
    assert_true(i <= max);
    *n = i;
    return v;
}

static gr_tracegen *make(const gr_tracegen_params *p)
{
    char err[200] = "";
    gr_tracegen_status st;
    gr_tracegen *g = gr_tracegen_create(p, &st, err, sizeof err);
    if (!g)
        fail_msg("gr_tracegen_create: %s", err);
    assert_int_equal(st, GR_TRACEGEN_OK);
    return g;
}

static gr_trace_rec *gen(const gr_tracegen_params *p, size_t max, size_t *n)
{
    gr_tracegen *g = make(p);
    gr_trace_rec *v = drain(g, max, n);
    gr_tracegen_destroy(g);
    return v;
}

/* |observed - n p| within 5 standard deviations of Binomial(n, p). */
static void assert_binomial(uint64_t observed, uint64_t n, double p)
{
    double mean = (double)n * p, sd = sqrt((double)n * p * (1 - p));
    if (fabs((double)observed - mean) > 5 * sd + 1e-9)
        fail_msg("%llu of %llu, expected %.1f +- %.1f (5 sd)", (unsigned long long)observed,
                 (unsigned long long)n, mean, 5 * sd);
}

static void test_tracegen_prng_reference_values(void **state)
{
    (void)state;
    uint64_t s = 0;
    assert_int_equal(gr_tracegen_splitmix64(&s), 0xe220a8397b1dcdafu);
    assert_int_equal(gr_tracegen_splitmix64(&s), 0x6e789e6aa1b965f4u);
    assert_int_equal(gr_tracegen_splitmix64(&s), 0x06c45d188009454fu);
    assert_int_equal(gr_tracegen_splitmix64(&s), 0xf88bb8a8724c81ecu);

    gr_tracegen_rng r;
    gr_tracegen_rng_seed(&r, 1);
    assert_int_equal(gr_tracegen_rng_next(&r), 0xb3f2af6d0fc710c5u);
    assert_int_equal(gr_tracegen_rng_next(&r), 0x853b559647364ceau);
    assert_int_equal(gr_tracegen_rng_next(&r), 0x92f89756082a4514u);
    assert_int_equal(gr_tracegen_rng_next(&r), 0x642e1c7bc266a3a7u);
    gr_tracegen_rng_seed(&r, 0x123456789abcdefu);
    assert_int_equal(gr_tracegen_rng_next(&r), 0xa2c2a42038d4ec3du);
    assert_int_equal(gr_tracegen_rng_next(&r), 0x05fc25d0738e7b0fu);
    assert_int_equal(gr_tracegen_rng_next(&r), 0x625e7bff938e701eu);
}

static void test_tracegen_below_is_uniform_and_in_range(void **state)
{
    (void)state;
    gr_tracegen_rng r;
    gr_tracegen_rng_seed(&r, 7);
    enum { N = 7, DRAWS = 70000 };
    uint64_t hist[N] = {0};
    for (int i = 0; i < DRAWS; i++) {
        uint64_t x = gr_tracegen_rng_below(&r, N);
        assert_true(x < N);
        hist[x]++;
    }
    for (int k = 0; k < N; k++)
        assert_binomial(hist[k], DRAWS, 1.0 / N);
    assert_int_equal(gr_tracegen_rng_below(&r, 0), 0);
    assert_int_equal(gr_tracegen_rng_below(&r, 1), 0);
    /* n close to 2^64: rejection must still terminate and stay below n. */
    for (int i = 0; i < 100; i++)
        assert_true(gr_tracegen_rng_below(&r, UINT64_MAX - 5) < UINT64_MAX - 5);
}

/* Same seed: identical bytes; another seed: a different stream. */
static void check_reproducible(gr_tracegen_params *p, size_t max)
{
    size_t n1, n2, n3;
    gr_trace_rec *a = gen(p, max, &n1);
    gr_trace_rec *b = gen(p, max, &n2);
    assert_int_equal(n1, n2);
    assert_true(n1 > 0);
    assert_memory_equal(a, b, n1 * sizeof *a);
    p->seed ^= 0x5555;
    gr_trace_rec *c = gen(p, max, &n3);
    assert_int_equal(n1, n3);
    assert_memory_not_equal(a, c, n1 * sizeof *a);
    free(a);
    free(b);
    free(c);
}

static void test_tracegen_reproducible_from_seed(void **state)
{
    (void)state;
    for (int k = GR_TRACEGEN_SEQ; k <= GR_TRACEGEN_PAC; k++) {
        gr_tracegen_params p;
        gr_tracegen_params_default(&p, (gr_tracegen_kind)k);
        p.count = 5000;
        p.footprint = 1u << 20;
        p.ifetch = 1;
        check_reproducible(&p, 20000);
    }
}

static void test_tracegen_seq_steps_by_stride_and_wraps(void **state)
{
    (void)state;
    gr_tracegen_params p;
    gr_tracegen_params_default(&p, GR_TRACEGEN_SEQ);
    p.count = 3000;
    p.footprint = 1000 * 8;
    p.write_frac = 0.25;
    size_t n;
    gr_trace_rec *v = gen(&p, p.count, &n);
    assert_int_equal(n, 3000);
    uint64_t writes = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(v[i].kind == GR_TREC_READ || v[i].kind == GR_TREC_WRITE);
        writes += v[i].kind == GR_TREC_WRITE;
        assert_int_equal(v[i].size, 8);
        assert_int_equal(v[i].task, 1);
        assert_int_equal(v[i].pac_key, GR_TRACE_PAC_NONE);
        /* The default stride of a sequential stream is the access size. */
        assert_int_equal(v[i].va, p.base + (i % 1000) * 8);
        if (i + 1 < n && (i + 1) % 1000 != 0)
            assert_int_equal(v[i + 1].va - v[i].va, 8);
    }
    assert_binomial(writes, n, 0.25);
    free(v);

    p.stride = 24;
    p.footprint = 1u << 20;
    p.write_frac = 0;
    v = gen(&p, p.count, &n);
    for (size_t i = 0; i + 1 < n; i++) {
        assert_int_equal(v[i + 1].va - v[i].va, 24);
        assert_int_equal(v[i].kind, GR_TREC_READ);
    }
    free(v);
}

static void test_tracegen_stride_defaults_to_a_page(void **state)
{
    (void)state;
    gr_tracegen_params p;
    gr_tracegen_params_default(&p, GR_TRACEGEN_STRIDE);
    p.count = 100;
    p.page_size = 16384;
    p.footprint = 16384 * 64;
    size_t n;
    gr_trace_rec *v = gen(&p, p.count, &n);
    assert_int_equal(n, 100);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(v[i].va, p.base + (i % 64) * 16384);
    free(v);
}

static void test_tracegen_random_stays_in_footprint(void **state)
{
    (void)state;
    gr_tracegen_params p;
    gr_tracegen_params_default(&p, GR_TRACEGEN_RANDOM);
    p.count = 40000;
    p.size = 64;
    p.footprint = 64 * 64; /* 64 slots */
    p.write_frac = 1;
    size_t n;
    gr_trace_rec *v = gen(&p, p.count, &n);
    uint64_t hist[64] = {0};
    for (size_t i = 0; i < n; i++) {
        assert_true(v[i].va >= p.base && v[i].va < p.base + p.footprint);
        assert_int_equal(v[i].va % 64, 0);
        assert_int_equal(v[i].kind, GR_TREC_WRITE);
        hist[(v[i].va - p.base) / 64]++;
    }
    for (int k = 0; k < 64; k++)
        assert_binomial(hist[k], n, 1.0 / 64);
    free(v);
}

static void test_tracegen_chase_visits_every_node_once_per_lap(void **state)
{
    (void)state;
    enum { NODES = 5000 };
    gr_tracegen_params p;
    gr_tracegen_params_default(&p, GR_TRACEGEN_CHASE);
    p.footprint = (uint64_t)NODES * p.page_size;
    p.count = 3 * NODES;
    size_t n;
    gr_trace_rec *v = gen(&p, p.count, &n);
    assert_int_equal(n, 3 * NODES);
    char *seen = calloc(NODES, 1);
    assert_non_null(seen);
    size_t in_order = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t off = v[i].va - p.base;
        assert_int_equal(off % p.page_size, 0);
        uint64_t node = off / p.page_size;
        assert_true(node < NODES);
        if (i < NODES) {
            assert_int_equal(seen[node], 0); /* once per lap */
            seen[node] = 1;
        } else {
            assert_int_equal(v[i].va, v[i - NODES].va); /* then the same lap again */
        }
        if (i > 0 && v[i].va == v[i - 1].va + p.page_size)
            in_order++;
    }
    assert_int_equal(v[0].va, p.base); /* the chase starts at node 0 */
    /* A random cycle is not the identity walk: successors that happen to be
     * the next node are rare (about one per lap). */
    assert_true(in_order < 30);
    free(seen);
    free(v);
}

static void test_tracegen_fetches_interleave_before_each_access(void **state)
{
    (void)state;
    gr_tracegen_params p;
    gr_tracegen_params_default(&p, GR_TRACEGEN_RANDOM);
    p.count = 50;
    p.ifetch = 3;
    p.code_size = 40; /* 10 instructions: the loop wraps */
    size_t n;
    gr_trace_rec *v = gen(&p, 1000, &n);
    assert_int_equal(n, 50 * 4);
    uint64_t f = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % 4 < 3) {
            assert_int_equal(v[i].kind, GR_TREC_FETCH);
            assert_int_equal(v[i].va, p.code_base + (f % 10) * 4);
            assert_int_equal(v[i].pc, v[i].va);
            f++;
        } else {
            assert_true(v[i].kind != GR_TREC_FETCH);
            assert_int_equal(v[i].pc, v[i - 1].va); /* issued by the last fetch */
        }
    }
    free(v);
}

static void test_tracegen_multi_switches_every_quantum(void **state)
{
    (void)state;
    enum { T = 3, Q = 70 };
    const uint64_t counts[T] = {1000, 500, 1234};
    const uint16_t asids[T] = {5, 9, 300};
    gr_tracegen *tasks[T];
    gr_trace_rec *alone[T];
    size_t nalone[T];
    for (int t = 0; t < T; t++) {
        gr_tracegen_params p;
        gr_tracegen_params_default(&p, t == 1 ? GR_TRACEGEN_CHASE : GR_TRACEGEN_RANDOM);
        p.count = counts[t];
        p.seed = 100 + (uint64_t)t;
        p.task = 10 + (uint32_t)t;
        p.footprint = 1u << 22;
        tasks[t] = make(&p);
        alone[t] = gen(&p, counts[t], &nalone[t]);
    }
    char err[200];
    gr_tracegen_status st;
    gr_tracegen *g = gr_tracegen_create_multi(tasks, asids, T, Q, &st, err, sizeof err);
    assert_non_null(g);
    size_t n;
    gr_trace_rec *v = drain(g, 10000, &n);
    gr_tracegen_destroy(g);

    size_t pos[T] = {0}, since = 0, switches = 0;
    int cur = -1, expect_next = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].kind == GR_TREC_CTXSW) {
            /* The previous turn was a full quantum, or its task ran out. */
            if (cur >= 0)
                assert_true(since == Q || pos[cur] == nalone[cur]);
            /* Round robin over the tasks that still have records. */
            while (pos[expect_next] == nalone[expect_next])
                expect_next = (expect_next + 1) % T;
            cur = expect_next;
            expect_next = (expect_next + 1) % T;
            assert_int_equal(v[i].task, 10 + cur);
            assert_int_equal(v[i].arg[0], asids[cur]);
            since = 0;
            switches++;
            continue;
        }
        assert_true(cur >= 0);
        assert_true(since < Q);
        since++;
        /* Each task's records are exactly its stand-alone stream. */
        assert_true(pos[cur] < nalone[cur]);
        assert_memory_equal(&v[i], &alone[cur][pos[cur]], sizeof v[i]);
        pos[cur]++;
    }
    for (int t = 0; t < T; t++) {
        assert_int_equal(pos[t], nalone[t]);
        free(alone[t]);
    }
    /* ceil(count / Q) turns per task. */
    assert_int_equal(switches, (1000 + Q - 1) / Q + (500 + Q - 1) / Q + (1234 + Q - 1) / Q);
    free(v);
}

/* ---- PAC workload, signed and authenticated by the model ---------------- */

typedef struct {
    gr_pac *pac;
} signer;

static gr_pac_key model_key(unsigned k)
{
    return k == GR_TRACE_PAC_IA ? GR_PAC_KEY_IA : GR_PAC_KEY_DA;
}

static uint64_t sign_with_model(void *ctx, uint64_t ptr, unsigned key, uint64_t mod, unsigned el)
{
    signer *s = ctx;
    gr_pac_req req = {.ptr = ptr, .modifier = mod, .key = model_key(key), .el = (uint8_t)el};
    gr_pac_res res;
    assert_int_equal(gr_pac_sign(s->pac, &req, &res), GR_PAC_OK);
    return res.value;
}

static bool authenticates(gr_pac *c, const gr_trace_rec *r, uint64_t *stripped)
{
    gr_pac_req req = {.ptr = r->va, .modifier = r->modifier, .key = model_key(r->pac_key),
                      .el = r->el, .combined = true};
    gr_pac_res res;
    assert_int_equal(gr_pac_auth(c, &req, &res), GR_PAC_OK);
    *stripped = res.value;
    return !res.failed;
}

static void test_tracegen_pac_tampered_fraction_and_auth(void **state)
{
    (void)state;
    /* FEAT_PAuth with QARMA5 (the reset ID registers), 48-bit VAs
     * (T0SZ = T1SZ = 16), TBI0, EnIA/EnDA set: the keys are the QARMA
     * paper's test key. */
    gr_regs regs;
    gr_regs_reset(&regs);
    regs.tcr = 0x0000002080100010u;
    regs.sctlr = 0xB8D0380Cu;
    regs.apiakeyhi = regs.apdakeyhi = 0x84be85ce9804e94bu;
    regs.apiakeylo = regs.apdakeylo = 0xec2802d4e0a488e9u;
    gr_pac_status pst;
    signer s = {gr_pac_create(&regs, &pst)};
    assert_non_null(s.pac);
    assert_int_equal(gr_pac_bottom_bit(s.pac, false), 48);

    enum { N = 20000 };
    gr_tracegen_params p;
    gr_tracegen_params_default(&p, GR_TRACEGEN_PAC);
    p.count = N;
    p.seed = 42;
    p.sign = sign_with_model;
    p.sign_ctx = &s;
    p.pac_bottom = gr_pac_bottom_bit(s.pac, false);
    p.tamper_frac = 0;
    size_t n0, n1;
    gr_trace_rec *clean = gen(&p, N, &n0);
    p.tamper_frac = 0.1;
    gr_trace_rec *v = gen(&p, N, &n1);
    assert_int_equal(n0, N);
    assert_int_equal(n1, N);

    uint64_t tampered = 0, rets = 0, unsigned_pac = 0;
    for (size_t i = 0; i < N; i++) {
        uint64_t plain;
        /* Untampered: every signed pointer authenticates to the raw one. */
        assert_true(authenticates(s.pac, &clean[i], &plain));
        /* Signed: the 7 PAC bits [54:48] (TBI) are zero only by chance. */
        unsigned_pac += clean[i].va == plain;
        if (clean[i].pac_key == GR_TRACE_PAC_IA) {
            rets++;
            assert_int_equal(clean[i].kind, GR_TREC_FETCH);
            assert_true(plain >= p.code_base && plain < p.code_base + p.code_size);
            assert_true(clean[i].modifier < p.stack_base &&
                        clean[i].modifier >= p.stack_base - p.stack_size);
        } else {
            assert_int_equal(clean[i].pac_key, GR_TRACE_PAC_DA);
            assert_true(clean[i].kind == GR_TREC_READ || clean[i].kind == GR_TREC_WRITE);
            assert_true(plain >= p.base && plain < p.base + p.footprint);
        }
        /* With tampering the same stream, except where one PAC bit flipped:
         * exactly those fail. */
        uint64_t diff = clean[i].va ^ v[i].va;
        uint64_t out;
        if (diff == 0) {
            assert_true(authenticates(s.pac, &v[i], &out));
        } else {
            tampered++;
            assert_int_equal(diff & (diff - 1), 0); /* one bit */
            assert_true(diff >= (UINT64_C(1) << 48) && diff <= (UINT64_C(1) << 54));
            assert_false(authenticates(s.pac, &v[i], &out));
        }
        v[i].va = clean[i].va;
        assert_memory_equal(&v[i], &clean[i], sizeof v[i]);
    }
    assert_binomial(tampered, N, 0.1);
    assert_binomial(rets, N, 0.5);
    assert_binomial(unsigned_pac, N, 1.0 / 128);
    free(clean);
    free(v);
    gr_pac_destroy(s.pac);
}

/* Each bad parameter is rejected with a message naming it. */
static void test_tracegen_rejects_bad_parameters(void **state)
{
    (void)state;
    static const char *const words[] = {"size",     "size",  "page size", "footprint", "base",
                                        "wraps",    "write", "EL",        "code",      "chase",
                                        "fraction", "bottom", "stack",    "kind"};
    enum { NCASES = sizeof words / sizeof words[0] };
    for (int c = 0; c < NCASES; c++) {
        gr_tracegen_params p;
        gr_tracegen_params_default(&p, c >= 10 && c <= 12 ? GR_TRACEGEN_PAC
                                       : c == 9           ? GR_TRACEGEN_CHASE
                                                          : GR_TRACEGEN_SEQ);
        switch (c) {
        case 0: p.size = 0; break;
        case 1: p.size = 8192; break;
        case 2: p.page_size = 3000; break;
        case 3: p.footprint = 4; break;
        case 4: p.base = 0x1004; break;
        case 5: p.base = UINT64_MAX - 4095; break;
        case 6: p.write_frac = NAN; break;
        case 7: p.el = 2; break;
        case 8: p.ifetch = 1; p.code_size = 2; break;
        case 9: p.footprint = 100; p.stride = 4096; break; /* no whole node */
        case 10: p.tamper_frac = 1.5; break;
        case 11: p.pac_bottom = 55; break;
        case 12: p.stack_base = 0x1008; break;
        case 13: p.kind = GR_TRACEGEN_MULTI; break;
        }
        char err[200] = "";
        gr_tracegen_status st = GR_TRACEGEN_OK;
        gr_tracegen *g = gr_tracegen_create(&p, &st, err, sizeof err);
        if (g || st != GR_TRACEGEN_EPARAM || !strstr(err, words[c]))
            fail_msg("case %d: got %p, status %d, message \"%s\" (want \"%s\")", c, (void *)g,
                     (int)st, err, words[c]);
    }
    /* An interleave without tasks, or with quantum 0, is refused too (and
     * the tasks handed over are freed: the sanitizer build checks). */
    gr_tracegen_params p;
    gr_tracegen_params_default(&p, GR_TRACEGEN_SEQ);
    gr_tracegen *t[1] = {make(&p)};
    uint16_t asid = 1;
    char err[200] = "";
    gr_tracegen_status st;
    assert_null(gr_tracegen_create_multi(t, &asid, 1, 0, &st, err, sizeof err));
    assert_int_equal(st, GR_TRACEGEN_EPARAM);
    assert_non_null(strstr(err, "quantum"));
    assert_null(gr_tracegen_create_multi(NULL, &asid, 0, 5, &st, err, sizeof err));
    assert_int_equal(st, GR_TRACEGEN_EPARAM);
    gr_tracegen_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tracegen_prng_reference_values),
        cmocka_unit_test(test_tracegen_below_is_uniform_and_in_range),
        cmocka_unit_test(test_tracegen_reproducible_from_seed),
        cmocka_unit_test(test_tracegen_seq_steps_by_stride_and_wraps),
        cmocka_unit_test(test_tracegen_stride_defaults_to_a_page),
        cmocka_unit_test(test_tracegen_random_stays_in_footprint),
        cmocka_unit_test(test_tracegen_chase_visits_every_node_once_per_lap),
        cmocka_unit_test(test_tracegen_fetches_interleave_before_each_access),
        cmocka_unit_test(test_tracegen_multi_switches_every_quantum),
        cmocka_unit_test(test_tracegen_pac_tampered_fraction_and_auth),
        cmocka_unit_test(test_tracegen_rejects_bad_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
