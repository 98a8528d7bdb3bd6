/*
 * granule — the RTL flavour of the TLM-2.0 MMU wrapper (granule_tlm_rtl.h,
 * docs/systemc.md "The RTL flavour").
 *
 * Clocking. Cycle c of the MMU (mmu.h's cycle numbers) is the simulated
 * time [c * P, (c + 1) * P): the clock falls at c * P and rises at
 * c * P + P / 2. An operation presented in cycle t is written to the RTL's
 * inputs at time t * P (in whichever delta cycle the caller runs), and the
 * RTL's combinational outputs for that cycle (ready, response valid, TLBI
 * done) are read two delta cycles later, once the Verilated module's eval
 * (sensitive to every input) has run and its output signals have been
 * updated — still at time t * P, so a call returns exactly at the cycle it
 * reports and the base's annotation is zero past it (docs/systemc.md
 * "Timing annotation"). This is tests/rtl/tb_mmu.cpp's order (inputs at
 * the falling edge, outputs sampled, rising edge) with the edges at fixed
 * times. The memory port and the valid-after-acceptance deassertions are
 * handled at the rising edge, where a process reading the signals sees the
 * values they settled to during the cycle (an sc_signal changes only in
 * the update phase after the edge's evaluation).
 */
#include "granule_tlm_rtl.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "granule/pac.h"

// Verilator's generated class and headers are not written for -Wextra.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "Vmmu_top_sc.h"
#pragma GCC diagnostic pop

using sc_core::sc_time;
using sc_core::sc_time_stamp;

namespace granule {

namespace {

/* Every port of mmu_top_sc but the clock. */
#define GR_RTL_PORTS(X)                                                                         \
    X(rst_ni) X(req_valid_i) X(req_ready_o) X(req_va_i) X(req_acc_i) X(req_el_i) X(req_pac_i)   \
    X(req_key_i) X(req_modifier_i) X(rsp_valid_o) X(rsp_pa_o) X(rsp_mair_attr_o) X(rsp_sh_o)   \
    X(rsp_fault_o) X(rsp_fault_level_o) X(rsp_fsc_o) X(rsp_page_shift_o) X(rsp_level_o)        \
    X(rsp_path_o) X(rsp_nreads_o) X(rsp_desc_written_o) X(reg_valid_i) X(reg_ready_o)          \
    X(reg_tcr_i) X(reg_ttbr0_i) X(reg_ttbr1_i) X(reg_mair_i) X(reg_sctlr_i) X(reg_pan_i)        \
    X(reg_mmfr0_i) X(reg_isar1_i) X(reg_isar2_i) X(reg_apia_hi_i) X(reg_apia_lo_i)             \
    X(reg_apib_hi_i) X(reg_apib_lo_i) X(reg_apda_hi_i) X(reg_apda_lo_i) X(reg_apdb_hi_i)       \
    X(reg_apdb_lo_i) X(tlbi_valid_i) X(tlbi_ready_o) X(tlbi_op_i) X(tlbi_va_i) X(tlbi_asid_i)  \
    X(tlbi_done_o) X(mem_req_valid_o) X(mem_req_ready_i) X(mem_req_pa_o) X(mem_rsp_valid_i)    \
    X(mem_rsp_data_i) X(mem_rsp_err_i) X(mem_wr_valid_o) X(mem_wr_ready_i) X(mem_wr_pa_o)      \
    X(mem_wr_data_o) X(mem_wr_rsp_valid_i) X(mem_wr_rsp_err_i)

/* The signal type of a Verilated port (bool, uint32_t or uint64_t by
 * width), so the code does not restate Verilator's width rules. Writers
 * unchecked: the valids are written by the caller's thread (raised) and
 * by edge_thread (dropped after acceptance), never in the same delta. */
template <class P>
using sig_t = sc_core::sc_signal<typename std::remove_reference_t<P>::data_type,
                                 sc_core::SC_UNCHECKED_WRITERS>;

struct pending {
    uint64_t due, data;
    bool err;
};

} // namespace

struct mmu_tlm_rtl::impl {
    sc_core::sc_clock clk;
#define GR_SIG_(p) sig_t<decltype(Vmmu_top_sc::p)> p{#p};
    GR_RTL_PORTS(GR_SIG_)
#undef GR_SIG_
    Vmmu_top_sc top;
    uint64_t p;                /* period in time resolution units */
    unsigned rd, wr;           /* memory latencies, cycles */
    std::deque<pending> rq, wq;
    bool reset_done = false;
    sc_core::sc_event reset_ev;
    uint64_t last_err_pa = 0;  /* the last walker access the bus failed */
    uint64_t last_rsp = UINT64_MAX; /* cycle of the last response taken */
    uint64_t last_done = UINT64_MAX; /* cycle of the last TLBI completion */
    gr_pac *pac = nullptr;     /* do_auth_va(): the pointer Auth returned */
    bool pac_ok = false;
    uint64_t pac_va = 0;
    uint8_t fsc = 0;
    rtl_counts rc;

