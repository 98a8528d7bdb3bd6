/* granule traces: names, the byte source (plain/xz/zstd), format detection,
 * and the reader/writer front ends shared by every format. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "trace_internal.h"

#define NATIVE_MAGIC "GRTRACE\x1a" /* also in trace_native.c */

static const char *const status_text[] = {
#define GR_TRACE_ENUM_(name, val, text) [val] = text,
    GR_TRACE_STATUSES(GR_TRACE_ENUM_)
#undef GR_TRACE_ENUM_
};

const char *gr_trace_strerror(int st)
{
    if (st < 0 || (size_t)st >= sizeof status_text / sizeof status_text[0] || !status_text[st])
        return "unknown trace status";
    return status_text[st];
}

static const char *const format_names[] = {
#define GR_TRACE_ENUM_(name, val, text) [val] = text,
    GR_TRACE_FORMATS(GR_TRACE_ENUM_)
#undef GR_TRACE_ENUM_
};
#define NFORMATS (sizeof format_names / sizeof format_names[0])

const char *gr_trace_format_name(int fmt)
{
    if (fmt < 0 || (size_t)fmt >= NFORMATS)
        return "?";
    return format_names[fmt];
}

int gr_trace_format_parse(const char *name)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (strcmp(name, format_names[i]) == 0)
            return (int)i;
    if (strcmp(name, "grt") == 0)
        return GR_TRACE_FMT_NATIVE;
    if (strcmp(name, "pin") == 0)
        return GR_TRACE_FMT_PINATRACE;
    return -1;
}

static const char *const kind_names[GR_TREC_LAST + 1] = {
    [GR_TREC_READ] = "read",         [GR_TREC_WRITE] = "write",   [GR_TREC_FETCH] = "fetch",
    [GR_TREC_CTXSW] = "ctxsw",       [GR_TREC_TTBR] = "ttbr",     [GR_TREC_TCR] = "tcr",
    [GR_TREC_TLBI] = "tlbi",         [GR_TREC_MMAP] = "mmap",     [GR_TREC_MUNMAP] = "munmap",
    [GR_TREC_MPROTECT] = "mprotect", [GR_TREC_BRK] = "brk",       [GR_TREC_FORK] = "fork",
    [GR_TREC_EXEC] = "exec",         [GR_TREC_EXIT] = "exit",     [GR_TREC_MARK] = "mark",
};

const char *gr_trace_kind_name(int kind)
{
    if (kind < 0 || kind > GR_TREC_LAST || !kind_names[kind])
        return "?";
    return kind_names[kind];
}

/* ---- byte source ------------------------------------------------------- */

static size_t src_raw(gr_src *s, uint8_t *dst, size_t n)
{
    size_t got = fread(dst, 1, n, s->f);
    if (got < n && ferror(s->f)) {
        s->err = GR_TRACE_EIO;
        snprintf(s->msg, sizeof s->msg, "read error: %s", strerror(errno));
    }
    return got;
}

