/* The register file and the REGS text format (see docs/regs-format.md). */
#include "granule/regs.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void gr_regs_reset(gr_regs *r)
{
#define GR_REGS_RESET_(f, name, def) r->f = (def);
    GR_REGS_LIST(GR_REGS_RESET_)
#undef GR_REGS_RESET_
}

int gr_regs_set(gr_regs *r, const char *name, uint64_t value)
{
#define GR_REGS_SET_(f, nm, def)      \
    if (strcasecmp(name, nm) == 0) {  \
        r->f = value;                 \
        return 0;                     \
    }
    GR_REGS_LIST(GR_REGS_SET_)
#undef GR_REGS_SET_
    return -1;
}

int gr_parse_u64(const char *s, uint64_t *out)
{
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    uint64_t v = 0;
    int digits = 0;
    for (; *s; s++) {
        if (*s == '_' && digits > 0)
            continue;
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = *s - 'a' + 10;
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = *s - 'A' + 10;
        else
            return -1;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return -1; /* overflow */
        v = v * (uint64_t)base + (uint64_t)d;
        digits++;
    }
    if (digits == 0)
        return -1;
    *out = v;
    return 0;
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

int gr_regs_parse_file(gr_regs *r, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        seterr(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    gr_regs tmp = *r; /* all or nothing */
    char line[512];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        if (n == sizeof line - 1 && line[n - 1] != '\n' && !feof(f)) {
            seterr(err, errlen, "%s:%d: line too long", path, lineno);
            rc = -1;
            break;
        }
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(line);
        if (!*s)
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            seterr(err, errlen, "%s:%d: expected `NAME = VALUE`", path, lineno);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *name = trim(s), *val = trim(eq + 1);
        uint64_t v;
        if (gr_parse_u64(val, &v) != 0) {
            seterr(err, errlen, "%s:%d: `%s` is not a number (hex with 0x, or decimal, up to 64 bits)",
                   path, lineno, val);
            rc = -1;
            break;
        }
        if (gr_regs_set(&tmp, name, v) != 0) {
            seterr(err, errlen, "%s:%d: unknown register `%s`", path, lineno, name);
            rc = -1;
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        seterr(err, errlen, "%s: read error", path);
        rc = -1;
    }
    fclose(f);
    if (rc == 0)
        *r = tmp;
    return rc;
}
