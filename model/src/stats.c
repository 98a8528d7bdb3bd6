/* MMU statistics: storage and the three output forms. The JSON tree is
 * the one description of the report: the CSV is that tree flattened, so
 * the two always carry the same counters under the same names, documented
 * in docs/stats.md. */
#include "granule/stats.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define NASID 65536

int gr_stats_init(gr_stats *s)
{
    memset(s, 0, sizeof *s);
    s->asid = calloc(NASID, sizeof *s->asid);
    return s->asid ? 0 : -1;
}

void gr_stats_free(gr_stats *s)
{
    free(s->asid);
    s->asid = NULL;
}

void gr_stats_clear(gr_stats *s)
{
    gr_stats keep = *s;
    memset(s, 0, sizeof *s);
    memcpy(s->config, keep.config, sizeof s->config);
    s->l1i.present = keep.l1i.present;
    s->l1d.present = keep.l1d.present;
    s->l2.present = keep.l2.present;
    s->wc.present = keep.wc.present;
    s->asid = keep.asid;
    if (s->asid)
        memset(s->asid, 0, NASID * sizeof *s->asid);
}

uint64_t gr_stats_tlb_hits(const gr_stats_tlb *t)
{
    uint64_t n = 0;
    for (int a = 0; a < GR_STATS_NACC; a++)
        for (int p = 0; p < GR_PS_COUNT; p++)
            n += t->hits[a][p];
    return n;
}

uint64_t gr_stats_tlb_misses(const gr_stats_tlb *t)
{
    uint64_t n = 0;
    for (int a = 0; a < GR_STATS_NACC; a++)
        for (int p = 0; p <= GR_PS_COUNT; p++)
            n += t->misses[a][p];
    return n;
}

uint64_t gr_stats_total_accesses(const gr_stats *s)
{
    return s->accesses[0] + s->accesses[1] + s->accesses[2];
}

static const char *const acc_name[GR_STATS_NACC] = {"read", "write", "exec"};

static const char *ps_name(int p)
{
    return p == GR_STATS_NONE ? "none" : gr_config_psize_name((gr_psize)p);
}

/* ---- JSON ---- */

static json_t *u64(uint64_t v)
{
    return json_integer((json_int_t)v);
}

/* {"4K": n, ...} over the first n sizes, zero entries left out. */
static json_t *by_size(const uint64_t *v, int n)
{
    json_t *o = json_object();
    for (int p = 0; p < n; p++)
        if (v[p])
            json_object_set_new(o, ps_name(p), u64(v[p]));
    return o;
}

static json_t *hist_json(const uint64_t *h)
{
    json_t *o = json_object();
    char k[16];
    for (int i = 0; i < GR_STATS_HIST; i++) {
        if (!h[i])
            continue;
        if (i == GR_STATS_HIST - 1)
            snprintf(k, sizeof k, ">=%d", i);
        else
            snprintf(k, sizeof k, "%d", i);
        json_object_set_new(o, k, u64(h[i]));
    }
    return o;
}

static json_t *tlb_json(const gr_stats_tlb *t, uint64_t instructions)
{
    json_t *o = json_object();
    uint64_t hits = gr_stats_tlb_hits(t), misses = gr_stats_tlb_misses(t);
    json_object_set_new(o, "lookups", u64(hits + misses));
    json_object_set_new(o, "hits", u64(hits));
    json_object_set_new(o, "misses", u64(misses));
    json_object_set_new(o, "hit_rate",
                        json_real(hits + misses ? (double)hits / (double)(hits + misses) : 0.0));
    if (instructions)
        json_object_set_new(o, "mpki", json_real(1000.0 * (double)misses / (double)instructions));
    json_t *ba = json_object();
    for (int a = 0; a < GR_STATS_NACC; a++) {
        json_t *x = json_object();
        json_object_set_new(x, "hits", by_size(t->hits[a], GR_PS_COUNT));
        json_object_set_new(x, "misses", by_size(t->misses[a], GR_PS_COUNT + 1));
        json_object_set_new(x, "evictions", by_size(t->evictions[a], GR_PS_COUNT));
        json_object_set_new(ba, acc_name[a], x);
    }
    json_object_set_new(o, "by_access", ba);
    json_object_set_new(o, "fills", by_size(t->fills, GR_PS_COUNT));
    json_object_set_new(o, "dirty_misses", u64(t->dirty_misses));
    json_object_set_new(o, "perm_faults", u64(t->perm_faults));
    json_object_set_new(o, "tlbi_invalidated", u64(t->tlbi_invalidated));
    json_object_set_new(o, "back_invalidated", u64(t->back_invalidated));
    return o;
}

static json_t *levels_json(const uint64_t *v, int n)
{
    json_t *o = json_object();
    char k[12];
    for (int l = 0; l < n; l++) {
        snprintf(k, sizeof k, "%d", l);
        json_object_set_new(o, k, u64(v[l]));
    }
    return o;
}

