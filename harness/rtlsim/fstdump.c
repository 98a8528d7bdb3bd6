/* granule — fstdump: a text dump of an FST waveform, read with the FST
 * reader Verilator ships (GTKWave's fstapi), for the test of `granule diff
 * --waves` and the example in docs/cosim.md (Debian's gtkwave, whose
 * fst2vcd does this, is not a dependency of the project).
 *
 *   fstdump FILE                 the header: timescale, time range, signals
 *   fstdump FILE SIGNAL...       and every value change of the signals whose
 *                                hierarchical name ends with one of SIGNAL
 *   fstdump FILE --at T SIGNAL...  instead, their values at time T
 *
 * Values of up to 64 bits print in hex, wider ones in binary; x/z as read.
 * Exit status: 0, 1 if FILE is not a readable FST or a SIGNAL matches
 * nothing, 2 bad usage. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fstapi.h"

#define MAXSIG 64

typedef struct sig {
    char name[512];
    fstHandle handle;
    uint32_t width;
} sig;

typedef struct dump {
    sig s[MAXSIG];
    unsigned n;
} dump;

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0 && (a == b || s[a - b - 1] == '.');
}

static void print_value(const unsigned char *v, uint32_t width)
{
    int binary = width > 64;
    for (uint32_t i = 0; i < width && !binary; i++)
        if (v[i] != '0' && v[i] != '1')
            binary = 1;
    if (binary) {
        printf("b%.*s", (int)width, (const char *)v);
        return;
    }
    uint64_t x = 0;
    for (uint32_t i = 0; i < width; i++)
        x = (x << 1) | (uint64_t)(v[i] == '1');
    printf("%#" PRIx64, x);
}

static void on_change(void *user, uint64_t t, fstHandle h, const unsigned char *v)
{
    const dump *d = user;
    for (unsigned i = 0; i < d->n; i++)
        if (d->s[i].handle == h) {
            printf("%10" PRIu64 "  %-40s ", t, d->s[i].name);
            print_value(v, d->s[i].width);
            printf("\n");
        }
}

int main(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: fstdump FILE [--at T] [SIGNAL...]\n");
        return 2;
    }
    int first = 2;
    long long at = -1;
    if (argc >= 4 && strcmp(argv[2], "--at") == 0) {
        char *end;
        at = strtoll(argv[3], &end, 10);
        if (*end || end == argv[3] || at < 0) {
            fprintf(stderr, "fstdump: --at %s: not a time\n", argv[3]);
            return 2;
        }
        first = 4;
    }
    void *fst = fstReaderOpen(argv[1]);
    if (!fst) {
        fprintf(stderr, "fstdump: %s: not a readable FST file\n", argv[1]);
        return 1;
    }
    printf("file %s\ntimescale 1e%d s\nstart %" PRIu64 "\nend %" PRIu64 "\nsignals %" PRIu64
           "\n", argv[1], (int)fstReaderGetTimescale(fst), fstReaderGetStartTime(fst),
           fstReaderGetEndTime(fst), fstReaderGetVarCount(fst));
    static dump d;
    char scope[4096] = "";
    unsigned found[MAXSIG] = {0};
    int want = argc - first > MAXSIG ? MAXSIG : argc - first;
    struct fstHier *h;
    while ((h = fstReaderIterateHier(fst)) != NULL) {
        switch (h->htyp) {
        case FST_HT_SCOPE: {
            size_t l = strlen(scope);
            snprintf(scope + l, sizeof scope - l, "%s%s", l ? "." : "", h->u.scope.name);
            break;
        }
        case FST_HT_UPSCOPE: {
            char *dot = strrchr(scope, '.');
            if (dot)
                *dot = '\0';
            else
                scope[0] = '\0';
            break;
        }
        case FST_HT_VAR: {
            char full[512];
            snprintf(full, sizeof full, "%s.%s", scope, h->u.var.name);
            /* Verilator names vectors "name [hi:lo]": drop the range. */
            char *sp = strchr(full, ' ');
            if (sp)
                *sp = '\0';
            for (int i = 0; i < want; i++)
                if (ends_with(full, argv[first + i]) && d.n < MAXSIG) {
                    sig *s = &d.s[d.n++];
                    snprintf(s->name, sizeof s->name, "%s", full);
                    s->handle = h->u.var.handle;
                    s->width = h->u.var.length;
                    found[i]++;
                    fstReaderSetFacProcessMask(fst, h->u.var.handle);
                    break;
                }
            break;
        }
        default:
            break;
        }
    }
    int rc = 0;
    for (int i = 0; i < want; i++)
        if (!found[i]) {
            fprintf(stderr, "fstdump: %s: no signal named %s\n", argv[1], argv[first + i]);
            rc = 1;
        }
    if (at >= 0) {
        static char buf[65536];
        for (unsigned i = 0; i < d.n; i++) {
            if (d.s[i].width >= sizeof buf ||
                !fstReaderGetValueFromHandleAtTime(fst, (uint64_t)at, d.s[i].handle, buf)) {
                fprintf(stderr, "fstdump: %s: no value of %s at %lld\n", argv[1], d.s[i].name,
                        at);
                rc = 1;
                continue;
            }
            printf("%10lld  %-40s ", at, d.s[i].name);
            print_value((const unsigned char *)buf, d.s[i].width);
            printf("\n");
        }
    } else if (d.n && fstReaderIterBlocks(fst, on_change, &d, NULL) == 0) {
        fprintf(stderr, "fstdump: %s: cannot read the value changes\n", argv[1]);
        rc = 1;
    }
    fstReaderClose(fst);
    return rc;
}
