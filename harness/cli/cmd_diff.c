/* granule diff: a trace through the VM layer with the C model and the RTL
 * in lock-step (docs/cosim.md). The replay drives the model as `granule
 * replay` does; a replay hook (gr_replay_hook) hands every register write,
 * TLBI and translation the model performed, with the model's cycles, to the
 * Verilated RTL (harness/rtlsim), which is given the same event in the same
 * cycle; the RTL's responses, TLBI completions and walker writes are
 * compared with the model's as the simulation reaches them. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "replay.h"

static const char usage[] =
    "usage: granule diff [options] TRACE...\n"
    "\n"
    "Replays each TRACE on an empty machine with the C model and the RTL MMU\n"
    "(Verilated rtl/mmu_top.sv) in lock-step: the VM layer builds the page\n"
    "tables and resolves faults once (with the model's results), both MMUs get\n"
    "every register write, TLBI and translation in the same cycle, and every\n"
    "response is compared field by field (PA, attributes, shareability, page\n"
    "size, leaf level, fault type/level/status code, path, descriptor reads)\n"
    "and by cycle (acceptance, valid), as are TLBI completions and the\n"
    "walker's AF/dirty writes (address, data). docs/cosim.md.\n"
    "\n"
    "  --config CFG      configuration file or preset (default: small); the RTL\n"
    "                    must have been built for it (by default every preset)\n"
    "  --limit N         the first N records of each trace (K, M, G suffixes)\n"
    "  --keep-going      report every divergence instead of stopping at the first\n"
    "  --max-report N    with --keep-going, print at most N divergences (default 20)\n"
    "  --granule G       4k (default) or 16k: the tasks' page size\n"
    "  --ram SIZE        simulated RAM for the VM layer (default 8G)\n"
    "  --hw-af           TCR_EL1.HA = 1: the walkers set the access flag (their\n"
    "                    descriptor writes are compared)\n"
    "  --pageout         run the VM layer's pageout daemon when free RAM runs\n"
    "                    low (it clears AF; with a small --ram, walks meet\n"
    "                    AF = 0: docs/replay.md)\n"
    "  --regs FILE       PAC keys, enables and TBI for authenticating records, as\n"
    "                    for `granule replay --regs`\n"
    "  --rtl-model NAME  simulate the built RTL model NAME (default: the one whose\n"
    "                    generated package equals CFG's; granule-mutant's mutants)\n"
    "  --waves DIR       on the first divergence, write DIR/<trace>.fst: an FST\n"
    "                    waveform (GTKWave) of the RTL from --window cycles\n"
    "                    before it to 2 cycles after the one it was seen in, by\n"
    "                    replaying the trace again with tracing on in that window\n"
    "  --window N        cycles before the divergence in the waveform (default 64)\n"
    "  --history N       with each divergence printed, the last N transactions\n"
    "                    (translations, register writes, TLBIs) with both sides'\n"
    "                    results and cycles (default 16, at most 100000; 0: none)\n"
    "  --quiet           only the verdict line\n"
    "\n"
    "A divergence is printed with the trace record index, the request, both\n"
    "results and the cycle, the last --history transactions, and the entries of\n"
    "both sides' TLBs and walk caches in the sets the request's VA indexes.\n"
    "\n"
    "Exit status: 0 no divergence, 1 a divergence, 2 bad usage, configuration\n"
    "without an RTL model, or unreadable trace.\n";

#ifdef GRANULE_HAVE_RTLSIM
#include "rtlsim.h"

/* Cycles an event may wait for acceptance, or a response for its valid,
 * before the RTL is declared hung. The longest model latency is a PAC plus
 * a sequential L2 probe plus a four-level walk with an update: < 200. */
#define MAX_WAIT 10000u
#define QCAP 64u /* outstanding expectations: the lock-step keeps one or two */

typedef struct expect {
    uint64_t rec, seq;
    uint64_t hid; /* its event in the history */
    uint64_t va;  /* the VA looked up (a PAC request's: after Auth) */
    uint16_t asid;  /* the ASID and VA range parameters it was translated */
    gr_s1half half; /* with (the dump's marks and walk-cache sets) */
    gr_mmu_req rq;
    gr_mmu_resp rs;
} expect;

/* One transaction both sides were given, for the history (--history). */
typedef enum { EV_XLAT, EV_REGS, EV_TLBI } ev_kind;
typedef struct hist_ev {
    uint64_t id; /* events recorded before it */
    ev_kind kind;
    bool rtl_seen; /* the RTL's response or TLBI completion collected */
    bool rsp_differs; /* translation: any compared field of the response */
    uint64_t rec, seq;
    gr_mmu_req rq;
    gr_mmu_resp rs;
    gr_rtlsim_rsp g;
    uint64_t ttbr0, ttbr1; /* register write */
    gr_tlbi op;            /* TLBI */
    /* register write: performed; TLBI: completed; translation: accepted */
    uint64_t model_done, rtl_done;
} hist_ev;

typedef struct diff {
    const gr_config *cfg;
    const char *model; /* --rtl-model, or NULL */
    gr_rtlsim *rtl;
    bool keep_going, quiet, dead;
    unsigned max_report;
    char err[512];
    /* expected responses and TLBI completions, oldest first */
    expect q[QCAP];
    size_t qh, qn;
    uint64_t tq[QCAP];
    uint64_t tq_rec[QCAP];
    uint64_t tq_hid[QCAP];
    gr_tlbi tq_op[QCAP];
    size_t th, tn;
    /* the model's walker write still to be seen from the RTL */
    bool want_wr;
    uint64_t wr_rec, wr_pa, wr_data;
    uint64_t seq;
    uint64_t translations, regs, tlbis, writes, divergences;
    uint64_t first_rec;
    uint64_t div_cycle;  /* the cycle of the first divergence (the earlier side) */
    uint64_t seen_cycle; /* the last RTL cycle simulated when it was seen */
    gr_replay *r;
    /* --waves: the window to trace (a second pass; NULL in the first) */
    const char *tr_path;
    uint64_t tr_from, tr_to;
    /* --history: the last hist_n events, a ring indexed by id % hist_n */
    hist_ev *hist;
    unsigned hist_n;
    uint64_t nev; /* events recorded */
    gr_replay_hook hook;
    /* the context of the first divergence, printed by flush_context() */
    bool ctx_pending, ctx_have_va;
    uint64_t ctx_va;
    unsigned ctx_acc;
    uint16_t ctx_asid;
    gr_s1half ctx_half;
} diff;

static void print_req(const gr_mmu_req *q)
{
    static const char *acc[] = {"read", "write", "exec"};
    printf("    request: va %#018" PRIx64 " %s EL%u", q->r.va, acc[q->r.acc % 3], q->r.el);
    if (q->pac)
        printf(" pac key %u modifier %#" PRIx64, (unsigned)q->key, q->modifier);
    printf("\n");
}