static json_t *report(const gr_stats *s)
{
    json_t *o = json_object();
    uint64_t total = gr_stats_total_accesses(s);
    json_object_set_new(o, "config", json_string(s->config));
    json_object_set_new(o, "requests", u64(s->requests));
    json_t *acc = json_object();
    for (int a = 0; a < GR_STATS_NACC; a++)
        json_object_set_new(acc, acc_name[a], u64(s->accesses[a]));
    json_object_set_new(acc, "total", u64(total));
    json_object_set_new(o, "accesses", acc);
    json_object_set_new(o, "retries", u64(s->retries));
    json_object_set_new(o, "mmu_off", u64(s->mmu_off));
    json_object_set_new(o, "pac_requests", u64(s->pac_requests));
    json_object_set_new(o, "instructions", u64(s->instructions));
    json_object_set_new(o, "cycles", u64(s->last_cycle));

    json_t *tl = json_object();
    json_object_set_new(tl, "l1i", tlb_json(&s->l1i, s->instructions));
    json_object_set_new(tl, "l1d", tlb_json(&s->l1d, s->instructions));
    if (s->l2.present)
        json_object_set_new(tl, "l2", tlb_json(&s->l2, s->instructions));
    json_object_set_new(o, "tlb", tl);

    if (s->wc.present) {
        json_t *w = json_object();
        uint64_t hits = s->wc.hits[0] + s->wc.hits[1] + s->wc.hits[2];
        json_object_set_new(w, "lookups", u64(s->wc.lookups));
        json_object_set_new(w, "hits", levels_json(s->wc.hits, 3));
        json_object_set_new(w, "misses", u64(s->wc.lookups - hits));
        json_object_set_new(w, "fills", levels_json(s->wc.fills, 3));
        json_object_set_new(w, "evictions", u64(s->wc.evictions));
        json_object_set_new(w, "tlbi_invalidated", u64(s->wc.tlbi_invalidated));
        json_object_set_new(o, "walk_cache", w);
    }

    json_t *wk = json_object();
    json_object_set_new(wk, "walks", u64(s->walks));
    json_object_set_new(wk, "start_level", levels_json(s->walk_start, 4));
    json_object_set_new(wk, "reads", levels_json(s->reads, 4));
    json_object_set_new(wk, "cycles", u64(s->walk_cycles));
    json_object_set_new(wk, "cycles_mean",
                        json_real(s->walks ? (double)s->walk_cycles / (double)s->walks : 0.0));
    json_object_set_new(wk, "cycles_hist", hist_json(s->walk_hist));
    json_object_set_new(wk, "af_updates", u64(s->af_updates));
    json_object_set_new(wk, "dirty_updates", u64(s->dirty_updates));
    if (s->instructions)
        json_object_set_new(wk, "walks_pki",
                            json_real(1000.0 * (double)s->walks / (double)s->instructions));
    json_object_set_new(o, "walker", wk);

    json_t *fl = json_object();
    for (int t = 1; t < GR_FAULT_COUNT_; t++)
        json_object_set_new(fl, gr_fault_name((gr_fault_type)t), levels_json(s->faults[t], 4));
    json_object_set_new(o, "faults", fl);

    json_t *lat = json_object();
    json_object_set_new(lat, "sum", u64(s->latency_sum));
    json_object_set_new(lat, "mean", json_real(total ? (double)s->latency_sum / (double)total : 0));
    json_object_set_new(lat, "hist", hist_json(s->latency_hist));
    json_object_set_new(lat, "stall_cycles", u64(s->stall_cycles));
    json_object_set_new(o, "latency", lat);

    json_t *ti = json_object();
    for (int i = 0; i < GR_TLBI_COUNT; i++)
        if (s->tlbi[i])
            json_object_set_new(ti, gr_tlbi_name((gr_tlbi_op)i), u64(s->tlbi[i]));
    json_object_set_new(o, "tlbi", ti);
    json_object_set_new(o, "reg_writes", u64(s->reg_writes));

    json_t *as = json_object();
    if (s->asid) {
        char k[8];
        for (int i = 0; i < NASID; i++) {
            const gr_stats_asid *a = &s->asid[i];
            if (!a->accesses && !a->walks && !a->faults)
                continue;
            json_t *x = json_object();
            json_object_set_new(x, "accesses", u64(a->accesses));
            json_object_set_new(x, "l1_misses", u64(a->l1_misses));
            json_object_set_new(x, "l2_misses", u64(a->l2_misses));
            json_object_set_new(x, "walks", u64(a->walks));
            json_object_set_new(x, "faults", u64(a->faults));
            snprintf(k, sizeof k, "%d", i);
            json_object_set_new(as, k, x);
        }
    }
    json_object_set_new(o, "asids", as);
    return o;
}

int gr_stats_write_json(const gr_stats *s, FILE *f)
{
    json_t *o = report(s);
    int rc = json_dumpf(o, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (rc == 0)
        fputc('\n', f);
    return rc == 0 ? 0 : -1;
}

/* ---- CSV: the JSON tree flattened to dotted paths ---- */

static void flatten(FILE *f, const char *prefix, json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            char p[256];
            snprintf(p, sizeof p, "%s%s%s", prefix, *prefix ? "." : "", k);
            flatten(f, p, x);
        }
    } else if (json_is_integer(v)) {
        fprintf(f, "%s,%" JSON_INTEGER_FORMAT "\n", prefix, json_integer_value(v));
    } else if (json_is_real(v)) {
        fprintf(f, "%s,%.6f\n", prefix, json_real_value(v));
    } else if (json_is_string(v)) {
        fprintf(f, "%s,%s\n", prefix, json_string_value(v));
    }
}

