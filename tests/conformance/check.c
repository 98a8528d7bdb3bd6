/*
 * conf_check: compares `granule translate` with the PAR_EL1 values QEMU's AT
 * instruction returned for the cases conf_gen wrote (docs/conformance.md).
 *
 * usage: conf_check GRANULE OUTDIR MIN_PER_GRANULE
 *
 * Reads OUTDIR/manifest.tsv (one line per translation) and
 * OUTDIR/qemu_par.bin (per translation: PAR_EL1, and ESR_EL2 when the AT
 * instruction took a Data Abort instead), runs granule once per case and
 * compares. Exit status: 0 when every translation agrees or is a listed
 * known difference and each granule has at least MIN_PER_GRANULE
 * translations; 1 otherwise; 2 on bad input.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "knowndiff.h"

/*
 * PAR_EL1 bits compared (Arm ARM, PAR_EL1 field descriptions, 64-bit format).
 * F = 0: everything except bit 10, which is IMPLEMENTATION DEFINED:
 *   ATTR[63:56], RES0[55:52], PA[51:12], RES1[11], NS[9], SH[8:7],
 *   RES0[6:1], F[0].
 * F = 1: bits [11:0] only; bits [63:12] are IMPLEMENTATION DEFINED:
 *   RES1[11], RES0[10], S[9], PTW[8], RES0[7], FST[6:1], F[0].
 */
#define PAR_CMP_OK (~(1ull << 10))
#define PAR_CMP_FAULT 0xfffull

#define ESR_EC(e) (((e) >> 26) & 0x3f)
#define EC_DABT_CUR 0x25

#define SH_BITS (3ull << 7)

/* PAREncodeShareability() forces SH = 0b10 for Device memory (MAIR
 * attribute 0b0000xxxx) and Normal Inner and Outer Non-cacheable (0x44). */
static bool sh_forced(uint64_t par)
{
    unsigned attr = (unsigned)(par >> 56);
    return (attr & 0xf0) == 0 || attr == 0x44;
}

static uint64_t par_mask(uint64_t par)
{
    return par & (par & 1 ? PAR_CMP_FAULT : PAR_CMP_OK);
}

static const char *fst_name(unsigned fst)
{
    switch (fst >> 2) {
    case 0:
        return "address size";
    case 1:
        return "translation";
    case 2:
        return "access flag";
    case 3:
        return "permission";
    case 5:
        return "external abort on walk";
    default:
        return "other";
    }
}

static void par_decode(char *buf, size_t n, uint64_t par, uint64_t esr)
{
    if (esr) {
        unsigned dfsc = (unsigned)(esr & 0x3f);
        snprintf(buf, n, "Data Abort taken by AT: ESR_EL2=0x%" PRIx64
                 " DFSC=0x%02x (%s, level %u)",
                 esr, dfsc, fst_name(dfsc), dfsc & 3);
        return;
    }
    if (par & 1) {
        unsigned fst = (unsigned)(par >> 1) & 0x3f;
        snprintf(buf, n, "PAR=0x%016" PRIx64 " F=1 FST=0x%02x (%s, level %u)"
                 " S=%u PTW=%u",
                 par, fst, fst_name(fst), fst & 3, (unsigned)(par >> 9) & 1,
                 (unsigned)(par >> 8) & 1);
    } else {
        snprintf(buf, n, "PAR=0x%016" PRIx64 " F=0 PA=0x%" PRIx64
                 " SH=%u NS=%u ATTR=0x%02x",
                 par, par & (uint64_t)0x000ffffffffff000ull, (unsigned)(par >> 7) & 3,
                 (unsigned)(par >> 9) & 1, (unsigned)(par >> 56));
    }
}

typedef struct mline {
    unsigned cas, idx, gkb, kd_fst;
    int half, tag;
    char note[200];
} mline;

/* result classes, per granule */
enum { R_PASS, R_KNOWN, R_MISMATCH, R_N };
/* coverage: what QEMU answered, by outcome and level */
enum { C_OK, C_ADDRSIZE, C_TRANS, C_AF, C_PERM, C_EXT, C_N };
static const char *cov_names[C_N] = {"success", "address size", "translation",
                                     "access flag", "permission",
                                     "external abort (walk)"};

