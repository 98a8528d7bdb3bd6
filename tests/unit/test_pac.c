/*
 * Unit tests of pointer authentication (gr_pac_).
 *
 * Golden values:
 *  - QARMA-64: the nine published vectors (Avanzi, ToSC 2017, table of
 *    QARMA-64 test vectors; P, T, w0, k0 as in shared/REFERENCE.md).
 *  - PACGA: ComputePAC(P, T, w0, k0)<63:32>:Zeros(32) = c003b939_00000000,
 *    the QARMA5 vector's top half.
 *  - PAC placement: the PAC *value* comes from gr_pac_qarma64_ref (anchored
 *    by the vectors above); where the Arm ARM's AArch64.AddPAC / Auth /
 *    Strip put it is written out by hand as mask literals:
 *      TBI on:  PAC<54:bottom>, bottom = 64 - TxSZ; bit 55 keeps the range;
 *               TxSZ 16 -> 0x007F000000000000 (7 bits)
 *               TxSZ 25 -> 0x007FFF8000000000 (16 bits)
 *               TxSZ 39 -> 0x007FFFFFFE000000 (30 bits)
 *      TBI off: the same plus PAC<63:56> (0xFF00000000000000).
 *  - Failed Auth without FEAT_PAuth2: error_code = key_number:NOT(key_number)
 *    at <54:53> (TBI) or <62:61> (no TBI).
 *  - FEAT_FPAC: ESR_EL1 = EC 0x1C (<<26 = 0x70000000), IL (0x02000000),
 *    ISS[1:0] = data:key_number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "granule/pac.h"
#include "granule/regs.h"

#define P_VEC 0xfb623599da6e8127ull
#define T_VEC 0x477d469dec0b8762ull
#define W0_VEC 0x84be85ce9804e94bull
#define K0_VEC 0xec2802d4e0a488e9ull

/* Keys of the tests (DA uses the published vector's key). */
#define IA_HI 0x0123456789abcdefull
#define IA_LO 0xfedcba9876543210ull
#define IB_HI 0x1111222233334444ull
#define IB_LO 0x5555666677778888ull
#define DB_HI 0x0f1e2d3c4b5a6978ull
#define DB_LO 0x8796a5b4c3d2e1f0ull

#define SCTLR_EN_ALL ((1ull << 31) | (1ull << 30) | (1ull << 27) | (1ull << 13))
#define TBI0 (1ull << 37)
#define TBI1 (1ull << 38)
#define TBID0 (1ull << 51)
#define TBID1 (1ull << 52)
#define TG1_4K (2ull << 30)
#define TG0_64K (1ull << 14)

#define BIT(n) (1ull << (n))

/* A machine with FEAT_PAuth at `level` (APA = level, QARMA5), GPA = 1, all
 * keys enabled, 4K granules, and the given TxSZ and extra TCR bits. */
static void base_regs(gr_regs *r, unsigned level, unsigned t0sz, unsigned t1sz, uint64_t tcr_extra)
{
    gr_regs_reset(r);
    r->id_aa64isar1 = ((uint64_t)level << 4) | (1ull << 24);
    r->id_aa64isar2 = 0;
    r->sctlr |= SCTLR_EN_ALL;
    r->tcr = (uint64_t)t0sz | ((uint64_t)t1sz << 16) | TG1_4K | tcr_extra;
    r->apiakeyhi = IA_HI;
    r->apiakeylo = IA_LO;
    r->apibkeyhi = IB_HI;
    r->apibkeylo = IB_LO;
    r->apdakeyhi = W0_VEC;
    r->apdakeylo = K0_VEC;
    r->apdbkeyhi = DB_HI;
    r->apdbkeylo = DB_LO;
    r->apgakeyhi = W0_VEC;
    r->apgakeylo = K0_VEC;
}

static gr_pac *make(const gr_regs *r)
{
    gr_pac_status st = GR_PAC_E_NOMEM;
    gr_pac *c = gr_pac_create(r, &st);
    assert_int_equal(st, GR_PAC_OK);
    assert_non_null(c);
    return c;
}

/* The QARMA5 PAC of `data` under key k (independent of gr_pac's tables). */
static uint64_t ref_pac(gr_pac_key k, uint64_t data, uint64_t mod)
{
    switch (k) {
    case GR_PAC_KEY_IA: return gr_pac_qarma64_ref(data, mod, IA_HI, IA_LO, GR_PAC_SIGMA2, 5);
    case GR_PAC_KEY_IB: return gr_pac_qarma64_ref(data, mod, IB_HI, IB_LO, GR_PAC_SIGMA2, 5);
    case GR_PAC_KEY_DA: return gr_pac_qarma64_ref(data, mod, W0_VEC, K0_VEC, GR_PAC_SIGMA2, 5);
    case GR_PAC_KEY_DB: return gr_pac_qarma64_ref(data, mod, DB_HI, DB_LO, GR_PAC_SIGMA2, 5);
    default: return gr_pac_qarma64_ref(data, mod, W0_VEC, K0_VEC, GR_PAC_SIGMA2, 5);
    }
}

