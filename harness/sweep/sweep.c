/* granule — design-space sweeps: grid, points, keys, results files and
 * points files (docs/sweep.md). */
#define _GNU_SOURCE /* open_memstream, realpath */
#include "sweep.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <xxhash.h>

#include "granule/trace.h"
#include "sweep_util.h"

#define POINTS_VERSION 1

typedef struct axis {
    char *name;      /* the column name: keys joined by '+' */
    char **keys;     /* "section.key" */
    size_t nkeys;
    char **vals;
    size_t nvals;
    bool *used;      /* vals[i] made at least one valid configuration */
    char **why;      /* the first rejection of a combination with vals[i] */
} axis;

typedef struct base {
    char *arg;       /* as given */
    char *ini;       /* canonical text */
} base;

typedef struct cfgpoint { /* one valid configuration of the grid */
    char *ini;
    char **values;   /* naxes, borrowed from the axes */
    gr_config cfg;
} cfgpoint;

typedef struct trace {
    char *arg;       /* as given */
    char *real;      /* canonical path, part of the key */
} trace;

struct gr_sweep {
    base *bases;
    size_t nbases;
    axis *axes;
    size_t naxes;
    unsigned shifts[2];
    size_t nshifts;
    trace *traces;
    size_t ntraces;
    gr_replay_opts opts;
    cfgpoint *cfgs;
    size_t ncfgs;
    gr_sweep_point *points;
    size_t npoints, skipped;
    bool expanded;
};

static char *xstrndup(const char *s, size_t n)
{
    char *d = gr_sweep_xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* Splits s at commas into trimmed, non-empty words. @return the count, or
 * 0 when a word is empty. */
static size_t split(const char *s, char ***out)
{
    char **v = NULL;
    size_t n = 0;
    for (;;) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        while (len && (*s == ' ' || *s == '\t'))
            s++, len--;
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (!len) {
            for (size_t i = 0; i < n; i++)
                free(v[i]);
            free(v);
            *out = NULL;
            return 0;
        }
        v = gr_sweep_xrealloc(v, (n + 1) * sizeof *v);
        v[n++] = xstrndup(s, len);
        if (!e)
            break;
        s = e + 1;
    }
    *out = v;
    return n;
}

static void free_words(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

gr_sweep *gr_sweep_create(void)
{
    gr_sweep *s = calloc(1, sizeof *s);
    if (s)
        gr_replay_opts_default(&s->opts);
    return s;
}

static void free_points(gr_sweep *s)
{
    for (size_t i = 0; i < s->ncfgs; i++) {
        free(s->cfgs[i].ini);
        free(s->cfgs[i].values);
    }
    free(s->cfgs);
    free(s->points);
    s->cfgs = NULL;
    s->points = NULL;
    s->ncfgs = s->npoints = s->skipped = 0;
}

void gr_sweep_destroy(gr_sweep *s)
{
    if (!s)
        return;
    free_points(s);
    for (size_t i = 0; i < s->nbases; i++) {
        free(s->bases[i].arg);
        free(s->bases[i].ini);
    }
    free(s->bases);
    for (size_t i = 0; i < s->naxes; i++) {
        axis *a = &s->axes[i];
        free(a->name);
        free_words(a->keys, a->nkeys);
        free_words(a->vals, a->nvals);
        if (a->why)
            free_words(a->why, a->nvals);
        free(a->used);
    }
    free(s->axes);
    for (size_t i = 0; i < s->ntraces; i++) {
        free(s->traces[i].arg);
        free(s->traces[i].real);
    }
    free(s->traces);
    free(s);
}

static char *config_ini(const gr_config *cfg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) {
        fputs("granule sweep: out of memory\n", stderr);
        abort();
    }
    gr_config_write_ini(cfg, m);
    fclose(m);
    return buf;
}

static void add_base_ini(gr_sweep *s, const char *arg, char *ini)
{
    s->bases = gr_sweep_xrealloc(s->bases, (s->nbases + 1) * sizeof *s->bases);
    s->bases[s->nbases].arg = gr_sweep_xstrdup(arg);
    s->bases[s->nbases].ini = ini;
    s->nbases++;
}

int gr_sweep_add_base(gr_sweep *s, const char *list, char *err, size_t errlen)
{
    char **w;
    size_t n = split(list, &w);
    if (!n) {
        gr_sweep_seterr(err, errlen, "--base `%s`: an empty name in the list", list);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        gr_config cfg;
        if (gr_replay_load_config(&cfg, w[i], err, errlen) != 0)
            rc = -1;
        else
            add_base_ini(s, w[i], config_ini(&cfg));
    }
    free_words(w, n);
    return rc;
}