static void rec_text(uint64_t rec, char *buf, size_t n)
{
    if (rec == UINT64_MAX)
        snprintf(buf, n, "boot (before record 0)");
    else
        snprintf(buf, n, "record %" PRIu64, rec);
}

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* ---- History (--history) ---------------------------------------------- */

/* A new event in the ring. @return it (NULL with --history 0). */
static hist_ev *hist_add(diff *d, ev_kind kind, uint64_t rec)
{
    uint64_t id = d->nev++;
    if (!d->hist_n)
        return NULL;
    hist_ev *h = &d->hist[id % d->hist_n];
    memset(h, 0, sizeof *h);
    h->id = id;
    h->kind = kind;
    h->rec = rec;
    return h;
}

/* Event id, if the ring still holds it. */
static hist_ev *hist_get(diff *d, uint64_t id)
{
    if (!d->hist_n || id >= d->nev)
        return NULL;
    hist_ev *h = &d->hist[id % d->hist_n];
    return h->id == id ? h : NULL;
}

/* "a" when both sides agree, else "a/b" (model/rtl); *differs set. */
static const char *pair(char *buf, size_t n, const char *fmt, uint64_t a, uint64_t b,
                        bool *differs)
{
    int k = snprintf(buf, n, fmt, a);
    if (a != b && k >= 0 && (size_t)k < n) {
        snprintf(buf + k, n - (size_t)k, "/");
        snprintf(buf + k + 1, n - (size_t)k - 1, fmt, b);
        *differs = true;
    }
    return buf;
}

static const char *path_name(unsigned p)
{
    static const char *const names[] = {
#define GR_PATH_NAME_(e, name) name,
        GR_MMU_PATH_LIST(GR_PATH_NAME_)
#undef GR_PATH_NAME_
    };
    return p < GR_MMU_PATH_COUNT ? names[p] : "?";
}

/* A response's outcome in words: "pa 0x..." or "translation fault L0". */
static void outcome(char *buf, size_t n, unsigned ftype, unsigned flevel, uint64_t pa)
{
    if (ftype == GR_FAULT_NONE)
        snprintf(buf, n, "pa %#" PRIx64, pa);
    else
        snprintf(buf, n, "%s fault L%u", gr_fault_name((gr_fault_type)ftype), flevel);
}

static void print_hist_ev(const hist_ev *h)
{
    static const char *acc[] = {"read", "write", "exec"};
    char rt[48], a[64], b[64], c[64];
    bool dif = false;
    if (h->rec == UINT64_MAX)
        snprintf(rt, sizeof rt, "boot");
    else
        snprintf(rt, sizeof rt, "record %" PRIu64, h->rec);
    switch (h->kind) {
    case EV_XLAT: {
        const gr_mmu_resp *w = &h->rs;
        char mo[96], ro[96], line[256];
        outcome(mo, sizeof mo, w->fault.type, (unsigned)(w->fault.level & 3), w->pa);
        snprintf(line, sizeof line, "%s translation %" PRIu64 ": %s va %#" PRIx64
                 " EL%u%s, accepted %s", rt, h->seq, acc[h->rq.r.acc % 3], h->rq.r.va,
                 h->rq.r.el, h->rq.pac ? " pac" : "",
                 pair(a, sizeof a, "%" PRIu64, w->t_accept, h->rtl_done, &dif));
        if (!h->rtl_seen) {
            printf("    %s %s, model: valid %" PRIu64 ", %s, %s; rtl: no response yet\n",
                   dif ? "*" : " ", line, w->t_valid, path_name(w->path), mo);
            return;
        }
        const gr_rtlsim_rsp *g = &h->g;
        outcome(ro, sizeof ro, g->fault_type, g->fault_level, g->pa);
        pair(b, sizeof b, "%" PRIu64, w->t_valid, g->t_valid, &dif);
        bool pdif = w->path != g->path, odif = strcmp(mo, ro) != 0;
        /* also a field not on this line (attributes, size, level, reads) */
        dif = dif || pdif || odif || h->rsp_differs;
        snprintf(c, sizeof c, "%s%s%s", path_name(w->path), pdif ? "/" : "",
                 pdif ? path_name(g->path) : "");
        printf("    %s %s, valid %s, %s, %s%s%s\n", dif ? "*" : " ", line, b, c, mo,
               odif ? " / " : "", odif ? ro : "");
        return;
    }
    case EV_REGS:
        pair(a, sizeof a, "%" PRIu64, h->model_done, h->rtl_done, &dif);
        printf("    %s %s register write: TTBR0 %#" PRIx64 " TTBR1 %#" PRIx64
               ", performed in cycle %s\n", dif ? "*" : " ", rt, h->ttbr0, h->ttbr1, a);
        return;
    case EV_TLBI:
        if (h->rtl_seen)
            pair(a, sizeof a, "%" PRIu64, h->model_done, h->rtl_done, &dif);
        else
            snprintf(a, sizeof a, "%" PRIu64 "/-", h->model_done);
        printf("    %s %s TLBI %s va %#" PRIx64 " asid %u, completed in cycle %s\n",
               dif || !h->rtl_seen ? "*" : " ", rt, gr_tlbi_name(h->op.op), h->op.va,
               (unsigned)h->op.asid, a);
        return;
    }
}

/* The last --history events, oldest first. */
static void print_history(const diff *d)
{
    if (!d->hist_n)
        return;
    uint64_t n = d->nev < d->hist_n ? d->nev : d->hist_n;
    printf("  the last %" PRIu64 " transactions, oldest first (model/rtl where they differ, "
           "marked *):\n", n);
    for (uint64_t id = d->nev - n; id < d->nev; id++)
        print_hist_ev(&d->hist[id % d->hist_n]);
}

/* ---- TLB and walk-cache entries of both sides --------------------------- */

/* One entry as the dump compares it, from either side. */
typedef struct dent {
    bool valid;
    uint64_t va;    /* TLB: first byte; walk cache: the region's (VA[55:0]) */
    uint8_t size;   /* TLB: gr_psize; walk cache: granule bits */
    uint8_t level;  /* TLB: leaf level; walk cache: cached descriptor's level */
    bool global;
    uint16_t asid;
    uint64_t pa;    /* TLB: OA of the first byte; walk cache: next table */
    uint8_t attr, sh, ap, apt, half;
    bool uxn, pxn, wclean, contig;
} dent;

static void dent_of_model_tlb(const gr_tlb_entry *e, uint16_t amask, dent *o)
{
    memset(o, 0, sizeof *o);
    if (!e)
        return;
    o->valid = true;
    o->va = e->vkey;
    o->size = e->psize;
    o->level = e->tte.level;
    o->global = e->global;
    o->asid = e->global ? 0 : e->asid & amask;
    o->pa = e->tte.oa_base;
    o->attr = e->tte.attr_index;
    o->sh = e->tte.sh;
    o->ap = e->tte.ap;
    o->apt = e->tte.ap_table;
    o->uxn = e->tte.uxn;
    o->pxn = e->tte.pxn;
    /* the RTL keeps DBM && AP[2] of the descriptor (writable-clean) */
    o->wclean = e->tte.dbm && ((e->tte.desc >> 7) & 1);
    o->contig = e->tte.contiguous;
    o->half = e->tte.half;
}

