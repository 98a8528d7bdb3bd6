/* granule traces: native format version 2, the chunk body (docs/trace-format.md,
 * "Native format, version 2.0"). See trace_native2.h. */
#include <stdlib.h>
#include <string.h>

#include "trace_internal.h"
#include "trace_native2.h"

#define PAGE4K 0xfffull /* the split list names accesses that cross a 4 KiB page */
#define CTX_ENT 12u
#define PAC_ENT 16u

/* ---- shared helpers --------------------------------------------------- */

/* The 2-bit length code of a VA delta: 1, 2, 4 or 8 bytes, two's complement. */
static inline unsigned len_code(int64_t d)
{
    if (d >= -128 && d < 128)
        return 0;
    if (d >= -32768 && d < 32768)
        return 1;
    if (d >= INT32_MIN && d <= INT32_MAX)
        return 2;
    return 3;
}

/* An access of sz bytes at va crosses a (mask + 1)-byte page. */
static inline bool crosses(uint64_t va, uint32_t sz, uint64_t mask)
{
    return sz > 1 && (va & mask) + (sz - 1u) > mask;
}

static inline uint64_t ld64(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
#else
    return gr_le64(p);
#endif
}

/* ---- encoder ----------------------------------------------------------- */

static int grow(uint8_t **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 4096;
    while (c < need)
        c *= 2;
    uint8_t *b = realloc(*buf, c);
    if (!b)
        return -1;
    *buf = b;
    *cap = c;
    return 0;
}

static void enc_reset(v2enc *e)
{
    e->n = 0;
    e->dlen = 0;
    e->nbig = e->nctx = e->npac = e->nsplit = e->nev = 0;
    e->evlen = e->pclen = 0;
    e->any_pc = false;
    e->prev[0] = e->prev[1] = e->pc_prev = 0;
    e->task = 0;
    e->el = 0;
    memset(e->ctrl, 0, V2_CHUNK_RECS / 4);
}

int v2enc_init(v2enc *e)
{
    memset(e, 0, sizeof *e);
    const size_t n = V2_CHUNK_RECS;
    e->kinds = malloc(n);
    e->sizes = malloc(n);
    e->ctrl = malloc(n / 4);
    e->data = malloc(8 * n);
    e->big = malloc(4 * n);
    e->ctx = malloc(CTX_ENT * n);
    e->pac = malloc(PAC_ENT * n);
    e->split = malloc(4 * n);
    e->evpos = malloc(4 * n);
    if (!e->kinds || !e->sizes || !e->ctrl || !e->data || !e->big || !e->ctx || !e->pac ||
        !e->split || !e->evpos)
        return -1;
    enc_reset(e);
    return 0;
}

void v2enc_free(v2enc *e)
{
    free(e->kinds);
    free(e->sizes);
    free(e->ctrl);
    free(e->data);
    free(e->big);
    free(e->ctx);
    free(e->pac);
    free(e->split);
    free(e->evpos);
    free(e->ev);
    free(e->pc);
    memset(e, 0, sizeof *e);
}

/* The body's length once the columns are padded to whole 4-record groups;
 * with_pc: counting the pc stream even while every pc is 0 (it appears,
 * whole, with the first non-zero pc). */
static size_t body_len(const v2enc *e, bool with_pc)
{
    size_t n4 = (e->n + 3u) & ~3u;
    return V2_BODY_HDR + 2 * n4 + n4 / 4 + 4ull * e->nbig + CTX_ENT * (size_t)e->nctx +
           PAC_ENT * (size_t)e->npac + 4ull * e->nsplit + 4ull * e->nev + e->evlen +
           (e->any_pc || with_pc ? e->pclen : 0) + e->dlen;
}

bool v2enc_full(const v2enc *e)
{
    /* the longest record: an event of 1+10+10+1+50 body bytes, or an
     * access with every side entry; 128 covers both */
    return e->n >= V2_CHUNK_RECS || body_len(e, true) + 128 > V2_RAW_MAX;
}

