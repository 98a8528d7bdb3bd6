/*
 * Bare-metal pointer-authentication probe, run at EL1 under QEMU (entered
 * from EL2 by pac_start.S). For each register set of the blob (pac_blob.h)
 * it writes TCR_EL1, SCTLR_EL1 and the ten APxxKey{Hi,Lo}_EL1 registers,
 * then for each input (p, m, t) runs PACIA/PACIB/PACDA/PACDB on p, the
 * matching AUT* on the signed pointer, on the signed pointer with the bits t
 * flipped and on p itself, XPACI and XPACD on p and PACGA on (p, m), storing
 * every result. At the end the results go to the host file "qemu_pac.bin"
 * through one semihosting SYS_WRITE.
 *
 * Before starting, the probe checks that QEMU offers what the comparison
 * assumes (ID_AA64ISAR1_EL1.APA = 1, FEAT_PAuth with the architected QARMA5
 * algorithm; API = GPI = 0; GPA = 1; ID_AA64ISAR2_EL1.APA3 = GPA3 = 0) and
 * that it runs at EL1; it records both in the result header.
 */
#include <stdint.h>

#include "../pac_blob.h"

uint64_t semihost_call(uint64_t op, const void *param);
int pac_probe_main(void);
void pac_probe_unexpected(uint64_t esr, uint64_t elr, uint64_t far, uint64_t el);

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITE0 0x04
#define SYS_WRITE 0x05

#define SYSREG_W(name, v) __asm__ volatile("msr " name ", %0" ::"r"(v))
#define SYSREG_R(name, v) __asm__ volatile("mrs %0, " name : "=r"(v))

static void puts_host(const char *s)
{
    semihost_call(SYS_WRITE0, s);
}

static void put_hex(uint64_t v)
{
    char buf[19];
    buf[0] = '0';
    buf[1] = 'x';
    for (int i = 0; i < 16; i++) {
        unsigned d = (unsigned)(v >> (60 - 4 * i)) & 0xf;
        buf[2 + i] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    }
    buf[18] = 0;
    puts_host(buf);
}

void pac_probe_unexpected(uint64_t esr, uint64_t elr, uint64_t far, uint64_t el)
{
    puts_host(el == 1 ? "pac probe: unexpected exception at EL1: ESR="
                      : "pac probe: unexpected exception at EL2: ESR=");
    put_hex(esr);
    puts_host(" ELR=");
    put_hex(elr);
    puts_host(" FAR=");
    put_hex(far);
    puts_host("\n");
}

