// Shared by the Verilator testbenches of tests/rtl/: the failure counter and
// CHECK, bit-field access to Verilator's wide ports (VlWide, arrays of
// 32-bit words, bit 0 in word 0) and the testbenches' xorshift generator.
#ifndef GRANULE_TB_COMMON_H
#define GRANULE_TB_COMMON_H

#include <cstdint>
#include <cstdio>

namespace tb {

// Failures so far; a testbench exits non-zero when it is not 0.
inline int g_fail = 0;
// Failures printed at most: after a first divergence the rest are echoes.
constexpr int kMaxPrinted = 25;

// bit v[i] -> w[lsb + i], for i < width (width <= 64).
template <class W> void wset(W &&w, int lsb, int width, uint64_t v)
{
    for (int i = 0; i < width; i++) {
        int b = lsb + i;
        if ((v >> i) & 1)
            w[b / 32] |= 1u << (b % 32);
        else
            w[b / 32] &= ~(1u << (b % 32));
    }
}

// w[lsb + width - 1 : lsb], width <= 64.
template <class W> uint64_t wget(const W &w, int lsb, int width)
{
    uint64_t v = 0;
    for (int i = 0; i < width; i++) {
        int b = lsb + i;
        v |= (uint64_t)((w[b / 32] >> (b % 32)) & 1) << i;
    }
    return v;
}

// xorshift64 (Marsaglia 2003, shifts 13, 7, 17); the seed must not be 0.
struct Rng {
    uint64_t s;
    uint64_t next()
    {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    unsigned below(unsigned n) { return (unsigned)(next() % n); }
    bool chance(unsigned pct) { return below(100) < pct; }
};

} // namespace tb

#define CHECK(cond, ...)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            if (tb::g_fail++ < tb::kMaxPrinted) {                                          \
                std::fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
                std::fprintf(stderr, __VA_ARGS__);                                         \
                std::fputc('\n', stderr);                                                  \
            }                                                                              \
        }                                                                                  \
    } while (0)

#endif