static gr_pac_res do_op(const gr_pac *c, bool auth, gr_pac_key k, uint64_t ptr, uint64_t mod,
                        bool combined)
{
    gr_pac_req req = {.ptr = ptr, .modifier = mod, .key = k, .el = 0, .combined = combined};
    gr_pac_res res;
    memset(&res, 0xa5, sizeof res);
    gr_pac_status st = auth ? gr_pac_auth(c, &req, &res) : gr_pac_sign(c, &req, &res);
    assert_int_equal(st, GR_PAC_OK);
    return res;
}

static uint64_t sign(const gr_pac *c, gr_pac_key k, uint64_t ptr, uint64_t mod)
{
    gr_pac_res r = do_op(c, false, k, ptr, mod, false);
    assert_false(r.disabled);
    return r.value;
}

/* ---- QARMA-64 ---------------------------------------------------------- */

static const struct {
    gr_pac_sbox s;
    unsigned r;
    uint64_t c;
} vectors[9] = {
    {GR_PAC_SIGMA0, 5, 0x3ee99a6c82af0c38ull}, {GR_PAC_SIGMA0, 6, 0x9f5c41ec525603c9ull},
    {GR_PAC_SIGMA0, 7, 0xbcaf6c89de930765ull}, {GR_PAC_SIGMA1, 5, 0x544b0ab95bda7c3aull},
    {GR_PAC_SIGMA1, 6, 0xa512dd1e4e3ec582ull}, {GR_PAC_SIGMA1, 7, 0xedf67ff370a483f2ull},
    {GR_PAC_SIGMA2, 5, 0xc003b93999b33765ull}, {GR_PAC_SIGMA2, 6, 0x270a787275c48d10ull},
    {GR_PAC_SIGMA2, 7, 0x5c06a7501b63b2fdull},
};

static void test_pac_qarma64_vectors_reference(void **state)
{
    (void)state;
    for (int i = 0; i < 9; i++)
        assert_int_equal(gr_pac_qarma64_ref(P_VEC, T_VEC, W0_VEC, K0_VEC, vectors[i].s, vectors[i].r),
                         vectors[i].c);
}

static void test_pac_qarma64_vectors_tables(void **state)
{
    (void)state;
    for (int i = 0; i < 9; i++) {
        gr_pac_qarma *q = gr_pac_qarma_create(vectors[i].s, vectors[i].r);
        assert_non_null(q);
        assert_int_equal(gr_pac_qarma_encrypt(q, P_VEC, T_VEC, W0_VEC, K0_VEC), vectors[i].c);
        gr_pac_qarma_destroy(q);
    }
}

/* The table-driven cipher and the reference agree beyond the one vector
 * per (S-box, r): random inputs, every S-box, r = 1..8 (QARMA3 is r = 3). */
static void test_pac_qarma64_tables_match_reference(void **state)
{
    (void)state;
    uint64_t x = 0x243F6A8885A308D3ull;
    for (int s = 0; s < 3; s++) {
        for (unsigned r = 1; r <= GR_PAC_QARMA_MAX_ROUNDS; r++) {
            gr_pac_qarma *q = gr_pac_qarma_create((gr_pac_sbox)s, r);
            assert_non_null(q);
            for (int i = 0; i < 200; i++) {
                uint64_t v[4];
                for (int j = 0; j < 4; j++) { /* xorshift64 */
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    v[j] = x;
                }
                assert_int_equal(gr_pac_qarma_encrypt(q, v[0], v[1], v[2], v[3]),
                                 gr_pac_qarma64_ref(v[0], v[1], v[2], v[3], (gr_pac_sbox)s, r));
            }
            gr_pac_qarma_destroy(q);
        }
    }
}

static void test_pac_qarma64_bad_parameters(void **state)
{
    (void)state;
    assert_null(gr_pac_qarma_create(GR_PAC_SIGMA2, 0));
    assert_null(gr_pac_qarma_create(GR_PAC_SIGMA2, GR_PAC_QARMA_MAX_ROUNDS + 1));
    assert_null(gr_pac_qarma_create((gr_pac_sbox)3, 5));
    assert_int_equal(gr_pac_qarma64_ref(P_VEC, T_VEC, W0_VEC, K0_VEC, GR_PAC_SIGMA2, 0), 0);
    gr_pac_qarma_destroy(NULL);
    gr_pac_destroy(NULL);
}

/* ---- ComputePAC and PACGA ---------------------------------------------- */

static void test_pac_pacga_published(void **state)
{
    (void)state;
    gr_regs r;
    base_regs(&r, 1, 16, 16, 0);
    gr_pac *c = make(&r);
    uint64_t v = 0;
    assert_int_equal(gr_pac_ga(c, P_VEC, T_VEC, 0, &v), GR_PAC_OK);
    assert_int_equal(v, 0xc003b93900000000ull);
    assert_int_equal(gr_pac_compute(c, GR_PAC_KEY_GA, P_VEC, T_VEC, &v), GR_PAC_OK);
    assert_int_equal(v, 0xc003b93999b33765ull);
    /* PACGA is not gated by any SCTLR_EL1.EnXX bit. */
    r.sctlr &= ~SCTLR_EN_ALL;
    assert_int_equal(gr_pac_update(c, &r), GR_PAC_OK);
    assert_int_equal(gr_pac_ga(c, P_VEC, T_VEC, 1, &v), GR_PAC_OK);
    assert_int_equal(v, 0xc003b93900000000ull);
    gr_pac_destroy(c);
}

