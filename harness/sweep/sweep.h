/*
 * granule — design-space sweeps (prefix gr_sweep_): the job list.
 *
 * A sweep is a list of points, one per (configuration, granule, trace).
 * The configurations are a grid: base configurations times axes of
 * `section.key` overrides (docs/sweep.md). Each point has a key, a hash of
 * everything that determines its result row, so a results file can be
 * matched against the list to resume a sweep, and the list can be written
 * to a points file that another process runs one index at a time (a Slurm
 * array task, issue #10). Running the points is left to a backend: the
 * local one is sweep_local.h; this unit forks nothing.
 */
#ifndef GRANULE_SWEEP_H
#define GRANULE_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "granule/config.h"
#include "replay.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_sweep gr_sweep;

typedef struct gr_sweep_point {
    size_t index;          /* position in the list: configs, then granules, then traces */
    char key[17];          /* 16 hex digits (docs/sweep.md, "Point keys") */
    const char *trace;     /* as given */
    const char *trace_path; /* canonical (realpath): what is read, and part of the key */
    unsigned page_shift;   /* 12 or 14 */
    const char *const *values; /* one per axis: the value as written in the grid */
    const char *ini;       /* the point's complete configuration, gr_config_write_ini */
    gr_config cfg;         /* parsed from ini */
} gr_sweep_point;

/*! gr_sweep_create() : an empty sweep with gr_replay_opts_default() options. */
gr_sweep *gr_sweep_create(void);
/*! gr_sweep_destroy() : NULL is a no-op. */
void gr_sweep_destroy(gr_sweep *s);

/*! gr_sweep_add_base() : adds base configurations, a comma-separated list
 *  of files or preset names (gr_replay_load_config). Several bases are one
 *  more axis. @return 0, or -1 with "FILE:LINE: reason" in err. */
int gr_sweep_add_base(gr_sweep *s, const char *list, char *err, size_t errlen);

/*! gr_sweep_add_axis() : adds one axis, "KEY[,KEY...]=VALUE[,VALUE...]".
 *  Every KEY is `section.key` as in the INI files; several keys take the
 *  same value together. A VALUE is a word, `A:B:STEP` (A, A+STEP, ... <= B)
 *  or `A:B:*F` (A, A*F, ... <= B). @return 0, or -1 with the reason. */
int gr_sweep_add_axis(gr_sweep *s, const char *spec, char *err, size_t errlen);

/*! gr_sweep_add_granules() : "4k,16k" (4k alone if never called). */
int gr_sweep_add_granules(gr_sweep *s, const char *list, char *err, size_t errlen);

/*! gr_sweep_add_trace() : a trace file that must be readable (no stdin). */
int gr_sweep_add_trace(gr_sweep *s, const char *path, char *err, size_t errlen);

/*! gr_sweep_set_opts() : replay options shared by every point (format,
 *  limit, demand mapping, RAM; page_shift and progress are ignored; the PAC
 *  registers are not supported and must be NULL). */
void gr_sweep_set_opts(gr_sweep *s, const gr_replay_opts *o);

/*! gr_sweep_expand() : builds the points. A combination the configuration
 *  parser rejects is skipped with a line on notes (NULL: silent), or, when
 *  strict, fails the sweep. A grid value that no combination can use (a
 *  misspelt key, a bad value) always fails it, as does an empty grid.
 *  @return 0, or -1 with the reason in err. */
int gr_sweep_expand(gr_sweep *s, bool strict, FILE *notes, char *err, size_t errlen);

/*! gr_sweep_count()/gr_sweep_point_get() : the points (after expand). */
size_t gr_sweep_count(const gr_sweep *s);
const gr_sweep_point *gr_sweep_point_get(const gr_sweep *s, size_t i);
/*! gr_sweep_skipped() : combinations expand() skipped as invalid. */
size_t gr_sweep_skipped(const gr_sweep *s);

/*! gr_sweep_describe() : "a76 l1d.entries=16 l1d.ways=4 16k sort.grt". */
void gr_sweep_describe(const gr_sweep *s, size_t i, char *buf, size_t len);

/*! gr_sweep_csv_header() : "point,key,<axes>," then gr_replay_csv_header's
 *  columns. gr_sweep_csv_row_prefix() : that row's first columns, to be
 *  followed by gr_replay_csv_row. */
void gr_sweep_csv_header(const gr_sweep *s, FILE *f);
void gr_sweep_csv_row_prefix(const gr_sweep *s, size_t i, FILE *f);

/*! gr_sweep_run_point() : replays point i on an empty machine and writes
 *  its complete row (prefix and replay columns, one line) to out.
 *  @return 0, or 2 with the reason in err (unreadable trace, ...). */
int gr_sweep_run_point(const gr_sweep *s, size_t i, FILE *out, char *err, size_t errlen);

/*! gr_sweep_find_key() : @return the index of the point with that key, or
 *  (size_t)-1. */
size_t gr_sweep_find_key(const gr_sweep *s, const char *key);

/*! gr_sweep_resume_scan() : reads an existing results file. Its header
 *  must be this sweep's; a last line without its newline (a writer killed
 *  mid-row) is ignored and, when repair, cut off the file; done[i] is set
 *  for every point with a row. A missing or empty file is fine (nothing
 *  done; *has_header false).
 *  @return 0, or -1 with "FILE:LINE: reason" in err. */
int gr_sweep_resume_scan(const gr_sweep *s, const char *path, bool repair, bool *done,
                         bool *has_header, char *err, size_t errlen);

/*! gr_sweep_write_points() : the whole list as a JSON points file
 *  (docs/sweep.md) that gr_sweep_load_points() reads back to the same
 *  points, keys and header. @return 0, or -1 on a write error. */
int gr_sweep_write_points(const gr_sweep *s, FILE *f);

/*! gr_sweep_load_points() : a sweep from a points file, expanded. Each
 *  point's key is recomputed and must match the file's.
 *  @return NULL with "FILE: reason" in err. */
gr_sweep *gr_sweep_load_points(const char *path, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
