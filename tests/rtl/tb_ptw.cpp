// Verilator testbench of rtl/ptw.sv (with rtl/s1dec.sv, through
// tb_ptw_top.sv) driving a memory model with fixed read and write
// latencies.
//
//  1. Hand-computed walks for the 4K, 16K and 64K granules: tables laid out
//     at fixed addresses with the index bit ranges of the Arm ARM
//     (REFERENCE.md's table: 4K L0 = VA[47:39] ...), a fault at each
//     level, blocks where allowed and where not, access flag, permission,
//     address size (table, leaf, TTBR), external abort, level-0 faults,
//     TTBR1, TBI, a walk-cache start, HA/HD updates, big-endian tables.
//     Expected fault type, level, FSC (EncodeLDFSC: 0b0001LL translation,
//     ...), PA, read count and the done cycle W + n * mem.read
//     (+ mem.write) come from those rules, not from the C model.
//  2. Random registers and tables (tests/lib/ptbuild) cross-checked against
//     the C walker gr_s1_translate() and gr_wc_from_walk(): fault, leaf
//     summary, PA, attributes, reads, update write, walk-cache fills.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <vector>

#include "verilated.h"

#include "Vtb_ptw_top.h"
#include "granule/pmem.h"
#include "granule/ptw.h"
#include "granule/regs.h"
#include "granule/walkcache.h"
#include "ptbuild.h"

#include "tb_common.h"

namespace {

using tb::g_fail;
using tb::Rng;

struct Fill {
    unsigned level;
    uint64_t table;
    unsigned ap_table;
    bool uxn, pxn;
};

struct Result {
    bool done = false;
    unsigned kind = 0, level = 0, fsc = 0;
    uint64_t pa = 0;
    unsigned attr = 0;
    bool have_tte = false;
    uint64_t oa = 0;
    unsigned tlevel = 0, attr_index = 0, sh = 0, ap = 0, ap_table = 0;
    bool uxn = false, pxn = false, dbm = false, contiguous = false, half = false;
    uint64_t va_base = 0;
    unsigned page_shift = 0;
    bool af = false, ng = false;
    unsigned nreads = 0;
    bool wrote = false, written = false;
    uint64_t cycles = 0; // done cycle - acceptance cycle
    std::vector<Fill> fills;
    // the update write, as the memory saw it
    uint64_t wr_pa = 0, wr_old = 0;
};

struct Start {
    unsigned level;
    uint64_t table;
    unsigned ap_table;
    bool uxn, pxn;
};

class Dut {
  public:
    explicit Dut(VerilatedContext *c) : ctx_(c), top_(new Vtb_ptw_top{c})
    {
        top_->clk_i = 0;
        top_->rst_ni = 1;
        top_->eval();
        top_->rst_ni = 0;
        top_->eval();
        top_->rst_ni = 1;
        top_->eval();
    }
    ~Dut() { top_->final(); }

    void set_regs(const gr_regs &r)
    {
        top_->tcr_i = r.tcr;
        top_->ttbr0_i = r.ttbr0;
        top_->ttbr1_i = r.ttbr1;
        top_->mair_i = r.mair;
        top_->sctlr_i = r.sctlr;
        top_->pan_i = r.pstate_pan & 1;
        top_->parange_i = r.id_aa64mmfr0 & 0xf;
    }

