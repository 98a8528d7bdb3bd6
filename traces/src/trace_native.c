/* granule traces: the native format (docs/trace-format.md, "Native format").
 *
 * A header, then chunks of records, each compressed with its own header
 * and XXH64, then an index of the chunks and a fixed-size trailer. Chunks
 * decode independently (the predictors restart), which is what lets a reader
 * jump to record N through the index. Version 1 chunks hold records one
 * after another (below); version 2 chunks hold them column-wise
 * (trace_native2.c), zstd- or LZ4-compressed. The header, index and trailer
 * are the same in both. */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <lz4frame.h>
#include <lz4hc.h>
#include <xxhash.h>

#include "trace_internal.h"
#include "trace_native2.h"

#define NATIVE_MAGIC "GRTRACE\x1a"
#define CHUNK_MAGIC "GRCK"
#define INDEX_MAGIC "GRIX"
#define TRAILER_MAGIC "GRTREND\n"
#define VERSION_MAJOR 1
#define VERSION_MINOR 0
#define V2_MAJOR 2
#define V2_MINOR 0
#define CHUNK2_MAGIC "GRC2"
#define CHDR2_SIZE 40u     /* version 2 chunk header */
#define CODEC_ZSTD 1u
#define CODEC_LZ4 2u
#define V2_ZSTD_LEVEL 3
#define CODEC_DEFAULT CODEC_LZ4 /* the writer's: the faster replay (docs/trace-format.md) */
#define FHDR_FIXED 28u     /* file header bytes before the metadata */
#define CHDR_SIZE 32u      /* chunk header */
#define TRAILER_SIZE 16u
#define META_MAX (1u << 20)
#define CHUNK_RECS 65536u  /* records per chunk at most */
#define CHUNK_RAW (1u << 20) /* uncompressed bytes per chunk at most */
#define REC_MAX 96u        /* longest encoding of one record */
#define ZSTD_LEVEL 3

/* Fuzzing builds (tests/trace/fuzz) accept wrong checksums, so mutated
 * input reaches the decoders behind them. */
#ifdef GRANULE_TRACE_FUZZ
#define FUZZING 1
#else
#define FUZZING 0
#endif

/* Tag byte of an access (bit 7 clear): bits 1:0 kind, then which fields
 * follow. Bit 7 set: an event, bits 6:0 its kind. */
#define TAG_SIZE 0x04u
#define TAG_CTX 0x08u
#define TAG_PAC 0x10u
#define TAG_PC 0x20u
#define TAG_RESERVED 0x40u
#define TAG_EVENT 0x80u

/* The longest LZ4 frame (LZ4 Frame Format 1.6) n bytes can take: 64 KiB
 * blocks, each with its checksum, and the content checksum, which is
 * LZ4F_compressFrameBound() of those preferences (the frames granule
 * writes, without checksums, are shorter; another writer's need not be). */
static size_t lz4_bound(size_t n)
{
    LZ4F_preferences_t p;
    memset(&p, 0, sizeof p);
    p.frameInfo.blockSizeID = LZ4F_max64KB;
    p.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
    p.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    return LZ4F_compressFrameBound(n, &p);
}

/* ---- reader ------------------------------------------------------------ */

/* The record predictors of docs/trace-format.md, reset at every chunk: the
 * last VA of data accesses [0] and of fetches [1], the last PC, size and
 * context. The writer and the reader keep the same ones. */
typedef struct npred {
    uint64_t va[2], pc;
    uint32_t size, task;
    uint8_t el;
} npred;

typedef struct nstate {
    ZSTD_DCtx *dctx;
    uint8_t *cbuf;      /* compressed payload */
    size_t ccap;
    uint8_t *raw;       /* decoded chunk + RAW_PAD zeros */
    size_t rcap;        /* raw holds rcap + RAW_PAD bytes */
    const uint8_t *p, *end;
    uint32_t left;      /* records left in the chunk */
    uint64_t chunk_off; /* file offset of the current chunk */
    uint32_t chunk_no;  /* chunks read so far */
    uint64_t next;      /* index of the next record to decode */
    npred pred;
    /* the index, once loaded for a seek */
    uint64_t *ix_off, *ix_first;
    uint32_t nix;
    uint64_t ix_total, ix_at;
    bool ix_loaded;
    XXH64_state_t *seen; /* digest of {offset, first record} of the chunks read */
    int ver;             /* format major version: 1 or 2 */
    v2dec *v2;           /* version 2: the chunk being read */
    bool v2_live;        /* v2 holds a chunk not yet checked at its end */
    LZ4F_dctx *lz4;
} nstate;

static void predictors_reset(nstate *n)
{
    n->pred = (npred){{0, 0}, 0, 0, 0, 0};
}

static gr_trace_status read_exact(gr_trace_reader *r, void *dst, size_t len, uint64_t off,
                                  const char *what)
{
    size_t got = gr_src_read(&r->src, dst, len);
    if (got == len)
        return GR_TRACE_OK;
    if (r->src.err)
        return gr_trace_fail(r, r->src.err, off + got, 0, "%s", r->src.msg);
    return gr_trace_fail(r, GR_TRACE_ETRUNC, off + got, 0,
                         "file ends inside %s (truncated: %zu of %zu bytes present)", what, got,
                         len);
}

