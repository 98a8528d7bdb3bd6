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
    "                    must have been built for it (small, a76)\n"
    "  --limit N         the first N records of each trace (K, M, G suffixes)\n"
    "  --keep-going      report every divergence instead of stopping at the first\n"
    "  --max-report N    with --keep-going, print at most N divergences (default 20)\n"
    "  --granule G       4k (default) or 16k: the tasks' page size\n"
    "  --ram SIZE        simulated RAM for the VM layer (default 8G)\n"
    "  --regs FILE       PAC keys, enables and TBI for authenticating records, as\n"
    "                    for `granule replay --regs`\n"
    "  --rtl-model NAME  simulate the built RTL model NAME (default: the one whose\n"
    "                    generated package equals CFG's; granule-mutant's mutants)\n"
    "  --waves DIR       on the first divergence, write DIR/<trace>.fst: an FST\n"
    "                    waveform (GTKWave) of the RTL from --window cycles\n"
    "                    before it to 2 cycles after the one it was seen in, by\n"
    "                    replaying the trace again with tracing on in that window\n"
    "  --window N        cycles before the divergence in the waveform (default 64)\n"
    "  --quiet           only the verdict line\n"
    "\n"
    "Exit status: 0 no divergence, 1 a divergence (the first is printed with\n"
    "the trace record index, the request, both results and the cycle), 2 bad\n"
    "usage, configuration without an RTL model, or unreadable trace.\n";

#ifdef GRANULE_HAVE_RTLSIM
#include "rtlsim.h"

/* Cycles an event may wait for acceptance, or a response for its valid,
 * before the RTL is declared hung. The longest model latency is a PAC plus
 * a sequential L2 probe plus a four-level walk with an update: < 200. */
#define MAX_WAIT 10000u
#define QCAP 64u /* outstanding expectations: the lock-step keeps one or two */

typedef struct expect {
    uint64_t rec, seq;
    gr_mmu_req rq;
    gr_mmu_resp rs;
} expect;

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
}

/* Compares what the RTL produced so far with what the model expects. */
static void collect(diff *d)
{
    gr_rtlsim_rsp g;
    while (gr_rtlsim_pop_rsp(d->rtl, &g)) {
        if (d->qn == 0) {
            if (diverged(d, UINT64_MAX, g.t_valid))
                printf("divergence: the RTL gave a response in cycle %" PRIu64
                       " with none outstanding\n", g.t_valid);
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
            if (diverged(d, UINT64_MAX, c))
                printf("divergence: the RTL completed a TLBI in cycle %" PRIu64
                       " with none outstanding\n", c);
            continue;
        }
        uint64_t want = d->tq[d->th], rec = d->tq_rec[d->th];
        d->th = (d->th + 1) % QCAP;
        d->tn--;
        if (c != want && diverged(d, rec, min64(c, want))) {
            char rt[48];
            rec_text(rec, rt, sizeof rt);
            printf("divergence at %s: TLBI completed in cycle %" PRIu64 " (RTL), %" PRIu64
                   " (model)\n", rt, c, want);
        }
    }
}

/* The RTL's walker writes against the model's one (if any). */
static void check_writes(diff *d, uint64_t rec)
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

static void hook_set_regs(void *ctx, gr_replay *r, uint64_t rec, const gr_regs *regs,
                          uint64_t t, uint64_t done)
{
    diff *d = ctx;
    if (d->dead || !ensure_rtl(d, r))
        return;
    d->regs++;
    uint64_t at = gr_rtlsim_set_regs(d->rtl, regs, t, MAX_WAIT);
    collect(d);
    if (at != done && diverged(d, rec, min64(at, done))) {
        char rt[48];
        rec_text(rec, rt, sizeof rt);
        printf("divergence at %s: register write presented in cycle %" PRIu64
               " performed in %" PRIu64 " (RTL), %" PRIu64 " (model)\n",
               rt, t, at, done);
    }
}

static void hook_tlbi(void *ctx, gr_replay *r, uint64_t rec, const gr_tlbi *op, uint64_t t,
                      uint64_t done)
{
    diff *d = ctx;
    if (d->dead || !ensure_rtl(d, r))
        return;
    d->tlbis++;
    if (d->tn == QCAP) {
        collect(d);
        if (d->tn == QCAP)
            return;
    }
    size_t i = (d->th + d->tn++) % QCAP;
    d->tq[i] = done;
    d->tq_rec[i] = rec;
    uint64_t at = gr_rtlsim_tlbi(d->rtl, op, t, MAX_WAIT);
    collect(d);
    if (at == UINT64_MAX && diverged(d, rec, UINT64_MAX)) {
        char rt[48];
        rec_text(rec, rt, sizeof rt);
        printf("divergence at %s: TLBI (op %u, va %#" PRIx64 ", asid %u) presented in cycle %"
               PRIu64 " never accepted by the RTL\n", rt, (unsigned)op->op, op->va,
               (unsigned)op->asid, t);
    }
}

