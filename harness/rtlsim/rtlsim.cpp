// granule — the C API of rtlsim.h over the Verilated mmu_top models
// (one per configuration, listed by the generated rtlsim_variants.h).
//
// The clocking is tests/rtl/tb_mmu.cpp's: per cycle, the falling edge with
// that cycle's inputs (memory answers due now, the event presented),
// evaluate, sample the outputs, rising edge. Two evaluations per cycle.
#include "rtlsim.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <utility>

// Verilator's headers and generated classes are not written for -Wextra.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "verilated.h"
#include "verilated_fst_c.h"

#include "rtlsim_variants.h"
#pragma GCC diagnostic pop

// The generated model's region functions (external, declared in no header).
#if VERILATOR_VERSION_INTEGER == 5006000
#define GR_RTLSIM_DECL_(cls, name, ini)                                                         \
    void cls##___024root___eval_triggers__act(cls##___024root *);                              \
    void cls##___024root___eval_act(cls##___024root *);                                        \
    void cls##___024root___eval_nba(cls##___024root *);
GR_RTLSIM_VARIANTS(GR_RTLSIM_DECL_)
#undef GR_RTLSIM_DECL_
#endif

namespace {

// Bits [lsb, lsb+width) of a Verilated wide signal (32-bit words), a word
// at a time: the request is written every cycle one is presented.
template <class W> void wset(W &w, int lsb, int width, uint64_t v)
{
    while (width > 0) {
        int i = lsb / 32, off = lsb % 32, n = 32 - off < width ? 32 - off : width;
        uint32_t mask = (n == 32 ? ~0u : ((1u << n) - 1u)) << off;
        w[i] = (w[i] & ~mask) | ((uint32_t)(v << off) & mask);
        v >>= n;
        lsb += n;
        width -= n;
    }
}

template <class W> uint64_t wget(const W &w, int lsb, int width)
{
    uint64_t v = 0;
    for (int got = 0; got < width;) {
        int i = lsb / 32, off = lsb % 32, n = 32 - off < width - got ? 32 - off : width - got;
        uint64_t bits = ((uint32_t)w[i] >> off) & (n == 32 ? ~0u : ((1u << n) - 1u));
        v |= bits << got;
        got += n;
        lsb += n;
    }
    return v;
}

// Bits [lsb, lsb+width) of a signal Verilated as an integer (up to 64
// bits) or as a wide array.
template <class W> uint64_t field(const W &w, int lsb, int width)
{
    if constexpr (std::is_integral_v<W>) {
        uint64_t v = (uint64_t)w >> lsb;
        return width >= 64 ? v : v & ((1ull << width) - 1);
    } else {
        return wget(w, lsb, width);
    }
}

// Whether the Verilated top has the debug read port (rtl/mmu_top.sv
// dbg_*): models built from an RTL without it still compile.
template <class T, class = void> struct HasDbg : std::false_type {};
template <class T>
struct HasDbg<T, std::void_t<decltype(std::declval<T &>().dbg_en_i)>> : std::true_type {};

// The debug port's entry layouts (docs/rtl.md "Debug read port").
// A TLB's: granule_pkg::tlb_entry_t, packed from bit 0: tte_t (half,
// contiguous, dbm, pxn, uxn, ap_table[1:0], ap[1:0], sh[1:0],
// attr_index[2:0], level[1:0], oa = OA[51:12]), asid[15:0], global,
// psize[2:0], vkey = VA[55:12]; tests/rtl/tb_tlb.cpp decodes the same.
// A walk cache's: rtl/walkcache.sv's F* positions.
constexpr int kTteHalf = 0, kTteContig = 1, kTteDbm = 2, kTtePxn = 3, kTteUxn = 4,
              kTteApt = 5, kTteAp = 7, kTteSh = 9, kTteAttr = 11, kTteLevel = 14, kTteOa = 16,
              kOaW = 40, kEntAsid = 56, kEntGlobal = 72, kEntPsize = 73, kEntVkey = 76;
constexpr int kWcVkey = 0, kWcGbits = 44, kWcLevel = 49, kWcAsid = 51, kWcPxn = 67,
              kWcUxn = 68, kWcApt = 69, kWcTable = 71;

template <class W> void decode_tlb(const W &w, gr_rtlsim_entry *e)
{
    e->half = (uint8_t)field(w, kTteHalf, 1);
    e->contiguous = field(w, kTteContig, 1);
    e->wclean = field(w, kTteDbm, 1);
    e->pxn = field(w, kTtePxn, 1);
    e->uxn = field(w, kTteUxn, 1);
    e->ap_table = (uint8_t)field(w, kTteApt, 2);
    e->ap = (uint8_t)field(w, kTteAp, 2);
    e->sh = (uint8_t)field(w, kTteSh, 2);
    e->attr_index = (uint8_t)field(w, kTteAttr, 3);
    e->level = (uint8_t)field(w, kTteLevel, 2);
    e->pa = field(w, kTteOa, kOaW) << 12;
    e->asid = (uint16_t)field(w, kEntAsid, 16);
    e->global = field(w, kEntGlobal, 1);
    e->psize = (uint8_t)field(w, kEntPsize, 3);
    e->va = field(w, kEntVkey, 44) << 12;
}

template <class W> void decode_wc(const W &w, gr_rtlsim_entry *e)
{
    e->va = field(w, kWcVkey, 44) << 12;
    e->gbits = (uint8_t)field(w, kWcGbits, 5);
    e->level = (uint8_t)field(w, kWcLevel, 2);
    e->asid = (uint16_t)field(w, kWcAsid, 16);
    e->pxn = field(w, kWcPxn, 1);
    e->uxn = field(w, kWcUxn, 1);
    e->ap_table = (uint8_t)field(w, kWcApt, 2);
    e->pa = field(w, kWcTable, kOaW) << 12;
}

// What is presented in a cycle.
enum class Ev { None, Req, Regs, Tlbi };

struct Pending {
    uint64_t due, data;
    bool err;
};

// The rising edge. The model's eval() first re-runs the whole
// input-combinational region (`ico`) although no input changed since the
// falling edge's eval() (which settled it), then the clocked region
// (`nba`); ico is about half of the model's time (docs/cosim.md "Speed").
// For the Verilator this was written against, posedge_nba() runs only the
// trigger computation and the nba loop of eval(), in eval()'s order;
// other versions (whose internals may differ) and traced cycles (whose
// activity flag eval_step() sets) take eval().
#if VERILATOR_VERSION_INTEGER == 5006000
#define GR_RTLSIM_FAST_EDGE 1
template <class T> void posedge_nba(T &t);
#define GR_RTLSIM_POSEDGE_(cls, name, ini)                                                      \
    template <> void posedge_nba<cls>(cls & t)                                                  \
    {                                                                                           \
        cls##___024root *r = t.rootp;                                                           \
        for (;;) {                                                                              \
            r->__VnbaTriggered.clear();                                                         \
            for (;;) {                                                                          \
                cls##___024root___eval_triggers__act(r);                                        \
                if (!r->__VactTriggered.any())                                                  \
                    break;                                                                      \
                r->__VnbaTriggered.set(r->__VactTriggered);                                     \
                cls##___024root___eval_act(r);                                                  \
            }                                                                                   \
            if (!r->__VnbaTriggered.any())                                                      \
                break;                                                                          \
            cls##___024root___eval_nba(r);                                                      \
        }                                                                                       \
    }
GR_RTLSIM_VARIANTS(GR_RTLSIM_POSEDGE_)
#undef GR_RTLSIM_POSEDGE_
#else
#define GR_RTLSIM_FAST_EDGE 0
#endif

// The part of the simulation that does not depend on the Verilated class.
class Sim {
  public:
    virtual ~Sim() = default;
    virtual void reset() = 0;
    // Presents what (fields set by the caller through the setters) in the
    // current cycle and simulates it. @return the event was accepted.
    virtual bool cycle(Ev what) = 0;
    virtual void set_req(const gr_mmu_req *rq) = 0;
    virtual void set_regs(const gr_regs *r) = 0;
    virtual void set_tlbi(const gr_tlbi *op) = 0;
    virtual void trace_close() = 0;
    virtual bool has_dbg() const = 0;
    // The debug port's entry (unit, set, way). @return false without a port.
    virtual bool read_entry(unsigned unit, unsigned set, unsigned way, gr_rtlsim_entry *out) = 0;

