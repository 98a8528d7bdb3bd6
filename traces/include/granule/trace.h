/*
 * granule — memory-access traces (prefix gr_trace_).
 *
 * One record model for every trace format granule reads or writes: accesses
 * (a VA, a size, read/write/fetch, the EL, the task, optionally the PC and a
 * PAC {key, modifier}) and events (context switch, TTBR/TCR write, TLBI,
 * mmap/munmap/mprotect/brk, fork/exec/exit, instruction-count marks).
 *
 * Readers stream: memory use does not depend on the trace's length. Every
 * format is read through the same opaque handle (open, next, close); the
 * format is detected from the content unless the caller names it. Errors are
 * values (gr_trace_status); a reader that failed says where, as a byte offset
 * (and, for text formats, a line number), in gr_trace_reader_error().
 *
 * The native format, the meaning of every field and the mapping of each
 * foreign format onto records are in docs/trace-format.md.
 *
 * This library depends on nothing in model/ (docs/ARCHITECTURE: traces/ is a
 * leaf); the harness joins traces to the MMU model.
 */
#ifndef GRANULE_TRACE_H
#define GRANULE_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status values (GR_TRACE_OK is 0). */
#define GR_TRACE_STATUSES(X)                                              \
    X(GR_TRACE_OK, 0, "ok")                                               \
    X(GR_TRACE_END, 1, "end of trace")                                    \
    X(GR_TRACE_EIO, 2, "I/O error")                                       \
    X(GR_TRACE_ENOMEM, 3, "out of memory")                                \
    X(GR_TRACE_EFORMAT, 4, "malformed input")                             \
    X(GR_TRACE_ECORRUPT, 5, "checksum mismatch (corrupt data)")           \
    X(GR_TRACE_ETRUNC, 6, "truncated input")                              \
    X(GR_TRACE_EUNSUPPORTED, 7, "operation not supported by this format") \
    X(GR_TRACE_EARG, 8, "invalid argument")

typedef enum {
#define GR_TRACE_ENUM_(name, val, text) name = val,
    GR_TRACE_STATUSES(GR_TRACE_ENUM_)
#undef GR_TRACE_ENUM_
} gr_trace_status;

/*! gr_trace_strerror() : @return a static description of st. */
const char *gr_trace_strerror(int st);

/* Trace formats. */
#define GR_TRACE_FORMATS(X)          \
    X(GR_TRACE_FMT_AUTO, 0, "auto")  \
    X(GR_TRACE_FMT_NATIVE, 1, "native") \
    X(GR_TRACE_FMT_LACKEY, 2, "lackey") \
    X(GR_TRACE_FMT_DIN, 3, "din")       \
    X(GR_TRACE_FMT_CHAMPSIM, 4, "champsim") \
    X(GR_TRACE_FMT_PINATRACE, 5, "pinatrace") \
    X(GR_TRACE_FMT_SYNTHETIC, 6, "synthetic")

typedef enum {
#define GR_TRACE_ENUM_(name, val, text) name = val,
    GR_TRACE_FORMATS(GR_TRACE_ENUM_)
#undef GR_TRACE_ENUM_
} gr_trace_format;

/*! gr_trace_format_name() : @return "native", "lackey", ... or "?" */
const char *gr_trace_format_name(int fmt);
/*! gr_trace_format_parse() : @return the format called name, or -1. */
int gr_trace_format_parse(const char *name);

/* Record kinds. Kinds below GR_TREC_EVENT are accesses, so
 * `rec.kind < GR_TREC_EVENT` is the one test a replay loop needs. */
typedef enum {
    GR_TREC_READ = 0,
    GR_TREC_WRITE = 1,
    GR_TREC_FETCH = 2,
    GR_TREC_EVENT = 16,     /* first event kind; not a record kind itself */
    GR_TREC_CTXSW = 16,     /* task = incoming task; arg[0] = its ASID */
    GR_TREC_TTBR = 17,      /* arg[0] = 0 (TTBR0) or 1 (TTBR1); arg[1] = value; el */
    GR_TREC_TCR = 18,       /* arg[0] = value; el */
    GR_TREC_TLBI = 19,      /* arg[0] = gr_trace_tlbi_op; va; arg[1] = ASID */
    GR_TREC_MMAP = 20,      /* va = address mapped (result); arg = len, prot, flags, fd, offset */
    GR_TREC_MUNMAP = 21,    /* va; arg[0] = len */
    GR_TREC_MPROTECT = 22,  /* va; arg[0] = len; arg[1] = prot */
    GR_TREC_BRK = 23,       /* va = new program break (result); arg[0] = requested */
    GR_TREC_FORK = 24,      /* task = parent; arg[0] = child task */
    GR_TREC_EXEC = 25,      /* task */
    GR_TREC_EXIT = 26,      /* task; arg[0] = status */
    GR_TREC_MARK = 27,      /* arg[0] = instructions retired so far */
    GR_TREC_LAST = 27
} gr_trace_kind;

/* TLBI operations (arg[0] of GR_TREC_TLBI), EL1&0 regime; the IS forms are
 * the plain ones plus GR_TRACE_TLBI_IS. */
