/*
 * The compressor pool and swap (XNU osfmk/vm/vm_compressor.c in spirit):
 * LZ4 into fixed-size segments held in simulated physical memory,
 * compaction, and encrypted, checksummed swap files.
 */
#include "granule/vmcomp.h"

#include <fcntl.h>
#include <lz4.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK_SHIFT 14 /* segment frames are 16 KiB allocator blocks */
#define BLOCK (1u << BLOCK_SHIFT)
#define NIL UINT32_MAX
#define MAX_PAGE (1u << 14)
#define NCACHE 4

typedef enum { SEG_FREE, SEG_OPEN, SEG_SEALED, SEG_SWAPPED } seg_state;

typedef struct segment {
    seg_state state;
    uint64_t *blocks;  /* frames (in memory) */
    uint32_t used;     /* bytes appended */
    uint32_t live;     /* bytes of live pages */
    uint32_t ulive;    /* uncompressed bytes of live pages */
    uint32_t nlive;    /* live pages */
    uint64_t seq;      /* sealing order: oldest is swapped first */
    uint32_t file, slot; /* swap location */
    uint8_t digest[32];  /* SHA-256 of the ciphertext */
    uint32_t next_free;
} segment;

typedef struct slot {
    uint32_t seg;   /* NIL: free slot (then off = next free slot) */
    uint32_t off;
    uint32_t clen;
    uint16_t ulen;
    uint8_t raw;
} slot;

typedef struct swapfile {
    int fd;            /* -1: no file */
    uint32_t used;     /* segments stored */
    uint8_t *busy;     /* per segment slot */
    bool empty;        /* emptied and not yet deleted or reused */
} swapfile;

struct gr_vmcomp {
    gr_pmem *mem;
    gr_vmpage *pages;
    gr_vmcomp_config cfg;
    uint32_t nblocks; /* per segment */
    segment *segs;
    uint32_t nsegs, seg_cap, seg_free;
    uint32_t open;    /* open segment or NIL */
    uint64_t seq;
    slot *slots;
    uint32_t nslots, slot_cap, slot_free;
    swapfile *files;
    char **paths;
    uint32_t slots_per_file;
    uint32_t empty_files; /* files that exist with no segment (trim work) */
    uint8_t key[64];
    uint8_t *buf, *cbuf; /* segment-sized scratch: plaintext, ciphertext */
    /* Plaintexts of recently read swapped segments (round robin), so that
     * faults on neighbouring pages do not decrypt a segment each. */
    uint32_t cached[NCACHE];
    uint8_t *cache[NCACHE];
    unsigned cache_next;
    /* LZ4 state kept across pages: LZ4_compress_default would clear its
     * 16 KiB hash table (LZ4_initStream) for every 4 KiB page, which
     * costs more than compressing it; LZ4_resetStream_fast starts each
     * page as an independent block without that clear. */
    LZ4_stream_t *lz;
    gr_vmcomp_stats st;
};

const char *gr_vmcomp_strerror(int err)
{
    switch (err) {
#define GR_VMCOMP_STR_(e, v, t) \
    case v:                     \
        return t;
        GR_VMCOMP_ERRORS(GR_VMCOMP_STR_)
#undef GR_VMCOMP_STR_
    default:
        return "unknown compressor error";
    }
}

