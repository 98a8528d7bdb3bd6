/*
 * Pointer authentication: QARMA-64, ComputePAC, AddPAC, Auth, Strip, PACGA.
 * Everything here follows the Arm ARM (DDI 0487) pseudocode; the functions
 * named in the comments are the pseudocode's.
 */
#include "granule/pac.h"

#include <stdlib.h>
#include <string.h>

/* ==== QARMA-64 ============================================================ */

/* The S-boxes (Avanzi, "The QARMA Block Cipher Family", ToSC 2017, §3.4).
 * sigma0 and sigma1 are involutions; sigma2 is not, hence PACInvSub. */
static const uint8_t qarma_sbox[3][16] = {
    {0, 14, 2, 10, 9, 15, 8, 11, 6, 4, 3, 7, 13, 12, 1, 5},
    {10, 13, 14, 6, 15, 7, 3, 5, 9, 8, 0, 12, 11, 1, 2, 4},
    {11, 6, 8, 15, 12, 0, 9, 14, 3, 7, 4, 5, 13, 2, 1, 10},
};

/* Round constants c0..c7 and alpha: hexadecimal digits of pi, as QARMA
 * defines them; ComputePAC's RC[0..4] and Alpha are the first of these. */
static const uint64_t qarma_rc[GR_PAC_QARMA_MAX_ROUNDS] = {
    0x0000000000000000ull, 0x13198A2E03707344ull, 0xA4093822299F31D0ull,
    0x082EFA98EC4E6C89ull, 0x452821E638D01377ull, 0xBE5466CF34E90C6Cull,
    0x3F84D5B5B5470917ull, 0x9216D5D98979FB1Bull,
};
static const uint64_t qarma_alpha = 0xC0AC29B7C97C50DDull;

/* PACCellShuffle: output cell j (bits 4j+3:4j) is input cell shuf[j]. */
static const uint8_t cell_shuf[16] = {13, 6, 11, 0, 7, 12, 1, 10, 8, 3, 14, 5, 2, 9, 4, 15};

/* TweakShuffle: output cell j is input cell tweak_src[j], passed through
 * the 4-bit LFSR (TweakCellRot) when bit j of tweak_rot is set. */
static const uint8_t tweak_src[16] = {4, 5, 6, 7, 11, 2, 3, 8, 12, 13, 14, 15, 0, 1, 10, 9};
static const uint16_t tweak_rot = (1u << 2) | (1u << 4) | (1u << 7) | (1u << 11) |
                                  (1u << 12) | (1u << 14) | (1u << 15);

static inline unsigned cell(uint64_t x, unsigned j)
{
    return (unsigned)(x >> (4 * j)) & 0xf;
}

static uint64_t cells_sub(uint64_t x, const uint8_t box[16])
{
    uint64_t o = 0;
    for (unsigned j = 0; j < 16; j++)
        o |= (uint64_t)box[cell(x, j)] << (4 * j);
    return o;
}

static void sbox_inverse(const uint8_t box[16], uint8_t inv[16])
{
    for (unsigned v = 0; v < 16; v++)
        inv[box[v]] = (uint8_t)v;
}

static uint64_t cell_shuffle(uint64_t x)
{
    uint64_t o = 0;
    for (unsigned j = 0; j < 16; j++)
        o |= (uint64_t)cell(x, cell_shuf[j]) << (4 * j);
    return o;
}

static uint64_t cell_inv_shuffle(uint64_t x)
{
    uint64_t o = 0;
    for (unsigned j = 0; j < 16; j++)
        o |= (uint64_t)cell(x, j) << (4 * cell_shuf[j]);
    return o;
}

static inline unsigned rot_cell(unsigned c, unsigned n) /* RotCell: rotate left */
{
    return ((c << n) | (c >> (4 - n))) & 0xf;
}

/* PACMult: the involutory MixColumns circ(0, rho, rho^2, rho) on the four
 * columns {i, i+4, i+8, i+12}. */