static void dent_of_model_wc(const gr_wc_entry *e, uint16_t amask, dent *o)
{
    memset(o, 0, sizeof *o);
    if (!e)
        return;
    o->valid = true;
    o->va = e->vkey;
    o->size = e->granule_bits;
    o->level = e->level;
    o->asid = e->asid & amask;
    o->pa = e->next.table;
    o->apt = e->next.ap_table;
    o->uxn = e->next.uxn_table;
    o->pxn = e->next.pxn_table;
}

static void dent_of_rtl(const gr_rtlsim_entry *e, bool wc, uint16_t amask, dent *o)
{
    memset(o, 0, sizeof *o);
    if (!e->valid)
        return;
    o->valid = true;
    o->va = e->va;
    o->size = wc ? e->gbits : e->psize;
    o->level = e->level;
    o->global = !wc && e->global;
    o->asid = o->global ? 0 : e->asid & amask;
    o->pa = e->pa;
    o->apt = e->ap_table;
    o->uxn = e->uxn;
    o->pxn = e->pxn;
    if (!wc) {
        o->attr = e->attr_index;
        o->sh = e->sh;
        o->ap = e->ap;
        o->wclean = e->wclean;
        o->contig = e->contiguous;
        o->half = e->half;
    }
}

static bool dent_eq(const dent *a, const dent *b)
{
    if (a->valid != b->valid)
        return false;
    return !a->valid ||
           (a->va == b->va && a->size == b->size && a->level == b->level &&
            a->global == b->global && a->asid == b->asid && a->pa == b->pa &&
            a->attr == b->attr && a->sh == b->sh && a->ap == b->ap && a->apt == b->apt &&
            a->half == b->half && a->uxn == b->uxn && a->pxn == b->pxn &&
            a->wclean == b->wclean && a->contig == b->contig);
}

/* log2 of the range an entry maps: its page size, or the region a walk
 * cache's table descriptor at its level maps (walkcache.h). */
static unsigned dent_shift(const dent *e, bool wc)
{
    if (wc)
        return e->size >= 12 && e->size <= 16 && e->level <= 2
                   ? e->size + (e->size - 3u) * (3u - e->level)
                   : 64; /* not a granule (a broken RTL's entry): covers nothing */
    return e->size < GR_PS_COUNT ? gr_config_psize_shift((gr_psize)e->size) : 64;
}

/* '>' the entry covers va with a tag the lookup for asid may use: global,
 * or asid's (Arm ARM "Global and process-specific translation table
 * entries"; walk-cache entries are all ASID tagged); '~' it covers va
 * under another ASID; ' ' otherwise. */
static char dent_mark(const dent *e, bool wc, uint64_t va, uint16_t asid)
{
    if (!e->valid)
        return ' ';
    unsigned sh = dent_shift(e, wc);
    if (sh >= 56 || ((va & GR_TLB_VA_MASK) >> sh) != (e->va >> sh))
        return ' ';
    return e->global || e->asid == asid ? '>' : '~';
}

/* One side's row of a way: lead is "* way N" (the first row, * if the
 * sides differ) or blank. */
static void print_dent(const char *lead, const char *side, const dent *e, bool wc, char mark)
{
    printf("    %-9s %-5s %c ", lead, side, mark);
    if (!e->valid) {
        printf("invalid\n");
        return;
    }
    if (wc) {
        printf("va 0x%016" PRIx64 " L%u %2uK asid %-5u next table %#" PRIx64
               " aptable %u uxntable %u pxntable %u\n", e->va, e->level,
               e->size >= 10 && e->size < 42 ? 1u << (e->size - 10) : 0, e->asid, e->pa, e->apt,
               e->uxn, e->pxn);
        return;
    }
    char asid[16];
    if (e->global)
        snprintf(asid, sizeof asid, "global");
    else
        snprintf(asid, sizeof asid, "asid %u", e->asid);
    printf("va 0x%016" PRIx64 " %-4s %-10s pa 0x%012" PRIx64 " L%u attr %u sh %u ap %u aptable %u"
           " uxn %u pxn %u wclean %u contig %u ttbr%u\n",
           e->va, e->size < GR_PS_COUNT ? gr_config_psize_name((gr_psize)e->size) : "?", asid,
           e->pa, e->level, e->attr,
           e->sh, e->ap, e->apt, e->uxn, e->pxn, e->wclean, e->contig, e->half);
}

/* Way w of a set on both sides; *have: the RTL's was read. */
static void read_way(diff *d, int unit, uint32_t ways, uint32_t set, uint32_t w, dent *me,
                     dent *re, bool *have)
{
    gr_mmu *m = gr_replay_mmu(d->r);
    bool wc = unit >= GR_RTLSIM_WC0;
    uint16_t amask = d->cfg->asid_bits >= 16 ? 0xFFFF : (uint16_t)((1u << d->cfg->asid_bits) - 1);
    int idx = (int)(set * ways + w);
    if (wc)
        dent_of_model_wc(gr_wc_entry_at(gr_mmu_wc(m, unit - GR_RTLSIM_WC0), idx), amask, me);
    else
        dent_of_model_tlb(gr_tlb_entry_at(gr_mmu_tlb(m, unit), idx), amask, me);
    gr_rtlsim_entry ge;
    *have = d->rtl && gr_rtlsim_has_debug_port(d->rtl) &&
            gr_rtlsim_read_entry(d->rtl, (gr_rtlsim_unit)unit, set, w, &ge) == 0;
    if (*have)
        dent_of_rtl(&ge, wc, amask, re);
}

/* The set of one structure (unit: gr_rtlsim_unit) both sides hold. */
static void print_set(diff *d, int unit, const gr_tlb_cfg *tc, uint32_t set, const char *what,
                      uint64_t va, uint16_t asid)
{
    bool wc = unit >= GR_RTLSIM_WC0;
    static const char *const names[] = {"l1i", "l1d", "l2", "walk cache 0", "walk cache 1",
                                        "walk cache 2", "walk cache 3"};
    /* The model's replacement state, as the victim its policy would pick
     * for this set now (the RTL's is not on the debug port). */
    gr_mmu *m = gr_replay_mmu(d->r);
    const gr_repl_state *rs;
    if (wc) {
        rs = gr_wc_repl(gr_mmu_wc(m, unit - GR_RTLSIM_WC0));
    } else {
        gr_tlb_view v;
        gr_tlb_view_get(gr_mmu_tlb(m, unit), &v);
        rs = v.repl;
    }
    dent me, re;
    bool have, empty = true;
    /* A fill takes the lowest invalid way before asking the policy
     * (docs/uarch.md "Way choice"). */
    uint32_t victim = UINT32_MAX;
    for (uint32_t w = 0; w < tc->ways; w++) {
        read_way(d, unit, tc->ways, set, w, &me, &re, &have);
        empty &= have && !me.valid && !re.valid;
        if (!me.valid && victim == UINT32_MAX)
            victim = w;
    }
    if (victim == UINT32_MAX)
        victim = gr_repl_next_victim(rs, set);
    printf("    %s set %u (%s; %u ways, %s, the model's next victim way %u):", names[unit], set,
           what, tc->ways, gr_config_repl_name(tc->repl), victim);
    if (empty) {
        printf(" every way invalid on both sides\n");
        return;
    }
    printf("\n");
    for (uint32_t w = 0; w < tc->ways; w++) {
        read_way(d, unit, tc->ways, set, w, &me, &re, &have);
        bool same = have && dent_eq(&me, &re);
        char lead[32];
        snprintf(lead, sizeof lead, "%s way %u", have && !same ? "*" : " ", w);
        if (same && !me.valid) {
            printf("    %-9s invalid on both sides\n", lead);
            continue;
        }
        print_dent(lead, "model", &me, wc, dent_mark(&me, wc, va, asid));
        if (have)
            print_dent("", "rtl", &re, wc, dent_mark(&re, wc, va, asid));
    }
}