gr_vmcomp *gr_vmcomp_create(gr_pmem *mem, gr_vmpage *pages, const gr_vmcomp_config *cfg,
                            int *err)
{
    gr_vmcomp_config k = cfg ? *cfg : (gr_vmcomp_config){0};
    if (!k.segment_size)
        k.segment_size = 64u << 10;
    if (!k.max_segments)
        k.max_segments = 64;
    if (!k.compact_pct)
        k.compact_pct = 50;
    if (!k.swapfile_size)
        k.swapfile_size = 1u << 20;
    if (!k.max_swapfiles)
        k.max_swapfiles = 8;
    int e = GR_VMCOMP_INVAL;
    gr_vmcomp *c = NULL;
    if (!mem || !pages || k.segment_size % BLOCK || k.segment_size > (64u << 20) ||
        k.swapfile_size % k.segment_size || k.compact_pct > 100)
        goto fail;
    e = GR_VMCOMP_NOMEM;
    c = calloc(1, sizeof *c);
    if (!c)
        goto fail;
    c->mem = mem;
    c->pages = pages;
    c->cfg = k;
    c->nblocks = k.segment_size / BLOCK;
    c->open = c->seg_free = c->slot_free = NIL;
    c->slots_per_file = (uint32_t)(k.swapfile_size / k.segment_size);
    c->buf = malloc(k.segment_size);
    c->cbuf = malloc(k.segment_size);
    c->lz = LZ4_createStream();
    if (!c->buf || !c->cbuf || !c->lz)
        goto fail;
    for (unsigned i = 0; i < NCACHE; i++) {
        c->cached[i] = NIL;
        if (!(c->cache[i] = malloc(k.segment_size)))
            goto fail;
    }
    if (k.swap_dir) {
        c->files = calloc(k.max_swapfiles, sizeof *c->files);
        c->paths = calloc(k.max_swapfiles, sizeof *c->paths);
        if (!c->files || !c->paths)
            goto fail;
        c->cfg.swap_dir = NULL; /* not kept: paths are built now */
        for (uint32_t i = 0; i < k.max_swapfiles; i++) {
            c->files[i].fd = -1;
            size_t n = strlen(k.swap_dir) + 32;
            if (!(c->paths[i] = malloc(n)))
                goto fail;
            snprintf(c->paths[i], n, "%s/swapfile%u", k.swap_dir, i);
        }
        e = GR_VMCOMP_CRYPTO;
        /* XTS needs two different 256-bit keys; RAND_bytes gives 512
         * random bits, equal halves are practically impossible but the
         * cipher rejects them, so draw again in that case. */
        do {
            if (RAND_bytes(c->key, sizeof c->key) != 1)
                goto fail;
        } while (!memcmp(c->key, c->key + 32, 32));
    }
    if (err)
        *err = GR_VMCOMP_OK;
    return c;
fail:
    gr_vmcomp_destroy(c);
    if (err)
        *err = e;
    return NULL;
}

static void free_blocks(gr_vmcomp *c, segment *s)
{
    for (uint32_t b = 0; b < c->nblocks; b++)
        gr_vmpage_free(c->pages, s->blocks[b]);
    free(s->blocks);
    s->blocks = NULL;
}

void gr_vmcomp_destroy(gr_vmcomp *c)
{
    if (!c)
        return;
    for (uint32_t i = 0; i < c->nsegs; i++)
        if (c->segs[i].blocks)
            free_blocks(c, &c->segs[i]);
    if (c->files) {
        for (uint32_t i = 0; i < c->cfg.max_swapfiles; i++)
            if (c->files[i].fd >= 0) {
                close(c->files[i].fd);
                unlink(c->paths[i]);
                free(c->files[i].busy);
            }
    }
    if (c->paths)
        for (uint32_t i = 0; i < c->cfg.max_swapfiles; i++)
            free(c->paths[i]);
    free(c->paths);
    free(c->files);
    free(c->segs);
    free(c->slots);
    free(c->buf);
    free(c->cbuf);
    LZ4_freeStream(c->lz);
    for (unsigned i = 0; i < NCACHE; i++)
        free(c->cache[i]);
    OPENSSL_cleanse(c->key, sizeof c->key);
    free(c);
}

/* ---- segment bytes in simulated physical memory ---- */

static int seg_io(gr_vmcomp *c, const segment *s, uint32_t off, void *p, uint32_t len, bool write)
{
    uint8_t *b = p;
    while (len) {
        uint32_t blk = off >> BLOCK_SHIFT, in = off & (BLOCK - 1);
        uint32_t n = BLOCK - in < len ? BLOCK - in : len;
        uint64_t pa = s->blocks[blk] + in;
        int r = write ? gr_pmem_load(c->mem, pa, b, n) : gr_pmem_dump(c->mem, pa, b, n);
        if (r)
            return GR_VMCOMP_NOMEM;
        b += n;
        off += n;
        len -= n;
    }
    return GR_VMCOMP_OK;
}