static bool valid_key(const char *k)
{
    const char *dot = strchr(k, '.');
    if (!dot || dot == k || !dot[1] || strchr(dot + 1, '.'))
        return false;
    for (const char *p = k; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.'))
            return false;
    return true;
}

/* "A:B:STEP" or "A:B:*F" into words; @return 0, 1 if v is not a range, -1
 * if it is a bad one. */
static int expand_range(const char *v, char ***vals, size_t *nvals, char *err, size_t errlen)
{
    if (!strchr(v, ':'))
        return 1;
    char *e;
    errno = 0;
    unsigned long long a = strtoull(v, &e, 0), b, step;
    bool mul = false;
    if (e == v || *e != ':')
        goto bad;
    const char *p = e + 1;
    b = strtoull(p, &e, 0);
    if (e == p || *e != ':')
        goto bad;
    p = e + 1;
    if (*p == '*' || *p == 'x') {
        mul = true;
        p++;
    }
    step = strtoull(p, &e, 0);
    if (e == p || *e || errno || b < a || (mul ? step < 2 : step < 1))
        goto bad;
    for (unsigned long long x = a; x <= b;) {
        if (*nvals >= 4096) {
            gr_sweep_seterr(err, errlen, "range `%s` has more than 4096 values", v);
            return -1;
        }
        char buf[32];
        snprintf(buf, sizeof buf, "%llu", x);
        *vals = gr_sweep_xrealloc(*vals, (*nvals + 1) * sizeof **vals);
        (*vals)[(*nvals)++] = gr_sweep_xstrdup(buf);
        unsigned long long nx = mul ? x * step : x + step;
        if (nx <= x)
            break;
        x = nx;
    }
    return 0;
bad:
    gr_sweep_seterr(err, errlen,
           "`%s` is not a range (A:B:STEP or A:B:*FACTOR, with A <= B, STEP >= 1, FACTOR >= 2)", v);
    return -1;
}

int gr_sweep_add_axis(gr_sweep *s, const char *spec, char *err, size_t errlen)
{
    const char *eq = strchr(spec, '=');
    if (!eq) {
        gr_sweep_seterr(err, errlen, "--set `%s`: expected SECTION.KEY=VALUE[,VALUE...]", spec);
        return -1;
    }
    char *lhs = xstrndup(spec, (size_t)(eq - spec));
    axis a = {0};
    a.nkeys = split(lhs, &a.keys);
    free(lhs);
    if (!a.nkeys) {
        gr_sweep_seterr(err, errlen, "--set `%s`: an empty key", spec);
        return -1;
    }
    for (size_t i = 0; i < a.nkeys; i++) {
        if (!valid_key(a.keys[i])) {
            gr_sweep_seterr(err, errlen, "--set `%s`: `%s` is not SECTION.KEY (e.g. l1d.entries)", spec,
                   a.keys[i]);
            goto fail;
        }
        for (size_t j = 0; j < s->naxes; j++)
            for (size_t k = 0; k < s->axes[j].nkeys; k++)
                if (strcmp(s->axes[j].keys[k], a.keys[i]) == 0) {
                    gr_sweep_seterr(err, errlen, "--set `%s`: %s is already an axis", spec, a.keys[i]);
                    goto fail;
                }
        for (size_t j = 0; j < i; j++)
            if (strcmp(a.keys[j], a.keys[i]) == 0) {
                gr_sweep_seterr(err, errlen, "--set `%s`: %s given twice", spec, a.keys[i]);
                goto fail;
            }
    }
    char **raw;
    size_t nraw = split(eq + 1, &raw);
    if (!nraw) {
        gr_sweep_seterr(err, errlen, "--set `%s`: an empty value in the list", spec);
        goto fail;
    }
    for (size_t i = 0; i < nraw; i++) {
        char e2[256];
        int r = expand_range(raw[i], &a.vals, &a.nvals, e2, sizeof e2);
        if (r < 0) {
            gr_sweep_seterr(err, errlen, "--set `%s`: %s", spec, e2);
            free_words(raw, nraw);
            goto fail;
        }
        if (r == 1) {
            a.vals = gr_sweep_xrealloc(a.vals, (a.nvals + 1) * sizeof *a.vals);
            a.vals[a.nvals++] = gr_sweep_xstrdup(raw[i]);
        }
    }
    free_words(raw, nraw);
    for (size_t i = 0; i < a.nkeys; i++)
        if (strlen(a.keys[i]) > 60 || strlen(strchr(a.keys[i], '.') + 1) > 31 ||
            strchr(a.keys[i], '.') - a.keys[i] > 31) {
            gr_sweep_seterr(err, errlen, "--set `%s`: `%s` is too long for a key", spec, a.keys[i]);
            goto fail;
        }
    for (size_t i = 0; i < a.nvals; i++)
        if (strlen(a.vals[i]) > 200) {
            gr_sweep_seterr(err, errlen, "--set `%s`: a value longer than 200 characters", spec);
            goto fail;
        }
    for (size_t i = 0; i < a.nvals; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(a.vals[i], a.vals[j]) == 0) {
                gr_sweep_seterr(err, errlen, "--set `%s`: value %s given twice", spec, a.vals[i]);
                goto fail;
            }
    size_t nl = 0;
    for (size_t i = 0; i < a.nkeys; i++)
        nl += strlen(a.keys[i]) + 1;
    a.name = gr_sweep_xrealloc(NULL, nl);
    a.name[0] = '\0';
    for (size_t i = 0; i < a.nkeys; i++) {
        if (i)
            strcat(a.name, "+");
        strcat(a.name, a.keys[i]);
    }
    a.used = calloc(a.nvals, sizeof *a.used);
    a.why = calloc(a.nvals, sizeof *a.why);
    if (!a.used || !a.why)
        abort();
    s->axes = gr_sweep_xrealloc(s->axes, (s->naxes + 1) * sizeof *s->axes);
    s->axes[s->naxes++] = a;
    return 0;
fail:
    free_words(a.keys, a.nkeys);
    free_words(a.vals, a.nvals);
    return -1;
}

int gr_sweep_add_granules(gr_sweep *s, const char *list, char *err, size_t errlen)
{
    char **w;
    size_t n = split(list, &w);
    if (!n) {
        gr_sweep_seterr(err, errlen, "--granule `%s`: an empty value in the list", list);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        unsigned sh;
        if (strcmp(w[i], "4k") == 0 || strcmp(w[i], "4K") == 0) {
            sh = 12;
        } else if (strcmp(w[i], "16k") == 0 || strcmp(w[i], "16K") == 0) {
            sh = 14;
        } else {
            gr_sweep_seterr(err, errlen, "--granule: `%s` is not 4k or 16k", w[i]);
            rc = -1;
            break;
        }
        for (size_t j = 0; j < s->nshifts; j++)
            if (s->shifts[j] == sh) {
                gr_sweep_seterr(err, errlen, "--granule: %s given twice", w[i]);
                rc = -1;
            }
        if (!rc)
            s->shifts[s->nshifts++] = sh;
    }
    free_words(w, n);
    return rc;
}

static int add_trace_real(gr_sweep *s, const char *arg, const char *real, char *err,
                          size_t errlen)
{
    struct stat st;
    if (access(real, R_OK) != 0 || stat(real, &st) != 0) {
        gr_sweep_seterr(err, errlen, "%s: cannot read trace (%s)", arg, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        gr_sweep_seterr(err, errlen, "%s: not a regular file (sweeps read traces by name, not from pipes)",
               arg);
        return -1;
    }
    for (size_t i = 0; i < s->ntraces; i++)
        if (strcmp(s->traces[i].real, real) == 0) {
            gr_sweep_seterr(err, errlen, "%s: trace given twice", arg);
            return -1;
        }
    s->traces = gr_sweep_xrealloc(s->traces, (s->ntraces + 1) * sizeof *s->traces);
    s->traces[s->ntraces].arg = gr_sweep_xstrdup(arg);
    s->traces[s->ntraces].real = gr_sweep_xstrdup(real);
    s->ntraces++;
    return 0;
}

int gr_sweep_add_trace(gr_sweep *s, const char *path, char *err, size_t errlen)
{
    if (strcmp(path, "-") == 0) {
        gr_sweep_seterr(err, errlen, "-: a sweep reads each trace many times, give a file");
        return -1;
    }
    char *real = realpath(path, NULL);
    if (!real) {
        gr_sweep_seterr(err, errlen, "%s: cannot read trace (%s)", path, strerror(errno));
        return -1;
    }
    int rc = add_trace_real(s, path, real, err, errlen);
    free(real);
    return rc;
}

void gr_sweep_set_opts(gr_sweep *s, const gr_replay_opts *o)
{
    s->opts = *o;
    s->opts.progress = false;
    s->opts.pac_regs = NULL;
}

/* ---- building one configuration from a base and overrides ---- */

#define MAXSEC 24
#define MAXKEY 24

typedef struct isec {
    char name[32];
    bool removed;
    size_t n;
    char key[MAXKEY][32];
    char val[MAXKEY][256];
} isec;

typedef struct ini {
    isec sec[MAXSEC];
    size_t n;
} ini;

/* Reads gr_config_write_ini's output: section headers and `key = value`
 * lines, nothing else. */
static void ini_read(ini *d, const char *text)
{
    memset(d, 0, sizeof *d);
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len && p[0] == '[' && d->n < MAXSEC) {
            isec *s = &d->sec[d->n++];
            snprintf(s->name, sizeof s->name, "%.*s", (int)(len > 2 ? len - 2 : 0), p + 1);
        } else if (len && d->n) {
            isec *s = &d->sec[d->n - 1];
            const char *eq = memchr(p, '=', len);
            if (eq && s->n < MAXKEY) {
                size_t kl = (size_t)(eq - p);
                while (kl && p[kl - 1] == ' ')
                    kl--;
                const char *v = eq + 1;
                while (v < p + len && *v == ' ')
                    v++;
                snprintf(s->key[s->n], sizeof s->key[0], "%.*s", (int)kl, p);
                snprintf(s->val[s->n], sizeof s->val[0], "%.*s", (int)(p + len - v), v);
                s->n++;
            }
        }
        p = e ? e + 1 : p + len;
    }
}

