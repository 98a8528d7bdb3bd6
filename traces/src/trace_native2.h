/* granule traces: the record encoding of native format version 2 (not
 * installed; docs/trace-format.md, "Native format, version 2.0").
 *
 * A version-2 chunk body is column-wise: a kind byte and a 2-bit length
 * code per record, the sizes, then side lists for what is rare (context
 * changes, PAC, accesses that cross a 4 KiB page, events, sizes above 254)
 * and the VA deltas. trace_native.c frames, checksums and compresses the
 * bodies; this unit builds (v2enc) and decodes (v2dec) them. */
#ifndef GRANULE_TRACE_NATIVE2_H
#define GRANULE_TRACE_NATIVE2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "granule/trace.h"

#define V2_CHUNK_RECS 262144u      /* records per chunk at most */
#define V2_RAW_MAX (16u << 20)     /* decompressed body bytes at most */
#define V2_BODY_HDR 40u            /* the body's fixed header */
#define V2_WIN 1024u               /* VAs decoded at a time (a multiple of 4) */
#define V2_SIZE_ESC 255u           /* size byte: the size is in the big-size list */
#define RAW_PAD 128u /* zeros after a decoded chunk (either version): varints never overrun */

/* ---- encoder: one chunk's columns, filled record by record ----------- */

typedef struct v2enc {
    uint32_t n;                               /* records */
    uint8_t *kinds, *ctrl, *sizes, *data;     /* columns (capacity V2_CHUNK_RECS) */
    size_t dlen;
    uint8_t *big, *ctx, *pac, *split, *evpos; /* side lists */
    uint32_t nbig, nctx, npac, nsplit, nev;
    uint8_t *ev, *pc;                         /* event bodies, pc varints */
    size_t evlen, evcap, pclen, pccap;
    bool any_pc;
    uint64_t prev[2], pc_prev;                /* predictors: VA (data, fetch), pc */
    uint32_t task;                            /* context of the last access */
    uint8_t el;
} v2enc;

int v2enc_init(v2enc *e);                  /* @return 0, or -1 out of memory */
void v2enc_free(v2enc *e);
/* Appends rec. @return 0, or -1 out of memory. */
int v2enc_add(v2enc *e, const gr_trace_rec *rec);
/* True when the next record might not fit: close the chunk first. */
bool v2enc_full(const v2enc *e);
/* Writes the body to out (room for V2_RAW_MAX bytes) and empties e.
 * @return its length. */
size_t v2enc_finish(v2enc *e, uint8_t *out);

/* ---- decoder ---------------------------------------------------------- */

typedef struct v2dec {
    const uint8_t *raw;
    uint32_t n, n4;
    uint32_t nctx, npac, nsplit, nev, nbig;
    const uint8_t *kinds, *ctrl, *sizes, *big, *ctx, *pac, *split, *evpos;
    const uint8_t *ev, *ev_end, *pc, *pc_end, *data;
    /* record cursor and the side-list heads (entries before i consumed) */
    uint32_t i, ictx, ipac, isplit, iev;
    const uint8_t *evp;
    uint32_t task; /* context of the accesses at i (context entries before i applied) */
    uint8_t el;
    /* VAs of records [w0, w0 + wn) are win[0 .. wn) */
    uint32_t w0, wn;
    const uint8_t *dp; /* deltas of record w0 + wn on */
    uint64_t prev[2];
    /* position-synchronised cursors, advanced only when needed */
    uint32_t big_at, big_idx;
    uint32_t pc_at;
    const uint8_t *pcp;
    uint64_t pc_prev;
    const char *err; /* why v2dec_rec failed */
    uint64_t win[V2_WIN];
    /* per window record: 1 if it crosses 4 KiB (by its size byte) */
    uint8_t xf[V2_WIN];
} v2dec;

/* Checks the body raw[0..len) (followed by RAW_PAD readable bytes) of a
 * chunk said to hold count records and sets d up at its first record.
 * @return 0, or -1 with the reason in why. */
int v2dec_open(v2dec *d, const uint8_t *raw, size_t len, uint32_t count, char *why, size_t wl);
/* Decodes record d->i into *o and advances. @return 0, or -1 if it is
 * malformed, with the reason in d->err (d->i and the side-list heads
 * unchanged; the VA window and the size and pc cursors may have moved). */
int v2dec_rec(v2dec *d, gr_trace_rec *o);
/* The plain-run fast path: a span of at most want plain accesses from
 * d->i, as pointers into d (VAs) and the body (kinds), valid until the
 * next call. Continues the run *run when *started. @return the count (0:
 * the next record is not plain, or the chunk is done). */
size_t v2dec_plain(v2dec *d, const uint64_t **va, const uint8_t **kind, size_t want,
                   uint64_t pgmask, gr_trace_plain *run, bool *started);
/* After the last record: the side lists and streams were used up exactly.
 * @return 0, or -1 with the reason in why. */
int v2dec_close(v2dec *d, char *why, size_t wl);

#endif
