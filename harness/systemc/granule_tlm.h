/*
 * granule — SystemC TLM-2.0 wrappers of the MMU (docs/systemc.md).
 *
 * granule::mmu_tlm is the module a virtual platform binds: a target socket
 * `tgt` that takes translation requests, register writes and TLB
 * maintenance (one blocking, loosely-timed channel, in acceptance order, as
 * the MMU of docs/uarch.md has), and an initiator socket `mem` on which the
 * walker's memory traffic appears. Everything the platform sees — sockets,
 * payload extension, timing annotation — lives in this base class; a
 * flavour only supplies the three operations of the MMU (translate,
 * register write, TLBI) in cycles, with the cycle contract of
 * model/include/granule/mmu.h.
 *
 * Flavours:
 *  - granule::mmu_tlm_c (here): the C model through its C API (gr_mmu_*).
 *    The model's walker reads the gr_pmem it was created on; after each
 *    walk the wrapper re-issues the walk's descriptor reads and its AF/dirty
 *    write on `mem`, at the cycles the walker issued them, and checks that
 *    the data the bus returns is what the walker read (docs/systemc.md
 *    "What goes over the memory socket").
 *  - granule::mmu_tlm_rtl (granule_tlm_rtl.h): rtl/mmu_top.sv, Verilated
 *    with --sc through mmu_top_sc.sv for one configuration package
 *    (small), as a child module clocked by an sc_clock of period(). Its
 *    do_translate()/do_set_regs()/do_tlbi() write the RTL's request,
 *    register and TLBI ports at the presentation cycle's falling edge,
 *    hold valid until ready and wait() on clock edges until the response
 *    or completion, returning absolute cycles (the base computes the
 *    annotation after the flavour returns, so a platform sees the same
 *    timing contract). The walker's memory port is served at each rising
 *    edge by b_transport on `mem`: the socket carries the RTL's real
 *    reads and AF/dirty writes, answered after the configured memory
 *    latency. Blocking in simulated time: the next operation is presented
 *    no earlier than the previous answer.
 * A testbench, a platform or the lock-step comparison (granule-sc-replay
 * --mode rtl) swaps one flavour for the other without any other change.
 */
#ifndef GRANULE_TLM_H
#define GRANULE_TLM_H

#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "granule/config.h"
#include "granule/fault.h"
#include "granule/mmu.h"
#include "granule/pmem.h"
#include "granule/regs.h"
#include "granule/tlb.h"

namespace granule {

/* What a transaction on mmu_tlm::tgt asks for. */
enum class mmu_op : uint8_t {
    translate = 0, /* address = VA; request fields below */
    set_regs = 1,  /* regs: a register write event (gr_mmu_set_regs) */
    tlbi = 2       /* tlbi: a TLB maintenance operation (gr_mmu_tlbi) */
};

/*! mmu_ext : the payload extension every transaction on mmu_tlm::tgt
 *  carries (a payload without it is answered TLM_GENERIC_ERROR_RESPONSE).
 *  The generic payload's address is the VA of a translation; its command,
 *  data pointer and length are not used (TLM_IGNORE_COMMAND, length 0 is
 *  the recommended form). Request fields are read, response fields written;
 *  the payload's response status is TLM_OK_RESPONSE whenever the MMU
 *  answered, fault or not: a translation fault is a result, not a bus error. */
struct mmu_ext : tlm::tlm_extension<mmu_ext> {
    /* ---- request ---- */
    mmu_op op = mmu_op::translate;
    gr_acc acc = GR_ACC_READ;  /* translate: read, write or instruction fetch */
    uint8_t el = 0;            /* translate: 0 or 1 */
    bool pac = false;          /* translate: an authenticating access (the VA
                                  is the signed pointer; docs/uarch.md "PAC stage") */
    gr_pac_key key = GR_PAC_KEY_IA; /* with pac: IA, IB, DA or DB */
    uint64_t modifier = 0;     /* with pac */
    bool retry = false;        /* translate: re-issue after a resolved fault
                                  (statistics only, stats.h) */
    gr_regs regs{};            /* set_regs: the registers (a full copy) */
    gr_tlbi tlbi{};            /* tlbi: op, VA, ASID */

    /* ---- response ---- */
    uint64_t t_present = 0;    /* cycle the request was presented: the
                                  transaction's start time (time of call +
                                  delay) in cycles of mmu_tlm::period(),
                                  rounded up */
    uint64_t t_done = 0;       /* translate: t_valid; set_regs: the cycle the
                                  write takes effect; tlbi: the cycle it
                                  completes. The returned delay puts the
                                  transaction's end exactly at this cycle. */
    gr_mmu_resp resp{};        /* translate: the whole response (PA, fault,
                                  page size, level, attributes, path,
                                  t_accept, t_valid, ...) */
    uint8_t fsc = 0;           /* translate: gr_fault_fsc(&resp.fault)
                                  (DFSC/IFSC; 0 without a fault or for PAC) */
    uint64_t auth_va = 0;      /* translate with pac: the address the request
                                  went on to translate (the pointer Auth
                                  returned; what an OS taking its fault
                                  sees in FAR_EL1, gr_mmu_last_pac_va) */

    tlm::tlm_extension_base *clone() const override;
    void copy_from(const tlm::tlm_extension_base &other) override;
};

/*! mmu_tlm : the abstract MMU module (see the file comment). */
class mmu_tlm : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<mmu_tlm> tgt;
    tlm_utils::simple_initiator_socket<mmu_tlm> mem;