/* The context of a divergence that names no VA. */
static const gr_s1half no_half;

/* print_entries()'s acc for a TLBI: both L1s. */
#define ACC_ANY 3u

/* The entries of every set va indexes in each structure a translation of
 * it looks up: the L1 of its access type (acc), the L2, the walk caches. */
static void print_entries(diff *d, uint64_t va, unsigned acc, uint16_t asid,
                          const gr_s1half *h)
{
    gr_replay *r = d->r;
    if (!r)
        return;
    gr_mmu *m = gr_replay_mmu(r);
    const gr_config *c = d->cfg;
    printf("  TLB and walk-cache entries of the sets va %#" PRIx64 " indexes, ASID %u, %s "
           "(> covers the va with a usable tag, ~ covers it under another ASID; * the "
           "sides differ):\n", va, (unsigned)asid,
           d->keep_going ? "when the divergence was seen"
                         : "after both sides handled the transactions above");
    if (d->rtl && !gr_rtlsim_has_debug_port(d->rtl))
        printf("    (rtl: this RTL model has no debug read port; model side only)\n");
    uint64_t v = va & GR_TLB_VA_MASK;
    const struct {
        int unit;
        const gr_tlb_cfg *tc;
        bool used;
    } tlbs[] = {{GR_RTLSIM_L1I, &c->l1i, acc == GR_ACC_EXEC || acc == ACC_ANY},
                {GR_RTLSIM_L1D, &c->l1d, acc != GR_ACC_EXEC},
                {GR_RTLSIM_L2, &c->l2, true}};
    for (size_t i = 0; i < sizeof tlbs / sizeof tlbs[0]; i++) {
        const gr_tlb_cfg *tc = tlbs[i].tc;
        const gr_tlb *t = tc->present ? gr_mmu_tlb(m, tlbs[i].unit) : NULL;
        if (!tlbs[i].used || !t || !tc->sets)
            continue;
        /* One set per held size (the set its lookup probes); the sizes that
         * index the same set are listed together. */
        bool done[GR_PS_COUNT] = {false};
        for (int p = 0; p < GR_PS_COUNT; p++) {
            if (!((tc->sizes >> p) & 1) || done[p])
                continue;
            uint32_t set = gr_tlb_set_of(t, v, (gr_psize)p);
            char what[64] = "";
            size_t len = 0;
            for (int q = p; q < GR_PS_COUNT; q++) {
                if (!((tc->sizes >> q) & 1) || gr_tlb_set_of(t, v, (gr_psize)q) != set)
                    continue;
                done[q] = true;
                len += (size_t)snprintf(what + len, sizeof what - len, "%s%s", len ? " " : "",
                                        gr_config_psize_name((gr_psize)q));
                if (len >= sizeof what)
                    break;
            }
            print_set(d, tlbs[i].unit, tc, set, what, va, asid);
        }
    }
    /* The walk caches' regions depend on the VA's granule (4K, 16K, 64K). */
    bool gran_ok = h->granule_bits == 12 || h->granule_bits == 14 || h->granule_bits == 16;
    for (int i = 0; i < GR_CONFIG_MAX_WC && gran_ok; i++) {
        const gr_tlb_cfg *tc = &c->wc[i];
        const gr_wc *w = tc->present ? gr_mmu_wc(m, i) : NULL;
        if (!w || !tc->sets)
            continue;
        bool done[3] = {false};
        for (int l = 0; l < 3; l++) {
            if (!((tc->levels >> l) & 1) || done[l])
                continue;
            uint32_t set = gr_wc_set_of(w, h, v, l);
            char what[64] = "";
            size_t len = 0;
            for (int q = l; q < 3; q++) {
                if (!((tc->levels >> q) & 1) || gr_wc_set_of(w, h, v, q) != set)
                    continue;
                done[q] = true;
                len += (size_t)snprintf(what + len, sizeof what - len, "%slevel %d",
                                        len ? ", " : "", q);
                if (len >= sizeof what)
                    break;
            }
            print_set(d, GR_RTLSIM_WC0 + i, tc, set, what, va, asid);
        }
    }
}

/* What follows a printed divergence: the history, and the entries of the
 * sets va indexes (have_va false: no request, no entries). Stopping at the
 * first divergence, it is printed when the hook that saw the divergence
 * ends (flush_context): the model has by then made every translation the
 * replay handed it, while the RTL may still be working on the last, so
 * the RTL is first run until it has answered every request (the replay
 * stops there: nothing else is presented). With --keep-going the RTL must
 * not run ahead of the replay: printed at once, as the two sides are. */
static void print_context(diff *d, bool have_va, uint64_t va, unsigned acc, uint16_t asid,
                          const gr_s1half *h)
{
    if (!d->keep_going) {
        d->ctx_pending = true;
        d->ctx_have_va = have_va;
        d->ctx_va = va;
        d->ctx_acc = acc;
        d->ctx_asid = asid;
        d->ctx_half = *h;
        return;
    }
    print_history(d);
    if (have_va)
        print_entries(d, va, acc, asid, h);
}

/* A TLBI's context: its ASID, and the granule of the VA's range now (a
 * TLBI comes between translations: the current registers are its). */
static void print_tlbi_context(diff *d, const gr_tlbi *op)
{
    gr_s1half h;
    memset(&h, 0, sizeof h);
    if (d->r)
        h = gr_mmu_ctx(gr_replay_mmu(d->r))->half[(op->va >> 55) & 1];
    print_context(d, gr_tlbi_by_va(op->op), op->va, ACC_ANY, op->asid, &h);
}

/* Counts a divergence in cycle cyc (UINT64_MAX: the current one); stops the
 * replay unless --keep-going. @return whether to print it. */
