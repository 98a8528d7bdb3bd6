/*
 * granule — the RTL flavour of the SystemC TLM-2.0 MMU wrapper
 * (granule_tlm.h, docs/systemc.md "The RTL flavour").
 *
 * granule::mmu_tlm_rtl has the sockets, payload extension and timing
 * annotation of every mmu_tlm; below them it simulates rtl/mmu_top.sv,
 * Verilated with --sc (through harness/systemc/mmu_top_sc.sv) for one
 * configuration package, as a child module clocked by an sc_clock of
 * period(). Its walker's memory port is served over `mem`: the socket
 * carries the RTL's real descriptor reads and AF/dirty writes, so binding
 * it to a pmem_target on the memory holding the page tables gives the RTL
 * those tables.
 *
 * The Verilated class stays out of this header (it is generated per
 * configuration); users include this and link granule_tlm_rtl.
 */
#ifndef GRANULE_TLM_RTL_H
#define GRANULE_TLM_RTL_H

#include <memory>

#include "granule_tlm.h"

namespace granule {

/*! mmu_tlm_rtl : the RTL flavour. Operations are blocking in simulated
 *  time: a call returns in the cycle the RTL answered (a translation in its
 *  response-valid cycle, a register write in its acceptance cycle, a TLBI
 *  in its tlbi_done_o cycle), so an initiator presents its next operation
 *  no earlier than that (the blocking issue order of docs/systemc.md).
 *  Must be called from an SC_THREAD (it wait()s). */
class mmu_tlm_rtl : public mmu_tlm {
public:
    /* What went over `mem`, and what the wrapper saw go wrong. */
    struct rtl_counts {
        uint64_t reads = 0, writes = 0; /* walker transactions on mem */
        uint64_t bus_errors = 0;        /* of those, answered with an error */
    };

    /*! Throws std::runtime_error unless cfg generates the configuration
     *  package the RTL was Verilated with (`granule config sv`): another
     *  configuration would be simulated with the wrong structures. */
    mmu_tlm_rtl(const sc_core::sc_module_name &name, const gr_config &cfg,
                const sc_core::sc_time &period = sc_core::sc_time(1, sc_core::SC_NS));
    ~mmu_tlm_rtl() override;
    mmu_tlm_rtl(const mmu_tlm_rtl &) = delete;
    mmu_tlm_rtl &operator=(const mmu_tlm_rtl &) = delete;

    /*! built_config() : the name of the configuration the RTL was built for. */
    static const char *built_config();

    /*! set_mem_latency() : cycles from a walker read (write) on `mem` to its
     *  response on the RTL's memory port; default the configuration's
     *  [memory] read_latency / write_latency, the contract the C model
     *  assumes (docs/uarch.md). The latency the target annotates is not
     *  used, as in the C flavour. A different value models a slower memory
     *  than the model's (the testbench's negative test). */
    void set_mem_latency(unsigned read, unsigned write);

    const rtl_counts &get_rtl_counts() const;

protected:
    void do_translate(const gr_mmu_req &rq, gr_mmu_resp &out) override;
    uint64_t do_set_regs(const gr_regs &regs, uint64_t t) override;
    uint64_t do_tlbi(const gr_tlbi &op, uint64_t t) override;
    uint64_t do_auth_va() const override;
    uint8_t do_fsc(const gr_mmu_resp &r) const override;

private:
    struct impl;
    std::unique_ptr<impl> p_;
    void reset_thread();
    void edge_thread();
};

} // namespace granule

#endif
