/* granule sweep on Slurm: submission, collect, status, resume and the
 * array task body (docs/sweep.md, "Slurm backend"). */
#define _GNU_SOURCE /* getopt_long */
#include "cmd_sweep_slurm.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cli.h"

#define CMD "sweep"

void gr_cli_slurm_args_init(gr_cli_slurm_args *a)
{
    memset(a, 0, sizeof *a);
    a->o.points_per_task = 1;
    a->o.sbatch_args = a->sbatch;
    a->o.version = GRANULE_VERSION;
}

int gr_cli_slurm_args_option(gr_cli_slurm_args *a, int c, const char *arg)
{
    switch (c) {
    case GR_CLI_SLURM_O_PPT: {
        char *e;
        errno = 0;
        long v = strtol(arg, &e, 10);
        if (e == arg || *e || errno || v < 1 || v > 1000000) {
            gr_cli_error(CMD, "--points-per-task: `%s` is not a count of points (1..1000000)",
                         arg);
            return -1;
        }
        a->o.points_per_task = (size_t)v;
        return 1;
    }
    case GR_CLI_SLURM_O_PARTITION:
        a->o.partition = arg;
        return 1;
    case GR_CLI_SLURM_O_TIME:
        a->o.time = arg;
        return 1;
    case GR_CLI_SLURM_O_MEM:
        a->o.mem = arg;
        return 1;
    case GR_CLI_SLURM_O_SBATCH:
        if (a->o.nsbatch_args == GR_CLI_SLURM_MAX_SBATCH) {
            gr_cli_error(CMD, "--sbatch: at most %d", GR_CLI_SLURM_MAX_SBATCH);
            return -1;
        }
        a->sbatch[a->o.nsbatch_args++] = arg;
        return 1;
    }
    return 0;
}

/* The granule the array tasks run: this very executable. */
static int own_exe(gr_cli_slurm_args *a, char *buf, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    if (n <= 0) {
        gr_cli_error(CMD, "/proc/self/exe: %s", strerror(errno));
        return -1;
    }
    buf[n] = '\0';
    a->o.granule_exe = buf;
    return 0;
}

/* The points not done and not queued, of those selected. */
static size_t todo_list(const gr_sweep *s, const gr_sweep_slurm_point *pts, const bool *sel,
                        size_t *todo)
{
    size_t n = 0;
    for (size_t i = 0; i < gr_sweep_count(s); i++)
        if ((!sel || sel[i]) &&
            (pts[i].state == GR_SWEEP_SLURM_MISSING || pts[i].state == GR_SWEEP_SLURM_FAILED))
            todo[n++] = i;
    return n;
}

static int submit_todo(gr_sweep_slurm *d, const bool *sel, gr_cli_slurm_args *a, bool quiet)
{
    char err[2048], exe[PATH_MAX];
    const gr_sweep *s = gr_sweep_slurm_sweep(d);
    size_t n = gr_sweep_count(s);
    gr_sweep_slurm_point *pts = calloc(n + 1, sizeof *pts);
    size_t *todo = calloc(n + 1, sizeof *todo);
    int rc = GR_EXIT_USAGE, lock = -1;
    if (!pts || !todo) {
        gr_cli_error(CMD, "out of memory");
        goto out;
    }
    if (own_exe(a, exe, sizeof exe) != 0)
        goto out;
    if (strcmp(gr_sweep_slurm_version(d), GRANULE_VERSION) != 0) {
        gr_cli_error(CMD, "%s/manifest.json: written by granule %s, this is %s; refusing to mix "
                     "their results",
                     gr_sweep_slurm_dir(d), gr_sweep_slurm_version(d), GRANULE_VERSION);
        goto out;
    }
    /* one submitter at a time, so two resumes cannot both submit a point */
    char *lpath;
    if (asprintf(&lpath, "%s/slurm/.lock", gr_sweep_slurm_dir(d)) < 0)
        abort();
    lock = open(lpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) != 0) {
        gr_cli_error(CMD, "%s: %s", lpath,
                     lock < 0 ? strerror(errno) : "another granule sweep is submitting");
        free(lpath);
        goto out;
    }
    free(lpath);
    if (gr_sweep_slurm_scan(d, true, pts, err, sizeof err) != 0) {
        gr_cli_error(CMD, "%s", err);
        goto out;
    }
    size_t ntodo = todo_list(s, pts, sel, todo), queued = 0, done = 0;
    for (size_t i = 0; i < n; i++) {
        queued += pts[i].state == GR_SWEEP_SLURM_PENDING || pts[i].state == GR_SWEEP_SLURM_RUNNING;
        done += pts[i].state == GR_SWEEP_SLURM_DONE;
    }
    if (!ntodo) {
        if (!quiet)
            fprintf(stderr, "granule sweep: %zu points: %zu done, %zu pending or running; "
                    "nothing to submit\n", n, done, queued);
        rc = GR_EXIT_OK;
        goto out;
    }
    long job;
    if (gr_sweep_slurm_submit(d, todo, ntodo, &a->o, &job, err, sizeof err) != 0) {
        gr_cli_error(CMD, "%s", err);
        goto out;
    }
    size_t per = a->o.points_per_task;
    if (!quiet)
        fprintf(stderr,
                "granule sweep: %zu points: submitted %zu as Slurm job %ld (%zu array tasks), "
                "%zu done, %zu pending or running; results in %s\n"
                "  watch: granule sweep status %s\n  then:  granule sweep collect %s\n",
                n, ntodo, job, (ntodo + per - 1) / per, done, queued, gr_sweep_slurm_dir(d),
                gr_sweep_slurm_dir(d), gr_sweep_slurm_dir(d));
    printf("%ld\n", job);
    rc = fflush(stdout) == 0 ? GR_EXIT_OK : GR_EXIT_USAGE;
