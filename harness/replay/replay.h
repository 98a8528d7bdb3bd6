/*
 * granule — trace replay (prefix gr_replay_): a trace through the VM layer
 * (which owns the page tables and resolves faults) and the MMU model.
 *
 * One gr_replay replays one trace with one configuration, from an empty
 * machine: a fresh simulated memory, VM layer and MMU. The rules (what is
 * demand-mapped, how mapping events apply, how a page-crossing access is
 * counted) are in docs/replay.md.
 */
#ifndef GRANULE_REPLAY_H
#define GRANULE_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "granule/config.h"
#include "granule/mmu.h"
#include "granule/regs.h"
#include "granule/stats.h"
#include "granule/vm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_replay gr_replay;

/* An observer of every operation the replay makes on its MMU (lock-step
 * co-simulation, `granule diff`): called after the MMU performed it, in
 * order. rec is the index of the trace record being replayed, or
 * UINT64_MAX before the first (the VM layer's boot). With a hook, requests
 * go through gr_mmu_translate() one at a time rather than the batched fast
 * path, so that each is seen with its response. */
typedef struct gr_replay_hook {
    void *ctx;
    void (*translated)(void *ctx, gr_replay *r, uint64_t rec, const gr_mmu_req *rq,
                       const gr_mmu_resp *rs);
    void (*set_regs)(void *ctx, gr_replay *r, uint64_t rec, const gr_regs *regs, uint64_t t,
                     uint64_t done);
    void (*tlbi)(void *ctx, gr_replay *r, uint64_t rec, const gr_tlbi *op, uint64_t t,
                 uint64_t done);
} gr_replay_hook;

typedef struct gr_replay_opts {
    int format;            /* gr_trace_format; GR_TRACE_FMT_AUTO detects it */
    unsigned page_shift;   /* the tasks' granule: 12 (4K) or 14 (16K) */
    uint64_t limit;        /* records to replay; 0: all */
    bool demand_map;       /* map untouched addresses on first access */
    bool progress;         /* progress bar on stderr (the caller checks for a TTY) */
    uint64_t ram_size;     /* simulated RAM the VM layer manages, bytes */
    bool hw_af;            /* TCR_EL1.HA = 1: the walker sets AF (a write the
                              lock-step diff compares); else an Access flag
                              fault the VM layer resolves */
    bool pageout;          /* run the VM layer's pageout daemon when free RAM
                              runs low: it ages pages by clearing AF (with a
                              TLBI) and compresses the unreferenced ones */
    const gr_regs *pac_regs; /* keys, SCTLR EnIA/EnIB/EnDA/EnDB and TCR
                                TBI0/TBI1/TBID0/TBID1 for PAC records (NULL:
                                reset values); the ID registers come from the
                                configuration's [pac] section */
    const gr_replay_hook *hook; /* NULL: none (not copied: must outlive the replay) */
} gr_replay_opts;

/*! gr_replay_load_config() : arg is a configuration file, or the name of
 *  a preset in the source tree's configs/ ("a76" is configs/a76.ini).
 *  @return 0, or -1 with "FILE:LINE: reason" in err. */
int gr_replay_load_config(gr_config *cfg, const char *arg, char *err, size_t errlen);

/*! gr_replay_parse_size() : "4096", "64K", "8M", "2G" (powers of 1024),
 *  "1e9" is not accepted. @return 0, or -1 if s is not a size. */
int gr_replay_parse_size(const char *s, uint64_t *out);

/*! gr_replay_opts_default() : AUTO, 4K, all records, demand mapping on, no
 *  progress bar, 8 GiB of RAM. */
void gr_replay_opts_default(gr_replay_opts *o);

/*! gr_replay_parse_opt() : one of the command-line options the commands
 *  that replay traces (replay, diff, sweep) share, by its long name:
 *  "format", "granule" (4k or 16k), "limit" (a positive count, K/M/G
 *  suffixes), "ram" (a size), "hw-af", "pageout", "no-demand-map" and
 *  "regs" (a registers file, parsed into *regs, which o then points to: it
 *  must outlive o). arg is the option's argument (NULL for a flag).
 *  @return 1 if it is now set in o; 0 if name is not one of them, -1 if
 *  its argument is bad or missing; both with "--NAME: reason" in err. */
