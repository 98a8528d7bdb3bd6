/*
 * granule — pointer authentication (prefix gr_pac_).
 *
 * Two layers:
 *  - the QARMA-64 block cipher, parameterised by S-box (sigma0/1/2) and
 *    round count r, with the structure of the Arm ARM's ComputePAC (DDI 0487,
 *    shared/functions/crypto ComputePAC / ComputePACQARMA): QARMA5 is
 *    sigma2 with r = 5, QARMA3 (FEAT_PACQARMA3) sigma1 with r = 3. A slow
 *    reference that mirrors the pseudocode step by step, and a table-driven
 *    cipher object (gr_pac_qarma) that computes the same function fast.
 *  - the instructions' semantics for the EL1&0 regime, on a context decoded
 *    once from gr_regs (gr_pac): AArch64.AddPAC (PACIA/PACIB/PACDA/PACDB),
 *    AArch64.Auth (AUTIA/AUTIB/AUTDA/AUTDB and the combined forms such as
 *    LDRAA/BRAA/RETAA), AArch64.Strip (XPACI/XPACD) and PACGA, with
 *    FEAT_PAuth, FEAT_EPAC, FEAT_PAuth2, FEAT_FPAC, FEAT_FPACCOMBINE and
 *    FEAT_CONSTPACFIELD selected by ID_AA64ISAR1_EL1 / ID_AA64ISAR2_EL1.
 *
 * For the MMU request path: a request carrying {key, modifier} calls
 * gr_pac_auth() with req.combined = true (it is a combined instruction,
 * e.g. LDRAA), then translates res.value; res.fault.type == GR_FAULT_PAC_FAIL
 * means FEAT_FPAC(COMBINE) raised the PAC-fail exception (res.esr holds its
 * syndrome) and there is nothing to translate.
 */
#ifndef GRANULE_PAC_H
#define GRANULE_PAC_H

#include <stdbool.h>
#include <stdint.h>

#include "granule/fault.h"
#include "granule/regs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- QARMA-64 ---------------------------------------------------------- */

/* The three S-boxes of QARMA (Avanzi, ToSC 2017). sigma2 is the one the
 * Arm ARM's PACSub/PACInvSub use, sigma1 the one of PACSub1 (QARMA3). */
typedef enum { GR_PAC_SIGMA0 = 0, GR_PAC_SIGMA1 = 1, GR_PAC_SIGMA2 = 2 } gr_pac_sbox;

#define GR_PAC_QARMA_MAX_ROUNDS 8

/*! gr_pac_qarma64_ref() : QARMA-64 of plaintext p under tweak t and key
 *  (w0, k0), computed one pseudocode step at a time (PACCellShuffle,
 *  PACMult, PACSub, TweakShuffle, ...). With sbox = SIGMA2 and rounds = 5
 *  this is the Arm ARM's ComputePAC(p, t, key0 = w0, key1 = k0).
 *  @return the ciphertext; 0 if rounds is not in 1..GR_PAC_QARMA_MAX_ROUNDS
 *  or sbox is not one of the three. Slow: for tests and documentation. */
uint64_t gr_pac_qarma64_ref(uint64_t p, uint64_t t, uint64_t w0, uint64_t k0,
                            gr_pac_sbox sbox, unsigned rounds);

/* A table-driven QARMA-64 instance for one (S-box, rounds) pair. */
typedef struct gr_pac_qarma gr_pac_qarma;

/*! gr_pac_qarma_create() : builds the lookup tables (about 64 KB).
 *  @return the instance, or NULL on bad parameters or out of memory. */
gr_pac_qarma *gr_pac_qarma_create(gr_pac_sbox sbox, unsigned rounds);

/*! gr_pac_qarma_destroy() : frees q; NULL is a no-op. */
void gr_pac_qarma_destroy(gr_pac_qarma *q);

/*! gr_pac_qarma_encrypt() : the same function as gr_pac_qarma64_ref() for
 *  q's S-box and rounds. Thread-safe (q is read only). */
uint64_t gr_pac_qarma_encrypt(const gr_pac_qarma *q, uint64_t p, uint64_t t,
                              uint64_t w0, uint64_t k0);

/* ---- Implementation features (ID registers) ------------------------------ */