static bool diverged(diff *d, uint64_t rec, uint64_t cyc)
{
    if (d->dead)
        return false; /* stopped at the first: what follows is its echo */
    if (d->divergences++ == 0) {
        d->first_rec = rec;
        uint64_t now = d->rtl ? gr_rtlsim_cycle(d->rtl) : 0;
        d->seen_cycle = now ? now - 1 : 0;
        d->div_cycle = min64(cyc, d->seen_cycle);
    }
    if (!d->keep_going) {
        d->dead = true;
        if (d->r)
            gr_replay_stop(d->r);
    }
    return d->divergences <= d->max_report;
}

static void compare_rsp(diff *d, const expect *e, const gr_rtlsim_rsp *g)
{
    const gr_mmu_resp *w = &e->rs;
    unsigned fsc = gr_fault_fsc(&w->fault);
    bool ok = g->t_valid == w->t_valid && g->fault_type == (unsigned)w->fault.type &&
              g->fault_level == (unsigned)(w->fault.level & 3) && g->fsc == fsc &&
              g->path == w->path && g->page_shift == w->page_shift && g->level == w->level;
    if (w->fault.type == GR_FAULT_NONE)
        ok = ok && g->pa == w->pa && g->mair_attr == w->mair_attr && g->sh == w->sh;
    if (w->path == GR_MMU_PATH_WALK)
        ok = ok && g->nreads == w->nreads && g->desc_written == w->desc_written;
    hist_ev *h = hist_get(d, e->hid);
    if (h) {
        h->rtl_seen = true;
        h->rsp_differs = !ok;
        h->g = *g;
    }
    if (ok || !diverged(d, e->rec, min64(w->t_valid, g->t_valid)))
        return;
    char rt[48];
    rec_text(e->rec, rt, sizeof rt);
    printf("divergence at %s (translation %" PRIu64 "), response:\n", rt, e->seq);
    print_req(&e->rq);
    printf("    %-6s %10s %18s %5s %3s %4s %5s %5s %5s %5s %5s %4s\n", "", "valid", "pa", "fault",
           "lvl", "fsc", "attr", "sh", "shift", "level", "path", "reads");
    printf("    %-6s %10" PRIu64 " %#18" PRIx64 " %5u %3u %#4x %#5x %5u %5u %5u %5u %3u%s\n",
           "model", w->t_valid, w->pa, (unsigned)w->fault.type, (unsigned)(w->fault.level & 3),
           fsc, w->mair_attr, w->sh, w->page_shift, w->level, w->path, w->nreads,
           w->desc_written ? " written" : "");
    printf("    %-6s %10" PRIu64 " %#18" PRIx64 " %5u %3u %#4x %#5x %5u %5u %5u %5u %3u%s\n",
           "rtl", g->t_valid, g->pa, g->fault_type, g->fault_level, g->fsc, g->mair_attr, g->sh,
           g->page_shift, g->level, g->path, g->nreads, g->desc_written ? " written" : "");
    printf("    (accepted in cycle %" PRIu64 " on both sides)\n", w->t_accept);
    print_context(d, true, e->va, e->rq.r.acc, e->asid, &e->half);
}

/* Compares what the RTL produced so far with what the model expects. */
static void collect(diff *d)
{
    gr_rtlsim_rsp g;
    while (gr_rtlsim_pop_rsp(d->rtl, &g)) {
        if (d->qn == 0) {
            if (diverged(d, UINT64_MAX, g.t_valid)) {
                printf("divergence: the RTL gave a response in cycle %" PRIu64
                       " with none outstanding\n", g.t_valid);
                print_context(d, false, 0, 0, 0, &no_half);
            }
            continue;
        }
        const expect *e = &d->q[d->qh];
        d->qh = (d->qh + 1) % QCAP;
        d->qn--;
        compare_rsp(d, e, &g);
    }
    uint64_t c;
    while (gr_rtlsim_pop_tlbi_done(d->rtl, &c)) {
        if (d->tn == 0) {
            if (diverged(d, UINT64_MAX, c)) {
                printf("divergence: the RTL completed a TLBI in cycle %" PRIu64
                       " with none outstanding\n", c);
                print_context(d, false, 0, 0, 0, &no_half);
            }
            continue;
        }
        uint64_t want = d->tq[d->th], rec = d->tq_rec[d->th];
        const gr_tlbi op = d->tq_op[d->th];
        hist_ev *h = hist_get(d, d->tq_hid[d->th]);
        d->th = (d->th + 1) % QCAP;
        d->tn--;
        if (h) {
            h->rtl_seen = true;
            h->rtl_done = c;
        }
        if (c != want && diverged(d, rec, min64(c, want))) {
            char rt[48];
            rec_text(rec, rt, sizeof rt);
            printf("divergence at %s: TLBI %s va %#" PRIx64 " asid %u completed in cycle %"
                   PRIu64 " (RTL), %" PRIu64 " (model)\n", rt, gr_tlbi_name(op.op), op.va,
                   (unsigned)op.asid, c, want);
            print_tlbi_context(d, &op);
        }
    }
}

/* The pending context of the first divergence (print_context), once the
 * RTL has answered every request given to it: both sides have then handled
 * the same transactions. */
static void flush_context(diff *d)
{
    if (!d->ctx_pending)
        return;
    d->ctx_pending = false;
    if (d->rtl) {
        if (gr_rtlsim_drain(d->rtl, MAX_WAIT) != 0)
            printf("  (the RTL still has %zu responses outstanding after %u cycles)\n",
                   gr_rtlsim_outstanding(d->rtl), MAX_WAIT);
        collect(d); /* into the history; the diff has stopped */
    }
    print_history(d);
    if (d->ctx_have_va)
        print_entries(d, d->ctx_va, d->ctx_acc, d->ctx_asid, &d->ctx_half);
}

/* The RTL's walker writes against the model's one (if any). */
static void check_writes(diff *d, uint64_t rec, const expect *e)
{
    gr_rtlsim_write w;
    while (gr_rtlsim_pop_write(d->rtl, &w)) {
        if (!d->want_wr || w.pa != d->wr_pa || w.data != d->wr_data) {
            if (diverged(d, rec, w.cycle)) {
                char rt[48];
                rec_text(rec, rt, sizeof rt);
                printf("divergence at %s: walker write in cycle %" PRIu64 ": RTL [%#" PRIx64
                       "] = %#" PRIx64 ", model %s",
                       rt, w.cycle, w.pa, w.data, d->want_wr ? "" : "none\n");
                if (d->want_wr)
                    printf("[%#" PRIx64 "] = %#" PRIx64 "\n", d->wr_pa, d->wr_data);
                print_context(d, true, e->va, e->rq.r.acc, e->asid, &e->half);
            }
        }
        d->want_wr = false;
    }
}

static bool ensure_rtl(diff *d, gr_replay *r)
{
    d->r = r;
    if (d->rtl)
        return true;
    if (d->err[0])
        return false;
    d->rtl = d->model ? gr_rtlsim_create_named(d->model, d->cfg, gr_replay_pmem(r), d->err,
                                               sizeof d->err)
                      : gr_rtlsim_create(d->cfg, gr_replay_pmem(r), d->err, sizeof d->err);
    if (d->rtl && d->tr_path &&
        gr_rtlsim_trace_window(d->rtl, d->tr_path, d->tr_from, d->tr_to, d->err,
                               sizeof d->err) != 0) {
        gr_rtlsim_destroy(d->rtl);
        d->rtl = NULL;
    }
    if (!d->rtl) {
        d->dead = true;
        gr_replay_stop(r);
    }
    return d->rtl != NULL;
}

