/*
 * granule — walk cache (prefix gr_wc_): table descriptors from earlier
 * walks, so a walk can start below the start level (Cortex-A35 TRM: walk
 * results up to, not including, the last level; a block or page adds
 * nothing). One instance holds the levels of its configuration; the MMU
 * looks all instances up at once and uses the deepest hit.
 *
 * Tag: VA[55:r] where r = granule_bits + stride * (3 - level) is the size
 * of the region one descriptor at that level maps, the level, the granule
 * and the ASID. Table descriptors carry no nG bit, so every entry is
 * ASID-tagged (docs/uarch.md "Walk cache"). Index: set = (VA >> r) mod sets.
 */
#ifndef GRANULE_WALKCACHE_H
#define GRANULE_WALKCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "granule/config.h"
#include "granule/ptw.h"
#include "granule/repl.h"
#include "granule/tlb.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_wc_entry {
    uint64_t vkey;         /* VA[55:r] of the region; other bits zero */
    uint16_t asid;
    uint8_t level;         /* level of the cached table descriptor, 0..2 */
    uint8_t granule_bits;  /* 12, 14 or 16 */
    uint8_t region_shift;  /* r */
    /* Where the walk continues: level + 1, the next table and the table
     * attributes accumulated down to and including this descriptor. */
    gr_walk_start next;
} gr_wc_entry;

typedef struct gr_wc gr_wc;

/*! gr_wc_create() : an empty walk cache shaped by cfg (cfg->levels says
 *  which levels it holds). @return NULL if out of memory. */
gr_wc *gr_wc_create(const gr_tlb_cfg *cfg);
/*! gr_wc_destroy() : NULL is a no-op. */
void gr_wc_destroy(gr_wc *w);
/*! gr_wc_reset() : all entries invalid, replacement state reset. */
void gr_wc_reset(gr_wc *w);

/*! gr_wc_lookup() : the deepest entry this cache holds for va under the
 *  walk parameters h and asid (levels from h->start_level to 2). Changes
 *  nothing. @return its index, or -1. */
int gr_wc_lookup(const gr_wc *w, const gr_s1half *h, uint64_t va, uint16_t asid);

/*! gr_wc_touch() : records a hit on idx for replacement. */
void gr_wc_touch(gr_wc *w, int idx);

/*! gr_wc_entry_at() : @return entry idx, or NULL if invalid. */
const gr_wc_entry *gr_wc_entry_at(const gr_wc *w, int idx);

/*! gr_wc_holds() : does this cache hold level-`level` descriptors? */
bool gr_wc_holds(const gr_wc *w, int level);

/*! gr_wc_fill() : writes e (lowest invalid way of its set, else the
 *  policy's victim) and touches it. @return the index; *evicted tells
 *  whether a valid entry was replaced. */
int gr_wc_fill(gr_wc *w, const gr_wc_entry *e, bool *evicted);

/*! gr_wc_invalidate() : VMALLE1 all; ASIDE1 entries of op->asid;
 *  VAE1 and VAAE1 every entry whose region covers op->va, whatever its
 *  ASID; VALE1 and VAALE1 nothing (last-level forms may keep walk-cache
 *  entries). @return the number invalidated. */
unsigned gr_wc_invalidate(gr_wc *w, const gr_tlbi *op);

/*! gr_wc_repl() : the replacement state (read-only: dumps). */
const gr_repl_state *gr_wc_repl(const gr_wc *w);

/*! gr_wc_valid_count() : valid entries. */
unsigned gr_wc_valid_count(const gr_wc *w);

/*! gr_wc_set_of() : the set a level-`level` entry for va lives in, in the
 *  VA range whose translation parameters are h (its region, and so its
 *  index, depends on the granule). */
uint32_t gr_wc_set_of(const gr_wc *w, const gr_s1half *h, uint64_t va, int level);

/*! gr_wc_from_walk() : the walk-cache entries a walk yields: one per table
 *  descriptor the walker followed (every read in x->reads that is a table
 *  descriptor whose next-table address is inside the output size), in
 *  read order, with the table attributes accumulated from start (NULL: a
 *  walk from the TTBR). @return how many were written to out (<= 3). */
int gr_wc_from_walk(const gr_s1ctx *ctx, int half, const gr_walk_start *start,
                    const gr_xlat *x, uint16_t asid, gr_wc_entry out[3]);

#ifdef __cplusplus
}
#endif
#endif
