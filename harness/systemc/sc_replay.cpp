/*
 * granule-sc-replay — a SystemC testbench that replays a trace through the
 * TLM-2.0 MMU wrapper (granule::mmu_tlm_c) and, in lock-step, through
 * direct gr_mmu calls on a second model instance, and compares every
 * response (docs/systemc.md "The testbench").
 *
 * Each side is a whole machine of its own: simulated memory, VM layer (which
 * builds the page tables and resolves faults) and MMU. The two are built from
 * the same configuration and driven by the same code with the same records,
 * and the VM layer is deterministic, so their memory images are copies of
 * each other as long as the MMUs agree — including the AF/dirty updates each
 * walker writes into its own memory (--hw-af). What one side's VM layer
 * does next depends only on that side's responses, so a divergence shows up
 * at the record that caused it.
 *
 * The address space is demand-mapped (as `granule replay` does by default,
 * docs/replay.md, but simpler: no record of unmapped ranges, and any mapping
 * missing a right gains it), so its counts are this driver's, not
 * gr_replay's.
 */
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "granule_tlm.h"
#if GRANULE_HAVE_TLM_RTL
#include "granule_tlm_rtl.h"
#endif

#include "granule/trace.h"
#include "granule/vm.h"
#include "replay.h"

using sc_core::sc_time;
using sc_core::sc_time_stamp;

namespace {

constexpr uint64_t RAM_BASE = 0x800000000ull;
constexpr uint64_t USER_TOP = 1ull << 47; /* the VM layer's user range (T0SZ = 17) */
constexpr unsigned DEMAND_SHIFT = 21;     /* demand mapping in aligned 2 MiB ranges */
constexpr uint64_t PAGE = 4096;
constexpr uint64_t QUANTUM = 10000;       /* cycles an initiator may run ahead */

double now_s()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

/* ---- what each side did, for the comparison ---- */

struct op_log {
    enum kind_t : uint8_t { XLATE, REGS, TLBI } kind;
    uint64_t t = 0;     /* cycle presented */
    uint64_t done = 0;  /* t_valid, or the register write's / TLBI's cycle */
    gr_mmu_req rq{};
    gr_mmu_resp rs{};
    uint8_t fsc = 0;
    uint64_t auth_va = 0;
    gr_tlbi ti{};
};

/* ---- an MMU as the driver sees it ---- */

class port {
public:
    virtual ~port() = default;
    virtual void translate(const gr_mmu_req &rq, gr_mmu_resp &rs, uint8_t &fsc,
                           uint64_t &auth_va) = 0;
    virtual uint64_t set_regs(const gr_regs &r, uint64_t t) = 0;
    virtual uint64_t tlbi(const gr_tlbi &op, uint64_t t) = 0;
    /* The next operation will be presented in cycle t. */
    virtual void advance(uint64_t t) { (void)t; }
};

/* Direct C calls on a gr_mmu. */
class direct_port final : public port {
public:
    explicit direct_port(gr_mmu *m) : m_(m) {}
    void translate(const gr_mmu_req &rq, gr_mmu_resp &rs, uint8_t &fsc, uint64_t &auth_va) override
    {
        gr_mmu_translate(m_, &rq, &rs);
        fsc = gr_fault_fsc(&rs.fault);
        auth_va = rq.pac ? gr_mmu_last_pac_va(m_) : rq.r.va;
    }
    uint64_t set_regs(const gr_regs &r, uint64_t t) override { return gr_mmu_set_regs(m_, &r, t); }
    uint64_t tlbi(const gr_tlbi &op, uint64_t t) override { return gr_mmu_tlbi(m_, &op, t); }

private:
    gr_mmu *m_;
};

/* Through an initiator socket bound to an mmu_tlm. The operation is
 * presented in cycle t by starting the transaction at local time t * period
 * (loosely timed: the initiator runs ahead of sc_time_stamp() and waits
 * only when a quantum is used up). Checks the wrapper's timing annotation:
 * the transaction must end exactly in the cycle the extension reports. */
class tlm_port final : public port {
public:
    tlm_port(tlm_utils::simple_initiator_socket<sc_core::sc_module> &s, const sc_time &period)
        : sock_(s), period_(period), x_(new granule::mmu_ext)
    {
        gp_.set_command(tlm::TLM_IGNORE_COMMAND);
        gp_.set_data_ptr(nullptr);
        gp_.set_data_length(0);
        gp_.set_streaming_width(0);
        gp_.set_byte_enable_ptr(nullptr);
        gp_.set_extension(x_); /* owned by gp_ from here on */
    }
    uint64_t timing_errors = 0, status_errors = 0;

    void translate(const gr_mmu_req &rq, gr_mmu_resp &rs, uint8_t &fsc, uint64_t &auth_va) override
    {
        x_->op = granule::mmu_op::translate;
        x_->acc = rq.r.acc;
        x_->el = rq.r.el;
        x_->pac = rq.pac;
        x_->key = rq.key;
        x_->modifier = rq.modifier;
        x_->retry = rq.retry;
        gp_.set_address(rq.r.va);
        send(rq.t);
        rs = x_->resp;
        fsc = x_->fsc;
        auth_va = x_->auth_va;
    }
    uint64_t set_regs(const gr_regs &r, uint64_t t) override
    {
        x_->op = granule::mmu_op::set_regs;
        x_->regs = r;
        send(t);
        return x_->t_done;
    }
    uint64_t tlbi(const gr_tlbi &op, uint64_t t) override
    {
        x_->op = granule::mmu_op::tlbi;
        x_->tlbi = op;
        send(t);
        return x_->t_done;
    }
    void advance(uint64_t t) override
    {
        const uint64_t p = period_.value(), now = sc_time_stamp().value();
        if (p * t > now + p * QUANTUM)
            sc_core::wait(sc_time::from_value(p * t - now));
    }

private:
    /* Integer arithmetic on the time resolution, one sc_time built per
     * transaction (sc_time construction is a measurable part of it). */
    void send(uint64_t t)
    {
        const uint64_t p = period_.value(), at = p * t, now = sc_time_stamp().value();
        sc_time d = at > now ? sc_time::from_value(at - now) : sc_core::SC_ZERO_TIME;
        gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sock_->b_transport(gp_, d);
        if (!gp_.is_response_ok())
            status_errors++;
        if (x_->t_present != t || sc_time_stamp().value() + d.value() != p * x_->t_done)
            timing_errors++;
    }