static gr_trace_status native_read_header(gr_trace_reader *r)
{
    uint8_t fix[FHDR_FIXED];
    gr_trace_status st = read_exact(r, fix, FHDR_FIXED, 0, "the file header");
    if (st)
        return st;
    if (memcmp(fix, NATIVE_MAGIC, 8) != 0)
        return gr_trace_fail(r, GR_TRACE_EFORMAT, 0, 0, "not a granule trace (bad magic)");
    uint16_t major = gr_le16(fix + 8), minor = gr_le16(fix + 10);
    uint32_t hlen = gr_le32(fix + 12), mlen = gr_le32(fix + 24);
    if (major != VERSION_MAJOR && major != V2_MAJOR)
        return gr_trace_fail(r, GR_TRACE_EUNSUPPORTED, 8, 0,
                             "format version %u.%u; this reader reads versions %u.x and %u.x",
                             major, minor, VERSION_MAJOR, V2_MAJOR);
    ((nstate *)r->fmtstate)->ver = major;
    if (mlen > META_MAX || hlen != FHDR_FIXED + mlen + 8)
        return gr_trace_fail(r, GR_TRACE_EFORMAT, 12, 0,
                             "bad header length %u (metadata length %u)", hlen, mlen);
    r->meta = malloc(mlen + 1);
    if (!r->meta)
        return gr_trace_fail(r, GR_TRACE_ENOMEM, 24, 0, "out of memory for metadata");
    st = read_exact(r, r->meta, mlen, FHDR_FIXED, "the header metadata");
    if (st)
        return st;
    r->meta[mlen] = 0;
    uint8_t sum[8];
    st = read_exact(r, sum, 8, FHDR_FIXED + mlen, "the header checksum");
    if (st)
        return st;
    XXH64_state_t *h = XXH64_createState();
    if (!h)
        return gr_trace_fail(r, GR_TRACE_ENOMEM, 0, 0, "out of memory");
    XXH64_reset(h, 0);
    XXH64_update(h, fix, FHDR_FIXED);
    XXH64_update(h, r->meta, mlen);
    uint64_t want = XXH64_digest(h);
    XXH64_freeState(h);
    if (gr_le64(sum) != want && !FUZZING)
        return gr_trace_fail(r, GR_TRACE_ECORRUPT, 0, 0, "file header checksum mismatch");
    if (memchr(r->meta, 0, mlen))
        return gr_trace_fail(r, GR_TRACE_EFORMAT, FHDR_FIXED, 0, "metadata contains a NUL byte");
    r->hdr.version_major = major;
    r->hdr.version_minor = minor;
    r->hdr.page_size = gr_le32(fix + 16);
    r->hdr.source = gr_le16(fix + 20);
    r->hdr.meta = r->meta;
    return GR_TRACE_OK;
}

/* The index and trailer at the end of a sequential read: they must agree
 * with the chunks just read, and nothing may follow them. */
static gr_trace_status read_index_seq(gr_trace_reader *r, nstate *n, uint64_t off)
{
    uint8_t b[16];
    memcpy(b, INDEX_MAGIC, 4);
    gr_trace_status st = read_exact(r, b + 4, 12, off + 4, "the index");
    if (st)
        return st;
    uint32_t k = gr_le32(b + 4);
    uint64_t total = gr_le64(b + 8);
    if (k != n->chunk_no || total != n->next)
        return gr_trace_fail(r, GR_TRACE_EFORMAT, off, 0,
                             "index lists %u chunks and %llu records, the file holds %u and %llu",
                             k, (unsigned long long)total, n->chunk_no,
                             (unsigned long long)n->next);
    XXH64_state_t *h = XXH64_createState();
    if (!h)
        return gr_trace_fail(r, GR_TRACE_ENOMEM, off, 0, "out of memory");
    XXH64_reset(h, 0);
    XXH64_update(h, b, 16);
    /* The entries must be the chunks just read: compare digests, so the
     * check needs no memory per chunk. */
    XXH64_state_t *e_h = XXH64_createState();
    if (!e_h) {
        XXH64_freeState(h);
        return gr_trace_fail(r, GR_TRACE_ENOMEM, off, 0, "out of memory");
    }
    XXH64_reset(e_h, 0);
    for (uint32_t i = 0; i < k && st == GR_TRACE_OK; i++) {
        uint8_t e[16];
        st = read_exact(r, e, 16, off + 16 + 16ull * i, "the index");
        if (st)
            break;
        XXH64_update(h, e, 16);
        XXH64_update(e_h, e, 16);
    }
    uint64_t want = XXH64_digest(h), entries = XXH64_digest(e_h);
    XXH64_freeState(h);
    XXH64_freeState(e_h);
    if (st)
        return st;
    uint64_t at = off + 16 + 16ull * k;
    uint8_t t[8 + TRAILER_SIZE];
    st = read_exact(r, t, 8, at, "the index checksum");
    if (st)
        return st;
    if (gr_le64(t) != want && !FUZZING)
        return gr_trace_fail(r, GR_TRACE_ECORRUPT, off, 0, "index checksum mismatch");
    if (entries != XXH64_digest(n->seen))
        return gr_trace_fail(r, GR_TRACE_EFORMAT, off, 0,
                             "index entries do not match the chunks in the file");
    st = read_exact(r, t + 8, TRAILER_SIZE, at + 8, "the trailer");
    if (st)
        return st;
    if (gr_le64(t + 8) != off || memcmp(t + 16, TRAILER_MAGIC, 8) != 0)
        return gr_trace_fail(r, GR_TRACE_EFORMAT, at + 8, 0, "bad trailer");
    uint8_t extra;
    if (gr_src_read(&r->src, &extra, 1) != 0)
        return gr_trace_fail(r, GR_TRACE_EFORMAT, at + 8 + TRAILER_SIZE, 0,
                             "bytes after the trailer");
    r->total = total;
    r->st = GR_TRACE_END;
    return GR_TRACE_END;
}

/* Reads the chunk header at the current position and its payload, checks
 * and decompresses it. @return OK, END (index reached) or an error. */
