/*
 * The VM layer's top: tasks and their address spaces, the fault handler
 * (XNU vm_fault: look up the entry, find the page along the shadow chain,
 * page in / zero fill / copy on write, enter it in the pmap), fork with
 * symmetric copy-on-write, and the vmmap/ps reports.
 */
#include "granule/vm.h"

#include <stdlib.h>
#include <string.h>

#define USER_TXSZ 17 /* 47-bit user range, 0 .. 0x7fffffffffff */
#define KERN_TXSZ 17
#define USER_TOP (1ull << (64 - USER_TXSZ))
#define PAGEZERO_END 0x100000000ull
#define TEXT_BASE 0x100000000ull
#define HEAP_BASE 0x600000000000ull
#define STACK_TOP 0x7ff000000000ull
#define SHARED_BASE 0x7ff800000000ull
#define KERNEL_TEXT 0xfffffe0007004000ull
#define SLIDE_UNIT 0x4000ull /* slides are 16K multiples: valid for both granules */

typedef struct task {
    int pid, ppid;
    char name[32];
    uint16_t asid;
    unsigned shift;
    gr_vmmap *map;
    gr_vmpmap *pmap;
    gr_regs regs;
    uint64_t text, heap_start, heap_max, brk, stack_top, stack_floor, shared;
    uint64_t faults;
} task;

struct gr_vm {
    gr_vm_config cfg;
    gr_pmem *mem;
    gr_vmbe be;
    gr_vmpage *pages;
    gr_vmobj_stats ostats;
    gr_vmobj_env env;
    gr_vmpmap *kpmap;
    uint64_t ktext_pa;
    task **tasks; /* index = pid - 1; NULL once exited */
    unsigned ntasks, cap;
    int current; /* pid whose TTBR0 is loaded, 0 = none */
    uint32_t next_asid;
    uint64_t rng;
    uint64_t cache_slide;
    gr_vmobj *shared_obj[2]; /* [0] 4K, [1] 16K */
    gr_vmobj **vnodes;        /* vnode cache: one object per file and page size */
    unsigned nvnodes, vcap;
    gr_vm_stats st;
    gr_vm_cause cause;
    unsigned drop_mask;
    gr_vm_tlbi_rec *log;
    size_t nlog;
    /* part 2 */
    gr_vmcomp *comp;
    uint64_t store_rng;
    gr_vm_pressure_level level;
    gr_vm_pressure_event *hist;
    size_t nhist;
    unsigned nvolatile; /* objects set VOLATILE (an upper bound) */
    bool in_pageout;
    gr_vmzone *zones[2]; /* vm.objects, vm.tasks */
};

#define HIST_MAX 4096

const char *gr_vm_strerror(int err)
{
    switch (err) {
#define GR_VM_STR_(e, v, t) \
    case v:                 \
        return t;
        GR_VM_ERRORS(GR_VM_STR_)
#undef GR_VM_STR_
    default:
        return "unknown VM error";
    }
}

void gr_vm_config_default(gr_vm_config *c)
{
    memset(c, 0, sizeof *c);
    c->ram_base = 0x800000000ull;
    c->ram_size = 64ull << 20;
    c->seed = 1;
    c->aslr = true;
    c->shared_cache_size = 32ull << 20;
    c->max_retries = 8;
    c->tlbi_log_max = 1u << 20;
}

static void drop_compressed(void *ctx, uint64_t handle)
{
    gr_vm *vm = ctx;
    gr_vmcomp_free(vm->comp, handle);
}

