/*
 * Tests of the RTL flavour of the TLM wrapper (granule::mmu_tlm_rtl,
 * docs/systemc.md "The RTL flavour") on a hand-built page table, on the
 * paths the trace replays do not reach: the walker's AF update (a write on
 * `mem` that must land in the memory behind it) and a synchronous external
 * abort on the walk (a read the memory target fails). Each operation goes
 * to the C flavour (itself checked against hand-computed cycles in
 * test_sc_tlm.cpp) and to the RTL flavour, each on its own copy of the
 * memory; cycles and results must agree, and the facts that do not depend
 * on timing are checked against values computed here from the tables.
 *   test_sc_tlm_rtl CONFIG.ini   (the configuration the RTL was built for)
 */
#include <cinttypes>
#include <cstdio>
#include <vector>

#include "granule_tlm_rtl.h"
#include "sc_check.h"

using sc_core::sc_time;
using sc_core::sc_time_stamp;
using sc_core::SC_NS;

namespace {

constexpr uint64_t L1_TABLE = 0x1000, L2_TABLE = 0x2000, L3_TABLE = 0x3000, PAGE = 0x80000;
constexpr uint64_t VA = 0x40201234;      /* L1 index 1, L2 index 1, L3 index 1 */
constexpr uint64_t VA_NOAF = 0x40202000; /* L3 index 2: a page with AF = 0 */
constexpr uint64_t PAGE2 = 0x81000;
constexpr uint64_t VA_SEA = 0x80000000;  /* L1 index 2: a table outside memory */
constexpr uint64_t NO_MEM = 0x200000;    /* beyond the 1 MiB region */
constexpr uint64_t AF = 1u << 10;

/* Records the transactions between an MMU's memory socket and its RAM. */
struct spy : sc_core::sc_module {
    tlm_utils::simple_target_socket<spy> tgt;
    tlm_utils::simple_initiator_socket<spy> out;
    struct seen {
        bool write;
        uint64_t addr, data, cycle; /* start time in ns, rounded down */
        bool ok;
    };
    std::vector<seen> log;