out:
    if (lock >= 0)
        close(lock);
    free(pts);
    free(todo);
    return rc;
}

int gr_cli_sweep_slurm_submit(const gr_sweep *s, const bool *sel, const char *dir,
                              gr_cli_slurm_args *a, bool quiet)
{
    char err[2048];
    gr_sweep_slurm *d = gr_sweep_slurm_prepare(s, dir, &a->o, err, sizeof err);
    if (!d) {
        gr_cli_error(CMD, "%s", err);
        return GR_EXIT_USAGE;
    }
    int rc = submit_todo(d, sel, a, quiet);
    gr_sweep_slurm_close(d);
    return rc;
}

static const char sub_usage[] =
    "usage: granule sweep collect DIR [-o OUT.csv] [--quiet]\n"
    "       granule sweep status DIR [--verbose]\n"
    "       granule sweep resume DIR [--points-per-task N] [--partition P] [--time T]\n"
    "                                [--mem M] [--sbatch ARG]... [--quiet]\n"
    "(granule help sweep; docs/sweep.md)\n";

/* One line per point that is not done. */
static void report(const gr_sweep_slurm *d, const gr_sweep_slurm_point *pts, bool all_states,
                   FILE *f)
{
    const gr_sweep *s = gr_sweep_slurm_sweep(d);
    for (size_t i = 0; i < gr_sweep_count(s); i++) {
        const gr_sweep_slurm_point *p = &pts[i];
        if (p->state == GR_SWEEP_SLURM_DONE)
            continue;
        if (!all_states && p->state != GR_SWEEP_SLURM_FAILED &&
            p->state != GR_SWEEP_SLURM_MISSING)
            continue;
        char desc[1024];
        gr_sweep_describe(s, i, desc, sizeof desc);
        fprintf(f, "  point %zu (%s): %s", i, desc, gr_sweep_slurm_state_name(p->state));
        if (p->job)
            fprintf(f, ", Slurm job %ld array task %ld", p->job, p->task);
        if (p->state == GR_SWEEP_SLURM_FAILED)
            fprintf(f, ", exit %d: %s", p->exit_code, p->error);
        else if (p->state == GR_SWEEP_SLURM_MISSING)
            fputs(p->job ? ", no result (task killed, cancelled or lost)" : ", never submitted",
                  f);
        if (p->job && p->state != GR_SWEEP_SLURM_PENDING)
            fprintf(f, "; log %s/logs/%ld_%ld.log", gr_sweep_slurm_dir(d), p->job, p->task);
        fputc('\n', f);
    }
}

static void counts(const gr_sweep_slurm_point *pts, size_t n, size_t c[5])
{
    memset(c, 0, 5 * sizeof *c);
    for (size_t i = 0; i < n; i++)
        c[pts[i].state]++;
}

