/* granule — the local sweep backend: a pool of forked workers. */
#define _GNU_SOURCE /* pipe2, open_memstream */
#include "sweep_local.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXJOBS 1024

typedef struct slot {
    pid_t pid;       /* 0: free */
    int fd;          /* read end of the worker's pipe */
    size_t point;
    char *buf;       /* what the worker has sent so far */
    size_t len, cap;
    double t0;
} slot;

/* For the signal handler: the first signal, and the workers to kill. */
static volatile sig_atomic_t stop_sig;
static volatile sig_atomic_t live[MAXJOBS];
static int nlive;

static void on_signal(int sig)
{
    if (!stop_sig)
        stop_sig = sig;
    for (int i = 0; i < nlive; i++)
        if (live[i] > 0)
            kill((pid_t)live[i], SIGTERM);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void fmt_time(char *b, size_t n, double s)
{
    unsigned long t = s < 0 ? 0 : (unsigned long)(s + 0.5);
    if (t >= 3600)
        snprintf(b, n, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(b, n, "%lu:%02lu", t / 60, t % 60);
}

/* The worker: replays one point and sends its row. Never returns. */
static void worker(const gr_sweep *s, size_t point, int wfd)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    /* a parent killed with SIGKILL must not leave workers running */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() == 1)
        _exit(1);
    char *buf = NULL, err[1024];
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        _exit(1);
    int rc = gr_sweep_run_point(s, point, m, err, sizeof err);
    fclose(m);
    if (rc != 0) {
        char d[512];
        gr_sweep_describe(s, point, d, sizeof d);
        fprintf(stderr, "granule sweep: point %zu (%s): %s\n", point, d, err);
        _exit(rc);
    }
    _exit(write_all(wfd, buf, len) == 0 ? 0 : 1);
}

typedef struct order {
    size_t point;
    off_t size;
} order;

static int by_size(const void *a, const void *b)
{
    const order *x = a, *y = b;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->point < y->point ? -1 : x->point > y->point;
}