/* FEAT_PACQARMA3 (APA3/GPA3): ComputePAC is QARMA-64 with sigma1, r = 3. */
static void test_pac_qarma3_selected(void **state)
{
    (void)state;
    gr_regs r;
    base_regs(&r, 1, 16, 16, 0);
    r.id_aa64isar1 = 0;
    r.id_aa64isar2 = (1ull << 12) | (1ull << 8); /* APA3 = 1, GPA3 = 1 */
    gr_pac *c = make(&r);
    assert_int_equal(gr_pac_features_of(c)->addr_algo, GR_PAC_ALGO_QARMA3);
    assert_int_equal(gr_pac_features_of(c)->ga_algo, GR_PAC_ALGO_QARMA3);
    uint64_t v = 0;
    assert_int_equal(gr_pac_ga(c, P_VEC, T_VEC, 0, &v), GR_PAC_OK);
    uint64_t q3 = gr_pac_qarma64_ref(P_VEC, T_VEC, W0_VEC, K0_VEC, GR_PAC_SIGMA1, 3);
    assert_int_equal(v, q3 & 0xFFFFFFFF00000000ull);
    assert_int_not_equal(v, 0xc003b93900000000ull);
    /* PACDA at T0SZ 16 with TBI0: PAC<54:48> of the QARMA3 PAC. */
    gr_pac_destroy(c);
    base_regs(&r, 1, 16, 16, TBI0);
    r.id_aa64isar1 = 0;
    r.id_aa64isar2 = (1ull << 12);
    c = make(&r);
    uint64_t ptr = 0x0000123456789ab0ull;
    uint64_t pac = gr_pac_qarma64_ref(ptr, 7, W0_VEC, K0_VEC, GR_PAC_SIGMA1, 3);
    assert_int_equal(sign(c, GR_PAC_KEY_DA, ptr, 7), ptr | (pac & 0x007F000000000000ull));
    uint64_t g;
    assert_int_equal(gr_pac_ga(c, 1, 2, 0, &g), GR_PAC_E_UNDEFINED); /* no GPA/GPA3 */
    gr_pac_destroy(c);
}

/* ---- Feature decoding ------------------------------------------------------ */

static void test_pac_features_decode(void **state)
{
    (void)state;
    gr_regs r;
    gr_regs_reset(&r);
    gr_pac_features f;
    /* granule's default: APA = 1, GPA = 1 (FEAT_PAuth, QARMA5). */
    assert_int_equal(gr_pac_features_decode(&r, &f), GR_PAC_OK);
    assert_int_equal(f.addr_algo, GR_PAC_ALGO_QARMA5);
    assert_int_equal(f.ga_algo, GR_PAC_ALGO_QARMA5);
    assert_int_equal(f.level, GR_PAC_LEVEL_PAUTH);
    static const gr_pac_level lv[6] = {GR_PAC_LEVEL_NONE, GR_PAC_LEVEL_PAUTH, GR_PAC_LEVEL_EPAC,
                                       GR_PAC_LEVEL_PAUTH2, GR_PAC_LEVEL_FPAC,
                                       GR_PAC_LEVEL_FPACCOMBINE};
    for (unsigned apa = 0; apa <= 5; apa++) {
        r.id_aa64isar1 = (uint64_t)apa << 4;
        assert_int_equal(gr_pac_features_decode(&r, &f), GR_PAC_OK);
        assert_int_equal(f.level, lv[apa]);
        assert_int_equal(f.addr_algo, apa ? GR_PAC_ALGO_QARMA5 : GR_PAC_ALGO_NONE);
        assert_int_equal(f.ga_algo, GR_PAC_ALGO_NONE);
    }
    r.id_aa64isar1 = 0;
    r.id_aa64isar2 = (4ull << 12) | (1ull << 24); /* APA3 = FPAC, PAC_frac = 1 */
    assert_int_equal(gr_pac_features_decode(&r, &f), GR_PAC_OK);
    assert_int_equal(f.addr_algo, GR_PAC_ALGO_QARMA3);
    assert_int_equal(f.level, GR_PAC_LEVEL_FPAC);
    assert_true(f.constpacfield);
    /* Reserved or conflicting. */
    r.id_aa64isar1 = 6ull << 4; /* APA = 0b0110 */
    r.id_aa64isar2 = 0;
    assert_int_equal(gr_pac_features_decode(&r, &f), GR_PAC_E_IDREGS);
    r.id_aa64isar1 = 1ull << 4;
    r.id_aa64isar2 = 1ull << 12; /* APA and APA3 */
    assert_int_equal(gr_pac_features_decode(&r, &f), GR_PAC_E_IDREGS);
    gr_pac_status st = GR_PAC_OK;
    assert_null(gr_pac_create(&r, &st));
    assert_int_equal(st, GR_PAC_E_IDREGS);
    /* API: an IMPLEMENTATION DEFINED algorithm, not modelled. */
    r.id_aa64isar1 = 1ull << 8;
    r.id_aa64isar2 = 0;
    assert_null(gr_pac_create(&r, &st));
    assert_int_equal(st, GR_PAC_E_IMPDEF);
    assert_non_null(gr_pac_strerror(GR_PAC_E_IMPDEF));
    assert_string_equal(gr_pac_strerror((gr_pac_status)999), "unknown status");
}

