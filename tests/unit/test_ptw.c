/*
 * Unit tests of the VMSAv8-64 stage-1 walker (gr_s1_, gr_ptw_, gr_par_).
 *
 * Every expectation here is worked out by hand from the Arm ARM (DDI 0487)
 * rules and pseudocode, and written as literals or as hand-written bit
 * ranges: start levels and index bits from AArch64.S1StartLevel /
 * AArch64.TTEntryAddress (and the table in shared/REFERENCE.md), faults and
 * their levels from AArch64.S1Translate / AArch64.S1Walk, permissions from
 * AArch64.S1DirectBasePermissions, status codes from EncodeLDFSC, PAR_EL1
 * from its register description. Nothing is computed by the code under
 * test. Tables are laid out with tests/lib/ptbuild.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "granule/ptw.h"
#include "ptbuild.h"

typedef unsigned long long ull;

/* MAIR_EL1 with a different, valid attribute in every slot:
 * 0 Device-nGnRnE 0x00, 1 Device-nGnRE 0x04, 2 Device-nGRE 0x08,
 * 3 Device-GRE 0x0C, 4 Normal NC 0x44, 5 Normal WT RW-alloc 0xBB,
 * 6 Normal WB R-alloc 0xEE, 7 Normal WB RW-alloc 0xFF. */
#define MAIR_STD 0xFFEEBB440C080400ull

/* Output addresses used by leaves: bit 47 set, so a mask that drops the
 * top OA bit shows; aligned to 1 MiB, blocks align it down further. */
#define OA_BASE 0x00009ABCDEF00000ull
/* VA bits used below the input size: every index field non-zero. */
#define VA_PATTERN 0x0000A5C39E6D7B21ull

static const unsigned GRANULES[3] = {12, 14, 16};

typedef struct env {
    ptb b;
    gr_regs regs;
    gr_s1ctx ctx;
    ptb_tree t[2];
} env;

/* Context of the current sub-case, printed with every failure. */
static char what[200];

static void setwhat(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void setwhat(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
}

static const char *gname(unsigned gb)
{
    return gb == 12 ? "4K" : gb == 14 ? "16K" : "64K";
}

/* Fresh memory and registers: stage 1 on, PA range 48 bits with all
 * three granules implemented, TCR.IPS = 48 bits, MAIR_STD. */
static void env_reset(env *e)
{
    if (e->b.mem)
        ptb_fini(&e->b);
    memset(e, 0, sizeof *e);
    assert_int_equal(ptb_init(&e->b, PTB_RAM_BASE, PTB_RAM_SIZE), 0);
    ptb_regs(&e->regs);
    e->regs.id_aa64mmfr0 = ptb_mmfr0(5);
    e->regs.tcr = PTB_TCR_IPS(5);
    e->regs.mair = MAIR_STD;
}

static int setup(void **state)
{
    env *e = calloc(1, sizeof *e);
    if (!e)
        return -1;
    env_reset(e);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env *e = *state;
    ptb_fini(&e->b);
    free(e);
    return 0;
}

/* Sets TCR.TxSZ/TGx for half h (TTBR0 or TTBR1) without touching the
 * other fields. */
static void set_tcr_half(env *e, int h, unsigned gb, unsigned txsz)
{
    if (h == 0)
        e->regs.tcr = (e->regs.tcr & ~(0x3full | (3ull << 14))) |
                      PTB_TCR_T0SZ(txsz) | ptb_tcr_tg0(gb);
    else
        e->regs.tcr = (e->regs.tcr & ~((0x3full << 16) | (3ull << 30))) |
                      PTB_TCR_T1SZ(txsz) | ptb_tcr_tg1(gb);
}

/* Configures half h with a new tree (TCR fields and TTBRn). */
static ptb_tree *cfg(env *e, int h, unsigned gb, unsigned txsz)
{
    ptb_tree *t = &e->t[h];
    assert_int_equal(ptb_tree_init(&e->b, t, gb, txsz), 0);
    set_tcr_half(e, h, gb, txsz);
    if (h == 0)
        e->regs.ttbr0 = t->root;
    else
        e->regs.ttbr1 = t->root;
    return t;
}

/* A VA in half h for an input size of 64 - txsz: low bits from `low`,
 * the bits above all zero (TTBR0) or all one (TTBR1). */
static uint64_t mkva(int h, unsigned txsz, uint64_t low)
{
    unsigned ia = 64 - txsz;
    uint64_t mask = (1ull << ia) - 1;
    low &= mask;
    return h ? (~mask | low) : low;
}

static uint64_t align_down(uint64_t v, unsigned shift)
{
    return v & ~((1ull << shift) - 1);
}

static uint64_t bits(uint64_t v, unsigned hi, unsigned lo)
{
    return (v >> lo) & ((2ull << (hi - lo)) - 1);
}

static gr_xlat xlate(env *e, uint64_t va, gr_acc acc, int el)
{
    gr_s1_decode(&e->regs, &e->ctx);
    gr_req r = {.va = va, .acc = acc, .el = (uint8_t)el};
    gr_xlat x;
    memset(&x, 0, sizeof x);
    gr_s1_translate(&e->ctx, e->b.mem, &r, &x);
    return x;
}

/* Arm ARM EncodeLDFSC base codes, OR'ed with the level. */
static uint8_t fsc_base(gr_fault_type t)
{
    switch (t) {
    case GR_FAULT_ADDRESS_SIZE:
        return 0x00;
    case GR_FAULT_TRANSLATION:
        return 0x04;
    case GR_FAULT_ACCESS_FLAG:
        return 0x08;
    case GR_FAULT_PERMISSION:
        return 0x0c;
    case GR_FAULT_SYNC_EXTERNAL_ON_WALK:
        return 0x14;
    default:
        return 0xff;
    }
}

static void expect_pa_(const gr_xlat *x, uint64_t pa, int line)
{
    if (x->fault.type != GR_FAULT_NONE)
        fail_msg("line %d [%s]: expected PA 0x%llx, got %s fault at level %d",
                 line, what, (ull)pa, gr_fault_name(x->fault.type), x->fault.level);
    if (x->pa != pa)
        fail_msg("line %d [%s]: expected PA 0x%llx, got 0x%llx", line, what,
                 (ull)pa, (ull)x->pa);
}
#define expect_pa(x, pa) expect_pa_(&(x), (pa), __LINE__)

static void expect_fault_(const gr_xlat *x, gr_fault_type t, int level, int line)
{
    if (x->fault.type != t || x->fault.level != level)
        fail_msg("line %d [%s]: expected %s fault at level %d, got %s at level %d"
                 " (pa 0x%llx)",
                 line, what, gr_fault_name(t), level, gr_fault_name(x->fault.type),
                 x->fault.level, (ull)x->pa);
    uint8_t want = (uint8_t)(fsc_base(t) | level);
    uint8_t got = gr_fault_fsc(&x->fault);
    if (got != want)
        fail_msg("line %d [%s]: expected FSC 0x%02x, got 0x%02x", line, what, want, got);
}
#define expect_fault(x, t, level) expect_fault_(&(x), GR_FAULT_##t, (level), __LINE__)

/* Fresh env; half h with granule gb and txsz; desc at level for va. */
static ptb_tree *one_leaf(env *e, int h, unsigned gb, unsigned txsz, uint64_t va,
                          unsigned level, uint64_t desc)
{
    env_reset(e);
    ptb_tree *t = cfg(e, h, gb, txsz);
    assert_int_equal(ptb_map(t, va, level, desc), 0);
    return t;
}

/* ------------------------------------------------------------------ */
/* Geometry: start level, index bits at every level, page output.      */

typedef struct geo_case {
    unsigned gb, txsz, start;
    unsigned hi[4], lo[4]; /* index VA bits per level, from start to 3 */
} geo_case;

/* Worked by hand: start = 4 - ceil((64 - TxSZ - g) / (g - 3)); the start
 * level takes VA[63-TxSZ : lo]; each later level takes g - 3 bits. */
static const geo_case GEO[] = {
    {12, 16, 0, {47, 38, 29, 20}, {39, 30, 21, 12}},
    {12, 25, 1, {0, 38, 29, 20}, {0, 30, 21, 12}},
    {12, 33, 1, {0, 30, 29, 20}, {0, 30, 21, 12}},
    {12, 34, 2, {0, 0, 29, 20}, {0, 0, 21, 12}},
    {12, 39, 2, {0, 0, 24, 20}, {0, 0, 21, 12}},
    {12, 43, 3, {0, 0, 0, 20}, {0, 0, 0, 12}},
    {12, 44, 3, {0, 0, 0, 19}, {0, 0, 0, 12}},
    {12, 48, 3, {0, 0, 0, 15}, {0, 0, 0, 12}},
    {14, 16, 0, {47, 46, 35, 24}, {47, 36, 25, 14}},
    {14, 17, 1, {0, 46, 35, 24}, {0, 36, 25, 14}},
    {14, 25, 1, {0, 38, 35, 24}, {0, 36, 25, 14}},
    {14, 28, 2, {0, 0, 35, 24}, {0, 0, 25, 14}},
    {14, 38, 2, {0, 0, 25, 24}, {0, 0, 25, 14}},
    {14, 39, 3, {0, 0, 0, 24}, {0, 0, 0, 14}},
    {14, 48, 3, {0, 0, 0, 15}, {0, 0, 0, 14}},
    {16, 16, 1, {0, 47, 41, 28}, {0, 42, 29, 16}},
    {16, 21, 1, {0, 42, 41, 28}, {0, 42, 29, 16}},
    {16, 22, 2, {0, 0, 41, 28}, {0, 0, 29, 16}},
    {16, 25, 2, {0, 0, 38, 28}, {0, 0, 29, 16}},
    {16, 34, 2, {0, 0, 29, 28}, {0, 0, 29, 16}},
    {16, 35, 3, {0, 0, 0, 28}, {0, 0, 0, 16}},
    {16, 39, 3, {0, 0, 0, 24}, {0, 0, 0, 16}},
    {16, 47, 3, {0, 0, 0, 16}, {0, 0, 0, 16}},
};

/* Table address held in a table descriptor: bits [47:g]. */
static uint64_t table_addr(uint64_t desc, unsigned gb)
{
    return desc & 0x0000ffffffffffffull & ~((1ull << gb) - 1);
}

static void check_geometry(env *e, const geo_case *c, int h, uint64_t low)
{
    setwhat("%s T%dSZ=%u va-low=0x%llx", gname(c->gb), h, c->txsz, (ull)low);
    uint64_t va = mkva(h, c->txsz, low);
    uint64_t oa = align_down(OA_BASE, c->gb);
    ptb_tree *t = one_leaf(e, h, c->gb, c->txsz, va, 3,
                           ptb_page(oa, PTB_AF | PTB_ATTRIDX(7) | PTB_SH(3)));
    gr_xlat x = xlate(e, va, GR_ACC_READ, 1);
    expect_pa(x, oa | (va & ((1ull << c->gb) - 1)));
    assert_true(x.have_tte);
    assert_int_equal(x.tte.level, 3);
    assert_int_equal(x.tte.page_shift, c->gb);
    assert_int_equal(x.tte.half, h);
    if (x.nreads != 4 - c->start)
        fail_msg("[%s] expected %u descriptor reads (start level %u), got %u", what,
                 4 - c->start, c->start, x.nreads);
    uint64_t table = t->root;
    for (unsigned l = c->start; l <= 3; l++) {
        const gr_ptw_read *rd = &x.reads[l - c->start];
        uint64_t slot = table + 8 * bits(va, c->hi[l], c->lo[l]);
        if (rd->level != l || rd->pa != slot)
            fail_msg("[%s] read %u: expected level %u at 0x%llx (VA[%u:%u]), got level "
                     "%u at 0x%llx",
                     what, l - c->start, l, (ull)slot, c->hi[l], c->lo[l], rd->level,
                     (ull)rd->pa);
        uint64_t d = ptb_read(&e->b, slot);
        assert_int_equal(rd->val, d);
        table = table_addr(d, c->gb);
    }
}

static void test_ptw_geometry_all_granules_txsz(void **state)
{
    env *e = *state;
    for (size_t i = 0; i < sizeof GEO / sizeof GEO[0]; i++)
        for (int h = 0; h < 2; h++) {
            check_geometry(e, &GEO[i], h, VA_PATTERN);
            check_geometry(e, &GEO[i], h, ~0ull);      /* every index all ones */
            check_geometry(e, &GEO[i], h, 0x1000ull << (GEO[i].gb - 12)); /* page 1 */
        }
}

/* The six cells of the table in shared/REFERENCE.md, with the offset of
 * the last entry of the start table written out: VA with every start-level
 * index bit set must read root + 8 * (entries - 1). */
static void test_ptw_reference_table(void **state)
{
    env *e = *state;
    static const struct {
        unsigned gb, txsz, start;
        uint64_t va;       /* start-level index bits all ones, rest zero */
        uint64_t last_off; /* 8 * (entries - 1) */
    } ref[] = {
        {12, 16, 0, 0x0000FF8000000000ull, 0xff8},  /* L0=VA[47:39], 512 */
        {14, 16, 0, 0x0000800000000000ull, 0x8},    /* L0=VA[47], 2 */
        {16, 16, 1, 0x0000FC0000000000ull, 0x1f8},  /* L1=VA[47:42], 64 */
        {12, 25, 1, 0x0000007FC0000000ull, 0xff8},  /* L1=VA[38:30], 512 */
        {14, 25, 1, 0x0000007000000000ull, 0x38},   /* L1=VA[38:36], 8 */
        {16, 25, 2, 0x0000007FE0000000ull, 0x1ff8}, /* L2=VA[38:29], 1024 */
    };
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
        setwhat("REFERENCE %s T0SZ=%u", gname(ref[i].gb), ref[i].txsz);
        uint64_t oa = 0x80000000ull;
        ptb_tree *t = one_leaf(e, 0, ref[i].gb, ref[i].txsz, ref[i].va, 3,
                               ptb_page(oa, PTB_AF));
        gr_xlat x = xlate(e, ref[i].va + 0x18, GR_ACC_READ, 1);
        expect_pa(x, oa + 0x18);
        assert_int_equal(x.reads[0].level, ref[i].start);
        assert_int_equal(x.reads[0].pa, t->root + ref[i].last_off);
        assert_int_equal(x.nreads, 4 - ref[i].start);
    }
}