int v2enc_add(v2enc *e, const gr_trace_rec *rec)
{
    const uint32_t i = e->n;
    unsigned code = 0;
    if (rec->kind >= GR_TREC_EVENT) {
        if (grow(&e->ev, &e->evcap, e->evlen + 80))
            return -1;
        e->kinds[i] = rec->kind;
        e->sizes[i] = 0;
        e->data[e->dlen++] = 0; /* a one-byte zero delta: events leave the VAs alone */
        gr_put32(e->evpos + 4 * e->nev++, i);
        e->evlen = (size_t)(gr_put_event(e->ev + e->evlen, rec) - e->ev);
    } else {
        if (grow(&e->pc, &e->pccap, e->pclen + 10))
            return -1;
        e->kinds[i] = rec->kind;
        if (rec->el != e->el || rec->task != e->task) {
            uint8_t *c = e->ctx + CTX_ENT * e->nctx++;
            gr_put32(c, i);
            gr_put32(c + 4, rec->task);
            c[8] = rec->el;
            c[9] = c[10] = c[11] = 0;
            e->el = rec->el;
            e->task = rec->task;
        }
        if (rec->size < V2_SIZE_ESC) {
            e->sizes[i] = (uint8_t)rec->size;
        } else {
            e->sizes[i] = V2_SIZE_ESC;
            gr_put32(e->big + 4 * e->nbig++, rec->size);
        }
        if (rec->pac_key != GR_TRACE_PAC_NONE) {
            uint8_t *c = e->pac + PAC_ENT * e->npac++;
            gr_put32(c, i);
            c[4] = rec->pac_key;
            c[5] = c[6] = c[7] = 0;
            gr_put64(c + 8, rec->modifier);
        }
        if (crosses(rec->va, rec->size, PAGE4K))
            gr_put32(e->split + 4 * e->nsplit++, i);
        const unsigned cls = rec->kind == GR_TREC_FETCH;
        const int64_t d = (int64_t)(rec->va - e->prev[cls]);
        e->prev[cls] = rec->va;
        code = len_code(d);
        const unsigned len = 1u << code;
        for (unsigned b = 0; b < len; b++)
            e->data[e->dlen++] = (uint8_t)((uint64_t)d >> (8 * b));
        const uint64_t z = gr_zigzag((int64_t)(rec->pc - e->pc_prev));
        e->pclen = (size_t)(gr_put_uvar(e->pc + e->pclen, z) - e->pc);
        e->pc_prev = rec->pc;
        e->any_pc |= rec->pc != 0;
    }
    e->ctrl[i / 4] |= (uint8_t)(code << (2 * (i % 4)));
    e->n++;
    return 0;
}

static uint8_t *put_bytes(uint8_t *p, const uint8_t *src, size_t len)
{
    if (len)
        memcpy(p, src, len);
    return p + len;
}

size_t v2enc_finish(v2enc *e, uint8_t *out)
{
    const uint32_t n = e->n, n4 = (n + 3u) & ~3u;
    const size_t pclen = e->any_pc ? e->pclen : 0;
    uint8_t *p = out;
    gr_put32(p, n);
    gr_put32(p + 4, e->nctx);
    gr_put32(p + 8, e->npac);
    gr_put32(p + 12, e->nsplit);
    gr_put32(p + 16, e->nev);
    gr_put32(p + 20, e->nbig);
    gr_put32(p + 24, (uint32_t)e->evlen);
    gr_put32(p + 28, (uint32_t)pclen);
    gr_put32(p + 32, (uint32_t)e->dlen);
    gr_put32(p + 36, 0);
    p += V2_BODY_HDR;
    memcpy(p, e->kinds, n);
    memset(p + n, 0, n4 - n);
    p += n4;
    memcpy(p, e->ctrl, n4 / 4);
    p += n4 / 4;
    memcpy(p, e->sizes, n);
    memset(p + n, 0, n4 - n);
    p += n4;
    p = put_bytes(p, e->big, 4ull * e->nbig);
    p = put_bytes(p, e->ctx, CTX_ENT * (size_t)e->nctx);
    p = put_bytes(p, e->pac, PAC_ENT * (size_t)e->npac);
    p = put_bytes(p, e->split, 4ull * e->nsplit);
    p = put_bytes(p, e->evpos, 4ull * e->nev);
    p = put_bytes(p, e->ev, e->evlen);
    p = put_bytes(p, e->pc, pclen);
    p = put_bytes(p, e->data, e->dlen);
    size_t len = (size_t)(p - out);
    enc_reset(e);
    return len;
}

