/* granule pac: the pointer authentication instructions on a REGS file's
 * keys and translation controls (docs/pac.md). */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "granule/pac.h"
#include "granule/regs.h"

typedef enum { OP_SIGN, OP_AUTH, OP_STRIP, OP_GA } pac_op;
static const char *const op_names[] = {"sign", "auth", "strip", "ga"};

/* Which key registers the REGS file sets. gr_regs_parse_file() applies a
 * file on top of what the register file holds, so parsing it twice, over
 * key registers preset to all-zeros and to all-ones, tells the registers
 * the file sets (equal results) from those it leaves alone (different
 * results) without a second parser of the format. */
static int load_regs(const char *path, gr_regs *out, bool key_set[GR_PAC_NKEYS], char *err,
                     size_t errlen)
{
    gr_regs a, b;
    gr_regs_reset(&a);
    gr_regs_reset(&b);
    uint64_t *ka[2 * GR_PAC_NKEYS] = {&a.apiakeyhi, &a.apiakeylo, &a.apibkeyhi, &a.apibkeylo,
                                      &a.apdakeyhi, &a.apdakeylo, &a.apdbkeyhi, &a.apdbkeylo,
                                      &a.apgakeyhi, &a.apgakeylo};
    uint64_t *kb[2 * GR_PAC_NKEYS] = {&b.apiakeyhi, &b.apiakeylo, &b.apibkeyhi, &b.apibkeylo,
                                      &b.apdakeyhi, &b.apdakeylo, &b.apdbkeyhi, &b.apdbkeylo,
                                      &b.apgakeyhi, &b.apgakeylo};
    for (int i = 0; i < 2 * GR_PAC_NKEYS; i++)
        *kb[i] = ~*ka[i];
    if (gr_regs_parse_file(&a, path, err, errlen) != 0 ||
        gr_regs_parse_file(&b, path, err, errlen) != 0)
        return -1;
    for (int k = 0; k < GR_PAC_NKEYS; k++)
        key_set[k] = *ka[2 * k] == *kb[2 * k] || *ka[2 * k + 1] == *kb[2 * k + 1];
    *out = a;
    return 0;
}

static const char *const key_regs[GR_PAC_NKEYS] = {
    "APIAKeyHi_EL1 nor APIAKeyLo_EL1", "APIBKeyHi_EL1 nor APIBKeyLo_EL1",
    "APDAKeyHi_EL1 nor APDAKeyLo_EL1", "APDBKeyHi_EL1 nor APDBKeyLo_EL1",
    "APGAKeyHi_EL1 nor APGAKeyLo_EL1"};
static const char *const en_bits[4] = {"EnIA (bit 31)", "EnIB (bit 30)", "EnDA (bit 27)",
                                       "EnDB (bit 13)"};

/* A VALUE is `X` or `X,M`: the second form gives that value its own
 * modifier (instead of --modifier), so one invocation can carry many
 * (pointer, modifier) pairs. @return 0, 1 (bad X) or 2 (bad M). */
static int parse_value(const char *arg, uint64_t *v, uint64_t *m, uint64_t default_m)
{
    const char *comma = strchr(arg, ',');
    *m = default_m;
    if (!comma)
        return gr_parse_u64(arg, v) != 0 ? 1 : 0;
    char x[64];
    size_t n = (size_t)(comma - arg);
    if (n >= sizeof x)
        return 1;
    memcpy(x, arg, n);
    x[n] = 0;
    if (gr_parse_u64(x, v) != 0)
        return 1;
    return gr_parse_u64(comma + 1, m) != 0 ? 2 : 0;
}