static isec *ini_sec(ini *d, const char *name, bool create)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->sec[i].name, name) == 0)
            return &d->sec[i];
    if (!create || d->n >= MAXSEC)
        return NULL;
    isec *s = &d->sec[d->n++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%.*s", (int)sizeof s->name - 1, name);
    return s;
}

static char *ini_get(isec *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->key[i], key) == 0)
            return s->val[i];
    return NULL;
}

static int ini_set(isec *s, const char *key, const char *val)
{
    char *v = ini_get(s, key);
    if (!v) {
        if (s->n >= MAXKEY)
            return -1;
        snprintf(s->key[s->n], sizeof s->key[0], "%s", key);
        v = s->val[s->n++];
    }
    snprintf(v, sizeof s->val[0], "%s", val);
    return 0;
}

/* Writes d as INI text; where[l] names what line l + 1 holds. */
static char *ini_write(const ini *d, char where[][64], size_t maxlines)
{
    char *buf = NULL;
    size_t len = 0, line = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        abort();
    for (size_t i = 0; i < d->n; i++) {
        const isec *s = &d->sec[i];
        if (s->removed)
            continue;
        if (line && line < maxlines)
            snprintf(where[line], 64, "[%s]", s->name);
        if (line) {
            fputc('\n', m);
            line++;
        }
        fprintf(m, "[%s]\n", s->name);
        if (line < maxlines)
            snprintf(where[line], 64, "[%s]", s->name);
        line++;
        for (size_t k = 0; k < s->n; k++) {
            fprintf(m, "%s = %s\n", s->key[k], s->val[k]);
            if (line < maxlines)
                snprintf(where[line], 64, "%s.%s", s->name, s->key[k]);
            line++;
        }
    }
    fclose(m);
    return buf;
}

