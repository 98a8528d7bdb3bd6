// granule — a TLB structure shaped by the generated configuration package:
// Which = 0 the L1 I-TLB, 1 the L1 D-TLB, 2 the L2 TLB, 3 a TLB with the
// shape and policy of walk cache 0 (all page sizes; used to exercise that
// policy on the TLB datapath). One instance per structure in the MMU top,
// and the unit the testbenches and the synthesis script build per config.
module tlb_cfg #(
  parameter int unsigned  Which = 0,
  localparam int unsigned Ways  = Which == 0 ? granule_cfg_pkg::L1iWays :
                                  Which == 1 ? granule_cfg_pkg::L1dWays :
                                  Which == 2 ? granule_cfg_pkg::L2Ways  :
                                               granule_cfg_pkg::Wc0Ways,
  localparam int unsigned  Sets  = Which == 0 ? granule_cfg_pkg::L1iSets :
                                  Which == 1 ? granule_cfg_pkg::L1dSets :
                                  Which == 2 ? granule_cfg_pkg::L2Sets  :
                                               granule_cfg_pkg::Wc0Sets,
  localparam int unsigned  SetW  = Sets > 1 ? $clog2(Sets) : 1,
  localparam int unsigned  WayW  = Ways > 1 ? $clog2(Ways) : 1,
  localparam int unsigned  VkW   = granule_pkg::VkeyW
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  input  logic                    lu_req_i,
  input  logic [VkW-1:0]          lu_vkey_i,
  input  logic [15:0]             lu_asid_i,
  output logic                    lu_busy_o,
  output logic                    lu_valid_o,
  output logic                    lu_hit_o,
  output logic [SetW-1:0]         lu_set_o,
  output logic [WayW-1:0]         lu_way_o,
  output logic [2:0]              lu_probe_o,
  output granule_pkg::tlb_entry_t lu_entry_o,
  input  logic                    touch_i,
  input  logic [SetW-1:0]         touch_set_i,
  input  logic [WayW-1:0]         touch_way_i,
  input  logic                    update_i,
  input  granule_pkg::tlb_entry_t update_entry_i,
  output logic [SetW-1:0]         update_set_o,
  output logic [WayW-1:0]         update_way_o,
  output logic                    update_evict_o,
  output granule_pkg::tlb_entry_t update_evicted_o,
  input  logic                    flush_i,
  input  granule_pkg::tlbi_op_e   flush_op_i,
  input  logic [VkW-1:0]          flush_vkey_i,
  input  logic [15:0]             flush_asid_i,
  input  logic                    inv_i,
  input  logic [SetW-1:0]         inv_set_i,
  input  logic [WayW-1:0]         inv_way_i,
  input  logic                    bi_i,
  input  logic [VkW-1:0]          bi_vkey_i,
  input  granule_pkg::psize_e     bi_psize_i,
  input  logic                    bi_global_i,
  input  logic [15:0]             bi_asid_i,
  input  logic [SetW-1:0]         dbg_set_i,
  input  logic [WayW-1:0]         dbg_way_i,
  output logic                    dbg_valid_o,
  output granule_pkg::tlb_entry_t dbg_entry_o
);

  localparam granule_cfg_pkg::repl_e Repl =
      Which == 0 ? granule_cfg_pkg::L1iRepl :
      Which == 1 ? granule_cfg_pkg::L1dRepl :
      Which == 2 ? granule_cfg_pkg::L2Repl  : granule_cfg_pkg::Wc0Repl;
  localparam logic [15:0] Seed =
      Which == 0 ? granule_cfg_pkg::L1iSeed :
      Which == 1 ? granule_cfg_pkg::L1dSeed :
      Which == 2 ? granule_cfg_pkg::L2Seed  : granule_cfg_pkg::Wc0Seed;
  localparam logic [6:0] Sizes =
      Which == 0 ? granule_cfg_pkg::L1iSizes :
      Which == 1 ? granule_cfg_pkg::L1dSizes :
      Which == 2 ? granule_cfg_pkg::L2Sizes  : 7'b1111111;
  localparam bit SeqProbe = Which == 2 ? granule_cfg_pkg::L2SeqProbe : 1'b0;
  localparam int unsigned LuLat =
      Which <= 1 ? granule_cfg_pkg::LatL1Hit :
      Which == 2 ? granule_cfg_pkg::LatL2Hit : granule_cfg_pkg::LatWc;

  tlb #(
    .Ways     (Ways),
    .Sets     (Sets),
    .Repl     (Repl),
    .Seed     (Seed),
    .Sizes    (Sizes),
    .SeqProbe (SeqProbe),
    .LuLat    (LuLat),
    .AsidW    (granule_cfg_pkg::AsidBits)
  ) u_tlb (
    .clk_i,
    .rst_ni,
    .lu_req_i,
    .lu_vkey_i,
    .lu_asid_i,
    .lu_busy_o,
    .lu_valid_o,
    .lu_hit_o,
    .lu_set_o,
    .lu_way_o,
    .lu_probe_o,
    .lu_entry_o,
    .touch_i,
    .touch_set_i,
    .touch_way_i,
    .update_i,
    .update_entry_i,
    .update_set_o,
    .update_way_o,
    .update_evict_o,
    .update_evicted_o,
    .flush_i,
    .flush_op_i,
    .flush_vkey_i,
    .flush_asid_i,
    .inv_i,
    .inv_set_i,
    .inv_way_i,
    .bi_i,
    .bi_vkey_i,
    .bi_psize_i,
    .bi_global_i,
    .bi_asid_i,
    .dbg_set_i,
    .dbg_way_i,
    .dbg_valid_o,
    .dbg_entry_o
  );

endmodule
