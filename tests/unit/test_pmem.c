/* Unit tests of the sparse physical memory (gr_pmem_). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "granule/pmem.h"

/* Under AddressSanitizer a host allocation too large to satisfy aborts the
 * whole program by default; let it return NULL instead, so a region the
 * host cannot back fails as GR_PMEM_NOMEM in one test case. (ASan's
 * documented hook; an unused function in other builds.) */
const char *__asan_default_options(void);
__attribute__((used)) const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

static int setup(void **state)
{
    gr_pmem *m = gr_pmem_create();
    if (!m)
        return -1;
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    gr_pmem_destroy(*state);
    return 0;
}

static void test_pmem_destroy_null_is_noop(void **state)
{
    (void)state;
    gr_pmem_destroy(NULL);
}

static void test_pmem_empty_space_is_unmapped(void **state)
{
    gr_pmem *m = *state;
    uint64_t v = 0x1234;
    assert_int_equal(gr_pmem_read64(m, 0, &v), GR_PMEM_UNMAPPED);
    assert_int_equal(v, 0x1234);
    assert_int_equal(gr_pmem_write64(m, 0x1000, 1), GR_PMEM_UNMAPPED);
    assert_null(gr_pmem_region_name(m, 0));
    assert_int_equal(gr_pmem_pages_backed(m), 0);
}

static void test_pmem_region_bounds_and_names(void **state)
{
    gr_pmem *m = *state;
    assert_int_equal(gr_pmem_add_region(m, 0x40000000, 0x100000, "ram"), GR_PMEM_OK);
    assert_int_equal(gr_pmem_add_region(m, 0x1000, 0x1000, "rom"), GR_PMEM_OK);
    assert_string_equal(gr_pmem_region_name(m, 0x40000000), "ram");
    assert_string_equal(gr_pmem_region_name(m, 0x400fffff), "ram");
    assert_null(gr_pmem_region_name(m, 0x40100000));
    assert_null(gr_pmem_region_name(m, 0x3fffffff));
    assert_string_equal(gr_pmem_region_name(m, 0x1000), "rom");
    assert_string_equal(gr_pmem_region_name(m, 0x1fff), "rom");
    assert_null(gr_pmem_region_name(m, 0x2000));
    assert_null(gr_pmem_region_name(m, 0xfff));
}

static void test_pmem_region_name_is_copied(void **state)
{
    gr_pmem *m = *state;
    char name[8] = "abc";
    assert_int_equal(gr_pmem_add_region(m, 0, 0x1000, name), GR_PMEM_OK);
    strcpy(name, "xyz");
    assert_string_equal(gr_pmem_region_name(m, 0x10), "abc");
}

static void test_pmem_overlap_rejected(void **state)
{
    gr_pmem *m = *state;
    assert_int_equal(gr_pmem_add_region(m, 0x10000, 0x10000, "a"), GR_PMEM_OK);
    /* identical, tail overlap, head overlap, containing, contained, and
     * a one-byte overlap at each end */
    assert_int_equal(gr_pmem_add_region(m, 0x10000, 0x10000, "b"), GR_PMEM_OVERLAP);
    assert_int_equal(gr_pmem_add_region(m, 0x18000, 0x10000, "b"), GR_PMEM_OVERLAP);
    assert_int_equal(gr_pmem_add_region(m, 0x8000, 0x10000, "b"), GR_PMEM_OVERLAP);
    assert_int_equal(gr_pmem_add_region(m, 0x0, 0x100000, "b"), GR_PMEM_OVERLAP);
    assert_int_equal(gr_pmem_add_region(m, 0x14000, 0x100, "b"), GR_PMEM_OVERLAP);
    assert_int_equal(gr_pmem_add_region(m, 0x1ffff, 0x10, "b"), GR_PMEM_OVERLAP);
    assert_int_equal(gr_pmem_add_region(m, 0xfff0, 0x11, "b"), GR_PMEM_OVERLAP);
    /* adjacent on both sides is not an overlap */
    assert_int_equal(gr_pmem_add_region(m, 0x20000, 0x1000, "c"), GR_PMEM_OK);
    assert_int_equal(gr_pmem_add_region(m, 0xf000, 0x1000, "d"), GR_PMEM_OK);
    /* a rejected region left nothing behind */
    assert_string_equal(gr_pmem_region_name(m, 0x10000), "a");
    assert_string_equal(gr_pmem_region_name(m, 0x1ffff), "a");
    assert_string_equal(gr_pmem_region_name(m, 0x20000), "c");
    assert_string_equal(gr_pmem_region_name(m, 0xf000), "d");
    assert_null(gr_pmem_region_name(m, 0x21000));
    /* overlapping a region added later, from below */
    assert_int_equal(gr_pmem_add_region(m, 0x20fff, 0x2, "e"), GR_PMEM_OVERLAP);
}