static void test_pac_undefined_without_feature(void **state)
{
    (void)state;
    gr_regs r;
    base_regs(&r, 0, 16, 16, 0);
    r.id_aa64isar1 = 0; /* no APA, no GPA */
    gr_pac *c = make(&r);
    gr_pac_req req = {.ptr = 0x1000, .key = GR_PAC_KEY_IA};
    gr_pac_res res;
    uint64_t v;
    assert_int_equal(gr_pac_sign(c, &req, &res), GR_PAC_E_UNDEFINED);
    assert_int_equal(gr_pac_auth(c, &req, &res), GR_PAC_E_UNDEFINED);
    assert_int_equal(gr_pac_strip(c, 0x1000, false, 0, &v), GR_PAC_E_UNDEFINED);
    assert_int_equal(gr_pac_ga(c, 1, 2, 0, &v), GR_PAC_E_UNDEFINED);
    gr_pac_destroy(c);
}

static void test_pac_bad_key_and_el(void **state)
{
    (void)state;
    gr_regs r;
    base_regs(&r, 1, 16, 16, 0);
    gr_pac *c = make(&r);
    gr_pac_req req = {.ptr = 0x1000, .key = GR_PAC_KEY_GA};
    gr_pac_res res;
    uint64_t v;
    assert_int_equal(gr_pac_sign(c, &req, &res), GR_PAC_E_KEY);
    assert_int_equal(gr_pac_auth(c, &req, &res), GR_PAC_E_KEY);
    req.key = GR_PAC_KEY_IA;
    req.el = 2;
    assert_int_equal(gr_pac_sign(c, &req, &res), GR_PAC_E_EL);
    assert_int_equal(gr_pac_strip(c, 0x1000, true, 2, &v), GR_PAC_E_EL);
    assert_int_equal(gr_pac_ga(c, 1, 2, 3, &v), GR_PAC_E_EL);
    assert_string_equal(gr_pac_key_name(GR_PAC_KEY_DB), "db");
    assert_null(gr_pac_key_name(GR_PAC_NKEYS));
    gr_pac_destroy(c);
}

/* ---- Placement ---------------------------------------------------------------- */

struct placement {
    unsigned txsz;
    uint64_t mask_tbi;   /* PAC<54:bottom> */
    uint64_t mask_notbi; /* plus PAC<63:56> */
    unsigned bits_tbi, bits_notbi;
};

static const struct placement placements[3] = {
    {16, 0x007F000000000000ull, 0xFF7F000000000000ull, 7, 15},
    {25, 0x007FFF8000000000ull, 0xFF7FFF8000000000ull, 16, 24},
    {39, 0x007FFFFFFE000000ull, 0xFF7FFFFFFE000000ull, 30, 38},
};

/* Sign, authenticate and strip a canonical pointer in each VA range, with
 * TBI on and off, for TxSZ 16, 25, 39; both keys A and B, instruction and
 * data. */
static void test_pac_placement_tbi_txsz_ranges(void **state)
{
    (void)state;
    for (int pi = 0; pi < 3; pi++) {
        const struct placement *pl = &placements[pi];
        assert_int_equal(__builtin_popcountll(pl->mask_tbi), pl->bits_tbi);
        assert_int_equal(__builtin_popcountll(pl->mask_notbi), pl->bits_notbi);
        for (int tbi = 0; tbi < 2; tbi++) {
            gr_regs r;
            base_regs(&r, 1, pl->txsz, pl->txsz, tbi ? (TBI0 | TBI1) : 0);
            gr_pac *c = make(&r);
            assert_int_equal(gr_pac_bottom_bit(c, false), 64 - pl->txsz);
            assert_int_equal(gr_pac_bottom_bit(c, true), 64 - pl->txsz);
            uint64_t mask = tbi ? pl->mask_tbi : pl->mask_notbi;
            uint64_t vamask = BIT(64 - pl->txsz) - 1;
            for (int upper = 0; upper < 2; upper++) {
                /* A canonical pointer; with TBI it carries a tag. */
                uint64_t ptr = (0x0000123456789abcull & vamask) | (upper ? ~vamask : 0);
                if (tbi)
                    ptr = (ptr & ~0xFF00000000000000ull) | 0x5A00000000000000ull;
                for (gr_pac_key k = GR_PAC_KEY_IA; k <= GR_PAC_KEY_DB; k++) {
                    uint64_t mod = 0x1234 + (uint64_t)k;
                    uint64_t pac = ref_pac(k, ptr, mod);
                    uint64_t expect = (ptr & ~mask) | (pac & mask);
                    uint64_t s = sign(c, k, ptr, mod);
                    assert_int_equal(s, expect);
                    assert_int_equal((s >> 55) & 1, (uint64_t)upper); /* range kept */
                    gr_pac_res a = do_op(c, true, k, s, mod, false);
                    assert_false(a.failed);
                    assert_int_equal(a.value, ptr);
                    assert_int_equal(a.fault.type, GR_FAULT_NONE);
                    uint64_t st;
                    assert_int_equal(gr_pac_strip(c, s, k >= GR_PAC_KEY_DA, 0, &st), GR_PAC_OK);
                    assert_int_equal(st, ptr);
                }
            }
            gr_pac_destroy(c);
        }
    }
}