typedef enum {
    GR_TRACE_TLBI_VMALLE1 = 0,
    GR_TRACE_TLBI_VAE1 = 1,
    GR_TRACE_TLBI_ASIDE1 = 2,
    GR_TRACE_TLBI_VAAE1 = 3,
    GR_TRACE_TLBI_VALE1 = 4,
    GR_TRACE_TLBI_VAALE1 = 5,
    GR_TRACE_TLBI_IS = 0x10
} gr_trace_tlbi_op;

/* PAC keys (rec.pac_key); GR_TRACE_PAC_NONE: the access carries no PAC. */
typedef enum {
    GR_TRACE_PAC_NONE = 0,
    GR_TRACE_PAC_IA = 1,
    GR_TRACE_PAC_IB = 2,
    GR_TRACE_PAC_DA = 3,
    GR_TRACE_PAC_DB = 4,
    GR_TRACE_PAC_GA = 5
} gr_trace_pac_key;

#define GR_TRACE_SIZE_UNKNOWN 0u /* the source format gives no access size */
#define GR_TRACE_NARGS 5

/* One trace record. Fields a kind does not use are zero. */
typedef struct gr_trace_rec {
    uint8_t kind;    /* gr_trace_kind */
    uint8_t el;      /* exception level 0..3 */
    uint8_t pac_key; /* gr_trace_pac_key */
    uint8_t flags;   /* reserved, 0 */
    uint32_t size;   /* access size in bytes; GR_TRACE_SIZE_UNKNOWN if not known */
    uint32_t task;   /* task / address-space id */
    uint32_t pad_;   /* 0 */
    uint64_t va;     /* access address, or the event's address operand */
    uint64_t pc;     /* address of the accessing instruction; 0 unknown */
    uint64_t modifier;          /* PAC modifier (when pac_key != NONE) */
    uint64_t arg[GR_TRACE_NARGS]; /* event arguments (see gr_trace_kind) */
} gr_trace_rec;

/*! gr_trace_kind_name() : @return "read", "mmap", ... or "?" */
const char *gr_trace_kind_name(int kind);

/* Chunk compression of a native version-2 file (gr_trace_header.codec). */
#define GR_TRACE_CODEC_DEFAULT 0
#define GR_TRACE_CODEC_ZSTD 1
#define GR_TRACE_CODEC_LZ4 2

/* The native version a writer uses when gr_trace_header.version_major is 0. */
#define GR_TRACE_NATIVE_DEFAULT_VERSION 2

/* Trace-wide information. Readers of foreign formats synthesise one. */
typedef struct gr_trace_header {
    uint16_t version_major; /* native format version the file was written with; for a
                               writer: 1 or 2, 0 = GR_TRACE_NATIVE_DEFAULT_VERSION */
    uint16_t version_minor;
    uint32_t page_size;     /* page-size hint in bytes; 0 unknown */
    uint16_t source;        /* gr_trace_format the records came from */
    const char *meta;       /* free-form UTF-8 "key=value\n" lines, NUL-terminated; may be NULL */
    uint8_t codec;          /* writer, version 2: GR_TRACE_CODEC_*; readers leave it 0 */
} gr_trace_header;

/* ---- readers ---------------------------------------------------------- */

typedef struct gr_trace_reader gr_trace_reader;

/*! gr_trace_reader_open() : opens path ("-" is standard input) as a trace
 *  of format fmt (GR_TRACE_FMT_AUTO detects it from the content, and from
 *  the name for ChampSim). Text and ChampSim input may be xz- or
 *  zstd-compressed; that is detected from the content too.
 *  @return GR_TRACE_OK with *out set, or an error with a message in err
 *  (which may be NULL) and *out NULL. */
gr_trace_status gr_trace_reader_open(gr_trace_reader **out, const char *path, int fmt, char *err,
                                     size_t errlen);

/*! gr_trace_reader_open_mem() : the same over a caller-owned buffer, which
 *  must outlive the reader. */
gr_trace_status gr_trace_reader_open_mem(gr_trace_reader **out, const void *buf, size_t len,
                                         int fmt, char *err, size_t errlen);

/*! gr_trace_reader_next() : reads the next record into *rec.
 *  @return GR_TRACE_OK, GR_TRACE_END after the last record, or an error
 *  (then gr_trace_reader_error() says what and where, and every further call
 *  returns the same error). */
gr_trace_status gr_trace_reader_next(gr_trace_reader *r, gr_trace_rec *rec);

/*! gr_trace_reader_read() : reads up to n records into recs (the fast path
 *  for replay loops). @return the number read; *st is GR_TRACE_OK, or
 *  GR_TRACE_END / an error when fewer than n were read. */
size_t gr_trace_reader_read(gr_trace_reader *r, gr_trace_rec *recs, size_t n,
                            gr_trace_status *st);

/* What gr_trace_reader_read_plain() says of the run it returned. */
typedef struct gr_trace_plain {
    uint32_t task;  /* of every access in the run */
    uint8_t el;     /* of every access in the run */
    size_t fetches; /* how many of them are GR_TREC_FETCH */
} gr_trace_plain;

