// granule — the MMU top, the RTL twin of model/src/mmu.c (gr_mmu_*), with
// the timing of docs/uarch.md: PAC stage -> L1 I (fetch) / L1 D (read,
// write) -> L2 (unified) -> walk caches -> walker -> memory port. Blocking:
// one miss at a time, no hit-under-miss; L1 hits (and level-0 faults) are
// answered one per cycle.
//
// Cycles (A accept, L = A + (pac ? lat.pac : 0) lookup, V response valid):
//  * early (stage 1 off, TxSZ/VA-range/EPD fault, PAC-fail exception) and L1
//    hit (or its permission fault): V = L + 1, next request at L + 1.
//    lat.l1_hit must be 1 (both shipped configurations; a deeper L1
//    pipeline is not written).
//  * L1 miss, L2 hit: L2 looked up at t2 = L + 1, V = t2 + lat.l2_hit (+ the
//    size position with a sequential probe); the L1 is filled in V and the
//    next request may be accepted (and looked up) in V.
//  * walk: the walker's first read in W (serial: after the L2 answer plus
//    lat.walk_cache; parallel: max of the two; no L2: t2 + lat.walk_cache),
//    its last memory answer in X, the L2 filled (and, inclusive, the L1s
//    back-invalidated) in X, the L1 filled and the response valid in
//    V = X + 1.
//  * a register write or TLBI is performed in D, the first cycle the port
//    is free (every earlier response valid by then); requests from D + 1
//    (register write) or D + lat.tlbi (TLBI, tlbi_done_o pulses then).
// When several channels are valid in a free cycle: register write, then
// TLBI, then request.
module mmu_top #(
  localparam int unsigned PaW = granule_pkg::PaW,
  // Debug read port widths: the widest set and way index over the present
  // units (computed by the configuration's package generator), and the
  // widest entry (a TLB entry; walk-cache entries are narrower and come
  // zero-extended).
  localparam int unsigned DbgSetW = granule_cfg_pkg::DbgSetW,
  localparam int unsigned DbgWayW = granule_cfg_pkg::DbgWayW,
  localparam int unsigned DbgEntryW = granule_pkg::TlbEntryW
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,

  // Translation requests.
  input  logic                    req_valid_i,
  output logic                    req_ready_o,
  input  granule_pkg::req_t       req_i,

  // In-order responses, valid for one cycle, no back-pressure.
  output logic                    rsp_valid_o,
  output granule_pkg::rsp_t       rsp_o,
  output logic [5:0]              rsp_page_shift_o,  // gr_mmu_resp.page_shift
  output logic [1:0]              rsp_level_o,       // leaf level
  output logic [1:0]              rsp_path_o,        // gr_mmu_path: early, l1, l2, walk
  output logic [2:0]              rsp_nreads_o,      // walk: descriptor reads
  output logic                    rsp_desc_written_o,

  // Register write: every register at once (gr_mmu_set_regs).
  input  logic                    reg_valid_i,
  output logic                    reg_ready_o,
  input  logic [63:0]             reg_tcr_i,
  input  logic [63:0]             reg_ttbr0_i,
  input  logic [63:0]             reg_ttbr1_i,
  input  logic [63:0]             reg_mair_i,
  input  logic [63:0]             reg_sctlr_i,
  input  logic                    reg_pan_i,
  input  logic [63:0]             reg_mmfr0_i,
  input  logic [63:0]             reg_isar1_i,
  input  logic [63:0]             reg_isar2_i,
  input  logic [4*64-1:0]         reg_key_hi_i,      // APIAKeyHi, APIB, APDA, APDB
  input  logic [4*64-1:0]         reg_key_lo_i,

  // TLB maintenance.
  input  logic                    tlbi_valid_i,
  output logic                    tlbi_ready_o,
  input  granule_pkg::tlbi_op_e   tlbi_op_i,
  input  logic [63:0]             tlbi_va_i,
  input  logic [15:0]             tlbi_asid_i,
  output logic                    tlbi_done_o,

  // Walker memory port.
  output logic                    mem_req_valid_o,
  input  logic                    mem_req_ready_i,
  output logic [PaW-1:0]          mem_req_pa_o,
  input  logic                    mem_rsp_valid_i,
  input  logic [63:0]             mem_rsp_data_i,
  input  logic                    mem_rsp_err_i,
  output logic                    mem_wr_valid_o,
  input  logic                    mem_wr_ready_i,
  output logic [PaW-1:0]          mem_wr_pa_o,
  output logic [63:0]             mem_wr_data_o,
  input  logic                    mem_wr_rsp_valid_i,
  input  logic                    mem_wr_rsp_err_i,

  // Debug read port (co-simulation dumps, docs/rtl.md "mmu_top: debug read
  // port"): with dbg_en_i, the entry at (dbg_set_i, dbg_way_i) of unit
  // dbg_unit_i (0 L1 I, 1 L1 D, 2 L2, 3 + k walk cache k), combinationally,
  // the state of this cycle. Zero for an absent unit or a set/way outside
  // it. Without dbg_en_i the outputs are zero and the read mux is not
  // evaluated (it sits in a branch Verilator skips).
  input  logic                    dbg_en_i,
  input  logic [2:0]              dbg_unit_i,
  input  logic [DbgSetW-1:0]      dbg_set_i,
  input  logic [DbgWayW-1:0]      dbg_way_i,
  output logic                    dbg_valid_o,
  output logic [DbgEntryW-1:0]    dbg_entry_o
);

  localparam bit          HasL2  = granule_cfg_pkg::L2Present;
  localparam logic [3:0]  WcMask = {granule_cfg_pkg::Wc3Present, granule_cfg_pkg::Wc2Present,
                                    granule_cfg_pkg::Wc1Present, granule_cfg_pkg::Wc0Present};
  // The walk-cache lookup costs lat.walk_cache when any walk cache exists.
  localparam int unsigned WcLat  = WcMask != 4'd0 ? granule_cfg_pkg::LatWc : 0;
  localparam int unsigned L1iSetW = granule_cfg_pkg::L1iSets > 1 ? $clog2(granule_cfg_pkg::L1iSets) : 1;
  localparam int unsigned L1iWayW = granule_cfg_pkg::L1iWays > 1 ? $clog2(granule_cfg_pkg::L1iWays) : 1;
  localparam int unsigned L1dSetW = granule_cfg_pkg::L1dSets > 1 ? $clog2(granule_cfg_pkg::L1dSets) : 1;
  localparam int unsigned L1dWayW = granule_cfg_pkg::L1dWays > 1 ? $clog2(granule_cfg_pkg::L1dWays) : 1;
  localparam int unsigned L2SetW  = granule_cfg_pkg::L2Sets > 1 ? $clog2(granule_cfg_pkg::L2Sets) : 1;
  localparam int unsigned L2WayW  = granule_cfg_pkg::L2Ways > 1 ? $clog2(granule_cfg_pkg::L2Ways) : 1;

  // gr_mmu_path
  localparam logic [1:0] PathEarly = 2'd0, PathL1 = 2'd1, PathL2 = 2'd2, PathWalk = 2'd3;

  typedef enum logic [2:0] {
    StIdle,
    StPac,     // authenticating, cycles [A, L)
    StL1,      // the L1 answers (or an early response leaves) this cycle
    StL2,      // waiting for the L2 answer
    StWcWait,  // waiting for W (walk-cache lookup latency)
    StWalk,    // the walker runs
    StFill,    // V of a walk: response, L1 fill
    StTlbi     // a TLBI completes
  } state_e;

  // ---- Registers ---------------------------------------------------------
  // Reset values are gr_regs_reset()'s (model/include/granule/regs.h).
  logic [63:0]     tcr_q, ttbr0_q, ttbr1_q, mair_q, sctlr_q, mmfr0_q, isar1_q, isar2_q;
  logic            pan_q;
  logic [4*64-1:0] khi_q, klo_q;
  logic            reg_we;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      tcr_q   <= '0;
      ttbr0_q <= '0;
      ttbr1_q <= '0;
      mair_q  <= '0;
      sctlr_q <= 64'h30D01804;
      pan_q   <= 1'b0;
      mmfr0_q <= 64'h00100005;
      isar1_q <= 64'h01000010;
      isar2_q <= '0;
      khi_q   <= '0;
      klo_q   <= '0;
    end else if (reg_we) begin
      tcr_q   <= reg_tcr_i;
      ttbr0_q <= reg_ttbr0_i;
      ttbr1_q <= reg_ttbr1_i;
      mair_q  <= reg_mair_i;
      sctlr_q <= reg_sctlr_i;
      pan_q   <= reg_pan_i;
      mmfr0_q <= reg_mmfr0_i;
      isar1_q <= reg_isar1_i;
      isar2_q <= reg_isar2_i;
      khi_q   <= reg_key_hi_i;
      klo_q   <= reg_key_lo_i;
    end
  end

  granule_pkg::s1ctx_t ctx;
  s1dec u_s1dec (
    .tcr_i     (tcr_q),
    .ttbr0_i   (ttbr0_q),
    .ttbr1_i   (ttbr1_q),
    .mair_i    (mair_q),
    .sctlr_i   (sctlr_q),
    .pan_i     (pan_q),
    .parange_i (mmfr0_q[3:0]),
    .ctx_o     (ctx)
  );

  // ---- State -------------------------------------------------------------
  state_e          state_q, state_d;
  logic [63:0]     va_q, va_d;        // the VA being translated
  granule_pkg::acc_e acc_q, acc_d;
  logic            el_q, el_d;
  logic [1:0]      key_q, key_d;      // PAC key of the request
  logic            early_q, early_d;  // answered from the lookup stage
  logic [10:0]     efault_q, efault_d;
  logic [PaW-1:0]  epa_q, epa_d;
  logic [7:0]      eattr_q, eattr_d;
  logic [7:0]      cnt_q, cnt_d;      // StL2: cycles since t2; StWcWait, StTlbi: to go
  // The registered walk response and the L1 fill of V.
  granule_pkg::rsp_t       wrsp_q, wrsp_d;
  logic [5:0]              wshift_q, wshift_d;
  logic [1:0]              wlevel_q, wlevel_d;
  logic [2:0]              wnreads_q, wnreads_d;
  logic                    wwritten_q, wwritten_d;
  logic                    f1_q, f1_d;
  granule_pkg::tlb_entry_t f1ent_q, f1ent_d;

  logic side_q;  // 0: L1 I (fetch), 1: L1 D
  assign side_q = acc_q != 2'd2;

  granule_pkg::s1half_t h;  // the range of va_q
  assign h = va_q[55] ? ctx.h1 : ctx.h0;

  // ---- PAC: AArch64.Auth (combined) on the request's key -----------------
  // ID_AA64ISAR1_EL1 APA[7:4], API[11:8], GPA[27:24], GPI[31:28];
  // ID_AA64ISAR2_EL1 GPA3[11:8], APA3[15:12], PAC_frac[27:24]
  // (gr_pac_features_decode). The cipher is the configured one: ID
  // registers naming another algorithm (or IMPDEF, or ones that do not
  // decode) leave pointers unchanged, as an undecodable set does in the
  // model.
  logic [3:0] apa, api, gpa, gpi, gpa3, apa3, frac, plevel;
  logic       pac_ok;
  assign apa  = isar1_q[7:4];
  assign api  = isar1_q[11:8];
  assign gpa  = isar1_q[27:24];
  assign gpi  = isar1_q[31:28];
  assign gpa3 = isar2_q[11:8];
  assign apa3 = isar2_q[15:12];
  assign frac = isar2_q[27:24];
  assign plevel = apa | api | apa3;
  always_comb begin
    pac_ok = 1'b1;
    if ((32'(apa != 0) + 32'(api != 0) + 32'(apa3 != 0)) > 1 ||
        (32'(gpa != 0) + 32'(gpi != 0) + 32'(gpa3 != 0)) > 1 ||
        plevel > 4'd5 || gpa > 4'd1 || gpi > 4'd1 || gpa3 > 4'd1 || frac > 4'd1 ||
        api != 4'd0 || gpi != 4'd0) begin
      pac_ok = 1'b0;  // E_IDREGS, E_IMPDEF
    end
    if (granule_cfg_pkg::PacAlgo == 1 ? apa3 == 4'd0 : apa == 4'd0) begin
      pac_ok = 1'b0;  // no address authentication with the configured cipher
    end
  end

  // CalculateBottomPACBit (TxSZ clamped, FEAT_TTST, no FEAT_LVA) and the
  // pointer with its PAC field replaced by copies of bit 55.
  function automatic logic [63:0] pac_original(logic [63:0] ptr, logic tbi, logic [6:0] bottom);
    logic [63:0] low, ext;
    low = ~({64{1'b1}} << bottom);
    ext = ptr[55] ? {64{1'b1}} : 64'd0;
    if (tbi) begin
      pac_original = (ptr & 64'hFF00000000000000) | (ext & ~64'hFF00000000000000 & ~low) |
                     (ptr & low);
    end else begin
      pac_original = (ext & ~low) | (ptr & low);
    end
  endfunction

  logic [63:0] p_ptr;
  logic [1:0]  p_key;
  logic        p_data, p_enabled, p_tbi;
  logic [6:0]  p_bottom;
  logic [63:0] p_orig, p_field;
  granule_pkg::s1half_t p_h;
  // The PAC inputs come from the request in A and from the held request
  // in L (the same values: registers cannot change in between).
  assign p_ptr  = state_q == StPac ? va_q : req_i.va;
  assign p_key  = state_q == StPac ? key_q : req_i.pac_key;
  assign p_h    = p_ptr[55] ? ctx.h1 : ctx.h0;
  assign p_data = p_key[1];
  // SCTLR_EL1.EnIA 31, EnIB 30, EnDA 27, EnDB 13.
  assign p_enabled = p_key == 2'd0 ? sctlr_q[31] : p_key == 2'd1 ? sctlr_q[30] :
                     p_key == 2'd2 ? sctlr_q[27] : sctlr_q[13];
  // EffectiveTBI: TBIDn applies to instruction addresses.
  assign p_tbi    = p_h.tbi && (p_data || !p_h.tbid);
  assign p_bottom = p_h.ia_bits;
  assign p_orig   = pac_original(p_ptr, p_tbi, p_bottom);
  assign p_field  = (~({64{1'b1}} << 55) & ({64{1'b1}} << p_bottom)) |
                    (p_tbi ? 64'd0 : 64'hFF00000000000000);

  logic        pac_req, pac_valid, pac_busy;
  logic [63:0] pac_out;
  pac_cfg u_pac (
    .clk_i,
    .rst_ni,
    .req_i    (pac_req),
    .data_i   (p_orig),
    .tweak_i  (req_i.modifier),
    .key_hi_i (khi_q[64*p_key +: 64]),
    .key_lo_i (klo_q[64*p_key +: 64]),
    .busy_o   (pac_busy),
    .valid_o  (pac_valid),
    .pac_o    (pac_out)
  );

  // The authenticated pointer (gr_pac_auth, combined) in L.
  logic [63:0] auth_va;
  logic        auth_fault;
  always_comb begin
    logic [63:0] res;
    logic        keynum;
    auth_va    = va_q;
    auth_fault = 1'b0;
    keynum     = key_q[0];
    res        = '0;
    if (pac_ok && p_enabled) begin
      if (plevel < 4'd3) begin
        if (((pac_out ^ va_q) & p_field) == '0) begin
          auth_va = p_orig;
        end else begin
          // error code key_number:NOT(key_number) below the field's top
          auth_va = p_orig;
          if (p_tbi) begin
            auth_va[54:53] = {keynum, !keynum};
          end else begin
            auth_va[62:61] = {keynum, !keynum};
          end
        end
      end else begin
        // FEAT_PAuth2: the PAC XORed in; FEAT_FPACCOMBINE faults.
        res     = va_q ^ (pac_out & p_field);
        auth_va = res;
        auth_fault = plevel >= 4'd5 && (res & p_field) != (va_q[55] ? p_field : 64'd0);
      end
    end
  end

  // ---- Debug read port ------------------------------------------------------
  // Each unit's dbg_* read port, selected here. The selection sits inside
  // `if (dbg_en_i)`: Verilator skips an untaken branch, so a co-simulation
  // that does not dump pays nothing for it.
  localparam int unsigned WcEW = 71 + (PaW - 12);  // walkcache.sv's entry
  logic                    dbg_l1i_v, dbg_l1d_v, dbg_l2_v;
  granule_pkg::tlb_entry_t dbg_l1i_e, dbg_l1d_e, dbg_l2_e;
  logic [3:0]              dbg_wc_v;
  logic [4*WcEW-1:0]       dbg_wc_e;

  // (set, way) inside a unit of Sets x Ways.
  function automatic logic dbg_in(logic [DbgSetW-1:0] set, logic [DbgWayW-1:0] way,
                                  int unsigned sets, int unsigned ways);
    dbg_in = 32'(set) < sets && 32'(way) < ways;
  endfunction

  always_comb begin : p_dbg
    dbg_valid_o = 1'b0;
    dbg_entry_o = '0;
    if (dbg_en_i) begin
      unique case (dbg_unit_i)
        3'd0: begin
          if (dbg_in(dbg_set_i, dbg_way_i, granule_cfg_pkg::L1iSets, granule_cfg_pkg::L1iWays)) begin
            dbg_valid_o = dbg_l1i_v;
            dbg_entry_o = dbg_l1i_e;
          end
        end
        3'd1: begin
          if (dbg_in(dbg_set_i, dbg_way_i, granule_cfg_pkg::L1dSets, granule_cfg_pkg::L1dWays)) begin
            dbg_valid_o = dbg_l1d_v;
            dbg_entry_o = dbg_l1d_e;
          end
        end
        3'd2: begin
          if (dbg_in(dbg_set_i, dbg_way_i, granule_cfg_pkg::L2Sets, granule_cfg_pkg::L2Ways)) begin
            dbg_valid_o = dbg_l2_v;
            dbg_entry_o = dbg_l2_e;
          end
        end
        3'd3: begin
          if (dbg_in(dbg_set_i, dbg_way_i, granule_cfg_pkg::Wc0Sets, granule_cfg_pkg::Wc0Ways)) begin
            dbg_valid_o = dbg_wc_v[0];
            dbg_entry_o = DbgEntryW'(dbg_wc_e[0 +: WcEW]);
          end
        end
        3'd4: begin
          if (dbg_in(dbg_set_i, dbg_way_i, granule_cfg_pkg::Wc1Sets, granule_cfg_pkg::Wc1Ways)) begin
            dbg_valid_o = dbg_wc_v[1];
            dbg_entry_o = DbgEntryW'(dbg_wc_e[WcEW +: WcEW]);
          end
        end
        3'd5: begin
          if (dbg_in(dbg_set_i, dbg_way_i, granule_cfg_pkg::Wc2Sets, granule_cfg_pkg::Wc2Ways)) begin
            dbg_valid_o = dbg_wc_v[2];
            dbg_entry_o = DbgEntryW'(dbg_wc_e[2*WcEW +: WcEW]);
          end
        end
        3'd6: begin
          if (dbg_in(dbg_set_i, dbg_way_i, granule_cfg_pkg::Wc3Sets, granule_cfg_pkg::Wc3Ways)) begin
            dbg_valid_o = dbg_wc_v[3];
            dbg_entry_o = DbgEntryW'(dbg_wc_e[3*WcEW +: WcEW]);
          end
        end
        default: begin
        end
      endcase
    end
  end

  // ---- L1 TLBs -------------------------------------------------------------
  logic [1:0]              l1_lu_req;
  logic                    l1_valid_i, l1_valid_d;
  logic                    l1_hit_i, l1_hit_d;
  granule_pkg::tlb_entry_t l1_ent_i, l1_ent_d;
  logic [L1iSetW-1:0]      l1i_set;
  logic [L1iWayW-1:0]      l1i_way;
  logic [L1dSetW-1:0]      l1d_set;
  logic [L1dWayW-1:0]      l1d_way;
  logic                    l1_touch, l1_inv, l1_fill, l2_fill_bi;
  granule_pkg::tlb_entry_t l1_fill_ent, l2_evicted;
  logic                    l1_fill_side;
  logic                    flush;
  logic [15:0]             flush_asid;
  logic                    unused_l1;
  logic [2:0]              unused_probe_i, unused_probe_d;
  logic                    unused_busy_i, unused_busy_d;
  logic [L1iSetW-1:0]      unused_us_i;
  logic [L1iWayW-1:0]      unused_uw_i;
  logic [L1dSetW-1:0]      unused_us_d;
  logic [L1dWayW-1:0]      unused_uw_d;
  logic                    unused_ev_i, unused_ev_d;
  granule_pkg::tlb_entry_t unused_eve_i, unused_eve_d;

  // TLBI ASID operand: 8 bits unless TCR_EL1.AS.
  assign flush_asid = tcr_q[36] ? tlbi_asid_i : {8'd0, tlbi_asid_i[7:0]};

  tlb #(
    .Ways     (granule_cfg_pkg::L1iWays),
    .Sets     (granule_cfg_pkg::L1iSets),
    .Repl     (granule_cfg_pkg::L1iRepl),
    .Seed     (granule_cfg_pkg::L1iSeed),
    .Sizes    (granule_cfg_pkg::L1iSizes),
    .SeqProbe (1'b0),
    .LuLat    (1),
    .AsidW    (granule_cfg_pkg::AsidBits),
    .LuNext   (1'b1)
  ) u_l1i (
    .clk_i,
    .rst_ni,
    .lu_req_i         (l1_lu_req[0]),
    .lu_vkey_i        (lva[55:12]),
    .lu_asid_i        (ctx.asid),
    .lu_busy_o        (unused_busy_i),
    .lu_valid_o       (l1_valid_i),
    .lu_hit_o         (l1_hit_i),
    .lu_set_o         (l1i_set),
    .lu_way_o         (l1i_way),
    .lu_probe_o       (unused_probe_i),
    .lu_entry_o       (l1_ent_i),
    .touch_i          (l1_touch && !side_q),
    .touch_set_i      (l1i_set),
    .touch_way_i      (l1i_way),
    .update_i         (l1_fill && !l1_fill_side),
    .update_entry_i   (l1_fill_ent),
    .update_set_o     (unused_us_i),
    .update_way_o     (unused_uw_i),
    .update_evict_o   (unused_ev_i),
    .update_evicted_o (unused_eve_i),
    .flush_i          (flush),
    .flush_op_i       (tlbi_op_i),
    .flush_vkey_i     (tlbi_va_i[55:12]),
    .flush_asid_i     (flush_asid),
    .inv_i            (l1_inv && !side_q),
    .inv_set_i        (l1i_set),
    .inv_way_i        (l1i_way),
    .bi_i             (l2_fill_bi),
    .bi_vkey_i        (l2_evicted.vkey),
    .bi_psize_i       (l2_evicted.psize),
    .bi_global_i      (l2_evicted.global),
    .bi_asid_i        (l2_evicted.asid),
    .dbg_set_i        (dbg_set_i[L1iSetW-1:0]),
    .dbg_way_i        (dbg_way_i[L1iWayW-1:0]),
    .dbg_valid_o      (dbg_l1i_v),
    .dbg_entry_o      (dbg_l1i_e)
  );

  tlb #(
    .Ways     (granule_cfg_pkg::L1dWays),
    .Sets     (granule_cfg_pkg::L1dSets),
    .Repl     (granule_cfg_pkg::L1dRepl),
    .Seed     (granule_cfg_pkg::L1dSeed),
    .Sizes    (granule_cfg_pkg::L1dSizes),
    .SeqProbe (1'b0),
    .LuLat    (1),
    .AsidW    (granule_cfg_pkg::AsidBits),
    .LuNext   (1'b1)
  ) u_l1d (
    .clk_i,
    .rst_ni,
    .lu_req_i         (l1_lu_req[1]),
    .lu_vkey_i        (lva[55:12]),
    .lu_asid_i        (ctx.asid),
    .lu_busy_o        (unused_busy_d),
    .lu_valid_o       (l1_valid_d),
    .lu_hit_o         (l1_hit_d),
    .lu_set_o         (l1d_set),
    .lu_way_o         (l1d_way),
    .lu_probe_o       (unused_probe_d),
    .lu_entry_o       (l1_ent_d),
    .touch_i          (l1_touch && side_q),
    .touch_set_i      (l1d_set),
    .touch_way_i      (l1d_way),
    .update_i         (l1_fill && l1_fill_side),
    .update_entry_i   (l1_fill_ent),
    .update_set_o     (unused_us_d),
    .update_way_o     (unused_uw_d),
    .update_evict_o   (unused_ev_d),
    .update_evicted_o (unused_eve_d),
    .flush_i          (flush),
    .flush_op_i       (tlbi_op_i),
    .flush_vkey_i     (tlbi_va_i[55:12]),
    .flush_asid_i     (flush_asid),
    .inv_i            (l1_inv && side_q),
    .inv_set_i        (l1d_set),
    .inv_way_i        (l1d_way),
    .bi_i             (l2_fill_bi),
    .bi_vkey_i        (l2_evicted.vkey),
    .bi_psize_i       (l2_evicted.psize),
    .bi_global_i      (l2_evicted.global),
    .bi_asid_i        (l2_evicted.asid),
    .dbg_set_i        (dbg_set_i[L1dSetW-1:0]),
    .dbg_way_i        (dbg_way_i[L1dWayW-1:0]),
    .dbg_valid_o      (dbg_l1d_v),
    .dbg_entry_o      (dbg_l1d_e)
  );

  logic                    l1_valid, l1_hit;
  granule_pkg::tlb_entry_t l1_ent;
  assign l1_valid = side_q ? l1_valid_d : l1_valid_i;
  assign l1_hit   = side_q ? l1_hit_d : l1_hit_i;
  assign l1_ent   = side_q ? l1_ent_d : l1_ent_i;

  // ---- L2 TLB --------------------------------------------------------------
  logic                    l2_lu_req, l2_valid, l2_hit, l2_touch, l2_inv, l2_fill, l2_evict;
  granule_pkg::tlb_entry_t l2_ent, l2_fill_ent;
  if (HasL2) begin : g_l2
    logic [L2SetW-1:0]       set, uset;
    logic [L2WayW-1:0]       way, uway;
    logic [2:0]              unused_probe;
    logic                    unused_busy;
    tlb #(
      .Ways     (granule_cfg_pkg::L2Ways),
      .Sets     (granule_cfg_pkg::L2Sets),
      .Repl     (granule_cfg_pkg::L2Repl),
      .Seed     (granule_cfg_pkg::L2Seed),
      .Sizes    (granule_cfg_pkg::L2Sizes),
      .SeqProbe (granule_cfg_pkg::L2SeqProbe),
      .LuLat    (granule_cfg_pkg::LatL2Hit),
      .AsidW    (granule_cfg_pkg::AsidBits),
      .LuNext   (1'b0)
    ) u_l2 (
      .clk_i,
      .rst_ni,
      .lu_req_i         (l2_lu_req),
      .lu_vkey_i        (va_q[55:12]),
      .lu_asid_i        (ctx.asid),
      .lu_busy_o        (unused_busy),
      .lu_valid_o       (l2_valid),
      .lu_hit_o         (l2_hit),
      .lu_set_o         (set),
      .lu_way_o         (way),
      .lu_probe_o       (unused_probe),
      .lu_entry_o       (l2_ent),
      .touch_i          (l2_touch),
      .touch_set_i      (set),
      .touch_way_i      (way),
      .update_i         (l2_fill),
      .update_entry_i   (l2_fill_ent),
      .update_set_o     (uset),
      .update_way_o     (uway),
      .update_evict_o   (l2_evict),
      .update_evicted_o (l2_evicted),
      .flush_i          (flush),
      .flush_op_i       (tlbi_op_i),
      .flush_vkey_i     (tlbi_va_i[55:12]),
      .flush_asid_i     (flush_asid),
      .inv_i            (l2_inv),
      .inv_set_i        (set),
      .inv_way_i        (way),
      .bi_i             (1'b0),
      .bi_vkey_i        ('0),
      .bi_psize_i       (granule_pkg::Ps4K),
      .bi_global_i      (1'b0),
      .bi_asid_i        ('0),
      .dbg_set_i        (dbg_set_i[L2SetW-1:0]),
      .dbg_way_i        (dbg_way_i[L2WayW-1:0]),
      .dbg_valid_o      (dbg_l2_v),
      .dbg_entry_o      (dbg_l2_e)
    );
    logic unused_l2;
    assign unused_l2 = ^{uset, uway, unused_probe, unused_busy};
  end else begin : g_no_l2
    assign l2_valid   = 1'b0;
    assign l2_hit     = 1'b0;
    assign l2_ent     = '0;
    assign l2_evict   = 1'b0;
    assign l2_evicted = '0;
    assign dbg_l2_v   = 1'b0;
    assign dbg_l2_e   = '0;
    logic unused_l2;
    assign unused_l2 = ^{l2_lu_req, l2_touch, l2_inv, l2_fill, l2_fill_ent};
  end
  // Inclusive L2: an eviction by a fill back-invalidates both L1s.
  assign l2_fill_bi = l2_fill && l2_evict && granule_cfg_pkg::L2Inclusive;

  // ---- Walk caches -----------------------------------------------------------
  logic        walk_go;
  logic [3:0]  wc_hit;
  logic [7:0]  wc_level;           // 2 bits per cache
  logic [4*PaW-1:0] wc_table;
  logic [7:0]  wc_apt;
  logic [3:0]  wc_uxn, wc_pxn;
  logic [1:0]  wc_best;
  logic        wc_any;
  logic        ptw_fill;
  logic [1:0]  ptw_fill_level;
  logic [PaW-1:0] ptw_fill_table;
  logic [1:0]  ptw_fill_apt;
  logic        ptw_fill_uxn, ptw_fill_pxn;
  // Levels each walk cache holds, 3 bits per cache.
  localparam logic [11:0] WcLevels = {granule_cfg_pkg::Wc3Levels, granule_cfg_pkg::Wc2Levels,
                                      granule_cfg_pkg::Wc1Levels, granule_cfg_pkg::Wc0Levels};

  for (genvar k = 0; k < 4; k++) begin : g_wc
    if (WcMask[k]) begin : g_on
      localparam int unsigned Sets = k == 0 ? granule_cfg_pkg::Wc0Sets :
                                     k == 1 ? granule_cfg_pkg::Wc1Sets :
                                     k == 2 ? granule_cfg_pkg::Wc2Sets : granule_cfg_pkg::Wc3Sets;
      localparam int unsigned Ways = k == 0 ? granule_cfg_pkg::Wc0Ways :
                                     k == 1 ? granule_cfg_pkg::Wc1Ways :
                                     k == 2 ? granule_cfg_pkg::Wc2Ways : granule_cfg_pkg::Wc3Ways;
      localparam int unsigned SetW = Sets > 1 ? $clog2(Sets) : 1;
      localparam int unsigned WayW = Ways > 1 ? $clog2(Ways) : 1;
      logic [SetW-1:0] set, fset;
      logic [WayW-1:0] way, fway;
      logic            fev;
      walkcache_cfg #(
        .Which (k)
      ) u_wc (
        .clk_i,
        .rst_ni,
        .lu_req_i         (walk_go),
        .lu_vkey_i        (va_q[55:12]),
        .lu_asid_i        (ctx.asid),
        .lu_gbits_i       (h.gbits),
        .lu_start_level_i (h.start_level),
        .lu_hit_o         (wc_hit[k]),
        .lu_set_o         (set),
        .lu_way_o         (way),
        .lu_level_o       (wc_level[2*k +: 2]),
        .lu_table_o       (wc_table[PaW*k +: PaW]),
        .lu_ap_table_o    (wc_apt[2*k +: 2]),
        .lu_uxn_o         (wc_uxn[k]),
        .lu_pxn_o         (wc_pxn[k]),
        .touch_i          (walk_go && wc_any && wc_best == 2'(k)),
        .touch_set_i      (set),
        .touch_way_i      (way),
        .fill_i           (ptw_fill && WcLevels[3*k + 32'(ptw_fill_level)]),
        .fill_vkey_i      (va_q[55:12]),
        .fill_asid_i      (ctx.asid),
        .fill_gbits_i     (h.gbits),
        .fill_level_i     (ptw_fill_level),
        .fill_table_i     (ptw_fill_table),
        .fill_ap_table_i  (ptw_fill_apt),
        .fill_uxn_i       (ptw_fill_uxn),
        .fill_pxn_i       (ptw_fill_pxn),
        .fill_set_o       (fset),
        .fill_way_o       (fway),
        .fill_evict_o     (fev),
        .flush_i          (flush),
        .flush_op_i       (tlbi_op_i),
        .flush_vkey_i     (tlbi_va_i[55:12]),
        .flush_asid_i     (flush_asid),
        .dbg_set_i        (dbg_set_i[SetW-1:0]),
        .dbg_way_i        (dbg_way_i[WayW-1:0]),
        .dbg_valid_o      (dbg_wc_v[k]),
        .dbg_entry_o      (dbg_wc_e[WcEW*k +: WcEW])
      );
      logic unused_wc;
      assign unused_wc = ^{fset, fway, fev};
    end else begin : g_off
      assign wc_hit[k]             = 1'b0;
      assign wc_level[2*k +: 2]    = '0;
      assign wc_table[PaW*k +: PaW] = '0;
      assign wc_apt[2*k +: 2]      = '0;
      assign wc_uxn[k]             = 1'b0;
      assign wc_pxn[k]             = 1'b0;
      assign dbg_wc_v[k]           = 1'b0;
      assign dbg_wc_e[WcEW*k +: WcEW] = '0;
    end
  end

  // The deepest hit over every walk cache (a level lives in one cache).
  always_comb begin
    wc_any  = 1'b0;
    wc_best = '0;
    for (int k = 0; k < 4; k++) begin
      if (wc_hit[k] && (!wc_any || wc_level[2*k +: 2] > wc_level[2*32'(wc_best) +: 2])) begin
        wc_any  = 1'b1;
        wc_best = 2'(k);
      end
    end
  end

  // ---- Walker --------------------------------------------------------------
  logic                    ptw_done, ptw_have_tte, ptw_af, ptw_ng, ptw_wrote, ptw_written;
  logic                    unused_ptw_ready;
  granule_pkg::fault_t     ptw_fault;
  logic [PaW-1:0]          ptw_pa;
  logic [7:0]              ptw_attr;
  granule_pkg::tte_t       ptw_tte;
  logic [63:0]             ptw_va_base;
  logic [5:0]              ptw_shift;
  logic [2:0]              ptw_nreads;

  ptw u_ptw (
    .clk_i,
    .rst_ni,
    .ctx_i                (ctx),
    .req_valid_i          (walk_go),
    .req_ready_o          (unused_ptw_ready),
    .req_va_i             (va_q),
    .req_acc_i            (acc_q),
    .req_el_i             (el_q),
    .req_start_i          (wc_any),
    .req_start_level_i    (wc_level[2*32'(wc_best) +: 2] + 2'd1),
    .req_start_table_i    (wc_table[PaW*32'(wc_best) +: PaW]),
    .req_start_ap_table_i (wc_apt[2*32'(wc_best) +: 2]),
    .req_start_uxn_i      (wc_uxn[wc_best]),
    .req_start_pxn_i      (wc_pxn[wc_best]),
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
    .wc_fill_o            (ptw_fill),
    .wc_fill_level_o      (ptw_fill_level),
    .wc_fill_table_o      (ptw_fill_table),
    .wc_fill_ap_table_o   (ptw_fill_apt),
    .wc_fill_uxn_o        (ptw_fill_uxn),
    .wc_fill_pxn_o        (ptw_fill_pxn),
    .done_o               (ptw_done),
    .done_fault_o         (ptw_fault),
    .done_pa_o            (ptw_pa),
    .done_mair_attr_o     (ptw_attr),
    .done_have_tte_o      (ptw_have_tte),
    .done_tte_o           (ptw_tte),
    .done_va_base_o       (ptw_va_base),
    .done_page_shift_o    (ptw_shift),
    .done_af_o            (ptw_af),
    .done_ng_o            (ptw_ng),
    .done_nreads_o        (ptw_nreads),
    .done_wrote_o         (ptw_wrote),
    .done_desc_written_o  (ptw_written)
  );

  // ---- Fill entries ----------------------------------------------------------
  // A walk's leaf, with contiguous coalescing (docs/uarch.md "Entry size":
  // 4K 16 entries; 16K 128 at level 3, 32 at level 2; 64K 32).
  granule_pkg::tte_t ctte;
  logic [5:0]        cshift;
  logic [2:0]        clog;
  assign clog = h.gbits == 5'd12 ? 3'd4 : (h.gbits == 5'd14 && ptw_tte.level == 2'd3) ? 3'd7 : 3'd5;
  always_comb begin
    ctte   = ptw_tte;
    cshift = ptw_shift;
    if (granule_cfg_pkg::Contig && ptw_tte.contiguous) begin
      cshift  = ptw_shift + {3'd0, clog};
      ctte.oa = ptw_tte.oa & ({(PaW-12){1'b1}} << (cshift - 6'd12));
    end
  end

  logic                    mk_l2_ok, mk_l1w_ok, mk_l1h_ok;
  granule_pkg::tlb_entry_t mk_l1w, mk_l1h;
  tlb_mkentry u_mk_l2 (
    .sizes_i (HasL2 ? granule_cfg_pkg::L2Sizes : 7'd0),
    .tte_i   (ctte),
    .shift_i (cshift),
    .va_i    (va_q[55:12]),
    .ng_i    (ptw_ng),
    .asid_i  (ctx.asid),
    .ok_o    (mk_l2_ok),
    .entry_o (l2_fill_ent)
  );
  tlb_mkentry u_mk_l1w (
    .sizes_i (side_q ? granule_cfg_pkg::L1dSizes : granule_cfg_pkg::L1iSizes),
    .tte_i   (ctte),
    .shift_i (cshift),
    .va_i    (va_q[55:12]),
    .ng_i    (ptw_ng),
    .asid_i  (ctx.asid),
    .ok_o    (mk_l1w_ok),
    .entry_o (mk_l1w)
  );
  // An L2 hit fills the L1 from the L2 entry (its own size as the range).
  tlb_mkentry u_mk_l1h (
    .sizes_i (side_q ? granule_cfg_pkg::L1dSizes : granule_cfg_pkg::L1iSizes),
    .tte_i   (l2_ent.tte),
    .shift_i ({1'b0, granule_pkg::psize_shift(l2_ent.psize)}),
    .va_i    (va_q[55:12]),
    .ng_i    (!l2_ent.global),
    .asid_i  (ctx.asid),
    .ok_o    (mk_l1h_ok),
    .entry_o (mk_l1h)
  );
  // The walk's fill: a leaf with AF = 1 after the update, and no fault
  // other than a permission fault.
  logic walk_fills;
  assign walk_fills = ptw_have_tte && ptw_af &&
                      (ptw_fault.kind == granule_pkg::FaultNone ||
                       ptw_fault.kind == granule_pkg::FaultPermission);

  // ---- A hit's response --------------------------------------------------------
  // The permission check with the current registers; a write to a
  // writable-clean entry (with HD of its range) is a dirty miss.
  granule_pkg::tlb_entry_t hent;      // the L1 or L2 entry answering
  logic                    h_perm, h_dirty;
  logic [4:0]              h_shift;
  logic [PaW-1:0]          h_pa;
  assign hent    = state_q == StL2 ? l2_ent : l1_ent;
  assign h_perm  = granule_pkg::s1_perm_ok(hent.tte.ap, hent.tte.ap_table, hent.tte.uxn,
                                           hent.tte.pxn, acc_q, el_q, ctx.pan, ctx.wxn);
  assign h_dirty = (hent.tte.half ? ctx.h1.hd : ctx.h0.hd) && hent.tte.dbm && acc_q == 2'd1;
  assign h_shift = granule_pkg::psize_shift(hent.psize);
  assign h_pa    = {hent.tte.oa, 12'b0} | (va_q[PaW-1:0] & ~({PaW{1'b1}} << h_shift));

  // gr_psize of a leaf size, for the response (0 when it is not one).
  function automatic logic [2:0] shift_psize(logic [5:0] s);
    unique case (s)
      6'd14:   shift_psize = 3'd1;
      6'd16:   shift_psize = 3'd2;
      6'd21:   shift_psize = 3'd3;
      6'd25:   shift_psize = 3'd4;
      6'd29:   shift_psize = 3'd5;
      6'd30:   shift_psize = 3'd6;
      default: shift_psize = 3'd0;
    endcase
  endfunction

  // ---- The control -------------------------------------------------------------
  // Answers classified for this cycle.
  logic l1_answers, l2_answers;  // a hit (or its permission fault) answers
  assign l1_answers = state_q == StL1 && !early_q && l1_valid && l1_hit && (!h_perm || !h_dirty);
  assign l2_answers = state_q == StL2 && l2_valid && l2_hit && (!h_perm || !h_dirty);

  // The port is free (a request, register write or TLBI may go), and the
  // walker starts (W). Kept apart from the main block: the walker and the
  // PAC unit answer combinationally to their requests.
  logic       free, walk_go_l1;
  logic [7:0] wc_wait;
  always_comb begin
    wc_wait = '0;
    if (granule_cfg_pkg::WcParallel) begin
      wc_wait = cnt_q >= 8'(WcLat) ? 8'd0 : 8'(WcLat) - cnt_q;
    end else begin
      wc_wait = 8'(WcLat);
    end
  end
  assign free = state_q == StIdle || state_q == StFill ||
                (state_q == StL1 && (early_q || l1_answers)) || l2_answers ||
                (state_q == StTlbi && cnt_q == 8'd0);
  // No L2 and no walk cache: the walk starts with the L1 miss (t2).
  assign walk_go_l1 = !HasL2 && WcLat == 0 && state_q == StL1 && !early_q && l1_valid &&
                      !l1_answers;
  assign walk_go = walk_go_l1 ||
                   (state_q == StL2 && l2_valid && !l2_answers && wc_wait == 8'd0) ||
                   (state_q == StWcWait && cnt_q == 8'd0);
  assign pac_req = free && !reg_valid_i && !tlbi_valid_i && req_valid_i && req_i.pac;

  // Launch in L: a plain request in its acceptance cycle, or a PAC request
  // when the authentication result is known.
  logic              launch, pacfail;
  logic [63:0]       lva;
  granule_pkg::acc_e lacc;
  always_comb begin
    launch  = 1'b0;
    lva     = req_i.va;
    lacc    = req_i.acc;
    pacfail = 1'b0;
    if (state_q == StPac) begin
      launch  = pac_valid;
      lva     = auth_va;
      lacc    = acc_q;
      pacfail = auth_fault;
    end else if (free && !reg_valid_i && !tlbi_valid_i && req_valid_i && !req_i.pac) begin
      launch = 1'b1;
    end
  end

  // The early checks of the launched VA, beside the L1 lookup.
  granule_pkg::s1half_t lh;
  logic [63:0]          flat_mask;
  logic                 early;
  logic [10:0]          ef;
  logic [PaW-1:0]       epa;
  logic [7:0]           eattr;
  assign lh        = lva[55] ? ctx.h1 : ctx.h0;
  assign flat_mask = granule_pkg::mask64({1'b0, ctx.pa_bits} - 7'd1, 7'd0);
  always_comb begin
    ef    = granule_pkg::make_fault(3'd0, 2'd0);
    epa   = '0;
    eattr = '0;
    early = 1'b0;
    if (pacfail) begin
      early = 1'b1;
      ef    = granule_pkg::make_fault(3'd6, 2'd0);
    end else if (!ctx.m) begin
      // AArch64.S1DisabledOutput, as the walker's.
      early = 1'b1;
      if ((lva & granule_pkg::mask64(granule_pkg::addr_top(lh.tbi, lh.tbid, lacc),
                                     {1'b0, ctx.pa_bits})) != '0) begin
        ef = granule_pkg::make_fault(3'd1, 2'd0);
      end else begin
        epa   = lva[PaW-1:0] & flat_mask[PaW-1:0];
        eattr = lacc == granule_pkg::AccExec ? (ctx.i ? 8'hAA : 8'h44) : 8'h00;
      end
    end else if (granule_pkg::s1_select_fault(lh.txsz_fault, lh.epd, lh.tbi, lh.tbid,
                                              lh.ia_bits, lva, lacc)) begin
      early = 1'b1;
      ef    = granule_pkg::make_fault(3'd2, 2'd0);
    end
  end

  always_comb begin
    state_d    = state_q;
    va_d       = va_q;
    acc_d      = acc_q;
    el_d       = el_q;
    key_d      = key_q;
    early_d    = early_q;
    efault_d   = efault_q;
    epa_d      = epa_q;
    eattr_d    = eattr_q;
    cnt_d      = cnt_q;
    wrsp_d     = wrsp_q;
    wshift_d   = wshift_q;
    wlevel_d   = wlevel_q;
    wnreads_d  = wnreads_q;
    wwritten_d = wwritten_q;
    f1_d       = 1'b0;
    f1ent_d    = f1ent_q;

    rsp_valid_o        = 1'b0;
    rsp_o              = '0;
    rsp_page_shift_o   = '0;
    rsp_level_o        = '0;
    rsp_path_o         = PathEarly;
    rsp_nreads_o       = '0;
    rsp_desc_written_o = 1'b0;

    reg_we       = 1'b0;
    flush        = 1'b0;
    req_ready_o  = 1'b0;
    reg_ready_o  = 1'b0;
    tlbi_ready_o = 1'b0;
    tlbi_done_o  = 1'b0;
    l1_lu_req    = 2'b00;
    l1_touch     = 1'b0;
    l1_inv       = 1'b0;
    l1_fill      = 1'b0;
    l1_fill_side = side_q;
    l1_fill_ent  = f1ent_q;
    l2_lu_req    = 1'b0;
    l2_touch     = 1'b0;
    l2_inv       = 1'b0;
    l2_fill      = 1'b0;

    unique case (state_q)
      StIdle: begin
      end

      StPac: begin
      end

      StL1: begin
        if (early_q) begin
          rsp_valid_o     = 1'b1;
          rsp_o.pa        = epa_q;
          rsp_o.mair_attr = eattr_q;
          rsp_o.fault     = efault_q;
          rsp_path_o      = PathEarly;
        end else if (l1_answers) begin
          rsp_valid_o      = 1'b1;
          rsp_page_shift_o = {1'b0, h_shift};
          rsp_level_o      = hent.tte.level;
          rsp_path_o       = PathL1;
          rsp_o.psize      = hent.psize;
          if (h_perm) begin
            rsp_o.pa        = h_pa;
            rsp_o.mair_attr = granule_pkg::mair_attr(ctx.mair, hent.tte.attr_index, ctx.c,
                                                     ctx.i, acc_q == granule_pkg::AccExec);
            rsp_o.sh        = hent.tte.sh;
          end else begin
            rsp_o.fault = granule_pkg::make_fault(3'd4, hent.tte.level);
          end
          l1_touch = 1'b1;
        end else if (l1_valid) begin
          // Miss, or a dirty miss (the entry is dropped): t2 = L + 1.
          l1_inv = l1_hit;
          if (HasL2) begin
            l2_lu_req = 1'b1;
            cnt_d     = 8'd1;
            state_d   = StL2;
          end else if (walk_go_l1) begin
            state_d = StWalk;
          end else begin
            cnt_d   = 8'(WcLat - 1);
            state_d = StWcWait;
          end
        end
      end

      StL2: begin
        cnt_d = cnt_q + 8'd1;
        if (l2_answers) begin
          // V = t2 + P2: respond, touch, fill the L1 of the side.
          rsp_valid_o      = 1'b1;
          rsp_page_shift_o = {1'b0, h_shift};
          rsp_level_o      = hent.tte.level;
          rsp_path_o       = PathL2;
          rsp_o.psize      = hent.psize;
          if (h_perm) begin
            rsp_o.pa        = h_pa;
            rsp_o.mair_attr = granule_pkg::mair_attr(ctx.mair, hent.tte.attr_index, ctx.c,
                                                     ctx.i, acc_q == granule_pkg::AccExec);
            rsp_o.sh        = hent.tte.sh;
          end else begin
            rsp_o.fault = granule_pkg::make_fault(3'd4, hent.tte.level);
          end
          l2_touch    = 1'b1;
          l1_fill     = mk_l1h_ok;
          l1_fill_ent = mk_l1h;
        end else if (l2_valid) begin
          // L2 miss (or dirty miss): W = Y + c (serial) or max(Y, t2 + c).
          l2_inv = l2_hit;
          if (walk_go) begin
            state_d = StWalk;
          end else begin
            cnt_d   = wc_wait - 8'd1;
            state_d = StWcWait;
          end
        end
      end

      StWcWait: begin
        if (walk_go) begin
          state_d = StWalk;
        end else begin
          cnt_d = cnt_q - 8'd1;
        end
      end

      StWalk: begin
        if (ptw_done) begin
          // X: fill the L2 (back-invalidating the L1s), keep the L1 fill
          // and the response for V = X + 1.
          l2_fill = HasL2 && walk_fills && mk_l2_ok;
          f1_d    = walk_fills && mk_l1w_ok;
          f1ent_d = mk_l1w;
          // rsp_t: pa, mair_attr, sh, psize, fault (a packed concatenation:
          // no cast to the enum type).
          if (ptw_fault.kind == granule_pkg::FaultNone) begin
            wrsp_d = {ptw_pa, ptw_attr, ptw_tte.sh, shift_psize(ptw_shift), ptw_fault};
          end else begin
            wrsp_d = {{PaW{1'b0}}, 8'd0, 2'd0,
                      ptw_have_tte ? shift_psize(ptw_shift) : 3'd0, ptw_fault};
          end
          if (ptw_have_tte) begin
            wshift_d = ptw_shift;
            wlevel_d = ptw_tte.level;
          end else begin
            wshift_d = '0;
            wlevel_d = '0;
          end
          wnreads_d  = ptw_nreads;
          wwritten_d = ptw_written;
          state_d    = StFill;
        end
      end

      StFill: begin
        rsp_valid_o        = 1'b1;
        rsp_o              = wrsp_q;
        rsp_page_shift_o   = wshift_q;
        rsp_level_o        = wlevel_q;
        rsp_path_o         = PathWalk;
        rsp_nreads_o       = wnreads_q;
        rsp_desc_written_o = wwritten_q;
        l1_fill            = f1_q;
        l1_fill_ent        = f1ent_q;
      end

      StTlbi: begin
        if (cnt_q == 8'd0) begin
          tlbi_done_o = 1'b1;
        end else begin
          cnt_d = cnt_q - 8'd1;
        end
      end

      default: begin
        state_d = StIdle;
      end
    endcase

    // A free cycle: register write, else TLBI, else a request.
    if (free) begin
      state_d      = StIdle;
      reg_ready_o  = 1'b1;
      tlbi_ready_o = !reg_valid_i;
      req_ready_o  = !reg_valid_i && !tlbi_valid_i;
      if (reg_valid_i) begin
        reg_we = 1'b1;
      end else if (tlbi_valid_i) begin
        flush   = 1'b1;
        cnt_d   = 8'(granule_cfg_pkg::LatTlbi - 1);
        state_d = StTlbi;
      end else if (req_valid_i) begin
        va_d  = req_i.va;
        acc_d = req_i.acc;
        el_d  = req_i.el;
        key_d = req_i.pac_key;
        if (req_i.pac) begin
          state_d = StPac;
        end
      end
    end

    if (launch) begin
      va_d     = lva;
      early_d  = early;
      efault_d = ef;
      epa_d    = epa;
      eattr_d  = eattr;
      l1_lu_req[0] = !early && lacc == granule_pkg::AccExec;
      l1_lu_req[1] = !early && lacc != granule_pkg::AccExec;
      state_d  = StL1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= StIdle;
      va_q       <= '0;
      acc_q      <= granule_pkg::AccRead;
      el_q       <= 1'b0;
      key_q      <= '0;
      early_q    <= 1'b0;
      efault_q   <= '0;
      epa_q      <= '0;
      eattr_q    <= '0;
      cnt_q      <= '0;
      wrsp_q     <= '0;
      wshift_q   <= '0;
      wlevel_q   <= '0;
      wnreads_q  <= '0;
      wwritten_q <= 1'b0;
      f1_q       <= 1'b0;
      f1ent_q    <= '0;
    end else begin
      state_q    <= state_d;
      va_q       <= va_d;
      acc_q      <= acc_d;
      el_q       <= el_d;
      key_q      <= key_d;
      early_q    <= early_d;
      efault_q   <= efault_d;
      epa_q      <= epa_d;
      eattr_q    <= eattr_d;
      cnt_q      <= cnt_d;
      wrsp_q     <= wrsp_d;
      wshift_q   <= wshift_d;
      wlevel_q   <= wlevel_d;
      wnreads_q  <= wnreads_d;
      wwritten_q <= wwritten_d;
      f1_q       <= f1_d;
      f1ent_q    <= f1ent_d;
    end
  end

  assign unused_l1 = ^{unused_probe_i, unused_probe_d, unused_busy_i, unused_busy_d,
                       unused_us_i, unused_uw_i, unused_us_d,
                       unused_uw_d, unused_ev_i, unused_ev_d, unused_eve_i, unused_eve_d,
                       unused_ptw_ready, pac_busy, ptw_va_base,
                       ptw_wrote, mmfr0_q[63:4], isar1_q[63:32], isar1_q[23:12],
                       isar1_q[3:0], isar2_q[63:28], isar2_q[23:16], isar2_q[7:0],
                       tlbi_va_i[63:56], tlbi_va_i[11:0], h, p_h, l2_evicted.tte, hent,
                       lh, flat_mask[63:PaW]};

`ifndef SYNTHESIS
  // The request channel: a request is accepted only in a free cycle, and
  // the response channel carries one response per accepted request, in
  // order (counted).
  int unsigned outstanding;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      outstanding <= 0;
    end else begin
      outstanding <= outstanding + ((req_valid_i && req_ready_o) ? 1 : 0) -
                     (rsp_valid_o ? 1 : 0);
    end
  end
  AssertMmuRspHasReq: assert property (@(posedge clk_i) disable iff (!rst_ni)
    rsp_valid_o |-> outstanding > 0 || (req_valid_i && req_ready_o));
  // Blocking: at most one request in flight beyond the one answering.
  AssertMmuOneInFlight: assert property (@(posedge clk_i) disable iff (!rst_ni)
    outstanding <= 1);
  // Register writes and TLBIs wait for every earlier response.
  AssertMmuRegAfterRsp: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (reg_valid_i && reg_ready_o) || (tlbi_valid_i && tlbi_ready_o) |->
      outstanding == (rsp_valid_o ? 1 : 0));
  // One channel per free cycle.
  AssertMmuOneChannel: assert property (@(posedge clk_i) disable iff (!rst_ni)
    $onehot0({req_valid_i && req_ready_o, reg_valid_i && reg_ready_o,
              tlbi_valid_i && tlbi_ready_o}));
  // The walker is started only when idle; the PAC unit likewise.
  AssertMmuWalkIdle: assert property (@(posedge clk_i) disable iff (!rst_ni)
    walk_go |-> unused_ptw_ready);
  AssertMmuPacIdle: assert property (@(posedge clk_i) disable iff (!rst_ni)
    pac_req |-> !pac_busy);
  // A response's fault carries the status code of its type and level.
  AssertMmuFsc: assert property (@(posedge clk_i) disable iff (!rst_ni)
    rsp_valid_o |-> rsp_o.fault == granule_pkg::make_fault(rsp_o.fault.kind, rsp_o.fault.level));
  // An L1 answer comes only for a lookup this stage issued.
  AssertMmuL1Answer: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (l1_valid_i || l1_valid_d) |-> state_q == StL1 && !early_q);
`endif

endmodule
