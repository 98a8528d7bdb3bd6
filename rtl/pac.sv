// granule — the PAC unit: QARMA-64 as the Arm ARM's ComputePAC (DDI 0487,
// shared/functions/crypto ComputePAC / ComputePACQARMA), the RTL twin of
// gr_pac_qarma64_ref() in model/src/pac.c. QARMA5 is sigma2 with 5 rounds,
// QARMA3 sigma1 with 3; key0 = KeyHi (w0), key1 = KeyLo (k0), tweak = the
// modifier.
//
// Iterative: the cipher is 2 * Rounds + 1 steps (Rounds forward rounds,
// the centre, Rounds backward rounds); each cycle applies
// ceil(steps / Latency) of them, so a request presented in cycle A answers
// with the one-cycle pulse valid_o in cycle A + Latency (docs/uarch.md: the
// lookup cycle is L = A + lat.pac). Latency = 0 is purely combinational
// (valid_o = req_i). One computation at a time (busy_o).
module pac #(
  parameter int unsigned Sbox    = 2,  // 0 sigma0, 1 sigma1, 2 sigma2
  parameter int unsigned Rounds  = 5,  // 1..7
  parameter int unsigned Latency = 3
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        req_i,
  input  logic [63:0] data_i,    // P: the pointer (ComputePAC's data)
  input  logic [63:0] tweak_i,   // the modifier
  input  logic [63:0] key_hi_i,  // w0
  input  logic [63:0] key_lo_i,  // k0
  output logic        busy_o,
  output logic        valid_o,
  output logic [63:0] pac_o      // the 64-bit cipher output
);

  localparam int unsigned Steps = 2 * Rounds + 1;
  localparam int unsigned PerCycle = Latency == 0 ? Steps : (Steps + Latency - 1) / Latency;

  // S-boxes (Avanzi, "The QARMA Block Cipher Family", ToSC 2017), nibble v
  // of the constant = S(v); sigma0 and sigma1 are involutions.
  localparam logic [63:0] SboxTab = Sbox == 0 ? 64'h51CD7346B8F9A2E0 :
                                    Sbox == 1 ? 64'h421BC089537F6EDA :
                                                64'hA12D5473E90CF86B;
  localparam logic [63:0] SboxInv = Sbox == 0 ? 64'h51CD7346B8F9A2E0 :
                                    Sbox == 1 ? 64'h421BC089537F6EDA :
                                                64'h37C40F6291BA8DE5;
  // PACCellShuffle: output cell j is input cell nibble j of this constant.
  localparam logic [63:0] CellShuf = 64'hF4925E38A1C70B6D;
  // TweakShuffle: output cell j is input cell nibble j, passed through the
  // cell LFSR (TweakCellRot) when bit j of TweakRot is set.
  localparam logic [63:0] TweakSrc = 64'h9A10FEDC832B7654;
  localparam logic [15:0] TweakRot = 16'hD894;
  // Round constants c0..c7 and alpha (digits of pi, as QARMA defines them).
  localparam logic [511:0] RoundC = {
    64'h9216D5D98979FB1B, 64'h3F84D5B5B5470917, 64'hBE5466CF34E90C6C,
    64'h452821E638D01377, 64'h082EFA98EC4E6C89, 64'hA4093822299F31D0,
    64'h13198A2E03707344, 64'h0000000000000000};
  localparam logic [63:0] Alpha = 64'hC0AC29B7C97C50DD;

  function automatic logic [63:0] sub(logic [63:0] x, logic [63:0] tab);
    for (int j = 0; j < 16; j++) begin
      sub[4*j +: 4] = tab[4*x[4*j +: 4] +: 4];
    end
  endfunction

  function automatic logic [63:0] cell_shuffle(logic [63:0] x);
    for (int j = 0; j < 16; j++) begin
      cell_shuffle[4*j +: 4] = x[4*CellShuf[4*j +: 4] +: 4];
    end
  endfunction

  function automatic logic [63:0] cell_inv_shuffle(logic [63:0] x);
    for (int j = 0; j < 16; j++) begin
      cell_inv_shuffle[4*CellShuf[4*j +: 4] +: 4] = x[4*j +: 4];
    end
  endfunction

  function automatic logic [3:0] rot_cell(logic [3:0] c, int n);
    rot_cell = (c << n) | (c >> (4 - n));
  endfunction

  // PACMult: the involutory MixColumns circ(0, rho, rho^2, rho) on the
  // columns {i, i+4, i+8, i+12}.
  function automatic logic [63:0] mult(logic [63:0] x);
    logic [3:0] s0, s4, s8, s12;
    for (int i = 0; i < 4; i++) begin
      s0  = x[4*i +: 4];
      s4  = x[4*(i+4) +: 4];
      s8  = x[4*(i+8) +: 4];
      s12 = x[4*(i+12) +: 4];
      mult[4*(i+12) +: 4] = rot_cell(s8, 1) ^ rot_cell(s4, 2) ^ rot_cell(s0, 1);
      mult[4*(i+8) +: 4]  = rot_cell(s12, 1) ^ rot_cell(s4, 1) ^ rot_cell(s0, 2);
      mult[4*(i+4) +: 4]  = rot_cell(s12, 2) ^ rot_cell(s8, 1) ^ rot_cell(s0, 1);
      mult[4*i +: 4]      = rot_cell(s12, 1) ^ rot_cell(s8, 2) ^ rot_cell(s4, 1);
    end
  endfunction

  function automatic logic [63:0] tweak_shuffle(logic [63:0] x);
    logic [3:0] v;
    for (int j = 0; j < 16; j++) begin
      v = x[4*TweakSrc[4*j +: 4] +: 4];
      if (TweakRot[j]) begin
        v = {v[0] ^ v[1], v[3:1]};
      end
      tweak_shuffle[4*j +: 4] = v;
    end
  endfunction

  function automatic logic [63:0] tweak_inv_shuffle(logic [63:0] x);
    logic [3:0] v;
    for (int j = 0; j < 16; j++) begin
      v = x[4*j +: 4];
      if (TweakRot[j]) begin
        v = {v[2:0], v[0] ^ v[3]};
      end
      tweak_inv_shuffle[4*TweakSrc[4*j +: 4] +: 4] = v;
    end
  endfunction

  // ---- The steps -------------------------------------------------------------
  logic [63:0] w_q, w_d, rm_q, rm_d, w0_q, w0_d, k0_q, k0_d;
  logic [7:0]  cnt_q, cnt_d;
  logic        pend_q, pend_d;

  // This cycle's inputs: from the ports in the request cycle.
  logic [63:0] w_in, rm_in, w0, k0, modk0;
  logic [7:0]  batch;
  assign w0    = req_i ? key_hi_i : w0_q;
  assign k0    = req_i ? key_lo_i : k0_q;
  assign w_in  = req_i ? (data_i ^ key_hi_i) : w_q;
  assign rm_in = req_i ? tweak_i : rm_q;
  assign batch = req_i ? 8'd0 : cnt_q;
  // modk0 = key0<0>:key0<63:2>:(key0<63> EOR key0<1>), QARMA's
  // w1 = (w0 >>> 1) ^ (w0 >> 63).
  assign modk0 = {w0[0], w0[63:1]} ^ {63'b0, w0[63]};

  logic [63:0] w_out, rm_out;
  always_comb begin : p_steps
    logic [63:0] w, rm;
    int          k, i;
    w  = w_in;
    rm = rm_in;
    k  = 0;
    i  = 0;
    // Only while a computation starts or runs: the cipher's datapath is the
    // costliest logic to evaluate, and its result is used only then
    // (Verilator skips the untaken branch).
    if (req_i || pend_q) begin
      for (int j = 0; j < PerCycle; j++) begin
        k = 32'(batch) * PerCycle + j;
        if (k < Rounds) begin
          // Forward round k.
          w = w ^ k0 ^ rm ^ RoundC[64*k +: 64];
          if (k > 0) begin
            w = mult(cell_shuffle(w));
          end
          w  = sub(w, SboxTab);
          rm = tweak_shuffle(rm);
        end else if (k == Rounds) begin
          // The centre: whitening with w1, the reflector, whitening with w0.
          w = w ^ modk0 ^ rm;
          w = mult(cell_shuffle(w));
          w = sub(w, SboxTab);
          w = mult(cell_shuffle(w));
          w = w ^ k0;
          w = cell_inv_shuffle(w);
          w = sub(w, SboxInv);
          w = mult(w);
          w = cell_inv_shuffle(w);
          w = w ^ w0 ^ rm;
        end else if (k < Steps) begin
          // Backward round i.
          i = k - Rounds - 1;
          w = sub(w, SboxInv);
          if (i < Rounds - 1) begin
            w = cell_inv_shuffle(mult(w));
          end
          rm = tweak_inv_shuffle(rm);
          w  = w ^ RoundC[64*(Rounds - 1 - i) +: 64] ^ k0 ^ rm ^ Alpha;
        end
      end
    end
    w_out  = w;
    rm_out = rm;
  end

  if (Latency == 0) begin : g_comb
    assign valid_o = req_i;
    assign busy_o  = 1'b0;
    assign pac_o   = w_out ^ modk0;
    assign w_d     = w_q;
    assign rm_d    = rm_q;
    assign w0_d    = w0_q;
    assign k0_d    = k0_q;
    assign cnt_d   = cnt_q;
    assign pend_d  = pend_q;
    // The tweak after the last step is not needed.
    logic unused_rm;
    assign unused_rm = ^rm_out;
  end else begin : g_iter
    always_comb begin
      w_d    = w_q;
      rm_d   = rm_q;
      w0_d   = w0_q;
      k0_d   = k0_q;
      cnt_d  = cnt_q;
      pend_d = pend_q;
      if (req_i) begin
        pend_d = 1'b1;
        cnt_d  = 8'd1;
        w_d    = w_out;
        rm_d   = rm_out;
        w0_d   = key_hi_i;
        k0_d   = key_lo_i;
      end else if (pend_q) begin
        if (32'(cnt_q) == Latency) begin
          pend_d = 1'b0;
        end else begin
          cnt_d = cnt_q + 8'd1;
          w_d   = w_out;
          rm_d  = rm_out;
        end
      end
    end
    assign valid_o = pend_q && 32'(cnt_q) == Latency;
    assign busy_o  = pend_q && !valid_o;
    assign pac_o   = w_q ^ modk0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w_q    <= '0;
      rm_q   <= '0;
      w0_q   <= '0;
      k0_q   <= '0;
      cnt_q  <= '0;
      pend_q <= 1'b0;
    end else begin
      w_q    <= w_d;
      rm_q   <= rm_d;
      w0_q   <= w0_d;
      k0_q   <= k0_d;
      cnt_q  <= cnt_d;
      pend_q <= pend_d;
    end
  end

`ifndef SYNTHESIS
  // One computation at a time: no request while one is in flight.
  AssertReqIdle: assert property (@(posedge clk_i) disable iff (!rst_ni)
    req_i |-> !busy_o);
  AssertRounds: assert property (@(posedge clk_i) Rounds >= 1 && Rounds <= 7);
`endif

endmodule
