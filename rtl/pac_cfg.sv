// granule — the PAC unit shaped by the generated configuration package:
// QARMA5 (sigma2, 5 rounds) or QARMA3 (sigma1, 3 rounds) by PacAlgo, with
// the configured latency lat.pac. The IMPDEF algorithm is not modelled in
// RTL; it builds as QARMA5.
module pac_cfg (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        req_i,
  input  logic [63:0] data_i,
  input  logic [63:0] tweak_i,
  input  logic [63:0] key_hi_i,
  input  logic [63:0] key_lo_i,
  output logic        busy_o,
  output logic        valid_o,
  output logic [63:0] pac_o
);

  pac #(
    .Sbox    (granule_cfg_pkg::PacAlgo == 1 ? 1 : 2),
    .Rounds  (granule_cfg_pkg::PacAlgo == 1 ? 3 : 5),
    .Latency (granule_cfg_pkg::LatPac)
  ) u_pac (
    .clk_i,
    .rst_ni,
    .req_i,
    .data_i,
    .tweak_i,
    .key_hi_i,
    .key_lo_i,
    .busy_o,
    .valid_o,
    .pac_o
  );

endmodule
