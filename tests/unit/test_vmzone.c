/*
 * Zones (vmzone.h): elements are zeroed, distinct and 16-byte aligned; a
 * freed element is reused first; chunk arithmetic as documented (16 KiB
 * chunks with a 16-byte header: (16384 - 16) / 48 = 341 elements of 48
 * bytes); the VM layer's objects and tasks come from its zones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "granule/vm.h"
#include "granule/vmzone.h"

static void test_vmzone_alloc_free_reuse(void **state)
{
    (void)state;
    gr_vmzone *z = gr_vmzone_create("test.elems", 40, 0); /* rounded up to 48 */
    assert_non_null(z);
    void *e[400];
    for (int i = 0; i < 400; i++) {
        e[i] = gr_vmzone_alloc(z);
        assert_non_null(e[i]);
        assert_int_equal((uintptr_t)e[i] & 15, 0);
        for (int k = 0; k < 48; k++)
            assert_int_equal(((uint8_t *)e[i])[k], 0);
        memset(e[i], 0xab, 48);
        for (int j = 0; j < i; j++)
            assert_ptr_not_equal(e[i], e[j]);
    }
    gr_vmzone_stats s;
    gr_vmzone_get_stats(z, &s);
    assert_string_equal(s.name, "test.elems");
    assert_int_equal(s.elem_size, 48);
    assert_int_equal(s.cur_elems, 2 * 341); /* 400 elements need two chunks */
    assert_int_equal(s.cur_size, 2 * 16384);
    assert_int_equal(s.inuse, 400);
    assert_int_equal(s.alloc_count, 400);
    gr_vmzone_free(z, e[17]);
    void *again = gr_vmzone_alloc(z);
    assert_ptr_equal(again, e[17]); /* the free list is LIFO */
    assert_int_equal(((uint8_t *)again)[5], 0); /* and zeroed again */
    gr_vmzone_free(z, NULL);
    gr_vmzone_get_stats(z, &s);
    assert_int_equal(s.inuse, 400);
    assert_int_equal(s.alloc_count, 401);
    gr_vmzone_destroy(z);
    gr_vmzone_destroy(NULL);
}

static void test_vmzone_vm_objects_and_tasks(void **state)
{
    (void)state;
    gr_pmem *mem = gr_pmem_create();
    gr_vmbe be;
    gr_vmbe_direct(mem, &be);
    gr_vm_config c;
    gr_vm_config_default(&c); /* shared cache: one object per page size */
    gr_vm *vm = gr_vm_create(&c, mem, &be, NULL);
    assert_non_null(vm);
    int a, b;
    /* A task: __TEXT, __DATA, __LINKEDIT, heap and stack objects. */
    assert_int_equal(gr_vm_spawn(vm, "a", 12, NULL, &a), GR_VM_OK);
    assert_int_equal(gr_vm_spawn(vm, "b", 14, NULL, &b), GR_VM_OK);
    char *txt = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&txt, &len);
    gr_vm_report_zprint(vm, f);
    fclose(f);
    char name[32];
    unsigned long long es, ce, me, cs, ms, inuse, as, ac;
    const char *l = strstr(txt, "vm.objects");
    assert_non_null(l);
    assert_int_equal(sscanf(l, "%31s %llu %llu %llu %lluK %lluK %llu %lluK %llu", name, &es, &ce,
                            &me, &cs, &ms, &inuse, &as, &ac), 9);
    assert_int_equal(inuse, 2 + 2 * 5);
    assert_int_equal(ac, 12);
    l = strstr(txt, "vm.tasks");
    assert_non_null(l);
    assert_int_equal(sscanf(l, "%31s %llu %llu %llu %lluK %lluK %llu %lluK %llu", name, &es, &ce,
                            &me, &cs, &ms, &inuse, &as, &ac), 9);
    assert_int_equal(inuse, 2);
    free(txt);
    gr_vm_exit(vm, b);
    gr_vm_destroy(vm);
    gr_vmbe_destroy(&be);
    gr_pmem_destroy(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vmzone_alloc_free_reuse),
        cmocka_unit_test(test_vmzone_vm_objects_and_tasks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