static uint64_t pac_mult(uint64_t x)
{
    uint64_t o = 0;
    for (unsigned i = 0; i < 4; i++) {
        unsigned s0 = cell(x, i), s4 = cell(x, i + 4), s8 = cell(x, i + 8),
                 s12 = cell(x, i + 12);
        unsigned t0 = rot_cell(s8, 1) ^ rot_cell(s4, 2) ^ rot_cell(s0, 1);
        unsigned t1 = rot_cell(s12, 1) ^ rot_cell(s4, 1) ^ rot_cell(s0, 2);
        unsigned t2 = rot_cell(s12, 2) ^ rot_cell(s8, 1) ^ rot_cell(s0, 1);
        unsigned t3 = rot_cell(s12, 1) ^ rot_cell(s8, 2) ^ rot_cell(s4, 1);
        o |= (uint64_t)t3 << (4 * i);
        o |= (uint64_t)t2 << (4 * (i + 4));
        o |= (uint64_t)t1 << (4 * (i + 8));
        o |= (uint64_t)t0 << (4 * (i + 12));
    }
    return o;
}

/* TweakCellRot / TweakCellInvRot: QARMA's LFSR omega on one cell. */
static inline unsigned tweak_cell_rot(unsigned c)
{
    return (((c ^ (c >> 1)) & 1) << 3) | (c >> 1);
}

static inline unsigned tweak_cell_inv_rot(unsigned c)
{
    return ((c & 7) << 1) | ((c ^ (c >> 3)) & 1);
}

static uint64_t tweak_shuffle(uint64_t x)
{
    uint64_t o = 0;
    for (unsigned j = 0; j < 16; j++) {
        unsigned v = cell(x, tweak_src[j]);
        if (tweak_rot & (1u << j))
            v = tweak_cell_rot(v);
        o |= (uint64_t)v << (4 * j);
    }
    return o;
}

static uint64_t tweak_inv_shuffle(uint64_t x)
{
    uint64_t o = 0;
    for (unsigned j = 0; j < 16; j++) {
        unsigned v = cell(x, j);
        if (tweak_rot & (1u << j))
            v = tweak_cell_inv_rot(v);
        o |= (uint64_t)v << (4 * tweak_src[j]);
    }
    return o;
}

/* modk0 = key0<0>:key0<63:2>:(key0<63> EOR key0<1>), QARMA's
 * w1 = (w0 >>> 1) ^ (w0 >> 63). */
static inline uint64_t qarma_w1(uint64_t w0)
{
    return ((w0 >> 1) | (w0 << 63)) ^ (w0 >> 63);
}

uint64_t gr_pac_qarma64_ref(uint64_t p, uint64_t t, uint64_t w0, uint64_t k0,
                            gr_pac_sbox sbox, unsigned rounds)
{
    if ((unsigned)sbox > GR_PAC_SIGMA2 || rounds < 1 || rounds > GR_PAC_QARMA_MAX_ROUNDS)
        return 0;
    const uint8_t *s = qarma_sbox[sbox];
    uint8_t sinv[16];
    sbox_inverse(s, sinv);

    /* ComputePACQARMA with iterations = rounds - 1. */
    uint64_t modk0 = qarma_w1(w0);
    uint64_t rm = t;
    uint64_t w = p ^ w0;
    for (unsigned i = 0; i < rounds; i++) {
        w ^= k0 ^ rm ^ qarma_rc[i];
        if (i > 0) {
            w = cell_shuffle(w);
            w = pac_mult(w);
        }
        w = cells_sub(w, s);
        rm = tweak_shuffle(rm);
    }
    w ^= modk0 ^ rm;
    w = cell_shuffle(w);
    w = pac_mult(w);
    w = cells_sub(w, s);
    w = cell_shuffle(w);
    w = pac_mult(w);
    w ^= k0;
    w = cell_inv_shuffle(w);
    w = cells_sub(w, sinv);
    w = pac_mult(w);
    w = cell_inv_shuffle(w);
    w ^= w0 ^ rm;
    for (unsigned i = 0; i < rounds; i++) {
        w = cells_sub(w, sinv);
        if (i < rounds - 1) {
            w = pac_mult(w);
            w = cell_inv_shuffle(w);
        }
        rm = tweak_inv_shuffle(rm);
        w ^= qarma_rc[rounds - 1 - i] ^ k0 ^ rm ^ qarma_alpha;
    }
    return w ^ modk0;
}

