/*
 * granule — the check macro of the SystemC tests (test_sc_tlm.cpp,
 * test_sc_tlm_rtl.cpp): CHECK_EQ counts every check and prints a failing
 * one with both expressions and values, under the name of the case being
 * run (`current`); the test's exit status comes from `failures`.
 */
#ifndef GRANULE_SC_CHECK_H
#define GRANULE_SC_CHECK_H

#include <cinttypes>
#include <cstdint>
#include <cstdio>

namespace {

int failures = 0, checks = 0;
const char *current = "";

} // namespace

#define CHECK_EQ(a, b)                                                                          \
    do {                                                                                        \
        checks++;                                                                               \
        const uint64_t a_ = uint64_t(a), b_ = uint64_t(b);                                      \
        if (a_ != b_) {                                                                         \
            failures++;                                                                         \
            printf("FAIL %s: %s:%d: %s == 0x%" PRIx64 ", expected %s == 0x%" PRIx64 "\n",       \
                   current, __FILE__, __LINE__, #a, a_, #b, b_);                                \
        }                                                                                       \
    } while (0)

#endif
