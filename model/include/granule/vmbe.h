/*
 * granule — the MMU backend interface of the VM layer (prefix gr_vmbe_).
 *
 * The VM layer never calls the walker or a TLB directly: it drives "an MMU"
 * through this table of operations, so the same VM code runs on the C model
 * without TLBs (gr_vmbe_direct), on the C MMU top with TLBs, on the RTL, or
 * on a lock-step pair. The three operations are what an OS kernel can do to
 * an MMU: write translation registers (context switch), make an access
 * (translate), and issue TLB maintenance (TLBI).
 */
#ifndef GRANULE_VMBE_H
#define GRANULE_VMBE_H

#include <stdint.h>

#include "granule/pmem.h"
#include "granule/ptw.h"
#include "granule/regs.h"
#include "granule/tlb.h"

#ifdef __cplusplus
extern "C" {
#endif

/* TLB maintenance operations are the TLB unit's gr_tlbi_op (tlb.h):
 * VMALLE1, ASIDE1, VAE1, VALE1, VAAE1, VAALE1 and their IS forms, with
 * Arm's names. The VM layer issues the non-IS forms (one PE). */

typedef struct gr_vmbe_ops {
    /* Register write: a context switch (TTBR0 with ASID, TCR) or boot.
     * The backend takes the values; the VM layer keeps its own copy. */
    void (*set_regs)(void *ctx, const gr_regs *regs);
    /* One access; out is filled as gr_s1_translate() fills it. */
    void (*translate)(void *ctx, const gr_req *req, gr_xlat *out);
    /* TLB maintenance: va is the full VA (page-aligned), asid the ASID. */
    void (*tlbi)(void *ctx, gr_tlbi_op op, uint64_t va, uint16_t asid);
    /* Frees ctx (may be NULL). */
    void (*destroy)(void *ctx);
} gr_vmbe_ops;

typedef struct gr_vmbe {
    const gr_vmbe_ops *ops;
    void *ctx;
} gr_vmbe;

/*! gr_vmbe_direct() : a backend that translates every access with
 *  gr_s1_translate() on mem (no TLB, so TLBIs have nothing to invalidate
 *  and only count). @return 0, or -1 on host memory exhaustion. */
int gr_vmbe_direct(gr_pmem *mem, gr_vmbe *out);

/*! gr_vmbe_direct_tlbis() : TLBIs a direct backend received. */
uint64_t gr_vmbe_direct_tlbis(const gr_vmbe *be);

/*! gr_vmbe_ideal_tlb() : a backend with an idealised TLB in front of the
 *  walker: unbounded, never evicts, caches every successful translation
 *  (keyed by ASID, or global for nG = 0) and forgets one only when a TLBI
 *  that architecturally covers it arrives. Any missing TLBI therefore shows
 *  up as a stale translation, which is what the VM layer's TLB-coherence
 *  tests need. Permission checks are redone on a hit against the cached
 *  entry, as a real TLB does. @return 0, or -1 on host memory exhaustion. */
int gr_vmbe_ideal_tlb(gr_pmem *mem, gr_vmbe *out);

/*! gr_vmbe_ideal_tlb_stats() : hits, misses and entries of an ideal-TLB
 *  backend (zeros for other backends). */
void gr_vmbe_ideal_tlb_stats(const gr_vmbe *be, uint64_t *hits, uint64_t *misses,
                             uint64_t *entries);

/*! gr_vmbe_mmu() : a backend on the MMU top (gr_mmu: L1/L2 TLBs, walk
 *  caches, walker) built from cfg (NULL: gr_config_defaults). Requests are
 *  presented back to back (each at the cycle the MMU is ready), so the
 *  MMU's cycle counters and statistics stay meaningful. @return 0, or -1
 *  if cfg is invalid or the host is out of memory. */
struct gr_config;
int gr_vmbe_mmu(const struct gr_config *cfg, gr_pmem *mem, gr_vmbe *out);

/*! gr_vmbe_mmu_of() : the gr_mmu of an MMU backend (NULL otherwise). */
struct gr_mmu;
struct gr_mmu *gr_vmbe_mmu_of(const gr_vmbe *be);

/*! gr_vmbe_destroy() : calls ops->destroy; NULL or an empty be is a no-op. */
void gr_vmbe_destroy(gr_vmbe *be);

#ifdef __cplusplus
}
#endif
#endif