/*
 * The table-driven cipher. Write L = PACMult o PACCellShuffle (the linear
 * layer of a forward round) and Li = PACCellInvShuffle o PACMult (its
 * inverse, PACMult being an involution). Tracking the state just before
 * each S-box layer, the forward rounds become
 *     y_i = L(S(y_{i-1})) ^ L(k0 ^ RC[i]) ^ L(tweak_i)
 * and L o S, being "cellwise then linear", is a sum of per-byte table
 * entries (8 lookups). The same holds for Li o S^-1 in the backward rounds
 * and for the centre. L(k0 ^ RC[i]) depends only on the key: it is part of
 * the key schedule (gr_pac keeps one per key register).
 */
typedef uint64_t qtab[8][256];

struct gr_pac_qarma {
    gr_pac_sbox sbox;
    unsigned rounds;
    qtab ls;     /* L(S(x)) */
    qtab lisi;   /* Li(S^-1(x)) */
    qtab litisi; /* Li(PACCellInvShuffle(S^-1(x))) */
    qtab lin;    /* L(x) */
    uint8_t sinv8[256];
};

typedef struct qkey {
    uint64_t w0, k0, modk0;
    uint64_t lk[GR_PAC_QARMA_MAX_ROUNDS]; /* L(k0 ^ RC[i]), i = 1..r-1 */
    uint64_t lmk;                         /* L(modk0) */
    uint64_t bk[GR_PAC_QARMA_MAX_ROUNDS]; /* RC[r-1-i] ^ k0 ^ alpha */
} qkey;

static inline uint64_t tlook(const qtab t, uint64_t x)
{
    return t[0][x & 0xff] ^ t[1][(x >> 8) & 0xff] ^ t[2][(x >> 16) & 0xff] ^
           t[3][(x >> 24) & 0xff] ^ t[4][(x >> 32) & 0xff] ^ t[5][(x >> 40) & 0xff] ^
           t[6][(x >> 48) & 0xff] ^ t[7][x >> 56];
}

static inline uint64_t sinv_bytes(const struct gr_pac_qarma *q, uint64_t x)
{
    uint64_t o = 0;
    for (unsigned b = 0; b < 8; b++)
        o |= (uint64_t)q->sinv8[(x >> (8 * b)) & 0xff] << (8 * b);
    return o;
}

/* TweakShuffle with word operations: the plain cell moves grouped by shift
 * distance, then the LFSR applied to the seven rotated cells at once. */
static inline uint64_t tweak_shuffle_fast(uint64_t x)
{
    uint64_t plain = ((x >> 16) & 0x00000FFF0000F0FFull) | /* c0,1,3,8,9,10 */
                     ((x << 12) & 0x000000000FF00000ull) | /* c5,6 <- c2,3 */
                     ((x << 48) & 0x00F0000000000000ull);  /* c13 <- c1 */
    uint64_t r = ((x >> 16) & 0x0000F00000000F00ull) |     /* c2<-c6, c11<-c15 */
                 ((x >> 28) & 0x00000000000F0000ull) |     /* c4 <- c11 */
                 ((x >> 4) & 0x00000000F0000000ull) |      /* c7 <- c8 */
                 ((x << 48) & 0x000F000000000000ull) |     /* c12 <- c0 */
                 ((x << 16) & 0x0F00000000000000ull) |     /* c14 <- c10 */
                 ((x << 24) & 0xF000000000000000ull);      /* c15 <- c9 */
    r = ((r >> 1) & 0x7777777777777777ull) | (((r ^ (r >> 1)) & 0x1111111111111111ull) << 3);
    return plain | r;
}

/* S applied to the two cells of byte value b, placed at byte position p
 * with zeros elsewhere: the T-table decomposition needs the per-byte terms
 * of the S-box layer, not S of a word whose other cells are 0 (S(0) != 0). */
static inline uint64_t sub_placed(const uint8_t *box, unsigned p, unsigned b)
{
    return (uint64_t)(box[b & 0xf] | (box[b >> 4] << 4)) << (8 * p);
}

