/*
 * granule — SystemC TLM-2.0 wrappers of the MMU (granule_tlm.h,
 * docs/systemc.md).
 */
#include "granule_tlm.h"

#include <stdexcept>

#include "granule/ptw.h"

using sc_core::sc_time;
using sc_core::sc_time_stamp;

namespace granule {

/* ---- payload extension ---- */

tlm::tlm_extension_base *mmu_ext::clone() const
{
    return new mmu_ext(*this);
}

void mmu_ext::copy_from(const tlm::tlm_extension_base &other)
{
    *this = static_cast<const mmu_ext &>(other);
}

/* ---- the abstract module ---- */

namespace {

/* The delay that, added to the current time, gives cycle c (never
 * negative: a flavour that already waited past c answers now). Integer
 * arithmetic on the time resolution (sc_time * double would lose cycles
 * beyond 2^53 resolution units), and one sc_time construction per call:
 * this is on every transaction's path. */
sc_time delay_to(const sc_time &period, uint64_t c)
{
    const uint64_t end = period.value() * c, now = sc_time_stamp().value();
    return end > now ? sc_time::from_value(end - now) : sc_core::SC_ZERO_TIME;
}

} // namespace

mmu_tlm::mmu_tlm(const sc_core::sc_module_name &name, const gr_config &cfg,
                 const sc_time &period)
    : sc_module(name), tgt("tgt"), mem("mem"), cfg_(cfg), period_(period)
{
    if (period_ == sc_core::SC_ZERO_TIME)
        throw std::invalid_argument("granule::mmu_tlm: the clock period must not be zero");
    tgt.register_b_transport(this, &mmu_tlm::b_transport);
}

uint64_t mmu_tlm::cycle_at(const sc_time &t) const
{
    const uint64_t p = period_.value();
    return t.value() / p + (t.value() % p != 0);
}

bool mmu_tlm::read_phys_dbg(uint64_t pa, void *buf, unsigned len)
{
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(pa);
    gp.set_data_ptr(static_cast<unsigned char *>(buf));
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    return mem->transport_dbg(gp) == len && gp.is_response_ok();
}

/* One channel for the three operations, so they keep the order the
 * initiator issued them in, as the MMU's request channel, register-write
 * event and TLBI port do (docs/uarch.md: a register write or TLBI waits for
 * every earlier response). The presentation cycle is the transaction's
 * start time (now + delay: loosely-timed initiators run ahead of
 * sc_time_stamp() within their quantum); the returned delay puts its end
 * at the cycle the MMU reports. */
void mmu_tlm::b_transport(tlm::tlm_generic_payload &gp, sc_time &delay)
{
    mmu_ext *x = gp.get_extension<mmu_ext>();
    if (!x) {
        counts_.bad_requests++;
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    const uint64_t p = period_.value(), start = sc_time_stamp().value() + delay.value();
    const uint64_t t = start / p + (start % p != 0);
    x->t_present = t;
    switch (x->op) {
    case mmu_op::translate: {
        gr_mmu_req rq{};
        rq.r.va = gp.get_address();
        rq.r.acc = x->acc;
        rq.r.el = x->el;
        rq.t = t;
        rq.pac = x->pac;
        rq.retry = x->retry;
        rq.key = x->key;
        rq.modifier = x->modifier;
        do_translate(rq, x->resp);
        x->fsc = do_fsc(x->resp);
        x->auth_va = rq.pac ? do_auth_va() : rq.r.va;
        x->t_done = x->resp.t_valid;
        counts_.translations++;
        counts_.stall_cycles += x->resp.t_accept - t;
        break;
    }
    case mmu_op::set_regs:
        x->t_done = do_set_regs(x->regs, t);
        counts_.set_regs++;
        break;
    case mmu_op::tlbi:
        x->t_done = do_tlbi(x->tlbi, t);
        counts_.tlbis++;
        break;
    default:
        counts_.bad_requests++;
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    delay = delay_to(period_, x->t_done);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

/* ---- the C model flavour ---- */

mmu_tlm_c::mmu_tlm_c(const sc_core::sc_module_name &name, const gr_config &cfg,
                     gr_pmem *walk_mem, const sc_time &period)
    : mmu_tlm(name, cfg, period)
{
    if (!walk_mem)
        throw std::invalid_argument("granule::mmu_tlm_c: no memory to walk");
    m_ = gr_mmu_create(&cfg_, walk_mem);
    if (!m_)
        throw std::runtime_error("granule::mmu_tlm_c: invalid configuration or out of memory");
}

mmu_tlm_c::~mmu_tlm_c()
{
    gr_mmu_destroy(m_);
}

void mmu_tlm_c::do_translate(const gr_mmu_req &rq, gr_mmu_resp &out)
{
    gr_mmu_translate(m_, &rq, &out);
    if (mirror_ && out.path == GR_MMU_PATH_WALK)
        mirror(out);
}

uint64_t mmu_tlm_c::do_set_regs(const gr_regs &regs, uint64_t t)
{
    return gr_mmu_set_regs(m_, &regs, t);
}

uint64_t mmu_tlm_c::do_tlbi(const gr_tlbi &op, uint64_t t)
{
    return gr_mmu_tlbi(m_, &op, t);
}

uint64_t mmu_tlm_c::do_auth_va() const
{
    return gr_mmu_last_pac_va(m_);
}

/* One 8-byte little-endian access on `mem` presented in cycle `cycle`.
 * The target's annotated delay is not used: the walk's timing is the
 * model's (mem.read / mem.write of the configuration). */
bool mmu_tlm_c::bus(tlm::tlm_command cmd, uint64_t pa, uint64_t &val, uint64_t cycle)
{
    unsigned char b[8];
    if (cmd == tlm::TLM_WRITE_COMMAND)
        for (int i = 0; i < 8; i++)
            b[i] = static_cast<unsigned char>(val >> (8 * i));
    tlm::tlm_generic_payload gp;
    gp.set_command(cmd);
    gp.set_address(pa);
    gp.set_data_ptr(b);
    gp.set_data_length(8);
    gp.set_streaming_width(8);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time d = delay_to(period(), cycle);
    mem->b_transport(gp, d);
    if (!gp.is_response_ok())
        return false;
    if (cmd == tlm::TLM_READ_COMMAND) {
        val = 0;
        for (int i = 0; i < 8; i++)
            val |= static_cast<uint64_t>(b[i]) << (8 * i);
    }
    return true;
}

/* The walk's memory traffic, re-issued after the model computed it, at
 * the cycles docs/uarch.md gives: read k in W + k * mem.read, the AF/dirty
 * write (if any) when the last read's data returns, W + n * mem.read, with
 * W recovered from the response-valid cycle
 * (t_valid = W + n * mem.read + (u ? mem.write : 0) + 1). The bus must
 * return what the walker read — except the leaf this walk updated, which
 * now holds the updated descriptor, and the read or write that took the
 * external abort, which must fail on the bus too. */
void mmu_tlm_c::mirror(const gr_mmu_resp &r)
{
    const gr_xlat *x = gr_mmu_last_walk(m_);
    const bool ee = gr_mmu_ctx(m_)->ee; /* SCTLR_EL1.EE: big-endian tables */
    const bool sea = r.fault.type == GR_FAULT_SYNC_EXTERNAL_ON_WALK;
    const bool wrote = r.desc_written || (sea && x->have_tte);
    /* The walk record keeps the reads that returned data; a read answered
     * with an external abort is counted in the response (it was issued)
     * and its address is the fault's. */
    const bool read_abort = sea && !wrote;
    const unsigned n = r.nreads;
    const uint64_t w = r.t_valid - 1 - uint64_t(n) * cfg_.mem.read -
                       (wrote ? cfg_.mem.write : 0);
    mc_.walks++;
    if (n != x->nreads + (read_abort ? 1u : 0u)) {
        mc_.mismatches++;
        return;
    }
    for (unsigned k = 0; k < n; k++) {
        const bool abort = read_abort && k + 1 == n;
        const uint64_t pa = abort ? r.fault.paddr : x->reads[k].pa;
        uint64_t v = 0, want = abort ? 0 : x->reads[k].val;
        if (!abort && r.desc_written && pa == x->tte.desc_pa)
            want = x->new_desc;
        const bool ok = bus(tlm::TLM_READ_COMMAND, pa, v, w + k * uint64_t(cfg_.mem.read));
        if (ee)
            v = __builtin_bswap64(v);
        mc_.reads++;
        if (ok == abort || (ok && v != want))
            mc_.mismatches++;
    }
    if (wrote) {
        uint64_t v = ee ? __builtin_bswap64(x->new_desc) : x->new_desc;
        const bool ok = bus(tlm::TLM_WRITE_COMMAND, x->tte.desc_pa, v, w + n * uint64_t(cfg_.mem.read));
        mc_.writes++;
        if (ok == sea)
            mc_.mismatches++;
    }
}

/* ---- gr_pmem-backed memory ---- */

pmem_target::pmem_target(const sc_core::sc_module_name &name, gr_pmem *mem,
                         const sc_time &read_latency, const sc_time &write_latency)
    : sc_module(name), tgt("tgt"), mem_(mem), rlat_(read_latency), wlat_(write_latency)
{
    if (!mem_)
        throw std::invalid_argument("granule::pmem_target: no memory");
    tgt.register_b_transport(this, &pmem_target::b_transport);
    tgt.register_transport_dbg(this, &pmem_target::transport_dbg);
}

bool pmem_target::access(tlm::tlm_generic_payload &gp)
{
    const uint64_t pa = gp.get_address();
    const unsigned len = gp.get_data_length();
    if (gp.get_byte_enable_ptr()) {
        gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return false;
    }
    if (gp.get_streaming_width() < len) {
        gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return false;
    }
    int rc = GR_PMEM_OK;
    switch (gp.get_command()) {
    case tlm::TLM_READ_COMMAND:
        rc = gr_pmem_dump(mem_, pa, gp.get_data_ptr(), len);
        break;
    case tlm::TLM_WRITE_COMMAND:
        rc = gr_pmem_load(mem_, pa, gp.get_data_ptr(), len);
        break;
    default:
        break;
    }
    if (rc != GR_PMEM_OK) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return false;
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return true;
}

void pmem_target::b_transport(tlm::tlm_generic_payload &gp, sc_time &delay)
{
    const tlm::tlm_command cmd = gp.get_command();
    access(gp);
    if (cmd == tlm::TLM_WRITE_COMMAND) {
        writes_++;
        delay += wlat_;
    } else if (cmd == tlm::TLM_READ_COMMAND) {
        reads_++;
        delay += rlat_;
    }
}

unsigned int pmem_target::transport_dbg(tlm::tlm_generic_payload &gp)
{
    return access(gp) ? gp.get_data_length() : 0;
}

} // namespace granule
