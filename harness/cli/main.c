/* granule: entry point and subcommand dispatch. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const gr_cli_cmd *const commands[] = {
    &gr_cli_translate,
    &gr_cli_config,
    &gr_cli_pac,
    &gr_cli_gen,
    &gr_cli_convert,
    &gr_cli_replay,
    &gr_cli_sweep,
    &gr_cli_vm,
    &gr_cli_diff,
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

void gr_cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "granule %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void gr_cli_print_usage(const gr_cli_cmd *cmd, FILE *f)
{
    fputs(cmd->usage, f);
}

static void print_help(FILE *f)
{
    fprintf(f,
            "granule %s: a cycle-level ARMv8-A MMU/TLB model\n\n"
            "usage: granule [--version] [--help] COMMAND [ARGS...]\n\n"
            "commands:\n",
            GRANULE_VERSION);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-12s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f, "  %-12s %s\n", "help", "show the usage of a command");
    fprintf(f, "\n`granule help COMMAND` or `granule COMMAND --help` for details.\n"
               "Exit status: 0 success, 1 negative verdict, 2 bad input.\n");
}

static const gr_cli_cmd *lookup(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return GR_EXIT_USAGE;
    }
    const char *a = argv[1];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
        print_help(stdout);
        return GR_EXIT_OK;
    }
    if (strcmp(a, "--version") == 0) {
        printf("granule %s\n", GRANULE_VERSION);
        return GR_EXIT_OK;
    }
    if (strcmp(a, "help") == 0) {
        if (argc < 3) {
            print_help(stdout);
            return GR_EXIT_OK;
        }
        const gr_cli_cmd *c = lookup(argv[2]);
        if (!c) {
            fprintf(stderr, "granule: no command `%s` (see granule --help)\n", argv[2]);
            return GR_EXIT_USAGE;
        }
        gr_cli_print_usage(c, stdout);
        return GR_EXIT_OK;
    }
    const gr_cli_cmd *c = lookup(a);
    if (!c) {
        fprintf(stderr, "granule: no command `%s` (see granule --help)\n", a);
        return GR_EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            gr_cli_print_usage(c, stdout);
            return GR_EXIT_OK;
        }
    }
    return c->run(argc - 1, argv + 1);
}