/*! gr_trace_reader_read_plain() : the replay fast path for the common
 *  record, in 9 bytes instead of a gr_trace_rec. Reads up to n records as
 *  long as each is a plain access: a read, write or fetch without PAC, of
 *  the task and EL of the first, that stays inside one (pgmask + 1)-byte
 *  page (its size is at most 1, or (va & pgmask) + size <= pgmask + 1).
 *  Stores va[i] and kind[i] (GR_TREC_READ, _WRITE or _FETCH) only.
 *  @return the count, then *run describes them (untouched when 0). 0 with
 *  *st == GR_TRACE_OK: the next record is not plain; read it with
 *  gr_trace_reader_read(). Otherwise *st as gr_trace_reader_read(). */
size_t gr_trace_reader_read_plain(gr_trace_reader *r, uint64_t *va, uint8_t *kind, size_t n,
                                  uint64_t pgmask, gr_trace_plain *run, gr_trace_status *st);

/*! gr_trace_reader_plain_view() : gr_trace_reader_read_plain() without
 *  the copy, the replay's fast path: *va and *kind point at up to n plain
 *  records in the reader's own buffers (for native version 2, the kinds
 *  are the chunk's kind column itself), valid until the next call on r.
 *  May return fewer than n while more plain records follow (one span per
 *  call). @return and *run, *st as gr_trace_reader_read_plain(). */
size_t gr_trace_reader_plain_view(gr_trace_reader *r, const uint64_t **va, const uint8_t **kind,
                                  size_t n, uint64_t pgmask, gr_trace_plain *run,
                                  gr_trace_status *st);

/*! gr_trace_reader_seek() : positions the reader so the next record read is
 *  record number index (0-based). Native files on seekable input use the
 *  index at the end of the file and decode only the chunk holding the record;
 *  other formats and pipes read forward (backward is GR_TRACE_EUNSUPPORTED).
 *  Seeking past the end leaves the reader at the end. */
gr_trace_status gr_trace_reader_seek(gr_trace_reader *r, uint64_t index);

/*! gr_trace_reader_error() : @return the message of the last error
 *  ("FILE: byte offset N: ..." or "FILE: line L: ..."), or "" if none. */
const char *gr_trace_reader_error(const gr_trace_reader *r);
/*! gr_trace_reader_error_offset() : @return the byte offset of the last
 *  error (in the decompressed text for compressed text input), or
 *  UINT64_MAX if none. */
uint64_t gr_trace_reader_error_offset(const gr_trace_reader *r);
/*! gr_trace_reader_error_line() : @return the line of the last error for
 *  text formats, else 0. */
uint64_t gr_trace_reader_error_line(const gr_trace_reader *r);

/*! gr_trace_reader_format() : @return the format being read. */
int gr_trace_reader_format(const gr_trace_reader *r);
/*! gr_trace_reader_header() : @return the trace's header (valid until close). */
const gr_trace_header *gr_trace_reader_header(const gr_trace_reader *r);
/*! gr_trace_reader_position() : @return the index of the next record. */
uint64_t gr_trace_reader_position(const gr_trace_reader *r);
/*! gr_trace_reader_total() : @return the record count of a native file
 *  whose index has been read (after the end, or after a seek), else UINT64_MAX. */
uint64_t gr_trace_reader_total(const gr_trace_reader *r);

/*! gr_trace_reader_close() : closes r. NULL is a no-op. */
void gr_trace_reader_close(gr_trace_reader *r);

/* ---- writers ---------------------------------------------------------- */

typedef struct gr_trace_writer gr_trace_writer;

/*! gr_trace_writer_open() : creates path ("-" is standard output) as a
 *  trace of format fmt (not AUTO). hdr (may be NULL) gives the page-size
 *  hint, source and metadata of a native file; text and ChampSim writers
 *  compress with xz or zstd when path ends in ".xz" or ".zst".
 *  @return GR_TRACE_OK with *out set, or an error with a message in err. */
gr_trace_status gr_trace_writer_open(gr_trace_writer **out, const char *path, int fmt,
                                     const gr_trace_header *hdr, char *err, size_t errlen);

/*! gr_trace_writer_write() : appends rec. A record the format cannot hold
 *  (e.g. a context switch in a din file) is dropped and counted.
 *  @return GR_TRACE_OK, GR_TRACE_EARG for an invalid record, or an I/O error. */
gr_trace_status gr_trace_writer_write(gr_trace_writer *w, const gr_trace_rec *rec);

/*! gr_trace_writer_dropped() : @return the number of records dropped. */
uint64_t gr_trace_writer_dropped(const gr_trace_writer *w);

/*! gr_trace_writer_error() : @return the message of the last error, or "". */
const char *gr_trace_writer_error(const gr_trace_writer *w);

/*! gr_trace_writer_close() : finishes the file (a native file's last chunk,
 *  index and trailer) and frees w. NULL is a no-op returning GR_TRACE_OK.
 *  @return GR_TRACE_OK or the first error; err (may be NULL) gets its message. */
gr_trace_status gr_trace_writer_close(gr_trace_writer *w, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