typedef enum {
    GR_PAC_ALGO_NONE = 0, /* the field group is all zero */
    GR_PAC_ALGO_QARMA5,   /* ID_AA64ISAR1_EL1.APA / GPA */
    GR_PAC_ALGO_QARMA3,   /* ID_AA64ISAR2_EL1.APA3 / GPA3 */
    GR_PAC_ALGO_IMPDEF    /* ID_AA64ISAR1_EL1.API / GPI: not modelled */
} gr_pac_algo;

/* The value of the APA/API/APA3 field, as Arm encodes it. */
typedef enum {
    GR_PAC_LEVEL_NONE = 0,
    GR_PAC_LEVEL_PAUTH = 1,      /* FEAT_PAuth */
    GR_PAC_LEVEL_EPAC = 2,       /* FEAT_EPAC */
    GR_PAC_LEVEL_PAUTH2 = 3,     /* FEAT_PAuth2 */
    GR_PAC_LEVEL_FPAC = 4,       /* FEAT_PAuth2 + FEAT_FPAC */
    GR_PAC_LEVEL_FPACCOMBINE = 5 /* ... + FEAT_FPACCOMBINE */
} gr_pac_level;

typedef struct gr_pac_features {
    gr_pac_algo addr_algo; /* address authentication (all but PACGA) */
    gr_pac_algo ga_algo;   /* generic authentication (PACGA) */
    gr_pac_level level;
    bool constpacfield;    /* FEAT_CONSTPACFIELD: ID_AA64ISAR2_EL1.PAC_frac */
} gr_pac_features;

/* ---- Errors ---------------------------------------------------------------- */

/* X(ENUM, "text") — the one list of status values. */
#define GR_PAC_STATUS_LIST(X)                                                     \
    X(OK, "ok")                                                                   \
    X(E_IDREGS, "ID_AA64ISAR1_EL1/ID_AA64ISAR2_EL1: reserved or conflicting "     \
                "pointer authentication fields (only one of APA, API, APA3 and "  \
                "one of GPA, GPI, GPA3 may be non-zero; levels 1..5)")            \
    X(E_IMPDEF, "the IMPLEMENTATION DEFINED PAC algorithm (ID_AA64ISAR1_EL1.API "  \
                "or GPI) is not modelled")                                        \
    X(E_UNDEFINED, "the instruction is UNDEFINED: the PAC feature it needs is "   \
                   "not implemented")                                            \
    X(E_KEY, "key not valid for this operation")                                 \
    X(E_EL, "exception level must be 0 or 1 (the EL1&0 regime)")                \
    X(E_NOMEM, "out of memory")

typedef enum {
#define GR_PAC_STATUS_ENUM_(e, text) GR_PAC_##e,
    GR_PAC_STATUS_LIST(GR_PAC_STATUS_ENUM_)
#undef GR_PAC_STATUS_ENUM_
        GR_PAC_STATUS_COUNT_
} gr_pac_status;

/*! gr_pac_strerror() : @return the text for s ("unknown status" if none). */
const char *gr_pac_strerror(gr_pac_status s);

/*! gr_pac_features_decode() : reads APA/API/GPA/GPI (ID_AA64ISAR1_EL1) and
 *  APA3/GPA3/PAC_frac (ID_AA64ISAR2_EL1) into f. @return OK or E_IDREGS. */
gr_pac_status gr_pac_features_decode(const gr_regs *regs, gr_pac_features *f);

/* ---- The decoded context and the instructions ------------------------------ */

typedef enum {
    GR_PAC_KEY_IA = 0,
    GR_PAC_KEY_IB = 1,
    GR_PAC_KEY_DA = 2,
    GR_PAC_KEY_DB = 3,
    GR_PAC_KEY_GA = 4,
    GR_PAC_NKEYS
} gr_pac_key;

/*! gr_pac_key_name() : "ia", "ib", "da", "db", "ga" (NULL if out of range). */
const char *gr_pac_key_name(gr_pac_key k);

/* Pointer authentication state decoded from gr_regs: features, keys (with
 * their QARMA key schedules), SCTLR_EL1.En{IA,IB,DA,DB}, and per VA range
 * TBI/TBID and the bottom PAC bit (CalculateBottomPACBit). */
typedef struct gr_pac gr_pac;

/*! gr_pac_create() : decodes regs. @return the context, or NULL with the
 *  reason in *st (E_IDREGS, E_IMPDEF, E_NOMEM). A machine without pointer
 *  authentication decodes fine; its PAC instructions then return
 *  E_UNDEFINED. st may be NULL. */
