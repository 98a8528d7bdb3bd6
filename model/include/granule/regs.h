/*
 * granule — the system-register file the MMU reads (prefix gr_regs_).
 *
 * Registers keep their raw architectural values and Arm's names; decoding
 * into walk parameters happens once, in gr_s1_decode() (ptw.h). The ID
 * registers describe the implementation being modelled (PA size, pointer
 * authentication features), so one REGS file fully describes a machine.
 */
#ifndef GRANULE_REGS_H
#define GRANULE_REGS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * X(field, "ARM_NAME", default)
 * Defaults describe the implementation granule models out of the box:
 * ID_AA64MMFR0_EL1: PARange = 0b0101 (48-bit PA), TGran16 = 1, TGran4 =
 * TGran64 = 0 (all three granules implemented);
 * ID_AA64ISAR1_EL1.APA = 0b0001 (FEAT_PAuth, QARMA5), GPA = 1;
 * SCTLR_EL1: its RES1 bits set, C = I = 1, M = 0 (stage 1 off).
 */
#define GR_REGS_LIST(X)                                       \
    X(tcr, "TCR_EL1", 0)                                      \
    X(ttbr0, "TTBR0_EL1", 0)                                  \
    X(ttbr1, "TTBR1_EL1", 0)                                  \
    X(mair, "MAIR_EL1", 0)                                    \
    X(sctlr, "SCTLR_EL1", 0x30D01804ull)                      \
    X(pstate_pan, "PSTATE_PAN", 0)                            \
    X(id_aa64mmfr0, "ID_AA64MMFR0_EL1", 0x00100005ull)         \
    X(id_aa64isar1, "ID_AA64ISAR1_EL1", 0x01000010ull)        \
    X(id_aa64isar2, "ID_AA64ISAR2_EL1", 0)                    \
    X(apiakeyhi, "APIAKeyHi_EL1", 0)                          \
    X(apiakeylo, "APIAKeyLo_EL1", 0)                          \
    X(apibkeyhi, "APIBKeyHi_EL1", 0)                          \
    X(apibkeylo, "APIBKeyLo_EL1", 0)                          \
    X(apdakeyhi, "APDAKeyHi_EL1", 0)                          \
    X(apdakeylo, "APDAKeyLo_EL1", 0)                          \
    X(apdbkeyhi, "APDBKeyHi_EL1", 0)                          \
    X(apdbkeylo, "APDBKeyLo_EL1", 0)                          \
    X(apgakeyhi, "APGAKeyHi_EL1", 0)                          \
    X(apgakeylo, "APGAKeyLo_EL1", 0)

typedef struct gr_regs {
#define GR_REGS_FIELD_(f, name, def) uint64_t f;
    GR_REGS_LIST(GR_REGS_FIELD_)
#undef GR_REGS_FIELD_
} gr_regs;

/*! gr_regs_reset() : sets every register to its default (see GR_REGS_LIST). */
void gr_regs_reset(gr_regs *r);

/*! gr_regs_set() : sets the register called name (Arm's spelling, case
 *  insensitive). @return 0, or -1 if no register has that name. */
int gr_regs_set(gr_regs *r, const char *name, uint64_t value);

/*! gr_regs_parse_file() : reads a REGS file, one `NAME = VALUE` per line
 *  (VALUE hex with 0x or decimal, `_` separators allowed, `#` starts a
 *  comment, blank lines ignored) into r, on top of what r holds.
 *  @return 0; or -1 with a message naming the file and line in err. */
int gr_regs_parse_file(gr_regs *r, const char *path, char *err, size_t errlen);

/*! gr_parse_u64() : parses a hex (0x) or decimal number with optional
 *  `_` separators, nothing else allowed. @return 0 or -1. Shared by every
 *  parser of user input so numbers mean the same everywhere. */
int gr_parse_u64(const char *s, uint64_t *out);

#ifdef __cplusplus
}
#endif
#endif