/* ------------------------------------------------------------------ */
/* Blocks at every legal level.                                        */

typedef struct blk_case {
    unsigned gb, txsz, level, shift, parange;
} blk_case;

/* Block sizes by hand: 4K L1 1 GB (2^30), L2 2 MB (2^21); 16K L2 32 MB
 * (2^25); 64K L2 512 MB (2^29), L1 4 TB (2^42, only with PAMax 52:
 * AArch64.BlockDescSupported). */
static const blk_case BLOCKS[] = {
    {12, 16, 1, 30, 5}, {12, 25, 1, 30, 5}, {12, 16, 2, 21, 5}, {12, 34, 2, 21, 5},
    {14, 16, 2, 25, 5}, {14, 28, 2, 25, 5}, {16, 16, 2, 29, 5}, {16, 25, 2, 29, 5},
    {16, 16, 1, 42, 6},
};

static void test_ptw_blocks_legal_levels(void **state)
{
    env *e = *state;
    for (size_t i = 0; i < sizeof BLOCKS / sizeof BLOCKS[0]; i++)
        for (int h = 0; h < 2; h++) {
            const blk_case *c = &BLOCKS[i];
            setwhat("%s T%dSZ=%u block at L%u", gname(c->gb), h, c->txsz, c->level);
            uint64_t va = mkva(h, c->txsz, VA_PATTERN);
            uint64_t oa = align_down(OA_BASE, c->shift);
            one_leaf(e, h, c->gb, c->txsz, va, c->level, ptb_block(oa, PTB_AF));
            e->regs.id_aa64mmfr0 = ptb_mmfr0(c->parange);
            gr_xlat x = xlate(e, va, GR_ACC_READ, 1);
            expect_pa(x, oa | (va & ((1ull << c->shift) - 1)));
            assert_int_equal(x.tte.level, c->level);
            assert_int_equal(x.tte.page_shift, c->shift);
            assert_int_equal(x.nreads, c->level - ptb_start_level(c->gb, c->txsz) + 1);
        }
}

/* ------------------------------------------------------------------ */
/* Translation faults.                                                 */

/* Levels present with TxSZ = 16: 4K and 16K start at 0, 64K at 1. */
static unsigned start48(unsigned gb)
{
    return gb == 16 ? 1 : 0;
}

static void test_ptw_fault_translation_invalid_each_level(void **state)
{
    env *e = *state;
    static const uint64_t invalid[] = {0, 2, 0xfffffffffffffffeull};
    for (int g = 0; g < 3; g++)
        for (int h = 0; h < 2; h++)
            for (unsigned l = start48(GRANULES[g]); l <= 3; l++)
                for (int k = 0; k < 3; k++) {
                    unsigned gb = GRANULES[g];
                    setwhat("%s TTBR%d invalid 0x%llx at L%u", gname(gb), h,
                            (ull)invalid[k], l);
                    uint64_t va = mkva(h, 16, VA_PATTERN);
                    one_leaf(e, h, gb, 16, va, l, invalid[k]);
                    gr_xlat x = xlate(e, va, GR_ACC_READ, 1);
                    expect_fault(x, TRANSLATION, (int)l);
                    assert_false(x.have_tte);
                    assert_int_equal(x.nreads, l - start48(gb) + 1);
                }
    /* the literal DFSC of one of them: translation fault, level 2 */
    setwhat("4K L2 invalid, literal FSC");
    uint64_t va = mkva(0, 16, VA_PATTERN);
    one_leaf(e, 0, 12, 16, va, 2, 0);
    gr_xlat x = xlate(e, va, GR_ACC_WRITE, 0);
    assert_int_equal(gr_fault_fsc(&x.fault), 0x06);
    assert_true(x.fault.write);
}

/* AArch64.BlockDescSupported without FEAT_LPA2: 4K blocks only at L1/L2,
 * 16K only at L2, 64K only at L2 (L1 with PAMax 52). */
