// granule — walk cache Which (0..3, gr_config.wc[Which]) shaped by the
// generated configuration package. One instance per configured walk cache
// in the MMU top, and the unit the testbench and the synthesis script build.
module walkcache_cfg #(
  parameter int unsigned  Which = 0,
  localparam int unsigned Ways  = Which == 0 ? granule_cfg_pkg::Wc0Ways :
                                  Which == 1 ? granule_cfg_pkg::Wc1Ways :
                                  Which == 2 ? granule_cfg_pkg::Wc2Ways :
                                               granule_cfg_pkg::Wc3Ways,
  localparam int unsigned Sets  = Which == 0 ? granule_cfg_pkg::Wc0Sets :
                                  Which == 1 ? granule_cfg_pkg::Wc1Sets :
                                  Which == 2 ? granule_cfg_pkg::Wc2Sets :
                                               granule_cfg_pkg::Wc3Sets,
  localparam int unsigned SetW  = Sets > 1 ? $clog2(Sets) : 1,
  localparam int unsigned WayW  = Ways > 1 ? $clog2(Ways) : 1,
  localparam int unsigned PaW   = granule_pkg::PaW,
  localparam int unsigned EW    = 71 + (PaW - 12)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  lu_req_i,
  input  logic [43:0]           lu_vkey_i,
  input  logic [15:0]           lu_asid_i,
  input  logic [4:0]            lu_gbits_i,
  input  logic [1:0]            lu_start_level_i,
  output logic                  lu_hit_o,
  output logic [SetW-1:0]       lu_set_o,
  output logic [WayW-1:0]       lu_way_o,
  output logic [1:0]            lu_level_o,
  output logic [PaW-1:0]        lu_table_o,
  output logic [1:0]            lu_ap_table_o,
  output logic                  lu_uxn_o,
  output logic                  lu_pxn_o,
  input  logic                  touch_i,
  input  logic [SetW-1:0]       touch_set_i,
  input  logic [WayW-1:0]       touch_way_i,
  input  logic                  fill_i,
  input  logic [43:0]           fill_vkey_i,
  input  logic [15:0]           fill_asid_i,
  input  logic [4:0]            fill_gbits_i,
  input  logic [1:0]            fill_level_i,
  input  logic [PaW-1:0]        fill_table_i,
  input  logic [1:0]            fill_ap_table_i,
  input  logic                  fill_uxn_i,
  input  logic                  fill_pxn_i,
  output logic [SetW-1:0]       fill_set_o,
  output logic [WayW-1:0]       fill_way_o,
  output logic                  fill_evict_o,
  input  logic                  flush_i,
  input  granule_pkg::tlbi_op_e flush_op_i,
  input  logic [43:0]           flush_vkey_i,
  input  logic [15:0]           flush_asid_i,
  input  logic [SetW-1:0]       dbg_set_i,
  input  logic [WayW-1:0]       dbg_way_i,
  output logic                  dbg_valid_o,
  output logic [EW-1:0]         dbg_entry_o
);

  localparam granule_cfg_pkg::repl_e Repl =
      Which == 0 ? granule_cfg_pkg::Wc0Repl :
      Which == 1 ? granule_cfg_pkg::Wc1Repl :
      Which == 2 ? granule_cfg_pkg::Wc2Repl : granule_cfg_pkg::Wc3Repl;
  localparam logic [15:0] Seed =
      Which == 0 ? granule_cfg_pkg::Wc0Seed :
      Which == 1 ? granule_cfg_pkg::Wc1Seed :
      Which == 2 ? granule_cfg_pkg::Wc2Seed : granule_cfg_pkg::Wc3Seed;
  localparam logic [2:0] Levels =
      Which == 0 ? granule_cfg_pkg::Wc0Levels :
      Which == 1 ? granule_cfg_pkg::Wc1Levels :
      Which == 2 ? granule_cfg_pkg::Wc2Levels : granule_cfg_pkg::Wc3Levels;

  walkcache #(
    .Sets   (Sets),
    .Ways   (Ways),
    .Repl   (Repl),
    .Seed   (Seed),
    .Levels (Levels),
    .AsidW  (granule_cfg_pkg::AsidBits)
  ) u_wc (
    .clk_i,
    .rst_ni,
    .lu_req_i,
    .lu_vkey_i,
    .lu_asid_i,
    .lu_gbits_i,
    .lu_start_level_i,
    .lu_hit_o,
    .lu_set_o,
    .lu_way_o,
    .lu_level_o,
    .lu_table_o,
    .lu_ap_table_o,
    .lu_uxn_o,
    .lu_pxn_o,
    .touch_i,
    .touch_set_i,
    .touch_way_i,
    .fill_i,
    .fill_vkey_i,
    .fill_asid_i,
    .fill_gbits_i,
    .fill_level_i,
    .fill_table_i,
    .fill_ap_table_i,
    .fill_uxn_i,
    .fill_pxn_i,
    .fill_set_o,
    .fill_way_o,
    .fill_evict_o,
    .flush_i,
    .flush_op_i,
    .flush_vkey_i,
    .flush_asid_i,
    .dbg_set_i,
    .dbg_way_i,
    .dbg_valid_o,
    .dbg_entry_o
  );

endmodule
