/*
 * Trace replay: records in batches through gr_mmu_run() (the MMU's fast
 * path: statistics and faults only); a faulting translation goes to the VM
 * layer the way a data or instruction abort goes to an OS, and the access
 * is retried. docs/replay.md has the rules this file implements.
 *
 * The VM layer talks to the MMU through a backend of our own (gr_vmbe), so
 * that the fault the fast path already saw is handed to the VM layer
 * without translating it a second time, and the VM layer's re-translation
 * after resolving it is marked as a retry (gr_mmu_req.retry): the MMU's
 * statistics then count one access and one retry per resolved fault, which
 * is what the hardware sees when the faulting instruction is re-executed.
 */
#include "replay.h"

#include <errno.h>
#include <sys/resource.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "granule/mmu.h"
#include "granule/trace.h"

#define RAM_BASE 0x800000000ull
#define USER_TOP (1ull << 47)      /* the VM layer's user range (T0SZ = 17) */
#define DEMAND_SHIFT 21            /* demand mapping in aligned 2 MiB ranges */
#define BATCH 1024                 /* records per read, requests per run */
#define SLOW_BATCH 64              /* records per read at most when the next is not plain */

/* Linux mmap flags as traces record them (docs/trace-format.md). */
#define LX_MAP_SHARED 0x01u

/* ---- sets of address ranges ---- */

/* Disjoint [lo, hi) ranges in address order. Tasks have few: the ranges a
 * trace unmapped, and the ranges mapped on demand. */
typedef struct rset {
    struct rng {
        uint64_t lo, hi;
    } *r;
    size_t n, cap;
} rset;

static bool rset_has(const rset *s, uint64_t va)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->r[mid].hi <= va)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->r[lo].lo <= va;
}

/* Room for one more range. */
static int rset_reserve(rset *s)
{
    if (s->n < s->cap)
        return 0;
    size_t cap = s->cap ? 2 * s->cap : 8;
    struct rng *n = realloc(s->r, cap * sizeof *n);
    if (!n)
        return -1;
    s->r = n;
    s->cap = cap;
    return 0;
}

static int rset_sub(rset *s, uint64_t lo, uint64_t hi)
{
    for (size_t i = 0; i < s->n; i++) {
        struct rng *x = &s->r[i];
        if (x->hi <= lo || x->lo >= hi)
            continue;
        if (x->lo < lo && x->hi > hi) { /* split in two */
            if (rset_reserve(s))
                return -1;
            x = &s->r[i];
            memmove(&s->r[i + 2], &s->r[i + 1], (s->n - i - 1) * sizeof *s->r);
            s->r[i + 1] = (struct rng){hi, x->hi};
            x->hi = lo;
            s->n++;
            return 0;
        }
        if (x->lo < lo)
            x->hi = lo;
        else if (x->hi > hi)
            x->lo = hi;
        else {
            memmove(x, x + 1, (s->n - i - 1) * sizeof *s->r);
            s->n--;
            i--;
        }
    }
    return 0;
}

static int rset_add(rset *s, uint64_t lo, uint64_t hi)
{
    if (rset_sub(s, lo, hi))
        return -1;
    size_t i = 0;
    while (i < s->n && s->r[i].hi < lo)
        i++;
    /* merge with neighbours that touch */
    if (i < s->n && s->r[i].hi == lo) {
        s->r[i].hi = hi;
        if (i + 1 < s->n && s->r[i + 1].lo == hi) {
            s->r[i].hi = s->r[i + 1].hi;
            memmove(&s->r[i + 1], &s->r[i + 2], (s->n - i - 2) * sizeof *s->r);
            s->n--;
        }
        return 0;
    }
    if (i < s->n && s->r[i].lo == hi) {
        s->r[i].lo = lo;
        return 0;
    }
    if (rset_reserve(s))
        return -1;
    memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof *s->r);
    s->r[i] = (struct rng){lo, hi};
    s->n++;
    return 0;
}

static int rset_copy(rset *d, const rset *s)
{
    d->r = NULL;
    d->n = d->cap = 0;
    if (!s->n)
        return 0;
    if (!(d->r = malloc(s->n * sizeof *d->r)))
        return -1;
    memcpy(d->r, s->r, s->n * sizeof *d->r);
    d->n = d->cap = s->n;
    return 0;
}

/* ---- tasks ---- */

typedef struct rtask {
    uint32_t id;        /* the trace's task number */
    int pid;            /* the VM layer's */
    bool brk_known;
    uint64_t brk;       /* the program break, as the trace last reported it */
    rset gone;          /* unmapped by the trace: an access there is a violation */
    rset demand;        /* mapped on demand (rights grow as accesses need them) */
} rtask;

/* ---- the backend between the VM layer and the MMU ---- */

typedef struct backend {
    gr_mmu *m;
    struct gr_replay *r;      /* for the hook */
    const gr_replay_hook *hook;
    const gr_config *cfg;
    bool retry;         /* translations are re-executions of a faulted access */
    bool have_pending;  /* the next translation's result is already known */
    gr_xlat pending;
    bool pac_overlay;
    gr_regs pac;        /* keys and enables laid over every register write */
} backend;

static uint64_t cur_rec(const struct gr_replay *r);

static void be_set_regs(void *ctx, const gr_regs *regs)
{
    backend *b = ctx;
    gr_regs r = *regs;
    if (b->pac_overlay) {
        /* The keys are per process state an OS sets at exec; a PAC trace
         * was signed with the keys of its REGS file (docs/tracegen.md). */
        const uint64_t en = (1ull << 31) | (1ull << 30) | (1ull << 27) | (1ull << 13);
        r.sctlr = (r.sctlr & ~en) | (b->pac.sctlr & en);
        /* TBI0/1 and TBID0/1 decide where the PAC field lies
         * (AArch64.CalculateBottomPACBit and the top-byte rules of
         * AddPAC/Auth); they do not change the walk. */
        const uint64_t tbi = (1ull << 37) | (1ull << 38) | (1ull << 51) | (1ull << 52);
        r.tcr = (r.tcr & ~tbi) | (b->pac.tcr & tbi);
        r.apiakeyhi = b->pac.apiakeyhi;
        r.apiakeylo = b->pac.apiakeylo;
        r.apibkeyhi = b->pac.apibkeyhi;
        r.apibkeylo = b->pac.apibkeylo;
        r.apdakeyhi = b->pac.apdakeyhi;
        r.apdakeylo = b->pac.apdakeylo;
        r.apdbkeyhi = b->pac.apdbkeyhi;
        r.apdbkeylo = b->pac.apdbkeylo;
        r.apgakeyhi = b->pac.apgakeyhi;
        r.apgakeylo = b->pac.apgakeylo;
    }
    /* The implementation is the configuration's (docs/config.md "[pac]"). */
    gr_config_pac_idregs(b->cfg, &r.id_aa64isar1, &r.id_aa64isar2);
    uint64_t t = gr_mmu_ready(b->m);
    uint64_t d = gr_mmu_set_regs(b->m, &r, t);
    if (b->hook && b->hook->set_regs)
        b->hook->set_regs(b->hook->ctx, b->r, cur_rec(b->r), &r, t, d);
}

