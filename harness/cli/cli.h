/*
 * The `granule` command-line tool: one file per subcommand, each exporting a
 * gr_cli_cmd that main.c lists. Exit codes are the same for every command:
 * 0 success, 1 the job ran and reports a negative verdict (e.g. a diff
 * diverged), 2 bad input (usage, unreadable or malformed files).
 */
#ifndef GRANULE_CLI_H
#define GRANULE_CLI_H

#include <stdint.h>
#include <stdio.h>

#define GR_EXIT_OK 0
#define GR_EXIT_VERDICT 1
#define GR_EXIT_USAGE 2

typedef struct gr_cli_cmd {
    const char *name;
    const char *summary; /* one line for `granule --help` */
    const char *usage;   /* the full text for `granule help NAME` */
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
} gr_cli_cmd;

extern const gr_cli_cmd gr_cli_translate;
extern const gr_cli_cmd gr_cli_config;
extern const gr_cli_cmd gr_cli_pac;
extern const gr_cli_cmd gr_cli_gen;
extern const gr_cli_cmd gr_cli_convert;
extern const gr_cli_cmd gr_cli_replay;
extern const gr_cli_cmd gr_cli_sweep;
extern const gr_cli_cmd gr_cli_vm;
extern const gr_cli_cmd gr_cli_diff;

/*! gr_cli_error() : prints "granule CMD: message" to stderr. */
void gr_cli_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*! gr_cli_print_usage() : prints cmd's usage text to f. */
void gr_cli_print_usage(const gr_cli_cmd *cmd, FILE *f);

#endif