    tlm_utils::simple_initiator_socket<sc_core::sc_module> &sock_;
    sc_time period_;
    tlm::tlm_generic_payload gp_;
    granule::mmu_ext *x_;
};

/* ---- the walker's bus traffic ---- */

/* One transaction on a flavour's memory socket. */
struct bus_op {
    uint64_t cycle;  /* start time (call time + delay) in cycles, rounded down */
    bool write;
    uint64_t pa, data;
    bool ok;
};

/* Between a flavour's `mem` and its memory target: forwards everything and
 * logs the 8-byte reads and writes (the walker's traffic; the C flavour's
 * mirror re-issues its walks at the cycles the walker issued them, the RTL
 * flavour issues the RTL's own in the cycle its port asked). */
SC_MODULE(bus_log) {
    tlm_utils::simple_target_socket<bus_log> tgt;
    tlm_utils::simple_initiator_socket<bus_log> out;
    std::vector<bus_op> log;
    uint64_t period = 1;

    SC_CTOR(bus_log) : tgt("tgt"), out("out")
    {
        tgt.register_b_transport(this, &bus_log::b_transport);
        tgt.register_transport_dbg(this, &bus_log::transport_dbg);
    }
    void b_transport(tlm::tlm_generic_payload &gp, sc_time &delay)
    {
        const uint64_t c = (sc_time_stamp().value() + delay.value()) / period;
        out->b_transport(gp, delay);
        if (gp.get_data_length() == 8 && (gp.is_read() || gp.is_write())) {
            uint64_t v = 0;
            for (int i = 0; i < 8; i++)
                v |= uint64_t(gp.get_data_ptr()[i]) << (8 * i);
            log.push_back({c, gp.is_write(), gp.get_address(), v, gp.is_response_ok()});
        }
    }
    unsigned int transport_dbg(tlm::tlm_generic_payload &gp) { return out->transport_dbg(gp); }
};

/* ---- one side: memory, VM layer, MMU port ---- */

/* --mode: diff (TLM C flavour vs direct calls), tlm or direct alone, rtl
 * (RTL flavour vs C flavour, both through TLM), rtl-tlm (RTL flavour alone). */
enum mode_t { M_DIFF, M_TLM, M_DIRECT, M_RTL, M_RTL_TLM };
const char *const kModes[] = {"diff", "tlm", "direct", "rtl", "rtl-tlm"};

struct options {
    std::string config = "small";
    std::string trace;
    uint64_t limit = 0;
    bool blocking = false;    /* issue each request when the previous one is answered */
    bool mirror = true;
    bool hw_af = false;
    bool keep_going = false;
    int mode = 0;             /* mode_t */
    long rtl_mem_read = -1;   /* --rtl-mem-read: the RTL side's memory latency */
    uint64_t period_ps = 1000;
    bool have_pac_regs = false;
    gr_regs pac_regs{};       /* --regs: keys, SCTLR En bits, TCR TBI bits */
};

struct side_counts {
    uint64_t translations = 0, faults = 0, demand_maps = 0, upgrades = 0;
    uint64_t violations = 0, nomem = 0, pac_failures = 0, events = 0, event_errors = 0;
};

class side {
public:
    side(const gr_config &cfg, gr_pmem *mem, port *p, const options &o)
        : cfg_(cfg), mem_(mem), p_(p), blocking_(o.blocking), pac_overlay_(o.have_pac_regs),
          pac_(o.pac_regs)
    {
        gr_vm_config vc;
        gr_vm_config_default(&vc);
        vc.ram_base = RAM_BASE;
        vc.ram_size = 8ull << 30;   /* sparse: costs only what is touched */
        vc.aslr = false;            /* addresses come from the trace */
        vc.shared_cache_size = 0;
        vc.tlbi_log_max = 0;
        vc.hw_af = o.hw_af;
        static const gr_vmbe_ops ops = {be_set_regs, be_translate, be_tlbi, be_destroy};
        gr_vmbe be = {&ops, this};
        int e = 0;
        vm_ = gr_vm_create(&vc, mem_, &be, &e);
        if (!vm_)
            throw std::runtime_error(std::string("cannot create the VM layer: ") + gr_vm_strerror(e));
    }
    ~side() { gr_vm_destroy(vm_); }
    side(const side &) = delete;
    side &operator=(const side &) = delete;

    /* Tears the VM layer down while the MMU is still there to take its
     * TLBIs (logged and compared like any other operation). */
    void shutdown()
    {
        gr_vm_destroy(vm_);
        vm_ = nullptr;
    }

    std::vector<op_log> log;
    side_counts c;

    /* One access record. @return false on a fatal error (no task). */
    bool access(const gr_trace_rec &x)
    {
        if (!task_get(x.task))
            return false;
        gr_mmu_req q{};
        q.r.va = x.va;
        q.r.acc = x.kind == GR_TREC_FETCH ? GR_ACC_EXEC : gr_acc(x.kind);
        q.r.el = x.el;
        if (x.pac_key >= GR_TRACE_PAC_IA && x.pac_key <= GR_TRACE_PAC_DB) {
            q.pac = true;
            q.key = gr_pac_key(x.pac_key - 1);
            q.modifier = x.modifier;
        }
        one(q);
        /* A page-crossing access is two translations (docs/replay.md). */
        if (x.size > 1 && (x.va & (PAGE - 1)) + x.size > PAGE) {
            q.r.va = (x.va | (PAGE - 1)) + 1;
            q.pac = false;
            one(q);
        }
        return true;
    }