/* splitmix64: a documented, seedable generator, so layouts reproduce. */
static uint64_t rnd(gr_vm *vm)
{
    uint64_t z = (vm->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t slide(gr_vm *vm, uint64_t max_units)
{
    return vm->cfg.aslr ? (rnd(vm) % max_units) * SLIDE_UNIT : 0;
}

static void on_tlbi(void *ctx, gr_tlbi_op op, uint64_t va, uint16_t asid)
{
    gr_vm *vm = ctx;
    if (vm->drop_mask & (1u << vm->cause)) {
        vm->st.tlbi_dropped++;
        return;
    }
    vm->st.tlbi++;
    if (vm->nlog < vm->cfg.tlbi_log_max)
        vm->log[vm->nlog++] = (gr_vm_tlbi_rec){op, va, asid, (uint8_t)vm->cause};
    vm->be.ops->tlbi(vm->be.ctx, op, va, asid);
}

static task *get(const gr_vm *vm, int pid)
{
    if (pid < 1 || (unsigned)pid > vm->ntasks)
        return NULL;
    return vm->tasks[pid - 1];
}

static uint64_t pgsz(const task *t)
{
    return 1ull << t->shift;
}

static uint64_t round_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* ---- creation ---- */

gr_vm *gr_vm_create(const gr_vm_config *cfg, gr_pmem *mem, const gr_vmbe *be,
                    int *err)
{
    int e = GR_VM_INVAL;
    gr_vm *vm = NULL;
    if (!cfg || !mem || !be || !be->ops || (cfg->ram_base | cfg->ram_size) & 0x3fff ||
        cfg->ram_size == 0 || cfg->shared_cache_size & 0x3fff)
        goto fail;
    e = GR_VM_NOMEM;
    vm = calloc(1, sizeof *vm);
    if (!vm)
        goto fail;
    vm->cfg = *cfg;
    vm->mem = mem;
    vm->be = *be;
    vm->rng = cfg->seed;
    vm->next_asid = 1;
    if (cfg->tlbi_log_max &&
        !(vm->log = malloc(cfg->tlbi_log_max * sizeof *vm->log)))
        goto fail;
    e = GR_VM_INVAL;
    if (gr_pmem_add_region(mem, cfg->ram_base, cfg->ram_size, "dram") != GR_PMEM_OK)
        goto fail;
    e = GR_VM_NOMEM;
    vm->pages = gr_vmpage_create(mem, cfg->ram_base, cfg->ram_size);
    if (!vm->pages)
        goto fail;
    vm->zones[0] = gr_vmzone_create("vm.objects", gr_vmobj_struct_size(), 0);
    vm->zones[1] = gr_vmzone_create("vm.tasks", sizeof(task), 0);
    if (!vm->zones[0] || !vm->zones[1])
        goto fail;
    vm->env = (gr_vmobj_env){mem, vm->pages, &vm->ostats, drop_compressed, vm, vm->zones[0]};
    vm->store_rng = cfg->seed;
    {
        int ce;
        vm->comp = gr_vmcomp_create(mem, vm->pages, &cfg->comp, &ce);
        if (!vm->comp) {
            e = ce == GR_VMCOMP_INVAL ? GR_VM_INVAL : GR_VM_NOMEM;
            goto fail;
        }
    }
    /* The kernel: 16K granule TTBR1 tables with one wired text page. */
    gr_vmpmap_cfg kc = {14, KERN_TXSZ, true, 0};
    vm->kpmap = gr_vmpmap_create(mem, vm->pages, &kc, on_tlbi, vm);
    if (!vm->kpmap ||
        gr_vmpage_alloc(vm->pages, 14, GR_VMPAGE_Q_WIRED, true, &vm->ktext_pa) ||
        gr_vmpmap_enter(vm->kpmap, KERNEL_TEXT, vm->ktext_pa,
                        GR_PROT_READ | GR_PROT_EXEC, GR_VMPMAP_ATTR_NORMAL,
                        GR_VMPMAP_AF))
        goto fail;
    gr_vmpage_meta(vm->pages, vm->ktext_pa)->wire_count = 1;
    vm->cache_slide = slide(vm, 1u << 14);
    if (cfg->shared_cache_size) {
        for (int i = 0; i < 2; i++) {
            unsigned sh = i ? 14 : 12;
            vm->shared_obj[i] =
                cfg->shared_cache_path
                    ? gr_vmobj_create_vnode(&vm->env, sh, cfg->shared_cache_path)
                    : gr_vmobj_create_anon(&vm->env, sh, cfg->shared_cache_size);
            e = cfg->shared_cache_path ? GR_VM_IOERR : GR_VM_NOMEM;
            if (!vm->shared_obj[i])
                goto fail;
        }
    }
    if (err)
        *err = GR_VM_OK;
    return vm;
fail:
    gr_vm_destroy(vm);
    if (err)
        *err = e;
    return NULL;
}

/* ---- tasks ---- */

static void load_regs(gr_vm *vm, task *t)
{
    gr_regs *r = &t->regs;
    gr_regs_reset(r);
    /* TCR_EL1: T0SZ, IRGN0/ORGN0 = WBWA, SH0 inner, TG0 (0 4K, 2 16K),
     * T1SZ, IRGN1/ORGN1, SH1, TG1 = 1 (16K), IPS = 48 bits, AS = 16-bit
     * ASIDs, HA as configured. A1 = 0: TTBR0 holds the ASID. */
    r->tcr = USER_TXSZ | (1ull << 8) | (1ull << 10) | (3ull << 12) |
             ((t->shift == 14 ? 2ull : 0ull) << 14) | ((uint64_t)KERN_TXSZ << 16) |
             (1ull << 24) | (1ull << 26) | (3ull << 28) | (1ull << 30) |
             (5ull << 32) | (1ull << 36) | (vm->cfg.hw_af ? 1ull << 39 : 0);
    r->ttbr0 = gr_vmpmap_root(t->pmap) | ((uint64_t)t->asid << 48);
    r->ttbr1 = gr_vmpmap_root(vm->kpmap);
    r->mair = GR_VMPMAP_MAIR;
    r->sctlr |= 1; /* M */
}

static task *new_task(gr_vm *vm, const char *name, unsigned shift, int *err)
{
    *err = GR_VM_NOMEM;
    if (vm->ntasks == vm->cap) {
        unsigned cap = vm->cap ? 2 * vm->cap : 16;
        task **n = realloc(vm->tasks, cap * sizeof *n);
        if (!n)
            return NULL;
        vm->tasks = n;
        vm->cap = cap;
    }
    task *t = gr_vmzone_alloc(vm->zones[1]);
    if (!t)
        return NULL;
    if (vm->next_asid > 0xffff) {
        /* ASID space exhausted: start over after invalidating everything
         * (live tasks keep their ASIDs; collisions are not modelled). */
        vm->cause = GR_VM_CAUSE_OTHER;
        on_tlbi(vm, GR_TLBI_VMALLE1, 0, 0);
        vm->next_asid = 1;
    }
    t->asid = (uint16_t)vm->next_asid++;
    t->shift = shift;
    snprintf(t->name, sizeof t->name, "%s", name ? name : "task");
    t->map = gr_vmmap_create(0, USER_TOP);
    gr_vmpmap_cfg pc = {shift, USER_TXSZ, false, t->asid};
    t->pmap = gr_vmpmap_create(vm->mem, vm->pages, &pc, on_tlbi, vm);
    if (!t->map || !t->pmap) {
        gr_vmmap_destroy(t->map);
        gr_vmpmap_destroy(t->pmap);
        gr_vmzone_free(vm->zones[1], t);
        return NULL;
    }
    t->pid = (int)vm->ntasks + 1;
    vm->tasks[vm->ntasks++] = t;
    load_regs(vm, t);
    *err = GR_VM_OK;
    return t;
}

static int add_entry(task *t, uint64_t start, uint64_t size, unsigned prot,
                     unsigned maxp, gr_vmobj *obj, uint64_t off, gr_vmmap_tag tag)
{
    gr_vmmap_entry e = {0};
    e.start = start;
    e.end = start + size;
    e.prot = prot;
    e.max_prot = maxp;
    e.obj = obj;
    e.offset = off;
    e.tag = (uint8_t)tag;
    int r = gr_vmmap_insert(t->map, &e);
    if (r) {
        gr_vmobj_release(obj);
        return r == -1 ? GR_VM_EXISTS : GR_VM_NOMEM;
    }
    return GR_VM_OK;
}

static int add_anon(gr_vm *vm, task *t, uint64_t start, uint64_t size,
                    unsigned prot, gr_vmmap_tag tag)
{
    gr_vmobj *o = gr_vmobj_create_anon(&vm->env, t->shift, size);
    if (!o)
        return GR_VM_NOMEM;
    return add_entry(t, start, size, prot, GR_PROT_ALL, o, 0, tag);
}

static void teardown(gr_vm *vm, task *t);

int gr_vm_spawn(gr_vm *vm, const char *name, unsigned page_shift,
                const gr_vm_image *img, int *pid)
{
    if (!vm || (page_shift != 12 && page_shift != 14))
        return GR_VM_INVAL;
    gr_vm_image d = {0};
    if (img)
        d = *img;
    uint64_t pg = 1ull << page_shift;
    d.text = round_up(d.text ? d.text : 64 * 1024, pg);
    d.data = round_up(d.data ? d.data : 32 * 1024, pg);
    d.linkedit = round_up(d.linkedit ? d.linkedit : 16 * 1024, pg);
    d.heap_initial = round_up(d.heap_initial ? d.heap_initial : 1 << 20, pg);
    d.heap_max = round_up(d.heap_max ? d.heap_max : 1ull << 30, pg);
    d.stack_initial = round_up(d.stack_initial ? d.stack_initial : 128 * 1024, pg);
    d.stack_max = round_up(d.stack_max ? d.stack_max : 8 << 20, pg);
    if (d.heap_initial > d.heap_max || d.stack_initial > d.stack_max)
        return GR_VM_INVAL;
    int err;
    task *t = new_task(vm, name, page_shift, &err);
    if (!t)
        return err;
    t->ppid = 0;
    t->text = TEXT_BASE + slide(vm, 1u << 12);
    t->heap_start = HEAP_BASE + slide(vm, 1u << 16);
    t->heap_max = t->heap_start + d.heap_max;
    t->brk = t->heap_start + d.heap_initial;
    t->stack_top = STACK_TOP - slide(vm, 1u << 14);
    t->stack_floor = t->stack_top - d.stack_max;
    t->shared = SHARED_BASE + vm->cache_slide;

    err = add_entry(t, 0, PAGEZERO_END, GR_PROT_NONE, GR_PROT_NONE, NULL, 0,
                    GR_VMMAP_TAG_PAGEZERO);
    uint64_t a = t->text;
    if (!err && d.text_path) {
        gr_vmobj *o = gr_vmobj_create_vnode(&vm->env, page_shift, d.text_path);
        if (!o)
            err = GR_VM_IOERR;
        else {
            err = add_entry(t, a, d.text, GR_PROT_READ | GR_PROT_EXEC, GR_PROT_ALL,
                            o, 0, GR_VMMAP_TAG_TEXT);
            if (!err)
                gr_vmmap_lookup(t->map, a)->needs_copy = true;
        }
    } else if (!err) {
        err = add_anon(vm, t, a, d.text, GR_PROT_READ | GR_PROT_EXEC, GR_VMMAP_TAG_TEXT);
    }
    a += d.text;
    if (!err)
        err = add_anon(vm, t, a, d.data, GR_PROT_READ | GR_PROT_WRITE, GR_VMMAP_TAG_DATA);
    a += d.data;
    if (!err)
        err = add_anon(vm, t, a, d.linkedit, GR_PROT_READ, GR_VMMAP_TAG_LINKEDIT);
    if (!err) {
        gr_vmobj *h = gr_vmobj_create_anon(&vm->env, page_shift, d.heap_max);
        err = h ? add_entry(t, t->heap_start, d.heap_initial,
                            GR_PROT_READ | GR_PROT_WRITE, GR_PROT_ALL, h, 0,
                            GR_VMMAP_TAG_MALLOC)
                : GR_VM_NOMEM;
    }
    if (!err) {
        /* The stack object spans the whole reservation; the entry covers
         * its top and moves down (lower offset) as the stack grows. */
        gr_vmobj *s = gr_vmobj_create_anon(&vm->env, page_shift, d.stack_max);
        err = s ? add_entry(t, t->stack_top - d.stack_initial, d.stack_initial,
                            GR_PROT_READ | GR_PROT_WRITE, GR_PROT_ALL, s,
                            d.stack_max - d.stack_initial, GR_VMMAP_TAG_STACK)
                : GR_VM_NOMEM;
        if (!err)
            gr_vmmap_lookup(t->map, t->stack_top - pg)->grows_down = true;
    }
    if (!err)
        err = add_entry(t, t->stack_floor - pg, pg, GR_PROT_NONE, GR_PROT_NONE, NULL,
                        0, GR_VMMAP_TAG_GUARD);
    gr_vmobj *sc = vm->shared_obj[page_shift == 14];
    if (!err && sc) {
        gr_vmobj_ref(sc);
        err = add_entry(t, t->shared, gr_vmobj_size(sc), GR_PROT_READ | GR_PROT_EXEC,
                        GR_PROT_ALL, sc, 0, GR_VMMAP_TAG_SHARED_CACHE);
        if (!err)
            gr_vmmap_lookup(t->map, t->shared)->needs_copy = true;
    }
    if (err) {
        teardown(vm, t);
        return err;
    }
    *pid = t->pid;
    return GR_VM_OK;
}

int gr_vm_switch(gr_vm *vm, int pid)
{
    task *t = vm ? get(vm, pid) : NULL;
    if (!t)
        return GR_VM_NOPID;
    if (vm->current != pid) {
        /* ASID-tagged entries survive the switch: no TLBI (XNU arm64 does
         * the same with its ASID allocator). */
        vm->be.ops->set_regs(vm->be.ctx, &t->regs);
        vm->current = pid;
        vm->st.context_switches++;
    }
    return GR_VM_OK;
}

/* ---- the fault handler ---- */

static int map_err(int r)
{
    switch (r) {
    case GR_VMOBJ_EOF:
        return GR_VM_BUS_ADRERR;
    case GR_VMOBJ_NOMEM:
        return GR_VM_NOMEM;
    default:
        return GR_VM_IOERR;
    }
}

/* Shadow the entry's object before its first write (vm_map_entry's
 * needs_copy; XNU vm_object_shadow). The shadow covers the whole backing
 * object at offset 0, so entries that later grow (heap, stack) stay
 * inside it. */
static int shadow_entry(gr_vm *vm, gr_vmmap_entry *e)
{
    gr_vmobj *s = gr_vmobj_shadow(e->obj, 0, gr_vmobj_size(e->obj));
    if (!s)
        return GR_VM_NOMEM;
    e->obj = s;
    e->needs_copy = false;
    vm->st.shadows++;
    return GR_VM_OK;
}

static int copy_page(gr_vm *vm, uint64_t from, uint64_t to, uint64_t size)
{
    uint8_t buf[1u << 14];
    if (gr_pmem_dump(vm->mem, from, buf, size) || gr_pmem_load(vm->mem, to, buf, size))
        return GR_VM_IOERR;
    return GR_VM_OK;
}

/* Brings compressed page idx of o back into a new frame. */
static int decompress(gr_vm *vm, gr_vmobj *o, uint64_t idx, uint64_t h, uint64_t *pa)
{
    uint32_t len = 1u << gr_vmobj_page_shift(o);
    uint8_t buf[1u << 14];
    int r = gr_vmcomp_get(vm->comp, h, buf, len);
    if (r == GR_VMCOMP_CORRUPT || r == GR_VMCOMP_TRUNCATED) {
        /* Never map bytes that failed their check. */
        vm->st.swap_errors++;
        return GR_VM_SWAPERR;
    }
    if (r)
        return GR_VM_IOERR;
    if (gr_vmpage_alloc(vm->pages, gr_vmobj_page_shift(o), GR_VMPAGE_Q_ACTIVE, false, pa))
        return GR_VM_NOMEM;
    if (gr_pmem_load(vm->mem, *pa, buf, len) || gr_vmobj_take_compressed(o, idx, &h)) {
        gr_vmpage_free(vm->pages, *pa);
        return GR_VM_IOERR;
    }
    if (gr_vmobj_insert(o, idx, *pa)) {
        gr_vmobj_set_compressed(o, idx, h);
        gr_vmpage_free(vm->pages, *pa);
        return GR_VM_NOMEM;
    }
    gr_vmcomp_free(vm->comp, h);
    vm->st.decompressions++;
    return GR_VM_OK;
}

/* Make the page at va (aligned) of entry e present in t's tables for an
 * access that needs right `need`. mapped: the fault was raised on a valid
 * descriptor (permission fault), so the page may already be entered. */
static int resolve(gr_vm *vm, task *t, gr_vmmap_entry *e, uint64_t va, unsigned need,
                   bool mapped)
{
    bool write = need & GR_PROT_WRITE;
    if (write && e->needs_copy) {
        int r = shadow_entry(vm, e);
        if (r)
            return r;
    }
    uint64_t idx = (e->offset + (va - e->start)) >> t->shift;
    gr_vmobj *where;
    uint64_t widx, val, pa = GR_VMOBJ_NOPAGE;
    gr_vmobj_where w = gr_vmobj_locate(e->obj, idx, &where, &widx, &val);
    if (w == GR_VMOBJ_RESIDENT) {
        pa = val;
    } else if (w == GR_VMOBJ_COMPRESSED) {
        /* A page the pageout daemon compressed: it comes back into the
         * object that held it, then the usual copy-on-write rules apply. */
        int r = decompress(vm, where, widx, val, &pa);
        if (r)
            return r;
    } else {
        int r;
        switch (gr_vmobj_kind_of(where)) {
        case GR_VMOBJ_VNODE:
            r = gr_vmobj_pagein(where, widx, &pa);
            if (r)
                return map_err(r);
            /* Not yet seen referenced by the daemon: speculative. */
            gr_vmpage_set_queue(vm->pages, pa, GR_VMPAGE_Q_SPECULATIVE);
            break;
        case GR_VMOBJ_ANON:
            /* Zero fill happens in the top object (vm_fault: first_object). */
            where = e->obj;
            r = gr_vmobj_pagein(where, idx, &pa);
            if (r)
                return map_err(r);
            vm->st.zero_fill++;
            break;
        default:
            return GR_VM_BUS_ADRERR; /* beyond the device range */
        }
    }
    unsigned prot = e->prot;
    bool top = where == e->obj && !e->needs_copy;
    if (!top) {
        if (write) {
            uint64_t np;
            if (gr_vmpage_alloc(vm->pages, t->shift, GR_VMPAGE_Q_ACTIVE, false, &np))
                return GR_VM_NOMEM;
            if (copy_page(vm, pa, np, pgsz(t)) || gr_vmobj_insert(e->obj, idx, np)) {
                gr_vmpage_free(vm->pages, np);
                return GR_VM_NOMEM;
            }
            pa = np;
            where = e->obj;
            vm->st.cow_faults++;
        } else {
            prot &= ~GR_PROT_WRITE; /* shared with a copy: read-only */
        }
    }
    gr_vmobj_kind k = gr_vmobj_kind_of(where);
    if (k == GR_VMOBJ_VNODE) {
        /* Software dirty bit for shared file pages: mapped read-only until
         * the first write, which marks the page for write-back. */
        gr_vmpage_frame *fr = gr_vmpage_meta(vm->pages, pa);
        if (write && fr)
            fr->dirty = true;
        else if (fr && !fr->dirty)
            prot &= ~GR_PROT_WRITE;
    }
    if (write && top && mapped) {
        /* A translation fault found the descriptor invalid, so only a
         * permission fault can be an upgrade of a page already mapped. */
        gr_vmpmap_leaf l;
        if (gr_vmpmap_lookup(t->pmap, va, &l) && l.pa == pa)
            vm->st.cow_upgrades++;
    }
    vm->cause = GR_VM_CAUSE_COW;
    int r = gr_vmpmap_enter(t->pmap, va, pa, prot,
                            k == GR_VMOBJ_DEVICE ? GR_VMPMAP_ATTR_DEVICE
                                                 : GR_VMPMAP_ATTR_NORMAL,
                            GR_VMPMAP_AF);
    if (r)
        return r == -2 ? GR_VM_NOMEM : GR_VM_INVAL;
    if (e->wired && k != GR_VMOBJ_DEVICE)
        gr_vmpage_wire(vm->pages, pa);
    return GR_VM_OK;
}

/* Stack growth: an access between the guard page and the stack entry
 * extends the entry down to the faulting page. */
static gr_vmmap_entry *grow_stack(gr_vm *vm, task *t, uint64_t va)
{
    if (va < t->stack_floor || va >= t->stack_top)
        return NULL;
    uint64_t page = va & ~(pgsz(t) - 1);
    gr_vmmap_entry *s = gr_vmmap_lookup(t->map, t->stack_top - 1);
    if (!s || !s->grows_down || page >= s->start || !s->obj)
        return NULL;
    uint64_t grow = s->start - page;
    if (grow > s->offset || !gr_vmmap_is_free(t->map, page, s->start))
        return NULL;
    s->start = page;
    s->offset -= grow;
    vm->st.stack_growths++;
    return s;
}

static int vm_fault(gr_vm *vm, task *t, const gr_xlat *x)
{
    uint64_t va = x->req.va;
    unsigned need = x->req.acc == GR_ACC_WRITE  ? GR_PROT_WRITE
                    : x->req.acc == GR_ACC_EXEC ? GR_PROT_EXEC
                                                : GR_PROT_READ;
    vm->st.faults++;
    t->faults++;
    switch (x->fault.type) {
    case GR_FAULT_TRANSLATION:
        vm->st.translation_faults++;
        break;
    case GR_FAULT_PERMISSION:
        vm->st.permission_faults++;
        break;
    case GR_FAULT_ACCESS_FLAG:
        vm->st.af_faults++;
        break;
    default:
        return GR_VM_SEGV_MAPERR; /* address size / external abort: bad VA */
    }
    if (va >= USER_TOP)
        return GR_VM_SEGV_MAPERR;
    gr_vmmap_entry *e = gr_vmmap_lookup(t->map, va);
    if (!e && x->fault.type == GR_FAULT_TRANSLATION)
        e = grow_stack(vm, t, va);
    if (!e)
        return GR_VM_SEGV_MAPERR;
    if (!(e->prot & need) || !e->obj)
        return GR_VM_SEGV_ACCERR;
    uint64_t page = va & ~(pgsz(t) - 1);
    if (x->fault.type == GR_FAULT_ACCESS_FLAG) {
        vm->cause = GR_VM_CAUSE_AF;
        if (gr_vmpmap_set_af(t->pmap, page))
            return GR_VM_OK;
    }
    return resolve(vm, t, e, page, need, x->fault.type != GR_FAULT_TRANSLATION);
}

/* Store data (GR_VM_STORE_*): one doubleword at va & ~7, value from the
 * store generator (splitmix64 seeded with cfg.seed). */
static void store(gr_vm *vm, uint64_t va, uint64_t pa)
{
    uint64_t z = (vm->store_rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    uint64_t h = z ^ (z >> 31), v = h;
    if (vm->cfg.store_data == GR_VM_STORE_PATTERN) {
        switch (h & 3) {
        case 0:
            break;
        case 1:
            v = (va & ~0xfffull) | (h >> 8 & 0xff8);
            break;
        default:
            v = h >> 56;
        }
    }
    if (gr_pmem_write64(vm->mem, pa & ~7ull, v) == GR_PMEM_OK)
        vm->st.stores++;
}

int gr_vm_access(gr_vm *vm, int pid, uint64_t va, gr_acc acc, void *buf,
                 size_t len, gr_vm_result *res)
{
    gr_vm_result dummy;
    if (!res)
        res = &dummy;
    memset(res, 0, sizeof *res);
    res->va = va;
    task *t = vm ? get(vm, pid) : NULL;
    if (!t)
        return res->status = GR_VM_NOPID;
    if ((unsigned)acc > GR_ACC_EXEC || (len && va + len - 1 < va))
        return res->status = GR_VM_INVAL;
    gr_vm_switch(vm, pid);
    uint8_t *p = buf;
    uint64_t pg = pgsz(t);
    do {
        gr_req q = {va, acc, 0};
        gr_xlat x;
        unsigned tries = 0;
        for (;;) {
            vm->be.ops->translate(vm->be.ctx, &q, &x);
            vm->st.translations++;
            if (x.fault.type == GR_FAULT_NONE)
                break;
            res->fault = x.fault;
            res->va = va;
            if (tries++ >= vm->cfg.max_retries)
                return res->status = GR_VM_RETRY;
            if (vm->cfg.pageout && !vm->in_pageout &&
                gr_vmpage_count(vm->pages, GR_VMPAGE_Q_FREE) < gr_vmpage_total(vm->pages) / 32)
                gr_vm_pageout(vm, gr_vmpage_total(vm->pages) / 16);
            int r = vm_fault(vm, t, &x);
            if (r == GR_VM_NOMEM && vm->cfg.pageout && !vm->in_pageout &&
                gr_vm_pageout(vm, gr_vmpage_total(vm->pages) / 16))
                continue; /* frames were reclaimed: fault again */
            if (vm->cfg.pageout)
                gr_vm_pressure(vm);
            if (r) {
                if (r == GR_VM_SEGV_MAPERR || r == GR_VM_SEGV_ACCERR ||
                    r == GR_VM_BUS_ADRERR)
                    vm->st.violations++;
                else if (r == GR_VM_NOMEM)
                    vm->st.nomem++;
                return res->status = r;
            }
            res->faults++;
        }
        res->va = va;
        res->pa = x.pa;
        if (!buf && acc == GR_ACC_WRITE && vm->cfg.store_data)
            store(vm, va, x.pa);
        uint64_t n = pg - (va & (pg - 1));
        if (n > len)
            n = len;
        if (buf && n) {
            int r = acc == GR_ACC_WRITE ? gr_pmem_load(vm->mem, x.pa, p, n)
                                        : gr_pmem_dump(vm->mem, x.pa, p, n);
            if (r)
                return res->status = GR_VM_IOERR;
            p += n;
        }
        va += n;
        len -= n;
    } while (len);
    return res->status = GR_VM_OK;
}

/* ---- fork / exit ---- */

int gr_vm_fork(gr_vm *vm, int pid, int *child)
{
    task *p = vm ? get(vm, pid) : NULL;
    if (!p)
        return GR_VM_NOPID;
    int err;
    task *c = new_task(vm, p->name, p->shift, &err);
    if (!c)
        return err;
    p = get(vm, pid); /* the task array may have moved */
    c->ppid = pid;
    c->text = p->text;
    c->heap_start = p->heap_start;
    c->heap_max = p->heap_max;
    c->brk = p->brk;
    c->stack_top = p->stack_top;
    c->stack_floor = p->stack_floor;
    c->shared = p->shared;
    vm->st.forks++;
    for (unsigned i = 0; i < gr_vmmap_count(p->map); i++) {
        gr_vmmap_entry *e = gr_vmmap_at(p->map, i);
        if (e->inherit == GR_INHERIT_NONE)
            continue;
        gr_vmmap_entry ce = *e;
        ce.wired = 0;
        if (e->obj && e->inherit == GR_INHERIT_SHARE) {
            /* vm_map_fork_share: a pending copy is made now, so both tasks
             * share the same (new) object. */
            if (e->needs_copy && (err = shadow_entry(vm, e)))
                goto fail;
            ce = *e;
            ce.wired = 0;
        } else if (e->obj) {
            /* Symmetric copy-on-write: both entries share the object and
             * must shadow it before writing; the parent loses write access
             * to the pages it has mapped. */
            e->needs_copy = true;
            ce.needs_copy = true;
            if (e->prot & GR_PROT_WRITE) {
                vm->cause = GR_VM_CAUSE_FORK;
                gr_vmpmap_protect(p->pmap, e->start, e->end, e->prot & ~GR_PROT_WRITE);
            }
        }
        if (ce.obj)
            gr_vmobj_ref(ce.obj);
        int r = gr_vmmap_insert(c->map, &ce);
        if (r) {
            gr_vmobj_release(ce.obj);
            err = GR_VM_NOMEM;
            goto fail;
        }
    }
    *child = c->pid;
    return GR_VM_OK;
fail:
    teardown(vm, c);
    return err;
}

typedef struct del_ctx {
    gr_vm *vm;
    task *t;
    bool remove; /* munmap: remove mappings (exit destroys the pmap) */
} del_ctx;

static bool unwire_one(void *arg, uint64_t va, const gr_vmpmap_leaf *l)
{
    (void)va;
    gr_vmpage_unwire(arg, l->pa);
    return true;
}

static bool wire_one(void *arg, uint64_t va, const gr_vmpmap_leaf *l)
{
    (void)va;
    gr_vmpage_wire(arg, l->pa);
    return true;
}

/* References to o held by entries of m (clipped pieces of one mapping). */
static uint32_t refs_in_map(gr_vmmap *m, const gr_vmobj *o)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < gr_vmmap_count(m); i++)
        n += gr_vmmap_at(m, i)->obj == o;
    return n;
}

static void on_delete(void *arg, gr_vmmap_entry *e)
{
    del_ctx *d = arg;
    gr_vm *vm = d->vm;
    if (e->wired) {
        for (uint32_t i = 0; i < e->wired; i++)
            gr_vmpmap_foreach(d->t->pmap, e->start, e->end, unwire_one, vm->pages);
        e->wired = 0;
    }
    if (d->remove) {
        vm->cause = GR_VM_CAUSE_UNMAP;
        gr_vmpmap_remove(d->t->pmap, e->start, e->end);
    }
    if (e->obj && e->shared && gr_vmobj_kind_of(e->obj) == GR_VMOBJ_VNODE) {
        int64_t n = gr_vmobj_sync(e->obj);
        (void)n;
    }
    /* Pages only this entry could reach are freed now (munmap of part of
     * a private anonymous region); the TLBIs above were already issued. */
    if (d->remove && e->obj && gr_vmobj_kind_of(e->obj) == GR_VMOBJ_ANON &&
        !e->shared && !gr_vmobj_shadowed(e->obj) &&
        gr_vmobj_refs(e->obj) == refs_in_map(d->t->map, e->obj)) {
        uint64_t s = e->offset >> d->t->shift;
        gr_vmobj_discard(e->obj, s, s + ((e->end - e->start) >> d->t->shift));
    }
}

static void teardown(gr_vm *vm, task *t)
{
    del_ctx d = {vm, t, false};
    for (unsigned i = 0; i < gr_vmmap_count(t->map); i++)
        on_delete(&d, gr_vmmap_at(t->map, i));
    /* TLBI ASIDE1 (in pmap destroy) before any frame is freed. */
    vm->cause = GR_VM_CAUSE_EXIT;
    gr_vmpmap_destroy(t->pmap);
    gr_vmmap_destroy(t->map);
    vm->tasks[t->pid - 1] = NULL;
    if (vm->current == t->pid)
        vm->current = 0;
    gr_vmzone_free(vm->zones[1], t);
}

int gr_vm_exit(gr_vm *vm, int pid)
{
    task *t = vm ? get(vm, pid) : NULL;
    if (!t)
        return GR_VM_NOPID;
    teardown(vm, t);
    return GR_VM_OK;
}

void gr_vm_destroy(gr_vm *vm)
{
    if (!vm)
        return;
    for (unsigned i = 0; i < vm->ntasks; i++)
        if (vm->tasks[i])
            teardown(vm, vm->tasks[i]);
    free(vm->tasks);
    for (int i = 0; i < 2; i++)
        gr_vmobj_release(vm->shared_obj[i]);
    for (unsigned i = 0; i < vm->nvnodes; i++)
        gr_vmobj_release(vm->vnodes[i]);
    free(vm->vnodes);
    /* Objects are gone (their compressed pages dropped): now the pool. */
    gr_vmcomp_destroy(vm->comp);
    vm->cause = GR_VM_CAUSE_EXIT;
    gr_vmpmap_destroy(vm->kpmap);
    gr_vmpage_destroy(vm->pages);
    free(vm->log);
    free(vm->hist);
    gr_vmzone_destroy(vm->zones[0]);
    gr_vmzone_destroy(vm->zones[1]);
    free(vm);
}

/* ---- mmap family ---- */

static gr_vmobj *vnode_get(gr_vm *vm, const char *path, unsigned shift)
{
    for (unsigned i = 0; i < vm->nvnodes; i++) {
        gr_vmobj *o = vm->vnodes[i];
        if (gr_vmobj_page_shift(o) == shift && strcmp(gr_vmobj_path(o), path) == 0) {
            gr_vmobj_ref(o);
            return o;
        }
    }
    if (vm->nvnodes == vm->vcap) {
        unsigned cap = vm->vcap ? 2 * vm->vcap : 8;
        gr_vmobj **n = realloc(vm->vnodes, cap * sizeof *n);
        if (!n)
            return NULL;
        vm->vnodes = n;
        vm->vcap = cap;
    }
    /* The cache keeps one reference (the unified buffer cache keeps file
     * pages after the last unmap). */
    gr_vmobj *o = gr_vmobj_create_vnode(&vm->env, shift, path);
    if (!o)
        return NULL;
    vm->vnodes[vm->nvnodes++] = o;
    gr_vmobj_ref(o);
    return o;
}

static int place(task *t, uint64_t addr, uint64_t len, unsigned flags, uint64_t *out)
{
    if (flags & GR_MAP_FIXED) {
        if (addr & (pgsz(t) - 1) || !gr_vmmap_is_free(t->map, addr, addr + len))
            return addr & (pgsz(t) - 1) || addr + len > USER_TOP || addr + len < addr
                       ? GR_VM_INVAL
                       : GR_VM_EXISTS;
        *out = addr;
        return GR_VM_OK;
    }
    uint64_t lo = addr ? round_up(addr, pgsz(t)) : 0x300000000ull;
    if (gr_vmmap_find_space(t->map, len, pgsz(t), lo, USER_TOP, out) &&
        gr_vmmap_find_space(t->map, len, pgsz(t), PAGEZERO_END, USER_TOP, out))
        return GR_VM_NOSPACE;
    return GR_VM_OK;
}

int gr_vm_mmap(gr_vm *vm, int pid, uint64_t addr, uint64_t len, unsigned prot,
               unsigned flags, const char *path, uint64_t off, uint64_t *out)
{
    task *t = vm ? get(vm, pid) : NULL;
    if (!t)
        return GR_VM_NOPID;
    bool shared = flags & GR_MAP_SHARED, anon = flags & GR_MAP_ANON;
    if (len == 0 || shared == !!(flags & GR_MAP_PRIVATE) || prot & ~GR_PROT_ALL ||
        (!anon && !path) || off & (pgsz(t) - 1) || !out)
        return GR_VM_INVAL;
    len = round_up(len, pgsz(t));
    if (len == 0)
        return GR_VM_INVAL;
    uint64_t a;
    int r = place(t, addr, len, flags, &a);
    if (r)
        return r;
    gr_vmobj *o;
    if (anon) {
        o = gr_vmobj_create_anon(&vm->env, t->shift, len);
        off = 0;
    } else {
        o = vnode_get(vm, path, t->shift);
        if (!o)
            return GR_VM_IOERR;
        if (shared && (prot & GR_PROT_WRITE) && !gr_vmobj_writable_file(o)) {
            gr_vmobj_release(o);
            return GR_VM_PROT;
        }
    }
    if (!o)
        return GR_VM_NOMEM;
    gr_vmmap_entry e = {0};
    e.start = a;
    e.end = a + len;
    e.prot = prot;
    e.max_prot = GR_PROT_ALL;
    e.obj = o;
    e.offset = off;
    e.shared = shared;
    e.inherit = shared ? GR_INHERIT_SHARE : GR_INHERIT_COPY;
    e.needs_copy = !anon && !shared; /* private file mapping: copy on write */
    e.tag = (uint8_t)(anon ? GR_VMMAP_TAG_ANON : GR_VMMAP_TAG_MAPPED_FILE);
    if (gr_vmmap_insert(t->map, &e)) {
        gr_vmobj_release(o);
        return GR_VM_NOMEM;
    }
    *out = a;
    return GR_VM_OK;
}

int gr_vm_map_device(gr_vm *vm, int pid, uint64_t pa, uint64_t len,
                     unsigned prot, uint64_t *out)
{
    task *t = vm ? get(vm, pid) : NULL;
    if (!t)
        return GR_VM_NOPID;
    len = round_up(len, pgsz(t));
    if (!len || pa & (pgsz(t) - 1) || !out || prot & ~GR_PROT_ALL ||
        (pa < vm->cfg.ram_base + vm->cfg.ram_size && pa + len > vm->cfg.ram_base))
        return GR_VM_INVAL;
    uint64_t a;
    int r = place(t, 0, len, 0, &a);
    if (r)
        return r;
    gr_vmobj *o = gr_vmobj_create_device(&vm->env, t->shift, pa, len);
    if (!o)
        return GR_VM_NOMEM;
    gr_vmmap_entry e = {0};
    e.start = a;
    e.end = a + len;
    e.prot = prot & ~GR_PROT_EXEC;
    e.max_prot = GR_PROT_READ | GR_PROT_WRITE;
    e.obj = o;
    e.shared = true;
    e.inherit = GR_INHERIT_SHARE;
    e.tag = GR_VMMAP_TAG_DEVICE;
    if (gr_vmmap_insert(t->map, &e)) {
        gr_vmobj_release(o);
        return GR_VM_NOMEM;
    }
    *out = a;
    return GR_VM_OK;
}

/* The prologue of every call on a range of a task's pages: the task, and
 * [addr, addr + *len) page-aligned (len rounded up to pages, not 0) inside
 * the user half. */
static int task_range(gr_vm *vm, int pid, uint64_t addr, uint64_t *len, task **tp)
{
    task *t = vm ? get(vm, pid) : NULL;
    if (!t)
        return GR_VM_NOPID;
    if (addr & (pgsz(t) - 1) || *len == 0)
        return GR_VM_INVAL;
    *len = round_up(*len, pgsz(t));
    if (addr + *len < addr || addr + *len > USER_TOP)
        return GR_VM_INVAL;
    *tp = t;
    return GR_VM_OK;
}

int gr_vm_munmap(gr_vm *vm, int pid, uint64_t addr, uint64_t len)
{
    task *t;
    int r = task_range(vm, pid, addr, &len, &t);
    if (r)
        return r;
    del_ctx d = {vm, t, true};
    if (gr_vmmap_delete(t->map, addr, addr + len, on_delete, &d) < 0)
        return GR_VM_NOMEM;
    return GR_VM_OK;
}

/* Every page of [a, b) is covered by entries. */
static bool covered(task *t, uint64_t a, uint64_t b)
{
    while (a < b) {
        gr_vmmap_entry *e = gr_vmmap_lookup(t->map, a);
        if (!e)
            return false;
        a = e->end;
    }
    return true;
}

int gr_vm_mprotect(gr_vm *vm, int pid, uint64_t addr, uint64_t len, unsigned prot)
{
    task *t;
    int r = task_range(vm, pid, addr, &len, &t);
    if (r)
        return r;
    if (prot & ~GR_PROT_ALL)
        return GR_VM_INVAL;
    uint64_t end = addr + len;
    if (!covered(t, addr, end))
        return GR_VM_NOSPACE;
    for (uint64_t a = addr; a < end;) {
        gr_vmmap_entry *e = gr_vmmap_lookup(t->map, a);
        if (prot & ~e->max_prot)
            return GR_VM_PROT;
        a = e->end;
    }
    if (gr_vmmap_clip(t->map, addr) || gr_vmmap_clip(t->map, end))
        return GR_VM_NOMEM;
    for (uint64_t a = addr; a < end;) {
        gr_vmmap_entry *e = gr_vmmap_lookup(t->map, a);
        e->prot = prot;
        a = e->end;
    }
    /* Lower the rights of what is mapped; raised rights arrive by faults. */
    vm->cause = GR_VM_CAUSE_PROTECT;
    gr_vmpmap_protect(t->pmap, addr, end, prot);
    return GR_VM_OK;
}

int gr_vm_brk(gr_vm *vm, int pid, uint64_t new_end, uint64_t *cur)
{
    task *t = vm ? get(vm, pid) : NULL;
    if (!t)
        return GR_VM_NOPID;
    int r = GR_VM_OK;
    if (new_end) {
        new_end = round_up(new_end, pgsz(t));
        if (new_end < t->heap_start || new_end > t->heap_max) {
            r = GR_VM_NOMEM;
        } else if (new_end > t->brk) {
            gr_vmmap_entry *e = gr_vmmap_lookup(t->map, t->brk - 1);
            if (!gr_vmmap_is_free(t->map, t->brk, new_end))
                r = GR_VM_NOSPACE;
            else if (e && e->tag == GR_VMMAP_TAG_MALLOC && e->obj && e->end == t->brk &&
                     e->offset + (new_end - e->start) <= gr_vmobj_size(e->obj))
                e->end = new_end;
            else
                r = add_anon(vm, t, t->brk, new_end - t->brk, GR_PROT_READ | GR_PROT_WRITE,
                             GR_VMMAP_TAG_MALLOC);
            if (!r)
                t->brk = new_end;
        } else if (new_end < t->brk) {
            r = gr_vm_munmap(vm, pid, new_end, t->brk - new_end);
            if (!r)
                t->brk = new_end;
        }
    }
    if (cur)
        *cur = t->brk;
    return r;
}

int gr_vm_wire(gr_vm *vm, int pid, uint64_t addr, uint64_t len, bool wire)
{
    task *t;
    int r = task_range(vm, pid, addr, &len, &t);
    if (r)
        return r;
    uint64_t end = addr + len;
    if (!covered(t, addr, end))
        return GR_VM_NOSPACE;
    if (gr_vmmap_clip(t->map, addr) || gr_vmmap_clip(t->map, end))
        return GR_VM_NOMEM;
    for (uint64_t a = addr; a < end;) {
        gr_vmmap_entry *e = gr_vmmap_lookup(t->map, a);
        a = e->end;
        if (!wire) {
            if (e->wired) {
                gr_vmpmap_foreach(t->pmap, e->start, e->end, unwire_one, vm->pages);
                e->wired--;
            }
            continue;
        }
        if (!e->obj || !(e->prot & GR_PROT_READ))
            return GR_VM_SEGV_ACCERR;
        /* Fault every page in (for writing if writable, so no copy-on-write
         * is pending on a wired page), then wire the frames. */
        gr_acc acc = e->prot & GR_PROT_WRITE ? GR_ACC_WRITE : GR_ACC_READ;
        uint64_t s = e->start, n = e->end;
        for (uint64_t p = s; p < n; p += pgsz(t)) {
            gr_vm_result res;
            if (gr_vm_access(vm, pid, p, acc, NULL, 0, &res))
                return res.status;
        }
        e = gr_vmmap_lookup(t->map, s);
        if (gr_vmobj_kind_of(e->obj) != GR_VMOBJ_DEVICE)
            gr_vmpmap_foreach(t->pmap, s, n, wire_one, vm->pages);
        e->wired++;
    }
    return GR_VM_OK;
}

int gr_vm_inherit(gr_vm *vm, int pid, uint64_t addr, uint64_t len, gr_inherit inh)
{
    task *t;
    int r = task_range(vm, pid, addr, &len, &t);
    if (r)
        return r;
    if ((unsigned)inh > GR_INHERIT_NONE)
        return GR_VM_INVAL;
    if (gr_vmmap_clip(t->map, addr) || gr_vmmap_clip(t->map, addr + len))
        return GR_VM_NOMEM;
    for (unsigned i = 0; i < gr_vmmap_count(t->map); i++) {
        gr_vmmap_entry *e = gr_vmmap_at(t->map, i);
        if (e->start >= addr && e->end <= addr + len)
            e->inherit = inh;
    }
    return GR_VM_OK;
}

int gr_vm_msync(gr_vm *vm, int pid, uint64_t addr, uint64_t len)
{
    task *t;
    int r = task_range(vm, pid, addr, &len, &t);
    if (r)
        return r;
    for (unsigned i = 0; i < gr_vmmap_count(t->map); i++) {
        gr_vmmap_entry *e = gr_vmmap_at(t->map, i);
        if (e->end > addr && e->start < addr + len && e->shared && e->obj &&
            gr_vmobj_kind_of(e->obj) == GR_VMOBJ_VNODE && gr_vmobj_sync(e->obj) < 0)
            return GR_VM_IOERR;
    }
    return GR_VM_OK;
}

/* ---- queries ---- */

int gr_vm_lookup_page(gr_vm *vm, int pid, uint64_t va, gr_vm_expect *x)
{
    task *t = vm ? get(vm, pid) : NULL;
    if (!t || !x)
        return GR_VM_NOPID;
    memset(x, 0, sizeof *x);
    gr_vmmap_entry *e = gr_vmmap_lookup(t->map, va);
    if (!e || !e->obj)
        return GR_VM_OK;
    x->mapped = true;
    x->prot = e->prot;
    uint64_t idx = (e->offset + (va - e->start)) >> t->shift;
    gr_vmobj *where;
    uint64_t widx, val;
    gr_vmobj_where w = gr_vmobj_locate(e->obj, idx, &where, &widx, &val);
    if (w == GR_VMOBJ_RESIDENT) {
        x->resident = true;
        x->pa = val;
    }
    x->compressed = w == GR_VMOBJ_COMPRESSED;
    if (w != GR_VMOBJ_ABSENT)
        x->cow_pending = e->needs_copy || where != e->obj;
    return GR_VM_OK;
}

int gr_vm_task_info_get(gr_vm *vm, int pid, gr_vm_task_info *ti)
{
    task *t = vm ? get(vm, pid) : NULL;
    if (!t || !ti)
        return GR_VM_NOPID;
    memset(ti, 0, sizeof *ti);
    snprintf(ti->name, sizeof ti->name, "%s", t->name);
    ti->pid = t->pid;
    ti->ppid = t->ppid;
    ti->asid = t->asid;
    ti->page_shift = t->shift;
    ti->text = t->text;
    ti->heap_start = t->heap_start;
    ti->brk = t->brk;
    ti->stack_top = t->stack_top;
    ti->shared_cache = vm->shared_obj[0] ? t->shared : 0;
    ti->rss = gr_vmpmap_resident(t->pmap) << t->shift;
    ti->vsz = gr_vmmap_size(t->map);
    ti->ttbr0 = t->regs.ttbr0;
    ti->tcr = t->regs.tcr;
    ti->faults = t->faults;
    return GR_VM_OK;
}

unsigned gr_vm_pids(const gr_vm *vm, int *pids, unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; i < vm->ntasks && n < max; i++)
        if (vm->tasks[i])
            pids[n++] = (int)i + 1;
    return n;
}