/* ---- decoder ----------------------------------------------------------- */

/* Per control byte (4 records): where each record's delta starts, the shift
 * that sign-extends it from 64 bits, and the bytes the 4 take. */
typedef struct ctrl_ent {
    uint8_t off[4], sh[4];
    uint32_t total;
} ctrl_ent;

#define L_(c, j) (1u << (((c) >> (2 * (j))) & 3u))
#define E_(c)                                                                          \
    {{0, L_(c, 0), L_(c, 0) + L_(c, 1), L_(c, 0) + L_(c, 1) + L_(c, 2)},              \
     {64 - 8 * L_(c, 0), 64 - 8 * L_(c, 1), 64 - 8 * L_(c, 2), 64 - 8 * L_(c, 3)},    \
     L_(c, 0) + L_(c, 1) + L_(c, 2) + L_(c, 3)}
#define E4_(c) E_(c), E_((c) + 1), E_((c) + 2), E_((c) + 3)
#define E16_(c) E4_(c), E4_((c) + 4), E4_((c) + 8), E4_((c) + 12)
#define E64_(c) E16_(c), E16_((c) + 16), E16_((c) + 32), E16_((c) + 48)
static const ctrl_ent CTRL[256] = {E64_(0), E64_(64), E64_(128), E64_(192)};
#undef L_
#undef E_
#undef E4_
#undef E16_
#undef E64_

#define ONES 0x0101010101010101ull
#define HIGH 0x8080808080808080ull

/* Bytes of x whose high bit is set, counted (x holds only high bits). */
static inline uint32_t count_high(uint64_t x)
{
    return (uint32_t)(((x >> 7) * ONES) >> 56);
}

/* The sum of the 8 bytes of x (up to 2040: in 16-bit lanes first). */
static inline uint32_t sum_bytes(uint64_t x)
{
    x = (x & 0x00ff00ff00ff00ffull) + ((x >> 8) & 0x00ff00ff00ff00ffull);
    return (uint32_t)((x * 0x0001000100010001ull) >> 48);
}

/* The column checks of v2dec_open(), 8 records at a time (SWAR: each byte
 * b < 0x80 of x plus 0x80 - c has its high bit set iff b >= c, with no
 * carry into the next byte). Counts events (kind >= 16), escaped sizes
 * (255) and the delta bytes the length codes give; padding records count
 * as kind 0, size 0, code 0 (1 byte), taken off at the end.
 * @return 0, or -1 if a kind is not 0..2 or 16..27 or an event has a size. */
static int check_columns(const v2dec *d, uint32_t *events, uint32_t *escapes, uint64_t *total)
{
    uint64_t bad = 0, t = 0;
    uint32_t ev = 0, esc = 0;
    const uint32_t n4 = d->n4, n8 = n4 & ~7u;
    uint32_t i = 0;
    while (i < n8) {
        /* per-byte counters (high bits), summed every 127 rounds at most */
        uint64_t ev_acc = 0, esc_acc = 0;
        const uint32_t stop = n8 - i > 127 * 8 ? i + 127 * 8 : n8;
        for (; i < stop; i += 8) {
            const uint64_t k = ld64(d->kinds + i), sz = ld64(d->sizes + i);
            const uint64_t ge3 = (k + 0x7d7d7d7d7d7d7d7dull) & HIGH;
            const uint64_t ge16 = (k + 0x7070707070707070ull) & HIGH;
            const uint64_t ge28 = (k + 0x6464646464646464ull) & HIGH;
            const uint64_t nsz = ~sz;
            const uint64_t sz_nonzero = (((sz & ~HIGH) + ~HIGH) | sz) & HIGH;
            const uint64_t sz_255 = ~((((nsz & ~HIGH) + ~HIGH) | nsz)) & HIGH;
            bad |= (k & HIGH) | ge28 | (ge3 & ~ge16) | (ge16 & sz_nonzero);
            ev_acc += ge16 >> 7;
            esc_acc += sz_255 >> 7;
            t += CTRL[d->ctrl[i / 4]].total + CTRL[d->ctrl[i / 4 + 1]].total;
        }
        ev += sum_bytes(ev_acc);
        esc += sum_bytes(esc_acc);
    }
    for (; i < n4; i++) {
        const uint8_t k = d->kinds[i], sz = d->sizes[i];
        bad |= k > GR_TREC_LAST || (k > GR_TREC_FETCH && k < GR_TREC_EVENT) ||
               (k >= GR_TREC_EVENT && sz);
        ev += k >= GR_TREC_EVENT;
        esc += sz == V2_SIZE_ESC;
        if (i % 4 == 0)
            t += CTRL[d->ctrl[i / 4]].total;
    }
    *events = ev;
    *escapes = esc;
    *total = t - (n4 - d->n); /* the padding's codes are 0: one byte each */
    return bad ? -1 : 0;
}