/* Different TxSZ for the two ranges: bit 55 picks T0SZ or T1SZ. */
static void test_pac_placement_t0sz_t1sz_differ(void **state)
{
    (void)state;
    gr_regs r;
    base_regs(&r, 1, 25, 39, TBI0 | TBI1);
    gr_pac *c = make(&r);
    uint64_t lo = 0x0000000012345670ull, hi = 0xFFFFFFFFFE345670ull;
    uint64_t plo = ref_pac(GR_PAC_KEY_DA, lo, 0), phi = ref_pac(GR_PAC_KEY_DA, hi, 0);
    assert_int_equal(sign(c, GR_PAC_KEY_DA, lo, 0), lo | (plo & 0x007FFF8000000000ull));
    assert_int_equal(sign(c, GR_PAC_KEY_DA, hi, 0),
                     (hi & ~0x007FFFFFFE000000ull) | (phi & 0x007FFFFFFE000000ull));
    gr_pac_destroy(c);
}

/* TBID: top-byte-ignore does not apply to instruction addresses, so
 * instruction keys use PAC<63:56> too while data keys do not. */
static void test_pac_tbid_instruction_keys(void **state)
{
    (void)state;
    gr_regs r;
    base_regs(&r, 1, 16, 16, TBI0 | TBID0);
    gr_pac *c = make(&r);
    uint64_t ptr = 0x0000fedcba987650ull;
    uint64_t pia = ref_pac(GR_PAC_KEY_IA, ptr, 9), pda = ref_pac(GR_PAC_KEY_DA, ptr, 9);
    assert_int_equal(sign(c, GR_PAC_KEY_IA, ptr, 9), ptr | (pia & 0xFF7F000000000000ull));
    assert_int_equal(sign(c, GR_PAC_KEY_DA, ptr, 9), ptr | (pda & 0x007F000000000000ull));
    /* XPACI clears the top byte too; XPACD keeps it. */
    uint64_t tagged = 0xAB7F0000fedcba98ull, v;
    assert_int_equal(gr_pac_strip(c, tagged, false, 0, &v), GR_PAC_OK);
    assert_int_equal(v, 0x0000fedcba98ull);
    assert_int_equal(gr_pac_strip(c, tagged, true, 0, &v), GR_PAC_OK);
    assert_int_equal(v, 0xAB000000fedcba98ull);
    gr_pac_destroy(c);
}

/* TxSZ outside 16..48 (47 for 64K) is clamped (Constraint_FORCE). */
static void test_pac_txsz_clamped(void **state)
{
    (void)state;
    gr_regs r;
    base_regs(&r, 1, 10, 60, 0);
    gr_pac *c = make(&r);
    assert_int_equal(gr_pac_bottom_bit(c, false), 48);
    assert_int_equal(gr_pac_bottom_bit(c, true), 16);
    gr_pac_destroy(c);
    base_regs(&r, 1, 60, 60, TG0_64K);
    r.tcr |= 3ull << 30; /* TG1 = 64K */
    c = make(&r);
    assert_int_equal(gr_pac_bottom_bit(c, false), 17);
    assert_int_equal(gr_pac_bottom_bit(c, true), 17);
    gr_pac_destroy(c);
}

/* ---- Non-canonical pointers and the range selector ---------------------------- */

/* AddPAC with bad extension bits: FEAT_PAuth flips PAC<top_bit-1>, FEAT_EPAC
 * uses a zero PAC, FEAT_PAuth2 XORs the PAC into the (bad) bits. */
static void test_pac_sign_noncanonical(void **state)
{
    (void)state;
    uint64_t ptr = 0x0004000000001230ull; /* bit 50 set: not a 48-bit VA */
    uint64_t canon = 0x0000000000001230ull;
    uint64_t pac = ref_pac(GR_PAC_KEY_DA, canon, 5);
    const uint64_t m = 0x007F000000000000ull;
    gr_regs r;

    base_regs(&r, 1, 16, 16, TBI0); /* FEAT_PAuth, TBI: top_bit 55 -> flip bit 54 */
    gr_pac *c = make(&r);
    assert_int_equal(sign(c, GR_PAC_KEY_DA, ptr, 5), canon | ((pac ^ BIT(54)) & m));
    gr_pac_destroy(c);

    base_regs(&r, 1, 16, 16, 0); /* no TBI: top_bit 63 -> flip bit 62 */
    c = make(&r);
    assert_int_equal(sign(c, GR_PAC_KEY_DA, ptr, 5),
                     canon | ((pac ^ BIT(62)) & 0xFF7F000000000000ull));
    gr_pac_destroy(c);

    base_regs(&r, 2, 16, 16, TBI0); /* FEAT_EPAC: PAC = 0 */
    c = make(&r);
    assert_int_equal(sign(c, GR_PAC_KEY_DA, ptr, 5), canon);
    assert_int_equal(sign(c, GR_PAC_KEY_DA, canon, 5), canon | (pac & m)); /* canonical: normal */
    gr_pac_destroy(c);

    base_regs(&r, 3, 16, 16, TBI0); /* FEAT_PAuth2: ptr XOR PAC, no flip */
    c = make(&r);
    uint64_t s = sign(c, GR_PAC_KEY_DA, ptr, 5);
    assert_int_equal(s, (ptr ^ (pac & m)));
    /* ... and authenticating gives the non-canonical pointer back. */
    gr_pac_res a = do_op(c, true, GR_PAC_KEY_DA, s, 5, false);
    assert_int_equal(a.value, ptr);
    assert_true(a.failed);
    assert_int_equal(a.fault.type, GR_FAULT_NONE);
    gr_pac_destroy(c);
}

