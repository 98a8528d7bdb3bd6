// Test wrapper: the PAC unit for every (S-box, rounds) pair of the
// published QARMA-64 vectors (sigma0/1/2 x r = 5/6/7, latency 3), and
// QARMA5 at latencies 0, 1, 2, 11 and 12, all on the same inputs.
module tb_pac_vectors (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         req_i,
  input  logic [63:0]  data_i,
  input  logic [63:0]  tweak_i,
  input  logic [63:0]  key_hi_i,
  input  logic [63:0]  key_lo_i,
  output logic [8:0]   vec_valid_o,   // [3 * sbox + (rounds - 5)]
  output logic [575:0] vec_pac_o,
  output logic [4:0]   lat_valid_o,   // latencies 0, 1, 2, 11, 12
  output logic [319:0] lat_pac_o
);

  for (genvar s = 0; s < 3; s++) begin : g_sbox
    for (genvar r = 5; r < 8; r++) begin : g_rounds
      logic unused_busy;
      pac #(
        .Sbox    (s),
        .Rounds  (r),
        .Latency (3)
      ) u_pac (
        .clk_i,
        .rst_ni,
        .req_i,
        .data_i,
        .tweak_i,
        .key_hi_i,
        .key_lo_i,
        .busy_o  (unused_busy),
        .valid_o (vec_valid_o[3*s + r - 5]),
        .pac_o   (vec_pac_o[64*(3*s + r - 5) +: 64])
      );
    end
  end

  localparam logic [159:0] Lats = {32'd12, 32'd11, 32'd2, 32'd1, 32'd0};
  for (genvar l = 0; l < 5; l++) begin : g_lat
    logic unused_busy;
    pac #(
      .Sbox    (2),
      .Rounds  (5),
      .Latency (Lats[32*l +: 32])
    ) u_pac (
      .clk_i,
      .rst_ni,
      .req_i,
      .data_i,
      .tweak_i,
      .key_hi_i,
      .key_lo_i,
      .busy_o  (unused_busy),
      .valid_o (lat_valid_o[l]),
      .pac_o   (lat_pac_o[64*l +: 64])
    );
  end

endmodule
