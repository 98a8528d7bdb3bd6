// granule — the stage-1 page-table walker, the RTL twin of model/src/ptw.c:
// gr_s1_select (level-0 faults), gr_ptw_walk (AArch64.S1Walk),
// gr_s1_check (AArch64.S1CheckPermissions) and gr_ptw_update (hardware AF
// and dirty state, FEAT_HAFDBS), i.e. gr_s1_translate with an optional
// walk-cache start. It gives the same fault, level, leaf and output
// address as the C walker for the same registers and memory.
//
// Timing (docs/uarch.md "Handshake and cycles"): a request accepted in
// cycle W issues its first descriptor read in W. Each read's data is
// decoded in the cycle it returns and the next read is issued in that same
// cycle; a hardware update write is issued in the cycle the leaf returns.
// The result leaves with the one-cycle pulse done_o in the cycle of the last
// memory answer (read data, or write acknowledge), or in W when no memory
// is touched (level-0 faults, a TTBR address size fault, stage 1 off). The
// MMU top registers it: its response is valid in done + 1, the V of
// docs/uarch.md. Memory latency is whatever the memory side takes: a
// request is held (valid, same PA) until mem_req_ready_i.
//
// Faults leave as done_fault_o (type, level, FSC as gr_fault_fsc): a read
// answered with mem_rsp_err_i is a synchronous external abort on the walk
// at that level, as is an update write answered with mem_wr_rsp_err_i (at
// the leaf level). Fault priority per descriptor follows ptw.c: invalid ->
// address size -> access flag -> permission -> update.
//
// Walk-cache fills: wc_fill_o pulses in the cycle each table descriptor is
// followed (a table whose next-table address is inside the output size),
// with the level, the next table and the table attributes accumulated down
// to and including it: gr_wc_from_walk, in walk order.
module ptw (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  input  granule_pkg::s1ctx_t      ctx_i,

  // Request: translate req_va_i for an access of type req_acc_i at EL
  // req_el_i. With req_start_i the walk starts from a walk-cache entry
  // (gr_walk_start) instead of the TTBR, and the level-0 checks are
  // skipped (the lookup stage made them).
  input  logic                     req_valid_i,
  output logic                     req_ready_o,
  input  logic [63:0]              req_va_i,
  input  granule_pkg::acc_e        req_acc_i,
  input  logic                     req_el_i,
  input  logic                     req_start_i,
  input  logic [1:0]               req_start_level_i,
  input  logic [granule_pkg::PaW-1:0] req_start_table_i,
  input  logic [1:0]               req_start_ap_table_i,
  input  logic                     req_start_uxn_i,
  input  logic                     req_start_pxn_i,

  // Descriptor reads.
  output logic                     mem_req_valid_o,
  input  logic                     mem_req_ready_i,
  output logic [granule_pkg::PaW-1:0] mem_req_pa_o,
  input  logic                     mem_rsp_valid_i,
  input  logic [63:0]              mem_rsp_data_i,
  input  logic                     mem_rsp_err_i,

  // Hardware AF / dirty-state update writes.
  output logic                     mem_wr_valid_o,
  input  logic                     mem_wr_ready_i,
  output logic [granule_pkg::PaW-1:0] mem_wr_pa_o,
  output logic [63:0]              mem_wr_data_o,
  input  logic                     mem_wr_rsp_valid_i,
  input  logic                     mem_wr_rsp_err_i,

  // Walk-cache fill, one per followed table descriptor.
  output logic                     wc_fill_o,
  output logic [1:0]               wc_fill_level_o,
  output logic [granule_pkg::PaW-1:0] wc_fill_table_o,
  output logic [1:0]               wc_fill_ap_table_o,
  output logic                     wc_fill_uxn_o,
  output logic                     wc_fill_pxn_o,

  // Result, valid with done_o.
  output logic                     done_o,
  output granule_pkg::fault_t      done_fault_o,
  output logic [granule_pkg::PaW-1:0] done_pa_o,
  output logic [7:0]               done_mair_attr_o,
  output logic                     done_have_tte_o,  // the walk reached a leaf
  output granule_pkg::tte_t        done_tte_o,
  output logic [63:0]              done_va_base_o,   // gr_tte.va_base
  output logic [5:0]               done_page_shift_o,
  output logic                     done_af_o,        // AF after the update
  output logic                     done_ng_o,
  output logic [2:0]               done_nreads_o,    // reads issued (incl. aborted)
  output logic                     done_wrote_o,     // an update write was issued
  output logic                     done_desc_written_o  // ... and acknowledged
);

  localparam int unsigned PaW = granule_pkg::PaW;

  typedef enum logic [2:0] {
    StIdle,
    StRdReq,   // a read waits for mem_req_ready_i
    StRdWait,  // a read waits for its data
    StWrReq,   // the update write waits for mem_wr_ready_i
    StWrWait   // the update write waits for its acknowledge
  } state_e;

  state_e          state_q, state_d;
  logic [63:0]     va_q, va_d;
  logic [1:0]      acc_q, acc_d;
  logic            el_q, el_d;
  logic [1:0]      level_q, level_d;
  logic [PaW-1:0]  rdpa_q, rdpa_d;      // address of the read in flight
  logic [1:0]      apt_q, apt_d;        // APTable accumulated so far
  logic            uxnt_q, uxnt_d, pxnt_q, pxnt_d;
  logic [2:0]      nreads_q, nreads_d;
  // The leaf while its update write is in flight.
  logic [63:0]     wdesc_q, wdesc_d;    // the value written
  logic [PaW-1:0]  wpa_q, wpa_d;
  granule_pkg::tte_t            tte_q, tte_d;
  logic [63:0]     vabase_q, vabase_d;
  logic [5:0]      shift_q, shift_d;
  logic            ng_q, ng_d;
  logic            af_q, af_d;          // AF as read
  logic [PaW-1:0]  pa_q, pa_d;
  logic [7:0]      attr_q, attr_d;

  // ---- Helpers -----------------------------------------------------------
  // log2 of the region one descriptor at `level` maps.
  function automatic logic [5:0] level_shift(logic [4:0] g, logic [1:0] level);
    logic [5:0] s;
    s = {1'b0, g} - 6'd3;
    level_shift = {1'b0, g} + s * (6'd3 - {4'b0, level});
  endfunction

  // AArch64.TTEntryAddress: the start level indexes with every VA bit left
  // above it; later levels with `stride` bits.
  function automatic logic [PaW-1:0] desc_addr(logic [4:0] gbits, logic [1:0] start_level,
                                               logic [6:0] ia_bits, logic [63:0] va,
                                               logic [1:0] level, logic [PaW-1:0] table_pa);
    logic [5:0]  sh;
    logic [6:0]  nbits;
    logic [PaW-4:0] idx;
    sh = level_shift(gbits, level);
    nbits = level == start_level ? ia_bits - {1'b0, sh} : {2'b0, gbits} - 7'd3;
    // At most 48 - 12 index bits: a PA-wide index holds them all.
    idx = (PaW-3)'((va >> sh) & ~({64{1'b1}} << nbits));
    desc_addr = table_pa | {idx, 3'b000};
  endfunction

  // AArch64.NextTableBase / LeafBase: OA bits of a descriptor for a region
  // of 2^sh bytes; with FEAT_LPA (64K) desc[15:12] is OA[51:48].
  function automatic logic [PaW-1:0] desc_oa(logic lpa, logic [PaW-1:0] d, logic [5:0] sh);
    logic [PaW-1:0] oa;
    oa = d & ~({PaW{1'b1}} << 48) & ({PaW{1'b1}} << sh);
    if (lpa) begin
      oa[51:48] = d[15:12];
    end
    desc_oa = oa;
  endfunction

  // AArch64.BlockDescSupported without FEAT_LPA2 and FEAT_D128.
  function automatic logic block_ok(logic [4:0] g, logic [1:0] level, logic [5:0] pa_bits);
    unique case (g)
      5'd12:   block_ok = level == 2'd1 || level == 2'd2;
      5'd14:   block_ok = level == 2'd2;
      default: block_ok = level == 2'd2 || (level == 2'd1 && pa_bits >= 6'd52);
    endcase
  endfunction

  // Output address beyond the output size (address size fault).
  function automatic logic oa_too_big(logic [PaW-1:0] oa, logic [5:0] oa_bits);
    oa_too_big = (oa >> oa_bits) != '0;
  endfunction

  function automatic logic [63:0] bswap(logic [63:0] v);
    for (int b = 0; b < 8; b++) begin
      bswap[8*b +: 8] = v[8*(7-b) +: 8];
    end
  endfunction

  // ---- The walk ----------------------------------------------------------
  // VA[55] picks the TTBR (AArch64.GetVARange).
  logic                 sel_half;
  granule_pkg::s1half_t h;
  assign sel_half = state_q == StIdle ? req_va_i[55] : va_q[55];
  assign h        = sel_half ? ctx_i.h1 : ctx_i.h0;
  // The walker has no use for the ASID (the owner tags entries) or TxSZ
  // itself (ia_bits is 64 - TxSZ).
  logic unused_fields;
  assign unused_fields = ^{ctx_i.asid, h.txsz};

  always_comb begin : p_walk
    logic [63:0]    d, nd, top_mask;
    logic [5:0]     sh;
    logic [PaW-1:0] next, oa;
    logic [1:0]     apt;
    logic           uxnt, pxnt, is_table, is_leaf, wr_clean;
    logic [1:0]     start_level;
    logic [PaW-1:0] start_table;
    logic [10:0]    flt;

    state_d  = state_q;
    va_d     = va_q;
    acc_d    = acc_q;
    el_d     = el_q;
    level_d  = level_q;
    rdpa_d   = rdpa_q;
    apt_d    = apt_q;
    uxnt_d   = uxnt_q;
    pxnt_d   = pxnt_q;
    nreads_d = nreads_q;
    wdesc_d  = wdesc_q;
    wpa_d    = wpa_q;
    tte_d    = tte_q;
    vabase_d = vabase_q;
    shift_d  = shift_q;
    ng_d     = ng_q;
    af_d     = af_q;
    pa_d     = pa_q;
    attr_d   = attr_q;

    req_ready_o     = state_q == StIdle;
    mem_req_valid_o = 1'b0;
    mem_req_pa_o    = rdpa_q;
    mem_wr_valid_o  = state_q == StWrReq;
    mem_wr_pa_o     = wpa_q;
    mem_wr_data_o   = ctx_i.ee ? bswap(wdesc_q) : wdesc_q;
    wc_fill_o          = 1'b0;
    wc_fill_level_o    = level_q;
    wc_fill_table_o    = '0;
    wc_fill_ap_table_o = '0;
    wc_fill_uxn_o      = 1'b0;
    wc_fill_pxn_o      = 1'b0;

    done_o              = 1'b0;
    flt                 = granule_pkg::make_fault(3'd0, 2'd0);
    done_pa_o           = '0;
    done_mair_attr_o    = '0;
    done_have_tte_o     = 1'b0;
    done_tte_o          = '0;
    done_va_base_o      = '0;
    done_page_shift_o   = '0;
    done_af_o           = 1'b0;
    done_ng_o           = 1'b0;
    done_nreads_o       = state_q == StIdle ? 3'd0 : nreads_q;
    done_wrote_o        = 1'b0;
    done_desc_written_o = 1'b0;

    d = ctx_i.ee ? bswap(mem_rsp_data_i) : mem_rsp_data_i;
    nd = '0;
    top_mask = '0;
    sh = '0;
    next = '0;
    oa = '0;
    apt = '0;
    uxnt = 1'b0;
    pxnt = 1'b0;
    is_table = 1'b0;
    is_leaf = 1'b0;
    wr_clean = 1'b0;
    start_level = '0;
    start_table = '0;

    unique case (state_q)
      StIdle: begin
        if (req_valid_i) begin
          va_d     = req_va_i;
          acc_d    = req_acc_i;
          el_d     = req_el_i;
          nreads_d = '0;
          if (!ctx_i.m) begin
            // AArch64.S1DisabledOutput: the flat map; VA bits at or above
            // PAMax (below AddrTop) are an address size fault, level 0.
            done_o = 1'b1;
            top_mask = granule_pkg::mask64(granule_pkg::addr_top(h.tbi, h.tbid, req_acc_i), {1'b0, ctx_i.pa_bits});
            if ((req_va_i & top_mask) != '0) begin
              flt = granule_pkg::make_fault(3'd1, 2'd0);
            end else begin
              nd = req_va_i & granule_pkg::mask64({1'b0, ctx_i.pa_bits} - 7'd1, 7'd0);
              done_pa_o = nd[PaW-1:0];
              done_mair_attr_o = req_acc_i == granule_pkg::AccExec ? (ctx_i.i ? 8'hAA : 8'h44) : 8'h00;
            end
          end else if (!req_start_i && granule_pkg::s1_select_fault(h.txsz_fault, h.epd, h.tbi, h.tbid, h.ia_bits,
                                                                 req_va_i, req_acc_i)) begin
            done_o = 1'b1;
            flt = granule_pkg::make_fault(3'd2, 2'd0);
          end else if (!req_start_i && oa_too_big(h.ttb, h.oa_bits)) begin
            // "Address Size Fault by Descriptor Address" of the TTBR is
            // reported at level 0 whatever the start level.
            done_o = 1'b1;
            flt = granule_pkg::make_fault(3'd1, 2'd0);
          end else begin
            start_level = req_start_i ? req_start_level_i : h.start_level;
            start_table = req_start_i ? req_start_table_i : h.ttb;
            level_d = start_level;
            apt_d   = req_start_i ? req_start_ap_table_i : 2'b00;
            uxnt_d  = req_start_i && req_start_uxn_i;
            pxnt_d  = req_start_i && req_start_pxn_i;
            rdpa_d  = desc_addr(h.gbits, h.start_level, h.ia_bits, req_va_i, start_level, start_table);
            mem_req_valid_o = 1'b1;
            mem_req_pa_o    = rdpa_d;
            nreads_d        = mem_req_ready_i ? 3'd1 : 3'd0;
            state_d         = mem_req_ready_i ? StRdWait : StRdReq;
          end
        end
      end

      StRdReq: begin
        mem_req_valid_o = 1'b1;
        if (mem_req_ready_i) begin
          nreads_d = nreads_q + 3'd1;
          state_d  = StRdWait;
        end
      end

      StRdWait: begin
        if (mem_rsp_valid_i) begin
          if (mem_rsp_err_i) begin
            // FetchDescriptor: an external abort on the walk, this level.
            done_o = 1'b1;
            flt = granule_pkg::make_fault(3'd5, level_q);
            state_d = StIdle;
          end else begin
            // AArch64.DecodeDescriptorType
            is_table = d[1:0] == 2'b11 && level_q != 2'd3;
            is_leaf  = (d[1:0] == 2'b11 && level_q == 2'd3) ||
                       (d[1:0] == 2'b01 && block_ok(h.gbits, level_q, ctx_i.pa_bits));
            sh = level_shift(h.gbits, level_q);
            if (!is_table && !is_leaf) begin
              done_o = 1'b1;
              flt = granule_pkg::make_fault(3'd2, level_q);
              state_d = StIdle;
            end else if (is_table) begin
              next = desc_oa(h.lpa, d[PaW-1:0], {1'b0, h.gbits});
              // AArch64.S1NextWalkStateTable: hierarchical attributes
              // unless TCR_EL1.HPDn (FEAT_HPDS).
              apt  = apt_q;
              uxnt = uxnt_q;
              pxnt = pxnt_q;
              if (!h.hpd) begin
                apt  = apt | d[62:61];
                uxnt = uxnt || d[60];
                pxnt = pxnt || d[59];
              end
              if (oa_too_big(next, h.oa_bits)) begin
                // reported at the level of the descriptor holding it
                done_o = 1'b1;
                flt = granule_pkg::make_fault(3'd1, level_q);
                state_d = StIdle;
              end else begin
                wc_fill_o          = 1'b1;
                wc_fill_level_o    = level_q;
                wc_fill_table_o    = next;
                wc_fill_ap_table_o = apt;
                wc_fill_uxn_o      = uxnt;
                wc_fill_pxn_o      = pxnt;
                apt_d   = apt;
                uxnt_d  = uxnt;
                pxnt_d  = pxnt;
                level_d = level_q + 2'd1;
                rdpa_d  = desc_addr(h.gbits, h.start_level, h.ia_bits, va_q, level_q + 2'd1, next);
                mem_req_valid_o = 1'b1;
                mem_req_pa_o    = rdpa_d;
                nreads_d        = mem_req_ready_i ? nreads_q + 3'd1 : nreads_q;
                state_d         = mem_req_ready_i ? StRdWait : StRdReq;
              end
            end else begin
              oa = desc_oa(h.lpa, d[PaW-1:0], sh);
              state_d = StIdle;
              if (oa_too_big(oa, h.oa_bits)) begin
                done_o = 1'b1;
                flt = granule_pkg::make_fault(3'd1, level_q);
              end else if (!d[10] && !h.ha) begin
                done_o = 1'b1;
                flt = granule_pkg::make_fault(3'd3, level_q);
              end else begin
                // The leaf summary (gr_tte). With HA and HD, DBM clears the
                // effective AP[2] (AArch64.S1ApplyOutputPerms).
                tte_d.oa         = oa[PaW-1:12];
                tte_d.level      = level_q;
                tte_d.attr_index = d[4:2];
                tte_d.sh         = d[9:8];
                tte_d.ap         = {d[7] && !(h.ha && h.hd && d[51]), d[6]};
                tte_d.ap_table   = apt_q;
                tte_d.uxn        = d[54] || uxnt_q;
                tte_d.pxn        = d[53] || pxnt_q;
                tte_d.dbm        = d[51] && d[7];
                tte_d.contiguous = d[52];
                tte_d.half       = va_q[55];
                vabase_d = (va_q & granule_pkg::mask64(h.ia_bits - 7'd1, {1'b0, sh})) |
                           (va_q[55] ? granule_pkg::mask64(7'd63, h.ia_bits) : 64'd0);
                shift_d = sh;
                ng_d    = d[11];
                af_d    = d[10];
                pa_d    = oa | (va_q[PaW-1:0] & ~({PaW{1'b1}} << sh));
                attr_d  = granule_pkg::mair_attr(ctx_i.mair, d[4:2], ctx_i.c, ctx_i.i, acc_q == granule_pkg::AccExec);
                // gr_ptw_update: AF when hardware manages it; a write to a
                // writable-clean page clears AP[2] (dirty) with HD.
                nd = d;
                if (h.ha) begin
                  nd[10] = 1'b1;
                end
                wr_clean = h.hd && d[51] && acc_q == granule_pkg::AccWrite;
                if (wr_clean) begin
                  nd[7] = 1'b0;
                end
                if (!granule_pkg::s1_perm_ok(tte_d.ap, apt_q, tte_d.uxn, tte_d.pxn, acc_q, el_q,
                                ctx_i.pan, ctx_i.wxn)) begin
                  // A permission fault reports the leaf; nothing is written.
                  done_o = 1'b1;
                  flt = granule_pkg::make_fault(3'd4, level_q);
                  done_have_tte_o   = 1'b1;
                  done_tte_o        = tte_d;
                  done_va_base_o    = vabase_d;
                  done_page_shift_o = sh;
                  done_af_o         = d[10];
                  done_ng_o         = d[11];
                end else if (nd != d) begin
                  // Issued in the cycle the leaf returns.
                  wdesc_d   = nd;
                  wpa_d     = rdpa_q;
                  tte_d.dbm = d[51] && nd[7];
                  mem_wr_valid_o = 1'b1;
                  mem_wr_pa_o    = rdpa_q;
                  mem_wr_data_o  = ctx_i.ee ? bswap(nd) : nd;
                  state_d = mem_wr_ready_i ? StWrWait : StWrReq;
                end else begin
                  done_o = 1'b1;
                  done_pa_o         = pa_d;
                  done_mair_attr_o  = attr_d;
                  done_have_tte_o   = 1'b1;
                  done_tte_o        = tte_d;
                  done_va_base_o    = vabase_d;
                  done_page_shift_o = sh;
                  done_af_o         = d[10];
                  done_ng_o         = d[11];
                end
              end
            end
          end
        end
      end

      StWrReq: begin
        if (mem_wr_ready_i) begin
          state_d = StWrWait;
        end
      end

      StWrWait: begin
        if (mem_wr_rsp_valid_i) begin
          done_o = 1'b1;
          state_d = StIdle;
          done_wrote_o      = 1'b1;
          done_have_tte_o   = 1'b1;
          done_tte_o        = tte_q;
          done_va_base_o    = vabase_q;
          done_page_shift_o = shift_q;
          done_ng_o         = ng_q;
          if (mem_wr_rsp_err_i) begin
            // The write-back hit no memory: external abort at the leaf
            // level; the leaf keeps AF as read.
            flt = granule_pkg::make_fault(3'd5, tte_q.level);
            done_af_o = af_q;
          end else begin
            done_desc_written_o = 1'b1;
            done_af_o           = 1'b1;
            done_pa_o           = pa_q;
            done_mair_attr_o    = attr_q;
          end
        end
      end

      default: begin
        state_d = StIdle;
      end
    endcase
    done_fault_o = flt;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= StIdle;
      va_q     <= '0;
      acc_q    <= '0;
      el_q     <= 1'b0;
      level_q  <= '0;
      rdpa_q   <= '0;
      apt_q    <= '0;
      uxnt_q   <= 1'b0;
      pxnt_q   <= 1'b0;
      nreads_q <= '0;
      wdesc_q  <= '0;
      wpa_q    <= '0;
      tte_q    <= '0;
      vabase_q <= '0;
      shift_q  <= '0;
      ng_q     <= 1'b0;
      af_q     <= 1'b0;
      pa_q     <= '0;
      attr_q   <= '0;
    end else begin
      state_q  <= state_d;
      va_q     <= va_d;
      acc_q    <= acc_d;
      el_q     <= el_d;
      level_q  <= level_d;
      rdpa_q   <= rdpa_d;
      apt_q    <= apt_d;
      uxnt_q   <= uxnt_d;
      pxnt_q   <= pxnt_d;
      nreads_q <= nreads_d;
      wdesc_q  <= wdesc_d;
      wpa_q    <= wpa_d;
      tte_q    <= tte_d;
      vabase_q <= vabase_d;
      shift_q  <= shift_d;
      ng_q     <= ng_d;
      af_q     <= af_d;
      pa_q     <= pa_d;
      attr_q   <= attr_d;
    end
  end

`ifndef SYNTHESIS
  // Memory answers come only for an access in flight.
  AssertPtwRspExpected: assert property (@(posedge clk_i) disable iff (!rst_ni)
    mem_rsp_valid_i |-> state_q == StRdWait);
  AssertPtwWrRspExpected: assert property (@(posedge clk_i) disable iff (!rst_ni)
    mem_wr_rsp_valid_i |-> state_q == StWrWait);
  // A request that is not granted is held with the same address.
  AssertPtwReqHeld: assert property (@(posedge clk_i) disable iff (!rst_ni)
    mem_req_valid_o && !mem_req_ready_i |=> mem_req_valid_o && $stable(mem_req_pa_o));
  AssertPtwWrHeld: assert property (@(posedge clk_i) disable iff (!rst_ni)
    mem_wr_valid_o && !mem_wr_ready_i |=> mem_wr_valid_o && $stable(mem_wr_pa_o));
  // At most one descriptor per level from level 0: five reads at most
  // (GR_PTW_MAX_DESC), and the walk never goes below level 3.
  AssertPtwReadsBounded: assert property (@(posedge clk_i) disable iff (!rst_ni)
    nreads_q <= 3'd4);
  // A walk-cache fill is a table descriptor, never at the last level.
  AssertPtwFillTable: assert property (@(posedge clk_i) disable iff (!rst_ni)
    wc_fill_o |-> wc_fill_level_o != 2'd3);
  // A result with a leaf never carries a level-less fault; a fault-free
  // result always has one.
  AssertPtwDoneLeaf: assert property (@(posedge clk_i) disable iff (!rst_ni)
    done_o && done_fault_o.kind == granule_pkg::FaultNone && ctx_i.m |-> done_have_tte_o);
`endif

endmodule