int gr_replay_parse_opt(gr_replay_opts *o, gr_regs *regs, const char *name, const char *arg,
                        char *err, size_t errlen);

/* X(field, "description") — what the replay itself counts. */
#define GR_REPLAY_COUNTS(X)                                                        \
    X(records, "trace records read")                                               \
    X(accesses, "access records")                                                  \
    X(events, "event records")                                                     \
    X(translations, "translation requests issued (a page-crossing access is two)") \
    X(split, "accesses that crossed a page boundary")                              \
    X(faults, "translations that faulted and went to the VM layer")                \
    X(violations, "accesses the VM layer refused (SIGSEGV/SIGBUS), skipped")       \
    X(pac_failures, "authenticating accesses whose PAC failed, skipped")           \
    X(nomem, "accesses skipped because simulated RAM was exhausted")              \
    X(demand_maps, "ranges demand-mapped on first touch")                          \
    X(demand_upgrades, "demand-mapped ranges given more access rights")            \
    X(map_events, "mmap/munmap/mprotect/brk events applied")                       \
    X(map_event_errors, "mapping events the VM layer rejected")                    \
    X(ignored_events, "TTBR/TCR events (the VM layer owns the tables)")            \
    X(tlbi_events, "TLBI events forwarded to the MMU")                             \
    X(tasks, "tasks created")                                                      \
    X(instructions, "instructions (MARK events, else fetch records; 0: unknown)")

typedef struct gr_replay_counts {
#define GR_REPLAY_FIELD_(f, d) uint64_t f;
    GR_REPLAY_COUNTS(GR_REPLAY_FIELD_)
#undef GR_REPLAY_FIELD_
    double seconds;        /* wall time of the replay loop */
} gr_replay_counts;

/*! gr_replay_create() : an empty machine shaped by cfg (validated).
 *  @return NULL with a message in err on a bad configuration or option. */
gr_replay *gr_replay_create(const gr_config *cfg, const gr_replay_opts *o, char *err,
                            size_t errlen);

/*! gr_replay_destroy() : NULL is a no-op. */
void gr_replay_destroy(gr_replay *r);

/*! gr_replay_run() : replays the trace at path ("-": standard input).
 *  @return 0, or 2 with a message in err naming the file and the byte
 *  offset or line when the trace cannot be read (the statistics then cover
 *  the records before the error). */
int gr_replay_run(gr_replay *r, const char *path, char *err, size_t errlen);

/*! gr_replay_stop() : a hook asks the replay to stop after the current
 *  record (gr_replay_run() then returns 0 with the counts so far). */
void gr_replay_stop(gr_replay *r);

/*! gr_replay_mmu()/gr_replay_pmem() : the replay's MMU and simulated
 *  memory (for a hook). */
gr_mmu *gr_replay_mmu(gr_replay *r);
gr_pmem *gr_replay_pmem(gr_replay *r);

/*! gr_replay_stats() : the MMU's statistics (instructions filled in). */
const gr_stats *gr_replay_stats(gr_replay *r);
const gr_replay_counts *gr_replay_counts_get(const gr_replay *r);
void gr_replay_vm_stats(const gr_replay *r, gr_vm_stats *out);

/*! gr_replay_print() : the statistics table (replay, VM layer, MMU). */
void gr_replay_print(gr_replay *r, FILE *f);

/*! gr_replay_write_json() : one JSON object {trace, replay, vm, mmu}. */
int gr_replay_write_json(gr_replay *r, FILE *f);

/*! gr_replay_csv_header()/gr_replay_csv_row() : one row per (config,
 *  trace) with the configuration's shape and the headline figures; the
 *  columns are listed in docs/replay.md. */
void gr_replay_csv_header(FILE *f);
void gr_replay_csv_row(gr_replay *r, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
