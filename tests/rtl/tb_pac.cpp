// Verilator testbench of rtl/pac.sv: the nine published QARMA-64 vectors
// (Avanzi, ToSC 2017; /work/shared/REFERENCE.md), the cycle the result
// becomes valid (request cycle + latency, docs/uarch.md), and random inputs
// against the C model's gr_pac_qarma64_ref() through pac_cfg for the small
// and a76 configurations. Exit 0 when everything matches.
#include <cinttypes>
#include <cstdio>
#include <memory>

#include "verilated.h"

#include "Vpac_a76.h"
#include "Vpac_small.h"
#include "Vtb_pac_vectors.h"
#include "granule/config.h"
#include "granule/pac.h"

#include "tb_common.h"

namespace {

using tb::g_fail;

const uint64_t kP = 0xfb623599da6e8127ull, kT = 0x477d469dec0b8762ull,
               kW0 = 0x84be85ce9804e94bull, kK0 = 0xec2802d4e0a488e9ull;
// [sbox][rounds - 5], published.
const uint64_t kVec[3][3] = {
    {0x3ee99a6c82af0c38ull, 0x9f5c41ec525603c9ull, 0xbcaf6c89de930765ull},
    {0x544b0ab95bda7c3aull, 0xa512dd1e4e3ec582ull, 0xedf67ff370a483f2ull},
    {0xc003b93999b33765ull, 0x270a787275c48d10ull, 0x5c06a7501b63b2fdull},
};

uint64_t word(const uint32_t *w, int i)
{
    return (uint64_t)w[2 * i] | (uint64_t)w[2 * i + 1] << 32;
}

template <class V> void reset(V &m)
{
    m.clk_i = 0;
    m.req_i = 0;
    m.rst_ni = 1;
    m.eval();
    m.rst_ni = 0;
    m.eval();
    m.rst_ni = 1;
    m.eval();
}

template <class V> void tick(V &m)
{
    m.clk_i = 1;
    m.eval();
    m.clk_i = 0;
    m.req_i = 0;
    m.eval();
}

void vectors(VerilatedContext *ctx)
{
    Vtb_pac_vectors m{ctx};
    reset(m);
    m.data_i = kP;
    m.tweak_i = kT;
    m.key_hi_i = kW0;
    m.key_lo_i = kK0;
    m.req_i = 1;
    m.eval();
    const unsigned lats[5] = {0, 1, 2, 11, 12};
    // Latency 0 answers in the request cycle.
    CHECK(m.lat_valid_o & 1, "latency 0 valid in the request cycle");
    CHECK(word(m.lat_pac_o.data(), 0) == kVec[2][0], "latency 0: %016" PRIx64,
          word(m.lat_pac_o.data(), 0));
    for (unsigned c = 1; c <= 13; c++) {
        tick(m);
        for (int s = 0; s < 3; s++)
            for (int r = 0; r < 3; r++) {
                bool v = (m.vec_valid_o >> (3 * s + r)) & 1;
                CHECK(v == (c == 3), "sigma%d r=%d: valid in cycle A+%u is %d", s, r + 5, c, v);
                if (v)
                    CHECK(word(m.vec_pac_o.data(), 3 * s + r) == kVec[s][r],
                          "sigma%d r=%d: %016" PRIx64 ", published %016" PRIx64, s, r + 5,
                          word(m.vec_pac_o.data(), 3 * s + r), kVec[s][r]);
            }
        for (int l = 1; l < 5; l++) {
            bool v = (m.lat_valid_o >> l) & 1;
            CHECK(v == (c == lats[l]), "latency %u: valid in cycle A+%u is %d", lats[l], c, v);
            if (v)
                CHECK(word(m.lat_pac_o.data(), l) == kVec[2][0], "latency %u: %016" PRIx64,
                      lats[l], word(m.lat_pac_o.data(), l));
        }
    }
    m.final();
}

// Random (P, T, w0, k0) against the C model, back to back: a new request in
// the cycle after each answer.
template <class V> void random_vs_model(VerilatedContext *ctx, const char *cfgpath, unsigned n)
{
    gr_config c;
    char err[512];
    if (gr_config_load(&c, cfgpath, err, sizeof err) != 0) {
        CHECK(false, "%s", err);
        return;
    }
    gr_pac_sbox sb = c.pac.algo == GR_CONFIG_PAC_QARMA3 ? GR_PAC_SIGMA1 : GR_PAC_SIGMA2;
    unsigned rounds = c.pac.algo == GR_CONFIG_PAC_QARMA3 ? 3 : 5;
    V m{ctx};
    reset(m);
    uint64_t s = 0x243F6A8885A308D3ull;
    auto next = [&s] {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    };
    for (unsigned i = 0; i < n && g_fail == 0; i++) {
        uint64_t p = next(), t = next(), w0 = next(), k0 = next();
        m.data_i = p;
        m.tweak_i = t;
        m.key_hi_i = w0;
        m.key_lo_i = k0;
        m.req_i = 1;
        m.eval();
        unsigned cyc = 0;
        while (!m.valid_o && cyc < 64) {
            tick(m);
            cyc++;
        }
        uint64_t want = gr_pac_qarma64_ref(p, t, w0, k0, sb, rounds);
        CHECK(cyc == c.lat.pac && m.pac_o == want,
              "%s #%u: rtl %016" PRIx64 " after %u cycles, model %016" PRIx64 " after %u", c.name,
              i, (uint64_t)m.pac_o, cyc, want, c.lat.pac);
        if (cyc == 0)
            tick(m);
        else
            tick(m); // leave the answer cycle
    }
    std::printf("pac %s (lat %u): %u random inputs %s\n", c.name, c.lat.pac, n,
                g_fail ? "FAILED" : "ok");
    m.final();
}

} // namespace

int main(int argc, char **argv)
{
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    vectors(ctx.get());
    std::printf("pac: 9 published QARMA-64 vectors, latencies 0/1/2/3/11/12: %s\n",
                g_fail ? "FAILED" : "ok");
    random_vs_model<Vpac_small>(ctx.get(), TB_CONFIG_DIR "/small.ini", 2000);
    random_vs_model<Vpac_a76>(ctx.get(), TB_CONFIG_DIR "/a76.ini", 2000);
    return g_fail ? 1 : 0;
}
