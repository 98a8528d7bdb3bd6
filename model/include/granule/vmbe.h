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

#ifdef __cplusplus
extern "C" {
#endif

/* X(ENUM, "Arm mnemonic") — the EL1 TLB maintenance operations the VM layer
 * issues (Arm ARM C5.5, TLBI <op>, Inner Shareable forms not modelled
 * separately: one PE). VA forms take the VA, ASID forms the ASID; the
 * "L" (last level) forms only invalidate leaf entries; the "AA" forms match
 * any ASID. */
#define GR_VMBE_TLBI_LIST(X) \
    X(VMALLE1, "VMALLE1")    \
    X(VAE1, "VAE1")          \
    X(VALE1, "VALE1")        \
    X(VAAE1, "VAAE1")        \
    X(VAALE1, "VAALE1")      \
    X(ASIDE1, "ASIDE1")

typedef enum {
#define GR_VMBE_TLBI_ENUM_(e, s) GR_TLBI_##e,
    GR_VMBE_TLBI_LIST(GR_VMBE_TLBI_ENUM_)
#undef GR_VMBE_TLBI_ENUM_
        GR_TLBI_COUNT_
} gr_tlbi_op;

/*! gr_vmbe_tlbi_name() : @return "VAE1", ... */
const char *gr_vmbe_tlbi_name(gr_tlbi_op op);

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

/*! gr_vmbe_destroy() : calls ops->destroy; NULL or an empty be is a no-op. */
void gr_vmbe_destroy(gr_vmbe *be);

#ifdef __cplusplus
}
#endif
#endif
