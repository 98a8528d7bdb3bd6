/*
 * granule — one TLB structure (prefix gr_tlb_): a set-associative array of
 * leaf translations holding several page sizes, with its replacement state.
 * The MMU top (mmu.h) owns the L1 instruction, L1 data and L2 instances.
 *
 * Tag: VA[55:size] of the entry's range (VA[55] selects TTBR0/TTBR1, bits
 * 63:56 are not part of the tag: they are either the top byte TBI ignores
 * or copies of bit 55 that gr_s1_select() has checked), the entry's page
 * size, the ASID unless the entry is global, and a VMID (0: stage 2 is not
 * modelled). A structure holding several sizes indexes each size with its
 * own VA bits: set = (VA >> size_shift) mod sets; a lookup probes every
 * configured size (docs/uarch.md "Multiple page sizes").
 *
 * When two valid entries match one lookup (only possible after a missing
 * break-before-make), the smallest page size wins, then the lowest way.
 */
#ifndef GRANULE_TLB_H
#define GRANULE_TLB_H

#include <stdbool.h>
#include <stdint.h>

#include "granule/config.h"
#include "granule/ptw.h"
#include "granule/repl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The VA bits that take part in TLB tags: VA[55:0]. */
#define GR_TLB_VA_MASK 0x00FFFFFFFFFFFFFFull

/* X(ENUM, "name", by_va, by_asid, last_level) — TLB maintenance by the
 * EL1&0 regime (the IS forms act the same on one PE). */
#define GR_TLBI_LIST(X)                      \
    X(VMALLE1, "vmalle1", 0, 0, 0)           \
    X(VMALLE1IS, "vmalle1is", 0, 0, 0)       \
    X(ASIDE1, "aside1", 0, 1, 0)             \
    X(ASIDE1IS, "aside1is", 0, 1, 0)         \
    X(VAE1, "vae1", 1, 1, 0)                 \
    X(VAE1IS, "vae1is", 1, 1, 0)             \
    X(VALE1, "vale1", 1, 1, 1)               \
    X(VALE1IS, "vale1is", 1, 1, 1)           \
    X(VAAE1, "vaae1", 1, 0, 0)               \
    X(VAAE1IS, "vaae1is", 1, 0, 0)           \
    X(VAALE1, "vaale1", 1, 0, 1)             \
    X(VAALE1IS, "vaale1is", 1, 0, 1)

typedef enum {
#define GR_TLBI_ENUM_(e, name, va, asid, last) GR_TLBI_##e,
    GR_TLBI_LIST(GR_TLBI_ENUM_)
#undef GR_TLBI_ENUM_
        GR_TLBI_COUNT
} gr_tlbi_op;

/* One maintenance operation. va is the address (not the Xt encoding);
 * asid is already reduced to the ASID width in use. */
typedef struct gr_tlbi {
    gr_tlbi_op op;
    uint64_t va;
    uint16_t asid;
} gr_tlbi;

/*! gr_tlbi_name() : "vae1is", ...; gr_tlbi_parse() the reverse (case
 *  insensitive, optional "tlbi " prefix): @return 0 or -1. */
const char *gr_tlbi_name(gr_tlbi_op op);
int gr_tlbi_parse(const char *s, gr_tlbi_op *op);
/*! Properties of op: by VA, by ASID, last level only. */
bool gr_tlbi_by_va(gr_tlbi_op op);
bool gr_tlbi_by_asid(gr_tlbi_op op);
bool gr_tlbi_last_level(gr_tlbi_op op);

typedef struct gr_tlb_entry {
    uint64_t vkey;    /* VA[55:size] of the first byte; other bits zero */
    uint16_t asid;    /* ASID tag, meaningful when !global */
    uint16_t vmid;    /* 0 */
    bool global;      /* the leaf had nG = 0 */
    uint8_t psize;    /* gr_psize */
    /* The leaf with the walk's table attributes folded in, as gr_s1_check()
     * reads it; va_base/oa_base/page_shift describe this entry's range
     * (after contiguous coalescing or splintering). */
    gr_tte tte;
    /* Free for the owner: the MMU caches permission results and memory
     * attributes here (cleared by a fill). */
    uint32_t owner_epoch;
    uint8_t owner_perm;
    uint8_t owner_attr[2];
} gr_tlb_entry;

typedef struct gr_tlb gr_tlb;

/*! gr_tlb_create() : an empty structure shaped by cfg (which must have
 *  passed gr_config_validate). @return NULL if out of memory. */
gr_tlb *gr_tlb_create(const gr_tlb_cfg *cfg);

/*! gr_tlb_destroy() : NULL is a no-op. */
void gr_tlb_destroy(gr_tlb *t);

/*! gr_tlb_reset() : every entry invalid, replacement state reset. */
void gr_tlb_reset(gr_tlb *t);

/*! gr_tlb_lookup() : the entry matching va (VA[55:0] used) for asid, by the
 *  rule above. Changes nothing (call gr_tlb_touch() for a hit that counts).
 *  @return the entry's index (set * ways + way), or -1. *probe (if not
 *  NULL) receives the position of the hit's size in the structure's size
 *  list (0 = smallest configured size), or on a miss the number of
 *  configured sizes minus one: with `probe = sequential` that many extra
 *  cycles are spent. */