    gr_pmem *mem = nullptr;
    unsigned rd = 1, wr = 1;
    uint64_t now = 0;
    std::deque<Pending> rq, wq;
    std::deque<uint64_t> tags; // of the outstanding requests, in order
    std::deque<gr_rtlsim_rsp> rsps;
    std::deque<gr_rtlsim_write> writes;
    std::deque<uint64_t> tlbi_done;
    std::unique_ptr<VerilatedContext> ctx;
    // The waveform window (gr_rtlsim_trace_window): armed until cycle
    // tr_from is simulated, then written to tr_path up to cycle tr_to.
    std::string tr_path;
    uint64_t tr_from = 0, tr_to = 0, tr_first = 0, tr_last = 0;
    bool tr_armed = false, tr_any = false;

    void clear()
    {
        now = 0;
        rq.clear();
        wq.clear();
        tags.clear();
        rsps.clear();
        writes.clear();
        tlbi_done.clear();
    }
};

template <class T> class SimOf final : public Sim {
  public:
    SimOf()
    {
        ctx.reset(new VerilatedContext);
        // Before the model: trace() later requires it.
        ctx->traceEverOn(true);
        top_.reset(new T{ctx.get(), "mmu"});
        reset();
    }
    ~SimOf() override
    {
        trace_close();
        top_->final();
    }

    void trace_close() override
    {
        tr_armed = false;
        if (tfp_) {
            tfp_->close();
            tfp_.reset();
        }
    }

    void reset() override
    {
        trace_close();
        clear();
        idle();
        top_->clk_i = 0;
        top_->rst_ni = 1;
        top_->eval();
        top_->rst_ni = 0;
        top_->eval();
        top_->rst_ni = 1;
        top_->eval();
    }

    void set_req(const gr_mmu_req *q) override
    {
        auto &w = top_->req_i;
        wset(w, 70, 64, q->r.va);
        wset(w, 68, 2, (uint64_t)q->r.acc);
        wset(w, 67, 1, q->r.el);
        wset(w, 66, 1, q->pac);
        wset(w, 64, 2, (uint64_t)q->key);
        wset(w, 0, 64, q->modifier);
    }

    void set_regs(const gr_regs *r) override
    {
        top_->reg_tcr_i = r->tcr;
        top_->reg_ttbr0_i = r->ttbr0;
        top_->reg_ttbr1_i = r->ttbr1;
        top_->reg_mair_i = r->mair;
        top_->reg_sctlr_i = r->sctlr;
        top_->reg_pan_i = r->pstate_pan & 1;
        top_->reg_mmfr0_i = r->id_aa64mmfr0;
        top_->reg_isar1_i = r->id_aa64isar1;
        top_->reg_isar2_i = r->id_aa64isar2;
        const uint64_t hi[4] = {r->apiakeyhi, r->apibkeyhi, r->apdakeyhi, r->apdbkeyhi};
        const uint64_t lo[4] = {r->apiakeylo, r->apibkeylo, r->apdakeylo, r->apdbkeylo};
        for (int k = 0; k < 4; k++) {
            wset(top_->reg_key_hi_i, 64 * k, 64, hi[k]);
            wset(top_->reg_key_lo_i, 64 * k, 64, lo[k]);
        }
    }

    void set_tlbi(const gr_tlbi *op) override
    {
        top_->tlbi_op_i = op->op;
        top_->tlbi_va_i = op->va;
        top_->tlbi_asid_i = op->asid;
    }

    bool cycle(Ev what) override
    {
        T &t = *top_;
        if (tr_armed && now >= tr_from)
            trace_open();
        idle();
        t.req_valid_i = what == Ev::Req;
        t.reg_valid_i = what == Ev::Regs;
        t.tlbi_valid_i = what == Ev::Tlbi;
        t.clk_i = 0;
        t.mem_rsp_valid_i = 0;
        t.mem_rsp_err_i = 0;
        if (!rq.empty() && rq.front().due == now) {
            t.mem_rsp_valid_i = 1;
            t.mem_rsp_data_i = rq.front().data;
            t.mem_rsp_err_i = rq.front().err;
            rq.pop_front();
        }
        t.mem_wr_rsp_valid_i = 0;
        t.mem_wr_rsp_err_i = 0;
        if (!wq.empty() && wq.front().due == now) {
            t.mem_wr_rsp_valid_i = 1;
            t.mem_wr_rsp_err_i = wq.front().err;
            wq.pop_front();
        }
        t.mem_req_ready_i = 1;
        t.mem_wr_ready_i = 1;
        t.eval();
        if (tfp_)
            tfp_->dump(10 * now);
        bool acc = (what == Ev::Req && t.req_ready_o) || (what == Ev::Regs && t.reg_ready_o) ||
                   (what == Ev::Tlbi && t.tlbi_ready_o);
        if (t.mem_req_valid_o) {
            uint64_t v = 0;
            bool err = gr_pmem_read64(mem, t.mem_req_pa_o, &v) != GR_PMEM_OK;
            rq.push_back({now + rd, v, err});
        }
        if (t.mem_wr_valid_o) {
            bool err = gr_pmem_write64(mem, t.mem_wr_pa_o, t.mem_wr_data_o) != GR_PMEM_OK;
            wq.push_back({now + wr, 0, err});
            writes.push_back({now, (uint64_t)t.mem_wr_pa_o, (uint64_t)t.mem_wr_data_o});
        }
        if (t.tlbi_done_o)
            tlbi_done.push_back(now);
        if (t.rsp_valid_o) {
            const auto &w = t.rsp_o;
            gr_rtlsim_rsp r;
            r.tag = tags.empty() ? UINT64_MAX : tags.front();
            if (!tags.empty())
                tags.pop_front();
            r.t_valid = now;
            r.pa = wget(w, 24, 52);
            r.mair_attr = (uint8_t)wget(w, 16, 8);
            r.sh = (uint8_t)wget(w, 14, 2);
            r.fault_type = (uint8_t)wget(w, 8, 3);
            r.fault_level = (uint8_t)wget(w, 6, 2);
            r.fsc = (uint8_t)wget(w, 0, 6);
            r.page_shift = t.rsp_page_shift_o;
            r.level = t.rsp_level_o;
            r.path = t.rsp_path_o;
            r.nreads = t.rsp_nreads_o;
            r.desc_written = t.rsp_desc_written_o;
            rsps.push_back(r);
        }
        t.clk_i = 1;
#if GR_RTLSIM_FAST_EDGE
        if (!tfp_)
            posedge_nba(t);
        else
#endif
            t.eval();
        if (tfp_) {
            tfp_->dump(10 * now + 5);
            if (!tr_any)
                tr_first = now;
            tr_any = true;
            tr_last = now;
            if (now >= tr_to)
                trace_close();
        }
        now++;
        ctx->timeInc(1);
        return acc;
    }

    bool has_dbg() const override { return HasDbg<T>::value; }

    bool read_entry(unsigned unit, unsigned set, unsigned way, gr_rtlsim_entry *out) override
    {
        *out = gr_rtlsim_entry{};
        if constexpr (HasDbg<T>::value) {
            T &t = *top_;
            // A combinational read after the last rising edge: clk_i stays
            // high, so eval() settles the port's outputs and triggers no
            // register. The port is disabled again before the next cycle
            // (whose falling edge, and waveform sample, sees it off).
            t.dbg_en_i = 1;
            t.dbg_unit_i = unit;
            t.dbg_set_i = set;
            t.dbg_way_i = way;
            t.eval();
            out->valid = t.dbg_valid_o;
            if (out->valid) {
                if (unit >= GR_RTLSIM_WC0)
                    decode_wc(t.dbg_entry_o, out);
                else
                    decode_tlb(t.dbg_entry_o, out);
            }
            t.dbg_en_i = 0;
            t.dbg_unit_i = 0;
            t.dbg_set_i = 0;
            t.dbg_way_i = 0;
            t.eval();
            return true;
        } else {
            (void)unit;
            (void)set;
            (void)way;
            return false;
        }
    }

  private:
    void trace_open()
    {
        tr_armed = false;
        tfp_.reset(new VerilatedFstC);
        top_->trace(tfp_.get(), 99);
        tfp_->open(tr_path.c_str());
    }
    void idle()
    {
        top_->req_valid_i = 0;
        top_->reg_valid_i = 0;
        top_->tlbi_valid_i = 0;
        if constexpr (HasDbg<T>::value)
            top_->dbg_en_i = 0;
    }
    std::unique_ptr<T> top_;
    std::unique_ptr<VerilatedFstC> tfp_;
};

struct Variant {
    const char *name, *ini;
    Sim *(*make)();
};

template <class T> Sim *make_sim() { return new SimOf<T>; }

#define GR_RTLSIM_ENTRY_(cls, name, ini) {name, ini, &make_sim<cls>},
const Variant kVariants[] = {GR_RTLSIM_VARIANTS(GR_RTLSIM_ENTRY_)};
#undef GR_RTLSIM_ENTRY_

} // namespace

