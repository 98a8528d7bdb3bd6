/*
 * granule — VMSAv8-64 translation tables of one address space, built in
 * simulated physical memory (prefix gr_vmpmap_; XNU's pmap layer).
 *
 * A pmap owns the tables of one VA range: TTBR0 of a task (per-task ASID,
 * nG pages) or TTBR1 of the kernel (global pages), with a 4K or 16K
 * granule. Tables are frames from gr_vmpage (queue "pagetable", wired), and
 * every descriptor is a real 64-bit write to gr_pmem, so the walker, the C
 * MMU and the RTL all read exactly what the VM layer wrote.
 *
 * TLB coherence is this unit's job: every leaf change that could leave a
 * stale TLB entry calls the tlbi callback (the VM layer forwards it to the
 * MMU backend and logs it), and changing a valid leaf's output address goes
 * through break-before-make (Arm ARM D8.16.1, "Using break-before-make when
 * updating translation table entries"): write invalid, TLBI, write new.
 * Table descriptors are never changed once written (empty tables are only
 * freed with the pmap, after TLBI ASIDE1), so walk caches cannot go stale
 * and last-level invalidations (VALE1/VAALE1) suffice for leaf changes.
 */
#ifndef GRANULE_VMPMAP_H
#define GRANULE_VMPMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "granule/pmem.h"
#include "granule/vmbe.h"
#include "granule/vmpage.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Protections (vm_prot_t): write implies read in the tables (VMSAv8-64 has
 * no write-only permission). */
#define GR_PROT_NONE 0u
#define GR_PROT_READ 1u
#define GR_PROT_WRITE 2u
#define GR_PROT_EXEC 4u
#define GR_PROT_ALL 7u

/* MAIR_EL1 layout the VM layer programs, and the AttrIndx it uses. */
#define GR_VMPMAP_MAIR 0x000000000044ff00ull /* Attr0 Device-nGnRnE,
                                                Attr1 Normal WB RWA,
                                                Attr2 Normal NC */
#define GR_VMPMAP_ATTR_DEVICE 0
#define GR_VMPMAP_ATTR_NORMAL 1
#define GR_VMPMAP_ATTR_NC 2

typedef struct gr_vmpmap gr_vmpmap;

typedef void (*gr_vmpmap_tlbi_fn)(void *ctx, gr_tlbi_op op, uint64_t va,
                                  uint16_t asid);

typedef struct gr_vmpmap_cfg {
    unsigned granule_bits; /* 12 (4K) or 14 (16K) */
    unsigned txsz;         /* T0SZ or T1SZ, 16..39 */
    bool kernel;           /* TTBR1 range: global, EL1-only pages */
    uint16_t asid;         /* for nG pages and TLBIs (ignored if kernel) */
} gr_vmpmap_cfg;

/*! gr_vmpmap_create() : allocates the start-level table (zeroed).
 *  @return NULL on bad cfg, no free frame, or host memory exhaustion. */
gr_vmpmap *gr_vmpmap_create(gr_pmem *mem, gr_vmpage *pages,
                            const gr_vmpmap_cfg *cfg, gr_vmpmap_tlbi_fn tlbi,
                            void *tlbi_ctx);

/*! gr_vmpmap_destroy() : removes every mapping (no per-page TLBI), issues
 *  TLBI ASIDE1 (VMALLE1 for a kernel pmap) and frees every table. NULL is
 *  a no-op. */
void gr_vmpmap_destroy(gr_vmpmap *p);

/*! gr_vmpmap_root() : the start-level table's physical address (TTBR.BADDR). */
uint64_t gr_vmpmap_root(const gr_vmpmap *p);

/*! gr_vmpmap_start_level() : lookup level of the root table. */
unsigned gr_vmpmap_start_level(const gr_vmpmap *p);

/* Flags for gr_vmpmap_enter(). */
#define GR_VMPMAP_AF 1u /* enter with the access flag set */

/*! gr_vmpmap_enter() : maps the page at va (aligned to the granule) to pa
 *  with prot (not NONE) and attribute index attr. Replacing a valid leaf
 *  with a different output address uses break-before-make; changing only
 *  permissions or AF on a valid leaf is followed by a TLBI.
 *  @return 0, -1 (bad va/prot), or -2 (no frame for a table). */
int gr_vmpmap_enter(gr_vmpmap *p, uint64_t va, uint64_t pa, unsigned prot,
                    unsigned attr, unsigned flags);

/*! gr_vmpmap_remove() : unmaps every page in [start, end), TLBI per page
 *  that was valid. @return the number of pages removed. */
uint64_t gr_vmpmap_remove(gr_vmpmap *p, uint64_t start, uint64_t end);

/*! gr_vmpmap_remove_page() : gr_vmpmap_remove() of the one page at va
 *  (aligned), found through the leaf-table hint instead of a range walk.
 *  @return true if a leaf was removed. */
bool gr_vmpmap_remove_page(gr_vmpmap *p, uint64_t va);

/*! gr_vmpmap_protect() : lowers the permissions of the valid pages in
 *  [start, end) to at most prot (NONE removes them), TLBI per changed page.
 *  @return the number of pages changed. */
uint64_t gr_vmpmap_protect(gr_vmpmap *p, uint64_t start, uint64_t end,
                           unsigned prot);

/*! gr_vmpmap_clear_af() : clears AF of the valid page at va (TLBI follows:
 *  the old entry may be cached). @return true if the page was valid. */
bool gr_vmpmap_clear_af(gr_vmpmap *p, uint64_t va);

/*! gr_vmpmap_set_af() : sets AF of the valid page at va. No TLBI: an entry
 *  that faulted on AF=0 is never cached. @return true if the page was valid. */
bool gr_vmpmap_set_af(gr_vmpmap *p, uint64_t va);

/* A decoded leaf. */
typedef struct gr_vmpmap_leaf {
    uint64_t pa;    /* output address of the page */
    unsigned prot;  /* GR_PROT_* as the descriptor allows them at EL0
                       (EL1 for a kernel pmap) */
    unsigned attr;  /* AttrIndx */
    bool af, ng;
    uint64_t desc;  /* the raw descriptor */
    uint64_t desc_pa;
} gr_vmpmap_leaf;

/*! gr_vmpmap_lookup() : reads the tables (as the walker would) for va.
 *  @return true with *leaf filled if a valid leaf maps va. */
bool gr_vmpmap_lookup(const gr_vmpmap *p, uint64_t va, gr_vmpmap_leaf *leaf);

/* Callback for gr_vmpmap_foreach(): return false to stop. */
typedef bool (*gr_vmpmap_visit_fn)(void *arg, uint64_t va,
                                   const gr_vmpmap_leaf *leaf);

/*! gr_vmpmap_foreach() : calls fn for each valid leaf in [start, end) in VA
 *  order, skipping invalid subtrees. */
void gr_vmpmap_foreach(const gr_vmpmap *p, uint64_t start, uint64_t end,
                       gr_vmpmap_visit_fn fn, void *arg);

/*! gr_vmpmap_resident() : valid leaves in the whole pmap. */
uint64_t gr_vmpmap_resident(const gr_vmpmap *p);

/*! gr_vmpmap_count() : valid leaves in [start, end). */
uint64_t gr_vmpmap_count(const gr_vmpmap *p, uint64_t start, uint64_t end);

/*! gr_vmpmap_tables() : translation-table frames allocated. */
uint64_t gr_vmpmap_tables(const gr_vmpmap *p);

#ifdef __cplusplus
}
#endif
#endif
