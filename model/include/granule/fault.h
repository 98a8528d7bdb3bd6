/*
 * granule — translation faults (prefix gr_fault_).
 *
 * Fault types are named after the Arm ARM pseudocode's Fault enumeration
 * (Fault_None, Fault_AddressSize, ...). A fault record carries the type and
 * the lookup level; status codes (DFSC/IFSC, PAR_EL1.FST) are produced from
 * it in one place, gr_fault_fsc(), so no unit hand-encodes a status code.
 */
#ifndef GRANULE_FAULT_H
#define GRANULE_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* X(ENUM, "json name", "human text") — the one list of fault types. */
#define GR_FAULT_LIST(X)                                              \
    X(NONE, "none", "no fault")                                       \
    X(ADDRESS_SIZE, "address_size", "address size fault")             \
    X(TRANSLATION, "translation", "translation fault")                \
    X(ACCESS_FLAG, "access_flag", "access flag fault")                \
    X(PERMISSION, "permission", "permission fault")                   \
    X(SYNC_EXTERNAL_ON_WALK, "external_abort",                        \
      "synchronous external abort on translation table walk")         \
    X(PAC_FAIL, "pac", "pointer authentication failure (FEAT_FPAC)")

typedef enum {
#define GR_FAULT_ENUM_(e, json, text) GR_FAULT_##e,
    GR_FAULT_LIST(GR_FAULT_ENUM_)
#undef GR_FAULT_ENUM_
        GR_FAULT_COUNT_
} gr_fault_type;

/* The FaultRecord subset stage 1 of one regime needs. */
typedef struct gr_fault {
    gr_fault_type type;
    int8_t level;   /* lookup level 0..3 for walk faults; 0 for level-less */
    bool write;     /* WnR: the access was a write */
    bool ifetch;    /* instruction fetch (IFSC rather than DFSC) */
    uint64_t paddr; /* for SYNC_EXTERNAL_ON_WALK: the descriptor address */
} gr_fault;

/*! gr_fault_name() : @return the JSON name of t ("translation", ...). */
const char *gr_fault_name(gr_fault_type t);

/*! gr_fault_text() : @return a human description of t. */
const char *gr_fault_text(gr_fault_type t);

/*! gr_fault_fsc() : the 6-bit fault status code (ESR_ELx.ISS.DFSC/IFSC and
 *  PAR_EL1.FST share the encoding) for f, per the Arm ARM's EncodeLDFSC().
 *  @return 0 for GR_FAULT_NONE. PAC_FAIL has no FSC (it is reported with its
 *  own exception class): @return 0 for it as well. */
uint8_t gr_fault_fsc(const gr_fault *f);

#ifdef __cplusplus
}
#endif
#endif
