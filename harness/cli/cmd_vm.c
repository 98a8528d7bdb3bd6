/* granule vm: runs the documented fork/copy-on-write scenario through the VM
 * layer and the MMU model and prints what the VM layer did: a step log,
 * vmmap-style region listings of both tasks, a ps listing, the fault
 * counters and the TLBIs by operation and cause (docs/vm.md, "granule vm"). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "granule/tlb.h"
#include "granule/vm.h"

typedef struct opts {
    uint64_t seed;
    bool aslr;
    unsigned shift;
    const char *backend;
    const char *scenario;
    const char *swap_dir;
} opts;

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *v = x;
    return 0;
}

static int parse_args(int argc, char **argv, opts *o)
{
    *o = (opts){1, true, 12, "direct", "fork", NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--no-aslr")) {
            o->aslr = false;
        } else if (!strcmp(a, "--seed")) {
            if (!val || parse_u64(val, &o->seed)) {
                gr_cli_error("vm", "--seed: want an unsigned integer, got `%s`",
                             val ? val : "(nothing)");
                return -1;
            }
            i++;
        } else if (!strcmp(a, "--granule")) {
            if (val && (!strcmp(val, "4k") || !strcmp(val, "4K")))
                o->shift = 12;
            else if (val && (!strcmp(val, "16k") || !strcmp(val, "16K")))
                o->shift = 14;
            else {
                gr_cli_error("vm", "--granule: want 4k or 16k, got `%s`",
                             val ? val : "(nothing)");
                return -1;
            }
            i++;
        } else if (!strcmp(a, "--backend")) {
            if (!val || (strcmp(val, "direct") && strcmp(val, "ideal") && strcmp(val, "mmu"))) {
                gr_cli_error("vm", "--backend: want direct, ideal or mmu, got `%s`",
                             val ? val : "(nothing)");
                return -1;
            }
            o->backend = val;
            i++;
        } else if (!strcmp(a, "--scenario")) {
            if (!val || (strcmp(val, "fork") && strcmp(val, "pressure"))) {
                gr_cli_error("vm", "--scenario: want fork or pressure, got `%s`",
                             val ? val : "(nothing)");
                return -1;
            }
            o->scenario = val;
            i++;
        } else if (!strcmp(a, "--swap-dir")) {
            if (!val) {
                gr_cli_error("vm", "--swap-dir: want a directory");
                return -1;
            }
            o->swap_dir = val;
            i++;
        } else {
            gr_cli_error("vm", "unknown argument `%s`", a);
            return -1;
        }
    }
    return 0;
}

typedef struct scen {
    gr_vm *vm;
    uint64_t pg;
    int failures;
} scen;

/* One access of the scenario; prints the step and what it cost. */
static void step(scen *s, int pid, const char *what, uint64_t va, gr_acc acc)
{
    gr_vm_stats before, after;
    gr_vm_get_stats(s->vm, &before);
    gr_vm_result r;
    gr_vm_access(s->vm, pid, va, acc, NULL, 0, &r);
    gr_vm_get_stats(s->vm, &after);
    printf("  pid %d %-5s %-24s %#14" PRIx64 ": %s, faults %u (zero fill %" PRIu64
           ", cow %" PRIu64 "), TLBIs %" PRIu64 "\n",
           pid, acc == GR_ACC_WRITE ? "write" : "read", what, va,
           r.status == GR_VM_OK ? "ok" : gr_vm_strerror(r.status), r.faults,
           after.zero_fill - before.zero_fill, after.cow_faults - before.cow_faults,
           after.tlbi - before.tlbi);
    if (r.status != GR_VM_OK)
        s->failures++;
}