static void resp_to_xlat(const gr_mmu *m, const gr_req *req, const gr_mmu_resp *rs, gr_xlat *x)
{
    memset(x, 0, sizeof *x);
    x->req = *req;
    x->fault = rs->fault;
    x->pa = rs->pa;
    x->mair_attr = rs->mair_attr;
    x->asid = gr_mmu_ctx(m)->asid;
    x->tte.page_shift = rs->page_shift;
    x->tte.level = rs->level;
    x->tte.sh = rs->sh;
    x->have_tte = rs->page_shift != 0;
    x->desc_written = rs->desc_written;
}

static void be_translate(void *ctx, const gr_req *req, gr_xlat *x)
{
    backend *b = ctx;
    if (b->have_pending && b->pending.req.va == req->va && b->pending.req.acc == req->acc) {
        b->have_pending = false;
        *x = b->pending;
        return;
    }
    b->have_pending = false;
    gr_mmu_req rq = {.r = *req, .t = GR_MMU_T_NEXT, .retry = b->retry};
    gr_mmu_resp rs;
    gr_mmu_translate(b->m, &rq, &rs);
    if (b->hook && b->hook->translated)
        b->hook->translated(b->hook->ctx, b->r, cur_rec(b->r), &rq, &rs);
    resp_to_xlat(b->m, req, &rs, x);
}

static void be_tlbi(void *ctx, gr_tlbi_op op, uint64_t va, uint16_t asid)
{
    backend *b = ctx;
    gr_tlbi t = {op, va, asid};
    uint64_t at = gr_mmu_ready(b->m);
    uint64_t d = gr_mmu_tlbi(b->m, &t, at);
    if (b->hook && b->hook->tlbi)
        b->hook->tlbi(b->hook->ctx, b->r, cur_rec(b->r), &t, at, d);
}

static void be_destroy(void *ctx)
{
    (void)ctx; /* the replay owns the MMU */
}

static const gr_vmbe_ops be_ops = {be_set_regs, be_translate, be_tlbi, be_destroy};

/* ---- the replay ---- */

struct gr_replay {
    gr_config cfg;
    gr_replay_opts o;
    gr_pmem *mem;
    gr_mmu *m;
    gr_vm *vm;
    backend be;
    rtask *tasks;
    size_t ntasks, captasks;
    rtask *cur;
    uint64_t pgmask;
    uint64_t marks;          /* largest MARK instruction count */
    uint64_t fetches;
    uint64_t rec;            /* record being replayed (for the hook) */
    bool stop;               /* a hook asked to stop */
    char trace[256];
    gr_replay_counts c;
    /* progress */
    double t0, next_draw;
    uint64_t total;          /* records in the trace, if known */
    bool drawn;
};

static uint64_t cur_rec(const struct gr_replay *r)
{
    return r->rec;
}

void gr_replay_opts_default(gr_replay_opts *o)
{
    memset(o, 0, sizeof *o);
    o->format = GR_TRACE_FMT_AUTO;
    o->page_shift = 12;
    o->demand_map = true;
    o->ram_size = 8ull << 30;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int gr_replay_load_config(gr_config *cfg, const char *arg, char *err, size_t errlen)
{
    FILE *f = fopen(arg, "r");
    if (f || strchr(arg, '/') || strchr(arg, '.')) {
        if (f)
            fclose(f);
        return gr_config_load(cfg, arg, err, errlen);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.ini", GRANULE_CONFIGS_DIR, arg);
    f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: no such file, and no preset %s in %s", arg, arg,
                 GRANULE_CONFIGS_DIR);
        return -1;
    }
    fclose(f);
    return gr_config_load(cfg, path, err, errlen);
}

int gr_replay_parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!s || *s < '0' || *s > '9')
        return -1;
    unsigned long long v = strtoull(s, &end, 0);
    unsigned shift = 0;
    switch (*end) {
    case 'k':
    case 'K':
        shift = 10;
        end++;
        break;
    case 'm':
    case 'M':
        shift = 20;
        end++;
        break;
    case 'g':
    case 'G':
        shift = 30;
        end++;
        break;
    default:
        break;
    }
    if (errno || *end || (shift && v > (UINT64_MAX >> shift)))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

