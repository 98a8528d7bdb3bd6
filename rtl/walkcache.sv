// granule — one walk cache, the RTL twin of model/src/walkcache.c (gr_wc_*),
// docs/uarch.md "Walk cache":
//
//  * Holds table descriptors only, for the levels in Levels (bit l: level
//    l, 0..2). An entry for a level-l table descriptor is tagged with
//    VA[55:r], r = granule_bits + stride * (3 - l), the level, the granule
//    and the ASID (every entry is ASID-tagged); set = (VA >> r) mod Sets.
//  * It keeps where the walk continues: the next-level table and the table
//    attributes accumulated down to and including that descriptor.
//  * Lookup (combinational, the state of this cycle): levels from the
//    walk's start level to 2; the deepest match wins, then the lowest way.
//    The owner charges lat.walk_cache for it and touches the hit.
//  * Fill: the lowest invalid way of the entry's set, else the policy's
//    victim; the filled way is touched.
//  * TLBI: VMALLE1 all, ASIDE1 that ASID, VAE1/VAAE1 every entry whose
//    region covers the VA (any ASID), VALE1/VAALE1 nothing.
// Updates (fill, touch, TLBI) presented in cycle c apply at its end, one per
// cycle. State is in flat vectors (Yosys 0.23, as tlb.sv).
module walkcache #(
  parameter int unsigned            Sets   = 4,
  parameter int unsigned            Ways   = 2,
  parameter granule_cfg_pkg::repl_e Repl   = granule_cfg_pkg::ReplLru,
  parameter logic [15:0]            Seed   = 16'hACE1,
  parameter logic [2:0]             Levels = 3'b111,
  parameter int unsigned            AsidW  = 16,
  localparam int unsigned           SetW   = Sets > 1 ? $clog2(Sets) : 1,
  localparam int unsigned           WayW   = Ways > 1 ? $clog2(Ways) : 1,
  localparam int unsigned           PaW    = granule_pkg::PaW,
  // Entry layout (flat): table OA[51:12] | APTable | UXNTable | PXNTable |
  // ASID | level | granule_bits | vkey (VA[55:12] of the region, low bits
  // zero).
  localparam int unsigned           EW     = 71 + (PaW - 12)
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,

  // Lookup: the walk parameters of the VA's range and the current ASID.
  // lu_req_i: the answer is used this cycle; without it the lu_* outputs
  // are 0 and the compares are not evaluated (simulation cost).
  input  logic                   lu_req_i,
  input  logic [43:0]            lu_vkey_i,   // VA[55:12]
  input  logic [15:0]            lu_asid_i,
  input  logic [4:0]             lu_gbits_i,       // 12, 14, 16
  input  logic [1:0]             lu_start_level_i,
  output logic                   lu_hit_o,
  output logic [SetW-1:0]        lu_set_o,
  output logic [WayW-1:0]        lu_way_o,
  output logic [1:0]             lu_level_o,       // of the cached descriptor
  output logic [PaW-1:0]         lu_table_o,       // next-level table
  output logic [1:0]             lu_ap_table_o,
  output logic                   lu_uxn_o,
  output logic                   lu_pxn_o,

  // Replacement touch of the hit the walk uses.
  input  logic                   touch_i,
  input  logic [SetW-1:0]        touch_set_i,
  input  logic [WayW-1:0]        touch_way_i,

  // Fill: a followed table descriptor (the walker's wc_fill pulse).
  input  logic                   fill_i,
  input  logic [43:0]            fill_vkey_i,   // VA[55:12]
  input  logic [15:0]            fill_asid_i,
  input  logic [4:0]             fill_gbits_i,
  input  logic [1:0]             fill_level_i,
  input  logic [PaW-1:0]         fill_table_i,
  input  logic [1:0]             fill_ap_table_i,
  input  logic                   fill_uxn_i,
  input  logic                   fill_pxn_i,
  output logic [SetW-1:0]        fill_set_o,
  output logic [WayW-1:0]        fill_way_o,
  output logic                   fill_evict_o,

  // TLB maintenance.
  input  logic                   flush_i,
  input  granule_pkg::tlbi_op_e  flush_op_i,
  input  logic [43:0]            flush_vkey_i,   // VA[55:12]
  input  logic [15:0]            flush_asid_i,

  // Read port for testbenches.
  input  logic [SetW-1:0]        dbg_set_i,
  input  logic [WayW-1:0]        dbg_way_i,
  output logic                   dbg_valid_o,
  output logic [EW-1:0]          dbg_entry_o
);

  localparam int unsigned N = Sets * Ways;
  localparam int unsigned FVkey  = 0;
  localparam int unsigned FGbits = 44;
  localparam int unsigned FLevel = 49;
  localparam int unsigned FAsid  = 51;
  localparam int unsigned FPxn   = 67;
  localparam int unsigned FUxn   = 68;
  localparam int unsigned FApt   = 69;
  localparam int unsigned FTable = 71;

  // r - 12 for a level and granule: the VA[55:12] bits below the region.
  function automatic logic [5:0] region_low(logic [4:0] g, logic [1:0] level);
    logic [5:0] s;
    s = {1'b0, g} - 6'd3;
    region_low = {1'b0, g} + s * (6'd3 - {4'b0, level}) - 6'd12;
  endfunction

  logic [N-1:0]    valid_q, valid_d;
  logic [N*EW-1:0] ent_q;

  // As in tlb.sv, every per-entry loop sits in a branch on the operation
  // it serves (lookup, TLBI, fill), which Verilator skips when untaken.

  // Entry e (flat) against the lookup: level from the start level, granule,
  // ASID, and the VA bits above its region.
  localparam int unsigned KeyW = FAsid + AsidW;  // the fields a compare reads
  function automatic logic lu_matches(logic v, logic [KeyW-1:0] e, logic [43:0] vkey,
                                      logic [AsidW-1:0] asid, logic [4:0] gbits,
                                      logic [1:0] start_level);
    logic [43:0]      e_vkey;
    logic [4:0]       e_gbits;
    logic [1:0]       e_level;
    logic [AsidW-1:0] e_asid;
    e_vkey  = e[FVkey +: 44];
    e_gbits = e[FGbits +: 5];
    e_level = e[FLevel +: 2];
    e_asid  = e[FAsid +: AsidW];
    lu_matches = v && e_level >= start_level && e_gbits == gbits &&
                 e_asid == asid &&
                 (vkey & ({44{1'b1}} << region_low(e_gbits, e_level))) == e_vkey;
  endfunction

  // The TLBI's verdict on entry e.
  function automatic logic flush_kills(logic [KeyW-1:0] e, granule_pkg::tlbi_op_e op,
                                       logic [43:0] vkey, logic [AsidW-1:0] asid);
    if (granule_pkg::tlbi_last_level(op)) begin
      flush_kills = 1'b0;
    end else if (granule_pkg::tlbi_by_va(op)) begin
      // By VA: the region's entries of every ASID (a conservative
      // reading, always allowed).
      flush_kills = (vkey & ({44{1'b1}} << region_low(e[FGbits +: 5], e[FLevel +: 2]))) ==
                    e[FVkey +: 44];
    end else if (granule_pkg::tlbi_by_asid(op)) begin
      flush_kills = e[FAsid +: AsidW] == asid;
    end else begin
      flush_kills = 1'b1;
    end
  endfunction

  // ---- Lookup: the deepest level, then the lowest index ------------------
  // As in tlb.sv: first every entry's match bit, each on its own, then the
  // winner picked from the vector (no compare under the priority chain of
  // the entries before it, which Yosys' `share` pass would enumerate).
  // Candidate classes: the entry's level field (4 values, deepest first).
  logic            hit;
  logic [SetW-1:0] hit_set;
  logic [WayW-1:0] hit_way;
  logic [1:0]      hit_level;
  logic [EW-1:0]   hit_ent;
  logic [4*N-1:0]  lu_m;  // entry i matches at level l: bit l * N + i
  always_comb begin : p_lu_match
    logic [KeyW-1:0] e;
    logic            m;
    lu_m = '0;
    e    = '0;
    m    = 1'b0;
    if (lu_req_i) begin
      for (int i = 0; i < N; i++) begin
        e = ent_q[i*EW +: KeyW];
        m = lu_matches(valid_q[i], e, lu_vkey_i, lu_asid_i[AsidW-1:0], lu_gbits_i,
                       lu_start_level_i);
        for (int l = 0; l < 4; l++) begin
          lu_m[l * N + i] = m && e[FLevel +: 2] == 2'(l);
        end
      end
    end
  end

  always_comb begin : p_lookup
    logic [N-1:0] row;
    logic         found;
    hit       = 1'b0;
    hit_set   = '0;
    hit_way   = '0;
    hit_level = '0;
    hit_ent   = '0;
    row       = '0;
    found     = 1'b0;
    if (lu_req_i) begin
      // The deepest level with a match.
      for (int l = 3; l >= 0; l--) begin
        if (!hit && |lu_m[l * N +: N]) begin
          hit       = 1'b1;
          hit_level = 2'(l);
          row       = lu_m[l * N +: N];
        end
      end
      // Its lowest index (one-hot pick).
      for (int i = 0; i < N; i++) begin
        if (row[i] && !found) begin
          hit_set = SetW'(i / Ways);
          hit_way = WayW'(i % Ways);
          hit_ent = ent_q[i*EW +: EW];
        end
        found = found || row[i];
      end
    end
  end

  assign lu_hit_o      = hit;
  assign lu_set_o      = hit_set;
  assign lu_way_o      = hit_way;
  assign lu_level_o    = hit_level;
  assign lu_table_o    = {hit_ent[FTable +: PaW-12], 12'b0};
  assign lu_ap_table_o = hit_ent[FApt +: 2];
  assign lu_uxn_o      = hit_ent[FUxn];
  assign lu_pxn_o      = hit_ent[FPxn];

  // ---- Fill ----------------------------------------------------------------
  logic [5:0]      fill_low;
  logic [SetW-1:0] fill_set;
  logic [WayW-1:0] fill_way, free_way, victim;
  logic            free_found;
  logic [EW-1:0]   fill_ent;
  logic [31:0]     fill_idx;
  logic [43:0]     fill_vk;

  assign fill_low = region_low(fill_gbits_i, fill_level_i);
  assign fill_vk  = fill_vkey_i & ({44{1'b1}} << fill_low);
  assign fill_set = Sets > 1 ? SetW'(fill_vk >> fill_low) : '0;

  always_comb begin
    fill_ent = '0;
    fill_ent[FVkey +: 44]       = fill_vk;
    fill_ent[FGbits +: 5]       = fill_gbits_i;
    fill_ent[FLevel +: 2]       = fill_level_i;
    fill_ent[FAsid +: 16]       = fill_asid_i;
    fill_ent[FPxn]              = fill_pxn_i;
    fill_ent[FUxn]              = fill_uxn_i;
    fill_ent[FApt +: 2]         = fill_ap_table_i;
    fill_ent[FTable +: PaW-12]  = fill_table_i[PaW-1:12];
  end

  always_comb begin : p_free
    free_found = 1'b0;
    free_way   = '0;
    if (fill_i) begin
      for (int w = Ways - 1; w >= 0; w--) begin
        if (!valid_q[32'(fill_set) * Ways + 32'(w)]) begin
          free_found = 1'b1;
          free_way   = WayW'(w);
        end
      end
    end
  end

  assign fill_way     = free_found ? free_way : victim;
  assign fill_idx     = 32'(fill_set) * Ways + 32'(fill_way);
  assign fill_set_o   = fill_set;
  assign fill_way_o   = fill_way;
  assign fill_evict_o = fill_i && !free_found;

  repl #(
    .Policy (Repl),
    .Sets   (Sets),
    .Ways   (Ways),
    .Seed   (Seed)
  ) u_repl (
    .clk_i,
    .rst_ni,
    .touch_i     (touch_i || fill_i),
    .touch_set_i (fill_i ? fill_set : touch_set_i),
    .touch_way_i (fill_i ? fill_way : touch_way_i),
    .alloc_i     (fill_i && !free_found),
    .alloc_set_i (fill_set),
    .victim_o    (victim)
  );

  // ---- Next state ------------------------------------------------------------
  always_comb begin : p_valid
    valid_d = valid_q;
    if (flush_i) begin
      for (int i = 0; i < N; i++) begin
        if (flush_kills(ent_q[i*EW +: KeyW], flush_op_i, flush_vkey_i,
                        flush_asid_i[AsidW-1:0])) begin
          valid_d[i] = 1'b0;
        end
      end
    end
    if (fill_i) begin
      valid_d[fill_idx] = 1'b1;
    end
  end

  // Entries are written only by a fill, at its slot.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int i = 0; i < N; i++) begin
        ent_q[i*EW +: EW] <= '0;
      end
    end else if (fill_i) begin
      ent_q[fill_idx * EW +: EW] <= fill_ent;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= '0;
    end else begin
      valid_q <= valid_d;
    end
  end

  assign dbg_entry_o = ent_q[(32'(dbg_set_i) * Ways + 32'(dbg_way_i)) * EW +: EW];
  assign dbg_valid_o = valid_q[32'(dbg_set_i) * Ways + 32'(dbg_way_i)];

  // ASID bits above AsidW are not compared (the top reduces the ASID).
  if (AsidW < 16) begin : g_asid_unused
    logic unused_asid;
    assign unused_asid = ^{lu_asid_i[15:AsidW], flush_asid_i[15:AsidW]};
  end
  logic unused_table;
  assign unused_table = ^fill_table_i[11:0];

`ifndef SYNTHESIS
  // One entry per (region, level, granule, ASID): fills follow misses, so a
  // lookup matches at most one entry per level.
  logic lu_dup;
  always_comb begin : p_lu_dup
    logic [2:0]      seen;
    logic [KeyW-1:0] e;
    seen   = '0;
    lu_dup = 1'b0;
    e      = '0;
    if (lu_req_i) begin
      for (int i = 0; i < N; i++) begin
        e = ent_q[i*EW +: KeyW];
        if (lu_matches(valid_q[i], e, lu_vkey_i, lu_asid_i[AsidW-1:0], lu_gbits_i,
                       lu_start_level_i)) begin
          lu_dup = lu_dup || seen[e[FLevel +: 2]];
          seen[e[FLevel +: 2]] = 1'b1;
        end
      end
    end
  end
  AssertWcLookupNoDupMatch: assert property (@(posedge clk_i) disable iff (!rst_ni)
    touch_i |-> !lu_dup);
  AssertWcFillLevelHeld: assert property (@(posedge clk_i) disable iff (!rst_ni)
    fill_i |-> Levels[fill_level_i]);
  AssertWcOneUpdate: assert property (@(posedge clk_i) disable iff (!rst_ni)
    $onehot0({fill_i, flush_i, touch_i}));
  AssertWcTouchValid: assert property (@(posedge clk_i) disable iff (!rst_ni)
    touch_i |-> valid_q[32'(touch_set_i) * Ways + 32'(touch_way_i)]);
  AssertWcTableAligned: assert property (@(posedge clk_i) disable iff (!rst_ni)
    fill_i |-> fill_table_i[11:0] == '0);
`endif

endmodule