static void test_ptw_fault_translation_block_illegal_level(void **state)
{
    env *e = *state;
    static const struct {
        unsigned gb, txsz, level, parange;
    } bad[] = {
        {12, 16, 0, 5}, {12, 16, 0, 6}, {14, 16, 0, 5}, {14, 16, 1, 5},
        {14, 17, 1, 5}, {14, 16, 1, 6}, {16, 16, 1, 5}, {16, 21, 1, 5},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        for (int h = 0; h < 2; h++) {
            setwhat("%s T%dSZ=%u block at L%u PARange=%u", gname(bad[i].gb), h,
                    bad[i].txsz, bad[i].level, bad[i].parange);
            uint64_t va = mkva(h, bad[i].txsz, VA_PATTERN);
            one_leaf(e, h, bad[i].gb, bad[i].txsz, va, bad[i].level,
                     ptb_block(0, PTB_AF));
            e->regs.id_aa64mmfr0 = ptb_mmfr0(bad[i].parange);
            gr_xlat x = xlate(e, va, GR_ACC_READ, 1);
            expect_fault(x, TRANSLATION, (int)bad[i].level);
        }
}

/* At level 3, descriptor bits[1:0] = 0b01 is reserved: invalid. */
static void test_ptw_fault_translation_l3_reserved(void **state)
{
    env *e = *state;
    for (int g = 0; g < 3; g++)
        for (int h = 0; h < 2; h++) {
            unsigned gb = GRANULES[g];
            setwhat("%s TTBR%d L3 bits[1:0]=01", gname(gb), h);
            uint64_t va = mkva(h, 16, VA_PATTERN);
            one_leaf(e, h, gb, 16, va, 3, ptb_block(align_down(OA_BASE, gb), PTB_AF));
            gr_xlat x = xlate(e, va, GR_ACC_READ, 1);
            expect_fault(x, TRANSLATION, 3);
        }
}

/* TxSZ below 16 (no FEAT_LVA) or above 48 (4K/16K) / 47 (64K) with
 * FEAT_TTST: translation fault, level 0 (the choice the header makes for
 * the IMPLEMENTATION DEFINED case, as QEMU does). */
static void test_ptw_fault_txsz_out_of_range(void **state)
{
    env *e = *state;
    static const struct {
        unsigned gb, txsz;
    } bad[] = {
        {12, 15}, {12, 0}, {12, 49}, {12, 63}, {14, 15}, {14, 49},
        {16, 15}, {16, 48}, {16, 63},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        for (int h = 0; h < 2; h++) {
            setwhat("%s T%dSZ=%u", gname(bad[i].gb), h, bad[i].txsz);
            env_reset(e);
            /* valid tables for a 48-bit range, so only TxSZ can fault */
            ptb_tree *t = cfg(e, h, bad[i].gb, 16);
            uint64_t va = h ? 0xfffffffffffff000ull : 0x1000;
            assert_int_equal(ptb_map(t, va, 3, ptb_page(0x80000000ull, PTB_AF)), 0);
            set_tcr_half(e, h, bad[i].gb, bad[i].txsz);
            gr_xlat x = xlate(e, va, GR_ACC_READ, 1);
            expect_fault(x, TRANSLATION, 0);
            assert_int_equal(x.nreads, 0);
        }
    /* an out-of-range TxSZ of the other half does not matter */
    setwhat("T1SZ=0 while translating through TTBR0");
    env_reset(e);
    ptb_tree *t = cfg(e, 0, 12, 16);
    assert_int_equal(ptb_map(t, 0x1000, 3, ptb_page(0x80000000ull, PTB_AF)), 0);
    e->regs.tcr |= PTB_TCR_T1SZ(0) | ptb_tcr_tg1(12);
    gr_xlat x = xlate(e, 0x1234, GR_ACC_READ, 1);
    expect_pa(x, 0x80000234ull);
}

/* VA[55] selects the range; VA[63:64-TxSZ] must all equal it (no TBI). */
static void test_ptw_fault_non_canonical(void **state)
{
    env *e = *state;
    static const unsigned txszs[] = {16, 25, 39};
    for (int g = 0; g < 3; g++)
        for (size_t k = 0; k < sizeof txszs / sizeof txszs[0]; k++) {
            unsigned gb = GRANULES[g], txsz = txszs[k], ia = 64 - txsz;
            env_reset(e);
            ptb_tree *t0 = cfg(e, 0, gb, txsz), *t1 = cfg(e, 1, gb, txsz);
            uint64_t va0 = mkva(0, txsz, VA_PATTERN), va1 = mkva(1, txsz, VA_PATTERN);
            uint64_t oa = align_down(OA_BASE, gb), off = va0 & ((1ull << gb) - 1);
            assert_int_equal(ptb_map(t0, va0, 3, ptb_page(oa, PTB_AF)), 0);
            assert_int_equal(ptb_map(t1, va1, 3, ptb_page(oa, PTB_AF)), 0);
            setwhat("%s TxSZ=%u canonical controls", gname(gb), txsz);
            gr_xlat x = xlate(e, va0, GR_ACC_READ, 1);
            expect_pa(x, oa | off);
            assert_int_equal(x.tte.half, 0);
            x = xlate(e, va1, GR_ACC_READ, 1);
            expect_pa(x, oa | off);
            assert_int_equal(x.tte.half, 1);
            const uint64_t bad[] = {
                va0 | (1ull << ia),  /* lowest bit above the range */
                va0 | (1ull << 63),
                va0 | (1ull << 55),  /* TTBR1 range, upper bits not ones */
                va1 & ~(1ull << ia),
                va1 & ~(1ull << 63),
                va1 & ~(1ull << 55), /* TTBR0 range, upper bits not zeros */
            };
            for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                setwhat("%s TxSZ=%u non-canonical 0x%016llx", gname(gb), txsz,
                        (ull)bad[i]);
                x = xlate(e, bad[i], GR_ACC_READ, 1);
                expect_fault(x, TRANSLATION, 0);
                assert_int_equal(x.nreads, 0);
                x = xlate(e, bad[i], GR_ACC_EXEC, 0);
                expect_fault(x, TRANSLATION, 0);
                assert_true(x.fault.ifetch);
            }
        }
}

/* gr_s1_select: VA[55] picks the half; out-of-range VAs fault at L0. */
static void test_ptw_select_ranges(void **state)
{
    env *e = *state;
    env_reset(e);
    e->regs.tcr |= PTB_TCR_T0SZ(25) | PTB_TCR_T1SZ(16) | ptb_tcr_tg0(12) | ptb_tcr_tg1(16);
    gr_s1_decode(&e->regs, &e->ctx);
    gr_fault f;
    gr_req r = {.va = 0x0000007fffffffffull, .acc = GR_ACC_READ, .el = 1};
    assert_int_equal(gr_s1_select(&e->ctx, &r, &f), 0);
    assert_int_equal(f.type, GR_FAULT_NONE);
    r.va = 0xffff000000000000ull;
    assert_int_equal(gr_s1_select(&e->ctx, &r, &f), 1);
    assert_int_equal(f.type, GR_FAULT_NONE);
    r.va = 0x0000008000000000ull; /* 2^39: beyond the 39-bit TTBR0 range */
    gr_s1_select(&e->ctx, &r, &f);
    assert_int_equal(f.type, GR_FAULT_TRANSLATION);
    assert_int_equal(f.level, 0);
    r.va = 0xfffe000000000000ull; /* bit 48 clear: below the 48-bit TTBR1 range */
    gr_s1_select(&e->ctx, &r, &f);
    assert_int_equal(f.type, GR_FAULT_TRANSLATION);
    assert_int_equal(f.level, 0);
    /* decoded walk parameters of both halves */
    assert_int_equal(e->ctx.half[0].granule_bits, 12);
    assert_int_equal(e->ctx.half[0].start_level, 1);
    assert_int_equal(e->ctx.half[0].ia_bits, 39);
    assert_int_equal(e->ctx.half[1].granule_bits, 16);
    assert_int_equal(e->ctx.half[1].start_level, 1);
    assert_int_equal(e->ctx.half[1].ia_bits, 48);
    assert_int_equal(e->ctx.pa_bits, 48);
}

/* TCR.EPDn = 1: a walk through TTBRn is a level-0 translation fault. */
static void test_ptw_fault_epd(void **state)
{
    env *e = *state;
    for (int g = 0; g < 3; g++)
        for (int h = 0; h < 2; h++) {
            unsigned gb = GRANULES[g];
            env_reset(e);
            ptb_tree *t0 = cfg(e, 0, gb, 16), *t1 = cfg(e, 1, gb, 16);
            uint64_t va[2] = {mkva(0, 16, VA_PATTERN), mkva(1, 16, VA_PATTERN)};
            uint64_t oa = align_down(OA_BASE, gb), off = va[0] & ((1ull << gb) - 1);
            assert_int_equal(ptb_map(t0, va[0], 3, ptb_page(oa, PTB_AF)), 0);
            assert_int_equal(ptb_map(t1, va[1], 3, ptb_page(oa, PTB_AF)), 0);
            e->regs.tcr |= h ? PTB_TCR_EPD1 : PTB_TCR_EPD0;
            setwhat("%s EPD%d, access through TTBR%d", gname(gb), h, h);
            gr_xlat x = xlate(e, va[h], GR_ACC_READ, 1);
            expect_fault(x, TRANSLATION, 0);
            assert_int_equal(x.nreads, 0);
            setwhat("%s EPD%d, access through TTBR%d", gname(gb), h, !h);
            x = xlate(e, va[!h], GR_ACC_READ, 1);
            expect_pa(x, oa | off);
        }
}

/* ------------------------------------------------------------------ */
/* Address size faults.                                                */

/* The TTBR base above the output range: level 0, whatever the start
 * level (AArch64.S1Walk checks the initial table address first). */
static void test_ptw_fault_address_size_ttbr(void **state)
{
    env *e = *state;
    static const struct {
        unsigned gb, txsz, ips, parange;
        uint64_t ttb;
    } cases[] = {
        {12, 16, 0, 5, 0x100000000ull},   /* IPS 32 bits */
        {12, 25, 0, 5, 0x100000000ull},   /* start level 1 */
        {12, 39, 0, 5, 0x100000000ull},   /* start level 2 */
        {12, 48, 0, 5, 0x100000000ull},   /* start level 3 */
        {14, 16, 1, 5, 0x1000000000ull},  /* IPS 36 bits */
        {14, 39, 1, 5, 0x1000000000ull},  /* start level 3 */
        {16, 16, 2, 5, 0x10000000000ull}, /* IPS 40 bits, start level 1 */
        {16, 25, 2, 5, 0x10000000000ull}, /* start level 2 */
        {12, 16, 5, 2, 0x10000000000ull}, /* IPS 48 capped to PARange 40 */
        {16, 16, 4, 0, 0x100000000ull},   /* IPS 44 capped to PARange 32 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int h = 0; h < 2; h++) {
            setwhat("%s T%dSZ=%u IPS=%u PARange=%u TTBR=0x%llx", gname(cases[i].gb), h,
                    cases[i].txsz, cases[i].ips, cases[i].parange, (ull)cases[i].ttb);
            env_reset(e);
            cfg(e, h, cases[i].gb, cases[i].txsz);
            e->regs.tcr = (e->regs.tcr & ~PTB_TCR_IPS(7)) | PTB_TCR_IPS(cases[i].ips);
            e->regs.id_aa64mmfr0 = ptb_mmfr0(cases[i].parange);
            if (h)
                e->regs.ttbr1 = cases[i].ttb;
            else
                e->regs.ttbr0 = cases[i].ttb;
            uint64_t va = mkva(h, cases[i].txsz, VA_PATTERN);
            gr_xlat x = xlate(e, va, GR_ACC_READ, 1);
            expect_fault(x, ADDRESS_SIZE, 0);
            assert_int_equal(x.nreads, 0);
            /* control: the highest granule below the limit is in range; no
             * memory there, so the walk aborts at the start level */
            uint64_t below = cases[i].ttb - (1ull << cases[i].gb);
            if (h)
                e->regs.ttbr1 = below;
            else
                e->regs.ttbr0 = below;
            x = xlate(e, va, GR_ACC_READ, 1);
            expect_fault(x, SYNC_EXTERNAL_ON_WALK,
                         (int)ptb_start_level(cases[i].gb, cases[i].txsz));
        }
}

/* A table descriptor whose next-level address is above the output range:
 * address size fault at the level of that descriptor. */
static void test_ptw_fault_address_size_table(void **state)
{
    env *e = *state;
    static const struct {
        unsigned ips, parange;
        uint64_t limit;
    } ranges[] = {
        {2, 5, 0x10000000000ull},  /* IPS 40 */
        {5, 2, 0x10000000000ull},  /* IPS 48, PARange 40 */
        {0, 5, 0x100000000ull},    /* IPS 32 */
        {5, 3, 0x40000000000ull},  /* IPS 48, PARange 42 */
    };
    for (int g = 0; g < 3; g++)
        for (int h = 0; h < 2; h++)
            for (unsigned l = start48(GRANULES[g]); l <= 2; l++)
                for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
                    unsigned gb = GRANULES[g];
                    setwhat("%s TTBR%d table at L%u -> 0x%llx, IPS=%u PARange=%u",
                            gname(gb), h, l, (ull)ranges[r].limit, ranges[r].ips,
                            ranges[r].parange);
                    uint64_t va = mkva(h, 16, VA_PATTERN);
                    one_leaf(e, h, gb, 16, va, l, ptb_table(ranges[r].limit, 0));
                    e->regs.tcr = (e->regs.tcr & ~PTB_TCR_IPS(7)) |
                                  PTB_TCR_IPS(ranges[r].ips);
                    e->regs.id_aa64mmfr0 = ptb_mmfr0(ranges[r].parange);
                    gr_xlat x = xlate(e, va, GR_ACC_READ, 1);
                    expect_fault(x, ADDRESS_SIZE, (int)l);
                    /* control: one granule lower is in range but unmapped:
                     * external abort on the next level's read */
                    uint64_t below = ranges[r].limit - (1ull << gb);
                    assert_int_equal(ptb_map(&e->t[h], va, l, ptb_table(below, 0)), 0);
                    x = xlate(e, va, GR_ACC_READ, 1);
                    expect_fault(x, SYNC_EXTERNAL_ON_WALK, (int)l + 1);
                }
}

typedef struct leaf_case {
    unsigned gb, level, shift, parange;
} leaf_case;

/* Every leaf level: pages at 3, blocks where AArch64.BlockDescSupported. */
static const leaf_case LEAVES[] = {
    {12, 3, 12, 5}, {12, 2, 21, 5}, {12, 1, 30, 5}, {14, 3, 14, 5},
    {14, 2, 25, 5}, {16, 3, 16, 5}, {16, 2, 29, 5}, {16, 1, 42, 6},
};

static uint64_t leaf_desc(const leaf_case *c, uint64_t oa, uint64_t attrs)
{
    return c->level == 3 ? ptb_page(oa, attrs) : ptb_block(oa, attrs);
}

/* The output address above the output range: address size fault at the
 * leaf level ("Detect Address Size Fault by final output"). */
