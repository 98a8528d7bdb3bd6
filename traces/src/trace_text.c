/* granule traces: the text formats — valgrind lackey, Dinero IV din and Pin
 * pinatrace — read and written (docs/trace-format.md, "Foreign formats").
 *
 * The readers parse in place in the byte source's buffer: each refill finds
 * the last newline, and every line before it is parsed without a bounds
 * check, because each line ends in '\n' and no field parser steps over a
 * '\n'. That keeps the per-line cost to a table lookup per character. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "trace_internal.h"

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#define DIN_SIMD 1
#endif

/* hexv[c] = value + 1 for a hex digit, 0 otherwise. */
#define H(c, v) [c] = (v) + 1
static const uint8_t hexv[256] = {
    H('0', 0),  H('1', 1),  H('2', 2),  H('3', 3),  H('4', 4),  H('5', 5),
    H('6', 6),  H('7', 7),  H('8', 8),  H('9', 9),  H('a', 10), H('b', 11),
    H('c', 12), H('d', 13), H('e', 14), H('f', 15), H('A', 10), H('B', 11),
    H('C', 12), H('D', 13), H('E', 14), H('F', 15),
};
#undef H

/* Bit 7 of each byte is set iff that byte of w is an ASCII hex digit.
 * Range tests on 7-bit lanes: (x + 0x80 - lo) has bit 7 set iff x >= lo,
 * and no lane carries into the next. */
static inline uint64_t hex_lanes(uint64_t w)
{
    const uint64_t hi = 0x8080808080808080ull, one = 0x0101010101010101ull;
    const uint64_t a = w & ~hi;
    const uint64_t dig = (a + one * (0x80 - '0')) & ~(a + one * (0x7f - '9'));
    const uint64_t l = a | one * 0x20; /* 'A'-'F' -> 'a'-'f' */
    const uint64_t let = (l + one * (0x80 - 'a')) & ~(l + one * (0x7f - 'f'));
    return (dig | let) & ~w & hi;
}

/* The 8 hex digits in w (first digit in the lowest byte) as a number. */
static inline uint64_t hex_value8(uint64_t w)
{
    const uint64_t one = 0x0101010101010101ull;
    /* letters: +9; the mask keeps a lane past the digits (any byte) below
     * 16, so it cannot carry into a digit's lane when pairs are formed */
    uint64_t v = ((w & 0x0f0f0f0f0f0f0f0full) + ((w >> 6) & one) * 9) & 0x0f0f0f0f0f0f0f0full;
    v = (v << 4 | v >> 8) & 0x00ff00ff00ff00ffull; /* digit pairs */
    v = (v | v >> 8) & 0x0000ffff0000ffffull;
    v = (v | v >> 16) & 0xffffffffull;
    return __builtin_bswap32((uint32_t)v);
}

/* Parses 1..16 hex digits at *pp. @return false if there are none or too
 * many. Reads 17 bytes from *pp: the byte source keeps SRC_SLACK bytes
 * after its data, and every line ends in '\n' (not a hex digit). The
 * digits are found and converted 8 bytes at a time: a loop over the digits
 * ends in a mispredicted branch on nearly every address. */