static void print_tlbis(gr_vm *vm)
{
    static const char *const causes[] = {
#define CAUSE_NAME_(e, n) n,
        GR_VM_CAUSES(CAUSE_NAME_)
#undef CAUSE_NAME_
    };
    size_t n;
    const gr_vm_tlbi_rec *log = gr_vm_tlbi_log(vm, &n);
    /* Counts per (operation, cause), in order of first appearance. */
    struct {
        gr_tlbi_op op;
        uint8_t cause;
        unsigned n;
    } seen[64];
    unsigned ns = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned k = 0;
        while (k < ns && !(seen[k].op == log[i].op && seen[k].cause == log[i].cause))
            k++;
        if (k == ns) {
            if (ns == 64)
                continue;
            seen[ns].op = log[i].op;
            seen[ns].cause = log[i].cause;
            seen[ns++].n = 0;
        }
        seen[k].n++;
    }
    printf("TLBIs issued: %zu\n", n);
    for (unsigned k = 0; k < ns; k++)
        printf("  tlbi %-8s cause %-8s %u\n", gr_tlbi_name(seen[k].op),
               seen[k].cause < GR_VM_CAUSE_COUNT_ ? causes[seen[k].cause] : "?", seen[k].n);
}

/* The pressure scenario (docs/vm.md): 8 MiB of RAM, a 1 MiB volatile
 * region, then 24 MiB (3x RAM) of PATTERN stores, 16 per page, read back. */
static int pressure(gr_vm *vm, unsigned shift)
{
    const uint64_t pg = 1ull << shift, n = (24ull << 20) / pg, nv = (1ull << 20) / pg;
    int p;
    uint64_t v, a;
    if (gr_vm_spawn(vm, "app", shift, NULL, &p) ||
        gr_vm_mmap(vm, p, 0, nv * pg, GR_PROT_READ | GR_PROT_WRITE, GR_MAP_PRIVATE | GR_MAP_ANON,
                   NULL, 0, &v) ||
        gr_vm_mmap(vm, p, 0, n * pg, GR_PROT_READ | GR_PROT_WRITE, GR_MAP_PRIVATE | GR_MAP_ANON,
                   NULL, 0, &a)) {
        gr_cli_error("vm", "setting up the pressure scenario failed");
        return GR_EXIT_VERDICT;
    }
    int bad = 0;
    for (uint64_t i = 0; i < nv; i++)
        bad += gr_vm_access(vm, p, v + i * pg, GR_ACC_WRITE, NULL, 0, NULL) != GR_VM_OK;
    gr_vm_purgeable(vm, p, v, GR_VMOBJ_PURGE_VOLATILE, NULL);
    printf("1. pid %d: %llu pages written at %#llx, then made volatile\n", p,
           (unsigned long long)nv, (unsigned long long)v);
    for (uint64_t i = 0; i < n; i++)
        for (uint64_t k = 0; k < 16; k++)
            bad += gr_vm_access(vm, p, a + i * pg + k * (pg / 16), GR_ACC_WRITE, NULL, 0, NULL) !=
                   GR_VM_OK;
    printf("2. pid %d: %llu pages written at %#llx (3x RAM), 16 stores each\n", p,
           (unsigned long long)n, (unsigned long long)a);
    for (uint64_t i = 0; i < n; i++)
        bad += gr_vm_access(vm, p, a + i * pg, GR_ACC_READ, NULL, 0, NULL) != GR_VM_OK;
    gr_vmobj_purge st = GR_VMOBJ_PURGE_NONVOLATILE;
    gr_vm_purgeable(vm, p, v, -1, &st);
    printf("3. pid %d: read back; volatile region now %s\n\n", p, gr_vmobj_purge_name(st));
    gr_vm_report_vm_stat(vm, stdout);
    printf("\n");
    gr_vm_report_memory_pressure(vm, stdout);
    printf("\n");
    gr_vm_report_swapusage(vm, stdout);
    if (bad) {
        printf("%d access(es) failed\n", bad);
        return GR_EXIT_VERDICT;
    }
    return GR_EXIT_OK;
}