static void test_pmem_bad_ranges(void **state)
{
    gr_pmem *m = *state;
    assert_int_equal(gr_pmem_add_region(m, 0x1000, 0, "empty"), GR_PMEM_BAD_RANGE);
    assert_int_equal(gr_pmem_add_region(m, UINT64_MAX - 0xf, 0x20, "wrap"),
                     GR_PMEM_BAD_RANGE);
    /* ending exactly at the top of the 64-bit space does not wrap */
    assert_int_equal(gr_pmem_add_region(m, 0xfffffffffffff000ull, 0x1000, "top"),
                     GR_PMEM_OK);
    uint64_t v;
    assert_int_equal(gr_pmem_write64(m, 0xfffffffffffffff8ull, 0x55aa), GR_PMEM_OK);
    assert_int_equal(gr_pmem_read64(m, 0xfffffffffffffff8ull, &v), GR_PMEM_OK);
    assert_int_equal(v, 0x55aa);
    /* a dump running off the top of the address space */
    uint8_t b[16];
    assert_int_equal(gr_pmem_dump(m, 0xfffffffffffffff8ull, b, 16), GR_PMEM_UNMAPPED);
}

static void test_pmem_zero_fill(void **state)
{
    gr_pmem *m = *state;
    assert_int_equal(gr_pmem_add_region(m, 0x80000000, 0x200000, "ram"), GR_PMEM_OK);
    uint64_t v = 0xdead;
    assert_int_equal(gr_pmem_read64(m, 0x80000000, &v), GR_PMEM_OK);
    assert_int_equal(v, 0);
    v = 0xdead;
    assert_int_equal(gr_pmem_read64(m, 0x801ffff8, &v), GR_PMEM_OK);
    assert_int_equal(v, 0);
    uint8_t buf[64];
    memset(buf, 0xcc, sizeof buf);
    assert_int_equal(gr_pmem_dump(m, 0x80100000, buf, sizeof buf), GR_PMEM_OK);
    for (size_t i = 0; i < sizeof buf; i++)
        assert_int_equal(buf[i], 0);
    /* bytes next to written ones still read as zero */
    assert_int_equal(gr_pmem_write64(m, 0x80000010, UINT64_MAX), GR_PMEM_OK);
    assert_int_equal(gr_pmem_read64(m, 0x80000008, &v), GR_PMEM_OK);
    assert_int_equal(v, 0);
    assert_int_equal(gr_pmem_read64(m, 0x80000018, &v), GR_PMEM_OK);
    assert_int_equal(v, 0);
}

static void test_pmem_little_endian(void **state)
{
    gr_pmem *m = *state;
    assert_int_equal(gr_pmem_add_region(m, 0x1000, 0x1000, "ram"), GR_PMEM_OK);
    assert_int_equal(gr_pmem_write64(m, 0x1008, 0x0102030405060708ull), GR_PMEM_OK);
    uint8_t b[8];
    assert_int_equal(gr_pmem_dump(m, 0x1008, b, 8), GR_PMEM_OK);
    const uint8_t want[8] = {8, 7, 6, 5, 4, 3, 2, 1};
    assert_memory_equal(b, want, 8);
    const uint8_t img[8] = {0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01};
    assert_int_equal(gr_pmem_load(m, 0x1100, img, 8), GR_PMEM_OK);
    uint64_t v;
    assert_int_equal(gr_pmem_read64(m, 0x1100, &v), GR_PMEM_OK);
    assert_int_equal(v, 0x0123456789abcdefull);
}

