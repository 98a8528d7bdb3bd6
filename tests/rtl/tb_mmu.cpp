// Verilator testbench of rtl/mmu_top.sv: the RTL MMU and the C model's
// gr_mmu run the same stream of requests, register writes and TLBIs over
// identical page tables (two memories built by the same ptbuild calls), and
// every response must match the model's in cycle (acceptance and valid)
// and content (fault type, level, FSC, PA, attributes, shareability, page
// size, leaf level, path, reads, update write); register writes and TLBIs
// must complete in the model's cycles; the memories must end equal. A few
// directed cycles are hand-computed from docs/uarch.md first.
//
// With --bench hit|miss N it runs the RTL alone on a hit-dominated or a
// miss-heavy stream of N requests and prints simulated cycles per second.
#include <chrono>
#include <ctime>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "verilated.h"
#if GRANULE_RTL_TRACE
#include "verilated_fst_c.h"
#endif

#include "granule/config.h"
#include "granule/mmu.h"
#include "granule/pac.h"
#include "granule/pmem.h"
#include "granule/regs.h"
#include "granule/tlb.h"
#include "granule/walkcache.h"
#include "ptbuild.h"
#include "tb_mmu_model.h" // generated: TB_CONFIG, TB_MODEL (the Verilated class)

#include "tb_common.h"

namespace {

using tb::g_fail;
using tb::Rng;
using tb::wget;
using tb::wset;

// One event of the stream.
struct Ev {
    enum Kind { REQ, REGS, TLBI } kind;
    uint64_t t; // cycle it is presented (at the earliest)
    gr_mmu_req rq;
    gr_regs regs;
    gr_tlbi op;
};

struct Rsp {
    uint64_t cycle;
    unsigned kind, level, fsc, attr, sh, psize, shift, tlevel, path, nreads;
    uint64_t pa;
    bool written;
};

// The RTL with its memory (fixed latencies, always ready).
class Rtl {
  public:
    Rtl(VerilatedContext *c, gr_pmem *mem, unsigned rd, unsigned wr, const char *fst)
        : ctx_(c), top_(new TB_MODEL{c}), mem_(mem), rd_(rd), wr_(wr)
    {
#if GRANULE_RTL_TRACE
        if (fst) {
            trace_.reset(new VerilatedFstC);
            top_->trace(trace_.get(), 99);
            trace_->open(fst);
        }
#else
        (void)fst;
#endif
        idle();
        top_->clk_i = 0;
        top_->rst_ni = 1;
        top_->eval();
        top_->rst_ni = 0;
        top_->eval();
        top_->rst_ni = 1;
        top_->eval();
    }
    ~Rtl()
    {
        top_->final();
#if GRANULE_RTL_TRACE
        if (trace_)
            trace_->close();
#endif
    }

    // Presents e from cycle max(e.t, now) until accepted; returns the
    // acceptance cycle (for a TLBI, *done gets its completion cycle).
    uint64_t issue(const Ev &e, uint64_t *done = nullptr)
    {
        while (cycle_ < e.t)
            step();
        for (unsigned guard = 0;; guard++) {
            present(e);
            uint64_t at = cycle_;
            step();
            bool rdy = e.kind == Ev::REQ ? ready_[0] : e.kind == Ev::REGS ? ready_[1] : ready_[2];
            if (rdy) {
                idle();
                // A TLBI's completion pulse is recorded by step(); waiting
                // for it here would hold the next event back a cycle.
                if (e.kind == Ev::TLBI && done) {
                    while (tlbi_done.empty())
                        step();
                    *done = tlbi_done.back();
                }
                return at;
            }
            if (guard > 100000) {
                CHECK(false, "event never accepted");
                return at;
            }
        }
    }
    void drain(size_t n)
    {
        for (unsigned guard = 0; rsps.size() < n && guard < 100000; guard++)
            step();
        for (int i = 0; i < 4; i++)
            step();
    }
    uint64_t cycle() const { return cycle_; }

