/*
 * granule — the VM layer's top: tasks, address spaces, faults, copy-on-write
 * and reports (prefix gr_vm_; XNU's task/vm_map/vm_fault layer).
 *
 * The VM layer owns the translation tables of every task (gr_vmpmap) in the
 * simulated physical memory, resolves the faults the MMU raises and keeps
 * TLBs coherent with TLBIs. It drives the MMU only through a gr_vmbe
 * backend, so it runs unchanged on the TLB-less walker, the C MMU with TLBs,
 * or the RTL.
 *
 * Address space of a task (user range per T0SZ = 17, 128 TiB, as the seed's
 * layout): __PAGEZERO [0, 4G), __TEXT/__DATA/__LINKEDIT at 0x100000000 + slide,
 * MALLOC heap (brk) at 0x600000000000 + slide, the dyld shared cache at
 * 0x7ff800000000 + a per-boot slide (one object per page size, shared by
 * all tasks), the stack below 0x7ff000000000 - slide with a guard page at
 * the bottom of its reservation. Slides come from the config seed. The
 * kernel range (TTBR1, T1SZ = 17, 16K granule, global pages) is shared.
 *
 * All errors are values; bad requests never crash.
 */
#ifndef GRANULE_VM_H
#define GRANULE_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "granule/pmem.h"
#include "granule/ptw.h"
#include "granule/vmbe.h"
#include "granule/vmcomp.h"
#include "granule/vmmap.h"
#include "granule/vmobj.h"
#include "granule/vmpage.h"
#include "granule/vmpmap.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X(ENUM, value, "text") — results of gr_vm_ calls. SEGV_/BUS_ results are
 * what a process would receive as a signal (with si_code). */
#define GR_VM_ERRORS(X)                                                      \
    X(OK, 0, "ok")                                                           \
    X(SEGV_MAPERR, 1, "SIGSEGV: address not mapped")                         \
    X(SEGV_ACCERR, 2, "SIGSEGV: access not permitted by the protection")     \
    X(BUS_ADRERR, 3, "SIGBUS: page beyond the end of the mapped file")       \
    X(NOMEM, 4, "physical memory exhausted (no paging in part 1)")           \
    X(INVAL, 5, "invalid argument")                                          \
    X(NOSPACE, 6, "no free range of virtual addresses")                      \
    X(EXISTS, 7, "fixed mapping overlaps an existing mapping")               \
    X(NOPID, 8, "no such task")                                              \
    X(IOERR, 9, "host file error")                                           \
    X(PROT, 10, "protection exceeds the maximum protection")                 \
    X(RETRY, 11, "fault not resolved after the retry limit")               \
    X(SWAPERR, 12, "compressed page unreadable: swap file corrupt or truncated")

typedef enum {
#define GR_VM_ENUM_(e, v, t) GR_VM_##e = v,
    GR_VM_ERRORS(GR_VM_ENUM_)
#undef GR_VM_ENUM_
} gr_vm_err;

/*! gr_vm_strerror() : @return a static description of err. */
const char *gr_vm_strerror(int err);

typedef struct gr_vm_config {
    uint64_t ram_base, ram_size; /* managed RAM, 16K aligned; added to pmem */
    uint64_t seed;               /* ASLR and nothing else */
    bool aslr;                   /* slides from seed; false: all slides 0 */
    bool hw_af;                  /* TCR.HA = 1: hardware sets AF */
    uint64_t shared_cache_size;  /* bytes (0: no shared cache) */
    const char *shared_cache_path; /* host file backing it (NULL: anon) */
    unsigned max_retries;        /* faults per access before RETRY */
    size_t tlbi_log_max;         /* TLBI records kept (0: none) */
    /* Part 2 (docs/vm.md "Memory pressure, compressor and swap"). */
    unsigned store_data;         /* GR_VM_STORE_*: what a write without buf stores */
    bool pageout;                /* run the pageout daemon when free memory is low */
    gr_vmcomp_config comp;       /* compressor pool and swap (swap_dir NULL: none) */
} gr_vm_config;