static gr_trace_status load_chunk(gr_trace_reader *r, nstate *n)
{
    uint64_t off = gr_src_offset(&r->src);
    const bool v2 = n->ver == V2_MAJOR;
    const uint32_t hsize = v2 ? CHDR2_SIZE : CHDR_SIZE;
    uint8_t h[CHDR2_SIZE];
    size_t got = gr_src_read(&r->src, h, 4);
    if (got < 4) {
        if (r->src.err)
            return gr_trace_fail(r, r->src.err, off + got, 0, "%s", r->src.msg);
        return gr_trace_fail(r, GR_TRACE_ETRUNC, off + got, 0,
                             "file ends after %u chunks without its index (truncated)",
                             n->chunk_no);
    }
    if (memcmp(h, INDEX_MAGIC, 4) == 0)
        return read_index_seq(r, n, off);
    if (memcmp(h, v2 ? CHUNK2_MAGIC : CHUNK_MAGIC, 4) != 0)
        return gr_trace_fail(r, GR_TRACE_EFORMAT, off, 0, "expected chunk %u, found bad magic",
                             n->chunk_no);
    gr_trace_status st = read_exact(r, h + 4, hsize - 4, off + 4, "a chunk header");
    if (st)
        return st;
    uint32_t clen = gr_le32(h + 4), ulen = gr_le32(h + 8), count = gr_le32(h + 12);
    uint64_t first = gr_le64(h + 16);
    const uint32_t raw_max = v2 ? V2_RAW_MAX : CHUNK_RAW, recs_max = v2 ? V2_CHUNK_RECS : CHUNK_RECS;
    const unsigned codec = v2 ? h[24] : CODEC_ZSTD;
    const bool reserved = v2 && (h[25] | h[26] | h[27] | gr_le32(h + 28)) != 0;
    const size_t cbound = codec == CODEC_LZ4 ? lz4_bound(raw_max) : ZSTD_compressBound(raw_max);
    if (ulen > raw_max || count > recs_max || count == 0 || count > ulen || clen > cbound ||
        first != n->next || (codec != CODEC_ZSTD && codec != CODEC_LZ4) || reserved)
        return gr_trace_fail(r, GR_TRACE_EFORMAT, off, 0,
                             "chunk %u header is inconsistent (sizes %u/%u, %u records from %llu; "
                             "expected records from %llu; codec %u)",
                             n->chunk_no, clen, ulen, count, (unsigned long long)first,
                             (unsigned long long)n->next, codec);
    /* Buffers grow to the largest chunk seen (small traces stay small). */
    if (clen > n->ccap) {
        uint8_t *c = realloc(n->cbuf, clen);
        if (!c)
            return gr_trace_fail(r, GR_TRACE_ENOMEM, off, 0, "out of memory");
        n->cbuf = c;
        n->ccap = clen;
    }
    if (ulen > n->rcap) {
        uint8_t *c = realloc(n->raw, ulen + RAW_PAD);
        if (!c)
            return gr_trace_fail(r, GR_TRACE_ENOMEM, off, 0, "out of memory");
        n->raw = c;
        n->rcap = ulen;
    }
    size_t cgot = gr_src_read(&r->src, n->cbuf, clen);
    if (cgot != clen) {
        /* Reported at the chunk: its length field may be the damaged part. */
        if (r->src.err)
            return gr_trace_fail(r, r->src.err, off, 0, "chunk %u: %s", n->chunk_no, r->src.msg);
        return gr_trace_fail(r, GR_TRACE_ETRUNC, off, 0,
                             "chunk %u: the file ends %zu bytes into its %u-byte payload "
                             "(truncated, or a corrupt length)",
                             n->chunk_no, cgot, clen);
    }
    XXH64_state_t *hs = XXH64_createState();
    if (!hs)
        return gr_trace_fail(r, GR_TRACE_ENOMEM, off, 0, "out of memory");
    XXH64_reset(hs, 0);
    XXH64_update(hs, h, hsize - 8);
    XXH64_update(hs, n->cbuf, clen);
    uint64_t want = XXH64_digest(hs);
    XXH64_freeState(hs);
    if (gr_le64(h + hsize - 8) != want && !FUZZING)
        return gr_trace_fail(r, GR_TRACE_ECORRUPT, off, 0,
                             "chunk %u (records %llu..%llu): checksum mismatch", n->chunk_no,
                             (unsigned long long)first, (unsigned long long)(first + count - 1));
    if (codec == CODEC_ZSTD) {
        size_t dl = ZSTD_decompressDCtx(n->dctx, n->raw, ulen, n->cbuf, clen);
        if (ZSTD_isError(dl) || dl != ulen)
            return gr_trace_fail(r, GR_TRACE_EFORMAT, off, 0,
                                 "chunk %u does not decompress to its %u bytes (%s)", n->chunk_no,
                                 ulen, ZSTD_isError(dl) ? ZSTD_getErrorName(dl) : "size differs");
    } else {
        /* one whole LZ4 frame, of exactly ulen bytes */
        size_t dst = ulen, src = clen;
        LZ4F_resetDecompressionContext(n->lz4);
        size_t ret = LZ4F_decompress(n->lz4, n->raw, &dst, n->cbuf, &src, NULL);
        if (LZ4F_isError(ret) || ret != 0 || dst != ulen || src != clen)
            return gr_trace_fail(r, GR_TRACE_EFORMAT, off, 0,
                                 "chunk %u is not one LZ4 frame of its %u bytes (%s)", n->chunk_no,
                                 ulen, LZ4F_isError(ret) ? LZ4F_getErrorName(ret) : "size differs");
    }
    memset(n->raw + ulen, 0, RAW_PAD);
    if (v2) {
        char why[160];
        if (v2dec_open(n->v2, n->raw, ulen, count, why, sizeof why))
            return gr_trace_fail(r, GR_TRACE_EFORMAT, off, 0, "chunk %u: %s", n->chunk_no, why);
    }
    n->p = n->raw;
    n->end = n->raw + ulen;
    n->left = count;
    n->chunk_off = off;
    n->chunk_no++;
    uint8_t e[16];
    gr_put64(e, off);
    gr_put64(e + 8, first);
    XXH64_update(n->seen, e, 16);
    predictors_reset(n);
    return GR_TRACE_OK;
}

/* Why the record at p, which must end by end, is malformed: its fields
 * read again one at a time, in the order of docs/trace-format.md, and the
 * first fault named (the decode loops only know that there is one). The
 * chunk's RAW_PAD bytes keep every read in bounds; a field that starts at
 * or after end is the record running past the chunk. */
static const char *why_bad(const uint8_t *p, const uint8_t *end)
{
    static const char past[] = "it runs past the end of the chunk";
#define FIELD_AT(q)            \
    do {                       \
        if ((q) >= end)        \
            return past;       \
    } while (0)
#define VARINT(q, v, name)                                       \
    do {                                                         \
        FIELD_AT(q);                                             \
        bool bad_ = false;                                       \
        v = gr_get_uvar(&(q), &bad_);                            \
        if (bad_)                                                \
            return "its " name " varint is longer than 10 bytes"; \
    } while (0)
    uint64_t v;
    const uint8_t tag = *p++;
    if (tag & TAG_EVENT) {
        const unsigned kind = tag & 0x7fu;
        if (kind < GR_TREC_EVENT || kind > GR_TREC_LAST)
            return "its tag names no event kind";
        FIELD_AT(p);
        if (*p++ > 3)
            return "its event's EL is over 3";
        VARINT(p, v, "event's task");
        if (v > UINT32_MAX)
            return "its event's task is over 32 bits";
        VARINT(p, v, "event's VA");
        FIELD_AT(p);
        const unsigned na = *p++;
        if (na > GR_TRACE_NARGS)
            return "its event has more than 5 arguments";
        for (unsigned a = 0; a < na; a++)
            VARINT(p, v, "event argument");
        return p > end ? past : "it is malformed";
    }
    if (tag & TAG_RESERVED)
        return "its tag has the reserved bit 6 set";
    if ((tag & 3u) == 3)
        return "its tag has access kind 3";
    if (tag & TAG_SIZE) {
        VARINT(p, v, "size");
        if (v > UINT32_MAX)
            return "its size is over 32 bits";
    }
    if (tag & TAG_CTX) {
        FIELD_AT(p);
        if (*p++ > 3)
            return "its EL is over 3";
        VARINT(p, v, "task");
        if (v > UINT32_MAX)
            return "its task is over 32 bits";
    }
    if (tag & TAG_PAC) {
        FIELD_AT(p);
        const uint8_t key = *p++;
        if (key == 0 || key > GR_TRACE_PAC_GA)
            return "its PAC key is not 1..5";
        VARINT(p, v, "PAC modifier");
    }
    VARINT(p, v, "VA delta");
    if (tag & TAG_PC)
        VARINT(p, v, "pc delta");
    return p > end ? past : "it is malformed";
#undef VARINT
#undef FIELD_AT
}

