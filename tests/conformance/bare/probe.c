/*
 * Bare-metal conformance probe, run at EL2 under QEMU. For each case of the
 * blob (blob.h) it copies the page-table image into place, programs the
 * EL1&0 stage-1 registers, and issues one AT instruction per request,
 * storing PAR_EL1 and, if the AT instruction took a Data Abort instead
 * (synchronous External abort on the walk), ESR_EL2. At the end the results go to the host file
 * "qemu_par.bin" through semihosting (one write, fast).
 *
 * AT S1E1RP/S1E1WP are used for EL1 accesses so that PSTATE.PAN (set here,
 * at EL2, which is the PSTATE the instruction consults) applies, as it would
 * to an EL1 load or store; AT S1E0R/S1E0W for EL0. AT executed at EL2 with
 * HCR_EL2.E2H = 0 translates in the EL1&0 regime, stage 1 only (VM = 0).
 */
#include <stdint.h>

#include "../blob.h"

uint64_t semihost_call(uint64_t op, const void *param);
void semihost_exit(int code) __attribute__((noreturn));

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITE0 0x04
#define SYS_WRITE 0x05

#define SYSREG_W(name, v) __asm__ volatile("msr " name ", %0" ::"r"(v))

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

void probe_unexpected(uint64_t esr, uint64_t elr, uint64_t far)
{
    puts_host("probe: unexpected exception at EL2: ESR=");
    put_hex(esr);
    puts_host(" ELR=");
    put_hex(elr);
    puts_host(" FAR=");
    put_hex(far);
    puts_host("\n");
}

/* Set around each AT instruction; start.S records a Data Abort taken by the
 * AT (an external abort on the walk) in at_esr and skips the instruction. */
volatile uint64_t at_active;
volatile uint64_t at_esr;

static uint64_t at(uint64_t va, uint64_t flags, uint64_t *esr)
{
    uint64_t par;
    at_esr = 0;
    at_active = 1;
    __asm__ volatile("" ::: "memory");
    switch (flags & 3u) {
    case 0:
        __asm__ volatile("at s1e1rp, %0" ::"r"(va));
        break;
    case CONF_REQ_WRITE:
        __asm__ volatile("at s1e1wp, %0" ::"r"(va));
        break;
    case CONF_REQ_EL0:
        __asm__ volatile("at s1e0r, %0" ::"r"(va));
        break;
    default:
        __asm__ volatile("at s1e0w, %0" ::"r"(va));
        break;
    }
    __asm__ volatile("isb\n\tmrs %0, par_el1" : "=r"(par)::"memory");
    at_active = 0;
    *esr = at_esr;
    return par;
}

static void copy64(volatile uint64_t *dst, const volatile uint64_t *src,
                   uint64_t words)
{
    for (uint64_t i = 0; i < words; i++)
        dst[i] = src[i];
}

int probe_main(void)
{
    const volatile uint64_t *blob = (const volatile uint64_t *)CONF_BLOB_PA;
    volatile uint64_t *res = (volatile uint64_t *)CONF_RESULT_PA;
    uint64_t nout = 0;

    if (blob[CONF_HDR_MAGIC] != CONF_MAGIC) {
        puts_host("probe: no conformance blob at 0x48000000\n");
        return 2;
    }
    uint64_t ncases = blob[CONF_HDR_NCASES];
    uint64_t nvas = blob[CONF_HDR_NVAS];
    if (nvas > CONF_RESULT_MAX) {
        puts_host("probe: too many translations\n");
        return 2;
    }
    const volatile uint64_t *cases = blob + blob[CONF_HDR_CASE_OFF] / 8;

    for (uint64_t c = 0; c < ncases; c++) {
        const volatile uint64_t *cs = cases + c * CONF_CASE_WORDS;
        uint64_t len = cs[CONF_CASE_IMG_LEN];
        if (len > CONF_REGION_MAX) {
            puts_host("probe: image too large\n");
            return 2;
        }
        copy64((volatile uint64_t *)CONF_REGION_PA,
               blob + cs[CONF_CASE_IMG_OFF] / 8, len / 8);

        SYSREG_W("tcr_el1", cs[CONF_CASE_TCR]);
        SYSREG_W("ttbr0_el1", cs[CONF_CASE_TTBR0]);
        SYSREG_W("ttbr1_el1", cs[CONF_CASE_TTBR1]);
        SYSREG_W("mair_el1", cs[CONF_CASE_MAIR]);
        SYSREG_W("sctlr_el1", cs[CONF_CASE_SCTLR]);
        /* PSTATE.PAN (FEAT_PAN): the PAN special register, bit 22 */
        SYSREG_W("pan", cs[CONF_CASE_PAN] ? (1ull << 22) : 0ull);
        /* Table contents and registers changed: drop any cached walk. */
        __asm__ volatile("dsb sy\n\ttlbi vmalle1\n\tdsb sy\n\tisb" ::: "memory");

        const volatile uint64_t *req = blob + cs[CONF_CASE_REQ_OFF] / 8;
        uint64_t n = cs[CONF_CASE_NREQ];
        for (uint64_t i = 0; i < n; i++) {
            uint64_t esr;
            uint64_t par = at(req[2 * i], req[2 * i + 1], &esr);
            res[2 * nout] = par;
            res[2 * nout + 1] = esr;
            nout++;
        }
    }
    if (nout != nvas) {
        puts_host("probe: translation count does not match the header\n");
        return 2;
    }

    static const char name[] = "qemu_par.bin";
    uint64_t open_args[3] = {(uint64_t)name, 5 /* "wb" */, sizeof name - 1};
    int64_t fd = (int64_t)semihost_call(SYS_OPEN, open_args);
    if (fd < 0) {
        puts_host("probe: cannot open qemu_par.bin on the host\n");
        return 2;
    }
    uint64_t wr_args[3] = {(uint64_t)fd, CONF_RESULT_PA, nout * 16};
    if (semihost_call(SYS_WRITE, wr_args) != 0) {
        puts_host("probe: short write to qemu_par.bin\n");
        return 2;
    }
    uint64_t cl_args[1] = {(uint64_t)fd};
    semihost_call(SYS_CLOSE, cl_args);
    return 0;
}
