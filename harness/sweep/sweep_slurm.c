/* granule — the Slurm sweep backend: results directory, manifest,
 * submission with sbatch, array task body, scan and collection
 * (docs/sweep.md, "Slurm backend"). */
#define _GNU_SOURCE /* open_memstream, realpath */
#include "sweep_slurm.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <xxhash.h>

#include "sweep_util.h"

#define MANIFEST_VERSION 1

typedef struct strace {
    char *arg;       /* as given to the sweep */
    char *path;      /* canonical: what the points read */
    uint64_t size;
    char xxh[17];
    int verified;    /* 0 not yet, 1 equal to the manifest, -1 changed */
} strace;

struct gr_sweep_slurm {
    char *dir;       /* canonical */
    gr_sweep *s;
    char id[17];
    char *version;
    char points_xxh[17];
    char *header;    /* the CSV header line, with its newline */
    strace *traces;
    size_t ntraces;
    char **rows;     /* after scan: the row of every done point (with its newline) */
};

static char *path_join(const char *a, const char *b)
{
    char *p;
    if (asprintf(&p, "%s/%s", a, b) < 0)
        abort();
    return p;
}

const char *gr_sweep_slurm_state_name(gr_sweep_slurm_state st)
{
    switch (st) {
    case GR_SWEEP_SLURM_MISSING: return "missing";
    case GR_SWEEP_SLURM_PENDING: return "pending";
    case GR_SWEEP_SLURM_RUNNING: return "running";
    case GR_SWEEP_SLURM_FAILED: return "failed";
    case GR_SWEEP_SLURM_DONE: return "done";
    }
    return "?";
}

/* A whole (small) file, NUL-terminated; NULL with errno set. */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&buf, &n);
    if (!m)
        abort();
    char chunk[65536];
    size_t r;
    while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, r, m);
    int bad = ferror(f);
    fclose(f);
    fclose(m);
    if (bad) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    if (len)
        *len = n;
    return buf;
}

/* Writes text to dir/name through a temporary name and rename(), so a
 * reader sees the old file or the whole new one. */
static int write_atomic(const char *dir, const char *name, const char *text, size_t len,
                        char *err, size_t errlen)
{
    char *final = path_join(dir, name), *tmp;
    if (asprintf(&tmp, "%s/.tmp.%ld.%s", dir, (long)getpid(), name) < 0)
        abort();
    int rc = -1;
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        gr_sweep_seterr(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
        goto out;
    }
    bool bad = fwrite(text, 1, len, f) != len;
    bad |= fflush(f) != 0;
    bad |= fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, final) != 0) {
        gr_sweep_seterr(err, errlen, "%s: write error: %s", final, strerror(errno));
        unlink(tmp);
        goto out;
    }
    rc = 0;
out:
    free(tmp);
    free(final);
    return rc;
}

