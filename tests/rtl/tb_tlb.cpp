// Verilator testbench of rtl/tlb.sv (through rtl/tlb_cfg.sv) for every TLB
// structure of one configuration: directed sequences whose results and
// cycles are hand-computed from docs/uarch.md, then random sequences
// checked, operation by operation and cycle by cycle, against the C model's
// gr_tlb (the reference). Exit 0 when everything matches.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "verilated.h"

#include "granule/config.h"
#include "granule/tlb.h"
#include "tb_models.h" // generated: TB_CONFIG, the Vtlb_<cfg>_<which> headers

#include "tb_common.h"

namespace {

using tb::g_fail;
using tb::Rng;
using tb::wget;
using tb::wset;

// Field positions of granule_pkg::tlb_entry_t (TteW = 56).
constexpr int kTteHalf = 0, kTteOa = 16, kAsid = 56, kGlobal = 72, kPsize = 73, kVkey = 76;

// A simple entry: what the model keeps (gr_tlb_entry) and the RTL fields.
struct Ent {
    uint64_t vkey; // VA[55:0] of the first byte
    unsigned psize;
    bool global;
    uint16_t asid;
    uint64_t oa; // OA of the first byte
};

gr_tlb_entry to_model(const Ent &e)
{
    gr_tlb_entry m;
    std::memset(&m, 0, sizeof m);
    m.vkey = e.vkey;
    m.psize = (uint8_t)e.psize;
    m.global = e.global;
    m.asid = e.asid;
    m.tte.va_base = e.vkey;
    m.tte.oa_base = e.oa;
    m.tte.page_shift = (uint8_t)gr_config_psize_shift((gr_psize)e.psize);
    m.tte.ng = !e.global;
    m.tte.af = true;
    return m;
}

template <class V> struct Dut {
    VerilatedContext *ctx;
    std::unique_ptr<V> top;
    unsigned ways, sets, lat;
    bool seq;
    uint64_t cycle = 0;

    Dut(VerilatedContext *c, unsigned w, unsigned s, unsigned l, bool sq)
        : ctx(c), top(new V{c}), ways(w), sets(s), lat(l), seq(sq)
    {
        clear_inputs();
        // A falling edge of rst_ni (the reset is asynchronous): from 1, so
        // that the edge exists whatever the initial values are.
        top->clk_i = 0;
        top->rst_ni = 1;
        top->eval();
        top->rst_ni = 0;
        top->eval();
        top->rst_ni = 1;
        top->eval();
    }
    ~Dut() { top->final(); }

    void clear_inputs()
    {
        top->lu_req_i = 0;
        top->touch_i = 0;
        top->update_i = 0;
        top->flush_i = 0;
        top->inv_i = 0;
        top->bi_i = 0;
    }
    // One clock edge; inputs cleared afterwards.
    void tick()
    {
        top->clk_i = 1;
        top->eval();
        top->clk_i = 0;
        clear_inputs();
        top->eval();
        cycle++;
        ctx->timeInc(1);
    }

    struct Lu {
        bool hit;
        int idx;
        unsigned probe, cycles;
        uint64_t vkey, oa;
    };
    // Presents a lookup in this cycle; returns the answer and the number of
    // cycles until lu_valid_o (the response-valid offset).
    Lu lookup(uint64_t va, uint16_t asid)
    {
        top->lu_req_i = 1;
        top->lu_vkey_i = (va & GR_TLB_VA_MASK) >> 12;
        top->lu_asid_i = asid;
        top->eval();
        Lu r{};
        unsigned n = 0;
        do {
            tick();
            n++;
            CHECK(n < 64, "lookup never answered");
            if (n >= 64)
                break;
        } while (!top->lu_valid_o);
        r.cycles = n;
        r.hit = top->lu_hit_o;
        r.idx = r.hit ? (int)(top->lu_set_o * ways + top->lu_way_o) : -1;
        r.probe = top->lu_probe_o;
        r.vkey = wget(top->lu_entry_o.data(), kVkey, 44) << 12;
        r.oa = wget(top->lu_entry_o.data(), kTteOa, 40) << 12;
        tick(); // lu_valid_o is a one-cycle pulse
        CHECK(!top->lu_valid_o && !top->lu_busy_o, "lu_valid_o longer than one cycle");
        return r;
    }
    void touch(int idx)
    {
        top->touch_i = 1;
        top->touch_set_i = (unsigned)idx / ways;
        top->touch_way_i = (unsigned)idx % ways;
        tick();
    }
    struct Fill {
        int idx;
        bool evict;
        uint64_t ev_vkey;
    };
    Fill fill(const Ent &e)
    {
        uint32_t *w = top->update_entry_i.data();
        std::memset(w, 0, 16);
        wset(w, kVkey, 44, (e.vkey & GR_TLB_VA_MASK) >> 12);
        wset(w, kPsize, 3, e.psize);
        wset(w, kGlobal, 1, e.global);
        wset(w, kAsid, 16, e.asid);
        wset(w, kTteOa, 40, e.oa >> 12);
        wset(w, kTteHalf, 1, (e.vkey >> 55) & 1);
        top->update_i = 1;
        top->eval();
        Fill f;
        f.idx = (int)(top->update_set_o * ways + top->update_way_o);
        f.evict = top->update_evict_o;
        f.ev_vkey = wget(top->update_evicted_o.data(), kVkey, 44) << 12;
        tick();
        return f;
    }
    void flush(unsigned op, uint64_t va, uint16_t asid)
    {
        top->flush_i = 1;
        top->flush_op_i = op;
        top->flush_vkey_i = (va & GR_TLB_VA_MASK) >> 12;
        top->flush_asid_i = asid;
        tick();
    }
    void inv(int idx)
    {
        top->inv_i = 1;
        top->inv_set_i = (unsigned)idx / ways;
        top->inv_way_i = (unsigned)idx % ways;
        tick();
    }
    void bi(uint64_t vkey, unsigned psize, bool global, uint16_t asid)
    {
        top->bi_i = 1;
        top->bi_vkey_i = (vkey & GR_TLB_VA_MASK) >> 12;
        top->bi_psize_i = psize;
        top->bi_global_i = global;
        top->bi_asid_i = asid;
        tick();
    }
    bool read(int idx, Ent *e)
    {
        top->dbg_set_i = (unsigned)idx / ways;
        top->dbg_way_i = (unsigned)idx % ways;
        top->eval();
        const uint32_t *w = top->dbg_entry_o.data();
        e->vkey = wget(w, kVkey, 44) << 12;
        e->psize = (unsigned)wget(w, kPsize, 3);
        e->global = wget(w, kGlobal, 1);
        e->asid = (uint16_t)wget(w, kAsid, 16);
        e->oa = wget(w, kTteOa, 40) << 12;
        return top->dbg_valid_o;
    }
};

unsigned lowest_size(uint8_t sizes, unsigned k) // k-th held size, ascending
{
    for (unsigned p = 0; p < GR_PS_COUNT; p++)
        if ((sizes >> p) & 1) {
            if (k == 0)
                return p;
            k--;
        }
    return 0;
}

Ent mk(uint64_t va, unsigned psize, bool global, uint16_t asid, uint64_t oa)
{
    uint64_t m = ~((1ull << gr_config_psize_shift((gr_psize)psize)) - 1);
    return Ent{va & m & GR_TLB_VA_MASK, psize, global, (uint16_t)(global ? 0 : asid), oa & m};
}

// ---- Directed sequences, expectations from docs/uarch.md -------------------

// L1 D of `small`: 2 sets x 4 ways, LRU, sizes 4K/64K/2M/1G, l1_hit = 1.
template <class V> void directed_small_l1d(Dut<V> &d)
{
    auto m = d.lookup(0x1000, 1);
    CHECK(!m.hit && m.cycles == 1, "miss answers at L+1 (got %u)", m.cycles);
    auto f = d.fill(mk(0x1000, GR_PS_4K, false, 1, 0x80001000));
    CHECK(f.idx == 1 * 4 + 0 && !f.evict, "4K 0x1000 fills set 1 way 0 (got %d)", f.idx);
    auto h = d.lookup(0x1234, 1);
    CHECK(h.hit && h.idx == 4 && h.cycles == 1 && h.oa == 0x80001000, "hit at L+1");
    d.touch(h.idx);
    CHECK(!d.lookup(0x1234, 2).hit, "other ASID misses a non-global entry");
    CHECK(d.fill(mk(0x3000, GR_PS_4K, false, 1, 0)).idx == 5, "way 1");
    CHECK(d.fill(mk(0x5000, GR_PS_4K, false, 1, 0)).idx == 6, "way 2");
    CHECK(d.fill(mk(0x7000, GR_PS_4K, false, 1, 0)).idx == 7, "way 3");
    // LRU order now w0 (fill+touch, oldest), w1, w2, w3.
    f = d.fill(mk(0x9000, GR_PS_4K, false, 1, 0));
    CHECK(f.idx == 4 && f.evict && f.ev_vkey == 0x1000, "LRU evicts way 0 (got %d)", f.idx);
    // Order w1, w2, w3, w0: a global 2M entry in set 1 evicts way 1.
    f = d.fill(mk(0x200000, GR_PS_2M, true, 0, 0x40000000));
    CHECK(f.idx == 5 && f.evict && f.ev_vkey == 0x3000, "LRU evicts way 1 (got %d)", f.idx);
    d.flush(GR_TLBI_ASIDE1, 0, 1);
    h = d.lookup(0x2345678 & 0x3FFFFF, 7);
    CHECK(h.hit && h.idx == 5 && h.oa == 0x40000000, "ASIDE1 keeps the global entry");
    CHECK(!d.lookup(0x9000, 1).hit, "ASIDE1 removed the ASID-1 entry");
    d.flush(GR_TLBI_VALE1, 0x234567, 9);
    CHECK(!d.lookup(0x200000, 7).hit, "VALE1 removes the global 2M entry covering VA");
}

// L2 of `small`: 8 sets x 4 ways, RANDOM (seed 0xACE1), all 7 sizes probed
// sequentially, l2_hit = 2: V = L + 2 + s.
template <class V> void directed_small_l2(Dut<V> &d)
{
    auto m = d.lookup(0x0, 1);
    CHECK(!m.hit && m.cycles == 2 + 6 && m.probe == 6, "sequential miss: L+8 (got %u)",
          m.cycles);
    d.fill(mk(0x0, GR_PS_4K, false, 1, 0));
    auto h = d.lookup(0x0, 1);
    CHECK(h.hit && h.cycles == 2 && h.probe == 0, "4K hit: L+2 (got %u)", h.cycles);
    d.fill(mk(0x400000, GR_PS_2M, false, 1, 0));
    h = d.lookup(0x512345, 1);
    CHECK(h.hit && h.cycles == 5 && h.probe == 3, "2M hit: L+2+3 (got %u)", h.cycles);
    d.fill(mk(0x80000000, GR_PS_1G, true, 0, 0));
    h = d.lookup(0x80001000, 3);
    CHECK(h.hit && h.cycles == 8 && h.probe == 6, "1G hit: L+2+6 (got %u)", h.cycles);
    // Set 0 of 4K: 0x0 is way 0; fill ways 1..3, then the LFSR chooses:
    // 0xE270 % 4 = 0, 0x7138 % 4 = 0, 0x389C % 4 = 0, 0x1C4E % 4 = 2.
    d.fill(mk(0x8000, GR_PS_4K, false, 1, 0));
    d.fill(mk(0x10000, GR_PS_4K, false, 1, 0));
    d.fill(mk(0x18000, GR_PS_4K, false, 1, 0));
    const int want[4] = {0, 0, 0, 2};
    for (int i = 0; i < 4; i++) {
        auto f = d.fill(mk(0x20000 + 0x8000ull * i, GR_PS_4K, false, 1, 0));
        CHECK(f.evict && f.idx == want[i], "random victim %d: way %d (got %d)", i, want[i],
              f.idx);
    }
}

// L1 I of `small`: 4 ways fully associative, PLRU.
template <class V> void directed_small_l1i(Dut<V> &d)
{
    for (int i = 0; i < 4; i++)
        CHECK(d.fill(mk(0x1000ull * i, GR_PS_4K, false, 1, 0)).idx == i, "way %d", i);
    // Tree after touching 0,1,2,3: n0 = 0, n1 = 0, n2 = 0 -> victim 0.
    auto f = d.fill(mk(0x10000, GR_PS_4K, false, 1, 0));
    CHECK(f.evict && f.idx == 0, "PLRU victim 0 (got %d)", f.idx);
    // Touch of 0 sets n0 = 1, n1 = 1 -> victim: n0 = 1, n2 = 0 -> way 2.
    f = d.fill(mk(0x20000, GR_PS_4K, false, 1, 0));
    CHECK(f.evict && f.idx == 2, "PLRU victim 2 (got %d)", f.idx);
}

// Walk cache 0's shape of `small` on the TLB datapath: 4 sets x 2 ways FIFO.
template <class V> void directed_small_fifo(Dut<V> &d)
{
    CHECK(d.fill(mk(0x0, GR_PS_4K, false, 1, 0)).idx == 0, "way 0");
    CHECK(d.fill(mk(0x4000, GR_PS_4K, false, 1, 0)).idx == 1, "way 1");
    auto h = d.lookup(0x4000, 1);
    d.touch(h.idx); // hits do not move the pointer
    const int want[3] = {0, 1, 0};
    for (int i = 0; i < 3; i++) {
        auto f = d.fill(mk(0x8000 + 0x4000ull * i, GR_PS_4K, false, 1, 0));
        CHECK(f.evict && f.idx == want[i], "FIFO victim %d (got %d)", want[i], f.idx);
    }
}

// ---- Random sequences against gr_tlb ---------------------------------------

template <class V> void random_vs_model(Dut<V> &d, const gr_tlb_cfg &cfg, unsigned lat,
                                        unsigned steps, uint64_t seed)
{
    gr_tlb *t = gr_tlb_create(&cfg);
    Rng r{seed};
    const unsigned n = cfg.sets * cfg.ways, nsz = (unsigned)__builtin_popcount(cfg.sizes);
    // A small VA pool so that sizes overlap and sets fill up; VA[63:56]
    // varies (never part of a tag) and VA[55] picks the range.
    uint64_t pool[32];
    for (auto &p : pool)
        p = ((r.next() & 0xFF) << 56) | ((uint64_t)r.below(2) << 55) |
            ((r.next() & 0x3) << 30) | ((uint64_t)r.below(64) << 21) |
            ((uint64_t)r.below(8) << 16) | ((uint64_t)r.below(16) << 12) | (r.next() & 0xFFF);
    const unsigned full_every = n <= 64 ? 1 : 97;
    for (unsigned step = 0; step < steps && g_fail == 0; step++) {
        unsigned op = r.below(100);
        uint64_t va = pool[r.below(32)];
        uint16_t asid = (uint16_t)(1 + r.below(3));
        if (op < 40) {
            unsigned probe = 0;
            int idx = gr_tlb_lookup(t, va, asid, &probe);
            auto l = d.lookup(va, asid);
            unsigned want_cycles = lat + (cfg.seq_probe ? probe : 0);
            CHECK(l.hit == (idx >= 0) && l.idx == idx && l.probe == probe &&
                      l.cycles == want_cycles,
                  "step %u lookup %" PRIx64 " asid %u: model idx %d probe %u cycles %u, rtl "
                  "hit %d idx %d probe %u cycles %u",
                  step, va, asid, idx, probe, want_cycles, l.hit, l.idx, l.probe, l.cycles);
            if (idx >= 0) {
                const gr_tlb_entry *e = gr_tlb_entry_at(t, idx);
                CHECK(l.vkey == e->vkey && l.oa == e->tte.oa_base, "step %u entry", step);
                gr_tlb_touch(t, idx);
                d.touch(idx);
            }
        } else if (op < 75) {
            unsigned ps = lowest_size(cfg.sizes, r.below(nsz));
            bool global = r.below(4) == 0;
            Ent e = mk(va, ps, global, asid, (r.next() & 0xFFFFFFFFF000ull));
            gr_tlb_entry me = to_model(e);
            bool dup = false;
            for (unsigned k = 0; k < n; k++) {
                const gr_tlb_entry *x = gr_tlb_entry_at(t, (int)k);
                dup |= x && x->vkey == me.vkey && x->psize == me.psize &&
                       x->global == me.global && (me.global || x->asid == me.asid);
            }
            if (dup)
                continue; // fills follow misses (AssertFillNoDup)
            gr_tlb_entry ev;
            bool did = false;
            int idx = gr_tlb_fill(t, &me, &ev, &did);
            auto f = d.fill(e);
            CHECK(f.idx == idx && f.evict == did && (!did || f.ev_vkey == ev.vkey),
                  "step %u fill %" PRIx64 " size %u: model idx %d evict %d, rtl idx %d evict %d",
                  step, e.vkey, ps, idx, did, f.idx, f.evict);
        } else if (op < 87) {
            gr_tlbi ti{(gr_tlbi_op)r.below(GR_TLBI_COUNT), va, asid};
            gr_tlb_invalidate(t, &ti);
            d.flush(ti.op, va, asid);
        } else if (op < 93) {
            int idx = (int)r.below(n);
            gr_tlb_invalidate_at(t, idx);
            d.inv(idx);
        } else {
            unsigned ps = r.below(GR_PS_COUNT);
            unsigned sh = gr_config_psize_shift((gr_psize)ps);
            uint64_t vk = va & GR_TLB_VA_MASK & ~((1ull << sh) - 1);
            bool global = r.below(3) == 0;
            uint16_t a = global ? 0 : asid;
            gr_tlb_invalidate_within(t, vk, sh, global, a);
            d.bi(vk, ps, global, a);
        }
        if (step % full_every == 0) {
            for (unsigned k = 0; k < n; k++) {
                Ent e;
                bool v = d.read((int)k, &e);
                const gr_tlb_entry *m = gr_tlb_entry_at(t, (int)k);
                CHECK(v == (m != nullptr), "step %u slot %u valid: model %d rtl %d", step, k,
                      m != nullptr, v);
                if (v && m)
                    CHECK(e.vkey == m->vkey && e.psize == m->psize && e.global == m->global &&
                              (e.global || e.asid == m->asid) && e.oa == m->tte.oa_base,
                          "step %u slot %u contents", step, k);
            }
        }
    }
    gr_tlb_destroy(t);
}

template <class V>
void run_structure(VerilatedContext *ctx, const gr_config &c, unsigned which, unsigned steps)
{
    gr_tlb_cfg tc = which == 0 ? c.l1i : which == 1 ? c.l1d : which == 2 ? c.l2 : c.wc[0];
    if (which == 3) {
        tc.sizes = GR_PS_ALL;
        tc.seq_probe = false;
    }
    if (!tc.present)
        return;
    unsigned lat = which <= 1 ? c.lat.l1_hit : which == 2 ? c.lat.l2_hit : c.lat.wc;
    int before = g_fail;
    if (std::strcmp(c.name, "small") == 0) {
        Dut<V> d(ctx, tc.ways, tc.sets, lat, tc.seq_probe);
        if (which == 0)
            directed_small_l1i(d);
        else if (which == 1)
            directed_small_l1d(d);
        else if (which == 2)
            directed_small_l2(d);
        else
            directed_small_fifo(d);
    }
    {
        Dut<V> d(ctx, tc.ways, tc.sets, lat, tc.seq_probe);
        random_vs_model(d, tc, lat, steps, 0x9E3779B97F4A7C15ull ^ which);
    }
    std::printf("%s structure %u (%u x %u %s): %s, %" PRIu64 " cycles simulated\n", c.name,
                which, tc.sets, tc.ways, gr_config_repl_name(tc.repl),
                g_fail == before ? "ok" : "FAILED", (uint64_t)ctx->time());
}

} // namespace

int main(int argc, char **argv)
{
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    gr_config c;
    char err[512];
    if (gr_config_load(&c, TB_CONFIG, err, sizeof err) != 0) {
        std::fprintf(stderr, "%s\n", err);
        return 2;
    }
    unsigned steps = argc > 1 && argv[1][0] != '+' ? (unsigned)std::atoi(argv[1]) : 3000;
#define TB_RUN_(V, which) run_structure<V>(ctx.get(), c, which, steps);
    TB_MODELS(TB_RUN_)
#undef TB_RUN_
    return g_fail ? 1 : 0;
}
