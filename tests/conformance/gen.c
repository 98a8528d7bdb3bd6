/*
 * conf_gen: seeded generator of random stage-1 translation cases for the
 * QEMU conformance test (docs/conformance.md).
 *
 * usage: conf_gen SEED NCASES VAS_PER_HALF OUTDIR
 *
 * Each case is one register set (TCR_EL1, TTBR0/1_EL1, MAIR_EL1, SCTLR_EL1,
 * PSTATE.PAN) with a page-table image and a list of requests (VA, read or
 * write, EL0 or EL1) split between the two VA ranges. The tables are built
 * top-down while choosing the VAs, so most requests reach a descriptor the
 * generator chose on purpose: tables, blocks and pages at legal and illegal
 * levels, invalid and reserved encodings, output and table addresses above
 * the configured PA size, table pointers to addresses where the virt board
 * has nothing, AF = 0, DBM, AP/XN and the hierarchical table bits.
 *
 * Outputs in OUTDIR:
 *   blob.bin         the cases for the bare-metal probe (layout: blob.h)
 *   cNNNN.regs       REGS file for `granule translate --regs`
 *   cNNNN.img        the case's page-table image, loaded at CONF_REGION_PA
 *   cNNNN.va         one VA spec per line, for `granule translate --input`
 *   manifest.tsv     one line per translation, in blob order:
 *                    case, index, range (0/1), granule KB, tag, kd_fst, note
 *                    tag is a known-difference id (0 = none; see knowndiff.h)
 *                    and kd_fst the fault status code the Arm ARM gives then
 *
 * Only bits with one architectural meaning on both sides are randomised;
 * the choices kept fixed are listed in docs/conformance.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "knowndiff.h"

/* ---- reproducible randomness (splitmix64) ---- */
static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* uniform in [0, n) */
static uint64_t rndn(uint64_t n)
{
    return n ? rnd() % n : 0;
}

/* true with probability pct/100 */
static bool chance(unsigned pct)
{
    return rndn(100) < pct;
}