static bool is_none(const char *v)
{
    return strcmp(v, "0") == 0 || strcmp(v, "none") == 0 || strcmp(v, "off") == 0;
}

/* Builds the configuration of base b with combination idx[] of the axes.
 * @return its canonical INI text, or NULL with the reason in err. */
static char *build_config(const gr_sweep *s, size_t b, const size_t *idx, gr_config *cfg,
                          char *err, size_t errlen)
{
    static ini d; /* large; the sweep is single-threaded */
    ini_read(&d, s->bases[b].ini);
    bool fa[MAXSEC] = {0}; /* fully associative in the base */
    for (size_t i = 0; i < d.n; i++) {
        const char *e = ini_get(&d.sec[i], "entries"), *w = ini_get(&d.sec[i], "ways");
        fa[i] = e && w && strcmp(e, w) == 0;
    }
    bool ways_set[MAXSEC] = {0}, entries_set[MAXSEC] = {0};
    for (size_t a = 0; a < s->naxes; a++) {
        const axis *ax = &s->axes[a];
        const char *val = ax->vals[idx[a]];
        for (size_t k = 0; k < ax->nkeys; k++) {
            char sec[64];
            const char *dot = strchr(ax->keys[k], '.');
            snprintf(sec, sizeof sec, "%.*s", (int)(dot - ax->keys[k]), ax->keys[k]);
            isec *is = ini_sec(&d, sec, true);
            if (!is) {
                gr_sweep_seterr(err, errlen, "%s: too many sections", ax->keys[k]);
                return NULL;
            }
            size_t si = (size_t)(is - d.sec);
            if (strcmp(dot + 1, "entries") == 0) {
                entries_set[si] = true;
                if (is_none(val)) {
                    is->removed = true;
                    continue;
                }
                is->removed = false;
            }
            if (strcmp(dot + 1, "ways") == 0)
                ways_set[si] = true;
            if (ini_set(is, dot + 1, val) != 0) {
                gr_sweep_seterr(err, errlen, "%s: too many keys in [%s]", ax->keys[k], sec);
                return NULL;
            }
        }
    }
    /* `ways = full` is the section's entries; a fully associative base
     * structure whose entries are swept stays fully associative unless
     * its ways are swept too. */
    for (size_t i = 0; i < d.n; i++) {
        isec *is = &d.sec[i];
        char *w = ini_get(is, "ways"), *e = ini_get(is, "entries");
        if (w && strcmp(w, "full") == 0) {
            if (!e) {
                gr_sweep_seterr(err, errlen, "%s.ways = full: [%s] has no entries", is->name, is->name);
                return NULL;
            }
            ini_set(is, "ways", e);
        } else if (i < MAXSEC && entries_set[i] && !ways_set[i] && fa[i] && e) {
            ini_set(is, "ways", e);
        }
    }
    /* without an L2 there is nothing for the walk caches to run beside:
     * removing [l2] makes a parallel lookup serial, unless swept */
    isec *l2 = ini_sec(&d, "l2", false), *mmu = ini_sec(&d, "mmu", false);
    if ((!l2 || l2->removed) && mmu) {
        char *w = ini_get(mmu, "walk_cache_lookup");
        bool swept = false;
        for (size_t a = 0; a < s->naxes; a++)
            for (size_t k = 0; k < s->axes[a].nkeys; k++)
                swept |= strcmp(s->axes[a].keys[k], "mmu.walk_cache_lookup") == 0;
        if (w && strcmp(w, "parallel") == 0 && !swept)
            ini_set(mmu, "walk_cache_lookup", "serial");
    }
    static char where[512][64];
    memset(where, 0, sizeof where);
    char *text = ini_write(&d, where, 512);
    char e2[512];
    if (gr_config_parse_string(cfg, text, "point", e2, sizeof e2) != 0) {
        /* "point:LINE: reason" -> "section.key: reason" */
        const char *msg = e2;
        char *end;
        if (strncmp(e2, "point:", 6) == 0) {
            unsigned long l = strtoul(e2 + 6, &end, 10);
            if (end != e2 + 6 && *end == ':' && l >= 1 && l <= 512 && where[l - 1][0]) {
                msg = end + 1;
                while (*msg == ' ')
                    msg++;
                gr_sweep_seterr(err, errlen, "%s: %s", where[l - 1], msg);
            } else {
                gr_sweep_seterr(err, errlen, "%s", e2 + 6 + (e2[6] == ' '));
            }
        } else {
            gr_sweep_seterr(err, errlen, "%s", e2);
        }
        free(text);
        return NULL;
    }
    free(text);
    return config_ini(cfg);
}