static void test_ptw_fault_address_size_output(void **state)
{
    env *e = *state;
    static const struct {
        unsigned ips, parange;
        uint64_t limit;
    } ranges[] = {
        {2, 5, 1ull << 40}, {0, 5, 1ull << 32}, {5, 2, 1ull << 40}, {4, 6, 1ull << 44},
        {6, 4, 1ull << 44}, /* IPS 52 capped to PARange 44 */
    };
    for (size_t i = 0; i < sizeof LEAVES / sizeof LEAVES[0]; i++)
        for (int h = 0; h < 2; h++)
            for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
                const leaf_case *c = &LEAVES[i];
                if (c->parange == 6 && ranges[r].parange != 6)
                    continue; /* the 64K L1 block needs PAMax 52 */
                if ((1ull << c->shift) >= ranges[r].limit)
                    continue;
                setwhat("%s TTBR%d leaf L%u OA=0x%llx IPS=%u PARange=%u", gname(c->gb),
                        h, c->level, (ull)ranges[r].limit, ranges[r].ips,
                        ranges[r].parange);
                uint64_t va = mkva(h, 16, VA_PATTERN);
                one_leaf(e, h, c->gb, 16, va, c->level,
                         leaf_desc(c, ranges[r].limit, PTB_AF));
                e->regs.tcr = (e->regs.tcr & ~PTB_TCR_IPS(7)) | PTB_TCR_IPS(ranges[r].ips);
                e->regs.id_aa64mmfr0 = ptb_mmfr0(ranges[r].parange);
                gr_xlat x = xlate(e, va, GR_ACC_READ, 1);
                expect_fault(x, ADDRESS_SIZE, (int)c->level);
                /* address size is checked before the access flag */
                assert_int_equal(ptb_map(&e->t[h], va, c->level,
                                         leaf_desc(c, ranges[r].limit, 0)), 0);
                x = xlate(e, va, GR_ACC_READ, 1);
                expect_fault(x, ADDRESS_SIZE, (int)c->level);
                /* control: the last block/page below the limit */
                uint64_t below = ranges[r].limit - (1ull << c->shift);
                assert_int_equal(ptb_map(&e->t[h], va, c->level,
                                         leaf_desc(c, below, PTB_AF)), 0);
                x = xlate(e, va, GR_ACC_READ, 1);
                expect_pa(x, below | (va & ((1ull << c->shift) - 1)));
            }
}

/* ------------------------------------------------------------------ */
/* Access flag and external aborts.                                    */

static void test_ptw_fault_access_flag_each_leaf_level(void **state)
{
    env *e = *state;
    for (size_t i = 0; i < sizeof LEAVES / sizeof LEAVES[0]; i++)
        for (int h = 0; h < 2; h++) {
            const leaf_case *c = &LEAVES[i];
            setwhat("%s TTBR%d AF=0 at L%u", gname(c->gb), h, c->level);
            uint64_t va = mkva(h, 16, VA_PATTERN);
            uint64_t oa = align_down(OA_BASE, c->shift);
            one_leaf(e, h, c->gb, 16, va, c->level, leaf_desc(c, oa, PTB_AP(3)));
            e->regs.id_aa64mmfr0 = ptb_mmfr0(c->parange);
            gr_xlat x = xlate(e, va, GR_ACC_READ, 1);
            expect_fault(x, ACCESS_FLAG, (int)c->level);
            x = xlate(e, va, GR_ACC_EXEC, 0);
            expect_fault(x, ACCESS_FLAG, (int)c->level);
            assert_true(x.fault.ifetch);
            /* the access flag fault comes before the permission check
             * (EL0 write to a read-only page) */
            x = xlate(e, va, GR_ACC_WRITE, 0);
            expect_fault(x, ACCESS_FLAG, (int)c->level);
            assert_true(x.fault.write);
            /* with TCR.HA the walker sets AF instead of faulting */
            e->regs.tcr |= PTB_TCR_HA;
            x = xlate(e, va, GR_ACC_READ, 1);
            expect_pa(x, oa | (va & ((1ull << c->shift) - 1)));
        }
}

static void test_ptw_fault_external_abort_each_level(void **state)
{
    env *e = *state;
    const uint64_t hole = 0x80000000ull; /* in range, outside every region */
    for (int g = 0; g < 3; g++)
        for (int h = 0; h < 2; h++) {
            unsigned gb = GRANULES[g], s = start48(gb);
            uint64_t va = mkva(h, 16, VA_PATTERN);
            /* TTBR itself points at the hole: the start-level read aborts */
            setwhat("%s TTBR%d base in a hole", gname(gb), h);
            env_reset(e);
            ptb_tree *t = cfg(e, h, gb, 16);
            if (h)
                e->regs.ttbr1 = hole;
            else
                e->regs.ttbr0 = hole;
            gr_xlat x = xlate(e, va, GR_ACC_READ, 1);
            expect_fault(x, SYNC_EXTERNAL_ON_WALK, (int)s);
            assert_int_equal(x.fault.paddr, hole + 8 * ptb_index(t, va, s));
            /* a table descriptor at level l points at the hole */
            for (unsigned l = s; l <= 2; l++) {
                setwhat("%s TTBR%d table at L%u -> hole", gname(gb), h, l);
                one_leaf(e, h, gb, 16, va, l, ptb_table(hole, 0));
                x = xlate(e, va, GR_ACC_WRITE, 0);
                expect_fault(x, SYNC_EXTERNAL_ON_WALK, (int)l + 1);
                assert_int_equal(x.fault.paddr, hole + 8 * ptb_index(&e->t[h], va, l + 1));
            }
        }
}

/* ------------------------------------------------------------------ */
/* Permissions (AArch64.S1DirectBasePermissions).                      */

static const char *accname(gr_acc a)
{
    return a == GR_ACC_READ ? "read" : a == GR_ACC_WRITE ? "write" : "exec";
}

/* Fresh 4K/48-bit env (or the given granule), page at L3 of half h. */
static uint64_t perm_page(env *e, unsigned gb, int h, uint64_t attrs)
{
    uint64_t va = mkva(h, 16, VA_PATTERN);
    one_leaf(e, h, gb, 16, va, 3, ptb_page(align_down(OA_BASE, gb), attrs | PTB_AF));
    return va;
}

static void expect_perm_(env *e, uint64_t va, gr_acc acc, int el, bool ok,
                         int level, int line)
{
    gr_xlat x = xlate(e, va, acc, el);
    char w2[sizeof what + 32];
    snprintf(w2, sizeof w2, "%s, EL%d %s", what, el, accname(acc));
    if (ok) {
        if (x.fault.type != GR_FAULT_NONE)
            fail_msg("line %d [%s]: expected success, got %s fault at level %d", line, w2,
                     gr_fault_name(x.fault.type), x.fault.level);
        return;
    }
    if (x.fault.type != GR_FAULT_PERMISSION || x.fault.level != level)
        fail_msg("line %d [%s]: expected permission fault at level %d, got %s at level %d",
                 line, w2, level, gr_fault_name(x.fault.type), x.fault.level);
    if (gr_fault_fsc(&x.fault) != (0x0c | level))
        fail_msg("line %d [%s]: FSC 0x%02x", line, w2, gr_fault_fsc(&x.fault));
    if (x.fault.write != (acc == GR_ACC_WRITE) || x.fault.ifetch != (acc == GR_ACC_EXEC))
        fail_msg("line %d [%s]: fault.write=%d fault.ifetch=%d", line, w2, x.fault.write,
                 x.fault.ifetch);
}
#define expect_perm(e, va, acc, el, ok) expect_perm_((e), (va), (acc), (el), (ok), 3, __LINE__)

/* AP[2:1]: 00 EL1 RW / EL0 none; 01 RW/RW; 10 RO/none; 11 RO/RO. */
static void test_ptw_perm_ap_matrix(void **state)
{
    env *e = *state;
    static const struct {
        unsigned ap;
        bool el1r, el1w, el0r, el0w;
    } t[] = {
        {0, 1, 1, 0, 0}, {1, 1, 1, 1, 1}, {2, 1, 0, 0, 0}, {3, 1, 0, 1, 0},
    };
    for (int g = 0; g < 3; g++)
        for (int h = 0; h < 2; h++)
            for (int i = 0; i < 4; i++) {
                setwhat("%s TTBR%d AP=%u", gname(GRANULES[g]), h, t[i].ap);
                uint64_t va = perm_page(e, GRANULES[g], h, PTB_AP(t[i].ap));
                expect_perm(e, va, GR_ACC_READ, 1, t[i].el1r);
                expect_perm(e, va, GR_ACC_WRITE, 1, t[i].el1w);
                expect_perm(e, va, GR_ACC_READ, 0, t[i].el0r);
                expect_perm(e, va, GR_ACC_WRITE, 0, t[i].el0w);
            }
}

/* Execute: UXN for EL0, PXN for EL1; EL1 never executes a page writable
 * at EL0 (px = NOT(pxn OR uw)); EL0 may execute a page it cannot read. */
static void test_ptw_perm_exec(void **state)
{
    env *e = *state;
    static const struct {
        unsigned ap;
        bool uxn, pxn, el1x, el0x;
    } t[] = {
        {0, 0, 0, 1, 1}, {1, 0, 0, 0, 1}, {2, 0, 0, 1, 1}, {3, 0, 0, 1, 1},
        {3, 1, 0, 1, 0}, {3, 0, 1, 0, 1}, {3, 1, 1, 0, 0}, {0, 0, 1, 0, 1},
        {0, 1, 0, 1, 0}, {1, 1, 0, 0, 0}, {1, 0, 1, 0, 1}, {2, 1, 0, 1, 0},
    };
    for (int h = 0; h < 2; h++)
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
            setwhat("TTBR%d AP=%u UXN=%d PXN=%d", h, t[i].ap, t[i].uxn, t[i].pxn);
            uint64_t va = perm_page(e, 12, h,
                                    PTB_AP(t[i].ap) | (t[i].uxn ? PTB_UXN : 0) |
                                        (t[i].pxn ? PTB_PXN : 0));
            expect_perm(e, va, GR_ACC_EXEC, 1, t[i].el1x);
            expect_perm(e, va, GR_ACC_EXEC, 0, t[i].el0x);
            /* XN bits do not affect data accesses */
            expect_perm(e, va, GR_ACC_READ, 1, true);
        }
}

/* SCTLR_EL1.WXN: a location writable at the accessing EL is not
 * executable at that EL (x = x AND NOT w). */
static void test_ptw_perm_wxn(void **state)
{
    env *e = *state;
    static const struct {
        unsigned ap;
        bool el1x, el0x;
    } t[] = {
        {0, 0, 1}, /* EL1-writable; EL0 has no write, may execute */
        {1, 0, 0},
        {2, 1, 1},
        {3, 1, 1},
    };
    for (int h = 0; h < 2; h++)
        for (int i = 0; i < 4; i++) {
            setwhat("WXN TTBR%d AP=%u", h, t[i].ap);
            uint64_t va = perm_page(e, 12, h, PTB_AP(t[i].ap));
            e->regs.sctlr |= PTB_SCTLR_WXN;
            expect_perm(e, va, GR_ACC_EXEC, 1, t[i].el1x);
            expect_perm(e, va, GR_ACC_EXEC, 0, t[i].el0x);
            /* WXN leaves data accesses alone */
            expect_perm(e, va, GR_ACC_WRITE, 1, t[i].ap < 2);
            e->regs.sctlr &= ~PTB_SCTLR_WXN;
            expect_perm(e, va, GR_ACC_EXEC, 1, t[i].ap != 1);
        }
}

