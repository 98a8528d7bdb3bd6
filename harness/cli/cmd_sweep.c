/* granule sweep: a grid of configurations over traces, on local worker
 * processes, resumable (docs/sweep.md). */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cli.h"
#include "granule/trace.h"
#include "cmd_sweep_slurm.h"
#include "sweep.h"
#include "sweep_local.h"

static const char usage[] =
    "usage: granule sweep [grid options] -o RESULTS.csv TRACE...\n"
    "       granule sweep --points-file FILE [--point LIST] -o RESULTS.csv\n"
    "       granule sweep --backend slurm [slurm options] [grid options] -o DIR TRACE...\n"
    "       granule sweep collect|status|resume DIR  (the Slurm backend, below)\n"
    "\n"
    "Replays every TRACE with every configuration of a grid, on worker processes,\n"
    "and appends one CSV row per (configuration, granule, trace) point to\n"
    "RESULTS.csv: the columns point, key, one per --set axis, then those of\n"
    "`granule replay --csv` (docs/replay.md). Running the same command again\n"
    "resumes: points whose key is already in RESULTS.csv are not redone.\n"
    "\n"
    "Grid (the points are every combination):\n"
    "  --base LIST       base configurations: files or presets from configs/\n"
    "                    (a76, a55, champsim, small), comma separated; default small\n"
    "  --set KEY[,KEY...]=VALUE[,VALUE...]\n"
    "                    one axis: KEY is SECTION.KEY as in the INI files\n"
    "                    (l1d.entries, l2.ways, l2.replacement, latency.l2_hit, ...);\n"
    "                    several keys take each value together. VALUE is a word,\n"
    "                    A:B:STEP (A, A+STEP, ... up to B) or A:B:*F (A, A*F, ...).\n"
    "                    `ways=full` is fully associative; `entries=0` (or none)\n"
    "                    removes an optional structure (l2, walk caches).\n"
    "  --granule LIST    4k, 16k or 4k,16k (default 4k)\n"
    "  --strict          a combination that is not a valid configuration is an\n"
    "                    error (default: skipped with a note on stderr)\n"
    "Replay (as granule replay): --format F, --limit N, --no-demand-map, --ram SIZE\n"
    "\n"
    "Running:\n"
    "  -o, --output FILE results CSV (`-`: standard output, no resume)\n"
    "  -j, --jobs N      worker processes (default: the CPUs it may run on, as nproc)\n"
    "  --list            print the points (and, with -o, which are done); run nothing\n"
    "  --dry-run         print what would run and the counts; run nothing\n"
    "  --write-points FILE  write the point list as a JSON points file and stop\n"
    "  --points-file FILE   take the points from FILE instead of a grid\n"
    "  --point LIST      run only these point indices (e.g. 7 or 0-9,12), e.g. one\n"
    "                    Slurm array task: --point $SLURM_ARRAY_TASK_ID\n"
    "  --verbose         a line per finished point on stderr\n"
    "  --quiet           no notes, no progress line, no summary\n"
    "\n"
    "Example:\n"
    "  granule sweep --base a76 --set l1d.entries=16,32,48,64 --set l1d.ways=4,full \\\n"
    "      --granule 4k,16k --set l2.entries=0,512,1280 -o out.csv traces/corpus/*.grt\n"
    "\n"
    "Slurm backend (docs/sweep.md, \"Slurm backend\"):\n"
    "  --backend local|slurm  local (default): worker processes here; slurm: -o names\n"
    "                    a results directory on shared storage, the points become a\n"
    "                    Slurm array job (sbatch), each point's row its own file there\n"
    "  --points-per-task N  points run one after another by one array task (default 1)\n"
    "  --partition P, --time T, --mem M  passed to sbatch\n"
    "  --sbatch ARG      any other sbatch argument (repeatable), e.g. --sbatch=--qos=low\n"
    "  granule sweep status DIR [--verbose]   done/running/pending/failed/missing counts\n"
    "  granule sweep collect DIR [-o OUT]      merge the rows into OUT (default\n"
    "                    DIR/results.csv), in point order; report failed and missing\n"
    "                    points with their job, array task, exit code and log\n"
    "  granule sweep resume DIR [slurm options]  resubmit only failed and missing points\n"
    "  A directory holds one sweep: its manifest (points, trace checksums, granule\n"
    "  version) must match, or the command refuses to mix results.\n"
    "  Exit: submitting 0 (the job id on stdout, or nothing left to submit); collect\n"
    "  1 unless every point is done; 2 bad usage, a refused or malformed file, a\n"
    "  changed trace or a failed sbatch.\n"
    "\n"
    "Ctrl-C or SIGTERM stops the sweep; finished rows stay, rerun to resume.\n"
    "Exit status: 0 every point has its row; 1 a worker crashed; 2 bad usage, bad\n"
    "grid, unreadable trace or results file; 128+N stopped by signal N.\n";