int gr_replay_parse_opt(gr_replay_opts *o, gr_regs *regs, const char *name, const char *arg,
                        char *err, size_t errlen)
{
    if (strcmp(name, "hw-af") == 0) {
        o->hw_af = true;
    } else if (strcmp(name, "pageout") == 0) {
        o->pageout = true;
    } else if (strcmp(name, "no-demand-map") == 0) {
        o->demand_map = false;
    } else if (strcmp(name, "format") != 0 && strcmp(name, "granule") != 0 &&
               strcmp(name, "limit") != 0 && strcmp(name, "ram") != 0 &&
               strcmp(name, "regs") != 0) {
        snprintf(err, errlen, "--%s: not a replay option", name);
        return 0;
    } else if (!arg) {
        snprintf(err, errlen, "--%s: needs an argument", name);
        return -1;
    } else if (strcmp(name, "format") == 0) {
        o->format = gr_trace_format_parse(arg);
        if (o->format <= GR_TRACE_FMT_AUTO || o->format == GR_TRACE_FMT_SYNTHETIC) {
            snprintf(err, errlen, "--format: unknown format `%s` (native, lackey, din, "
                                  "champsim, pinatrace)", arg);
            return -1;
        }
    } else if (strcmp(name, "granule") == 0) {
        if (strcmp(arg, "4k") == 0 || strcmp(arg, "4K") == 0) {
            o->page_shift = 12;
        } else if (strcmp(arg, "16k") == 0 || strcmp(arg, "16K") == 0) {
            o->page_shift = 14;
        } else {
            snprintf(err, errlen, "--granule: `%s` is not 4k or 16k", arg);
            return -1;
        }
    } else if (strcmp(name, "limit") == 0) {
        if (gr_replay_parse_size(arg, &o->limit) != 0 || !o->limit) {
            snprintf(err, errlen, "--limit: `%s` is not a positive count", arg);
            return -1;
        }
    } else if (strcmp(name, "ram") == 0) {
        if (gr_replay_parse_size(arg, &o->ram_size) != 0) {
            snprintf(err, errlen, "--ram: `%s` is not a size", arg);
            return -1;
        }
    } else if (!regs) {
        snprintf(err, errlen, "--regs: not a replay option here");
        return 0;
    } else {
        char why[512];
        gr_regs_reset(regs);
        if (gr_regs_parse_file(regs, arg, why, sizeof why) != 0) {
            snprintf(err, errlen, "--regs: %s", why);
            return -1;
        }
        o->pac_regs = regs;
    }
    return 1;
}

gr_replay *gr_replay_create(const gr_config *cfg, const gr_replay_opts *o, char *err,
                            size_t errlen)
{
    if (gr_config_validate(cfg, err, errlen) != 0)
        return NULL;
    if (o->page_shift != 12 && o->page_shift != 14) {
        snprintf(err, errlen, "granule must be 4k or 16k");
        return NULL;
    }
    if (o->ram_size < (16u << 20) || (o->ram_size & 0x3fff)) {
        snprintf(err, errlen, "RAM size must be a multiple of 16K and at least 16M");
        return NULL;
    }
    gr_replay *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->cfg = *cfg;
    r->o = *o;
    r->pgmask = (1ull << o->page_shift) - 1;
    r->mem = gr_pmem_create();
    r->m = r->mem ? gr_mmu_create(cfg, r->mem) : NULL;
    if (!r->m) {
        snprintf(err, errlen, "cannot create the MMU (out of memory)");
        gr_replay_destroy(r);
        return NULL;
    }
    r->be.m = r->m;
    r->be.cfg = &r->cfg;
    r->be.r = r;
    r->be.hook = o->hook;
    r->rec = UINT64_MAX;
    if (o->pac_regs) {
        r->be.pac_overlay = true;
        r->be.pac = *o->pac_regs;
    }
    gr_vm_config vc;
    gr_vm_config_default(&vc);
    vc.ram_base = RAM_BASE;
    vc.ram_size = o->ram_size;
    vc.aslr = false;           /* addresses come from the trace */
    vc.shared_cache_size = 0;  /* no shared cache: nothing the trace did not map */
    vc.tlbi_log_max = 0;       /* constant memory */
    vc.hw_af = o->hw_af;
    vc.pageout = o->pageout;
    gr_vmbe vbe = {&be_ops, &r->be};
    int e = 0;
    r->vm = gr_vm_create(&vc, r->mem, &vbe, &e);
    if (!r->vm) {
        snprintf(err, errlen, "cannot create the VM layer: %s", gr_vm_strerror(e));
        gr_replay_destroy(r);
        return NULL;
    }
    return r;
}

void gr_replay_destroy(gr_replay *r)
{
    if (!r)
        return;
    gr_vm_destroy(r->vm); /* first: its teardown sends TLBIs to the MMU */
    gr_mmu_destroy(r->m);
    gr_pmem_destroy(r->mem);
    for (size_t i = 0; i < r->ntasks; i++) {
        free(r->tasks[i].gone.r);
        free(r->tasks[i].demand.r);
    }
    free(r->tasks);
    free(r);
}

static rtask *task_find(gr_replay *r, uint32_t id)
{
    for (size_t i = 0; i < r->ntasks; i++)
        if (r->tasks[i].id == id)
            return &r->tasks[i];
    return NULL;
}

static rtask *task_slot(gr_replay *r, uint32_t id)
{
    if (r->ntasks == r->captasks) {
        size_t cap = r->captasks ? 2 * r->captasks : 8;
        uint32_t cur = r->cur ? r->cur->id : 0;
        bool had = r->cur != NULL;
        rtask *n = realloc(r->tasks, cap * sizeof *n);
        if (!n)
            return NULL;
        r->tasks = n;
        r->captasks = cap;
        r->cur = had ? task_find(r, cur) : NULL;
    }
    rtask *t = &r->tasks[r->ntasks++];
    memset(t, 0, sizeof *t);
    t->id = id;
    return t;
}

/* A task with an empty user address space: the VM layer's default image
 * (text, heap, stack, __PAGEZERO) is unmapped, so every address the trace
 * touches is the trace's own. */
static rtask *task_new(gr_replay *r, uint32_t id)
{
    char name[32];
    snprintf(name, sizeof name, "task%" PRIu32, id);
    int pid;
    if (gr_vm_spawn(r->vm, name, r->o.page_shift, NULL, &pid) != GR_VM_OK)
        return NULL;
    if (gr_vm_munmap(r->vm, pid, 0, USER_TOP) != GR_VM_OK) {
        gr_vm_exit(r->vm, pid);
        return NULL;
    }
    rtask *t = task_slot(r, id);
    if (!t) {
        gr_vm_exit(r->vm, pid);
        return NULL;
    }
    t->pid = pid;
    r->c.tasks++;
    return t;
}

static rtask *task_get(gr_replay *r, uint32_t id)
{
    if (r->cur && r->cur->id == id)
        return r->cur;
    rtask *t = task_find(r, id);
    if (!t)
        t = task_new(r, id);
    if (t) {
        gr_vm_switch(r->vm, t->pid);
        r->cur = t;
    }
    return t;
}

static void task_drop(gr_replay *r, rtask *t)
{
    free(t->gone.r);
    free(t->demand.r);
    size_t i = (size_t)(t - r->tasks);
    memmove(t, t + 1, (r->ntasks - i - 1) * sizeof *t);
    r->ntasks--;
    r->cur = NULL;
}

