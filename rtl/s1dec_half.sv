// granule — the walk parameters of one VA range (gr_s1half), decoded from
// its TCR_EL1 fields and TTBRn_EL1: decode_half() of model/src/ptw.c,
// AArch64.GetS1TTWParams for the EL1&0 regime. N = 0 decodes TTBR0's
// fields (TG0 encoding), N = 1 TTBR1's (TG1 encodes granules differently;
// a reserved encoding is taken as 4K, as QEMU and the model do).
module s1dec_half #(
  parameter int unsigned N = 0
) (
  input  logic [1:0]           tg_i,     // TGn
  input  logic [5:0]           tnsz_i,   // TnSZ
  input  logic                 epd_i,
  input  logic                 tbi_i,
  input  logic                 tbid_i,
  input  logic                 hpd_i,
  input  logic [2:0]           ips_i,
  input  logic                 ha_i,
  input  logic                 hd_i,
  input  logic [47:1]          baddr_i,  // TTBRn_EL1[47:1]
  input  logic [5:0]           pab_i,    // AArch64.PAMax()
  output granule_pkg::s1half_t h_o
);

  always_comb begin : p_decode
    logic [4:0] g, stride;
    logic [5:0] txsz, maxtxsz, ps, max_ps;
    logic [6:0] ia, lsh, tsize, span;
    logic [63:0] base;
    if (N == 0) begin
      unique case (tg_i)
        2'd1:    g = 5'd16;
        2'd2:    g = 5'd14;
        default: g = 5'd12;
      endcase
    end else begin
      unique case (tg_i)
        2'd1:    g = 5'd14;
        2'd3:    g = 5'd16;
        default: g = 5'd12;
      endcase
    end
    stride = g - 5'd3;
    h_o = '0;
    h_o.gbits = g;
    // AArch64.S1MinTxSZ / MaxTxSZ with FEAT_TTST, no FEAT_LVA/LPA2:
    // 16 .. 48 (47 for 64K); out of range faults (translation, level 0).
    txsz = tnsz_i;
    maxtxsz = g == 5'd16 ? 6'd47 : 6'd48;
    if (txsz < 6'd16) begin
      txsz = 6'd16;
      h_o.txsz_fault = 1'b1;
    end else if (txsz > maxtxsz) begin
      txsz = maxtxsz;
      h_o.txsz_fault = 1'b1;
    end
    h_o.txsz = txsz;
    ia = 7'd64 - {1'b0, txsz};
    h_o.ia_bits = ia;
    // AArch64.S1StartLevel: 3 - floor((ia - 1 - g) / stride), by compares.
    span = ia - 7'd1 - {2'b0, g};
    if (span >= 7'd3 * {2'b0, stride}) begin
      h_o.start_level = 2'd0;
    end else if (span >= 7'd2 * {2'b0, stride}) begin
      h_o.start_level = 2'd1;
    end else if (span >= {2'b0, stride}) begin
      h_o.start_level = 2'd2;
    end else begin
      h_o.start_level = 2'd3;
    end
    // AArch64.PhysicalAddressSize: reserved IPS = PAMax; 4K and 16K stop at
    // 48 bits without FEAT_LPA2.
    ps = granule_pkg::pa_size_bits({1'b0, ips_i});
    if (ps == 6'd0) begin
      ps = pab_i;
    end
    max_ps = g == 5'd16 ? pab_i : (pab_i < 6'd48 ? pab_i : 6'd48);
    h_o.oa_bits = ps < max_ps ? ps : max_ps;
    h_o.lpa = g == 5'd16 && pab_i >= 6'd52;
    h_o.epd  = epd_i;
    h_o.tbi  = tbi_i;
    h_o.tbid = tbid_i;
    h_o.hpd  = hpd_i;
    h_o.ha   = ha_i;
    h_o.hd   = ha_i && hd_i;
    // AArch64.S1TTBaseAddress: BADDR aligned to the start-level table size
    // (ia - shift of the start level + 3 bits); with 64K, IPS = 52 and
    // FEAT_LPA, TTBR[5:2] is BADDR[51:48] and the table is >= 64 B aligned.
    lsh = {2'b0, g} + {2'b0, stride} * (7'd3 - {5'b0, h_o.start_level});
    tsize = ia - lsh + 7'd3;
    if (g == 5'd16 && ips_i == 3'd6 && pab_i >= 6'd52) begin
      if (tsize < 7'd6) begin
        tsize = 7'd6;
      end
      base = {12'b0, baddr_i[5:2], baddr_i[47:6], 6'b0};
    end else begin
      base = {16'b0, baddr_i[47:1], 1'b0};
    end
    base = base & ({64{1'b1}} << tsize);
    h_o.ttb = base[granule_pkg::PaW-1:0];
  end

endmodule
