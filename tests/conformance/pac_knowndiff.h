/*
 * Known differences between QEMU 7.2's pointer authentication and the Arm
 * ARM, for conformance_pac_qemu (docs/conformance.md). granule follows the
 * Arm ARM. An operation in one of these situations must give the Arm ARM's
 * result in granule (checked against the rule written out in pac_check.c)
 * and QEMU's must be what the QEMU 7.2 rule gives; it is then counted and
 * printed as a known difference, never as a pass. Anything else is a
 * mismatch.
 */
#ifndef CONF_PAC_KNOWNDIFF_H
#define CONF_PAC_KNOWNDIFF_H

enum {
    PKD_NONE = 0,
    /* AddPAC (PACIA/PACIB/PACDA/PACDB) of a pointer with ptr<55> != ptr<63>
     * when top-byte-ignore does not apply to ptr's own range (the range of
     * ptr<55>; for instruction keys TBIn with TBIDn = 0). The Arm ARM's
     * AArch64.AddPAC (two VA ranges) takes selbit = ptr<55> if TBI applies
     * to either range, else ptr<63>, and the bottom PAC bit from selbit's
     * range (CalculateBottomPACBit(selbit)); bit 55 of the result is
     * selbit. QEMU 7.2 (pauth_addpac) takes TxSZ from ptr<55>'s range and
     * extends with ptr<63> whenever TBI is off for that range. */
    PKD_ADDPAC_SELBIT = 1,
    PKD_COUNT
};

#define PKD_NAMES                                                             \
    {"none",                                                                  \
     "AddPAC with ptr<55> != ptr<63> and no effective TBI for ptr<55>'s "     \
     "range: the Arm ARM (AArch64.AddPAC) takes selbit = ptr<55> if TBI "     \
     "applies to either range, else ptr<63>, and TxSZ from selbit's range; "  \
     "QEMU 7.2 takes TxSZ from ptr<55>'s range and extends with ptr<63>"}

#endif