/* With TBI0 = TBI1 = 0, AddPAC picks the range from bit 63: a pointer with
 * bit 63 = 1 and bit 55 = 0 is signed as an upper-range pointer (T1SZ),
 * and, being non-canonical, gets PAC<62> flipped. */
static void test_pac_sign_selbit_from_bit63(void **state)
{
    (void)state;
    gr_regs r;
    base_regs(&r, 1, 39, 16, 0);
    gr_pac *c = make(&r);
    uint64_t ptr = 0x8000000000001000ull;
    uint64_t ext = 0xFFFF000000001000ull; /* selbit 1, bottom 48 (T1SZ) */
    uint64_t pac = ref_pac(GR_PAC_KEY_DA, ext, 0);
    uint64_t expect = ((pac ^ BIT(62)) & 0xFF7F000000000000ull) | BIT(55) | 0x1000;
    assert_int_equal(sign(c, GR_PAC_KEY_DA, ptr, 0), expect);
    gr_pac_destroy(c);

    /* With TBI1 set (and TBI0 clear) bit 55 decides instead: range 0,
     * T0SZ = 39 and, for the lower range, no TBI (EffectiveTBI uses TBI0). */
    base_regs(&r, 1, 39, 16, TBI1);
    c = make(&r);
    ext = 0x0000000000001000ull;
    pac = ref_pac(GR_PAC_KEY_DA, ext, 0);
    expect = ((pac ^ BIT(62)) & 0xFF7FFFFFFE000000ull) | 0x1000;
    assert_int_equal(sign(c, GR_PAC_KEY_DA, ptr, 0), expect);
    gr_pac_destroy(c);
}

/* FEAT_CONSTPACFIELD (with FEAT_PAuth2): AddPAC always uses bit 55. */
static void test_pac_constpacfield(void **state)
{
    (void)state;
    gr_regs r;
    base_regs(&r, 3, 39, 16, 0);
    r.id_aa64isar2 = 1ull << 24;
    gr_pac *c = make(&r);
    uint64_t ptr = 0x8000000000001000ull; /* bit 63 = 1, bit 55 = 0 */
    uint64_t ext = 0x0000000000001000ull; /* selbit 0 -> T0SZ 39, bottom 25 */
    uint64_t pac = ref_pac(GR_PAC_KEY_DA, ext, 0);
    uint64_t m = 0xFF7FFFFFFE000000ull;
    assert_int_equal(sign(c, GR_PAC_KEY_DA, ptr, 0), ptr ^ (pac & m));
    gr_pac_destroy(c);
}

/* ---- Failed authentication --------------------------------------------------- */

static void test_pac_auth_error_codes_pauth1(void **state)
{
    (void)state;
    static const struct {
        uint64_t tcr;
        uint64_t orig;
        gr_pac_key k;
        uint64_t expect;
    } cases[] = {
        /* TBI: error code in <54:53>; key A -> 01, key B -> 10. */
        {TBI0 | TBI1, 0x0000123456789ab0ull, GR_PAC_KEY_IA, 0x0020123456789ab0ull},
        {TBI0 | TBI1, 0x0000123456789ab0ull, GR_PAC_KEY_DB, 0x0040123456789ab0ull},
        {TBI0 | TBI1, 0xFFFF123456789ab0ull, GR_PAC_KEY_DA, 0xFFBF123456789ab0ull},
        {TBI0 | TBI1, 0xFFFF123456789ab0ull, GR_PAC_KEY_IB, 0xFFDF123456789ab0ull},
        /* No TBI: <62:61>. */
        {0, 0x0000123456789ab0ull, GR_PAC_KEY_DA, 0x2000123456789ab0ull},
        {0, 0x0000123456789ab0ull, GR_PAC_KEY_IB, 0x4000123456789ab0ull},
        {0, 0xFFFF123456789ab0ull, GR_PAC_KEY_IA, 0xBFFF123456789ab0ull},
        {0, 0xFFFF123456789ab0ull, GR_PAC_KEY_DB, 0xDFFF123456789ab0ull},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gr_regs r;
        base_regs(&r, 1, 16, 16, cases[i].tcr);
        gr_pac *c = make(&r);
        uint64_t s = sign(c, cases[i].k, cases[i].orig, 77);
        /* Tamper: wrong modifier, and separately a flipped PAC bit. */
        gr_pac_res a = do_op(c, true, cases[i].k, s, 78, false);
        assert_true(a.failed);
        assert_int_equal(a.value, cases[i].expect);
        assert_int_equal(a.fault.type, GR_FAULT_NONE);
        assert_int_equal(a.esr, 0);
        a = do_op(c, true, cases[i].k, s ^ BIT(49), 77, false);
        assert_true(a.failed);
        assert_int_equal(a.value, cases[i].expect);
        /* FPAC-less implementations never fault, combined or not. */
        a = do_op(c, true, cases[i].k, s ^ BIT(49), 77, true);
        assert_int_equal(a.fault.type, GR_FAULT_NONE);
        gr_pac_destroy(c);
    }
}