static int gidx(unsigned gkb)
{
    return gkb == 4 ? 0 : gkb == 16 ? 1 : 2;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: conf_check GRANULE OUTDIR MIN_PER_GRANULE\n");
        return 2;
    }
    const char *granule = argv[1], *out = argv[2];
    unsigned long min_per = strtoul(argv[3], NULL, 0);
    char path[4096];

    /* manifest */
    snprintf(path, sizeof path, "%s/manifest.tsv", out);
    FILE *mf = fopen(path, "r");
    if (!mf) {
        fprintf(stderr, "conf_check: %s: %s\n", path, strerror(errno));
        return 2;
    }
    size_t nm = 0, capm = 1024;
    mline *m = malloc(capm * sizeof *m);
    char line[512];
    unsigned long long seed = 0;
    while (fgets(line, sizeof line, mf)) {
        if (line[0] == '#') {
            sscanf(line, "# seed %llu", &seed);
            continue;
        }
        if (nm == capm) {
            capm *= 2;
            m = realloc(m, capm * sizeof *m);
        }
        mline *e = &m[nm];
        e->note[0] = 0;
        if (sscanf(line, "%u\t%u\t%d\t%u\t%d\t%x\t%199[^\n]", &e->cas,
                   &e->idx, &e->half, &e->gkb, &e->tag, &e->kd_fst,
                   e->note) < 6 || e->tag < 0 || e->tag >= KD_COUNT) {
            fprintf(stderr, "conf_check: %s: bad line %zu\n", path, nm + 1);
            return 2;
        }
        nm++;
    }
    fclose(mf);

    /* QEMU results */
    snprintf(path, sizeof path, "%s/qemu_par.bin", out);
    FILE *qf = fopen(path, "rb");
    if (!qf) {
        fprintf(stderr, "conf_check: %s: %s\n", path, strerror(errno));
        return 2;
    }
    uint64_t *q = malloc(nm * 16 + 16);
    size_t got = fread(q, 16, nm + 1, qf);
    fclose(qf);
    if (got != nm) {
        fprintf(stderr, "conf_check: %s holds %zu results, manifest %zu\n",
                path, got, nm);
        return 2;
    }

    unsigned long cnt[3][R_N] = {{0}}, cov[3][C_N][4] = {{{0}}};
    unsigned long kd_count[KD_COUNT] = {0};
    static const char *kd_names[] = KD_NAMES;
    unsigned shown_mis = 0, shown_kd[KD_COUNT] = {0};
    const char *show_env = getenv("CONF_SHOW");
    const unsigned max_show = show_env ? (unsigned)strtoul(show_env, NULL, 0) : 20;

    size_t i = 0;
    while (i < nm) {
        unsigned c = m[i].cas;
        size_t first = i;
        while (i < nm && m[i].cas == c)
            i++;
        char cmd[8192];
        snprintf(cmd, sizeof cmd,
                 "'%s' translate --regs '%s/c%04u.regs' --mem '%s/c%04u.img@0x%llx'"
                 " --input '%s/c%04u.va' --json",
                 granule, out, c, out, c, (unsigned long long)CONF_REGION_PA,
                 out, c);
        FILE *p = popen(cmd, "r");
        if (!p) {
            fprintf(stderr, "conf_check: cannot run %s\n", cmd);
            return 2;
        }
        size_t k = first;
        static char jl[1 << 16];
        while (fgets(jl, sizeof jl, p)) {
            if (k >= i) {
                k++;
                continue;
            }
            json_error_t err;
            json_t *o = json_loads(jl, 0, &err);
            const char *gpar_s = o ? json_string_value(json_object_get(o, "par")) : NULL;
            const char *gfault = o ? json_string_value(json_object_get(o, "fault")) : NULL;
            if (!gpar_s || !gfault) {
                fprintf(stderr, "conf_check: case %u: bad JSON from granule: %s", c, jl);
                return 2;
            }
            uint64_t gpar = strtoull(gpar_s, NULL, 16);
            uint64_t qpar = q[2 * k], qesr = q[2 * k + 1];
            const mline *e = &m[k];
            int g = gidx(e->gkb);

            /* coverage by QEMU's answer */
            if (qesr)
                cov[g][C_EXT][qesr & 3]++;
            else if (!(qpar & 1))
                cov[g][C_OK][0]++;
            else {
                unsigned fst = (unsigned)(qpar >> 1) & 0x3f;
                int cls = fst >> 2 == 0 ? C_ADDRSIZE : fst >> 2 == 1 ? C_TRANS
                        : fst >> 2 == 2 ? C_AF : fst >> 2 == 3 ? C_PERM : C_EXT;
                cov[g][cls][fst & 3]++;
            }

            bool same;
            if (qesr) {
                /* AT took the abort as an exception: compare the status
                 * code granule reports with ESR_EL2.DFSC */
                same = ESR_EC(qesr) == EC_DABT_CUR && (gpar & 1) &&
                       strcmp(gfault, "external_abort") == 0 &&
                       ((gpar >> 1) & 0x3f) == (qesr & 0x3f);
            } else {
                same = par_mask(gpar) == par_mask(qpar);
            }
            int res = R_PASS, kd = KD_NONE;
            if (!same) {
                res = R_MISMATCH;
                if (e->tag != KD_NONE && (gpar & 1) &&
                    ((gpar >> 1) & 0x3f) == e->kd_fst) {
                    /* generator-tagged: granule gives the Arm ARM's
                     * fault status code */
                    res = R_KNOWN;
                    kd = e->tag;
                } else if (!qesr && !(qpar & 1) && !(gpar & 1) &&
                           ((par_mask(qpar) ^ par_mask(gpar)) & ~SH_BITS) == 0 &&
                           sh_forced(gpar) && ((gpar & SH_BITS) >> 7) == 2) {
                    res = R_KNOWN;
                    kd = KD_PAR_SH;
                }
            }
            cnt[g][res]++;
            if (res == R_KNOWN)
                kd_count[kd]++;
            /* every mismatch up to max_show; one example per known
             * difference */
            if ((res == R_MISMATCH && shown_mis < max_show) ||
                (res == R_KNOWN && shown_kd[kd] < 1)) {
                char qd[200], gd[200];
                par_decode(qd, sizeof qd, qpar, qesr);
                par_decode(gd, sizeof gd, gpar, 0);
                json_t *jva = json_object_get(o, "va");
                json_t *jacc = json_object_get(o, "access");
                json_t *jel = json_object_get(o, "el");
                const char *va = json_string_value(jva);
                const char *acc = json_string_value(jacc);
                long long el = json_integer_value(jel);
                printf("%s: seed %llu case %u #%u (%uK, TTBR%d, built: %s)\n"
                       "  VA %s access %s EL%lld\n"
                       "  QEMU:    %s\n  granule: %s (fault %s)\n"
                       "  reproduce: %s translate --regs %s/c%04u.regs"
                       " --mem %s/c%04u.img@0x%llx %s:%s:el%lld\n",
                       res == R_KNOWN ? "KNOWN DIFFERENCE" : "MISMATCH", seed,
                       c, e->idx, e->gkb, e->half, e->note, va ? va : "?",
                       acc ? acc : "?", el, qd, gd, gfault, granule, out, c,
                       out, c, (unsigned long long)CONF_REGION_PA,
                       va ? va : "?", acc ? acc : "r", el);
                if (res == R_KNOWN)
                    printf("  known difference %d: %s\n", kd, kd_names[kd]);
                if (res == R_MISMATCH)
                    shown_mis++;
                else
                    shown_kd[kd]++;
            }
            json_decref(o);
            k++;
        }
        int st = pclose(p);
        if (st != 0 || k != i) {
            fprintf(stderr,
                    "conf_check: case %u: granule exited with status %d and "
                    "%zu results for %zu requests\n  command: %s\n",
                    c, st, k - first, i - first, cmd);
            return 2;
        }
    }

    static const char *gn[3] = {"4K", "16K", "64K"};
    printf("\nQEMU's answers by outcome and level (coverage):\n");
    printf("%-24s %18s %18s %18s\n", "", "4K L0/L1/L2/L3", "16K L0/L1/L2/L3",
           "64K L0/L1/L2/L3");
    for (int k = 0; k < C_N; k++) {
        printf("%-24s", cov_names[k]);
        for (int g = 0; g < 3; g++) {
            char b[64];
            if (k == C_OK)
                snprintf(b, sizeof b, "%lu", cov[g][k][0]);
            else
                snprintf(b, sizeof b, "%lu/%lu/%lu/%lu", cov[g][k][0],
                         cov[g][k][1], cov[g][k][2], cov[g][k][3]);
            printf(" %18s", b);
        }
        printf("\n");
    }
    printf("\n%-8s %10s %10s %10s %10s\n", "granule", "compared", "agree",
           "known-diff", "mismatch");
    bool ok = true;
    unsigned long tot[R_N] = {0};
    for (int g = 0; g < 3; g++) {
        unsigned long n = cnt[g][R_PASS] + cnt[g][R_KNOWN] + cnt[g][R_MISMATCH];
        printf("%-8s %10lu %10lu %10lu %10lu\n", gn[g], n, cnt[g][R_PASS],
               cnt[g][R_KNOWN], cnt[g][R_MISMATCH]);
        for (int r = 0; r < R_N; r++)
            tot[r] += cnt[g][r];
        if (n < min_per) {
            printf("conf_check: only %lu %s translations (need %lu)\n", n,
                   gn[g], min_per);
            ok = false;
        }
    }
    printf("%-8s %10lu %10lu %10lu %10lu\n", "total",
           tot[R_PASS] + tot[R_KNOWN] + tot[R_MISMATCH], tot[R_PASS],
           tot[R_KNOWN], tot[R_MISMATCH]);
    for (int k = 1; k < KD_COUNT; k++)
        printf("known difference %d (%lu translations): %s\n", k, kd_count[k],
               kd_names[k]);
    if (tot[R_MISMATCH])
        ok = false;
    printf("%s\n", ok ? "conformance: PASS" : "conformance: FAIL");
    free(m);
    free(q);
    return ok ? 0 : 1;
}