static void do_set_regs(diff *d, gr_replay *r, uint64_t rec, const gr_regs *regs, uint64_t t,
                        uint64_t done)
{
    if (d->dead || !ensure_rtl(d, r))
        return;
    d->regs++;
    hist_ev *h = hist_add(d, EV_REGS, rec);
    uint64_t at = gr_rtlsim_set_regs(d->rtl, regs, t, MAX_WAIT);
    if (h) {
        h->ttbr0 = regs->ttbr0;
        h->ttbr1 = regs->ttbr1;
        h->model_done = done;
        h->rtl_done = at;
        h->rtl_seen = true;
    }
    collect(d);
    if (at != done && diverged(d, rec, min64(at, done))) {
        char rt[48];
        rec_text(rec, rt, sizeof rt);
        printf("divergence at %s: register write presented in cycle %" PRIu64
               " performed in %" PRIu64 " (RTL), %" PRIu64 " (model)\n",
               rt, t, at, done);
        print_context(d, false, 0, 0, 0, &no_half);
    }
}

static void do_tlbi(diff *d, gr_replay *r, uint64_t rec, const gr_tlbi *op, uint64_t t,
                    uint64_t done)
{
    if (d->dead || !ensure_rtl(d, r))
        return;
    d->tlbis++;
    if (d->tn == QCAP)
        collect(d);
    if (d->tn == QCAP) {
        /* QCAP TLBI completions overdue: the lock-step keeps one or two. */
        if (diverged(d, d->tq_rec[d->th], UINT64_MAX)) {
            printf("divergence: %u TLBI completions outstanding on the RTL\n", QCAP);
            print_context(d, false, 0, 0, 0, &no_half);
        }
        d->dead = true;
        gr_replay_stop(r);
        return;
    }
    size_t i = (d->th + d->tn++) % QCAP;
    hist_ev *h = hist_add(d, EV_TLBI, rec);
    if (h) {
        h->op = *op;
        h->model_done = done;
    }
    d->tq[i] = done;
    d->tq_rec[i] = rec;
    d->tq_hid[i] = d->nev - 1;
    d->tq_op[i] = *op;
    uint64_t at = gr_rtlsim_tlbi(d->rtl, op, t, MAX_WAIT);
    collect(d);
    if (at == UINT64_MAX && diverged(d, rec, UINT64_MAX)) {
        char rt[48];
        rec_text(rec, rt, sizeof rt);
        printf("divergence at %s: TLBI %s va %#" PRIx64 " asid %u presented in cycle %"
               PRIu64 " never accepted by the RTL\n", rt, gr_tlbi_name(op->op), op->va,
               (unsigned)op->asid, t);
        print_tlbi_context(d, op);
    }
}

static void do_translated(diff *d, gr_replay *r, uint64_t rec, const gr_mmu_req *rq,
                          const gr_mmu_resp *rs)
{
    if (d->dead || !ensure_rtl(d, r))
        return;
    d->translations++;
    gr_pmem *mem = gr_replay_pmem(r);
    /* The model walked and updated the leaf at once; the RTL walks over
     * the next cycles and must find the descriptor as the model found it:
     * the model's update is undone until the RTL has made its own, and the
     * two writes are compared (docs/cosim.md "How faults, TLBIs and
     * memory are shared"). */
    uint64_t model_raw = 0;
    const gr_xlat *wk = NULL;
    if (rs->path == GR_MMU_PATH_WALK && rs->desc_written) {
        wk = gr_mmu_last_walk(gr_replay_mmu(r));
        /* The leaf as the walk read it: tte.desc is the updated value
         * after gr_ptw_update(), reads[] keeps what was fetched. */
        const gr_ptw_read *leaf = NULL;
        for (unsigned k = wk->nreads; k-- > 0 && !leaf;)
            if (wk->reads[k].pa == wk->tte.desc_pa)
                leaf = &wk->reads[k];
        if (leaf && gr_pmem_read64(mem, wk->tte.desc_pa, &model_raw) == GR_PMEM_OK) {
            uint64_t old = leaf->val;
            if (gr_mmu_ctx(gr_replay_mmu(r))->ee)
                old = __builtin_bswap64(old);
            gr_pmem_write64(mem, wk->tte.desc_pa, old);
            d->want_wr = true;
            d->wr_rec = rec;
            d->wr_pa = wk->tte.desc_pa;
            d->wr_data = model_raw;
            d->writes++;
        } else {
            wk = NULL;
        }
    }
    if (d->qn == QCAP)
        collect(d);
    if (d->qn == QCAP) {
        /* QCAP responses overdue: the lock-step keeps one or two. */
        if (diverged(d, d->q[d->qh].rec, UINT64_MAX)) {
            printf("divergence: %u responses outstanding on the RTL\n", QCAP);
            print_context(d, false, 0, 0, 0, &no_half);
        }
        d->dead = true;
        d->want_wr = false;
        if (wk) /* the model's memory is the reference */
            gr_pmem_write64(mem, wk->tte.desc_pa, model_raw);
        gr_replay_stop(r);
        return;
    }
    size_t i = (d->qh + d->qn++) % QCAP;
    expect *e = &d->q[i];
    e->rec = rec;
    e->seq = d->translations - 1;
    e->rq = *rq;
    e->rs = *rs;
    /* A PAC failure (FEAT_FPAC) translated nothing: its pointer as given. */
    e->va = rq->pac && rs->fault.type != GR_FAULT_PAC_FAIL ? gr_mmu_last_pac_va(gr_replay_mmu(r))
                                                         : rq->r.va;
    e->asid = gr_mmu_asid(gr_replay_mmu(r));
    e->half = gr_mmu_ctx(gr_replay_mmu(r))->half[(e->va >> 55) & 1];
    hist_ev *h = hist_add(d, EV_XLAT, rec);
    e->hid = d->nev - 1;
    uint64_t at = gr_rtlsim_submit(d->rtl, rq, e->seq, MAX_WAIT);
    if (h) {
        h->seq = e->seq;
        h->rq = *rq;
        h->rs = *rs;
        h->rtl_done = at;
    }
    /* Earlier responses first: a late one also delays this acceptance,
     * and the first divergence is the one to report. */
    collect(d);
    if (at != rs->t_accept && diverged(d, rec, min64(at, rs->t_accept))) {
        char rt[48];
        rec_text(rec, rt, sizeof rt);
        printf("divergence at %s (translation %" PRIu64 "): accepted in cycle %" PRIu64
               " (RTL), %" PRIu64 " (model)\n", rt, e->seq, at, rs->t_accept);
        print_req(rq);
        print_context(d, true, e->va, rq->r.acc, e->asid, &e->half);
    }
    /* Every read of this request's walk is issued before its valid cycle:
     * run the RTL that far before the VM layer may change the tables. */
    gr_rtlsim_run_to(d->rtl, rs->t_valid);
    collect(d);
    check_writes(d, rec, e);
    if (wk) {
        if (d->want_wr && diverged(d, rec, UINT64_MAX)) {
            char rt[48];
            rec_text(rec, rt, sizeof rt);
            printf("divergence at %s (translation %" PRIu64 "): the model wrote [%#" PRIx64
                   "] = %#" PRIx64 ", the RTL no write by cycle %" PRIu64 "\n",
                   rt, e->seq, d->wr_pa, d->wr_data, rs->t_valid);
            print_req(rq);
            print_context(d, true, e->va, rq->r.acc, e->asid, &e->half);
        }
        d->want_wr = false;
        /* The model's memory is the reference from here on. */
        gr_pmem_write64(mem, wk->tte.desc_pa, model_raw);
    }
}

