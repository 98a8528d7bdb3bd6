/*
 * granule — the micro-architecture configuration (prefix gr_config_).
 *
 * One INI file (docs/config.md) describes the TLB hierarchy, walk caches,
 * latencies, PAC features and the walker's memory model. The same parsed
 * structure configures the C model (gr_mmu_create) and generates the RTL
 * parameter package (gr_config_write_sv), so model and RTL cannot drift.
 * Parsing uses libinih; every rejection names the file, the line and the
 * reason.
 */
#ifndef GRANULE_CONFIG_H
#define GRANULE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* X(ENUM, name, log2 size) — the page and block sizes a TLB entry can
 * have, ascending. 64K, 2M, 32M and 1G are also contiguous-range sizes. */
#define GR_PSIZE_LIST(X) \
    X(4K, "4K", 12)      \
    X(16K, "16K", 14)    \
    X(64K, "64K", 16)    \
    X(2M, "2M", 21)      \
    X(32M, "32M", 25)    \
    X(512M, "512M", 29)  \
    X(1G, "1G", 30)

typedef enum {
#define GR_PSIZE_ENUM_(e, name, shift) GR_PS_##e,
    GR_PSIZE_LIST(GR_PSIZE_ENUM_)
#undef GR_PSIZE_ENUM_
        GR_PS_COUNT
} gr_psize;

#define GR_PS_ALL ((uint8_t)((1u << GR_PS_COUNT) - 1))

/* X(ENUM, name) — replacement policies (docs/uarch.md defines each). */
#define GR_REPL_LIST(X) \
    X(LRU, "lru")       \
    X(PLRU, "plru")     \
    X(FIFO, "fifo")     \
    X(RANDOM, "random")

typedef enum {
#define GR_REPL_ENUM_(e, name) GR_REPL_##e,
    GR_REPL_LIST(GR_REPL_ENUM_)
#undef GR_REPL_ENUM_
        GR_REPL_COUNT
} gr_repl;

/* L2 inclusion with respect to the L1s. */
typedef enum {
    GR_INCL_NINE = 0,   /* non-inclusive non-exclusive: no back-invalidation */
    GR_INCL_INCLUSIVE,  /* an L2 eviction removes the L1 entries it covers */
} gr_incl;

/* Order of the walk-cache lookup relative to the L2 lookup. */
typedef enum {
    GR_WCL_SERIAL = 0,  /* after the L2 misses */
    GR_WCL_PARALLEL,    /* in the same cycles as the L2 lookup */
} gr_wc_order;

typedef enum {
    GR_CONFIG_PAC_QARMA5 = 0,
    GR_CONFIG_PAC_QARMA3,
    GR_CONFIG_PAC_IMPDEF,
} gr_config_pac_algo;

/* One set-associative structure (a TLB or a walk cache). Fully associative
 * is sets == 1. */
typedef struct gr_tlb_cfg {
    bool present;
    uint32_t entries, ways, sets; /* sets = entries / ways, a power of two */
    gr_repl repl;
    uint16_t seed;                /* LFSR seed for GR_REPL_RANDOM (non-zero) */
    uint8_t sizes;                /* TLBs: bitmask over gr_psize */
    bool seq_probe;               /* TLBs: page sizes probed one per cycle */
    uint8_t levels;               /* walk caches: bitmask of levels 0..2 */
} gr_tlb_cfg;

#define GR_CONFIG_MAX_WC 4

typedef struct gr_config {
    char name[48];
    uint8_t asid_bits;   /* 8 or 16: ASID tag width */
    bool contig;         /* coalesce contiguous-hint ranges into one entry */
    gr_tlb_cfg l1i, l1d, l2;
    gr_incl l2_incl;
    gr_tlb_cfg wc[GR_CONFIG_MAX_WC]; /* [0] `walk_cache`, [1 + N] `walk_cache_lN` */
    gr_wc_order wc_lookup;
    struct {
        uint32_t l1_hit;  /* L1 lookup, cycles (>= 1) */
        uint32_t l2_hit;  /* L2 lookup (>= 1) */
        uint32_t wc;      /* walk-cache lookup, hit or miss (>= 1) */
        uint32_t pac;     /* PAC computation in front of the lookup (>= 0) */
        uint32_t tlbi;    /* TLB maintenance operation (>= 1) */
    } lat;
    struct {
        uint32_t read;    /* walker read: request to data, cycles (>= 1) */
        uint32_t write;   /* walker AF/dirty write: request to ack (>= 1) */
    } mem;
    struct {
        bool pauth, pauth2, fpac;
        gr_config_pac_algo algo;
    } pac;
} gr_config;

/*! gr_config_defaults() : fills cfg with the built-in defaults every key
 *  falls back to when a file omits it (docs/config.md lists them). The
 *  result is a valid configuration (the `small` preset's shape). */
void gr_config_defaults(gr_config *cfg);

/*! gr_config_load() : parses the INI file at path on top of the defaults
 *  and validates it. @return 0; or -1 with "FILE:LINE: reason" in err. */
int gr_config_load(gr_config *cfg, const char *path, char *err, size_t errlen);

/*! gr_config_parse_string() : as gr_config_load() for INI text; `name` is
 *  the file name used in messages. */
int gr_config_parse_string(gr_config *cfg, const char *text, const char *name,
                           char *err, size_t errlen);

/*! gr_config_validate() : the cross-key checks (also run by the loaders).
 *  @return 0, or -1 with the reason in err (no file or line). */
int gr_config_validate(const gr_config *cfg, char *err, size_t errlen);

/*! gr_config_write_ini() : writes cfg as a complete INI file that loads
 *  back to the same configuration. */
void gr_config_write_ini(const gr_config *cfg, FILE *f);

/*! gr_config_write_sv() : writes the SystemVerilog package `granule_cfg_pkg`
 *  holding every parameter the RTL needs. */
void gr_config_write_sv(const gr_config *cfg, FILE *f);

/*! gr_config_same_rtl() : whether a and b describe the same hardware: their
 *  gr_config_write_sv() packages are equal but for the configuration name
 *  in the header comment. An RTL model Verilated from one serves the other.
 *  @return 1 same, 0 different, -1 out of memory. */
int gr_config_same_rtl(const gr_config *a, const gr_config *b);

/*! gr_config_pac_idregs() : rewrites the pointer-authentication fields of
 *  *isar1 (APA, API, GPA, GPI) and *isar2 (GPA3, APA3) to describe cfg's
 *  [pac] section, leaving every other field alone, so a driver can give the
 *  C model the ID registers of the implementation the RTL is built for. */
void gr_config_pac_idregs(const gr_config *cfg, uint64_t *isar1, uint64_t *isar2);

/*! gr_config_psize_shift() : log2 of the size of page size p. */
unsigned gr_config_psize_shift(gr_psize p);
/*! gr_config_psize_name() : "4K", "2M", ... */
const char *gr_config_psize_name(gr_psize p);
/*! gr_config_psize_of_shift() : @return the gr_psize with that log2 size,
 *  or -1. */
int gr_config_psize_of_shift(unsigned shift);
/*! gr_config_repl_name() : "lru", "plru", "fifo", "random". */
const char *gr_config_repl_name(gr_repl r);

#ifdef __cplusplus
}
#endif
#endif
