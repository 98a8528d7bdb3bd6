/*
 * conf_pac_check: compares `granule pac` with the results QEMU's PACIA ...
 * PACGA gave for the inputs conf_pac_gen wrote (docs/conformance.md).
 *
 * usage: conf_pac_check GRANULE OUTDIR MIN_PER_INSTRUCTION
 *
 * Reads OUTDIR/blob.bin (sets and inputs) and OUTDIR/qemu_pac.bin (the
 * probe's results, pac_blob.h), runs granule once per register set and
 * operation (sign, auth, strip, ga; every input of the set as a VALUE,M
 * argument), and compares every result. Prints, per instruction: compared,
 * agree, known difference, mismatch. Exit status: 0 when every operation
 * agrees or is a listed known difference (pac_knowndiff.h) and each
 * instruction has at least MIN_PER_INSTRUCTION operations; 1 otherwise; 2
 * on bad input or when granule cannot be run.
 *
 * GRANULE_CONF_PAC_CORRUPT=N flips bit 0 of QEMU's N-th result word
 * (counting result words from 0, headers excluded) before comparing: a way
 * to see the test fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "granule/pac.h"
#include "granule/regs.h"
#include "pac_blob.h"
#include "pac_knowndiff.h"

extern char **environ;

/* The eleven instructions, in the order counted and printed. */
enum { I_PACIA, I_PACIB, I_PACDA, I_PACDB, I_AUTIA, I_AUTIB, I_AUTDA, I_AUTDB,
       I_XPACI, I_XPACD, I_PACGA, I_N };
static const char *const insn_names[I_N] = {"PACIA", "PACIB", "PACDA", "PACDB",
                                            "AUTIA", "AUTIB", "AUTDA", "AUTDB",
                                            "XPACI", "XPACD", "PACGA"};
static const char *const key_names[4] = {"ia", "ib", "da", "db"};
enum { R_PASS, R_KNOWN, R_MISMATCH, R_N };
/* AUT* inputs, as the probe made them */
enum { A_VALID, A_TAMPERED, A_UNSIGNED, A_N };
static const char *const aut_kind[A_N] = {"valid", "tampered", "unsigned"};