    /* One event record. @return false on a fatal error. */
    bool event(const gr_trace_rec &e)
    {
        if (e.kind == GR_TREC_MARK || e.kind == GR_TREC_TTBR || e.kind == GR_TREC_TCR)
            return true;
        task *t = task_get(e.task);
        if (!t)
            return false;
        c.events++;
        int rc = GR_VM_OK;
        switch (e.kind) {
        case GR_TREC_MMAP:
            rc = map(t, e.va, e.arg[0], unsigned(e.arg[1]) & GR_PROT_ALL, (e.arg[2] & 1) != 0);
            break;
        case GR_TREC_MUNMAP:
            rc = unmap(t, e.va, e.arg[0]);
            break;
        case GR_TREC_MPROTECT: {
            uint64_t lo, hi;
            if (inner(e.va, e.arg[0], lo, hi))
                rc = gr_vm_mprotect(vm_, t->pid, lo, hi - lo, unsigned(e.arg[1]) & GR_PROT_ALL);
            break;
        }
        case GR_TREC_BRK:
            if (t->brk_known && e.va > t->brk)
                rc = map(t, t->brk, e.va - t->brk, GR_PROT_READ | GR_PROT_WRITE, false);
            else if (t->brk_known && e.va < t->brk)
                rc = unmap(t, e.va, t->brk - e.va);
            t->brk_known = true;
            t->brk = e.va;
            break;
        case GR_TREC_FORK: {
            int child;
            const uint32_t id = uint32_t(e.arg[0]);
            if (tasks_.count(id) || gr_vm_fork(vm_, t->pid, &child) != GR_VM_OK) {
                rc = GR_VM_INVAL;
                break;
            }
            task &ct = tasks_[id];
            ct.pid = child;
            ct.brk_known = t->brk_known;
            ct.brk = t->brk;
            break;
        }
        case GR_TREC_EXEC:
            rc = gr_vm_munmap(vm_, t->pid, 0, USER_TOP);
            t->brk_known = false;
            break;
        case GR_TREC_EXIT:
            rc = gr_vm_exit(vm_, t->pid);
            tasks_.erase(e.task);
            cur_ = nullptr;
            break;
        case GR_TREC_TLBI: {
            static const gr_tlbi_op ops[6] = {GR_TLBI_VMALLE1, GR_TLBI_VAE1,  GR_TLBI_ASIDE1,
                                              GR_TLBI_VAAE1,   GR_TLBI_VALE1, GR_TLBI_VAALE1};
            const unsigned op = unsigned(e.arg[0]) & 0xf;
            if (op < 6)
                be_tlbi(this, ops[op], e.va, asid_);
            break;
        }
        default: /* context switch: task_get did it */
            break;
        }
        if (rc != GR_VM_OK)
            c.event_errors++;
        return true;
    }

private:
    struct task {
        int pid = 0;
        bool brk_known = false;
        uint64_t brk = 0;
    };

    /* The cycle the next operation is presented: back to back (the cycle
     * after the previous request was accepted, GR_MMU_T_NEXT's rule), or
     * with --blocking when its response is valid; after a register write
     * or TLBI, the first cycle requests are accepted again. */
    void next(uint64_t t)
    {
        next_t_ = t;
        p_->advance(t);
    }

    void xlate(const gr_mmu_req &in, gr_mmu_resp &rs)
    {
        op_log l;
        l.kind = op_log::XLATE;
        l.rq = in;
        l.rq.t = l.t = next_t_;
        l.rq.retry = retry_;
        p_->translate(l.rq, rs, l.fsc, l.auth_va);
        l.rs = rs;
        l.done = rs.t_valid;
        log.push_back(l);
        c.translations++;
        next(blocking_ ? rs.t_valid : rs.t_accept + 1);
    }

    void one(const gr_mmu_req &q)
    {
        gr_mmu_resp rs;
        xlate(q, rs);
        if (rs.fault.type != GR_FAULT_NONE)
            on_fault(q, rs);
    }

    task *task_get(uint32_t id)
    {
        if (cur_ && cur_id_ == id)
            return cur_;
        auto it = tasks_.find(id);
        task *t;
        if (it == tasks_.end()) {
            /* An empty user address space: everything the trace touches is
             * the trace's own (the VM layer's default image is unmapped). */
            char name[32];
            snprintf(name, sizeof name, "task%" PRIu32, id);
            int pid;
            if (gr_vm_spawn(vm_, name, 12, nullptr, &pid) != GR_VM_OK)
                return nullptr;
            gr_vm_munmap(vm_, pid, 0, USER_TOP);
            t = &tasks_[id];
            t->pid = pid;
        } else {
            t = &it->second;
        }
        gr_vm_switch(vm_, t->pid);
        cur_ = t;
        cur_id_ = id;
        return t;
    }

    static unsigned prot_of(gr_acc a)
    {
        return a == GR_ACC_WRITE  ? GR_PROT_READ | GR_PROT_WRITE
               : a == GR_ACC_EXEC ? GR_PROT_READ | GR_PROT_EXEC
                                  : GR_PROT_READ;
    }
    static unsigned demand_prot(gr_acc a)
    {
        return a == GR_ACC_EXEC ? GR_PROT_READ | GR_PROT_EXEC : GR_PROT_READ | GR_PROT_WRITE;
    }

    /* The OS's part of a fault: map on demand or add the missing right,
     * then re-execute the access through the VM layer. */
    void on_fault(const gr_mmu_req &q, const gr_mmu_resp &f)
    {
        c.faults++;
        if (f.fault.type == GR_FAULT_PAC_FAIL) {
            c.pac_failures++;
            return;
        }
        const uint64_t va = log.back().auth_va;
        gr_vm_expect ex;
        gr_vm_lookup_page(vm_, cur_->pid, va, &ex);
        int rc = GR_VM_OK;
        if (!ex.mapped) {
            rc = va >= USER_TOP || q.r.el != 0 ? int(GR_VM_SEGV_MAPERR) : demand_map(va, q.r.acc);
        } else if ((ex.prot & prot_of(q.r.acc)) != prot_of(q.r.acc)) {
            gr_vmmap_entry *e = gr_vmmap_lookup(gr_vm_map_of(vm_, cur_->pid), va);
            rc = e ? gr_vm_mprotect(vm_, cur_->pid, e->start, e->end - e->start,
                                    ex.prot | demand_prot(q.r.acc))
                   : int(GR_VM_SEGV_MAPERR);
            c.upgrades += rc == GR_VM_OK;
        }
        if (rc == GR_VM_OK) {
            retry_ = true;
            gr_vm_result res;
            rc = gr_vm_access(vm_, cur_->pid, va, q.r.acc, nullptr, 0, &res);
            retry_ = false;
        }
        if (rc == GR_VM_NOMEM)
            c.nomem++;
        else if (rc != GR_VM_OK)
            c.violations++;
    }

    /* The aligned 2 MiB range around va, or what of it no mapping holds. */
    int demand_map(uint64_t va, gr_acc acc)
    {
        uint64_t lo = va >> DEMAND_SHIFT << DEMAND_SHIFT, hi = lo + (1ull << DEMAND_SHIFT);
        gr_vmmap *m = gr_vm_map_of(vm_, cur_->pid);
        for (unsigned i = 0; m && i < gr_vmmap_count(m); i++) {
            const gr_vmmap_entry *e = gr_vmmap_at(m, i);
            if (e->end <= va && e->end > lo)
                lo = e->end;
            if (e->start > va && e->start < hi)
                hi = e->start;
        }
        uint64_t out;
        int rc = gr_vm_mmap(vm_, cur_->pid, lo, hi - lo, demand_prot(acc),
                            GR_MAP_FIXED | GR_MAP_ANON | GR_MAP_PRIVATE, nullptr, 0, &out);
        c.demand_maps += rc == GR_VM_OK;
        return rc;
    }

