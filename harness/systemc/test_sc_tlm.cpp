/*
 * Tests of the SystemC TLM-2.0 wrapper (granule_tlm.h): the payload
 * extension, the timing annotation and the walk traffic on the memory
 * socket, on a hand-built 4K page table. Expected cycles are computed by
 * hand from docs/uarch.md's table ("Handshake and cycles") for a machine
 * without L2 and walk caches, l1_hit = 1, mem.read = 4, mem.write = 3,
 * tlbi = 2, one cycle = 1 ns; expected translations from the VMSAv8-64
 * descriptor formats (docs/REFERENCE.md). SystemC modules cannot be created
 * after elaboration, so the cases run in order on one module, each at
 * later cycles than the one before.
 */
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <vector>

#include "granule_tlm.h"
#include "sc_check.h"

using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::sc_time_stamp;

namespace {

constexpr uint64_t L1_TABLE = 0x1000, L2_TABLE = 0x2000, L3_TABLE = 0x3000, PAGE = 0x80000;
constexpr uint64_t VA = 0x40201234; /* L1 index 1, L2 index 1, L3 index 1 */
constexpr uint64_t VA_HOLE = 0x40401000; /* L2 index 2: an invalid descriptor */
constexpr uint64_t VA_NOAF = 0x40202000; /* L3 index 2: a page with AF = 0 */
constexpr uint64_t PAGE2 = 0x81000;
constexpr uint64_t VA_SEA = 0x80000000;  /* L1 index 2: a table outside memory */
constexpr uint64_t NO_MEM = 0x200000;    /* beyond the 1 MiB region */

/* Records every transaction between the MMU's memory socket and the RAM. */
struct spy : sc_core::sc_module {
    tlm_utils::simple_target_socket<spy> tgt;
    tlm_utils::simple_initiator_socket<spy> out;
    struct seen {
        tlm::tlm_command cmd;
        uint64_t addr;
        uint64_t cycle; /* start time in ns */
    };
    std::vector<seen> log;