/* Record i of the current batch, at start, is malformed: the error, with
 * the i records before it handed out. @return i. */
static size_t bad_record(gr_trace_reader *r, nstate *n, const uint8_t *start, size_t i)
{
    n->p = start;
    gr_trace_fail(r, GR_TRACE_EFORMAT, n->chunk_off, 0,
                  "chunk %u: record %llu (byte %zu of the decompressed chunk) is malformed: %s",
                  n->chunk_no - 1, (unsigned long long)(n->next + i), (size_t)(start - n->raw),
                  why_bad(start, n->end));
    n->next += i;
    n->left -= (uint32_t)i;
    return i;
}

static void bad_length(gr_trace_reader *r, nstate *n)
{
    gr_trace_fail(r, GR_TRACE_EFORMAT, n->chunk_off, 0,
                  "chunk %u: its records do not fill its %zu decompressed bytes exactly",
                  n->chunk_no - 1, (size_t)(n->end - n->raw));
}

/* ---- version 2 records (the chunk body: trace_native2.c) ---- */

/* Makes a record available: checks the finished chunk's end and loads the
 * next. @return false at the end of the data or on an error (r->st set). */
static bool v2_ready(gr_trace_reader *r, nstate *n)
{
    while (n->left == 0) {
        if (n->v2_live) {
            char why[160];
            n->v2_live = false;
            if (v2dec_close(n->v2, why, sizeof why)) {
                gr_trace_fail(r, GR_TRACE_EFORMAT, n->chunk_off, 0, "chunk %u: %s",
                              n->chunk_no - 1, why);
                return false;
            }
        }
        if (load_chunk(r, n) != GR_TRACE_OK)
            return false;
        n->v2_live = true;
    }
    return true;
}

static size_t v2_fill(gr_trace_reader *r, gr_trace_rec *recs, size_t want)
{
    nstate *n = r->fmtstate;
    size_t got = 0;
    while (got < want && v2_ready(r, n)) {
        size_t k = want - got;
        if (k > n->left)
            k = n->left;
        for (size_t i = 0; i < k; i++) {
            if (v2dec_rec(n->v2, &recs[got + i])) {
                n->left -= (uint32_t)i;
                n->next += i;
                gr_trace_fail(r, GR_TRACE_EFORMAT, n->chunk_off, 0,
                              "chunk %u: record %llu (record %u of the chunk) is malformed: %s",
                              n->chunk_no - 1, (unsigned long long)n->next, n->v2->i,
                              n->v2->err);
                return got + i;
            }
        }
        n->left -= (uint32_t)k;
        n->next += k;
        got += k;
    }
    return got;
}

/* The plain-run fast path in place: one span of the chunk. */
static size_t v2_view(gr_trace_reader *r, const uint64_t **va, const uint8_t **kind, size_t want,
                      uint64_t pgmask, gr_trace_plain *run, bool *started)
{
    nstate *n = r->fmtstate;
    if (!v2_ready(r, n))
        return 0;
    size_t k = v2dec_plain(n->v2, va, kind, want, pgmask, run, started);
    n->left -= (uint32_t)k;
    n->next += k;
    return k;
}

static size_t v2_fill_plain(gr_trace_reader *r, uint64_t *va, uint8_t *kind, size_t want,
                            uint64_t pgmask, gr_trace_plain *run, bool *started)
{
    size_t got = 0;
    while (got < want) {
        const uint64_t *v;
        const uint8_t *k;
        size_t m = v2_view(r, &v, &k, want - got, pgmask, run, started);
        if (!m)
            break;
        memcpy(va + got, v, m * sizeof *va);
        memcpy(kind + got, k, m);
        got += m;
    }
    return got;
}

static size_t native_fill(gr_trace_reader *r, gr_trace_rec *recs, size_t want)
{
    nstate *n = r->fmtstate;
    size_t got = 0;
    while (got < want) {
        if (n->left == 0) {
            if (n->p != n->end)
                goto bad_len;
            if (load_chunk(r, n) != GR_TRACE_OK)
                return got;
        }
        size_t k = want - got;
        if (k > n->left)
            k = n->left;
        const uint8_t *p = n->p;
        bool bad = false;
        npred q = n->pred;
        for (size_t i = 0; i < k; i++) {
            gr_trace_rec *o = &recs[got + i];
            const uint8_t *start = p;
            uint8_t tag = *p++;
            memset(o, 0, sizeof *o);
            if (tag < TAG_EVENT) {
                unsigned kind = tag & 3u;
                if ((tag & TAG_RESERVED) || kind == 3)
                    bad = true;
                if (tag & TAG_SIZE) {
                    uint64_t s = gr_get_uvar(&p, &bad);
                    bad |= s > UINT32_MAX;
                    q.size = (uint32_t)s;
                }
                if (tag & TAG_CTX) {
                    q.el = *p++;
                    uint64_t t = gr_get_uvar(&p, &bad);
                    bad |= q.el > 3 || t > UINT32_MAX;
                    q.task = (uint32_t)t;
                }
                if (tag & TAG_PAC) {
                    o->pac_key = *p++;
                    bad |= o->pac_key == 0 || o->pac_key > GR_TRACE_PAC_GA;
                    o->modifier = gr_get_uvar(&p, &bad);
                }
                o->va = q.va[kind == GR_TREC_FETCH] += gr_unzigzag(gr_get_uvar(&p, &bad));
                if (tag & TAG_PC)
                    o->pc = q.pc += gr_unzigzag(gr_get_uvar(&p, &bad));
                o->kind = (uint8_t)kind;
                o->size = q.size;
                o->task = q.task;
                o->el = q.el;
            } else {
                o->kind = tag & 0x7f;
                bad |= o->kind < GR_TREC_EVENT || o->kind > GR_TREC_LAST;
                p = gr_get_event(p, o, &bad);
            }
            if (bad || p > n->end)
                return got + bad_record(r, n, start, i);
        }
        n->p = p;
        n->pred = q;
        n->left -= (uint32_t)k;
        n->next += k;
        got += k;
        if (n->left == 0 && n->p != n->end)
            goto bad_len;
    }
    return got;
bad_len:
    bad_length(r, n);
    return got;
}