    /* The pages wholly inside [va, va + len). */
    static bool inner(uint64_t va, uint64_t len, uint64_t &lo, uint64_t &hi)
    {
        lo = (va + PAGE - 1) & ~(PAGE - 1);
        hi = (va + len) & ~(PAGE - 1);
        return len && va + len > va && va + len <= USER_TOP && hi > lo;
    }

    /* mmap with MAP_FIXED semantics, over the pages the range touches. */
    int map(task *t, uint64_t va, uint64_t len, unsigned prot, bool shared)
    {
        const uint64_t lo = va & ~(PAGE - 1), hi = (va + len + PAGE - 1) & ~(PAGE - 1);
        if (!len || hi <= lo || hi > USER_TOP)
            return GR_VM_INVAL;
        gr_vm_munmap(vm_, t->pid, lo, hi - lo);
        uint64_t out;
        return gr_vm_mmap(vm_, t->pid, lo, hi - lo, prot,
                          GR_MAP_FIXED | GR_MAP_ANON | (shared ? GR_MAP_SHARED : GR_MAP_PRIVATE),
                          nullptr, 0, &out);
    }

    int unmap(task *t, uint64_t va, uint64_t len)
    {
        uint64_t lo, hi;
        return inner(va, len, lo, hi) ? gr_vm_munmap(vm_, t->pid, lo, hi - lo) : int(GR_VM_OK);
    }

    /* ---- the VM layer's MMU backend ---- */

    static void be_set_regs(void *ctx, const gr_regs *regs)
    {
        side *s = static_cast<side *>(ctx);
        gr_regs r = *regs;
        if (s->pac_overlay_) {
            /* As `granule replay --regs` (harness/replay/replay.c): the keys
             * are per-process state an OS sets at exec; a PAC trace was
             * signed with those of its REGS file, with its SCTLR_EL1
             * EnIA/EnIB/EnDA/EnDB and TCR_EL1 TBI0/1, TBID0/1 (which place
             * the PAC field, AArch64.CalculateBottomPACBit). */
            const uint64_t en = (1ull << 31) | (1ull << 30) | (1ull << 27) | (1ull << 13);
            const uint64_t tbi = (1ull << 37) | (1ull << 38) | (1ull << 51) | (1ull << 52);
            r.sctlr = (r.sctlr & ~en) | (s->pac_.sctlr & en);
            r.tcr = (r.tcr & ~tbi) | (s->pac_.tcr & tbi);
            r.apiakeyhi = s->pac_.apiakeyhi;
            r.apiakeylo = s->pac_.apiakeylo;
            r.apibkeyhi = s->pac_.apibkeyhi;
            r.apibkeylo = s->pac_.apibkeylo;
            r.apdakeyhi = s->pac_.apdakeyhi;
            r.apdakeylo = s->pac_.apdakeylo;
            r.apdbkeyhi = s->pac_.apdbkeyhi;
            r.apdbkeylo = s->pac_.apdbkeylo;
            r.apgakeyhi = s->pac_.apgakeyhi;
            r.apgakeylo = s->pac_.apgakeylo;
        }
        /* The implementation is the configuration's (docs/config.md "[pac]"). */
        gr_config_pac_idregs(&s->cfg_, &r.id_aa64isar1, &r.id_aa64isar2);
        gr_s1ctx d;
        gr_s1_decode(&r, &d);
        s->asid_ = s->cfg_.asid_bits == 8 ? d.asid & 0xff : d.asid;
        op_log l;
        l.kind = op_log::REGS;
        l.t = s->next_t_;
        l.done = s->p_->set_regs(r, l.t);
        s->log.push_back(l);
        s->next(l.done + 1);
    }

    static void be_translate(void *ctx, const gr_req *req, gr_xlat *x)
    {
        side *s = static_cast<side *>(ctx);
        gr_mmu_req q{};
        q.r = *req;
        gr_mmu_resp rs;
        s->xlate(q, rs);
        memset(x, 0, sizeof *x);
        x->req = *req;
        x->fault = rs.fault;
        x->pa = rs.pa;
        x->mair_attr = rs.mair_attr;
        x->asid = s->asid_;
        x->tte.page_shift = rs.page_shift;
        x->tte.level = rs.level;
        x->tte.sh = rs.sh;
        x->have_tte = rs.page_shift != 0;
        x->desc_written = rs.desc_written;
    }

    static void be_tlbi(void *ctx, gr_tlbi_op op, uint64_t va, uint16_t asid)
    {
        side *s = static_cast<side *>(ctx);
        op_log l;
        l.kind = op_log::TLBI;
        l.t = s->next_t_;
        l.ti = gr_tlbi{op, va, asid};
        l.done = s->p_->tlbi(l.ti, l.t);
        s->log.push_back(l);
        s->next(l.done);
    }

    static void be_destroy(void *) {}