int v2dec_open(v2dec *d, const uint8_t *raw, size_t len, uint32_t count, char *why, size_t wl)
{
#define BAD(...)                               \
    do {                                       \
        snprintf(why, wl, __VA_ARGS__);        \
        return -1;                             \
    } while (0)
    if (len < V2_BODY_HDR)
        BAD("body of %zu bytes is shorter than its %u-byte header", len, V2_BODY_HDR);
    const uint32_t n = gr_le32(raw);
    const uint32_t nctx = gr_le32(raw + 4), npac = gr_le32(raw + 8), nsplit = gr_le32(raw + 12),
                   nev = gr_le32(raw + 16), nbig = gr_le32(raw + 20), evlen = gr_le32(raw + 24),
                   pclen = gr_le32(raw + 28), dlen = gr_le32(raw + 32);
    if (n != count || n == 0 || n > V2_CHUNK_RECS || gr_le32(raw + 36) != 0)
        BAD("body header: %u records (the chunk header says %u), reserved field %u", n, count,
            gr_le32(raw + 36));
    const uint32_t n4 = (n + 3u) & ~3u;
    const uint64_t want = (uint64_t)V2_BODY_HDR + 2ull * n4 + n4 / 4 + 4ull * nbig +
                          (uint64_t)CTX_ENT * nctx + (uint64_t)PAC_ENT * npac + 4ull * nsplit +
                          4ull * nev + evlen + pclen + dlen;
    if (want != len)
        BAD("body lengths add up to %llu bytes, the chunk holds %zu", (unsigned long long)want,
            len);
    memset(d, 0, offsetof(v2dec, win));
    d->raw = raw;
    d->n = n;
    d->n4 = n4;
    d->nctx = nctx;
    d->npac = npac;
    d->nsplit = nsplit;
    d->nev = nev;
    d->nbig = nbig;
    const uint8_t *p = raw + V2_BODY_HDR;
    d->kinds = p;
    p += n4;
    d->ctrl = p;
    p += n4 / 4;
    d->sizes = p;
    p += n4;
    d->big = p;
    p += 4ull * nbig;
    d->ctx = p;
    p += (size_t)CTX_ENT * nctx;
    d->pac = p;
    p += (size_t)PAC_ENT * npac;
    d->split = p;
    p += 4ull * nsplit;
    d->evpos = p;
    p += 4ull * nev;
    d->ev = d->evp = p;
    p += evlen;
    d->ev_end = p;
    d->pc = d->pcp = p;
    p += pclen;
    d->pc_end = p;
    d->data = d->dp = p;

    /* kinds (accesses 0..2, events 16..27), sizes (0 for events), the
     * length codes (the deltas fill their stream exactly), padding 0 */
    uint64_t total = 0;
    uint32_t events = 0, escapes = 0;
    if (check_columns(d, &events, &escapes, &total))
        BAD("a record of the chunk has an invalid kind, or an event a size");
    for (uint32_t i = n; i < n4; i++)
        if (d->kinds[i] || d->sizes[i])
            BAD("padding after record %u is not zero", n - 1);
    if (n % 4 && d->ctrl[n / 4] >> (2 * (n % 4)))
        BAD("unused length codes of the last group are not zero");
    if (events != nev)
        BAD("%u event records, the event list holds %u", events, nev);
    if (escapes != nbig)
        BAD("%u escaped sizes, the big-size list holds %u", escapes, nbig);
    if (total != dlen)
        BAD("length codes give %llu delta bytes, the stream holds %u", (unsigned long long)total,
            dlen);
    /* side lists: positions ascending, of the right kind of record */
    uint32_t last = 0;
    for (uint32_t k = 0; k < nctx; k++) {
        const uint8_t *c = d->ctx + CTX_ENT * k;
        const uint32_t pos = gr_le32(c);
        if ((k && pos <= last) || pos >= n || d->kinds[pos] >= GR_TREC_EVENT || c[8] > 3 ||
            c[9] || c[10] || c[11])
            BAD("context entry %u (record %u) is invalid or out of order", k, pos);
        last = pos;
    }
    for (uint32_t k = 0; k < npac; k++) {
        const uint8_t *c = d->pac + PAC_ENT * k;
        const uint32_t pos = gr_le32(c);
        if ((k && pos <= last) || pos >= n || d->kinds[pos] >= GR_TREC_EVENT || c[4] == 0 ||
            c[4] > GR_TRACE_PAC_GA || c[5] || c[6] || c[7])
            BAD("PAC entry %u (record %u) is invalid or out of order", k, pos);
        last = pos;
    }
    for (uint32_t k = 0; k < nsplit; k++) {
        const uint32_t pos = gr_le32(d->split + 4 * k);
        if ((k && pos <= last) || pos >= n || d->kinds[pos] >= GR_TREC_EVENT)
            BAD("split entry %u (record %u) is invalid or out of order", k, pos);
        last = pos;
    }
    for (uint32_t k = 0; k < nev; k++) {
        const uint32_t pos = gr_le32(d->evpos + 4 * k);
        if ((k && pos <= last) || pos >= n || d->kinds[pos] < GR_TREC_EVENT)
            BAD("event entry %u (record %u) is invalid or out of order", k, pos);
        last = pos;
    }
    /* pc stream: absent, or exactly one varint of at most 10 bytes per
     * access */
    if (pclen) {
        uint32_t ends = 0, run = 0;
        for (uint32_t k = 0; k < pclen; k++) {
            const bool more = d->pc[k] >= 0x80;
            run = more ? run + 1 : 0;
            if (run == 10)
                BAD("pc value %u is longer than 10 bytes", ends);
            ends += !more;
        }
        if (ends != n - nev || d->pc[pclen - 1] >= 0x80)
            BAD("pc stream holds %u values for %u accesses", ends, n - nev);
    }
    return 0;
#undef BAD
}

