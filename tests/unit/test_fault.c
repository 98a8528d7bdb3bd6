/*
 * Unit tests of fault names and the status-code encoder (gr_fault_).
 * Expected codes are the Arm ARM's long-descriptor fault status codes
 * (ESR_ELx.ISS DFSC/IFSC, PAR_EL1.FST), written out as literals:
 *   0b0000LL address size, 0b0001LL translation, 0b0010LL access flag,
 *   0b0011LL permission, 0b0101LL synchronous external abort on walk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "granule/fault.h"

static uint8_t fsc(gr_fault_type t, int level, bool write, bool ifetch)
{
    gr_fault f = {.type = t, .level = (int8_t)level, .write = write,
                  .ifetch = ifetch};
    return gr_fault_fsc(&f);
}

static void test_fault_fsc_address_size(void **state)
{
    (void)state;
    assert_int_equal(fsc(GR_FAULT_ADDRESS_SIZE, 0, false, false), 0x00);
    assert_int_equal(fsc(GR_FAULT_ADDRESS_SIZE, 1, false, false), 0x01);
    assert_int_equal(fsc(GR_FAULT_ADDRESS_SIZE, 2, false, false), 0x02);
    assert_int_equal(fsc(GR_FAULT_ADDRESS_SIZE, 3, false, false), 0x03);
}

static void test_fault_fsc_translation(void **state)
{
    (void)state;
    assert_int_equal(fsc(GR_FAULT_TRANSLATION, 0, false, false), 0x04);
    assert_int_equal(fsc(GR_FAULT_TRANSLATION, 1, false, false), 0x05);
    assert_int_equal(fsc(GR_FAULT_TRANSLATION, 2, false, false), 0x06);
    assert_int_equal(fsc(GR_FAULT_TRANSLATION, 3, false, false), 0x07);
}

static void test_fault_fsc_access_flag(void **state)
{
    (void)state;
    assert_int_equal(fsc(GR_FAULT_ACCESS_FLAG, 0, false, false), 0x08);
    assert_int_equal(fsc(GR_FAULT_ACCESS_FLAG, 1, false, false), 0x09);
    assert_int_equal(fsc(GR_FAULT_ACCESS_FLAG, 2, false, false), 0x0a);
    assert_int_equal(fsc(GR_FAULT_ACCESS_FLAG, 3, false, false), 0x0b);
}

static void test_fault_fsc_permission(void **state)
{
    (void)state;
    assert_int_equal(fsc(GR_FAULT_PERMISSION, 0, false, false), 0x0c);
    assert_int_equal(fsc(GR_FAULT_PERMISSION, 1, false, false), 0x0d);
    assert_int_equal(fsc(GR_FAULT_PERMISSION, 2, false, false), 0x0e);
    assert_int_equal(fsc(GR_FAULT_PERMISSION, 3, false, false), 0x0f);
}

static void test_fault_fsc_external_abort_on_walk(void **state)
{
    (void)state;
    assert_int_equal(fsc(GR_FAULT_SYNC_EXTERNAL_ON_WALK, 0, false, false), 0x14);
    assert_int_equal(fsc(GR_FAULT_SYNC_EXTERNAL_ON_WALK, 1, false, false), 0x15);
    assert_int_equal(fsc(GR_FAULT_SYNC_EXTERNAL_ON_WALK, 2, false, false), 0x16);
    assert_int_equal(fsc(GR_FAULT_SYNC_EXTERNAL_ON_WALK, 3, false, false), 0x17);
}

/* WnR and the I/D side are reported elsewhere in the syndrome: the status
 * code itself is the same for a write or an instruction fetch. */
static void test_fault_fsc_independent_of_access(void **state)
{
    (void)state;
    assert_int_equal(fsc(GR_FAULT_PERMISSION, 3, true, false), 0x0f);
    assert_int_equal(fsc(GR_FAULT_PERMISSION, 2, false, true), 0x0e);
    assert_int_equal(fsc(GR_FAULT_TRANSLATION, 1, true, false), 0x05);
    assert_int_equal(fsc(GR_FAULT_ACCESS_FLAG, 3, false, true), 0x0b);
}

static void test_fault_fsc_none_and_pac(void **state)
{
    (void)state;
    assert_int_equal(fsc(GR_FAULT_NONE, 0, false, false), 0);
    assert_int_equal(fsc(GR_FAULT_NONE, 3, true, false), 0);
    assert_int_equal(fsc(GR_FAULT_PAC_FAIL, 0, false, false), 0);
}

/* The JSON names are part of the `granule translate --json` contract
 * (issue 2: none, translation, address_size, access_flag, permission,
 * external_abort). */
static void test_fault_names(void **state)
{
    (void)state;
    assert_string_equal(gr_fault_name(GR_FAULT_NONE), "none");
    assert_string_equal(gr_fault_name(GR_FAULT_TRANSLATION), "translation");
    assert_string_equal(gr_fault_name(GR_FAULT_ADDRESS_SIZE), "address_size");
    assert_string_equal(gr_fault_name(GR_FAULT_ACCESS_FLAG), "access_flag");
    assert_string_equal(gr_fault_name(GR_FAULT_PERMISSION), "permission");
    assert_string_equal(gr_fault_name(GR_FAULT_SYNC_EXTERNAL_ON_WALK),
                        "external_abort");
}

static void test_fault_texts_distinct_and_safe(void **state)
{
    (void)state;
    for (int a = 0; a < GR_FAULT_COUNT_; a++) {
        assert_non_null(gr_fault_text((gr_fault_type)a));
        assert_true(strlen(gr_fault_text((gr_fault_type)a)) > 0);
        for (int b = a + 1; b < GR_FAULT_COUNT_; b++) {
            assert_string_not_equal(gr_fault_name((gr_fault_type)a),
                                    gr_fault_name((gr_fault_type)b));
            assert_string_not_equal(gr_fault_text((gr_fault_type)a),
                                    gr_fault_text((gr_fault_type)b));
        }
    }
    /* Out-of-range values must not index past the tables. */
    assert_non_null(gr_fault_name(GR_FAULT_COUNT_));
    assert_non_null(gr_fault_name((gr_fault_type)-1));
    assert_non_null(gr_fault_text((gr_fault_type)1000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_fsc_address_size),
        cmocka_unit_test(test_fault_fsc_translation),
        cmocka_unit_test(test_fault_fsc_access_flag),
        cmocka_unit_test(test_fault_fsc_permission),
        cmocka_unit_test(test_fault_fsc_external_abort_on_walk),
        cmocka_unit_test(test_fault_fsc_independent_of_access),
        cmocka_unit_test(test_fault_fsc_none_and_pac),
        cmocka_unit_test(test_fault_names),
        cmocka_unit_test(test_fault_texts_distinct_and_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