/* Loads the index through the trailer (seekable input only). */
static gr_trace_status load_index(gr_trace_reader *r, nstate *n)
{
    FILE *f = r->src.f;
    if (fseeko(f, 0, SEEK_END) != 0)
        return GR_TRACE_EUNSUPPORTED;
    off_t size = ftello(f);
    if (size < (off_t)(TRAILER_SIZE + 24))
        return gr_trace_fail(r, GR_TRACE_ETRUNC, (uint64_t)(size < 0 ? 0 : size), 0,
                             "file too short for an index and trailer (truncated)");
    uint8_t t[TRAILER_SIZE];
    if (fseeko(f, size - TRAILER_SIZE, SEEK_SET) != 0 || fread(t, 1, TRAILER_SIZE, f) != TRAILER_SIZE)
        return gr_trace_fail(r, GR_TRACE_EIO, (uint64_t)size, 0, "cannot read the trailer");
    uint64_t ioff = gr_le64(t);
    if (memcmp(t + 8, TRAILER_MAGIC, 8) != 0 || ioff + 24 + TRAILER_SIZE > (uint64_t)size)
        return gr_trace_fail(r, GR_TRACE_ETRUNC, (uint64_t)size - TRAILER_SIZE, 0,
                             "no valid trailer at the end of the file (truncated?)");
    uint64_t ilen = (uint64_t)size - TRAILER_SIZE - ioff; /* magic .. checksum */
    uint8_t *ib = malloc(ilen);
    if (!ib)
        return gr_trace_fail(r, GR_TRACE_ENOMEM, ioff, 0, "out of memory for the index");
    if (fseeko(f, (off_t)ioff, SEEK_SET) != 0 || fread(ib, 1, ilen, f) != ilen) {
        free(ib);
        return gr_trace_fail(r, GR_TRACE_EIO, ioff, 0, "cannot read the index");
    }
    uint32_t k = gr_le32(ib + 4);
    gr_trace_status st = GR_TRACE_OK;
    if (memcmp(ib, INDEX_MAGIC, 4) != 0 || 16 + 16ull * k + 8 != ilen)
        st = gr_trace_fail(r, GR_TRACE_EFORMAT, ioff, 0, "bad index");
    else if (XXH64(ib, ilen - 8, 0) != gr_le64(ib + ilen - 8) && !FUZZING)
        st = gr_trace_fail(r, GR_TRACE_ECORRUPT, ioff, 0, "index checksum mismatch");
    if (st == GR_TRACE_OK) {
        n->ix_off = malloc(sizeof(uint64_t) * (k + 1));
        n->ix_first = malloc(sizeof(uint64_t) * (k + 1));
        if (!n->ix_off || !n->ix_first)
            st = gr_trace_fail(r, GR_TRACE_ENOMEM, ioff, 0, "out of memory for the index");
    }
    if (st == GR_TRACE_OK) {
        n->ix_total = gr_le64(ib + 8);
        for (uint32_t i = 0; i < k; i++) {
            n->ix_off[i] = gr_le64(ib + 16 + 16 * i);
            n->ix_first[i] = gr_le64(ib + 24 + 16 * i);
            if (n->ix_off[i] >= ioff || n->ix_first[i] > n->ix_total ||
                (i && (n->ix_first[i] <= n->ix_first[i - 1] || n->ix_off[i] <= n->ix_off[i - 1])))
                st = gr_trace_fail(r, GR_TRACE_EFORMAT, ioff + 16 + 16 * i, 0,
                                   "index entry %u is out of order", i);
        }
        n->nix = k;
        n->ix_at = ioff;
        n->ix_loaded = st == GR_TRACE_OK;
    }
    free(ib);
    return st;
}

/* After a seek, the chunks before the new position count as read. */
static void reseed_seen(nstate *n, uint32_t upto)
{
    XXH64_reset(n->seen, 0);
    for (uint32_t i = 0; i < upto; i++) {
        uint8_t e[16];
        gr_put64(e, n->ix_off[i]);
        gr_put64(e + 8, n->ix_first[i]);
        XXH64_update(n->seen, e, 16);
    }
}

static gr_trace_status native_seek(gr_trace_reader *r, uint64_t index)
{
    nstate *n = r->fmtstate;
    if (!r->src.seekable || r->src.codec != SRC_PLAIN)
        return GR_TRACE_EUNSUPPORTED;
    if (!n->ix_loaded) {
        gr_trace_status st = load_index(r, n);
        if (st)
            return st;
    }
    r->total = n->ix_total;
    r->rpos = r->rlen = 0;
    if (index >= n->ix_total || n->nix == 0) {
        /* At the end: the next read checks the index and trailer. */
        gr_trace_status st = gr_src_seek(&r->src, n->ix_at);
        if (st)
            return st;
        n->chunk_no = n->nix;
        reseed_seen(n, n->nix);
        n->next = n->ix_total;
        n->left = 0;
        n->v2_live = false;
        n->p = n->end = n->raw;
        r->pos = n->ix_total;
        r->st = GR_TRACE_OK;
        return GR_TRACE_OK;
    }
    uint32_t lo = 0, hi = n->nix - 1; /* last entry with first <= index */
    while (lo < hi) {
        uint32_t mid = (lo + hi + 1) / 2;
        if (n->ix_first[mid] <= index)
            lo = mid;
        else
            hi = mid - 1;
    }
    gr_trace_status st = gr_src_seek(&r->src, n->ix_off[lo]);
    if (st)
        return st;
    n->chunk_no = lo;
    reseed_seen(n, lo);
    n->next = n->ix_first[lo];
    n->left = 0;
    n->v2_live = false;
    n->p = n->end = n->raw;
    r->pos = n->next;
    r->st = GR_TRACE_OK;
    while (r->pos < index) {
        uint64_t skip = index - r->pos;
        size_t k = r->ops->fill(r, r->rbuf, skip < RBUF_RECS ? (size_t)skip : RBUF_RECS);
        if (k == 0)
            return r->st == GR_TRACE_END ? GR_TRACE_OK : r->st;
        r->pos += k;
    }
    return GR_TRACE_OK;
}

