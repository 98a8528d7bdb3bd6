/*
 * conf_pac_gen: seeded generator of random pointer-authentication inputs for
 * the QEMU conformance test conformance_pac_qemu (docs/conformance.md).
 *
 * usage: conf_pac_gen SEED NSETS INPUTS_PER_SET OUTDIR
 *
 * Each register set has TCR_EL1 (T0SZ, T1SZ, TG0, TG1, TBI0, TBI1, TBID0,
 * TBID1), SCTLR_EL1 (EnIA, EnIB, EnDA, EnDB) and the ten key registers; each
 * input a pointer, a modifier and a tamper mask. Outputs in OUTDIR:
 *   blob.bin     the sets and inputs for the bare-metal probe (pac_blob.h)
 *   sNNNN.regs   REGS file of set NNNN for `granule pac --regs`
 *
 * The TBI0/TBI1/TBID0/TBID1 combination is the set index modulo 16, so
 * every combination gets NSETS/16 sets; the granules and TxSZ are random.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pac_blob.h"

/* ---- reproducible randomness (splitmix64) ---- */
static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rndn(uint64_t n)
{
    return n ? rnd() % n : 0;
}

static bool chance(unsigned pct)
{
    return rndn(100) < pct;
}

/* SCTLR_EL1 RES1 bits with the MMU and caches off, as the probe starts;
 * the enables are added per set. */
#define SCTLR_BASE 0x30d00800ull
#define EN_IA (1ull << 31)
#define EN_IB (1ull << 30)
#define EN_DA (1ull << 27)
#define EN_DB (1ull << 13)

/* A TxSZ for granule kb: mostly 16..48 (47 for 64K), with the values the
 * unit tests use often; sometimes out of range, which CalculateBottomPACBit
 * treats as CONSTRAINED UNPREDICTABLE (both sides clamp). Never below 16
 * for 64K: QEMU's -cpu max has FEAT_LVA (minimum 12 there), granule not. */
static unsigned pick_tsz(unsigned kb)
{
    static const unsigned common[] = {16, 20, 25, 33, 39, 48};
    unsigned max = kb == 64 ? 47 : 48;
    if (chance(5))
        return 49 + (unsigned)rndn(15);
    if (kb != 64 && chance(3))
        return (unsigned)rndn(16);
    if (chance(40)) {
        unsigned t = common[rndn(6)];
        return t > max ? max : t;
    }
    return 16 + (unsigned)rndn(max - 16 + 1);
}

/* CalculateBottomPACBit's clamp (16..48, 47 for 64K), to aim pointers at
 * the configured VA size. */
static unsigned eff_tsz(unsigned tsz, unsigned kb)
{
    unsigned max = kb == 64 ? 47 : 48;
    return tsz > max ? max : tsz < 16 ? 16 : tsz;
}

/* A pointer for a set whose ranges have va[0], va[1] bits: mostly
 * canonical for its range (what a program signs), tagged or not; also
 * canonical for the other range's size, for a random size, bit 55 != bit
 * 63, fully random (non-canonical: the PAC field error bit), small. */
static uint64_t pick_ptr(const unsigned va[2])
{
    uint64_t p = rnd();
    unsigned h = (unsigned)rndn(2);
    uint64_t low;
    unsigned c = (unsigned)rndn(100);
    if (c < 55)
        low = (1ull << va[h]) - 1;
    else if (c < 65)
        low = (1ull << va[h ^ 1]) - 1;
    else if (c < 73)
        low = 0x0000ffffffffffffull >> rndn(33);
    else if (c < 78) /* bit 55 differs from bit 63 */
        return ((p & 0x007fffffffffffffull) | (h ? 0x0080000000000000ull : 0x8000000000000000ull)) |
               (chance(50) ? (rnd() & 0x7f00000000000000ull) : 0);
    else if (c < 90)
        return p;
    else
        return chance(50) ? (p & 0xffff) : (p & ((1ull << va[h]) - 1) & ~0xfffull);
    uint64_t v = h ? (p | ~low) : (p & low);
    if (chance(20)) /* a tag in the top byte */
        v = (v & 0x00ffffffffffffffull) | (rnd() & 0xff00000000000000ull);
    return v;
}

static uint64_t pick_mod(void)
{
    switch (rndn(8)) {
    case 0:
        return 0;
    case 1: /* an SP-like value */
        return 0x0000fffff0000000ull | (rnd() & 0xffffff0ull);
    default:
        return rnd();
    }
}

/* Bits to flip in a signed pointer: one or two, mostly in the PAC field. */
static uint64_t pick_tamper(void)
{
    uint64_t t = 1ull << (32 + rndn(32));
    if (chance(25))
        t |= 1ull << rndn(64);
    return t;
}