/* ---- faults ---- */

static unsigned prot_of(gr_acc acc)
{
    return acc == GR_ACC_WRITE  ? GR_PROT_READ | GR_PROT_WRITE
           : acc == GR_ACC_EXEC ? GR_PROT_READ | GR_PROT_EXEC
                                : GR_PROT_READ;
}

/* The rights a demand-mapped range gets: data accesses make it data
 * memory (read/write), fetches code (read/execute), as a loader maps them;
 * a range used both ways later gains the other kind (docs/replay.md). */
static unsigned demand_prot(gr_acc acc)
{
    return acc == GR_ACC_EXEC ? GR_PROT_READ | GR_PROT_EXEC : GR_PROT_READ | GR_PROT_WRITE;
}

/* Demand mapping (docs/replay.md): the aligned 2 MiB range around va, or
 * what of it no mapping holds, anonymous. */
static int demand_map(gr_replay *r, rtask *t, uint64_t va, gr_acc acc)
{
    uint64_t lo = va >> DEMAND_SHIFT << DEMAND_SHIFT, hi = lo + (1ull << DEMAND_SHIFT);
    gr_vmmap *map = gr_vm_map_of(r->vm, t->pid);
    for (unsigned i = 0; map && i < gr_vmmap_count(map); i++) {
        const gr_vmmap_entry *e = gr_vmmap_at(map, i);
        if (e->end <= va && e->end > lo)
            lo = e->end;
        if (e->start > va && e->start < hi)
            hi = e->start;
    }
    for (size_t i = 0; i < t->gone.n; i++) {
        const struct rng *g = &t->gone.r[i];
        if (g->hi <= va && g->hi > lo)
            lo = g->hi;
        if (g->lo > va && g->lo < hi)
            hi = g->lo;
    }
    uint64_t out;
    int e = gr_vm_mmap(r->vm, t->pid, lo, hi - lo, demand_prot(acc),
                       GR_MAP_FIXED | GR_MAP_ANON | GR_MAP_PRIVATE, NULL, 0, &out);
    if (e != GR_VM_OK)
        return e;
    r->c.demand_maps++;
    return rset_add(&t->demand, lo, hi) ? GR_VM_NOMEM : GR_VM_OK;
}

/* The demand-mapped entry holding va gets the rights acc needs too. */
static int demand_upgrade(gr_replay *r, rtask *t, uint64_t va, gr_acc acc, unsigned prot)
{
    gr_vmmap_entry *e = gr_vmmap_lookup(gr_vm_map_of(r->vm, t->pid), va);
    if (!e)
        return GR_VM_SEGV_MAPERR;
    int rc = gr_vm_mprotect(r->vm, t->pid, e->start, e->end - e->start, prot | demand_prot(acc));
    if (rc == GR_VM_OK)
        r->c.demand_upgrades++;
    return rc;
}

/* A translation of q faulted (response f): the OS's part. */
static void on_fault(gr_replay *r, const gr_mmu_req *q, const gr_mmu_resp *f)
{
    rtask *t = r->cur;
    r->c.faults++;
    if (f->fault.type == GR_FAULT_PAC_FAIL) {
        /* FEAT_FPAC: the authenticating instruction itself faults; an OS
         * delivers SIGILL/SIGSEGV, the access never happens. */
        r->c.pac_failures++;
        return;
    }
    /* An authenticating access faults at the pointer Auth produced. */
    gr_req rq = q->r;
    if (q->pac)
        rq.va = gr_mmu_last_pac_va(r->m);
    const uint64_t va = rq.va;
    const gr_acc acc = (gr_acc)q->r.acc;
    gr_vm_expect ex;
    gr_vm_lookup_page(r->vm, t->pid, va, &ex);
    int rc = GR_VM_OK;
    if (!ex.mapped) {
        if (!r->o.demand_map || va >= USER_TOP || q->r.el != 0 || rset_has(&t->gone, va))
            rc = GR_VM_SEGV_MAPERR;
        else
            rc = demand_map(r, t, va, acc);
    } else if ((ex.prot & prot_of(acc)) != prot_of(acc) && rset_has(&t->demand, va)) {
        rc = demand_upgrade(r, t, va, acc, ex.prot);
    }
    if (rc == GR_VM_OK) {
        /* The VM layer resolves the fault the MMU reported (handed over
         * without translating again) and re-executes the access. */
        resp_to_xlat(r->m, &rq, f, &r->be.pending);
        r->be.have_pending = true;
        r->be.retry = true;
        gr_vm_result res;
        rc = gr_vm_access(r->vm, t->pid, va, acc, NULL, 0, &res);
        r->be.retry = false;
        r->be.have_pending = false;
    }
    if (rc == GR_VM_NOMEM)
        r->c.nomem++;
    else if (rc != GR_VM_OK)
        r->c.violations++;
}

/* ---- events ---- */

static void map_event_done(gr_replay *r, int rc)
{
    r->c.map_events++;
    if (rc != GR_VM_OK)
        r->c.map_event_errors++;
}

static uint64_t page_up(const gr_replay *r, uint64_t v)
{
    return (v + r->pgmask) & ~r->pgmask;
}

/* A mapping call's range at the task's granule (docs/replay.md "Pages
 * larger than the trace's"): the trace's kernel rounded it to its own
 * 4K pages; [lo, hi) is that rounded out to ours, [ilo, ihi) the pages of
 * ours wholly inside it, and edge[] the at most two pages it covers only in
 * part (none when the task's pages are 4K). */
typedef struct span {
    uint64_t lo, hi, ilo, ihi;
    uint64_t edge[2];
    int nedge;
} span;

static int span_of(const gr_replay *r, uint64_t va, uint64_t len, span *s)
{
    const uint64_t sp = 4096;
    uint64_t lo4 = va & ~(sp - 1), hi4 = (va + len + sp - 1) & ~(sp - 1);
    if (!len || va + len < va || hi4 <= lo4 || hi4 > USER_TOP)
        return -1;
    s->lo = lo4 & ~r->pgmask;
    s->hi = page_up(r, hi4);
    s->ilo = page_up(r, lo4);
    s->ihi = hi4 & ~r->pgmask;
    s->nedge = 0;
    if (s->lo < s->ilo)
        s->edge[s->nedge++] = s->lo;
    if (s->ihi < s->hi && (s->nedge == 0 || s->edge[0] != s->hi - r->pgmask - 1))
        s->edge[s->nedge++] = s->hi - r->pgmask - 1;
    if (s->ihi < s->ilo)
        s->ihi = s->ilo; /* no whole page inside */
    return 0;
}