int gr_stats_write_csv(const gr_stats *s, FILE *f)
{
    json_t *o = report(s);
    fputs("counter,value\n", f);
    flatten(f, "", o);
    json_decref(o);
    return ferror(f) ? -1 : 0;
}

/* ---- human table ---- */

static double pct(uint64_t a, uint64_t b)
{
    return b ? 100.0 * (double)a / (double)b : 0.0;
}

static void tlb_row(FILE *f, const char *name, const gr_stats_tlb *t, uint64_t instr)
{
    uint64_t h = gr_stats_tlb_hits(t), m = gr_stats_tlb_misses(t), ev = 0;
    for (int a = 0; a < GR_STATS_NACC; a++)
        for (int p = 0; p < GR_PS_COUNT; p++)
            ev += t->evictions[a][p];
    fprintf(f, "  %-4s %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %7.2f%% %10" PRIu64, name, h + m,
            h, m, pct(h, h + m), ev);
    if (instr)
        fprintf(f, " %8.3f", 1000.0 * (double)m / (double)instr);
    fputc('\n', f);
}

void gr_stats_print(const gr_stats *s, FILE *f)
{
    uint64_t total = gr_stats_total_accesses(s);
    fprintf(f, "MMU statistics (config %s)\n", s->config);
    fprintf(f, "  accesses %" PRIu64 " (read %" PRIu64 ", write %" PRIu64 ", exec %" PRIu64
               "), retries %" PRIu64 ", cycles %" PRIu64 "\n",
            total, s->accesses[0], s->accesses[1], s->accesses[2], s->retries, s->last_cycle);
    fprintf(f, "\n  %-4s %12s %12s %12s %8s %10s%s\n", "tlb", "lookups", "hits", "misses",
            "hit%", "evictions", s->instructions ? "     MPKI" : "");
    tlb_row(f, "l1i", &s->l1i, s->instructions);
    tlb_row(f, "l1d", &s->l1d, s->instructions);
    if (s->l2.present)
        tlb_row(f, "l2", &s->l2, s->instructions);
    if (s->wc.present) {
        uint64_t hits = s->wc.hits[0] + s->wc.hits[1] + s->wc.hits[2];
        fprintf(f, "\n  walk cache: %" PRIu64 " lookups, %" PRIu64 " hits (L0 %" PRIu64
                   ", L1 %" PRIu64 ", L2 %" PRIu64 "), %.2f%%\n",
                s->wc.lookups, hits, s->wc.hits[0], s->wc.hits[1], s->wc.hits[2],
                pct(hits, s->wc.lookups));
    }
    fprintf(f, "\n  walker: %" PRIu64 " walks, reads L0 %" PRIu64 " L1 %" PRIu64 " L2 %" PRIu64
               " L3 %" PRIu64 ", %" PRIu64 " cycles (mean %.1f), AF updates %" PRIu64
               ", dirty updates %" PRIu64 "\n",
            s->walks, s->reads[0], s->reads[1], s->reads[2], s->reads[3], s->walk_cycles,
            s->walks ? (double)s->walk_cycles / (double)s->walks : 0.0, s->af_updates,
            s->dirty_updates);
    bool any = false;
    for (int t = 1; t < GR_FAULT_COUNT_; t++) {
        for (int l = 0; l < 4; l++) {
            if (!s->faults[t][l])
                continue;
            if (!any)
                fprintf(f, "\n  faults:\n");
            any = true;
            fprintf(f, "    %-26s level %d: %" PRIu64 "\n", gr_fault_name((gr_fault_type)t), l,
                    s->faults[t][l]);
        }
    }
    fprintf(f, "\n  latency: mean %.2f cycles over %" PRIu64 " accesses; stall %" PRIu64
               " cycles\n",
            total ? (double)s->latency_sum / (double)total : 0.0, total, s->stall_cycles);
    int shown = 0;
    for (int i = 0; i < GR_STATS_HIST && shown < 12; i++) {
        if (!s->latency_hist[i])
            continue;
        fprintf(f, "    %s%4d cycles: %12" PRIu64 " (%.2f%%)\n", i == GR_STATS_HIST - 1 ? ">=" : "  ",
                i, s->latency_hist[i], pct(s->latency_hist[i], total));
        shown++;
    }
    uint64_t ntlbi = 0;
    for (int i = 0; i < GR_TLBI_COUNT; i++)
        ntlbi += s->tlbi[i];
    if (ntlbi || s->reg_writes)
        fprintf(f, "\n  maintenance: %" PRIu64 " TLBIs, %" PRIu64 " register writes\n", ntlbi,
                s->reg_writes);
}