static int run(int argc, char **argv)
{
    opts o;
    if (parse_args(argc, argv, &o)) {
        gr_cli_print_usage(&gr_cli_vm, stderr);
        return GR_EXIT_USAGE;
    }
    bool pr = !strcmp(o.scenario, "pressure");
    char tmpdir[] = "/tmp/granule_vm_swap_XXXXXX";
    const char *swap = o.swap_dir;
    if (pr && !swap) {
        if (!mkdtemp(tmpdir)) {
            gr_cli_error("vm", "cannot create a swap directory in /tmp: %s", strerror(errno));
            return GR_EXIT_USAGE;
        }
        swap = tmpdir;
    }
    gr_pmem *mem = gr_pmem_create();
    gr_vmbe be = {0};
    int berr = !mem;
    if (!berr) {
        if (!strcmp(o.backend, "ideal"))
            berr = gr_vmbe_ideal_tlb(mem, &be);
        else if (!strcmp(o.backend, "mmu"))
            berr = gr_vmbe_mmu(NULL, mem, &be);
        else
            berr = gr_vmbe_direct(mem, &be);
    }
    gr_vm_config c;
    gr_vm_config_default(&c);
    c.seed = o.seed;
    c.aslr = o.aslr;
    if (pr) {
        c.ram_size = 8ull << 20;
        c.shared_cache_size = 0;
        c.pageout = true;
        c.store_data = GR_VM_STORE_PATTERN;
        c.comp.max_segments = 8;
        c.comp.max_swapfiles = 64;
        c.comp.swap_dir = swap;
    }
    int err = GR_VM_NOMEM;
    gr_vm *vm = berr ? NULL : gr_vm_create(&c, mem, &be, &err);
    if (!vm) {
        gr_cli_error("vm", "cannot create the VM system: %s", gr_vm_strerror(err));
        gr_vmbe_destroy(&be);
        gr_pmem_destroy(mem);
        if (swap == tmpdir)
            rmdir(tmpdir);
        return GR_EXIT_USAGE;
    }
    if (pr) {
        printf("granule vm: pressure scenario, %lluK pages, 8 MiB RAM, seed %llu, backend %s, "
               "swap in %s\n",
               (unsigned long long)(1ull << (o.shift - 10)), (unsigned long long)o.seed,
               o.backend, swap);
        int rc = pressure(vm, o.shift);
        gr_vm_destroy(vm); /* deletes the swap files */
        gr_vmbe_destroy(&be);
        gr_pmem_destroy(mem);
        if (swap == tmpdir)
            rmdir(tmpdir);
        return rc;
    }
    scen s = {vm, 1ull << o.shift, 0};
    const uint64_t pg = s.pg;
    printf("granule vm: fork/copy-on-write scenario, %lluK pages, seed %llu, ASLR %s, "
           "backend %s\n",
           (unsigned long long)(pg >> 10), (unsigned long long)o.seed, o.aslr ? "on" : "off",
           o.backend);

    int p = 0, ch = 0;
    int rc = GR_EXIT_OK;
    if (gr_vm_spawn(vm, "app", o.shift, NULL, &p) != GR_VM_OK) {
        gr_cli_error("vm", "spawn failed");
        rc = GR_EXIT_VERDICT;
        goto out;
    }
    gr_vm_task_info ti;
    gr_vm_task_info_get(vm, p, &ti);
    uint64_t m;
    if (gr_vm_mmap(vm, p, 0, 8 * pg, GR_PROT_READ | GR_PROT_WRITE, GR_MAP_PRIVATE | GR_MAP_ANON,
                   NULL, 0, &m) != GR_VM_OK) {
        gr_cli_error("vm", "mmap failed");
        rc = GR_EXIT_VERDICT;
        goto out;
    }
    printf("\n1. spawn pid %d (%s): __TEXT %#" PRIx64 ", heap %#" PRIx64 ", stack top %#" PRIx64
           ", shared cache %#" PRIx64 "; mmap 8 pages at %#" PRIx64 "\n",
           p, ti.name, ti.text, ti.heap_start, ti.stack_top, ti.shared_cache, m);
    printf("2. first touches in pid %d\n", p);
    step(&s, p, "__TEXT page 0", ti.text, GR_ACC_READ);
    for (int i = 0; i < 4; i++) {
        char w[32];
        snprintf(w, sizeof w, "heap page %d", i);
        step(&s, p, w, ti.heap_start + (uint64_t)i * pg, GR_ACC_WRITE);
    }
    step(&s, p, "stack page -1", ti.stack_top - pg, GR_ACC_WRITE);
    step(&s, p, "stack page -2", ti.stack_top - 2 * pg, GR_ACC_WRITE);
    for (int i = 0; i < 8; i++) {
        char w[32];
        snprintf(w, sizeof w, "mmap page %d", i);
        step(&s, p, w, m + (uint64_t)i * pg, GR_ACC_WRITE);
    }
    step(&s, p, "shared cache page 0", ti.shared_cache, GR_ACC_READ);
    if (gr_vm_fork(vm, p, &ch) != GR_VM_OK) {
        gr_cli_error("vm", "fork failed");
        rc = GR_EXIT_VERDICT;
        goto out;
    }
    printf("3. fork: pid %d -> child pid %d\n", p, ch);
    printf("4. child writes and reads\n");
    step(&s, ch, "heap page 0", ti.heap_start, GR_ACC_WRITE);
    step(&s, ch, "heap page 1", ti.heap_start + pg, GR_ACC_WRITE);
    step(&s, ch, "heap page 2", ti.heap_start + 2 * pg, GR_ACC_READ);
    step(&s, ch, "mmap page 0", m, GR_ACC_WRITE);
    printf("5. parent writes\n");
    step(&s, p, "heap page 3", ti.heap_start + 3 * pg, GR_ACC_WRITE);

    printf("\n");
    gr_vm_report_vmmap(vm, p, stdout);
    printf("\n");
    gr_vm_report_vmmap(vm, ch, stdout);
    printf("\n");
    gr_vm_report_ps(vm, stdout);
    gr_vm_stats st;
    gr_vm_get_stats(vm, &st);
    printf("\nfaults %" PRIu64 " (translation %" PRIu64 ", permission %" PRIu64
           ", access flag %" PRIu64 "), zero fill %" PRIu64 ", cow %" PRIu64
           ", shadows %" PRIu64 ", context switches %" PRIu64 "\n",
           st.faults, st.translation_faults, st.permission_faults, st.af_faults, st.zero_fill,
           st.cow_faults, st.shadows, st.context_switches);
    print_tlbis(vm);
    printf("\n");
    gr_vm_report_zprint(vm, stdout);
    if (s.failures) {
        printf("%d step(s) failed\n", s.failures);
        rc = GR_EXIT_VERDICT;
    }
out:
    gr_vm_destroy(vm);
    gr_vmbe_destroy(&be);
    gr_pmem_destroy(mem);
    return rc;
}

