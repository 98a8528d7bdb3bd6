/*
 * granule — synthetic trace generators (prefix gr_tracegen_).
 *
 * Seeded, reproducible streams of gr_trace_rec (granule/trace.h) for TLB
 * studies: a sequential stream, uniform random accesses over a footprint, a
 * strided sweep, a pointer chase around a random cyclic permutation, a PAC
 * workload (signed return addresses and data pointers, some tampered) and a
 * multi-task interleave of any of these with a context switch every N
 * accesses. The same parameters and seed give the same records on every
 * platform: the generators use only integer arithmetic and the PRNG below.
 *
 * PRNG: xoshiro256** 1.0 (Blackman and Vigna, "Scrambled linear pseudorandom
 * number generators", 2018), its 256-bit state filled from the 64-bit seed
 * by four successive outputs of splitmix64 (Steele, Lea and Flood, 2014), as
 * the xoshiro authors recommend. A value below n is drawn without bias by
 * rejection: x is redrawn while x < 2^64 mod n, then x mod n is returned. A
 * probability p is turned once into the threshold floor(p * 2^53) and an
 * event happens when (x >> 11) < threshold. Every data access draws the
 * read/write choice, so the stream's shape never depends on write_frac.
 *
 * Pointer authentication needs the keys, which live in the model
 * (granule/pac.h), and traces/ depends on nothing in model/: the PAC
 * generator therefore takes a signing callback; `granule gen pac` passes one
 * that calls gr_pac_sign() with a REGS file's keys.
 */
#ifndef GRANULE_TRACEGEN_H
#define GRANULE_TRACEGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "granule/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- The PRNG (exposed for tests and for deriving per-task seeds) ------- */

typedef struct gr_tracegen_rng {
    uint64_t s[4];
} gr_tracegen_rng;

/*! gr_tracegen_splitmix64() : advances *state by 0x9E3779B97F4A7C15 and
 *  @return the splitmix64 output for the new state. */
uint64_t gr_tracegen_splitmix64(uint64_t *state);

/*! gr_tracegen_rng_seed() : fills r from seed (four splitmix64 outputs). */
void gr_tracegen_rng_seed(gr_tracegen_rng *r, uint64_t seed);

/*! gr_tracegen_rng_next() : @return the next xoshiro256** output. */
uint64_t gr_tracegen_rng_next(gr_tracegen_rng *r);

/*! gr_tracegen_rng_below() : @return a uniform value in [0, n) (0 if n is 0). */
uint64_t gr_tracegen_rng_below(gr_tracegen_rng *r, uint64_t n);

/* ---- Generators ----------------------------------------------------------- */

typedef enum {
    GR_TRACEGEN_SEQ = 0,    /* base, base+stride, ... wrapping at the footprint */
    GR_TRACEGEN_RANDOM = 1, /* uniform over the size-aligned slots of the footprint */
    GR_TRACEGEN_STRIDE = 2, /* as SEQ with a default stride of one page */
    GR_TRACEGEN_CHASE = 3,  /* pointer chase: one node every stride bytes, visited
                               around a uniformly random cyclic permutation */
    GR_TRACEGEN_PAC = 4,    /* signed return addresses (IA) and data pointers (DA) */
    GR_TRACEGEN_MULTI = 5,  /* gr_tracegen_create_multi() only */
    GR_TRACEGEN_NKINDS
} gr_tracegen_kind;

/*! gr_tracegen_kind_name() : "seq", "random", "stride", "chase", "pac",
 *  "multi"; NULL if out of range. */
const char *gr_tracegen_kind_name(gr_tracegen_kind k);

/*! gr_tracegen_kind_parse() : @return the kind called name, or -1. */
int gr_tracegen_kind_parse(const char *name);

/* Signs ptr with key (GR_TRACE_PAC_IA or GR_TRACE_PAC_DA) and modifier at
 * exception level el, as PACIA/PACDA would. @return the signed pointer. */
typedef uint64_t (*gr_tracegen_sign_fn)(void *ctx, uint64_t ptr, unsigned key,
                                        uint64_t modifier, unsigned el);