/* The replay hooks: each event, then the context of a divergence it
 * showed. */
static void hook_set_regs(void *ctx, gr_replay *r, uint64_t rec, const gr_regs *regs,
                          uint64_t t, uint64_t done)
{
    do_set_regs(ctx, r, rec, regs, t, done);
    flush_context(ctx);
}

static void hook_tlbi(void *ctx, gr_replay *r, uint64_t rec, const gr_tlbi *op, uint64_t t,
                      uint64_t done)
{
    do_tlbi(ctx, r, rec, op, t, done);
    flush_context(ctx);
}

static void hook_translated(void *ctx, gr_replay *r, uint64_t rec, const gr_mmu_req *rq,
                            const gr_mmu_resp *rs)
{
    do_translated(ctx, r, rec, rq, rs);
    flush_context(ctx);
}

/* The end of a trace: every outstanding response and completion. */
static void finish(diff *d)
{
    if (!d->rtl || d->dead)
        return;
    if (gr_rtlsim_drain(d->rtl, MAX_WAIT) != 0 && diverged(d, d->q[d->qh].rec, UINT64_MAX)) {
        printf("divergence: %zu responses never became valid on the RTL\n",
               gr_rtlsim_outstanding(d->rtl));
        print_context(d, false, 0, 0, 0, &no_half);
    }
    gr_rtlsim_run_to(d->rtl, gr_rtlsim_cycle(d->rtl) + 64);
    collect(d);
    if ((d->qn || d->tn) &&
        diverged(d, d->qn ? d->q[d->qh].rec : d->tq_rec[d->th], UINT64_MAX)) {
        printf("divergence: %zu responses and %zu TLBI completions expected but not seen\n",
               d->qn, d->tn);
        print_context(d, false, 0, 0, 0, &no_half);
    }
    flush_context(d);
}

/* The process's CPU time: the rate is per CPU second, since the shared
 * machine's scheduling otherwise dominates the wall time. */
static double cpu_seconds(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
        return -1.0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One pass of the diff over a trace: the state, its replay hook and the
 * replay, with the RTL created (and, with tr_path, its waveform window
 * armed). @return NULL after printing why (out of memory, a bad replay
 * option, no RTL model for cfg). */
static diff *diff_open(const gr_config *cfg, const char *model, gr_replay_opts *o,
                       unsigned hist_n, const char *tr_path, uint64_t tr_from, uint64_t tr_to)
{
    diff *d = calloc(1, sizeof *d);
    if (d && hist_n && !(d->hist = calloc(hist_n, sizeof *d->hist))) {
        free(d);
        d = NULL;
    }
    if (!d) {
        gr_cli_error("diff", "out of memory");
        return NULL;
    }
    d->cfg = cfg;
    d->model = model;
    d->hist_n = hist_n;
    d->tr_path = tr_path;
    d->tr_from = tr_from;
    d->tr_to = tr_to;
    d->hook = (gr_replay_hook){d, hook_translated, hook_set_regs, hook_tlbi};
    o->hook = &d->hook;
    char err[512];
    gr_replay *r = gr_replay_create(cfg, o, err, sizeof err);
    if (!r) {
        gr_cli_error("diff", "%s", err);
        free(d->hist);
        free(d);
        return NULL;
    }
    if (!ensure_rtl(d, r)) {
        gr_cli_error("diff", "%s%s", tr_path ? "--waves: " : "", d->err);
        gr_replay_destroy(r);
        free(d->hist);
        free(d);
        return NULL;
    }
    return d;
}

/* Frees d, its replay and its RTL (which closes a waveform). */
static void diff_close(diff *d)
{
    d->dead = true; /* the VM layer's teardown TLBIs are not compared */
    gr_replay_destroy(d->r);
    gr_rtlsim_destroy(d->rtl);
    free(d->hist);
    free(d);
}

/* --waves: the replay is deterministic (the same trace, options and
 * configuration give the same events in the same cycles), so the trace is
 * replayed again up to the first divergence with the RTL's tracing
 * switched on only from `window` cycles before the cycle of the divergence:
 * no waveform of the whole run is kept. @return an exit status. */
static int write_waves(const gr_config *cfg, const char *model, gr_replay_opts *o,
                       const char *path, const char *dir, uint64_t window, const diff *first)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        gr_cli_error("diff", "--waves %s: %s", dir, strerror(errno));
        return GR_EXIT_USAGE;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        n = (size_t)(dot - base);
    char fst[4096];
    if (snprintf(fst, sizeof fst, "%s/%.*s.fst", dir, (int)n, base) >= (int)sizeof fst) {
        gr_cli_error("diff", "--waves %s: path too long", dir);
        return GR_EXIT_USAGE;
    }
    /* Nothing printed in this pass (the first printed the report): no
     * history, and no debug-port read that the waveform could show. */
    diff *d = diff_open(cfg, model, o, 0, fst,
                        first->div_cycle > window ? first->div_cycle - window : 0,
                        first->seen_cycle + 2);
    if (!d)
        return GR_EXIT_USAGE;
    d->max_report = 0;
    d->quiet = true;
    char err[512];
    int rc = GR_EXIT_OK;
    if (gr_replay_run(d->r, path, err, sizeof err) != 0) {
        gr_cli_error("diff", "%s", err);
        rc = GR_EXIT_USAGE;
    } else {
        if (!d->divergences)
            finish(d);
        uint64_t a = 0, b = 0;
        bool same = d->divergences && d->first_rec == first->first_rec &&
                    d->div_cycle == first->div_cycle && d->seen_cycle == first->seen_cycle;
        if (!same) {
            gr_cli_error("diff", "--waves: replaying %s again did not reach the same first "
                         "divergence (cycle %" PRIu64 "): no waveform", base, first->div_cycle);
            rc = GR_EXIT_USAGE;
        } else {
            /* The cycles after it, as far as the window reaches. */
            gr_rtlsim_run_to(d->rtl, d->tr_to + 1);
            if (!gr_rtlsim_trace_span(d->rtl, &a, &b)) {
                gr_cli_error("diff", "--waves: no cycle traced");
                rc = GR_EXIT_USAGE;
            } else {
                printf("waves: %s: RTL cycles %" PRIu64 " to %" PRIu64 " (first divergence in "
                       "cycle %" PRIu64 ", seen in cycle %" PRIu64 "; 10 time units a cycle, "
                       "falling edge at 10c)\n", fst, a, b, first->div_cycle, first->seen_cycle);
            }
        }
    }
    diff_close(d);
    return rc;
}