const gr_cli_cmd gr_cli_vm = {
    .name = "vm",
    .summary = "run the VM layer's fork/copy-on-write scenario and show its maps",
    .usage =
        "usage: granule vm [--seed N] [--no-aslr] [--granule 4k|16k] [--backend direct|ideal|mmu]\n"
        "                  [--scenario fork|pressure] [--swap-dir DIR]\n"
        "\n"
        "Boots the VM layer (64 MiB RAM, 32 MiB anonymous shared cache, ASLR slides from\n"
        "--seed, default 1) on an MMU backend (direct walker, ideal TLB or the gr_mmu\n"
        "model with its default configuration) and runs this scenario (docs/vm.md):\n"
        "  1. spawn pid 1 `app` (default image) and mmap 8 anonymous read/write pages;\n"
        "  2. pid 1 reads __TEXT page 0, writes heap pages 0-3, the top two stack pages\n"
        "     and all 8 mmap pages, reads shared-cache page 0;\n"
        "  3. fork (child pid 2, every entry inherited copy-on-write);\n"
        "  4. the child writes heap pages 0 and 1, reads heap page 2, writes mmap page 0;\n"
        "  5. the parent writes heap page 3.\n"
        "Prints each step with its faults and TLBIs, vmmap listings of both tasks, a ps\n"
        "listing, the fault counters, the TLBIs by operation and cause, and a zprint\n"
        "listing of the zones the VM layer's objects and tasks come from.\n"
        "\n"
        "--scenario pressure: 8 MiB of RAM with the pageout daemon, PATTERN store data,\n"
        "an 8-segment compressor pool and encrypted swap in --swap-dir (default: a new\n"
        "directory in /tmp, removed after). pid 1 writes 1 MiB and makes it volatile,\n"
        "then stores 16 times into every page of 24 MiB (3x RAM) and reads them back; prints\n"
        "vm_stat, memory_pressure and vm.swapusage reports.\n"
        "Exit status: 0, or 1 if a step did not complete.\n",
    .run = run,
};