gr_pac *gr_pac_create(const gr_regs *regs, gr_pac_status *st);

/*! gr_pac_update() : re-decodes regs into c after a register write (keys,
 *  TCR_EL1, SCTLR_EL1, ID registers). On error c is unchanged. */
gr_pac_status gr_pac_update(gr_pac *c, const gr_regs *regs);

/*! gr_pac_destroy() : frees c; NULL is a no-op. */
void gr_pac_destroy(gr_pac *c);

/*! gr_pac_features_of() : the features c was decoded with. */
const gr_pac_features *gr_pac_features_of(const gr_pac *c);

/*! gr_pac_bottom_bit() : CalculateBottomPACBit for VA range `upper`
 *  (64 - the effective TxSZ). */
unsigned gr_pac_bottom_bit(const gr_pac *c, bool upper);

/* One sign or authenticate request. */
typedef struct gr_pac_req {
    uint64_t ptr;      /* X[d]: the pointer */
    uint64_t modifier; /* X[n|SP]: the modifier (0 for the Z forms) */
    gr_pac_key key;    /* IA, IB, DA or DB */
    uint8_t el;        /* 0 or 1 */
    bool combined;     /* Auth only: a combined instruction (LDRAA, BRAA,
                          RETAA, ...) — FEAT_FPAC faults only when false,
                          FEAT_FPACCOMBINE always */
} gr_pac_req;

typedef struct gr_pac_res {
    uint64_t value;  /* the result register (or the pointer to translate) */
    bool disabled;   /* SCTLR_EL1.En<key> = 0: the instruction returned its
                        input unchanged (AddPACxx/AuthXX: "if Enable == '0'
                        then return X") */
    bool failed;     /* Auth: the PAC did not match. Without FEAT_PAuth2 this
                        is the error-code case; with it, the XOR result's PAC
                        field is not a sign extension of bit 55 */
    gr_fault fault;  /* GR_FAULT_PAC_FAIL when FPAC raised the exception,
                        else GR_FAULT_NONE */
    uint32_t esr;    /* with PAC_FAIL: ESR_EL1 = EC 0x1C, IL 1, ISS[1:0] =
                        data:keynumber; 0 otherwise */
} gr_pac_res;

/*! gr_pac_sign() : PACIA/PACIB/PACDA/PACDB (AddPACxx -> AArch64.AddPAC).
 *  @return OK, E_UNDEFINED (no address authentication), E_KEY (GA),
 *  E_EL. */
gr_pac_status gr_pac_sign(const gr_pac *c, const gr_pac_req *req, gr_pac_res *res);

/*! gr_pac_auth() : AUTIA/AUTIB/AUTDA/AUTDB, or with req->combined the
 *  authentication step of LDRAA/LDRAB/BRAA/RETAA/... (AuthXX ->
 *  AArch64.Auth). This is the function the MMU request path calls.
 *  @return as gr_pac_sign(); a failed authentication is not an error (see
 *  res->failed and res->fault). */
gr_pac_status gr_pac_auth(const gr_pac *c, const gr_pac_req *req, gr_pac_res *res);

/*! gr_pac_strip() : XPACI (data = false) / XPACD (data = true), i.e.
 *  AArch64.Strip. Not gated by SCTLR_EL1.EnXX. @return OK, E_UNDEFINED,
 *  E_EL. */
gr_pac_status gr_pac_strip(const gr_pac *c, uint64_t ptr, bool data, uint8_t el,
                           uint64_t *out);

/*! gr_pac_ga() : PACGA Xd, Xn, Xm = ComputePAC(Xn, Xm, APGAKey)<63:32>:
 *  Zeros(32). @return OK, E_UNDEFINED (no generic authentication), E_EL. */
gr_pac_status gr_pac_ga(const gr_pac *c, uint64_t xn, uint64_t xm, uint8_t el,
                        uint64_t *out);

/*! gr_pac_compute() : ComputePAC(data, modifier, key0 = Hi, key1 = Lo) with
 *  the key registers of k (GA included) and the algorithm c uses for that
 *  key. @return OK or E_UNDEFINED. */
gr_pac_status gr_pac_compute(const gr_pac *c, gr_pac_key k, uint64_t data,
                             uint64_t modifier, uint64_t *out);

#ifdef __cplusplus
}
#endif
#endif
