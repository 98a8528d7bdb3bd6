/*
 * granule — C API over the Verilated RTL MMU top (prefix gr_rtlsim_), so C
 * code drives rtl/mmu_top.sv the way it drives gr_mmu (model/include/
 * granule/mmu.h): register writes, TLBIs and translation requests presented
 * in a cycle, responses collected in order as the simulation reaches them.
 *
 * The walker's memory port is served from a gr_pmem (not owned: the same
 * simulated physical memory the VM layer writes page tables into), with the
 * configuration's mem.read / mem.write latencies and always ready, as the
 * model's walker sees it (docs/uarch.md "memory port"). Reads take the data
 * in the cycle the read is issued; an AF/dirty write lands in memory in the
 * cycle it is issued and is also logged for the caller to compare.
 *
 * Time only moves when the caller presents something or asks to step: a
 * presented event is held valid from its cycle until the RTL accepts it,
 * one clock per cycle, responses sampled in the cycle they are valid.
 */
#ifndef GRANULE_RTLSIM_H
#define GRANULE_RTLSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "granule/config.h"
#include "granule/mmu.h"
#include "granule/pmem.h"
#include "granule/regs.h"
#include "granule/tlb.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_rtlsim gr_rtlsim;

/* One response of the RTL (the rsp_o payload and its side outputs). */
typedef struct gr_rtlsim_rsp {
    uint64_t tag;        /* the caller's tag of the request (gr_rtlsim_submit) */
    uint64_t t_valid;    /* cycle rsp_valid_o was high */
    uint64_t pa;
    uint8_t fault_type;  /* gr_fault_type */
    uint8_t fault_level; /* fault level [1:0] */
    uint8_t fsc;         /* the encoded status code (gr_fault_fsc) */
    uint8_t mair_attr, sh;
    uint8_t page_shift;  /* 0 when no entry or leaf was used */
    uint8_t level;       /* leaf level */
    uint8_t path;        /* gr_mmu_path */
    uint8_t nreads;      /* walk: descriptor reads */
    bool desc_written;   /* walk: an AF/dirty update was written */
} gr_rtlsim_rsp;

/* One walker write (hardware AF/dirty update) as it left the memory port. */
typedef struct gr_rtlsim_write {
    uint64_t cycle, pa, data;
} gr_rtlsim_write;

/*! gr_rtlsim_create() : the Verilated MMU whose configuration package is
 *  the one cfg generates (gr_config_write_sv), reading and writing mem; the
 *  latencies of the memory port are cfg's mem.read and mem.write. Reset
 *  applied, cycle 0.
 *  @return NULL with a message in err if no built model matches cfg (the
 *  message lists the built ones) or the host is out of memory. */
gr_rtlsim *gr_rtlsim_create(const gr_config *cfg, gr_pmem *mem, char *err, size_t errlen);

/*! gr_rtlsim_create_named() : as gr_rtlsim_create() for the built model
 *  named name (its configuration's name, e.g. "small"), without comparing
 *  packages. */
gr_rtlsim *gr_rtlsim_create_named(const char *name, const gr_config *cfg, gr_pmem *mem,
                                  char *err, size_t errlen);

/*! gr_rtlsim_models() : the names of the built models, space separated. */
const char *gr_rtlsim_models(void);

/*! gr_rtlsim_destroy() : NULL is a no-op. */
void gr_rtlsim_destroy(gr_rtlsim *s);

/*! gr_rtlsim_reset() : asserts rst_ni: registers at gr_regs_reset()'s
 *  values, every structure empty, memory requests in flight dropped,
 *  collected responses, writes and TLBI completions discarded, cycle 0. */
void gr_rtlsim_reset(gr_rtlsim *s);

/*! gr_rtlsim_cycle() : the current cycle (the next one to be simulated). */
uint64_t gr_rtlsim_cycle(const gr_rtlsim *s);

/*! gr_rtlsim_run_to() : simulates the cycles before t with nothing
 *  presented (no-op when t is not ahead). */
void gr_rtlsim_run_to(gr_rtlsim *s, uint64_t t);

/*! gr_rtlsim_set_regs() : a register write presented from cycle t (or
 *  now, if t has passed). @return the cycle it was accepted (performed, as
 *  gr_mmu_set_regs() returns), or UINT64_MAX if it was not accepted within
 *  max_wait cycles. */
uint64_t gr_rtlsim_set_regs(gr_rtlsim *s, const gr_regs *regs, uint64_t t, uint64_t max_wait);

/*! gr_rtlsim_tlbi() : a TLBI presented from cycle t. @return the cycle it
 *  was accepted, or UINT64_MAX after max_wait cycles; its completion
 *  (tlbi_done_o) is collected by gr_rtlsim_pop_tlbi_done(). */
uint64_t gr_rtlsim_tlbi(gr_rtlsim *s, const gr_tlbi *op, uint64_t t, uint64_t max_wait);