static void native_close(gr_trace_reader *r)
{
    nstate *n = r->fmtstate;
    if (!n)
        return;
    ZSTD_freeDCtx(n->dctx);
    LZ4F_freeDecompressionContext(n->lz4);
    free(n->v2);
    XXH64_freeState(n->seen);
    free(n->cbuf);
    free(n->raw);
    free(n->ix_off);
    free(n->ix_first);
    free(n);
    r->fmtstate = NULL;
}


/* An access of sz bytes at va stays inside its (pgmask + 1)-byte page iff
 * (va & pgmask) + last(sz) <= pgmask, with last(sz) the offset of its last
 * byte (0 for an unknown size, which is never split). */
static inline uint64_t last_byte(uint32_t sz)
{
    return sz ? sz - 1u : 0u;
}

/* gr_trace_reader_read_plain() straight from the chunk: native_fill()'s
 * decoding without building records. A record that is not plain is left
 * undecoded (the predictors are committed only for records handed out).
 * The rare cases (a context, a reserved bit) are tested with one mask on
 * the tag; sizes change on most records of a real trace (fetches and data
 * accesses interleave). */
static size_t native_fill_plain(gr_trace_reader *r, uint64_t *va, uint8_t *kind, size_t want,
                                uint64_t pgmask, gr_trace_plain *run, bool *started)
{
    nstate *n = r->fmtstate;
    size_t got = 0, fetches = 0;
    /* Every record read ahead into the run came from this decoder, so a
     * run already started has the decoder's task and EL. */
    bool fresh = !*started;
    uint32_t rtask = n->pred.task;
    uint8_t rel = n->pred.el;
    while (got < want) {
        if (n->left == 0) {
            if (n->p != n->end) {
                bad_length(r, n);
                break;
            }
            if (load_chunk(r, n) != GR_TRACE_OK)
                break;
        }
        size_t k = want - got;
        if (k > n->left)
            k = n->left;
        const uint8_t *p = n->p;
        const uint8_t *const end = n->end;
        bool bad = false;
        /* The two VA predictors are indexed by (kind == FETCH): a branch
         * on the kind mispredicts as fetches and data accesses interleave. */
        npred q = n->pred;
        uint64_t *ova = va + got;
        uint8_t *okind = kind + got;
        size_t i = 0;
        for (; i < k; i++) {
            const uint8_t *start = p;
            const uint8_t tag = *p++;
            if (__builtin_expect(tag & (TAG_EVENT | TAG_PAC), 0)) {
                p = start;
                break;
            }
            /* A size comes with most records of a real trace, and almost
             * always in one byte: taken without a branch on TAG_SIZE. */
            uint32_t sz = q.size;
            const uint32_t has_size = (tag & TAG_SIZE) ? 1u : 0u;
            const uint32_t b0 = *p; /* RAW_PAD: readable even at the end */
            if (__builtin_expect(has_size & (b0 >> 7), 0)) {
                uint64_t v = gr_get_uvar(&p, &bad);
                bad |= v > UINT32_MAX;
                sz = (uint32_t)v;
            } else {
                sz ^= (sz ^ b0) & (0u - has_size);
                p += has_size;
            }
            const uint64_t lb = last_byte(sz);
            if (__builtin_expect(tag & (TAG_RESERVED | TAG_CTX), 0)) {
                bad |= (tag & TAG_RESERVED) != 0;
                if (tag & TAG_CTX) {
                    const uint8_t e = *p++;
                    const uint64_t t = gr_get_uvar(&p, &bad);
                    bad |= e > 3 || t > UINT32_MAX;
                    if (!bad && (e != rel || (uint32_t)t != rtask)) {
                        if (!fresh) {
                            p = start;
                            break;
                        }
                        /* the run's first record sets its context */
                        rel = e;
                        rtask = (uint32_t)t;
                    }
                }
            }
            const unsigned kd = tag & 3u;
            bad |= kd == 3;
            const unsigned fetch = kd >> 1;
            const uint64_t v = q.va[fetch] + gr_unzigzag(gr_get_uvar(&p, &bad));
            uint64_t pc = q.pc;
            if (tag & TAG_PC)
                pc += gr_unzigzag(gr_get_uvar(&p, &bad));
            if (__builtin_expect(bad || p > end, 0)) {
                got += bad_record(r, n, start, i);
                goto out;
            }
            if (__builtin_expect((v & pgmask) + lb > pgmask, 0)) {
                p = start;
                break;
            }
            fresh = false;
            q.size = sz;
            q.pc = pc;
            q.va[fetch] = v;
            ova[i] = v;
            okind[i] = (uint8_t)kd;
            fetches += fetch;
        }
        /* A record that set a fresh run's context and was then left for
         * the record loop carries that context itself. */
        q.task = rtask;
        q.el = rel;
        n->p = p;
        n->pred = q;
        n->left -= (uint32_t)i;
        n->next += i;
        got += i;
        if (i < k)
            break; /* the next record is not plain */
        if (n->left == 0 && n->p != n->end) {
            bad_length(r, n);
            break;
        }
    }
out:
    if (got && !*started) {
        *started = true;
        run->task = rtask;
        run->el = rel;
    }
    run->fetches += fetches;
    return got;
}

static const gr_trace_ops native_ops = {.fill = native_fill,
                                        .seek = native_seek,
                                        .close = native_close,
                                        .fill_plain = native_fill_plain};
static const gr_trace_ops native2_ops = {.fill = v2_fill,
                                         .seek = native_seek,
                                         .close = native_close,
                                         .fill_plain = v2_fill_plain,
                                         .plain_view = v2_view};