gr_pac_qarma *gr_pac_qarma_create(gr_pac_sbox sbox, unsigned rounds)
{
    if ((unsigned)sbox > GR_PAC_SIGMA2 || rounds < 1 || rounds > GR_PAC_QARMA_MAX_ROUNDS)
        return NULL;
    gr_pac_qarma *q = malloc(sizeof *q);
    if (!q)
        return NULL;
    q->sbox = sbox;
    q->rounds = rounds;
    const uint8_t *s = qarma_sbox[sbox];
    uint8_t inv[16];
    sbox_inverse(s, inv);
    for (unsigned p = 0; p < 8; p++) {
        for (unsigned b = 0; b < 256; b++) {
            uint64_t sb = sub_placed(s, p, b), ib = sub_placed(inv, p, b);
            q->ls[p][b] = pac_mult(cell_shuffle(sb));
            q->lisi[p][b] = cell_inv_shuffle(pac_mult(ib));
            q->litisi[p][b] = cell_inv_shuffle(pac_mult(cell_inv_shuffle(ib)));
            q->lin[p][b] = pac_mult(cell_shuffle((uint64_t)b << (8 * p)));
        }
    }
    for (unsigned b = 0; b < 256; b++)
        q->sinv8[b] = (uint8_t)(inv[b & 0xf] | (inv[b >> 4] << 4));
    return q;
}

void gr_pac_qarma_destroy(gr_pac_qarma *q)
{
    free(q);
}

static void qkey_prepare(const gr_pac_qarma *q, uint64_t w0, uint64_t k0, qkey *k)
{
    unsigned r = q->rounds;
    k->w0 = w0;
    k->k0 = k0;
    k->modk0 = qarma_w1(w0);
    for (unsigned i = 0; i < GR_PAC_QARMA_MAX_ROUNDS; i++)
        k->lk[i] = i < r ? tlook(q->lin, k0 ^ qarma_rc[i]) : 0;
    k->lmk = tlook(q->lin, k->modk0);
    for (unsigned i = 0; i < GR_PAC_QARMA_MAX_ROUNDS; i++)
        k->bk[i] = i < r ? qarma_rc[r - 1 - i] ^ k0 ^ qarma_alpha : 0;
}

static uint64_t qarma_keyed(const gr_pac_qarma *q, const qkey *k, uint64_t p, uint64_t t)
{
    const unsigned r = q->rounds;
    uint64_t tw[GR_PAC_QARMA_MAX_ROUNDS + 1];
    tw[0] = t;
    for (unsigned i = 0; i < r; i++)
        tw[i + 1] = tweak_shuffle_fast(tw[i]);

    uint64_t y = p ^ k->w0 ^ k->k0 ^ t ^ qarma_rc[0];
    for (unsigned i = 1; i < r; i++)
        y = tlook(q->ls, y) ^ k->lk[i] ^ tlook(q->lin, tw[i]);
    /* Centre: the reflector with its two S-box layers. */
    uint64_t z = tlook(q->ls, y) ^ k->lmk ^ tlook(q->lin, tw[r]);
    uint64_t w = tlook(q->ls, z) ^ k->k0;
    uint64_t v = tlook(q->litisi, w) ^ k->w0 ^ tw[r];
    for (unsigned i = 0; i + 1 < r; i++)
        v = tlook(q->lisi, v) ^ k->bk[i] ^ tw[r - 1 - i];
    return sinv_bytes(q, v) ^ k->bk[r - 1] ^ tw[0] ^ k->modk0;
}

uint64_t gr_pac_qarma_encrypt(const gr_pac_qarma *q, uint64_t p, uint64_t t,
                              uint64_t w0, uint64_t k0)
{
    qkey k;
    qkey_prepare(q, w0, k0, &k);
    return qarma_keyed(q, &k, p, t);
}

/* ==== Features ============================================================ */

static const char *const status_text[] = {
#define GR_PAC_STATUS_TEXT_(e, text) text,
    GR_PAC_STATUS_LIST(GR_PAC_STATUS_TEXT_)
#undef GR_PAC_STATUS_TEXT_
};

const char *gr_pac_strerror(gr_pac_status s)
{
    if ((unsigned)s >= GR_PAC_STATUS_COUNT_)
        return "unknown status";
    return status_text[s];
}

const char *gr_pac_key_name(gr_pac_key k)
{
    static const char *const names[GR_PAC_NKEYS] = {"ia", "ib", "da", "db", "ga"};
    return (unsigned)k < GR_PAC_NKEYS ? names[k] : NULL;
}