static int make_dir(const char *path, char *err, size_t errlen)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        gr_sweep_seterr(err, errlen, "%s: cannot create the directory: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Size and XXH64 (seed 0) of a file's contents. */
static int file_xxh64(const char *path, uint64_t *size, char out[17], char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        gr_sweep_seterr(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    XXH64_state_t *st = XXH64_createState();
    if (!st)
        abort();
    XXH64_reset(st, 0);
    static char chunk[1 << 16];
    size_t r;
    uint64_t n = 0;
    while ((r = fread(chunk, 1, sizeof chunk, f)) > 0) {
        XXH64_update(st, chunk, r);
        n += r;
    }
    int bad = ferror(f);
    fclose(f);
    snprintf(out, 17, "%016" PRIx64, (uint64_t)XXH64_digest(st));
    XXH64_freeState(st);
    if (bad) {
        gr_sweep_seterr(err, errlen, "%s: read error", path);
        return -1;
    }
    *size = n;
    return 0;
}

/* The manifest id: an XXH64 of everything the manifest records. */
static void manifest_id(gr_sweep_slurm *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        abort();
    fprintf(m, "granule sweep manifest %d\nversion = %s\npoints = %s\n", MANIFEST_VERSION,
            d->version, d->points_xxh);
    for (size_t t = 0; t < d->ntraces; t++)
        fprintf(m, "trace = %s %" PRIu64 " %s\n", d->traces[t].path, d->traces[t].size,
                d->traces[t].xxh);
    fclose(m);
    snprintf(d->id, sizeof d->id, "%016" PRIx64, (uint64_t)XXH64(buf, len, 0));
    free(buf);
}

static char *sweep_header(const gr_sweep *s)
{
    char *h = NULL;
    size_t hl = 0;
    FILE *m = open_memstream(&h, &hl);
    if (!m)
        abort();
    gr_sweep_csv_header(s, m);
    fclose(m);
    return h;
}

void gr_sweep_slurm_close(gr_sweep_slurm *d)
{
    if (!d)
        return;
    if (d->rows)
        for (size_t i = 0; i < gr_sweep_count(d->s); i++)
            free(d->rows[i]);
    free(d->rows);
    gr_sweep_destroy(d->s);
    for (size_t t = 0; t < d->ntraces; t++) {
        free(d->traces[t].arg);
        free(d->traces[t].path);
    }
    free(d->traces);
    free(d->header);
    free(d->version);
    free(d->dir);
    free(d);
}

const gr_sweep *gr_sweep_slurm_sweep(const gr_sweep_slurm *d)
{
    return d->s;
}

const char *gr_sweep_slurm_id(const gr_sweep_slurm *d)
{
    return d->id;
}

const char *gr_sweep_slurm_version(const gr_sweep_slurm *d)
{
    return d->version;
}

const char *gr_sweep_slurm_dir(const gr_sweep_slurm *d)
{
    return d->dir;
}

static gr_sweep_slurm *new_dir(const char *dir, char *err, size_t errlen)
{
    char real[PATH_MAX];
    if (!realpath(dir, real)) {
        gr_sweep_seterr(err, errlen, "%s: %s", dir, strerror(errno));
        return NULL;
    }
    gr_sweep_slurm *d = calloc(1, sizeof *d);
    if (!d)
        abort();
    d->dir = gr_sweep_xstrdup(real);
    return d;
}

gr_sweep_slurm *gr_sweep_slurm_open(const char *dir, char *err, size_t errlen)
{
    gr_sweep_slurm *d = new_dir(dir, err, errlen);
    if (!d)
        return NULL;
    char *mpath = path_join(d->dir, "manifest.json"), *ppath = path_join(d->dir, "points.json");
    json_error_t je;
    json_t *root = json_load_file(mpath, 0, &je), *traces;
    json_int_t ver = 0, npoints = 0;
    const char *id, *version, *pxxh, *header;
    if (!root) {
        if (access(mpath, F_OK) != 0)
            gr_sweep_seterr(err, errlen, "%s: no manifest: not a granule sweep results directory",
                   mpath);
        else
            gr_sweep_seterr(err, errlen, "%s:%d: %s", mpath, je.line, je.text);
        goto fail;
    }
    if (json_unpack_ex(root, &je, 0, "{s:I, s:s, s:s, s:s, s:I, s:s, s:o}",
                       "granule_sweep_manifest", &ver, "id", &id, "granule_version", &version,
                       "points_xxh64", &pxxh, "npoints", &npoints, "header", &header, "traces",
                       &traces) != 0) {
        gr_sweep_seterr(err, errlen, "%s: not a granule sweep manifest: %s", mpath, je.text);
        goto fail;
    }
    if (ver != MANIFEST_VERSION || !json_is_array(traces)) {
        gr_sweep_seterr(err, errlen, "%s: manifest version %lld, this granule reads %d", mpath,
               (long long)ver, MANIFEST_VERSION);
        goto fail;
    }
    d->version = gr_sweep_xstrdup(version);
    d->header = gr_sweep_xstrdup(header);
    size_t i;
    json_t *v;
    d->traces = calloc(json_array_size(traces) + 1, sizeof *d->traces);
    if (!d->traces)
        abort();
    json_array_foreach(traces, i, v) {
        const char *arg, *path, *xxh;
        json_int_t size;
        if (json_unpack_ex(v, &je, 0, "{s:s, s:s, s:I, s:s}", "trace", &arg, "path", &path,
                           "size", &size, "xxh64", &xxh) != 0 ||
            strlen(xxh) != 16 || size < 0) {
            gr_sweep_seterr(err, errlen, "%s: traces[%zu]: %s", mpath, i,
                   strlen(je.text) ? je.text : "bad size or xxh64");
            goto fail;
        }
        strace *t = &d->traces[d->ntraces++];
        t->arg = gr_sweep_xstrdup(arg);
        t->path = gr_sweep_xstrdup(path);
        t->size = (uint64_t)size;
        memcpy(t->xxh, xxh, 17);
    }
    uint64_t psize;
    if (file_xxh64(ppath, &psize, d->points_xxh, err, errlen) != 0)
        goto fail;
    if (strcmp(d->points_xxh, pxxh) != 0) {
        gr_sweep_seterr(err, errlen, "%s: XXH64 %s, the manifest says %s (edited after submission?)",
               ppath, d->points_xxh, pxxh);
        goto fail;
    }
    manifest_id(d);
    if (strcmp(d->id, id) != 0) {
        gr_sweep_seterr(err, errlen, "%s: id %s, but its contents hash to %s (edited?)", mpath, id,
               d->id);
        goto fail;
    }
    d->s = gr_sweep_load_points(ppath, err, errlen);
    if (!d->s)
        goto fail;
    char *h = sweep_header(d->s);
    bool same = strcmp(h, d->header) == 0;
    free(h);
    if (!same || (size_t)npoints != gr_sweep_count(d->s)) {
        gr_sweep_seterr(err, errlen, "%s: header or point count differs from %s", mpath, ppath);
        goto fail;
    }
    for (size_t p = 0; p < gr_sweep_count(d->s); p++) {
        const char *tp = gr_sweep_point_get(d->s, p)->trace_path;
        size_t t;
        for (t = 0; t < d->ntraces && strcmp(d->traces[t].path, tp) != 0; t++)
            ;
        if (t == d->ntraces) {
            gr_sweep_seterr(err, errlen, "%s: point %zu's trace %s has no checksum", mpath, p, tp);
            goto fail;
        }
    }
    json_decref(root);
    free(mpath);
    free(ppath);
    return d;
fail:
    json_decref(root);
    free(mpath);
    free(ppath);
    gr_sweep_slurm_close(d);
    return NULL;
}

gr_sweep_slurm *gr_sweep_slurm_prepare(const gr_sweep *s, const char *dir,
                                       const gr_sweep_slurm_opts *o, char *err, size_t errlen)
{
    if (make_dir(dir, err, errlen) != 0)
        return NULL;
    gr_sweep_slurm *d = new_dir(dir, err, errlen);
    if (!d)
        return NULL;
    char *pjson = NULL;
    size_t plen = 0;
    FILE *m = open_memstream(&pjson, &plen);
    if (!m)
        abort();
    gr_sweep_write_points(s, m);
    fclose(m);
    snprintf(d->points_xxh, sizeof d->points_xxh, "%016" PRIx64,
             (uint64_t)XXH64(pjson, plen, 0));
    d->version = gr_sweep_xstrdup(o->version);
    d->header = sweep_header(s);
    size_t n = gr_sweep_count(s);
    d->traces = calloc(n + 1, sizeof *d->traces);
    if (!d->traces)
        abort();
    for (size_t i = 0; i < n; i++) {
        const gr_sweep_point *p = gr_sweep_point_get(s, i);
        size_t t;
        for (t = 0; t < d->ntraces && strcmp(d->traces[t].path, p->trace_path) != 0; t++)
            ;
        if (t < d->ntraces)
            continue;
        strace *tr = &d->traces[d->ntraces++];
        tr->arg = gr_sweep_xstrdup(p->trace);
        tr->path = gr_sweep_xstrdup(p->trace_path);
        tr->verified = 1;
        if (file_xxh64(tr->path, &tr->size, tr->xxh, err, errlen) != 0)
            goto fail;
    }
    manifest_id(d);

    char *mpath = path_join(d->dir, "manifest.json");
    bool exists = access(mpath, F_OK) == 0;
    free(mpath);
    if (exists) {
        /* the same sweep again: carry on in it; another one: refuse */
        gr_sweep_slurm *old = gr_sweep_slurm_open(d->dir, err, errlen);
        if (!old)
            goto fail;
        if (strcmp(old->id, d->id) != 0) {
            gr_sweep_seterr(err, errlen,
                   "%s/manifest.json: another sweep (manifest %s; this one is %s: a different "
                   "grid, trace contents or granule version); refusing to mix their results, "
                   "use a new directory",
                   d->dir, old->id, d->id);
            gr_sweep_slurm_close(old);
            goto fail;
        }
        free(pjson);
        gr_sweep_slurm_close(d);
        return old;
    }

    json_t *root = json_object(), *traces = json_array();
    json_object_set_new(root, "granule_sweep_manifest", json_integer(MANIFEST_VERSION));
    json_object_set_new(root, "id", json_string(d->id));
    json_object_set_new(root, "granule_version", json_string(d->version));
    json_object_set_new(root, "points_file", json_string("points.json"));
    json_object_set_new(root, "points_xxh64", json_string(d->points_xxh));
    json_object_set_new(root, "npoints", json_integer((json_int_t)n));
    json_object_set_new(root, "header", json_string(d->header));
    for (size_t t = 0; t < d->ntraces; t++)
        json_array_append_new(traces, json_pack("{s:s, s:s, s:I, s:s}", "trace",
                                                d->traces[t].arg, "path", d->traces[t].path,
                                                "size", (json_int_t)d->traces[t].size, "xxh64",
                                                d->traces[t].xxh));
    json_object_set_new(root, "traces", traces);
    char *mtext = json_dumps(root, JSON_INDENT(1));
    json_decref(root);
    if (!mtext)
        abort();
    size_t mlen = strlen(mtext);
    mtext = realloc(mtext, mlen + 2);
    if (!mtext)
        abort();
    strcpy(mtext + mlen, "\n");
    int rc = 0;
    char *sub;
    const char *subs[] = {"results", "slurm", "logs"};
    for (size_t k = 0; k < 3 && rc == 0; k++) {
        sub = path_join(d->dir, subs[k]);
        rc = make_dir(sub, err, errlen);
        free(sub);
    }
    /* the points first: a manifest names a complete points file */
    if (rc == 0)
        rc = write_atomic(d->dir, "points.json", pjson, plen, err, errlen);
    if (rc == 0)
        rc = write_atomic(d->dir, "manifest.json", mtext, mlen + 1, err, errlen);
    free(mtext);
    free(pjson);
    pjson = NULL;
    if (rc != 0)
        goto fail;
    /* read back through the same path as every later command */
    gr_sweep_slurm_close(d);
    return gr_sweep_slurm_open(dir, err, errlen);
fail:
    free(pjson);
    gr_sweep_slurm_close(d);
    return NULL;
}

/* Checks trace t against the manifest once. */
static int verify_trace(gr_sweep_slurm *d, size_t t, char *err, size_t errlen)
{
    strace *tr = &d->traces[t];
    if (tr->verified == 0) {
        uint64_t size;
        char xxh[17];
        if (file_xxh64(tr->path, &size, xxh, err, errlen) != 0) {
            tr->verified = -1;
            return -1;
        }
        if (size != tr->size || strcmp(xxh, tr->xxh) != 0) {
            gr_sweep_seterr(err, errlen,
                   "%s: changed since the sweep was submitted (%" PRIu64 " bytes, XXH64 %s; "
                   "the manifest has %" PRIu64 " bytes, %s)",
                   tr->path, size, xxh, tr->size, tr->xxh);
            tr->verified = -1;
            return -1;
        }
        tr->verified = 1;
    } else if (tr->verified < 0) {
        gr_sweep_seterr(err, errlen, "%s: changed since the sweep was submitted or unreadable",
               tr->path);
        return -1;
    }
    return 0;
}

static size_t trace_of(const gr_sweep_slurm *d, size_t i)
{
    const char *tp = gr_sweep_point_get(d->s, i)->trace_path;
    for (size_t t = 0; t < d->ntraces; t++)
        if (strcmp(d->traces[t].path, tp) == 0)
            return t;
    return 0; /* open() checked that every trace is there */
}

int gr_sweep_slurm_check_traces(gr_sweep_slurm *d, char *err, size_t errlen)
{
    for (size_t t = 0; t < d->ntraces; t++) {
        d->traces[t].verified = 0;
        if (verify_trace(d, t, err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* ---- submissions: slurm/N.tasks, slurm/N.sh, slurm/N.job ---- */

static char *sub_path(const gr_sweep_slurm *d, unsigned sub, const char *ext)
{
    char *p;
    if (asprintf(&p, "%s/slurm/%u.%s", d->dir, sub, ext) < 0)
        abort();
    return p;
}

/* The points of every task of submission sub: tasks[t] is a malloc'd list
 * ending with (size_t)-1. @return the number of tasks, or -1. */
static long read_tasks(const gr_sweep_slurm *d, unsigned sub, size_t ***tasks, char *err,
                       size_t errlen)
{
    char *path = sub_path(d, sub, "tasks");
    char *text = read_all(path, NULL);
    long nt = 0;
    *tasks = NULL;
    if (!text) {
        gr_sweep_seterr(err, errlen, "%s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    size_t n = gr_sweep_count(d->s);
    char *save = NULL;
    size_t lineno = 0;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        size_t *list = malloc((n + 1) * sizeof *list), k = 0;
        if (!list)
            abort();
        char *p = line, *e;
        while (*p) {
            errno = 0;
            unsigned long long v = strtoull(p, &e, 10);
            if (e == p || errno || v >= n || k >= n || (*e && *e != ' ')) {
                gr_sweep_seterr(err, errlen, "%s:%zu: not a list of point indices below %zu", path,
                       lineno, n);
                free(list);
                goto fail;
            }
            list[k++] = (size_t)v;
            p = *e ? e + 1 : e;
        }
        list[k] = (size_t)-1;
        *tasks = realloc(*tasks, (size_t)(nt + 1) * sizeof **tasks);
        if (!*tasks)
            abort();
        (*tasks)[nt++] = list;
    }
    free(text);
    free(path);
    return nt;
fail:
    for (long t = 0; t < nt; t++)
        free((*tasks)[t]);
    free(*tasks);
    *tasks = NULL;
    free(text);
    free(path);
    return -1;
}

static void free_tasks(size_t **tasks, long nt)
{
    for (long t = 0; t < nt; t++)
        free(tasks[t]);
    free(tasks);
}

static unsigned next_submission(const gr_sweep_slurm *d)
{
    unsigned sub = 0;
    for (;; sub++) {
        char *p = sub_path(d, sub, "tasks");
        bool there = access(p, F_OK) == 0;
        free(p);
        if (!there)
            return sub;
    }
}

/* Runs argv, its stdout and stderr into *out. @return its exit status or -1. */
static int run_capture(char *const argv[], char **out)
{
    int pfd[2];
    *out = NULL;
    if (pipe(pfd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(pfd[1], STDOUT_FILENO);
        dup2(pfd[1], STDERR_FILENO);
        close(pfd[0]);
        close(pfd[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(pfd[1]);
    size_t len = 0;
    FILE *m = open_memstream(out, &len);
    if (!m)
        abort();
    char buf[4096];
    ssize_t r;
    while ((r = read(pfd[0], buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR))
        if (r > 0)
            fwrite(buf, 1, (size_t)r, m);
    close(pfd[0]);
    fclose(m);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static bool shell_safe(const char *s)
{
    return !strchr(s, '\'') && !strchr(s, '\n');
}

int gr_sweep_slurm_submit(gr_sweep_slurm *d, const size_t *todo, size_t n,
                          const gr_sweep_slurm_opts *o, long *job, char *err, size_t errlen)
{
    *job = 0;
    if (!n) {
        gr_sweep_seterr(err, errlen, "nothing to submit");
        return -1;
    }
    if (gr_sweep_slurm_check_traces(d, err, errlen) != 0)
        return -1;
    if (!shell_safe(d->dir) || !shell_safe(o->granule_exe)) {
        gr_sweep_seterr(err, errlen, "%s: a path with a quote or newline cannot go in a batch script",
               !shell_safe(d->dir) ? d->dir : o->granule_exe);
        return -1;
    }
    size_t per = o->points_per_task ? o->points_per_task : 1;
    size_t ntasks = (n + per - 1) / per;
    unsigned sub = next_submission(d);
    char *tpath = sub_path(d, sub, "tasks"), *spath = sub_path(d, sub, "sh");
    char *jpath = sub_path(d, sub, "job"), *tname, *sname, *jname;
    if (asprintf(&tname, "%u.tasks", sub) < 0 || asprintf(&sname, "%u.sh", sub) < 0 ||
        asprintf(&jname, "%u.job", sub) < 0)
        abort();
    char *sdir = path_join(d->dir, "slurm"), *out = NULL, *arr = NULL, *opath = NULL;
    char *text = NULL, *extra[3] = {NULL, NULL, NULL};
    size_t len = 0;
    int rc = -1;

    FILE *m = open_memstream(&text, &len);
    if (!m)
        abort();
    for (size_t t = 0; t < ntasks; t++) {
        for (size_t k = t * per; k < n && k < (t + 1) * per; k++)
            fprintf(m, "%s%zu", k == t * per ? "" : " ", todo[k]);
        fputc('\n', m);
    }
    fclose(m);
    if (write_atomic(sdir, tname, text, len, err, errlen) != 0)
        goto out;
    free(text);
    text = NULL;
    /* the task re-reads the manifest and the task list: the script holds
     * only where to find them */
    if (asprintf(&text,
                 "#!/bin/sh\n"
                 "# granule sweep, results directory %s, manifest %s, submission %u\n"
                 "exec '%s' sweep task '%s' %u \"$SLURM_ARRAY_TASK_ID\" %s\n",
                 d->dir, d->id, sub, o->granule_exe, d->dir, sub, d->id) < 0)
        abort();
    if (write_atomic(sdir, sname, text, strlen(text), err, errlen) != 0 ||
        chmod(spath, 0755) != 0) {
        unlink(tpath);
        goto out;
    }
    if (asprintf(&arr, "--array=0-%zu", ntasks - 1) < 0 ||
        asprintf(&opath, "--output=%s/logs/%%A_%%a.log", d->dir) < 0)
        abort();
    const char *argv[64 + 16];
    size_t a = 0;
    argv[a++] = "sbatch";
    argv[a++] = "--parsable";
    argv[a++] = arr;
    argv[a++] = "--job-name=granule-sweep";
    argv[a++] = opath;
    if (o->partition && asprintf(&extra[0], "--partition=%s", o->partition) >= 0)
        argv[a++] = extra[0];
    if (o->time && asprintf(&extra[1], "--time=%s", o->time) >= 0)
        argv[a++] = extra[1];
    if (o->mem && asprintf(&extra[2], "--mem=%s", o->mem) >= 0)
        argv[a++] = extra[2];
    for (size_t k = 0; k < o->nsbatch_args && k < 64; k++)
        argv[a++] = o->sbatch_args[k];
    argv[a++] = spath;
    argv[a] = NULL;
    int st = run_capture((char *const *)argv, &out);
    char *e;
    long id = out ? strtol(out, &e, 10) : 0;
    if (st != 0 || id <= 0 || (*e && *e != ';' && *e != '\n')) {
        size_t ol = out ? strlen(out) : 0;
        while (ol && (out[ol - 1] == '\n' || out[ol - 1] == ' '))
            out[--ol] = '\0';
        gr_sweep_seterr(err, errlen, "sbatch failed (exit %d): %s", st,
               out && *out ? out : "no output");
        unlink(tpath);
        unlink(spath);
        goto out;
    }
    free(text);
    if (asprintf(&text, "%ld\n", id) < 0)
        abort();
    if (write_atomic(sdir, jname, text, strlen(text), err, errlen) != 0)
        goto out;
    *job = id;
    rc = 0;
out:
    free(text);
    free(out);
    free(arr);
    free(opath);
    for (int k = 0; k < 3; k++)
        free(extra[k]);
    free(sdir);
    free(tname);
    free(sname);
    free(jname);
    free(tpath);
    free(spath);
    free(jpath);
    return rc;
}

/* ---- the array task ---- */

static int write_status(gr_sweep_slurm *d, size_t i, unsigned sub, long job, long task,
                        int code, const char *error, char *err, size_t errlen)
{
    char name[64];
    snprintf(name, sizeof name, "%zu.json", i);
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    json_t *o = json_pack("{s:s, s:I, s:s, s:I, s:I, s:I, s:i, s:s, s:s}", "manifest", d->id,
                          "point", (json_int_t)i, "key", gr_sweep_point_get(d->s, i)->key,
                          "submission", (json_int_t)sub, "job", (json_int_t)job, "task",
                          (json_int_t)task, "exit", code, "error", error, "node", host);
    if (!o)
        abort();
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!text)
        abort();
    size_t len = strlen(text);
    text = realloc(text, len + 2);
    if (!text)
        abort();
    strcpy(text + len, "\n");
    char *rdir = path_join(d->dir, "results");
    int rc = write_atomic(rdir, name, text, len + 1, err, errlen);
    free(rdir);
    free(text);
    return rc;
}

/* Runs point i in a child process (a crash costs only the point), its row
 * under the header into results/.tmp.PID.I.csv. @return the child's exit
 * status (128 + N for signal N) with the reason in err. */
static int run_point(gr_sweep_slurm *d, size_t i, const char *tmp, char *err, size_t errlen)
{
    int pfd[2];
    if (pipe(pfd) != 0) {
        gr_sweep_seterr(err, errlen, "pipe: %s", strerror(errno));
        return 2;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        gr_sweep_seterr(err, errlen, "fork: %s", strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        return 2;
    }
    if (pid == 0) {
        close(pfd[0]);
        char e[1024] = "";
        int rc = 2;
        FILE *f = fopen(tmp, "w");
        if (!f) {
            snprintf(e, sizeof e, "%s: cannot create: %s", tmp, strerror(errno));
        } else {
            fputs(d->header, f);
            rc = gr_sweep_run_point(d->s, i, f, e, sizeof e);
            if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
                if (rc == 0)
                    snprintf(e, sizeof e, "%s: write error: %s", tmp, strerror(errno));
                rc = 2;
            }
            fclose(f);
        }
        if (rc != 0 && write(pfd[1], e, strlen(e)) < 0)
            rc = 2;
        close(pfd[1]);
        _exit(rc);
    }
    close(pfd[1]);
    size_t got = 0;
    ssize_t r;
    err[0] = '\0';
    while (got + 1 < errlen &&
           ((r = read(pfd[0], err + got, errlen - 1 - got)) > 0 || (r < 0 && errno == EINTR)))
        if (r > 0)
            got += (size_t)r;
    err[got] = '\0';
    close(pfd[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            gr_sweep_seterr(err, errlen, "waitpid: %s", strerror(errno));
            return 2;
        }
    if (WIFSIGNALED(st)) {
        gr_sweep_seterr(err, errlen, "the replay was killed by signal %d (%s)", WTERMSIG(st),
               strsignal(WTERMSIG(st)));
        return 128 + WTERMSIG(st);
    }
    return WEXITSTATUS(st);
}

int gr_sweep_slurm_run_task(gr_sweep_slurm *d, const char *manifest_id, unsigned sub,
                            long task, char *err, size_t errlen)
{
    if (strcmp(manifest_id, d->id) != 0) {
        gr_sweep_seterr(err, errlen,
               "%s/manifest.json: manifest %s, the task was submitted for %s; refusing to mix",
               d->dir, d->id, manifest_id);
        return -1;
    }
    size_t **tasks;
    long nt = read_tasks(d, sub, &tasks, err, errlen);
    if (nt < 0)
        return -1;
    if (task < 0 || task >= nt) {
        char *p = sub_path(d, sub, "tasks");
        gr_sweep_seterr(err, errlen, "%s: no task %ld (%ld tasks)", p, task, nt);
        free(p);
        free_tasks(tasks, nt);
        return -1;
    }
    char *jpath = sub_path(d, sub, "job");
    char *jtext = read_all(jpath, NULL);
    long job = jtext ? strtol(jtext, NULL, 10) : 0;
    free(jtext);
    free(jpath);
    const char *env = getenv("SLURM_ARRAY_JOB_ID");
    if (env && *env)
        job = strtol(env, NULL, 10); /* sbatch may not have returned yet */
    int worst = 0;
    char *rdir = path_join(d->dir, "results");
    for (const size_t *p = tasks[task]; *p != (size_t)-1; p++) {
        size_t i = *p;
        char e[1024], name[64], *tmp;
        char desc[1024];
        gr_sweep_describe(d->s, i, desc, sizeof desc);
        snprintf(name, sizeof name, "%zu.csv", i);
        if (asprintf(&tmp, "%s/.tmp.%ld.%s", rdir, (long)getpid(), name) < 0)
            abort();
        int code;
        if (verify_trace(d, trace_of(d, i), e, sizeof e) != 0)
            code = 2;
        else
            code = run_point(d, i, tmp, e, sizeof e);
        if (code == 0) {
            char *final = path_join(rdir, name);
            /* the status first: a row is never without its manifest id */
            if (write_status(d, i, sub, job, task, 0, "", e, sizeof e) != 0) {
                code = 2;
            } else if (rename(tmp, final) != 0) {
                snprintf(e, sizeof e, "%s: cannot rename into place: %s", final,
                         strerror(errno));
                code = 2;
            }
            free(final);
        }
        if (code != 0) {
            unlink(tmp);
            fprintf(stderr, "granule sweep task: point %zu (%s): failed, exit %d: %s\n", i,
                    desc, code, e);
            char e2[512];
            if (write_status(d, i, sub, job, task, code, e, e2, sizeof e2) != 0)
                fprintf(stderr, "granule sweep task: %s\n", e2);
            if (code > worst)
                worst = code;
        } else {
            fprintf(stderr, "granule sweep task: point %zu (%s): done\n", i, desc);
        }
        free(tmp);
    }
    free(rdir);
    free_tasks(tasks, nt);
    return worst;
}

/* ---- scan and collect ---- */

/* Fields of one CSV line (RFC 4180 quoting), without its newline. */
static size_t csv_count(const char *l, size_t len)
{
    size_t n = 1;
    bool q = false;
    for (size_t i = 0; i < len; i++) {
        if (l[i] == '"')
            q = !q; /* "" inside quotes toggles twice */
        else if (l[i] == ',' && !q)
            n++;
    }
    return n;
}

/* results/I.csv: the header, then point i's row, nothing else. */
static int check_row_file(gr_sweep_slurm *d, size_t i, const char *path, char **row, char *err,
                          size_t errlen)
{
    size_t len;
    char *text = read_all(path, &len);
    if (!text) {
        gr_sweep_seterr(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t hl = strlen(d->header);
    if (len < hl || memcmp(text, d->header, hl) != 0) {
        gr_sweep_seterr(err, errlen, "%s:1: not this sweep's header", path);
        goto bad;
    }
    char *r = text + hl, *nl = memchr(r, '\n', len - hl);
    if (!nl || (size_t)(nl + 1 - text) != len || memchr(text, '\0', len)) {
        gr_sweep_seterr(err, errlen, "%s:2: want exactly one complete row after the header", path);
        goto bad;
    }
    size_t want = csv_count(d->header, hl - 1), got = csv_count(r, (size_t)(nl - r));
    if (got != want) {
        gr_sweep_seterr(err, errlen, "%s:2: %zu fields, the header has %zu", path, got, want);
        goto bad;
    }
    char prefix[64];
    int pl = snprintf(prefix, sizeof prefix, "%zu,%s,", i, gr_sweep_point_get(d->s, i)->key);
    if (strncmp(r, prefix, (size_t)pl) != 0) {
        gr_sweep_seterr(err, errlen, "%s:2: not point %zu's row (want it to start with %s)", path, i,
               prefix);
        goto bad;
    }
    *row = gr_sweep_xstrdup(r);
    free(text);
    return 0;
bad:
    free(text);
    return -1;
}

typedef struct status {
    bool there;
    long job, task;
    int exit_code;
    char error[512];
} status;

static int read_status(gr_sweep_slurm *d, size_t i, const char *path, status *st, char *err,
                       size_t errlen)
{
    json_error_t je;
    json_t *o = json_load_file(path, 0, &je);
    if (!o) {
        gr_sweep_seterr(err, errlen, "%s:%d: %s", path, je.line, je.text);
        return -1;
    }
    const char *mid, *key, *error;
    json_int_t point, job, task;
    int code;
    int rc = -1;
    if (json_unpack_ex(o, &je, 0, "{s:s, s:I, s:s, s:I, s:I, s:i, s:s}", "manifest", &mid,
                       "point", &point, "key", &key, "job", &job, "task", &task, "exit", &code,
                       "error", &error) != 0) {
        gr_sweep_seterr(err, errlen, "%s: not a point status: %s", path, je.text);
    } else if (strcmp(mid, d->id) != 0) {
        gr_sweep_seterr(err, errlen,
               "%s: from another sweep (manifest %s, this directory's is %s); refusing to mix",
               path, mid, d->id);
    } else if ((size_t)point != i || strcmp(key, gr_sweep_point_get(d->s, i)->key) != 0) {
        gr_sweep_seterr(err, errlen, "%s: point %lld key %s, want point %zu key %s", path,
               (long long)point, key, i, gr_sweep_point_get(d->s, i)->key);
    } else {
        st->there = true;
        st->job = (long)job;
        st->task = (long)task;
        st->exit_code = code;
        snprintf(st->error, sizeof st->error, "%s", error);
        rc = 0;
    }
    json_decref(o);
    return rc;
}

/* squeue's array tasks: "JOB TASK STATE" lines of the jobs in jobs[]. */
typedef struct qtask {
    long job, task;
    gr_sweep_slurm_state state;
} qtask;

static size_t query_squeue(qtask **out)
{
    *out = NULL;
    char *text = NULL;
    /* %F array job id, %K array task id, %T state; -r one line per task */
    char *const argv[] = {"squeue", "-h", "-r", "-o", "%F %K %T", NULL};
    int st = run_capture(argv, &text);
    size_t n = 0;
    if (st == 0 && text) {
        char *save = NULL;
        for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
            long job, task;
            char state[64];
            if (sscanf(l, "%ld %ld %63s", &job, &task, state) != 3)
                continue;
            *out = realloc(*out, (n + 1) * sizeof **out);
            if (!*out)
                abort();
            (*out)[n].job = job;
            (*out)[n].task = task;
            (*out)[n].state = strcmp(state, "PENDING") == 0 ? GR_SWEEP_SLURM_PENDING
                                                             : GR_SWEEP_SLURM_RUNNING;
            n++;
        }
    }
    free(text);
    return n;
}

/* "123.csv" / "123.json": the index and the kind; temporary files skipped. */
static int result_name(const char *name, size_t n, size_t *idx, bool *csv)
{
    char *e;
    if (name[0] < '0' || name[0] > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(name, &e, 10);
    if (errno || v >= n)
        return -1;
    if (strcmp(e, ".csv") == 0)
        *csv = true;
    else if (strcmp(e, ".json") == 0)
        *csv = false;
    else
        return -1;
    *idx = (size_t)v;
    return 0;
}

int gr_sweep_slurm_scan(gr_sweep_slurm *d, bool use_squeue, gr_sweep_slurm_point *pts,
                        char *err, size_t errlen)
{
    size_t n = gr_sweep_count(d->s);
    int rc = -1;
    if (!d->rows) {
        d->rows = calloc(n + 1, sizeof *d->rows);
        if (!d->rows)
            abort();
    }
    for (size_t i = 0; i < n; i++) {
        free(d->rows[i]);
        d->rows[i] = NULL;
        pts[i] = (gr_sweep_slurm_point){.state = GR_SWEEP_SLURM_MISSING, .task = -1};
    }
    status *sts = calloc(n + 1, sizeof *sts);
    bool *csv = calloc(n + 1, sizeof *csv);
    qtask *q = NULL;
    size_t nq = 0;
    char *rdir = path_join(d->dir, "results");
    if (!sts || !csv)
        abort();
    DIR *dh = opendir(rdir);
    if (!dh) {
        gr_sweep_seterr(err, errlen, "%s: %s", rdir, strerror(errno));
        goto out;
    }
    struct dirent *de;
    while ((de = readdir(dh))) {
        const char *nm = de->d_name;
        if (nm[0] == '.')
            continue; /* ., .., and a killed task's temporary files */
        size_t i;
        bool is_csv;
        if (result_name(nm, n, &i, &is_csv) != 0) {
            gr_sweep_seterr(err, errlen,
                   "%s/%s: not a result of this sweep (want I.csv or I.json, I below %zu)", rdir,
                   nm, n);
            closedir(dh);
            goto out;
        }
        if (is_csv)
            csv[i] = true;
    }
    closedir(dh);
    for (size_t i = 0; i < n; i++) {
        char name[64], *path;
        snprintf(name, sizeof name, "%zu.json", i);
        path = path_join(rdir, name);
        int r = 0;
        if (access(path, F_OK) == 0)
            r = read_status(d, i, path, &sts[i], err, errlen);
        free(path);
        if (r != 0)
            goto out;
        if (csv[i]) {
            snprintf(name, sizeof name, "%zu.csv", i);
            path = path_join(rdir, name);
            if (!sts[i].there || sts[i].exit_code != 0) {
                gr_sweep_seterr(err, errlen, "%s: no status %zu.json of this sweep with exit 0 beside it",
                       path, i);
                free(path);
                goto out;
            }
            r = check_row_file(d, i, path, &d->rows[i], err, errlen);
            free(path);
            if (r != 0)
                goto out;
        }
    }
    /* the last submission of each point: its job and array task */
    unsigned nsub = next_submission(d);
    for (unsigned sub = 0; sub < nsub; sub++) {
        size_t **tasks;
        long nt = read_tasks(d, sub, &tasks, err, errlen);
        if (nt < 0)
            goto out;
        char *jpath = sub_path(d, sub, "job");
        char *jtext = read_all(jpath, NULL);
        long job = jtext ? strtol(jtext, NULL, 10) : 0;
        free(jtext);
        free(jpath);
        for (long t = 0; t < nt; t++)
            for (const size_t *p = tasks[t]; *p != (size_t)-1; p++) {
                pts[*p].job = job;
                pts[*p].task = t;
            }
        free_tasks(tasks, nt);
    }
    if (use_squeue)
        nq = query_squeue(&q);
    for (size_t i = 0; i < n; i++) {
        gr_sweep_slurm_point *p = &pts[i];
        if (d->rows[i]) {
            p->state = GR_SWEEP_SLURM_DONE;
            p->job = sts[i].job;
            p->task = sts[i].task;
            continue;
        }
        for (size_t k = 0; k < nq; k++)
            if (q[k].job == p->job && q[k].task == p->task && p->job)
                p->state = q[k].state;
        if (p->state != GR_SWEEP_SLURM_MISSING)
            continue;
        /* a failure counts until the point is given to another job */
        if (sts[i].there && sts[i].exit_code != 0 && (sts[i].job == p->job || !p->job)) {
            p->state = GR_SWEEP_SLURM_FAILED;
            p->job = sts[i].job;
            p->task = sts[i].task;
            p->exit_code = sts[i].exit_code;
            snprintf(p->error, sizeof p->error, "%s", sts[i].error);
        }
    }
    rc = 0;
out:
    free(q);
    free(rdir);
    free(sts);
    free(csv);
    return rc;
}

int gr_sweep_slurm_collect(gr_sweep_slurm *d, const gr_sweep_slurm_point *pts, FILE *out,
                           char *err, size_t errlen)
{
    fputs(d->header, out);
    for (size_t i = 0; i < gr_sweep_count(d->s); i++)
        if (pts[i].state == GR_SWEEP_SLURM_DONE && d->rows && d->rows[i])
            fputs(d->rows[i], out);
    if (fflush(out) != 0 || ferror(out)) {
        gr_sweep_seterr(err, errlen, "write error: %s", strerror(errno));
        return -1;
    }
    return 0;
}