    impl(const sc_time &period, const gr_config &cfg)
        : clk("clk", period, 0.5, sc_core::SC_ZERO_TIME, false), top("rtl"), p(period.value()),
          rd(cfg.mem.read), wr(cfg.mem.write)
    {
        top.clk_i(clk);
#define GR_BIND_(p) top.p(p);
        GR_RTL_PORTS(GR_BIND_)
#undef GR_BIND_
        rst_ni.write(true);
        mem_req_ready_i.write(true); /* the memory takes a request every cycle */
        mem_wr_ready_i.write(true);
    }
    ~impl() { gr_pac_destroy(pac); }

    uint64_t cycle() const { return sc_time_stamp().value() / p; }

    /* Until the outputs reflect the inputs written in this delta cycle:
     * one delta for the update that makes the RTL's eval run, one for the
     * update of the outputs it wrote. */
    static void settle()
    {
        sc_core::wait(sc_core::SC_ZERO_TIME);
        sc_core::wait(sc_core::SC_ZERO_TIME);
    }

    /* To time t * P (the falling edge of cycle t), or stay if there. */
    void to_cycle(uint64_t t)
    {
        if (!reset_done)
            sc_core::wait(reset_ev);
        const uint64_t now = sc_time_stamp().value(), at = t * p;
        if (at > now)
            sc_core::wait(sc_time::from_value(at - now));
    }

    /* To the falling edge of the next cycle, outputs settled. */
    void next_cycle()
    {
        to_cycle(cycle() + 1);
        settle();
    }

    /* A cycle of waiting for `what`. An RTL that has not answered long
     * after the slowest operation could (10000 cycles, the lock-step
     * diff's limit, plus a walk's worth of memory accesses at the
     * latencies in use) is hung: the caller gets an error rather than a
     * simulation that never ends. */
    void wait_cycle(uint64_t since, const char *what)
    {
        const uint64_t limit = 10000 + 16ull * (rd + wr);
        if (cycle() - since >= limit)
            throw std::runtime_error(std::string("granule::mmu_tlm_rtl: no ") + what + " within " +
                                     std::to_string(limit) + " cycles of cycle " +
                                     std::to_string(since) + " (the RTL is hung)");
        next_cycle();
    }