/* A page the call covers only in part keeps what it has and gains prot
 * (mapped anonymously if nothing held it). */
static int edge_union(gr_replay *r, rtask *t, uint64_t page, unsigned prot)
{
    gr_vm_expect ex;
    if (gr_vm_lookup_page(r->vm, t->pid, page, &ex) == GR_VM_OK && ex.mapped)
        return (ex.prot | prot) == ex.prot
                   ? GR_VM_OK
                   : gr_vm_mprotect(r->vm, t->pid, page, r->pgmask + 1, ex.prot | prot);
    uint64_t out;
    return gr_vm_mmap(r->vm, t->pid, page, r->pgmask + 1, prot,
                      GR_MAP_FIXED | GR_MAP_ANON | GR_MAP_PRIVATE, NULL, 0, &out);
}

/* mmap with MAP_FIXED semantics: what was there is replaced. */
static int map_range(gr_replay *r, rtask *t, uint64_t va, uint64_t len, unsigned prot,
                     bool shared)
{
    span s;
    if (span_of(r, va, len, &s))
        return GR_VM_INVAL;
    prot &= GR_PROT_ALL;
    int rc = GR_VM_OK;
    if (s.ihi > s.ilo) {
        gr_vm_munmap(r->vm, t->pid, s.ilo, s.ihi - s.ilo);
        uint64_t out;
        rc = gr_vm_mmap(r->vm, t->pid, s.ilo, s.ihi - s.ilo, prot,
                        GR_MAP_FIXED | GR_MAP_ANON | (shared ? GR_MAP_SHARED : GR_MAP_PRIVATE),
                        NULL, 0, &out);
    }
    for (int i = 0; i < s.nedge && rc == GR_VM_OK; i++)
        rc = edge_union(r, t, s.edge[i], prot);
    if (rset_sub(&t->gone, s.lo, s.hi) || rset_sub(&t->demand, s.lo, s.hi))
        return GR_VM_NOMEM;
    return rc;
}

/* munmap: only the pages wholly inside the range go. */
static int unmap_range(gr_replay *r, rtask *t, uint64_t va, uint64_t len)
{
    span s;
    if (span_of(r, va, len, &s))
        return GR_VM_INVAL;
    if (s.ihi <= s.ilo)
        return GR_VM_OK;
    int rc = gr_vm_munmap(r->vm, t->pid, s.ilo, s.ihi - s.ilo);
    if (rset_add(&t->gone, s.ilo, s.ihi) || rset_sub(&t->demand, s.ilo, s.ihi))
        return GR_VM_NOMEM;
    return rc;
}

/* mprotect: the pages wholly inside get prot, the others gain it. */
static int protect_range(gr_replay *r, rtask *t, uint64_t va, uint64_t len, unsigned prot)
{
    span s;
    if (span_of(r, va, len, &s))
        return GR_VM_INVAL;
    prot &= GR_PROT_ALL;
    int rc = GR_VM_OK;
    if (s.ihi > s.ilo)
        rc = gr_vm_mprotect(r->vm, t->pid, s.ilo, s.ihi - s.ilo, prot);
    for (int i = 0; i < s.nedge && rc == GR_VM_OK; i++)
        rc = edge_union(r, t, s.edge[i], prot);
    if (rc == GR_VM_OK && rset_sub(&t->demand, s.lo, s.hi))
        rc = GR_VM_NOMEM;
    return rc;
}

static int on_event(gr_replay *r, const gr_trace_rec *e)
{
    r->c.events++;
    if (e->kind == GR_TREC_MARK) {
        if (e->arg[0] > r->marks)
            r->marks = e->arg[0];
        return 0;
    }
    if (e->kind == GR_TREC_TTBR || e->kind == GR_TREC_TCR) {
        r->c.ignored_events++;
        return 0;
    }
    rtask *t = task_get(r, e->task);
    if (!t)
        return -1;
    switch (e->kind) {
    case GR_TREC_CTXSW:
        break;
    case GR_TREC_MMAP:
        map_event_done(r, map_range(r, t, e->va, e->arg[0], (unsigned)e->arg[1],
                                    (e->arg[2] & LX_MAP_SHARED) != 0));
        break;
    case GR_TREC_MUNMAP:
        map_event_done(r, unmap_range(r, t, e->va, e->arg[0]));
        break;
    case GR_TREC_MPROTECT:
        map_event_done(r, protect_range(r, t, e->va, e->arg[0], (unsigned)e->arg[1]));
        break;
    case GR_TREC_BRK: {
        /* The heap is [initial break, break); the first report is brk(0),
         * which names the initial break and maps nothing. */
        int rc = GR_VM_OK;
        if (t->brk_known && e->va > t->brk)
            rc = map_range(r, t, t->brk, e->va - t->brk, GR_PROT_READ | GR_PROT_WRITE, false);
        else if (t->brk_known && e->va < t->brk)
            rc = unmap_range(r, t, e->va, t->brk - e->va);
        t->brk_known = true;
        t->brk = e->va;
        map_event_done(r, rc);
        break;
    }
    case GR_TREC_FORK: {
        int child;
        if (task_find(r, (uint32_t)e->arg[0]) ||
            gr_vm_fork(r->vm, t->pid, &child) != GR_VM_OK) {
            map_event_done(r, GR_VM_INVAL);
            break;
        }
        uint32_t pid = t->id;
        rtask *c = task_slot(r, (uint32_t)e->arg[0]);
        t = task_find(r, pid); /* the array may have moved */
        if (!c || rset_copy(&c->gone, &t->gone) || rset_copy(&c->demand, &t->demand))
            return -1;
        c->pid = child;
        c->brk_known = t->brk_known;
        c->brk = t->brk;
        r->c.tasks++;
        map_event_done(r, GR_VM_OK);
        break;
    }
    case GR_TREC_EXEC:
        map_event_done(r, gr_vm_munmap(r->vm, t->pid, 0, USER_TOP));
        t->gone.n = t->demand.n = 0;
        t->brk_known = false;
        break;
    case GR_TREC_EXIT:
        map_event_done(r, gr_vm_exit(r->vm, t->pid));
        task_drop(r, t);
        break;
    case GR_TREC_TLBI: {
        static const gr_tlbi_op ops[6] = {GR_TLBI_VMALLE1, GR_TLBI_VAE1,  GR_TLBI_ASIDE1,
                                          GR_TLBI_VAAE1,   GR_TLBI_VALE1, GR_TLBI_VAALE1};
        unsigned op = (unsigned)e->arg[0] & 0xf;
        if (op < 6) {
            gr_tlbi ti = {ops[op], e->va, gr_mmu_asid(r->m)};
            uint64_t at = gr_mmu_ready(r->m);
            uint64_t d = gr_mmu_tlbi(r->m, &ti, at);
            if (r->o.hook && r->o.hook->tlbi)
                r->o.hook->tlbi(r->o.hook->ctx, r, r->rec, &ti, at, d);
            r->c.tlbi_events++;
        } else {
            r->c.ignored_events++;
        }
        break;
    }
    default:
        r->c.ignored_events++;
        break;
    }
    return 0;
}

