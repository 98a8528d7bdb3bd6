/* The micro-architecture configuration: INI parsing (libinih), validation,
 * INI and SystemVerilog output. The format is documented in docs/config.md;
 * keep the two in step. */
#include "granule/config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "granule/regs.h" /* gr_parse_u64: numbers mean the same everywhere */

static const unsigned psize_shift[GR_PS_COUNT] = {
#define GR_PSIZE_SHIFT_(e, name, shift) shift,
    GR_PSIZE_LIST(GR_PSIZE_SHIFT_)
#undef GR_PSIZE_SHIFT_
};
static const char *const psize_name[GR_PS_COUNT] = {
#define GR_PSIZE_NAME_(e, name, shift) name,
    GR_PSIZE_LIST(GR_PSIZE_NAME_)
#undef GR_PSIZE_NAME_
};
static const char *const repl_name[GR_REPL_COUNT] = {
#define GR_REPL_NAME_(e, name) name,
    GR_REPL_LIST(GR_REPL_NAME_)
#undef GR_REPL_NAME_
};

void gr_config_pac_idregs(const gr_config *cfg, uint64_t *isar1, uint64_t *isar2)
{
    /* ID_AA64ISAR1_EL1: APA[7:4] API[11:8] GPA[27:24] GPI[31:28];
     * ID_AA64ISAR2_EL1: GPA3[11:8] APA3[15:12]. The address field holds
     * the level: 0b0001 FEAT_PAuth, 0b0011 FEAT_PAuth2, 0b0100 FEAT_FPAC
     * (which includes FEAT_PAuth2). */
    *isar1 &= ~((0xfull << 4) | (0xfull << 8) | (0xfull << 24) | (0xfull << 28));
    *isar2 &= ~((0xfull << 8) | (0xfull << 12));
    if (!cfg->pac.pauth)
        return;
    uint64_t level = cfg->pac.fpac ? 4 : cfg->pac.pauth2 ? 3 : 1;
    switch (cfg->pac.algo) {
    case GR_CONFIG_PAC_QARMA3:
        *isar2 |= (level << 12) | (1ull << 8);
        break;
    case GR_CONFIG_PAC_IMPDEF:
        *isar1 |= (level << 8) | (1ull << 28);
        break;
    default:
        *isar1 |= (level << 4) | (1ull << 24);
        break;
    }
}

unsigned gr_config_psize_shift(gr_psize p)
{
    return psize_shift[p];
}

const char *gr_config_psize_name(gr_psize p)
{
    return (unsigned)p < GR_PS_COUNT ? psize_name[p] : "?";
}

int gr_config_psize_of_shift(unsigned shift)
{
    for (int i = 0; i < GR_PS_COUNT; i++)
        if (psize_shift[i] == shift)
            return i;
    return -1;
}

const char *gr_config_repl_name(gr_repl r)
{
    return (unsigned)r < GR_REPL_COUNT ? repl_name[r] : "?";
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static bool is_pow2(uint64_t v)
{
    return v && !(v & (v - 1));
}

#define DEFAULT_SEED 0xACE1u

static void struct_defaults(gr_tlb_cfg *s, uint32_t entries, uint32_t ways)
{
    memset(s, 0, sizeof *s);
    s->entries = entries;
    s->ways = ways;
    s->sets = entries / ways;
    s->repl = GR_REPL_LRU;
    s->seed = DEFAULT_SEED;
    s->sizes = GR_PS_ALL;
    s->levels = 0x7;
}

/* What a file starts from: no structures (sections switch them on), the
 * default latencies and features. */
static void base_defaults(gr_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "unnamed");
    c->asid_bits = 16;
    c->contig = true;
    struct_defaults(&c->l1i, 16, 16);
    struct_defaults(&c->l1d, 16, 16);
    struct_defaults(&c->l2, 256, 4);
    for (int i = 0; i < GR_CONFIG_MAX_WC; i++) {
        struct_defaults(&c->wc[i], 16, 16);
        c->wc[i].levels = i == 0 ? 0x7 : (uint8_t)(1u << (i - 1));
    }
    c->l1i.present = c->l1d.present = false;
    c->l2_incl = GR_INCL_NINE;
    c->wc_lookup = GR_WCL_SERIAL;
    c->lat.l1_hit = 1;
    c->lat.l2_hit = 3;
    c->lat.wc = 1;
    c->lat.pac = 4;
    c->lat.tlbi = 1;
    c->mem.read = 20;
    c->mem.write = 20;
    c->pac.pauth = true;
    c->pac.algo = GR_CONFIG_PAC_QARMA5;
}