gr_trace_status gr_trace_native_open(gr_trace_reader *r)
{
    r->ops = &native_ops;
    if (r->src.codec != SRC_PLAIN)
        return gr_trace_fail(r, GR_TRACE_EFORMAT, 0, 0,
                             "a native trace is compressed inside; do not compress the file");
    nstate *n = calloc(1, sizeof *n);
    if (!n)
        return GR_TRACE_ENOMEM;
    r->fmtstate = n;
    n->ccap = 4096;
    n->cbuf = malloc(n->ccap);
    n->rcap = 4096;
    n->raw = malloc(n->rcap + RAW_PAD);
    n->dctx = ZSTD_createDCtx();
    n->seen = XXH64_createState();
    n->v2 = malloc(sizeof *n->v2);
    if (!n->cbuf || !n->raw || !n->dctx || !n->seen || !n->v2 ||
        LZ4F_isError(LZ4F_createDecompressionContext(&n->lz4, LZ4F_VERSION)))
        return GR_TRACE_ENOMEM;
    XXH64_reset(n->seen, 0);
    n->p = n->end = n->raw;
    gr_trace_status st = native_read_header(r);
    if (st == GR_TRACE_OK && n->ver == V2_MAJOR)
        r->ops = &native2_ops;
    return st;
}

/* ---- writer ------------------------------------------------------------ */

typedef struct nwstate {
    ZSTD_CCtx *cctx;
    uint8_t *raw;
    size_t rlen;
    uint32_t count;
    uint8_t *cbuf;
    size_t ccap;
    uint64_t off;      /* bytes written so far */
    uint64_t next;     /* index of the next record */
    uint64_t *ix;      /* pairs {offset, first record} */
    size_t nix, capix;
    npred pred;
    int ver;           /* 1 or 2 */
    unsigned codec;    /* version 2: CODEC_ZSTD or CODEC_LZ4 */
    v2enc *enc;        /* version 2: the chunk being built */
} nwstate;

static gr_trace_status wout(gr_trace_writer *w, nwstate *n, const void *p, size_t len)
{
    gr_trace_status st = gr_trace_wbytes(w, p, len);
    n->off += len;
    return st;
}

static gr_trace_status index_add(gr_trace_writer *w, nwstate *n)
{
    if (n->nix == n->capix) {
        size_t cap = n->capix ? n->capix * 2 : 64;
        uint64_t *ix = realloc(n->ix, cap * 2 * sizeof *ix);
        if (!ix)
            return gr_trace_wfail(w, GR_TRACE_ENOMEM, "out of memory for the index");
        n->ix = ix;
        n->capix = cap;
    }
    n->ix[2 * n->nix] = n->off;
    n->ix[2 * n->nix + 1] = n->next - n->count;
    n->nix++;
    return GR_TRACE_OK;
}

/* The chunk of n->count records whose cl compressed bytes are in n->cbuf:
 * its index entry, then its header (version 1: 32 bytes; version 2: 40,
 * with the codec byte and reserved zeros) whose last 8 bytes are the XXH64
 * of the header before them and the payload, then the payload. */
static gr_trace_status write_chunk(gr_trace_writer *w, nwstate *n, size_t cl)
{
    gr_trace_status st = index_add(w, n);
    if (st)
        return st;
    const bool v2 = n->ver == V2_MAJOR;
    const uint32_t hsize = v2 ? CHDR2_SIZE : CHDR_SIZE;
    uint8_t h[CHDR2_SIZE];
    memcpy(h, v2 ? CHUNK2_MAGIC : CHUNK_MAGIC, 4);
    gr_put32(h + 4, (uint32_t)cl);
    gr_put32(h + 8, (uint32_t)n->rlen);
    gr_put32(h + 12, n->count);
    gr_put64(h + 16, n->next - n->count);
    if (v2) {
        memset(h + 24, 0, 8);
        h[24] = (uint8_t)n->codec;
    }
    XXH64_state_t *hs = XXH64_createState();
    if (!hs)
        return gr_trace_wfail(w, GR_TRACE_ENOMEM, "out of memory");
    XXH64_reset(hs, 0);
    XXH64_update(hs, h, hsize - 8);
    XXH64_update(hs, n->cbuf, cl);
    gr_put64(h + hsize - 8, XXH64_digest(hs));
    XXH64_freeState(hs);
    st = wout(w, n, h, hsize);
    if (!st)
        st = wout(w, n, n->cbuf, cl);
    n->rlen = 0;
    n->count = 0;
    return st;
}

/* Version 2: compresses the chunk's body and writes header and payload. */
static gr_trace_status flush_chunk2(gr_trace_writer *w, nwstate *n)
{
    n->count = n->enc->n;
    if (n->count == 0)
        return GR_TRACE_OK;
    n->rlen = v2enc_finish(n->enc, n->raw);
    size_t cl;
    if (n->codec == CODEC_LZ4) {
        LZ4F_preferences_t pr;
        memset(&pr, 0, sizeof pr);
        pr.compressionLevel = LZ4HC_CLEVEL_DEFAULT;
        pr.frameInfo.contentSize = n->rlen;
        cl = LZ4F_compressFrame(n->cbuf, n->ccap, n->raw, n->rlen, &pr);
        if (LZ4F_isError(cl))
            return gr_trace_wfail(w, GR_TRACE_EIO, "lz4: %s", LZ4F_getErrorName(cl));
    } else {
        cl = ZSTD_compressCCtx(n->cctx, n->cbuf, n->ccap, n->raw, n->rlen, V2_ZSTD_LEVEL);
        if (ZSTD_isError(cl))
            return gr_trace_wfail(w, GR_TRACE_EIO, "zstd: %s", ZSTD_getErrorName(cl));
    }
    return write_chunk(w, n, cl);
}

static gr_trace_status flush_chunk(gr_trace_writer *w, nwstate *n)
{
    if (n->ver == V2_MAJOR)
        return flush_chunk2(w, n);
    if (n->count == 0)
        return GR_TRACE_OK;
    size_t cl = ZSTD_compressCCtx(n->cctx, n->cbuf, n->ccap, n->raw, n->rlen, ZSTD_LEVEL);
    if (ZSTD_isError(cl))
        return gr_trace_wfail(w, GR_TRACE_EIO, "zstd: %s", ZSTD_getErrorName(cl));
    n->pred = (npred){{0, 0}, 0, 0, 0, 0};
    return write_chunk(w, n, cl);
}