/* What gr_vm_access() stores for a write without a buffer: NONE leaves
 * memory unchanged (part 1); PATTERN and RANDOM write one doubleword at
 * va & ~7 whose value is drawn from h = splitmix64 output number n + 1 of a
 * generator seeded with cfg.seed, n counting such stores from 0: RANDOM
 * stores h; PATTERN stores, by h & 3: 0 -> h, 1 -> a pointer into the same
 * page ((va & ~0xfff) | (h >> 8 & 0xff8)), 2 or 3 -> a small integer
 * (h >> 56), so pages hold realistic, compressible data. */
#define GR_VM_STORE_NONE 0u
#define GR_VM_STORE_PATTERN 1u
#define GR_VM_STORE_RANDOM 2u

/*! gr_vm_config_default() : 64 MiB at 0x800000000, seed 1, ASLR on,
 *  software AF, 32 MiB anonymous shared cache, 8 retries, 1 M TLBI records;
 *  no store data, no pageout, compressor defaults (vmcomp.h), no swap. */
void gr_vm_config_default(gr_vm_config *c);

typedef struct gr_vm gr_vm;

/*! gr_vm_create() : a VM system on mem (the RAM range is added as region
 *  "dram") driving the MMU through be (not owned; must outlive the VM).
 *  Builds the kernel's TTBR1 tables. @return NULL with *err set. */
gr_vm *gr_vm_create(const gr_vm_config *cfg, gr_pmem *mem, const gr_vmbe *be,
                    int *err);

/*! gr_vm_destroy() : exits every task, writes back shared file pages, frees
 *  everything. NULL is a no-op. */
void gr_vm_destroy(gr_vm *vm);

/* Sizes of a new program's segments (0: defaults). */
typedef struct gr_vm_image {
    uint64_t text, data, linkedit; /* bytes */
    const char *text_path;   /* host file mapped privately as __TEXT */
    uint64_t heap_initial;   /* brk region at start */
    uint64_t heap_max;       /* brk limit */
    uint64_t stack_initial, stack_max;
} gr_vm_image;

/*! gr_vm_spawn() : creates a task running a new program (fork+exec in one):
 *  a fresh ASID, page tables with the 4K (page_shift 12) or 16K (14)
 *  granule, and the layout above. @return GR_VM_OK with *pid. */
int gr_vm_spawn(gr_vm *vm, const char *name, unsigned page_shift,
                const gr_vm_image *img, int *pid);

/*! gr_vm_fork() : a child with a copy-on-write copy of pid's address space
 *  (inheritance per entry). @return GR_VM_OK with *child. */
int gr_vm_fork(gr_vm *vm, int pid, int *child);

/*! gr_vm_exit() : tears the task down (TLBI ASIDE1 before any of its
 *  frames can be reused); shadow chains it held may collapse. */
int gr_vm_exit(gr_vm *vm, int pid);

/*! gr_vm_switch() : context switch: programs TTBR0 (root, ASID) and TCR
 *  for pid through the backend. gr_vm_access() switches as needed. */
int gr_vm_switch(gr_vm *vm, int pid);

/* mmap flags */
#define GR_MAP_SHARED 1u
#define GR_MAP_PRIVATE 2u
#define GR_MAP_FIXED 4u
#define GR_MAP_ANON 8u

/*! gr_vm_mmap() : maps len bytes (rounded up to pages) at addr (FIXED: exactly
 *  there, must not overlap: EXISTS; else a hint), anonymous or of the host
 *  file path from byte offset off (page aligned). Exactly one of SHARED and
 *  PRIVATE. @return GR_VM_OK with *out. */
int gr_vm_mmap(gr_vm *vm, int pid, uint64_t addr, uint64_t len, unsigned prot,
               unsigned flags, const char *path, uint64_t off, uint64_t *out);

/*! gr_vm_map_device() : maps physical [pa, pa+len) (outside the managed RAM)
 *  as Device-nGnRnE memory, shared, never paged. */
int gr_vm_map_device(gr_vm *vm, int pid, uint64_t pa, uint64_t len,
                     unsigned prot, uint64_t *out);

/*! gr_vm_munmap() : removes every mapping in the range (TLBI per resident
 *  page; shared file pages written back). Unmapped holes are fine. */
