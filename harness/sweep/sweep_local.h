/*
 * granule — the local sweep backend (prefix gr_sweep_local_): runs points
 * of a gr_sweep on worker processes on this machine.
 *
 * One forked process per point: the model keeps no global state, but a
 * process per point also means a point that crashes or is killed costs
 * only its own row, and each replay starts from a fresh address space.
 * Workers send their row to the parent through a pipe; only the parent
 * writes the results file, one write() and one fsync() per row, so a file
 * left by a kill holds complete rows plus at most one partial last line
 * (which gr_sweep_resume_scan() removes).
 */
#ifndef GRANULE_SWEEP_LOCAL_H
#define GRANULE_SWEEP_LOCAL_H

#include <stdbool.h>
#include <stddef.h>

#include "sweep.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_sweep_local_opts {
    int jobs;        /* worker processes (>= 1) */
    bool progress;   /* a status line on stderr, redrawn (stderr is a TTY) */
    bool verbose;    /* a line on stderr per finished point */
} gr_sweep_local_opts;

typedef struct gr_sweep_local_result {
    size_t done;     /* rows written */
    size_t failed;   /* points whose worker failed (message on stderr) */
    int status;      /* 0; else the worst worker exit status (2: bad input,
                        1: the worker crashed); 128 + N if signal N stopped the run */
    double seconds;  /* wall time */
} gr_sweep_local_result;

/*! gr_sweep_local_run() : runs the points todo[0..n) on up to o->jobs
 *  workers, the largest trace files first, appending each finished row to
 *  out_fd. SIGINT, SIGTERM and SIGHUP stop it: running workers are killed,
 *  rows already written stay. The handlers are restored before it returns.
 *  @return res->status. */
int gr_sweep_local_run(const gr_sweep *s, const size_t *todo, size_t n, int out_fd,
                       const gr_sweep_local_opts *o, gr_sweep_local_result *res);

#ifdef __cplusplus
}
#endif
#endif
