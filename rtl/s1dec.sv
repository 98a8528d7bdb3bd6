// granule — stage-1 register decode, the RTL twin of gr_s1_decode()
// (model/src/ptw.c): AArch64.GetS1TTWParams for both VA ranges of the
// EL1&0 regime, AArch64.PAMax and the current ASID. Combinational; the MMU
// top registers its inputs on a register write, so the decode is as
// stable as the registers.
module s1dec (
  input  logic [63:0]         tcr_i,
  input  logic [63:0]         ttbr0_i,
  input  logic [63:0]         ttbr1_i,
  input  logic [63:0]         mair_i,
  input  logic [63:0]         sctlr_i,
  input  logic                pan_i,       // PSTATE.PAN
  input  logic [3:0]          parange_i,   // ID_AA64MMFR0_EL1.PARange
  output granule_pkg::s1ctx_t ctx_o
);

  logic [5:0] pa_enc, pa_bits;
  // AArch64.PAMax(); reserved PARange values taken as 48 bits (ptw.c pamax).
  assign pa_enc  = granule_pkg::pa_size_bits(parange_i);
  assign pa_bits = pa_enc != 6'd0 ? pa_enc : 6'd48;

  // Register bits the translation regime does not read here (SCTLR
  // alignment, cache and PAC enables; TCR IRGN/ORGN/SH, NFD, E0PD, TCMA,
  // DS, RES0 bit 6; TTBR CnP).
  logic unused_bits;
  assign unused_bits = ^{sctlr_i[63:26], sctlr_i[24:20], sctlr_i[18:13], sctlr_i[11:3],
                         sctlr_i[1], tcr_i[63:53], tcr_i[50:43], tcr_i[35], tcr_i[29:24],
                         tcr_i[13:8], tcr_i[6], ttbr0_i[0], ttbr1_i[0]};

  granule_pkg::s1half_t h0, h1;
  s1dec_half #(.N(0)) u_h0 (
    .tg_i    (tcr_i[15:14]),
    .tnsz_i  (tcr_i[5:0]),
    .epd_i   (tcr_i[7]),
    .tbi_i   (tcr_i[37]),
    .tbid_i  (tcr_i[51]),
    .hpd_i   (tcr_i[41]),
    .ips_i   (tcr_i[34:32]),
    .ha_i    (tcr_i[39]),
    .hd_i    (tcr_i[40]),
    .baddr_i (ttbr0_i[47:1]),
    .pab_i   (pa_bits),
    .h_o     (h0)
  );
  s1dec_half #(.N(1)) u_h1 (
    .tg_i    (tcr_i[31:30]),
    .tnsz_i  (tcr_i[21:16]),
    .epd_i   (tcr_i[23]),
    .tbi_i   (tcr_i[38]),
    .tbid_i  (tcr_i[52]),
    .hpd_i   (tcr_i[42]),
    .ips_i   (tcr_i[34:32]),
    .ha_i    (tcr_i[39]),
    .hd_i    (tcr_i[40]),
    .baddr_i (ttbr1_i[47:1]),
    .pab_i   (pa_bits),
    .h_o     (h1)
  );

  logic [15:0] asid;
  assign asid = tcr_i[22] ? ttbr1_i[63:48] : ttbr0_i[63:48];

  always_comb begin
    ctx_o         = '0;
    ctx_o.h0      = h0;
    ctx_o.h1      = h1;
    ctx_o.m       = sctlr_i[0];
    ctx_o.c       = sctlr_i[2];
    ctx_o.i       = sctlr_i[12];
    ctx_o.wxn     = sctlr_i[19];
    ctx_o.ee      = sctlr_i[25];
    ctx_o.pan     = pan_i;
    ctx_o.pa_bits = pa_bits;
    // TCR_EL1.AS: 16-bit ASIDs, else the upper 8 bits are ignored.
    ctx_o.asid    = tcr_i[36] ? asid : {8'b0, asid[7:0]};
    ctx_o.mair    = mair_i;
  end

endmodule