/* One instruction each; "+r" because PACxx and AUTxx read and write Xd. */
#define PAC_OP(insn)                                                           \
    static uint64_t op_##insn(uint64_t x, uint64_t m)                          \
    {                                                                          \
        __asm__ volatile(#insn " %0, %1" : "+r"(x) : "r"(m));                  \
        return x;                                                              \
    }
PAC_OP(pacia)
PAC_OP(pacib)
PAC_OP(pacda)
PAC_OP(pacdb)
PAC_OP(autia)
PAC_OP(autib)
PAC_OP(autda)
PAC_OP(autdb)

static uint64_t op_xpaci(uint64_t x)
{
    __asm__ volatile("xpaci %0" : "+r"(x));
    return x;
}

static uint64_t op_xpacd(uint64_t x)
{
    __asm__ volatile("xpacd %0" : "+r"(x));
    return x;
}

static uint64_t op_pacga(uint64_t n, uint64_t m)
{
    uint64_t d;
    __asm__ volatile("pacga %0, %1, %2" : "=r"(d) : "r"(n), "r"(m));
    return d;
}

typedef uint64_t (*pac_fn)(uint64_t, uint64_t);

int pac_probe_main(void)
{
    const volatile uint64_t *blob = (const volatile uint64_t *)PAC_BLOB_PA;
    volatile uint64_t *res = (volatile uint64_t *)PAC_RESULT_PA;
    static const pac_fn sign[4] = {op_pacia, op_pacib, op_pacda, op_pacdb};
    static const pac_fn aut[4] = {op_autia, op_autib, op_autda, op_autdb};

    uint64_t isar1, isar2, cel;
    SYSREG_R("id_aa64isar1_el1", isar1);
    SYSREG_R("id_aa64isar2_el1", isar2);
    SYSREG_R("CurrentEL", cel);
    cel = (cel >> 2) & 3;
    if (cel != 1) {
        puts_host("pac probe: not running at EL1\n");
        return 2;
    }
    /* APA [7:4] = 1, API [11:8] = 0, GPA [27:24] = 1, GPI [31:28] = 0;
     * APA3 [15:12] = GPA3 [11:8] = 0. */
    if (((isar1 >> 4) & 0xf) != 1 || ((isar1 >> 8) & 0xf) != 0 ||
        ((isar1 >> 24) & 0xf) != 1 || ((isar1 >> 28) & 0xf) != 0 ||
        ((isar2 >> 8) & 0xff) != 0) {
        puts_host("pac probe: QEMU does not offer FEAT_PAuth with QARMA5 only: ID_AA64ISAR1_EL1=");
        put_hex(isar1);
        puts_host(" ID_AA64ISAR2_EL1=");
        put_hex(isar2);
        puts_host("\n");
        return 2;
    }
    if (blob[PAC_HDR_MAGIC] != PAC_MAGIC) {
        puts_host("pac probe: no PAC blob at 0x48000000\n");
        return 2;
    }
    uint64_t nsets = blob[PAC_HDR_NSETS], nin = blob[PAC_HDR_NINPUTS];
    if ((PAC_RES_HDR_WORDS + nin * PAC_RES_WORDS) * 8 > PAC_RESULT_BYTES) {
        puts_host("pac probe: too many inputs\n");
        return 2;
    }
    const volatile uint64_t *sets = blob + blob[PAC_HDR_SET_OFF] / 8;
    volatile uint64_t *out = res + PAC_RES_HDR_WORDS;
    uint64_t done = 0;

    for (uint64_t s = 0; s < nsets; s++) {
        const volatile uint64_t *st = sets + s * PAC_SET_WORDS;
        const volatile uint64_t *k = st + PAC_SET_KEYS;
        SYSREG_W("tcr_el1", st[PAC_SET_TCR]);
        SYSREG_W("sctlr_el1", st[PAC_SET_SCTLR]);
        SYSREG_W("apiakeyhi_el1", k[0]);
        SYSREG_W("apiakeylo_el1", k[1]);
        SYSREG_W("apibkeyhi_el1", k[2]);
        SYSREG_W("apibkeylo_el1", k[3]);
        SYSREG_W("apdakeyhi_el1", k[4]);
        SYSREG_W("apdakeylo_el1", k[5]);
        SYSREG_W("apdbkeyhi_el1", k[6]);
        SYSREG_W("apdbkeylo_el1", k[7]);
        SYSREG_W("apgakeyhi_el1", k[8]);
        SYSREG_W("apgakeylo_el1", k[9]);
        __asm__ volatile("isb" ::: "memory");

        const volatile uint64_t *in = blob + st[PAC_SET_IN_OFF] / 8;
        uint64_t n = st[PAC_SET_NIN];
        for (uint64_t i = 0; i < n; i++, done++) {
            uint64_t p = in[PAC_IN_WORDS * i + PAC_IN_PTR];
            uint64_t m = in[PAC_IN_WORDS * i + PAC_IN_MOD];
            uint64_t t = in[PAC_IN_WORDS * i + PAC_IN_TAMPER];
            volatile uint64_t *r = out + done * PAC_RES_WORDS;
            for (int key = 0; key < 4; key++) {
                uint64_t sg = sign[key](p, m);
                r[4 * key + PAC_R_SIGN] = sg;
                r[4 * key + PAC_R_AUT_VALID] = aut[key](sg, m);
                r[4 * key + PAC_R_AUT_TAMPERED] = aut[key](sg ^ t, m);
                r[4 * key + PAC_R_AUT_UNSIGNED] = aut[key](p, m);
            }
            r[PAC_R_XPACI] = op_xpaci(p);
            r[PAC_R_XPACD] = op_xpacd(p);
            r[PAC_R_PACGA] = op_pacga(p, m);
        }
    }
    if (done != nin) {
        puts_host("pac probe: input count does not match the header\n");
        return 2;
    }
    res[PAC_RES_MAGIC_W] = PAC_RES_MAGIC;
    res[PAC_RES_NINPUTS] = done;
    res[PAC_RES_ISAR1] = isar1;
    res[PAC_RES_ISAR2] = isar2;
    res[PAC_RES_CURRENTEL] = cel;
    for (int i = PAC_RES_CURRENTEL + 1; i < PAC_RES_HDR_WORDS; i++)
        res[i] = 0;

    static const char name[] = "qemu_pac.bin";
    uint64_t open_args[3] = {(uint64_t)name, 5 /* "wb" */, sizeof name - 1};
    int64_t fd = (int64_t)semihost_call(SYS_OPEN, open_args);
    if (fd < 0) {
        puts_host("pac probe: cannot open qemu_pac.bin on the host\n");
        return 2;
    }
    uint64_t bytes = (PAC_RES_HDR_WORDS + done * PAC_RES_WORDS) * 8;
    uint64_t wr_args[3] = {(uint64_t)fd, PAC_RESULT_PA, bytes};
    if (semihost_call(SYS_WRITE, wr_args) != 0) {
        puts_host("pac probe: short write to qemu_pac.bin\n");
        return 2;
    }
    uint64_t cl_args[1] = {(uint64_t)fd};
    semihost_call(SYS_CLOSE, cl_args);
    return 0;
}