void gr_config_defaults(gr_config *c)
{
    base_defaults(c);
    snprintf(c->name, sizeof c->name, "default");
    struct_defaults(&c->l1i, 8, 8);
    struct_defaults(&c->l1d, 8, 8);
    c->l1i.present = c->l1d.present = true;
    c->l2.present = true;
    c->wc[0].present = true;
}

/* ---- cross-key checks, shared by the parser (with lines) and
 * gr_config_validate (without) ---- */

enum { K_ENTRIES, K_WAYS, K_REPL, K_SIZES, K_PROBE, K_SEED, K_LEVELS, K_INCL, K_NKEYS };

/* @return NULL or the reason; *key is the key to blame. */
static const char *check_struct(const gr_tlb_cfg *s, bool wc, int *key, char *buf, size_t n)
{
    if (s->entries < 1 || s->entries > 65536) {
        *key = K_ENTRIES;
        return "entries must be 1..65536";
    }
    if (s->ways < 1 || s->ways > s->entries) {
        *key = K_WAYS;
        snprintf(buf, n, "ways (%u) must be 1..entries (%u)", s->ways, s->entries);
        return buf;
    }
    if (s->entries % s->ways) {
        *key = K_WAYS;
        snprintf(buf, n, "entries (%u) is not a multiple of ways (%u)", s->entries, s->ways);
        return buf;
    }
    if (!is_pow2(s->entries / s->ways)) {
        *key = K_WAYS;
        snprintf(buf, n, "sets = entries / ways = %u is not a power of two",
                 s->entries / s->ways);
        return buf;
    }
    if (s->repl == GR_REPL_PLRU && (!is_pow2(s->ways) || s->ways > 64)) {
        *key = K_REPL;
        snprintf(buf, n, "tree PLRU needs a power-of-two number of ways up to 64 (ways = %u)",
                 s->ways);
        return buf;
    }
    if (s->repl == GR_REPL_RANDOM && s->seed == 0) {
        *key = K_SEED;
        return "the LFSR seed must be non-zero (an all-zero LFSR never steps)";
    }
    if (!wc && !s->sizes) {
        *key = K_SIZES;
        return "page_sizes is empty";
    }
    if (!wc && s->seq_probe && s->entries == s->ways) {
        *key = K_PROBE;
        return "probe = sequential applies to set-associative structures only "
               "(a fully associative one compares every size at once)";
    }
    if (wc && (!s->levels || (s->levels & ~0x7u))) {
        *key = K_LEVELS;
        return "levels must name table levels 0, 1 or 2";
    }
    return NULL;
}

/* ---- INI parsing ---- */

enum { S_MMU, S_L1I, S_L1D, S_L2, S_WC, S_WC0, S_WC1, S_WC2, S_LAT, S_MEM, S_PAC, S_COUNT };
static const char *const section_names[S_COUNT] = {
    "mmu", "l1i", "l1d", "l2", "walk_cache", "walk_cache_l0", "walk_cache_l1",
    "walk_cache_l2", "latency", "memory", "pac",
};

#define MAX_SEEN 160

typedef struct parse_state {
    gr_config cfg;
    const char *file;
    int line;              /* line the reader returned last */
    int err_line;          /* first error: line and message */
    char err[256];
    /* keys already given: "section.key" with the line they were on */
    struct { char key[48]; int line; } seen[MAX_SEEN];
    int nseen;
    int sect_line[S_COUNT];
    int key_line[S_COUNT][K_NKEYS];
    /* stream reader state */
    FILE *f;
    const char *text;
} parse_state;

static int fail(parse_state *p, const char *fmt, ...)
{
    if (p->err_line == 0) {
        p->err_line = p->line ? p->line : 1;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err, sizeof p->err, fmt, ap);
        va_end(ap);
    }
    return 0; /* inih: handler error */
}

