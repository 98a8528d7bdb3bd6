/* granule traces: what the format back-ends share (not installed). */
#ifndef GRANULE_TRACE_INTERNAL_H
#define GRANULE_TRACE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <lzma.h>
#include <zstd.h>

#include "granule/trace.h"

/* ---- byte source: a file or memory, optionally xz/zstd-compressed ------- */

enum { SRC_PLAIN, SRC_XZ, SRC_ZSTD };

/* The text parsers see at most this much at once. 256 KiB rather than more:
 * the window is written (read(), or decompression) and then parsed, and at
 * this size both stay in a 1 MiB L2. The replay loop of sqlite3 as din
 * took 0.104 s against 0.111 s with 1 MiB (the least of 18 runs each,
 * load average 5-7); 64 KiB gained nothing more. */
#define SRC_CAP (1u << 18)
#define SRC_SLACK 64u      /* writable bytes past len (sentinels) */

typedef struct gr_src {
    FILE *f;
    bool own;         /* fclose on close */
    bool seekable;    /* fseeko works */
    int codec;
    lzma_stream xz;
    ZSTD_DStream *zd;
    size_t zd_last;   /* last ZSTD_decompressStream result: 0 = frame complete */
    uint8_t *in;      /* compressed input (codec != PLAIN) */
    size_t in_pos, in_len, in_cap;
    size_t cap;       /* size of buf (SRC_CAP, or less for a small memory input) */
    bool in_eof;
    uint8_t *buf;     /* decompressed bytes; buf[pos..len) not consumed yet */
    size_t pos, len;
    uint64_t base;    /* stream offset of buf[0] */
    bool eof;         /* no more bytes will come */
    gr_trace_status err;
    char msg[160];
} gr_src;

/* size_hint: the input's length when known (memory), else 0. */
gr_trace_status gr_src_open(gr_src *s, FILE *f, bool own, size_t size_hint);
void gr_src_close(gr_src *s);
/* Moves buf[pos..len) to the front and reads more. @return bytes added. */
size_t gr_src_refill(gr_src *s);
/* Copies n bytes out; @return the number copied (< n at end or error). */
size_t gr_src_read(gr_src *s, void *dst, size_t n);
/* Drops the buffer and positions a plain, seekable source at off. */
gr_trace_status gr_src_seek(gr_src *s, uint64_t off);
static inline uint64_t gr_src_offset(const gr_src *s) { return s->base + s->pos; }

/* ---- readers ------------------------------------------------------------ */

#define RBUF_RECS 256

typedef struct gr_trace_ops {
    /* Decodes up to n (>= 8) records (native: any n >= 1); @return count, sets r->st on end/error. */
    size_t (*fill)(gr_trace_reader *r, gr_trace_rec *recs, size_t n);
    gr_trace_status (*seek)(gr_trace_reader *r, uint64_t index); /* may be NULL */
    void (*close)(gr_trace_reader *r);
    /* Optional: gr_trace_reader_read_plain() straight from the format (the
     * run so far is *run when *started); stops before the first record
     * that is not plain, and at the end of the data or on an error (which
     * sets r->st). NULL: records are converted from fill()'s. */
    size_t (*fill_plain)(gr_trace_reader *r, uint64_t *va, uint8_t *kind, size_t n,
                         uint64_t pgmask, gr_trace_plain *run, bool *started);
    /* Optional: gr_trace_reader_plain_view() in place: one span of plain
     * records in the format's own buffers (0 with r->st OK: the next record
     * is not plain). NULL: fill_plain into the reader's view buffers. */
    size_t (*plain_view)(gr_trace_reader *r, const uint64_t **va, const uint8_t **kind, size_t n,
                         uint64_t pgmask, gr_trace_plain *run, bool *started);
} gr_trace_ops;

struct gr_trace_reader {
    const gr_trace_ops *ops;
    int fmt;
    gr_src src;
    const char *name;     /* for messages */
    char *name_own;
    gr_trace_header hdr;
    char *meta;           /* owned storage of hdr.meta */
    gr_trace_status st;   /* sticky: END or an error once reached */
    char err[320];
    uint64_t err_off, err_line;
    uint64_t pos;         /* index of the next record handed out */
    uint64_t total;       /* UINT64_MAX until known */
    /* next(): records decoded ahead of the caller */
    gr_trace_rec rbuf[RBUF_RECS];
    size_t rpos, rlen;
    /* text formats */
    uint64_t line;        /* lines consumed */
    /* gr_trace_reader_plain_view() for formats without a view of their own */
    uint64_t *view_va;
    uint8_t *view_kind;
    void *fmtstate;       /* per-format state */
};