gr_pac_status gr_pac_features_decode(const gr_regs *regs, gr_pac_features *f)
{
    /* ID_AA64ISAR1_EL1: APA[7:4] API[11:8] GPA[27:24] GPI[31:28];
     * ID_AA64ISAR2_EL1: GPA3[11:8] APA3[15:12] PAC_frac[27:24]. */
    unsigned apa = (unsigned)(regs->id_aa64isar1 >> 4) & 0xf;
    unsigned api = (unsigned)(regs->id_aa64isar1 >> 8) & 0xf;
    unsigned gpa = (unsigned)(regs->id_aa64isar1 >> 24) & 0xf;
    unsigned gpi = (unsigned)(regs->id_aa64isar1 >> 28) & 0xf;
    unsigned gpa3 = (unsigned)(regs->id_aa64isar2 >> 8) & 0xf;
    unsigned apa3 = (unsigned)(regs->id_aa64isar2 >> 12) & 0xf;
    unsigned frac = (unsigned)(regs->id_aa64isar2 >> 24) & 0xf;

    memset(f, 0, sizeof *f);
    /* One algorithm at most for each of address and generic authentication;
     * the level (FEAT_PAuth .. FEAT_FPACCOMBINE) is the value of whichever
     * address field is set. */
    if ((apa != 0) + (api != 0) + (apa3 != 0) > 1 || (gpa != 0) + (gpi != 0) + (gpa3 != 0) > 1)
        return GR_PAC_E_IDREGS;
    unsigned level = apa | api | apa3;
    if (level > GR_PAC_LEVEL_FPACCOMBINE || gpa > 1 || gpi > 1 || gpa3 > 1 || frac > 1)
        return GR_PAC_E_IDREGS;
    f->addr_algo = apa ? GR_PAC_ALGO_QARMA5 : apa3 ? GR_PAC_ALGO_QARMA3
                 : api ? GR_PAC_ALGO_IMPDEF : GR_PAC_ALGO_NONE;
    f->ga_algo = gpa ? GR_PAC_ALGO_QARMA5 : gpa3 ? GR_PAC_ALGO_QARMA3
               : gpi ? GR_PAC_ALGO_IMPDEF : GR_PAC_ALGO_NONE;
    f->level = (gr_pac_level)level;
    f->constpacfield = frac == 1;
    return GR_PAC_OK;
}

/* ==== The decoded context ================================================= */

typedef struct pac_half {
    uint8_t bottom; /* CalculateBottomPACBit */
    bool tbi, tbid;
} pac_half;

struct gr_pac {
    gr_pac_features feat;
    gr_pac_qarma *q5, *q3;               /* built on demand, owned */
    const gr_pac_qarma *qaddr, *qga;     /* q5 or q3 (or NULL) */
    qkey key[GR_PAC_NKEYS];
    bool enabled[GR_PAC_NKEYS];          /* SCTLR_EL1.EnIA/EnIB/EnDA/EnDB */
    pac_half half[2];
    bool selbit55_data, selbit55_insn;   /* AddPAC's choice of bit 55 vs 63 */
};

static gr_pac_qarma *cipher_for(gr_pac *c, gr_pac_algo a, gr_pac_status *st)
{
    gr_pac_qarma **slot = a == GR_PAC_ALGO_QARMA5 ? &c->q5 : &c->q3;
    if (!*slot) {
        *slot = a == GR_PAC_ALGO_QARMA5 ? gr_pac_qarma_create(GR_PAC_SIGMA2, 5)
                                        : gr_pac_qarma_create(GR_PAC_SIGMA1, 3);
        if (!*slot)
            *st = GR_PAC_E_NOMEM;
    }
    return *slot;
}

/* CalculateBottomPACBit for the EL1&0 regime. The implementation has
 * FEAT_TTST (as the walker does) and no FEAT_LVA, so TxSZ is limited to
 * 16..48 (47 with the 64K granule); an out-of-range TxSZ is CONSTRAINED
 * UNPREDICTABLE (Unpredictable_RESTnSZ) and we take Constraint_FORCE,
 * clamping it, as QEMU does. */
static uint8_t bottom_pac_bit(uint64_t tcr, bool upper)
{
    unsigned tsz = upper ? (unsigned)(tcr >> 16) & 0x3f : (unsigned)tcr & 0x3f;
    bool using64k = upper ? ((tcr >> 30) & 3) == 3 : ((tcr >> 14) & 3) == 1;
    unsigned max = using64k ? 47 : 48;
    if (tsz > max)
        tsz = max;
    if (tsz < 16)
        tsz = 16;
    return (uint8_t)(64 - tsz);
}