    explicit spy(const sc_core::sc_module_name &n) : sc_module(n), tgt("tgt"), out("out")
    {
        tgt.register_b_transport(this, &spy::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload &gp, sc_time &d)
    {
        const uint64_t c = uint64_t((sc_time_stamp() + d) / sc_time(1, SC_NS));
        out->b_transport(gp, d);
        uint64_t v = 0;
        for (unsigned i = 0; i < 8 && i < gp.get_data_length(); i++)
            v |= uint64_t(gp.get_data_ptr()[i]) << (8 * i);
        log.push_back({gp.is_write(), gp.get_address(), v, c, gp.is_response_ok()});
    }
};

SC_MODULE(tester) {
    tlm_utils::simple_initiator_socket<tester> to_c, to_rtl;
    spy *bus_c = nullptr, *bus_rtl = nullptr;
    gr_pmem *mem_rtl = nullptr;
    uint64_t t = 1; /* the next presentation cycle */

    SC_CTOR(tester) : to_c("to_c"), to_rtl("to_rtl") { SC_THREAD(run); }

    /* One operation on both flavours, presented in cycle t: the C flavour
     * first (it does not consume simulated time), then the RTL. */
    void both(granule::mmu_ext &c, granule::mmu_ext &r, uint64_t va)
    {
        r = c;
        const size_t nc = bus_c->log.size(), nr = bus_rtl->log.size();
        for (int k = 0; k < 2; k++) {
            granule::mmu_ext &x = k ? r : c;
            tlm::tlm_generic_payload gp;
            gp.set_command(tlm::TLM_IGNORE_COMMAND);
            gp.set_address(va);
            gp.set_data_length(0);
            gp.set_extension(&x);
            sc_time d = sc_time(double(t), SC_NS) - sc_time_stamp();
            (k ? to_rtl : to_c)->b_transport(gp, d);
            gp.clear_extension(&x);
            CHECK_EQ(gp.get_response_status(), tlm::TLM_OK_RESPONSE);
            CHECK_EQ(uint64_t((sc_time_stamp() + d) / sc_time(1, SC_NS)), x.t_done);
        }
        CHECK_EQ(r.t_present, c.t_present);
        CHECK_EQ(r.t_done, c.t_done);
        if (c.op == granule::mmu_op::translate) {
            CHECK_EQ(r.resp.t_accept, c.resp.t_accept);
            CHECK_EQ(r.resp.fault.type, c.resp.fault.type);
            CHECK_EQ(r.resp.fault.level, c.resp.fault.level);
            CHECK_EQ(r.resp.fault.paddr, c.resp.fault.paddr);
            CHECK_EQ(r.fsc, c.fsc);
            CHECK_EQ(r.resp.pa, c.resp.pa);
            CHECK_EQ(r.resp.page_shift, c.resp.page_shift);
            CHECK_EQ(r.resp.level, c.resp.level);
            CHECK_EQ(r.resp.mair_attr, c.resp.mair_attr);
            CHECK_EQ(r.resp.path, c.resp.path);
            CHECK_EQ(r.resp.nreads, c.resp.nreads);
            CHECK_EQ(r.resp.desc_written, c.resp.desc_written);
        }
        /* The same memory traffic, in the same cycles (the C flavour's is
         * its mirror of the walk, the RTL's its walker's own). The mirror
         * runs after the model updated the leaf, so its read of a leaf the
         * walk then writes returns the new value, the RTL's the old one. */
        CHECK_EQ(bus_rtl->log.size() - nr, bus_c->log.size() - nc);
        for (size_t i = 0; nc + i < bus_c->log.size() && nr + i < bus_rtl->log.size(); i++) {
            const spy::seen &a = bus_c->log[nc + i], &b = bus_rtl->log[nr + i];
            /* Only the read just before the walk's write to its address. */
            bool rewritten = false;
            for (size_t j = nc + i + 1; !a.write && !b.write && j < bus_c->log.size(); j++)
                if (bus_c->log[j].addr == a.addr) {
                    rewritten = bus_c->log[j].write;
                    break;
                }
            CHECK_EQ(b.write, a.write);
            CHECK_EQ(b.addr, a.addr);
            if (!rewritten)
                CHECK_EQ(b.data, a.data);
            CHECK_EQ(b.cycle, a.cycle);
            CHECK_EQ(b.ok, a.ok);
        }
        t = c.t_done + (c.op == granule::mmu_op::set_regs ? 1 : 0);
    }

    void xlate(granule::mmu_ext &c, granule::mmu_ext &r, uint64_t va)
    {
        c.op = granule::mmu_op::translate;
        c.acc = GR_ACC_READ;
        c.el = 0;
        both(c, r, va);
    }

    void run()
    {
        granule::mmu_ext c, r;
        /* 4K granule, T0SZ 25 (walk from level 1), IPS 48 bits, EPD1,
         * TCR_EL1.HA; MAIR attribute 0 = 0xff; SCTLR_EL1.M. */
        current = "set_regs";
        c.op = granule::mmu_op::set_regs;
        gr_regs_reset(&c.regs);
        c.regs.tcr = 25 | (1ull << 23) | (5ull << 32) | (1ull << 39);
        c.regs.ttbr0 = L1_TABLE;
        c.regs.mair = 0xff;
        c.regs.sctlr |= 1;
        both(c, r, 0);

        /* A full walk: the three descriptors of VA, read in order. */
        current = "walk";
        const size_t w0 = bus_rtl->log.size();
        xlate(c, r, VA);
        CHECK_EQ(r.resp.fault.type, GR_FAULT_NONE);
        CHECK_EQ(r.resp.pa, PAGE | (VA & 0xfff));
        CHECK_EQ(r.resp.path, GR_MMU_PATH_WALK);
        CHECK_EQ(r.resp.nreads, 3);
        CHECK_EQ(bus_rtl->log.size() - w0, 3);
        if (bus_rtl->log.size() - w0 == 3) {
            CHECK_EQ(bus_rtl->log[w0].addr, L1_TABLE + 8);
            CHECK_EQ(bus_rtl->log[w0 + 1].addr, L2_TABLE + 8);
            CHECK_EQ(bus_rtl->log[w0 + 2].addr, L3_TABLE + 8);
        }

        /* The same page again: an L1 hit, V = A + l1_hit (docs/uarch.md),
         * nothing on the bus. */
        current = "l1 hit";
        const size_t h0 = bus_rtl->log.size();
        xlate(c, r, VA + 8);
        CHECK_EQ(r.resp.path, GR_MMU_PATH_L1);
        CHECK_EQ(r.resp.t_valid, r.resp.t_accept + 1);
        CHECK_EQ(bus_rtl->log.size(), h0);

        /* AF = 0 with HA: the walker writes the leaf with AF set, on the
         * bus, and it lands in the RTL side's memory. */
        current = "af update";
        const size_t a0 = bus_rtl->log.size();
        xlate(c, r, VA_NOAF);
        CHECK_EQ(r.resp.fault.type, GR_FAULT_NONE);
        CHECK_EQ(r.resp.pa, PAGE2);
        CHECK_EQ(r.resp.desc_written, true);
        const uint64_t want = PAGE2 | AF | (1u << 6) | 3;
        bool wrote = false;
        for (size_t i = a0; i < bus_rtl->log.size(); i++)
            if (bus_rtl->log[i].write) {
                wrote = true;
                CHECK_EQ(bus_rtl->log[i].addr, L3_TABLE + 16);
                CHECK_EQ(bus_rtl->log[i].data, want);
                CHECK_EQ(bus_rtl->log[i].ok, true);
            }
        CHECK_EQ(wrote, true);
        /* The walker read the leaf before updating it. */
        CHECK_EQ(bus_rtl->log.size() >= a0 + 2 ? bus_rtl->log[bus_rtl->log.size() - 2].data : 0,
                 PAGE2 | (1u << 6) | 3);
        uint64_t leaf = 0;
        gr_pmem_read64(mem_rtl, L3_TABLE + 16, &leaf);
        CHECK_EQ(leaf, want);

        /* A level-2 table outside memory: the memory target fails the
         * read, the walk takes a synchronous external abort on it (level
         * 2, DFSC 0b010110, the address in the fault record). */
        current = "external abort";
        const size_t e0 = bus_rtl->log.size();
        xlate(c, r, VA_SEA);
        CHECK_EQ(r.resp.fault.type, GR_FAULT_SYNC_EXTERNAL_ON_WALK);
        CHECK_EQ(r.resp.fault.level, 2);
        CHECK_EQ(r.resp.fault.paddr, NO_MEM);
        CHECK_EQ(r.fsc, 0x16);
        CHECK_EQ(bus_rtl->log.empty() ? 1 : bus_rtl->log.back().ok, false);
        CHECK_EQ(bus_rtl->log.empty() ? 0 : bus_rtl->log.back().addr, NO_MEM);
        CHECK_EQ(bus_rtl->log.size() > e0, true);

        /* TLBI VMALLE1, then VA walks again. */
        current = "tlbi";
        c.op = granule::mmu_op::tlbi;
        c.tlbi = gr_tlbi{GR_TLBI_VMALLE1, 0, 0};
        both(c, r, 0);
        CHECK_EQ(r.t_done > r.t_present, true);
        xlate(c, r, VA);
        CHECK_EQ(r.resp.path, GR_MMU_PATH_WALK);
        sc_core::sc_stop();
        sc_core::wait(); /* suspended, not ended (docs/systemc.md "Valgrind") */
    }
};

} // namespace

int sc_main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_sc_tlm_rtl CONFIG.ini\n");
        return 2;
    }
    gr_config cfg;
    char err[256];
    if (gr_config_load(&cfg, argv[1], err, sizeof err) != 0) {
        printf("FAIL: %s\n", err);
        return 1;
    }
    gr_pmem *mem[2];
    for (gr_pmem *&m : mem) {
        m = gr_pmem_create();
        if (!m || gr_pmem_add_region(m, 0, 0x100000, "ram") != GR_PMEM_OK) {
            printf("FAIL: memory\n");
            return 1;
        }
        gr_pmem_write64(m, L1_TABLE + 8, L2_TABLE | 3);                /* table */
        gr_pmem_write64(m, L2_TABLE + 8, L3_TABLE | 3);                /* table */
        gr_pmem_write64(m, L3_TABLE + 8, PAGE | AF | (1u << 6) | 3);   /* page, AF, AP 01 */
        gr_pmem_write64(m, L3_TABLE + 16, PAGE2 | (1u << 6) | 3);      /* page, AF = 0 */
        gr_pmem_write64(m, L1_TABLE + 16, NO_MEM | 3);                 /* table */
    }
    sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    int rc;
    {
        const sc_time p(1, SC_NS);
        granule::mmu_tlm_c cm("c", cfg, mem[0], p);
        granule::mmu_tlm_rtl rm("rtl", cfg, p);
        spy bus_c("bus_c"), bus_rtl("bus_rtl");
        granule::pmem_target ram_c("ram_c", mem[0], p * double(cfg.mem.read), p * double(cfg.mem.write));
        granule::pmem_target ram_rtl("ram_rtl", mem[1], p * double(cfg.mem.read), p * double(cfg.mem.write));
        tester t("tester");
        t.bus_c = &bus_c;
        t.bus_rtl = &bus_rtl;
        t.mem_rtl = mem[1];
        t.to_c.bind(cm.tgt);
        t.to_rtl.bind(rm.tgt);
        cm.mem.bind(bus_c.tgt);
        bus_c.out.bind(ram_c.tgt);
        rm.mem.bind(bus_rtl.tgt);
        bus_rtl.out.bind(ram_rtl.tgt);
        sc_core::sc_start();
        CHECK_EQ(cm.get_mirror_counts().mismatches, 0);
        CHECK_EQ(rm.get_rtl_counts().bus_errors, 1);
        printf("test_sc_tlm_rtl: %d checks, %d failed\n", checks, failures);
        rc = failures ? 1 : 0;
    }
    for (gr_pmem *m : mem)
        gr_pmem_destroy(m);
    return rc;
}