    // One walk: the request is presented (and must be accepted) in the
    // current cycle W; the memory answers reads rd cycles and writes wr
    // cycles after it accepts them (stall_pct: chance that ready is low).
    Result walk(gr_pmem *mem, unsigned rd, unsigned wr, uint64_t va, gr_acc acc, unsigned el,
                const Start *st = nullptr, unsigned stall_pct = 0, Rng *rng = nullptr)
    {
        Result r;
        struct Pend {
            uint64_t due, data;
            bool err;
        };
        std::deque<Pend> rq, wq;
        top_->req_valid_i = 1;
        top_->req_va_i = va;
        top_->req_acc_i = acc;
        top_->req_el_i = el;
        top_->req_start_i = st != nullptr;
        top_->req_start_level_i = st ? st->level : 0;
        top_->req_start_table_i = st ? st->table : 0;
        top_->req_start_ap_table_i = st ? st->ap_table : 0;
        top_->req_start_uxn_i = st ? st->uxn : 0;
        top_->req_start_pxn_i = st ? st->pxn : 0;
        const uint64_t w = cycle_;
        for (unsigned n = 0; n < 2000; n++) {
            top_->mem_rsp_valid_i = 0;
            top_->mem_rsp_err_i = 0;
            top_->mem_rsp_data_i = 0;
            if (!rq.empty() && rq.front().due == cycle_) {
                top_->mem_rsp_valid_i = 1;
                top_->mem_rsp_data_i = rq.front().data;
                top_->mem_rsp_err_i = rq.front().err;
                rq.pop_front();
            }
            top_->mem_wr_rsp_valid_i = 0;
            top_->mem_wr_rsp_err_i = 0;
            if (!wq.empty() && wq.front().due == cycle_) {
                top_->mem_wr_rsp_valid_i = 1;
                top_->mem_wr_rsp_err_i = wq.front().err;
                wq.pop_front();
            }
            top_->mem_req_ready_i = !(stall_pct && rng->chance(stall_pct));
            top_->mem_wr_ready_i = !(stall_pct && rng->chance(stall_pct));
            top_->eval();
            if (n == 0)
                CHECK(top_->req_ready_o, "walker not ready for a request");
            if (top_->mem_req_valid_o && top_->mem_req_ready_i) {
                uint64_t v = 0;
                bool err = gr_pmem_read64(mem, top_->mem_req_pa_o, &v) != GR_PMEM_OK;
                rq.push_back({cycle_ + rd, v, err});
            }
            if (top_->mem_wr_valid_o && top_->mem_wr_ready_i) {
                uint64_t old = 0;
                bool err = gr_pmem_read64(mem, top_->mem_wr_pa_o, &old) != GR_PMEM_OK;
                if (!err)
                    err = gr_pmem_write64(mem, top_->mem_wr_pa_o, top_->mem_wr_data_o) !=
                          GR_PMEM_OK;
                r.wr_pa = top_->mem_wr_pa_o;
                r.wr_old = old;
                wq.push_back({cycle_ + wr, 0, err});
            }
            if (top_->wc_fill_o)
                r.fills.push_back({top_->wc_fill_level_o, top_->wc_fill_table_o,
                                   top_->wc_fill_ap_table_o, (bool)top_->wc_fill_uxn_o,
                                   (bool)top_->wc_fill_pxn_o});
            if (top_->done_o) {
                r.done = true;
                r.cycles = cycle_ - w;
                r.kind = top_->done_kind_o;
                r.level = top_->done_level_o;
                r.fsc = top_->done_fsc_o;
                r.pa = top_->done_pa_o;
                r.attr = top_->done_mair_attr_o;
                r.have_tte = top_->done_have_tte_o;
                r.oa = (uint64_t)top_->done_oa_o << 12;
                r.tlevel = top_->done_tlevel_o;
                r.attr_index = top_->done_attr_index_o;
                r.sh = top_->done_sh_o;
                r.ap = top_->done_ap_o;
                r.ap_table = top_->done_ap_table_o;
                r.uxn = top_->done_uxn_o;
                r.pxn = top_->done_pxn_o;
                r.dbm = top_->done_dbm_o;
                r.contiguous = top_->done_contiguous_o;
                r.half = top_->done_half_o;
                r.va_base = top_->done_va_base_o;
                r.page_shift = top_->done_page_shift_o;
                r.af = top_->done_af_o;
                r.ng = top_->done_ng_o;
                r.nreads = top_->done_nreads_o;
                r.wrote = top_->done_wrote_o;
                r.written = top_->done_desc_written_o;
            }
            tick();
            if (r.done)
                break;
        }
        CHECK(r.done, "walk of va %016" PRIx64 " never finished", va);
        CHECK(rq.empty() && wq.empty(), "memory answers left over after done");
        top_->eval();
        CHECK(top_->req_ready_o, "walker not idle after done");
        return r;
    }

    uint64_t cycle() const { return cycle_; }

  private:
    void tick()
    {
        top_->clk_i = 1;
        top_->eval();
        top_->clk_i = 0;
        top_->req_valid_i = 0;
        top_->mem_rsp_valid_i = 0;
        top_->mem_wr_rsp_valid_i = 0;
        top_->eval();
        cycle_++;
        ctx_->timeInc(1);
    }