/* The CPUs this process may run on (as nproc: a Slurm allocation or
 * taskset restricts them), else the online ones. */
static long cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

/* "0-9,12" -> sel[i] = true. */
static int parse_point_list(const char *s, bool *sel, size_t n)
{
    while (*s) {
        char *e;
        errno = 0;
        if (*s < '0' || *s > '9')
            return -1;
        unsigned long long a = strtoull(s, &e, 10), b = a;
        if (*e == '-') {
            const char *p = e + 1;
            if (*p < '0' || *p > '9')
                return -1;
            b = strtoull(p, &e, 10);
        }
        if (errno || b < a || b >= n)
            return -1;
        for (unsigned long long i = a; i <= b; i++)
            sel[i] = true;
        if (*e == ',')
            e++;
        else if (*e)
            return -1;
        s = e;
    }
    return 0;
}

enum {
    O_BASE = 256, O_SET, O_GRANULE, O_STRICT, O_FORMAT, O_LIMIT, O_NODEMAND, O_RAM, O_LIST,
    O_DRY, O_WRITEPTS, O_PTSFILE, O_POINT, O_VERBOSE, O_QUIET, O_BACKEND
};

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"base", required_argument, NULL, O_BASE},
        {"config", required_argument, NULL, O_BASE},
        {"set", required_argument, NULL, O_SET},
        {"granule", required_argument, NULL, O_GRANULE},
        {"strict", no_argument, NULL, O_STRICT},
        {"format", required_argument, NULL, O_FORMAT},
        {"limit", required_argument, NULL, O_LIMIT},
        {"no-demand-map", no_argument, NULL, O_NODEMAND},
        {"ram", required_argument, NULL, O_RAM},
        {"output", required_argument, NULL, 'o'},
        {"jobs", required_argument, NULL, 'j'},
        {"list", no_argument, NULL, O_LIST},
        {"dry-run", no_argument, NULL, O_DRY},
        {"write-points", required_argument, NULL, O_WRITEPTS},
        {"points-file", required_argument, NULL, O_PTSFILE},
        {"point", required_argument, NULL, O_POINT},
        {"verbose", no_argument, NULL, O_VERBOSE},
        {"quiet", no_argument, NULL, O_QUIET},
        {"backend", required_argument, NULL, O_BACKEND},
        GR_CLI_SLURM_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char err[2048];
    if (argc >= 2) {
        int r = gr_cli_sweep_slurm_sub(argc - 1, argv + 1);
        if (r >= 0)
            return r;
    }
    gr_cli_slurm_args slurm;
    gr_cli_slurm_args_init(&slurm);
    bool use_slurm = false, slurm_opt = false;
    gr_sweep *s = gr_sweep_create();
    if (!s) {
        gr_cli_error("sweep", "out of memory");
        return GR_EXIT_USAGE;
    }
    gr_replay_opts ro;
    gr_replay_opts_default(&ro);
    const char *out = NULL, *writepts = NULL, *ptsfile = NULL, *pointlist = NULL;
    bool strict = false, list = false, dry = false, verbose = false, quiet = false;
    bool grid_opt = false;
    long jobs = cpus();
    int rc = GR_EXIT_USAGE, c, idx = 0;
    bool *done = NULL, *sel = NULL;
    size_t *todo = NULL;
    int fd = -1;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:j:", opts, &idx)) != -1) {
        int sr = gr_cli_slurm_args_option(&slurm, c, optarg);
        if (sr < 0)
            goto out;
        if (sr > 0) {
            slurm_opt = true;
            continue;
        }
        switch (c) {
        case O_BASE:
            grid_opt = true;
            if (gr_sweep_add_base(s, optarg, err, sizeof err) != 0)
                goto bad;
            break;
        case O_SET:
            grid_opt = true;
            if (gr_sweep_add_axis(s, optarg, err, sizeof err) != 0)
                goto bad;
            break;
        case O_GRANULE:
            grid_opt = true;
            if (gr_sweep_add_granules(s, optarg, err, sizeof err) != 0)
                goto bad;
            break;
        case O_STRICT:
            strict = true;
            break;
        case O_FORMAT:
        case O_LIMIT:
        case O_NODEMAND:
        case O_RAM:
            grid_opt = true;
            if (gr_replay_parse_opt(&ro, NULL, opts[idx].name, optarg, err, sizeof err) != 1) {
                gr_cli_error("sweep", "%s", err);
                goto out;
            }
            break;
        case 'o':
            out = optarg;
            break;
        case 'j': {
            char *e;
            jobs = strtol(optarg, &e, 10);
            if (e == optarg || *e || jobs < 1 || jobs > 1024) {
                gr_cli_error("sweep", "-j: `%s` is not a number of workers (1..1024)", optarg);
                goto out;
            }
            break;
        }
        case O_LIST:
            list = true;
            break;
        case O_DRY:
            dry = true;
            break;
        case O_WRITEPTS:
            writepts = optarg;
            break;
        case O_PTSFILE:
            ptsfile = optarg;
            break;
        case O_POINT:
            pointlist = optarg;
            break;
        case O_VERBOSE:
            verbose = true;
            break;
        case O_QUIET:
            quiet = true;
            break;
        case O_BACKEND:
            if (strcmp(optarg, "slurm") == 0)
                use_slurm = true;
            else if (strcmp(optarg, "local") != 0) {
                gr_cli_error("sweep", "--backend: `%s` is not local or slurm", optarg);
                goto out;
            }
            break;
        default:
            gr_cli_print_usage(&gr_cli_sweep, stderr);
            goto out;
        }
    }

    if (slurm_opt && !use_slurm) {
        gr_cli_error("sweep", "--points-per-task, --partition, --time, --mem and --sbatch "
                     "need --backend slurm");
        goto out;
    }
    if (use_slurm && !writepts && (list || dry || !out || strcmp(out, "-") == 0)) {
        gr_cli_error("sweep", "--backend slurm: give -o DIR, a results directory on storage "
                     "the nodes share (--list and --dry-run are local only)");
        goto out;
    }
    if (ptsfile) {
        if (grid_opt || optind < argc) {
            gr_cli_error("sweep", "--points-file: the file fixes the configurations, traces and "
                         "replay options; give no grid options or TRACE");
            goto out;
        }
        gr_sweep_destroy(s);
        s = gr_sweep_load_points(ptsfile, err, sizeof err);
        if (!s)
            goto bad;
    } else {
        for (int i = optind; i < argc; i++)
            if (gr_sweep_add_trace(s, argv[i], err, sizeof err) != 0)
                goto bad;
        gr_sweep_set_opts(s, &ro);
        if (gr_sweep_expand(s, strict, quiet ? NULL : stderr, err, sizeof err) != 0)
            goto bad;
    }
    size_t n = gr_sweep_count(s);

    if (writepts) {
        FILE *f = strcmp(writepts, "-") == 0 ? stdout : fopen(writepts, "w");
        if (!f) {
            gr_cli_error("sweep", "%s: cannot create: %s", writepts, strerror(errno));
            goto out;
        }
        int bad = gr_sweep_write_points(s, f);
        bad |= f == stdout ? fflush(f) : fclose(f);
        if (bad) {
            gr_cli_error("sweep", "%s: write error", writepts);
            goto out;
        }
        if (!quiet)
            fprintf(stderr, "granule sweep: %zu points written to %s\n", n, writepts);
        rc = GR_EXIT_OK;
        goto out;
    }

    sel = calloc(n + 1, sizeof *sel);
    done = calloc(n + 1, sizeof *done);
    todo = calloc(n + 1, sizeof *todo);
    if (!sel || !done || !todo) {
        gr_cli_error("sweep", "out of memory");
        goto out;
    }
    if (pointlist) {
        if (parse_point_list(pointlist, sel, n) != 0) {
            gr_cli_error("sweep", "--point: `%s` is not a list of point indices 0..%zu", pointlist,
                         n ? n - 1 : 0);
            goto out;
        }
    } else {
        for (size_t i = 0; i < n; i++)
            sel[i] = true;
    }

    if (use_slurm && !writepts) {
        rc = gr_cli_sweep_slurm_submit(s, sel, out, &slurm, quiet);
        goto out;
    }
    bool resumable = out && strcmp(out, "-") != 0;
    bool has_header = false;
    if (resumable) {
        if (!list && !dry) {
            /* one sweep per results file at a time */
            fd = open(out, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
            if (fd < 0) {
                gr_cli_error("sweep", "%s: cannot open: %s", out, strerror(errno));
                goto out;
            }
            if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
                gr_cli_error("sweep", "%s: another granule sweep is writing it", out);
                goto out;
            }
        }
        if (gr_sweep_resume_scan(s, out, !list && !dry, done, &has_header, err, sizeof err) != 0)
            goto bad;
    }
    size_t ntodo = 0, ndone = 0, nsel = 0;
    for (size_t i = 0; i < n; i++) {
        if (!sel[i])
            continue;
        nsel++;
        if (done[i])
            ndone++;
        else
            todo[ntodo++] = i;
    }

    if (list || dry) {
        for (size_t i = 0; i < n; i++) {
            if (!sel[i] || (dry && done[i]))
                continue;
            char d[1024];
            gr_sweep_describe(s, i, d, sizeof d);
            printf("%zu %s%s %s\n", i, gr_sweep_point_get(s, i)->key,
                   resumable ? (done[i] ? " done" : " todo") : "", d);
        }
        if (dry)
            printf("%zu points: %zu done, %zu to run on %ld workers\n", nsel, ndone, ntodo,
                   jobs < (long)ntodo ? jobs : (long)(ntodo ? ntodo : 1));
        rc = fflush(stdout) == 0 ? GR_EXIT_OK : GR_EXIT_USAGE;
        goto out;
    }
    if (!out) {
        gr_cli_error("sweep", "no results file: give -o FILE.csv (rerunning with the same "
                     "file resumes the sweep)");
        goto out;
    }
    if (!resumable) {
        fflush(stdout);
        fd = dup(STDOUT_FILENO);
        if (fd < 0) {
            gr_cli_error("sweep", "standard output: %s", strerror(errno));
            goto out;
        }
    }
    if (!has_header) {
        char *h = NULL;
        size_t hl = 0;
        FILE *m = open_memstream(&h, &hl);
        if (!m) {
            gr_cli_error("sweep", "out of memory");
            goto out;
        }
        gr_sweep_csv_header(s, m);
        fclose(m);
        ssize_t w = write(fd, h, hl);
        free(h);
        if (w != (ssize_t)hl) {
            gr_cli_error("sweep", "%s: write error", out);
            goto out;
        }
        if (resumable)
            fsync(fd);
    }
    gr_sweep_local_opts lo = {
        .jobs = (int)jobs,
        .progress = !quiet && !verbose && isatty(STDERR_FILENO),
        .verbose = verbose && !quiet,
    };
    gr_sweep_local_result res;
    rc = gr_sweep_local_run(s, todo, ntodo, fd, &lo, &res);
    if (!quiet && !ntodo)
        fprintf(stderr, "granule sweep: %zu points, all already in %s\n", nsel, out);
    else if (!quiet)
        fprintf(stderr,
                "granule sweep: %zu points: %zu run now, %zu already in %s, %zu failed, %zu not "
                "run; %.1f s, %.2f points/s on %ld workers\n",
                nsel, res.done, ndone, resumable ? out : "(standard output)", res.failed,
                ntodo - res.done - res.failed,
                res.seconds, res.seconds > 0 ? (double)res.done / res.seconds : 0.0,
                jobs < (long)ntodo ? jobs : (long)ntodo);
    if (rc == 0 && res.done != ntodo)
        rc = GR_EXIT_VERDICT;
    goto out;
bad:
    gr_cli_error("sweep", "%s", err);
    rc = GR_EXIT_USAGE;
out:
    if (fd >= 0)
        close(fd);
    free(sel);
    free(done);
    free(todo);
    gr_sweep_destroy(s);
    return rc;
}

const gr_cli_cmd gr_cli_sweep = {
    .name = "sweep",
    .summary = "replay traces over a grid of configurations, in parallel, resumably",
    .usage = usage,
    .run = run,
};