/* PSTATE.PAN: EL1 data accesses to EL0-accessible locations fault;
 * instruction fetches and EL0 accesses are unaffected. */
static void test_ptw_perm_pan(void **state)
{
    env *e = *state;
    static const struct {
        unsigned ap;
        bool r, w, x;
    } t[] = {
        {0, 1, 1, 1}, {1, 0, 0, 0}, {2, 1, 0, 1}, {3, 0, 0, 1},
    };
    for (int h = 0; h < 2; h++)
        for (int i = 0; i < 4; i++) {
            setwhat("PAN TTBR%d AP=%u", h, t[i].ap);
            uint64_t va = perm_page(e, 12, h, PTB_AP(t[i].ap));
            e->regs.pstate_pan = 1;
            expect_perm(e, va, GR_ACC_READ, 1, t[i].r);
            expect_perm(e, va, GR_ACC_WRITE, 1, t[i].w);
            expect_perm(e, va, GR_ACC_EXEC, 1, t[i].x);
            expect_perm(e, va, GR_ACC_READ, 0, t[i].ap & 1);
            expect_perm(e, va, GR_ACC_WRITE, 0, t[i].ap == 1);
            e->regs.pstate_pan = 0;
            expect_perm(e, va, GR_ACC_READ, 1, true);
        }
    /* APTable[0] removes EL0 access, so PAN no longer applies */
    setwhat("PAN with APTable=01 above an AP=11 page");
    uint64_t va = perm_page(e, 12, 0, PTB_AP(3));
    assert_int_equal(ptb_set_bits(&e->t[0], va, 1, PTB_APTABLE(1), 0), 0);
    e->regs.pstate_pan = 1;
    expect_perm(e, va, GR_ACC_READ, 1, true);
}

/* APTable, OR'ed down the walk: bit 0 removes EL0 access, bit 1 removes
 * write access, for every later level. */
static void test_ptw_perm_aptable(void **state)
{
    env *e = *state;
    static const struct {
        unsigned ap;
        unsigned tl[2];  /* levels of the table descriptors carrying ... */
        unsigned tv[2];  /* ... these APTable values (0 = none) */
        bool el1r, el1w, el0r, el0w, el1x;
    } t[] = {
        {1, {0, 0}, {1, 0}, 1, 1, 0, 0, 1}, /* EL1 may now execute: not EL0-writable */
        {1, {1, 0}, {1, 0}, 1, 1, 0, 0, 1},
        {1, {2, 0}, {1, 0}, 1, 1, 0, 0, 1},
        {0, {1, 0}, {2, 0}, 1, 0, 0, 0, 1},
        {1, {1, 0}, {2, 0}, 1, 0, 1, 0, 1}, /* APTable[1] removes uw too */
        {1, {2, 0}, {3, 0}, 1, 0, 0, 0, 1},
        {3, {0, 0}, {3, 0}, 1, 0, 0, 0, 1},
        {1, {0, 2}, {1, 2}, 1, 0, 0, 0, 1}, /* 01 at L0, 10 at L2: 11 */
        {1, {0, 1}, {2, 2}, 1, 0, 1, 0, 1},
    };
    for (int h = 0; h < 2; h++)
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
            for (int hpd = 0; hpd < 2; hpd++) {
                setwhat("TTBR%d AP=%u APTable L%u=%u L%u=%u HPD=%d", h, t[i].ap, t[i].tl[0],
                        t[i].tv[0], t[i].tl[1], t[i].tv[1], hpd);
                uint64_t va = perm_page(e, 12, h, PTB_AP(t[i].ap));
                for (int k = 0; k < 2; k++)
                    if (t[i].tv[k])
                        assert_int_equal(ptb_set_bits(&e->t[h], va, t[i].tl[k],
                                                      PTB_APTABLE(t[i].tv[k]), 0), 0);
                if (hpd) {
                    /* TCR.HPDn: APTable ignored, leaf AP alone decides */
                    e->regs.tcr |= h ? PTB_TCR_HPD1 : PTB_TCR_HPD0;
                    unsigned ap = t[i].ap;
                    expect_perm(e, va, GR_ACC_READ, 1, true);
                    expect_perm(e, va, GR_ACC_WRITE, 1, ap < 2);
                    expect_perm(e, va, GR_ACC_READ, 0, ap & 1);
                    expect_perm(e, va, GR_ACC_WRITE, 0, ap == 1);
                    expect_perm(e, va, GR_ACC_EXEC, 1, ap != 1);
                    /* the other half's HPD bit does not disable them */
                    e->regs.tcr ^= PTB_TCR_HPD0 | PTB_TCR_HPD1;
                }
                expect_perm(e, va, GR_ACC_READ, 1, t[i].el1r);
                expect_perm(e, va, GR_ACC_WRITE, 1, t[i].el1w);
                expect_perm(e, va, GR_ACC_READ, 0, t[i].el0r);
                expect_perm(e, va, GR_ACC_WRITE, 0, t[i].el0w);
                expect_perm(e, va, GR_ACC_EXEC, 1, t[i].el1x);
            }
}

/* UXNTable / PXNTable, and HPDn disabling them. */
static void test_ptw_perm_xntable(void **state)
{
    env *e = *state;
    static const struct {
        unsigned level;
        uint64_t bit;
        bool el1x, el0x;
    } t[] = {
        {0, PTB_UXNTABLE, 1, 0}, {1, PTB_UXNTABLE, 1, 0}, {2, PTB_UXNTABLE, 1, 0},
        {0, PTB_PXNTABLE, 0, 1}, {2, PTB_PXNTABLE, 0, 1},
    };
    for (int h = 0; h < 2; h++)
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
            setwhat("TTBR%d %s at L%u", h, t[i].bit == PTB_UXNTABLE ? "UXNTable" : "PXNTable",
                    t[i].level);
            uint64_t va = perm_page(e, 12, h, PTB_AP(3));
            assert_int_equal(ptb_set_bits(&e->t[h], va, t[i].level, t[i].bit, 0), 0);
            expect_perm(e, va, GR_ACC_EXEC, 1, t[i].el1x);
            expect_perm(e, va, GR_ACC_EXEC, 0, t[i].el0x);
            expect_perm(e, va, GR_ACC_READ, 0, true);
            e->regs.tcr |= h ? PTB_TCR_HPD0 : PTB_TCR_HPD1; /* wrong half: no effect */
            expect_perm(e, va, GR_ACC_EXEC, 1, t[i].el1x);
            expect_perm(e, va, GR_ACC_EXEC, 0, t[i].el0x);
            e->regs.tcr |= h ? PTB_TCR_HPD1 : PTB_TCR_HPD0;
            expect_perm(e, va, GR_ACC_EXEC, 1, true);
            expect_perm(e, va, GR_ACC_EXEC, 0, true);
        }
}

/* Permission faults on blocks are reported at the block's level, and
 * hierarchical bits above a block apply to it. */
static void test_ptw_perm_blocks(void **state)
{
    env *e = *state;
    for (size_t i = 1; i < sizeof LEAVES / sizeof LEAVES[0]; i++) {
        const leaf_case *c = &LEAVES[i];
        if (c->level == 3)
            continue;
        for (int h = 0; h < 2; h++) {
            setwhat("%s TTBR%d block at L%u AP=10", gname(c->gb), h, c->level);
            uint64_t va = mkva(h, 16, VA_PATTERN);
            one_leaf(e, h, c->gb, 16, va, c->level,
                     ptb_block(align_down(OA_BASE, c->shift), PTB_AF | PTB_AP(2) | PTB_UXN));
            e->regs.id_aa64mmfr0 = ptb_mmfr0(c->parange);
            expect_perm_(e, va, GR_ACC_WRITE, 1, false, (int)c->level, __LINE__);
            expect_perm_(e, va, GR_ACC_READ, 0, false, (int)c->level, __LINE__);
            expect_perm_(e, va, GR_ACC_EXEC, 0, false, (int)c->level, __LINE__);
            expect_perm_(e, va, GR_ACC_READ, 1, true, 0, __LINE__);
            /* APTable=10 on the table descriptor just above the block */
            assert_int_equal(ptb_map(&e->t[h], va, c->level,
                                     ptb_block(align_down(OA_BASE, c->shift),
                                               PTB_AF | PTB_AP(1))), 0);
            expect_perm_(e, va, GR_ACC_WRITE, 0, true, 0, __LINE__);
            if (c->level - 1 < start48(c->gb))
                continue; /* 64K L1 block: no table descriptor above it */
            assert_int_equal(ptb_set_bits(&e->t[h], va, c->level - 1, PTB_APTABLE(2), 0), 0);
            expect_perm_(e, va, GR_ACC_WRITE, 0, false, (int)c->level, __LINE__);
            expect_perm_(e, va, GR_ACC_READ, 0, true, 0, __LINE__);
        }
    }
}

/* ------------------------------------------------------------------ */
/* TBI, TBID.                                                          */

static void tbi_env(env *e, uint64_t *va0, uint64_t *va1, uint64_t *pa0, uint64_t *pa1)
{
    env_reset(e);
    ptb_tree *t0 = cfg(e, 0, 12, 16), *t1 = cfg(e, 1, 12, 16);
    *va0 = 0x0000123456789abcull;
    *va1 = 0xffff923456789abcull;
    assert_int_equal(ptb_map(t0, *va0, 3, ptb_page(0x80001000ull, PTB_AF)), 0);
    assert_int_equal(ptb_map(t1, *va1, 3, ptb_page(0x80002000ull, PTB_AF)), 0);
    *pa0 = 0x80001abcull;
    *pa1 = 0x80002abcull;
}

static void test_ptw_tbi(void **state)
{
    env *e = *state;
    uint64_t va0, va1, pa0, pa1;
    tbi_env(e, &va0, &va1, &pa0, &pa1);
    const uint64_t tag0 = 0xab00000000000000ull | va0; /* bit 55 = 0 */
    const uint64_t tag1 = 0x5affffffffffffffull & va1; /* top byte 0x5a, bit 55 = 1 */
    const uint64_t ff0 = 0xff00000000000000ull | va0;  /* top byte all ones, bit 55 = 0 */

    setwhat("no TBI");
    gr_xlat x = xlate(e, tag0, GR_ACC_READ, 1);
    expect_fault(x, TRANSLATION, 0);
    x = xlate(e, tag1, GR_ACC_READ, 1);
    expect_fault(x, TRANSLATION, 0);
    x = xlate(e, ff0, GR_ACC_READ, 1);
    expect_fault(x, TRANSLATION, 0);

    setwhat("TBI0");
    e->regs.tcr |= PTB_TCR_TBI0;
    x = xlate(e, tag0, GR_ACC_READ, 1);
    expect_pa(x, pa0);
    assert_int_equal(x.tte.half, 0);
    x = xlate(e, ff0, GR_ACC_WRITE, 0); /* bit 55, not bit 63, picks TTBR0 */
    expect_fault(x, PERMISSION, 3);      /* reached the leaf: AP=00 at EL0 */
    x = xlate(e, ff0, GR_ACC_READ, 1);
    expect_pa(x, pa0);
    x = xlate(e, tag0, GR_ACC_EXEC, 1); /* TBID0 = 0: fetches too */
    expect_pa(x, pa0);
    x = xlate(e, tag1, GR_ACC_READ, 1); /* TBI0 does not cover TTBR1 */
    expect_fault(x, TRANSLATION, 0);
    x = xlate(e, va0 | (1ull << 48), GR_ACC_READ, 1); /* bits [55:48] still checked */
    expect_fault(x, TRANSLATION, 0);
    x = xlate(e, tag0 | (1ull << 54), GR_ACC_READ, 1);
    expect_fault(x, TRANSLATION, 0);

    setwhat("TBI1");
    e->regs.tcr ^= PTB_TCR_TBI0 | PTB_TCR_TBI1;
    x = xlate(e, tag1, GR_ACC_READ, 1);
    expect_pa(x, pa1);
    assert_int_equal(x.tte.half, 1);
    x = xlate(e, va1 & 0x00ffffffffffffffull, GR_ACC_READ, 1); /* top byte 0 */
    expect_pa(x, pa1);
    x = xlate(e, tag0, GR_ACC_READ, 1);
    expect_fault(x, TRANSLATION, 0);
    x = xlate(e, va1 & ~(1ull << 50), GR_ACC_READ, 1);
    expect_fault(x, TRANSLATION, 0);
}