gr_vmmap *gr_vm_map_of(gr_vm *vm, int pid)
{
    task *t = get(vm, pid);
    return t ? t->map : NULL;
}

gr_vmpmap *gr_vm_pmap_of(gr_vm *vm, int pid)
{
    task *t = get(vm, pid);
    return t ? t->pmap : NULL;
}

void gr_vm_get_stats(const gr_vm *vm, gr_vm_stats *s)
{
    *s = vm->st;
    s->pageins = vm->ostats.pageins;
    s->pageouts = vm->ostats.pageouts;
    s->collapses = vm->ostats.collapses;
}

const gr_vm_tlbi_rec *gr_vm_tlbi_log(const gr_vm *vm, size_t *n)
{
    *n = vm->nlog;
    return vm->log;
}

void gr_vm_tlbi_log_clear(gr_vm *vm)
{
    vm->nlog = 0;
}

void gr_vm_debug_drop_tlbi(gr_vm *vm, unsigned mask)
{
    vm->drop_mask = mask;
}

gr_vmpage *gr_vm_pages(gr_vm *vm) { return vm->pages; }
gr_pmem *gr_vm_pmem(gr_vm *vm) { return vm->mem; }
uint64_t gr_vm_kernel_text(const gr_vm *vm) { (void)vm; return KERNEL_TEXT; }

