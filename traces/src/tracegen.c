/* granule — synthetic trace generators (granule/tracegen.h). */
#include "granule/tracegen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- PRNG ------------------------------------------------------------------ */

uint64_t gr_tracegen_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

void gr_tracegen_rng_seed(gr_tracegen_rng *r, uint64_t seed)
{
    uint64_t st = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = gr_tracegen_splitmix64(&st);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t gr_tracegen_rng_next(gr_tracegen_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t gr_tracegen_rng_below(gr_tracegen_rng *r, uint64_t n)
{
    if (n == 0)
        return 0;
    /* 2^64 mod n, computed in 64 bits: (2^64 - n) mod n. Values below it
     * would make the low residues one draw more likely than the others. */
    const uint64_t reject_below = (0 - n) % n;
    uint64_t x;
    do
        x = gr_tracegen_rng_next(r);
    while (x < reject_below);
    return x % n;
}

/* floor(p * 2^53) for p in [0, 1]: an event of probability p happens when
 * the top 53 bits of a draw are below it. */
static uint64_t prob_threshold(double p)
{
    return (uint64_t)(p * 9007199254740992.0); /* 2^53: exact, p * 2^53 rounds nowhere */
}

static inline bool chance(gr_tracegen_rng *r, uint64_t threshold)
{
    return (gr_tracegen_rng_next(r) >> 11) < threshold;
}

/* ---- Names ------------------------------------------------------------------ */

static const char *const kind_names[GR_TRACEGEN_NKINDS] = {"seq",   "random", "stride",
                                                           "chase", "pac",    "multi"};

const char *gr_tracegen_kind_name(gr_tracegen_kind k)
{
    return (unsigned)k < GR_TRACEGEN_NKINDS ? kind_names[k] : NULL;
}

int gr_tracegen_kind_parse(const char *name)
{
    for (int k = 0; k < GR_TRACEGEN_NKINDS; k++)
        if (strcmp(name, kind_names[k]) == 0)
            return k;
    return -1;
}

/* ---- Parameters ------------------------------------------------------------- */

void gr_tracegen_params_default(gr_tracegen_params *p, gr_tracegen_kind kind)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->count = 1000000;
    p->seed = 1;
    p->base = 0x10000000;
    p->footprint = 64u << 20;
    p->page_size = 4096;
    p->size = 8;
    p->write_frac = 0.3;
    p->code_base = 0x400000;
    p->code_size = 4096;
    p->task = 1;
    p->ret_frac = 0.5;
    p->tamper_frac = 0.01;
    p->pac_bottom = 48;
    p->stack_base = 0xfffff0000000u;
    p->stack_size = 1u << 20;
}

/* ---- The generator ------------------------------------------------------------ */

#define MAX_CHASE_NODES (1u << 28)

struct gr_tracegen {
    gr_tracegen_params p;
    gr_tracegen_rng rng;
    uint64_t emitted;      /* data (or PAC) accesses emitted */
    uint32_t fetches_left; /* fetches still to emit before the next data access */
    bool fetches_done;     /* the fetches of the next data access are out */
    uint64_t pc_off;       /* next fetch is at code_base + pc_off */
    uint64_t last_pc;      /* pc of the data access (the last fetch), or 0 */
    uint64_t write_thr, ret_thr, tamper_thr;
    uint64_t slots;        /* footprint / size */
    uint64_t off;          /* SEQ/STRIDE: offset of the next access */
    uint32_t *next_node;   /* CHASE: the cyclic permutation */
    uint32_t node;         /* CHASE: the node accessed next */
    /* MULTI */
    gr_tracegen **tasks;
    uint16_t *asids;
    gr_trace_rec *peek;    /* each task's next record */
    bool *alive;           /* peek[i] holds a record */
    size_t ntasks;
    size_t cur, next_task;
    uint64_t quantum, left;
    bool in_turn;
};

static gr_tracegen *fail(gr_tracegen_status *st, gr_tracegen_status code, char *err, size_t errlen,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static gr_tracegen *fail(gr_tracegen_status *st, gr_tracegen_status code, char *err, size_t errlen,
                         const char *fmt, ...)
{
    if (st)
        *st = code;
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return NULL;
}

static bool is_prob(double x)
{
    return x >= 0.0 && x <= 1.0; /* false for NaN */
}

gr_tracegen *gr_tracegen_create(const gr_tracegen_params *p, gr_tracegen_status *st, char *err,
                                size_t errlen)
{
#define BAD(...) return fail(st, GR_TRACEGEN_EPARAM, err, errlen, __VA_ARGS__)
    if (!p)
        BAD("no parameters");
    if ((unsigned)p->kind >= GR_TRACEGEN_MULTI)
        BAD("kind %d: not a single-task generator (MULTI is built by gr_tracegen_create_multi)",
            (int)p->kind);
    if (p->size < 1 || p->size > 4096)
        BAD("size %u: must be 1..4096 bytes", p->size);
    if (p->page_size == 0 || (p->page_size & (p->page_size - 1)) != 0)
        BAD("page size %u: must be a power of two", p->page_size);
    if (p->footprint < p->size)
        BAD("footprint %llu: smaller than one access (%u bytes)",
            (unsigned long long)p->footprint, p->size);
    if (p->base % p->size != 0)
        BAD("base 0x%llx: not a multiple of the access size %u", (unsigned long long)p->base,
            p->size);
    if (p->base + p->footprint < p->base)
        BAD("base 0x%llx + footprint 0x%llx wraps around the address space",
            (unsigned long long)p->base, (unsigned long long)p->footprint);
    if (!is_prob(p->write_frac))
        BAD("write fraction %g: must be in [0, 1]", p->write_frac);
    if (p->el > 1)
        BAD("EL %u: must be 0 or 1", p->el);
    if ((p->ifetch > 0 || (p->kind == GR_TRACEGEN_PAC && p->ret_frac > 0)) &&
        (p->code_size < 4 || p->code_size % 4 != 0 || p->code_base % 4 != 0 ||
         p->code_base + p->code_size < p->code_base))
        BAD("code region 0x%llx + 0x%llx: needs a non-empty multiple of 4 bytes at a 4-aligned base",
            (unsigned long long)p->code_base, (unsigned long long)p->code_size);

    gr_tracegen *g = calloc(1, sizeof *g);
    if (!g)
        return fail(st, GR_TRACEGEN_ENOMEM, err, errlen, "out of memory");
    g->p = *p;
    if (g->p.stride == 0)
        g->p.stride = p->kind == GR_TRACEGEN_SEQ ? p->size : p->page_size;
    gr_tracegen_rng_seed(&g->rng, p->seed);
    g->write_thr = prob_threshold(p->write_frac);
    g->slots = p->footprint / p->size;

    if (p->kind == GR_TRACEGEN_CHASE) {
        uint64_t stride = g->p.stride, nodes = p->footprint / stride;
        if (nodes < 1 || nodes > MAX_CHASE_NODES) {
            free(g);
            BAD("pointer chase over %llu nodes (footprint %llu / stride %llu): must be 1..%u",
                (unsigned long long)nodes, (unsigned long long)p->footprint,
                (unsigned long long)stride, MAX_CHASE_NODES);
        }
        g->next_node = malloc(nodes * sizeof *g->next_node);
        if (!g->next_node) {
            free(g);
            return fail(st, GR_TRACEGEN_ENOMEM, err, errlen, "out of memory (%llu chase nodes)",
                        (unsigned long long)nodes);
        }
        /* Sattolo's algorithm: the Fisher-Yates shuffle with j drawn from
         * [0, i) instead of [0, i] yields each of the (n-1)! permutations
         * made of one n-cycle with equal probability, so following
         * next_node[] from any node visits every node once per lap. */
        for (uint64_t i = 0; i < nodes; i++)
            g->next_node[i] = (uint32_t)i;
        for (uint64_t i = nodes - 1; i > 0; i--) {
            uint64_t j = gr_tracegen_rng_below(&g->rng, i);
            uint32_t t = g->next_node[i];
            g->next_node[i] = g->next_node[j];
            g->next_node[j] = t;
        }
        g->node = 0;
    }
    if (p->kind == GR_TRACEGEN_PAC) {
        if (!is_prob(p->ret_frac) || !is_prob(p->tamper_frac)) {
            free(g);
            BAD("PAC fractions (returns %g, tampered %g): must be in [0, 1]", p->ret_frac,
                p->tamper_frac);
        }
        if (p->pac_bottom < 25 || p->pac_bottom > 54) {
            free(g);
            BAD("PAC bottom bit %u: must be 25..54 (64 - TxSZ)", p->pac_bottom);
        }
        if (p->stack_size < 16 || p->stack_base % 16 != 0 || p->stack_base < p->stack_size) {
            free(g);
            BAD("stack 0x%llx - 0x%llx: needs a 16-aligned top at least 16 bytes above 0",
                (unsigned long long)p->stack_base, (unsigned long long)p->stack_size);
        }
        if (p->footprint < 8) {
            free(g);
            BAD("footprint %llu: a PAC workload needs at least one 8-byte pointer slot",
                (unsigned long long)p->footprint);
        }
        g->ret_thr = prob_threshold(p->ret_frac);
        g->tamper_thr = prob_threshold(p->tamper_frac);
    }
    if (st)
        *st = GR_TRACEGEN_OK;
    return g;
#undef BAD
}

uint32_t gr_tracegen_page_size(const gr_tracegen *g)
{
    if (g->tasks)
        return gr_tracegen_page_size(g->tasks[0]);
    return g->p.page_size;
}

/* One PAC access: which pointer, signed how, tampered or not. Every draw is
 * made whatever the fractions say, so two streams with the same seed and
 * different tamper fractions differ exactly at the tampered records. */
static void next_pac(gr_tracegen *g, gr_trace_rec *rec)
{
    const gr_tracegen_params *p = &g->p;
    gr_tracegen_rng *r = &g->rng;
    bool ret = chance(r, g->ret_thr);
    uint64_t code = gr_tracegen_rng_below(r, p->code_size / 4) * 4 + p->code_base;
    uint64_t sp = p->stack_base - 16 * (1 + gr_tracegen_rng_below(r, p->stack_size / 16));
    uint64_t data = p->base + gr_tracegen_rng_below(r, g->slots) * p->size;
    uint64_t slot = p->base + gr_tracegen_rng_below(r, p->footprint / 8) * 8;
    bool write = chance(r, g->write_thr);
    bool tamper = chance(r, g->tamper_thr);
    unsigned bit = p->pac_bottom + (unsigned)gr_tracegen_rng_below(r, 55 - p->pac_bottom);

    /* A return (RETAA): the branch target is fetched, authenticated with IA
     * and the SP as modifier. A data pointer (LDRAA-like): DA with the
     * address it was stored at as modifier (address diversity). */
    unsigned key = ret ? GR_TRACE_PAC_IA : GR_TRACE_PAC_DA;
    uint64_t ptr = ret ? code : data;
    uint64_t mod = ret ? sp : slot;
    if (p->sign)
        ptr = p->sign(p->sign_ctx, ptr, key, mod, p->el);
    if (tamper)
        ptr ^= UINT64_C(1) << bit;
    rec->kind = ret ? GR_TREC_FETCH : (write ? GR_TREC_WRITE : GR_TREC_READ);
    rec->size = ret ? 4 : p->size;
    rec->pac_key = (uint8_t)key;
    rec->modifier = mod;
    rec->va = ptr;
}

static bool next_single(gr_tracegen *g, gr_trace_rec *rec)
{
    const gr_tracegen_params *p = &g->p;
    if (g->emitted >= p->count)
        return false;
    memset(rec, 0, sizeof *rec);
    rec->el = p->el;
    rec->task = p->task;
    if (!g->fetches_done) {
        if (g->fetches_left == 0)
            g->fetches_left = p->ifetch;
        if (g->fetches_left > 0) {
            g->last_pc = p->code_base + g->pc_off;
            g->pc_off = (g->pc_off + 4) % p->code_size;
            rec->kind = GR_TREC_FETCH;
            rec->size = 4;
            rec->va = rec->pc = g->last_pc;
            if (--g->fetches_left == 0)
                g->fetches_done = true;
            return true;
        }
    }
    g->fetches_done = false;
    rec->pc = g->last_pc;
    g->emitted++;
    switch (p->kind) {
    case GR_TRACEGEN_SEQ:
    case GR_TRACEGEN_STRIDE:
        rec->va = p->base + g->off;
        g->off = (g->off + p->stride % p->footprint) % p->footprint;
        break;
    case GR_TRACEGEN_RANDOM:
        rec->va = p->base + gr_tracegen_rng_below(&g->rng, g->slots) * p->size;
        break;
    case GR_TRACEGEN_CHASE:
        rec->va = p->base + (uint64_t)g->node * p->stride;
        g->node = g->next_node[g->node];
        break;
    case GR_TRACEGEN_PAC:
        next_pac(g, rec);
        return true;
    default:
        return false;
    }
    rec->kind = chance(&g->rng, g->write_thr) ? GR_TREC_WRITE : GR_TREC_READ;
    rec->size = p->size;
    return true;
}

/* ---- Multi-task interleave -------------------------------------------------------- */

gr_tracegen *gr_tracegen_create_multi(gr_tracegen **tasks, const uint16_t *asids, size_t n,
                                      uint64_t quantum, gr_tracegen_status *st, char *err,
                                      size_t errlen)
{
    gr_tracegen *g = NULL;
    const char *why = NULL;
    if (n == 0 || !tasks || !asids)
        why = "no tasks";
    else if (quantum == 0)
        why = "quantum 0: a context switch needs at least one access between switches";
    for (size_t i = 0; !why && i < n; i++)
        if (!tasks[i] || tasks[i]->tasks)
            why = "a task is NULL or itself a multi-task interleave";
    if (!why) {
        g = calloc(1, sizeof *g);
        if (g) {
            g->tasks = calloc(n, sizeof *g->tasks);
            g->asids = calloc(n, sizeof *g->asids);
            g->peek = calloc(n, sizeof *g->peek);
            g->alive = calloc(n, sizeof *g->alive);
        }
        if (!g || !g->tasks || !g->asids || !g->peek || !g->alive) {
            if (g) {
                free(g->tasks);
                free(g->asids);
                free(g->peek);
                free(g->alive);
                free(g);
            }
            for (size_t i = 0; tasks && i < n; i++)
                gr_tracegen_destroy(tasks[i]);
            return fail(st, GR_TRACEGEN_ENOMEM, err, errlen, "out of memory");
        }
    }
    if (why) {
        for (size_t i = 0; tasks && i < n; i++)
            gr_tracegen_destroy(tasks[i]);
        return fail(st, GR_TRACEGEN_EPARAM, err, errlen, "%s", why);
    }
    g->p.kind = GR_TRACEGEN_MULTI;
    g->ntasks = n;
    g->quantum = quantum;
    for (size_t i = 0; i < n; i++) {
        g->tasks[i] = tasks[i];
        g->asids[i] = asids[i];
        g->alive[i] = next_single(tasks[i], &g->peek[i]);
    }
    if (st)
        *st = GR_TRACEGEN_OK;
    return g;
}

static bool next_multi(gr_tracegen *g, gr_trace_rec *rec)
{
    if (!g->in_turn) {
        size_t i = g->next_task, k;
        for (k = 0; k < g->ntasks && !g->alive[i]; k++)
            i = (i + 1) % g->ntasks;
        if (k == g->ntasks)
            return false;
        g->cur = i;
        g->next_task = (i + 1) % g->ntasks;
        g->left = g->quantum;
        g->in_turn = true;
        memset(rec, 0, sizeof *rec);
        rec->kind = GR_TREC_CTXSW;
        rec->task = g->tasks[i]->p.task;
        rec->el = 1; /* the kernel switches tasks */
        rec->arg[0] = g->asids[i];
        return true;
    }
    *rec = g->peek[g->cur];
    g->alive[g->cur] = next_single(g->tasks[g->cur], &g->peek[g->cur]);
    if (--g->left == 0 || !g->alive[g->cur])
        g->in_turn = false;
    return true;
}

bool gr_tracegen_next(gr_tracegen *g, gr_trace_rec *rec)
{
    return g->tasks ? next_multi(g, rec) : next_single(g, rec);
}

void gr_tracegen_destroy(gr_tracegen *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->ntasks; i++)
        gr_tracegen_destroy(g->tasks[i]);
    free(g->tasks);
    free(g->asids);
    free(g->peek);
    free(g->alive);
    free(g->next_node);
    free(g);
}