struct gr_rtlsim {
    std::unique_ptr<Sim> sim;
};

extern "C" {

const char *gr_rtlsim_models(void)
{
    static std::string names;
    if (names.empty())
        for (const Variant &v : kVariants)
            names += (names.empty() ? "" : " ") + std::string(v.name);
    return names.c_str();
}

static gr_rtlsim *make(const Variant &v, const gr_config *cfg, gr_pmem *mem, char *err,
                       size_t errlen)
{
    gr_rtlsim *s = new (std::nothrow) gr_rtlsim;
    if (!s) {
        std::snprintf(err, errlen, "out of memory");
        return nullptr;
    }
    try {
        s->sim.reset(v.make());
    } catch (const std::bad_alloc &) {
        delete s;
        std::snprintf(err, errlen, "out of memory");
        return nullptr;
    }
    s->sim->mem = mem;
    s->sim->rd = cfg->mem.read;
    s->sim->wr = cfg->mem.write;
    return s;
}

gr_rtlsim *gr_rtlsim_create_named(const char *name, const gr_config *cfg, gr_pmem *mem,
                                  char *err, size_t errlen)
{
    for (const Variant &v : kVariants)
        if (std::strcmp(v.name, name) == 0)
            return make(v, cfg, mem, err, errlen);
    std::snprintf(err, errlen, "no RTL model named %s (built: %s)", name, gr_rtlsim_models());
    return nullptr;
}

gr_rtlsim *gr_rtlsim_create(const gr_config *cfg, gr_pmem *mem, char *err, size_t errlen)
{
    for (const Variant &v : kVariants) {
        gr_config c;
        char e[256];
        if (gr_config_load(&c, v.ini, e, sizeof e) != 0)
            continue;
        const int same = gr_config_same_rtl(&c, cfg);
        if (same < 0) {
            std::snprintf(err, errlen, "out of memory");
            return nullptr;
        }
        if (same)
            return make(v, cfg, mem, err, errlen);
    }
    std::snprintf(err, errlen,
                  "configuration %s has no Verilated RTL model (built for: %s; its "
                  "`granule config sv` package must equal one of theirs)",
                  cfg->name, gr_rtlsim_models());
    return nullptr;
}

void gr_rtlsim_destroy(gr_rtlsim *s) { delete s; }

void gr_rtlsim_reset(gr_rtlsim *s) { s->sim->reset(); }

uint64_t gr_rtlsim_cycle(const gr_rtlsim *s) { return s->sim->now; }

void gr_rtlsim_run_to(gr_rtlsim *s, uint64_t t)
{
    while (s->sim->now < t)
        s->sim->cycle(Ev::None);
}

// Presents what from cycle t until accepted.
static uint64_t present(gr_rtlsim *s, Ev what, uint64_t t, uint64_t max_wait)
{
    Sim &m = *s->sim;
    if (t != GR_MMU_T_NEXT)
        gr_rtlsim_run_to(s, t);
    for (uint64_t i = 0; i <= max_wait; i++) {
        uint64_t at = m.now;
        if (m.cycle(what))
            return at;
    }
    return UINT64_MAX;
}

uint64_t gr_rtlsim_set_regs(gr_rtlsim *s, const gr_regs *regs, uint64_t t, uint64_t max_wait)
{
    s->sim->set_regs(regs);
    return present(s, Ev::Regs, t, max_wait);
}

uint64_t gr_rtlsim_tlbi(gr_rtlsim *s, const gr_tlbi *op, uint64_t t, uint64_t max_wait)
{
    s->sim->set_tlbi(op);
    return present(s, Ev::Tlbi, t, max_wait);
}

uint64_t gr_rtlsim_submit(gr_rtlsim *s, const gr_mmu_req *rq, uint64_t tag, uint64_t max_wait)
{
    s->sim->set_req(rq);
    // Tagged before the cycle: a response can be valid in the cycle its
    // request is accepted only for an earlier request, which is ahead in
    // the queue.
    s->sim->tags.push_back(tag);
    uint64_t at = present(s, Ev::Req, rq->t, max_wait);
    if (at == UINT64_MAX)
        s->sim->tags.pop_back();
    return at;
}

int gr_rtlsim_trace_window(gr_rtlsim *s, const char *path, uint64_t from, uint64_t to,
                           char *err, size_t errlen)
{
    Sim &m = *s->sim;
    m.trace_close();
    // The FST writer does not report a file it cannot create: try first.
    FILE *f = std::fopen(path, "wb");
    if (!f) {
        std::snprintf(err, errlen, "%s: %s", path, std::strerror(errno));
        return -1;
    }
    std::fclose(f);
    m.tr_path = path;
    m.tr_from = from;
    m.tr_to = to;
    m.tr_armed = true;
    m.tr_any = false;
    return 0;
}

bool gr_rtlsim_trace_span(const gr_rtlsim *s, uint64_t *first, uint64_t *last)
{
    *first = s->sim->tr_first;
    *last = s->sim->tr_last;
    return s->sim->tr_any;
}

bool gr_rtlsim_has_debug_port(const gr_rtlsim *s) { return s->sim->has_dbg(); }

int gr_rtlsim_read_entry(gr_rtlsim *s, gr_rtlsim_unit unit, unsigned set, unsigned way,
                         gr_rtlsim_entry *out)
{
    return s->sim->read_entry((unsigned)unit, set, way, out) ? 0 : -1;
}

size_t gr_rtlsim_outstanding(const gr_rtlsim *s) { return s->sim->tags.size(); }

int gr_rtlsim_drain(gr_rtlsim *s, uint64_t max_wait)
{
    for (uint64_t i = 0; !s->sim->tags.empty(); i++) {
        if (i >= max_wait)
            return -1;
        s->sim->cycle(Ev::None);
    }
    return 0;
}

bool gr_rtlsim_pop_rsp(gr_rtlsim *s, gr_rtlsim_rsp *out)
{
    if (s->sim->rsps.empty())
        return false;
    *out = s->sim->rsps.front();
    s->sim->rsps.pop_front();
    return true;
}

bool gr_rtlsim_pop_write(gr_rtlsim *s, gr_rtlsim_write *out)
{
    if (s->sim->writes.empty())
        return false;
    *out = s->sim->writes.front();
    s->sim->writes.pop_front();
    return true;
}

bool gr_rtlsim_pop_tlbi_done(gr_rtlsim *s, uint64_t *cycle)
{
    if (s->sim->tlbi_done.empty())
        return false;
    *cycle = s->sim->tlbi_done.front();
    s->sim->tlbi_done.pop_front();
    return true;
}

} // extern "C"