/* ---- part 2: pageout daemon, purgeable memory, pressure ---- */

typedef struct pv_walk {
    gr_vm *vm;
    uint64_t len;
    bool af;
} pv_walk;

static bool pv_test_af(void *arg, void *pmap, uint64_t va)
{
    pv_walk *w = arg;
    gr_vmpmap_leaf l;
    if (gr_vmpmap_lookup(pmap, va, &l) && l.af) {
        w->af = true;
        return false;
    }
    return true;
}

static bool pv_clear_af(void *arg, void *pmap, uint64_t va)
{
    (void)arg;
    gr_vmpmap_clear_af(pmap, va); /* TLBI VALE1 when AF was set */
    return true;
}

static bool pv_unmap(void *arg, void *pmap, uint64_t va)
{
    (void)arg;
    gr_vmpmap_remove_page(pmap, va); /* TLBI VALE1 */
    return true;
}

/* Referenced since its AF was last cleared: some mapping has AF set again
 * (an access-flag fault set it, or the walker with TCR.HA). */
static bool referenced(gr_vm *vm, uint64_t pa)
{
    pv_walk w = {vm, 0, false};
    gr_vmpage_pv_foreach(vm->pages, pa, pv_test_af, &w);
    return w.af;
}

/* Every translation of the frame goes, each with its TLBI, before the
 * frame may be reused (the same rule munmap follows). */