gr_pac_status gr_pac_update(gr_pac *c, const gr_regs *regs)
{
    gr_pac_features f;
    gr_pac_status st = gr_pac_features_decode(regs, &f);
    if (st != GR_PAC_OK)
        return st;
    if (f.addr_algo == GR_PAC_ALGO_IMPDEF || f.ga_algo == GR_PAC_ALGO_IMPDEF)
        return GR_PAC_E_IMPDEF;
    const gr_pac_qarma *qa = NULL, *qg = NULL;
    if (f.addr_algo != GR_PAC_ALGO_NONE && !(qa = cipher_for(c, f.addr_algo, &st)))
        return st;
    if (f.ga_algo != GR_PAC_ALGO_NONE && !(qg = cipher_for(c, f.ga_algo, &st)))
        return st;

    c->feat = f;
    c->qaddr = qa;
    c->qga = qg;
    const uint64_t hi[GR_PAC_NKEYS] = {regs->apiakeyhi, regs->apibkeyhi, regs->apdakeyhi,
                                       regs->apdbkeyhi, regs->apgakeyhi};
    const uint64_t lo[GR_PAC_NKEYS] = {regs->apiakeylo, regs->apibkeylo, regs->apdakeylo,
                                       regs->apdbkeylo, regs->apgakeylo};
    memset(c->key, 0, sizeof c->key);
    for (int k = 0; k < GR_PAC_NKEYS; k++) {
        const gr_pac_qarma *q = k == GR_PAC_KEY_GA ? qg : qa;
        if (q) /* K = KeyHi:KeyLo; ComputePAC(.., K<127:64>, K<63:0>) */
            qkey_prepare(q, hi[k], lo[k], &c->key[k]);
    }
    /* SCTLR_EL1: EnIA 31, EnIB 30, EnDA 27, EnDB 13. PACGA has no enable. */
    c->enabled[GR_PAC_KEY_IA] = (regs->sctlr >> 31) & 1;
    c->enabled[GR_PAC_KEY_IB] = (regs->sctlr >> 30) & 1;
    c->enabled[GR_PAC_KEY_DA] = (regs->sctlr >> 27) & 1;
    c->enabled[GR_PAC_KEY_DB] = (regs->sctlr >> 13) & 1;
    c->enabled[GR_PAC_KEY_GA] = true;
    /* TCR_EL1: TBI0 37, TBI1 38, TBID0 51, TBID1 52. */
    uint64_t tcr = regs->tcr;
    for (int h = 0; h < 2; h++) {
        c->half[h].bottom = bottom_pac_bit(tcr, h == 1);
        c->half[h].tbi = (tcr >> (37 + h)) & 1;
        c->half[h].tbid = (tcr >> (51 + h)) & 1;
    }
    /* AArch64.AddPAC, EL1&0 regime (PtrHasUpperAndLowerAddRanges): the
     * range is chosen by bit 55 if top-byte-ignore applies to either range
     * (for instruction pointers: TBI without TBID), else by bit 63. */
    c->selbit55_data = c->half[0].tbi || c->half[1].tbi;
    c->selbit55_insn = (c->half[0].tbi && !c->half[0].tbid) || (c->half[1].tbi && !c->half[1].tbid);
    return GR_PAC_OK;
}

gr_pac *gr_pac_create(const gr_regs *regs, gr_pac_status *st)
{
    gr_pac_status dummy;
    if (!st)
        st = &dummy;
    gr_pac *c = calloc(1, sizeof *c);
    if (!c) {
        *st = GR_PAC_E_NOMEM;
        return NULL;
    }
    *st = gr_pac_update(c, regs);
    if (*st != GR_PAC_OK) {
        gr_pac_destroy(c);
        return NULL;
    }
    return c;
}

void gr_pac_destroy(gr_pac *c)
{
    if (!c)
        return;
    gr_pac_qarma_destroy(c->q5);
    gr_pac_qarma_destroy(c->q3);
    free(c);
}

const gr_pac_features *gr_pac_features_of(const gr_pac *c)
{
    return &c->feat;
}

unsigned gr_pac_bottom_bit(const gr_pac *c, bool upper)
{
    return c->half[upper].bottom;
}

/* ==== The instructions ==================================================== */

#define BIT(n) (1ull << (n))
#define TOP8 0xFF00000000000000ull

static inline bool is_data_key(gr_pac_key k)
{
    return k == GR_PAC_KEY_DA || k == GR_PAC_KEY_DB;
}