    // The debug read port (docs/rtl.md "mmu_top: debug read port"): entry
    // (set, way) of unit (0 L1 I, 1 L1 D, 2 L2, 3 + k walk cache k),
    // combinational, so no clock edge. Checks first that the port answers
    // 0 while dbg_en_i is low.
    bool dbg_read(unsigned unit, unsigned set, unsigned way, uint64_t e[2])
    {
        top_->dbg_en_i = 0;
        top_->dbg_unit_i = unit;
        top_->dbg_set_i = set;
        top_->dbg_way_i = way;
        top_->eval();
        CHECK(!top_->dbg_valid_o && wget(top_->dbg_entry_o, 0, 64) == 0 &&
                  wget(top_->dbg_entry_o, 64, 56) == 0,
              "debug port answers without dbg_en_i");
        top_->dbg_en_i = 1;
        top_->eval();
        bool v = top_->dbg_valid_o;
        e[0] = wget(top_->dbg_entry_o, 0, 64);
        e[1] = wget(top_->dbg_entry_o, 64, 56);
        top_->dbg_en_i = 0;
        top_->eval();
        return v;
    }
    std::deque<Rsp> rsps;
    std::vector<uint64_t> tlbi_done; // completion cycles, in order

  private:
    void idle()
    {
        top_->req_valid_i = 0;
        top_->reg_valid_i = 0;
        top_->tlbi_valid_i = 0;
    }
    void present(const Ev &e)
    {
        idle();
        if (e.kind == Ev::REQ) {
            top_->req_valid_i = 1;
            auto &w = top_->req_i;
            wset(w, 70, 64, e.rq.r.va);
            wset(w, 68, 2, e.rq.r.acc);
            wset(w, 67, 1, e.rq.r.el);
            wset(w, 66, 1, e.rq.pac);
            wset(w, 64, 2, e.rq.key);
            wset(w, 0, 64, e.rq.modifier);
        } else if (e.kind == Ev::REGS) {
            const gr_regs &r = e.regs;
            top_->reg_valid_i = 1;
            top_->reg_tcr_i = r.tcr;
            top_->reg_ttbr0_i = r.ttbr0;
            top_->reg_ttbr1_i = r.ttbr1;
            top_->reg_mair_i = r.mair;
            top_->reg_sctlr_i = r.sctlr;
            top_->reg_pan_i = r.pstate_pan & 1;
            top_->reg_mmfr0_i = r.id_aa64mmfr0;
            top_->reg_isar1_i = r.id_aa64isar1;
            top_->reg_isar2_i = r.id_aa64isar2;
            const uint64_t hi[4] = {r.apiakeyhi, r.apibkeyhi, r.apdakeyhi, r.apdbkeyhi};
            const uint64_t lo[4] = {r.apiakeylo, r.apibkeylo, r.apdakeylo, r.apdbkeylo};
            for (int k = 0; k < 4; k++) {
                wset(top_->reg_key_hi_i, 64 * k, 64, hi[k]);
                wset(top_->reg_key_lo_i, 64 * k, 64, lo[k]);
            }
        } else {
            top_->tlbi_valid_i = 1;
            top_->tlbi_op_i = e.op.op;
            top_->tlbi_va_i = e.op.va;
            top_->tlbi_asid_i = e.op.asid;
        }
    }
    // One cycle: the falling edge with this cycle's inputs (memory answers
    // due now, the request presented), evaluate, sample, rising edge. Two
    // evaluations per cycle.
    void step()
    {
        top_->clk_i = 0;
        top_->mem_rsp_valid_i = 0;
        top_->mem_rsp_err_i = 0;
        if (!rq_.empty() && rq_.front().due == cycle_) {
            top_->mem_rsp_valid_i = 1;
            top_->mem_rsp_data_i = rq_.front().data;
            top_->mem_rsp_err_i = rq_.front().err;
            rq_.pop_front();
        }
        top_->mem_wr_rsp_valid_i = 0;
        top_->mem_wr_rsp_err_i = 0;
        if (!wq_.empty() && wq_.front().due == cycle_) {
            top_->mem_wr_rsp_valid_i = 1;
            top_->mem_wr_rsp_err_i = wq_.front().err;
            wq_.pop_front();
        }
        top_->mem_req_ready_i = 1;
        top_->mem_wr_ready_i = 1;
        top_->eval();
        ready_[0] = top_->req_valid_i && top_->req_ready_o;
        ready_[1] = top_->reg_valid_i && top_->reg_ready_o;
        ready_[2] = top_->tlbi_valid_i && top_->tlbi_ready_o;
        if (top_->mem_req_valid_o) {
            uint64_t v = 0;
            bool err = gr_pmem_read64(mem_, top_->mem_req_pa_o, &v) != GR_PMEM_OK;
            rq_.push_back({cycle_ + rd_, v, err});
        }
        if (top_->mem_wr_valid_o) {
            bool err = gr_pmem_write64(mem_, top_->mem_wr_pa_o, top_->mem_wr_data_o) != GR_PMEM_OK;
            wq_.push_back({cycle_ + wr_, 0, err});
        }
        if (top_->tlbi_done_o)
            tlbi_done.push_back(cycle_);
        if (top_->rsp_valid_o) {
            const auto &w = top_->rsp_o;
            Rsp r;
            r.cycle = cycle_;
            r.pa = wget(w, 24, 52);
            r.attr = (unsigned)wget(w, 16, 8);
            r.sh = (unsigned)wget(w, 14, 2);
            r.psize = (unsigned)wget(w, 11, 3);
            r.kind = (unsigned)wget(w, 8, 3);
            r.level = (unsigned)wget(w, 6, 2);
            r.fsc = (unsigned)wget(w, 0, 6);
            r.shift = top_->rsp_page_shift_o;
            r.tlevel = top_->rsp_level_o;
            r.path = top_->rsp_path_o;
            r.nreads = top_->rsp_nreads_o;
            r.written = top_->rsp_desc_written_o;
            rsps.push_back(r);
        }
#if GRANULE_RTL_TRACE
        if (trace_)
            trace_->dump(2 * cycle_);
#endif
        top_->clk_i = 1;
        top_->eval();
#if GRANULE_RTL_TRACE
        if (trace_)
            trace_->dump(2 * cycle_ + 1);
#endif
        cycle_++;
        ctx_->timeInc(1);
    }