static void unmap_all(gr_vm *vm, uint64_t pa, uint64_t len, gr_vm_cause cause)
{
    pv_walk w = {vm, len, false};
    vm->cause = cause;
    gr_vmpage_pv_foreach(vm->pages, pa, pv_unmap, &w);
}

static void deactivate(gr_vm *vm, uint64_t pa)
{
    vm->cause = GR_VM_CAUSE_AGE;
    gr_vmpage_pv_foreach(vm->pages, pa, pv_clear_af, vm);
    gr_vmpage_set_queue(vm->pages, pa, GR_VMPAGE_Q_INACTIVE);
    vm->st.deactivations++;
}

/* Reclaims one unreferenced page. @return 0, or -1 if it must stay. */
static int evict(gr_vm *vm, uint64_t pa)
{
    gr_vmpage_frame *fr = gr_vmpage_meta(vm->pages, pa);
    gr_vmobj *o = fr ? fr->owner : NULL;
    if (!o || fr->wire_count)
        return -1;
    unsigned shift = gr_vmobj_page_shift(o);
    uint32_t len = 1u << shift;
    uint64_t idx = fr->offset >> shift;
    switch (gr_vmobj_kind_of(o)) {
    case GR_VMOBJ_ANON: {
        uint8_t buf[1u << 14];
        uint64_t h;
        if (gr_pmem_dump(vm->mem, pa, buf, len) || gr_vmcomp_put(vm->comp, buf, len, &h))
            return -1;
        if (gr_vmobj_set_compressed(o, idx, h)) {
            gr_vmcomp_free(vm->comp, h);
            return -1;
        }
        unmap_all(vm, pa, len, GR_VM_CAUSE_PAGEOUT);
        gr_vmpage_free(vm->pages, pa);
        vm->st.compressions++;
        return 0;
    }
    case GR_VMOBJ_VNODE:
        unmap_all(vm, pa, len, GR_VM_CAUSE_PAGEOUT);
        if (gr_vmobj_write_page(o, idx) < 0)
            return -1; /* stays resident (unmapped: the next access refaults) */
        gr_vmobj_remove_resident(o, idx);
        gr_vmpage_free(vm->pages, pa);
        vm->st.file_drops++;
        return 0;
    default:
        return -1;
    }
}