gr_trace_status gr_src_open(gr_src *s, FILE *f, bool own, size_t size_hint)
{
    memset(s, 0, sizeof *s);
    s->f = f;
    s->own = own;
    s->seekable = fseeko(f, 0, SEEK_CUR) == 0;
    /* A small input known in advance (memory) needs no more buffer than
     * itself: that keeps opening cheap for many small inputs (fuzzing). */
    s->cap = size_hint && size_hint < SRC_CAP ? size_hint + 1 : SRC_CAP;
    s->buf = calloc(1, s->cap + SRC_SLACK);
    if (!s->buf)
        return GR_TRACE_ENOMEM;
    /* The first bytes tell a compressed stream from plain data. */
    s->len = src_raw(s, s->buf, s->cap);
    if (s->err)
        return s->err;
    if (s->len < s->cap)
        s->eof = true;
    static const uint8_t xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0};
    static const uint8_t zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
    bool xz = s->len >= 6 && memcmp(s->buf, xz_magic, 6) == 0;
    bool zs = s->len >= 4 && memcmp(s->buf, zstd_magic, 4) == 0;
    if (!xz && !zs)
        return GR_TRACE_OK;
    s->in = s->buf;
    s->in_len = s->len;
    s->in_cap = s->cap;
    s->in_eof = s->eof;
    s->cap = SRC_CAP;
    s->buf = calloc(1, SRC_CAP + SRC_SLACK);
    if (!s->buf)
        return GR_TRACE_ENOMEM;
    s->len = 0;
    s->eof = false;
    s->seekable = false;
    if (xz) {
        s->codec = SRC_XZ;
        lzma_stream init = LZMA_STREAM_INIT;
        s->xz = init;
        if (lzma_stream_decoder(&s->xz, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
            return GR_TRACE_ENOMEM;
    } else {
        s->codec = SRC_ZSTD;
        s->zd = ZSTD_createDStream();
        if (!s->zd)
            return GR_TRACE_ENOMEM;
        s->zd_last = 1;
    }
    gr_src_refill(s);
    return s->err;
}

void gr_src_close(gr_src *s)
{
    if (s->codec == SRC_XZ)
        lzma_end(&s->xz);
    ZSTD_freeDStream(s->zd);
    free(s->in);
    free(s->buf);
    if (s->own && s->f)
        fclose(s->f);
    memset(s, 0, sizeof *s);
}

static bool src_fill_in(gr_src *s)
{
    if (s->in_pos < s->in_len || s->in_eof)
        return s->in_pos < s->in_len;
    s->in_len = src_raw(s, s->in, s->in_cap);
    s->in_pos = 0;
    if (s->in_len < s->in_cap)
        s->in_eof = true;
    return s->in_len > 0;
}

size_t gr_src_refill(gr_src *s)
{
    if (s->pos > 0) {
        memmove(s->buf, s->buf + s->pos, s->len - s->pos);
        s->base += s->pos;
        s->len -= s->pos;
        s->pos = 0;
    }
    size_t before = s->len;
    while (!s->eof && !s->err && s->len == before && s->len < s->cap) {
        if (s->codec == SRC_PLAIN) {
            size_t got = src_raw(s, s->buf + s->len, s->cap - s->len);
            s->len += got;
            if (got == 0)
                s->eof = true;
        } else if (s->codec == SRC_XZ) {
            src_fill_in(s);
            s->xz.next_in = s->in + s->in_pos;
            s->xz.avail_in = s->in_len - s->in_pos;
            s->xz.next_out = s->buf + s->len;
            s->xz.avail_out = s->cap - s->len;
            lzma_ret ret = lzma_code(&s->xz, s->in_eof ? LZMA_FINISH : LZMA_RUN);
            s->in_pos = s->in_len - s->xz.avail_in;
            s->len = s->cap - s->xz.avail_out;
            if (ret == LZMA_STREAM_END) {
                s->eof = true;
            } else if (ret == LZMA_BUF_ERROR && s->len == before) {
                s->err = GR_TRACE_ETRUNC;
                snprintf(s->msg, sizeof s->msg, "xz stream ends early");
            } else if (ret != LZMA_OK && ret != LZMA_BUF_ERROR) {
                s->err = ret == LZMA_MEM_ERROR ? GR_TRACE_ENOMEM : GR_TRACE_EFORMAT;
                snprintf(s->msg, sizeof s->msg, "xz data error (liblzma code %d)", (int)ret);
            }
        } else {
            bool have = src_fill_in(s);
            if (!have && s->in_eof) {
                /* The input is used up; zstd may still hold output. */
                ZSTD_inBuffer zin = {s->in, 0, 0};
                ZSTD_outBuffer zout = {s->buf, s->cap, s->len};
                size_t ret = ZSTD_decompressStream(s->zd, &zout, &zin);
                s->len = zout.pos;
                if (ZSTD_isError(ret)) {
                    s->err = GR_TRACE_EFORMAT;
                    snprintf(s->msg, sizeof s->msg, "zstd: %s", ZSTD_getErrorName(ret));
                } else if (s->len == before) {
                    s->eof = true;
                    if (s->zd_last != 0) {
                        s->err = GR_TRACE_ETRUNC;
                        snprintf(s->msg, sizeof s->msg, "zstd frame ends early");
                    }
                }
                continue;
            }
            ZSTD_inBuffer zin = {s->in, s->in_len, s->in_pos};
            ZSTD_outBuffer zout = {s->buf, s->cap, s->len};
            size_t ret = ZSTD_decompressStream(s->zd, &zout, &zin);
            s->in_pos = zin.pos;
            s->len = zout.pos;
            if (ZSTD_isError(ret)) {
                s->err = GR_TRACE_EFORMAT;
                snprintf(s->msg, sizeof s->msg, "zstd: %s", ZSTD_getErrorName(ret));
            } else {
                s->zd_last = ret;
            }
        }
    }
    return s->len - before;
}

size_t gr_src_read(gr_src *s, void *dst, size_t n)
{
    size_t done = 0;
    uint8_t *d = dst;
    while (done < n) {
        if (s->pos == s->len) {
            /* Large plain reads bypass the buffer. */
            if (s->codec == SRC_PLAIN && n - done >= s->cap / 2 && !s->eof && !s->err) {
                s->base += s->len;
                s->pos = s->len = 0;
                size_t want = n - done;
                size_t got = src_raw(s, d + done, want);
                s->base += got;
                done += got;
                if (got < want)
                    s->eof = true;
                break;
            }
            if (gr_src_refill(s) == 0)
                break;
        }
        size_t k = s->len - s->pos;
        if (k > n - done)
            k = n - done;
        memcpy(d + done, s->buf + s->pos, k);
        s->pos += k;
        done += k;
    }
    return done;
}

gr_trace_status gr_src_seek(gr_src *s, uint64_t off)
{
    if (s->codec != SRC_PLAIN || !s->seekable)
        return GR_TRACE_EUNSUPPORTED;
    if (fseeko(s->f, (off_t)off, SEEK_SET) != 0)
        return GR_TRACE_EIO;
    clearerr(s->f);
    s->base = off;
    s->pos = s->len = 0;
    s->eof = false;
    s->err = GR_TRACE_OK;
    return GR_TRACE_OK;
}

/* ---- readers ----------------------------------------------------------- */

gr_trace_status gr_trace_fail(gr_trace_reader *r, gr_trace_status st, uint64_t off,
                              uint64_t line, const char *fmt, ...)
{
    if (r->st != GR_TRACE_OK && r->st != GR_TRACE_END)
        return r->st; /* keep the first error */
    char what[240];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (line)
        snprintf(r->err, sizeof r->err, "%s: line %llu (byte offset %llu): %s", r->name,
                 (unsigned long long)line, (unsigned long long)off, what);
    else
        snprintf(r->err, sizeof r->err, "%s: byte offset %llu: %s", r->name,
                 (unsigned long long)off, what);
    r->st = st;
    r->err_off = off;
    r->err_line = line;
    return st;
}

static bool has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

/* Detects the format from the first bytes (docs/trace-format.md,
 * "Detection"). @return a format or -1. */
static int detect(const uint8_t *p, size_t n, const char *name)
{
    if (n >= 8 && memcmp(p, NATIVE_MAGIC, 8) == 0)
        return GR_TRACE_FMT_NATIVE;
    size_t m = n < 4096 ? n : 4096;
    for (size_t i = 0; i < m; i++)
        if (p[i] == 0 || p[i] < 9 || (p[i] > 13 && p[i] < 32))
            return GR_TRACE_FMT_CHAMPSIM; /* binary: the only binary foreign format */
    size_t i = 0;
    while (i < m) {
        size_t e = i;
        while (e < m && p[e] != '\n')
            e++;
        const char *l = (const char *)p + i;
        size_t ll = e - i;
        i = e + 1;
        if (ll == 0 || l[0] == '#' || (ll == 1 && l[0] == '\r'))
            continue;
        if ((ll >= 3 && (memcmp(l, "I  ", 3) == 0 || memcmp(l, " L ", 3) == 0 ||
                         memcmp(l, " S ", 3) == 0 || memcmp(l, " M ", 3) == 0)) ||
            (ll >= 3 && l[0] == '=' && l[1] == '=') || (ll >= 8 && memcmp(l, "SYSCALL[", 8) == 0))
            return GR_TRACE_FMT_LACKEY;
        if (ll >= 4 && l[0] == '0' && (l[1] == 'x' || l[1] == 'X')) {
            const char *c = memchr(l, ':', ll);
            if (c && (size_t)(c - l) + 3 < ll && c[1] == ' ' && (c[2] == 'R' || c[2] == 'W'))
                return GR_TRACE_FMT_PINATRACE;
        }
        if (ll >= 3 && l[0] >= '0' && l[0] <= '4' && (l[1] == ' ' || l[1] == '\t'))
            return GR_TRACE_FMT_DIN;
        break;
    }
    if (name && (has_suffix(name, ".champsimtrace") || strstr(name, ".champsimtrace.")))
        return GR_TRACE_FMT_CHAMPSIM;
    return -1;
}

static gr_trace_status reader_start(gr_trace_reader **out, gr_trace_reader *r, FILE *f,
                                    bool own, size_t hint, int fmt, char *err, size_t errlen)
{
    gr_trace_status st = gr_src_open(&r->src, f, own, hint);
    if (st == GR_TRACE_OK && fmt == GR_TRACE_FMT_AUTO) {
        fmt = detect(r->src.buf, r->src.len, r->name);
        if (fmt < 0) {
            st = GR_TRACE_EFORMAT;
            snprintf(r->err, sizeof r->err,
                     "%s: cannot tell the trace format from the content (%s); name the format",
                     r->name, r->src.len ? "not native, lackey, din, pinatrace or ChampSim"
                                         : "empty input");
        }
    } else if (st != GR_TRACE_OK) {
        snprintf(r->err, sizeof r->err, "%s: %s", r->name,
                 r->src.msg[0] ? r->src.msg : gr_trace_strerror(st));
    }
    if (st == GR_TRACE_OK) {
        r->fmt = fmt;
        r->hdr.source = (uint16_t)fmt;
        switch (fmt) {
        case GR_TRACE_FMT_NATIVE:
            st = gr_trace_native_open(r);
            break;
        case GR_TRACE_FMT_LACKEY:
        case GR_TRACE_FMT_DIN:
        case GR_TRACE_FMT_PINATRACE:
            st = gr_trace_text_open(r);
            break;
        case GR_TRACE_FMT_CHAMPSIM:
            st = gr_trace_champsim_open(r);
            break;
        default:
            st = GR_TRACE_EARG;
            snprintf(r->err, sizeof r->err, "%s: no reader for format %s", r->name,
                     gr_trace_format_name(fmt));
        }
    }
    if (st != GR_TRACE_OK) {
        if (err && errlen)
            snprintf(err, errlen, "%s", r->err[0] ? r->err : gr_trace_strerror(st));
        gr_trace_reader_close(r);
        *out = NULL;
        return st;
    }
    *out = r;
    return GR_TRACE_OK;
}

static gr_trace_reader *reader_alloc(const char *name)
{
    gr_trace_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->name_own = strdup(name);
    r->name = r->name_own ? r->name_own : "trace";
    r->total = UINT64_MAX;
    r->err_off = UINT64_MAX;
    return r;
}

gr_trace_status gr_trace_reader_open(gr_trace_reader **out, const char *path, int fmt, char *err,
                                     size_t errlen)
{
    *out = NULL;
    if (fmt < 0 || fmt >= (int)NFORMATS || fmt == GR_TRACE_FMT_SYNTHETIC) {
        if (err && errlen)
            snprintf(err, errlen, "%s: invalid format %d", path, fmt);
        return GR_TRACE_EARG;
    }
    bool std = strcmp(path, "-") == 0;
    FILE *f = std ? stdin : fopen(path, "rb");
    if (!f) {
        if (err && errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return GR_TRACE_EIO;
    }
    gr_trace_reader *r = reader_alloc(std ? "<stdin>" : path);
    if (!r) {
        if (!std)
            fclose(f);
        return GR_TRACE_ENOMEM;
    }
    return reader_start(out, r, f, !std, 0, fmt, err, errlen);
}

gr_trace_status gr_trace_reader_open_mem(gr_trace_reader **out, const void *buf, size_t len,
                                         int fmt, char *err, size_t errlen)
{
    *out = NULL;
    if (fmt < 0 || fmt >= (int)NFORMATS || fmt == GR_TRACE_FMT_SYNTHETIC)
        return GR_TRACE_EARG;
    /* fmemopen() refuses an empty buffer on some libcs; a one-byte buffer
     * read zero bytes from stands in. */
    static char empty[1];
    FILE *f = len ? fmemopen((void *)buf, len, "rb") : fmemopen(empty, 1, "rb");
    if (!f)
        return GR_TRACE_ENOMEM;
    if (!len)
        fseek(f, 1, SEEK_SET);
    gr_trace_reader *r = reader_alloc("<memory>");
    if (!r) {
        fclose(f);
        return GR_TRACE_ENOMEM;
    }
    return reader_start(out, r, f, true, len, fmt, err, errlen);
}

gr_trace_status gr_trace_reader_next(gr_trace_reader *r, gr_trace_rec *rec)
{
    if (r->rpos == r->rlen) {
        if (r->st != GR_TRACE_OK)
            return r->st;
        r->rpos = 0;
        r->rlen = r->ops->fill(r, r->rbuf, RBUF_RECS);
        if (r->rlen == 0)
            return r->st != GR_TRACE_OK ? r->st : GR_TRACE_END;
    }
    *rec = r->rbuf[r->rpos++];
    r->pos++;
    return GR_TRACE_OK;
}

size_t gr_trace_reader_read(gr_trace_reader *r, gr_trace_rec *recs, size_t n,
                            gr_trace_status *st)
{
    size_t got = 0;
    for (;;) {
        /* Records buffered by gr_trace_reader_next() come first; they may
         * remain after the format reader has reached the end. */
        size_t k = r->rlen - r->rpos < n - got ? r->rlen - r->rpos : n - got;
        memcpy(recs + got, r->rbuf + r->rpos, k * sizeof *recs);
        r->rpos += k;
        r->pos += k;
        got += k;
        if (got == n || r->st != GR_TRACE_OK)
            break;
        if (n - got >= 8 || r->fmt == GR_TRACE_FMT_NATIVE) {
            /* large requests (native: any) decode straight into the
             * caller's array, so a short read decodes nothing ahead */
            k = r->ops->fill(r, recs + got, n - got);
            r->pos += k;
            got += k;
        } else {
            r->rpos = 0;
            k = r->rlen = r->ops->fill(r, r->rbuf, RBUF_RECS);
        }
        if (k == 0 && r->st == GR_TRACE_OK)
            r->st = GR_TRACE_END;
    }
    if (st)
        *st = got == n ? GR_TRACE_OK : (r->st != GR_TRACE_OK ? r->st : GR_TRACE_END);
    return got;
}

/* The test gr_trace_reader_read_plain() applies to a decoded record. */
static bool rec_plain(const gr_trace_rec *x, uint64_t pgmask, const gr_trace_plain *run,
                      bool started)
{
    if (x->kind >= GR_TREC_EVENT || x->pac_key != GR_TRACE_PAC_NONE)
        return false;
    if (started && (x->task != run->task || x->el != run->el))
        return false;
    return x->size <= 1 || (x->va & pgmask) + x->size <= pgmask + 1;
}

size_t gr_trace_reader_read_plain(gr_trace_reader *r, uint64_t *va, uint8_t *kind, size_t n,
                                  uint64_t pgmask, gr_trace_plain *run, gr_trace_status *st)
{
    gr_trace_plain p = {0, 0, 0};
    bool started = false, stopped = false;
    size_t got = 0;
    while (got < n && !stopped) {
        /* Records decoded ahead (by gr_trace_reader_next() or a short
         * gr_trace_reader_read()) come first. */
        while (got < n && r->rpos < r->rlen) {
            const gr_trace_rec *x = &r->rbuf[r->rpos];
            if (!rec_plain(x, pgmask, &p, started)) {
                stopped = true;
                break;
            }
            if (!started) {
                p.task = x->task;
                p.el = x->el;
                started = true;
            }
            va[got] = x->va;
            kind[got] = x->kind;
            p.fetches += x->kind == GR_TREC_FETCH;
            got++;
            r->rpos++;
            r->pos++;
        }
        if (stopped || got == n || r->st != GR_TRACE_OK)
            break;
        if (r->ops->fill_plain) {
            size_t k = r->ops->fill_plain(r, va + got, kind + got, n - got, pgmask, &p, &started);
            r->pos += k;
            got += k;
            if (got < n && r->st == GR_TRACE_OK)
                stopped = true; /* the next record is not plain */
        } else {
            r->rpos = 0;
            r->rlen = r->ops->fill(r, r->rbuf, RBUF_RECS);
            if (r->rlen == 0 && r->st == GR_TRACE_OK)
                r->st = GR_TRACE_END;
        }
    }
    if (got)
        *run = p;
    if (st)
        *st = got || stopped || r->rpos < r->rlen ? GR_TRACE_OK : r->st;
    return got;
}

#define VIEW_MAX 1024 /* records per view from formats without their own */

size_t gr_trace_reader_plain_view(gr_trace_reader *r, const uint64_t **va, const uint8_t **kind,
                                  size_t n, uint64_t pgmask, gr_trace_plain *run,
                                  gr_trace_status *st)
{
    if (r->ops->plain_view && r->rpos == r->rlen && r->st == GR_TRACE_OK && n) {
        gr_trace_plain p = {0, 0, 0};
        bool started = false;
        size_t k = r->ops->plain_view(r, va, kind, n, pgmask, &p, &started);
        r->pos += k;
        if (k)
            *run = p;
        if (st)
            *st = k ? GR_TRACE_OK : r->st;
        return k;
    }
    if (!r->view_va) {
        r->view_va = malloc(VIEW_MAX * sizeof *r->view_va);
        r->view_kind = malloc(VIEW_MAX);
        if (!r->view_va || !r->view_kind) {
            if (st)
                *st = GR_TRACE_ENOMEM;
            return 0;
        }
    }
    *va = r->view_va;
    *kind = r->view_kind;
    return gr_trace_reader_read_plain(r, r->view_va, r->view_kind, n < VIEW_MAX ? n : VIEW_MAX,
                                      pgmask, run, st);
}

gr_trace_status gr_trace_reader_seek(gr_trace_reader *r, uint64_t index)
{
    if (r->st != GR_TRACE_OK && r->st != GR_TRACE_END)
        return r->st;
    if (r->ops->seek) {
        gr_trace_status st = r->ops->seek(r, index);
        if (st != GR_TRACE_EUNSUPPORTED)
            return st;
    }
    if (index < r->pos)
        return GR_TRACE_EUNSUPPORTED;
    gr_trace_rec rec;
    while (r->pos < index) {
        gr_trace_status st = gr_trace_reader_next(r, &rec);
        if (st == GR_TRACE_END)
            return GR_TRACE_OK;
        if (st != GR_TRACE_OK)
            return st;
    }
    return GR_TRACE_OK;
}

const char *gr_trace_reader_error(const gr_trace_reader *r) { return r->err; }
uint64_t gr_trace_reader_error_offset(const gr_trace_reader *r) { return r->err_off; }
uint64_t gr_trace_reader_error_line(const gr_trace_reader *r) { return r->err_line; }
int gr_trace_reader_format(const gr_trace_reader *r) { return r->fmt; }
const gr_trace_header *gr_trace_reader_header(const gr_trace_reader *r) { return &r->hdr; }
uint64_t gr_trace_reader_position(const gr_trace_reader *r) { return r->pos; }
uint64_t gr_trace_reader_total(const gr_trace_reader *r) { return r->total; }

void gr_trace_reader_close(gr_trace_reader *r)
{
    if (!r)
        return;
    if (r->ops && r->ops->close)
        r->ops->close(r);
    gr_src_close(&r->src);
    free(r->view_va);
    free(r->view_kind);
    free(r->meta);
    free(r->name_own);
    free(r);
}

/* ---- writers ----------------------------------------------------------- */

gr_trace_status gr_trace_wfail(gr_trace_writer *w, gr_trace_status st, const char *fmt, ...)
{
    if (w->st != GR_TRACE_OK)
        return w->st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err, sizeof w->err, fmt, ap);
    va_end(ap);
    w->st = st;
    return st;
}

static gr_trace_status sink(gr_trace_writer *w, const uint8_t *p, size_t n, bool end)
{
    if (w->codec == SRC_PLAIN) {
        if (n && fwrite(p, 1, n, w->f) != n)
            return gr_trace_wfail(w, GR_TRACE_EIO, "write error: %s", strerror(errno));
        return GR_TRACE_OK;
    }
    if (w->codec == SRC_XZ) {
        w->xz.next_in = p;
        w->xz.avail_in = n;
        for (;;) {
            w->xz.next_out = w->cbuf;
            w->xz.avail_out = WBUF_CAP;
            lzma_ret ret = lzma_code(&w->xz, end ? LZMA_FINISH : LZMA_RUN);
            size_t out = WBUF_CAP - w->xz.avail_out;
            if (out && fwrite(w->cbuf, 1, out, w->f) != out)
                return gr_trace_wfail(w, GR_TRACE_EIO, "write error: %s", strerror(errno));
            if (ret == LZMA_STREAM_END)
                return GR_TRACE_OK;
            if (ret != LZMA_OK)
                return gr_trace_wfail(w, GR_TRACE_EIO, "xz compression failed (%d)", (int)ret);
            if (!end && w->xz.avail_in == 0)
                return GR_TRACE_OK;
        }
    }
    ZSTD_inBuffer zin = {p, n, 0};
    for (;;) {
        ZSTD_outBuffer zout = {w->cbuf, WBUF_CAP, 0};
        size_t ret = ZSTD_compressStream2(w->zc, &zout, &zin, end ? ZSTD_e_end : ZSTD_e_continue);
        if (ZSTD_isError(ret))
            return gr_trace_wfail(w, GR_TRACE_EIO, "zstd: %s", ZSTD_getErrorName(ret));
        if (zout.pos && fwrite(w->cbuf, 1, zout.pos, w->f) != zout.pos)
            return gr_trace_wfail(w, GR_TRACE_EIO, "write error: %s", strerror(errno));
        if (end ? ret == 0 : zin.pos == zin.size)
            return GR_TRACE_OK;
    }
}

static gr_trace_status wflush(gr_trace_writer *w)
{
    gr_trace_status st = sink(w, w->obuf, w->olen, false);
    w->olen = 0;
    return st;
}

gr_trace_status gr_trace_wreserve(gr_trace_writer *w, size_t need)
{
    if (w->olen + need <= WBUF_CAP)
        return GR_TRACE_OK;
    return wflush(w);
}

gr_trace_status gr_trace_wbytes(gr_trace_writer *w, const void *p, size_t n)
{
    if (n > WBUF_CAP / 2) {
        gr_trace_status st = wflush(w);
        return st ? st : sink(w, p, n, false);
    }
    gr_trace_status st = gr_trace_wreserve(w, n);
    if (st)
        return st;
    memcpy(w->obuf + w->olen, p, n);
    w->olen += n;
    return GR_TRACE_OK;
}

static void writer_free(gr_trace_writer *w)
{
    if (w->ops && w->ops->free)
        w->ops->free(w);
    if (w->codec == SRC_XZ)
        lzma_end(&w->xz);
    ZSTD_freeCStream(w->zc);
    if (w->own && w->f)
        fclose(w->f);
    else if (w->f)
        fflush(w->f);
    free(w->obuf);
    free(w->cbuf);
    free(w->meta);
    free(w);
}

gr_trace_status gr_trace_writer_open(gr_trace_writer **out, const char *path, int fmt,
                                     const gr_trace_header *hdr, char *err, size_t errlen)
{
    *out = NULL;
    if (fmt <= GR_TRACE_FMT_AUTO || fmt > GR_TRACE_FMT_PINATRACE) {
        if (err && errlen)
            snprintf(err, errlen, "%s: no writer for format %s", path, gr_trace_format_name(fmt));
        return GR_TRACE_EARG;
    }
    gr_trace_writer *w = calloc(1, sizeof *w);
    if (!w)
        return GR_TRACE_ENOMEM;
    w->fmt = fmt;
    if (hdr) {
        w->hdr = *hdr;
        if (hdr->meta) {
            w->meta = strdup(hdr->meta);
            if (!w->meta) {
                free(w);
                return GR_TRACE_ENOMEM;
            }
        }
    }
    w->hdr.meta = w->meta;
    w->obuf = malloc(WBUF_CAP);
    w->cbuf = malloc(WBUF_CAP);
    bool std = strcmp(path, "-") == 0;
    w->f = std ? stdout : fopen(path, "wb");
    w->own = !std;
    gr_trace_status st = GR_TRACE_OK;
    if (!w->obuf || !w->cbuf) {
        st = GR_TRACE_ENOMEM;
        snprintf(w->err, sizeof w->err, "%s: out of memory", path);
    } else if (!w->f) {
        st = GR_TRACE_EIO;
        snprintf(w->err, sizeof w->err, "%s: %s", path, strerror(errno));
    }
    if (st == GR_TRACE_OK && fmt != GR_TRACE_FMT_NATIVE) {
        if (has_suffix(path, ".xz")) {
            lzma_stream init = LZMA_STREAM_INIT;
            w->xz = init;
            w->codec = SRC_XZ;
            if (lzma_easy_encoder(&w->xz, 6, LZMA_CHECK_CRC64) != LZMA_OK)
                st = GR_TRACE_ENOMEM;
        } else if (has_suffix(path, ".zst")) {
            w->codec = SRC_ZSTD;
            w->zc = ZSTD_createCStream();
            if (!w->zc || ZSTD_isError(ZSTD_CCtx_setParameter(w->zc, ZSTD_c_compressionLevel, 3)))
                st = GR_TRACE_ENOMEM;
        }
    }
    if (st == GR_TRACE_OK) {
        if (fmt == GR_TRACE_FMT_NATIVE)
            st = gr_trace_native_wopen(w);
        else if (fmt == GR_TRACE_FMT_CHAMPSIM)
            st = gr_trace_champsim_wopen(w);
        else
            st = gr_trace_text_wopen(w);
    }
    if (st != GR_TRACE_OK) {
        if (err && errlen)
            snprintf(err, errlen, "%s", w->err[0] ? w->err : gr_trace_strerror(st));
        writer_free(w);
        return st;
    }
    *out = w;
    return GR_TRACE_OK;
}

gr_trace_status gr_trace_writer_write(gr_trace_writer *w, const gr_trace_rec *rec)
{
    if (w->st != GR_TRACE_OK)
        return w->st;
    if (rec->kind > GR_TREC_LAST || (rec->kind > GR_TREC_FETCH && rec->kind < GR_TREC_EVENT) ||
        rec->el > 3 || rec->pac_key > GR_TRACE_PAC_GA)
        return GR_TRACE_EARG;
    return w->ops->write(w, rec);
}

uint64_t gr_trace_writer_dropped(const gr_trace_writer *w) { return w->dropped; }
const char *gr_trace_writer_error(const gr_trace_writer *w) { return w->err; }

gr_trace_status gr_trace_writer_close(gr_trace_writer *w, char *err, size_t errlen)
{
    if (!w)
        return GR_TRACE_OK;
    if (w->st == GR_TRACE_OK && w->ops->finish)
        w->ops->finish(w);
    if (w->st == GR_TRACE_OK)
        wflush(w);
    if (w->st == GR_TRACE_OK && w->codec != SRC_PLAIN)
        sink(w, NULL, 0, true);
    if (w->st == GR_TRACE_OK && fflush(w->f) != 0)
        gr_trace_wfail(w, GR_TRACE_EIO, "write error: %s", strerror(errno));
    if (w->st == GR_TRACE_OK && w->own) {
        FILE *f = w->f;
        w->f = NULL;
        if (fclose(f) != 0)
            gr_trace_wfail(w, GR_TRACE_EIO, "write error: %s", strerror(errno));
    }
    gr_trace_status st = w->st;
    if (err && errlen)
        snprintf(err, errlen, "%s", w->err);
    writer_free(w);
    return st;
}