/* Decodes the VAs of the next V2_WIN records (whole 4-record groups). */
static void next_window(v2dec *d)
{
    const uint32_t w0 = d->w0 + d->wn;
    uint32_t m = d->n4 - w0;
    if (m > V2_WIN)
        m = V2_WIN;
    const uint8_t *kd = d->kinds + w0, *sz = d->sizes + w0, *ctrl = d->ctrl + w0 / 4,
                  *dp = d->dp;
    uint64_t pf = d->prev[1], pd = d->prev[0];
    uint64_t *va = d->win;
    uint8_t *xf = d->xf;
    /* One table lookup per 4 records; the delta sign-extended by two
     * shifts; the class's previous VA picked without a branch. */
#define ONE_(j)                                                                   \
    do {                                                                          \
        const unsigned sh = t->sh[j];                                             \
        const int64_t delta = (int64_t)(ld64(dp + t->off[j]) << sh) >> sh;        \
        const bool isf = kd[g + (j)] == GR_TREC_FETCH;                            \
        const uint64_t x = (isf ? pf : pd) + (uint64_t)delta;                     \
        pf = isf ? x : pf;                                                        \
        pd = isf ? pd : x;                                                        \
        va[g + (j)] = x;                                                          \
        xf[g + (j)] = (uint8_t)(((x & PAGE4K) + sz[g + (j)] + PAGE4K) >> 13);     \
    } while (0)
    for (uint32_t g = 0; g < m; g += 4) {
        const ctrl_ent *t = &CTRL[ctrl[g / 4]];
        ONE_(0);
        ONE_(1);
        ONE_(2);
        ONE_(3);
        dp += t->total;
    }
#undef ONE_
    d->dp = dp;
    d->prev[1] = pf;
    d->prev[0] = pd;
    d->w0 = w0;
    d->wn = m < d->n - w0 ? m : d->n - w0;
}

