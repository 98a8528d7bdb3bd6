/* granule gen: synthetic traces (granule/tracegen.h) written with the trace
 * library's writer. The PAC workload is signed here, with the model's
 * gr_pac_sign() and a REGS file's keys, because traces/ must not depend on
 * model/. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "granule/pac.h"
#include "granule/regs.h"
#include "granule/trace.h"
#include "granule/tracegen.h"

#define CMD "gen"

static const char usage[] =
    "usage: granule gen KIND [options] -o OUT\n"
    "\n"
    "Writes a seeded, reproducible synthetic trace. KIND is one of:\n"
    "  seq      base, base+stride, ... (stride defaults to the access size),\n"
    "           wrapping at the footprint\n"
    "  stride   the same with the stride defaulting to one page\n"
    "  random   uniform over the size-aligned slots of the footprint\n"
    "  chase    pointer chase: one node every stride bytes (default one page),\n"
    "           visited around a uniformly random cycle through all nodes\n"
    "  pac      signed return addresses (key IA, fetches, modifier = SP) and\n"
    "           data pointers (key DA, modifier = the pointer's slot), a\n"
    "           fraction tampered (one PAC bit flipped); needs --regs\n"
    "  multi    --tasks tasks of --task-kind, one context switch (a ctxsw\n"
    "           record, ASID --asid-base + i) every --quantum accesses\n"
    "\n"
    "options (sizes take a K, M or G suffix, numbers may be hex with 0x):\n"
    "  -o, --output OUT     the trace to write (required; \"-\" is stdout)\n"
    "  --format F           native (default), lackey, din, champsim, pinatrace\n"
    "  --count N            data accesses per task (default 1000000); fetches\n"
    "                       and events come on top\n"
    "  --seed S             PRNG seed (default 1; xoshiro256** seeded by\n"
    "                       splitmix64, see granule/tracegen.h)\n"
    "  --base VA            lowest data address (default 0x10000000)\n"
    "  --footprint BYTES    data region size (default 64M)\n"
    "  --stride BYTES       seq/stride step, chase node spacing\n"
    "  --page-size BYTES    page-size hint: 4K (default), 16K or 64K\n"
    "  --size BYTES         bytes per data access (default 8)\n"
    "  --write-frac F       fraction of data accesses that write (default 0.3)\n"
    "  --ifetch N           instruction fetches before each data access (default 0)\n"
    "  --code-base VA       the fetches loop over [code-base, +code-size)\n"
    "  --code-size BYTES    (defaults 0x400000 and 4K)\n"
    "  --el N               exception level of the accesses, 0 (default) or 1\n"
    "multi:\n"
    "  --tasks N            number of tasks (default 4); task i (1..N) gets the\n"
    "                       seed splitmix64 output i of --seed\n"
    "  --quantum N          accesses between context switches (default 10000)\n"
    "  --task-kind KIND     what each task runs (default random)\n"
    "  --asid-base N        ASID of task 1 (default 1)\n"
    "pac:\n"
    "  --regs FILE          REGS file with the keys (APIAKey*, APDAKey*), TCR_EL1,\n"
    "                       SCTLR_EL1 (EnIA, EnDA) and the ID registers\n"
    "  --ret-frac F         fraction of return-address accesses (default 0.5)\n"
    "  --tamper-frac F      fraction of tampered pointers (default 0.01)\n"
    "  --stack-base VA      SP modifiers lie below it (default 0xfffff0000000)\n"
    "  --stack-size BYTES   (default 1M)\n"
    "\n"
    "Prints the number of records written. Exit status 0, or 2 on bad options,\n"
    "a bad REGS file or a write error.\n";

/* A size: a number with an optional K/M/G (binary) suffix. */
static int parse_size(const char *s, uint64_t *out)
{
    char buf[64];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n + 1);
    unsigned shift = 0;
    char last = buf[n - 1];
    /* K, M and G are not hex digits, so a suffix is never part of the number. */
    if (last == 'K' || last == 'k')
        shift = 10;
    else if (last == 'M' || last == 'm')
        shift = 20;
    else if (last == 'G' || last == 'g')
        shift = 30;
    if (shift)
        buf[n - 1] = 0;
    uint64_t v;
    if (gr_parse_u64(buf, &v) != 0 || (shift && v > (UINT64_MAX >> shift)))
        return -1;
    *out = v << shift;
    return 0;
}

static int parse_frac(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !(v >= 0.0 && v <= 1.0))
        return -1;
    *out = v;
    return 0;
}

typedef struct signer {
    gr_pac *pac;
} signer;

