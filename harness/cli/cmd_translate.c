/* granule translate: one-shot stage-1 translations, like the AT instruction
 * but with the side effects of a real access (hardware AF/dirty updates). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "granule/pac.h"
#include "granule/ptw.h"
#include "granule/regs.h"
#include "memargs.h"

static const char usage[] =
    "usage: granule translate --regs REGS [--mem FILE@PA ...] [--ram BASE:SIZE ...]\n"
    "                         [--input FILE] [--json] [--dump-mem FILE@PA:LEN ...]\n"
    "                         [VA[:r|w|x[:el0|el1[:auth=KEY[,MOD]]]] ...]\n"
    "\n"
    "Translates each VA through the VMSAv8-64 stage-1 EL1&0 regime described by\n"
    "the registers in REGS, walking page tables in the simulated physical memory.\n"
    "\n"
    "  --regs REGS         register file: `NAME = VALUE` lines (TCR_EL1, TTBR0_EL1,\n"
    "                      TTBR1_EL1, MAIR_EL1, SCTLR_EL1, PSTATE_PAN,\n"
    "                      ID_AA64MMFR0_EL1, ...; see docs/regs-format.md)\n"
    "  --mem FILE@PA       load a raw image at physical address PA; outside a --ram\n"
    "                      region it becomes a memory region of its own size\n"
    "  --ram BASE:SIZE     declare zero-filled RAM [BASE, BASE+SIZE)\n"
    "                      Physical addresses outside every region have no memory:\n"
    "                      a walk there is a synchronous external abort.\n"
    "  --input FILE        read VA specs from FILE, one per line (`#` comments)\n"
    "  --json              one JSON object per VA and line (fields: docs/translate.md)\n"
    "  --dump-mem FILE@PA:LEN  after all translations, write LEN bytes of memory\n"
    "                      from PA to FILE (shows hardware AF/dirty updates)\n"
    "\n"
    "A VA spec is VA[:ACCESS[:EL[:auth=KEY[,MOD]]]]: ACCESS r (read, default), w\n"
    "(write) or x (instruction fetch); EL el1 (default) or el0. auth=KEY,MOD makes\n"
    "the request carry a signed pointer, as a combined instruction (LDRAA, BRAA)\n"
    "does: the PAC is authenticated with key ia, ib, da or db and modifier MOD\n"
    "(default 0) before translation. A failed check raises a PAC fault with\n"
    "FEAT_FPACCOMBINE; otherwise the poisoned pointer is translated and faults\n"
    "there. Numbers are hex with 0x or decimal. Accesses are performed in order,\n"
    "so an AF set by one is seen by the next.\n"
    "Exit status: 0 when every input parsed (faults are results), 2 on bad input.\n";

/* One request: the access, and the pointer authentication it carries. */
typedef struct spec {
    gr_req req;
    bool auth;
    gr_pac_key key;
    uint64_t modifier;
} spec;

typedef struct spec_list {
    spec *v;
    size_t n, cap;
} spec_list;

static int push_spec(spec_list *l, spec r)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        spec *nv = realloc(l->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = r;
    return 0;
}

/* Parses "auth=KEY[,MOD]". */
static int parse_auth(char *s, spec *out, const char **why)
{
    static const char *const keys[] = {"ia", "ib", "da", "db"};
    if (strncmp(s, "auth=", 5) != 0) {
        *why = "the fourth field must be auth=KEY[,MOD]";
        return -1;
    }
    s += 5;
    char *comma = strchr(s, ',');
    if (comma) {
        *comma = '\0';
        if (gr_parse_u64(comma + 1, &out->modifier) != 0) {
            *why = "the PAC modifier is not a number";
            return -1;
        }
    }
    for (int k = 0; k < 4; k++) {
        if (!strcmp(s, keys[k])) {
            out->key = (gr_pac_key)k;
            out->auth = true;
            return 0;
        }
    }
    *why = "the PAC key must be ia, ib, da or db";
    return -1;
}

/* Parses VA[:r|w|x[:el0|el1[:auth=KEY[,MOD]]]]. @return 0, or -1 with a
 * reason in why. */
