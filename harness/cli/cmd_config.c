/* granule config: check, show or turn into a SystemVerilog package a
 * micro-architecture configuration file (docs/config.md). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "granule/config.h"

static int run(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "check") != 0 && strcmp(argv[1], "show") != 0 &&
                      strcmp(argv[1], "sv") != 0)) {
        gr_cli_print_usage(&gr_cli_config, stderr);
        return GR_EXIT_USAGE;
    }
    gr_config cfg;
    char err[512];
    if (gr_config_load(&cfg, argv[2], err, sizeof err) != 0) {
        gr_cli_error("config", "%s", err);
        return GR_EXIT_USAGE;
    }
    if (strcmp(argv[1], "check") == 0)
        printf("%s: ok (%s)\n", argv[2], cfg.name);
    else if (strcmp(argv[1], "show") == 0)
        gr_config_write_ini(&cfg, stdout);
    else
        gr_config_write_sv(&cfg, stdout);
    return GR_EXIT_OK;
}

const gr_cli_cmd gr_cli_config = {
    .name = "config",
    .summary = "check, show or convert to SystemVerilog an MMU configuration",
    .usage = "usage: granule config check FILE   validate FILE (exit 2 with file:line: reason)\n"
             "       granule config show FILE    print FILE with every default filled in\n"
             "       granule config sv FILE      print the RTL parameter package granule_cfg_pkg\n"
             "\nThe format is described in docs/config.md; presets are in configs/.\n",
    .run = run,
};