/* FEAT_PAuth2 without FPAC: the PAC is XORed in whether it matches or not. */
static void test_pac_pauth2_xor(void **state)
{
    (void)state;
    gr_regs r;
    base_regs(&r, 3, 16, 16, TBI1);
    gr_pac *c = make(&r);
    uint64_t ptr = 0xFFFF876543210ff0ull; /* upper range: field all ones */
    uint64_t pac = ref_pac(GR_PAC_KEY_IB, ptr, 3);
    const uint64_t m = 0x007F000000000000ull;
    uint64_t s = sign(c, GR_PAC_KEY_IB, ptr, 3);
    assert_int_equal(s, ptr ^ (pac & m));
    gr_pac_res a = do_op(c, true, GR_PAC_KEY_IB, s, 3, false);
    assert_false(a.failed);
    assert_int_equal(a.value, ptr);
    /* Wrong modifier: the result is s XOR the other PAC, no error code. */
    uint64_t pac4 = ref_pac(GR_PAC_KEY_IB, ptr, 4);
    a = do_op(c, true, GR_PAC_KEY_IB, s, 4, false);
    assert_int_equal(a.value, s ^ (pac4 & m));
    assert_true(a.failed);
    assert_int_equal(a.fault.type, GR_FAULT_NONE);
    /* Signing twice and authenticating twice (the PAuth2 purpose). */
    uint64_t s2 = sign(c, GR_PAC_KEY_IB, s, 11);
    gr_pac_res a2 = do_op(c, true, GR_PAC_KEY_IB, s2, 11, false);
    assert_int_equal(a2.value, s);
    gr_pac_destroy(c);
}

static void test_pac_fpac_fault(void **state)
{
    (void)state;
    gr_regs r;
    base_regs(&r, 4, 16, 16, TBI0); /* FEAT_FPAC */
    gr_pac *c = make(&r);
    uint64_t ptr = 0x0000000040001000ull;
    static const struct {
        gr_pac_key k;
        uint32_t esr;
    } keys[4] = {
        {GR_PAC_KEY_IA, 0x72000000u}, {GR_PAC_KEY_IB, 0x72000001u},
        {GR_PAC_KEY_DA, 0x72000002u}, {GR_PAC_KEY_DB, 0x72000003u},
    };
    for (int i = 0; i < 4; i++) {
        uint64_t s = sign(c, keys[i].k, ptr, 1);
        gr_pac_res a = do_op(c, true, keys[i].k, s, 1, false);
        assert_int_equal(a.fault.type, GR_FAULT_NONE);
        assert_int_equal(a.value, ptr);
        a = do_op(c, true, keys[i].k, s, 2, false);
        assert_true(a.failed);
        assert_int_equal(a.fault.type, GR_FAULT_PAC_FAIL);
        assert_int_equal(a.esr, keys[i].esr);
        assert_int_equal(a.fault.ifetch, keys[i].k < GR_PAC_KEY_DA);
        /* FEAT_FPAC alone: combined instructions (LDRAA, RETAA) don't fault. */
        a = do_op(c, true, keys[i].k, s, 2, true);
        assert_true(a.failed);
        assert_int_equal(a.fault.type, GR_FAULT_NONE);
        assert_int_equal(a.esr, 0);
    }
    gr_pac_destroy(c);

    base_regs(&r, 5, 16, 16, TBI0); /* FEAT_FPACCOMBINE */
    c = make(&r);
    uint64_t s = sign(c, GR_PAC_KEY_DA, ptr, 1);
    gr_pac_res a = do_op(c, true, GR_PAC_KEY_DA, s, 2, true);
    assert_int_equal(a.fault.type, GR_FAULT_PAC_FAIL);
    assert_int_equal(a.esr, 0x72000002u);
    a = do_op(c, true, GR_PAC_KEY_DA, s, 1, true);
    assert_int_equal(a.fault.type, GR_FAULT_NONE);
    assert_int_equal(a.value, ptr);
    gr_pac_destroy(c);

    /* Without TBI the FPAC check covers <63:56> as well: a good PAC field
     * with a flipped top-byte bit faults. */
    base_regs(&r, 4, 16, 16, 0);
    c = make(&r);
    s = sign(c, GR_PAC_KEY_DB, ptr, 1);
    a = do_op(c, true, GR_PAC_KEY_DB, s ^ BIT(60), 1, false);
    assert_int_equal(a.fault.type, GR_FAULT_PAC_FAIL);
    assert_int_equal(a.esr, 0x72000003u);
    gr_pac_destroy(c);
}

