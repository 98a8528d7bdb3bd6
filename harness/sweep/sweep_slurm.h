/*
 * granule — the Slurm sweep backend (prefix gr_sweep_slurm_): a sweep as
 * a Slurm array job, its results directory, and the collection of the rows
 * into the CSV the local backend writes (docs/sweep.md, "Slurm backend").
 *
 * A results directory (on storage every node sees) holds:
 *   manifest.json   the sweep's identity: granule version, points file
 *                   checksum, every trace's path, size and XXH64, the CSV
 *                   header; its "id" is an XXH64 over all of that
 *   points.json     the points file (gr_sweep_write_points): the
 *                   configurations, traces and replay options
 *   slurm/N.tasks   submission N: one line per array task, its points
 *   slurm/N.sh      submission N's batch script; slurm/N.job its job id
 *   logs/J_T.log    array task T of job J: its stdout and stderr
 *   results/I.csv   point I's row under the sweep's header (2 lines)
 *   results/I.json  point I's status: manifest id, job, task, exit code
 * Nothing is appended by two writers: each point's files are written by
 * the one task that runs it, to a temporary name renamed into place.
 * sbatch is the only Slurm command submitting; squeue the only one read.
 */
#ifndef GRANULE_SWEEP_SLURM_H
#define GRANULE_SWEEP_SLURM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sweep.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_sweep_slurm gr_sweep_slurm;

typedef struct gr_sweep_slurm_opts {
    size_t points_per_task;   /* >= 1: points run one after another by one array task */
    const char *partition;    /* sbatch --partition, NULL: the default */
    const char *time;         /* sbatch --time, NULL: the partition's */
    const char *mem;          /* sbatch --mem, NULL: the default */
    const char *const *sbatch_args; /* more sbatch arguments, passed as they are */
    size_t nsbatch_args;
    const char *granule_exe;  /* absolute path of the granule the tasks run */
    const char *version;      /* granule's version, recorded in the manifest */
} gr_sweep_slurm_opts;

typedef enum gr_sweep_slurm_state {
    GR_SWEEP_SLURM_MISSING,   /* no result, no status, not in squeue */
    GR_SWEEP_SLURM_PENDING,   /* its array task is pending */
    GR_SWEEP_SLURM_RUNNING,   /* its array task is running (or completing) */
    GR_SWEEP_SLURM_FAILED,    /* results/I.json with a non-zero exit */
    GR_SWEEP_SLURM_DONE,      /* results/I.csv checked against the manifest */
} gr_sweep_slurm_state;

typedef struct gr_sweep_slurm_point {
    gr_sweep_slurm_state state;
    long job;                 /* the last job that was given the point, 0: none */
    long task;                /* its array task id, -1: none */
    int exit_code;            /* FAILED: the point's exit status (2 bad input, 1 crash) */
    char error[512];          /* FAILED: the reason the task recorded */
} gr_sweep_slurm_point;

/*! gr_sweep_slurm_prepare() : creates the results directory dir for the
 *  expanded sweep s (manifest, points file, checksums of the traces), or,
 *  when dir already holds a manifest, opens it if it is the same sweep.
 *  @return the open directory, or NULL with the reason in err (a different
 *  sweep's manifest: "refusing to mix"). */
gr_sweep_slurm *gr_sweep_slurm_prepare(const gr_sweep *s, const char *dir,
                                       const gr_sweep_slurm_opts *o, char *err, size_t errlen);

/*! gr_sweep_slurm_open() : an existing results directory: reads and checks
 *  manifest.json and points.json (keys recomputed, checksum).
 *  @return NULL with "FILE: reason" in err. */
gr_sweep_slurm *gr_sweep_slurm_open(const char *dir, char *err, size_t errlen);

/*! gr_sweep_slurm_close() : NULL is a no-op. */
void gr_sweep_slurm_close(gr_sweep_slurm *d);

/*! gr_sweep_slurm_sweep() : the sweep (points) of an open directory. */
const gr_sweep *gr_sweep_slurm_sweep(const gr_sweep_slurm *d);
/*! gr_sweep_slurm_id() : the manifest id, 16 hex digits. */
const char *gr_sweep_slurm_id(const gr_sweep_slurm *d);
/*! gr_sweep_slurm_version() : the granule version that wrote the manifest. */
const char *gr_sweep_slurm_version(const gr_sweep_slurm *d);
/*! gr_sweep_slurm_dir() : the directory's canonical path. */
const char *gr_sweep_slurm_dir(const gr_sweep_slurm *d);

/*! gr_sweep_slurm_check_traces() : every trace's size and XXH64 now equal
 *  the manifest's. @return 0, or -1 naming the trace that changed. */
int gr_sweep_slurm_check_traces(gr_sweep_slurm *d, char *err, size_t errlen);

/*! gr_sweep_slurm_scan() : the state of every point (pts[0..count)) from
 *  results/ and, when use_squeue, `squeue` (if squeue cannot run, no point
 *  is pending or running). Every file in results/ must be this manifest's.
 *  @return 0, or -1 with "FILE[:LINE]: reason" in err (a foreign or
 *  malformed file). */
int gr_sweep_slurm_scan(gr_sweep_slurm *d, bool use_squeue, gr_sweep_slurm_point *pts,
                        char *err, size_t errlen);

/*! gr_sweep_slurm_submit() : submits the points todo[0..n) as one array
 *  job (ceil(n / points_per_task) tasks) with sbatch, after checking the
 *  traces against the manifest. *job gets the job id.
 *  @return 0, or -1 with the reason (sbatch's message) in err. */
int gr_sweep_slurm_submit(gr_sweep_slurm *d, const size_t *todo, size_t n,
                          const gr_sweep_slurm_opts *o, long *job, char *err, size_t errlen);

/*! gr_sweep_slurm_run_task() : the body of array task `task` of submission
 *  `sub` (what the batch script runs): checks the manifest id and the
 *  traces, runs each of the task's points in a forked process and writes
 *  its results/I.csv (done) or results/I.json with the exit code and
 *  reason (failed). Progress and errors go to stderr (the task's log).
 *  @return 0 if every point has its row; else the worst point status
 *  (2 bad input or a changed trace, 128 + N killed by signal N); -1 with err if the task
 *  could not start (no such task, a different manifest). */
int gr_sweep_slurm_run_task(gr_sweep_slurm *d, const char *manifest_id, unsigned sub,
                            long task, char *err, size_t errlen);

/*! gr_sweep_slurm_collect() : writes the header and the row of every done
 *  point, in point order, to out (the CSV the local backend writes, rows
 *  sorted by point). pts from gr_sweep_slurm_scan(). @return 0, or -1 on a
 *  read or write error with the reason in err. */
int gr_sweep_slurm_collect(gr_sweep_slurm *d, const gr_sweep_slurm_point *pts, FILE *out,
                           char *err, size_t errlen);

/*! gr_sweep_slurm_state_name() : "done", "failed", "running", ... */
const char *gr_sweep_slurm_state_name(gr_sweep_slurm_state st);

#ifdef __cplusplus
}
#endif
#endif