static uint64_t mask(unsigned bits)
{
    return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

/* ---- the page-table image of one case ---- */
#define IMG_MAX (8u << 20)
#define MAX_TABLES 64

typedef struct table {
    uint64_t pa;    /* base physical address */
    unsigned level; /* lookup level it is used at */
    unsigned nent;  /* entries that can be indexed at that level */
    int half;
    uint32_t nused;
    uint32_t used[64]; /* a few populated indices, to steer VAs into them */
} table;

typedef struct image {
    uint8_t *bytes;
    uint64_t len; /* bytes in use from CONF_REGION_PA */
    table tables[MAX_TABLES];
    unsigned ntables;
} image;

static uint64_t img_get(const image *im, uint64_t pa)
{
    uint64_t v;
    memcpy(&v, im->bytes + (pa - CONF_REGION_PA), 8);
    return v;
}

static void img_put(image *im, uint64_t pa, uint64_t v)
{
    memcpy(im->bytes + (pa - CONF_REGION_PA), &v, 8);
}

/* Allocates a granule-sized, granule-aligned table (every table, the start
 * table included, owns a whole granule so any index read stays inside the
 * image). @return its index or -1 when the budget is spent. */
static int table_alloc(image *im, unsigned gbits, unsigned level,
                       unsigned nent, int half)
{
    uint64_t size = 1ull << gbits;
    uint64_t off = (im->len + size - 1) & ~(size - 1);
    if (im->ntables == MAX_TABLES || off + size > IMG_MAX)
        return -1;
    memset(im->bytes + im->len, 0, off + size - im->len);
    im->len = off + size;
    table *t = &im->tables[im->ntables];
    memset(t, 0, sizeof *t);
    t->pa = CONF_REGION_PA + off;
    t->level = level;
    t->nent = nent;
    t->half = half;
    return (int)im->ntables++;
}

static int table_find(const image *im, uint64_t pa)
{
    for (unsigned i = 0; i < im->ntables; i++)
        if (im->tables[i].pa == pa)
            return (int)i;
    return -1;
}

/* ---- one VA range (TTBR0 or TTBR1) of a case ---- */
typedef struct half {
    int idx;              /* 0 or 1 */
    unsigned gbits;       /* 12, 14, 16 */
    unsigned stride;
    unsigned txsz;
    bool txsz_ok;         /* in the architectural range for this granule */
    unsigned inputsize;   /* 64 - txsz (clamped for VA choice when !txsz_ok) */
    unsigned start_level;
    unsigned outputsize;  /* AArch64.PhysicalAddressSize(IPS, TG) */
    unsigned maxoa;       /* widest OA a descriptor can hold: 48, or 52 (64K LPA) */
    bool epd, tbi;
    uint64_t ttbr;
    int root;             /* table index, or -1 (TTBR points elsewhere) */
    const char *ttbr_note;
    unsigned budget;      /* tables left for this half */
} half;

/* AArch64.BlockDescSupported() without FEAT_LPA2 (TCR.DS = 0), for an
 * implementation with 52-bit PAMax (FEAT_LPA): 4K: levels 1, 2; 16K: 2;
 * 64K: 2, and 1 because PAMax is 52. */
static bool block_ok(unsigned gbits, unsigned level)
{
    switch (gbits) {
    case 12:
        return level == 1 || level == 2;
    case 14:
        return level == 2;
    default:
        return level == 2 || level == 1;
    }
}

/* Bits of VA indexed at `level` (the start level may have fewer). */
static unsigned level_shift(const half *h, unsigned level)
{
    return h->gbits + (3 - level) * h->stride;
}

static unsigned level_bits(const half *h, unsigned level)
{
    if (level == h->start_level)
        return h->inputsize - level_shift(h, level);
    return h->stride;
}

/* Encodes an output or next-level table address into descriptor bits: bits
 * [47:gbits] in place, and with the 64K granule and 52-bit PAMax (FEAT_LPA)
 * OA[51:48] in descriptor bits [15:12]. */
static uint64_t enc_addr(const half *h, uint64_t a)
{
    uint64_t d = a & mask(48) & ~mask(h->gbits);
    if (h->gbits == 16)
        d |= ((a >> 48) & 0xf) << 12;
    return d;
}

/* A physical address, aligned to 2^align, below 2^outputsize, where the
 * virt board (-m 1G) has neither RAM nor a device: RAM is
 * [0x40000000, 0x80000000), the low devices are below 0x40000000, and the
 * high PCIe/GIC windows are in [256 GiB, 1 TiB). */
static uint64_t nowhere_pa(unsigned outputsize, unsigned align)
{
    uint64_t lo, hi;
    if (outputsize <= 32) {
        lo = 0xC0000000ull;
        hi = 1ull << 32;
    } else if (outputsize >= 42 && chance(50)) {
        lo = 1ull << 41;
        hi = 1ull << outputsize;
    } else {
        lo = 1ull << 32;
        hi = 1ull << (outputsize < 38 ? outputsize : 38);
    }
    uint64_t a = lo + rndn(hi - lo);
    a &= ~mask(align);
    if (a < lo)
        a += 1ull << align;
    return a;
}

/* An address with some bit in [max(outputsize, align), maxoa) set, aligned
 * to 2^align. Only valid when that range is not empty. */
static uint64_t above_pa(const half *h, unsigned align)
{
    unsigned lo = h->outputsize > align ? h->outputsize : align;
    unsigned bit = lo + (unsigned)rndn(h->maxoa - lo);
    uint64_t a = (rnd() & mask(h->maxoa)) | (1ull << bit);
    return a & ~mask(align);
}

static const uint8_t mair_vals[] = {
    0x00, 0x04, 0x08, 0x0c,             /* Device nGnRnE, nGnRE, nGRE, GRE */
    0x44,                               /* Normal NC */
    0xff, 0xee, 0xcc, 0xbb, 0xaa, 0x88, /* Normal WB / WT, non-transient */
    0x4f, 0xf4, 0xfb, 0xbf,             /* mixed inner/outer */
};

/* Random leaf attributes (block or page), without type bits and OA. */
static uint64_t leaf_attrs(void)
{
    static const uint64_t sh[3] = {0, 2, 3}; /* SH = 01 is reserved */
    uint64_t d = 0;
    d |= rndn(8) << 2;                /* AttrIndx */
    d |= rndn(2) << 5;                /* NS: ignored in Non-secure state */
    d |= rndn(4) << 6;                /* AP[2:1] */
    d |= sh[rndn(3)] << 8;            /* SH */
    d |= (uint64_t)chance(85) << 10;  /* AF */
    d |= rndn(2) << 11;               /* nG */
    d |= (uint64_t)chance(30) << 51;  /* DBM */
    d |= (uint64_t)chance(25) << 53;  /* PXN */
    d |= (uint64_t)chance(25) << 54;  /* UXN */
    d |= rndn(16) << 55;              /* software use */
    if (chance(20))
        d |= rndn(32) << 59;          /* PBHA / ignored (TCR.HWU = 0) */
    return d;
}

/* Random table attributes: APTable, UXNTable, PXNTable, NSTable, and the
 * IGNORED bits [58:51] and [11:2]. */
static uint64_t table_attrs(const half *h)
{
    uint64_t d = 0;
    if (chance(35))
        d |= rndn(4) << 61;
    d |= (uint64_t)chance(20) << 59;
    d |= (uint64_t)chance(20) << 60;
    d |= rndn(2) << 63;
    if (chance(30))
        d |= rndn(256) << 51;
    if (chance(30))
        d |= (rnd() & mask(10)) << 2;
    if (h->gbits == 16)
        d &= ~(0xfull << 12); /* [15:12] are NLTA[51:48] */
    else if (h->gbits == 14)
        d &= ~(0x3ull << 12); /* RES0 */
    return d;
}

/* Known difference KD_LPA_OA_BITS: a 64K descriptor with OA[51:48] (bits
 * [15:12]) non-zero while TCR_EL1.IPS gives less than 52 bits. */
static bool lpa_bits_ignored_by_qemu(const half *h, uint64_t d)
{
    return h->gbits == 16 && h->outputsize < 52 && ((d >> 12) & 0xf) != 0;
}

typedef struct walkpath {
    int tag;          /* known-difference id */
    unsigned kd_fst;  /* with a tag: the Arm ARM's fault status code */
    char note[160];   /* what the walk is built to meet */
} walkpath;

static void note_add(walkpath *p, const char *fmt, unsigned level)
{
    size_t n = strlen(p->note);
    snprintf(p->note + n, sizeof p->note - n, "%s%s@L%u", n ? "," : "", fmt,
             level);
}

/* A table descriptor for `level`: to a new or shared next-level table
 * (*child set), to an address with no memory, or above the PA size.
 * @return 0 when no table can be made (budget spent). */
static uint64_t make_table_desc(image *im, half *h, unsigned level, int *child)
{
    unsigned k = (unsigned)rndn(100);
    if (k < 8)
        return table_attrs(h) |
               enc_addr(h, nowhere_pa(h->outputsize, h->gbits)) | 3;
    if (k < 16 && h->outputsize < h->maxoa)
        return table_attrs(h) | enc_addr(h, above_pa(h, h->gbits)) | 3;
    if (k < 26) {
        /* share an existing table of the next level */
        for (unsigned i = 0; i < im->ntables; i++) {
            table *t = &im->tables[i];
            if (t->half == h->idx && t->level == level + 1 && chance(50)) {
                *child = (int)i;
                return table_attrs(h) | enc_addr(h, t->pa) | 3;
            }
        }
    }
    if (h->budget) {
        int c = table_alloc(im, h->gbits, level + 1, 1u << h->stride, h->idx);
        if (c >= 0) {
            h->budget--;
            *child = c;
            return table_attrs(h) | enc_addr(h, im->tables[c].pa) | 3;
        }
    }
    return 0;
}

/* Makes a fresh descriptor for a table at `level` and returns it; may
 * allocate a child table (its index in *child). */
static uint64_t make_desc(image *im, half *h, unsigned level, int *child)
{
    *child = -1;
    unsigned r = (unsigned)rndn(100);
    bool can_above = h->outputsize < h->maxoa;

    if (r < 7)
        return rnd() & ~1ull; /* invalid: bit 0 clear, the rest ignored */
    if (level == 3) {
        if (r < 14) /* 0b01 at level 3: reserved, treated as invalid */
            return (rnd() & ~3ull) | 1;
        uint64_t oa;
        if (can_above && chance(12))
            oa = above_pa(h, h->gbits);
        else
            oa = rnd() & mask(h->outputsize) & ~mask(h->gbits);
        return leaf_attrs() | enc_addr(h, oa) | 3;
    }
    /* level 0..2: mostly tables; where blocks are illegal, an illegal
     * block now and then */
    bool legal = block_ok(h->gbits, level);
    if (r < (legal ? 62u : 94u)) {
        uint64_t d = make_table_desc(im, h, level, child);
        if (d)
            return d;
        if (!legal)
            return rnd() & ~1ull; /* out of tables: invalid */
    }
    unsigned bshift = level_shift(h, level);
    uint64_t oa;
    if (can_above && chance(12) && bshift < h->maxoa)
        oa = above_pa(h, bshift);
    else
        oa = rnd() & mask(h->outputsize) & ~mask(bshift);
    return leaf_attrs() | enc_addr(h, oa) | 1;
}

/* Builds (or reuses) the walk for one VA of half h and returns the VA; the
 * request note and tag go to *p. */
static uint64_t make_va(image *im, half *h, walkpath *p)
{
    uint64_t va = 0;
    p->tag = KD_NONE;
    p->kd_fst = 0;
    p->note[0] = 0;

    if (h->root >= 0) {
        int ti = h->root;
        unsigned level = h->start_level;
        for (;;) {
            table *t = &im->tables[ti];
            unsigned nbits = level_bits(h, level);
            uint64_t idx;
            if (t->nused && chance(60))
                idx = t->used[rndn(t->nused)];
            else
                idx = rndn(1ull << nbits);
            uint64_t dpa = t->pa + idx * 8;
            uint64_t d = img_get(im, dpa);
            int child = -1;
            if (d == 0) {
                d = make_desc(im, h, level, &child);
                if (d == 0)
                    d = 2; /* keep "populated" distinguishable from empty */
                img_put(im, dpa, d);
                if (t->nused < 64)
                    t->used[t->nused++] = (uint32_t)idx;
            }
            va |= idx << level_shift(h, level);
            unsigned shift = level_shift(h, level);
            if (!(d & 1)) {
                note_add(p, "invalid", level);
                va |= rnd() & mask(shift);
                break;
            }
            if ((d & 2) == 0 || level == 3) {
                if (level == 3 && !(d & 2)) {
                    note_add(p, "reserved", level);
                } else if (level < 3 && !block_ok(h->gbits, level)) {
                    note_add(p, "illegal-block", level);
                    p->tag = KD_BLOCK_LEVEL;
                    p->kd_fst = 0x04 | level; /* translation fault */
                } else {
                    note_add(p, level == 3 ? "page" : "block", level);
                    if (lpa_bits_ignored_by_qemu(h, d)) {
                        p->tag = KD_LPA_OA_BITS;
                        p->kd_fst = 0x00 | level; /* address size fault */
                    }
                }
                va |= rnd() & mask(shift);
                break;
            }
            /* table descriptor: follow it if it is one of ours */
            uint64_t nlta = d & mask(48) & ~mask(h->gbits);
            if (h->gbits == 16)
                nlta |= ((d >> 12) & 0xf) << 48;
            int c = table_find(im, nlta);
            if (c < 0 || nlta >> h->outputsize) {
                note_add(p, nlta >> h->outputsize ? "table-above-oa"
                                                   : "table-nowhere",
                         level);
                if (lpa_bits_ignored_by_qemu(h, d)) {
                    p->tag = KD_LPA_OA_BITS;
                    p->kd_fst = 0x00 | level; /* address size fault */
                }
                va |= rnd() & mask(shift);
                break;
            }
            note_add(p, "table", level);
            ti = c;
            level++;
        }
    } else {
        va = rnd() & mask(h->inputsize);
        snprintf(p->note, sizeof p->note, "%s", h->ttbr_note);
    }

    /* the bits above the VA size: all equal to the range's bit 55 */
    if (h->inputsize < 64) {
        if (h->idx)
            va |= ~mask(h->inputsize);
        else
            va &= mask(h->inputsize);
    }
    if (h->tbi)
        va = (va & mask(56)) | (rndn(256) << 56);
    if (chance(5) && h->inputsize < 55) {
        /* non-canonical: flip one bit between the VA size and bit 54
         * (bit 55 keeps selecting this range) */
        unsigned bit = h->inputsize + (unsigned)rndn(55 - h->inputsize);
        va ^= 1ull << bit;
        size_t n = strlen(p->note);
        snprintf(p->note + n, sizeof p->note - n, "%snoncanonical",
                 n ? "," : "");
        p->tag = KD_NONE;
    } else if (!h->tbi && chance(3)) {
        va ^= (1 + rndn(255)) << 56;
        size_t n = strlen(p->note);
        snprintf(p->note + n, sizeof p->note - n, "%stag-without-tbi",
                 n ? "," : "");
        p->tag = KD_NONE;
    }
    if (!h->txsz_ok || h->epd)
        p->tag = KD_NONE;
    return va;
}

/* ---- one case ---- */
static const unsigned gran_bits[3] = {12, 14, 16};
/* TG0 encodings for 4K, 16K, 64K; TG1 encodings for the same */
static const unsigned tg0_enc[3] = {0, 2, 1};
static const unsigned tg1_enc[3] = {2, 1, 3};
static const unsigned ips_bits[7] = {32, 36, 40, 42, 44, 48, 52};

static unsigned pick_txsz(unsigned gbits, bool *ok)
{
    unsigned max = gbits == 16 ? 47 : 48;
    if (chance(4)) {
        /* out of range: below 16 (for 64K only below 12, since QEMU's
         * -cpu max has FEAT_LVA, which granule does not model) or above
         * the FEAT_TTST maximum */
        *ok = false;
        if (chance(50))
            return (unsigned)rndn(gbits == 16 ? 12 : 16);
        return max + 1 + (unsigned)rndn(63 - max);
    }
    *ok = true;
    static const unsigned common[] = {16, 16, 17, 20, 25, 28, 33, 39, 42};
    if (chance(40))
        return common[rndn(sizeof common / sizeof common[0])];
    return 16 + (unsigned)rndn(max - 16 + 1);
}

static void half_setup(image *im, half *h, int idx, unsigned g, unsigned ips,
                       uint64_t tcr)
{
    memset(h, 0, sizeof *h);
    h->idx = idx;
    h->gbits = gran_bits[g];
    h->stride = h->gbits - 3;
    unsigned min = 16, max = h->gbits == 16 ? 47 : 48;
    h->txsz = (unsigned)((tcr >> (idx ? 16 : 0)) & 63);
    h->txsz_ok = h->txsz >= min && h->txsz <= max;
    unsigned eff = h->txsz < min ? min : h->txsz > max ? max : h->txsz;
    h->inputsize = 64 - eff;
    unsigned lvls = (h->inputsize - h->gbits + h->stride - 1) / h->stride;
    h->start_level = 4 - lvls;
    h->outputsize = ips_bits[ips];
    if (h->outputsize == 52 && h->gbits != 16)
        h->outputsize = 48; /* 52-bit OA needs FEAT_LPA2 for 4K/16K */
    h->maxoa = h->gbits == 16 ? 52 : 48;
    h->epd = (tcr >> (idx ? 23 : 7)) & 1;
    h->tbi = (tcr >> (idx ? 38 : 37)) & 1;
    h->budget = h->gbits == 12 ? 16 : h->gbits == 14 ? 8 : 5;
    h->root = -1;

    uint64_t asid = rndn(65536) << 48;
    unsigned k = (unsigned)rndn(100);
    if (k < 4) {
        /* TTBR base above the PA size: address size fault, level 0 */
        if (h->outputsize < 48) {
            h->ttbr = (above_pa(h, h->gbits) & mask(48)) | asid;
            if (h->ttbr & mask(48) & ~mask(h->outputsize)) {
                h->ttbr_note = "ttbr-above-oa";
                return;
            }
        }
    } else if (k < 8) {
        /* TTBR base where there is no memory: external abort on the walk */
        uint64_t pa = nowhere_pa(h->outputsize, h->gbits);
        h->ttbr = (pa & mask(48)) | asid;
        if (pa >> 48) /* 64K with a 52-bit OA: TTBR[5:2] = BADDR[51:48] */
            h->ttbr |= ((pa >> 48) & 0xf) << 2;
        h->ttbr_note = "ttbr-nowhere";
        return;
    }
    unsigned nent = 1u << (h->inputsize - level_shift(h, h->start_level));
    h->root = table_alloc(im, h->gbits, h->start_level, nent, idx);
    /* CnP (bit 0) only says whether TLB entries may be shared */
    h->ttbr = im->tables[h->root].pa | asid | (uint64_t)chance(20);
    h->ttbr_note = "root";
}

static int write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "conf_gen: cannot write %s: %s\n", path,
                strerror(errno));
        return -1;
    }
    return 0;
}

