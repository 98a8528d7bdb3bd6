// Test wrapper: raw registers -> s1dec -> ptw, with the structs of the
// walker's result taken apart into plain ports for the C++ testbench.
module tb_ptw_top (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [63:0] tcr_i,
  input  logic [63:0] ttbr0_i,
  input  logic [63:0] ttbr1_i,
  input  logic [63:0] mair_i,
  input  logic [63:0] sctlr_i,
  input  logic        pan_i,
  input  logic [3:0]  parange_i,
  input  logic        req_valid_i,
  output logic        req_ready_o,
  input  logic [63:0] req_va_i,
  input  logic [1:0]  req_acc_i,
  input  logic        req_el_i,
  input  logic        req_start_i,
  input  logic [1:0]  req_start_level_i,
  input  logic [51:0] req_start_table_i,
  input  logic [1:0]  req_start_ap_table_i,
  input  logic        req_start_uxn_i,
  input  logic        req_start_pxn_i,
  output logic        mem_req_valid_o,
  input  logic        mem_req_ready_i,
  output logic [51:0] mem_req_pa_o,
  input  logic        mem_rsp_valid_i,
  input  logic [63:0] mem_rsp_data_i,
  input  logic        mem_rsp_err_i,
  output logic        mem_wr_valid_o,
  input  logic        mem_wr_ready_i,
  output logic [51:0] mem_wr_pa_o,
  output logic [63:0] mem_wr_data_o,
  input  logic        mem_wr_rsp_valid_i,
  input  logic        mem_wr_rsp_err_i,
  output logic        wc_fill_o,
  output logic [1:0]  wc_fill_level_o,
  output logic [51:0] wc_fill_table_o,
  output logic [1:0]  wc_fill_ap_table_o,
  output logic        wc_fill_uxn_o,
  output logic        wc_fill_pxn_o,
  output logic        done_o,
  output logic [2:0]  done_kind_o,
  output logic [1:0]  done_level_o,
  output logic [5:0]  done_fsc_o,
  output logic [51:0] done_pa_o,
  output logic [7:0]  done_mair_attr_o,
  output logic        done_have_tte_o,
  output logic [39:0] done_oa_o,
  output logic [1:0]  done_tlevel_o,
  output logic [2:0]  done_attr_index_o,
  output logic [1:0]  done_sh_o,
  output logic [1:0]  done_ap_o,
  output logic [1:0]  done_ap_table_o,
  output logic        done_uxn_o,
  output logic        done_pxn_o,
  output logic        done_dbm_o,
  output logic        done_contiguous_o,
  output logic        done_half_o,
  output logic [63:0] done_va_base_o,
  output logic [5:0]  done_page_shift_o,
  output logic        done_af_o,
  output logic        done_ng_o,
  output logic [2:0]  done_nreads_o,
  output logic        done_wrote_o,
  output logic        done_desc_written_o
);

  granule_pkg::s1ctx_t ctx;
  granule_pkg::fault_t fault;
  granule_pkg::tte_t   tte;

  s1dec u_s1dec (
    .tcr_i,
    .ttbr0_i,
    .ttbr1_i,
    .mair_i,
    .sctlr_i,
    .pan_i,
    .parange_i,
    .ctx_o (ctx)
  );

  ptw u_ptw (
    .clk_i,
    .rst_ni,
    .ctx_i              (ctx),
    .req_valid_i,
    .req_ready_o,
    .req_va_i,
    .req_acc_i          (granule_pkg::acc_e'(req_acc_i)),
    .req_el_i,
    .req_start_i,
    .req_start_level_i,
    .req_start_table_i,
    .req_start_ap_table_i,
    .req_start_uxn_i,
    .req_start_pxn_i,
    .mem_req_valid_o,
    .mem_req_ready_i,
    .mem_req_pa_o,
    .mem_rsp_valid_i,
    .mem_rsp_data_i,
    .mem_rsp_err_i,
    .mem_wr_valid_o,
    .mem_wr_ready_i,
    .mem_wr_pa_o,
    .mem_wr_data_o,
    .mem_wr_rsp_valid_i,
    .mem_wr_rsp_err_i,
    .wc_fill_o,
    .wc_fill_level_o,
    .wc_fill_table_o,
    .wc_fill_ap_table_o,
    .wc_fill_uxn_o,
    .wc_fill_pxn_o,
    .done_o,
    .done_fault_o       (fault),
    .done_pa_o,
    .done_mair_attr_o,
    .done_have_tte_o,
    .done_tte_o         (tte),
    .done_va_base_o,
    .done_page_shift_o,
    .done_af_o,
    .done_ng_o,
    .done_nreads_o,
    .done_wrote_o,
    .done_desc_written_o
  );

  assign done_kind_o       = fault.kind;
  assign done_level_o      = fault.level;
  assign done_fsc_o        = fault.fsc;
  assign done_oa_o         = tte.oa;
  assign done_tlevel_o     = tte.level;
  assign done_attr_index_o = tte.attr_index;
  assign done_sh_o         = tte.sh;
  assign done_ap_o         = tte.ap;
  assign done_ap_table_o   = tte.ap_table;
  assign done_uxn_o        = tte.uxn;
  assign done_pxn_o        = tte.pxn;
  assign done_dbm_o        = tte.dbm;
  assign done_contiguous_o = tte.contiguous;
  assign done_half_o       = tte.half;

endmodule