/* Records an error (sticky) with the byte offset, and the line if line != 0. */
gr_trace_status gr_trace_fail(gr_trace_reader *r, gr_trace_status st, uint64_t off,
                              uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

gr_trace_status gr_trace_native_open(gr_trace_reader *r);
gr_trace_status gr_trace_text_open(gr_trace_reader *r);     /* lackey, din, pinatrace */
gr_trace_status gr_trace_champsim_open(gr_trace_reader *r);

/* ---- writers ------------------------------------------------------------ */

typedef struct gr_trace_wops {
    gr_trace_status (*write)(gr_trace_writer *w, const gr_trace_rec *rec);
    gr_trace_status (*finish)(gr_trace_writer *w);
    void (*free)(gr_trace_writer *w);
} gr_trace_wops;

struct gr_trace_writer {
    const gr_trace_wops *ops;
    int fmt;
    FILE *f;
    bool own;
    int codec;            /* output compression for text/ChampSim */
    lzma_stream xz;
    ZSTD_CStream *zc;
    uint8_t *obuf;        /* text/record bytes waiting to be written */
    size_t olen;
    uint8_t *cbuf;        /* compressor output */
    gr_trace_header hdr;
    char *meta;
    uint64_t dropped, written;
    gr_trace_status st;
    char err[256];
    void *fmtstate;
};

#define WBUF_CAP (1u << 18)

gr_trace_status gr_trace_wfail(gr_trace_writer *w, gr_trace_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Appends n bytes to the output (through the compressor, if any). */
gr_trace_status gr_trace_wbytes(gr_trace_writer *w, const void *p, size_t n);
/* Makes sure obuf has room for `need` more bytes (flushing it if not). */
gr_trace_status gr_trace_wreserve(gr_trace_writer *w, size_t need);

gr_trace_status gr_trace_native_wopen(gr_trace_writer *w);
gr_trace_status gr_trace_text_wopen(gr_trace_writer *w);
gr_trace_status gr_trace_champsim_wopen(gr_trace_writer *w);

/* ---- little-endian helpers --------------------------------------------- */

static inline uint64_t gr_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}
static inline uint32_t gr_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint16_t gr_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline void gr_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline void gr_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline void gr_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* Varints (LEB128) and zigzag of the native formats (docs/trace-format.md). */
static inline uint8_t *gr_put_uvar(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static inline uint64_t gr_zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline uint64_t gr_unzigzag(uint64_t v) { return (v >> 1) ^ (0 - (v & 1)); }

/* LEB128, at most 10 bytes; a longer one sets *bad. */
static inline uint64_t gr_get_uvar(const uint8_t **pp, bool *bad)
{
    const uint8_t *p = *pp;
    if (p[0] < 0x80) {
        *pp = p + 1;
        return p[0];
    }
    uint64_t v = 0;
    for (int i = 0; i < 10; i++) {
        v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (p[i] < 0x80) {
            *pp = p + i + 1;
            return v;
        }
    }
    *bad = true;
    *pp = p + 10;
    return v;
}

/* An event's body in the native formats (after v1's tag byte; v2's event
 * bodies stream): byte EL, varint task, varint va, byte n, n varint
 * arguments (trailing zero arguments not written). @return its end. */
static inline uint8_t *gr_put_event(uint8_t *p, const gr_trace_rec *rec)
{
    *p++ = rec->el;
    p = gr_put_uvar(p, rec->task);
    p = gr_put_uvar(p, rec->va);
    unsigned na = GR_TRACE_NARGS;
    while (na > 0 && rec->arg[na - 1] == 0)
        na--;
    *p++ = (uint8_t)na;
    for (unsigned a = 0; a < na; a++)
        p = gr_put_uvar(p, rec->arg[a]);
    return p;
}

/* Reads an event's body into o's el, task, va and arguments; sets *bad on
 * an EL above 3, a task above 32 bits, more than GR_TRACE_NARGS arguments
 * or a varint longer than 10 bytes. @return its end. */
static inline const uint8_t *gr_get_event(const uint8_t *p, gr_trace_rec *o, bool *bad)
{
    o->el = *p++;
    const uint64_t t = gr_get_uvar(&p, bad);
    o->task = (uint32_t)t;
    o->va = gr_get_uvar(&p, bad);
    const unsigned na = *p++;
    *bad |= o->el > 3 || t > UINT32_MAX || na > GR_TRACE_NARGS;
    for (unsigned a = 0; a < na && a < GR_TRACE_NARGS; a++)
        o->arg[a] = gr_get_uvar(&p, bad);
    return p;
}

#endif