static void point_key(const gr_sweep *s, const char *ini, unsigned shift, const char *real,
                      char out[17])
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        abort();
    fprintf(m,
            "granule sweep point 1\ntrace = %s\ngranule = %u\nformat = %s\nlimit = %" PRIu64
            "\ndemand_map = %d\nram = %" PRIu64 "\n%s",
            real, 1u << shift, gr_trace_format_name(s->opts.format), s->opts.limit,
            s->opts.demand_map ? 1 : 0, s->opts.ram_size, ini);
    fclose(m);
    snprintf(out, 17, "%016" PRIx64, (uint64_t)XXH64(buf, len, 0));
    free(buf);
}

static void build_points(gr_sweep *s)
{
    size_t ns = s->nshifts ? s->nshifts : 1;
    s->npoints = s->ncfgs * ns * s->ntraces;
    s->points = gr_sweep_xrealloc(s->points, s->npoints * sizeof *s->points);
    size_t i = 0;
    for (size_t c = 0; c < s->ncfgs; c++)
        for (size_t g = 0; g < ns; g++)
            for (size_t t = 0; t < s->ntraces; t++, i++) {
                gr_sweep_point *p = &s->points[i];
                p->index = i;
                p->trace = s->traces[t].arg;
                p->trace_path = s->traces[t].real;
                p->page_shift = s->nshifts ? s->shifts[g] : 12;
                p->values = (const char *const *)s->cfgs[c].values;
                p->ini = s->cfgs[c].ini;
                p->cfg = s->cfgs[c].cfg;
                point_key(s, p->ini, p->page_shift, s->traces[t].real, p->key);
            }
    s->expanded = true;
}

int gr_sweep_expand(gr_sweep *s, bool strict, FILE *notes, char *err, size_t errlen)
{
    free_points(s);
    if (!s->nbases) {
        gr_config cfg;
        if (gr_replay_load_config(&cfg, "small", err, errlen) != 0)
            return -1;
        add_base_ini(s, "small", config_ini(&cfg));
    }
    if (!s->ntraces) {
        gr_sweep_seterr(err, errlen, "no TRACE given");
        return -1;
    }
    size_t *idx = calloc(s->naxes + 1, sizeof *idx);
    if (!idx)
        abort();
    size_t dups = 0, combos = 0;
    /* the skip notes are shown only if the grid as a whole is accepted */
    char *nbuf = NULL;
    size_t nlen = 0;
    FILE *nf = open_memstream(&nbuf, &nlen);
    if (!nf)
        abort();
    for (size_t b = 0; b < s->nbases; b++) {
        memset(idx, 0, (s->naxes + 1) * sizeof *idx);
        for (;;) {
            gr_config cfg;
            char e2[600];
            combos++;
            char *text = build_config(s, b, idx, &cfg, e2, sizeof e2);
            if (text) {
                for (size_t a = 0; a < s->naxes; a++)
                    s->axes[a].used[idx[a]] = true;
                bool dup = false;
                for (size_t c = 0; c < s->ncfgs && !dup; c++)
                    dup = strcmp(s->cfgs[c].ini, text) == 0;
                if (dup) {
                    dups++;
                    free(text);
                } else {
                    s->cfgs = gr_sweep_xrealloc(s->cfgs, (s->ncfgs + 1) * sizeof *s->cfgs);
                    cfgpoint *cp = &s->cfgs[s->ncfgs++];
                    cp->ini = text;
                    cp->cfg = cfg;
                    cp->values = gr_sweep_xrealloc(NULL, (s->naxes + 1) * sizeof *cp->values);
                    for (size_t a = 0; a < s->naxes; a++)
                        cp->values[a] = s->axes[a].vals[idx[a]];
                }
            } else {
                char desc[1024];
                int o = snprintf(desc, sizeof desc, "%s", s->bases[b].arg);
                for (size_t a = 0; a < s->naxes && o >= 0 && (size_t)o < sizeof desc; a++)
                    o += snprintf(desc + o, sizeof desc - (size_t)o, " %s=%s", s->axes[a].name,
                                  s->axes[a].vals[idx[a]]);
                for (size_t a = 0; a < s->naxes; a++)
                    if (!s->axes[a].why[idx[a]])
                        s->axes[a].why[idx[a]] = gr_sweep_xstrdup(e2);
                if (strict || !s->naxes) {
                    if (strict)
                        gr_sweep_seterr(err, errlen, "%s: not a valid configuration: %s", desc, e2);
                    else
                        gr_sweep_seterr(err, errlen, "%s: %s", s->bases[b].arg, e2);
                    fclose(nf);
                    free(nbuf);
                    free(idx);
                    return -1;
                }
                s->skipped++;
                fprintf(nf, "granule sweep: skipping %s: %s\n", desc, e2);
            }
            /* odometer, last axis fastest */
            size_t a = s->naxes;
            while (a > 0) {
                if (++idx[a - 1] < s->axes[a - 1].nvals)
                    break;
                idx[a - 1] = 0;
                a--;
            }
            if (a == 0)
                break;
        }
    }
    free(idx);
    fclose(nf);
    for (size_t a = 0; a < s->naxes; a++)
        for (size_t v = 0; v < s->axes[a].nvals; v++)
            if (!s->axes[a].used[v]) {
                gr_sweep_seterr(err, errlen, "%s=%s makes no valid configuration: %s", s->axes[a].name,
                       s->axes[a].vals[v], s->axes[a].why[v] ? s->axes[a].why[v] : "?");
                free(nbuf);
                return -1;
            }
    if (notes)
        fputs(nbuf, notes);
    free(nbuf);
    if (notes && s->skipped)
        fprintf(notes, "granule sweep: %zu of %zu combinations skipped (not valid configurations)\n",
                s->skipped, combos);
    if (notes && dups)
        fprintf(notes, "granule sweep: %zu combinations skipped (the same configuration as another)\n",
                dups);
    build_points(s);
    return 0;
}