static void hex(char *buf, uint64_t v)
{
    snprintf(buf, 19, "0x%016" PRIx64, v);
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"regs", required_argument, NULL, 'r'}, {"key", required_argument, NULL, 'k'},
        {"modifier", required_argument, NULL, 'm'}, {"el", required_argument, NULL, 'e'},
        {"combined", no_argument, NULL, 'c'}, {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    const char *regs_path = NULL, *key_arg = NULL, *mod_arg = NULL, *el_arg = NULL;
    bool json = false, combined = false;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'r': regs_path = optarg; break;
        case 'k': key_arg = optarg; break;
        case 'm': mod_arg = optarg; break;
        case 'e': el_arg = optarg; break;
        case 'c': combined = true; break;
        case 'j': json = true; break;
        default:
            gr_cli_error("pac", "unknown or incomplete option `%s` (see granule help pac)",
                         argv[optind - 1]);
            return GR_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        gr_cli_print_usage(&gr_cli_pac, stderr);
        return GR_EXIT_USAGE;
    }
    const char *opname = argv[optind++];
    int op = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(opname, op_names[i]) == 0)
            op = i;
    if (op < 0) {
        gr_cli_error("pac", "unknown operation `%s` (sign, auth, strip or ga)", opname);
        return GR_EXIT_USAGE;
    }
    if (!regs_path) {
        gr_cli_error("pac", "--regs REGS is required");
        return GR_EXIT_USAGE;
    }
    if (!key_arg) {
        gr_cli_error("pac", "--key is required (ia, ib, da, db%s)", op == OP_GA ? ", ga" : "");
        return GR_EXIT_USAGE;
    }
    int key = -1;
    for (int k = 0; k < GR_PAC_NKEYS; k++)
        if (strcmp(key_arg, gr_pac_key_name((gr_pac_key)k)) == 0)
            key = k;
    if (key < 0) {
        gr_cli_error("pac", "unknown key `%s` (ia, ib, da, db or ga)", key_arg);
        return GR_EXIT_USAGE;
    }
    if ((op == OP_GA) != (key == GR_PAC_KEY_GA)) {
        gr_cli_error("pac", op == OP_GA ? "ga takes --key ga, not `%s`"
                                        : "%s takes --key ia, ib, da or db, not `%s`",
                     op == OP_GA ? key_arg : opname, key_arg);
        return GR_EXIT_USAGE;
    }
    uint64_t modifier = 0;
    if (mod_arg && gr_parse_u64(mod_arg, &modifier) != 0) {
        gr_cli_error("pac", "--modifier `%s` is not a number (hex with 0x, or decimal, up to 64 bits)",
                     mod_arg);
        return GR_EXIT_USAGE;
    }
    if (mod_arg && op == OP_STRIP) {
        gr_cli_error("pac", "strip (XPACI/XPACD) takes no --modifier");
        return GR_EXIT_USAGE;
    }
    uint64_t el = 0;
    if (el_arg && (gr_parse_u64(el_arg, &el) != 0 || el > 1)) {
        gr_cli_error("pac", "--el `%s`: must be 0 or 1", el_arg);
        return GR_EXIT_USAGE;
    }
    if (combined && op != OP_AUTH) {
        gr_cli_error("pac", "--combined applies to auth only");
        return GR_EXIT_USAGE;
    }
    if (optind >= argc) {
        gr_cli_error("pac", "no VALUE given");
        return GR_EXIT_USAGE;
    }
    /* Check every value before printing anything. */
    for (int i = optind; i < argc; i++) {
        uint64_t v, m;
        int vr = parse_value(argv[i], &v, &m, modifier);
        if (vr == 1) {
            gr_cli_error("pac", "VALUE `%s` is not a number (hex with 0x, or decimal, up to 64 bits)",
                         argv[i]);
            return GR_EXIT_USAGE;
        }
        if (vr == 2) {
            gr_cli_error("pac", "VALUE `%s`: the modifier after `,` is not a number (hex with 0x, "
                         "or decimal, up to 64 bits)", argv[i]);
            return GR_EXIT_USAGE;
        }
        if (vr == 0 && strchr(argv[i], ',') && op == OP_STRIP) {
            gr_cli_error("pac", "VALUE `%s`: strip (XPACI/XPACD) takes no modifier", argv[i]);
            return GR_EXIT_USAGE;
        }
    }

    gr_regs regs;
    bool key_set[GR_PAC_NKEYS];
    char err[512];
    if (load_regs(regs_path, &regs, key_set, err, sizeof err) != 0) {
        gr_cli_error("pac", "%s", err);
        return GR_EXIT_USAGE;
    }
    if (op != OP_STRIP && !key_set[key]) {
        gr_cli_error("pac", "%s sets neither %s: key %s is missing", regs_path, key_regs[key],
                     key_arg);
        return GR_EXIT_USAGE;
    }
    gr_pac_status st;
    gr_pac *ctx = gr_pac_create(&regs, &st);
    if (!ctx) {
        gr_cli_error("pac", "%s: %s", regs_path, gr_pac_strerror(st));
        return GR_EXIT_USAGE;
    }

    const uint64_t default_modifier = modifier;
    int rc = GR_EXIT_OK;
    bool warned = false;
    for (int i = optind; i < argc; i++) {
        uint64_t in, modifier;
        parse_value(argv[i], &in, &modifier, default_modifier);
        gr_pac_req req = {.ptr = in, .modifier = modifier, .key = (gr_pac_key)key,
                          .el = (uint8_t)el, .combined = combined};
        gr_pac_res res;
        memset(&res, 0, sizeof res);
        res.fault.type = GR_FAULT_NONE;
        switch (op) {
        case OP_SIGN: st = gr_pac_sign(ctx, &req, &res); break;
        case OP_AUTH: st = gr_pac_auth(ctx, &req, &res); break;
        case OP_STRIP: st = gr_pac_strip(ctx, in, key >= GR_PAC_KEY_DA, (uint8_t)el, &res.value); break;
        default: st = gr_pac_ga(ctx, in, modifier, (uint8_t)el, &res.value); break;
        }
        if (st != GR_PAC_OK) {
            gr_cli_error("pac", "%s (%s): %s", regs_path, opname, gr_pac_strerror(st));
            rc = GR_EXIT_USAGE;
            break;
        }
        if (res.disabled && !warned) {
            fprintf(stderr,
                    "granule pac: note: SCTLR_EL1.%s = 0 in %s: key %s is disabled and %s returns "
                    "its input unchanged\n",
                    en_bits[key], regs_path, key_arg, op == OP_SIGN ? "PAC*" : "AUT*");
            warned = true;
        }
        bool faulted = res.fault.type != GR_FAULT_NONE;
        if (op == OP_AUTH && res.failed)
            rc = GR_EXIT_VERDICT;
        char sin[20], smod[20], sres[20], sesr[16];
        hex(sin, in);
        hex(smod, modifier);
        hex(sres, res.value);
        snprintf(sesr, sizeof sesr, "0x%08" PRIx32, res.esr);
        if (json) {
            json_t *o = json_object();
            json_object_set_new(o, "input", json_string(sin));
            json_object_set_new(o, "op", json_string(op_names[op]));
            json_object_set_new(o, "key", json_string(key_arg));
            json_object_set_new(o, "modifier", op == OP_STRIP ? json_null() : json_string(smod));
            json_object_set_new(o, "el", json_integer((json_int_t)el));
            /* An FPAC exception leaves the destination register unwritten. */
            json_object_set_new(o, "result", faulted ? json_null() : json_string(sres));
            if (op == OP_SIGN || op == OP_AUTH)
                json_object_set_new(o, "disabled", json_boolean(res.disabled));
            if (op == OP_AUTH) {
                json_object_set_new(o, "combined", json_boolean(combined));
                json_object_set_new(o, "status", json_string(faulted ? "fault"
                                                             : res.failed ? "failed" : "ok"));
                json_object_set_new(o, "ok", json_boolean(!res.failed));
                json_object_set_new(o, "fault", json_string(gr_fault_name(res.fault.type)));
                json_object_set_new(o, "esr", faulted ? json_string(sesr) : json_null());
                /* Without FPAC the result is what translation will see. */
                if (!faulted)
                    json_object_set_new(o, "poisoned", json_boolean(res.failed));
            }
            char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
            if (s)
                puts(s);
            free(s);
            json_decref(o);
        } else if (op == OP_AUTH && faulted) {
            printf("fault %s esr=%s\n", gr_fault_name(res.fault.type), sesr);
        } else if (op == OP_AUTH && res.failed) {
            printf("%s failed\n", sres);
        } else {
            printf("%s\n", sres);
        }
    }
    gr_pac_destroy(ctx);
    return rc;
}

