/* granule replay: traces through the VM layer and the MMU model
 * (docs/replay.md). */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "replay.h"

static const char usage[] =
    "usage: granule replay [options] TRACE...\n"
    "\n"
    "Replays each TRACE (`-` is standard input) on an empty machine: the VM\n"
    "layer builds the page tables and resolves every fault, the MMU model\n"
    "translates every access with the configuration's TLBs, walk caches and\n"
    "timing. Prints the statistics of each trace (docs/replay.md, docs/stats.md).\n"
    "\n"
    "  --config CFG      configuration file, or a preset name from configs/\n"
    "                    (a76, a55, champsim, small); default: small\n"
    "  --format F        read TRACE as F (native, lackey, din, champsim,\n"
    "                    pinatrace) instead of detecting it\n"
    "  --granule G       4k (default) or 16k: the tasks' page size\n"
    "  --limit N         replay the first N records of each trace (K, M, G suffixes)\n"
    "  --no-demand-map   an access outside every mapping is a violation (default:\n"
    "                    addresses no mapping event covers are mapped on first touch)\n"
    "  --ram SIZE        simulated RAM for the VM layer (default 8G)\n"
    "  --hw-af           TCR_EL1.HA = 1: the walker sets the access flag (default:\n"
    "                    an Access flag fault the VM layer resolves)\n"
    "  --pageout         run the VM layer's pageout daemon when free RAM runs low\n"
    "                    (it clears AF to age pages and compresses idle ones;\n"
    "                    with a small --ram, walks then set AF again)\n"
    "  --regs FILE       PAC keys, SCTLR EnIA/EnIB/EnDA/EnDB and TCR\n"
    "                    TBI0/TBI1/TBID0/TBID1 for authenticating records (the REGS\n"
    "                    file of `granule gen pac`, with T0SZ = 17: docs/replay.md)\n"
    "  --json FILE       write the statistics as JSON (`-`: standard output); with\n"
    "                    several traces, a JSON array\n"
    "  --csv FILE        write one CSV row per trace (columns: docs/replay.md)\n"
    "  --quiet           no table on standard output and no progress bar\n"
    "\n"
    "A progress bar with the rate and, for native files, the ETA is drawn on\n"
    "standard error when it is a terminal and a trace takes more than a second.\n"
    "Exit status: 0 replayed, 2 bad usage, bad configuration or unreadable trace\n"
    "(the message names the file and the byte offset or line).\n";

static FILE *open_out(const char *path)
{
    if (strcmp(path, "-") == 0)
        return stdout;
    return fopen(path, "w");
}

static int close_out(FILE *f, const char *path)
{
    int bad = ferror(f);
    if (f != stdout)
        bad |= fclose(f) != 0;
    else
        bad |= fflush(f) != 0;
    if (bad)
        gr_cli_error("replay", "%s: write error", path);
    return bad;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        /* 'O': an option the replaying commands share (gr_replay_parse_opt). */
        {"config", required_argument, NULL, 'c'}, {"format", required_argument, NULL, 'O'},
        {"granule", required_argument, NULL, 'O'}, {"limit", required_argument, NULL, 'O'},
        {"no-demand-map", no_argument, NULL, 'O'}, {"ram", required_argument, NULL, 'O'},
        {"regs", required_argument, NULL, 'O'},   {"json", required_argument, NULL, 'j'},
        {"csv", required_argument, NULL, 'v'},    {"quiet", no_argument, NULL, 'q'},
        {"hw-af", no_argument, NULL, 'O'},        {"pageout", no_argument, NULL, 'O'},
        {NULL, 0, NULL, 0},
    };
    gr_replay_opts o;
    gr_replay_opts_default(&o);
    const char *cfgarg = NULL, *json = NULL, *csv = NULL;
    bool quiet = false;
    gr_regs pac;
    char err[1024];
    int c, idx = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, &idx)) != -1) {
        switch (c) {
        case 'c':
            cfgarg = optarg;
            break;
        case 'O':
            if (gr_replay_parse_opt(&o, &pac, opts[idx].name, optarg, err, sizeof err) != 1) {
                gr_cli_error("replay", "%s", err);
                return GR_EXIT_USAGE;
            }
            break;
        case 'j':
            json = optarg;
            break;
        case 'v':
            csv = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        default:
            gr_cli_print_usage(&gr_cli_replay, stderr);
            return GR_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        gr_cli_error("replay", "no TRACE given");
        gr_cli_print_usage(&gr_cli_replay, stderr);
        return GR_EXIT_USAGE;
    }
    gr_config cfg;
    if (gr_replay_load_config(&cfg, cfgarg ? cfgarg : "small", err, sizeof err) != 0) {
        gr_cli_error("replay", "%s", err);
        return GR_EXIT_USAGE;
    }
    o.progress = !quiet && isatty(STDERR_FILENO);
    FILE *jf = NULL, *cf = NULL;
    if (json && !(jf = open_out(json))) {
        gr_cli_error("replay", "%s: cannot create", json);
        return GR_EXIT_USAGE;
    }
    if (csv && !(cf = open_out(csv))) {
        gr_cli_error("replay", "%s: cannot create", csv);
        if (jf)
            close_out(jf, json);
        return GR_EXIT_USAGE;
    }
    int ntraces = argc - optind, rc = GR_EXIT_OK;
    if (cf)
        gr_replay_csv_header(cf);
    if (jf && ntraces > 1)
        fputs("[\n", jf);
    for (int i = optind; i < argc && rc == GR_EXIT_OK; i++) {
        gr_replay *r = gr_replay_create(&cfg, &o, err, sizeof err);
        if (!r) {
            gr_cli_error("replay", "%s", err);
            rc = GR_EXIT_USAGE;
            break;
        }
        if (gr_replay_run(r, argv[i], err, sizeof err) != 0) {
            gr_cli_error("replay", "%s", err);
            rc = GR_EXIT_USAGE;
        } else {
            if (!quiet) {
                if (i > optind)
                    fputc('\n', stdout);
                gr_replay_print(r, stdout);
            }
            if (cf)
                gr_replay_csv_row(r, cf);
            if (jf) {
                if (i > optind)
                    fputs(",\n", jf);
                if (gr_replay_write_json(r, jf) != 0)
                    rc = GR_EXIT_USAGE;
            }
        }
        gr_replay_destroy(r);
    }
    if (jf && ntraces > 1)
        fputs("]\n", jf);
    if (jf && close_out(jf, json))
        rc = GR_EXIT_USAGE;
    if (cf && close_out(cf, csv))
        rc = GR_EXIT_USAGE;
    if (!quiet && fflush(stdout) != 0)
        rc = GR_EXIT_USAGE;
    return rc;
}

const gr_cli_cmd gr_cli_replay = {
    .name = "replay",
    .summary = "replay memory traces through the VM layer and the MMU model",
    .usage = usage,
    .run = run,
};