int gr_vm_munmap(gr_vm *vm, int pid, uint64_t addr, uint64_t len);

/*! gr_vm_mprotect() : sets the protection of a fully mapped range.
 *  @return SEGV_MAPERR-like NOSPACE if a hole is inside, PROT if prot
 *  exceeds an entry's maximum protection. */
int gr_vm_mprotect(gr_vm *vm, int pid, uint64_t addr, uint64_t len,
                   unsigned prot);

/*! gr_vm_brk() : moves the end of the heap to new_end (0: query only).
 *  @return GR_VM_OK with *cur = the end after the call. */
int gr_vm_brk(gr_vm *vm, int pid, uint64_t new_end, uint64_t *cur);

/*! gr_vm_wire() : wires (mlock: faults in, wire count +1) or unwires a
 *  fully mapped range. */
int gr_vm_wire(gr_vm *vm, int pid, uint64_t addr, uint64_t len, bool wire);

/*! gr_vm_inherit() : sets the inheritance of a range (minherit). */
int gr_vm_inherit(gr_vm *vm, int pid, uint64_t addr, uint64_t len,
                  gr_inherit inh);

/*! gr_vm_msync() : writes back shared file pages in the range. */
int gr_vm_msync(gr_vm *vm, int pid, uint64_t addr, uint64_t len);

/* The outcome of one gr_vm_access(). */
typedef struct gr_vm_result {
    int status;       /* gr_vm_err */
    uint64_t va;      /* the faulting (or last translated) address */
    uint64_t pa;      /* final PA of va when status is OK */
    gr_fault fault;   /* the last MMU fault seen (NONE if none) */
    unsigned faults;  /* faults resolved on the way */
} gr_vm_result;

/*! gr_vm_access() : an EL0 access of type acc to [va, va+len) in task pid:
 *  the MMU translates, the VM layer resolves faults and retries. With buf,
 *  a read copies the bytes out and a write copies them in (len may cross
 *  pages; len 0 translates only). @return res->status. */
int gr_vm_access(gr_vm *vm, int pid, uint64_t va, gr_acc acc, void *buf,
                 size_t len, gr_vm_result *res);

/* What the VM layer's own structures say about one page of a task. */
typedef struct gr_vm_expect {
    bool mapped;      /* an entry with an object covers va */
    bool resident;    /* the object chain holds the page */
    uint64_t pa;      /* its frame (device: its address), if resident */
    unsigned prot;    /* entry protection */
    bool cow_pending; /* a write would copy (page below the top object or
                         entry needs_copy) */
    bool compressed;  /* held by the compressor (or swap), not in RAM */
} gr_vm_expect;

/*! gr_vm_lookup_page() : fills *e for va from maps and objects, without the MMU. */
int gr_vm_lookup_page(gr_vm *vm, int pid, uint64_t va, gr_vm_expect *e);

typedef struct gr_vm_task_info {
    char name[32];
    int pid, ppid;
    uint16_t asid;
    unsigned page_shift;
    uint64_t text, heap_start, brk, stack_top, shared_cache;
    uint64_t rss, vsz;    /* bytes */
    uint64_t ttbr0, tcr;
    uint64_t faults;
} gr_vm_task_info;

int gr_vm_task_info_get(gr_vm *vm, int pid, gr_vm_task_info *ti);

/*! gr_vm_pids() : up to max live pids in creation order. @return count. */
unsigned gr_vm_pids(const gr_vm *vm, int *pids, unsigned max);

/*! gr_vm_map_of()/gr_vm_pmap_of() : a task's map and tables (NULL if no
 *  such task), for reports, scenario checks and part 2. */
gr_vmmap *gr_vm_map_of(gr_vm *vm, int pid);
gr_vmpmap *gr_vm_pmap_of(gr_vm *vm, int pid);