/* ---- the loop ---- */

static void progress(gr_replay *r, bool last)
{
    double t = now();
    if (!last && t < r->next_draw)
        return;
    r->next_draw = t + 0.25;
    double dt = t - r->t0;
    if (dt < 1.0 && !r->drawn)
        return; /* quick replays stay quiet */
    double rate = dt > 0 ? (double)r->c.records / dt : 0;
    char eta[32] = "";
    if (r->total && r->total != UINT64_MAX && rate > 0) {
        double left = (double)(r->total - r->c.records) / rate;
        snprintf(eta, sizeof eta, " %3.0f%% ETA %.0fs",
                 100.0 * (double)r->c.records / (double)r->total, left < 0 ? 0 : left);
    }
    fprintf(stderr, "\r%s: %" PRIu64 " records, %.1f M/s%s   ", r->trace, r->c.records,
            rate / 1e6, eta);
    if (last)
        fputc('\n', stderr);
    r->drawn = true;
}

/* Runs reqs[0..n) through the fast path, handing faults to the VM layer. */
static void flush(gr_replay *r, const gr_mmu_req *reqs, size_t n)
{
    size_t i = 0;
    const gr_replay_hook *h = r->o.hook;
    if (h) {
        /* Every response to the hook: the unbatched path. */
        for (; i < n; i++) {
            gr_mmu_resp rs;
            gr_mmu_translate(r->m, &reqs[i], &rs);
            if (h->translated)
                h->translated(h->ctx, r, r->rec, &reqs[i], &rs);
            if (rs.fault.type != GR_FAULT_NONE)
                on_fault(r, &reqs[i], &rs);
        }
        return;
    }
    while (i < n) {
        gr_mmu_resp f;
        f.fault.type = GR_FAULT_NONE;
        i += gr_mmu_run(r->m, reqs + i, n - i, &f);
        if (f.fault.type != GR_FAULT_NONE)
            on_fault(r, &reqs[i - 1], &f);
    }
}

/* The plain-access form of a batch (gr_trace_reader_read_plain) goes to
 * gr_mmu_run_plain() as it is: the trace's access kinds are gr_acc. */
_Static_assert(GR_TREC_READ == (int)GR_ACC_READ && GR_TREC_WRITE == (int)GR_ACC_WRITE &&
                   GR_TREC_FETCH == (int)GR_ACC_EXEC,
               "trace access kinds are gr_acc values");

/* Replays a run of plain accesses (one task, one EL, no page crossing, no
 * PAC). @return 0, or -1 if the task cannot be created. */
static int run_plain(gr_replay *r, const uint64_t *va, const uint8_t *kind, size_t n,
                     const gr_trace_plain *run)
{
    if (__builtin_expect(!r->cur || run->task != r->cur->id, 0) && !task_get(r, run->task))
        return -1;
    r->fetches += run->fetches;
    size_t i = 0;
    while (i < n) {
        gr_mmu_resp f;
        f.fault.type = GR_FAULT_NONE;
        i += gr_mmu_run_plain(r->m, va + i, kind + i, n - i, run->el, &f);
        if (f.fault.type != GR_FAULT_NONE) {
            const gr_mmu_req q = {.r = {va[i - 1], (gr_acc)kind[i - 1], run->el},
                                  .t = GR_MMU_T_NEXT};
            r->rec = r->c.records + i - 1;
            on_fault(r, &q, &f);
        }
    }
    return 0;
}

