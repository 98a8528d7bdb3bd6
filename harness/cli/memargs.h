/*
 * Memory options shared by the commands that build a physical memory from
 * the command line: --ram BASE:SIZE, --mem FILE@PA, --dump-mem FILE@PA:LEN.
 * Images inside a --ram region are loaded into it; images elsewhere become
 * regions of their own. Images may not overlap each other, and an image may
 * not straddle a region boundary.
 */
#ifndef GRANULE_CLI_MEMARGS_H
#define GRANULE_CLI_MEMARGS_H

#include "granule/pmem.h"

typedef struct gr_memargs gr_memargs;

/*! gr_memargs_create() : cmd names the command in error messages. */
gr_memargs *gr_memargs_create(const char *cmd);
void gr_memargs_destroy(gr_memargs *m);

/*! The add functions parse one option value. @return 0, or -1 after
 *  printing an error. */
int gr_memargs_add_ram(gr_memargs *m, const char *arg);
int gr_memargs_add_image(gr_memargs *m, const char *arg);
int gr_memargs_add_dump(gr_memargs *m, const char *arg);

/*! gr_memargs_build() : reads the images and builds the memory.
 *  @return the memory, or NULL after printing an error. */
gr_pmem *gr_memargs_build(gr_memargs *m);

/*! gr_memargs_dump() : writes every --dump-mem range. @return 0 or -1. */
int gr_memargs_dump(gr_memargs *m, const gr_pmem *mem);

#endif