/* Counters (vm_statistics64 names where one exists). */
#define GR_VM_STATS(X)                                                   \
    X(faults, "translation + permission + access-flag faults handled")   \
    X(translation_faults, "faults on invalid descriptors")               \
    X(permission_faults, "faults on valid descriptors lacking a right")   \
    X(af_faults, "access-flag faults (AF set by software)")              \
    X(zero_fill, "pages zero filled")                                    \
    X(cow_faults, "pages copied on write")                               \
    X(cow_upgrades, "write faults resolved without a copy")              \
    X(pageins, "pages read from files")                                  \
    X(pageouts, "pages written back to files")                           \
    X(violations, "accesses reported as SIGSEGV/SIGBUS")                 \
    X(nomem, "faults failed for lack of a free frame")                   \
    X(stack_growths, "stack extended below its entry")                   \
    X(shadows, "shadow objects created")                                 \
    X(collapses, "shadow chains collapsed")                              \
    X(tlbi, "TLBI operations issued")                                    \
    X(tlbi_dropped, "TLBI operations suppressed (debug)")                \
    X(translations, "translations requested from the MMU")               \
    X(forks, "fork calls")                                               \
    X(context_switches, "TTBR0 reloads")                                 \
    X(pageout_runs, "pageout daemon runs")                               \
    X(deactivations, "pages moved active -> inactive (AF cleared)")      \
    X(reactivations, "inactive/speculative pages found referenced")      \
    X(compressions, "pages evicted into the compressor")                 \
    X(decompressions, "faults resolved from the compressor")             \
    X(file_drops, "file pages reclaimed (written back first if dirty)")  \
    X(throttled, "evictions refused by a full compressor")               \
    X(purges, "volatile objects emptied")                                \
    X(purged_pages, "pages freed by purges")                             \
    X(swap_errors, "faults failed on unreadable compressed pages")       \
    X(stores, "doublewords written by store data")                       \
    X(pressure_changes, "memory pressure level transitions")

typedef struct gr_vm_stats {
#define GR_VM_STAT_FIELD_(f, d) uint64_t f;
    GR_VM_STATS(GR_VM_STAT_FIELD_)
#undef GR_VM_STAT_FIELD_
} gr_vm_stats;

/*! gr_vm_get_stats() : current counters (object counters folded in). */
void gr_vm_get_stats(const gr_vm *vm, gr_vm_stats *s);

/* Why a TLBI was issued, for the log and for fault injection. */
#define GR_VM_CAUSES(X) \
    X(UNMAP, "unmap")   \
    X(PROTECT, "protect") \
    X(COW, "cow")       \
    X(FORK, "fork")     \
    X(EXIT, "exit")     \
    X(AF, "af")         \
    X(OTHER, "other")   \
    X(AGE, "age")       \
    X(PAGEOUT, "pageout") \
    X(PURGE, "purge")

typedef enum {
#define GR_VM_CAUSE_ENUM_(e, s) GR_VM_CAUSE_##e,
    GR_VM_CAUSES(GR_VM_CAUSE_ENUM_)
#undef GR_VM_CAUSE_ENUM_
        GR_VM_CAUSE_COUNT_
} gr_vm_cause;

typedef struct gr_vm_tlbi_rec {
    gr_tlbi_op op;
    uint64_t va;
    uint16_t asid;
    uint8_t cause; /* gr_vm_cause */
} gr_vm_tlbi_rec;

/*! gr_vm_tlbi_log() : the TLBIs issued since creation or the last clear
 *  (at most tlbi_log_max kept). @return the records, *n their count. */
const gr_vm_tlbi_rec *gr_vm_tlbi_log(const gr_vm *vm, size_t *n);
void gr_vm_tlbi_log_clear(gr_vm *vm);

/*! gr_vm_debug_drop_tlbi() : FAULT INJECTION for tests: TLBIs whose cause
 *  bit (1 << gr_vm_cause) is in mask are neither sent nor logged. A correct
 *  system uses 0 (the default). */
void gr_vm_debug_drop_tlbi(gr_vm *vm, unsigned mask);

/*! gr_vm_report_vmmap() : a vmmap(1)-style listing of pid's regions. */
int gr_vm_report_vmmap(gr_vm *vm, int pid, FILE *f);

/*! gr_vm_report_ps() : a `ps -o pid,rss,vsz,pmem,comm` listing of all tasks. */
void gr_vm_report_ps(gr_vm *vm, FILE *f);

/*! gr_vm_report_stats() : counters and page queues, one per line. */
void gr_vm_report_stats(gr_vm *vm, FILE *f);