static int run_one(const gr_config *cfg, const char *model, gr_replay_opts *o, const char *path,
                   bool keep_going, unsigned max_report, bool quiet, const char *waves,
                   uint64_t window, unsigned history)
{
    diff *d = diff_open(cfg, model, o, history, NULL, 0, 0);
    if (!d)
        return GR_EXIT_USAGE;
    d->keep_going = keep_going;
    d->max_report = keep_going ? max_report : 1;
    d->quiet = quiet;
    char err[512];
    int rc = GR_EXIT_OK;
    const double cpu0 = cpu_seconds();
    if (gr_replay_run(d->r, path, err, sizeof err) != 0) {
        gr_cli_error("diff", "%s", err);
        rc = GR_EXIT_USAGE;
    } else {
        finish(d);
        double cpu = cpu_seconds() - cpu0;
        const gr_replay_counts *c = gr_replay_counts_get(d->r);
        double rate = cpu > 0 ? (double)d->translations / cpu : 0.0;
        const char *base = strrchr(path, '/');
        if (!quiet)
            printf("%s (%s): %" PRIu64 " records, %" PRIu64 " register writes, %" PRIu64
                   " TLBIs, %" PRIu64 " walker writes; %" PRIu64 " RTL cycles in %.2f s "
                   "(%.2f s of CPU): %.0f translations/s of CPU time in lock-step\n",
                   base ? base + 1 : path, cfg->name, c->records, d->regs, d->tlbis, d->writes,
                   gr_rtlsim_cycle(d->rtl), c->seconds, cpu, rate);
        printf("granule diff %s: %" PRIu64 " translations, %" PRIu64 " divergences",
               base ? base + 1 : path, d->translations, d->divergences);
        if (d->divergences)
            printf(" (first at %s%" PRIu64 ")",
                   d->first_rec == UINT64_MAX ? "boot" : "record ",
                   d->first_rec == UINT64_MAX ? (uint64_t)0 : d->first_rec);
        printf("\n");
        if (d->divergences)
            rc = GR_EXIT_VERDICT;
    }
    diff first = *d;
    diff_close(d);
    if (rc == GR_EXIT_VERDICT && waves) {
        fflush(stdout);
        int k = write_waves(cfg, model, o, path, waves, window, &first);
        if (k != GR_EXIT_OK)
            rc = k;
    }
    return rc;
}
#endif

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        /* 'O': an option the replaying commands share (gr_replay_parse_opt). */
        {"config", required_argument, NULL, 'c'}, {"limit", required_argument, NULL, 'O'},
        {"keep-going", no_argument, NULL, 'k'},  {"max-report", required_argument, NULL, 'm'},
        {"granule", required_argument, NULL, 'O'}, {"ram", required_argument, NULL, 'O'},
        {"quiet", no_argument, NULL, 'q'},       {"help", no_argument, NULL, 'h'},
        {"regs", required_argument, NULL, 'O'},  {"rtl-model", required_argument, NULL, 'M'},
        {"waves", required_argument, NULL, 'w'}, {"window", required_argument, NULL, 'W'},
        {"history", required_argument, NULL, 'H'}, {"hw-af", no_argument, NULL, 'O'},
        {"pageout", no_argument, NULL, 'O'},       {NULL, 0, NULL, 0}};
    gr_replay_opts o;
    gr_replay_opts_default(&o);
    const char *cfgarg = "small", *model = NULL, *waves = NULL;
    uint64_t window = 64;
    unsigned history = 16;
    bool keep_going = false, quiet = false;
    unsigned max_report = 20;
    gr_regs pac;
    char perr[512];
    int c, idx = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, &idx)) != -1) {
        switch (c) {
        case 'c':
            cfgarg = optarg;
            break;
        case 'O':
            if (gr_replay_parse_opt(&o, &pac, opts[idx].name, optarg, perr, sizeof perr) != 1) {
                gr_cli_error("diff", "%s", perr);
                return GR_EXIT_USAGE;
            }
            break;
        case 'k':
            keep_going = true;
            break;
        case 'm': {
            char *end;
            unsigned long v = strtoul(optarg, &end, 10);
            if (*end || end == optarg) {
                gr_cli_error("diff", "--max-report %s: not a count", optarg);
                return GR_EXIT_USAGE;
            }
            max_report = (unsigned)v;
            break;
        }
        case 'q':
            quiet = true;
            break;
        case 'M':
            model = optarg;
            break;
        case 'w':
            waves = optarg;
            break;
        case 'W': {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (*end || end == optarg || errno || optarg[0] == '-') {
                gr_cli_error("diff", "--window %s: not a count of cycles", optarg);
                return GR_EXIT_USAGE;
            }
            window = v;
            break;
        }
        case 'H': {
            char *end;
            errno = 0;
            unsigned long v = strtoul(optarg, &end, 10);
            if (*end || end == optarg || errno || optarg[0] == '-' || v > 100000) {
                gr_cli_error("diff", "--history %s: not a count of transactions (0 to 100000)",
                             optarg);
                return GR_EXIT_USAGE;
            }
            history = (unsigned)v;
            break;
        }
        case 'h':
            fputs(usage, stdout);
            return GR_EXIT_OK;
        default:
            fputs(usage, stderr);
            return GR_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        gr_cli_error("diff", "no trace given");
        fputs(usage, stderr);
        return GR_EXIT_USAGE;
    }
#ifdef GRANULE_HAVE_RTLSIM
    gr_config cfg;
    char err[512];
    if (gr_replay_load_config(&cfg, cfgarg, err, sizeof err) != 0) {
        gr_cli_error("diff", "%s", err);
        return GR_EXIT_USAGE;
    }
    int rc = GR_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        int k = run_one(&cfg, model, &o, argv[i], keep_going, max_report, quiet, waves, window,
                       history);
        if (k > rc)
            rc = k;
        if (k == GR_EXIT_VERDICT && !keep_going)
            break;
    }
    return rc;
#else
    (void)keep_going;
    (void)quiet;
    (void)max_report;
    (void)cfgarg;
    (void)model;
    (void)waves;
    (void)window;
    (void)history;
    gr_cli_error("diff", "this granule was built without the RTL (Verilator not found, or "
                         "-DGRANULE_RTL=OFF)");
    return GR_EXIT_USAGE;
#endif
}

const gr_cli_cmd gr_cli_diff = {"diff", "replay a trace through the C model and the RTL in "
                                        "lock-step and report the first divergence",
                                usage, run};
