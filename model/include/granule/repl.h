/*
 * granule — replacement state of a set-associative structure (prefix
 * gr_repl_), shared by the TLBs and the walk caches so the RTL mirrors one
 * module. docs/uarch.md ("Replacement") is the bit-exact definition:
 *
 *   LRU     true LRU order of last touch (fill or hit)
 *   PLRU    tree pseudo-LRU, ways - 1 bits per set, heap order, bit = 1
 *           means "the victim is in the upper half"
 *   FIFO    round-robin pointer per set, advanced when it names a victim
 *   RANDOM  16-bit Galois LFSR x^16+x^14+x^13+x^11+1 (taps 0xB400), one
 *           per structure, stepped once per policy victim; victim =
 *           state % ways after the step
 *
 * Invalid ways are the caller's business: a fill takes the lowest-numbered
 * invalid way of the set and asks the policy only when the set is full.
 *
 * The state struct is transparent so the hit path can inline
 * gr_repl_touch(); its fields are private to repl.c otherwise.
 */
#ifndef GRANULE_REPL_H
#define GRANULE_REPL_H

#include <stdint.h>

#include "granule/config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_repl_state {
    gr_repl policy;
    uint32_t sets, ways;
    uint64_t clock;    /* LRU: last stamp handed out */
    uint64_t *stamp;   /* LRU: [set * ways + way] stamp of the last touch */
    uint64_t *tree;    /* PLRU: [set] tree bits, node n at bit n */
    uint32_t *fifo;    /* FIFO: [set] next victim */
    uint16_t lfsr, seed;
    uint8_t levels;    /* PLRU: log2(ways) */
} gr_repl_state;

/*! gr_repl_init() : allocates the state for sets x ways under policy.
 *  @return 0, or -1 if out of memory. */
int gr_repl_init(gr_repl_state *r, gr_repl policy, uint32_t sets, uint32_t ways,
                 uint16_t seed);

/*! gr_repl_free() : releases what gr_repl_init() allocated. */
void gr_repl_free(gr_repl_state *r);

/*! gr_repl_reset() : the state after reset: LRU order = way order (way 0
 *  least recent), PLRU bits 0, FIFO pointers 0, LFSR = seed. */
void gr_repl_reset(gr_repl_state *r);

/*! gr_repl_touch_slow() : gr_repl_touch() for PLRU. */
void gr_repl_touch_slow(gr_repl_state *r, uint32_t set, uint32_t way);

/*! gr_repl_touch() : records a use of (set, way): a hit or a fill. FIFO and
 *  RANDOM ignore it. */
static inline void gr_repl_touch(gr_repl_state *r, uint32_t set, uint32_t way)
{
    if (r->policy == GR_REPL_LRU)
        r->stamp[set * r->ways + way] = ++r->clock;
    else if (r->policy == GR_REPL_PLRU)
        gr_repl_touch_slow(r, set, way);
}

/*! gr_repl_victim() : the way the policy evicts from a full set; advances
 *  the FIFO pointer or steps the LFSR. Does not touch the victim (the fill
 *  that follows does). */
uint32_t gr_repl_victim(gr_repl_state *r, uint32_t set);

/*! gr_repl_next_victim() : the way gr_repl_victim() would return for set
 *  now, changing nothing (for dumps: the state as the next eviction will
 *  read it). */
uint32_t gr_repl_next_victim(const gr_repl_state *r, uint32_t set);

/*! gr_repl_lfsr_step() : one step of the Galois LFSR (exposed for tests
 *  and for the RTL testbench). */
uint16_t gr_repl_lfsr_step(uint16_t s);

#ifdef __cplusplus
}
#endif
#endif