typedef struct purge_walk {
    gr_vm *vm;
    uint64_t len, n;
} purge_walk;

static bool purge_page(void *arg, uint64_t idx, uint64_t pa)
{
    (void)idx;
    purge_walk *w = arg;
    unmap_all(w->vm, pa, w->len, GR_VM_CAUSE_PURGE);
    w->n++;
    return true;
}

/* The distinct objects of every task's entries with purgeable state st
 * (up to max). */
static unsigned objects_in_state(gr_vm *vm, gr_vmobj_purge st, gr_vmobj **out, unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; i < vm->ntasks; i++) {
        task *t = vm->tasks[i];
        for (unsigned k = 0; t && k < gr_vmmap_count(t->map); k++) {
            gr_vmobj *o = gr_vmmap_at(t->map, k)->obj;
            if (!o || gr_vmobj_purgeable(o) != st)
                continue;
            unsigned j = 0;
            while (j < n && out[j] != o)
                j++;
            if (j == n && n < max)
                out[n++] = o;
        }
    }
    return n;
}

/* Empties every volatile object (XNU purges volatile objects before it
 * pages anything out): mappings removed with TLBIs, frames freed,
 * compressed copies dropped; the owner then sees EMPTY. */
static void purge_volatile(gr_vm *vm)
{
    gr_vmobj *objs[64];
    unsigned n = objects_in_state(vm, GR_VMOBJ_PURGE_VOLATILE, objs, 64);
    for (unsigned i = 0; i < n; i++) {
        purge_walk w = {vm, 1ull << gr_vmobj_page_shift(objs[i]), 0};
        gr_vmobj_foreach_resident(objs[i], purge_page, &w);
        gr_vmobj_empty(objs[i]);
        gr_vmobj_set_purgeable(objs[i], GR_VMOBJ_PURGE_EMPTY);
        vm->st.purges++;
        vm->st.purged_pages += w.n;
    }
    vm->nvolatile = 0;
}