static uint64_t sign_cb(void *ctx, uint64_t ptr, unsigned key, uint64_t modifier, unsigned el)
{
    signer *s = ctx;
    gr_pac_req req = {.ptr = ptr, .modifier = modifier,
                      .key = key == GR_TRACE_PAC_IA ? GR_PAC_KEY_IA : GR_PAC_KEY_DA,
                      .el = (uint8_t)el};
    gr_pac_res res;
    /* Checked once in open_signer(): the same context cannot fail later. */
    if (gr_pac_sign(s->pac, &req, &res) != GR_PAC_OK)
        return ptr;
    return res.value;
}

/* Loads the REGS file and checks that IA and DA signing really sign. */
static int open_signer(signer *s, const char *path, unsigned el, unsigned *bottom)
{
    gr_regs regs;
    char err[512];
    gr_regs_reset(&regs);
    if (gr_regs_parse_file(&regs, path, err, sizeof err) != 0) {
        gr_cli_error(CMD, "%s", err);
        return -1;
    }
    gr_pac_status st;
    s->pac = gr_pac_create(&regs, &st);
    if (!s->pac) {
        gr_cli_error(CMD, "%s: %s", path, gr_pac_strerror(st));
        return -1;
    }
    static const gr_pac_key keys[2] = {GR_PAC_KEY_IA, GR_PAC_KEY_DA};
    static const char *const en[2] = {"EnIA (bit 31)", "EnDA (bit 27)"};
    for (int k = 0; k < 2; k++) {
        gr_pac_req req = {.ptr = 0x400000, .modifier = 0, .key = keys[k], .el = (uint8_t)el};
        gr_pac_res res;
        st = gr_pac_sign(s->pac, &req, &res);
        if (st != GR_PAC_OK) {
            gr_cli_error(CMD, "%s: signing with key %s: %s", path, gr_pac_key_name(keys[k]),
                         gr_pac_strerror(st));
            return -1;
        }
        if (res.disabled) {
            gr_cli_error(CMD, "%s: SCTLR_EL1.%s is 0: PAC%s would leave pointers unsigned", path,
                         en[k], k ? "DA" : "IA");
            return -1;
        }
    }
    *bottom = gr_pac_bottom_bit(s->pac, false);
    if (*bottom > 54) {
        gr_cli_error(CMD, "%s: bottom PAC bit %u leaves no PAC field", path, *bottom);
        return -1;
    }
    return 0;
}