/* ---- part 2: pageout, pressure, purgeable memory, reports ---- */

/* Memory pressure levels (kernel values 0..3). avail = free + inactive +
 * speculative + resident pages of volatile objects, in % of managed RAM:
 * NORMAL >= 20 %, WARNING >= 10 %, URGENT >= 5 %, CRITICAL below. */
#define GR_VM_PRESSURE_LEVELS(X) \
    X(NORMAL, "normal")           \
    X(WARNING, "warning")         \
    X(URGENT, "urgent")           \
    X(CRITICAL, "critical")

typedef enum {
#define GR_VM_PRESSURE_ENUM_(e, n) GR_VM_PRESSURE_##e,
    GR_VM_PRESSURE_LEVELS(GR_VM_PRESSURE_ENUM_)
#undef GR_VM_PRESSURE_ENUM_
} gr_vm_pressure_level;

const char *gr_vm_pressure_name(gr_vm_pressure_level l);

/*! gr_vm_pressure() : recomputes the level from the queues now, records a
 *  transition if it changed; at NORMAL, deletes the swap files that hold
 *  nothing any more. @return the level. */
gr_vm_pressure_level gr_vm_pressure(gr_vm *vm);

typedef struct gr_vm_pressure_event {
    uint64_t faults; /* vm faults handled when it happened */
    uint8_t from, to; /* gr_vm_pressure_level */
} gr_vm_pressure_event;

/*! gr_vm_pressure_history() : transitions so far (at most 4096 kept). */
const gr_vm_pressure_event *gr_vm_pressure_history(const gr_vm *vm, size_t *n);

/*! gr_vm_pageout() : runs the pageout daemon until at least want_free bytes
 *  are free or nothing more can be reclaimed: purge volatile objects, keep
 *  a third of the pageable pages inactive by deactivating the oldest active
 *  ones (AF cleared in every mapping, TLBI VALE1), then take the oldest
 *  speculative, else inactive, page: referenced (AF set again) -> back to
 *  active; anonymous -> compressed; file -> written back if dirty and
 *  dropped; every mapping removed with a TLBI first. With cfg.pageout it
 *  also runs by itself when a fault finds free memory below 1/32 of RAM,
 *  up to 1/16. @return bytes freed. */
uint64_t gr_vm_pageout(gr_vm *vm, uint64_t want_free);

/*! gr_vm_purgeable() : sets (st >= 0) and/or reads (*old) the purgeable
 *  state of the anonymous private object mapped at addr (the entry must
 *  start at addr). @return GR_VM_OK, SEGV_MAPERR, or INVAL (not
 *  anonymous/private, or VOLATILE on a DENY object). */
int gr_vm_purgeable(gr_vm *vm, int pid, uint64_t addr, int st, gr_vmobj_purge *old);

/*! gr_vm_comp() : the compressor pool (NULL if it could not be created). */
gr_vmcomp *gr_vm_comp(gr_vm *vm);

/*! gr_vm_report_vm_stat() : `vm_stat`-style page counts and counters. */
void gr_vm_report_vm_stat(gr_vm *vm, FILE *f);

/*! gr_vm_report_memory_pressure() : `memory_pressure`-style summary. */
void gr_vm_report_memory_pressure(gr_vm *vm, FILE *f);

/*! gr_vm_report_swapusage() : `sysctl vm.swapusage` line. */
void gr_vm_report_swapusage(gr_vm *vm, FILE *f);

/*! gr_vm_report_zprint() : `zprint`-style listing of the zones the VM
 *  layer allocates its metadata from (vm.objects, vm.tasks). */
void gr_vm_report_zprint(gr_vm *vm, FILE *f);

/*! gr_vm_pages()/gr_vm_pmem() : the allocator and memory (for part 2). */
gr_vmpage *gr_vm_pages(gr_vm *vm);
gr_pmem *gr_vm_pmem(gr_vm *vm);

/*! gr_vm_kernel_text() : VA of the kernel text the TTBR1 tables map (one
 *  16K page, EL1 read/execute). */
uint64_t gr_vm_kernel_text(const gr_vm *vm);

#ifdef __cplusplus
}
#endif
#endif
