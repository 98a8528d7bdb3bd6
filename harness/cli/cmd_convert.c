/* granule convert: a trace from one format to another (docs/trace-format.md). */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "granule/trace.h"

static const char usage[] =
    "usage: granule convert [options] IN OUT\n"
    "\n"
    "Converts the trace IN to OUT (`-` is standard input / output), streaming.\n"
    "Formats: native, lackey, din, champsim, pinatrace (docs/trace-format.md).\n"
    "IN's format is detected from its content; text and ChampSim input may be\n"
    "xz- or zstd-compressed. OUT's format comes from its name (*.grt native,\n"
    "*.din, *.lackey, *.pinatrace, *.champsimtrace, each optionally followed by\n"
    ".xz or .zst, which compresses the output), else native.\n"
    "\n"
    "  --from F         read IN as format F instead of detecting it\n"
    "  --to F           write OUT as format F\n"
    "  --page-size N    page-size hint stored in a native OUT (4096, 16384, 65536)\n"
    "  --meta KEY=VALUE add a metadata line to a native OUT (repeatable)\n"
    "  --native-version V  native OUT format version, 1 or 2 (default 2)\n"
    "  --codec C        chunk compression of a version-2 OUT: lz4 (default) or zstd\n"
    "  --quiet          no summary on standard error\n"
    "\n"
    "Records OUT's format cannot hold (events in din, fetches in pinatrace, ...)\n"
    "are dropped and counted in the summary. The options for a native OUT\n"
    "(--page-size, --meta, --native-version, --codec) are refused with any\n"
    "other, as is --codec with --native-version 1.\n"
    "Exit status: 0 converted, 2 bad usage or bad input (the message names the\n"
    "file and the byte offset or line).\n";

static bool ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