    /* Holds the valid written by the caller until ready is seen. The
     * rising edge (edge_thread) drops valid after an acceptance. */
    template <class V, class R> uint64_t present(V &valid, const R &ready, const char *what)
    {
        valid.write(true);
        settle();
        const uint64_t since = cycle();
        while (!ready.read())
            wait_cycle(since, what);
        return cycle();
    }
};

mmu_tlm_rtl::mmu_tlm_rtl(const sc_core::sc_module_name &name, const gr_config &cfg,
                         const sc_time &period)
    : mmu_tlm(name, cfg, period)
{
    gr_config built;
    char err[256];
    if (gr_config_load(&built, GRANULE_TLM_RTL_INI, err, sizeof err) != 0)
        throw std::runtime_error(std::string("granule::mmu_tlm_rtl: ") + err);
    const int same = gr_config_same_rtl(&built, &cfg);
    if (same < 0)
        throw std::bad_alloc();
    if (!same)
        throw std::runtime_error(std::string("granule::mmu_tlm_rtl: configuration ") + cfg.name +
                                 " is not the one the RTL was built for (" + built_config() +
                                 "; its `granule config sv` package must be the same)");
    if (period.value() % 2)
        throw std::invalid_argument("granule::mmu_tlm_rtl: the clock period must be an even "
                                    "number of time resolution units (two edges a cycle)");
    p_.reset(new impl(period, cfg));
    SC_HAS_PROCESS(mmu_tlm_rtl);
    SC_THREAD(reset_thread);
    SC_THREAD(edge_thread);
}

mmu_tlm_rtl::~mmu_tlm_rtl() = default;

const char *mmu_tlm_rtl::built_config() { return GRANULE_TLM_RTL_CONFIG; }

void mmu_tlm_rtl::set_mem_latency(unsigned read, unsigned write)
{
    /* A response is presented in a cycle after its request (edge_thread),
     * as [memory] read_latency / write_latency >= 1 require. */
    if (read == 0 || write == 0)
        throw std::invalid_argument("granule::mmu_tlm_rtl: memory latencies must be at least 1 cycle");
    p_->rd = read;
    p_->wr = write;
}

const mmu_tlm_rtl::rtl_counts &mmu_tlm_rtl::get_rtl_counts() const { return p_->rc; }

/* The asynchronous reset at time 0, before the first rising edge (P / 2):
 * the cycle after it is cycle 0, as in tests/rtl/tb_mmu.cpp. */
void mmu_tlm_rtl::reset_thread()
{
    impl &s = *p_;
    s.rst_ni.write(false);
    impl::settle();
    s.rst_ni.write(true);
    impl::settle();
    s.reset_done = true;
    s.reset_ev.notify();
    /* Suspended for good rather than ended: a thread's end runs the
     * kernel's coroutine teardown, which valgrind's memcheck cannot follow
     * across QuickThreads' stack switches (false reports). */
    sc_core::wait();
}

/* The rising edge of every cycle c: drop the valid of an operation
 * accepted in c, issue the walker's read or write of c on `mem` (the read
 * returns the memory's data now, as harness/rtlsim does), and present in
 * c + 1 the responses due then. The target must answer without wait(). */
void mmu_tlm_rtl::edge_thread()
{
    impl &s = *p_;
    unsigned char b[8];
    tlm::tlm_generic_payload gp;
    gp.set_data_ptr(b);
    gp.set_data_length(8);
    gp.set_streaming_width(8);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    for (;;) {
        sc_core::wait(s.clk.posedge_event());
        const uint64_t c = s.cycle();
        if (s.req_valid_i.read() && s.req_ready_o.read())
            s.req_valid_i.write(false);
        if (s.reg_valid_i.read() && s.reg_ready_o.read())
            s.reg_valid_i.write(false);
        if (s.tlbi_valid_i.read() && s.tlbi_ready_o.read())
            s.tlbi_valid_i.write(false);
        if (s.mem_req_valid_o.read()) {
            const uint64_t pa = s.mem_req_pa_o.read();
            gp.set_command(tlm::TLM_READ_COMMAND);
            gp.set_address(pa);
            gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            sc_time d = sc_core::SC_ZERO_TIME;
            mem->b_transport(gp, d);
            uint64_t v = 0;
            for (int i = 0; i < 8; i++)
                v |= uint64_t(b[i]) << (8 * i);
            const bool err = !gp.is_response_ok();
            s.rq.push_back({c + s.rd, err ? 0 : v, err});
            s.rc.reads++;
            if (err) {
                s.rc.bus_errors++;
                s.last_err_pa = pa;
            }
        }
        if (s.mem_wr_valid_o.read()) {
            const uint64_t pa = s.mem_wr_pa_o.read(), v = s.mem_wr_data_o.read();
            for (int i = 0; i < 8; i++)
                b[i] = static_cast<unsigned char>(v >> (8 * i));
            gp.set_command(tlm::TLM_WRITE_COMMAND);
            gp.set_address(pa);
            gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            sc_time d = sc_core::SC_ZERO_TIME;
            mem->b_transport(gp, d);
            const bool err = !gp.is_response_ok();
            s.wq.push_back({c + s.wr, 0, err});
            s.rc.writes++;
            if (err) {
                s.rc.bus_errors++;
                s.last_err_pa = pa;
            }
        }
        const bool r = !s.rq.empty() && s.rq.front().due == c + 1;
        s.mem_rsp_valid_i.write(r);
        s.mem_rsp_err_i.write(r && s.rq.front().err);
        if (r) {
            s.mem_rsp_data_i.write(s.rq.front().data);
            s.rq.pop_front();
        }
        const bool w = !s.wq.empty() && s.wq.front().due == c + 1;
        s.mem_wr_rsp_valid_i.write(w);
        s.mem_wr_rsp_err_i.write(w && s.wq.front().err);
        if (w)
            s.wq.pop_front();
    }
}

void mmu_tlm_rtl::do_translate(const gr_mmu_req &rq, gr_mmu_resp &out)
{
    impl &s = *p_;
    s.to_cycle(rq.t);
    s.req_va_i.write(rq.r.va);
    s.req_acc_i.write(rq.r.acc);
    s.req_el_i.write(rq.r.el != 0);
    s.req_pac_i.write(rq.pac);
    s.req_key_i.write(rq.key);
    s.req_modifier_i.write(rq.modifier);
    const uint64_t a = s.present(s.req_valid_i, s.req_ready_o, "request acceptance");
    /* One request outstanding: the next response is this one's. The
     * previous request's response can be valid in the cycle this one is
     * accepted in (the blocking issue presents it then): not a new one. */
    while (!s.rsp_valid_o.read() || s.cycle() == s.last_rsp)
        s.wait_cycle(a, "response");
    s.last_rsp = s.cycle();
    memset(&out, 0, sizeof out);
    out.t_accept = a;
    out.t_valid = s.cycle();
    out.fault.type = gr_fault_type(s.rsp_fault_o.read());
    out.fault.level = int8_t(s.rsp_fault_level_o.read());
    /* WnR and the fetch flag are the request's (FaultRecord.write/ifetch). */
    out.fault.write = rq.r.acc == GR_ACC_WRITE;
    out.fault.ifetch = rq.r.acc == GR_ACC_EXEC;
    if (out.fault.type == GR_FAULT_PAC_FAIL) {
        /* The PAC-fail exception (FEAT_FPAC) is not a data abort: no WnR;
         * an instruction key's failure is the instruction side's (pac.c). */
        out.fault.write = false;
        out.fault.ifetch = rq.key == GR_PAC_KEY_IA || rq.key == GR_PAC_KEY_IB;
    }
    if (out.fault.type == GR_FAULT_SYNC_EXTERNAL_ON_WALK)
        out.fault.paddr = s.last_err_pa;
    out.pa = out.fault.type == GR_FAULT_NONE ? s.rsp_pa_o.read() : 0;
    out.mair_attr = uint8_t(s.rsp_mair_attr_o.read());
    out.sh = uint8_t(s.rsp_sh_o.read());
    out.page_shift = uint8_t(s.rsp_page_shift_o.read());
    out.level = uint8_t(s.rsp_level_o.read());
    out.path = uint8_t(s.rsp_path_o.read());
    out.nreads = uint8_t(s.rsp_nreads_o.read());
    out.desc_written = s.rsp_desc_written_o.read();
    /* walk_level (where the walk started) is not an output of the RTL. */
    s.fsc = uint8_t(s.rsp_fsc_o.read());
    /* The authenticated pointer is internal to the RTL: recomputed with
     * the C PAC unit from the registers written, with the model's
     * semantics (gr_mmu_last_pac_va: the last authenticating request's
     * pointer, unchanged by a FEAT_FPAC failure). */
    if (rq.pac && s.pac_ok) {
        gr_pac_req pr = {rq.r.va, rq.modifier, rq.key, rq.r.el, true};
        gr_pac_res res;
        uint64_t va = rq.r.va;
        const bool ok = gr_pac_auth(s.pac, &pr, &res) == GR_PAC_OK;
        if (!(ok && res.fault.type == GR_FAULT_PAC_FAIL)) {
            if (ok)
                va = res.value;
            s.pac_va = va;
        }
    }
}

uint64_t mmu_tlm_rtl::do_set_regs(const gr_regs &r, uint64_t t)
{
    impl &s = *p_;
    s.to_cycle(t);
    s.reg_tcr_i.write(r.tcr);
    s.reg_ttbr0_i.write(r.ttbr0);
    s.reg_ttbr1_i.write(r.ttbr1);
    s.reg_mair_i.write(r.mair);
    s.reg_sctlr_i.write(r.sctlr);
    s.reg_pan_i.write((r.pstate_pan & 1) != 0);
    s.reg_mmfr0_i.write(r.id_aa64mmfr0);
    s.reg_isar1_i.write(r.id_aa64isar1);
    s.reg_isar2_i.write(r.id_aa64isar2);
    s.reg_apia_hi_i.write(r.apiakeyhi);
    s.reg_apia_lo_i.write(r.apiakeylo);
    s.reg_apib_hi_i.write(r.apibkeyhi);
    s.reg_apib_lo_i.write(r.apibkeylo);
    s.reg_apda_hi_i.write(r.apdakeyhi);
    s.reg_apda_lo_i.write(r.apdakeylo);
    s.reg_apdb_hi_i.write(r.apdbkeyhi);
    s.reg_apdb_lo_i.write(r.apdbkeylo);
    /* The write takes effect when accepted (mmu.h: gr_mmu_set_regs). */
    const uint64_t a = s.present(s.reg_valid_i, s.reg_ready_o, "register write acceptance");
    gr_pac_status ps;
    if (!s.pac)
        s.pac = gr_pac_create(&r, &ps);
    else
        ps = gr_pac_update(s.pac, &r);
    s.pac_ok = s.pac && ps == GR_PAC_OK;
    return a;
}

uint64_t mmu_tlm_rtl::do_tlbi(const gr_tlbi &op, uint64_t t)
{
    impl &s = *p_;
    s.to_cycle(t);
    s.tlbi_op_i.write(op.op);
    s.tlbi_va_i.write(op.va);
    s.tlbi_asid_i.write(op.asid);
    const uint64_t a = s.present(s.tlbi_valid_i, s.tlbi_ready_o, "TLBI acceptance");
    /* Complete when tlbi_done_o pulses (gr_mmu_tlbi's return); a pulse
     * in the acceptance cycle may be the previous TLBI's (presented in the
     * cycle it completed), as for responses. */
    while (!s.tlbi_done_o.read() || s.cycle() == s.last_done)
        s.wait_cycle(a, "TLBI completion");
    s.last_done = s.cycle();
    return s.last_done;
}

uint64_t mmu_tlm_rtl::do_auth_va() const { return p_->pac_va; }

uint8_t mmu_tlm_rtl::do_fsc(const gr_mmu_resp &) const { return p_->fsc; }

} // namespace granule