const gr_cli_cmd gr_cli_pac = {
    .name = "pac",
    .summary = "sign, authenticate or strip pointers, PACGA (pointer authentication)",
    .usage =
        "usage: granule pac sign|auth|strip|ga --regs REGS --key KEY [--modifier M]\n"
        "                   [--el 0|1] [--combined] [--json] VALUE[,M]...\n"
        "\n"
        "  sign   PACIA/PACIB/PACDA/PACDB VALUE, M     (--key ia|ib|da|db)\n"
        "  auth   AUTIA/AUTIB/AUTDA/AUTDB VALUE, M     (--key ia|ib|da|db)\n"
        "         --combined: as the authentication of LDRAA/BRAA/RETAA (FEAT_FPAC\n"
        "         faults only without it, FEAT_FPACCOMBINE always)\n"
        "  strip  XPACI (--key ia|ib) or XPACD (--key da|db) VALUE\n"
        "  ga     PACGA VALUE, M                        (--key ga)\n"
        "\n"
        "REGS supplies the keys (APIAKeyHi_EL1, APIAKeyLo_EL1, ...), TCR_EL1 (TxSZ, TBI,\n"
        "TBID), SCTLR_EL1 (EnIA, EnIB, EnDA, EnDB) and the features (ID_AA64ISAR1_EL1.APA/\n"
        "GPA, ID_AA64ISAR2_EL1.APA3/GPA3: FEAT_PAuth, EPAC, PAuth2, FPAC, FPACCOMBINE,\n"
        "QARMA5 or QARMA3). M defaults to 0; VALUE and M are hex (0x) or decimal.\n"
        "A VALUE may be written X,M to give it its own modifier M (sign, auth, ga).\n"
        "\n"
        "Output: one line per VALUE: the result register in hex; for auth a failed check\n"
        "appends ` failed`, and an FPAC exception prints `fault pac esr=0x72000000|ISS`.\n"
        "--json: one object per line with input, op, key, modifier, el, result, and for\n"
        "auth combined, status (ok|failed|fault), ok, fault, esr, poisoned.\n"
        "Exit status: 0 done; 1 some auth failed; 2 bad input (unknown key or operation,\n"
        "malformed VALUE/M, unreadable REGS, neither register of the key set in REGS,\n"
        "ID registers without the needed PAC feature). See docs/pac.md.\n",
    .run = run,
};