/* TCR.TBIDn = 1 (with FEAT_PAuth): TBI applies to data accesses only. */
static void test_ptw_tbid(void **state)
{
    env *e = *state;
    uint64_t va0, va1, pa0, pa1;
    tbi_env(e, &va0, &va1, &pa0, &pa1);
    const uint64_t tag0 = 0x3c00000000000000ull | va0;
    const uint64_t tag1 = 0x3cffffffffffffffull & va1;
    e->regs.tcr |= PTB_TCR_TBI0 | PTB_TCR_TBI1 | PTB_TCR_TBID0;
    setwhat("TBI0+TBID0");
    gr_xlat x = xlate(e, tag0, GR_ACC_READ, 1);
    expect_pa(x, pa0);
    x = xlate(e, tag0, GR_ACC_WRITE, 1);
    expect_pa(x, pa0);
    x = xlate(e, tag0, GR_ACC_EXEC, 1);
    expect_fault(x, TRANSLATION, 0);
    assert_true(x.fault.ifetch);
    x = xlate(e, tag0, GR_ACC_EXEC, 0);
    expect_fault(x, TRANSLATION, 0);
    x = xlate(e, va0, GR_ACC_EXEC, 1);
    expect_pa(x, pa0);
    setwhat("TBID0 does not affect TTBR1");
    x = xlate(e, tag1, GR_ACC_EXEC, 1);
    expect_pa(x, pa1);
    setwhat("TBI1+TBID1");
    e->regs.tcr |= PTB_TCR_TBID1;
    x = xlate(e, tag1, GR_ACC_EXEC, 1);
    expect_fault(x, TRANSLATION, 0);
    x = xlate(e, tag1, GR_ACC_READ, 1);
    expect_pa(x, pa1);
    x = xlate(e, va1, GR_ACC_EXEC, 1);
    expect_pa(x, pa1);
}

/* ------------------------------------------------------------------ */
/* Hardware access flag and dirty state (FEAT_HAFDBS).                 */

static void test_ptw_hw_access_flag(void **state)
{
    env *e = *state;
    for (size_t i = 0; i < sizeof LEAVES / sizeof LEAVES[0]; i++)
        for (int h = 0; h < 2; h++) {
            const leaf_case *c = &LEAVES[i];
            setwhat("%s TTBR%d HA=1 AF=0 leaf at L%u", gname(c->gb), h, c->level);
            uint64_t va = mkva(h, 16, VA_PATTERN);
            uint64_t oa = align_down(OA_BASE, c->shift);
            uint64_t d = leaf_desc(c, oa, PTB_AP(0) | PTB_ATTRIDX(7));
            one_leaf(e, h, c->gb, 16, va, c->level, d);
            e->regs.id_aa64mmfr0 = ptb_mmfr0(c->parange);
            e->regs.tcr |= PTB_TCR_HA;
            uint64_t slot = ptb_desc_pa(&e->t[h], va, c->level);
            gr_xlat x = xlate(e, va, GR_ACC_READ, 1);
            expect_pa(x, oa | (va & ((1ull << c->shift) - 1)));
            assert_true(x.desc_written);
            assert_int_equal(x.new_desc, d | PTB_AF);
            assert_int_equal(ptb_read(&e->b, slot), d | PTB_AF);
            /* second access: nothing to update */
            x = xlate(e, va, GR_ACC_READ, 1);
            expect_pa(x, oa | (va & ((1ull << c->shift) - 1)));
            assert_false(x.desc_written);
            assert_int_equal(ptb_read(&e->b, slot), d | PTB_AF);
            /* a write to a page that is not writable-clean sets AF only */
            assert_int_equal(ptb_write(&e->b, slot, d), 0);
            e->regs.tcr |= PTB_TCR_HD;
            x = xlate(e, va, GR_ACC_WRITE, 1);
            expect_pa(x, oa | (va & ((1ull << c->shift) - 1)));
            assert_int_equal(ptb_read(&e->b, slot), d | PTB_AF);
        }
}

static void test_ptw_hw_dirty_state(void **state)
{
    env *e = *state;
    for (int g = 0; g < 3; g++)
        for (int h = 0; h < 2; h++) {
            unsigned gb = GRANULES[g];
            uint64_t va = mkva(h, 16, VA_PATTERN), oa = align_down(OA_BASE, gb);
            uint64_t pa = oa | (va & ((1ull << gb) - 1));
            /* writable-clean: DBM = 1, AP[2] = 1 */
            uint64_t d = ptb_page(oa, PTB_AF | PTB_DBM | PTB_AP(PTB_AP_RO_NONE));
            setwhat("%s TTBR%d HA=HD=1 DBM=1 AP=10", gname(gb), h);
            one_leaf(e, h, gb, 16, va, 3, d);
            e->regs.tcr |= PTB_TCR_HA | PTB_TCR_HD;
            uint64_t slot = ptb_desc_pa(&e->t[h], va, 3);
            gr_xlat x = xlate(e, va, GR_ACC_READ, 1);
            expect_pa(x, pa);
            assert_false(x.desc_written);
            assert_int_equal(ptb_read(&e->b, slot), d); /* a read leaves AP[2] set */
            x = xlate(e, va, GR_ACC_EXEC, 1);
            expect_pa(x, pa);
            assert_int_equal(ptb_read(&e->b, slot), d);
            x = xlate(e, va, GR_ACC_WRITE, 1);
            expect_pa(x, pa);
            assert_true(x.desc_written);
            assert_int_equal(x.new_desc, d & ~PTB_AP2);
            assert_int_equal(ptb_read(&e->b, slot), d & ~PTB_AP2);
            x = xlate(e, va, GR_ACC_WRITE, 1); /* already dirty */
            expect_pa(x, pa);
            assert_false(x.desc_written);

            setwhat("%s TTBR%d HA=1 HD=0 DBM=1 AP=10", gname(gb), h);
            assert_int_equal(ptb_write(&e->b, slot, d), 0);
            e->regs.tcr &= ~PTB_TCR_HD;
            x = xlate(e, va, GR_ACC_WRITE, 1);
            expect_fault(x, PERMISSION, 3);
            assert_int_equal(ptb_read(&e->b, slot), d);

            /* DBM only counts with HA and HD both set */
            setwhat("%s TTBR%d HA=0 HD=1 DBM=1 AP=10", gname(gb), h);
            e->regs.tcr = (e->regs.tcr & ~PTB_TCR_HA) | PTB_TCR_HD;
            x = xlate(e, va, GR_ACC_WRITE, 1);
            expect_fault(x, PERMISSION, 3);
            assert_int_equal(ptb_read(&e->b, slot), d);

            setwhat("%s TTBR%d HA=HD=1 DBM=0 AP=10", gname(gb), h);
            e->regs.tcr |= PTB_TCR_HA | PTB_TCR_HD;
            assert_int_equal(ptb_write(&e->b, slot, d & ~PTB_DBM), 0);
            x = xlate(e, va, GR_ACC_WRITE, 1);
            expect_fault(x, PERMISSION, 3);
            assert_int_equal(ptb_read(&e->b, slot), d & ~PTB_DBM);

            /* AF and dirty updated by one write */
            setwhat("%s TTBR%d HA=HD=1 DBM=1 AP=10 AF=0", gname(gb), h);
            assert_int_equal(ptb_write(&e->b, slot, d & ~PTB_AF), 0);
            x = xlate(e, va, GR_ACC_WRITE, 1);
            expect_pa(x, pa);
            assert_int_equal(ptb_read(&e->b, slot), d & ~PTB_AP2);

            /* AP=11 writable-clean becomes AP=01 on an EL0 write */
            setwhat("%s TTBR%d HA=HD=1 DBM=1 AP=11 EL0 write", gname(gb), h);
            uint64_t d3 = ptb_page(oa, PTB_AF | PTB_DBM | PTB_AP(PTB_AP_RO_RO));
            assert_int_equal(ptb_write(&e->b, slot, d3), 0);
            x = xlate(e, va, GR_ACC_WRITE, 0);
            expect_pa(x, pa);
            assert_int_equal(ptb_read(&e->b, slot), d3 & ~PTB_AP2);

            /* EL0 still has no access to AP=10 with DBM: no update */
            setwhat("%s TTBR%d HA=HD=1 DBM=1 AP=10 EL0 write", gname(gb), h);
            assert_int_equal(ptb_write(&e->b, slot, d), 0);
            x = xlate(e, va, GR_ACC_WRITE, 0);
            expect_fault(x, PERMISSION, 3);
            assert_int_equal(ptb_read(&e->b, slot), d);

            /* APTable[1] makes it read-only whatever DBM says: no update */
            setwhat("%s TTBR%d HA=HD=1 DBM=1 AP=10 under APTable=10", gname(gb), h);
            assert_int_equal(ptb_set_bits(&e->t[h], va, 2, PTB_APTABLE(2), 0), 0);
            x = xlate(e, va, GR_ACC_WRITE, 1);
            expect_fault(x, PERMISSION, 3);
            assert_int_equal(ptb_read(&e->b, slot), d);
        }
}

/* DBM with HA and HD makes the page writable for the permission check,
 * so WXN and the EL0-writable rule see it as writable. */
static void test_ptw_hw_dirty_counts_as_writable_for_exec(void **state)
{
    env *e = *state;
    setwhat("HA=HD=1 DBM AP=10 with WXN: EL1 exec");
    uint64_t va = perm_page(e, 12, 0, PTB_DBM | PTB_AP(2));
    e->regs.tcr |= PTB_TCR_HA | PTB_TCR_HD;
    expect_perm(e, va, GR_ACC_EXEC, 1, true);
    e->regs.sctlr |= PTB_SCTLR_WXN;
    expect_perm(e, va, GR_ACC_EXEC, 1, false);
    setwhat("HA=HD=1 DBM AP=11: EL0-writable, EL1 exec");
    va = perm_page(e, 12, 0, PTB_DBM | PTB_AP(3));
    expect_perm(e, va, GR_ACC_EXEC, 1, true);
    e->regs.tcr |= PTB_TCR_HA | PTB_TCR_HD;
    expect_perm(e, va, GR_ACC_EXEC, 1, false);
    expect_perm(e, va, GR_ACC_EXEC, 0, true);
}

