/*
 * The direct MMU backend: AArch64.S1Translate on every access, no TLB.
 * Register writes are decoded once (gr_s1_decode), as a real MMU latches
 * them, so translate() never reads a register.
 */
#include "granule/vmbe.h"

#include <stdlib.h>

const char *gr_vmbe_tlbi_name(gr_tlbi_op op)
{
    static const char *const names[] = {
#define GR_VMBE_TLBI_NAME_(e, s) s,
        GR_VMBE_TLBI_LIST(GR_VMBE_TLBI_NAME_)
#undef GR_VMBE_TLBI_NAME_
    };
    return (unsigned)op < GR_TLBI_COUNT_ ? names[op] : "?";
}

typedef struct direct {
    gr_pmem *mem;
    gr_s1ctx s1;
    uint64_t tlbis;
} direct;

static void d_set_regs(void *ctx, const gr_regs *regs)
{
    direct *d = ctx;
    gr_s1_decode(regs, &d->s1);
}

static void d_translate(void *ctx, const gr_req *req, gr_xlat *out)
{
    direct *d = ctx;
    gr_s1_translate(&d->s1, d->mem, req, out);
}

static void d_tlbi(void *ctx, gr_tlbi_op op, uint64_t va, uint16_t asid)
{
    (void)op;
    (void)va;
    (void)asid;
    ((direct *)ctx)->tlbis++;
}

static void d_destroy(void *ctx)
{
    free(ctx);
}

static const gr_vmbe_ops direct_ops = {d_set_regs, d_translate, d_tlbi, d_destroy};

int gr_vmbe_direct(gr_pmem *mem, gr_vmbe *out)
{
    direct *d = calloc(1, sizeof *d);
    if (!d)
        return -1;
    d->mem = mem;
    gr_regs r;
    gr_regs_reset(&r);
    gr_s1_decode(&r, &d->s1);
    out->ops = &direct_ops;
    out->ctx = d;
    return 0;
}

uint64_t gr_vmbe_direct_tlbis(const gr_vmbe *be)
{
    return be && be->ops == &direct_ops ? ((const direct *)be->ctx)->tlbis : 0;
}

void gr_vmbe_destroy(gr_vmbe *be)
{
    if (!be || !be->ops)
        return;
    if (be->ops->destroy)
        be->ops->destroy(be->ctx);
    be->ops = NULL;
    be->ctx = NULL;
}
