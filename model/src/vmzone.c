/* Zones: chunked fixed-size allocators with a free list (XNU zalloc). */
#include "granule/vmzone.h"

#include <stdlib.h>
#include <string.h>

typedef struct chunk {
    struct chunk *next;
} chunk;

struct gr_vmzone {
    char name[32];
    size_t elem, chunk_bytes, per_chunk;
    chunk *chunks;
    void *free_list; /* each free element starts with the next pointer */
    gr_vmzone_stats st;
};

#define HDR 16 /* chunk header, keeps elements 16-byte aligned */

gr_vmzone *gr_vmzone_create(const char *name, size_t elem_size, size_t chunk_bytes)
{
    if (!elem_size)
        return NULL;
    size_t elem = (elem_size + 15) & ~(size_t)15;
    if (!chunk_bytes)
        chunk_bytes = 16384;
    if (chunk_bytes < HDR + elem)
        chunk_bytes = HDR + elem;
    gr_vmzone *z = calloc(1, sizeof *z);
    if (!z)
        return NULL;
    snprintf(z->name, sizeof z->name, "%s", name ? name : "zone");
    z->elem = elem;
    z->chunk_bytes = chunk_bytes;
    z->per_chunk = (chunk_bytes - HDR) / elem;
    z->st.name = z->name;
    z->st.elem_size = elem;
    z->st.alloc_size = chunk_bytes;
    return z;
}

void gr_vmzone_destroy(gr_vmzone *z)
{
    if (!z)
        return;
    for (chunk *c = z->chunks, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    free(z);
}

void *gr_vmzone_alloc(gr_vmzone *z)
{
    if (!z->free_list) {
        chunk *c = malloc(z->chunk_bytes);
        if (!c)
            return NULL;
        c->next = z->chunks;
        z->chunks = c;
        uint8_t *base = (uint8_t *)c + HDR;
        for (size_t i = z->per_chunk; i-- > 0;) { /* lowest address handed out first */
            void *e = base + i * z->elem;
            memcpy(e, &z->free_list, sizeof(void *));
            z->free_list = e;
        }
        z->st.cur_elems += z->per_chunk;
        z->st.cur_size += z->chunk_bytes;
        if (z->st.cur_elems > z->st.max_elems)
            z->st.max_elems = z->st.cur_elems;
        if (z->st.cur_size > z->st.max_size)
            z->st.max_size = z->st.cur_size;
    }
    void *e = z->free_list;
    memcpy(&z->free_list, e, sizeof(void *));
    memset(e, 0, z->elem);
    z->st.inuse++;
    z->st.alloc_count++;
    return e;
}

void gr_vmzone_free(gr_vmzone *z, void *p)
{
    if (!p)
        return;
    memcpy(p, &z->free_list, sizeof(void *));
    z->free_list = p;
    z->st.inuse--;
}

void gr_vmzone_get_stats(const gr_vmzone *z, gr_vmzone_stats *s)
{
    *s = z->st;
}

void gr_vmzone_report(gr_vmzone *const *zones, unsigned n, FILE *f)
{
    fprintf(f, "%-20s %6s %8s %8s %9s %9s %8s %7s %9s\n", "", "elem", "cur", "max", "cur",
            "max", "cur", "alloc", "alloc");
    fprintf(f, "%-20s %6s %8s %8s %9s %9s %8s %7s %9s\n", "ZONE", "size", "elems", "elems",
            "size", "size", "inuse", "size", "count");
    for (unsigned i = 0; i < n; i++) {
        const gr_vmzone_stats *s = &zones[i]->st;
        fprintf(f, "%-20s %6zu %8llu %8llu %8lluK %8lluK %8llu %6lluK %9llu\n", s->name,
                s->elem_size, (unsigned long long)s->cur_elems, (unsigned long long)s->max_elems,
                (unsigned long long)(s->cur_size >> 10), (unsigned long long)(s->max_size >> 10),
                (unsigned long long)s->inuse, (unsigned long long)(s->alloc_size >> 10),
                (unsigned long long)s->alloc_count);
    }
}