/* The size of access i. An escaped one is the big-size list's entry
 * numbered by the escapes before i: the cursor counts them (8 at a time),
 * moving forward only. */
static inline uint32_t size_at(v2dec *d, uint32_t i)
{
    const uint8_t s = d->sizes[i];
    if (__builtin_expect(s != V2_SIZE_ESC, 1))
        return s;
    uint32_t at = d->big_at, idx = d->big_idx;
    for (; at + 8 <= i; at += 8) {
        const uint64_t ns = ~ld64(d->sizes + at);
        idx += 8 - count_high((((ns & ~HIGH) + ~HIGH) | ns) & HIGH);
    }
    for (; at < i; at++)
        idx += d->sizes[at] == V2_SIZE_ESC;
    d->big_at = at;
    d->big_idx = idx;
    return gr_le32(d->big + 4 * idx);
}

/* The pc of access i (the pc cursor moves to i). The stream holds one
 * varint of at most 10 bytes per access (checked by v2dec_open), so the
 * cursor never runs past it. */
static inline uint64_t pc_at(v2dec *d, uint32_t i)
{
    if (d->pc == d->pc_end)
        return 0;
    bool bad = false; /* never set: every varint is terminated in 10 bytes */
    for (; d->pc_at < i; d->pc_at++)
        if (d->kinds[d->pc_at] < GR_TREC_EVENT)
            d->pc_prev += gr_unzigzag(gr_get_uvar(&d->pcp, &bad));
    const uint8_t *p = d->pcp;
    return d->pc_prev + gr_unzigzag(gr_get_uvar(&p, &bad));
}

static inline uint32_t head(const uint8_t *list, uint32_t stride, uint32_t k, uint32_t nk,
                            uint32_t none)
{
    return k < nk ? gr_le32(list + (size_t)stride * k) : none;
}

int v2dec_rec(v2dec *d, gr_trace_rec *o)
{
    const uint32_t i = d->i;
    if (i >= d->n) {
        d->err = "it is past the chunk's last record";
        return -1;
    }
    if (i == d->w0 + d->wn)
        next_window(d);
    const uint8_t k = d->kinds[i];
    bool bad = false;
    memset(o, 0, sizeof *o);
    o->kind = k;
    if (k >= GR_TREC_EVENT) {
        const uint8_t *p = gr_get_event(d->evp, o, &bad);
        if (bad || p > d->ev_end) {
            d->err = "its event body is malformed";
            return -1;
        }
        d->evp = p;
        d->iev++;
    } else {
        uint32_t task = d->task;
        uint8_t el = d->el;
        const bool ctx = head(d->ctx, CTX_ENT, d->ictx, d->nctx, UINT32_MAX) == i;
        if (ctx) {
            task = gr_le32(d->ctx + CTX_ENT * d->ictx + 4);
            el = d->ctx[CTX_ENT * d->ictx + 8];
        }
        o->va = d->win[i - d->w0];
        o->size = size_at(d, i);
        o->pc = pc_at(d, i);
        const bool pac = head(d->pac, PAC_ENT, d->ipac, d->npac, UINT32_MAX) == i;
        if (pac) {
            o->pac_key = d->pac[PAC_ENT * d->ipac + 4];
            o->modifier = gr_le64(d->pac + PAC_ENT * d->ipac + 8);
        }
        const bool split = head(d->split, 4, d->isplit, d->nsplit, UINT32_MAX) == i;
        if (split != crosses(o->va, o->size, PAGE4K)) {
            d->err = split ? "an access in the split list does not cross a 4 KiB page"
                           : "an access crossing a 4 KiB page is not in the split list";
            return -1;
        }
        o->task = task;
        o->el = el;
        d->task = task;
        d->el = el;
        d->ictx += ctx;
        d->ipac += pac;
        d->isplit += split;
    }
    d->i = i + 1;
    return 0;
}

/* The first record at or after d->i that the plain path must look at:
 * the next context change, PAC access, 4K-crossing access or event. */
static inline uint32_t next_stop(const v2dec *d)
{
    uint32_t s = d->n;
    uint32_t x = head(d->ctx, CTX_ENT, d->ictx, d->nctx, s);
    s = x < s ? x : s;
    x = head(d->pac, PAC_ENT, d->ipac, d->npac, s);
    s = x < s ? x : s;
    x = head(d->split, 4, d->isplit, d->nsplit, s);
    s = x < s ? x : s;
    x = head(d->evpos, 4, d->iev, d->nev, s);
    return x < s ? x : s;
}

