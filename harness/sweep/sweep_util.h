/*
 * granule — small helpers shared by the sweep units (sweep.c, sweep_slurm.c):
 * error-buffer formatting and allocation that aborts on exhaustion, the
 * policy of both (a sweep that runs out of memory cannot report a row).
 */
#ifndef GRANULE_SWEEP_UTIL_H
#define GRANULE_SWEEP_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void gr_sweep_seterr(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void gr_sweep_seterr(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

static inline void *gr_sweep_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("granule sweep: out of memory\n", stderr);
        abort();
    }
    return q;
}

static inline char *gr_sweep_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(gr_sweep_xrealloc(NULL, n), s, n);
}

#endif