static uint32_t new_segment(gr_vmcomp *c)
{
    if (c->seg_free == NIL) {
        if (c->nsegs == c->seg_cap) {
            uint32_t cap = c->seg_cap ? 2 * c->seg_cap : 16;
            segment *n = realloc(c->segs, cap * sizeof *n);
            if (!n)
                return NIL;
            c->segs = n;
            c->seg_cap = cap;
        }
        c->segs[c->nsegs] = (segment){.state = SEG_FREE, .next_free = NIL};
        c->seg_free = c->nsegs++;
    }
    uint32_t i = c->seg_free;
    segment *s = &c->segs[i];
    uint64_t *blocks = calloc(c->nblocks, sizeof *blocks);
    if (!blocks)
        return NIL;
    for (uint32_t b = 0; b < c->nblocks; b++)
        if (gr_vmpage_alloc(c->pages, BLOCK_SHIFT, GR_VMPAGE_Q_COMPRESSOR, false, &blocks[b])) {
            while (b--)
                gr_vmpage_free(c->pages, blocks[b]);
            free(blocks);
            return NIL;
        }
    c->seg_free = s->next_free;
    *s = (segment){.state = SEG_OPEN, .blocks = blocks, .next_free = NIL};
    c->st.segments++;
    return i;
}

static void release_segment(gr_vmcomp *c, uint32_t i)
{
    segment *s = &c->segs[i];
    if (s->state == SEG_SWAPPED) {
        swapfile *f = &c->files[s->file];
        f->busy[s->slot] = 0;
        if (--f->used == 0) {
            f->empty = true;
            c->empty_files++;
        }
        c->st.segments_swapped--;
        c->st.swap_used -= c->cfg.segment_size;
        for (unsigned k = 0; k < NCACHE; k++)
            if (c->cached[k] == i)
                c->cached[k] = NIL;
    } else {
        c->st.segments--;
        c->st.used_bytes -= s->used;
        free_blocks(c, s);
    }
    if (c->open == i)
        c->open = NIL;
    s->state = SEG_FREE;
    s->next_free = c->seg_free;
    c->seg_free = i;
}

static void seal_open(gr_vmcomp *c)
{
    if (c->open == NIL)
        return;
    segment *s = &c->segs[c->open];
    s->state = SEG_SEALED;
    s->seq = ++c->seq;
    uint32_t o = c->open;
    c->open = NIL;
    if (!s->nlive)
        release_segment(c, o);
}

/* ---- swap ---- */

static int xts(gr_vmcomp *c, bool enc, uint32_t file, uint32_t slotno, const uint8_t *in,
               uint8_t *out)
{
    uint8_t iv[16] = {0};
    uint64_t t = (uint64_t)file << 32 | slotno;
    for (int i = 0; i < 8; i++)
        iv[i] = (uint8_t)(t >> (8 * i));
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int n = 0, ok = x && EVP_CipherInit_ex(x, EVP_aes_256_xts(), NULL, c->key, iv, enc) == 1 &&
                    EVP_CipherUpdate(x, out, &n, in, (int)c->cfg.segment_size) == 1 &&
                    n == (int)c->cfg.segment_size;
    int m = 0;
    ok = ok && EVP_CipherFinal_ex(x, out + n, &m) == 1;
    EVP_CIPHER_CTX_free(x);
    return ok ? GR_VMCOMP_OK : GR_VMCOMP_CRYPTO;
}

static int sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
    unsigned len = 0;
    return EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) == 1 && len == 32 ? 0 : -1;
}

