/*
 * granule — MMU statistics (prefix gr_stats_): the counters gr_mmu keeps,
 * and their output as a human table, JSON (jansson) and CSV. Every counter
 * is documented in docs/stats.md under the name the JSON and CSV use.
 *
 * Accounting rules: a request with `retry` set (re-issued after the VM
 * layer resolved its fault) is not a new access: it adds to `retries` and
 * to the walker and fault counters, not to accesses, lookups, hits, misses,
 * latency or per-ASID accesses. A miss is counted by the page size of the
 * entry it filled into that structure (`none` when nothing was filled).
 */
#ifndef GRANULE_STATS_H
#define GRANULE_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "granule/config.h"
#include "granule/fault.h"
#include "granule/tlb.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GR_STATS_NACC 3                 /* read, write, exec (gr_acc) */
#define GR_STATS_HIST 1024              /* exact bins 0..1022, bin 1023: >= 1023 */
#define GR_STATS_NONE GR_PS_COUNT       /* "no entry" page-size column */

typedef struct gr_stats_tlb {
    bool present;
    uint64_t hits[GR_STATS_NACC][GR_PS_COUNT];        /* by size of the entry hit */
    uint64_t misses[GR_STATS_NACC][GR_PS_COUNT + 1];  /* by size filled, or none */
    uint64_t evictions[GR_STATS_NACC][GR_PS_COUNT];   /* by size of the victim */
    uint64_t fills[GR_PS_COUNT];
    uint64_t dirty_misses;     /* writes that hit a writable-clean entry */
    uint64_t perm_faults;      /* permission faults raised from a hit */
    uint64_t tlbi_invalidated; /* entries removed by TLB maintenance */
    uint64_t back_invalidated; /* L1 entries removed by an inclusive L2 eviction */
} gr_stats_tlb;

typedef struct gr_stats_wc {
    bool present;
    uint64_t lookups;
    uint64_t hits[3];          /* by level of the cached table descriptor */
    uint64_t fills[3];
    uint64_t evictions;
    uint64_t tlbi_invalidated;
} gr_stats_wc;

typedef struct gr_stats_asid {
    uint64_t accesses, l1_misses, l2_misses, walks, faults;
} gr_stats_asid;

typedef struct gr_stats {
    char config[48];
    uint64_t requests;                    /* accepted, retries included */
    uint64_t accesses[GR_STATS_NACC];     /* retries excluded */
    uint64_t retries;
    uint64_t mmu_off;                     /* SCTLR_EL1.M = 0: flat map, no TLB */
    uint64_t pac_requests;
    gr_stats_tlb l1i, l1d, l2;
    gr_stats_wc wc;
    /* walker */
    uint64_t walks;
    uint64_t walk_start[4];               /* walks by the level they started at */
    uint64_t reads[4];                    /* descriptor reads by level */
    uint64_t walk_cycles;                 /* first read issued .. last data */
    uint64_t walk_hist[GR_STATS_HIST];
    uint64_t af_updates, dirty_updates;   /* hardware descriptor writes */
    uint64_t faults[GR_FAULT_COUNT_][4];  /* by type and level */
    /* timing */
    uint64_t latency_sum;                 /* t_valid - t_accept over accesses */
    uint64_t latency_hist[GR_STATS_HIST];
    uint64_t stall_cycles;                /* t_accept - t presented */
    uint64_t last_cycle;                  /* latest response or completion */
    uint64_t tlbi[GR_TLBI_COUNT];
    uint64_t reg_writes;
    uint64_t instructions;                /* set by the driver; 0 = unknown */
    gr_stats_asid *asid;                  /* [65536], allocated by the MMU */
} gr_stats;

/*! gr_stats_init() : zeroes s and allocates the per-ASID table.
 *  @return 0 or -1 (out of memory). */
int gr_stats_init(gr_stats *s);
/*! gr_stats_free() : frees the per-ASID table. */
void gr_stats_free(gr_stats *s);
/*! gr_stats_clear() : zeroes every counter, keeping `present` flags,
 *  config name and the per-ASID table. */
void gr_stats_clear(gr_stats *s);

/*! Derived figures. */
uint64_t gr_stats_tlb_hits(const gr_stats_tlb *t);
uint64_t gr_stats_tlb_misses(const gr_stats_tlb *t);
uint64_t gr_stats_total_accesses(const gr_stats *s);

/*! gr_stats_print() : the human-readable table. */
void gr_stats_print(const gr_stats *s, FILE *f);
/*! gr_stats_write_json() : the JSON report (docs/stats.md) to f.
 *  @return 0 or -1. */
int gr_stats_write_json(const gr_stats *s, FILE *f);
/*! gr_stats_write_csv() : one `counter,value` line per non-derived counter
 *  (names as in JSON, dotted paths). @return 0 or -1. */
int gr_stats_write_csv(const gr_stats *s, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