/*! gr_rtlsim_submit() : a translation request presented from cycle
 *  max(rq->t, now) (GR_MMU_T_NEXT: now); rq->retry is not a port and is
 *  ignored. tag comes back in its response. @return the acceptance cycle,
 *  or UINT64_MAX after max_wait cycles. */
uint64_t gr_rtlsim_submit(gr_rtlsim *s, const gr_mmu_req *rq, uint64_t tag, uint64_t max_wait);

/*! gr_rtlsim_trace_window() : writes an FST waveform (GTKWave) of the
 *  cycles from..to, both included, to path: the file is opened when cycle
 *  from is simulated (at once if it is past) and closed after cycle to, by
 *  another call, or by gr_rtlsim_destroy(). Time unit 1 ns, one cycle 10 ns:
 *  cycle c's falling edge (inputs presented, outputs sampled) at 10c, its
 *  rising edge at 10c+5. Tracing costs nothing outside the window.
 *  @return 0, or -1 with a message in err if path cannot be written. */
int gr_rtlsim_trace_window(gr_rtlsim *s, const char *path, uint64_t from, uint64_t to,
                           char *err, size_t errlen);

/*! gr_rtlsim_trace_span() : the first and last cycles written to the
 *  waveform so far (by the last gr_rtlsim_trace_window()). @return false
 *  if none was. */
bool gr_rtlsim_trace_span(const gr_rtlsim *s, uint64_t *first, uint64_t *last);

/* The structures behind the RTL's debug read port (rtl/mmu_top.sv
 * dbg_*), numbered as gr_mmu_tlb() and gr_mmu_wc() number the model's. */
typedef enum {
    GR_RTLSIM_L1I,
    GR_RTLSIM_L1D,
    GR_RTLSIM_L2,
    GR_RTLSIM_WC0, /* walk cache i: GR_RTLSIM_WC0 + i, i < GR_CONFIG_MAX_WC */
    GR_RTLSIM_UNIT_COUNT = GR_RTLSIM_WC0 + GR_CONFIG_MAX_WC
} gr_rtlsim_unit;

/* One entry of a TLB (granule_pkg::tlb_entry_t) or of a walk cache
 * (rtl/walkcache.sv's entry), decoded. */
typedef struct gr_rtlsim_entry {
    bool valid;
    uint64_t va;         /* TLB: VA[55:0] of the entry's first byte; walk
                            cache: of the region (bits below it zero) */
    uint8_t psize;       /* TLB: gr_psize */
    uint8_t gbits;       /* walk cache: granule bits (12, 14, 16) */
    uint8_t level;       /* TLB: leaf level; walk cache: the cached table
                            descriptor's level */
    bool global;         /* TLB: nG = 0 */
    uint16_t asid;
    uint64_t pa;         /* TLB: OA of the first byte; walk cache: the next
                            table's address */
    uint8_t attr_index, sh, ap, ap_table;
    bool uxn, pxn;       /* walk cache: UXNTable/PXNTable accumulated */
    bool wclean;         /* TLB: writable-clean (DBM = 1 and AP[2] = 1) */
    bool contiguous;
    uint8_t half;        /* TLB: TTBR0 or TTBR1 */
} gr_rtlsim_entry;

/*! gr_rtlsim_has_debug_port() : whether the simulated model has the debug
 *  read port (models Verilated from an rtl/mmu_top.sv without one: no). */
bool gr_rtlsim_has_debug_port(const gr_rtlsim *s);

/*! gr_rtlsim_read_entry() : entry (set, way) of unit through the debug
 *  read port: a combinational read of the state after the last simulated
 *  cycle; no clock edge, nothing simulated, the waveform unchanged (the
 *  port's inputs are put back before the next cycle).
 *  @return 0 with *out filled (out->valid false for an invalid entry), or
 *  -1 if the model has no debug port. set and way must be inside the
 *  unit's configured shape. */
int gr_rtlsim_read_entry(gr_rtlsim *s, gr_rtlsim_unit unit, unsigned set, unsigned way,
                         gr_rtlsim_entry *out);

/*! gr_rtlsim_outstanding() : accepted requests whose response has not been
 *  valid yet. */
size_t gr_rtlsim_outstanding(const gr_rtlsim *s);

/*! gr_rtlsim_drain() : simulates until no request is outstanding.
 *  @return 0, or -1 if one still is after max_wait cycles. */
int gr_rtlsim_drain(gr_rtlsim *s, uint64_t max_wait);

/*! gr_rtlsim_pop_rsp()/pop_write()/pop_tlbi_done() : the oldest collected
 *  response, walker write or TLBI completion cycle. @return false when
 *  there is none. */
bool gr_rtlsim_pop_rsp(gr_rtlsim *s, gr_rtlsim_rsp *out);
bool gr_rtlsim_pop_write(gr_rtlsim *s, gr_rtlsim_write *out);
bool gr_rtlsim_pop_tlbi_done(gr_rtlsim *s, uint64_t *cycle);

#ifdef __cplusplus
}
#endif
#endif