int gr_tlb_lookup(const gr_tlb *t, uint64_t va, uint16_t asid, unsigned *probe);

/*! gr_tlb_touch() : records a hit on entry idx for replacement. */
void gr_tlb_touch(gr_tlb *t, int idx);

/*! gr_tlb_entry_at() : @return entry idx, or NULL if it is invalid. */
const gr_tlb_entry *gr_tlb_entry_at(const gr_tlb *t, int idx);
/*! gr_tlb_entry_mut() : as gr_tlb_entry_at, writable (owner fields). */
gr_tlb_entry *gr_tlb_entry_mut(gr_tlb *t, int idx);

/*! gr_tlb_version() : a number that changes whenever entry idx is filled
 *  or invalidated. */
uint32_t gr_tlb_version(const gr_tlb *t, int idx);

/*! gr_tlb_gen() : a number that changes whenever a fill may have changed
 *  the result of a lookup that did not return the filled entry's index
 *  (the new entry overlaps another valid entry with a compatible tag). A
 *  cache of lookup results stays exact by checking gen and the version of
 *  the entry it names. */
uint32_t gr_tlb_gen(const gr_tlb *t);

/*! gr_tlb_fill() : writes e into the set its own size indexes: into the
 *  lowest invalid way, else into the policy's victim, then touches it.
 *  e->psize must be a size the structure holds. *evicted (if not NULL)
 *  receives the valid entry that was replaced. @return the index written
 *  and sets *did_evict. */
int gr_tlb_fill(gr_tlb *t, const gr_tlb_entry *e, gr_tlb_entry *evicted, bool *did_evict);

/*! gr_tlb_invalidate() : applies a TLBI: VMALLE1 all entries; ASIDE1
 *  non-global entries of op->asid; VAE1/VALE1 entries covering op->va that
 *  are global or of op->asid; VAAE1/VAALE1 entries covering op->va.
 *  @return the number of entries invalidated. */
unsigned gr_tlb_invalidate(gr_tlb *t, const gr_tlbi *op);

/*! gr_tlb_invalidate_at() : invalidates entry idx (if valid). */
void gr_tlb_invalidate_at(gr_tlb *t, int idx);

/*! gr_tlb_observer : called with the index of an entry that was just
 *  invalidated (TLBI, eviction, back-invalidation, dirty miss), or with -1
 *  when a fill may have changed the result of lookups that did not return
 *  the filled index (the same events that change gr_tlb_gen()) or the
 *  structure was reset. A cache of lookup results (the MMU's front filter)
 *  stays exact by dropping what it holds for idx (everything for -1). */
typedef void (*gr_tlb_observer)(void *ctx, int idx);

/*! gr_tlb_set_observer() : installs fn (NULL: none). */
void gr_tlb_set_observer(gr_tlb *t, gr_tlb_observer fn, void *ctx);

/* What the MMU's hit path reads without a call per access: the arrays
 * behind gr_tlb_version(), gr_tlb_gen(), gr_tlb_entry_mut() and the
 * replacement state. Read-only except entries' owner fields and touches
 * through gr_repl_touch(). */
typedef struct gr_tlb_view {
    const uint32_t *version;
    const uint32_t *gen;
    gr_tlb_entry *entries;
    gr_repl_state *repl;
    uint32_t ways;
} gr_tlb_view;

/*! gr_tlb_view_get() : fills v for t (valid until t is destroyed). */
void gr_tlb_view_get(gr_tlb *t, gr_tlb_view *v);

/*! gr_tlb_invalidate_within() : invalidates the entries whose range lies
 *  inside [vkey, vkey + 2^shift) with a tag compatible with (global, asid)
 *  (inclusive-L2 back-invalidation). @return the number invalidated. */
unsigned gr_tlb_invalidate_within(gr_tlb *t, uint64_t vkey, unsigned shift, bool global,
                                  uint16_t asid);

/*! gr_tlb_sizes() : bitmask of the gr_psize values the structure holds. */
uint8_t gr_tlb_sizes(const gr_tlb *t);
/*! gr_tlb_capacity() : sets * ways; gr_tlb_ways(): ways. */
unsigned gr_tlb_capacity(const gr_tlb *t);
unsigned gr_tlb_ways(const gr_tlb *t);
/*! gr_tlb_valid_count() : valid entries. */
unsigned gr_tlb_valid_count(const gr_tlb *t);
/*! gr_tlb_set_of() : the set an entry of size p covering va lives in
 *  (the set its lookup probes for that size). */
uint32_t gr_tlb_set_of(const gr_tlb *t, uint64_t va, gr_psize p);

/*! gr_tlb_make_entry() : the entry a structure holding `sizes` keeps for
 *  the translation tte of va: the largest held size that fits inside
 *  tte's range (splintering a larger block), aligned around va.
 *  @return false if no held size fits (the structure cannot cache it). */
bool gr_tlb_make_entry(uint8_t sizes, const gr_tte *tte, uint64_t va, uint16_t asid,
                       gr_tlb_entry *out);

#ifdef __cplusplus
}
#endif
#endif