/* ---- Enables and re-decoding ------------------------------------------------ */

static void test_pac_disabled_keys_are_nops(void **state)
{
    (void)state;
    static const struct {
        gr_pac_key k;
        uint64_t bit;
    } en[4] = {{GR_PAC_KEY_IA, BIT(31)}, {GR_PAC_KEY_IB, BIT(30)},
               {GR_PAC_KEY_DA, BIT(27)}, {GR_PAC_KEY_DB, BIT(13)}};
    uint64_t ptr = 0x0000000040001000ull, bad = 0x0012000040001000ull;
    for (int i = 0; i < 4; i++) {
        gr_regs r;
        base_regs(&r, 4, 16, 16, 0);
        r.sctlr &= ~en[i].bit;
        gr_pac *c = make(&r);
        for (int j = 0; j < 4; j++) {
            gr_pac_res s = do_op(c, false, en[j].k, ptr, 1, false);
            gr_pac_res a = do_op(c, true, en[j].k, bad, 1, false);
            if (i == j) {
                assert_true(s.disabled);
                assert_int_equal(s.value, ptr);
                assert_true(a.disabled);
                assert_false(a.failed);
                assert_int_equal(a.value, bad);
                assert_int_equal(a.fault.type, GR_FAULT_NONE);
            } else {
                assert_false(s.disabled);
                assert_int_not_equal(s.value, ptr);
                assert_int_equal(a.fault.type, GR_FAULT_PAC_FAIL);
            }
        }
        /* XPAC is not gated. */
        uint64_t v;
        assert_int_equal(gr_pac_strip(c, bad, en[i].k >= GR_PAC_KEY_DA, 0, &v), GR_PAC_OK);
        assert_int_equal(v, ptr);
        gr_pac_destroy(c);
    }
}

static void test_pac_update_rekeys(void **state)
{
    (void)state;
    gr_regs r;
    base_regs(&r, 1, 16, 16, TBI0);
    gr_pac *c = make(&r);
    uint64_t ptr = 0x0000000040001000ull;
    uint64_t s1 = sign(c, GR_PAC_KEY_DA, ptr, 0);
    r.apdakeylo ^= 1;
    assert_int_equal(gr_pac_update(c, &r), GR_PAC_OK);
    uint64_t pac = gr_pac_qarma64_ref(ptr, 0, W0_VEC, K0_VEC ^ 1, GR_PAC_SIGMA2, 5);
    assert_int_equal(sign(c, GR_PAC_KEY_DA, ptr, 0), ptr | (pac & 0x007F000000000000ull));
    /* The old key's PAC field differs from the new one's for this input,
     * so the old signature no longer authenticates. */
    assert_int_not_equal(s1, ptr | (pac & 0x007F000000000000ull));
    assert_true(do_op(c, true, GR_PAC_KEY_DA, s1, 0, false).failed);
    /* A bad update leaves the context as it was. */
    gr_regs bad = r;
    bad.id_aa64isar1 = 7ull << 4;
    assert_int_equal(gr_pac_update(c, &bad), GR_PAC_E_IDREGS);
    assert_int_equal(sign(c, GR_PAC_KEY_DA, ptr, 0), ptr | (pac & 0x007F000000000000ull));
    /* Switching to QARMA3 re-keys with the new cipher. */
    gr_regs q3 = r;
    q3.id_aa64isar1 = 0;
    q3.id_aa64isar2 = 1ull << 12;
    assert_int_equal(gr_pac_update(c, &q3), GR_PAC_OK);
    pac = gr_pac_qarma64_ref(ptr, 0, W0_VEC, K0_VEC ^ 1, GR_PAC_SIGMA1, 3);
    assert_int_equal(sign(c, GR_PAC_KEY_DA, ptr, 0), ptr | (pac & 0x007F000000000000ull));
    gr_pac_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pac_qarma64_vectors_reference),
        cmocka_unit_test(test_pac_qarma64_vectors_tables),
        cmocka_unit_test(test_pac_qarma64_tables_match_reference),
        cmocka_unit_test(test_pac_qarma64_bad_parameters),
        cmocka_unit_test(test_pac_pacga_published),
        cmocka_unit_test(test_pac_qarma3_selected),
        cmocka_unit_test(test_pac_features_decode),
        cmocka_unit_test(test_pac_undefined_without_feature),
        cmocka_unit_test(test_pac_bad_key_and_el),
        cmocka_unit_test(test_pac_placement_tbi_txsz_ranges),
        cmocka_unit_test(test_pac_placement_t0sz_t1sz_differ),
        cmocka_unit_test(test_pac_tbid_instruction_keys),
        cmocka_unit_test(test_pac_txsz_clamped),
        cmocka_unit_test(test_pac_sign_noncanonical),
        cmocka_unit_test(test_pac_sign_selbit_from_bit63),
        cmocka_unit_test(test_pac_constpacfield),
        cmocka_unit_test(test_pac_auth_error_codes_pauth1),
        cmocka_unit_test(test_pac_pauth2_xor),
        cmocka_unit_test(test_pac_fpac_fault),
        cmocka_unit_test(test_pac_disabled_keys_are_nops),
        cmocka_unit_test(test_pac_update_rekeys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