static uint64_t volatile_frames(gr_vm *vm)
{
    if (!vm->nvolatile)
        return 0;
    gr_vmobj *objs[64];
    unsigned n = objects_in_state(vm, GR_VMOBJ_PURGE_VOLATILE, objs, 64);
    uint64_t f = 0;
    for (unsigned i = 0; i < n; i++)
        f += gr_vmobj_resident(objs[i]) << (gr_vmobj_page_shift(objs[i]) - 12);
    return f;
}

const char *gr_vm_pressure_name(gr_vm_pressure_level l)
{
    static const char *const names[] = {
#define GR_VM_PRESSURE_NAME_(e, n) n,
        GR_VM_PRESSURE_LEVELS(GR_VM_PRESSURE_NAME_)
#undef GR_VM_PRESSURE_NAME_
    };
    return (unsigned)l < 4 ? names[l] : "?";
}

gr_vm_pressure_level gr_vm_pressure(gr_vm *vm)
{
    uint64_t total = gr_vmpage_total(vm->pages) >> 12;
    uint64_t avail = (gr_vmpage_count(vm->pages, GR_VMPAGE_Q_FREE) +
                      gr_vmpage_count(vm->pages, GR_VMPAGE_Q_INACTIVE) +
                      gr_vmpage_count(vm->pages, GR_VMPAGE_Q_SPECULATIVE)) >> 12;
    avail += volatile_frames(vm);
    gr_vm_pressure_level l = avail * 100 >= 20 * total   ? GR_VM_PRESSURE_NORMAL
                             : avail * 100 >= 10 * total ? GR_VM_PRESSURE_WARNING
                             : avail * 100 >= 5 * total  ? GR_VM_PRESSURE_URGENT
                                                         : GR_VM_PRESSURE_CRITICAL;
    if (l != vm->level) {
        if (!vm->hist)
            vm->hist = malloc(HIST_MAX * sizeof *vm->hist);
        if (vm->hist && vm->nhist < HIST_MAX)
            vm->hist[vm->nhist++] =
                (gr_vm_pressure_event){vm->st.faults, (uint8_t)vm->level, (uint8_t)l};
        vm->level = l;
        vm->st.pressure_changes++;
    }
    /* Swap files no longer needed go when the pressure is normal (the
     * seed's lazy deallocation), not as soon as they empty. */
    if (l == GR_VM_PRESSURE_NORMAL)
        gr_vmcomp_swap_trim(vm->comp);
    return l;
}

const gr_vm_pressure_event *gr_vm_pressure_history(const gr_vm *vm, size_t *n)
{
    *n = vm->nhist;
    return vm->hist;
}

uint64_t gr_vm_pageout(gr_vm *vm, uint64_t want)
{
    if (!vm || vm->in_pageout)
        return 0;
    gr_vmpage *pg = vm->pages;
    uint64_t before = gr_vmpage_count(pg, GR_VMPAGE_Q_FREE);
    if (before >= want)
        return 0;
    vm->in_pageout = true;
    gr_vm_cause saved = vm->cause;
    vm->st.pageout_runs++;
    if (vm->nvolatile)
        purge_volatile(vm);
    /* Pages a full compressor refused get another chance. */
    for (uint64_t pa; (pa = gr_vmpage_first(pg, GR_VMPAGE_Q_THROTTLED)) != UINT64_MAX;)
        gr_vmpage_set_queue(pg, pa, GR_VMPAGE_Q_INACTIVE);
    uint64_t budget = 2 * ((gr_vmpage_count(pg, GR_VMPAGE_Q_ACTIVE) +
                            gr_vmpage_count(pg, GR_VMPAGE_Q_INACTIVE) +
                            gr_vmpage_count(pg, GR_VMPAGE_Q_SPECULATIVE)) >> 12) + 16;
    while (gr_vmpage_count(pg, GR_VMPAGE_Q_FREE) < want && budget--) {
        /* Keep a third of the pageable pages inactive (XNU's
         * vm_page_inactive_target is a fraction of the same kind). */
        while (gr_vmpage_count(pg, GR_VMPAGE_Q_INACTIVE) * 3 <
                   gr_vmpage_count(pg, GR_VMPAGE_Q_ACTIVE) + gr_vmpage_count(pg, GR_VMPAGE_Q_INACTIVE) &&
               gr_vmpage_first(pg, GR_VMPAGE_Q_ACTIVE) != UINT64_MAX)
            deactivate(vm, gr_vmpage_first(pg, GR_VMPAGE_Q_ACTIVE));
        uint64_t pa = gr_vmpage_first(pg, GR_VMPAGE_Q_SPECULATIVE);
        if (pa == UINT64_MAX)
            pa = gr_vmpage_first(pg, GR_VMPAGE_Q_INACTIVE);
        if (pa == UINT64_MAX)
            break;
        if (referenced(vm, pa)) {
            gr_vmpage_set_queue(pg, pa, GR_VMPAGE_Q_ACTIVE);
            vm->st.reactivations++;
        } else if (evict(vm, pa)) {
            gr_vmpage_set_queue(pg, pa, GR_VMPAGE_Q_THROTTLED);
            vm->st.throttled++;
        }
    }
    vm->cause = saved;
    vm->in_pageout = false;
    uint64_t after = gr_vmpage_count(pg, GR_VMPAGE_Q_FREE);
    return after > before ? after - before : 0;
}

int gr_vm_purgeable(gr_vm *vm, int pid, uint64_t addr, int st, gr_vmobj_purge *old)
{
    task *t = vm ? get(vm, pid) : NULL;
    if (!t)
        return GR_VM_NOPID;
    gr_vmmap_entry *e = gr_vmmap_lookup(t->map, addr);
    if (!e || e->start != addr)
        return GR_VM_SEGV_MAPERR;
    if (!e->obj || gr_vmobj_kind_of(e->obj) != GR_VMOBJ_ANON || e->needs_copy || e->shared ||
        st > GR_VMOBJ_PURGE_DENY)
        return GR_VM_INVAL;
    gr_vmobj_purge was = gr_vmobj_purgeable(e->obj);
    if (old)
        *old = was;
    if (st < 0 || (gr_vmobj_purge)st == was)
        return GR_VM_OK;
    if (gr_vmobj_set_purgeable(e->obj, (gr_vmobj_purge)st))
        return GR_VM_INVAL;
    if (st == GR_VMOBJ_PURGE_VOLATILE)
        vm->nvolatile++;
    return GR_VM_OK;
}

gr_vmcomp *gr_vm_comp(gr_vm *vm) { return vm ? vm->comp : NULL; }

/* ---- reports ---- */

static void fmt_size(char *b, size_t n, uint64_t v)
{
    if (v >= (1ull << 30) && !(v & ((1ull << 30) - 1)))
        snprintf(b, n, "%lluG", (unsigned long long)(v >> 30));
    else if (v >= (1ull << 20) && !(v & ((1ull << 20) - 1)))
        snprintf(b, n, "%lluM", (unsigned long long)(v >> 20));
    else
        snprintf(b, n, "%lluK", (unsigned long long)(v >> 10));
}

static void prot_str(char *b, unsigned p)
{
    b[0] = p & GR_PROT_READ ? 'r' : '-';
    b[1] = p & GR_PROT_WRITE ? 'w' : '-';
    b[2] = p & GR_PROT_EXEC ? 'x' : '-';
    b[3] = 0;
}

/* Share mode as vmmap prints it. */
static const char *share_mode(const gr_vmmap_entry *e, uint64_t resident)
{
    if (!e->obj)
        return "NUL";
    if (e->shared)
        return "SHM";
    if (e->needs_copy || gr_vmobj_backing(e->obj) || gr_vmobj_refs(e->obj) > 1)
        return "COW";
    return resident ? "PRV" : "NUL";
}

static void print_region(gr_vm *vm, task *t, gr_vmmap_entry *e, FILE *f)
{
    (void)vm;
    uint64_t res = gr_vmpmap_count(t->pmap, e->start, e->end) << t->shift;
    char vs[24], rs[24], p[4], mp[4];
    fmt_size(vs, sizeof vs, e->end - e->start);
    fmt_size(rs, sizeof rs, res);
    prot_str(p, e->prot);
    prot_str(mp, e->max_prot);
    const char *detail = "";
    if (e->obj && gr_vmobj_path(e->obj))
        detail = gr_vmobj_path(e->obj);
    else if (e->tag == GR_VMMAP_TAG_MALLOC)
        detail = "DefaultMallocZone";
    else if (e->tag == GR_VMMAP_TAG_STACK)
        detail = "thread 0";
    fprintf(f, "%-22s %12llx-%-12llx [%7s %7s] %s/%s SM=%s  %s\n",
            gr_vmmap_tag_name((gr_vmmap_tag)e->tag), (unsigned long long)e->start,
            (unsigned long long)e->end, vs, rs, p, mp, share_mode(e, res), detail);
}