static void test_pmem_unmapped_access_changes_nothing(void **state)
{
    gr_pmem *m = *state;
    assert_int_equal(gr_pmem_add_region(m, 0x10000, 0x1000, "ram"), GR_PMEM_OK);
    uint64_t v = 0x77;
    assert_int_equal(gr_pmem_read64(m, 0x11000, &v), GR_PMEM_UNMAPPED);
    assert_int_equal(gr_pmem_read64(m, 0xfff8, &v), GR_PMEM_UNMAPPED);
    /* straddles the end of the region */
    assert_int_equal(gr_pmem_read64(m, 0x10ffc, &v), GR_PMEM_UNMAPPED);
    assert_int_equal(v, 0x77);
    assert_int_equal(gr_pmem_write64(m, 0x10ffc, UINT64_MAX), GR_PMEM_UNMAPPED);
    uint8_t data[32];
    memset(data, 0xab, sizeof data);
    /* load partly outside: nothing written, not even the inside part */
    assert_int_equal(gr_pmem_load(m, 0x10ff0, data, sizeof data), GR_PMEM_UNMAPPED);
    assert_int_equal(gr_pmem_load(m, 0xfff0, data, sizeof data), GR_PMEM_UNMAPPED);
    uint8_t out[16];
    assert_int_equal(gr_pmem_dump(m, 0x10ff0, out, 16), GR_PMEM_OK);
    for (int i = 0; i < 16; i++)
        assert_int_equal(out[i], 0);
    assert_int_equal(gr_pmem_dump(m, 0x10000, out, 16), GR_PMEM_OK);
    for (int i = 0; i < 16; i++)
        assert_int_equal(out[i], 0);
    assert_int_equal(gr_pmem_dump(m, 0x10ff8, out, 16), GR_PMEM_UNMAPPED);
    assert_int_equal(gr_pmem_pages_backed(m), 0);
}

/* Byte pattern that differs at every offset of a few pages. */
static void pattern(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 31u + (i >> 8) * 7u + seed);
}

static void test_pmem_load_dump_across_pages(void **state)
{
    gr_pmem *m = *state;
    assert_int_equal(gr_pmem_add_region(m, 0x200000, 0x100000, "ram"), GR_PMEM_OK);
    static uint8_t img[3 * 65536 + 123], out[sizeof img];
    pattern(img, sizeof img, 5);
    /* starts 0x123 bytes before a 4 KiB and a 64 KiB boundary */
    uint64_t pa = 0x20fedd;
    assert_int_equal(gr_pmem_load(m, pa, img, sizeof img), GR_PMEM_OK);
    assert_int_equal(gr_pmem_dump(m, pa, out, sizeof out), GR_PMEM_OK);
    assert_memory_equal(img, out, sizeof img);
    /* a 64-bit read straddling a page boundary sees bytes of both pages */
    uint64_t v, want = 0;
    uint64_t at = 0x210ffc;
    for (int i = 7; i >= 0; i--)
        want = (want << 8) | img[at - pa + (uint64_t)i];
    assert_int_equal(gr_pmem_read64(m, at, &v), GR_PMEM_OK);
    assert_int_equal(v, want);
    /* unwritten neighbours stay zero */
    assert_int_equal(gr_pmem_read64(m, pa - 8 - (pa & 7), &v), GR_PMEM_OK);
    assert_int_equal(v, 0);
}

static void test_pmem_load_dump_across_regions(void **state)
{
    gr_pmem *m = *state;
    /* two adjacent regions, the boundary not page aligned */
    assert_int_equal(gr_pmem_add_region(m, 0x100000, 0x1800, "lo"), GR_PMEM_OK);
    assert_int_equal(gr_pmem_add_region(m, 0x101800, 0x3000, "hi"), GR_PMEM_OK);
    uint8_t img[0x2000], out[0x2000];
    pattern(img, sizeof img, 9);
    assert_int_equal(gr_pmem_load(m, 0x100900, img, sizeof img), GR_PMEM_OK);
    assert_int_equal(gr_pmem_dump(m, 0x100900, out, sizeof out), GR_PMEM_OK);
    assert_memory_equal(img, out, sizeof img);
    uint64_t v, want = 0;
    for (int i = 7; i >= 0; i--)
        want = (want << 8) | img[0x1017fc - 0x100900 + (uint64_t)i];
    assert_int_equal(gr_pmem_read64(m, 0x1017fc, &v), GR_PMEM_OK);
    assert_int_equal(v, want);
    assert_int_equal(gr_pmem_write64(m, 0x1017fc, 0x1122334455667788ull), GR_PMEM_OK);
    assert_int_equal(gr_pmem_read64(m, 0x1017fc, &v), GR_PMEM_OK);
    assert_int_equal(v, 0x1122334455667788ull);
    /* a gap between regions makes the whole access fail */
    assert_int_equal(gr_pmem_add_region(m, 0x105000, 0x1000, "far"), GR_PMEM_OK);
    assert_int_equal(gr_pmem_dump(m, 0x104ff0, out, 0x20), GR_PMEM_UNMAPPED);
    assert_int_equal(gr_pmem_load(m, 0x104800, img, 0x1000), GR_PMEM_UNMAPPED);
}