size_t gr_sweep_count(const gr_sweep *s)
{
    return s->npoints;
}

const gr_sweep_point *gr_sweep_point_get(const gr_sweep *s, size_t i)
{
    return i < s->npoints ? &s->points[i] : NULL;
}

size_t gr_sweep_skipped(const gr_sweep *s)
{
    return s->skipped;
}

static const char *base_name(const char *p)
{
    const char *b = strrchr(p, '/');
    return b ? b + 1 : p;
}

void gr_sweep_describe(const gr_sweep *s, size_t i, char *buf, size_t len)
{
    const gr_sweep_point *p = &s->points[i];
    int o = snprintf(buf, len, "%s", p->cfg.name);
    for (size_t a = 0; a < s->naxes && o >= 0 && (size_t)o < len; a++)
        o += snprintf(buf + o, len - (size_t)o, " %s=%s", s->axes[a].name, p->values[a]);
    if (o >= 0 && (size_t)o < len)
        snprintf(buf + o, len - (size_t)o, " %s %s", p->page_shift == 14 ? "16k" : "4k",
                 base_name(p->trace));
}

static void csv_field(FILE *f, const char *v)
{
    if (!strpbrk(v, ",\"\n")) {
        fputs(v, f);
        return;
    }
    fputc('"', f);
    for (; *v; v++) {
        if (*v == '"')
            fputc('"', f);
        fputc(*v, f);
    }
    fputc('"', f);
}

void gr_sweep_csv_header(const gr_sweep *s, FILE *f)
{
    fputs("point,key,", f);
    for (size_t a = 0; a < s->naxes; a++) {
        csv_field(f, s->axes[a].name);
        fputc(',', f);
    }
    gr_replay_csv_header(f);
}

void gr_sweep_csv_row_prefix(const gr_sweep *s, size_t i, FILE *f)
{
    const gr_sweep_point *p = &s->points[i];
    fprintf(f, "%zu,%s,", p->index, p->key);
    for (size_t a = 0; a < s->naxes; a++) {
        csv_field(f, p->values[a]);
        fputc(',', f);
    }
}

int gr_sweep_run_point(const gr_sweep *s, size_t i, FILE *out, char *err, size_t errlen)
{
    const gr_sweep_point *p = &s->points[i];
    gr_replay_opts o = s->opts;
    o.page_shift = p->page_shift;
    gr_replay *r = gr_replay_create(&p->cfg, &o, err, errlen);
    if (!r)
        return 2;
    if (gr_replay_run(r, p->trace_path, err, errlen) != 0) {
        gr_replay_destroy(r);
        return 2;
    }
    gr_sweep_csv_row_prefix(s, i, out);
    gr_replay_csv_row(r, out);
    gr_replay_destroy(r);
    return 0;
}

size_t gr_sweep_find_key(const gr_sweep *s, const char *key)
{
    for (size_t i = 0; i < s->npoints; i++)
        if (strcmp(s->points[i].key, key) == 0)
            return i;
    return (size_t)-1;
}

/* Counts the fields of one CSV line (RFC 4180 quoting) and copies field
 * number want (0-based) into out. */
