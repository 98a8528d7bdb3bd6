/*
 * granule — the MMU top (prefix gr_mmu_): L1 instruction and data TLBs, the
 * unified L2 TLB, walk caches and the stage-1 walker, with the cycle-level
 * timing of docs/uarch.md. For every request it computes the translation
 * and the cycle its response is valid; that cycle is the contract the RTL
 * is diffed against.
 *
 * Requests are handled one call at a time in acceptance order, which is
 * exact because the MMU blocks on a miss (docs/uarch.md): a later request
 * can never overtake or overlap an earlier miss.
 */
#ifndef GRANULE_MMU_H
#define GRANULE_MMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "granule/config.h"
#include "granule/fault.h"
#include "granule/pac.h"
#include "granule/pmem.h"
#include "granule/ptw.h"
#include "granule/regs.h"
#include "granule/stats.h"
#include "granule/tlb.h"
#include "granule/walkcache.h"

#ifdef __cplusplus
extern "C" {
#endif

/* gr_mmu_req.t: presented in the cycle after the previous request was
 * accepted (back to back, as a replay without timing issues requests). */
#define GR_MMU_T_NEXT UINT64_MAX

typedef struct gr_mmu_req {
    gr_req r;       /* VA, access type, EL */
    uint64_t t;     /* cycle the request is presented (valid high), or
                       GR_MMU_T_NEXT */
    bool pac;       /* an authenticating access (LDRAA, BRAA, RETAA, ...):
                       r.va is the signed pointer, authenticated with key
                       and modifier in the PAC stage (lat.pac cycles) before
                       the lookup (docs/uarch.md "PAC stage") */
    bool retry;     /* re-issue after a resolved fault (see stats.h) */
    gr_pac_key key; /* with pac: IA, IB, DA or DB (zero-initialised: IA) */
    uint64_t modifier; /* with pac: the modifier (X[n|SP]; 0 for the Z forms) */
} gr_mmu_req;

/* X(ENUM, "name") — how a response was produced. */
#define GR_MMU_PATH_LIST(X) \
    X(EARLY, "early")       \
    X(L1, "l1")             \
    X(L2, "l2")             \
    X(WALK, "walk")

typedef enum {
#define GR_MMU_PATH_ENUM_(e, name) GR_MMU_PATH_##e,
    GR_MMU_PATH_LIST(GR_MMU_PATH_ENUM_)
#undef GR_MMU_PATH_ENUM_
        GR_MMU_PATH_COUNT
} gr_mmu_path;

typedef struct gr_mmu_resp {
    uint64_t t_accept;   /* cycle the request was accepted */
    uint64_t t_valid;    /* cycle the response is valid */
    uint64_t pa;         /* when fault.type == GR_FAULT_NONE */
    gr_fault fault;
    uint8_t page_shift;  /* size of the entry or translation used; 0 if none */
    uint8_t level;       /* lookup level of the leaf */
    uint8_t mair_attr;   /* memory attributes (MAIR_EL1 byte, after SCTLR.C/I) */
    uint8_t sh;          /* shareability SH[1:0] */
    uint8_t path;        /* gr_mmu_path */
    uint8_t walk_level;  /* WALK: level the walk started at */
    uint8_t nreads;      /* WALK: descriptor reads issued */
    bool desc_written;   /* WALK: an AF/dirty update was written */
} gr_mmu_resp;

typedef struct gr_mmu gr_mmu;

/*! gr_mmu_create() : an MMU shaped by cfg (validated), reading and updating
 *  page tables in mem (not owned). Registers start at gr_regs_reset()
 *  values, every structure empty, cycle 0. @return NULL if cfg is invalid
 *  or out of memory. */
gr_mmu *gr_mmu_create(const gr_config *cfg, gr_pmem *mem);

/*! gr_mmu_destroy() : NULL is a no-op. */
void gr_mmu_destroy(gr_mmu *m);

/*! gr_mmu_set_regs() : writes the system registers (TTBRn, TCR, SCTLR,
 *  MAIR, keys, ID registers, ...) as one event presented in cycle t.
 *  Nothing is invalidated: a stale entry keeps translating until a TLBI
 *  removes it. The write waits until every earlier response is valid.
 *  If the pointer authentication fields of ID_AA64ISAR1/2_EL1 do not
 *  decode (gr_pac_create: E_IDREGS, E_IMPDEF), PAC requests pass their
 *  pointer through unchanged until a write that decodes.
 *  @return the cycle it takes effect: requests are accepted from the
 *  cycle after. */
uint64_t gr_mmu_set_regs(gr_mmu *m, const gr_regs *regs, uint64_t t);

/*! gr_mmu_tlbi() : a TLB maintenance operation presented in cycle t;
 *  op->asid is reduced to the ASID width in use. @return the cycle it
 *  completes (requests are accepted from that cycle). */
uint64_t gr_mmu_tlbi(gr_mmu *m, const gr_tlbi *op, uint64_t t);

/*! gr_mmu_translate() : accepts rq at the first cycle >= rq->t the MMU is
 *  ready, translates it (filling TLBs and walk caches, writing AF/dirty
 *  updates to memory) and fills *out. */
void gr_mmu_translate(gr_mmu *m, const gr_mmu_req *rq, gr_mmu_resp *out);

/*! gr_mmu_translate_n() : gr_mmu_translate() of rq[0..n) in order into
 *  out[0..n), stopping after the first response that faults, so the caller
 *  can resolve it (and retry) before later requests are translated. The
 *  replay fast path: the timing state stays in registers across hits.
 *  @return the number of responses written (n unless one faulted). */
size_t gr_mmu_translate_n(gr_mmu *m, const gr_mmu_req *rq, size_t n, gr_mmu_resp *out);

/*! gr_mmu_run() : gr_mmu_translate_n() for a caller that needs only the
 *  statistics and the faults (a replay): no response is stored except one
 *  that faults, into *fault, after which it stops.
 *  @return the number of requests translated (n unless one faulted: then
 *  the last of them is the one in *fault). */
size_t gr_mmu_run(gr_mmu *m, const gr_mmu_req *rq, size_t n, gr_mmu_resp *fault);

/*! gr_mmu_run_plain() : gr_mmu_run() of n plain requests given as arrays:
 *  request i has r.va = va[i], r.acc = acc[i] (a gr_acc value), r.el = el,
 *  t = GR_MMU_T_NEXT, no PAC and no retry. The same responses, timing and
 *  statistics as gr_mmu_run() on those gr_mmu_req; this form spares a
 *  trace replay from building them (9 bytes per access read instead of
 *  40 written and read back).
 *  @return as gr_mmu_run(). */
size_t gr_mmu_run_plain(gr_mmu *m, const uint64_t *va, const uint8_t *acc, size_t n,
                        unsigned el, gr_mmu_resp *fault);

/*! gr_mmu_ready() : the first cycle a new request can be accepted. */
uint64_t gr_mmu_ready(const gr_mmu *m);

/*! gr_mmu_stats() : the counters, brought up to date by this call (the
 *  hit path keeps per-slot counts that are folded in here; read the
 *  counters again through a new call after more requests).
 *  gr_stats_clear() on the result restarts them. */
gr_stats *gr_mmu_stats(gr_mmu *m);

/*! gr_mmu_last_walk() : the full walk record (descriptor reads, leaf) of
 *  the last request that walked. */
const gr_xlat *gr_mmu_last_walk(const gr_mmu *m);

/*! gr_mmu_ctx() : the decoded registers in use. */
const gr_s1ctx *gr_mmu_ctx(const gr_mmu *m);

/*! Structures, for inspection (dumps at a divergence, tests). which:
 *  0 L1 I, 1 L1 D, 2 L2 (NULL if absent); walk caches 0..3 as in
 *  gr_config.wc (NULL if absent). */
gr_tlb *gr_mmu_tlb(gr_mmu *m, int which);
gr_wc *gr_mmu_wc(gr_mmu *m, int which);

/*! gr_mmu_last_pac_va() : the address the last authenticating request
 *  (gr_mmu_req.pac) went on to translate: the pointer Auth returned, with
 *  the PAC removed, or with the error code Auth inserts when it failed
 *  without FEAT_FPAC. An OS taking that request's fault sees this address
 *  (FAR_EL1). Unchanged by requests whose PAC failed with FEAT_FPAC. */
uint64_t gr_mmu_last_pac_va(const gr_mmu *m);

/*! gr_mmu_asid() : the ASID tag current requests use (ctx ASID reduced to
 *  the configured width). */
uint16_t gr_mmu_asid(const gr_mmu *m);

#ifdef __cplusplus
}
#endif
#endif