static void test_pmem_unaligned_region_edges(void **state)
{
    gr_pmem *m = *state;
    /* region starting and ending in the middle of 4 KiB pages */
    assert_int_equal(gr_pmem_add_region(m, 0x7000800, 0x1000, "odd"), GR_PMEM_OK);
    uint64_t v;
    assert_int_equal(gr_pmem_write64(m, 0x7000800, 0xa1), GR_PMEM_OK);
    assert_int_equal(gr_pmem_write64(m, 0x70017f8, 0xb2), GR_PMEM_OK);
    assert_int_equal(gr_pmem_write64(m, 0x7000ff8, 0xc3), GR_PMEM_OK);
    assert_int_equal(gr_pmem_read64(m, 0x7000800, &v), GR_PMEM_OK);
    assert_int_equal(v, 0xa1);
    assert_int_equal(gr_pmem_read64(m, 0x70017f8, &v), GR_PMEM_OK);
    assert_int_equal(v, 0xb2);
    assert_int_equal(gr_pmem_read64(m, 0x7000ff8, &v), GR_PMEM_OK);
    assert_int_equal(v, 0xc3);
    assert_int_equal(gr_pmem_read64(m, 0x7001800, &v), GR_PMEM_UNMAPPED);
    assert_int_equal(gr_pmem_read64(m, 0x70007f8, &v), GR_PMEM_UNMAPPED);
}

static void test_pmem_sparse_backing(void **state)
{
    gr_pmem *m = *state;
    /* 64 GiB of RAM costs nothing until written */
    const uint64_t base = 0x1000000000ull, size = 0x1000000000ull;
    assert_int_equal(gr_pmem_add_region(m, base, size, "big"), GR_PMEM_OK);
    assert_int_equal(gr_pmem_pages_backed(m), 0);
    uint64_t v, top = base + size - 8;
    assert_int_equal(gr_pmem_read64(m, top, &v), GR_PMEM_OK);
    assert_int_equal(v, 0);
    assert_int_equal(gr_pmem_pages_backed(m), 0); /* reads allocate nothing */
    assert_int_equal(gr_pmem_write64(m, top, 42), GR_PMEM_OK);
    assert_int_equal(gr_pmem_pages_backed(m), 1);
    assert_int_equal(gr_pmem_write64(m, top - 8, 43), GR_PMEM_OK);
    assert_int_equal(gr_pmem_pages_backed(m), 1); /* same page */
    assert_int_equal(gr_pmem_write64(m, base, 44), GR_PMEM_OK);
    assert_int_equal(gr_pmem_pages_backed(m), 2);
    assert_int_equal(gr_pmem_read64(m, top, &v), GR_PMEM_OK);
    assert_int_equal(v, 42);
    assert_int_equal(gr_pmem_read64(m, top - 8, &v), GR_PMEM_OK);
    assert_int_equal(v, 43);
    assert_int_equal(gr_pmem_read64(m, base, &v), GR_PMEM_OK);
    assert_int_equal(v, 44);
}

/* pmem.h, gr_pmem_zero(): the range reads as zero afterwards, bytes around
 * it are unchanged, pages it covers entirely lose their backing, and every
 * other written page is still found (removal must keep the hash table's
 * probe sequences intact). */