/* ------------------------------------------------------------------ */
/* Result fields: contiguous, MAIR, ASID.                              */

static void test_ptw_contiguous_reported(void **state)
{
    env *e = *state;
    for (size_t i = 0; i < sizeof LEAVES / sizeof LEAVES[0]; i++) {
        const leaf_case *c = &LEAVES[i];
        if (c->parange == 6)
            continue;
        for (int cont = 0; cont < 2; cont++) {
            setwhat("%s L%u contiguous=%d", gname(c->gb), c->level, cont);
            uint64_t va = mkva(0, 16, VA_PATTERN);
            uint64_t oa = align_down(OA_BASE, c->shift);
            one_leaf(e, 0, c->gb, 16, va, c->level,
                     leaf_desc(c, oa, PTB_AF | (cont ? PTB_CONT : 0)));
            gr_xlat x = xlate(e, va, GR_ACC_READ, 1);
            expect_pa(x, oa | (va & ((1ull << c->shift) - 1)));
            assert_int_equal(x.tte.contiguous, cont);
        }
    }
}

static void test_ptw_mair_attr_index(void **state)
{
    env *e = *state;
    static const uint8_t attr[8] = {0x00, 0x04, 0x08, 0x0c, 0x44, 0xbb, 0xee, 0xff};
    for (unsigned i = 0; i < 8; i++) {
        setwhat("AttrIndx=%u", i);
        uint64_t va = mkva(1, 16, VA_PATTERN);
        one_leaf(e, 1, 12, 16, va, 3,
                 ptb_page(0x80000000ull, PTB_AF | PTB_ATTRIDX(i) | PTB_SH(i & 3)));
        gr_xlat x = xlate(e, va, GR_ACC_READ, 1);
        expect_pa(x, 0x80000000ull | (va & 0xfff));
        assert_int_equal(x.tte.attr_index, i);
        assert_int_equal(x.mair_attr, attr[i]);
        assert_int_equal(x.tte.sh, i & 3);
        e->regs.mair = 0x0123456789abcdefull;
        x = xlate(e, va, GR_ACC_READ, 1);
        assert_int_equal(x.mair_attr, (0x0123456789abcdefull >> (8 * i)) & 0xff);
    }
}

/* TCR.A1 picks the TTBR whose ASID is current; TCR.AS = 0 uses ASID[7:0]. */
static void test_ptw_asid(void **state)
{
    env *e = *state;
    static const struct {
        bool a1, as;
        uint16_t asid;
    } t[] = {
        {0, 0, 0x34}, {0, 1, 0x1234}, {1, 0, 0xcd}, {1, 1, 0xabcd},
    };
    for (int i = 0; i < 4; i++) {
        setwhat("A1=%d AS=%d", t[i].a1, t[i].as);
        env_reset(e);
        ptb_tree *t0 = cfg(e, 0, 12, 16), *t1 = cfg(e, 1, 16, 16);
        uint64_t va0 = mkva(0, 16, VA_PATTERN), va1 = mkva(1, 16, VA_PATTERN);
        assert_int_equal(ptb_map(t0, va0, 3, ptb_page(0x80000000ull, PTB_AF | PTB_NG)), 0);
        assert_int_equal(ptb_map(t1, va1, 3, ptb_page(0x80010000ull, PTB_AF)), 0);
        e->regs.ttbr0 |= 0x1234ull << 48;
        e->regs.ttbr1 |= 0xabcdull << 48;
        e->regs.tcr |= (t[i].a1 ? PTB_TCR_A1 : 0) | (t[i].as ? PTB_TCR_AS : 0);
        gr_xlat x = xlate(e, va0, GR_ACC_READ, 1);
        expect_pa(x, 0x80000000ull | (va0 & 0xfff));
        assert_int_equal(e->ctx.asid, t[i].asid);
        assert_int_equal(x.asid, t[i].asid);
        assert_true(x.tte.ng);
        x = xlate(e, va1, GR_ACC_READ, 1);
        expect_pa(x, 0x80010000ull | (va1 & 0xffff));
        assert_int_equal(x.asid, t[i].asid);
        assert_false(x.tte.ng);
    }
}

/* ------------------------------------------------------------------ */
/* MMU off, big-endian tables, 52-bit output with 64K.                  */

static void test_ptw_mmu_off_flat(void **state)
{
    env *e = *state;
    env_reset(e);
    e->regs.sctlr &= ~PTB_SCTLR_M;
    e->regs.tcr = 0; /* stage 1 off: TCR is not used */
    setwhat("M=0 PARange=48");
    gr_xlat x = xlate(e, 0x0000123456789abcull, GR_ACC_READ, 1);
    expect_pa(x, 0x0000123456789abcull);
    assert_int_equal(x.nreads, 0);
    assert_int_equal(x.mair_attr, 0x00); /* data: Device-nGnRnE */
    x = xlate(e, 0x0000ffffffffffffull, GR_ACC_WRITE, 0);
    expect_pa(x, 0x0000ffffffffffffull);
    x = xlate(e, 0x0001000000000000ull, GR_ACC_READ, 1);
    expect_fault(x, ADDRESS_SIZE, 0);
    x = xlate(e, 0xffff000000001000ull, GR_ACC_EXEC, 1);
    expect_fault(x, ADDRESS_SIZE, 0);
    x = xlate(e, 0x8000000000000000ull, GR_ACC_READ, 0);
    expect_fault(x, ADDRESS_SIZE, 0);
    setwhat("M=0 PARange=40");
    e->regs.id_aa64mmfr0 = ptb_mmfr0(2);
    x = xlate(e, 0x000000fffffffff8ull, GR_ACC_READ, 1);
    expect_pa(x, 0x000000fffffffff8ull);
    x = xlate(e, 0x0000010000000000ull, GR_ACC_READ, 1);
    expect_fault(x, ADDRESS_SIZE, 0);
}

static uint64_t bswap(uint64_t v)
{
    uint64_t r = 0;
    for (int i = 0; i < 8; i++, v >>= 8)
        r = (r << 8) | (v & 0xff);
    return r;
}

static void test_ptw_big_endian_descriptors(void **state)
{
    env *e = *state;
    for (int g = 0; g < 3; g++)
        for (int h = 0; h < 2; h++) {
            unsigned gb = GRANULES[g];
            setwhat("%s TTBR%d EE=1", gname(gb), h);
            env_reset(e);
            e->b.big_endian = true;
            ptb_tree *t = cfg(e, h, gb, 16);
            uint64_t va = mkva(h, 16, VA_PATTERN), oa = align_down(OA_BASE, gb);
            uint64_t d = ptb_page(oa, PTB_AP(1));
            assert_int_equal(ptb_map(t, va, 3, d), 0);
            e->regs.sctlr |= PTB_SCTLR_EE;
            e->regs.tcr |= PTB_TCR_HA;
            gr_xlat x = xlate(e, va, GR_ACC_READ, 0);
            expect_pa(x, oa | (va & ((1ull << gb) - 1)));
            assert_int_equal(x.reads[x.nreads - 1].val, d); /* value after EE swap */
            /* the AF update is written back big-endian too */
            uint64_t slot = ptb_desc_pa(t, va, 3), raw;
            assert_int_equal(gr_pmem_read64(e->b.mem, slot, &raw), GR_PMEM_OK);
            assert_int_equal(raw, bswap(d | PTB_AF));
            /* the same tables read little-endian are garbage: bit 0 of the
             * start-level table descriptor comes from its top byte (0) */
            setwhat("%s TTBR%d EE=0 over big-endian tables", gname(gb), h);
            e->regs.sctlr &= ~PTB_SCTLR_EE;
            x = xlate(e, va, GR_ACC_READ, 0);
            expect_fault(x, TRANSLATION, (int)start48(gb));
        }
}

/* FEAT_LPA with the 64K granule and PAMax 52: descriptor bits [15:12]
 * hold OA[51:48], for leaves and for next-level table addresses. */
static void test_ptw_64k_52bit_output(void **state)
{
    env *e = *state;
    for (int h = 0; h < 2; h++) {
        uint64_t va = mkva(h, 16, VA_PATTERN);
        setwhat("64K TTBR%d LPA page", h);
        one_leaf(e, h, 16, 16, va, 3, ptb_page(0x0000123456780000ull | (0x1ull << 12), PTB_AF));
        e->regs.id_aa64mmfr0 = ptb_mmfr0(6);
        e->regs.tcr = (e->regs.tcr & ~PTB_TCR_IPS(7)) | PTB_TCR_IPS(6);
        gr_xlat x = xlate(e, va, GR_ACC_READ, 1);
        expect_pa(x, 0x0001123456780000ull | (va & 0xffff));
        e->regs.tcr = (e->regs.tcr & ~PTB_TCR_IPS(7)) | PTB_TCR_IPS(5);
        x = xlate(e, va, GR_ACC_READ, 1);
        expect_fault(x, ADDRESS_SIZE, 3);

        setwhat("64K TTBR%d LPA L2 block OA[51:48]=0xF", h);
        one_leaf(e, h, 16, 16, va, 2, ptb_block(0x0000000020000000ull | (0xfull << 12), PTB_AF));
        e->regs.id_aa64mmfr0 = ptb_mmfr0(6);
        e->regs.tcr = (e->regs.tcr & ~PTB_TCR_IPS(7)) | PTB_TCR_IPS(6);
        x = xlate(e, va, GR_ACC_READ, 1);
        expect_pa(x, 0x000f000020000000ull | (va & 0x1fffffff));

        setwhat("64K TTBR%d LPA table address", h);
        one_leaf(e, h, 16, 16, va, 1, ptb_table(0x40000000ull | (0x1ull << 12), 0));
        e->regs.id_aa64mmfr0 = ptb_mmfr0(6);
        e->regs.tcr = (e->regs.tcr & ~PTB_TCR_IPS(7)) | PTB_TCR_IPS(5);
        x = xlate(e, va, GR_ACC_READ, 1);
        expect_fault(x, ADDRESS_SIZE, 1);
        e->regs.tcr = (e->regs.tcr & ~PTB_TCR_IPS(7)) | PTB_TCR_IPS(6);
        x = xlate(e, va, GR_ACC_READ, 1); /* 2^48 + 1 GiB: no memory there */
        expect_fault(x, SYNC_EXTERNAL_ON_WALK, 2);
        assert_int_equal(x.fault.paddr >> 48, 1);
    }
}