static int write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "conf_pac_gen: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: conf_pac_gen SEED NSETS INPUTS_PER_SET OUTDIR\n");
        return 2;
    }
    uint64_t seed = strtoull(argv[1], NULL, 0);
    unsigned long nsets = strtoul(argv[2], NULL, 0);
    unsigned long nin = strtoul(argv[3], NULL, 0);
    const char *out = argv[4];
    if (nsets == 0 || nin == 0 || nsets > 10000 || nin > 100000 ||
        (PAC_RES_HDR_WORDS + nsets * nin * PAC_RES_WORDS) * 8 > PAC_RESULT_BYTES) {
        fprintf(stderr, "conf_pac_gen: NSETS x INPUTS_PER_SET out of range\n");
        return 2;
    }
    rng_state = seed * 0x2545f4914f6cdd1dull + 0x5041430000000000ull;

    size_t words = PAC_HDR_WORDS + nsets * PAC_SET_WORDS + nsets * nin * PAC_IN_WORDS;
    uint64_t *blob = calloc(words, 8);
    if (!blob) {
        fprintf(stderr, "conf_pac_gen: out of memory\n");
        return 2;
    }
    blob[PAC_HDR_MAGIC] = PAC_MAGIC;
    blob[PAC_HDR_NSETS] = nsets;
    blob[PAC_HDR_NINPUTS] = nsets * nin;
    blob[PAC_HDR_SET_OFF] = PAC_HDR_WORDS * 8;
    size_t in_off = PAC_HDR_WORDS + nsets * PAC_SET_WORDS;

    static const unsigned kbs[3] = {4, 16, 64};
    /* TG0 encodes 4K/64K/16K as 0/1/2, TG1 as 2/3/1 */
    static const unsigned tg0_enc[3] = {0, 2, 1}, tg1_enc[3] = {2, 1, 3};
    for (unsigned long s = 0; s < nsets; s++) {
        uint64_t *st = blob + PAC_HDR_WORDS + s * PAC_SET_WORDS;
        unsigned g0 = (unsigned)rndn(3), g1 = (unsigned)rndn(3);
        uint64_t t0 = pick_tsz(kbs[g0]), t1 = pick_tsz(kbs[g1]);
        unsigned tb = (unsigned)(s % 16); /* TBI0, TBI1, TBID0, TBID1 */
        uint64_t tcr = t0 | (uint64_t)tg0_enc[g0] << 14 | t1 << 16 |
                       (uint64_t)tg1_enc[g1] << 30 | (uint64_t)(tb & 3) << 37 |
                       (uint64_t)(tb >> 2) << 51;
        tcr |= rndn(6) << 32; /* IPS: no meaning for PAC, random */
        uint64_t sctlr = SCTLR_BASE | EN_IA | EN_IB | EN_DA | EN_DB;
        if (s % 8 == 7) { /* one key disabled: the instructions are NOPs */
            static const uint64_t en[4] = {EN_IA, EN_IB, EN_DA, EN_DB};
            sctlr &= ~en[(s / 8) % 4];
        }
        st[PAC_SET_TCR] = tcr;
        st[PAC_SET_SCTLR] = sctlr;
        for (int i = 0; i < 10; i++)
            st[PAC_SET_KEYS + i] = rnd();
        st[PAC_SET_IN_OFF] = (in_off + s * nin * PAC_IN_WORDS) * 8;
        st[PAC_SET_NIN] = nin;
        uint64_t *in = blob + in_off + s * nin * PAC_IN_WORDS;
        const unsigned va[2] = {64 - eff_tsz((unsigned)t0, kbs[g0]),
                                64 - eff_tsz((unsigned)t1, kbs[g1])};
        for (unsigned long i = 0; i < nin; i++) {
            in[PAC_IN_WORDS * i + PAC_IN_PTR] = pick_ptr(va);
            in[PAC_IN_WORDS * i + PAC_IN_MOD] = pick_mod();
            in[PAC_IN_WORDS * i + PAC_IN_TAMPER] = pick_tamper();
        }

        char path[4096];
        snprintf(path, sizeof path, "%s/s%04lu.regs", out, s);
        FILE *f = fopen(path, "w");
        if (!f) {
            fprintf(stderr, "conf_pac_gen: %s: %s\n", path, strerror(errno));
            return 2;
        }
        static const char *const kn[10] = {
            "APIAKeyHi_EL1", "APIAKeyLo_EL1", "APIBKeyHi_EL1", "APIBKeyLo_EL1",
            "APDAKeyHi_EL1", "APDAKeyLo_EL1", "APDBKeyHi_EL1", "APDBKeyLo_EL1",
            "APGAKeyHi_EL1", "APGAKeyLo_EL1"};
        fprintf(f, "# conf_pac_gen seed %" PRIu64 " set %lu (T0SZ %" PRIu64 " %uK, T1SZ %" PRIu64
                   " %uK, TBI0 %u TBI1 %u TBID0 %u TBID1 %u)\n",
                seed, s, t0, kbs[g0], t1, kbs[g1], tb & 1, (tb >> 1) & 1, (tb >> 2) & 1,
                (tb >> 3) & 1);
        /* FEAT_PAuth with QARMA5 (APA = GPA = 1), as the probe checked */
        fprintf(f, "ID_AA64ISAR1_EL1 = 0x01000010\nID_AA64ISAR2_EL1 = 0\n");
        fprintf(f, "TCR_EL1 = 0x%016" PRIx64 "\nSCTLR_EL1 = 0x%016" PRIx64 "\n", tcr, sctlr);
        for (int i = 0; i < 10; i++)
            fprintf(f, "%s = 0x%016" PRIx64 "\n", kn[i], st[PAC_SET_KEYS + i]);
        if (fclose(f) != 0) {
            fprintf(stderr, "conf_pac_gen: %s: %s\n", path, strerror(errno));
            return 2;
        }
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/blob.bin", out);
    int rc = write_file(path, blob, words * 8);
    free(blob);
    return rc ? 2 : 0;
}