int gr_replay_run(gr_replay *r, const char *path, char *err, size_t errlen)
{
    gr_trace_reader *tr;
    if (gr_trace_reader_open(&tr, path, r->o.format, err, errlen) != GR_TRACE_OK)
        return 2;
    const char *base = strrchr(path, '/');
    snprintf(r->trace, sizeof r->trace, "%s", base ? base + 1 : path);
    if (r->o.progress && gr_trace_reader_format(tr) == GR_TRACE_FMT_NATIVE &&
        strcmp(path, "-") != 0 && gr_trace_reader_seek(tr, 0) == GR_TRACE_OK)
        r->total = gr_trace_reader_total(tr);
    gr_trace_rec *recs = malloc(BATCH * sizeof *recs);
    gr_mmu_req *reqs = malloc(2 * BATCH * sizeof *reqs);
    if (!recs || !reqs) {
        free(recs);
        free(reqs);
        gr_trace_reader_close(tr);
        snprintf(err, errlen, "out of memory");
        return 2;
    }
    static const gr_mmu_req proto = {.t = GR_MMU_T_NEXT};
    const uint64_t pg = r->pgmask + 1;
    int rc = 0;
    size_t slow = 1; /* records the general loop reads next */
    gr_trace_status st = GR_TRACE_OK;
    r->t0 = now();
    r->next_draw = r->t0 + 1.0;
    while (rc == 0 && st == GR_TRACE_OK && !r->stop) {
        /* With a hook, one record at a time, so that it knows the index. */
        size_t want = r->o.hook ? 1 : BATCH;
        if (r->o.limit && r->o.limit - r->c.records < want)
            want = (size_t)(r->o.limit - r->c.records);
        if (!want)
            break;
        if (!r->o.hook) {
            /* Most records are plain accesses: run them as two arrays
             * in the reader's buffers (native version 2: the kinds in the
             * chunk itself). What is not (events, PAC, a task switch, a page
             * crossing) goes through the general loop below, a few
             * records at a time. */
            gr_trace_plain run;
            const uint64_t *pva;
            const uint8_t *pkind;
            size_t got = gr_trace_reader_plain_view(tr, &pva, &pkind, want, r->pgmask, &run, &st);
            if (got) {
                if (run_plain(r, pva, pkind, got, &run)) {
                    rc = 2;
                    snprintf(err, errlen, "%s: record %" PRIu64 ": cannot create task %" PRIu32,
                             path, r->c.records, run.task);
                    break;
                }
                r->c.records += got;
                slow = 1;
                if (r->o.progress)
                    progress(r, false);
                continue;
            }
            if (st != GR_TRACE_OK)
                break;
            /* One record after a plain run, then twice as many each time
             * the next is not plain either, up to SLOW_BATCH: a lone
             * page-crossing access sends one record down this path, not
             * the plain ones behind it. */
            if (want > slow)
                want = slow;
            slow = slow < SLOW_BATCH ? 2 * slow : SLOW_BATCH;
        }
        size_t got = gr_trace_reader_read(tr, recs, want, &st);
        size_t n = 0;
        for (size_t i = 0; i < got; i++) {
            const gr_trace_rec *x = &recs[i];
            r->rec = r->c.records + i;
            if (__builtin_expect(x->kind >= GR_TREC_EVENT, 0)) {
                flush(r, reqs, n);
                n = 0;
                if (on_event(r, x)) {
                    rc = 2;
                    snprintf(err, errlen, "%s: record %" PRIu64 ": out of memory", path,
                             r->c.records + i);
                    break;
                }
                continue;
            }
            if (__builtin_expect(!r->cur || x->task != r->cur->id, 0)) {
                flush(r, reqs, n);
                n = 0;
                if (!task_get(r, x->task)) {
                    rc = 2;
                    snprintf(err, errlen, "%s: record %" PRIu64 ": cannot create task %" PRIu32,
                             path, r->c.records + i, x->task);
                    break;
                }
            }
            gr_mmu_req *q = &reqs[n++];
            *q = proto;
            q->r.va = x->va;
            q->r.acc = x->kind == GR_TREC_FETCH ? GR_ACC_EXEC : (gr_acc)x->kind;
            q->r.el = x->el;
            r->fetches += x->kind == GR_TREC_FETCH;
            if (__builtin_expect((unsigned)x->pac_key - GR_TRACE_PAC_IA <=
                                     (unsigned)GR_TRACE_PAC_DB - GR_TRACE_PAC_IA,
                                 0)) {
                q->pac = true;
                q->key = (gr_pac_key)(x->pac_key - 1);
                q->modifier = x->modifier;
            }
            /* A page-crossing access is one access record and two
             * translations (docs/replay.md). */
            if (__builtin_expect(x->size > 1 && (x->va & r->pgmask) + x->size > pg, 0)) {
                gr_mmu_req second = *q;
                second.pac = false;
                uint64_t va = x->va;
                if (q->pac) {
                    /* The second page follows the pointer Auth made of the
                     * signed one (same page offset, PAC field replaced),
                     * known once the first translation has run. A failed
                     * Auth ends the access at the first page: as a PAC
                     * failure (FEAT_FPAC), or as a violation of the pointer
                     * with the error code. */
                    const uint64_t ends = r->c.pac_failures + r->c.violations;
                    flush(r, reqs, n);
                    n = 0;
                    if (r->c.pac_failures + r->c.violations != ends)
                        continue;
                    va = gr_mmu_last_pac_va(r->m);
                }
                second.r.va = (va | r->pgmask) + 1;
                reqs[n++] = second;
                r->c.split++;
            }
        }
        flush(r, reqs, n);
        r->c.records += got;
        if (r->o.progress)
            progress(r, false);
    }
    r->c.seconds = now() - r->t0;
    r->c.accesses = r->c.records - r->c.events;
    r->c.translations = r->c.accesses + r->c.split;
    r->c.instructions = r->marks ? r->marks : r->fetches;
    if (r->o.progress && r->drawn)
        progress(r, true);
    if (rc == 0 && st != GR_TRACE_OK && st != GR_TRACE_END) {
        snprintf(err, errlen, "%s", gr_trace_reader_error(tr));
        rc = 2;
    }
    free(recs);
    free(reqs);
    gr_trace_reader_close(tr);
    return rc;
}

/* ---- results ---- */

void gr_replay_stop(gr_replay *r)
{
    r->stop = true;
}

gr_mmu *gr_replay_mmu(gr_replay *r)
{
    return r->m;
}

gr_pmem *gr_replay_pmem(gr_replay *r)
{
    return r->mem;
}

const gr_stats *gr_replay_stats(gr_replay *r)
{
    gr_stats *s = gr_mmu_stats(r->m);
    s->instructions = r->c.instructions;
    return s;
}

const gr_replay_counts *gr_replay_counts_get(const gr_replay *r)
{
    return &r->c;
}

void gr_replay_vm_stats(const gr_replay *r, gr_vm_stats *out)
{
    gr_vm_get_stats(r->vm, out);
}

/* Host memory backing the simulated physical memory (page tables, data). */
static uint64_t sim_bytes(const gr_replay *r)
{
    return (uint64_t)gr_pmem_pages_backed(r->mem) * 4096;
}

/* The process's peak resident set so far (getrusage: Linux gives KiB). */
static uint64_t peak_rss(void)
{
    struct rusage u;
    return getrusage(RUSAGE_SELF, &u) == 0 ? (uint64_t)u.ru_maxrss * 1024 : 0;
}