    VerilatedContext *ctx_;
    std::unique_ptr<Vtb_ptw_top> top_;
    uint64_t cycle_ = 0;
};

// ---------------------------------------------------------------------------
// 1. Hand-computed walks.

constexpr uint64_t kRam = 0x40000000ull, kRamSize = 0x01000000ull;
constexpr unsigned kRd = 4, kWr = 3;

// VA bit ranges per lookup level with T0SZ = 16 (REFERENCE.md, from the Arm
// ARM's AArch64.TTEntryAddress): hi, lo for levels 0..3; start level first.
struct Shape {
    const char *name;
    unsigned gbits, tg0, tg1, start;
    unsigned hi[4], lo[4];
};
const Shape kShapes[] = {
    {"4K", 12, 0, 2, 0, {47, 38, 29, 20}, {39, 30, 21, 12}},
    {"16K", 14, 2, 1, 0, {47, 46, 35, 24}, {47, 36, 25, 14}},
    {"64K", 16, 1, 3, 1, {0, 47, 41, 28}, {0, 42, 29, 16}},
};

// Table of level l: a fixed, 64K-aligned address per level.
uint64_t tbase(unsigned l)
{
    return kRam + 0x100000ull * (l + 1);
}
uint64_t idx(const Shape &s, uint64_t va, unsigned l)
{
    return (va >> s.lo[l]) & ((1ull << (s.hi[l] - s.lo[l] + 1)) - 1);
}
uint64_t slot(const Shape &s, uint64_t va, unsigned l)
{
    return tbase(l) + 8 * idx(s, va, l);
}

struct Hand {
    Dut &d;
    gr_pmem *mem;
    bool ee = false;
    void put(uint64_t pa, uint64_t v)
    {
        gr_pmem_write64(mem, pa, ee ? __builtin_bswap64(v) : v);
    }
    uint64_t get(uint64_t pa)
    {
        uint64_t v = 0;
        gr_pmem_read64(mem, pa, &v);
        return ee ? __builtin_bswap64(v) : v;
    }
    // Table descriptors from the start level down to `leaf` - 1, each to
    // the next level's fixed table; the leaf descriptor at `leaf`.
    void chain(const Shape &s, uint64_t va, unsigned leaf, uint64_t leaf_desc,
               uint64_t tattrs = 0)
    {
        gr_pmem_zero(mem, kRam, kRamSize);
        for (unsigned l = s.start; l < leaf; l++)
            put(slot(s, va, l), tbase(l + 1) | tattrs | 3);
        put(slot(s, va, leaf), leaf_desc);
    }
};

gr_regs base_regs(const Shape &s)
{
    gr_regs r;
    gr_regs_reset(&r);
    // 48-bit VA both halves, IPS 48 bits; MAIR Attr1 = 0xFF, Attr0 = 0x44.
    r.tcr = 16 | (uint64_t)s.tg0 << 14 | 16ull << 16 | (uint64_t)s.tg1 << 30 | 5ull << 32;
    r.ttbr0 = tbase(s.start);
    r.ttbr1 = tbase(s.start);
    r.mair = 0xFF44;
    r.sctlr |= 1; // M; C and I are set at reset
    r.id_aa64mmfr0 = 5;
    return r;
}

struct Expect {
    unsigned kind, level, fsc;
    uint64_t pa;
    unsigned nreads;
    bool write;
};

void expect(const char *what, const Shape &s, const Result &r, const Expect &e)
{
    CHECK(r.kind == e.kind && r.level == e.level && r.fsc == e.fsc,
          "%s %s: fault kind %u level %u fsc %#x, want %u %u %#x", s.name, what, r.kind, r.level,
          r.fsc, e.kind, e.level, e.fsc);
    if (e.kind == GR_FAULT_NONE)
        CHECK(r.pa == e.pa, "%s %s: pa %#" PRIx64 " want %#" PRIx64, s.name, what, r.pa, e.pa);
    CHECK(r.nreads == e.nreads, "%s %s: %u reads, want %u", s.name, what, r.nreads, e.nreads);
    uint64_t cyc = (uint64_t)e.nreads * kRd + (e.write ? kWr : 0);
    CHECK(r.cycles == cyc, "%s %s: done after %" PRIu64 " cycles, want %" PRIu64, s.name, what,
          r.cycles, cyc);
    CHECK(r.wrote == e.write, "%s %s: update write %d, want %d", s.name, what, r.wrote, e.write);
}

constexpr uint64_t kAF = 1ull << 10, kOA = 0x876540000ull, kBlockOA = 0x800000000ull;

void hand_shape(Dut &d, gr_pmem *mem, const Shape &s)
{
    Hand h{d, mem};
    const unsigned S = s.start;
    // A VA with distinct non-zero indices at every level.
    const uint64_t va = 0x0000A5A5C3C35ABCull & ((1ull << 48) - 1);
    const uint64_t gmask = (1ull << s.gbits) - 1;
    gr_regs r = base_regs(s);
    d.set_regs(r);
    const uint64_t page = kOA | kAF | (1u << 2) | (3u << 8) | 3; // AttrIndx 1, SH 3

    // Success: page at level 3, every level read once.
    h.chain(s, va, 3, page);
    Result res = d.walk(mem, kRd, kWr, va, GR_ACC_READ, 1);
    expect("page", s, res, {GR_FAULT_NONE, 0, 0, kOA | (va & gmask), 4 - S, false});
    CHECK(res.attr == 0xFF && res.sh == 3 && res.tlevel == 3 && res.page_shift == s.gbits,
          "%s page: attr %#x sh %u level %u shift %u", s.name, res.attr, res.sh, res.tlevel,
          res.page_shift);
    // The walk-cache fills: one per table descriptor, in walk order.
    CHECK(res.fills.size() == 3 - S, "%s page: %zu walk-cache fills", s.name, res.fills.size());
    for (size_t i = 0; i < res.fills.size(); i++)
        CHECK(res.fills[i].level == S + i && res.fills[i].table == tbase(S + i + 1),
              "%s page: fill %zu level %u table %#" PRIx64, s.name, i, res.fills[i].level,
              res.fills[i].table);

    // An invalid descriptor at each level: translation fault there
    // (FSC 0b0001LL), after reading down to it.
    for (unsigned l = S; l <= 3; l++) {
        h.chain(s, va, l, 0);
        char what[32];
        std::snprintf(what, sizeof what, "invalid at L%u", l);
        expect(what, s, d.walk(mem, kRd, kWr, va, GR_ACC_READ, 1),
               {GR_FAULT_TRANSLATION, l, 0x04u | l, 0, l - S + 1, false});
    }
    // Level 3 with bits[1:0] = 0b01 (a "block" at level 3) is invalid.
    h.chain(s, va, 3, page & ~2ull);
    expect("L3 0b01", s, d.walk(mem, kRd, kWr, va, GR_ACC_READ, 1),
           {GR_FAULT_TRANSLATION, 3, 0x07, 0, 4 - S, false});

    // Blocks: allowed at 4K L1/L2, 16K L2, 64K L2 (48-bit PA); elsewhere a
    // translation fault at that level (AArch64.BlockDescSupported).
    for (unsigned l = S; l <= 2; l++) {
        bool ok = s.gbits == 12 ? (l == 1 || l == 2) : l == 2;
        unsigned shift = s.lo[l];
        h.chain(s, va, l, kBlockOA | kAF | 1);
        char what[32];
        std::snprintf(what, sizeof what, "block at L%u", l);
        Result b = d.walk(mem, kRd, kWr, va, GR_ACC_READ, 1);
        if (ok) {
            expect(what, s, b,
                   {GR_FAULT_NONE, 0, 0, kBlockOA | (va & ((1ull << shift) - 1)), l - S + 1,
                    false});
            CHECK(b.page_shift == shift && b.tlevel == l, "%s %s: shift %u", s.name, what,
                  b.page_shift);
        } else {
            expect(what, s, b, {GR_FAULT_TRANSLATION, l, 0x04u | l, 0, l - S + 1, false});
        }
    }

    // Access flag fault (AF = 0, TCR.HA = 0): 0b0010LL at the leaf.
    h.chain(s, va, 3, page & ~kAF);
    expect("AF=0", s, d.walk(mem, kRd, kWr, va, GR_ACC_READ, 1),
           {GR_FAULT_ACCESS_FLAG, 3, 0x0B, 0, 4 - S, false});

    // Permission faults (0b0011LL): write to AP = 0b10 (EL1 read-only);
    // EL0 read of AP = 0b00 (EL1 only); fetch from a UXN page at EL0.
    h.chain(s, va, 3, page | (2u << 6));
    expect("write RO", s, d.walk(mem, kRd, kWr, va, GR_ACC_WRITE, 1),
           {GR_FAULT_PERMISSION, 3, 0x0F, 0, 4 - S, false});
    h.chain(s, va, 3, page);
    expect("EL0 read", s, d.walk(mem, kRd, kWr, va, GR_ACC_READ, 0),
           {GR_FAULT_PERMISSION, 3, 0x0F, 0, 4 - S, false});
    h.chain(s, va, 3, page | (1u << 6) | (1ull << 54));
    expect("EL0 fetch UXN", s, d.walk(mem, kRd, kWr, va, GR_ACC_EXEC, 0),
           {GR_FAULT_PERMISSION, 3, 0x0F, 0, 4 - S, false});
    // APTable[0] in a table descriptor: no EL0 access below it.
    h.chain(s, va, 3, page | (1u << 6), 1ull << 61);
    expect("APTable EL0", s, d.walk(mem, kRd, kWr, va, GR_ACC_READ, 0),
           {GR_FAULT_PERMISSION, 3, 0x0F, 0, 4 - S, false});
    // ... ignored with TCR_EL1.HPD0 (FEAT_HPDS).
    r.tcr |= 1ull << 41;
    d.set_regs(r);
    expect("APTable EL0 HPD", s, d.walk(mem, kRd, kWr, va, GR_ACC_READ, 0),
           {GR_FAULT_NONE, 0, 0, kOA | (va & gmask), 4 - S, false});
    r.tcr &= ~(1ull << 41);

    // Address size faults with IPS = 32 bits: a next-table address above
    // it (at the level of the table descriptor), a leaf OA above it (at
    // the leaf level), a TTBR above it (level 0, nothing read).
    r.tcr = (r.tcr & ~(7ull << 32)) | 0ull << 32;
    d.set_regs(r);
    gr_pmem_zero(mem, kRam, kRamSize);
    h.put(slot(s, va, S), 0x100000000ull | 3);
    expect("AS table", s, d.walk(mem, kRd, kWr, va, GR_ACC_READ, 1),
           {GR_FAULT_ADDRESS_SIZE, S, 0x00u | S, 0, 1, false});
    h.chain(s, va, 3, page);
    expect("AS leaf", s, d.walk(mem, kRd, kWr, va, GR_ACC_READ, 1),
           {GR_FAULT_ADDRESS_SIZE, 3, 0x03, 0, 4 - S, false});
    r.ttbr0 = 0x100000000ull;
    d.set_regs(r);
    expect("AS TTBR", s, d.walk(mem, kRd, kWr, va, GR_ACC_READ, 1),
           {GR_FAULT_ADDRESS_SIZE, 0, 0x00, 0, 0, false});
    r = base_regs(s);
    d.set_regs(r);

    // External abort: the level S+1 table points outside memory; the read
    // at level S+2 aborts (0b0101LL there), and counts as a read.
    h.chain(s, va, 3, page);
    h.put(slot(s, va, S + 1), 0x20000000ull | 3);
    expect("ext abort", s, d.walk(mem, kRd, kWr, va, GR_ACC_READ, 1),
           {GR_FAULT_SYNC_EXTERNAL_ON_WALK, S + 2, 0x14u | (S + 2), 0, 3, false});

    // Level-0 faults before any read: VA[48] set under TTBR0 (out of
    // range), EPD0, T0SZ below 16.
    h.chain(s, va, 3, page);
    expect("VA range", s, d.walk(mem, kRd, kWr, va | 1ull << 48, GR_ACC_READ, 1),
           {GR_FAULT_TRANSLATION, 0, 0x04, 0, 0, false});
    r.tcr |= 1ull << 7;
    d.set_regs(r);
    expect("EPD0", s, d.walk(mem, kRd, kWr, va, GR_ACC_READ, 1),
           {GR_FAULT_TRANSLATION, 0, 0x04, 0, 0, false});
    r = base_regs(s);
    r.tcr = (r.tcr & ~0x3full) | 12;
    d.set_regs(r);
    expect("T0SZ 12", s, d.walk(mem, kRd, kWr, va, GR_ACC_READ, 1),
           {GR_FAULT_TRANSLATION, 0, 0x04, 0, 0, false});
    // TBI0: a tagged pointer translates; without TBI it is out of range.
    r = base_regs(s);
    d.set_regs(r);
    expect("tag no TBI", s, d.walk(mem, kRd, kWr, va | 0x5Aull << 56, GR_ACC_READ, 1),
           {GR_FAULT_TRANSLATION, 0, 0x04, 0, 0, false});
    r.tcr |= 1ull << 37;
    d.set_regs(r);
    expect("tag TBI0", s, d.walk(mem, kRd, kWr, va | 0x5Aull << 56, GR_ACC_READ, 1),
           {GR_FAULT_NONE, 0, 0, kOA | (va & gmask), 4 - S, false});

    // TTBR1: VA[55] = 1 with all upper bits set walks TTBR1's tables.
    r = base_regs(s);
    r.ttbr0 = kRam; // empty: a TTBR0 walk would fault
    d.set_regs(r);
    const uint64_t va1 = va | 0xFFFF000000000000ull;
    h.chain(s, va1, 3, page);
    Result t1 = d.walk(mem, kRd, kWr, va1, GR_ACC_READ, 1);
    expect("TTBR1", s, t1, {GR_FAULT_NONE, 0, 0, kOA | (va & gmask), 4 - S, false});
    CHECK(t1.half && t1.va_base == (va1 & ~gmask), "%s TTBR1: half %d va_base %#" PRIx64, s.name,
          t1.half, t1.va_base);

    // A walk-cache start at level 2: only levels 2 and 3 are read, the
    // start's table attributes apply (APTable[1]: read-only).
    r = base_regs(s);
    d.set_regs(r);
    h.chain(s, va, 3, page);
    Start st{2, tbase(2), 2, false, false};
    expect("wc start", s, d.walk(mem, kRd, kWr, va, GR_ACC_WRITE, 1, &st),
           {GR_FAULT_PERMISSION, 3, 0x0F, 0, 2, false});
    expect("wc start read", s, d.walk(mem, kRd, kWr, va, GR_ACC_READ, 1, &st),
           {GR_FAULT_NONE, 0, 0, kOA | (va & gmask), 2, false});

    // Hardware access flag (HA): AF = 0 is set in memory, one write.
    r.tcr |= 1ull << 39;
    d.set_regs(r);
    h.chain(s, va, 3, page & ~kAF);
    Result ha = d.walk(mem, kRd, kWr, va, GR_ACC_READ, 1);
    expect("HA", s, ha, {GR_FAULT_NONE, 0, 0, kOA | (va & gmask), 4 - S, true});
    CHECK(h.get(slot(s, va, 3)) == page && ha.written && ha.af,
          "%s HA: descriptor %#" PRIx64 " after the update", s.name, h.get(slot(s, va, 3)));
    // ... and dirty state (HA + HD): a write to a writable-clean page
    // (DBM = 1, AP[2] = 1) clears AP[2].
    r.tcr |= 1ull << 40;
    d.set_regs(r);
    const uint64_t clean = page | (1ull << 51) | (2u << 6);
    h.chain(s, va, 3, clean);
    expect("HD write", s, d.walk(mem, kRd, kWr, va, GR_ACC_WRITE, 1),
           {GR_FAULT_NONE, 0, 0, kOA | (va & gmask), 4 - S, true});
    CHECK(h.get(slot(s, va, 3)) == (clean & ~(1ull << 7)), "%s HD: descriptor %#" PRIx64,
          s.name, h.get(slot(s, va, 3)));
    // A read of a writable-clean page writes nothing and reports it clean.
    h.chain(s, va, 3, clean);
    Result rc = d.walk(mem, kRd, kWr, va, GR_ACC_READ, 1);
    expect("HD read", s, rc, {GR_FAULT_NONE, 0, 0, kOA | (va & gmask), 4 - S, false});
    CHECK(rc.dbm && rc.ap == 0, "%s HD read: dbm %d ap %u", s.name, rc.dbm, rc.ap);

    // Big-endian tables (SCTLR_EL1.EE).
    r = base_regs(s);
    r.sctlr |= 1ull << 25;
    d.set_regs(r);
    h.ee = true;
    h.chain(s, va, 3, page);
    expect("EE", s, d.walk(mem, kRd, kWr, va, GR_ACC_READ, 1),
           {GR_FAULT_NONE, 0, 0, kOA | (va & gmask), 4 - S, false});
    h.ee = false;

    // Stage 1 off: the flat map, answered without reads; VA bits at or
    // above PAMax (48) are an address size fault at level 0.
    r = base_regs(s);
    r.sctlr &= ~1ull;
    d.set_regs(r);
    expect("MMU off", s, d.walk(mem, kRd, kWr, 0x123456789ull, GR_ACC_READ, 1),
           {GR_FAULT_NONE, 0, 0, 0x123456789ull, 0, false});
    expect("MMU off AS", s, d.walk(mem, kRd, kWr, 1ull << 50, GR_ACC_READ, 1),
           {GR_FAULT_ADDRESS_SIZE, 0, 0x00, 0, 0, false});
}

// The start level follows TxSZ: 4K with T0SZ = 25 (39-bit VA) starts at
// level 1 (L1 = VA[38:30]), so a page takes three reads.
void hand_start_level(Dut &d, gr_pmem *mem)
{
    Shape s = kShapes[0];
    s.start = 1;
    Hand h{d, mem};
    gr_regs r = base_regs(s);
    r.tcr = (r.tcr & ~0x3full) | 25;
    d.set_regs(r);
    const uint64_t va = 0x0000005A5A5A5123ull & ((1ull << 39) - 1);
    h.chain(s, va, 3, kOA | kAF | 3);
    expect("T0SZ 25", s, d.walk(mem, kRd, kWr, va, GR_ACC_READ, 1),
           {GR_FAULT_NONE, 0, 0, kOA | (va & 0xfff), 3, false});
    expect("T0SZ 25 VA[39]", s, d.walk(mem, kRd, kWr, va | 1ull << 39, GR_ACC_READ, 1),
           {GR_FAULT_TRANSLATION, 0, 0x04, 0, 0, false});
}

// ---------------------------------------------------------------------------
// 2. Random walks against the C walker.

void random_vs_model(Dut &d, unsigned steps, uint64_t seed)
{
    Rng rng{seed};
    static const unsigned gb[3] = {12, 14, 16};
    unsigned faults[GR_FAULT_COUNT_] = {0};
    for (unsigned step = 0; step < steps; step++) {
        ptb b;
        if (ptb_init(&b, PTB_RAM_BASE, 0x01000000ull) != 0) {
            CHECK(false, "ptb_init");
            return;
        }
        gr_regs r;
        ptb_regs(&r);
        unsigned g[2] = {gb[rng.below(3)], gb[rng.below(3)]};
        unsigned txsz[2];
        for (int n = 0; n < 2; n++) {
            unsigned maxt = g[n] == 16 ? 47 : 48;
            txsz[n] = 16 + rng.below(maxt - 16 + 1);
            if (rng.chance(60))
                txsz[n] = 16 + rng.below(10); // deep walks are the interesting ones
        }
        const bool ee = rng.chance(10);
        b.big_endian = ee;
        unsigned ips = rng.chance(70) ? 5 : rng.below(8);
        r.tcr = txsz[0] | ptb_tcr_tg0(g[0]) | (uint64_t)txsz[1] << 16 | ptb_tcr_tg1(g[1]) |
                (uint64_t)ips << 32;
        if (rng.chance(3))
            r.tcr = (r.tcr & ~0x3full) | (rng.chance(50) ? 10 : 50); // TxSZ out of range
        if (rng.chance(3))
            r.tcr |= PTB_TCR_EPD0;
        if (rng.chance(3))
            r.tcr |= PTB_TCR_EPD1;
        if (rng.chance(30))
            r.tcr |= PTB_TCR_TBI0 | PTB_TCR_TBI1;
        if (rng.chance(10))
            r.tcr |= PTB_TCR_TBID0 | PTB_TCR_TBID1;
        if (rng.chance(40))
            r.tcr |= PTB_TCR_HA;
        if (rng.chance(40))
            r.tcr |= PTB_TCR_HD;
        if (rng.chance(15))
            r.tcr |= PTB_TCR_HPD0 | PTB_TCR_HPD1;
        if (rng.chance(30))
            r.tcr |= PTB_TCR_AS | PTB_TCR_A1;
        if (rng.chance(20))
            r.sctlr |= PTB_SCTLR_WXN;
        if (ee)
            r.sctlr |= PTB_SCTLR_EE;
        if (rng.chance(20))
            r.sctlr &= ~(1ull << 2); // C
        if (rng.chance(20))
            r.sctlr &= ~(1ull << 12); // I
        if (rng.chance(5))
            r.sctlr &= ~1ull; // stage 1 off
        r.pstate_pan = rng.chance(30);
        r.mair = rng.next();
        r.id_aa64mmfr0 = ptb_mmfr0(rng.chance(80) ? 5 : rng.below(7));

        const int half = (int)rng.below(2);
        ptb_tree t;
        if (ptb_tree_init(&b, &t, g[half], txsz[half]) != 0) {
            CHECK(false, "ptb_tree_init");
            ptb_fini(&b);
            return;
        }
        if (rng.chance(50))
            t.table_attrs = (rng.next() & (PTB_PXNTABLE | PTB_UXNTABLE | PTB_APTABLE(3)));
        (half ? r.ttbr1 : r.ttbr0) = t.root | (rng.next() & 0xFFFF000000000000ull);
        (half ? r.ttbr0 : r.ttbr1) = (rng.next() & 0xFFFF000000000000ull) | t.root;
        if (rng.chance(3))
            (half ? r.ttbr1 : r.ttbr0) |= 1ull << (32 + rng.below(16)); // TTB above IPS

        unsigned ia = 64 - txsz[half];
        uint64_t va = rng.next() & ((1ull << ia) - 1);
        if (half)
            va |= ~0ull << ia;
        if (rng.chance(5))
            va ^= 1ull << (ia + rng.below(64 - ia)); // out of range
        if (rng.chance(30))
            va = (va & ~(0xFFull << 56)) | (rng.next() & 0xFFull) << 56; // a tag

        // The leaf: a page or a block at a random level, random attributes.
        unsigned leaf = t.start_level + rng.below(4 - t.start_level);
        unsigned lshift = ptb_level_shift(g[half], leaf);
        uint64_t oa = (rng.next() & ((1ull << (rng.chance(80) ? 40 : 48)) - 1)) &
                      ~((1ull << lshift) - 1);
        uint64_t attrs = rng.next() & (PTB_ATTRIDX(7) | PTB_AP(3) | PTB_SH(3) | PTB_NG | PTB_DBM |
                                       PTB_CONT | PTB_PXN | PTB_UXN);
        if (rng.chance(85))
            attrs |= PTB_AF;
        uint64_t desc = leaf == 3 ? ptb_page(oa, attrs) : ptb_block(oa, attrs);
        if (rng.chance(5))
            desc = rng.chance(50) ? 0 : (desc & ~3ull) | 3; // invalid, or a table
        if (g[half] == 16 && rng.chance(10))
            desc |= (uint64_t)rng.below(16) << 12; // FEAT_LPA OA[51:48] bits
        ptb_map(&t, va, leaf, desc);
        // Sometimes break a table on the way: invalid, unmapped, above IPS.
        if (leaf > t.start_level && rng.chance(10)) {
            unsigned l = t.start_level + rng.below(leaf - t.start_level);
            uint64_t pa = ptb_desc_pa(&t, va, l);
            unsigned k = rng.below(3);
            uint64_t nd = k == 0 ? 0 : k == 1 ? (0x20000000ull | 3) : (0x1000000000ull | 3);
            ptb_write(&b, pa, nd);
        }
        gr_acc acc = (gr_acc)rng.below(3);
        unsigned el = rng.below(2);

        d.set_regs(r);
        unsigned rd = 1 + rng.below(5), wr = 1 + rng.below(4);
        Result res = d.walk(b.mem, rd, wr, va, acc, el);
        // Undo the RTL's update so the C walker sees the same memory.
        if (res.wrote && res.wr_pa)
            gr_pmem_write64(b.mem, res.wr_pa, res.wr_old);

        gr_s1ctx ctx;
        gr_s1_decode(&r, &ctx);
        gr_req q{va, acc, (uint8_t)el};
        gr_xlat x;
        gr_s1_translate(&ctx, b.mem, &q, &x);
        faults[x.fault.type]++;
        unsigned want_fsc = gr_fault_fsc(&x.fault);
        CHECK(res.kind == (unsigned)x.fault.type && res.level == (unsigned)(x.fault.level & 3) &&
                  res.fsc == want_fsc,
              "step %u va %016" PRIx64 ": fault %u/L%u/%#x, model %u/L%d/%#x", step, va, res.kind,
              res.level, res.fsc, x.fault.type, x.fault.level, want_fsc);
        if (x.fault.type == GR_FAULT_NONE)
            CHECK(res.pa == x.pa && res.attr == x.mair_attr,
                  "step %u va %016" PRIx64 ": pa %#" PRIx64 " attr %#x, model %#" PRIx64 " %#x",
                  step, va, res.pa, res.attr, x.pa, x.mair_attr);
        bool model_tte = x.have_tte && x.fault.type != GR_FAULT_NONE
                             ? x.fault.type == GR_FAULT_PERMISSION ||
                                   x.fault.type == GR_FAULT_SYNC_EXTERNAL_ON_WALK
                             : x.have_tte;
        CHECK(res.have_tte == model_tte, "step %u: have_tte %d, model %d", step, res.have_tte,
              model_tte);
        if (res.have_tte && model_tte) {
            const gr_tte &e = x.tte;
            bool clean = e.dbm && ((e.desc >> 7) & 1);
            CHECK(res.oa == e.oa_base && res.tlevel == e.level && res.attr_index == e.attr_index &&
                      res.sh == e.sh && res.ap == e.ap && res.ap_table == e.ap_table &&
                      res.uxn == e.uxn && res.pxn == e.pxn && res.contiguous == e.contiguous &&
                      res.half == e.half && res.va_base == e.va_base &&
                      res.page_shift == e.page_shift && res.ng == e.ng && res.af == e.af &&
                      res.dbm == clean,
                  "step %u va %016" PRIx64 ": leaf summary differs (oa %#" PRIx64 "/%#" PRIx64
                  " ap %u/%u apt %u/%u va_base %#" PRIx64 "/%#" PRIx64 " af %d/%d dbm %d/%d)",
                  step, va, res.oa, e.oa_base, res.ap, e.ap, res.ap_table, e.ap_table,
                  res.va_base, e.va_base, res.af, e.af, res.dbm, clean);
        }
        unsigned nreads = x.nreads + (x.fault.type == GR_FAULT_SYNC_EXTERNAL_ON_WALK &&
                                      !x.have_tte);
        bool wrote = x.desc_written ||
                     (x.fault.type == GR_FAULT_SYNC_EXTERNAL_ON_WALK && x.have_tte);
        CHECK(res.nreads == nreads && res.wrote == wrote && res.written == x.desc_written,
              "step %u: reads %u wrote %d, model %u %d", step, res.nreads, res.wrote, nreads,
              wrote);
        CHECK(res.cycles == (uint64_t)nreads * rd + (wrote ? wr : 0),
              "step %u: done after %" PRIu64 " cycles (rd %u wr %u, %u reads)", step, res.cycles,
              rd, wr, nreads);
        if (x.desc_written) {
            uint64_t v = 0;
            gr_pmem_read64(b.mem, x.tte.desc_pa, &v);
            CHECK(res.wr_pa == x.tte.desc_pa, "step %u: update at %#" PRIx64 ", model %#" PRIx64,
                  step, res.wr_pa, x.tte.desc_pa);
        }
        if (ctx.m) {
            gr_wc_entry we[3];
            int n = gr_wc_from_walk(&ctx, half, nullptr, &x, 0, we);
            bool same = (int)res.fills.size() == n;
            for (int i = 0; same && i < n; i++)
                same = res.fills[i].level == we[i].level && res.fills[i].table == we[i].next.table &&
                       res.fills[i].ap_table == we[i].next.ap_table &&
                       res.fills[i].uxn == we[i].next.uxn_table &&
                       res.fills[i].pxn == we[i].next.pxn_table;
            // The model's list is built after the walk and only for the
            // range the request selected; a level-0 fault has none.
            if (x.fault.type == GR_FAULT_TRANSLATION && x.fault.level == 0 && x.nreads == 0)
                same = res.fills.empty();
            CHECK(same, "step %u: %zu walk-cache fills, model %d", step, res.fills.size(), n);
        }
        ptb_fini(&b);
    }
    std::printf("ptw random: %u walks; model faults: none %u, address size %u, translation %u, "
                "access flag %u, permission %u, external abort %u\n",
                steps, faults[0], faults[1], faults[2], faults[3], faults[4], faults[5]);
}

// Memory that is not always ready: only results are compared (timing
// stretches), against a run of the same walk with a ready memory.
void stalls(Dut &d, gr_pmem *mem)
{
    Rng rng{0x5151};
    const Shape &s = kShapes[0];
    Hand h{d, mem};
    gr_regs r = base_regs(s);
    r.tcr |= 3ull << 39; // HA, HD
    d.set_regs(r);
    const uint64_t va = 0x0000123456789ABCull;
    for (int i = 0; i < 50; i++) {
        h.chain(s, va, 3, kOA | (1ull << 51) | (2u << 6) | 3);
        Result res = d.walk(mem, 1 + rng.below(4), 1 + rng.below(4), va, GR_ACC_WRITE, 1, nullptr,
                            40, &rng);
        CHECK(res.kind == GR_FAULT_NONE && res.pa == (kOA | 0xABC) && res.nreads == 4 &&
                  res.written,
              "stall walk %d: fault %u pa %#" PRIx64, i, res.kind, res.pa);
        CHECK(h.get(slot(s, va, 3)) == (kOA | (1ull << 51) | kAF | 3), "stall walk %d: desc", i);
    }
}

} // namespace

int main(int argc, char **argv)
{
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    unsigned steps = argc > 1 && argv[1][0] != '+' ? (unsigned)std::atoi(argv[1]) : 3000;
    Dut d(ctx.get());
    gr_pmem *mem = gr_pmem_create();
    if (!mem || gr_pmem_add_region(mem, kRam, kRamSize, "ram") != 0) {
        std::fprintf(stderr, "pmem\n");
        return 2;
    }
    for (const Shape &s : kShapes) {
        int before = g_fail;
        hand_shape(d, mem, s);
        std::printf("ptw hand-computed %s: %s\n", s.name, g_fail == before ? "ok" : "FAILED");
    }
    hand_start_level(d, mem);
    stalls(d, mem);
    random_vs_model(d, steps, 0x243F6A8885A308D3ull);
    gr_pmem_destroy(mem);
    std::printf("tb_ptw: %s, %" PRIu64 " cycles simulated\n", g_fail ? "FAILED" : "ok",
                d.cycle());
    return g_fail ? 1 : 0;
}