    explicit spy(const sc_core::sc_module_name &n) : sc_module(n), tgt("tgt"), out("out")
    {
        tgt.register_b_transport(this, &spy::b_transport);
        tgt.register_transport_dbg(this, &spy::dbg);
    }
    void b_transport(tlm::tlm_generic_payload &gp, sc_time &d)
    {
        log.push_back({gp.get_command(), gp.get_address(),
                       uint64_t((sc_time_stamp() + d) / sc_time(1, SC_NS))});
        out->b_transport(gp, d);
    }
    unsigned dbg(tlm::tlm_generic_payload &gp) { return out->transport_dbg(gp); }
};

SC_MODULE(tester) {
    tlm_utils::simple_initiator_socket<tester> mmu;
    tlm_utils::simple_initiator_socket<tester> ram;
    granule::mmu_tlm_c *dut = nullptr;
    spy *bus = nullptr;
    gr_regs regs{};

    SC_CTOR(tester) : mmu("mmu"), ram("ram") { SC_THREAD(run); }

    /* A transaction on the MMU presented in cycle t (ns from time 0, the
     * thread does not advance time); @return the end cycle of the annotation. */
    uint64_t send(granule::mmu_ext &x, uint64_t va, uint64_t t, tlm::tlm_response_status *st = nullptr)
    {
        tlm::tlm_generic_payload gp;
        gp.set_command(tlm::TLM_IGNORE_COMMAND);
        gp.set_address(va);
        gp.set_data_length(0);
        gp.set_extension(&x);
        sc_time d = sc_time(double(t), SC_NS) - sc_time_stamp();
        mmu->b_transport(gp, d);
        gp.clear_extension(&x);
        if (st)
            *st = gp.get_response_status();
        return uint64_t((sc_time_stamp() + d) / sc_time(1, SC_NS));
    }

    uint64_t xlate(granule::mmu_ext &x, uint64_t va, gr_acc acc, uint64_t t)
    {
        x.op = granule::mmu_op::translate;
        x.acc = acc;
        x.el = 0;
        return send(x, va, t);
    }

    void test_sc_tlm_no_extension_is_an_error()
    {
        current = __func__;
        tlm::tlm_generic_payload gp;
        gp.set_command(tlm::TLM_READ_COMMAND);
        gp.set_address(VA);
        sc_time d = sc_core::SC_ZERO_TIME;
        mmu->b_transport(gp, d);
        CHECK_EQ(gp.get_response_status(), tlm::TLM_GENERIC_ERROR_RESPONSE);
        CHECK_EQ(dut->get_counts().bad_requests, 1);
        CHECK_EQ(dut->get_counts().translations, 0);
    }

    /* Reset registers: SCTLR_EL1.M = 0, flat mapping answered from the
     * lookup stage: V = A + l1_hit. */
    void test_sc_tlm_mmu_off_flat_at_l1_latency()
    {
        current = __func__;
        granule::mmu_ext x;
        const uint64_t end = xlate(x, 0x1234, GR_ACC_READ, 5);
        CHECK_EQ(x.t_present, 5);
        CHECK_EQ(x.resp.t_accept, 5);
        CHECK_EQ(x.resp.t_valid, 6);
        CHECK_EQ(x.t_done, 6);
        CHECK_EQ(end, 6);
        CHECK_EQ(x.resp.fault.type, GR_FAULT_NONE);
        CHECK_EQ(x.resp.pa, 0x1234);
        CHECK_EQ(x.resp.path, GR_MMU_PATH_EARLY);
        CHECK_EQ(bus->log.size(), 0);
    }

    /* A register write waits for every earlier response: D = max(t, R, V). */
    void test_sc_tlm_set_regs_takes_effect_in_presented_cycle()
    {
        current = __func__;
        granule::mmu_ext x;
        x.op = granule::mmu_op::set_regs;
        gr_regs_reset(&x.regs);
        x.regs.tcr = 25 | (1ull << 23) | (5ull << 32); /* T0SZ 25, 4K, EPD1, IPS 48 bits */
        x.regs.ttbr0 = L1_TABLE;
        x.regs.mair = 0xff;
        x.regs.sctlr |= 1; /* M */
        CHECK_EQ(send(x, 0, 10), 10);
        CHECK_EQ(x.t_done, 10);
        CHECK_EQ(dut->get_counts().set_regs, 1);
    }

    /* Presented in 10, accepted in 11 (after the register write): one
     * stall cycle. No L2, no walk cache: W = A + l1_hit = 12; three reads
     * issued at 12, 16, 20; V = W + 3 * 4 + 1 = 25. */
    void test_sc_tlm_walk_timing_and_bus_reads()
    {
        current = __func__;
        granule::mmu_ext x;
        CHECK_EQ(xlate(x, VA, GR_ACC_READ, 10), 25);
        CHECK_EQ(x.resp.t_accept, 11);
        CHECK_EQ(x.resp.t_valid, 25);
        CHECK_EQ(x.resp.fault.type, GR_FAULT_NONE);
        CHECK_EQ(x.resp.pa, PAGE | (VA & 0xfff));
        CHECK_EQ(x.resp.path, GR_MMU_PATH_WALK);
        CHECK_EQ(x.resp.level, 3);
        CHECK_EQ(x.resp.page_shift, 12);
        CHECK_EQ(x.resp.nreads, 3);
        CHECK_EQ(x.resp.mair_attr, 0xff);
        CHECK_EQ(x.fsc, 0);
        CHECK_EQ(dut->get_counts().stall_cycles, 1);
        CHECK_EQ(bus->log.size(), 3);
        if (bus->log.size() == 3) {
            CHECK_EQ(bus->log[0].addr, L1_TABLE + 8);
            CHECK_EQ(bus->log[1].addr, L2_TABLE + 8);
            CHECK_EQ(bus->log[2].addr, L3_TABLE + 8);
            CHECK_EQ(bus->log[0].cycle, 12);
            CHECK_EQ(bus->log[1].cycle, 16);
            CHECK_EQ(bus->log[2].cycle, 20);
            CHECK_EQ(bus->log[2].cmd, tlm::TLM_READ_COMMAND);
        }
        CHECK_EQ(dut->get_mirror_counts().mismatches, 0);
    }

    /* The walk filled the L1 D: the same VA hits, V = A + 1, no bus traffic. */
    void test_sc_tlm_l1_hit_one_cycle_no_traffic()
    {
        current = __func__;
        granule::mmu_ext x;
        CHECK_EQ(xlate(x, VA + 8, GR_ACC_WRITE, 25), 26);
        CHECK_EQ(x.resp.t_accept, 25);
        CHECK_EQ(x.resp.path, GR_MMU_PATH_L1);
        CHECK_EQ(x.resp.pa, PAGE | ((VA + 8) & 0xfff));
        CHECK_EQ(bus->log.size(), 3);
    }

    /* L2 index 2 holds 0 (invalid): a translation fault at level 2 after
     * two reads (27, 31); V = 27 + 2 * 4 + 1 = 36; DFSC 0b000110. */
    void test_sc_tlm_translation_fault_level_and_fsc()
    {
        current = __func__;
        granule::mmu_ext x;
        CHECK_EQ(xlate(x, VA_HOLE, GR_ACC_WRITE, 26), 36);
        CHECK_EQ(x.resp.fault.type, GR_FAULT_TRANSLATION);
        CHECK_EQ(x.resp.fault.level, 2);
        CHECK_EQ(x.resp.fault.write, 1);
        CHECK_EQ(x.fsc, 0x06);
        CHECK_EQ(bus->log.size(), 5);
        if (bus->log.size() == 5) {
            CHECK_EQ(bus->log[3].addr, L1_TABLE + 8);
            CHECK_EQ(bus->log[4].addr, L2_TABLE + 16);
            CHECK_EQ(bus->log[3].cycle, 27);
            CHECK_EQ(bus->log[4].cycle, 31);
        }
    }

    /* TLBI VMALLE1 presented in 36 completes in 36 + tlbi = 38; the next
     * access walks again (W = 39, V = 52). */
    void test_sc_tlm_tlbi_completes_and_invalidates()
    {
        current = __func__;
        granule::mmu_ext x;
        x.op = granule::mmu_op::tlbi;
        x.tlbi = gr_tlbi{GR_TLBI_VMALLE1, 0, 0};
        CHECK_EQ(send(x, 0, 36), 38);
        granule::mmu_ext y;
        CHECK_EQ(xlate(y, VA, GR_ACC_READ, 38), 52);
        CHECK_EQ(y.resp.path, GR_MMU_PATH_WALK);
        CHECK_EQ(bus->log.size(), 8);
        CHECK_EQ(dut->get_counts().tlbis, 1);
        CHECK_EQ(dut->get_mirror_counts().walks, 3);
        CHECK_EQ(dut->get_mirror_counts().reads, 8);
        CHECK_EQ(dut->get_mirror_counts().mismatches, 0);
    }

    /* TCR_EL1.HA = 1 and a page with AF = 0 (L3 index 2): the walker sets
     * AF. Register write in 52 (requests from 53); W = 54, reads at 54, 58,
     * 62, the write when the last read's data returns (66), acknowledged
     * mem.write later: V = 54 + 3 * 4 + 3 + 1 = 70. */
    void test_sc_tlm_af_update_written_on_bus()
    {
        current = __func__;
        granule::mmu_ext r;
        r.op = granule::mmu_op::set_regs;
        gr_regs_reset(&r.regs);
        r.regs.tcr = 25 | (1ull << 23) | (5ull << 32) | (1ull << 39); /* ... HA */
        r.regs.ttbr0 = L1_TABLE;
        r.regs.mair = 0xff;
        r.regs.sctlr |= 1;
        CHECK_EQ(send(r, 0, 52), 52);
        granule::mmu_ext x;
        CHECK_EQ(xlate(x, VA_NOAF, GR_ACC_READ, 53), 70);
        CHECK_EQ(x.resp.fault.type, GR_FAULT_NONE);
        CHECK_EQ(x.resp.pa, PAGE2);
        CHECK_EQ(x.resp.desc_written, true);
        CHECK_EQ(bus->log.size(), 12);
        if (bus->log.size() == 12) {
            CHECK_EQ(bus->log[10].addr, L3_TABLE + 16);
            CHECK_EQ(bus->log[10].cycle, 62);
            CHECK_EQ(bus->log[11].cmd, tlm::TLM_WRITE_COMMAND);
            CHECK_EQ(bus->log[11].addr, L3_TABLE + 16);
            CHECK_EQ(bus->log[11].cycle, 66);
        }
        CHECK_EQ(dut->get_mirror_counts().writes, 1);
        CHECK_EQ(dut->get_mirror_counts().mismatches, 0);
        unsigned char b[8] = {0};
        CHECK_EQ(dut->read_phys_dbg(L3_TABLE + 16, b, 8), true);
        CHECK_EQ(b[1] & 0x04, 0x04); /* AF is bit 10 */
    }

    /* L1 index 2 points at a level-2 table outside every memory region:
     * the second read is answered with an external abort, on the bus too.
     * W = 71, reads at 71 and 75, V = 71 + 2 * 4 + 1 = 80; synchronous
     * external abort on the walk at level 2, DFSC 0b010110. */
    void test_sc_tlm_external_abort_on_walk()
    {
        current = __func__;
        granule::mmu_ext x;
        CHECK_EQ(xlate(x, VA_SEA, GR_ACC_READ, 70), 80);
        CHECK_EQ(x.resp.fault.type, GR_FAULT_SYNC_EXTERNAL_ON_WALK);
        CHECK_EQ(x.resp.fault.level, 2);
        CHECK_EQ(x.resp.fault.paddr, NO_MEM);
        CHECK_EQ(x.fsc, 0x16);
        CHECK_EQ(x.resp.nreads, 2);
        CHECK_EQ(bus->log.size(), 14);
        if (bus->log.size() == 14) {
            CHECK_EQ(bus->log[12].addr, L1_TABLE + 16);
            CHECK_EQ(bus->log[13].addr, NO_MEM);
            CHECK_EQ(bus->log[13].cycle, 75);
        }
        CHECK_EQ(dut->get_mirror_counts().mismatches, 0);
    }

    void test_sc_tlm_debug_read_through_memory_socket()
    {
        current = __func__;
        unsigned char b[8] = {0};
        CHECK_EQ(dut->read_phys_dbg(L3_TABLE + 8, b, 8), true);
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
            v |= uint64_t(b[i]) << (8 * i);
        CHECK_EQ(v, PAGE | (1u << 10) | (1u << 6) | 3);
        CHECK_EQ(dut->read_phys_dbg(0x10000000, b, 8), false);
    }

    tlm::tlm_response_status ram_op(tlm::tlm_command cmd, uint64_t a, unsigned char *buf,
                                    unsigned len, unsigned char *be = nullptr)
    {
        tlm::tlm_generic_payload gp;
        gp.set_command(cmd);
        gp.set_address(a);
        gp.set_data_ptr(buf);
        gp.set_data_length(len);
        gp.set_streaming_width(len);
        gp.set_byte_enable_ptr(be);
        gp.set_byte_enable_length(be ? len : 0);
        sc_time d = sc_core::SC_ZERO_TIME;
        ram->b_transport(gp, d);
        return gp.get_response_status();
    }

    void test_sc_tlm_pmem_target_errors_and_data()
    {
        current = __func__;
        unsigned char w[4] = {1, 2, 3, 4}, r[4] = {0};
        CHECK_EQ(ram_op(tlm::TLM_WRITE_COMMAND, 0x9000, w, 4), tlm::TLM_OK_RESPONSE);
        CHECK_EQ(ram_op(tlm::TLM_READ_COMMAND, 0x9000, r, 4), tlm::TLM_OK_RESPONSE);
        CHECK_EQ(memcmp(w, r, 4), 0);
        /* The region is [0, 1 MiB): the last byte inside, one beyond. */
        CHECK_EQ(ram_op(tlm::TLM_READ_COMMAND, 0xffffe, r, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK_EQ(ram_op(tlm::TLM_READ_COMMAND, 0x10000000, r, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
        unsigned char be[4] = {0xff, 0, 0xff, 0};
        CHECK_EQ(ram_op(tlm::TLM_READ_COMMAND, 0x9000, r, 4, be),
                 tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        tlm::tlm_generic_payload gp;
        tlm::tlm_dmi dmi;
        gp.set_address(0x9000);
        gp.set_command(tlm::TLM_READ_COMMAND);
        CHECK_EQ(ram->get_direct_mem_ptr(gp, dmi), false);
    }

    void run()
    {
        test_sc_tlm_no_extension_is_an_error();
        test_sc_tlm_mmu_off_flat_at_l1_latency();
        test_sc_tlm_set_regs_takes_effect_in_presented_cycle();
        test_sc_tlm_walk_timing_and_bus_reads();
        test_sc_tlm_l1_hit_one_cycle_no_traffic();
        test_sc_tlm_translation_fault_level_and_fsc();
        test_sc_tlm_tlbi_completes_and_invalidates();
        test_sc_tlm_af_update_written_on_bus();
        test_sc_tlm_external_abort_on_walk();
        test_sc_tlm_debug_read_through_memory_socket();
        test_sc_tlm_pmem_target_errors_and_data();

    }
};

} // namespace

int sc_main(int, char **)
{
    gr_config cfg;
    gr_config_defaults(&cfg);
    cfg.l2.present = false;
    for (auto &w : cfg.wc)
        w.present = false;
    cfg.lat.l1_hit = 1;
    cfg.lat.tlbi = 2;
    cfg.mem.read = 4;
    cfg.mem.write = 3;
    char err[256];
    if (gr_config_validate(&cfg, err, sizeof err)) {
        printf("FAIL: configuration: %s\n", err);
        return 1;
    }
    gr_pmem *mem = gr_pmem_create();
    if (!mem || gr_pmem_add_region(mem, 0, 0x100000, "ram") != GR_PMEM_OK) {
        printf("FAIL: memory\n");
        return 1;
    }
    /* 4K granule, T0SZ 25: the walk starts at level 1 (REFERENCE.md). */
    gr_pmem_write64(mem, L1_TABLE + 8, L2_TABLE | 3);                          /* table */
    gr_pmem_write64(mem, L2_TABLE + 8, L3_TABLE | 3);                          /* table */
    gr_pmem_write64(mem, L3_TABLE + 8, PAGE | (1u << 10) | (1u << 6) | 3);     /* page, AF, AP 01 */
    gr_pmem_write64(mem, L3_TABLE + 16, PAGE2 | (1u << 6) | 3);                /* page, AF = 0 */
    gr_pmem_write64(mem, L1_TABLE + 16, NO_MEM | 3);                           /* table */
    int rc;
    {
        granule::mmu_tlm_c dut("mmu", cfg, mem, sc_time(1, SC_NS));
        spy bus("bus");
        granule::pmem_target ram("ram", mem, sc_time(4, SC_NS), sc_time(3, SC_NS));
        granule::pmem_target ram2("ram2", mem, sc_time(4, SC_NS), sc_time(3, SC_NS));
        tester t("tester");
        t.dut = &dut;
        t.bus = &bus;
        t.mmu.bind(dut.tgt);
        dut.mem.bind(bus.tgt);
        bus.out.bind(ram.tgt);
        t.ram.bind(ram2.tgt);
        sc_core::sc_start();
        printf("test_sc_tlm: %d checks, %d failed\n", checks, failures);
        rc = failures ? 1 : 0;
    }
    gr_pmem_destroy(mem);
    return rc;
}