static int run(int argc, char **argv)
{
    enum {
        O_FORMAT = 256, O_COUNT, O_SEED, O_BASE, O_FOOTPRINT, O_STRIDE, O_PAGE, O_SIZE, O_WRITE,
        O_IFETCH, O_CODEBASE, O_CODESIZE, O_EL, O_TASKS, O_QUANTUM, O_TASKKIND, O_ASID, O_REGS,
        O_RET, O_TAMPER, O_STACKBASE, O_STACKSIZE
    };
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, O_FORMAT},
        {"count", required_argument, NULL, O_COUNT},
        {"seed", required_argument, NULL, O_SEED},
        {"base", required_argument, NULL, O_BASE},
        {"footprint", required_argument, NULL, O_FOOTPRINT},
        {"stride", required_argument, NULL, O_STRIDE},
        {"page-size", required_argument, NULL, O_PAGE},
        {"size", required_argument, NULL, O_SIZE},
        {"write-frac", required_argument, NULL, O_WRITE},
        {"ifetch", required_argument, NULL, O_IFETCH},
        {"code-base", required_argument, NULL, O_CODEBASE},
        {"code-size", required_argument, NULL, O_CODESIZE},
        {"el", required_argument, NULL, O_EL},
        {"tasks", required_argument, NULL, O_TASKS},
        {"quantum", required_argument, NULL, O_QUANTUM},
        {"task-kind", required_argument, NULL, O_TASKKIND},
        {"asid-base", required_argument, NULL, O_ASID},
        {"regs", required_argument, NULL, O_REGS},
        {"ret-frac", required_argument, NULL, O_RET},
        {"tamper-frac", required_argument, NULL, O_TAMPER},
        {"stack-base", required_argument, NULL, O_STACKBASE},
        {"stack-size", required_argument, NULL, O_STACKSIZE},
        {NULL, 0, NULL, 0},
    };
    if (argc < 2 || argv[1][0] == '-') {
        gr_cli_print_usage(&gr_cli_gen, stderr);
        return GR_EXIT_USAGE;
    }
    const char *kind_arg = argv[1];
    int kind = gr_tracegen_kind_parse(kind_arg);
    if (kind < 0) {
        gr_cli_error(CMD, "unknown KIND `%s` (seq, stride, random, chase, pac or multi)", kind_arg);
        return GR_EXIT_USAGE;
    }
    int task_kind = GR_TRACEGEN_RANDOM;
    gr_tracegen_params p;
    gr_tracegen_params_default(&p, kind == GR_TRACEGEN_MULTI ? GR_TRACEGEN_RANDOM
                                                             : (gr_tracegen_kind)kind);
    const char *out = NULL, *regs_path = NULL;
    int fmt = GR_TRACE_FMT_NATIVE;
    uint64_t tasks = 4, quantum = 10000, asid_base = 1;

    int c;
    opterr = 0;
    optind = 2;
    int li = -1;
    while ((c = getopt_long(argc, argv, "o:", opts, &li)) != -1) {
        const char *a = optarg;
        uint64_t v = 0;
        int bad = 0;
        switch (c) {
        case 'o': out = a; break;
        case O_FORMAT:
            fmt = gr_trace_format_parse(a);
            bad = fmt <= GR_TRACE_FMT_AUTO || fmt == GR_TRACE_FMT_SYNTHETIC;
            break;
        case O_COUNT: bad = gr_parse_u64(a, &p.count); break;
        case O_SEED: bad = gr_parse_u64(a, &p.seed); break;
        case O_BASE: bad = gr_parse_u64(a, &p.base); break;
        case O_FOOTPRINT: bad = parse_size(a, &p.footprint); break;
        case O_STRIDE: bad = parse_size(a, &p.stride) || p.stride == 0; break;
        case O_PAGE:
            bad = parse_size(a, &v) || (v != 4096 && v != 16384 && v != 65536);
            p.page_size = (uint32_t)v;
            break;
        case O_SIZE:
            bad = parse_size(a, &v) || v < 1 || v > 4096;
            p.size = (uint32_t)v;
            break;
        case O_WRITE: bad = parse_frac(a, &p.write_frac); break;
        case O_IFETCH:
            bad = gr_parse_u64(a, &v) || v > 1000;
            p.ifetch = (uint32_t)v;
            break;
        case O_CODEBASE: bad = gr_parse_u64(a, &p.code_base); break;
        case O_CODESIZE: bad = parse_size(a, &p.code_size); break;
        case O_EL:
            bad = gr_parse_u64(a, &v) || v > 1;
            p.el = (uint8_t)v;
            break;
        case O_TASKS: bad = gr_parse_u64(a, &tasks) || tasks < 1 || tasks > 65536; break;
        case O_QUANTUM: bad = gr_parse_u64(a, &quantum) || quantum < 1; break;
        case O_TASKKIND:
            task_kind = gr_tracegen_kind_parse(a);
            bad = task_kind < 0 || task_kind == GR_TRACEGEN_MULTI;
            break;
        case O_ASID: bad = gr_parse_u64(a, &asid_base) || asid_base > 0xffff; break;
        case O_REGS: regs_path = a; break;
        case O_RET: bad = parse_frac(a, &p.ret_frac); break;
        case O_TAMPER: bad = parse_frac(a, &p.tamper_frac); break;
        case O_STACKBASE: bad = gr_parse_u64(a, &p.stack_base); break;
        case O_STACKSIZE: bad = parse_size(a, &p.stack_size); break;
        default:
            gr_cli_error(CMD, "unknown or incomplete option `%s` (see granule help gen)",
                         argv[optind - 1]);
            return GR_EXIT_USAGE;
        }
        if (bad) {
            gr_cli_error(CMD, "--%s `%s`: not a valid value (see granule help gen)",
                         li >= 0 ? opts[li].name : "o", a);
            return GR_EXIT_USAGE;
        }
        li = -1;
    }
    if (optind < argc) {
        gr_cli_error(CMD, "unexpected argument `%s`", argv[optind]);
        return GR_EXIT_USAGE;
    }
    if (!out) {
        gr_cli_error(CMD, "-o OUT is required");
        return GR_EXIT_USAGE;
    }
    if (kind == GR_TRACEGEN_MULTI) {
        p.kind = (gr_tracegen_kind)task_kind;
        if (tasks + asid_base - 1 > 0xffff) {
            gr_cli_error(CMD, "--asid-base %" PRIu64 " + --tasks %" PRIu64 " exceeds 16-bit ASIDs",
                         asid_base, tasks);
            return GR_EXIT_USAGE;
        }
    }
    bool pac = p.kind == GR_TRACEGEN_PAC;
    signer s = {NULL};
    if (pac) {
        if (!regs_path) {
            gr_cli_error(CMD, "the pac workload needs --regs FILE (its keys sign the pointers)");
            return GR_EXIT_USAGE;
        }
        if (open_signer(&s, regs_path, p.el, &p.pac_bottom) != 0) {
            gr_pac_destroy(s.pac);
            return GR_EXIT_USAGE;
        }
        p.sign = sign_cb;
        p.sign_ctx = &s;
    } else if (regs_path) {
        gr_cli_error(CMD, "--regs applies to the pac workload only");
        return GR_EXIT_USAGE;
    }

    /* Build the generator (or the interleave of one per task). */
    char err[512] = "";
    gr_tracegen_status gst;
    gr_tracegen *g = NULL;
    if (kind != GR_TRACEGEN_MULTI) {
        g = gr_tracegen_create(&p, &gst, err, sizeof err);
    } else {
        gr_tracegen **ts = calloc(tasks, sizeof *ts);
        uint16_t *asids = calloc(tasks, sizeof *asids);
        uint64_t seeds = p.seed;
        bool ok = ts && asids;
        for (uint64_t i = 0; ok && i < tasks; i++) {
            gr_tracegen_params tp = p;
            tp.seed = gr_tracegen_splitmix64(&seeds);
            tp.task = (uint32_t)(i + 1);
            asids[i] = (uint16_t)(asid_base + i);
            ts[i] = gr_tracegen_create(&tp, &gst, err, sizeof err);
            ok = ts[i] != NULL;
        }
        if (ok) {
            g = gr_tracegen_create_multi(ts, asids, tasks, quantum, &gst, err, sizeof err);
        } else {
            for (uint64_t i = 0; ts && i < tasks; i++)
                gr_tracegen_destroy(ts[i]);
            if (!ts || !asids)
                snprintf(err, sizeof err, "out of memory");
        }
        free(ts);
        free(asids);
    }
    if (!g) {
        gr_cli_error(CMD, "%s", err);
        gr_pac_destroy(s.pac);
        return GR_EXIT_USAGE;
    }

    /* The header says how to make the same trace again. */
    char meta[1024];
    int ml = snprintf(meta, sizeof meta,
                      "generator=granule gen %s\nseed=%" PRIu64 "\ncount=%" PRIu64
                      "\nprng=xoshiro256** seeded by splitmix64\ncommand=",
                      kind_arg, p.seed, p.count);
    /* Every argument but the output name, so the same options and seed make
     * byte-identical files wherever they are written. */
    for (int i = 0; i < argc && ml > 0 && (size_t)ml < sizeof meta; i++) {
        if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) {
            i++;
            continue;
        }
        if (strncmp(argv[i], "-o", 2) == 0 || strncmp(argv[i], "--output=", 9) == 0)
            continue;
        ml += snprintf(meta + ml, sizeof meta - (size_t)ml, "%s%s", i ? " " : "granule ", argv[i]);
    }
    if (ml > 0 && (size_t)ml < sizeof meta - 1)
        snprintf(meta + ml, sizeof meta - (size_t)ml, "\n");
    gr_trace_header hdr = {.page_size = p.page_size, .source = GR_TRACE_FMT_SYNTHETIC,
                           .meta = meta};
    gr_trace_writer *w = NULL;
    gr_trace_status tst = gr_trace_writer_open(&w, out, fmt, &hdr, err, sizeof err);
    if (tst != GR_TRACE_OK) {
        gr_cli_error(CMD, "%s", err);
        gr_tracegen_destroy(g);
        gr_pac_destroy(s.pac);
        return GR_EXIT_USAGE;
    }
    uint64_t n = 0;
    gr_trace_rec rec;
    while (tst == GR_TRACE_OK && gr_tracegen_next(g, &rec)) {
        tst = gr_trace_writer_write(w, &rec);
        n++;
    }
    if (tst != GR_TRACE_OK)
        gr_cli_error(CMD, "%s: %s", out, gr_trace_writer_error(w));
    uint64_t dropped = gr_trace_writer_dropped(w);
    gr_trace_status cst = gr_trace_writer_close(w, err, sizeof err);
    if (tst == GR_TRACE_OK && cst != GR_TRACE_OK) {
        gr_cli_error(CMD, "%s", err);
        tst = cst;
    }
    gr_tracegen_destroy(g);
    gr_pac_destroy(s.pac);
    if (tst != GR_TRACE_OK)
        return GR_EXIT_USAGE;
    FILE *msg = strcmp(out, "-") == 0 ? stderr : stdout;
    fprintf(msg, "granule gen: %" PRIu64 " records to %s (%s)", n, out,
            gr_trace_format_name(fmt));
    if (dropped)
        fprintf(msg, ", %" PRIu64 " dropped (the format cannot hold them)", dropped);
    fputc('\n', msg);
    return GR_EXIT_OK;
}

const gr_cli_cmd gr_cli_gen = {
    .name = "gen",
    .summary = "write a synthetic trace (seq, stride, random, chase, pac, multi)",
    .usage = usage,
    .run = run,
};