static void hook_translated(void *ctx, gr_replay *r, uint64_t rec, const gr_mmu_req *rq,
                            const gr_mmu_resp *rs)
{
    diff *d = ctx;
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
        if (gr_pmem_read64(mem, wk->tte.desc_pa, &model_raw) == GR_PMEM_OK) {
            uint64_t old = wk->tte.desc;
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
        if (diverged(d, d->q[d->qh].rec, UINT64_MAX))
            printf("divergence: %u responses outstanding on the RTL\n", QCAP);
        d->dead = true;
        gr_replay_stop(r);
        return;
    }
    size_t i = (d->qh + d->qn++) % QCAP;
    expect *e = &d->q[i];
    e->rec = rec;
    e->seq = d->translations - 1;
    e->rq = *rq;
    e->rs = *rs;
    uint64_t at = gr_rtlsim_submit(d->rtl, rq, e->seq, MAX_WAIT);
    /* Earlier responses first: a late one also delays this acceptance,
     * and the first divergence is the one to report. */
    collect(d);
    if (at != rs->t_accept && diverged(d, rec, min64(at, rs->t_accept))) {
        char rt[48];
        rec_text(rec, rt, sizeof rt);
        printf("divergence at %s (translation %" PRIu64 "): accepted in cycle %" PRIu64
               " (RTL), %" PRIu64 " (model)\n", rt, e->seq, at, rs->t_accept);
        print_req(rq);
    }
    /* Every read of this request's walk is issued before its valid cycle:
     * run the RTL that far before the VM layer may change the tables. */
    gr_rtlsim_run_to(d->rtl, rs->t_valid);
    collect(d);
    check_writes(d, rec);
    if (wk) {
        if (d->want_wr && diverged(d, rec, UINT64_MAX)) {
            char rt[48];
            rec_text(rec, rt, sizeof rt);
            printf("divergence at %s (translation %" PRIu64 "): the model wrote [%#" PRIx64
                   "] = %#" PRIx64 ", the RTL no write by cycle %" PRIu64 "\n",
                   rt, e->seq, d->wr_pa, d->wr_data, rs->t_valid);
            print_req(rq);
        }
        d->want_wr = false;
        /* The model's memory is the reference from here on. */
        gr_pmem_write64(mem, wk->tte.desc_pa, model_raw);
    }
}

/* The end of a trace: every outstanding response and completion. */
static void finish(diff *d)
{
    if (!d->rtl || d->dead)
        return;
    if (gr_rtlsim_drain(d->rtl, MAX_WAIT) != 0 && diverged(d, d->q[d->qh].rec, UINT64_MAX))
        printf("divergence: %zu responses never became valid on the RTL\n",
               gr_rtlsim_outstanding(d->rtl));
    gr_rtlsim_run_to(d->rtl, gr_rtlsim_cycle(d->rtl) + 64);
    collect(d);
    if ((d->qn || d->tn) &&
        diverged(d, d->qn ? d->q[d->qh].rec : d->tq_rec[d->th], UINT64_MAX))
        printf("divergence: %zu responses and %zu TLBI completions expected but not seen\n",
               d->qn, d->tn);
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
    diff *d = calloc(1, sizeof *d);
    if (!d) {
        gr_cli_error("diff", "out of memory");
        return GR_EXIT_USAGE;
    }
    d->cfg = cfg;
    d->model = model;
    d->max_report = 0; /* the first pass printed it */
    d->quiet = true;
    d->tr_path = fst;
    d->tr_from = first->div_cycle > window ? first->div_cycle - window : 0;
    d->tr_to = first->seen_cycle + 2;
    gr_replay_hook h = {d, hook_translated, hook_set_regs, hook_tlbi};
    o->hook = &h;
    char err[512];
    int rc = GR_EXIT_OK;
    gr_replay *r = gr_replay_create(cfg, o, err, sizeof err);
    if (!r) {
        gr_cli_error("diff", "%s", err);
        free(d);
        return GR_EXIT_USAGE;
    }
    ensure_rtl(d, r);
    if (!d->rtl) {
        gr_cli_error("diff", "--waves: %s", d->err);
        rc = GR_EXIT_USAGE;
    } else if (gr_replay_run(r, path, err, sizeof err) != 0) {
        gr_cli_error("diff", "%s", err);
        rc = GR_EXIT_USAGE;
    } else {
        if (!d->divergences)
            finish(d);
        uint64_t a = 0, b = 0;
        bool same = d->divergences && d->first_rec == first->first_rec &&
                    d->div_cycle == first->div_cycle && d->seen_cycle == first->seen_cycle;
        if (same) {
            /* The cycles after it, as far as the window reaches. */
            gr_rtlsim_run_to(d->rtl, d->tr_to + 1);
        }
        if (!same) {
            gr_cli_error("diff", "--waves: replaying %s again did not reach the same first "
                         "divergence (cycle %" PRIu64 "): no waveform", base, first->div_cycle);
            rc = GR_EXIT_USAGE;
        } else if (!gr_rtlsim_trace_span(d->rtl, &a, &b)) {
            gr_cli_error("diff", "--waves: no cycle traced");
            rc = GR_EXIT_USAGE;
        } else {
            printf("waves: %s: RTL cycles %" PRIu64 " to %" PRIu64 " (first divergence in cycle "
                   "%" PRIu64 ", seen in cycle %" PRIu64 "; 10 time units a cycle, falling "
                   "edge at 10c)\n", fst, a, b, first->div_cycle, first->seen_cycle);
        }
    }
    d->dead = true;
    gr_replay_destroy(r);
    gr_rtlsim_destroy(d->rtl); /* closes the waveform */
    free(d);
    return rc;
}