static uint64_t *read_all(const char *path, size_t *words)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "conf_pac_check: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    uint64_t *b = malloc(cap * 8);
    size_t got;
    while (b && (got = fread(b + n, 8, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint64_t *nb = realloc(b, 2 * cap * 8);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!b)
        fprintf(stderr, "conf_pac_check: out of memory\n");
    *words = n;
    return b;
}

/* ---- the two AddPAC rules, for the known difference ---------------------- */

typedef struct tcr_info {
    unsigned tsz[2]; /* effective TxSZ (clamped) per range */
    bool tbi[2], tbid[2];
} tcr_info;

/* CalculateBottomPACBit's TxSZ: out-of-range values are CONSTRAINED
 * UNPREDICTABLE; both sides clamp to 16..48 (47 for 64K), FEAT_TTST. */
static tcr_info decode_tcr(uint64_t tcr)
{
    tcr_info t;
    unsigned tg0 = (unsigned)(tcr >> 14) & 3, tg1 = (unsigned)(tcr >> 30) & 3;
    bool k64[2] = {tg0 == 1, tg1 == 3};
    unsigned raw[2] = {(unsigned)tcr & 63, (unsigned)(tcr >> 16) & 63};
    for (int h = 0; h < 2; h++) {
        unsigned max = k64[h] ? 47 : 48;
        t.tsz[h] = raw[h] > max ? max : raw[h] < 16 ? 16 : raw[h];
        t.tbi[h] = (tcr >> (37 + h)) & 1;
        t.tbid[h] = (tcr >> (51 + h)) & 1;
    }
    return t;
}

static uint64_t bits(unsigned hi, unsigned lo)
{
    return (hi == 63 ? ~0ull : (1ull << (hi + 1)) - 1) & ~((1ull << lo) - 1);
}

/* AddPAC with the choices made: selbit (bit 55 of the result and the
 * extension value), bottom PAC bit, TBI. FEAT_PAuth (no EPAC/PAuth2): an
 * input whose extension field ptr<top:bottom> is not all equal gets
 * PAC<top-1> inverted. */
static uint64_t addpac_with(const gr_pac *c, gr_pac_key key, uint64_t p, uint64_t m,
                            unsigned selbit, unsigned bottom, bool tbi)
{
    unsigned top = tbi ? 55 : 63;
    uint64_t field = bits(top, bottom);
    uint64_t ext_ptr = (p & ~field) | (selbit ? field : 0);
    uint64_t pac = 0;
    gr_pac_compute(c, key, ext_ptr, m, &pac);
    uint64_t f = p & field;
    if (f != 0 && f != field)
        pac ^= 1ull << (top - 1);
    uint64_t pacmask = tbi ? bits(54, bottom) : (bits(63, 56) | bits(54, bottom));
    return (p & ~(pacmask | 1ull << 55)) | (pac & pacmask) | ((uint64_t)selbit << 55);
}

/* The situation of known difference 1: see pac_knowndiff.h. */
static bool kd_selbit_situation(const tcr_info *t, uint64_t p, bool data)
{
    unsigned h = (unsigned)(p >> 55) & 1;
    bool tbi_own = t->tbi[h] && (data || !t->tbid[h]);
    return !tbi_own && h != (unsigned)(p >> 63);
}

/* The Arm ARM's AArch64.AddPAC (EffectiveTBI, PtrHasUpperAndLowerAddRanges,
 * CalculateBottomPACBit(selbit)). */
static uint64_t addpac_armarm(const gr_pac *c, const tcr_info *t, gr_pac_key key, uint64_t p,
                              uint64_t m)
{
    bool data = key >= GR_PAC_KEY_DA;
    unsigned h = (unsigned)(p >> 55) & 1;
    bool tbi_own = t->tbi[h] && (data || !t->tbid[h]);
    bool tbi_any = data ? (t->tbi[0] || t->tbi[1])
                        : ((t->tbi[0] && !t->tbid[0]) || (t->tbi[1] && !t->tbid[1]));
    unsigned selbit = tbi_any ? h : (unsigned)(p >> 63);
    return addpac_with(c, key, p, m, selbit, 64 - t->tsz[selbit], tbi_own);
}

/* QEMU 7.2's pauth_addpac: range parameters from ptr<55>, extension from
 * ptr<55> with TBI, else ptr<63>. */
static uint64_t addpac_qemu72(const gr_pac *c, const tcr_info *t, gr_pac_key key, uint64_t p,
                              uint64_t m)
{
    bool data = key >= GR_PAC_KEY_DA;
    unsigned h = (unsigned)(p >> 55) & 1;
    bool tbi_own = t->tbi[h] && (data || !t->tbid[h]);
    unsigned ext = tbi_own ? h : (unsigned)(p >> 63);
    return addpac_with(c, key, p, m, ext, 64 - t->tsz[h], tbi_own);
}

/* ---- running granule ------------------------------------------------------ */

typedef struct gout {
    uint64_t *val;
    bool *failed;
    size_t n;
} gout;

/* Runs granule with argv, stdout into a buffer, stderr into errpath.
 * Returns the exit status (or -1), the output in *buf. */
static int run_granule(char **argv, const char *errpath, char **buf, size_t *len)
{
    int pfd[2];
    if (pipe(pfd) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    posix_spawn_file_actions_addclose(&fa, pfd[0]);
    posix_spawn_file_actions_addclose(&fa, pfd[1]);
    posix_spawn_file_actions_addopen(&fa, 2, errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pfd[1]);
    if (rc != 0) {
        close(pfd[0]);
        errno = rc;
        return -1;
    }
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    ssize_t r;
    while (b && (r = read(pfd[0], b + n, cap - n - 1)) > 0) {
        n += (size_t)r;
        if (n + 1 == cap) {
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
            }
            b = nb;
            cap *= 2;
        }
    }
    close(pfd[0]);
    int st;
    if (waitpid(pid, &st, 0) != pid || !b) {
        free(b);
        return -1;
    }
    b[n] = 0;
    *buf = b;
    *len = n;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void show_stderr(const char *errpath)
{
    FILE *f = fopen(errpath, "r");
    char line[512];
    int n = 0;
    while (f && fgets(line, sizeof line, f) && n++ < 5)
        fprintf(stderr, "  granule: %s", line);
    if (f)
        fclose(f);
}

/* granule pac OP --regs REGS --key KEY --el 1 VALUE[,M]... ; parses one
 * result per VALUE ("0x... [failed]"). ok_status: highest exit status that
 * is not an error (1 for auth: some check failed). */
static int granule_pac(const char *granule, const char *out, unsigned set, const char *op,
                       const char *key, const uint64_t *vals, const uint64_t *mods, size_t n,
                       int ok_status, gout *res)
{
    char regs[4096], errpath[4096];
    snprintf(regs, sizeof regs, "%s/s%04u.regs", out, set);
    snprintf(errpath, sizeof errpath, "%s/granule.err", out);
    char **argv = calloc(n + 12, sizeof *argv);
    char *args = malloc(n * 40);
    if (!argv || !args)
        return -1;
    size_t a = 0;
    argv[a++] = (char *)granule;
    argv[a++] = "pac";
    argv[a++] = (char *)op;
    argv[a++] = "--regs";
    argv[a++] = regs;
    argv[a++] = "--key";
    argv[a++] = (char *)key;
    argv[a++] = "--el";
    argv[a++] = "1";
    for (size_t i = 0; i < n; i++) {
        char *s = args + 40 * i;
        if (mods)
            snprintf(s, 40, "0x%" PRIx64 ",0x%" PRIx64, vals[i], mods[i]);
        else
            snprintf(s, 40, "0x%" PRIx64, vals[i]);
        argv[a++] = s;
    }
    argv[a] = NULL;
    char *buf = NULL;
    size_t len = 0;
    int st = run_granule(argv, errpath, &buf, &len);
    free(argv);
    free(args);
    if (st < 0 || st > ok_status) {
        fprintf(stderr, "conf_pac_check: set %u: granule pac %s --regs %s --key %s: exit status %d\n",
                set, op, regs, key, st);
        show_stderr(errpath);
        free(buf);
        return -1;
    }
    res->n = 0;
    char *line = buf, *nl;
    while (line && *line && res->n <= n) {
        nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        char *end;
        errno = 0;
        uint64_t v = strtoull(line, &end, 16);
        if (errno || end == line || (*end && strcmp(end, " failed") != 0) || res->n == n) {
            fprintf(stderr, "conf_pac_check: set %u: granule pac %s --key %s: unexpected output "
                            "line %zu: %s\n", set, op, key, res->n + 1, line);
            free(buf);
            return -1;
        }
        res->val[res->n] = v;
        res->failed[res->n] = *end != 0;
        res->n++;
        line = nl ? nl + 1 : NULL;
    }
    free(buf);
    if (res->n != n) {
        fprintf(stderr, "conf_pac_check: set %u: granule pac %s --key %s: %zu results for %zu values\n",
                set, op, key, res->n, n);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: conf_pac_check GRANULE OUTDIR MIN_PER_INSTRUCTION\n");
        return 2;
    }
    const char *granule = argv[1], *out = argv[2];
    unsigned long min_per = strtoul(argv[3], NULL, 0);
    char path[4096];

    size_t bw, qw;
    snprintf(path, sizeof path, "%s/blob.bin", out);
    uint64_t *blob = read_all(path, &bw);
    snprintf(path, sizeof path, "%s/qemu_pac.bin", out);
    uint64_t *q = read_all(path, &qw);
    if (!blob || !q)
        return 2;
    if (bw < PAC_HDR_WORDS || blob[PAC_HDR_MAGIC] != PAC_MAGIC) {
        fprintf(stderr, "conf_pac_check: %s/blob.bin is not a PAC blob\n", out);
        return 2;
    }
    uint64_t nsets = blob[PAC_HDR_NSETS], nin = blob[PAC_HDR_NINPUTS];
    if (qw != PAC_RES_HDR_WORDS + nin * PAC_RES_WORDS || q[PAC_RES_MAGIC_W] != PAC_RES_MAGIC ||
        q[PAC_RES_NINPUTS] != nin) {
        fprintf(stderr, "conf_pac_check: %s holds %zu words, expected %" PRIu64
                        " for %" PRIu64 " inputs\n", path, qw,
                PAC_RES_HDR_WORDS + nin * PAC_RES_WORDS, nin);
        return 2;
    }
    uint64_t isar1 = q[PAC_RES_ISAR1], isar2 = q[PAC_RES_ISAR2];
    printf("QEMU: ran at EL%" PRIu64 ", ID_AA64ISAR1_EL1 = 0x%016" PRIx64
           " (APA %u, API %u, GPA %u, GPI %u), ID_AA64ISAR2_EL1 = 0x%016" PRIx64 "\n",
           q[PAC_RES_CURRENTEL], isar1, (unsigned)(isar1 >> 4) & 15, (unsigned)(isar1 >> 8) & 15,
           (unsigned)(isar1 >> 24) & 15, (unsigned)(isar1 >> 28) & 15, isar2);
    if (q[PAC_RES_CURRENTEL] != 1) {
        fprintf(stderr, "conf_pac_check: the probe did not run the instructions at EL1\n");
        return 2;
    }
    uint64_t *qr = q + PAC_RES_HDR_WORDS;
    const char *corrupt = getenv("GRANULE_CONF_PAC_CORRUPT");
    if (corrupt && *corrupt) {
        unsigned long long w = strtoull(corrupt, NULL, 0);
        if (w < nin * PAC_RES_WORDS) {
            qr[w] ^= 1;
            printf("GRANULE_CONF_PAC_CORRUPT: flipped bit 0 of QEMU result word %llu\n", w);
        }
    }

    unsigned long cnt[I_N][R_N] = {{0}};
    unsigned long aut_cov[A_N][2] = {{0}}; /* granule: ok / failed */
    unsigned long sign_cov[2][2] = {{0}};  /* range of ptr<55> x effective TBI */
    unsigned long kd_count[PKD_COUNT] = {0}, kd_sit = 0;
    static const char *const kd_names[] = PKD_NAMES;
    const char *show_env = getenv("CONF_SHOW");
    const unsigned max_show = show_env ? (unsigned)strtoul(show_env, NULL, 0) : 20;
    unsigned shown_mis = 0, shown_kd[PKD_COUNT] = {0};

    size_t maxn = 0;
    for (uint64_t s = 0; s < nsets; s++) {
        const uint64_t *st = blob + blob[PAC_HDR_SET_OFF] / 8 + s * PAC_SET_WORDS;
        if (st[PAC_SET_NIN] > maxn)
            maxn = st[PAC_SET_NIN];
    }
    uint64_t *vals = malloc(3 * maxn * 8), *mods = malloc(3 * maxn * 8);
    gout g = {malloc(3 * maxn * 8), malloc(3 * maxn), 0};
    if (!vals || !mods || !g.val || !g.failed) {
        fprintf(stderr, "conf_pac_check: out of memory\n");
        return 2;
    }

    uint64_t base = 0; /* index of the set's first input */
    for (uint64_t s = 0; s < nsets; s++) {
        const uint64_t *st = blob + blob[PAC_HDR_SET_OFF] / 8 + s * PAC_SET_WORDS;
        const uint64_t *in = blob + st[PAC_SET_IN_OFF] / 8;
        size_t n = st[PAC_SET_NIN];
        unsigned set = (unsigned)s;
        tcr_info t = decode_tcr(st[PAC_SET_TCR]);

        /* The same registers as sNNNN.regs, for the two AddPAC rules'
         * ComputePAC. */
        gr_regs r;
        gr_regs_reset(&r);
        r.id_aa64isar1 = 0x01000010;
        r.tcr = st[PAC_SET_TCR];
        r.sctlr = st[PAC_SET_SCTLR];
        const uint64_t *k = st + PAC_SET_KEYS;
        r.apiakeyhi = k[0], r.apiakeylo = k[1], r.apibkeyhi = k[2], r.apibkeylo = k[3];
        r.apdakeyhi = k[4], r.apdakeylo = k[5], r.apdbkeyhi = k[6], r.apdbkeylo = k[7];
        r.apgakeyhi = k[8], r.apgakeylo = k[9];
        gr_pac *ctx = gr_pac_create(&r, NULL);
        if (!ctx) {
            fprintf(stderr, "conf_pac_check: set %u: gr_pac_create failed\n", set);
            return 2;
        }
        static const uint64_t en_bit[4] = {1ull << 31, 1ull << 30, 1ull << 27, 1ull << 13};

        for (int key = 0; key < 4; key++) {
            bool data = key >= 2;
            bool enabled = (st[PAC_SET_SCTLR] & en_bit[key]) != 0;
            /* sign */
            for (size_t i = 0; i < n; i++) {
                vals[i] = in[PAC_IN_WORDS * i + PAC_IN_PTR];
                mods[i] = in[PAC_IN_WORDS * i + PAC_IN_MOD];
            }
            if (granule_pac(granule, out, set, "sign", key_names[key], vals, mods, n, 0, &g))
                return 2;
            for (size_t i = 0; i < n; i++) {
                uint64_t p = vals[i], m = mods[i];
                uint64_t qv = qr[(base + i) * PAC_RES_WORDS + 4 * key + PAC_R_SIGN], gv = g.val[i];
                unsigned h = (unsigned)(p >> 55) & 1;
                sign_cov[h][t.tbi[h] && (data || !t.tbid[h])]++;
                int res = qv == gv ? R_PASS : R_MISMATCH, kd = PKD_NONE;
                uint64_t arm = 0, qem = 0;
                bool sit = enabled && kd_selbit_situation(&t, p, data);
                kd_sit += sit;
                if (sit) {
                    /* granule must give the Arm ARM's result here even
                     * where QEMU agrees with it */
                    arm = addpac_armarm(ctx, &t, (gr_pac_key)key, p, m);
                    qem = addpac_qemu72(ctx, &t, (gr_pac_key)key, p, m);
                    if (gv != arm)
                        res = R_MISMATCH;
                    else if (res == R_MISMATCH && qv == qem) {
                        res = R_KNOWN;
                        kd = PKD_ADDPAC_SELBIT;
                    }
                }
                cnt[I_PACIA + key][res]++;
                if (res == R_KNOWN)
                    kd_count[kd]++;
                if ((res == R_MISMATCH && shown_mis < max_show) ||
                    (res == R_KNOWN && shown_kd[kd] < 1)) {
                    printf("%s: %s set %u input %zu (TCR_EL1 0x%016" PRIx64 ")\n"
                           "  pointer 0x%016" PRIx64 " modifier 0x%016" PRIx64 "\n"
                           "  QEMU:    0x%016" PRIx64 "\n  granule: 0x%016" PRIx64 "\n",
                           res == R_KNOWN ? "KNOWN DIFFERENCE" : "MISMATCH",
                           insn_names[I_PACIA + key], set, i, st[PAC_SET_TCR], p, m, qv, gv);
                    if (sit)
                        printf("  known-difference situation: Arm ARM rule 0x%016" PRIx64
                               ", QEMU 7.2 rule 0x%016" PRIx64 "\n", arm, qem);
                    if (res == R_KNOWN)
                        printf("  known difference %d: %s\n", kd, kd_names[kd]);
                    printf("  reproduce: %s pac sign --regs %s/s%04u.regs --key %s --el 1 "
                           "0x%016" PRIx64 ",0x%016" PRIx64 "\n",
                           granule, out, set, key_names[key], p, m);
                    if (res == R_MISMATCH)
                        shown_mis++;
                    else
                        shown_kd[kd]++;
                }
            }
            /* auth: valid, tampered and unsigned pointers, from QEMU's
             * signed pointer (so both sides authenticate the same value) */
            for (size_t i = 0; i < n; i++) {
                uint64_t sg = qr[(base + i) * PAC_RES_WORDS + 4 * key + PAC_R_SIGN];
                uint64_t m = in[PAC_IN_WORDS * i + PAC_IN_MOD];
                vals[3 * i + A_VALID] = sg;
                vals[3 * i + A_TAMPERED] = sg ^ in[PAC_IN_WORDS * i + PAC_IN_TAMPER];
                vals[3 * i + A_UNSIGNED] = in[PAC_IN_WORDS * i + PAC_IN_PTR];
                mods[3 * i + A_VALID] = mods[3 * i + A_TAMPERED] = mods[3 * i + A_UNSIGNED] = m;
            }
            if (granule_pac(granule, out, set, "auth", key_names[key], vals, mods, 3 * n, 1, &g))
                return 2;
            for (size_t j = 0; j < 3 * n; j++) {
                size_t i = j / 3;
                int kind = (int)(j % 3);
                uint64_t qv = qr[(base + i) * PAC_RES_WORDS + 4 * key + 1 + kind], gv = g.val[j];
                aut_cov[kind][g.failed[j]]++;
                int res = qv == gv ? R_PASS : R_MISMATCH;
                cnt[I_AUTIA + key][res]++;
                if (res == R_MISMATCH && shown_mis < max_show) {
                    printf("MISMATCH: %s (%s pointer) set %u input %zu (TCR_EL1 0x%016" PRIx64 ")\n"
                           "  pointer 0x%016" PRIx64 " modifier 0x%016" PRIx64 "\n"
                           "  QEMU:    0x%016" PRIx64 "\n  granule: 0x%016" PRIx64 "%s\n"
                           "  reproduce: %s pac auth --regs %s/s%04u.regs --key %s --el 1 "
                           "0x%016" PRIx64 ",0x%016" PRIx64 "\n",
                           insn_names[I_AUTIA + key], aut_kind[kind], set, i, st[PAC_SET_TCR],
                           vals[j], mods[j], qv, gv, g.failed[j] ? " (failed)" : "", granule,
                           out, set, key_names[key], vals[j], mods[j]);
                    shown_mis++;
                }
            }
        }
        /* XPACI, XPACD, PACGA */
        for (int x = 0; x < 3; x++) {
            static const char *const xop[3] = {"strip", "strip", "ga"};
            static const char *const xkey[3] = {"ia", "da", "ga"};
            static const int xres[3] = {PAC_R_XPACI, PAC_R_XPACD, PAC_R_PACGA};
            for (size_t i = 0; i < n; i++) {
                vals[i] = in[PAC_IN_WORDS * i + PAC_IN_PTR];
                mods[i] = in[PAC_IN_WORDS * i + PAC_IN_MOD];
            }
            if (granule_pac(granule, out, set, xop[x], xkey[x], vals, x == 2 ? mods : NULL, n, 0,
                            &g))
                return 2;
            for (size_t i = 0; i < n; i++) {
                uint64_t qv = qr[(base + i) * PAC_RES_WORDS + xres[x]], gv = g.val[i];
                int res = qv == gv ? R_PASS : R_MISMATCH;
                cnt[I_XPACI + x][res]++;
                if (res == R_MISMATCH && shown_mis < max_show) {
                    char mtxt[40] = "";
                    if (x == 2)
                        snprintf(mtxt, sizeof mtxt, ",0x%016" PRIx64, mods[i]);
                    printf("MISMATCH: %s set %u input %zu (TCR_EL1 0x%016" PRIx64 ")\n"
                           "  input 0x%016" PRIx64 "%s%s\n"
                           "  QEMU:    0x%016" PRIx64 "\n  granule: 0x%016" PRIx64 "\n"
                           "  reproduce: %s pac %s --regs %s/s%04u.regs --key %s --el 1 "
                           "0x%016" PRIx64 "%s\n",
                           insn_names[I_XPACI + x], set, i, st[PAC_SET_TCR], vals[i],
                           x == 2 ? " modifier " : "", x == 2 ? mtxt + 1 : "", qv, gv, granule,
                           xop[x], out, set, xkey[x], vals[i], mtxt);
                    shown_mis++;
                }
            }
        }
        gr_pac_destroy(ctx);
        base += n;
    }

    printf("\nCoverage: PAC* inputs by ptr<55> range and effective TBI (no / yes):"
           " lower %lu / %lu, upper %lu / %lu; %lu in the known-difference situation\n",
           sign_cov[0][0], sign_cov[0][1], sign_cov[1][0], sign_cov[1][1], kd_sit);
    printf("Coverage: AUT* by input (granule ok / failed): valid %lu / %lu, tampered %lu / %lu,"
           " unsigned %lu / %lu\n",
           aut_cov[A_VALID][0], aut_cov[A_VALID][1], aut_cov[A_TAMPERED][0],
           aut_cov[A_TAMPERED][1], aut_cov[A_UNSIGNED][0], aut_cov[A_UNSIGNED][1]);
    printf("\n%-8s %10s %10s %10s %10s\n", "insn", "compared", "agree", "known-diff",
           "mismatch");
    bool ok = true;
    unsigned long tot[R_N] = {0};
    for (int i = 0; i < I_N; i++) {
        unsigned long n = cnt[i][R_PASS] + cnt[i][R_KNOWN] + cnt[i][R_MISMATCH];
        printf("%-8s %10lu %10lu %10lu %10lu\n", insn_names[i], n, cnt[i][R_PASS],
               cnt[i][R_KNOWN], cnt[i][R_MISMATCH]);
        for (int r = 0; r < R_N; r++)
            tot[r] += cnt[i][r];
        if (n < min_per) {
            printf("conf_pac_check: only %lu %s operations (need %lu)\n", n, insn_names[i],
                   min_per);
            ok = false;
        }
    }
    printf("%-8s %10lu %10lu %10lu %10lu\n", "total", tot[R_PASS] + tot[R_KNOWN] + tot[R_MISMATCH],
           tot[R_PASS], tot[R_KNOWN], tot[R_MISMATCH]);
    for (int kd = 1; kd < PKD_COUNT; kd++)
        printf("known difference %d (%lu operations): %s\n", kd, kd_count[kd], kd_names[kd]);
    if (tot[R_MISMATCH])
        ok = false;
    printf("%s\n", ok ? "conformance (pac): PASS" : "conformance (pac): FAIL");
    free(blob);
    free(q);
    free(vals);
    free(mods);
    free(g.val);
    free(g.failed);
    return ok ? 0 : 1;
}