static int parse_spec(const char *s, spec *out, const char **why)
{
    char buf[128];
    if (strlen(s) >= sizeof buf) {
        *why = "too long";
        return -1;
    }
    strcpy(buf, s);
    char *parts[5] = {0};
    int np = 0;
    for (char *p = buf, *save = NULL; np < 5; p = NULL) {
        char *tok = strtok_r(p, ":", &save);
        if (!tok)
            break;
        parts[np++] = tok;
    }
    if (np == 0 || np > 4) {
        *why = "expected VA[:r|w|x[:el0|el1[:auth=KEY[,MOD]]]]";
        return -1;
    }
    spec sp = {{0, GR_ACC_READ, 1}, false, GR_PAC_KEY_IA, 0};
    gr_req r = sp.req;
    if (gr_parse_u64(parts[0], &r.va) != 0) {
        *why = "the VA is not a number (hex with 0x, or decimal, up to 64 bits)";
        return -1;
    }
    if (np >= 2) {
        if (!strcmp(parts[1], "r"))
            r.acc = GR_ACC_READ;
        else if (!strcmp(parts[1], "w"))
            r.acc = GR_ACC_WRITE;
        else if (!strcmp(parts[1], "x"))
            r.acc = GR_ACC_EXEC;
        else {
            *why = "access must be r, w or x";
            return -1;
        }
    }
    if (np >= 3) {
        if (!strcmp(parts[2], "el0"))
            r.el = 0;
        else if (!strcmp(parts[2], "el1"))
            r.el = 1;
        else {
            *why = "exception level must be el0 or el1";
            return -1;
        }
    }
    sp.req = r;
    if (np == 4 && parse_auth(parts[3], &sp, why) != 0)
        return -1;
    *out = sp;
    return 0;
}