int gr_sweep_local_run(const gr_sweep *s, const size_t *todo, size_t n, int out_fd,
                       const gr_sweep_local_opts *o, gr_sweep_local_result *res)
{
    memset(res, 0, sizeof *res);
    int jobs = o->jobs < 1 ? 1 : o->jobs > MAXJOBS ? MAXJOBS : o->jobs;
    if ((size_t)jobs > n)
        jobs = n ? (int)n : 1;
    /* longest first: the last points to start are the short ones, so the
     * workers finish close together */
    order *ord = calloc(n + 1, sizeof *ord);
    slot *sl = calloc((size_t)jobs, sizeof *sl);
    struct pollfd *pf = calloc((size_t)jobs, sizeof *pf);
    int *pi = calloc((size_t)jobs, sizeof *pi);
    if (!ord || !sl || !pf || !pi) {
        fputs("granule sweep: out of memory\n", stderr);
        free(ord), free(sl), free(pf), free(pi);
        res->status = 1;
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        ord[i].point = todo[i];
        ord[i].size = stat(gr_sweep_point_get(s, todo[i])->trace_path, &st) == 0 ? st.st_size : 0;
    }
    qsort(ord, n, sizeof *ord, by_size);

    struct sigaction sa, old_int, old_term, old_hup, old_pipe;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    stop_sig = 0;
    nlive = jobs;
    for (int i = 0; i < jobs; i++)
        live[i] = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, &old_pipe);

    double t0 = now(), last_draw = 0;
    size_t next = 0, running = 0;
    bool drawn = false;
    for (;;) {
        /* start workers */
        while (!stop_sig && next < n && running < (size_t)jobs) {
            int k = 0;
            while (sl[k].pid)
                k++;
            int p[2];
            if (pipe2(p, O_CLOEXEC) != 0) {
                fprintf(stderr, "granule sweep: pipe: %s\n", strerror(errno));
                res->status = 1;
                stop_sig = SIGTERM;
                break;
            }
            fflush(stdout);
            fflush(stderr);
            pid_t pid = fork();
            if (pid < 0) {
                fprintf(stderr, "granule sweep: fork: %s\n", strerror(errno));
                close(p[0]);
                close(p[1]);
                res->status = 1;
                stop_sig = SIGTERM;
                break;
            }
            if (pid == 0) {
                close(p[0]);
                worker(s, ord[next].point, p[1]);
            }
            close(p[1]);
            sl[k] = (slot){.pid = pid, .fd = p[0], .point = ord[next].point, .t0 = now()};
            live[k] = pid;
            next++;
            running++;
        }
        if (!running)
            break;
        if (o->progress && now() - last_draw > 0.25) {
            double el = now() - t0;
            size_t fin = res->done + res->failed;
            char e[32] = "?", eta[32] = "?";
            fmt_time(e, sizeof e, el);
            if (fin)
                fmt_time(eta, sizeof eta, el / (double)fin * (double)(n - fin));
            fprintf(stderr, "\rgranule sweep: %zu/%zu points, %zu running, %zu failed, %s, ETA %s   ",
                    fin, n, running, res->failed, e, eta);
            drawn = true;
            last_draw = now();
        }
        int np = 0;
        for (int k = 0; k < jobs; k++)
            if (sl[k].pid) {
                pf[np] = (struct pollfd){.fd = sl[k].fd, .events = POLLIN};
                pi[np++] = k;
            }
        int r = poll(pf, (nfds_t)np, o->progress ? 250 : -1);
        if (r < 0 && errno != EINTR) {
            fprintf(stderr, "granule sweep: poll: %s\n", strerror(errno));
            res->status = 1;
            stop_sig = SIGTERM;
            on_signal(SIGTERM);
        }
        for (int q = 0; r > 0 && q < np; q++) {
            if (!pf[q].revents)
                continue;
            slot *w = &sl[pi[q]];
            if (w->len + 4096 > w->cap) {
                w->cap = w->cap ? 2 * w->cap : 8192;
                char *nb = realloc(w->buf, w->cap);
                if (!nb)
                    abort();
                w->buf = nb;
            }
            ssize_t got = read(w->fd, w->buf + w->len, w->cap - w->len);
            if (got > 0) {
                w->len += (size_t)got;
                continue;
            }
            if (got < 0 && errno == EINTR)
                continue;
            /* EOF: the worker has exited or is exiting */
            int st = 0;
            while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
                ;
            close(w->fd);
            live[pi[q]] = 0;
            running--;
            char d[512];
            gr_sweep_describe(s, w->point, d, sizeof d);
            if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && w->len && w->buf[w->len - 1] == '\n') {
                if (write_all(out_fd, w->buf, w->len) != 0 || fsync(out_fd) != 0) {
                    if (errno != EINVAL && errno != EROFS) { /* fsync on a pipe or tty */
                        fprintf(stderr, "\ngranule sweep: writing the results: %s\n",
                                strerror(errno));
                        res->status = 2;
                        stop_sig = SIGTERM;
                        on_signal(SIGTERM);
                    }
                }
                res->done++;
                if (o->verbose)
                    fprintf(stderr, "%sgranule sweep: point %zu done in %.2f s: %s\n",
                            drawn ? "\r" : "", w->point, now() - w->t0, d);
            } else if (WIFSIGNALED(st) && stop_sig) {
                /* killed by us: not a failure of the point */
            } else {
                res->failed++;
                int code = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
                if (WIFSIGNALED(st))
                    fprintf(stderr, "%sgranule sweep: point %zu (%s): worker killed by signal %d\n",
                            drawn ? "\r" : "", w->point, d, WTERMSIG(st));
                else if (code == 0)
                    code = 1;
                if (code > res->status)
                    res->status = code > 2 ? 1 : code;
            }
            free(w->buf);
            *w = (slot){0};
        }
    }
    if (drawn)
        fputs("\r\033[K", stderr);
    res->seconds = now() - t0;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    sigaction(SIGPIPE, &old_pipe, NULL);
    nlive = 0;
    if (stop_sig && res->status == 0)
        res->status = 128 + stop_sig;
    free(ord), free(sl), free(pf), free(pi);
    return res->status;
}