int gr_cli_sweep_slurm_sub(int argc, char **argv)
{
    const char *sub = argv[0];
    enum { COLLECT, STATUS, RESUME, TASK } which;
    if (strcmp(sub, "collect") == 0)
        which = COLLECT;
    else if (strcmp(sub, "status") == 0)
        which = STATUS;
    else if (strcmp(sub, "resume") == 0)
        which = RESUME;
    else if (strcmp(sub, "task") == 0)
        which = TASK;
    else
        return -1;

    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        GR_CLI_SLURM_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    gr_cli_slurm_args a;
    gr_cli_slurm_args_init(&a);
    const char *out = NULL;
    bool quiet = false, verbose = false, slurm_opt = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        int r = gr_cli_slurm_args_option(&a, c, optarg);
        if (r < 0)
            return GR_EXIT_USAGE;
        if (r > 0) {
            slurm_opt = true;
            continue;
        }
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'v':
            verbose = true;
            break;
        default:
            fputs(sub_usage, stderr);
            return GR_EXIT_USAGE;
        }
    }
    int nargs = which == TASK ? 4 : 1;
    if (argc - optind != nargs || (slurm_opt && which != RESUME) || (out && which != COLLECT)) {
        gr_cli_error(CMD, "%s: wrong arguments", sub);
        fputs(sub_usage, stderr);
        return GR_EXIT_USAGE;
    }
    char err[2048];
    gr_sweep_slurm *d = gr_sweep_slurm_open(argv[optind], err, sizeof err);
    if (!d) {
        gr_cli_error(CMD, "%s: %s", sub, err);
        return GR_EXIT_USAGE;
    }
    const gr_sweep *s = gr_sweep_slurm_sweep(d);
    size_t n = gr_sweep_count(s);
    int rc = GR_EXIT_USAGE;
    gr_sweep_slurm_point *pts = NULL;

    if (which == TASK) {
        /* granule sweep task DIR SUBMISSION TASK MANIFEST-ID (the batch script) */
        char *e1, *e2;
        unsigned long subn = strtoul(argv[optind + 1], &e1, 10);
        long task = strtol(argv[optind + 2], &e2, 10);
        if (*e1 || *e2 || e1 == argv[optind + 1] || e2 == argv[optind + 2]) {
            gr_cli_error(CMD, "task: bad submission or task number");
            goto out;
        }
        if (strcmp(gr_sweep_slurm_version(d), GRANULE_VERSION) != 0) {
            gr_cli_error(CMD, "task: %s/manifest.json: written by granule %s, this is %s",
                         gr_sweep_slurm_dir(d), gr_sweep_slurm_version(d), GRANULE_VERSION);
            goto out;
        }
        int r = gr_sweep_slurm_run_task(d, argv[optind + 3], (unsigned)subn, task, err,
                                        sizeof err);
        if (r < 0)
            gr_cli_error(CMD, "task: %s", err);
        rc = r < 0 ? GR_EXIT_USAGE : r;
        goto out;
    }
    if (which == RESUME) {
        rc = submit_todo(d, NULL, &a, quiet);
        goto out;
    }

    pts = calloc(n + 1, sizeof *pts);
    if (!pts)
        abort();
    if (gr_sweep_slurm_scan(d, true, pts, err, sizeof err) != 0) {
        gr_cli_error(CMD, "%s: %s", sub, err);
        goto out;
    }
    size_t cnt[5];
    counts(pts, n, cnt);
    if (which == STATUS) {
        printf("%zu points: %zu done, %zu running, %zu pending, %zu failed, %zu missing\n", n,
               cnt[GR_SWEEP_SLURM_DONE], cnt[GR_SWEEP_SLURM_RUNNING],
               cnt[GR_SWEEP_SLURM_PENDING], cnt[GR_SWEEP_SLURM_FAILED],
               cnt[GR_SWEEP_SLURM_MISSING]);
        if (verbose)
            report(d, pts, true, stdout);
        rc = fflush(stdout) == 0 ? GR_EXIT_OK : GR_EXIT_USAGE;
        goto out;
    }

    /* collect */
    char *defout = NULL;
    if (!out) {
        if (asprintf(&defout, "%s/results.csv", gr_sweep_slurm_dir(d)) < 0)
            abort();
        out = defout;
    }
    bool std = strcmp(out, "-") == 0;
    FILE *f = std ? stdout : fopen(out, "w");
    if (!f) {
        gr_cli_error(CMD, "collect: %s: cannot create: %s", out, strerror(errno));
        free(defout);
        goto out;
    }
    int w = gr_sweep_slurm_collect(d, pts, f, err, sizeof err);
    if (!std && fclose(f) != 0)
        w = -1;
    if (w != 0) {
        gr_cli_error(CMD, "collect: %s: %s", out, err);
        free(defout);
        goto out;
    }
    if (!quiet) {
        fprintf(stderr,
                "granule sweep collect: %zu points: %zu rows written to %s; %zu failed, %zu "
                "missing, %zu running, %zu pending\n",
                n, cnt[GR_SWEEP_SLURM_DONE], std ? "standard output" : out,
                cnt[GR_SWEEP_SLURM_FAILED], cnt[GR_SWEEP_SLURM_MISSING],
                cnt[GR_SWEEP_SLURM_RUNNING], cnt[GR_SWEEP_SLURM_PENDING]);
        report(d, pts, true, stderr);
        if (cnt[GR_SWEEP_SLURM_FAILED] + cnt[GR_SWEEP_SLURM_MISSING])
            fprintf(stderr, "  resubmit them: granule sweep resume %s\n", gr_sweep_slurm_dir(d));
    }
    free(defout);
    rc = cnt[GR_SWEEP_SLURM_DONE] == n ? GR_EXIT_OK : GR_EXIT_VERDICT;
out:
    free(pts);
    gr_sweep_slurm_close(d);
    return rc;
}