    struct Pend {
        uint64_t due, data;
        bool err;
    };
    VerilatedContext *ctx_;
    std::unique_ptr<TB_MODEL> top_;
#if GRANULE_RTL_TRACE
    std::unique_ptr<VerilatedFstC> trace_;
#endif
    gr_pmem *mem_;
    unsigned rd_, wr_;
    std::deque<Pend> rq_, wq_;
    uint64_t cycle_ = 0;
    bool ready_[3] = {false, false, false}; // request, register, TLBI accepted
};

// ---------------------------------------------------------------------------
// The address space both sides translate.

constexpr uint64_t kVa4k = 0x0000004000000000ull;     // 64 4K pages
constexpr uint64_t kVaCont = 0x0000004100000000ull;   // 16 contiguous 4K pages
constexpr uint64_t kVa2m = 0x0000004200000000ull;     // 8 2M blocks
constexpr uint64_t kVa1g = 0x00000043C0000000ull;     // one 1G block
constexpr uint64_t kVa64k = 0xFFFFFC0000000000ull;    // TTBR1, 64K, 32 pages
constexpr unsigned kN4k = 64, kN2m = 8, kN64k = 32;

struct Space {
    ptb b;
    ptb_tree t0, t1;
    std::vector<uint64_t> leaves; // descriptor addresses, for the final compare
};

// Builds the tables into a fresh memory; the same seed gives the same
// memory contents.
bool build(Space &s, uint64_t seed)
{
    Rng rng{seed};
    if (ptb_init(&s.b, PTB_RAM_BASE, 0x04000000ull) != 0)
        return false;
    if (ptb_tree_init(&s.b, &s.t0, 12, 16) != 0 || ptb_tree_init(&s.b, &s.t1, 16, 22) != 0)
        return false;
    auto attrs = [&](bool mostly_ok) {
        uint64_t a = PTB_ATTRIDX(rng.below(8)) | PTB_SH(rng.below(4));
        a |= PTB_AP(rng.chance(70) ? (rng.chance(50) ? 1 : 0) : rng.below(4));
        if (rng.chance(30))
            a |= PTB_NG;
        if (mostly_ok || rng.chance(85))
            a |= PTB_AF;
        if (rng.chance(25))
            a |= PTB_DBM | PTB_AP2;
        if (rng.chance(15))
            a |= PTB_UXN;
        if (rng.chance(15))
            a |= PTB_PXN;
        return a;
    };
    for (unsigned i = 0; i < kN4k; i++) {
        uint64_t va = kVa4k + i * 0x1000ull;
        if (i % 17 == 5)
            continue; // a hole: translation fault
        ptb_map(&s.t0, va, 3, ptb_page(0x80000000ull + i * 0x1000ull, attrs(false)));
        s.leaves.push_back(ptb_desc_pa(&s.t0, va, 3));
    }
    uint64_t ca = attrs(true) | PTB_CONT | PTB_AF;
    for (unsigned i = 0; i < 16; i++) {
        ptb_map(&s.t0, kVaCont + i * 0x1000ull,
                3, ptb_page(0x90000000ull + i * 0x1000ull, ca));
        s.leaves.push_back(ptb_desc_pa(&s.t0, kVaCont + i * 0x1000ull, 3));
    }
    for (unsigned i = 0; i < kN2m; i++) {
        uint64_t va = kVa2m + i * 0x200000ull;
        ptb_map(&s.t0, va, 2, ptb_block(0xA0000000ull + i * 0x200000ull, attrs(false)));
        s.leaves.push_back(ptb_desc_pa(&s.t0, va, 2));
    }
    ptb_map(&s.t0, kVa1g, 1, ptb_block(0x1C0000000ull, attrs(true)));
    s.leaves.push_back(ptb_desc_pa(&s.t0, kVa1g, 1));
    for (unsigned i = 0; i < kN64k; i++) {
        uint64_t va = kVa64k + i * 0x10000ull;
        ptb_map(&s.t1, va, 3, ptb_page(0xB0000000ull + i * 0x10000ull, attrs(false)));
        s.leaves.push_back(ptb_desc_pa(&s.t1, va, 3));
    }
    return true;
}

gr_regs base_regs(const Space &s, const gr_config &c)
{
    gr_regs r;
    gr_regs_reset(&r);
    // The ID registers describe the configured pointer authentication.
    gr_config_pac_idregs(&c, &r.id_aa64isar1, &r.id_aa64isar2);
    r.tcr = PTB_TCR_T0SZ(16) | ptb_tcr_tg0(12) | PTB_TCR_T1SZ(22) | ptb_tcr_tg1(16) |
            PTB_TCR_IPS(5) | PTB_TCR_AS;
    r.ttbr0 = s.t0.root | (1ull << 48);
    r.ttbr1 = s.t1.root;
    r.mair = 0x44FF04AABB0C0800ull;
    // M, C, I and the four address-key enables (EnIA 31, EnIB 30, EnDA 27,
    // EnDB 13).
    r.sctlr |= 1 | (1ull << 31) | (1ull << 30) | (1ull << 27) | (1ull << 13);
    r.apiakeyhi = 0x84be85ce9804e94bull;
    r.apiakeylo = 0xec2802d4e0a488e9ull;
    r.apdbkeyhi = 0x0123456789abcdefull;
    r.apdbkeylo = 0xfedcba9876543210ull;
    return r;
}

uint64_t pick_va(Rng &rng, bool hot)
{
    unsigned k = hot ? rng.below(3) : rng.below(12);
    uint64_t off = rng.next() & 0xff8;
    switch (k) {
    case 0:
        return kVa4k + rng.below(hot ? 3 : kN4k) * 0x1000ull + off;
    case 1:
        return kVa2m + rng.below(hot ? 2 : kN2m) * 0x200000ull + (rng.next() & 0x1ffff8);
    case 2:
        return kVaCont + rng.below(16) * 0x1000ull + off;
    case 3:
        return kVa1g + (rng.next() & 0x3ffffff8);
    case 4:
        return kVa64k + rng.below(kN64k) * 0x10000ull + (rng.next() & 0xfff8);
    case 5:
        return 0x0000005000000000ull + (rng.next() & 0xffffff000ull); // unmapped
    case 6:
        return kVa4k | (1ull << 50); // VA-range fault
    default:
        return kVa4k + rng.below(kN4k) * 0x1000ull + off;
    }
}

// The stream: requests with random gaps, register writes (ASID, PAN, WXN,
// HA/HD, stage 1 off), every TLBI form, PAC requests signed with the right
// or a wrong key.
std::vector<Ev> make_stream(const Space &s, const gr_config &c, unsigned n, uint64_t seed,
                            bool hot, bool extras)
{
    Rng rng{seed};
    std::vector<Ev> ev;
    gr_regs r = base_regs(s, c);
    gr_pac *pac = gr_pac_create(&r, nullptr);
    uint64_t t = 2;
    Ev e0{};
    e0.kind = Ev::REGS;
    e0.t = 1;
    e0.regs = r;
    ev.push_back(e0);
    for (unsigned i = 0; i < n; i++) {
        t += rng.chance(60) ? 0 : rng.below(4);
        Ev e{};
        e.t = t;
        unsigned k = rng.below(1000);
        if (extras && k < 15) {
            e.kind = Ev::REGS;
            gr_regs nr = base_regs(s, c);
            nr.ttbr0 = (nr.ttbr0 & ~(0xFFFFull << 48)) | (uint64_t)rng.below(3) << 48;
            nr.pstate_pan = rng.chance(30);
            if (rng.chance(20))
                nr.sctlr |= 1ull << 19; // WXN
            if (rng.chance(50))
                nr.tcr |= PTB_TCR_HA | (rng.chance(70) ? PTB_TCR_HD : 0);
            if (rng.chance(5))
                nr.sctlr &= ~1ull;
            if (rng.chance(20))
                nr.tcr &= ~PTB_TCR_AS;
            if (rng.chance(40)) { // FEAT_PAuth .. FEAT_FPACCOMBINE (APA or APA3)
                uint64_t lvl = 1 + rng.below(5);
                if (c.pac.algo == GR_CONFIG_PAC_QARMA3)
                    nr.id_aa64isar2 = (nr.id_aa64isar2 & ~0xF000ull) | lvl << 12;
                else
                    nr.id_aa64isar1 = (nr.id_aa64isar1 & ~0xF0ull) | lvl << 4;
            }
            if (rng.chance(20))
                nr.tcr |= PTB_TCR_TBI0 | PTB_TCR_TBI1;
            r = nr;
            gr_pac_update(pac, &r);
            e.regs = r;
        } else if (extras && k < 35) {
            e.kind = Ev::TLBI;
            e.op.op = (gr_tlbi_op)rng.below(12);
            e.op.va = pick_va(rng, false);
            e.op.asid = (uint16_t)rng.below(3);
        } else {
            e.kind = Ev::REQ;
            e.rq.r.va = pick_va(rng, hot);
            e.rq.r.acc = (gr_acc)rng.below(3);
            e.rq.r.el = (uint8_t)rng.below(2);
            e.rq.t = t;
            if (extras && rng.chance(5)) {
                // An authenticating access: the pointer signed with IA or
                // DB; sometimes authenticated with the other key (fails).
                gr_pac_key key = rng.chance(50) ? GR_PAC_KEY_IA : GR_PAC_KEY_DB;
                uint64_t mod = rng.next();
                gr_pac_req pr{e.rq.r.va, mod, key, e.rq.r.el, false};
                gr_pac_res res;
                if (gr_pac_sign(pac, &pr, &res) == GR_PAC_OK)
                    e.rq.r.va = res.value;
                e.rq.pac = true;
                e.rq.key = rng.chance(80) ? key : (key == GR_PAC_KEY_IA ? GR_PAC_KEY_DB
                                                                        : GR_PAC_KEY_IA);
                e.rq.modifier = rng.chance(90) ? mod : mod ^ 1;
            }
        }
        ev.push_back(e);
    }
    gr_pac_destroy(pac);
    return ev;
}

// Field of a 120-bit debug-port entry.
uint64_t efield(const uint64_t e[2], int lsb, int width)
{
    uint64_t v = lsb >= 64 ? e[1] >> (lsb - 64) : (e[0] >> lsb) | (lsb ? e[1] << (64 - lsb) : 0);
    return width == 64 ? v : v & ((1ull << width) - 1);
}

// Every slot of every structure read through mmu_top's debug port against
// the model's structures (gr_mmu_tlb / gr_mmu_wc, index set * ways + way):
// validity, and the tag fields of the layout in docs/rtl.md. An absent
// structure reads as invalid and zero.
void check_contents(gr_mmu *m, const gr_config &c, Rtl &rtl)
{
    const gr_tlb_cfg *tc[3] = {&c.l1i, &c.l1d, &c.l2};
    unsigned nvalid = 0, nbad = 0;
    uint64_t e[2];
    for (unsigned u = 0; u < 3 + GR_CONFIG_MAX_WC; u++) {
        const gr_tlb_cfg *k = u < 3 ? tc[u] : &c.wc[u - 3];
        if (!k->present) {
            bool v = rtl.dbg_read(u, 0, 0, e);
            CHECK(!v && e[0] == 0 && e[1] == 0, "absent unit %u reads non-zero", u);
            continue;
        }
        for (unsigned idx = 0; idx < k->sets * k->ways; idx++) {
            bool v = rtl.dbg_read(u, idx / k->ways, idx % k->ways, e);
            bool ok;
            if (u < 3) {
                const gr_tlb_entry *me = gr_tlb_entry_at(gr_mmu_tlb(m, (int)u), (int)idx);
                ok = v == (me != nullptr);
                if (ok && me)
                    ok = efield(e, 76, 44) << 12 == me->vkey && efield(e, 73, 3) == me->psize &&
                         efield(e, 72, 1) == me->global &&
                         (me->global || efield(e, 56, 16) == me->asid) &&
                         efield(e, 16, 40) << 12 == me->tte.oa_base;
            } else {
                const gr_wc_entry *me = gr_wc_entry_at(gr_mmu_wc(m, (int)u - 3), (int)idx);
                ok = v == (me != nullptr);
                if (ok && me)
                    ok = efield(e, 0, 44) << 12 == me->vkey && efield(e, 49, 2) == me->level &&
                         efield(e, 44, 5) == me->granule_bits && efield(e, 51, 16) == me->asid &&
                         efield(e, 71, 40) << 12 == me->next.table && efield(e, 111, 9) == 0;
            }
            nvalid += v;
            if (!ok && nbad++ < 5)
                CHECK(false, "debug port: unit %u slot %u: valid %d vkey %#" PRIx64
                             " differs from the model's",
                      u, idx, v, u < 3 ? efield(e, 76, 44) << 12 : efield(e, 0, 44) << 12);
        }
    }
    CHECK(nvalid > 0, "debug port: no valid entry read");
}

// Runs the stream on both sides and compares.
void cosim(VerilatedContext *vc, const gr_config &c, unsigned n, uint64_t seed, bool hot,
           bool extras, const char *fst)
{
    Space sm, sr;
    if (!build(sm, 77) || !build(sr, 77)) {
        CHECK(false, "table build");
        return;
    }
    gr_mmu *m = gr_mmu_create(&c, sm.b.mem);
    Rtl rtl(vc, sr.b.mem, c.mem.read, c.mem.write, fst);
    std::vector<Ev> ev = make_stream(sm, c, n, seed, hot, extras);
    std::vector<gr_mmu_resp> want;
    unsigned nreq = 0, paths[4] = {0}, faults[8] = {0};
    std::vector<uint64_t> tlbi_want;
    const bool dbg = std::getenv("TB_DEBUG") != nullptr;
    for (const Ev &e : ev) {
        if (dbg)
            std::printf("ev kind %d t %" PRIu64 " va %016" PRIx64 " acc %d pac %d\n", e.kind, e.t,
                        e.rq.r.va, e.rq.r.acc, e.rq.pac);
        if (e.kind == Ev::REQ) {
            gr_mmu_resp out;
            gr_mmu_translate(m, &e.rq, &out);
            if (dbg)
                std::printf("  model: accept %" PRIu64 " valid %" PRIu64 " path %d fault %d\n",
                            out.t_accept, out.t_valid, out.path, out.fault.type);
            uint64_t a = rtl.issue(e);
            CHECK(a == out.t_accept, "request %u (va %016" PRIx64 "): accepted in %" PRIu64
                  ", model %" PRIu64, nreq, e.rq.r.va, a, out.t_accept);
            want.push_back(out);
            nreq++;
        } else if (e.kind == Ev::REGS) {
            uint64_t d = gr_mmu_set_regs(m, &e.regs, e.t);
            uint64_t a = rtl.issue(e);
            CHECK(a == d, "register write performed in %" PRIu64 ", model %" PRIu64, a, d);
        } else {
            tlbi_want.push_back(gr_mmu_tlbi(m, &e.op, e.t));
            rtl.issue(e);
        }
    }
    rtl.drain(want.size());
    CHECK(rtl.rsps.size() == want.size(), "%zu responses, model %zu", rtl.rsps.size(),
          want.size());
    for (size_t i = 0; i < want.size() && i < rtl.rsps.size(); i++) {
        const gr_mmu_resp &w = want[i];
        const Rsp &r = rtl.rsps[i];
        unsigned fsc = gr_fault_fsc(&w.fault);
        if (dbg && i < 40)
            std::printf("rsp %zu: rtl cycle %" PRIu64 " path %u reads %u fault %u | model %" PRIu64
                        " path %u reads %u walk_level %u fault %u\n",
                        i, r.cycle, r.path, r.nreads, r.kind, w.t_valid, w.path, w.nreads,
                        w.walk_level, w.fault.type);
        paths[w.path & 3]++;
        faults[w.fault.type & 7]++;
        bool ok = r.cycle == w.t_valid && r.kind == (unsigned)w.fault.type &&
                  r.level == (unsigned)(w.fault.level & 3) && r.fsc == fsc && r.path == w.path &&
                  r.shift == w.page_shift && r.tlevel == w.level;
        if (w.fault.type == GR_FAULT_NONE)
            ok = ok && r.pa == w.pa && r.attr == w.mair_attr && r.sh == w.sh;
        if (w.path == GR_MMU_PATH_WALK)
            ok = ok && r.nreads == w.nreads && r.written == w.desc_written;
        CHECK(ok,
              "response %zu: cycle %" PRIu64 "/%" PRIu64 " fault %u/%u L%u/%d fsc %#x/%#x "
              "path %u/%u pa %#" PRIx64 "/%#" PRIx64 " attr %#x/%#x sh %u/%u shift %u/%u "
              "level %u/%u reads %u/%u written %d/%d",
              i, r.cycle, w.t_valid, r.kind, w.fault.type, r.level, w.fault.level, r.fsc, fsc,
              r.path, w.path, r.pa, w.pa, r.attr, w.mair_attr, r.sh, w.sh, r.shift,
              w.page_shift, r.tlevel, w.level, r.nreads, w.nreads, r.written, w.desc_written);
    }
    CHECK(rtl.tlbi_done == tlbi_want, "%zu TLBI completions, model %zu (or cycles differ)",
          rtl.tlbi_done.size(), tlbi_want.size());
    for (size_t i = 0; i < tlbi_want.size() && i < rtl.tlbi_done.size(); i++)
        CHECK(rtl.tlbi_done[i] == tlbi_want[i], "TLBI %zu done in %" PRIu64 ", model %" PRIu64, i,
              rtl.tlbi_done[i], tlbi_want[i]);
    // The hardware updates left both memories alike.
    for (uint64_t pa : sm.leaves) {
        uint64_t a = 0, b = 0;
        gr_pmem_read64(sm.b.mem, pa, &a);
        gr_pmem_read64(sr.b.mem, pa, &b);
        CHECK(a == b, "descriptor at %#" PRIx64 ": RTL %#" PRIx64 ", model %#" PRIx64, pa, b, a);
    }
    check_contents(m, c, rtl);
    std::printf("%s cosim seed %" PRIu64 ": %u requests (early %u, L1 %u, L2 %u, walk %u; "
                "faults: translation %u, permission %u, access flag %u, PAC %u), %" PRIu64
                " cycles\n",
                c.name, seed, nreq, paths[0], paths[1], paths[2], paths[3],
                faults[GR_FAULT_TRANSLATION], faults[GR_FAULT_PERMISSION],
                faults[GR_FAULT_ACCESS_FLAG], faults[GR_FAULT_PAC_FAIL], rtl.cycle());
    gr_mmu_destroy(m);
    ptb_fini(&sm.b);
    ptb_fini(&sr.b);
}

// Directed cycles from docs/uarch.md for `small` (lat: l1 1, l2 2, wc 1,
// pac 3, tlbi 2; mem 4/3; L2 sequential probe of 7 sizes; serial walk
// cache; 4K TTBR0 with 4 levels).
void directed_small(VerilatedContext *vc, const gr_config &c)
{
    Space s;
    if (!build(s, 77)) {
        CHECK(false, "build");
        return;
    }
    Rtl rtl(vc, s.b.mem, c.mem.read, c.mem.write, nullptr);
    gr_regs r = base_regs(s, c);
    Ev e{};
    e.kind = Ev::REGS;
    e.t = 0;
    e.regs = r;
    CHECK(rtl.issue(e) == 0, "register write at 0");
    // A read of the 1G block (AF = 1; a read at EL1 passes every AP) at
    // cycle 10: L1 miss answered at 11 (t2), L2 miss after all 7 sizes
    // probed (t2 + 2 + 6 = 19), walk cache (serial, empty) + 1: W = 20;
    // level 0 and level 1 read: X = 20 + 2 * 4 = 28, V = 29.
    const uint64_t va = kVa1g + 0x123;
    Ev q{};
    q.kind = Ev::REQ;
    q.t = 10;
    q.rq.r = {va, GR_ACC_READ, 1};
    CHECK(rtl.issue(q) == 10, "accepted at 10");
    rtl.drain(1);
    CHECK(rtl.rsps.size() == 1 && rtl.rsps[0].cycle == 29 && rtl.rsps[0].path == 3 &&
              rtl.rsps[0].nreads == 2 && rtl.rsps[0].pa == 0x1C0000123ull,
          "walk: valid at %" PRIu64 " (want 29), path %u, reads %u",
          rtl.rsps.empty() ? 0 : rtl.rsps[0].cycle, rtl.rsps.empty() ? 9 : rtl.rsps[0].path,
          rtl.rsps.empty() ? 9 : rtl.rsps[0].nreads);
    // The same page again at 50: an L1 hit, valid at 51; back-to-back at
    // 51: valid at 52 (one per cycle).
    q.t = 50;
    CHECK(rtl.issue(q) == 50, "hit accepted at 50");
    q.t = 51;
    CHECK(rtl.issue(q) == 51, "hit accepted at 51");
    rtl.drain(3);
    CHECK(rtl.rsps.size() == 3 && rtl.rsps[1].cycle == 51 && rtl.rsps[2].cycle == 52 &&
              rtl.rsps[1].path == 1,
          "L1 hits valid at %" PRIu64 ", %" PRIu64, rtl.rsps[1].cycle, rtl.rsps[2].cycle);
    // A VA-range fault at 60: early, valid at 61 (level-0 translation
    // fault, FSC 0b000100).
    q.t = 60;
    q.rq.r.va = kVa4k | 1ull << 50;
    CHECK(rtl.issue(q) == 60, "fault accepted at 60");
    rtl.drain(4);
    CHECK(rtl.rsps.size() == 4 && rtl.rsps[3].cycle == 61 && rtl.rsps[3].kind == 2 &&
              rtl.rsps[3].fsc == 0x04,
          "early fault at %" PRIu64 " kind %u fsc %#x", rtl.rsps[3].cycle, rtl.rsps[3].kind,
          rtl.rsps[3].fsc);
    // A TLBI VMALLE1 presented at 70: D = 70, done at 72; the next request
    // (presented at 70) is accepted at 72: a walk again.
    Ev t{};
    t.kind = Ev::TLBI;
    t.t = 70;
    t.op = {GR_TLBI_VMALLE1, 0, 0};
    uint64_t done = 0;
    CHECK(rtl.issue(t, &done) == 70 && done == 72, "TLBI done at %" PRIu64, done);
    ptb_fini(&s.b);
}

void bench(VerilatedContext *vc, const gr_config &c, const char *mode, unsigned n)
{
    Space s;
    if (!build(s, 77))
        return;
    bool hot = std::strcmp(mode, "hit") == 0;
    std::vector<Ev> ev = make_stream(s, c, n, 99, hot, !hot);
    Rtl rtl(vc, s.b.mem, c.mem.read, c.mem.write, nullptr);
    auto t0 = std::chrono::steady_clock::now();
    std::clock_t c0 = std::clock();
    for (const Ev &e : ev)
        rtl.issue(e);
    rtl.drain(0);
    double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // CPU time too: on a shared machine it is the steadier figure.
    double cpu = (double)(std::clock() - c0) / CLOCKS_PER_SEC;
    unsigned walks = 0, l1 = 0;
    for (const Rsp &r : rtl.rsps) {
        walks += r.path == 3;
        l1 += r.path == 1;
    }
    std::printf("bench %s %s: %zu requests (L1 hits %u, walks %u), %" PRIu64
                " cycles in %.3f s (%.3f s CPU): %.0f cycles/s (%.0f per CPU second), "
                "%.0f requests/s\n",
                c.name, mode, rtl.rsps.size(), l1, walks, rtl.cycle(), sec, cpu,
                (double)rtl.cycle() / sec, (double)rtl.cycle() / cpu,
                (double)rtl.rsps.size() / sec);
    ptb_fini(&s.b);
}

} // namespace

