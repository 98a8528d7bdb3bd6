/* granule sweep's Slurm backend on the command line (docs/sweep.md,
 * "Slurm backend"): submission from cmd_sweep.c, and the subcommands
 * `granule sweep collect|status|resume|task`. */
#ifndef GRANULE_CMD_SWEEP_SLURM_H
#define GRANULE_CMD_SWEEP_SLURM_H

#include <stdbool.h>

#include "sweep.h"
#include "sweep_slurm.h"

/* The sbatch options every submitting command takes. */
#define GR_CLI_SLURM_MAX_SBATCH 64
typedef struct gr_cli_slurm_args {
    gr_sweep_slurm_opts o;
    const char *sbatch[GR_CLI_SLURM_MAX_SBATCH];
} gr_cli_slurm_args;

/* Option codes (getopt_long values) of those options. */
enum {
    GR_CLI_SLURM_O_PPT = 1024, GR_CLI_SLURM_O_PARTITION, GR_CLI_SLURM_O_TIME,
    GR_CLI_SLURM_O_MEM, GR_CLI_SLURM_O_SBATCH
};
#define GR_CLI_SLURM_OPTIONS                                                     \
    {"points-per-task", required_argument, NULL, GR_CLI_SLURM_O_PPT},            \
    {"partition", required_argument, NULL, GR_CLI_SLURM_O_PARTITION},            \
    {"time", required_argument, NULL, GR_CLI_SLURM_O_TIME},                      \
    {"mem", required_argument, NULL, GR_CLI_SLURM_O_MEM},                        \
    {"sbatch", required_argument, NULL, GR_CLI_SLURM_O_SBATCH}

/* Defaults (one point per task, this granule). */
void gr_cli_slurm_args_init(gr_cli_slurm_args *a);
/* Handles option c with optarg. @return 1 handled, 0 not ours, -1 bad. */
int gr_cli_slurm_args_option(gr_cli_slurm_args *a, int c, const char *arg);

/* `granule sweep --backend slurm ... -o DIR`: the selected points (sel,
 * NULL: all) that are not done, pending or running, submitted. */
int gr_cli_sweep_slurm_submit(const gr_sweep *s, const bool *sel, const char *dir,
                              gr_cli_slurm_args *a, bool quiet);

/* `granule sweep SUB ...` for SUB collect, status, resume, task; argv[0]
 * is SUB. @return -1 if argv[0] is none of them. */
int gr_cli_sweep_slurm_sub(int argc, char **argv);

#endif