static inline unsigned key_number(gr_pac_key k) /* '0' for A, '1' for B */
{
    return k == GR_PAC_KEY_IB || k == GR_PAC_KEY_DB;
}

/* EffectiveTBI(address, IsInstr, el) for the EL1&0 regime, with FEAT_PAuth
 * so TBIDn applies to instruction addresses. */
static inline bool effective_tbi(const gr_pac *c, uint64_t ptr, bool is_instr)
{
    const pac_half *h = &c->half[(ptr >> 55) & 1];
    return h->tbi && (!is_instr || !h->tbid);
}

/* The pointer with its PAC field replaced by copies of `sel`: ext_ptr in
 * AddPAC, original_ptr in Auth and Strip. */
static inline uint64_t extend(uint64_t ptr, unsigned sel, unsigned bottom, bool tbi)
{
    uint64_t low = BIT(bottom) - 1;
    uint64_t ext = sel ? ~0ull : 0;
    if (tbi)
        return (ptr & TOP8) | (ext & ~TOP8 & ~low) | (ptr & low);
    return (ext & ~low) | (ptr & low);
}

static gr_pac_status check_common(const gr_pac *c, const gr_pac_req *req)
{
    if (req->el > 1)
        return GR_PAC_E_EL;
    if (!c->qaddr)
        return GR_PAC_E_UNDEFINED;
    if ((unsigned)req->key >= GR_PAC_KEY_GA)
        return GR_PAC_E_KEY;
    return GR_PAC_OK;
}

static void res_init(gr_pac_res *res, uint64_t value)
{
    memset(res, 0, sizeof *res);
    res->value = value;
    res->fault.type = GR_FAULT_NONE;
}

/* AArch64.AddPAC(ptr, modifier, K, data). */
gr_pac_status gr_pac_sign(const gr_pac *c, const gr_pac_req *req, gr_pac_res *res)
{
    gr_pac_status st = check_common(c, req);
    if (st != GR_PAC_OK)
        return st;
    uint64_t ptr = req->ptr;
    res_init(res, ptr);
    if (!c->enabled[req->key]) { /* AddPACxx: if Enable == '0' then return X */
        res->disabled = true;
        return GR_PAC_OK;
    }
    bool data = is_data_key(req->key);
    bool pauth2 = c->feat.level >= GR_PAC_LEVEL_PAUTH2;
    bool tbi = effective_tbi(c, ptr, !data);
    unsigned top_bit = tbi ? 55 : 63;
    bool sel55 = data ? c->selbit55_data : c->selbit55_insn;
    if (pauth2 && c->feat.constpacfield)
        sel55 = true;
    unsigned selbit = (unsigned)(ptr >> (sel55 ? 55 : 63)) & 1;
    unsigned bottom = c->half[selbit].bottom;

    uint64_t ext_ptr = extend(ptr, selbit, bottom, tbi);
    uint64_t pac = qarma_keyed(c->qaddr, &c->key[req->key], ext_ptr, req->modifier);

    /* A pointer whose extension bits ptr<top_bit:bottom> are not all equal
     * gets a corrupted PAC, so it cannot authenticate (FEAT_EPAC: PAC = 0;
     * FEAT_PAuth2: nothing — the XOR below keeps the bad bits visible). */
    uint64_t extbits = (ptr >> bottom) & ((BIT(top_bit - bottom + 1)) - 1);
    if (extbits != 0 && extbits != (BIT(top_bit - bottom + 1) - 1)) {
        if (c->feat.level == GR_PAC_LEVEL_EPAC)
            pac = 0;
        else if (!pauth2)
            pac ^= BIT(top_bit - 1);
    }

    uint64_t low = BIT(bottom) - 1;
    uint64_t f54 = (BIT(55) - 1) & ~low; /* PAC<54:bottom> */
    uint64_t field = tbi ? f54 : (f54 | TOP8);
    uint64_t keep = ~field & ~BIT(55);
    uint64_t v = pauth2 ? ((ptr ^ pac) & field) : (pac & field);
    res->value = (ptr & keep) | ((uint64_t)selbit << 55) | v;
    return GR_PAC_OK;
}

