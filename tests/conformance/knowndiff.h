/*
 * Known differences between QEMU 7.2's AT instruction and the Arm ARM, for
 * the conformance test. granule follows the Arm ARM. For a translation that
 * meets one of these, granule must give the Arm ARM's answer (checked) and
 * QEMU is expected to differ; such a translation is counted and printed as a
 * known difference, never as a pass. docs/conformance.md explains each.
 */
#ifndef CONF_KNOWNDIFF_H
#define CONF_KNOWNDIFF_H

enum {
    KD_NONE = 0,
    /* Block descriptor at a level AArch64.BlockDescSupported() forbids
     * (4K level 0, 16K levels 0 and 1): AArch64.DecodeDescriptorType()
     * makes it DescriptorType_Invalid, a translation fault at that level.
     * QEMU 7.2 maps the block (upstream QEMU checks since 2023). Tagged by
     * the generator, which built the descriptor. */
    KD_BLOCK_LEVEL = 1,
    /* 64K granule, PAMax = 52 (FEAT_LPA), TCR_EL1.IPS < 52 bits, descriptor
     * bits [15:12] != 0: AArch64.LeafBase()/AArch64.NextTableBase() take
     * them as OA[51:48] whenever PAMax >= 52, so the address is above the
     * PA size: address size fault at that level (AArch64.OAOutOfRange()).
     * QEMU 7.2 reads bits [15:12] only when the output size is 52 bits and
     * otherwise ignores them. Tagged by the generator. */
    KD_LPA_OA_BITS = 2,
    /* PAR_EL1.SH for Device memory and Normal Inner+Outer Non-cacheable
     * memory: PAREncodeShareability() reports 0b10 (Outer Shareable);
     * QEMU 7.2 reports the descriptor's SH (fixed upstream in QEMU 8.1).
     * Detected by the checker: both succeed, every compared bit but SH
     * agrees, the attribute is Device or 0x44, and granule reports 0b10. */
    KD_PAR_SH = 3,
    KD_COUNT
};

#define KD_NAMES                                                              \
    {"none",                                                                  \
     "block descriptor at a level AArch64.BlockDescSupported() forbids "      \
     "(4K L0, 16K L0/L1): the Arm ARM gives a translation fault "             \
     "(AArch64.DecodeDescriptorType), QEMU 7.2 maps the block",               \
     "64K descriptor bits [15:12] with PAMax 52 and TCR_EL1.IPS < 52: the "   \
     "Arm ARM takes them as OA[51:48] (AArch64.LeafBase, "                    \
     "AArch64.NextTableBase) and faults on the address size, QEMU 7.2 "       \
     "ignores them",                                                          \
     "PAR_EL1.SH for Device or Normal Non-cacheable memory: the Arm ARM "     \
     "reports 0b10 (PAREncodeShareability), QEMU 7.2 the descriptor's SH"}

#endif