int main(int argc, char **argv)
{
    auto vc = std::make_unique<VerilatedContext>();
    vc->commandArgs(argc, argv);
#if GRANULE_RTL_TRACE
    vc->traceEverOn(true);
#endif
    gr_config c;
    char err[512];
    if (gr_config_load(&c, TB_CONFIG, err, sizeof err) != 0) {
        std::fprintf(stderr, "%s\n", err);
        return 2;
    }
    if (argc > 1 && std::strcmp(argv[1], "--bench") == 0) {
        const char *mode = argc > 2 ? argv[2] : "hit";
        unsigned n = argc > 3 ? (unsigned)std::atoi(argv[3]) : 200000;
        bench(vc.get(), c, mode, n);
        return 0;
    }
    unsigned n = argc > 1 && argv[1][0] != '+' ? (unsigned)std::atoi(argv[1]) : 5000;
    const char *fst = nullptr;
    for (int i = 1; i < argc; i++)
        if (std::strncmp(argv[i], "+trace=", 7) == 0)
            fst = argv[i] + 7;
    if (std::strcmp(c.name, "small") == 0)
        directed_small(vc.get(), c);
    cosim(vc.get(), c, n, 1, true, false, fst);
    cosim(vc.get(), c, n, 2, false, true, nullptr);
    cosim(vc.get(), c, n, 3, false, true, nullptr);
    std::printf("tb_mmu %s: %s\n", c.name, g_fail ? "FAILED" : "ok");
    return g_fail ? 1 : 0;
}
