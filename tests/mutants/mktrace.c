/* mktrace: writes the crafted regression trace of the mutation check
 * (docs/mutants.md), a native trace of two tasks exercising what the
 * synthetic generators and the corpus leave out: TLBI records of every
 * operation (VMALLE1, VAE1, ASIDE1, VAAE1, VALE1, VAALE1), each followed by
 * the access it must (or must not) make miss; global entries (EL1 fetches
 * and reads of the kernel text page the VM layer maps in TTBR1, nG = 0) across
 * an ASIDE1; one VA mapped by two ASIDs with a by-VA TLBI of one of them;
 * an mprotect to read-only (the VM layer's VALE1) followed by a write; and a
 * munmap followed by a read.
 *
 *   mktrace OUT.grt
 *
 * Exit status 0, or 2 on bad usage or a write error. */
#include <stdio.h>
#include <string.h>

#include "granule/trace.h"

/* The VM layer's kernel text page (model/src/vm.c KERNEL_TEXT). */
#define KTEXT 0xfffffe0007004000ull
/* Two user regions mapped by both tasks. */
#define A 0x10000000ull
#define NPAGE 16u
#define PG 0x1000ull

static gr_trace_writer *w;
static int failed;

static void put(const gr_trace_rec *r)
{
    if (!failed && gr_trace_writer_write(w, r) != GR_TRACE_OK) {
        fprintf(stderr, "mktrace: %s\n", gr_trace_writer_error(w));
        failed = 1;
    }
}

static void acc(unsigned task, unsigned kind, unsigned el, uint64_t va)
{
    gr_trace_rec r;
    memset(&r, 0, sizeof r);
    r.kind = (uint8_t)kind;
    r.el = (uint8_t)el;
    r.size = 8;
    r.task = task;
    r.va = va;
    put(&r);
}

static void ev(unsigned task, unsigned kind, uint64_t va, uint64_t a0, uint64_t a1, uint64_t a2)
{
    gr_trace_rec r;
    memset(&r, 0, sizeof r);
    r.kind = (uint8_t)kind;
    r.task = task;
    r.va = va;
    r.arg[0] = a0;
    r.arg[1] = a1;
    r.arg[2] = a2;
    put(&r);
}

/* The TLBI record of op, by the current task's ASID (the replay uses it). */
static void tlbi(unsigned task, unsigned op, uint64_t va)
{
    ev(task, GR_TREC_TLBI, va, op, 0, 0);
}

int main(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: mktrace OUT.grt\n");
        return 2;
    }
    char err[256];
    gr_trace_header h = {1, 0, 4096, GR_TRACE_FMT_SYNTHETIC, "generator=tests/mutants/mktrace\n"};
    if (gr_trace_writer_open(&w, argv[1], GR_TRACE_FMT_NATIVE, &h, err, sizeof err) !=
        GR_TRACE_OK) {
        fprintf(stderr, "mktrace: %s\n", err);
        return 2;
    }
    /* Both tasks map the same range (read-write, private anonymous). */
    for (unsigned t = 1; t <= 2; t++) {
        ev(t, GR_TREC_MMAP, A, NPAGE * PG, 3, 0x22);
        for (unsigned i = 0; i < NPAGE; i++) {
            acc(t, GR_TREC_WRITE, 0, A + i * PG + 8 * i);
            acc(t, GR_TREC_READ, 0, A + i * PG + 0x800);
        }
    }
    /* Global entries: task 1 fetches and reads the kernel text at EL1. */
    for (unsigned k = 0; k < 3; k++) {
        acc(1, GR_TREC_FETCH, 1, KTEXT + 4 * k);
        acc(1, GR_TREC_READ, 1, KTEXT + 0x100 + 8 * k);
        acc(1, GR_TREC_READ, 0, A + k * PG);
    }
    /* ASIDE1 of task 1: its pages miss, the global kernel entries still
     * hit, task 2's pages still hit. */
    tlbi(1, GR_TRACE_TLBI_ASIDE1, 0);
    acc(1, GR_TREC_FETCH, 1, KTEXT + 0x10);
    acc(1, GR_TREC_READ, 1, KTEXT + 0x200);
    acc(1, GR_TREC_READ, 0, A);
    acc(1, GR_TREC_READ, 0, A + PG);
    acc(2, GR_TREC_READ, 0, A);
    acc(2, GR_TREC_READ, 0, A + PG);
    /* Each by-VA operation: task 2 holds the same VA; task 1 invalidates
     * its own (or, VAAE1/VAALE1, every ASID's) entry. */
    static const unsigned ops[] = {GR_TRACE_TLBI_VAE1, GR_TRACE_TLBI_VALE1, GR_TRACE_TLBI_VAAE1,
                                   GR_TRACE_TLBI_VAALE1, GR_TRACE_TLBI_VAE1 | GR_TRACE_TLBI_IS};
    for (unsigned k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        uint64_t va = A + (2 + k) * PG;
        acc(2, GR_TREC_READ, 0, va);
        acc(1, GR_TREC_READ, 0, va);
        acc(1, GR_TREC_READ, 0, va + 8);
        tlbi(1, ops[k], va);
        acc(1, GR_TREC_READ, 0, va + 16);
        acc(1, GR_TREC_READ, 0, va + PG); /* a neighbour: still cached */
        acc(2, GR_TREC_READ, 0, va + 24);
        acc(1, GR_TREC_READ, 0, va + 32);
    }
    /* The kernel's VAAE1-by-VA and then VMALLE1: everything misses. */
    acc(1, GR_TREC_FETCH, 1, KTEXT + 0x20);
    tlbi(1, GR_TRACE_TLBI_VAALE1, KTEXT);
    acc(1, GR_TREC_FETCH, 1, KTEXT + 0x24);
    tlbi(1, GR_TRACE_TLBI_VMALLE1, 0);
    acc(1, GR_TREC_FETCH, 1, KTEXT + 0x28);
    acc(1, GR_TREC_READ, 0, A + 10 * PG);
    acc(2, GR_TREC_READ, 0, A + 10 * PG);
    /* mprotect to read-only (VALE1 by the VM layer), then a write: a
     * permission fault; munmap, then a read: a translation fault. */
    acc(1, GR_TREC_WRITE, 0, A + 12 * PG);
    acc(1, GR_TREC_WRITE, 0, A + 13 * PG);
    ev(1, GR_TREC_MPROTECT, A + 12 * PG, PG, 1, 0);
    acc(1, GR_TREC_WRITE, 0, A + 12 * PG + 8);
    acc(1, GR_TREC_READ, 0, A + 12 * PG + 16);
    ev(1, GR_TREC_MUNMAP, A + 13 * PG, PG, 0, 0);
    acc(1, GR_TREC_READ, 0, A + 13 * PG + 8);
    acc(2, GR_TREC_WRITE, 0, A + 12 * PG + 8);
    acc(2, GR_TREC_READ, 0, A + 13 * PG + 8);
    /* Task 1 exits: its ASIDE1; task 2 keeps running on the same VAs. */
    ev(1, GR_TREC_EXIT, 0, 0, 0, 0);
    for (unsigned i = 0; i < NPAGE; i++)
        acc(2, GR_TREC_READ, 0, A + i * PG + 0x40);
    if (gr_trace_writer_close(w, err, sizeof err) != GR_TRACE_OK) {
        fprintf(stderr, "mktrace: %s\n", err);
        return 2;
    }
    return failed ? 2 : 0;
}
