/* granule traces: ChampSim instruction traces (docs/trace-format.md,
 * "ChampSim").
 *
 * A ChampSim trace is a sequence of 64-byte little-endian records, one per
 * retired instruction, the layout of ChampSim's `input_instr`:
 *   0  u64 ip
 *   8  u8  is_branch      9 u8 branch_taken
 *  10  u8  dst_regs[2]   12 u8 src_regs[4]
 *  16  u64 dst_mem[2]    32 u64 src_mem[4]
 * A zero memory operand is an empty slot. Each record becomes a fetch at ip,
 * then a read per non-zero src_mem, then a write per non-zero dst_mem, all
 * with pc = ip and size unknown. */
#include <stdlib.h>
#include <string.h>

#include "trace_internal.h"

#define CS_REC 64u

static size_t cs_fill(gr_trace_reader *r, gr_trace_rec *recs, size_t want)
{
    gr_src *s = &r->src;
    size_t got = 0;
    while (want - got >= 7) { /* one instruction yields at most 7 records */
        if (s->len - s->pos < CS_REC) {
            gr_src_refill(s);
            if (s->len - s->pos < CS_REC) {
                if (s->err)
                    gr_trace_fail(r, s->err, gr_src_offset(s), 0, "%s", s->msg);
                else if (s->len > s->pos)
                    gr_trace_fail(r, GR_TRACE_ETRUNC, gr_src_offset(s), 0,
                                  "truncated ChampSim record (%zu of 64 bytes)", s->len - s->pos);
                else
                    r->st = GR_TRACE_END;
                return got;
            }
        }
        const uint8_t *b = s->buf + s->pos;
        uint64_t ip = gr_le64(b);
        gr_trace_rec *o = &recs[got++];
        memset(o, 0, sizeof *o);
        o->kind = GR_TREC_FETCH;
        o->va = ip;
        o->pc = ip;
        for (int i = 0; i < 4; i++) {
            uint64_t a = gr_le64(b + 32 + 8 * i);
            if (a) {
                o = &recs[got++];
                memset(o, 0, sizeof *o);
                o->kind = GR_TREC_READ;
                o->va = a;
                o->pc = ip;
            }
        }
        for (int i = 0; i < 2; i++) {
            uint64_t a = gr_le64(b + 16 + 8 * i);
            if (a) {
                o = &recs[got++];
                memset(o, 0, sizeof *o);
                o->kind = GR_TREC_WRITE;
                o->va = a;
                o->pc = ip;
            }
        }
        s->pos += CS_REC;
    }
    return got;
}

static const gr_trace_ops cs_ops = {.fill = cs_fill};

gr_trace_status gr_trace_champsim_open(gr_trace_reader *r)
{
    r->ops = &cs_ops;
    r->meta = malloc(1024);
    if (!r->meta)
        return GR_TRACE_ENOMEM;
    snprintf(r->meta, 1024, "source.format=champsim\nsource.file=%s\n", r->name);
    r->hdr.meta = r->meta;
    return GR_TRACE_OK;
}

/* ---- writer: fetch, reads and writes regrouped into instructions -------- */

typedef struct cwstate {
    bool open;     /* rec holds an instruction not written yet */
    uint8_t rec[CS_REC];
    int nsrc, ndst;
    uint64_t ip;
} cwstate;

static gr_trace_status cs_flush(gr_trace_writer *w, cwstate *c)
{
    if (!c->open)
        return GR_TRACE_OK;
    c->open = false;
    return gr_trace_wbytes(w, c->rec, CS_REC);
}

static void cs_start(cwstate *c, uint64_t ip)
{
    memset(c->rec, 0, CS_REC);
    gr_put64(c->rec, ip);
    c->ip = ip;
    c->nsrc = c->ndst = 0;
    c->open = true;
}

static gr_trace_status cs_write(gr_trace_writer *w, const gr_trace_rec *rec)
{
    cwstate *c = w->fmtstate;
    gr_trace_status st;
    if (rec->kind >= GR_TREC_EVENT || (rec->kind != GR_TREC_FETCH && rec->va == 0)) {
        w->dropped++; /* no events; a zero address would read back as an empty slot */
        return GR_TRACE_OK;
    }
    if (rec->kind == GR_TREC_FETCH) {
        if ((st = cs_flush(w, c)))
            return st;
        cs_start(c, rec->va);
        return GR_TRACE_OK;
    }
    uint64_t ip = rec->pc ? rec->pc : c->ip;
    bool full = rec->kind == GR_TREC_READ ? c->nsrc == 4 : c->ndst == 2;
    if (!c->open || full || ip != c->ip) {
        /* An access with no fetch of its own: a record of its own at its pc. */
        if ((st = cs_flush(w, c)))
            return st;
        cs_start(c, ip);
    }
    if (rec->kind == GR_TREC_READ)
        gr_put64(c->rec + 32 + 8 * c->nsrc++, rec->va);
    else
        gr_put64(c->rec + 16 + 8 * c->ndst++, rec->va);
    return GR_TRACE_OK;
}

static gr_trace_status cs_finish(gr_trace_writer *w) { return cs_flush(w, w->fmtstate); }

static void cs_wfree(gr_trace_writer *w)
{
    free(w->fmtstate);
    w->fmtstate = NULL;
}

static const gr_trace_wops cs_wops = {cs_write, cs_finish, cs_wfree};

gr_trace_status gr_trace_champsim_wopen(gr_trace_writer *w)
{
    w->ops = &cs_wops;
    w->fmtstate = calloc(1, sizeof(cwstate));
    return w->fmtstate ? GR_TRACE_OK : GR_TRACE_ENOMEM;
}