static gr_trace_status native_write(gr_trace_writer *w, const gr_trace_rec *rec)
{
    nwstate *n = w->fmtstate;
    if (n->ver == V2_MAJOR) {
        if (v2enc_add(n->enc, rec))
            return gr_trace_wfail(w, GR_TRACE_ENOMEM, "out of memory");
        n->next++;
        return v2enc_full(n->enc) ? flush_chunk2(w, n) : GR_TRACE_OK;
    }
    uint8_t *p = n->raw + n->rlen;
    if (rec->kind < GR_TREC_EVENT) {
        uint8_t *tagp = p++;
        unsigned tag = rec->kind;
        if (rec->size != n->pred.size) {
            tag |= TAG_SIZE;
            p = gr_put_uvar(p, rec->size);
            n->pred.size = rec->size;
        }
        if (rec->el != n->pred.el || rec->task != n->pred.task) {
            tag |= TAG_CTX;
            *p++ = rec->el;
            p = gr_put_uvar(p, rec->task);
            n->pred.el = rec->el;
            n->pred.task = rec->task;
        }
        if (rec->pac_key != GR_TRACE_PAC_NONE) {
            tag |= TAG_PAC;
            *p++ = rec->pac_key;
            p = gr_put_uvar(p, rec->modifier);
        }
        int cls = rec->kind == GR_TREC_FETCH;
        p = gr_put_uvar(p, gr_zigzag((int64_t)(rec->va - n->pred.va[cls])));
        n->pred.va[cls] = rec->va;
        if (rec->pc) {
            tag |= TAG_PC;
            p = gr_put_uvar(p, gr_zigzag((int64_t)(rec->pc - n->pred.pc)));
            n->pred.pc = rec->pc;
        }
        *tagp = (uint8_t)tag;
    } else {
        *p++ = (uint8_t)(TAG_EVENT | rec->kind);
        p = gr_put_event(p, rec);
    }
    n->rlen = (size_t)(p - n->raw);
    n->count++;
    n->next++;
    if (n->count == CHUNK_RECS || n->rlen > CHUNK_RAW - REC_MAX)
        return flush_chunk(w, n);
    return GR_TRACE_OK;
}

static gr_trace_status native_finish(gr_trace_writer *w)
{
    nwstate *n = w->fmtstate;
    gr_trace_status st = flush_chunk(w, n);
    if (st)
        return st;
    uint64_t ioff = n->off;
    size_t ilen = 16 + 16 * n->nix + 8;
    uint8_t *ib = malloc(ilen + TRAILER_SIZE);
    if (!ib)
        return gr_trace_wfail(w, GR_TRACE_ENOMEM, "out of memory for the index");
    memcpy(ib, INDEX_MAGIC, 4);
    gr_put32(ib + 4, (uint32_t)n->nix);
    gr_put64(ib + 8, n->next);
    for (size_t i = 0; i < n->nix; i++) {
        gr_put64(ib + 16 + 16 * i, n->ix[2 * i]);
        gr_put64(ib + 24 + 16 * i, n->ix[2 * i + 1]);
    }
    gr_put64(ib + ilen - 8, XXH64(ib, ilen - 8, 0));
    gr_put64(ib + ilen, ioff);
    memcpy(ib + ilen + 8, TRAILER_MAGIC, 8);
    st = wout(w, n, ib, ilen + TRAILER_SIZE);
    free(ib);
    return st;
}

static void native_wfree(gr_trace_writer *w)
{
    nwstate *n = w->fmtstate;
    if (!n)
        return;
    ZSTD_freeCCtx(n->cctx);
    if (n->enc)
        v2enc_free(n->enc);
    free(n->enc);
    free(n->raw);
    free(n->cbuf);
    free(n->ix);
    free(n);
    w->fmtstate = NULL;
}

static const gr_trace_wops native_wops = {native_write, native_finish, native_wfree};

gr_trace_status gr_trace_native_wopen(gr_trace_writer *w)
{
    w->ops = &native_wops;
    nwstate *n = calloc(1, sizeof *n);
    if (!n)
        return GR_TRACE_ENOMEM;
    w->fmtstate = n;
    n->ver = w->hdr.version_major ? w->hdr.version_major : GR_TRACE_NATIVE_DEFAULT_VERSION;
    if (n->ver != VERSION_MAJOR && n->ver != V2_MAJOR)
        return gr_trace_wfail(w, GR_TRACE_EARG, "no writer for native format version %d",
                              n->ver);
    n->codec = w->hdr.codec == GR_TRACE_CODEC_DEFAULT ? CODEC_DEFAULT : w->hdr.codec;
    if (n->codec != CODEC_ZSTD && n->codec != CODEC_LZ4)
        return gr_trace_wfail(w, GR_TRACE_EARG, "unknown native codec %u", n->codec);
    const size_t raw = n->ver == V2_MAJOR ? V2_RAW_MAX : CHUNK_RAW;
    n->cctx = ZSTD_createCCtx();
    n->raw = malloc(raw);
    n->ccap = ZSTD_compressBound(raw);
    if (n->ver == V2_MAJOR && lz4_bound(raw) > n->ccap)
        n->ccap = lz4_bound(raw);
    n->cbuf = malloc(n->ccap);
    if (n->ver == V2_MAJOR) {
        n->enc = malloc(sizeof *n->enc);
        if (!n->enc || v2enc_init(n->enc))
            return GR_TRACE_ENOMEM;
    }
    if (!n->cctx || !n->raw || !n->cbuf)
        return GR_TRACE_ENOMEM;
    size_t mlen = w->meta ? strlen(w->meta) : 0;
    if (mlen > META_MAX)
        return gr_trace_wfail(w, GR_TRACE_EARG, "metadata longer than %u bytes", META_MAX);
    uint8_t fix[FHDR_FIXED];
    memcpy(fix, NATIVE_MAGIC, 8);
    gr_put16(fix + 8, (uint16_t)n->ver);
    gr_put16(fix + 10, n->ver == V2_MAJOR ? V2_MINOR : VERSION_MINOR);
    gr_put32(fix + 12, (uint32_t)(FHDR_FIXED + mlen + 8));
    gr_put32(fix + 16, w->hdr.page_size);
    gr_put16(fix + 20, w->hdr.source);
    gr_put16(fix + 22, 0);
    gr_put32(fix + 24, (uint32_t)mlen);
    XXH64_state_t *hs = XXH64_createState();
    if (!hs)
        return GR_TRACE_ENOMEM;
    XXH64_reset(hs, 0);
    XXH64_update(hs, fix, FHDR_FIXED);
    XXH64_update(hs, w->meta ? w->meta : "", mlen);
    uint8_t sum[8];
    gr_put64(sum, XXH64_digest(hs));
    XXH64_freeState(hs);
    gr_trace_status st = wout(w, n, fix, FHDR_FIXED);
    if (!st && mlen)
        st = wout(w, n, w->meta, mlen);
    if (!st)
        st = wout(w, n, sum, 8);
    return st;
}