    /* What the base counts (independent of the flavour). */
    struct counts {
        uint64_t translations = 0, set_regs = 0, tlbis = 0;
        uint64_t bad_requests = 0; /* no extension, or an unknown op */
        uint64_t stall_cycles = 0; /* sum of t_accept - t_present */
    };

    mmu_tlm(const sc_core::sc_module_name &name, const gr_config &cfg,
            const sc_core::sc_time &period);
    ~mmu_tlm() override = default;

    /*! period() : one MMU cycle. Cycle c of the model is the simulated time
     *  c * period() (cycle 0 at time 0). */
    const sc_core::sc_time &period() const { return period_; }
    const gr_config &config() const { return cfg_; }
    const counts &get_counts() const { return counts_; }

    /*! cycle_at() : the first cycle at or after absolute time t. */
    uint64_t cycle_at(const sc_core::sc_time &t) const;

    /*! read_phys_dbg() : len bytes of physical memory at pa through
     *  mem's transport_dbg (the debug view of whatever memory is bound
     *  there). @return true if the target returned all len bytes. */
    bool read_phys_dbg(uint64_t pa, void *buf, unsigned len);

protected:
    /* The flavour's MMU, in cycles (mmu.h's contract). A flavour may
     * consume simulated time in these calls (wait()); the base then
     * annotates the rest. */
    virtual void do_translate(const gr_mmu_req &rq, gr_mmu_resp &out) = 0;
    virtual uint64_t do_set_regs(const gr_regs &regs, uint64_t t) = 0;
    virtual uint64_t do_tlbi(const gr_tlbi &op, uint64_t t) = 0;
    /* After a translation with pac: the pointer Auth returned. */
    virtual uint64_t do_auth_va() const = 0;
    /* After a translation: its fault status code (the C model computes it
     * from the fault record; the RTL outputs its own). */
    virtual uint8_t do_fsc(const gr_mmu_resp &r) const { return gr_fault_fsc(&r.fault); }

    gr_config cfg_;

private:
    void b_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);

    sc_core::sc_time period_;
    counts counts_;
};

/*! mmu_tlm_c : the C model flavour. The model walks `walk_mem` (not owned,
 *  must outlive the module), which must be the memory behind whatever is
 *  bound to `mem` (a pmem_target on the same gr_pmem) when walks are
 *  mirrored. */
class mmu_tlm_c : public mmu_tlm {
public:
    /* What the walk mirror counts. */
    struct mirror_counts {
        uint64_t walks = 0, reads = 0, writes = 0;
        uint64_t mismatches = 0; /* bus data or status != what the walker saw */
    };

    /*! Throws std::runtime_error if cfg is invalid or memory is short. */
    mmu_tlm_c(const sc_core::sc_module_name &name, const gr_config &cfg,
              gr_pmem *walk_mem,
              const sc_core::sc_time &period = sc_core::sc_time(1, sc_core::SC_NS));
    ~mmu_tlm_c() override;
    mmu_tlm_c(const mmu_tlm_c &) = delete;
    mmu_tlm_c &operator=(const mmu_tlm_c &) = delete;

    /*! mirror_walks() : re-issue each walk's memory traffic on `mem`
     *  (default on). Off, `mem` carries nothing but read_phys_dbg(). */
    void mirror_walks(bool on) { mirror_ = on; }
    const mirror_counts &get_mirror_counts() const { return mc_; }

    /*! model() : the wrapped C model (statistics, inspection). */
    gr_mmu *model() { return m_; }

protected:
    void do_translate(const gr_mmu_req &rq, gr_mmu_resp &out) override;
    uint64_t do_set_regs(const gr_regs &regs, uint64_t t) override;
    uint64_t do_tlbi(const gr_tlbi &op, uint64_t t) override;
    uint64_t do_auth_va() const override;

private:
    void mirror(const gr_mmu_resp &r);
    bool bus(tlm::tlm_command cmd, uint64_t pa, uint64_t &val, uint64_t cycle);

    gr_mmu *m_ = nullptr;
    bool mirror_ = true;
    mirror_counts mc_;
};

/*! pmem_target : a memory target backed by a gr_pmem (not owned). Reads
 *  and writes of any length inside the memory's regions; an access that
 *  touches an unmapped byte is TLM_ADDRESS_ERROR_RESPONSE (what the walker
 *  turns into a synchronous external abort), byte enables are
 *  TLM_BYTE_ENABLE_ERROR_RESPONSE. b_transport annotates the configured
 *  read or write latency; transport_dbg is untimed. No DMI: gr_pmem is
 *  sparse and exposes no host pointer, so get_direct_mem_ptr refuses
 *  (initiators fall back to b_transport). */
class pmem_target : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<pmem_target> tgt;

    pmem_target(const sc_core::sc_module_name &name, gr_pmem *mem,
                const sc_core::sc_time &read_latency, const sc_core::sc_time &write_latency);

    uint64_t reads() const { return reads_; }
    uint64_t writes() const { return writes_; }

private:
    void b_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload &gp);
    bool access(tlm::tlm_generic_payload &gp);

    gr_pmem *mem_;
    sc_core::sc_time rlat_, wlat_;
    uint64_t reads_ = 0, writes_ = 0;
};

} // namespace granule

#endif
