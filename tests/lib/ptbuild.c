/* A page-table builder for tests (see ptbuild.h). */
#include "ptbuild.h"

#include <string.h>

uint64_t ptb_tcr_tg0(unsigned granule_bits)
{
    /* TCR_EL1.TG0 [15:14]: 0b00 4KB, 0b01 64KB, 0b10 16KB. */
    switch (granule_bits) {
    case 16:
        return 1ull << 14;
    case 14:
        return 2ull << 14;
    default:
        return 0;
    }
}

uint64_t ptb_tcr_tg1(unsigned granule_bits)
{
    /* TCR_EL1.TG1 [31:30]: 0b01 16KB, 0b10 4KB, 0b11 64KB. */
    switch (granule_bits) {
    case 14:
        return 1ull << 30;
    case 16:
        return 3ull << 30;
    default:
        return 2ull << 30;
    }
}

uint64_t ptb_mmfr0(unsigned parange)
{
    /* PARange [3:0]; TGran16 [23:20] = 0b0001 (16KB supported); TGran64
     * [27:24] and TGran4 [31:28] = 0b0000 (supported). */
    return (uint64_t)(parange & 0xf) | (1ull << 20);
}

int ptb_init(ptb *b, uint64_t ram_base, uint64_t ram_size)
{
    memset(b, 0, sizeof *b);
    b->mem = gr_pmem_create();
    if (!b->mem)
        return -1;
    if (gr_pmem_add_region(b->mem, ram_base, ram_size, "ram") != GR_PMEM_OK) {
        gr_pmem_destroy(b->mem);
        b->mem = NULL;
        return -1;
    }
    b->ram_base = ram_base;
    b->ram_size = ram_size;
    b->next = ram_base;
    return 0;
}

void ptb_fini(ptb *b)
{
    gr_pmem_destroy(b->mem);
    b->mem = NULL;
}

uint64_t ptb_alloc(ptb *b, uint64_t size, uint64_t align)
{
    uint64_t pa = (b->next + align - 1) & ~(align - 1);
    if (pa < b->next || size > b->ram_size ||
        pa - b->ram_base > b->ram_size - size)
        return PTB_FAIL;
    b->next = pa + size;
    /* RAM reads as zero until written and nothing is freed, so fresh
     * memory is already zero. */
    return pa;
}

uint64_t ptb_new_table(ptb *b, unsigned granule_bits)
{
    uint64_t g = 1ull << granule_bits;
    return ptb_alloc(b, g, g);
}

static uint64_t bswap64(uint64_t v)
{
    uint64_t r = 0;
    for (int i = 0; i < 8; i++) {
        r = (r << 8) | (v & 0xff);
        v >>= 8;
    }
    return r;
}

int ptb_write(ptb *b, uint64_t pa, uint64_t desc)
{
    if (b->big_endian)
        desc = bswap64(desc);
    return gr_pmem_write64(b->mem, pa, desc) == GR_PMEM_OK ? 0 : -1;
}

uint64_t ptb_read(const ptb *b, uint64_t pa)
{
    uint64_t v;
    if (gr_pmem_read64(b->mem, pa, &v) != GR_PMEM_OK)
        return PTB_FAIL;
    return b->big_endian ? bswap64(v) : v;
}

unsigned ptb_start_level(unsigned granule_bits, unsigned txsz)
{
    unsigned ia = 64 - txsz, stride = granule_bits - 3;
    unsigned levels = (ia - granule_bits + stride - 1) / stride;
    return 4 - levels;
}

int ptb_tree_init(ptb *b, ptb_tree *t, unsigned granule_bits, unsigned txsz)
{
    memset(t, 0, sizeof *t);
    t->b = b;
    t->granule_bits = granule_bits;
    t->txsz = txsz;
    t->start_level = ptb_start_level(granule_bits, txsz);
    t->root = ptb_new_table(b, granule_bits);
    return t->root == PTB_FAIL ? -1 : 0;
}

unsigned ptb_level_shift(unsigned granule_bits, unsigned level)
{
    return granule_bits + (3 - level) * (granule_bits - 3);
}

uint64_t ptb_index(const ptb_tree *t, uint64_t va, unsigned level)
{
    unsigned shift = ptb_level_shift(t->granule_bits, level);
    unsigned width = t->granule_bits - 3;
    if (level == t->start_level)
        width = (64 - t->txsz) - shift;
    return (va >> shift) & ((1ull << width) - 1);
}

/* Next-level table address held in a table descriptor: bits [47:granule]. */
static uint64_t next_table(const ptb_tree *t, uint64_t desc)
{
    uint64_t mask = ((1ull << 48) - 1) & ~((1ull << t->granule_bits) - 1);
    return desc & mask;
}

static uint64_t walk_to(const ptb_tree *t, uint64_t va, unsigned level,
                        bool create)
{
    if (level < t->start_level || level > 3)
        return PTB_FAIL;
    uint64_t table = t->root;
    for (unsigned l = t->start_level; l < level; l++) {
        uint64_t slot = table + 8 * ptb_index(t, va, l);
        uint64_t d = ptb_read(t->b, slot);
        if (d != PTB_FAIL && (d & 3) == 3) {
            table = next_table(t, d);
            continue;
        }
        if (!create)
            return PTB_FAIL;
        uint64_t n = ptb_new_table(t->b, t->granule_bits);
        if (n == PTB_FAIL || ptb_write(t->b, slot, ptb_table(n, t->table_attrs)))
            return PTB_FAIL;
        table = n;
    }
    return table + 8 * ptb_index(t, va, level);
}

uint64_t ptb_slot(ptb_tree *t, uint64_t va, unsigned level)
{
    return walk_to(t, va, level, true);
}

uint64_t ptb_desc_pa(const ptb_tree *t, uint64_t va, unsigned level)
{
    return walk_to(t, va, level, false);
}

int ptb_map(ptb_tree *t, uint64_t va, unsigned level, uint64_t desc)
{
    uint64_t slot = ptb_slot(t, va, level);
    if (slot == PTB_FAIL)
        return -1;
    return ptb_write(t->b, slot, desc);
}

int ptb_set_bits(ptb_tree *t, uint64_t va, unsigned level, uint64_t set,
                 uint64_t clear)
{
    uint64_t slot = ptb_desc_pa(t, va, level);
    if (slot == PTB_FAIL)
        return -1;
    uint64_t d = ptb_read(t->b, slot);
    return ptb_write(t->b, slot, (d & ~clear) | set);
}

void ptb_regs(gr_regs *r)
{
    gr_regs_reset(r);
    r->sctlr |= PTB_SCTLR_M;
}