static int format_from_name(const char *path)
{
    char base[4096];
    snprintf(base, sizeof base, "%s", path);
    size_t n = strlen(base);
    if (ends_with(base, ".xz"))
        base[n - 3] = 0;
    else if (ends_with(base, ".zst"))
        base[n - 4] = 0;
    if (ends_with(base, ".din"))
        return GR_TRACE_FMT_DIN;
    if (ends_with(base, ".lackey"))
        return GR_TRACE_FMT_LACKEY;
    if (ends_with(base, ".pinatrace") || ends_with(base, "pinatrace.out"))
        return GR_TRACE_FMT_PINATRACE;
    if (ends_with(base, ".champsimtrace") || ends_with(base, ".champsim"))
        return GR_TRACE_FMT_CHAMPSIM;
    return GR_TRACE_FMT_NATIVE;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"from", required_argument, NULL, 'f'},      {"to", required_argument, NULL, 't'},
        {"page-size", required_argument, NULL, 'p'}, {"meta", required_argument, NULL, 'm'},
        {"quiet", no_argument, NULL, 'q'},           {"native-version", required_argument, NULL, 'v'},
        {"codec", required_argument, NULL, 'c'},     {NULL, 0, NULL, 0},
    };
    int from = GR_TRACE_FMT_AUTO, to = -1;
    long page = -1;
    uint16_t version = 0;
    uint8_t codec = GR_TRACE_CODEC_DEFAULT;
    bool codec_set = false, quiet = false;
    char *extra = NULL;
    size_t extra_len = 0;
    int c, rc = GR_EXIT_USAGE;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
        case 't': {
            int f = gr_trace_format_parse(optarg);
            if (f <= GR_TRACE_FMT_AUTO || f == GR_TRACE_FMT_SYNTHETIC) {
                gr_cli_error("convert", "--%s: unknown format `%s` (native, lackey, din, "
                             "champsim, pinatrace)", c == 'f' ? "from" : "to", optarg);
                goto out;
            }
            *(c == 'f' ? &from : &to) = f;
            break;
        }
        case 'p': {
            char *end;
            page = strtol(optarg, &end, 0);
            if (*end || (page != 4096 && page != 16384 && page != 65536 && page != 0)) {
                gr_cli_error("convert", "--page-size: `%s` is not 4096, 16384 or 65536", optarg);
                goto out;
            }
            break;
        }
        case 'm': {
            if (!strchr(optarg, '=') || strchr(optarg, '\n')) {
                gr_cli_error("convert", "--meta: `%s` is not KEY=VALUE on one line", optarg);
                goto out;
            }
            size_t l = strlen(optarg);
            char *e = realloc(extra, extra_len + l + 2);
            if (!e)
                goto out;
            extra = e;
            memcpy(extra + extra_len, optarg, l);
            extra_len += l;
            extra[extra_len++] = '\n';
            extra[extra_len] = 0;
            break;
        }
        case 'q':
            quiet = true;
            break;
        case 'v':
            if (strcmp(optarg, "1") && strcmp(optarg, "2")) {
                gr_cli_error("convert", "--native-version: `%s` is not 1 or 2", optarg);
                goto out;
            }
            version = (uint16_t)(optarg[0] - '0');
            break;
        case 'c':
            if (strcmp(optarg, "zstd") == 0) {
                codec = GR_TRACE_CODEC_ZSTD;
            } else if (strcmp(optarg, "lz4") == 0) {
                codec = GR_TRACE_CODEC_LZ4;
            } else {
                gr_cli_error("convert", "--codec: `%s` is not zstd or lz4", optarg);
                goto out;
            }
            codec_set = true;
            break;
        default:
            gr_cli_print_usage(&gr_cli_convert, stderr);
            goto out;
        }
    }
    if (argc - optind != 2) {
        gr_cli_error("convert", "expected IN and OUT (see granule help convert)");
        goto out;
    }
    const char *in = argv[optind], *outp = argv[optind + 1];
    if (to < 0)
        to = strcmp(outp, "-") == 0 ? GR_TRACE_FMT_NATIVE : format_from_name(outp);
    /* Options that would be ignored are refused instead. */
    if (to != GR_TRACE_FMT_NATIVE && (version || codec_set || page >= 0 || extra)) {
        gr_cli_error("convert", "--%s applies to a native OUT only",
                     version     ? "native-version"
                     : codec_set ? "codec"
                     : page >= 0 ? "page-size"
                                 : "meta");
        goto out;
    }
    if (codec_set && version == 1) {
        gr_cli_error("convert", "--codec applies to native version 2 only (version 1 "
                     "chunks are always zstd)");
        goto out;
    }

    char err[512];
    gr_trace_reader *r;
    if (gr_trace_reader_open(&r, in, from, err, sizeof err) != GR_TRACE_OK) {
        gr_cli_error("convert", "%s", err);
        goto out;
    }
    const gr_trace_header *ih = gr_trace_reader_header(r);
    gr_trace_header oh = *ih;
    size_t ml = (ih->meta ? strlen(ih->meta) : 0) + extra_len + 1;
    char *meta = malloc(ml);
    if (!meta) {
        gr_trace_reader_close(r);
        goto out;
    }
    snprintf(meta, ml, "%s%s", ih->meta ? ih->meta : "", extra ? extra : "");
    oh.meta = meta;
    oh.version_major = version; /* the input's version is not carried over */
    oh.version_minor = 0;
    oh.codec = codec;
    if (page >= 0)
        oh.page_size = (uint32_t)page;
    gr_trace_writer *w;
    if (gr_trace_writer_open(&w, outp, to, &oh, err, sizeof err) != GR_TRACE_OK) {
        gr_cli_error("convert", "%s", err);
        free(meta);
        gr_trace_reader_close(r);
        goto out;
    }
    free(meta);
    enum { BATCH = 4096 };
    gr_trace_rec *recs = malloc(sizeof *recs * BATCH);
    uint64_t n = 0;
    gr_trace_status st = recs ? GR_TRACE_OK : GR_TRACE_ENOMEM, wst = GR_TRACE_OK;
    while (st == GR_TRACE_OK && wst == GR_TRACE_OK) {
        size_t k = gr_trace_reader_read(r, recs, BATCH, &st);
        for (size_t i = 0; i < k && wst == GR_TRACE_OK; i++)
            wst = gr_trace_writer_write(w, &recs[i]);
        n += k;
    }
    free(recs);
    uint64_t dropped = gr_trace_writer_dropped(w);
    if (st != GR_TRACE_END) {
        gr_cli_error("convert", "%s", st == GR_TRACE_OK ? "write failed" : gr_trace_reader_error(r));
        if (wst != GR_TRACE_OK)
            gr_cli_error("convert", "%s: %s", outp, gr_trace_writer_error(w));
        gr_trace_writer_close(w, NULL, 0);
    } else if (gr_trace_writer_close(w, err, sizeof err) != GR_TRACE_OK) {
        gr_cli_error("convert", "%s: %s", outp, err);
    } else {
        rc = GR_EXIT_OK;
        if (!quiet)
            fprintf(stderr, "granule convert: %" PRIu64 " records, %s -> %s, %" PRIu64
                            " dropped (not representable in %s)\n",
                    n, gr_trace_format_name(gr_trace_reader_format(r)),
                    gr_trace_format_name(to), dropped, gr_trace_format_name(to));
    }
    gr_trace_reader_close(r);
out:
    free(extra);
    return rc;
}

const gr_cli_cmd gr_cli_convert = {
    .name = "convert",
    .summary = "convert a trace between formats (native, lackey, din, champsim, pinatrace)",
    .usage = usage,
    .run = run,
};