static size_t csv_fields(const char *l, size_t len, size_t want, char *out, size_t outlen)
{
    size_t n = 0, o = 0;
    bool q = false;
    if (outlen)
        out[0] = '\0';
    for (size_t i = 0; i < len; i++) {
        char c = l[i];
        if (q) {
            if (c == '"' && i + 1 < len && l[i + 1] == '"')
                i++;
            else if (c == '"') {
                q = false;
                continue;
            }
        } else if (c == '"') {
            q = true;
            continue;
        } else if (c == ',') {
            n++;
            continue;
        }
        if (n == want && o + 1 < outlen) {
            out[o++] = c;
            out[o] = '\0';
        }
    }
    return n + 1;
}

int gr_sweep_resume_scan(const gr_sweep *s, const char *path, bool repair, bool *done,
                         bool *has_header, char *err, size_t errlen)
{
    *has_header = false;
    memset(done, 0, s->npoints * sizeof *done);
    FILE *f = fopen(path, repair ? "r+" : "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        gr_sweep_seterr(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *hdr = NULL;
    size_t hlen = 0;
    FILE *m = open_memstream(&hdr, &hlen);
    if (!m)
        abort();
    gr_sweep_csv_header(s, m);
    fclose(m);
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t n;
    off_t good = 0;
    int rc = 0;
    size_t hfields = csv_fields(hdr, hlen - 1, (size_t)-1, NULL, 0);
    while ((n = getline(&line, &cap, f)) > 0) {
        lineno++;
        if (line[n - 1] != '\n') {
            /* a row cut short: drop it, the point runs again */
            if (repair && ftruncate(fileno(f), good) != 0) {
                gr_sweep_seterr(err, errlen, "%s: cannot cut the partial last line: %s", path,
                       strerror(errno));
                rc = -1;
            }
            break;
        }
        if (lineno == 1) {
            if ((size_t)n != hlen || memcmp(line, hdr, hlen) != 0) {
                gr_sweep_seterr(err, errlen,
                       "%s:1: the header is not this sweep's (different axes or an older "
                       "granule); write to a new file",
                       path);
                rc = -1;
                break;
            }
            *has_header = true;
        } else {
            char key[32];
            size_t nf = csv_fields(line, (size_t)n - 1, 1, key, sizeof key);
            if (nf != hfields) {
                gr_sweep_seterr(err, errlen, "%s:%zu: %zu fields, the header has %zu", path, lineno, nf,
                       hfields);
                rc = -1;
                break;
            }
            size_t i = gr_sweep_find_key(s, key);
            if (i != (size_t)-1)
                done[i] = true;
        }
        good += n;
    }
    free(line);
    free(hdr);
    fclose(f);
    return rc;
}

/* ---- points files ---- */

int gr_sweep_write_points(const gr_sweep *s, FILE *f)
{
    json_t *root = json_object(), *axes = json_array(), *pts = json_array(), *opts = json_object();
    json_object_set_new(root, "granule_sweep_points", json_integer(POINTS_VERSION));
    for (size_t a = 0; a < s->naxes; a++)
        json_array_append_new(axes, json_string(s->axes[a].name));
    json_object_set_new(root, "axes", axes);
    json_object_set_new(opts, "format", json_string(gr_trace_format_name(s->opts.format)));
    json_object_set_new(opts, "limit", json_integer((json_int_t)s->opts.limit));
    json_object_set_new(opts, "demand_map", json_boolean(s->opts.demand_map));
    json_object_set_new(opts, "ram", json_integer((json_int_t)s->opts.ram_size));
    json_object_set_new(root, "options", opts);
    for (size_t i = 0; i < s->npoints; i++) {
        const gr_sweep_point *p = &s->points[i];
        json_t *o = json_object(), *vals = json_array();
        json_object_set_new(o, "index", json_integer((json_int_t)p->index));
        json_object_set_new(o, "key", json_string(p->key));
        json_object_set_new(o, "trace", json_string(p->trace));
        json_object_set_new(o, "trace_path", json_string(p->trace_path));
        json_object_set_new(o, "granule", json_integer(1 << p->page_shift));
        for (size_t a = 0; a < s->naxes; a++)
            json_array_append_new(vals, json_string(p->values[a]));
        json_object_set_new(o, "values", vals);
        json_object_set_new(o, "config", json_string(p->ini));
        json_array_append_new(pts, o);
    }
    json_object_set_new(root, "points", pts);
    int rc = json_dumpf(root, f, JSON_INDENT(1)) == 0 ? 0 : -1;
    fputc('\n', f);
    json_decref(root);
    return rc || ferror(f) ? -1 : 0;
}

/* A points file's point list is stored as it is: one "configuration" per
 * point, traces in a table of their own, no grid. */
gr_sweep *gr_sweep_load_points(const char *path, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) {
        gr_sweep_seterr(err, errlen, "%s:%d: %s", path, je.line, je.text);
        return NULL;
    }
    gr_sweep *s = gr_sweep_create();
    json_t *axes, *pts, *opts;
    json_int_t ver = 0, limit = 0, ram = 0;
    const char *fmt = NULL;
    int dm = 1;
    if (json_unpack_ex(root, &je, 0, "{s:I, s:o, s:o, s:o}", "granule_sweep_points", &ver,
                       "axes", &axes, "points", &pts, "options", &opts) != 0 ||
        json_unpack_ex(opts, &je, 0, "{s:s, s:I, s:b, s:I}", "format", &fmt, "limit", &limit,
                       "demand_map", &dm, "ram", &ram) != 0) {
        gr_sweep_seterr(err, errlen, "%s: not a granule sweep points file: %s", path, je.text);
        goto fail;
    }
    if (ver != POINTS_VERSION || !json_is_array(axes) || !json_is_array(pts)) {
        gr_sweep_seterr(err, errlen, "%s: points file version %lld, this granule reads %d", path,
               (long long)ver, POINTS_VERSION);
        goto fail;
    }
    s->opts.format = gr_trace_format_parse(fmt);
    if (s->opts.format < 0) {
        gr_sweep_seterr(err, errlen, "%s: unknown trace format `%s`", path, fmt);
        goto fail;
    }
    s->opts.limit = (uint64_t)limit;
    s->opts.demand_map = dm;
    s->opts.ram_size = (uint64_t)ram;
    size_t i;
    json_t *v;
    json_array_foreach(axes, i, v) {
        if (!json_is_string(v)) {
            gr_sweep_seterr(err, errlen, "%s: axes[%zu] is not a string", path, i);
            goto fail;
        }
        axis a = {0};
        a.name = gr_sweep_xstrdup(json_string_value(v));
        s->axes = gr_sweep_xrealloc(s->axes, (s->naxes + 1) * sizeof *s->axes);
        s->axes[s->naxes++] = a;
    }
    size_t np = json_array_size(pts);
    s->cfgs = gr_sweep_xrealloc(NULL, (np + 1) * sizeof *s->cfgs);
    s->points = gr_sweep_xrealloc(NULL, (np + 1) * sizeof *s->points);
    json_array_foreach(pts, i, v) {
        json_int_t idx, gran;
        const char *key, *tr, *real, *ini;
        json_t *vals;
        if (json_unpack_ex(v, &je, 0, "{s:I, s:s, s:s, s:s, s:I, s:o, s:s}", "index", &idx,
                           "key", &key, "trace", &tr, "trace_path", &real, "granule", &gran,
                           "values", &vals, "config", &ini) != 0) {
            gr_sweep_seterr(err, errlen, "%s: points[%zu]: %s", path, i, je.text);
            goto fail;
        }
        if ((size_t)idx != i || (gran != 4096 && gran != 16384) || !json_is_array(vals) ||
            json_array_size(vals) != s->naxes) {
            gr_sweep_seterr(err, errlen, "%s: points[%zu]: bad index, granule or values", path, i);
            goto fail;
        }
        cfgpoint *cp = &s->cfgs[s->ncfgs];
        cp->values = gr_sweep_xrealloc(NULL, (s->naxes + 1) * sizeof *cp->values);
        cp->ini = gr_sweep_xstrdup(ini);
        s->ncfgs++;
        for (size_t a = 0; a < s->naxes; a++) {
            const char *w = json_string_value(json_array_get(vals, a));
            /* the values live in the axis' word list, which owns them */
            axis *ax = &s->axes[a];
            ax->vals = gr_sweep_xrealloc(ax->vals, (ax->nvals + 1) * sizeof *ax->vals);
            ax->vals[ax->nvals] = gr_sweep_xstrdup(w ? w : "");
            cp->values[a] = ax->vals[ax->nvals++];
        }
        char e2[512];
        if (gr_config_parse_string(&cp->cfg, ini, "config", e2, sizeof e2) != 0) {
            gr_sweep_seterr(err, errlen, "%s: points[%zu]: %s", path, i, e2);
            goto fail;
        }
        size_t t;
        for (t = 0; t < s->ntraces; t++)
            if (strcmp(s->traces[t].real, real) == 0 && strcmp(s->traces[t].arg, tr) == 0)
                break;
        if (t == s->ntraces) {
            s->traces = gr_sweep_xrealloc(s->traces, (s->ntraces + 1) * sizeof *s->traces);
            s->traces[t].arg = gr_sweep_xstrdup(tr);
            s->traces[t].real = gr_sweep_xstrdup(real);
            s->ntraces++;
        }
        gr_sweep_point *p = &s->points[i];
        p->index = i;
        p->trace = s->traces[t].arg;
        p->trace_path = s->traces[t].real;
        p->page_shift = gran == 16384 ? 14 : 12;
        p->values = (const char *const *)cp->values;
        p->ini = cp->ini;
        p->cfg = cp->cfg;
        point_key(s, p->ini, p->page_shift, real, p->key);
        if (strcmp(p->key, key) != 0) {
            gr_sweep_seterr(err, errlen,
                   "%s: points[%zu]: key %s, but the point hashes to %s (edited, or written "
                   "by another granule)",
                   path, i, key, p->key);
            goto fail;
        }
        s->npoints++;
    }
    s->expanded = true;
    json_decref(root);
    return s;
fail:
    json_decref(root);
    gr_sweep_destroy(s);
    return NULL;
}