    gr_config cfg_;
    gr_pmem *mem_;
    port *p_;
    bool blocking_;
    bool pac_overlay_;
    gr_regs pac_;
    gr_vm *vm_ = nullptr;
    std::map<uint32_t, task> tasks_;
    task *cur_ = nullptr;
    uint32_t cur_id_ = 0;
    uint64_t next_t_ = 0;
    bool retry_ = false;
    uint16_t asid_ = 0;
};

/* ---- comparison ---- */

const char *kind_name(int k)
{
    return k == op_log::XLATE ? "translate" : k == op_log::REGS ? "set_regs" : "tlbi";
}

/* Field by field, naming the first field that differs. */
const char *differs(const op_log &a, const op_log &b, bool rtl)
{
    if (a.kind != b.kind)
        return "operation";
    if (a.t != b.t)
        return "presented cycle";
    if (a.done != b.done)
        return a.kind == op_log::XLATE ? "t_valid" : "completion cycle";
    if (a.kind == op_log::TLBI)
        return a.ti.op != b.ti.op || a.ti.va != b.ti.va || a.ti.asid != b.ti.asid ? "tlbi operand"
                                                                                 : nullptr;
    if (a.kind != op_log::XLATE)
        return nullptr;
    if (a.rq.r.va != b.rq.r.va || a.rq.r.acc != b.rq.r.acc || a.rq.pac != b.rq.pac)
        return "request";
    const gr_mmu_resp &x = a.rs, &y = b.rs;
    if (x.t_accept != y.t_accept)
        return "t_accept";
    if (x.fault.type != y.fault.type)
        return "fault type";
    if (x.fault.level != y.fault.level)
        return "fault level";
    if (a.fsc != b.fsc)
        return "fault status code";
    if (x.fault.write != y.fault.write || x.fault.ifetch != y.fault.ifetch ||
        x.fault.paddr != y.fault.paddr)
        return "fault record";
    if (x.fault.type == GR_FAULT_NONE && x.pa != y.pa)
        return "pa";
    if (a.auth_va != b.auth_va)
        return "authenticated va";
    if (x.page_shift != y.page_shift)
        return "page size";
    if (x.level != y.level)
        return "level";
    if (x.mair_attr != y.mair_attr || x.sh != y.sh)
        return "attributes";
    /* Where a walk started is not an output of the RTL. */
    if (x.path != y.path || (!rtl && x.walk_level != y.walk_level) || x.nreads != y.nreads)
        return "path";
    if (x.desc_written != y.desc_written)
        return "descriptor update";
    return nullptr;
}

/* The two models' statistics (stats.h), counter by counter: the retry
 * flag and every path's counts travel through the extension only here. */
const char *stats_differ(const gr_stats *a, const gr_stats *b)
{
#define SAME_(f) (memcmp(&a->f, &b->f, sizeof a->f) == 0)
    if (!SAME_(requests) || !SAME_(accesses) || !SAME_(retries) || !SAME_(mmu_off) ||
        !SAME_(pac_requests))
        return "requests";
    const gr_stats_tlb *ta[3] = {&a->l1i, &a->l1d, &a->l2}, *tb[3] = {&b->l1i, &b->l1d, &b->l2};
    for (int i = 0; i < 3; i++) {
        const gr_stats_tlb &x = *ta[i], &y = *tb[i];
        if (memcmp(x.hits, y.hits, sizeof x.hits) || memcmp(x.misses, y.misses, sizeof x.misses) ||
            memcmp(x.evictions, y.evictions, sizeof x.evictions) ||
            memcmp(x.fills, y.fills, sizeof x.fills) || x.dirty_misses != y.dirty_misses ||
            x.perm_faults != y.perm_faults || x.tlbi_invalidated != y.tlbi_invalidated ||
            x.back_invalidated != y.back_invalidated)
            return i == 0 ? "l1i" : i == 1 ? "l1d" : "l2";
    }
    if (a->wc.lookups != b->wc.lookups || memcmp(a->wc.hits, b->wc.hits, sizeof a->wc.hits) ||
        memcmp(a->wc.fills, b->wc.fills, sizeof a->wc.fills) ||
        a->wc.evictions != b->wc.evictions || a->wc.tlbi_invalidated != b->wc.tlbi_invalidated)
        return "walk cache";
    if (!SAME_(walks) || !SAME_(walk_start) || !SAME_(reads) || !SAME_(walk_cycles) ||
        !SAME_(walk_hist) || !SAME_(af_updates) || !SAME_(dirty_updates))
        return "walker";
    if (!SAME_(faults))
        return "faults";
    if (!SAME_(latency_sum) || !SAME_(latency_hist) || !SAME_(stall_cycles) ||
        !SAME_(last_cycle))
        return "timing";
    if (!SAME_(tlbi) || !SAME_(reg_writes))
        return "maintenance";
#undef SAME_
    if ((a->asid == nullptr) != (b->asid == nullptr) ||
        (a->asid && memcmp(a->asid, b->asid, 65536 * sizeof *a->asid)))
        return "per-ASID counts";
    return nullptr;
}

void print_op(const char *who, const op_log &l)
{
    printf("  %-6s %-9s t=%" PRIu64 " done=%" PRIu64, who, kind_name(l.kind), l.t, l.done);
    if (l.kind == op_log::XLATE) {
        const gr_mmu_resp &r = l.rs;
        static const char *accs[] = {"read", "write", "fetch"};
        static const char *paths[] = {
#define PATH_NAME_(e, name) name,
            GR_MMU_PATH_LIST(PATH_NAME_)
#undef PATH_NAME_
        };
        printf(" va=0x%" PRIx64 " %s el=%u%s accept=%" PRIu64 " pa=0x%" PRIx64
               " fault=%s level=%d fsc=0x%02x page_shift=%u level=%u path=%s nreads=%u",
               l.rq.r.va, unsigned(l.rq.r.acc) < 3 ? accs[l.rq.r.acc] : "?",
               unsigned(l.rq.r.el), l.rq.pac ? " pac" : "", r.t_accept, r.pa,
               gr_fault_name(r.fault.type), int(r.fault.level), unsigned(l.fsc),
               unsigned(r.page_shift), unsigned(r.level),
               r.path < GR_MMU_PATH_COUNT ? paths[r.path] : "?", unsigned(r.nreads));
    } else if (l.kind == op_log::TLBI) {
        printf(" %s va=0x%" PRIx64 " asid=%u", gr_tlbi_name(l.ti.op), l.ti.va, unsigned(l.ti.asid));
    }
    printf("\n");
}

/* ---- the testbench module ---- */

SC_MODULE(testbench) {
    tlm_utils::simple_initiator_socket<sc_core::sc_module> sock, sock2;
    options o;
    gr_config cfg{};
    gr_pmem *mem_tlm = nullptr, *mem_ref = nullptr;
    gr_mmu *ref = nullptr;
    granule::mmu_tlm *dut = nullptr;  /* side a: the C flavour, or the RTL one */
    granule::mmu_tlm *dut2 = nullptr; /* side b with --mode rtl: the C flavour */
    const char *name_a = "tlm", *name_b = "direct";
    bus_log *bus_a = nullptr, *bus_b = nullptr; /* --mode rtl: each side's walker traffic */
    /* results */
    int rc = 0;
    uint64_t records = 0, ops = 0, compared = 0, divergences = 0, bus_compared = 0;
    uint64_t timing_errors = 0, status_errors = 0, xlates = 0;
    double seconds = 0;
    side_counts counts{};

    SC_CTOR(testbench) : sock("sock"), sock2("sock2") { SC_THREAD(run); }

    void run()
    {
        try {
            body();
        } catch (const std::exception &e) {
            fprintf(stderr, "granule-sc-replay: %s\n", e.what());
            rc = 2;
        }
        /* The RTL flavour's clock would keep the simulation going (its
         * "stopped by user" note is silenced in sc_main). Suspended, not
         * ended, as granule_tlm_rtl.cpp's reset thread (valgrind). */
        sc_core::sc_stop();
        sc_core::wait();
    }

    /* Compares and clears the two logs after a record. */
    void compare(side *a, side *b, uint64_t rec)
    {
        const size_t n = a->log.size() > b->log.size() ? a->log.size() : b->log.size();
        bool bad = false;
        for (size_t i = 0; i < n && !bad; i++) {
            if (i >= a->log.size() || i >= b->log.size()) {
                printf("divergence at record %" PRIu64 ": one side issued more operations\n", rec);
                bad = true;
                break;
            }
            const char *why = differs(a->log[i], b->log[i], o.mode == M_RTL);
            compared++;
            if (why) {
                printf("divergence at record %" PRIu64 ", operation %zu of the record: %s\n", rec,
                       i, why);
                print_op(name_a, a->log[i]);
                print_op(name_b, b->log[i]);
                bad = true;
            }
        }
        if (!bad && bus_a && bus_b)
            bad = compare_bus(rec);
        divergences += bad;
        a->log.clear();
        b->log.clear();
        if (bus_a && bus_b) {
            bus_compared += bus_a->log.size();
            bus_a->log.clear();
            bus_b->log.clear();
        }
    }

    /* The two sides' walker transactions of a record, one by one. The C
     * flavour mirrors a walk after the model updated the leaf (AF/dirty),
     * so its read of a descriptor the walk then writes returns the new
     * value where the RTL read the old: that read's data is not compared
     * (the write's is). Only that read: both sides' transactions are reads
     * and the next one to the same address is the C flavour's write. */
    bool compare_bus(uint64_t rec)
    {
        const std::vector<bus_op> &x = bus_a->log, &y = bus_b->log;
        auto rewritten = [&x, &y](size_t i) {
            if (x[i].write || y[i].write)
                return false;
            for (size_t j = i + 1; j < y.size(); j++)
                if (y[j].pa == y[i].pa)
                    return y[j].write;
            return false;
        };
        for (size_t i = 0; i < x.size() || i < y.size(); i++) {
            const char *why = i >= x.size() || i >= y.size() ? "one side made more"
                              : x[i].cycle != y[i].cycle      ? "cycle"
                              : x[i].write != y[i].write      ? "read or write"
                              : x[i].pa != y[i].pa            ? "address"
                              : x[i].data != y[i].data && !rewritten(i) ? "data"
                              : x[i].ok != y[i].ok            ? "response status"
                                                              : nullptr;
            if (!why)
                continue;
            printf("divergence at record %" PRIu64 ", walker memory transaction %zu of the "
                   "record: %s\n", rec, i, why);
            const std::vector<bus_op> *v[2] = {&x, &y};
            const char *who[2] = {name_a, name_b};
            for (int k = 0; k < 2; k++)
                if (i < v[k]->size()) {
                    const bus_op &b = (*v[k])[i];
                    printf("  %-6s %s cycle=%" PRIu64 " pa=0x%" PRIx64 " data=0x%016" PRIx64 "%s\n",
                           who[k], b.write ? "write" : "read ", b.cycle, b.pa, b.data,
                           b.ok ? "" : " (error)");
                }
            return true;
        }
        return false;
    }

    void body()
    {
        char err[512];
        gr_trace_reader *tr;
        if (gr_trace_reader_open(&tr, o.trace.c_str(), GR_TRACE_FMT_AUTO, err, sizeof err) !=
            GR_TRACE_OK) {
            fprintf(stderr, "granule-sc-replay: %s\n", err);
            rc = 2;
            return;
        }
        std::unique_ptr<gr_trace_reader, void (*)(gr_trace_reader *)> trg(tr, gr_trace_reader_close);
        auto *tp = new tlm_port(sock, dut->period());
        tlm_port *tp2 = dut2 ? new tlm_port(sock2, dut2->period()) : nullptr;
        std::unique_ptr<port> tlm_p(tp), ref_p(tp2 ? static_cast<port *>(tp2) : new direct_port(ref));
        std::unique_ptr<side> a, b;
        if (o.mode != M_DIRECT)
            a.reset(new side(cfg, mem_tlm, tlm_p.get(), o));
        if (o.mode == M_DIFF || o.mode == M_DIRECT || o.mode == M_RTL)
            b.reset(new side(cfg, mem_ref, ref_p.get(), o));
        /* The RTL flavour consumes simulated time (it returns in the cycle
         * it answered); the C flavour does not. Each record goes through
         * the C side first, so its operations start no earlier than the
         * current time, at the cycles the RTL side is about to reach. */
        side *order[2] = {a.get(), b.get()};
        if (o.mode == M_RTL)
            std::swap(order[0], order[1]);

        std::vector<gr_trace_rec> recs(1024);
        gr_trace_status st = GR_TRACE_OK;
        const double t0 = now_s();
        bool stop = false;
        while (!stop && st == GR_TRACE_OK) {
            size_t want = recs.size();
            if (o.limit && o.limit - records < want)
                want = size_t(o.limit - records);
            if (!want)
                break;
            size_t got = gr_trace_reader_read(tr, recs.data(), want, &st);
            for (size_t i = 0; i < got && !stop; i++) {
                const gr_trace_rec &x = recs[i];
                const bool acc = x.kind < GR_TREC_EVENT;
                for (side *s : order) {
                    if (s && !(acc ? s->access(x) : s->event(x))) {
                        fprintf(stderr, "granule-sc-replay: %s: record %" PRIu64
                                        ": cannot create task %" PRIu32 "\n",
                                o.trace.c_str(), records + i, x.task);
                        rc = 2;
                        stop = true;
                        break;
                    }
                }
                if (a && b) {
                    ops += a->log.size();
                    compare(a.get(), b.get(), records + i);
                    if (divergences && !o.keep_going) {
                        stop = true;
                        got = i + 1; /* records replayed: up to the divergence */
                    }
                } else {
                    for (side *s : {a.get(), b.get()})
                        if (s) {
                            ops += s->log.size();
                            s->log.clear();
                        }
                }
            }
            records += got;
        }
        seconds = now_s() - t0;
        if (st != GR_TRACE_OK && st != GR_TRACE_END) {
            fprintf(stderr, "granule-sc-replay: %s\n", gr_trace_reader_error(tr));
            rc = 2;
        }
        side *any = a ? a.get() : b.get();
        counts = any->c;
        xlates = any->c.translations;
        /* Teardown: the VM layers' exit TLBIs go through both MMUs too. */
        for (side *s : order)
            if (s)
                s->shutdown();
        if (a && b && !stop) {
            ops += a->log.size();
            compare(a.get(), b.get(), records);
        }
        timing_errors = tp->timing_errors + (tp2 ? tp2->timing_errors : 0);
        status_errors = tp->status_errors + (tp2 ? tp2->status_errors : 0);
    }
};

int usage(FILE *f)
{
    fprintf(f,
            "usage: granule-sc-replay [--config CFG] [--limit N]\n"
            "                         [--mode diff|tlm|direct|rtl|rtl-tlm] [--rtl-mem-read N]\n"
            "                         [--regs FILE] [--blocking] [--no-mirror] [--hw-af]\n"
            "                         [--keep-going] [--period-ps N] TRACE\n"
            "Replays TRACE through the SystemC TLM-2.0 MMU wrapper and, in lock-step, direct\n"
            "gr_mmu calls on a second model (--mode diff), or through the RTL flavour and the\n"
            "C flavour (--mode rtl, blocking issue); compares every response (docs/systemc.md).\n"
            "Exit status: 0 no divergence, 1 divergence, 2 bad input.\n");
    return f == stdout ? 0 : 2;
}

bool parse_u64(const char *s, uint64_t &v)
{
    return s && gr_parse_u64(s, &v) == 0;
}

} // namespace