static int parse_bool(const char *v, bool *out)
{
    static const char *const t[] = {"on", "yes", "true", "1"};
    static const char *const f[] = {"off", "no", "false", "0"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(v, t[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(v, f[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

static int parse_u32(const char *v, uint32_t lo, uint32_t hi, uint32_t *out)
{
    uint64_t x;
    if (gr_parse_u64(v, &x) != 0 || x < lo || x > hi)
        return -1;
    *out = (uint32_t)x;
    return 0;
}

/* Comma-separated list; each item handed to fn. */
static int parse_list(const char *v, int (*fn)(const char *item, void *ctx), void *ctx)
{
    char buf[256];
    if (strlen(v) >= sizeof buf)
        return -1;
    strcpy(buf, v);
    int n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*tok))
            tok++;
        char *e = tok + strlen(tok);
        while (e > tok && isspace((unsigned char)e[-1]))
            *--e = '\0';
        if (fn(tok, ctx) != 0)
            return -1;
        n++;
    }
    return n ? 0 : -1;
}

static int size_item(const char *item, void *ctx)
{
    uint8_t *m = ctx;
    if (strcasecmp(item, "all") == 0) {
        *m = GR_PS_ALL;
        return 0;
    }
    for (int i = 0; i < GR_PS_COUNT; i++) {
        if (strcasecmp(item, psize_name[i]) == 0) {
            *m |= (uint8_t)(1u << i);
            return 0;
        }
    }
    return -1;
}

static int level_item(const char *item, void *ctx)
{
    uint8_t *m = ctx;
    if (strlen(item) != 1 || item[0] < '0' || item[0] > '2')
        return -1;
    *m |= (uint8_t)(1u << (item[0] - '0'));
    return 0;
}

static gr_tlb_cfg *section_struct(gr_config *c, int s)
{
    switch (s) {
    case S_L1I: return &c->l1i;
    case S_L1D: return &c->l1d;
    case S_L2: return &c->l2;
    case S_WC: return &c->wc[0];
    default: return NULL;
    }
}

/* Walk caches: [walk_cache] is wc[0] (levels from its `levels` key);
 * [walk_cache_lN] is wc[1 + N], holding level N only. */
static gr_tlb_cfg *wc_slot(parse_state *p, int s)
{
    return &p->cfg.wc[1 + (s - S_WC0)];
}

static int struct_key(parse_state *p, int s, gr_tlb_cfg *t, const char *k, const char *v)
{
    bool wc = s >= S_WC && s <= S_WC2;
    int key = -1;
    if (strcmp(k, "entries") == 0) {
        key = K_ENTRIES;
        if (parse_u32(v, 1, 65536, &t->entries) != 0)
            return fail(p, "entries: `%s` is not a number in 1..65536", v);
    } else if (strcmp(k, "ways") == 0) {
        key = K_WAYS;
        if (parse_u32(v, 1, 65536, &t->ways) != 0)
            return fail(p, "ways: `%s` is not a number in 1..65536", v);
    } else if (strcmp(k, "replacement") == 0) {
        key = K_REPL;
        int r = -1;
        for (int i = 0; i < GR_REPL_COUNT; i++)
            if (strcasecmp(v, repl_name[i]) == 0)
                r = i;
        if (r < 0)
            return fail(p, "replacement: `%s` is not lru, plru, fifo or random", v);
        t->repl = (gr_repl)r;
    } else if (strcmp(k, "seed") == 0) {
        key = K_SEED;
        uint32_t x;
        if (parse_u32(v, 1, 0xFFFF, &x) != 0)
            return fail(p, "seed: `%s` is not a number in 1..0xFFFF", v);
        t->seed = (uint16_t)x;
    } else if (!wc && strcmp(k, "page_sizes") == 0) {
        key = K_SIZES;
        uint8_t m = 0;
        if (parse_list(v, size_item, &m) != 0)
            return fail(p, "page_sizes: `%s` is not a list of 4K, 16K, 64K, 2M, 32M, 512M, 1G "
                           "(or all)", v);
        t->sizes = m;
    } else if (s == S_L2 && strcmp(k, "probe") == 0) {
        key = K_PROBE;
        if (strcasecmp(v, "parallel") == 0)
            t->seq_probe = false;
        else if (strcasecmp(v, "sequential") == 0)
            t->seq_probe = true;
        else
            return fail(p, "probe: `%s` is not parallel or sequential", v);
    } else if (s == S_L2 && strcmp(k, "inclusion") == 0) {
        key = K_INCL;
        if (strcasecmp(v, "non-inclusive") == 0)
            p->cfg.l2_incl = GR_INCL_NINE;
        else if (strcasecmp(v, "inclusive") == 0)
            p->cfg.l2_incl = GR_INCL_INCLUSIVE;
        else
            return fail(p, "inclusion: `%s` is not non-inclusive or inclusive", v);
    } else if (s == S_WC && strcmp(k, "levels") == 0) {
        key = K_LEVELS;
        uint8_t m = 0;
        if (parse_list(v, level_item, &m) != 0)
            return fail(p, "levels: `%s` is not a list of table levels 0, 1, 2", v);
        t->levels = m;
    } else {
        return fail(p, "unknown key `%s` in [%s]", k, section_names[s]);
    }
    p->key_line[s][key] = p->line;
    return 1;
}

static int handler(void *user, const char *section, const char *k, const char *v)
{
    parse_state *p = user;
    int s = -1;
    for (int i = 0; i < S_COUNT; i++)
        if (strcmp(section, section_names[i]) == 0)
            s = i;
    if (s < 0) {
        if (!*section)
            return fail(p, "key `%s` outside any section", k);
        return fail(p, "unknown section [%s]", section);
    }
    /* A key given twice is almost always an editing mistake. */
    char full[48];
    snprintf(full, sizeof full, "%s.%s", section, k);
    for (int i = 0; i < p->nseen; i++)
        if (strcmp(p->seen[i].key, full) == 0)
            return fail(p, "`%s` in [%s] already given on line %d", k, section,
                        p->seen[i].line);
    if (p->nseen < MAX_SEEN) {
        snprintf(p->seen[p->nseen].key, sizeof p->seen[p->nseen].key, "%s", full);
        p->seen[p->nseen++].line = p->line;
    }
    if (!p->sect_line[s]) {
        p->sect_line[s] = p->line;
        gr_tlb_cfg *t = NULL;
        if (s >= S_WC0 && s <= S_WC2)
            t = wc_slot(p, s);
        else
            t = section_struct(&p->cfg, s);
        if (t)
            t->present = true;
    }

    gr_config *c = &p->cfg;
    uint32_t x;
    bool b;
    switch (s) {
    case S_MMU:
        if (strcmp(k, "name") == 0) {
            if (strlen(v) >= sizeof c->name)
                return fail(p, "name: longer than %zu characters", sizeof c->name - 1);
            snprintf(c->name, sizeof c->name, "%s", v);
        } else if (strcmp(k, "asid_bits") == 0) {
            if (parse_u32(v, 0, 64, &x) != 0 || (x != 8 && x != 16))
                return fail(p, "asid_bits: `%s` must be 8 or 16", v);
            c->asid_bits = (uint8_t)x;
        } else if (strcmp(k, "contiguous") == 0) {
            if (parse_bool(v, &c->contig) != 0)
                return fail(p, "contiguous: `%s` is not on or off", v);
        } else if (strcmp(k, "walk_cache_lookup") == 0) {
            if (strcasecmp(v, "serial") == 0)
                c->wc_lookup = GR_WCL_SERIAL;
            else if (strcasecmp(v, "parallel") == 0)
                c->wc_lookup = GR_WCL_PARALLEL;
            else
                return fail(p, "walk_cache_lookup: `%s` is not serial or parallel", v);
        } else {
            return fail(p, "unknown key `%s` in [mmu]", k);
        }
        return 1;
    case S_LAT: {
        struct { const char *k; uint32_t *dst; uint32_t lo; } lk[] = {
            {"l1_hit", &c->lat.l1_hit, 1}, {"l2_hit", &c->lat.l2_hit, 1},
            {"walk_cache", &c->lat.wc, 1}, {"pac", &c->lat.pac, 0},
            {"tlbi", &c->lat.tlbi, 1},
        };
        for (size_t i = 0; i < sizeof lk / sizeof lk[0]; i++) {
            if (strcmp(k, lk[i].k) == 0) {
                if (parse_u32(v, lk[i].lo, 100000, lk[i].dst) != 0)
                    return fail(p, "%s: `%s` is not a number of cycles in %u..100000", k, v,
                                lk[i].lo);
                return 1;
            }
        }
        return fail(p, "unknown key `%s` in [latency]", k);
    }
    case S_MEM:
        if (strcmp(k, "model") == 0) {
            if (strcasecmp(v, "fixed") != 0)
                return fail(p, "model: `%s` is not a memory model granule has (fixed)", v);
        } else if (strcmp(k, "read_latency") == 0) {
            if (parse_u32(v, 1, 100000, &c->mem.read) != 0)
                return fail(p, "read_latency: `%s` is not a number of cycles in 1..100000", v);
        } else if (strcmp(k, "write_latency") == 0) {
            if (parse_u32(v, 1, 100000, &c->mem.write) != 0)
                return fail(p, "write_latency: `%s` is not a number of cycles in 1..100000", v);
        } else {
            return fail(p, "unknown key `%s` in [memory]", k);
        }
        return 1;
    case S_PAC:
        if (strcmp(k, "algorithm") == 0) {
            if (strcasecmp(v, "qarma5") == 0)
                c->pac.algo = GR_CONFIG_PAC_QARMA5;
            else if (strcasecmp(v, "qarma3") == 0)
                c->pac.algo = GR_CONFIG_PAC_QARMA3;
            else if (strcasecmp(v, "impdef") == 0)
                c->pac.algo = GR_CONFIG_PAC_IMPDEF;
            else
                return fail(p, "algorithm: `%s` is not qarma5, qarma3 or impdef", v);
            return 1;
        }
        bool *dst = strcmp(k, "pauth") == 0    ? &c->pac.pauth
                    : strcmp(k, "pauth2") == 0 ? &c->pac.pauth2
                    : strcmp(k, "fpac") == 0   ? &c->pac.fpac
                                               : NULL;
        if (!dst)
            return fail(p, "unknown key `%s` in [pac]", k);
        if (parse_bool(v, &b) != 0)
            return fail(p, "%s: `%s` is not on or off", k, v);
        *dst = b;
        return 1;
    default: {
        gr_tlb_cfg *t = (s >= S_WC0 && s <= S_WC2) ? wc_slot(p, s) : section_struct(c, s);
        return struct_key(p, s, t, k, v);
    }
    }
}

static char *reader(char *str, int num, void *stream)
{
    parse_state *p = stream;
    char *r;
    if (p->f) {
        r = fgets(str, num, p->f);
    } else {
        if (!*p->text)
            return NULL;
        const char *nl = strchr(p->text, '\n');
        size_t len = nl ? (size_t)(nl - p->text + 1) : strlen(p->text);
        if (len > (size_t)num - 1)
            len = (size_t)num - 1;
        memcpy(str, p->text, len);
        str[len] = '\0';
        p->text += len;
        r = str;
    }
    if (r)
        p->line++;
    return r;
}

/* Cross-key checks with the line of the key to blame. */
static int finish(parse_state *p)
{
    gr_config *c = &p->cfg;
    const int structs[] = {S_L1I, S_L1D, S_L2, S_WC, S_WC0, S_WC1, S_WC2};
    if (!c->l1i.present || !c->l1d.present) {
        p->line = 0;
        p->err_line = -1;
        snprintf(p->err, sizeof p->err, "missing section [%s] (both L1 TLBs are required)",
                 c->l1i.present ? "l1d" : "l1i");
        return -1;
    }
    for (size_t i = 0; i < sizeof structs / sizeof structs[0]; i++) {
        int s = structs[i];
        if (!p->sect_line[s])
            continue;
        gr_tlb_cfg *t = s >= S_WC0 ? wc_slot(p, s) : section_struct(c, s);
        /* `ways` defaults to `entries`: fully associative. */
        if (!p->key_line[s][K_WAYS])
            t->ways = t->entries;
        if (!p->key_line[s][K_ENTRIES]) {
            p->err_line = p->sect_line[s];
            snprintf(p->err, sizeof p->err, "[%s] needs `entries`", section_names[s]);
            return -1;
        }
        t->sets = t->entries / (t->ways ? t->ways : 1);
        char buf[160];
        int key = K_ENTRIES;
        const char *why = check_struct(t, s >= S_WC, &key, buf, sizeof buf);
        if (why) {
            int l = p->key_line[s][key];
            if (!l)
                l = p->key_line[s][K_ENTRIES];
            if (!l)
                l = p->sect_line[s];
            p->err_line = l;
            snprintf(p->err, sizeof p->err, "[%s] %s", section_names[s], why);
            return -1;
        }
    }
    uint8_t seen_levels = 0;
    for (int i = 0; i < GR_CONFIG_MAX_WC; i++) {
        if (!c->wc[i].present)
            continue;
        if (seen_levels & c->wc[i].levels) {
            p->err_line = i == 0 ? p->key_line[S_WC][K_LEVELS] : 0;
            if (!p->err_line)
                p->err_line = p->sect_line[S_WC];
            snprintf(p->err, sizeof p->err,
                     "a table level is held by two walk caches ([walk_cache] levels and a "
                     "[walk_cache_lN] section overlap)");
            return -1;
        }
        seen_levels |= c->wc[i].levels;
    }
    char buf[200];
    if (gr_config_validate(c, buf, sizeof buf) != 0) {
        p->err_line = -1;
        snprintf(p->err, sizeof p->err, "%s", buf);
        return -1;
    }
    return 0;
}

static int run_parse(parse_state *p, gr_config *out, char *err, size_t errlen)
{
    int rc = ini_parse_stream(reader, p, handler, p);
    if (rc != 0 || p->err_line) {
        int line = p->err_line ? p->err_line : rc;
        if (rc == -2) {
            seterr(err, errlen, "%s: out of memory", p->file);
        } else if (!p->err_line) {
            /* inih's own syntax error (no `=`, unclosed `[`, line too long). */
            seterr(err, errlen, "%s:%d: syntax error (expected `[section]` or `key = value`)",
                   p->file, line);
        } else {
            seterr(err, errlen, "%s:%d: %s", p->file, line, p->err);
        }
        return -1;
    }
    if (finish(p) != 0) {
        if (p->err_line > 0)
            seterr(err, errlen, "%s:%d: %s", p->file, p->err_line, p->err);
        else
            seterr(err, errlen, "%s: %s", p->file, p->err);
        return -1;
    }
    *out = p->cfg;
    return 0;
}

static parse_state *new_state(const char *file)
{
    parse_state *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    base_defaults(&p->cfg);
    p->file = file;
    /* The name defaults to the file name without directory and extension. */
    const char *b = strrchr(file, '/');
    b = b ? b + 1 : file;
    snprintf(p->cfg.name, sizeof p->cfg.name, "%s", b);
    char *dot = strrchr(p->cfg.name, '.');
    if (dot && dot != p->cfg.name)
        *dot = '\0';
    return p;
}

int gr_config_load(gr_config *cfg, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        seterr(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    parse_state *p = new_state(path);
    if (!p) {
        fclose(f);
        seterr(err, errlen, "%s: out of memory", path);
        return -1;
    }
    p->f = f;
    int rc = run_parse(p, cfg, err, errlen);
    fclose(f);
    free(p);
    return rc;
}

int gr_config_parse_string(gr_config *cfg, const char *text, const char *name, char *err,
                           size_t errlen)
{
    parse_state *p = new_state(name);
    if (!p) {
        seterr(err, errlen, "%s: out of memory", name);
        return -1;
    }
    p->text = text;
    int rc = run_parse(p, cfg, err, errlen);
    free(p);
    return rc;
}

int gr_config_validate(const gr_config *c, char *err, size_t errlen)
{
    const struct { const gr_tlb_cfg *t; const char *name; bool wc; } all[] = {
        {&c->l1i, "l1i", false}, {&c->l1d, "l1d", false}, {&c->l2, "l2", false},
        {&c->wc[0], "walk_cache", true}, {&c->wc[1], "walk_cache_l0", true},
        {&c->wc[2], "walk_cache_l1", true}, {&c->wc[3], "walk_cache_l2", true},
    };
    if (!c->l1i.present || !c->l1d.present) {
        seterr(err, errlen, "both L1 TLBs are required");
        return -1;
    }
    char buf[160];
    uint8_t levels = 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (!all[i].t->present)
            continue;
        int key;
        const char *why = check_struct(all[i].t, all[i].wc, &key, buf, sizeof buf);
        if (why) {
            seterr(err, errlen, "%s: %s", all[i].name, why);
            return -1;
        }
        if (all[i].t->sets != all[i].t->entries / all[i].t->ways) {
            seterr(err, errlen, "%s: sets must equal entries / ways", all[i].name);
            return -1;
        }
        if (all[i].wc) {
            if (levels & all[i].t->levels) {
                seterr(err, errlen, "a table level is held by two walk caches");
                return -1;
            }
            levels |= all[i].t->levels;
        }
    }
    if (c->asid_bits != 8 && c->asid_bits != 16) {
        seterr(err, errlen, "asid_bits must be 8 or 16");
        return -1;
    }
    if (c->wc_lookup == GR_WCL_PARALLEL && !c->l2.present) {
        seterr(err, errlen, "walk_cache_lookup = parallel needs an [l2] TLB to run beside");
        return -1;
    }
    if (c->l2_incl == GR_INCL_INCLUSIVE && !c->l2.present) {
        seterr(err, errlen, "inclusion needs an [l2] TLB");
        return -1;
    }
    if (!c->lat.l1_hit || !c->lat.l2_hit || !c->lat.wc || !c->lat.tlbi || !c->mem.read ||
        !c->mem.write) {
        seterr(err, errlen, "latencies other than pac must be at least 1 cycle");
        return -1;
    }
    if ((c->pac.pauth2 || c->pac.fpac) && !c->pac.pauth) {
        seterr(err, errlen, "[pac] pauth2 and fpac need pauth");
        return -1;
    }
    return 0;
}

/* ---- output ---- */

static void write_sizes(FILE *f, uint8_t m)
{
    if (m == GR_PS_ALL) {
        fputs("all", f);
        return;
    }
    const char *sep = "";
    for (int i = 0; i < GR_PS_COUNT; i++) {
        if (m & (1u << i)) {
            fprintf(f, "%s%s", sep, psize_name[i]);
            sep = ", ";
        }
    }
}

static void write_struct_ini(FILE *f, const char *sect, const gr_tlb_cfg *t, bool wc,
                             bool levels_key, bool probe_key)
{
    fprintf(f, "\n[%s]\nentries = %u\nways = %u\nreplacement = %s\n", sect, t->entries, t->ways,
            repl_name[t->repl]);
    if (t->repl == GR_REPL_RANDOM)
        fprintf(f, "seed = 0x%04X\n", t->seed);
    if (!wc) {
        fputs("page_sizes = ", f);
        write_sizes(f, t->sizes);
        fputc('\n', f);
        if (probe_key && t->sets > 1)
            fprintf(f, "probe = %s\n", t->seq_probe ? "sequential" : "parallel");
    } else if (levels_key) {
        const char *sep = "";
        fputs("levels = ", f);
        for (int l = 0; l < 3; l++) {
            if (t->levels & (1u << l)) {
                fprintf(f, "%s%d", sep, l);
                sep = ", ";
            }
        }
        fputc('\n', f);
    }
}

static const char *const algo_name[] = {"qarma5", "qarma3", "impdef"};

void gr_config_write_ini(const gr_config *c, FILE *f)
{
    fprintf(f, "[mmu]\nname = %s\nasid_bits = %u\ncontiguous = %s\n", c->name, c->asid_bits,
            c->contig ? "on" : "off");
    if (c->l2.present)
        fprintf(f, "walk_cache_lookup = %s\n",
                c->wc_lookup == GR_WCL_PARALLEL ? "parallel" : "serial");
    write_struct_ini(f, "l1i", &c->l1i, false, false, false);
    write_struct_ini(f, "l1d", &c->l1d, false, false, false);
    if (c->l2.present) {
        write_struct_ini(f, "l2", &c->l2, false, false, true);
        fprintf(f, "inclusion = %s\n",
                c->l2_incl == GR_INCL_INCLUSIVE ? "inclusive" : "non-inclusive");
    }
    if (c->wc[0].present)
        write_struct_ini(f, "walk_cache", &c->wc[0], true, true, false);
    for (int i = 1; i < GR_CONFIG_MAX_WC; i++) {
        if (!c->wc[i].present)
            continue;
        char sect[32];
        snprintf(sect, sizeof sect, "walk_cache_l%d", i - 1);
        write_struct_ini(f, sect, &c->wc[i], true, false, false);
    }
    fprintf(f, "\n[latency]\nl1_hit = %u\nl2_hit = %u\nwalk_cache = %u\npac = %u\ntlbi = %u\n",
            c->lat.l1_hit, c->lat.l2_hit, c->lat.wc, c->lat.pac, c->lat.tlbi);
    fprintf(f, "\n[memory]\nmodel = fixed\nread_latency = %u\nwrite_latency = %u\n", c->mem.read,
            c->mem.write);
    fprintf(f, "\n[pac]\npauth = %s\npauth2 = %s\nfpac = %s\nalgorithm = %s\n",
            c->pac.pauth ? "on" : "off", c->pac.pauth2 ? "on" : "off",
            c->pac.fpac ? "on" : "off", algo_name[c->pac.algo]);
}

/* $clog2(n), at least 1: the width of an index over n sets or ways. */
static unsigned idx_bits(uint32_t n)
{
    unsigned b = 1;
    while ((1ull << b) < n)
        b++;
    return b;
}

static void sv_struct(FILE *f, const char *p, const gr_tlb_cfg *t, bool wc)
{
    static const char *const repl_sv[] = {"ReplLru", "ReplPlru", "ReplFifo", "ReplRandom"};
    fprintf(f, "  localparam bit          %sPresent = 1'b%d;\n", p, t->present);
    fprintf(f, "  localparam int unsigned %sEntries = %u;\n", p, t->entries);
    fprintf(f, "  localparam int unsigned %sWays    = %u;\n", p, t->ways);
    fprintf(f, "  localparam int unsigned %sSets    = %u;\n", p, t->sets);
    fprintf(f, "  localparam repl_e       %sRepl    = %s;\n", p, repl_sv[t->repl]);
    fprintf(f, "  localparam logic [15:0] %sSeed    = 16'h%04X;\n", p, t->seed);
    if (!wc) {
        fprintf(f, "  localparam logic [%d:0]  %sSizes   = %d'b", GR_PS_COUNT - 1, p, GR_PS_COUNT);
        for (int i = GR_PS_COUNT - 1; i >= 0; i--)
            fputc(t->sizes & (1u << i) ? '1' : '0', f);
        fprintf(f, "; // bit i: %s\n", "4K,16K,64K,2M,32M,512M,1G");
        fprintf(f, "  localparam bit          %sSeqProbe = 1'b%d;\n", p, t->seq_probe);
    } else {
        fprintf(f, "  localparam logic [2:0]  %sLevels  = 3'b%d%d%d;\n", p, (t->levels >> 2) & 1,
                (t->levels >> 1) & 1, t->levels & 1);
    }
}

void gr_config_write_sv(const gr_config *c, FILE *f)
{
    fprintf(f,
            "// Generated by `granule config sv` from configuration \"%s\".\n"
            "// Do not edit: change the configuration file and regenerate.\n"
            "package granule_cfg_pkg;\n\n"
            "  typedef enum logic [1:0] {ReplLru, ReplPlru, ReplFifo, ReplRandom} repl_e;\n"
            "  // Random replacement: 16-bit Galois LFSR, x^16+x^14+x^13+x^11+1.\n"
            "  localparam logic [15:0] LfsrTaps = 16'hB400;\n\n",
            c->name);
    fprintf(f, "  localparam int unsigned AsidBits = %u;\n", c->asid_bits);
    fprintf(f, "  localparam bit          Contig   = 1'b%d;\n\n", c->contig);
    sv_struct(f, "L1i", &c->l1i, false);
    fputc('\n', f);
    sv_struct(f, "L1d", &c->l1d, false);
    fputc('\n', f);
    sv_struct(f, "L2", &c->l2, false);
    fprintf(f, "  localparam bit          L2Inclusive = 1'b%d;\n\n",
            c->l2_incl == GR_INCL_INCLUSIVE);
    for (int i = 0; i < GR_CONFIG_MAX_WC; i++) {
        char p[8];
        snprintf(p, sizeof p, "Wc%d", i);
        sv_struct(f, p, &c->wc[i], true);
        fputc('\n', f);
    }
    fprintf(f, "  localparam bit          WcParallel = 1'b%d;\n\n",
            c->wc_lookup == GR_WCL_PARALLEL);
    /* The debug read port of rtl/mmu_top.sv addresses any structure by
     * (set, way): the widest index over the L1s (their ports exist even
     * when absent), the L2 and the walk caches present. */
    unsigned setw = idx_bits(c->l1i.sets), wayw = idx_bits(c->l1i.ways);
    const gr_tlb_cfg *dbg[2 + GR_CONFIG_MAX_WC] = {&c->l1d, &c->l2};
    for (int i = 0; i < GR_CONFIG_MAX_WC; i++)
        dbg[2 + i] = &c->wc[i];
    for (int i = 0; i < 2 + GR_CONFIG_MAX_WC; i++) {
        if (i > 0 && !dbg[i]->present)
            continue;
        if (idx_bits(dbg[i]->sets) > setw)
            setw = idx_bits(dbg[i]->sets);
        if (idx_bits(dbg[i]->ways) > wayw)
            wayw = idx_bits(dbg[i]->ways);
    }
    fprintf(f,
            "  localparam int unsigned DbgSetW = %u; // debug port: widest set index\n"
            "  localparam int unsigned DbgWayW = %u; // debug port: widest way index\n\n",
            setw, wayw);
    fprintf(f,
            "  localparam int unsigned LatL1Hit   = %u;\n"
            "  localparam int unsigned LatL2Hit   = %u;\n"
            "  localparam int unsigned LatWc      = %u;\n"
            "  localparam int unsigned LatPac     = %u;\n"
            "  localparam int unsigned LatTlbi    = %u;\n"
            "  localparam int unsigned MemReadLat = %u;\n"
            "  localparam int unsigned MemWriteLat = %u;\n\n",
            c->lat.l1_hit, c->lat.l2_hit, c->lat.wc, c->lat.pac, c->lat.tlbi, c->mem.read,
            c->mem.write);
    fprintf(f,
            "  localparam bit          PacPauth  = 1'b%d;\n"
            "  localparam bit          PacPauth2 = 1'b%d;\n"
            "  localparam bit          PacFpac   = 1'b%d;\n"
            "  localparam int unsigned PacAlgo   = %d; // 0 QARMA5, 1 QARMA3, 2 IMPDEF\n\n"
            "endpackage\n",
            c->pac.pauth, c->pac.pauth2, c->pac.fpac, (int)c->pac.algo);
}

/* The package of c under the name of `as`, in a string to free(). */
static char *sv_text(const gr_config *c, const gr_config *as)
{
    gr_config t = *c;
    memcpy(t.name, as->name, sizeof t.name);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    gr_config_write_sv(&t, f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

int gr_config_same_rtl(const gr_config *a, const gr_config *b)
{
    char *ta = sv_text(a, b), *tb = sv_text(b, b);
    int r = ta && tb ? strcmp(ta, tb) == 0 : -1;
    free(ta);
    free(tb);
    return r;
}