static void test_pmem_zero_discards_pages(void **state)
{
    gr_pmem *m = *state;
    const uint64_t base = 0x80000000ull, npages = 3000;
    assert_int_equal(gr_pmem_add_region(m, base, npages * 4096, "dram"), GR_PMEM_OK);
    for (uint64_t i = 0; i < npages; i++)
        for (uint64_t o = 0; o < 4096; o += 8)
            assert_int_equal(gr_pmem_write64(m, base + i * 4096 + o, i * 4096 + o + 1), GR_PMEM_OK);
    assert_int_equal(gr_pmem_pages_backed(m), npages);
    /* From the middle of page 10 to the middle of page 15, then every
     * third page of the rest, one page at a time. */
    const uint64_t lo = base + 10 * 4096 + 2048, hi = base + 15 * 4096 + 1024;
    assert_int_equal(gr_pmem_zero(m, lo, hi - lo), GR_PMEM_OK);
    assert_int_equal(gr_pmem_pages_backed(m), npages - 4); /* pages 11..14 */
    size_t dropped = 4;
    for (uint64_t i = 20; i < npages; i += 3, dropped++)
        assert_int_equal(gr_pmem_zero(m, base + i * 4096, 4096), GR_PMEM_OK);
    assert_int_equal(gr_pmem_pages_backed(m), npages - dropped);
    for (uint64_t i = 0; i < npages; i++)
        for (uint64_t o = 0; o < 4096; o += 8) {
            uint64_t pa = base + i * 4096 + o, v = 99;
            bool zero = (pa >= lo && pa < hi) || (i >= 20 && (i - 20) % 3 == 0);
            assert_int_equal(gr_pmem_read64(m, pa, &v), GR_PMEM_OK);
            assert_int_equal(v, zero ? 0 : i * 4096 + o + 1);
        }
    /* Writing a discarded page backs it again. */
    assert_int_equal(gr_pmem_write64(m, base + 12 * 4096, 7), GR_PMEM_OK);
    assert_int_equal(gr_pmem_pages_backed(m), npages - dropped + 1);
    uint64_t v;
    assert_int_equal(gr_pmem_read64(m, base + 12 * 4096, &v), GR_PMEM_OK);
    assert_int_equal(v, 7);
    /* A range leaving the region changes nothing. */
    assert_int_equal(gr_pmem_zero(m, base + (npages - 2) * 4096, 3 * 4096), GR_PMEM_UNMAPPED);
    assert_int_equal(gr_pmem_read64(m, base + (npages - 2) * 4096, &v), GR_PMEM_OK);
    assert_int_equal(v, (npages - 2) * 4096 + 1); /* page 2998 was not zeroed above */
    assert_int_equal(gr_pmem_zero(m, base, 0), GR_PMEM_OK);
}

/* gr_pmem_zero() on scattered pages: page numbers drawn at random collide
 * in the backing hash table far more than consecutive ones, so discarding
 * some of them must leave every other page reachable. */
static void test_pmem_zero_scattered_pages(void **state)
{
    gr_pmem *m = *state;
    enum { NPAGES = 1 << 20, N = 3000 };
    static uint8_t used[NPAGES / 8];
    static uint32_t page[N];
    memset(used, 0, sizeof used);
    const uint64_t base = 0x100000000ull;
    assert_int_equal(gr_pmem_add_region(m, base, (uint64_t)NPAGES * 4096, "dram"), GR_PMEM_OK);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < N;) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint32_t p = (uint32_t)(x % NPAGES);
        if (used[p / 8] & (1u << (p % 8)))
            continue;
        used[p / 8] |= (uint8_t)(1u << (p % 8));
        page[i] = p;
        assert_int_equal(gr_pmem_write64(m, base + (uint64_t)p * 4096 + 8, p + 1u), GR_PMEM_OK);
        i++;
    }
    for (int i = 0; i < N; i += 2)
        assert_int_equal(gr_pmem_zero(m, base + (uint64_t)page[i] * 4096, 4096), GR_PMEM_OK);
    assert_int_equal(gr_pmem_pages_backed(m), N / 2);
    for (int i = 0; i < N; i++) {
        uint64_t v = 99;
        assert_int_equal(gr_pmem_read64(m, base + (uint64_t)page[i] * 4096 + 8, &v), GR_PMEM_OK);
        assert_int_equal(v, i % 2 ? page[i] + 1u : 0);
    }
}