int sc_main(int argc, char **argv)
{
    options o;
    for (int i = 1; i < argc; i++) {
        const std::string a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : nullptr;
        if (a == "--config" && v) {
            o.config = v;
            i++;
        } else if (a == "--limit" && v) {
            if (!parse_u64(v, o.limit)) {
                fprintf(stderr, "granule-sc-replay: --limit: `%s' is not a number\n", v);
                return 2;
            }
            i++;
        } else if (a == "--period-ps" && v) {
            if (!parse_u64(v, o.period_ps) || !o.period_ps) {
                fprintf(stderr, "granule-sc-replay: --period-ps: `%s' is not a positive number\n", v);
                return 2;
            }
            i++;
        } else if (a == "--mode" && v) {
            const std::string m = v;
            o.mode = -1;
            for (int k = 0; k < int(sizeof kModes / sizeof *kModes); k++)
                if (m == kModes[k])
                    o.mode = k;
            if (o.mode < 0) {
                fprintf(stderr,
                        "granule-sc-replay: --mode: `%s' is not diff, tlm, direct, rtl or rtl-tlm\n", v);
                return 2;
            }
            i++;
        } else if (a == "--rtl-mem-read" && v) {
            uint64_t n;
            if (!parse_u64(v, n) || n < 1 || n > 1000) {
                fprintf(stderr, "granule-sc-replay: --rtl-mem-read: `%s' is not a latency of 1 to 1000 cycles\n", v);
                return 2;
            }
            o.rtl_mem_read = long(n);
            i++;
        } else if (a == "--regs" && v) {
            gr_regs_reset(&o.pac_regs);
            char err[512];
            if (gr_regs_parse_file(&o.pac_regs, v, err, sizeof err) != 0) {
                fprintf(stderr, "granule-sc-replay: %s\n", err);
                return 2;
            }
            o.have_pac_regs = true;
            i++;
        } else if (a == "--blocking") {
            o.blocking = true;
        } else if (a == "--no-mirror") {
            o.mirror = false;
        } else if (a == "--hw-af") {
            o.hw_af = true;
        } else if (a == "--keep-going") {
            o.keep_going = true;
        } else if (a == "-h" || a == "--help") {
            return usage(stdout);
        } else if (a.size() > 1 && a[0] == '-') {
            fprintf(stderr, "granule-sc-replay: unknown option or missing value: %s\n", a.c_str());
            return usage(stderr);
        } else if (o.trace.empty()) {
            o.trace = a;
        } else {
            return usage(stderr);
        }
    }
    if (o.trace.empty())
        return usage(stderr);
    const bool rtl = o.mode == M_RTL || o.mode == M_RTL_TLM;
#if !GRANULE_HAVE_TLM_RTL
    if (rtl) {
        fprintf(stderr, "granule-sc-replay: --mode %s: built without the RTL flavour (no Verilator)\n",
                kModes[o.mode]);
        return 2;
    }
#endif
    if (o.mode == M_RTL && !o.mirror) {
        fprintf(stderr, "granule-sc-replay: --no-mirror: --mode rtl compares the C flavour's "
                        "mirrored walks with the RTL's bus traffic\n");
        return 2;
    }
    if (o.rtl_mem_read >= 0 && !rtl) {
        fprintf(stderr, "granule-sc-replay: --rtl-mem-read needs --mode rtl or rtl-tlm\n");
        return 2;
    }
    /* The RTL flavour answers in simulated time: the next operation cannot
     * be presented before the previous one's answer. */
    if (rtl)
        o.blocking = true;

    gr_config cfg;
    char err[512];
    if (gr_replay_load_config(&cfg, o.config.c_str(), err, sizeof err) != 0) {
        fprintf(stderr, "granule-sc-replay: %s\n", err);
        return 2;
    }
    std::unique_ptr<gr_pmem, void (*)(gr_pmem *)> mem_tlm(gr_pmem_create(), gr_pmem_destroy),
        mem_ref(gr_pmem_create(), gr_pmem_destroy);
    gr_mmu *ref = mem_ref ? gr_mmu_create(&cfg, mem_ref.get()) : nullptr;
    std::unique_ptr<gr_mmu, void (*)(gr_mmu *)> refg(ref, gr_mmu_destroy);
    if (!mem_tlm || !ref) {
        fprintf(stderr, "granule-sc-replay: out of memory\n");
        return 2;
    }
    const sc_time period = sc_time::from_value(o.period_ps * uint64_t(sc_time(1, sc_core::SC_PS).value()));
    /* Side a's module: the C flavour, or with --mode rtl/rtl-tlm the RTL
     * one; with --mode rtl side b is a C flavour on its own memory. */
    std::unique_ptr<granule::mmu_tlm_c> cdut, cdut2;
    std::unique_ptr<granule::mmu_tlm> rdut;
    granule::mmu_tlm *dut = nullptr;
    try {
        if (!rtl) {
            cdut.reset(new granule::mmu_tlm_c("mmu", cfg, mem_tlm.get(), period));
            cdut->mirror_walks(o.mirror);
            dut = cdut.get();
        }
#if GRANULE_HAVE_TLM_RTL
        else {
            auto *r = new granule::mmu_tlm_rtl("mmu_rtl", cfg, period);
            rdut.reset(r);
            if (o.rtl_mem_read >= 0)
                r->set_mem_latency(unsigned(o.rtl_mem_read), cfg.mem.write);
            dut = r;
        }
#endif
        if (o.mode == M_RTL) {
            cdut2.reset(new granule::mmu_tlm_c("mmu_c", cfg, mem_ref.get(), period));
            cdut2->mirror_walks(o.mirror);
        }
    } catch (const std::exception &e) {
        fprintf(stderr, "granule-sc-replay: %s\n", e.what());
        return 2;
    }
    granule::pmem_target ram("ram", mem_tlm.get(), period * double(cfg.mem.read),
                             period * double(cfg.mem.write));
    granule::pmem_target ram2("ram2", mem_ref.get(), period * double(cfg.mem.read),
                              period * double(cfg.mem.write));
    testbench tb("tb");
    tb.o = o;
    tb.cfg = cfg;
    tb.mem_tlm = mem_tlm.get();
    tb.mem_ref = mem_ref.get();
    tb.ref = ref;
    tb.dut = dut;
    tb.dut2 = cdut2.get();
    if (rtl) {
        tb.name_a = "rtl";
        tb.name_b = "c";
    }
    tb.sock.bind(dut->tgt);
    /* --mode rtl: each flavour's memory traffic is logged and compared. */
    bus_log bus_a("bus_a"), bus_b("bus_b");
    bus_a.period = bus_b.period = period.value();
    if (o.mode == M_RTL) {
        dut->mem.bind(bus_a.tgt);
        bus_a.out.bind(ram.tgt);
        tb.bus_a = &bus_a;
        tb.bus_b = &bus_b;
    } else {
        dut->mem.bind(ram.tgt);
        bus_a.out.bind(bus_b.tgt); /* unused: bound to each other */
        bus_b.out.bind(bus_a.tgt);
    }
    /* Unused sockets are bound too (SystemC requires it). */
    granule::mmu_tlm_c *spare = cdut2 ? cdut2.get() : nullptr;
    std::unique_ptr<granule::mmu_tlm_c> idle;
    if (!spare) {
        idle.reset(new granule::mmu_tlm_c("idle", cfg, mem_ref.get(), period));
        spare = idle.get();
    }
    tb.sock2.bind(spare->tgt);
    if (o.mode == M_RTL) {
        spare->mem.bind(bus_b.tgt);
        bus_b.out.bind(ram2.tgt);
    } else {
        spare->mem.bind(ram2.tgt);
    }
    sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    sc_core::sc_start();
    if (tb.rc)
        return tb.rc;

    const granule::mmu_tlm_c *cside = cdut ? cdut.get() : cdut2.get();
    static const granule::mmu_tlm_c::mirror_counts no_mirror{};
    const auto &mc = cside ? cside->get_mirror_counts() : no_mirror;
    const auto &bc = dut->get_counts();
    printf("sc-replay of %s, config %s, mode %s, %s issue%s\n", o.trace.c_str(), cfg.name,
           kModes[o.mode], o.blocking ? "blocking" : "back-to-back", o.hw_af ? ", hardware AF" : "");
    printf("  records          %12" PRIu64 "\n", tb.records);
    printf("  translations     %12" PRIu64 "  (per side)\n", tb.xlates);
    printf("  operations       %12" PRIu64 "  translations + register writes + TLBIs (per side)\n",
           tb.ops);
    printf("  faults           %12" PRIu64 "  (demand maps %" PRIu64 ", upgrades %" PRIu64
           ", violations %" PRIu64 ", pac failures %" PRIu64 ")\n",
           tb.counts.faults, tb.counts.demand_maps, tb.counts.upgrades, tb.counts.violations,
           tb.counts.pac_failures);
    printf("  events           %12" PRIu64 "  (rejected %" PRIu64 ")\n", tb.counts.events,
           tb.counts.event_errors);
    const char *sdiff = nullptr;
    if (o.mode == M_DIFF || o.mode == M_RTL) {
        printf("  compared         %12" PRIu64 "  operations compared field by field\n"
               "  divergences      %12" PRIu64 "  records whose operations differed\n",
               tb.compared, tb.divergences);
        if (o.mode == M_RTL)
            printf("  walker bus       %12" PRIu64 "  memory transactions compared (cycle, address, data, status)\n",
                   tb.bus_compared);
    }
    if (o.mode == M_DIFF) {
        sdiff = stats_differ(gr_mmu_stats(cdut->model()), gr_mmu_stats(ref));
        printf("  statistics       %12s  the two models' counters%s%s\n", sdiff ? "differ" : "equal",
               sdiff ? ": " : "", sdiff ? sdiff : "");
    }
    if (o.mode != M_DIRECT) {
        printf("  tlm transactions %12" PRIu64 "  (translations %" PRIu64 ", set_regs %" PRIu64
               ", tlbi %" PRIu64 ", bad %" PRIu64 "), stall %" PRIu64 " cycles\n",
               bc.translations + bc.set_regs + bc.tlbis, bc.translations, bc.set_regs, bc.tlbis,
               bc.bad_requests, bc.stall_cycles);
        printf("  timing errors    %12" PRIu64 "  annotations not ending at the reported cycle\n",
               tb.timing_errors + tb.status_errors);
        if (cside)
            printf("  walk mirror      %12" PRIu64 "  walks of the C flavour (reads %" PRIu64
                   ", writes %" PRIu64 ", mismatches %" PRIu64 "; memory target reads %" PRIu64
                   " writes %" PRIu64 ")\n",
                   mc.walks, mc.reads, mc.writes, mc.mismatches, (rtl ? ram2 : ram).reads(),
                   (rtl ? ram2 : ram).writes());
#if GRANULE_HAVE_TLM_RTL
        if (rtl) {
            const auto &rc = static_cast<granule::mmu_tlm_rtl *>(rdut.get())->get_rtl_counts();
            printf("  rtl memory port  %12" PRIu64 "  walker reads on mem (writes %" PRIu64
                   ", bus errors %" PRIu64 "; memory latency %u/%u cycles)\n",
                   rc.reads, rc.writes, rc.bus_errors,
                   o.rtl_mem_read >= 0 ? unsigned(o.rtl_mem_read) : cfg.mem.read, cfg.mem.write);
        }
#endif
        printf("  simulated time   %s\n", sc_time_stamp().to_string().c_str());
    }
    printf("  wall             %12.3f s, %.2f M translations/s\n", tb.seconds,
           tb.seconds > 0 ? double(tb.xlates) / tb.seconds / 1e6 : 0.0);
    const bool bad = sdiff || tb.divergences || tb.timing_errors || tb.status_errors || mc.mismatches ||
                     bc.bad_requests;
    printf("verdict: %s\n", bad ? "DIVERGED" : o.mode == M_DIFF || o.mode == M_RTL ? "no divergence" : "ok");
    return bad ? 1 : 0;
}
