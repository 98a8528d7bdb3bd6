/* Configure-time twin of `granule config sv FILE OUT`: Verilator's CMake
 * verilate() runs Verilator while CMake configures, before the `granule`
 * binary exists, so rtl/CMakeLists.txt compiles this file with the model's
 * config.c to produce the first granule_cfg_pkg.sv. Both call
 * gr_config_write_sv(); the build then regenerates the package with
 * `granule config sv` (copy_if_different), which stays the one source. */
#include <stdio.h>

#include "granule/config.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: cfgsv CONFIG.ini OUT.sv\n");
        return 2;
    }
    gr_config cfg;
    char err[512];
    if (gr_config_load(&cfg, argv[1], err, sizeof err) != 0) {
        fprintf(stderr, "cfgsv: %s\n", err);
        return 2;
    }
    FILE *f = fopen(argv[2], "w");
    if (!f) {
        perror(argv[2]);
        return 2;
    }
    gr_config_write_sv(&cfg, f);
    return fclose(f) == 0 ? 0 : 2;
}