static int run_one(const gr_config *cfg, const char *model, gr_replay_opts *o, const char *path,
                   bool keep_going, unsigned max_report, bool quiet, const char *waves,
                   uint64_t window)
{
    diff *d = calloc(1, sizeof *d);
    if (!d) {
        gr_cli_error("diff", "out of memory");
        return GR_EXIT_USAGE;
    }
    d->cfg = cfg;
    d->model = model;
    d->keep_going = keep_going;
    d->max_report = keep_going ? max_report : 1;
    d->quiet = quiet;
    gr_replay_hook h = {d, hook_translated, hook_set_regs, hook_tlbi};
    o->hook = &h;
    char err[512];
    gr_replay *r = gr_replay_create(cfg, o, err, sizeof err);
    int rc = GR_EXIT_OK;
    if (!r) {
        gr_cli_error("diff", "%s", err);
        free(d);
        return GR_EXIT_USAGE;
    }
    if (!d->rtl)
        ensure_rtl(d, r);
    const double cpu0 = cpu_seconds();
    if (!d->rtl) {
        gr_cli_error("diff", "%s", d->err);
        rc = GR_EXIT_USAGE;
    } else if (gr_replay_run(r, path, err, sizeof err) != 0) {
        gr_cli_error("diff", "%s", err);
        rc = GR_EXIT_USAGE;
    } else {
        finish(d);
        double cpu = cpu_seconds() - cpu0;
        const gr_replay_counts *c = gr_replay_counts_get(r);
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
    d->dead = true; /* the VM layer's teardown TLBIs are not compared */
    gr_replay_destroy(r);
    gr_rtlsim_destroy(d->rtl);
    free(d);
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
        {"config", required_argument, NULL, 'c'}, {"limit", required_argument, NULL, 'l'},
        {"keep-going", no_argument, NULL, 'k'},  {"max-report", required_argument, NULL, 'm'},
        {"granule", required_argument, NULL, 'g'}, {"ram", required_argument, NULL, 'r'},
        {"quiet", no_argument, NULL, 'q'},       {"help", no_argument, NULL, 'h'},
        {"regs", required_argument, NULL, 'R'},  {"rtl-model", required_argument, NULL, 'M'},
        {"waves", required_argument, NULL, 'w'}, {"window", required_argument, NULL, 'W'},
        {NULL, 0, NULL, 0}};
    gr_replay_opts o;
    gr_replay_opts_default(&o);
    const char *cfgarg = "small", *model = NULL, *waves = NULL;
    uint64_t window = 64;
    bool keep_going = false, quiet = false;
    unsigned max_report = 20;
    gr_regs pac;
    char perr[512];
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            cfgarg = optarg;
            break;
        case 'l':
            if (gr_replay_parse_size(optarg, &o.limit) != 0) {
                gr_cli_error("diff", "--limit %s: not a count", optarg);
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
        case 'g':
            if (strcmp(optarg, "4k") == 0 || strcmp(optarg, "4K") == 0)
                o.page_shift = 12;
            else if (strcmp(optarg, "16k") == 0 || strcmp(optarg, "16K") == 0)
                o.page_shift = 14;
            else {
                gr_cli_error("diff", "--granule %s: 4k or 16k", optarg);
                return GR_EXIT_USAGE;
            }
            break;
        case 'r':
            if (gr_replay_parse_size(optarg, &o.ram_size) != 0) {
                gr_cli_error("diff", "--ram %s: not a size", optarg);
                return GR_EXIT_USAGE;
            }
            break;
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
        case 'R':
            gr_regs_reset(&pac);
            if (gr_regs_parse_file(&pac, optarg, perr, sizeof perr) != 0) {
                gr_cli_error("diff", "%s", perr);
                return GR_EXIT_USAGE;
            }
            o.pac_regs = &pac;
            break;
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
        int k = run_one(&cfg, model, &o, argv[i], keep_going, max_report, quiet, waves, window);
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
    gr_cli_error("diff", "this granule was built without the RTL (Verilator not found, or "
                         "-DGRANULE_RTL=OFF)");
    return GR_EXIT_USAGE;
#endif
}

const gr_cli_cmd gr_cli_diff = {"diff", "replay a trace through the C model and the RTL in "
                                        "lock-step and report the first divergence",
                                usage, run};
