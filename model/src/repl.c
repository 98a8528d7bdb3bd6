/* Replacement policies; the bit-exact definitions are in docs/uarch.md. */
#include "granule/repl.h"

#include <stdlib.h>
#include <string.h>

int gr_repl_init(gr_repl_state *r, gr_repl policy, uint32_t sets, uint32_t ways,
                 uint16_t seed)
{
    memset(r, 0, sizeof *r);
    r->policy = policy;
    r->sets = sets;
    r->ways = ways;
    r->seed = seed;
    while ((1u << r->levels) < ways)
        r->levels++;
    if (policy == GR_REPL_LRU)
        r->stamp = calloc((size_t)sets * ways, sizeof *r->stamp);
    else if (policy == GR_REPL_PLRU)
        r->tree = calloc(sets, sizeof *r->tree);
    else if (policy == GR_REPL_FIFO)
        r->fifo = calloc(sets, sizeof *r->fifo);
    if ((policy == GR_REPL_LRU && !r->stamp) || (policy == GR_REPL_PLRU && !r->tree) ||
        (policy == GR_REPL_FIFO && !r->fifo)) {
        gr_repl_free(r);
        return -1;
    }
    gr_repl_reset(r);
    return 0;
}

void gr_repl_free(gr_repl_state *r)
{
    free(r->stamp);
    free(r->tree);
    free(r->fifo);
    r->stamp = NULL;
    r->tree = NULL;
    r->fifo = NULL;
}

void gr_repl_reset(gr_repl_state *r)
{
    /* LRU: stamps 0..ways-1 within each set give "way 0 least recent". */
    if (r->stamp)
        for (uint32_t s = 0; s < r->sets; s++)
            for (uint32_t w = 0; w < r->ways; w++)
                r->stamp[s * r->ways + w] = w;
    r->clock = r->ways;
    if (r->tree)
        memset(r->tree, 0, r->sets * sizeof *r->tree);
    if (r->fifo)
        memset(r->fifo, 0, r->sets * sizeof *r->fifo);
    r->lfsr = r->seed;
}

uint16_t gr_repl_lfsr_step(uint16_t s)
{
    /* Galois form of x^16 + x^14 + x^13 + x^11 + 1: shift right, and if the
     * bit shifted out was 1, XOR the taps in. Period 65535 from any
     * non-zero seed. */
    uint16_t out = s & 1u;
    s >>= 1;
    if (out)
        s ^= 0xB400u;
    return s;
}

void gr_repl_touch_slow(gr_repl_state *r, uint32_t set, uint32_t way)
{
    /* Walk from the root towards `way` (its bits MSB first) and make every
     * node on the path point away from it. */
    uint64_t t = r->tree[set];
    uint32_t n = 0;
    for (int d = r->levels - 1; d >= 0; d--) {
        uint32_t b = (way >> d) & 1u;
        if (b)
            t &= ~(1ull << n);
        else
            t |= 1ull << n;
        n = 2 * n + 1 + b;
    }
    r->tree[set] = t;
}

uint32_t gr_repl_next_victim(const gr_repl_state *r, uint32_t set)
{
    switch (r->policy) {
    case GR_REPL_FIFO:
        return r->fifo[set];
    case GR_REPL_LRU:
    case GR_REPL_PLRU: {
        gr_repl_state c = *r; /* gr_repl_victim() only reads these */
        return gr_repl_victim(&c, set);
    }
    default:
        return gr_repl_lfsr_step(r->lfsr) % r->ways;
    }
}

uint32_t gr_repl_victim(gr_repl_state *r, uint32_t set)
{
    switch (r->policy) {
    case GR_REPL_LRU: {
        const uint64_t *s = &r->stamp[(size_t)set * r->ways];
        uint32_t v = 0;
        for (uint32_t w = 1; w < r->ways; w++)
            if (s[w] < s[v])
                v = w;
        return v;
    }
    case GR_REPL_PLRU: {
        uint64_t t = r->tree[set];
        uint32_t n = 0, way = 0;
        for (int d = 0; d < r->levels; d++) {
            uint32_t b = (uint32_t)((t >> n) & 1u);
            way = (way << 1) | b;
            n = 2 * n + 1 + b;
        }
        return way;
    }
    case GR_REPL_FIFO: {
        uint32_t v = r->fifo[set];
        r->fifo[set] = v + 1 == r->ways ? 0 : v + 1;
        return v;
    }
    default:
        r->lfsr = gr_repl_lfsr_step(r->lfsr);
        return r->lfsr % r->ways;
    }
}