typedef struct gr_tracegen_params {
    gr_tracegen_kind kind;
    uint64_t count;      /* data accesses (PAC accesses for PAC) to emit;
                            interleaved fetches come on top */
    uint64_t seed;
    uint64_t base;       /* lowest data VA; a multiple of size */
    uint64_t footprint;  /* bytes of data VA space used, from base */
    uint64_t stride;     /* SEQ/STRIDE step, CHASE node spacing; 0 = the
                            kind's default (SEQ: size, others: page_size) */
    uint32_t page_size;  /* page-size hint: written to the trace header and the
                            default stride of STRIDE and CHASE */
    uint32_t size;       /* bytes per data access, 1..4096 */
    double write_frac;   /* probability that a data access is a write, 0..1 */
    uint32_t ifetch;     /* instruction fetches emitted before each data access */
    uint64_t code_base;  /* the fetches walk [code_base, code_base+code_size)
                            4 bytes at a time, wrapping (a loop body) */
    uint64_t code_size;
    uint32_t task;       /* rec.task of every record */
    uint8_t el;          /* rec.el of every access, 0 or 1 */
    /* PAC only. A PAC access is a return (key IA, an instruction fetch of a
     * 4-aligned address in the code region, modifier = a 16-aligned SP in
     * [stack_base - stack_size, stack_base)) with probability ret_frac, else
     * a data pointer (key DA, a read or write of a size-aligned address in
     * the footprint, modifier = the address of the slot it was loaded from,
     * another size-aligned address in the footprint). With probability
     * tamper_frac the signed pointer gets one PAC bit flipped, chosen
     * uniformly in [pac_bottom, 54]: those bits belong to the PAC field
     * whatever TBI says, and Auth recomputes the PAC from the other bits, so
     * a flipped one always fails authentication. */
    double ret_frac;
    double tamper_frac;
    unsigned pac_bottom; /* 64 - TxSZ of the range the pointers are in, 25..54 */
    uint64_t stack_base;
    uint64_t stack_size;
    gr_tracegen_sign_fn sign; /* NULL: pointers stay unsigned (the tamper
                                 flips still happen: for testing the stream) */
    void *sign_ctx;
} gr_tracegen_params;

/*! gr_tracegen_params_default() : the defaults for kind: count 1000000,
 *  seed 1, base 0x10000000, footprint 64 MiB, page_size 4096, size 8,
 *  write_frac 0.3, no fetches, code at 0x400000 (4 KiB), task 1, EL0;
 *  PAC: ret_frac 0.5, tamper_frac 0.01, pac_bottom 48, stack below
 *  0xfffff0000000 (1 MiB). */
void gr_tracegen_params_default(gr_tracegen_params *p, gr_tracegen_kind kind);

typedef enum {
    GR_TRACEGEN_OK = 0,
    GR_TRACEGEN_EPARAM, /* see the message */
    GR_TRACEGEN_ENOMEM
} gr_tracegen_status;

typedef struct gr_tracegen gr_tracegen;

/*! gr_tracegen_create() : a generator for p (kind SEQ..PAC).
 *  @return the generator, or NULL with the status in *st (may be NULL) and,
 *  for EPARAM, the parameter and the reason in err (may be NULL). CHASE
 *  allocates 4 bytes per node (at most 2^28 nodes). */
gr_tracegen *gr_tracegen_create(const gr_tracegen_params *p, gr_tracegen_status *st, char *err,
                                size_t errlen);

/*! gr_tracegen_create_multi() : interleaves tasks[0..n-1] round robin: a
 *  GR_TREC_CTXSW record (task = the task's rec.task, arg[0] = asids[i])
 *  then `quantum` access records of that task, and so on; a task that runs
 *  out ends its turn early and is skipped from then on; the stream ends when
 *  every task has. Takes ownership of the tasks (also on failure).
 *  @return NULL with *st / err on bad arguments (n = 0, quantum = 0, a NULL
 *  task) or out of memory. */
gr_tracegen *gr_tracegen_create_multi(gr_tracegen **tasks, const uint16_t *asids, size_t n,
                                      uint64_t quantum, gr_tracegen_status *st, char *err,
                                      size_t errlen);

/*! gr_tracegen_next() : the next record into *rec.
 *  @return true, or false at the end of the stream (then *rec is untouched). */
bool gr_tracegen_next(gr_tracegen *g, gr_trace_rec *rec);

/*! gr_tracegen_page_size() : the page-size hint (the first task's, for MULTI). */
uint32_t gr_tracegen_page_size(const gr_tracegen *g);

/*! gr_tracegen_destroy() : frees g (and a MULTI's tasks); NULL is a no-op. */
void gr_tracegen_destroy(gr_tracegen *g);

#ifdef __cplusplus
}
#endif
#endif