/* A free swap slot, creating the lowest-numbered missing file if needed. */
static int swap_slot(gr_vmcomp *c, uint32_t *file, uint32_t *slotno)
{
    if (!c->files)
        return GR_VMCOMP_FULL;
    for (uint32_t i = 0; i < c->cfg.max_swapfiles; i++) {
        swapfile *f = &c->files[i];
        if (f->fd >= 0 && f->used < c->slots_per_file) {
            for (uint32_t k = 0; k < c->slots_per_file; k++)
                if (!f->busy[k]) {
                    *file = i;
                    *slotno = k;
                    return GR_VMCOMP_OK;
                }
        }
    }
    for (uint32_t i = 0; i < c->cfg.max_swapfiles; i++) {
        swapfile *f = &c->files[i];
        if (f->fd >= 0)
            continue;
        f->busy = calloc(c->slots_per_file, 1);
        if (!f->busy)
            return GR_VMCOMP_NOMEM;
        f->fd = open(c->paths[i], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (f->fd < 0 || ftruncate(f->fd, (off_t)c->cfg.swapfile_size)) {
            if (f->fd >= 0) {
                close(f->fd);
                unlink(c->paths[i]);
            }
            f->fd = -1;
            free(f->busy);
            f->busy = NULL;
            return GR_VMCOMP_IOERR;
        }
        f->used = 0;
        f->empty = false;
        c->st.swap_files++;
        c->st.swap_total += c->cfg.swapfile_size;
        *file = i;
        *slotno = 0;
        return GR_VMCOMP_OK;
    }
    return GR_VMCOMP_FULL;
}

static int swapout(gr_vmcomp *c, uint32_t i)
{
    segment *s = &c->segs[i];
    uint32_t file, sl;
    int r = swap_slot(c, &file, &sl);
    if (r)
        return r;
    memset(c->buf, 0, c->cfg.segment_size);
    if ((r = seg_io(c, s, 0, c->buf, s->used, false)) ||
        (r = xts(c, true, file, sl, c->buf, c->cbuf)))
        return r;
    if (sha256(c->cbuf, c->cfg.segment_size, s->digest))
        return GR_VMCOMP_CRYPTO;
    off_t at = (off_t)sl * c->cfg.segment_size;
    if (pwrite(c->files[file].fd, c->cbuf, c->cfg.segment_size, at) !=
        (ssize_t)c->cfg.segment_size)
        return GR_VMCOMP_IOERR;
    c->files[file].busy[sl] = 1;
    c->files[file].used++;
    if (c->files[file].empty) { /* an emptied file taken again */
        c->files[file].empty = false;
        c->empty_files--;
    }
    c->st.segments--;
    c->st.used_bytes -= s->used;
    c->st.live_bytes -= s->live;
    c->st.bytes_in_memory -= s->ulive;
    c->st.pages_in_memory -= s->nlive;
    free_blocks(c, s);
    s->state = SEG_SWAPPED;
    s->file = file;
    s->slot = sl;
    c->st.segments_swapped++;
    c->st.swap_used += c->cfg.segment_size;
    c->st.swapouts++;
    return GR_VMCOMP_OK;
}

/* Reads, verifies and decrypts swapped segment i into a cache entry.
 * @return OK with *plain, or an error. */
static int swapin(gr_vmcomp *c, uint32_t i, const uint8_t **plain)
{
    for (unsigned k = 0; k < NCACHE; k++)
        if (c->cached[k] == i) {
            *plain = c->cache[k];
            return GR_VMCOMP_OK;
        }
    segment *s = &c->segs[i];
    swapfile *f = &c->files[s->file];
    off_t at = (off_t)s->slot * c->cfg.segment_size;
    ssize_t got = pread(f->fd, c->cbuf, c->cfg.segment_size, at);
    if (got < 0)
        return GR_VMCOMP_IOERR;
    if ((size_t)got < c->cfg.segment_size) {
        c->st.swap_errors++;
        return GR_VMCOMP_TRUNCATED;
    }
    uint8_t d[32];
    if (sha256(c->cbuf, c->cfg.segment_size, d))
        return GR_VMCOMP_CRYPTO;
    if (memcmp(d, s->digest, 32)) {
        c->st.swap_errors++;
        return GR_VMCOMP_CORRUPT;
    }
    unsigned k = c->cache_next;
    c->cache_next = (k + 1) % NCACHE;
    c->cached[k] = NIL;
    int r = xts(c, false, s->file, s->slot, c->cbuf, c->cache[k]);
    if (r)
        return r;
    c->cached[k] = i;
    c->st.swapins++;
    *plain = c->cache[k];
    return GR_VMCOMP_OK;
}

int gr_vmcomp_swapout_oldest(gr_vmcomp *c)
{
    uint32_t best = NIL;
    for (uint32_t i = 0; i < c->nsegs; i++)
        if (c->segs[i].state == SEG_SEALED &&
            (best == NIL || c->segs[i].seq < c->segs[best].seq))
            best = i;
    if (best == NIL || !c->files)
        return GR_VMCOMP_FULL;
    return swapout(c, best);
}

unsigned gr_vmcomp_swap_trim(gr_vmcomp *c)
{
    unsigned n = 0;
    if (!c || !c->empty_files) /* cheap enough to call on every fault */
        return 0;
    for (uint32_t i = 0; c->files && i < c->cfg.max_swapfiles; i++) {
        swapfile *f = &c->files[i];
        if (f->fd < 0 || f->used)
            continue;
        f->empty = false;
        close(f->fd);
        unlink(c->paths[i]);
        f->fd = -1;
        free(f->busy);
        f->busy = NULL;
        c->st.swap_files--;
        c->st.swap_total -= c->cfg.swapfile_size;
        n++;
    }
    c->empty_files = 0;
    return n;
}

const char *gr_vmcomp_swap_path(gr_vmcomp *c, unsigned n)
{
    return c && c->paths && n < c->cfg.max_swapfiles ? c->paths[n] : NULL;
}

/* ---- slots ---- */

static uint32_t new_slot(gr_vmcomp *c)
{
    if (c->slot_free != NIL) {
        uint32_t i = c->slot_free;
        c->slot_free = c->slots[i].off;
        return i;
    }
    if (c->nslots == c->slot_cap) {
        uint32_t cap = c->slot_cap ? 2 * c->slot_cap : 256;
        slot *n = realloc(c->slots, cap * sizeof *n);
        if (!n)
            return NIL;
        c->slots = n;
        c->slot_cap = cap;
    }
    return c->nslots++;
}

static void append(gr_vmcomp *c, uint32_t si, const void *data, uint32_t clen)
{
    segment *s = &c->segs[c->open];
    seg_io(c, s, s->used, (void *)data, clen, true);
    c->slots[si].seg = c->open;
    c->slots[si].off = s->used;
    s->used += clen;
    s->live += clen;
    s->ulive += (uint32_t)c->slots[si].ulen + 1;
    s->nlive++;
    c->st.used_bytes += clen;
    c->st.live_bytes += clen;
    c->st.bytes_in_memory += (uint64_t)c->slots[si].ulen + 1;
    c->st.pages_in_memory++;
}

/* An open segment with room for n bytes; at the pool limit, compacts, then
 * swaps out, unless `force` (compaction's own destination). */
static int room_for(gr_vmcomp *c, uint32_t n, bool force)
{
    if (c->open != NIL && c->cfg.segment_size - c->segs[c->open].used >= n)
        return GR_VMCOMP_OK;
    seal_open(c);
    if (!force && c->st.segments >= c->cfg.max_segments) {
        gr_vmcomp_compact(c);
        if (c->open != NIL && c->cfg.segment_size - c->segs[c->open].used >= n)
            return GR_VMCOMP_OK;
        seal_open(c);
        while (c->st.segments >= c->cfg.max_segments) {
            int r = gr_vmcomp_swapout_oldest(c);
            if (r)
                return r;
        }
    }
    uint32_t i = new_segment(c);
    if (i == NIL)
        return GR_VMCOMP_NOMEM;
    c->open = i;
    return GR_VMCOMP_OK;
}

int gr_vmcomp_put(gr_vmcomp *c, const void *page, uint32_t len, uint64_t *handle)
{
    if (!c || !page || (len != 4096 && len != MAX_PAGE))
        return GR_VMCOMP_INVAL;
    char tmp[LZ4_COMPRESSBOUND(MAX_PAGE)];
    LZ4_resetStream_fast(c->lz);
    int clen = LZ4_compress_fast_continue(c->lz, page, tmp, (int)len, (int)sizeof tmp, 1);
    bool raw = clen <= 0 || (uint32_t)clen >= len;
    const void *data = raw ? page : (const void *)tmp;
    uint32_t n = raw ? len : (uint32_t)clen;
    uint32_t si = new_slot(c);
    if (si == NIL)
        return GR_VMCOMP_NOMEM;
    int r = room_for(c, n, false);
    if (r) {
        c->slots[si] = (slot){.seg = NIL, .off = c->slot_free};
        c->slot_free = si;
        return r;
    }
    c->slots[si] = (slot){.clen = n, .ulen = (uint16_t)(len - 1), .raw = raw};
    append(c, si, data, n);
    c->st.pages++;
    c->st.raw_pages += raw;
    c->st.bytes_in += len;
    c->st.bytes_out += n;
    c->st.compressions++;
    *handle = si;
    return GR_VMCOMP_OK;
}

static slot *get_slot(gr_vmcomp *c, uint64_t h)
{
    if (!c || h >= c->nslots || c->slots[h].seg == NIL)
        return NULL;
    return &c->slots[h];
}

/* The compressed bytes of slot sl into dst (from memory or swap). */
static int read_slot(gr_vmcomp *c, const slot *sl, uint8_t *dst)
{
    segment *s = &c->segs[sl->seg];
    if (s->state == SEG_SWAPPED) {
        const uint8_t *plain;
        int r = swapin(c, sl->seg, &plain);
        if (r)
            return r;
        memcpy(dst, plain + sl->off, sl->clen);
        return GR_VMCOMP_OK;
    }
    return seg_io(c, s, sl->off, dst, sl->clen, false);
}

int gr_vmcomp_get(gr_vmcomp *c, uint64_t h, void *out, uint32_t len)
{
    slot *sl = get_slot(c, h);
    if (!sl)
        return GR_VMCOMP_BADHANDLE;
    if (!out || len != (uint32_t)sl->ulen + 1)
        return GR_VMCOMP_INVAL;
    uint8_t tmp[MAX_PAGE];
    int r = read_slot(c, sl, sl->raw ? out : tmp);
    if (r)
        return r;
    if (!sl->raw && LZ4_decompress_safe((const char *)tmp, out, (int)sl->clen, (int)len) !=
                        (int)len)
        return GR_VMCOMP_CORRUPT;
    c->st.decompressions++;
    return GR_VMCOMP_OK;
}

void gr_vmcomp_free(gr_vmcomp *c, uint64_t h)
{
    slot *sl = get_slot(c, h);
    if (!sl)
        return;
    uint32_t si = (uint32_t)h, seg = sl->seg;
    segment *s = &c->segs[seg];
    s->live -= sl->clen;
    s->ulive -= (uint32_t)sl->ulen + 1;
    s->nlive--;
    if (s->state != SEG_SWAPPED) {
        c->st.live_bytes -= sl->clen;
        c->st.bytes_in_memory -= (uint64_t)sl->ulen + 1;
        c->st.pages_in_memory--;
    }
    c->st.pages--;
    c->st.raw_pages -= sl->raw;
    c->st.bytes_in -= (uint64_t)sl->ulen + 1;
    c->st.bytes_out -= sl->clen;
    *sl = (slot){.seg = NIL, .off = c->slot_free};
    c->slot_free = si;
    if (!s->nlive && s->state != SEG_OPEN)
        release_segment(c, seg);
}

unsigned gr_vmcomp_compact(gr_vmcomp *c)
{
    /* Victims: sealed in-memory segments below the threshold. Compaction
     * must free more segments than it fills, or it only churns. */
    uint64_t live = 0;
    uint32_t nv = 0;
    for (uint32_t i = 0; i < c->nsegs; i++) {
        segment *s = &c->segs[i];
        if (s->state == SEG_SEALED && (uint64_t)s->live * 100 < (uint64_t)s->used * c->cfg.compact_pct) {
            live += s->live;
            nv++;
        }
    }
    uint64_t room = c->open != NIL ? c->cfg.segment_size - c->segs[c->open].used : 0;
    uint64_t need = live > room ? (live - room + c->cfg.segment_size - 1) / c->cfg.segment_size : 0;
    if (!nv || need >= nv)
        return 0;
    const uint32_t nsegs = c->nsegs; /* segments opened below come after */
    uint8_t *victim = calloc(nsegs, 1);
    if (!victim)
        return 0;
    for (uint32_t i = 0; i < nsegs; i++) {
        segment *s = &c->segs[i];
        victim[i] = s->state == SEG_SEALED &&
                    (uint64_t)s->live * 100 < (uint64_t)s->used * c->cfg.compact_pct;
    }
    uint8_t tmp[MAX_PAGE];
    for (uint32_t si = 0; si < c->nslots; si++) {
        slot *sl = &c->slots[si];
        if (sl->seg == NIL || sl->seg >= nsegs || !victim[sl->seg])
            continue;
        uint32_t fi = sl->seg;
        if (seg_io(c, &c->segs[fi], sl->off, tmp, sl->clen, false) ||
            room_for(c, sl->clen, true))
            break; /* leave the rest where it is */
        segment *from = &c->segs[fi]; /* room_for may have moved the array */
        from->live -= sl->clen;
        from->ulive -= (uint32_t)sl->ulen + 1;
        from->nlive--;
        c->st.live_bytes -= sl->clen;
        c->st.bytes_in_memory -= (uint64_t)sl->ulen + 1;
        c->st.pages_in_memory--;
        append(c, si, tmp, sl->clen);
        c->st.pages_moved++;
    }
    unsigned freed = 0;
    for (uint32_t i = 0; i < nsegs; i++)
        if (victim[i] && c->segs[i].state == SEG_SEALED && !c->segs[i].nlive) {
            release_segment(c, i);
            freed++;
        }
    free(victim);
    if (freed) {
        c->st.compactions++;
        c->st.segments_compacted += freed;
    }
    return freed;
}

void gr_vmcomp_get_stats(const gr_vmcomp *c, gr_vmcomp_stats *s)
{
    *s = c->st;
}

uint32_t gr_vmcomp_segment_size(const gr_vmcomp *c)
{
    return c->cfg.segment_size;
}
