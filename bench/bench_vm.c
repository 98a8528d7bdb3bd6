/*
 * VM layer benchmark: demand-zero faults resolved per second (fresh frames
 * and recycled frames that must really be zeroed), and translations per
 * second through gr_vm_access() on a hit-dominated stream, with the
 * TLB-less walker backend and with the gr_mmu backend. Prints figures only.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

#include "granule/vm.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void faults(unsigned shift)
{
    gr_pmem *mem = gr_pmem_create();
    gr_vmbe be;
    gr_vmbe_direct(mem, &be);
    gr_vm_config c;
    gr_vm_config_default(&c);
    c.ram_size = 1ull << 30;
    c.tlbi_log_max = 0;
    gr_vm *vm = gr_vm_create(&c, mem, &be, NULL);
    int pid;
    gr_vm_spawn(vm, "bench", shift, NULL, &pid);
    const uint64_t len = 64ull << 20, pg = 1ull << shift;
    for (int pass = 0; pass < 3; pass++) {
        uint64_t a;
        gr_vm_mmap(vm, pid, 0, len, GR_PROT_READ | GR_PROT_WRITE, GR_MAP_PRIVATE | GR_MAP_ANON,
                   NULL, 0, &a);
        double t0 = now();
        uint64_t n = 0;
        for (uint64_t va = a; va < a + len; va += pg, n++) {
            gr_vm_result r;
            if (gr_vm_access(vm, pid, va, GR_ACC_WRITE, NULL, 0, &r) != GR_VM_OK) {
                printf("fault failed: %s\n", gr_vm_strerror(r.status));
                break;
            }
        }
        double dt = now() - t0;
        printf("demand-zero faults, %2lluK pages, %-8s frames: %8llu faults in %.3f s = %.2f M/s\n",
               (unsigned long long)(pg >> 10), pass ? "recycled" : "fresh", (unsigned long long)n,
               dt, (double)n / dt / 1e6);
        gr_vm_munmap(vm, pid, a, len);
    }
    gr_vm_destroy(vm);
    gr_vmbe_destroy(&be);
    gr_pmem_destroy(mem);
}

static void translations(int mmu, unsigned shift)
{
    gr_pmem *mem = gr_pmem_create();
    gr_vmbe be;
    if (mmu)
        gr_vmbe_mmu(NULL, mem, &be);
    else
        gr_vmbe_direct(mem, &be);
    gr_vm_config c;
    gr_vm_config_default(&c);
    c.ram_size = 256ull << 20;
    gr_vm *vm = gr_vm_create(&c, mem, &be, NULL);
    int pid;
    gr_vm_spawn(vm, "bench", shift, NULL, &pid);
    const uint64_t pages = 32, pg = 1ull << shift;
    uint64_t a;
    gr_vm_mmap(vm, pid, 0, pages * pg, GR_PROT_READ | GR_PROT_WRITE, GR_MAP_PRIVATE | GR_MAP_ANON,
               NULL, 0, &a);
    for (uint64_t i = 0; i < pages; i++)
        gr_vm_access(vm, pid, a + i * pg, GR_ACC_WRITE, NULL, 0, NULL);
    const uint64_t n = 5000000;
    uint64_t x = 88172645463325252ull, sum = 0;
    double t0 = now();
    for (uint64_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        gr_vm_result r;
        gr_vm_access(vm, pid, a + (x % (pages * pg) & ~7ull), GR_ACC_READ, NULL, 0, &r);
        sum += r.pa;
    }
    double dt = now() - t0;
    printf("translations via gr_vm_access, %-6s backend, %2lluK pages, %llu-page working set: "
           "%.2f M/s (checksum %llx)\n",
           mmu ? "gr_mmu" : "direct", (unsigned long long)(pg >> 10),
           (unsigned long long)pages, (double)n / dt / 1e6, (unsigned long long)(sum & 0xffff));
    gr_vm_destroy(vm);
    gr_vmbe_destroy(&be);
    gr_pmem_destroy(mem);
}

int main(void)
{
    faults(12);
    faults(14);
    translations(0, 12);
    translations(0, 14);
    translations(1, 12);
    translations(1, 14);
    return 0;
}