/* Ignored descriptor bits: table [11:2] and [58:51], leaf [58:55]. */
static void test_ptw_ignored_bits(void **state)
{
    env *e = *state;
    for (int g = 0; g < 3; g++) {
        unsigned gb = GRANULES[g];
        setwhat("%s ignored bits", gname(gb));
        env_reset(e);
        ptb_tree *t = cfg(e, 0, gb, 16);
        t->table_attrs = 0xffcull | (0xffull << 51);
        uint64_t va = mkva(0, 16, VA_PATTERN), oa = align_down(OA_BASE, gb);
        assert_int_equal(ptb_map(t, va, 3,
                                 ptb_page(oa, PTB_AF | PTB_AP(1) | PTB_SW(0) | PTB_SW(3))),
                         0);
        gr_xlat x = xlate(e, va, GR_ACC_WRITE, 0);
        expect_pa(x, oa | (va & ((1ull << gb) - 1)));
        x = xlate(e, va, GR_ACC_EXEC, 0);
        expect_pa(x, oa | (va & ((1ull << gb) - 1)));
    }
}

/* ------------------------------------------------------------------ */
/* PAR_EL1 (AT instruction result).                                    */

/* PAR_EL1, F = 0: ATTR [63:56], PA [51:12], bit 11 RES1, NS bit 9,
 * SH [8:7] (0b10 reported for Device and Normal Non-cacheable). */
static void test_ptw_par_success(void **state)
{
    env *e = *state;
    static const struct {
        unsigned idx, sh;
        uint64_t par;
    } t[] = {
        {7, 3, 0xFF00001234567B80ull}, /* WB, Inner Shareable */
        {7, 2, 0xFF00001234567B00ull}, /* WB, Outer Shareable */
        {7, 0, 0xFF00001234567A00ull}, /* WB, Non-shareable */
        {0, 3, 0x0000001234567B00ull}, /* Device-nGnRnE: SH reported 10 */
        {1, 0, 0x0400001234567B00ull}, /* Device-nGnRE */
        {4, 0, 0x4400001234567B00ull}, /* Normal NC: SH reported 10 */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        setwhat("PAR AttrIndx=%u SH=%u", t[i].idx, t[i].sh);
        uint64_t va = 0x0000000000401abcull;
        one_leaf(e, 0, 12, 16, va, 3,
                 ptb_page(0x0000001234567000ull,
                          PTB_AF | PTB_ATTRIDX(t[i].idx) | PTB_SH(t[i].sh)));
        gr_xlat x = xlate(e, va, GR_ACC_READ, 1);
        expect_pa(x, 0x0000001234567abcull);
        uint64_t par = gr_par_encode(&e->ctx, &x);
        if (par != t[i].par)
            fail_msg("[%s] PAR 0x%016llx, expected 0x%016llx", what, (ull)par, (ull)t[i].par);
    }
    /* inside a 2 MB block: PA[47:12] of the translated address */
    setwhat("PAR block");
    uint64_t va = 0x0000000000615abcull;
    one_leaf(e, 0, 12, 16, va, 2,
             ptb_block(0x0000001234400000ull, PTB_AF | PTB_ATTRIDX(7) | PTB_SH(3)));
    gr_xlat x = xlate(e, va, GR_ACC_READ, 1);
    expect_pa(x, 0x0000001234415abcull);
    assert_int_equal(gr_par_encode(&e->ctx, &x), 0xFF00001234415B80ull);
}

/* PAR_EL1, F = 1: FST [6:1], bit 11 RES1, S/PTW (stage 2) zero. Bits
 * [63:56], [51:48] and 10 are IMPLEMENTATION DEFINED and not checked. */
static void test_ptw_par_fault(void **state)
{
    env *e = *state;
    const uint64_t mask = ~(0xff00000000000000ull | 0x000f000000000000ull | 0x400ull);
    uint64_t va = mkva(0, 16, VA_PATTERN);

    setwhat("PAR translation L2");
    one_leaf(e, 0, 12, 16, va, 2, 0);
    gr_xlat x = xlate(e, va, GR_ACC_READ, 1);
    expect_fault(x, TRANSLATION, 2);
    assert_int_equal(gr_par_encode(&e->ctx, &x) & mask, 0x80D);

    setwhat("PAR permission L3");
    one_leaf(e, 0, 12, 16, va, 3, ptb_page(0x80000000ull, PTB_AF | PTB_AP(2)));
    x = xlate(e, va, GR_ACC_WRITE, 1);
    expect_fault(x, PERMISSION, 3);
    assert_int_equal(gr_par_encode(&e->ctx, &x) & mask, 0x81F);

    setwhat("PAR access flag L3");
    one_leaf(e, 0, 12, 16, va, 3, ptb_page(0x80000000ull, 0));
    x = xlate(e, va, GR_ACC_READ, 1);
    assert_int_equal(gr_par_encode(&e->ctx, &x) & mask, 0x817);

    setwhat("PAR address size L0");
    env_reset(e);
    cfg(e, 0, 12, 16);
    e->regs.ttbr0 = 0x0000800000000000ull; /* 2^47, above IPS 40 */
    e->regs.tcr = (e->regs.tcr & ~PTB_TCR_IPS(7)) | PTB_TCR_IPS(2);
    x = xlate(e, va, GR_ACC_READ, 1);
    expect_fault(x, ADDRESS_SIZE, 0);
    assert_int_equal(gr_par_encode(&e->ctx, &x) & mask, 0x801);

    setwhat("PAR external abort L1");
    one_leaf(e, 0, 12, 16, va, 0, ptb_table(0x80000000ull, 0));
    x = xlate(e, va, GR_ACC_READ, 1);
    expect_fault(x, SYNC_EXTERNAL_ON_WALK, 1);
    assert_int_equal(gr_par_encode(&e->ctx, &x) & mask, 0x82B);
}

/* ------------------------------------------------------------------ */
/* The split API a TLB uses: walk from a cached table, check, update.  */

static void test_ptw_walk_from_cached_table(void **state)
{
    env *e = *state;
    setwhat("4K walk resumed at L2 with APTable=01, UXNTable gathered above");
    uint64_t va = mkva(0, 16, VA_PATTERN);
    ptb_tree *t = one_leaf(e, 0, 12, 16, va, 3, ptb_page(0x80000000ull, PTB_AF | PTB_AP(1)));
    gr_s1_decode(&e->regs, &e->ctx);
    uint64_t l2_table = table_addr(ptb_read(&e->b, ptb_desc_pa(t, va, 1)), 12);
    gr_walk_start st = {.level = 2, .table = l2_table, .ap_table = 1, .uxn_table = true,
                        .pxn_table = false};
    gr_xlat x;
    memset(&x, 0, sizeof x);
    x.req = (gr_req){.va = va, .acc = GR_ACC_READ, .el = 0};
    gr_ptw_walk(&e->ctx, e->b.mem, 0, &st, &x);
    assert_int_equal(x.fault.type, GR_FAULT_NONE);
    assert_true(x.have_tte);
    assert_int_equal(x.nreads, 2);
    assert_int_equal(x.reads[0].level, 2);
    assert_int_equal(x.reads[0].pa, l2_table + 8 * bits(va, 29, 21));
    assert_int_equal(x.reads[1].level, 3);
    assert_int_equal(x.tte.level, 3);
    assert_int_equal(x.tte.oa_base, 0x80000000ull);
    assert_int_equal(x.tte.ap_table, 1);
    assert_true(x.tte.uxn);
    assert_false(x.tte.pxn);
    /* the gathered APTable[0] removes EL0 access to an AP=01 page */
    gr_fault f = gr_s1_check(&e->ctx, &x.tte, &x.req);
    assert_int_equal(f.type, GR_FAULT_PERMISSION);
    assert_int_equal(f.level, 3);
    gr_req r1 = {.va = va, .acc = GR_ACC_WRITE, .el = 1};
    f = gr_s1_check(&e->ctx, &x.tte, &r1);
    assert_int_equal(f.type, GR_FAULT_NONE);
    gr_req x0 = {.va = va, .acc = GR_ACC_EXEC, .el = 0};
    f = gr_s1_check(&e->ctx, &x.tte, &x0);
    assert_int_equal(f.type, GR_FAULT_PERMISSION);
    assert_true(f.ifetch);
}

/* gr_ptw_update: a write-back that hits no memory is a synchronous
 * external abort at the leaf's level. */
static void test_ptw_update_writeback_abort(void **state)
{
    env *e = *state;
    env_reset(e);
    cfg(e, 0, 12, 16);
    e->regs.tcr |= PTB_TCR_HA;
    gr_s1_decode(&e->regs, &e->ctx);
    gr_xlat x;
    memset(&x, 0, sizeof x);
    x.req = (gr_req){.va = 0x1000, .acc = GR_ACC_READ, .el = 1};
    x.have_tte = true;
    x.tte.half = 0;
    x.tte.level = 2;
    x.tte.page_shift = 21;
    x.tte.desc = ptb_block(0x80000000ull, 0); /* AF = 0: HA must write */
    x.tte.desc_pa = 0x90000000ull;            /* no memory there */
    assert_false(gr_ptw_update(&e->ctx, e->b.mem, &x));
    assert_int_equal(x.fault.type, GR_FAULT_SYNC_EXTERNAL_ON_WALK);
    assert_int_equal(x.fault.level, 2);
    assert_int_equal(gr_fault_fsc(&x.fault), 0x16);
    /* in memory: written, and the tte follows */
    uint64_t slot = ptb_alloc(&e->b, 8, 8);
    assert_int_equal(ptb_write(&e->b, slot, x.tte.desc), 0);
    memset(&x.fault, 0, sizeof x.fault);
    x.tte.desc_pa = slot;
    assert_true(gr_ptw_update(&e->ctx, e->b.mem, &x));
    assert_true(x.desc_written);
    assert_int_equal(ptb_read(&e->b, slot), ptb_block(0x80000000ull, PTB_AF));
    assert_true(x.tte.af);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_ptw_geometry_all_granules_txsz),
        T(test_ptw_reference_table),
        T(test_ptw_blocks_legal_levels),
        T(test_ptw_fault_translation_invalid_each_level),
        T(test_ptw_fault_translation_block_illegal_level),
        T(test_ptw_fault_translation_l3_reserved),
        T(test_ptw_fault_txsz_out_of_range),
        T(test_ptw_fault_non_canonical),
        T(test_ptw_select_ranges),
        T(test_ptw_fault_epd),
        T(test_ptw_fault_address_size_ttbr),
        T(test_ptw_fault_address_size_table),
        T(test_ptw_fault_address_size_output),
        T(test_ptw_fault_access_flag_each_leaf_level),
        T(test_ptw_fault_external_abort_each_level),
        T(test_ptw_perm_ap_matrix),
        T(test_ptw_perm_exec),
        T(test_ptw_perm_wxn),
        T(test_ptw_perm_pan),
        T(test_ptw_perm_aptable),
        T(test_ptw_perm_xntable),
        T(test_ptw_perm_blocks),
        T(test_ptw_tbi),
        T(test_ptw_tbid),
        T(test_ptw_hw_access_flag),
        T(test_ptw_hw_dirty_state),
        T(test_ptw_hw_dirty_counts_as_writable_for_exec),
        T(test_ptw_contiguous_reported),
        T(test_ptw_mair_attr_index),
        T(test_ptw_asid),
        T(test_ptw_mmu_off_flat),
        T(test_ptw_big_endian_descriptors),
        T(test_ptw_64k_52bit_output),
        T(test_ptw_ignored_bits),
        T(test_ptw_par_success),
        T(test_ptw_par_fault),
        T(test_ptw_walk_from_cached_table),
        T(test_ptw_update_writeback_abort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