/* AArch64.Auth(ptr, modifier, K, data, key_number, is_combined). */
gr_pac_status gr_pac_auth(const gr_pac *c, const gr_pac_req *req, gr_pac_res *res)
{
    gr_pac_status st = check_common(c, req);
    if (st != GR_PAC_OK)
        return st;
    uint64_t ptr = req->ptr;
    res_init(res, ptr);
    if (!c->enabled[req->key]) { /* AuthXX: if Enable == '0' then return X */
        res->disabled = true;
        return GR_PAC_OK;
    }
    bool data = is_data_key(req->key);
    unsigned keynum = key_number(req->key);
    bool tbi = effective_tbi(c, ptr, !data);
    unsigned b55 = (unsigned)(ptr >> 55) & 1;
    unsigned bottom = c->half[b55].bottom;
    uint64_t original = extend(ptr, b55, bottom, tbi);
    uint64_t pac = qarma_keyed(c->qaddr, &c->key[req->key], original, req->modifier);

    uint64_t low = BIT(bottom) - 1;
    uint64_t f54 = (BIT(55) - 1) & ~low;
    uint64_t field = tbi ? f54 : (f54 | TOP8);
    if (c->feat.level < GR_PAC_LEVEL_PAUTH2) {
        if (((pac ^ ptr) & field) == 0) {
            res->value = original;
        } else {
            /* error_code = key_number:NOT(key_number), in the two bits below
             * the top of the PAC field: <54:53> with TBI, <62:61> without. */
            unsigned err = (keynum << 1) | (keynum ^ 1);
            unsigned at = tbi ? 53 : 61;
            res->value = (original & ~(3ull << at)) | ((uint64_t)err << at);
            res->failed = true;
        }
        return GR_PAC_OK;
    }
    /* FEAT_PAuth2: XOR the PAC in; a correct PAC leaves a sign extension of
     * bit 55 in the field, anything else a non-canonical pointer. */
    uint64_t result = ptr ^ (pac & field);
    uint64_t want = b55 ? field : 0;
    res->value = result;
    res->failed = (result & field) != want;
    bool fpac = c->feat.level >= GR_PAC_LEVEL_FPACCOMBINE ||
                (c->feat.level >= GR_PAC_LEVEL_FPAC && !req->combined);
    if (res->failed && fpac) {
        /* FailedPointerAuth / PACFailException: EC 0x1C, IL = 1,
         * ISS[1:0] = (data ? '1' : '0'):key_number. */
        unsigned iss = ((unsigned)data << 1) | keynum;
        res->fault.type = GR_FAULT_PAC_FAIL;
        res->fault.level = 0;
        res->fault.write = false;
        res->fault.ifetch = !data;
        res->esr = (0x1Cu << 26) | (1u << 25) | iss;
    }
    return GR_PAC_OK;
}

/* AArch64.Strip(A, data). */
gr_pac_status gr_pac_strip(const gr_pac *c, uint64_t ptr, bool data, uint8_t el, uint64_t *out)
{
    if (el > 1)
        return GR_PAC_E_EL;
    if (!c->qaddr)
        return GR_PAC_E_UNDEFINED;
    bool tbi = effective_tbi(c, ptr, !data);
    unsigned b55 = (unsigned)(ptr >> 55) & 1;
    *out = extend(ptr, b55, c->half[b55].bottom, tbi);
    return GR_PAC_OK;
}

/* PACGA / AddPACGA. */
gr_pac_status gr_pac_ga(const gr_pac *c, uint64_t xn, uint64_t xm, uint8_t el, uint64_t *out)
{
    if (el > 1)
        return GR_PAC_E_EL;
    if (!c->qga)
        return GR_PAC_E_UNDEFINED;
    uint64_t pac = qarma_keyed(c->qga, &c->key[GR_PAC_KEY_GA], xn, xm);
    *out = pac & 0xFFFFFFFF00000000ull;
    return GR_PAC_OK;
}

gr_pac_status gr_pac_compute(const gr_pac *c, gr_pac_key k, uint64_t data,
                             uint64_t modifier, uint64_t *out)
{
    if ((unsigned)k >= GR_PAC_NKEYS)
        return GR_PAC_E_KEY;
    const gr_pac_qarma *q = k == GR_PAC_KEY_GA ? c->qga : c->qaddr;
    if (!q)
        return GR_PAC_E_UNDEFINED;
    *out = qarma_keyed(q, &c->key[k], data, modifier);
    return GR_PAC_OK;
}