typedef struct req {
    uint64_t va;
    unsigned flags;
    int half, tag;
    unsigned gkb, kd_fst;
    char note[160];
} req;

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: conf_gen SEED NCASES VAS_PER_HALF OUTDIR\n");
        return 2;
    }
    uint64_t seed = strtoull(argv[1], NULL, 0);
    unsigned ncases = (unsigned)strtoul(argv[2], NULL, 0);
    unsigned nper = (unsigned)strtoul(argv[3], NULL, 0);
    const char *out = argv[4];
    rng_state = seed;

    /* blob: header, case array, then images and request arrays */
    size_t cap = 64u << 20, blen = 0;
    uint8_t *blob = calloc(1, cap);
    image im = {.bytes = malloc(IMG_MAX)};
    req *reqs = malloc(sizeof *reqs * 2 * nper);
    if (!blob || !im.bytes || !reqs) {
        fprintf(stderr, "conf_gen: out of memory\n");
        return 2;
    }
    uint64_t hdr[CONF_HDR_WORDS] = {0};
    uint64_t *cases = calloc(ncases ? ncases : 1, CONF_CASE_WORDS * 8);
    if (!cases) {
        fprintf(stderr, "conf_gen: out of memory\n");
        return 2;
    }
    blen = CONF_HDR_WORDS * 8 + (size_t)ncases * CONF_CASE_WORDS * 8;

    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.tsv", out);
    FILE *man = fopen(path, "w");
    if (!man) {
        fprintf(stderr, "conf_gen: cannot write %s: %s\n", path,
                strerror(errno));
        return 2;
    }
    fprintf(man, "# seed %" PRIu64
                 "\n# case\tindex\trange\tgranule_kb\ttag\tkd_fst\tnote\n",
            seed);
    uint64_t total = 0;

    for (unsigned c = 0; c < ncases; c++) {
        /* granules cycle so each is used by the same number of ranges */
        unsigned g0 = c % 3, g1 = (c / 3 + c) % 3;
        bool ok0, ok1;
        unsigned ips = (unsigned)rndn(7);
        uint64_t tcr = 0;
        tcr |= pick_txsz(gran_bits[g0], &ok0);
        tcr |= (uint64_t)chance(5) << 7;          /* EPD0 */
        tcr |= rndn(4) << 8 | rndn(4) << 10;       /* IRGN0, ORGN0 */
        tcr |= (uint64_t)(chance(50) ? 3 : 2) << 12; /* SH0 (01 reserved) */
        tcr |= (uint64_t)tg0_enc[g0] << 14;
        tcr |= (uint64_t)pick_txsz(gran_bits[g1], &ok1) << 16;
        tcr |= rndn(2) << 22;                      /* A1 */
        tcr |= (uint64_t)chance(5) << 23;         /* EPD1 */
        tcr |= rndn(4) << 24 | rndn(4) << 26;      /* IRGN1, ORGN1 */
        tcr |= (uint64_t)(chance(50) ? 3 : 2) << 28; /* SH1 */
        tcr |= (uint64_t)tg1_enc[g1] << 30;
        tcr |= (uint64_t)ips << 32;
        tcr |= rndn(2) << 36;                      /* AS */
        tcr |= rndn(2) << 37 | rndn(2) << 38;      /* TBI0, TBI1 */
        bool ha = chance(50);
        tcr |= (uint64_t)ha << 39;
        tcr |= (uint64_t)chance(50) << 40;        /* HD (with or without HA) */
        tcr |= rndn(2) << 41 | rndn(2) << 42;      /* HPD0, HPD1 */
        tcr |= rndn(2) << 51 | rndn(2) << 52;      /* TBID0, TBID1 */
        /* kept 0: HWU (43..50), NFD0/1, E0PD0/1, TCMA0/1, DS */
        (void)ok0;
        (void)ok1;

        uint64_t mair = 0;
        for (int i = 0; i < 8; i++)
            mair |= (uint64_t)mair_vals[rndn(sizeof mair_vals)] << (8 * i);
        /* RES1 bits, C, I, M; WXN random (it only affects fetches) */
        uint64_t sctlr = 0x30D01804ull | 1 | (1u << 2) | (1u << 12);
        sctlr |= rndn(2) << 19;
        /* now and then stage 1 off (M = 0): the flat map, with an address
         * size fault for VAs above PAMax (AArch64.S1DisabledOutput) */
        if (chance(3))
            sctlr &= ~1ull;
        uint64_t pan = rndn(2);

        im.len = 0;
        im.ntables = 0;
        half h[2];
        half_setup(&im, &h[0], 0, g0, ips, tcr);
        half_setup(&im, &h[1], 1, g1, ips, tcr);

        unsigned n = 0;
        for (int hi = 0; hi < 2; hi++) {
            for (unsigned i = 0; i < nper; i++) {
                walkpath p;
                req *r = &reqs[n++];
                r->va = make_va(&im, &h[hi], &p);
                r->flags = (unsigned)rndn(4);
                r->half = hi;
                r->tag = p.tag;
                r->kd_fst = p.kd_fst;
                r->gkb = 1u << (h[hi].gbits - 10);
                snprintf(r->note, sizeof r->note, "%s", p.note);
            }
        }
        if (!(sctlr & 1)) {
            /* stage 1 off: no walk, so no walk-related known difference */
            for (unsigned i = 0; i < n; i++) {
                reqs[i].tag = KD_NONE;
                reqs[i].kd_fst = 0;
                size_t l = strlen(reqs[i].note);
                snprintf(reqs[i].note + l, sizeof reqs[i].note - l,
                         ",stage1-off");
            }
        }
        /* interleave the two ranges so consecutive ATs alternate */
        for (unsigned i = n; i > 1; i--) {
            unsigned j = (unsigned)rndn(i);
            req t = reqs[i - 1];
            reqs[i - 1] = reqs[j];
            reqs[j] = t;
        }
        if (im.len == 0) {
            /* keep a non-empty image so granule always gets a --mem */
            memset(im.bytes, 0, 4096);
            im.len = 4096;
        }

        /* host-side files */
        snprintf(path, sizeof path, "%s/c%04u.img", out, c);
        if (write_file(path, im.bytes, im.len))
            return 2;
        snprintf(path, sizeof path, "%s/c%04u.regs", out, c);
        FILE *f = fopen(path, "w");
        if (!f)
            return 2;
        fprintf(f,
                "# conformance case %u, seed %" PRIu64 "\n"
                "TCR_EL1 = 0x%016" PRIx64 "\nTTBR0_EL1 = 0x%016" PRIx64
                "\nTTBR1_EL1 = 0x%016" PRIx64 "\nMAIR_EL1 = 0x%016" PRIx64
                "\nSCTLR_EL1 = 0x%016" PRIx64 "\nPSTATE_PAN = %" PRIu64
                "\n# QEMU -cpu max: 52-bit PARange (FEAT_LPA)\n"
                "ID_AA64MMFR0_EL1 = 0x6\n",
                c, seed, tcr, h[0].ttbr, h[1].ttbr, mair, sctlr, pan);
        fclose(f);
        snprintf(path, sizeof path, "%s/c%04u.va", out, c);
        f = fopen(path, "w");
        if (!f)
            return 2;
        for (unsigned i = 0; i < n; i++) {
            fprintf(f, "0x%016" PRIx64 ":%s:%s\n", reqs[i].va,
                    reqs[i].flags & CONF_REQ_WRITE ? "w" : "r",
                    reqs[i].flags & CONF_REQ_EL0 ? "el0" : "el1");
            fprintf(man, "%u\t%u\t%d\t%u\t%d\t0x%02x\t%s\n", c, i,
                    reqs[i].half, reqs[i].gkb, reqs[i].tag, reqs[i].kd_fst,
                    reqs[i].note);
        }
        fclose(f);

        /* blob part */
        size_t need = blen + im.len + (size_t)n * 16 + 64;
        if (need > cap) {
            while (need > cap)
                cap *= 2;
            uint8_t *nb = realloc(blob, cap);
            if (!nb) {
                fprintf(stderr, "conf_gen: out of memory\n");
                return 2;
            }
            blob = nb;
        }
        uint64_t *cs = cases + (size_t)c * CONF_CASE_WORDS;
        cs[CONF_CASE_TCR] = tcr;
        cs[CONF_CASE_TTBR0] = h[0].ttbr;
        cs[CONF_CASE_TTBR1] = h[1].ttbr;
        cs[CONF_CASE_MAIR] = mair;
        cs[CONF_CASE_SCTLR] = sctlr;
        cs[CONF_CASE_PAN] = pan;
        blen = (blen + 63) & ~(size_t)63;
        cs[CONF_CASE_IMG_OFF] = blen;
        cs[CONF_CASE_IMG_LEN] = im.len;
        memcpy(blob + blen, im.bytes, im.len);
        blen += im.len;
        cs[CONF_CASE_REQ_OFF] = blen;
        cs[CONF_CASE_NREQ] = n;
        for (unsigned i = 0; i < n; i++) {
            uint64_t w[2] = {reqs[i].va, reqs[i].flags};
            memcpy(blob + blen, w, 16);
            blen += 16;
        }
        total += n;
    }
    hdr[CONF_HDR_MAGIC] = CONF_MAGIC;
    hdr[CONF_HDR_NCASES] = ncases;
    hdr[CONF_HDR_NVAS] = total;
    hdr[CONF_HDR_CASE_OFF] = CONF_HDR_WORDS * 8;
    memcpy(blob, hdr, sizeof hdr);
    memcpy(blob + CONF_HDR_WORDS * 8, cases, (size_t)ncases * CONF_CASE_WORDS * 8);
    fclose(man);
    snprintf(path, sizeof path, "%s/blob.bin", out);
    if (write_file(path, blob, blen))
        return 2;
    printf("conf_gen: seed %" PRIu64 ": %u cases, %" PRIu64
           " translations, blob %zu bytes\n",
           seed, ncases, total, blen);
    free(blob);
    free(im.bytes);
    free(reqs);
    free(cases);
    return 0;
}