/* pmem.h: "backing pages are allocated on first write, so a large RAM
 * region costs nothing until used". A region spanning the whole 48-bit
 * (and 52-bit) physical address space must therefore be accepted. */
static void test_pmem_whole_pa_space_region(void **state)
{
    gr_pmem *m = *state;
    assert_int_equal(gr_pmem_add_region(m, 0, 1ull << 48, "pa48"), GR_PMEM_OK);
    uint64_t v = 1;
    assert_int_equal(gr_pmem_read64(m, 0x0000123456789000ull, &v), GR_PMEM_OK);
    assert_int_equal(v, 0);
    assert_int_equal(gr_pmem_write64(m, (1ull << 48) - 8, 7), GR_PMEM_OK);
    assert_int_equal(gr_pmem_read64(m, (1ull << 48) - 8, &v), GR_PMEM_OK);
    assert_int_equal(v, 7);
    assert_int_equal(gr_pmem_pages_backed(m), 1);
    assert_int_equal(gr_pmem_add_region(m, 1ull << 48, (1ull << 52) - (1ull << 48), "pa52"),
                     GR_PMEM_OK);
    assert_int_equal(gr_pmem_write64(m, (1ull << 52) - 8, 9), GR_PMEM_OK);
    assert_int_equal(gr_pmem_read64(m, (1ull << 52) - 8, &v), GR_PMEM_OK);
    assert_int_equal(v, 9);
}

static void test_pmem_many_regions(void **state)
{
    gr_pmem *m = *state;
    /* added out of order, more than any small initial capacity */
    for (int i = 0; i < 40; i++) {
        uint64_t base = (uint64_t)((i * 17) % 40) * 0x100000;
        char name[16];
        snprintf(name, sizeof name, "r%d", (i * 17) % 40);
        assert_int_equal(gr_pmem_add_region(m, base, 0x1000, name), GR_PMEM_OK);
    }
    for (int r = 0; r < 40; r++) {
        char name[16];
        snprintf(name, sizeof name, "r%d", r);
        uint64_t base = (uint64_t)r * 0x100000;
        assert_string_equal(gr_pmem_region_name(m, base + 0x800), name);
        assert_null(gr_pmem_region_name(m, base + 0x1000));
        assert_int_equal(gr_pmem_write64(m, base + 8, (uint64_t)r), GR_PMEM_OK);
    }
    for (int r = 39; r >= 0; r--) {
        uint64_t v;
        assert_int_equal(gr_pmem_read64(m, (uint64_t)r * 0x100000 + 8, &v), GR_PMEM_OK);
        assert_int_equal(v, (uint64_t)r);
    }
}

static void test_pmem_strerror(void **state)
{
    (void)state;
    const int codes[] = {GR_PMEM_OK, GR_PMEM_UNMAPPED, GR_PMEM_OVERLAP,
                         GR_PMEM_BAD_RANGE, GR_PMEM_NOMEM};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        assert_non_null(gr_pmem_strerror(codes[i]));
        for (size_t j = i + 1; j < sizeof codes / sizeof codes[0]; j++)
            assert_string_not_equal(gr_pmem_strerror(codes[i]),
                                    gr_pmem_strerror(codes[j]));
    }
    assert_non_null(gr_pmem_strerror(-1));
    assert_non_null(gr_pmem_strerror(999));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pmem_destroy_null_is_noop),
        T(test_pmem_empty_space_is_unmapped),
        T(test_pmem_region_bounds_and_names),
        T(test_pmem_region_name_is_copied),
        T(test_pmem_overlap_rejected),
        T(test_pmem_bad_ranges),
        T(test_pmem_zero_fill),
        T(test_pmem_little_endian),
        T(test_pmem_unmapped_access_changes_nothing),
        T(test_pmem_load_dump_across_pages),
        T(test_pmem_load_dump_across_regions),
        T(test_pmem_unaligned_region_edges),
        T(test_pmem_sparse_backing),
        T(test_pmem_whole_pa_space_region),
        T(test_pmem_many_regions),
        T(test_pmem_zero_discards_pages),
        T(test_pmem_zero_scattered_pages),
        cmocka_unit_test(test_pmem_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