void gr_replay_print(gr_replay *r, FILE *f)
{
    const gr_replay_counts *c = &r->c;
    fprintf(f, "replay of %s: %" PRIu64 " records (%" PRIu64 " accesses, %" PRIu64
               " events) in %.2f s, %.1f M records/s\n",
            r->trace, c->records, c->accesses, c->events, c->seconds,
            c->seconds > 0 ? (double)c->records / c->seconds / 1e6 : 0.0);
    fprintf(f, "  granule %s, demand mapping %s, %s AF, pageout %s, simulated RAM %" PRIu64
               " MiB (%.1f MiB backed), peak RSS %.1f MiB\n",
            r->o.page_shift == 14 ? "16K" : "4K", r->o.demand_map ? "on" : "off",
            r->o.hw_af ? "hardware" : "software", r->o.pageout ? "on" : "off",
            r->o.ram_size >> 20, (double)sim_bytes(r) / 1048576.0,
            (double)peak_rss() / 1048576.0);
#define GR_REPLAY_PRINT_(fld, d) fprintf(f, "  %-18s %14" PRIu64 "  %s\n", #fld, c->fld, d);
    GR_REPLAY_COUNTS(GR_REPLAY_PRINT_)
#undef GR_REPLAY_PRINT_
    gr_vm_stats v;
    gr_vm_get_stats(r->vm, &v);
    fprintf(f, "\nVM layer\n");
#define GR_REPLAY_VM_(fld, d) \
    if (v.fld)                \
        fprintf(f, "  %-18s %14" PRIu64 "  %s\n", #fld, v.fld, d);
    GR_VM_STATS(GR_REPLAY_VM_)
#undef GR_REPLAY_VM_
    fputc('\n', f);
    gr_stats_print(gr_replay_stats(r), f);
}

/* gr_stats_write_json() output, parsed back so it nests in our object. */
static json_t *mmu_json(gr_replay *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return NULL;
    int e = gr_stats_write_json(gr_replay_stats(r), m);
    fclose(m);
    json_t *o = e ? NULL : json_loadb(buf, len, 0, NULL);
    free(buf);
    return o;
}

int gr_replay_write_json(gr_replay *r, FILE *f)
{
    json_t *o = json_object(), *rep = json_object(), *vm = json_object();
    json_object_set_new(o, "trace", json_string(r->trace));
    json_object_set_new(o, "config", json_string(r->cfg.name));
    json_object_set_new(o, "granule", json_integer(r->o.page_shift == 14 ? 16384 : 4096));
    json_object_set_new(o, "demand_map", json_boolean(r->o.demand_map));
    json_object_set_new(o, "hw_af", json_boolean(r->o.hw_af));
    json_object_set_new(o, "pageout", json_boolean(r->o.pageout));
#define GR_REPLAY_JSON_(fld, d) json_object_set_new(rep, #fld, json_integer((json_int_t)r->c.fld));
    GR_REPLAY_COUNTS(GR_REPLAY_JSON_)
#undef GR_REPLAY_JSON_
    json_object_set_new(rep, "seconds", json_real(r->c.seconds));
    json_object_set_new(rep, "sim_memory_bytes", json_integer((json_int_t)sim_bytes(r)));
    json_object_set_new(rep, "peak_rss_bytes", json_integer((json_int_t)peak_rss()));
    gr_vm_stats v;
    gr_vm_get_stats(r->vm, &v);
#define GR_REPLAY_VMJ_(fld, d) json_object_set_new(vm, #fld, json_integer((json_int_t)v.fld));
    GR_VM_STATS(GR_REPLAY_VMJ_)
#undef GR_REPLAY_VMJ_
    json_object_set_new(o, "replay", rep);
    json_object_set_new(o, "vm", vm);
    json_t *mmu = mmu_json(r);
    if (!mmu) {
        json_decref(o);
        return -1;
    }
    json_object_set_new(o, "mmu", mmu);
    int e = json_dumpf(o, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', f);
    json_decref(o);
    return e || ferror(f) ? -1 : 0;
}

void gr_replay_csv_header(FILE *f)
{
    fputs("trace,config,granule,l1i_entries,l1i_ways,l1d_entries,l1d_ways,l2_entries,l2_ways,"
          "records,accesses,translations,split,instructions,violations,"
          "l1i_lookups,l1i_misses,l1d_lookups,l1d_misses,l2_lookups,l2_misses,walks,"
          "l1i_hit_rate,l1d_hit_rate,l2_hit_rate,l1d_mpki,l2_mpki,walk_mpki,"
          "mean_latency,cycles,seconds\n",
          f);
}

static double rate(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : 0.0;
}

void gr_replay_csv_row(gr_replay *r, FILE *f)
{
    const gr_stats *s = gr_replay_stats(r);
    const gr_config *c = &r->cfg;
    uint64_t ih = gr_stats_tlb_hits(&s->l1i), im = gr_stats_tlb_misses(&s->l1i);
    uint64_t dh = gr_stats_tlb_hits(&s->l1d), dm = gr_stats_tlb_misses(&s->l1d);
    uint64_t h2 = gr_stats_tlb_hits(&s->l2), m2 = gr_stats_tlb_misses(&s->l2);
    uint64_t in = r->c.instructions, acc = gr_stats_total_accesses(s);
    /* the trace name is quoted only when it needs it (RFC 4180) */
    if (strpbrk(r->trace, ",\"\n")) {
        fputc('"', f);
        for (const char *p = r->trace; *p; p++) {
            if (*p == '"')
                fputc('"', f);
            fputc(*p, f);
        }
        fputc('"', f);
    } else {
        fputs(r->trace, f);
    }
    fprintf(f, ",%s,%u,%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32,
            c->name, r->o.page_shift == 14 ? 16384u : 4096u, c->l1i.entries, c->l1i.ways,
            c->l1d.entries, c->l1d.ways, c->l2.present ? c->l2.entries : 0,
            c->l2.present ? c->l2.ways : 0);
    fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64,
            r->c.records, r->c.accesses, r->c.translations, r->c.split, in, r->c.violations);
    fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
               ",%" PRIu64,
            ih + im, im, dh + dm, dm, h2 + m2, m2, s->walks);
    fprintf(f, ",%.6f,%.6f,%.6f", rate(ih, ih + im), rate(dh, dh + dm), rate(h2, h2 + m2));
    if (in)
        fprintf(f, ",%.4f,%.4f,%.4f", 1000.0 * rate(dm, in), 1000.0 * rate(m2, in),
                1000.0 * rate(s->walks, in));
    else
        fputs(",,,", f);
    fprintf(f, ",%.4f,%" PRIu64 ",%.3f\n", rate(s->latency_sum, acc), s->last_cycle,
            r->c.seconds);
}