/* Fetches (kind 2) among n access kinds: bit 1 is set in fetches only. */
static inline size_t count_fetches(const uint8_t *k, size_t n)
{
    size_t c = 0, i = 0;
    for (; i + 8 <= n; i += 8)
        c += (((ld64(k + i) >> 1) & ONES) * ONES) >> 56;
    for (; i < n; i++)
        c += k[i] == GR_TREC_FETCH;
    return c;
}

size_t v2dec_plain(v2dec *d, const uint64_t **va, const uint8_t **kind, size_t want,
                   uint64_t pgmask, gr_trace_plain *run, bool *started)
{
    const uint32_t i = d->i;
    if (i >= d->n || want == 0)
        return 0;
    if (i == d->w0 + d->wn)
        next_window(d);
    uint32_t task = d->task;
    uint8_t el = d->el;
    const uint32_t stop = next_stop(d);
    bool ctx = false, split = false;
    if (stop == i) {
        /* a record the plain path must look at: events and PAC never go */
        if (d->kinds[i] >= GR_TREC_EVENT ||
            head(d->pac, PAC_ENT, d->ipac, d->npac, UINT32_MAX) == i)
            return 0;
        ctx = head(d->ctx, CTX_ENT, d->ictx, d->nctx, UINT32_MAX) == i;
        if (ctx) {
            task = gr_le32(d->ctx + CTX_ENT * d->ictx + 4);
            el = d->ctx[CTX_ENT * d->ictx + 8];
        }
        split = head(d->split, 4, d->isplit, d->nsplit, UINT32_MAX) == i;
        if (split) {
            /* plain only if it crosses 4 KiB (else v2dec_rec reports it)
             * but not the caller's page */
            const uint64_t v = d->win[i - d->w0];
            const uint32_t s = size_at(d, i);
            if (!crosses(v, s, PAGE4K) || crosses(v, s, pgmask))
                return 0;
        }
    }
    if (*started && (task != run->task || el != run->el))
        return 0;
    uint32_t end = d->w0 + d->wn;
    if (want < end - i)
        end = i + (uint32_t)want;
    /* consume the record at i's side entries, then run to the next stop */
    const uint32_t ictx = d->ictx, isplit = d->isplit;
    d->ictx += ctx;
    d->isplit += split;
    const uint32_t more = next_stop(d);
    if (more < end)
        end = more;
    /* Every other access is tested: the span ends before one crossing the
     * smaller of 4 KiB and the caller's page (one crossing 4 KiB here is
     * not in the split list: v2dec_rec reports it). At 4K pages and more
     * in a chunk without escaped sizes, by the window's flags (the size
     * byte is the size), 8 at a time. */
    {
        const uint64_t *w = d->win - d->w0;
        uint32_t j = i + split;
        if (pgmask < PAGE4K || d->nbig) {
            const uint64_t tmask = pgmask < PAGE4K ? pgmask : PAGE4K;
            for (; j < end; j++) {
                const uint8_t s = d->sizes[j];
                if (crosses(w[j], s != V2_SIZE_ESC ? s : size_at(d, j), tmask))
                    break;
            }
        } else {
            const uint8_t *f = d->xf - d->w0;
            while (j + 8 <= end && !ld64(f + j))
                j += 8;
            while (j < end && !f[j])
                j++;
        }
        end = j;
        if (end == i) {
            d->ictx = ictx;
            d->isplit = isplit;
            return 0;
        }
    }
    d->task = task;
    d->el = el;
    if (!*started) {
        *started = true;
        run->task = task;
        run->el = el;
    }
    run->fetches += count_fetches(d->kinds + i, end - i);
    *va = d->win + (i - d->w0);
    *kind = d->kinds + i;
    d->i = end;
    return end - i;
}

int v2dec_close(v2dec *d, char *why, size_t wl)
{
    if (d->evp != d->ev_end) {
        snprintf(why, wl, "its event stream has %zu bytes left over", (size_t)(d->ev_end - d->evp));
        return -1;
    }
    return 0;
}