static inline bool hex64(const uint8_t **pp, uint64_t *out)
{
    const uint8_t *p = *pp;
    uint64_t w0, w1;
    memcpy(&w0, p, 8);
    memcpy(&w1, p + 8, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w0 = __builtin_bswap64(w0);
    w1 = __builtin_bswap64(w1);
#endif
    const uint64_t hi = 0x8080808080808080ull;
    const uint64_t n0 = ~hex_lanes(w0) & hi, n1 = ~hex_lanes(w1) & hi;
    unsigned len;
    if (n0)
        len = (unsigned)__builtin_ctzll(n0) >> 3;
    else if (n1)
        len = 8 + ((unsigned)__builtin_ctzll(n1) >> 3);
    else if (hexv[p[16]])
        return false; /* more than 16 digits */
    else
        len = 16;
    if (len == 0)
        return false;
    const uint64_t v = hex_value8(w0) << 32 | hex_value8(w1);
    *out = v >> (4 * (16 - len));
    *pp = p + len;
    return true;
}

/* Parses 1..20 decimal digits (no overflow check beyond the digit count). */
static inline bool dec64(const uint8_t **pp, uint64_t *out)
{
    const uint8_t *p = *pp;
    uint64_t v = 0;
    unsigned n = 0;
    while ((unsigned)(*p - '0') < 10) {
        v = v * 10 + (uint64_t)(*p - '0');
        p++;
        n++;
    }
    *pp = p;
    *out = v;
    return n - 1 < 20;
}

/* The '\n' ending the line at p; every line before lim has one. */
static inline const uint8_t *eol(const uint8_t *p, const uint8_t *lim)
{
    return memchr(p, '\n', (size_t)(lim - p));
}

#define NPEND 8

typedef struct tstate {
    size_t lim;       /* buf index just past the last '\n' (valid for the current buffer) */
    uint64_t last_pc; /* pinatrace: previous line's ip */
    struct {
        bool used;
        uint64_t tid;
        int kind;
        uint64_t a[6];
    } pend[NPEND];    /* lackey: syscalls waiting for their [async] result */
} tstate;

/* ---- line supply ------------------------------------------------------ */

/* Makes buf[pos..lim) hold at least one complete line. @return false at the
 * end of input or on error (r->st set). */
static bool need_lines(gr_trace_reader *r, tstate *t)
{
    gr_src *s = &r->src;
    for (;;) {
        if (s->pos < t->lim)
            return true;
        if (s->eof || s->err) {
            if (s->err) {
                gr_trace_fail(r, s->err, gr_src_offset(s), 0, "%s", s->msg);
                return false;
            }
            if (s->pos < s->len && s->buf[s->len - 1] != '\n') {
                s->buf[s->len++] = '\n'; /* the last line lacks its newline */
                s->buf[s->len] = 0;
                t->lim = s->len;
                continue;
            }
            r->st = GR_TRACE_END;
            return false;
        }
        if (s->len - s->pos >= s->cap) {
            gr_trace_fail(r, GR_TRACE_EFORMAT, gr_src_offset(s), r->line + 1,
                          "line longer than %zu bytes", s->cap);
            return false;
        }
        gr_src_refill(s);
        size_t l = s->len;
        while (l > s->pos && s->buf[l - 1] != '\n')
            l--;
        t->lim = l;
        s->buf[s->len] = 0; /* sentinel: look-ahead past the last line reads a NUL */
    }
}

#define LINE_FAIL(msg, ...)                                                               \
    do {                                                                                  \
        s->pos = (size_t)(line - s->buf);                                                 \
        gr_trace_fail(r, GR_TRACE_EFORMAT, s->base + s->pos, r->line + 1, msg, ##__VA_ARGS__); \
        return got;                                                                       \
    } while (0)

static inline bool at_eol(const uint8_t *p) { return p[0] == '\n' || (p[0] == '\r' && p[1] == '\n'); }

/* ---- lackey ------------------------------------------------------------ */

/* Finds needle in [p, end). */
static const uint8_t *find(const uint8_t *p, const uint8_t *end, const char *needle)
{
    size_t n = strlen(needle);
    for (; p + n <= end; p++)
        if (*p == (uint8_t)needle[0] && memcmp(p, needle, n) == 0)
            return p;
    return NULL;
}

enum { SC_NONE, SC_MMAP, SC_MUNMAP, SC_MPROTECT, SC_BRK, SC_EXIT };

static int sc_kind(const uint8_t *name, size_t n)
{
#define IS(s) (n == sizeof(s) - 1 && memcmp(name, s, n) == 0)
    if (IS("sys_mmap"))
        return SC_MMAP;
    if (IS("sys_munmap"))
        return SC_MUNMAP;
    if (IS("sys_mprotect"))
        return SC_MPROTECT;
    if (IS("sys_brk"))
        return SC_BRK;
    if (IS("exit_group") || IS("sys_exit_group"))
        return SC_EXIT;
#undef IS
    return SC_NONE;
}

static const unsigned sc_nargs[] = {[SC_MMAP] = 6, [SC_MUNMAP] = 2, [SC_MPROTECT] = 3,
                                    [SC_BRK] = 1, [SC_EXIT] = 1};

static void sc_record(gr_trace_rec *o, int kind, const uint64_t *a, uint64_t ret)
{
    memset(o, 0, sizeof *o);
    switch (kind) {
    case SC_MMAP:
        o->kind = GR_TREC_MMAP;
        o->va = ret;
        for (int i = 0; i < 5; i++)
            o->arg[i] = a[i + 1];
        break;
    case SC_MUNMAP:
        o->kind = GR_TREC_MUNMAP;
        o->va = a[0];
        o->arg[0] = a[1];
        break;
    case SC_MPROTECT:
        o->kind = GR_TREC_MPROTECT;
        o->va = a[0];
        o->arg[0] = a[1];
        o->arg[1] = a[2];
        break;
    case SC_BRK:
        o->kind = GR_TREC_BRK;
        o->va = ret;
        o->arg[0] = a[0];
        break;
    default:
        o->kind = GR_TREC_EXIT;
        o->arg[0] = a[0];
        break;
    }
}

/* One `SYSCALL[pid,tid](nr) ...` line (valgrind's --trace-syscalls=yes).
 * @return records written to o (0 or 1), or -1 if the line is malformed
 * (*why set). */
static int lackey_syscall(tstate *t, const uint8_t *p, const uint8_t *end, gr_trace_rec *o,
                          const char **why)
{
    uint64_t pid, tid, nr;
    p += 8;
    if (!dec64(&p, &pid) || *p++ != ',' || !dec64(&p, &tid) || *p++ != ']' || *p++ != '(' ||
        !dec64(&p, &nr) || *p++ != ')' || *p++ != ' ') {
        *why = "malformed SYSCALL[pid,tid](nr) prefix";
        return -1;
    }
    const uint8_t *arrow = find(p, end, "--> ");
    if (end - p >= 3 && memcmp(p, "...", 3) == 0) {
        /* Completion of an [async] call: "... [async] --> Success(0xRET)". */
        for (int i = 0; i < NPEND; i++) {
            if (!t->pend[i].used || t->pend[i].tid != tid)
                continue;
            t->pend[i].used = false;
            const uint8_t *ok = arrow ? find(arrow, end, "Success(0x") : NULL;
            uint64_t ret;
            const uint8_t *q = ok ? ok + 10 : NULL;
            if (!q)
                return 0; /* Failure(...): no mapping changed */
            if (!hex64(&q, &ret)) {
                *why = "malformed Success(0x...) value";
                return -1;
            }
            sc_record(o, t->pend[i].kind, t->pend[i].a, ret);
            return 1;
        }
        return 0;
    }
    const uint8_t *name = p;
    while (p < end && *p != ' ' && *p != '(')
        p++;
    int kind = sc_kind(name, (size_t)(p - name));
    if (kind == SC_NONE)
        return 0; /* every other system call is ignored */
    while (*p == ' ')
        p++;
    if (*p++ != '(') {
        *why = "expected ( after the system call name";
        return -1;
    }
    uint64_t a[6] = {0};
    unsigned na = 0;
    for (;;) {
        while (*p == ' ')
            p++;
        if (*p == ')')
            break;
        if (na == 6) {
            *why = "too many system call arguments";
            return -1;
        }
        bool ok;
        if (p[0] == '0' && p[1] == 'x') {
            p += 2;
            ok = hex64(&p, &a[na]);
        } else if (*p == '-') {
            p++;
            ok = dec64(&p, &a[na]);
            a[na] = 0 - a[na];
        } else {
            ok = dec64(&p, &a[na]);
        }
        if (!ok) {
            *why = "malformed system call argument";
            return -1;
        }
        na++;
        while (*p == ' ')
            p++;
        if (*p == ',')
            p++;
        else if (*p != ')') {
            *why = "malformed system call argument list";
            return -1;
        }
    }
    if (na != sc_nargs[kind]) {
        *why = "wrong number of system call arguments";
        return -1;
    }
    if (!arrow) {
        *why = "system call line without -->";
        return -1;
    }
    const uint8_t *ok = find(arrow, end, "Success(0x");
    if (ok) {
        const uint8_t *q = ok + 10;
        uint64_t ret;
        if (!hex64(&q, &ret)) {
            *why = "malformed Success(0x...) value";
            return -1;
        }
        sc_record(o, kind, a, ret);
        return 1;
    }
    if (find(arrow, end, "[async]")) {
        int slot = 0;
        for (int i = 0; i < NPEND; i++)
            if (!t->pend[i].used || t->pend[i].tid == tid) {
                slot = i;
                break;
            }
        t->pend[slot].used = true;
        t->pend[slot].tid = tid;
        t->pend[slot].kind = kind;
        memcpy(t->pend[slot].a, a, sizeof a);
    }
    return 0; /* failed: nothing changed */
}

static size_t lackey_fill(gr_trace_reader *r, gr_trace_rec *recs, size_t want)
{
    tstate *t = r->fmtstate;
    gr_src *s = &r->src;
    size_t got = 0;
    while (got + 2 <= want && need_lines(r, t)) {
        const uint8_t *p = s->buf + s->pos, *lim = s->buf + t->lim;
        while (p < lim && got + 2 <= want) {
            const uint8_t *line = p;
            unsigned kind;
            if (p[0] == 'I' && p[1] == ' ' && p[2] == ' ')
                kind = GR_TREC_FETCH;
            else if (p[0] == ' ' && p[2] == ' ' && (p[1] == 'L' || p[1] == 'S' || p[1] == 'M'))
                kind = p[1] == 'L' ? GR_TREC_READ : p[1] == 'S' ? GR_TREC_WRITE : 3;
            else
                goto slow;
            p += 3;
            uint64_t va, size;
            if (!hex64(&p, &va) || *p++ != ',')
                LINE_FAIL("expected HEXADDR,SIZE after `%c`", line[0] == 'I' ? 'I' : line[1]);
            if (!dec64(&p, &size) || size > UINT32_MAX || !at_eol(p))
                LINE_FAIL("bad access size");
            p += *p == '\r' ? 2 : 1;
            r->line++;
            gr_trace_rec *o = &recs[got++];
            memset(o, 0, sizeof *o);
            o->kind = (uint8_t)(kind == 3 ? GR_TREC_READ : kind);
            o->va = va;
            o->size = (uint32_t)size;
            if (kind == 3) { /* M: a load then a store of the same bytes */
                recs[got] = *o;
                recs[got++].kind = GR_TREC_WRITE;
            }
            continue;
        slow:;
            const uint8_t *e = eol(p, lim);
            if (p[0] == '=' && p[1] == '=') {
                /* valgrind's own lines: ==PID== ... */
            } else if (memcmp(p, "SYSCALL[", 8) == 0) {
                const char *why = NULL;
                int k = lackey_syscall(t, p, e, &recs[got], &why);
                if (k < 0)
                    LINE_FAIL("%s", why);
                got += (size_t)k;
            } else if (!(p[0] == ' ' && p[1] == '-' && p[2] == '-' && p[3] == '>') &&
                       !at_eol(p)) {
                /* " --> [pre-fail] ..." continues an unimplemented-syscall line */
                LINE_FAIL("not a lackey line (expected `I  `, ` L `, ` S `, ` M `, `==PID==` or "
                          "`SYSCALL[`)");
            }
            p = e + 1;
            r->line++;
        }
        s->pos = (size_t)(p - s->buf);
    }
    return got;
}

/* ---- din --------------------------------------------------------------- */

/* din labels: 0 read, 1 write, 2 ifetch, 3 unknown (a read), 4 flush (no
 * access: DIN_NONE). */
#define DIN_NONE 0xffu
static const uint8_t din_kind[5] = {GR_TREC_READ, GR_TREC_WRITE, GR_TREC_FETCH, GR_TREC_READ,
                                    DIN_NONE};

/* Parses the din line at *pp (a complete line: a '\n' comes before lim)
 * into its access kind (DIN_NONE: a flush or an empty line) and address.
 * @return NULL, or what is wrong with the line (then *pp is unchanged). */
static inline const char *din_line(const uint8_t **pp, const uint8_t *lim, unsigned *kind,
                                   uint64_t *va)
{
    const uint8_t *p = *pp;
    unsigned label = (unsigned)(p[0] - '0');
    if (label > 4 || (p[1] != ' ' && p[1] != '\t')) {
        if (!at_eol(p))
            return "expected a din label 0..4 followed by a blank";
        *pp = p + (*p == '\r' ? 2 : 1);
        *kind = DIN_NONE;
        return NULL;
    }
    p += 2;
    while (*p == ' ' || *p == '\t')
        p++;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        p += 2;
    if (!hex64(&p, va))
        return "bad din address";
    if (*p != '\n') {
        if (*p != ' ' && *p != '\t' && *p != '\r')
            return "bad din address";
        p = eol(p, lim); /* further fields are ignored */
    }
    *pp = p + 1;
    *kind = din_kind[label];
    return NULL;
}

#ifdef DIN_SIMD
/* The line nearly every din file is made of, "L ADDR\n" (a label 0..4, one
 * space, 1..16 hex digits without 0x), with its '\n' at nl (found by
 * din_newlines()), parsed 16 bytes at a time with SSE2 (baseline on
 * x86-64): the digit check and the conversion take no branch on the
 * address's length, which changes from line to line as fetches and data
 * addresses interleave. Reads 18 bytes from p: the byte source keeps
 * SRC_SLACK bytes past its data. @return false for any other line, which
 * din_line() then parses or rejects byte by byte. */
static inline bool din_fast(const uint8_t *p, const uint8_t *nl, unsigned *label, uint64_t *va)
{
    const unsigned l = (unsigned)(p[0] - '0');
    const size_t len = (size_t)(nl - p) - 2; /* wraps for a line of 0 or 1 bytes */
    if (l > 4 || p[1] != ' ' || len - 1 > 15)
        return false;
    const __m128i u = _mm_loadu_si128((const __m128i *)(const void *)(p + 2));
    /* Signed compares: bytes >= 0x80 are below '0' and fail the check. */
    const __m128i dig = _mm_and_si128(_mm_cmpgt_epi8(u, _mm_set1_epi8('0' - 1)),
                                      _mm_cmplt_epi8(u, _mm_set1_epi8('9' + 1)));
    const __m128i lc = _mm_or_si128(u, _mm_set1_epi8(0x20)); /* 'A'-'F' -> 'a'-'f' */
    const __m128i let = _mm_and_si128(_mm_cmpgt_epi8(lc, _mm_set1_epi8('a' - 1)),
                                      _mm_cmplt_epi8(lc, _mm_set1_epi8('f' + 1)));
    const unsigned hex = (unsigned)_mm_movemask_epi8(_mm_or_si128(dig, let));
    const unsigned need = (1u << len) - 1u;
    if ((hex & need) != need)
        return false;
    /* Nibbles: the low 4 bits, +9 for a letter (bit 6 set). Lanes past the
     * digits hold any byte; the mask keeps them from spilling into a
     * digit's nibble when the pairs are formed. */
    const __m128i isl = _mm_and_si128(_mm_srli_epi16(u, 6), _mm_set1_epi8(1));
    __m128i nib = _mm_add_epi8(_mm_and_si128(u, _mm_set1_epi8(0x0f)),
                               _mm_add_epi8(_mm_slli_epi16(isl, 3), isl));
    nib = _mm_and_si128(nib, _mm_set1_epi8(0x0f));
    /* Byte k of the pairs = digit 2k << 4 | digit 2k+1: the first digits
     * in the lowest byte, so a byte swap makes them the most significant. */
    __m128i pairs = _mm_or_si128(_mm_slli_epi16(nib, 4), _mm_srli_epi16(nib, 8));
    pairs = _mm_and_si128(pairs, _mm_set1_epi16(0x00ff));
    pairs = _mm_packus_epi16(pairs, pairs);
    const uint64_t v = __builtin_bswap64((uint64_t)_mm_cvtsi128_si64(pairs));
    *va = v >> (4 * (16 - len));
    *label = l;
    return true;
}

#define DIN_BATCH 1024 /* lines parsed per pass (din_read) */

/* Bit i set iff q[i] is '\n', for the 64 bytes at q; *count: how many.
 * Finding the line ends a block at a time takes the next line's start off
 * the critical path: a line-by-line parser cannot start a line before it
 * has found where the previous one ends. The count is summed with psadbw:
 * x86-64's baseline has no popcnt (__builtin_popcountll is a libgcc call). */
static inline uint64_t din_newlines(const uint8_t *q, unsigned *count)
{
    const __m128i nl = _mm_set1_epi8('\n');
    __m128i ones = _mm_setzero_si128();
    uint64_t m = 0;
    for (int k = 0; k < 4; k++) {
        const __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(q + 16 * k));
        const __m128i e = _mm_cmpeq_epi8(b, nl);
        m |= (uint64_t)(unsigned)_mm_movemask_epi8(e) << (16 * k);
        ones = _mm_sub_epi8(ones, e); /* e is -1 where a newline is */
    }
    const __m128i sum = _mm_sad_epu8(ones, _mm_setzero_si128());
    *count = (unsigned)_mm_cvtsi128_si32(sum) + (unsigned)_mm_extract_epi16(sum, 4);
    return m;
}
#endif

/* Hands out one parsed din line: a record into recs, or (recs NULL) an
 * entry of the plain run, with the fetches counted in *fe. */
static inline void din_put(gr_trace_rec *recs, uint64_t *vas, uint8_t *kinds, size_t *got,
                           size_t *fe, unsigned kind, uint64_t va)
{
    if (kind == DIN_NONE)
        return;
    if (recs) {
        gr_trace_rec *o = &recs[*got];
        memset(o, 0, sizeof *o);
        o->kind = (uint8_t)kind;
        o->va = va;
    } else {
        vas[*got] = va;
        kinds[*got] = (uint8_t)kind;
        *fe += kind == GR_TREC_FETCH;
    }
    ++*got;
}

/* Both din decoders: records into recs, or (recs NULL) plain runs into
 * vas/kinds with the fetches counted. Inlined into each with recs known.
 * The line and fetch counts are kept in locals: the stores into kinds
 * (uint8_t) may alias anything, and would make the compiler reload *r and
 * *fetches on every line. */
static inline size_t din_read(gr_trace_reader *r, gr_trace_rec *recs, uint64_t *vas,
                              uint8_t *kinds, size_t want, size_t *fetches)
{
    tstate *t = r->fmtstate;
    gr_src *s = &r->src;
    size_t got = 0, fe = 0;
    while (got < want && need_lines(r, t)) {
        const uint8_t *p = s->buf + s->pos, *lim = s->buf + t->lim;
        uint64_t nlines = 0;
        const char *bad = NULL;
        const uint8_t *line = p;
#ifdef DIN_SIMD
        /* Two passes over up to DIN_BATCH lines: their ends, then the
         * lines. Parsing straight from each block's newline mask left the
         * loop over a block's lines (5 to 7 of them) with a mispredicted
         * exit per block. */
        while (p < lim && got < want) {
            uint32_t ends[DIN_BATCH + 64];
            const size_t cap = want - got < DIN_BATCH ? want - got : DIN_BATCH;
            size_t ne = 0;
            /* Reads up to 63 bytes past lim, within the source's SRC_SLACK. */
            for (const uint8_t *q = p; q < lim && ne < cap; q += 64) {
                unsigned cnt;
                uint64_t m = din_newlines(q, &cnt);
                if (__builtin_expect(lim - q < 64, 0)) {
                    m &= (1ull << (lim - q)) - 1;
                    cnt = 0;
                    for (uint64_t x = m; x; x &= x - 1)
                        cnt++;
                }
                const uint32_t off = (uint32_t)(q - p);
                /* Eight ends are written whatever the count (the extra
                 * ones are overwritten or never read): no branch on it. */
                for (unsigned j = 0; j < 8; j++) {
                    ends[ne + j] = off + (m ? (uint32_t)__builtin_ctzll(m) : 0u);
                    m &= m - 1;
                }
                for (unsigned j = 8; j < cnt; j++) { /* lines under 8 bytes */
                    ends[ne + j] = off + (uint32_t)__builtin_ctzll(m);
                    m &= m - 1;
                }
                ne += cnt;
            }
            if (ne > cap)
                ne = cap;
            const uint8_t *const p0 = p;
            size_t k = 0;
            for (; k < ne; k++) {
                const uint8_t *nl = p0 + ends[k];
                unsigned kind, label;
                uint64_t va;
                line = p;
                if (__builtin_expect(din_fast(line, nl, &label, &va), 1)) {
                    kind = din_kind[label];
                } else {
                    const uint8_t *e = line;
                    bad = din_line(&e, lim, &kind, &va);
                    if (__builtin_expect(bad != NULL, 0))
                        break;
                }
                p = nl + 1;
                din_put(recs, vas, kinds, &got, &fe, kind, va);
            }
            nlines += k;
            if (bad)
                break;
        }
#else
        while (p < lim && got < want) {
            unsigned kind;
            uint64_t va;
            line = p;
            bad = din_line(&p, lim, &kind, &va);
            if (__builtin_expect(bad != NULL, 0))
                break;
            nlines++;
            din_put(recs, vas, kinds, &got, &fe, kind, va);
        }
#endif
        r->line += nlines;
        if (fetches)
            *fetches += fe;
        fe = 0;
        if (__builtin_expect(bad != NULL, 0))
            LINE_FAIL("%s", bad);
        s->pos = (size_t)(p - s->buf);
    }
    return got;
}

static size_t din_fill(gr_trace_reader *r, gr_trace_rec *recs, size_t want)
{
    return din_read(r, recs, NULL, NULL, want, NULL);
}

/* Every din access is plain: no size (never split), no context, no PAC.
 * The run's context is din_fill()'s: task 0 at EL0. */
static size_t din_fill_plain(gr_trace_reader *r, uint64_t *vas, uint8_t *kinds, size_t want,
                             uint64_t pgmask, gr_trace_plain *run, bool *started)
{
    (void)pgmask;
    size_t fetches = 0;
    size_t got = din_read(r, NULL, vas, kinds, want, &fetches);
    if (got && !*started) {
        *started = true;
        run->task = 0;
        run->el = 0;
    }
    run->fetches += fetches;
    return got;
}

/* ---- pinatrace ----------------------------------------------------------- */

static bool pin_addr(const uint8_t **pp, uint64_t *v)
{
    const uint8_t *p = *pp;
    if (memcmp(p, "(nil)", 5) == 0) { /* glibc prints a null %p this way */
        *pp = p + 5;
        *v = 0;
        return true;
    }
    if (p[0] != '0' || (p[1] != 'x' && p[1] != 'X'))
        return false;
    *pp = p + 2;
    return hex64(pp, v);
}

static size_t pin_fill(gr_trace_reader *r, gr_trace_rec *recs, size_t want)
{
    tstate *t = r->fmtstate;
    gr_src *s = &r->src;
    size_t got = 0;
    while (got < want && need_lines(r, t)) {
        const uint8_t *p = s->buf + s->pos, *lim = s->buf + t->lim;
        while (p < lim && got < want) {
            const uint8_t *line = p;
            if (*p == '#' || at_eol(p)) { /* "#eof" ends a complete pinatrace.out */
                p = eol(p, lim) + 1;
                r->line++;
                continue;
            }
            uint64_t ip, va;
            if (!pin_addr(&p, &ip) || p[0] != ':' || p[1] != ' ' ||
                (p[2] != 'R' && p[2] != 'W') || p[3] != ' ')
                LINE_FAIL("expected `0xIP: R|W 0xADDR`");
            unsigned kind = p[2] == 'R' ? GR_TREC_READ : GR_TREC_WRITE;
            p += 4;
            if (!pin_addr(&p, &va))
                LINE_FAIL("bad pinatrace address");
            while (*p == ' ' || *p == '\t')
                p++;
            if (!at_eol(p))
                LINE_FAIL("unexpected text after the address");
            p += *p == '\r' ? 2 : 1;
            r->line++;
            gr_trace_rec *o = &recs[got++];
            memset(o, 0, sizeof *o);
            o->kind = (uint8_t)kind;
            o->va = va;
            o->pc = ip;
        }
        s->pos = (size_t)(p - s->buf);
    }
    return got;
}

static void text_close(gr_trace_reader *r)
{
    free(r->fmtstate);
    r->fmtstate = NULL;
}

static const gr_trace_ops lackey_ops = {.fill = lackey_fill, .close = text_close};
static const gr_trace_ops din_ops = {.fill = din_fill, .close = text_close, .fill_plain = din_fill_plain};
static const gr_trace_ops pin_ops = {.fill = pin_fill, .close = text_close};

/* Metadata for a lackey log from valgrind's preamble (`==PID== Command: ...`). */
static void lackey_meta(gr_trace_reader *r, char *m, size_t cap)
{
    const char *b = (const char *)r->src.buf;
    size_t n = r->src.len < 8192 ? r->src.len : 8192;
    size_t used = strlen(m);
    for (size_t i = 0; i < n;) {
        const char *l = b + i, *e = memchr(l, '\n', n - i);
        if (!e)
            break;
        i = (size_t)(e - b) + 1;
        if (l[0] != '=' || l[1] != '=')
            continue;
        const char *q = memchr(l + 2, '=', (size_t)(e - l - 2));
        if (!q || q[1] != '=' || q + 3 > e)
            continue;
        const char *v = q + 3;
        int len = (int)(e - v);
        if (strncmp(v, "Command: ", 9) == 0)
            used += (size_t)snprintf(m + used, used < cap ? cap - used : 0,
                                     "lackey.pid=%.*s\nlackey.command=%.*s\n", (int)(q - l - 2),
                                     l + 2, len - 9, v + 9);
        else if (strncmp(v, "Using Valgrind-", 15) == 0)
            used += (size_t)snprintf(m + used, used < cap ? cap - used : 0,
                                     "lackey.valgrind=%.*s\n", (int)strcspn(v + 15, " \n"),
                                     v + 15);
        if (used >= cap)
            break;
    }
}

gr_trace_status gr_trace_text_open(gr_trace_reader *r)
{
    tstate *t = calloc(1, sizeof *t);
    if (!t)
        return GR_TRACE_ENOMEM;
    r->fmtstate = t;
    r->ops = r->fmt == GR_TRACE_FMT_LACKEY ? &lackey_ops
             : r->fmt == GR_TRACE_FMT_DIN  ? &din_ops
                                           : &pin_ops;
    size_t cap = 2048;
    r->meta = malloc(cap);
    if (!r->meta)
        return GR_TRACE_ENOMEM;
    snprintf(r->meta, cap, "source.format=%s\nsource.file=%s\n", gr_trace_format_name(r->fmt),
             r->name);
    if (r->fmt == GR_TRACE_FMT_LACKEY)
        lackey_meta(r, r->meta, cap);
    r->hdr.meta = r->meta;
    /* The first buffer has no sentinel or line limit yet. */
    gr_src *s = &r->src;
    size_t l = s->len;
    while (l > 0 && s->buf[l - 1] != '\n')
        l--;
    t->lim = l;
    s->buf[s->len] = 0;
    return GR_TRACE_OK;
}

/* ---- writers ------------------------------------------------------------- */

typedef struct twstate {
    bool have_read; /* lackey: a load waiting to become half of an M line */
    gr_trace_rec read;
    uint64_t pid;
} twstate;

static inline char *put_hex(char *p, uint64_t v, int mindigits)
{
    char tmp[16];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (n < mindigits)
        tmp[n++] = '0';
    while (n)
        *p++ = tmp[--n];
    return p;
}

static inline char *put_dec(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static gr_trace_status lackey_line(gr_trace_writer *w, const char *lead, const gr_trace_rec *rec)
{
    gr_trace_status st = gr_trace_wreserve(w, 64);
    if (st)
        return st;
    char *p = (char *)w->obuf + w->olen;
    memcpy(p, lead, 3);
    p = put_hex(p + 3, rec->va, 8);
    *p++ = ',';
    p = put_dec(p, rec->size);
    *p++ = '\n';
    w->olen = (size_t)((uint8_t *)p - w->obuf);
    return GR_TRACE_OK;
}

static gr_trace_status lackey_flush_read(gr_trace_writer *w, twstate *t)
{
    if (!t->have_read)
        return GR_TRACE_OK;
    t->have_read = false;
    return lackey_line(w, " L ", &t->read);
}

static gr_trace_status lackey_write(gr_trace_writer *w, const gr_trace_rec *rec)
{
    twstate *t = w->fmtstate;
    if (rec->kind == GR_TREC_WRITE && t->have_read && t->read.va == rec->va &&
        t->read.size == rec->size) {
        t->have_read = false;
        return lackey_line(w, " M ", rec);
    }
    gr_trace_status st = lackey_flush_read(w, t);
    if (st)
        return st;
    char line[256];
    int n = -1;
    unsigned long long pid = (unsigned long long)t->pid;
    const uint64_t *a = rec->arg;
    switch (rec->kind) {
    case GR_TREC_READ:
        t->read = *rec;
        t->have_read = true;
        return GR_TRACE_OK;
    case GR_TREC_WRITE:
        return lackey_line(w, " S ", rec);
    case GR_TREC_FETCH:
        return lackey_line(w, "I  ", rec);
    case GR_TREC_MMAP:
        n = snprintf(line, sizeof line,
                     "SYSCALL[%llu,1](9) sys_mmap ( 0x%" PRIx64 ", %" PRIu64 ", %" PRIu64
                     ", %" PRIu64 ", %" PRIu64 ", %" PRIu64
                     " ) --> [pre-success] Success(0x%" PRIx64 ") \n",
                     pid, rec->va, a[0], a[1], a[2], a[3], a[4], rec->va);
        break;
    case GR_TREC_MUNMAP:
        n = snprintf(line, sizeof line,
                     "SYSCALL[%llu,1](11) sys_munmap ( 0x%" PRIx64 ", %" PRIu64
                     " )[sync] --> Success(0x0) \n",
                     pid, rec->va, a[0]);
        break;
    case GR_TREC_MPROTECT:
        n = snprintf(line, sizeof line,
                     "SYSCALL[%llu,1](10) sys_mprotect ( 0x%" PRIx64 ", %" PRIu64 ", %" PRIu64
                     " )[sync] --> Success(0x0) \n",
                     pid, rec->va, a[0], a[1]);
        break;
    case GR_TREC_BRK:
        n = snprintf(line, sizeof line,
                     "SYSCALL[%llu,1](12) sys_brk ( 0x%" PRIx64
                     " ) --> [pre-success] Success(0x%" PRIx64 ") \n",
                     pid, a[0], rec->va);
        break;
    case GR_TREC_EXIT:
        n = snprintf(line, sizeof line,
                     "SYSCALL[%llu,1](231) exit_group( %" PRIu64
                     " ) --> [pre-success] Success(0x0) \n",
                     pid, a[0]);
        break;
    default:
        w->dropped++;
        return GR_TRACE_OK;
    }
    return gr_trace_wbytes(w, line, (size_t)n);
}

static gr_trace_status din_write(gr_trace_writer *w, const gr_trace_rec *rec)
{
    if (rec->kind >= GR_TREC_EVENT) {
        w->dropped++;
        return GR_TRACE_OK;
    }
    gr_trace_status st = gr_trace_wreserve(w, 32);
    if (st)
        return st;
    char *p = (char *)w->obuf + w->olen;
    *p++ = (char)('0' + rec->kind); /* din labels 0 read, 1 write, 2 fetch */
    *p++ = ' ';
    p = put_hex(p, rec->va, 1);
    *p++ = '\n';
    w->olen = (size_t)((uint8_t *)p - w->obuf);
    return GR_TRACE_OK;
}

static gr_trace_status pin_write(gr_trace_writer *w, const gr_trace_rec *rec)
{
    if (rec->kind != GR_TREC_READ && rec->kind != GR_TREC_WRITE) {
        w->dropped++; /* pinatrace records data accesses only */
        return GR_TRACE_OK;
    }
    gr_trace_status st = gr_trace_wreserve(w, 48);
    if (st)
        return st;
    char *p = (char *)w->obuf + w->olen;
    *p++ = '0';
    *p++ = 'x';
    p = put_hex(p, rec->pc, 1);
    memcpy(p, rec->kind == GR_TREC_READ ? ": R 0x" : ": W 0x", 6);
    p = put_hex(p + 6, rec->va, 1);
    *p++ = '\n';
    w->olen = (size_t)((uint8_t *)p - w->obuf);
    return GR_TRACE_OK;
}

static gr_trace_status lackey_finish(gr_trace_writer *w) { return lackey_flush_read(w, w->fmtstate); }
static gr_trace_status pin_finish(gr_trace_writer *w) { return gr_trace_wbytes(w, "#eof\n", 5); }

static void text_wfree(gr_trace_writer *w)
{
    free(w->fmtstate);
    w->fmtstate = NULL;
}

static const gr_trace_wops lackey_wops = {lackey_write, lackey_finish, text_wfree};
static const gr_trace_wops din_wops = {din_write, NULL, text_wfree};
static const gr_trace_wops pin_wops = {pin_write, pin_finish, text_wfree};

gr_trace_status gr_trace_text_wopen(gr_trace_writer *w)
{
    twstate *t = calloc(1, sizeof *t);
    if (!t)
        return GR_TRACE_ENOMEM;
    w->fmtstate = t;
    w->ops = w->fmt == GR_TRACE_FMT_LACKEY ? &lackey_wops
             : w->fmt == GR_TRACE_FMT_DIN  ? &din_wops
                                           : &pin_wops;
    t->pid = 1;
    const char *m = w->meta ? strstr(w->meta, "lackey.pid=") : NULL;
    if (m && (m == w->meta || m[-1] == '\n'))
        t->pid = strtoull(m + 11, NULL, 10);
    return GR_TRACE_OK;
}