int gr_vm_report_vmmap(gr_vm *vm, int pid, FILE *f)
{
    task *t = vm ? get(vm, pid) : NULL;
    if (!t)
        return GR_VM_NOPID;
    fprintf(f, "Virtual Memory Map of process %d (%s)\n", t->pid, t->name);
    fprintf(f, "Output report format:  64-bit process\n");
    fprintf(f, "VM page size:  %llu bytes\n\n", (unsigned long long)pgsz(t));
    for (int w = 0; w < 2; w++) {
        fprintf(f, "==== %s regions for process %d\n", w ? "Writable" : "Non-writable",
                t->pid);
        fprintf(f, "%-22s %12s %-12s [%7s %7s] PRT/MAX SHRMOD  REGION DETAIL\n",
                "REGION TYPE", "START -", "END", "VSIZE", "RSDNT");
        for (unsigned i = 0; i < gr_vmmap_count(t->map); i++) {
            gr_vmmap_entry *e = gr_vmmap_at(t->map, i);
            if (!!(e->prot & GR_PROT_WRITE) == w)
                print_region(vm, t, e, f);
        }
        fputc('\n', f);
    }
    fprintf(f, "==== Legend\nSM=sharing mode:\n"
               "\tCOW=copy_on_write PRV=private NUL=empty SHM=shared\n");
    return GR_VM_OK;
}

void gr_vm_report_ps(gr_vm *vm, FILE *f)
{
    fprintf(f, "%5s %5s %8s %10s %5s %4s %s\n", "PID", "PPID", "RSS", "VSZ", "%MEM",
            "PG", "COMM");
    for (unsigned i = 0; i < vm->ntasks; i++) {
        task *t = vm->tasks[i];
        if (!t)
            continue;
        uint64_t rss = gr_vmpmap_resident(t->pmap) << t->shift;
        fprintf(f, "%5d %5d %8llu %10llu %5.1f %3lluK %s\n", t->pid, t->ppid,
                (unsigned long long)(rss >> 10),
                (unsigned long long)(gr_vmmap_size(t->map) >> 10),
                100.0 * (double)rss / (double)vm->cfg.ram_size,
                (unsigned long long)(pgsz(t) >> 10), t->name);
    }
}

void gr_vm_report_stats(gr_vm *vm, FILE *f)
{
    gr_vm_stats s;
    gr_vm_get_stats(vm, &s);
    fprintf(f, "VM layer statistics: (frame size of 4096 bytes)\n");
    for (int q = 0; q < GR_VMPAGE_Q_COUNT_; q++)
        fprintf(f, "Frames %-20s %12llu.\n", gr_vmpage_queue_name((gr_vmpage_queue)q),
                (unsigned long long)(gr_vmpage_count(vm->pages, (gr_vmpage_queue)q) >> 12));
#define GR_VM_STAT_PRINT_(fld, d) \
    fprintf(f, "%-27s %12llu.\n", #fld ":", (unsigned long long)s.fld);
    GR_VM_STATS(GR_VM_STAT_PRINT_)
#undef GR_VM_STAT_PRINT_
    fprintf(f, "%-27s %12llu.\n", "objects:", (unsigned long long)vm->ostats.objects);
}

/* ---- part 2 reports ---- */

/* Frames of queue q owned by objects of kind k. */
static uint64_t frames_of_kind(gr_vm *vm, gr_vmpage_queue q, gr_vmobj_kind k)
{
    uint64_t n = 0;
    for (uint64_t pa = gr_vmpage_first(vm->pages, q); pa != UINT64_MAX;
         pa = gr_vmpage_next(vm->pages, pa)) {
        gr_vmpage_frame *fr = gr_vmpage_meta(vm->pages, pa);
        if (fr->owner && gr_vmobj_kind_of(fr->owner) == k)
            n += 1u << fr->order;
    }
    return n;
}

void gr_vm_report_vm_stat(gr_vm *vm, FILE *f)
{
    gr_vm_stats s;
    gr_vm_get_stats(vm, &s);
    gr_vmcomp_stats c;
    gr_vmcomp_get_stats(vm->comp, &c);
    gr_vmpage *p = vm->pages;
#define Q_(q) (gr_vmpage_count(p, GR_VMPAGE_Q_##q) >> 12)
    const gr_vmpage_queue pageable[] = {GR_VMPAGE_Q_ACTIVE, GR_VMPAGE_Q_INACTIVE,
                                        GR_VMPAGE_Q_SPECULATIVE, GR_VMPAGE_Q_THROTTLED};
    uint64_t file = 0, pageable_n = 0;
    for (unsigned i = 0; i < 4; i++) {
        file += frames_of_kind(vm, pageable[i], GR_VMOBJ_VNODE);
        pageable_n += gr_vmpage_count(p, pageable[i]) >> 12;
    }
    fprintf(f, "Mach Virtual Memory Statistics: (page size of 4096 bytes)\n");
#define L_(name, v) fprintf(f, "%-29s %16llu.\n", name ":", (unsigned long long)(v))
    L_("Pages free", Q_(FREE));
    L_("Pages active", Q_(ACTIVE));
    L_("Pages inactive", Q_(INACTIVE));
    L_("Pages speculative", Q_(SPECULATIVE));
    L_("Pages throttled", Q_(THROTTLED));
    L_("Pages wired down", Q_(WIRED) + Q_(PTP));
    L_("Pages purgeable", volatile_frames(vm));
    L_("\"Translation faults\"", s.faults);
    L_("Pages copy-on-write", s.cow_faults);
    L_("Pages zero filled", s.zero_fill);
    L_("Pages reactivated", s.reactivations);
    L_("Pages purged", s.purged_pages);
    L_("File-backed pages", file);
    L_("Anonymous pages", pageable_n - file);
    L_("Pages stored in compressor", c.bytes_in >> 12);
    L_("Pages occupied by compressor", Q_(COMPRESSOR));
    L_("Decompressions", s.decompressions);
    L_("Compressions", s.compressions);
    L_("Pageins", s.pageins);
    L_("Pageouts", s.pageouts);
    L_("Swapins", c.swapins);
    L_("Swapouts", c.swapouts);
#undef L_
#undef Q_
}

void gr_vm_report_memory_pressure(gr_vm *vm, FILE *f)
{
    gr_vm_pressure_level l = gr_vm_pressure(vm);
    gr_vmcomp_stats c;
    gr_vmcomp_get_stats(vm->comp, &c);
    gr_vmpage *p = vm->pages;
    uint64_t total = gr_vmpage_total(p), seg = gr_vmcomp_segment_size(vm->comp);
    uint64_t freeb = gr_vmpage_count(p, GR_VMPAGE_Q_FREE);
    fprintf(f, "The system has %llu (%llu pages with a page size of 4096).\n",
            (unsigned long long)total, (unsigned long long)(total >> 12));
    fprintf(f, "%-10s %10s %10s %10s %10s %10s\n", "", "free", "active", "inactive", "wired",
            "compressed");
    fprintf(f, "%-10s %9lluK %9lluK %9lluK %9lluK %9lluK\n", "memory",
            (unsigned long long)(freeb >> 10),
            (unsigned long long)(gr_vmpage_count(p, GR_VMPAGE_Q_ACTIVE) >> 10),
            (unsigned long long)((gr_vmpage_count(p, GR_VMPAGE_Q_INACTIVE) +
                                  gr_vmpage_count(p, GR_VMPAGE_Q_SPECULATIVE)) >> 10),
            (unsigned long long)((gr_vmpage_count(p, GR_VMPAGE_Q_WIRED) +
                                  gr_vmpage_count(p, GR_VMPAGE_Q_PTP)) >> 10),
            (unsigned long long)(gr_vmpage_count(p, GR_VMPAGE_Q_COMPRESSOR) >> 10));
    double ratio = c.segments ? (double)c.bytes_in_memory / (double)(c.segments * seg) : 0.0;
    double frag = c.used_bytes ? 1.0 - (double)c.live_bytes / (double)c.used_bytes : 0.0;
    fprintf(f, "Compressor: %llu pages stored (%llu in memory, %llu raw), %llu segments in "
               "memory, %llu in swap, fragmentation %.1f%%\n",
            (unsigned long long)c.pages, (unsigned long long)c.pages_in_memory,
            (unsigned long long)c.raw_pages, (unsigned long long)c.segments,
            (unsigned long long)c.segments_swapped, 100.0 * frag);
    fprintf(f, "Compressor efficiency: %.2fx (LZ4 bytes in/out %.2fx)\n", ratio,
            c.bytes_out ? (double)c.bytes_in / (double)c.bytes_out : 0.0);
    fprintf(f, "System-wide memory free percentage: %llu%%\n",
            (unsigned long long)(freeb * 100 / total));
    fprintf(f, "Memory pressure: %s (kernel level %d)\n", gr_vm_pressure_name(l), (int)l);
    size_t n;
    const gr_vm_pressure_event *h = gr_vm_pressure_history(vm, &n);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "  after %llu faults: %s -> %s\n", (unsigned long long)h[i].faults,
                gr_vm_pressure_name((gr_vm_pressure_level)h[i].from),
                gr_vm_pressure_name((gr_vm_pressure_level)h[i].to));
}

void gr_vm_report_swapusage(gr_vm *vm, FILE *f)
{
    gr_vmcomp_stats c;
    gr_vmcomp_get_stats(vm->comp, &c);
    fprintf(f, "vm.swapusage: total = %.2fM  used = %.2fM  free = %.2fM  (encrypted)\n",
            (double)c.swap_total / 1048576.0, (double)c.swap_used / 1048576.0,
            (double)(c.swap_total - c.swap_used) / 1048576.0);
}

void gr_vm_report_zprint(gr_vm *vm, FILE *f)
{
    gr_vmzone_report(vm->zones, 2, f);
}
