#include "memargs.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "granule/regs.h"

typedef struct range {
    const char *file; /* NULL for --ram */
    uint64_t base, len;
} range;

struct gr_memargs {
    const char *cmd;
    range *ram, *img, *dump;
    size_t nram, nimg, ndump;
};

gr_memargs *gr_memargs_create(const char *cmd)
{
    gr_memargs *m = calloc(1, sizeof *m);
    if (m)
        m->cmd = cmd;
    return m;
}

void gr_memargs_destroy(gr_memargs *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nimg; i++)
        free((char *)m->img[i].file);
    for (size_t i = 0; i < m->ndump; i++)
        free((char *)m->dump[i].file);
    free(m->ram);
    free(m->img);
    free(m->dump);
    free(m);
}

static int push(range **v, size_t *n, range r)
{
    range *nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv)
        return -1;
    nv[(*n)++] = r;
    *v = nv;
    return 0;
}

/* Splits "A<sep>B" at the last sep into a number B (and A left in place). */
static int split_num(char *s, char sep, uint64_t *num)
{
    char *p = strrchr(s, sep);
    if (!p || gr_parse_u64(p + 1, num) != 0)
        return -1;
    *p = '\0';
    return 0;
}

int gr_memargs_add_ram(gr_memargs *m, const char *arg)
{
    char buf[256];
    uint64_t base, size;
    snprintf(buf, sizeof buf, "%s", arg);
    if (split_num(buf, ':', &size) != 0 || gr_parse_u64(buf, &base) != 0 || size == 0 ||
        base + size - 1 < base) {
        gr_cli_error(m->cmd, "--ram `%s`: expected BASE:SIZE (non-empty, within 64 bits)", arg);
        return -1;
    }
    if (push(&m->ram, &m->nram, (range){NULL, base, size}) != 0)
        return -1;
    return 0;
}

int gr_memargs_add_image(gr_memargs *m, const char *arg)
{
    char *buf = strdup(arg);
    uint64_t pa;
    if (!buf)
        return -1;
    if (split_num(buf, '@', &pa) != 0 || !*buf) {
        gr_cli_error(m->cmd, "--mem `%s`: expected FILE@PA", arg);
        free(buf);
        return -1;
    }
    /* split_num() cut buf at the '@': buf is now the file name. */
    if (push(&m->img, &m->nimg, (range){buf, pa, 0}) != 0) {
        free(buf);
        return -1;
    }
    return 0;
}

int gr_memargs_add_dump(gr_memargs *m, const char *arg)
{
    char *buf = strdup(arg);
    uint64_t pa, len;
    if (!buf)
        return -1;
    if (split_num(buf, ':', &len) != 0 || split_num(buf, '@', &pa) != 0 || !*buf || len == 0) {
        gr_cli_error(m->cmd, "--dump-mem `%s`: expected FILE@PA:LEN", arg);
        free(buf);
        return -1;
    }
    if (push(&m->dump, &m->ndump, (range){buf, pa, len}) != 0) {
        free(buf);
        return -1;
    }
    return 0;
}

static bool overlaps(const range *a, const range *b)
{
    return a->base <= b->base + b->len - 1 && b->base <= a->base + a->len - 1;
}

static uint8_t *slurp(const char *cmd, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        gr_cli_error(cmd, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    if (!buf)
        gr_cli_error(cmd, "%s: out of memory", path);
    else if (ferror(f)) {
        gr_cli_error(cmd, "%s: read error", path);
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

gr_pmem *gr_memargs_build(gr_memargs *m)
{
    gr_pmem *mem = gr_pmem_create();
    if (!mem) {
        gr_cli_error(m->cmd, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < m->nram; i++) {
        char name[64];
        snprintf(name, sizeof name, "--ram 0x%" PRIx64 ":0x%" PRIx64, m->ram[i].base, m->ram[i].len);
        int err = gr_pmem_add_region(mem, m->ram[i].base, m->ram[i].len, name);
        if (err != GR_PMEM_OK) {
            gr_cli_error(m->cmd, "%s: %s", name, gr_pmem_strerror(err));
            goto fail;
        }
    }
    for (size_t i = 0; i < m->nimg; i++) {
        range *r = &m->img[i];
        size_t len;
        uint8_t *data = slurp(m->cmd, r->file, &len);
        if (!data)
            goto fail;
        if (len == 0) {
            gr_cli_error(m->cmd, "%s: empty image", r->file);
            free(data);
            goto fail;
        }
        r->len = len;
        if (r->base + len - 1 < r->base) {
            gr_cli_error(m->cmd, "%s@0x%" PRIx64 ": image runs past the top of the address space",
                         r->file, r->base);
            free(data);
            goto fail;
        }
        for (size_t j = 0; j < i; j++) {
            if (overlaps(r, &m->img[j])) {
                gr_cli_error(m->cmd,
                             "%s@0x%" PRIx64 " (0x%zx bytes) overlaps %s@0x%" PRIx64 " (0x%" PRIx64
                             " bytes)",
                             r->file, r->base, len, m->img[j].file, m->img[j].base, m->img[j].len);
                free(data);
                goto fail;
            }
        }
        bool in_ram = false, touches_ram = false;
        for (size_t j = 0; j < m->nram; j++) {
            if (overlaps(r, &m->ram[j])) {
                touches_ram = true;
                in_ram = r->base >= m->ram[j].base &&
                         r->base + len - 1 <= m->ram[j].base + m->ram[j].len - 1;
            }
        }
        int err = GR_PMEM_OK;
        if (touches_ram && !in_ram) {
            gr_cli_error(m->cmd, "%s@0x%" PRIx64 ": image straddles the edge of a --ram region",
                         r->file, r->base);
            free(data);
            goto fail;
        }
        if (!in_ram)
            err = gr_pmem_add_region(mem, r->base, len, r->file);
        if (err == GR_PMEM_OK)
            err = gr_pmem_load(mem, r->base, data, len);
        free(data);
        if (err != GR_PMEM_OK) {
            gr_cli_error(m->cmd, "%s@0x%" PRIx64 ": %s", r->file, r->base, gr_pmem_strerror(err));
            goto fail;
        }
    }
    return mem;
fail:
    gr_pmem_destroy(mem);
    return NULL;
}

int gr_memargs_dump(gr_memargs *m, const gr_pmem *mem)
{
    for (size_t i = 0; i < m->ndump; i++) {
        range *d = &m->dump[i];
        if (d->len > (1u << 30)) {
            gr_cli_error(m->cmd, "--dump-mem %s: length over 1 GiB", d->file);
            return -1;
        }
        uint8_t *buf = malloc(d->len);
        if (!buf) {
            gr_cli_error(m->cmd, "--dump-mem %s: out of memory", d->file);
            return -1;
        }
        int err = gr_pmem_dump(mem, d->base, buf, d->len);
        if (err != GR_PMEM_OK) {
            gr_cli_error(m->cmd, "--dump-mem %s@0x%" PRIx64 ":0x%" PRIx64 ": %s", d->file, d->base,
                         d->len, gr_pmem_strerror(err));
            free(buf);
            return -1;
        }
        FILE *f = fopen(d->file, "wb");
        bool ok = f && fwrite(buf, 1, d->len, f) == d->len;
        if (f && fclose(f) != 0)
            ok = false;
        free(buf);
        if (!ok) {
            gr_cli_error(m->cmd, "--dump-mem %s: %s", d->file, strerror(errno));
            return -1;
        }
    }
    return 0;
}
