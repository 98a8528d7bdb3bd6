/* Unit tests of the register file and the REGS text format (gr_regs_). */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "granule/regs.h"

/* A REGS file in the system temporary directory, removed by teardown. */
typedef struct {
    char path[64];
    char err[512];
    gr_regs r;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->path, "/tmp/granule-test-regs-XXXXXX");
    int fd = mkstemp(f->path);
    if (fd < 0) {
        free(f);
        return -1;
    }
    close(fd);
    gr_regs_reset(&f->r);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    unlink(f->path);
    free(f);
    return 0;
}

static void put(fixture *f, const char *text)
{
    FILE *fp = fopen(f->path, "wb");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

static int parse(fixture *f)
{
    f->err[0] = '\0';
    return gr_regs_parse_file(&f->r, f->path, f->err, sizeof f->err);
}

/* The error names the file and the line: "FILE:LINE" or "line LINE". */
static void assert_names_line(const fixture *f, int line)
{
    char a[96], b[32];
    snprintf(a, sizeof a, "%s:%d", f->path, line);
    snprintf(b, sizeof b, "line %d", line);
    if (!strstr(f->err, a) && !(strstr(f->err, f->path) && strstr(f->err, b)))
        fail_msg("error text `%s` does not name %s line %d", f->err, f->path, line);
}

/* Defaults as documented in regs.h: SCTLR_EL1 = its Armv8.0 RES1 bits
 * (29, 28, 23, 22, 20, 11) plus C (bit 2) and I (bit 12), M = 0, which is
 * 0x30D00800 | 0x1004; PARange 0b0101 = 48 bits. */
static void test_regs_reset_defaults(void **state)
{
    (void)state;
    gr_regs r;
    memset(&r, 0xa5, sizeof r);
    gr_regs_reset(&r);
    assert_int_equal(r.tcr, 0);
    assert_int_equal(r.ttbr0, 0);
    assert_int_equal(r.ttbr1, 0);
    assert_int_equal(r.mair, 0);
    assert_int_equal(r.sctlr, 0x30D01804ull);
    assert_int_equal(r.sctlr & 1, 0);
    assert_int_equal(r.pstate_pan, 0);
    assert_int_equal(r.id_aa64mmfr0 & 0xf, 5);
    assert_int_equal(r.apiakeyhi, 0);
    assert_int_equal(r.apgakeylo, 0);
}

static void test_regs_set_by_name(void **state)
{
    (void)state;
    gr_regs r;
    gr_regs_reset(&r);
    assert_int_equal(gr_regs_set(&r, "TCR_EL1", 0x123), 0);
    assert_int_equal(r.tcr, 0x123);
    assert_int_equal(gr_regs_set(&r, "ttbr1_el1", 0xabc000), 0);
    assert_int_equal(r.ttbr1, 0xabc000);
    assert_int_equal(gr_regs_set(&r, "Mair_El1", 0xff), 0);
    assert_int_equal(r.mair, 0xff);
    assert_int_equal(gr_regs_set(&r, "PSTATE_PAN", 1), 0);
    assert_int_equal(r.pstate_pan, 1);
    assert_int_equal(gr_regs_set(&r, "ID_AA64MMFR0_EL1", 6), 0);
    assert_int_equal(r.id_aa64mmfr0, 6);
    assert_int_equal(gr_regs_set(&r, "APDBKeyLo_EL1", 7), 0);
    assert_int_equal(r.apdbkeylo, 7);
    assert_int_equal(gr_regs_set(&r, "TCR_EL2", 1), -1);
    assert_int_equal(gr_regs_set(&r, "TCR", 1), -1);
    assert_int_equal(gr_regs_set(&r, "TCR_EL1 ", 1), -1);
    assert_int_equal(gr_regs_set(&r, "", 1), -1);
    assert_int_equal(r.tcr, 0x123); /* failed sets changed nothing */
}

static void test_regs_parse_u64(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(gr_parse_u64("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(gr_parse_u64("16", &v), 0);
    assert_int_equal(v, 16);
    assert_int_equal(gr_parse_u64("0x10", &v), 0);
    assert_int_equal(v, 16);
    assert_int_equal(gr_parse_u64("0xABCdef", &v), 0);
    assert_int_equal(v, 0xabcdef);
    assert_int_equal(gr_parse_u64("0x0005_0000_4000_0000", &v), 0);
    assert_int_equal(v, 0x0005000040000000ull);
    assert_int_equal(gr_parse_u64("1_000_000", &v), 0);
    assert_int_equal(v, 1000000);
    assert_int_equal(gr_parse_u64("0xffffffffffffffff", &v), 0);
    assert_int_equal(v, UINT64_MAX);
    assert_int_equal(gr_parse_u64("18446744073709551615", &v), 0);
    assert_int_equal(v, UINT64_MAX);
    v = 99;
    assert_int_equal(gr_parse_u64("18446744073709551616", &v), -1);
    assert_int_equal(gr_parse_u64("0x10000000000000000", &v), -1);
    assert_int_equal(gr_parse_u64("", &v), -1);
    assert_int_equal(gr_parse_u64("0x", &v), -1);
    assert_int_equal(gr_parse_u64("12a", &v), -1);
    assert_int_equal(gr_parse_u64("0x12g", &v), -1);
    assert_int_equal(gr_parse_u64("-1", &v), -1);
    assert_int_equal(gr_parse_u64("+1", &v), -1);
    assert_int_equal(gr_parse_u64(" 1", &v), -1);
    assert_int_equal(gr_parse_u64("1 ", &v), -1);
    assert_int_equal(gr_parse_u64("_1", &v), -1);
    assert_int_equal(gr_parse_u64("1.5", &v), -1);
    assert_int_equal(v, 99); /* untouched on error */
}

static void test_regs_parse_file_comments_hex_decimal(void **state)
{
    fixture *f = *state;
    put(f, "# a machine\n"
           "\n"
           "TCR_EL1 = 0x0000_0005_B510_3510   # 4K/4K, 48-bit\n"
           "   ttbr0_el1=0x40000000\n"
           "TTBR1_EL1 =1073745920\n"
           "\t\n"
           "MAIR_EL1 = 0xff # Normal WB\n"
           "SCTLR_EL1 = 0x30d01805\n"
           "PSTATE_PAN = 1\n"
           "ID_AA64MMFR0_EL1 = 0x6    \n"
           "# trailing comment without newline");
    assert_int_equal(parse(f), 0);
    assert_int_equal(f->r.tcr, 0x00000005B5103510ull);
    assert_int_equal(f->r.ttbr0, 0x40000000);
    assert_int_equal(f->r.ttbr1, 1073745920ull);
    assert_int_equal(f->r.mair, 0xff);
    assert_int_equal(f->r.sctlr, 0x30d01805);
    assert_int_equal(f->r.pstate_pan, 1);
    assert_int_equal(f->r.id_aa64mmfr0, 6);
}

static void test_regs_parse_file_keeps_unnamed(void **state)
{
    fixture *f = *state;
    f->r.mair = 0x44;
    put(f, "TCR_EL1 = 1\n");
    assert_int_equal(parse(f), 0);
    assert_int_equal(f->r.tcr, 1);
    assert_int_equal(f->r.mair, 0x44);
    assert_int_equal(f->r.sctlr, 0x30D01804ull);
}

static void test_regs_parse_file_crlf(void **state)
{
    fixture *f = *state;
    put(f, "TCR_EL1 = 0x10\r\nMAIR_EL1 = 255\r\n");
    assert_int_equal(parse(f), 0);
    assert_int_equal(f->r.tcr, 0x10);
    assert_int_equal(f->r.mair, 255);
}

static void test_regs_parse_file_unknown_name(void **state)
{
    fixture *f = *state;
    put(f, "TCR_EL1 = 1\n# fine\nTCR_EL2 = 5\nMAIR_EL1 = 2\n");
    assert_int_equal(parse(f), -1);
    assert_names_line(f, 3);
    assert_non_null(strstr(f->err, "TCR_EL2"));
    /* all or nothing: line 1 was valid but is not applied */
    assert_int_equal(f->r.tcr, 0);
    assert_int_equal(f->r.mair, 0);
}

static void test_regs_parse_file_missing_equals(void **state)
{
    fixture *f = *state;
    put(f, "\n\nMAIR_EL1 = 1\n\nTCR_EL1 0x10\n");
    assert_int_equal(parse(f), -1);
    assert_names_line(f, 5);
    assert_int_equal(f->r.mair, 0);
}

static void test_regs_parse_file_bad_value(void **state)
{
    fixture *f = *state;
    put(f, "MAIR_EL1 = 0xfg\n");
    assert_int_equal(parse(f), -1);
    assert_names_line(f, 1);
    assert_non_null(strstr(f->err, "0xfg"));
}

static void test_regs_parse_file_malformed_lines(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "TCR_EL1 =\n",               /* no value */
        "= 5\n",                     /* no name */
        "TCR_EL1 = 1 2\n",           /* two values */
        "TCR_EL1 = 0x1_0000_0000_0000_0000\n", /* more than 64 bits */
        "TCR_EL1 = -3\n",
        "TCR EL1 = 3\n",             /* space in name */
        "TCR_EL1 == 3\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "MAIR_EL1 = 7\n%s", bad[i]);
        put(f, text);
        gr_regs_reset(&f->r);
        if (parse(f) != -1)
            fail_msg("accepted malformed line `%s`", bad[i]);
        assert_names_line(f, 2);
        assert_int_equal(f->r.mair, 0);
    }
}

static void test_regs_parse_file_missing_file(void **state)
{
    fixture *f = *state;
    unlink(f->path);
    assert_int_equal(parse(f), -1);
    assert_non_null(strstr(f->err, f->path));
    assert_int_equal(f->r.tcr, 0);
    /* teardown unlinks again: harmless */
}

static void test_regs_parse_file_small_error_buffer(void **state)
{
    fixture *f = *state;
    put(f, "BOGUS_REGISTER_NAME_THAT_IS_LONG = 1\n");
    char small[8];
    memset(small, 'x', sizeof small);
    assert_int_equal(gr_regs_parse_file(&f->r, f->path, small, sizeof small), -1);
    assert_true(memchr(small, '\0', sizeof small) != NULL); /* terminated */
    assert_int_equal(gr_regs_parse_file(&f->r, f->path, NULL, 0), -1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regs_reset_defaults),
        cmocka_unit_test(test_regs_set_by_name),
        cmocka_unit_test(test_regs_parse_u64),
        T(test_regs_parse_file_comments_hex_decimal),
        T(test_regs_parse_file_keeps_unnamed),
        T(test_regs_parse_file_crlf),
        T(test_regs_parse_file_unknown_name),
        T(test_regs_parse_file_missing_equals),
        T(test_regs_parse_file_bad_value),
        T(test_regs_parse_file_malformed_lines),
        T(test_regs_parse_file_missing_file),
        T(test_regs_parse_file_small_error_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
