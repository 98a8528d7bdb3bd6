// granule — the SystemC view of rtl/mmu_top.sv (docs/systemc.md "The RTL
// flavour"). Verilated with --sc for granule::mmu_tlm_rtl.
//
// Why a wrapper rather than Verilating mmu_top itself:
//  * Every port here is at most 64 bits wide, so Verilator gives it a
//    plain bool/uint32_t/uint64_t SystemC port; mmu_top's packed structs
//    (req_t 134 bits, rsp_t 76 bits, the 256-bit key vectors) would be
//    sc_bv ports, slow to write and read, and the C++ would have to know
//    the struct layouts. Here the fields are connected by name.
//  * The debug read port (dbg_*, for the lock-step diff's dumps) is tied
//    off here rather than exposed: a SystemC port must be bound, and the
//    TLM wrapper has no use for it. Every other port of mmu_top is
//    connected by name, with no PINMISSING waiver, so a port mmu_top gains
//    fails this build instead of floating.
module mmu_top_sc (
  input  logic        clk_i,
  input  logic        rst_ni,

  // Translation request (granule_pkg::req_t, field by field).
  input  logic        req_valid_i,
  output logic        req_ready_o,
  input  logic [63:0] req_va_i,
  input  logic [1:0]  req_acc_i,       // gr_acc: read, write, exec
  input  logic        req_el_i,
  input  logic        req_pac_i,
  input  logic [1:0]  req_key_i,       // gr_pac_key: IA, IB, DA, DB
  input  logic [63:0] req_modifier_i,

  // Response (granule_pkg::rsp_t, field by field, and the side outputs).
  output logic        rsp_valid_o,
  output logic [63:0] rsp_pa_o,        // PA, zero-extended from PaW bits
  output logic [7:0]  rsp_mair_attr_o,
  output logic [1:0]  rsp_sh_o,
  output logic [2:0]  rsp_fault_o,     // gr_fault_type
  output logic [1:0]  rsp_fault_level_o,
  output logic [5:0]  rsp_fsc_o,
  output logic [5:0]  rsp_page_shift_o,
  output logic [1:0]  rsp_level_o,
  output logic [1:0]  rsp_path_o,
  output logic [2:0]  rsp_nreads_o,
  output logic        rsp_desc_written_o,

  // Register write.
  input  logic        reg_valid_i,
  output logic        reg_ready_o,
  input  logic [63:0] reg_tcr_i,
  input  logic [63:0] reg_ttbr0_i,
  input  logic [63:0] reg_ttbr1_i,
  input  logic [63:0] reg_mair_i,
  input  logic [63:0] reg_sctlr_i,
  input  logic        reg_pan_i,
  input  logic [63:0] reg_mmfr0_i,
  input  logic [63:0] reg_isar1_i,
  input  logic [63:0] reg_isar2_i,
  input  logic [63:0] reg_apia_hi_i,
  input  logic [63:0] reg_apia_lo_i,
  input  logic [63:0] reg_apib_hi_i,
  input  logic [63:0] reg_apib_lo_i,
  input  logic [63:0] reg_apda_hi_i,
  input  logic [63:0] reg_apda_lo_i,
  input  logic [63:0] reg_apdb_hi_i,
  input  logic [63:0] reg_apdb_lo_i,

  // TLB maintenance.
  input  logic        tlbi_valid_i,
  output logic        tlbi_ready_o,
  input  logic [3:0]  tlbi_op_i,       // granule_pkg::tlbi_op_e (gr_tlbi_op)
  input  logic [63:0] tlbi_va_i,
  input  logic [15:0] tlbi_asid_i,
  output logic        tlbi_done_o,

  // Walker memory port (PAs zero-extended to 64 bits).
  output logic        mem_req_valid_o,
  input  logic        mem_req_ready_i,
  output logic [63:0] mem_req_pa_o,
  input  logic        mem_rsp_valid_i,
  input  logic [63:0] mem_rsp_data_i,
  input  logic        mem_rsp_err_i,
  output logic        mem_wr_valid_o,
  input  logic        mem_wr_ready_i,
  output logic [63:0] mem_wr_pa_o,
  output logic [63:0] mem_wr_data_o,
  input  logic        mem_wr_rsp_valid_i,
  input  logic        mem_wr_rsp_err_i
);
  localparam int unsigned PaW = granule_pkg::PaW;

  granule_pkg::req_t req;
  granule_pkg::rsp_t rsp;
  logic [PaW-1:0]    mem_req_pa, mem_wr_pa;

  always_comb begin
    req          = '0;
    req.va       = req_va_i;
    req.acc      = granule_pkg::acc_e'(req_acc_i);
    req.el       = req_el_i;
    req.pac      = req_pac_i;
    req.pac_key  = req_key_i;
    req.modifier = req_modifier_i;
  end

  assign rsp_pa_o          = 64'(rsp.pa);
  assign rsp_mair_attr_o   = rsp.mair_attr;
  assign rsp_sh_o          = rsp.sh;
  assign rsp_fault_o       = rsp.fault.kind;
  assign rsp_fault_level_o = rsp.fault.level;
  assign rsp_fsc_o         = rsp.fault.fsc;
  // The entry size travels as rsp_page_shift_o too (gr_mmu_resp.page_shift).
  logic [2:0] unused_psize;
  assign unused_psize = rsp.psize;

  assign mem_req_pa_o = 64'(mem_req_pa);
  assign mem_wr_pa_o  = 64'(mem_wr_pa);

  mmu_top u_mmu_top (
    .clk_i,
    .rst_ni,
    .req_valid_i,
    .req_ready_o,
    .req_i              (req),
    .rsp_valid_o,
    .rsp_o              (rsp),
    .rsp_page_shift_o,
    .rsp_level_o,
    .rsp_path_o,
    .rsp_nreads_o,
    .rsp_desc_written_o,
    .reg_valid_i,
    .reg_ready_o,
    .reg_tcr_i,
    .reg_ttbr0_i,
    .reg_ttbr1_i,
    .reg_mair_i,
    .reg_sctlr_i,
    .reg_pan_i,
    .reg_mmfr0_i,
    .reg_isar1_i,
    .reg_isar2_i,
    // APIAKeyHi in the low 64 bits, then APIB, APDA, APDB (mmu_top's order).
    .reg_key_hi_i       ({reg_apdb_hi_i, reg_apda_hi_i, reg_apib_hi_i, reg_apia_hi_i}),
    .reg_key_lo_i       ({reg_apdb_lo_i, reg_apda_lo_i, reg_apib_lo_i, reg_apia_lo_i}),
    .tlbi_valid_i,
    .tlbi_ready_o,
    .tlbi_op_i          (granule_pkg::tlbi_op_e'(tlbi_op_i)),
    .tlbi_va_i,
    .tlbi_asid_i,
    .tlbi_done_o,
    .mem_req_valid_o,
    .mem_req_ready_i,
    .mem_req_pa_o       (mem_req_pa),
    .mem_rsp_valid_i,
    .mem_rsp_data_i,
    .mem_rsp_err_i,
    .mem_wr_valid_o,
    .mem_wr_ready_i,
    .mem_wr_pa_o        (mem_wr_pa),
    .mem_wr_data_o,
    .mem_wr_rsp_valid_i,
    .mem_wr_rsp_err_i,
    // The debug read port, off (see the file comment); its outputs are
    // zero then and deliberately left open.
    .dbg_en_i           (1'b0),
    .dbg_unit_i         ('0),
    .dbg_set_i          ('0),
    .dbg_way_i          ('0),
    /* verilator lint_off PINCONNECTEMPTY */
    .dbg_valid_o        (),
    .dbg_entry_o        ()
    /* verilator lint_on PINCONNECTEMPTY */
  );

endmodule
