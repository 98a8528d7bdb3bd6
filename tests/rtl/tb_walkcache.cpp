// Verilator testbench of rtl/walkcache.sv (through walkcache_cfg.sv, walk
// cache 0 of the small and a76 configurations): a directed sequence with
// hand-computed results from docs/uarch.md "Walk cache", then random
// lookups, touches, fills and every TLBI form replayed on gr_wc (the C
// model) and the RTL: every lookup's hit, slot, level and payload, every
// fill's slot and eviction, and the whole contents after every operation.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "verilated.h"

#include "Vwc_a76.h"
#include "Vwc_small.h"
#include "granule/config.h"
#include "granule/walkcache.h"

#include "tb_common.h"

namespace {

using tb::g_fail;
using tb::Rng;
using tb::wget;

// Flat entry layout of walkcache.sv.
constexpr int kVkey = 0, kGbits = 44, kLevel = 49, kAsid = 51, kPxn = 67, kUxn = 68, kApt = 69,
              kTable = 71;

unsigned region_shift(unsigned g, unsigned level)
{
    return g + (g - 3) * (3 - level);
}

template <class V> struct Dut {
    VerilatedContext *ctx;
    std::unique_ptr<V> top;
    unsigned ways;
    Dut(VerilatedContext *c, unsigned w) : ctx(c), top(new V{c}), ways(w)
    {
        clear();
        top->clk_i = 0;
        top->rst_ni = 1;
        top->eval();
        top->rst_ni = 0;
        top->eval();
        top->rst_ni = 1;
        top->eval();
    }
    ~Dut() { top->final(); }
    void clear()
    {
        top->touch_i = 0;
        top->fill_i = 0;
        top->flush_i = 0;
    }
    void tick()
    {
        top->clk_i = 1;
        top->eval();
        top->clk_i = 0;
        clear();
        top->eval();
        ctx->timeInc(1);
    }
    struct Lu {
        int idx;
        unsigned level, apt;
        uint64_t table;
        bool uxn, pxn;
    };
    Lu lookup(uint64_t va, uint16_t asid, unsigned g, unsigned start)
    {
        top->lu_vkey_i = (va & 0x00FFFFFFFFFFFFFFull) >> 12;
        top->lu_asid_i = asid;
        top->lu_gbits_i = g;
        top->lu_start_level_i = start;
        // Without lu_req_i the compares are not evaluated and the answer
        // is a miss (docs/rtl.md "walkcache").
        top->lu_req_i = 0;
        top->eval();
        CHECK(!top->lu_hit_o && top->lu_table_o == 0, "lookup answered without lu_req_i");
        top->lu_req_i = 1; // stays set: the touch that follows is checked against it
        top->eval();
        Lu r{};
        r.idx = top->lu_hit_o ? (int)(top->lu_set_o * ways + top->lu_way_o) : -1;
        r.level = top->lu_level_o;
        r.table = top->lu_table_o;
        r.apt = top->lu_ap_table_o;
        r.uxn = top->lu_uxn_o;
        r.pxn = top->lu_pxn_o;
        return r;
    }
    void touch(int idx)
    {
        top->touch_i = 1;
        top->touch_set_i = idx / ways;
        top->touch_way_i = idx % ways;
        tick();
    }
    // Returns the slot; *ev whether a valid entry was replaced.
    int fill(const gr_wc_entry &e, bool *ev)
    {
        top->fill_i = 1;
        top->fill_vkey_i = e.vkey >> 12;
        top->fill_asid_i = e.asid;
        top->fill_gbits_i = e.granule_bits;
        top->fill_level_i = e.level;
        top->fill_table_i = e.next.table;
        top->fill_ap_table_i = e.next.ap_table;
        top->fill_uxn_i = e.next.uxn_table;
        top->fill_pxn_i = e.next.pxn_table;
        top->eval();
        int idx = (int)(top->fill_set_o * ways + top->fill_way_o);
        *ev = top->fill_evict_o;
        tick();
        return idx;
    }
    void flush(gr_tlbi_op op, uint64_t va, uint16_t asid)
    {
        top->flush_i = 1;
        top->flush_op_i = op;
        top->flush_vkey_i = (va & 0x00FFFFFFFFFFFFFFull) >> 12;
        top->flush_asid_i = asid;
        tick();
    }
    bool entry(int idx, uint64_t *vkey, unsigned *level, uint16_t *asid)
    {
        top->dbg_set_i = idx / ways;
        top->dbg_way_i = idx % ways;
        top->eval();
        *vkey = wget(top->dbg_entry_o, kVkey, 44) << 12;
        *level = (unsigned)wget(top->dbg_entry_o, kLevel, 2);
        *asid = (uint16_t)wget(top->dbg_entry_o, kAsid, 16);
        return top->dbg_valid_o;
    }
};

gr_wc_entry make(uint64_t va, uint16_t asid, unsigned g, unsigned level, uint64_t table,
                 unsigned apt, bool uxn, bool pxn)
{
    gr_wc_entry e;
    std::memset(&e, 0, sizeof e);
    e.level = (uint8_t)level;
    e.granule_bits = (uint8_t)g;
    e.region_shift = (uint8_t)region_shift(g, level);
    e.vkey = va & 0x00FFFFFFFFFFFFFFull & ~((1ull << e.region_shift) - 1);
    e.asid = asid;
    e.next.level = (uint8_t)(level + 1);
    e.next.table = table;
    e.next.ap_table = (uint8_t)apt;
    e.next.uxn_table = uxn;
    e.next.pxn_table = pxn;
    return e;
}

// Directed, small's walk cache 0 (4 sets x 2 ways, FIFO, levels 0-2).
// Expected slots from docs/uarch.md: set = (VA >> r) mod 4, lowest invalid
// way, FIFO victims from way 0.
template <class V> void directed_small(Dut<V> &d)
{
    const uint64_t va = 0x0000008040201000ull; // L0 idx 1, L1 idx 1, L2 idx 1 (4K)
    bool ev;
    // 4K level 0: r = 39, set (va >> 39) & 3 = 1 -> slot 2.
    CHECK(d.fill(make(va, 5, 12, 0, 0x40001000, 0, false, false), &ev) == 2 && !ev, "L0 fill");
    // Level 1: r = 30, va >> 30 = 0x201, & 3 = 1 -> set 1, way 1 = slot 3.
    CHECK(d.fill(make(va, 5, 12, 1, 0x40002000, 2, false, true), &ev) == 3 && !ev, "L1 fill");
    // The deepest hit wins: level 1, its table and attributes.
    auto r = d.lookup(va, 5, 12, 0);
    CHECK(r.idx == 3 && r.level == 1 && r.table == 0x40002000 && r.apt == 2 && r.pxn,
          "deepest: idx %d level %u", r.idx, r.level);
    // Another ASID, another granule: miss.
    CHECK(d.lookup(va, 6, 12, 0).idx < 0, "other ASID hit");
    CHECK(d.lookup(va, 5, 14, 0).idx < 0, "other granule hit");
    // Levels from the start level down: the level-1 entry serves a walk
    // starting at level 1, not one starting at level 2.
    CHECK(d.lookup(va, 5, 12, 1).idx == 3, "start 1");
    CHECK(d.lookup(va, 5, 12, 2).idx < 0, "start 2");
    // Set 1 (slot 2, 3) is full: the next fill there evicts way 0 (FIFO),
    // then way 1.
    const uint64_t vb = va + (4ull << 30); // same set at level 1 (0x205 & 3 = 1)
    CHECK(d.fill(make(vb, 5, 12, 1, 0x40003000, 0, false, false), &ev) == 2 && ev, "FIFO 0");
    CHECK(d.fill(make(vb + (4ull << 30), 5, 12, 1, 0x40004000, 0, false, false), &ev) == 3 && ev,
          "FIFO 1");
    // VALE1 keeps walk-cache entries; VAE1 drops the covering ones of any
    // ASID; ASIDE1 drops that ASID only.
    d.flush(GR_TLBI_VALE1, vb, 5);
    CHECK(d.lookup(vb, 5, 12, 0).idx == 2, "VALE1 kept");
    d.flush(GR_TLBI_VAE1, vb, 9);
    CHECK(d.lookup(vb, 5, 12, 0).idx < 0, "VAE1 dropped (other ASID)");
    CHECK(d.fill(make(va, 7, 12, 2, 0x40005000, 0, false, false), &ev) >= 0, "L2 fill");
    d.flush(GR_TLBI_ASIDE1, 0, 5);
    CHECK(d.lookup(vb + (4ull << 30), 5, 12, 0).idx < 0 && d.lookup(va, 7, 12, 0).level == 2,
          "ASIDE1");
    d.flush(GR_TLBI_VMALLE1, 0, 0);
    CHECK(d.lookup(va, 7, 12, 0).idx < 0, "VMALLE1");
}

template <class V>
void random_vs_model(Dut<V> &d, const gr_tlb_cfg &tc, unsigned steps, uint64_t seed)
{
    gr_wc *w = gr_wc_create(&tc);
    Rng rng{seed};
    const unsigned n = tc.sets * tc.ways;
    uint64_t pool[16];
    for (auto &p : pool)
        p = rng.next() & 0x00FFFFFFFFFFF000ull;
    static const unsigned gb[3] = {12, 14, 16};
    static const gr_tlbi_op ops[] = {GR_TLBI_VMALLE1, GR_TLBI_ASIDE1, GR_TLBI_VAE1,
                                     GR_TLBI_VALE1, GR_TLBI_VAAE1, GR_TLBI_VAALE1};
    unsigned hits = 0, evictions = 0;
    for (unsigned step = 0; step < steps; step++) {
        // VAs from a pool (with random low bits) so regions repeat.
        uint64_t va = pool[rng.below(16)] ^
                      (rng.next() & ((1ull << (12 + (rng.below(4) ? rng.below(10) : rng.below(30)))) - 1));
        uint16_t asid = (uint16_t)rng.below(3);
        unsigned g = gb[rng.below(3)];
        unsigned k = rng.below(10);
        if (k < 5) {
            unsigned start = rng.below(3);
            gr_s1half h;
            std::memset(&h, 0, sizeof h);
            h.granule_bits = (uint8_t)g;
            h.stride = (uint8_t)(g - 3);
            h.start_level = (uint8_t)start;
            int mi = gr_wc_lookup(w, &h, va, asid);
            auto r = d.lookup(va, asid, g, start);
            CHECK(r.idx == mi, "step %u: lookup slot %d, model %d", step, r.idx, mi);
            if (mi >= 0 && r.idx == mi) {
                const gr_wc_entry *e = gr_wc_entry_at(w, mi);
                CHECK(r.level == e->level && r.table == e->next.table &&
                          r.apt == e->next.ap_table && r.uxn == e->next.uxn_table &&
                          r.pxn == e->next.pxn_table,
                      "step %u: hit payload differs", step);
                hits++;
                if (rng.below(2)) {
                    gr_wc_touch(w, mi);
                    d.touch(mi);
                }
            }
        } else if (k < 9) {
            unsigned level;
            do
                level = rng.below(3);
            while (!(tc.levels & (1u << level)));
            gr_wc_entry e = make(va, asid, g, level, rng.next() & 0x000FFFFFFFFFF000ull,
                                 rng.below(4), rng.below(2), rng.below(2));
            // Fills follow misses: never an exact duplicate.
            bool dup = false;
            for (unsigned i = 0; i < n; i++) {
                const gr_wc_entry *o = gr_wc_entry_at(w, (int)i);
                dup |= o && o->vkey == e.vkey && o->level == e.level && o->asid == e.asid &&
                       o->granule_bits == e.granule_bits;
            }
            if (dup)
                continue;
            bool mev = false, rev = false;
            int mi = gr_wc_fill(w, &e, &mev);
            int ri = d.fill(e, &rev);
            CHECK(mi == ri && mev == rev, "step %u: fill slot %d ev %d, model %d %d", step, ri,
                  rev, mi, mev);
            evictions += mev;
        } else {
            gr_tlbi op{ops[rng.below(6)], va, asid};
            gr_wc_invalidate(w, &op);
            d.flush(op.op, va, asid);
        }
        for (unsigned i = 0; i < n; i++) {
            const gr_wc_entry *e = gr_wc_entry_at(w, (int)i);
            uint64_t vk;
            unsigned lv;
            uint16_t as;
            bool v = d.entry((int)i, &vk, &lv, &as);
            CHECK(v == (e != nullptr), "step %u: slot %u valid %d, model %d", step, i, v,
                  e != nullptr);
            if (v && e)
                CHECK(vk == e->vkey && lv == e->level && as == e->asid,
                      "step %u: slot %u contents differ", step, i);
        }
    }
    std::printf("  %u operations: %u lookup hits, %u evictions\n", steps, hits, evictions);
    gr_wc_destroy(w);
}

template <class V> void run(VerilatedContext *ctx, const char *cfg, unsigned steps)
{
    gr_config c;
    char err[512];
    char path[512];
    std::snprintf(path, sizeof path, "%s/%s.ini", TB_CONFIG_DIR, cfg);
    if (gr_config_load(&c, path, err, sizeof err) != 0) {
        std::fprintf(stderr, "%s\n", err);
        std::exit(2);
    }
    const gr_tlb_cfg &tc = c.wc[0];
    int before = g_fail;
    if (std::strcmp(cfg, "small") == 0) {
        Dut<V> d(ctx, tc.ways);
        directed_small(d);
    }
    {
        Dut<V> d(ctx, tc.ways);
        random_vs_model(d, tc, steps, 0xC0FFEE ^ tc.sets);
    }
    std::printf("walkcache %s (%u x %u %s): %s\n", cfg, tc.sets, tc.ways,
                gr_config_repl_name(tc.repl), g_fail == before ? "ok" : "FAILED");
}

} // namespace

int main(int argc, char **argv)
{
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    unsigned steps = argc > 1 && argv[1][0] != '+' ? (unsigned)std::atoi(argv[1]) : 3000;
    run<Vwc_small>(ctx.get(), "small", steps);
    run<Vwc_a76>(ctx.get(), "a76", steps);
    return g_fail ? 1 : 0;
}