static int read_input_file(const char *path, spec_list *l)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        gr_cli_error("translate", "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[256];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = line + strspn(line, " \t\r\n");
        s[strcspn(s, " \t\r\n")] = '\0';
        if (!*s)
            continue;
        spec r;
        const char *why;
        if (parse_spec(s, &r, &why) != 0) {
            gr_cli_error("translate", "%s:%d: `%s`: %s", path, lineno, s, why);
            rc = -1;
            break;
        }
        if (push_spec(l, r) != 0) {
            gr_cli_error("translate", "out of memory");
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}

static const char *const acc_names[] = {"r", "w", "x"};

static const char *size_name(unsigned shift, char *buf, size_t len)
{
    uint64_t sz = 1ull << shift;
    if (sz >= (1ull << 30))
        snprintf(buf, len, "%" PRIu64 "G", sz >> 30);
    else if (sz >= (1ull << 20))
        snprintf(buf, len, "%" PRIu64 "M", sz >> 20);
    else
        snprintf(buf, len, "%" PRIu64 "K", sz >> 10);
    return buf;
}

static void hex(char *buf, size_t len, uint64_t v, int digits)
{
    snprintf(buf, len, "0x%0*" PRIx64, digits, v);
}

/* What one request came to: the PAC check (if it carried one) and the
 * translation of the pointer that check produced. */
typedef struct outcome {
    const spec *sp;
    gr_pac_res pac;
    gr_xlat x;
} outcome;

static const char *const key_names[] = {"ia", "ib", "da", "db"};

static void print_plain(const gr_s1ctx *ctx, const outcome *o)
{
    const gr_xlat *x = &o->x;
    printf("0x%016" PRIx64 " %s el%d", o->sp->req.va, acc_names[x->req.acc], x->req.el);
    if (o->sp->auth) {
        printf(" auth %s,0x%" PRIx64 " (%s -> 0x%016" PRIx64 ")", key_names[o->sp->key],
               o->sp->modifier,
               o->pac.disabled ? "key disabled" : o->pac.failed ? "FAILED" : "ok", o->pac.value);
    }
    printf(": ");
    if (x->fault.type == GR_FAULT_PAC_FAIL) {
        printf("%s, ESR 0x%08" PRIx32 "\n", gr_fault_text(x->fault.type), o->pac.esr);
        return;
    }
    if (x->fault.type != GR_FAULT_NONE) {
        printf("%s, level %d (FSC 0x%02x)", gr_fault_text(x->fault.type), x->fault.level,
               gr_fault_fsc(&x->fault));
        if (x->fault.type == GR_FAULT_SYNC_EXTERNAL_ON_WALK)
            printf(" reading descriptor at PA 0x%" PRIx64, x->fault.paddr);
    } else if (!x->have_tte) {
        printf("PA 0x%016" PRIx64 " (stage 1 disabled, attr 0x%02x)", x->pa, x->mair_attr);
    } else {
        char sz[16];
        printf("PA 0x%016" PRIx64 " (%s %s at level %d%s, AttrIndx %d = 0x%02x, SH %d, %s, ASID %u)",
               x->pa, size_name(x->tte.page_shift, sz, sizeof sz),
               x->tte.level == 3 ? "page" : "block", x->tte.level,
               x->tte.contiguous ? ", contiguous" : "", x->tte.attr_index, x->mair_attr,
               x->tte.sh, x->tte.ng ? "nG" : "global", x->asid);
        if (x->desc_written)
            printf(" [descriptor updated to 0x%016" PRIx64 "]", x->new_desc);
    }
    printf(" PAR 0x%016" PRIx64 "\n", gr_par_encode(ctx, x));
}

static void print_json(const gr_s1ctx *ctx, const outcome *oc)
{
    const gr_xlat *x = &oc->x;
    char va[24], pa[24], fsc[8], par[24], buf[24];
    hex(va, sizeof va, oc->sp->req.va, 16);
    hex(pa, sizeof pa, x->pa, 16);
    snprintf(fsc, sizeof fsc, "0x%02x", gr_fault_fsc(&x->fault));
    hex(par, sizeof par, gr_par_encode(ctx, x), 16);
    bool ok = x->fault.type == GR_FAULT_NONE;
    json_t *o = json_object();
    json_object_set_new(o, "va", json_string(va));
    json_object_set_new(o, "access", json_string(acc_names[x->req.acc]));
    json_object_set_new(o, "el", json_integer(x->req.el));
    json_object_set_new(o, "pa", ok ? json_string(pa) : json_null());
    json_object_set_new(o, "fault", json_string(gr_fault_name(x->fault.type)));
    json_object_set_new(o, "level", ok && !x->have_tte ? json_null()
                                    : json_integer(ok ? x->tte.level : x->fault.level));
    json_object_set_new(o, "fsc", json_string(fsc));
    json_object_set_new(o, "par", x->fault.type == GR_FAULT_PAC_FAIL ? json_null() : json_string(par));
    if (oc->sp->auth) {
        char mod[24], ptr[24], esr[16];
        hex(mod, sizeof mod, oc->sp->modifier, 16);
        hex(ptr, sizeof ptr, oc->pac.value, 16);
        snprintf(esr, sizeof esr, "0x%08" PRIx32, oc->pac.esr);
        json_object_set_new(o, "auth", json_pack("{s:s,s:s,s:b,s:b,s:s,s:s}", "key",
                                                 key_names[oc->sp->key], "modifier", mod, "ok",
                                                 !oc->pac.failed, "disabled", oc->pac.disabled,
                                                 "pointer", ptr, "esr", esr));
    }
    if (ok && x->have_tte) {
        json_object_set_new(o, "page_size", json_integer((json_int_t)1 << x->tte.page_shift));
        json_object_set_new(o, "attr_index", json_integer(x->tte.attr_index));
        snprintf(buf, sizeof buf, "0x%02x", x->mair_attr);
        json_object_set_new(o, "mair_attr", json_string(buf));
        json_object_set_new(o, "sh", json_integer(x->tte.sh));
        json_object_set_new(o, "contiguous", json_boolean(x->tte.contiguous));
        json_object_set_new(o, "ng", json_boolean(x->tte.ng));
        json_object_set_new(o, "asid", json_integer(x->asid));
    } else {
        json_object_set_new(o, "page_size", json_null());
        json_object_set_new(o, "attr_index", json_null());
        if (ok) { /* stage 1 disabled */
            snprintf(buf, sizeof buf, "0x%02x", x->mair_attr);
            json_object_set_new(o, "mair_attr", json_string(buf));
        }
    }
    if (x->fault.type == GR_FAULT_SYNC_EXTERNAL_ON_WALK) {
        hex(buf, sizeof buf, x->fault.paddr, 16);
        json_object_set_new(o, "fault_pa", json_string(buf));
    }
    json_t *descs = json_array();
    for (unsigned i = 0; i < x->nreads; i++) {
        char dpa[24], dval[24];
        hex(dpa, sizeof dpa, x->reads[i].pa, 16);
        hex(dval, sizeof dval, x->reads[i].val, 16);
        json_array_append_new(descs, json_pack("{s:i,s:s,s:s}", "level", x->reads[i].level,
                                               "pa", dpa, "value", dval));
    }
    json_object_set_new(o, "descriptors", descs);
    if (x->desc_written) {
        hex(buf, sizeof buf, x->new_desc, 16);
        json_object_set_new(o, "descriptor_written", json_string(buf));
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (s) {
        puts(s);
        free(s);
    }
    json_decref(o);
}

/* The request path without TLBs: a signed pointer is authenticated first
 * (AArch64.Auth as a combined instruction), then the resulting pointer is
 * translated. @return -1 if the REGS describe no pointer authentication. */
static int translate_one(const gr_s1ctx *ctx, const gr_pac *pac, gr_pmem *mem, outcome *o)
{
    gr_req req = o->sp->req;
    if (o->sp->auth) {
        gr_pac_req pr = {req.va, o->sp->modifier, o->sp->key, req.el, true};
        if (gr_pac_auth(pac, &pr, &o->pac) != GR_PAC_OK)
            return -1;
        if (o->pac.fault.type == GR_FAULT_PAC_FAIL) {
            memset(&o->x, 0, sizeof o->x);
            o->x.req = req;
            o->x.fault = o->pac.fault;
            return 0;
        }
        req.va = o->pac.value;
    }
    gr_s1_translate(ctx, mem, &req, &o->x);
    return 0;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"regs", required_argument, 0, 'r'},  {"mem", required_argument, 0, 'm'},
        {"ram", required_argument, 0, 'R'},   {"input", required_argument, 0, 'i'},
        {"json", no_argument, 0, 'j'},        {"dump-mem", required_argument, 0, 'd'},
        {0, 0, 0, 0},
    };
    const char *regs_path = NULL;
    bool json = false;
    int rc = GR_EXIT_USAGE;
    spec_list specs = {0};
    gr_memargs *margs = gr_memargs_create("translate");
    gr_pmem *mem = NULL;
    gr_pac *pac = NULL;
    const char *inputs[64];
    int ninputs = 0;

    if (!margs)
        return GR_EXIT_USAGE;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            regs_path = optarg;
            break;
        case 'm':
            if (gr_memargs_add_image(margs, optarg) != 0)
                goto out;
            break;
        case 'R':
            if (gr_memargs_add_ram(margs, optarg) != 0)
                goto out;
            break;
        case 'd':
            if (gr_memargs_add_dump(margs, optarg) != 0)
                goto out;
            break;
        case 'i':
            if (ninputs == (int)(sizeof inputs / sizeof inputs[0])) {
                gr_cli_error("translate", "too many --input files");
                goto out;
            }
            inputs[ninputs++] = optarg;
            break;
        case 'j':
            json = true;
            break;
        default:
            gr_cli_error("translate", "unknown or incomplete option `%s` (see granule help translate)",
                         argv[optind - 1]);
            goto out;
        }
    }
    if (!regs_path) {
        gr_cli_error("translate", "--regs REGS is required (see granule help translate)");
        goto out;
    }
    gr_regs regs;
    gr_regs_reset(&regs);
    char err[512];
    if (gr_regs_parse_file(&regs, regs_path, err, sizeof err) != 0) {
        gr_cli_error("translate", "%s", err);
        goto out;
    }
    for (int i = optind; i < argc; i++) {
        spec r;
        const char *why;
        if (parse_spec(argv[i], &r, &why) != 0) {
            gr_cli_error("translate", "argument `%s`: %s", argv[i], why);
            goto out;
        }
        if (push_spec(&specs, r) != 0)
            goto out;
    }
    for (int i = 0; i < ninputs; i++)
        if (read_input_file(inputs[i], &specs) != 0)
            goto out;
    if (specs.n == 0) {
        gr_cli_error("translate", "no VA given (positional VAs or --input FILE)");
        goto out;
    }
    mem = gr_memargs_build(margs);
    if (!mem)
        goto out;

    gr_s1ctx ctx;
    gr_s1_decode(&regs, &ctx);
    for (size_t i = 0; i < specs.n; i++) {
        if (specs.v[i].auth && !pac) {
            gr_pac_status st;
            pac = gr_pac_create(&regs, &st);
            if (!pac) {
                gr_cli_error("translate", "%s: %s", regs_path, gr_pac_strerror(st));
                goto out;
            }
        }
    }
    for (size_t i = 0; i < specs.n; i++) {
        outcome o;
        memset(&o, 0, sizeof o);
        o.sp = &specs.v[i];
        if (translate_one(&ctx, pac, mem, &o) != 0) {
            gr_cli_error("translate", "`0x%" PRIx64 ":auth=%s`: %s (%s)", o.sp->req.va,
                         key_names[o.sp->key], "pointer authentication is not implemented",
                         "ID_AA64ISAR1_EL1/ID_AA64ISAR2_EL1 in the REGS file");
            goto out;
        }
        if (json)
            print_json(&ctx, &o);
        else
            print_plain(&ctx, &o);
    }
    if (fflush(stdout) != 0) {
        gr_cli_error("translate", "writing output: %s", strerror(errno));
        goto out;
    }
    if (gr_memargs_dump(margs, mem) != 0)
        goto out;
    rc = GR_EXIT_OK;
out:
    gr_pac_destroy(pac);
    gr_pmem_destroy(mem);
    gr_memargs_destroy(margs);
    free(specs.v);
    return rc;
}

const gr_cli_cmd gr_cli_translate = {
    "translate",
    "translate VAs through stage 1 (like AT), with page tables in memory images",
    usage,
    run,
};
