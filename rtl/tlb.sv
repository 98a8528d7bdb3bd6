// granule — one set-associative TLB structure holding several page sizes,
// the RTL twin of model/src/tlb.c (gr_tlb_*). docs/uarch.md is the contract:
//
//  * Tag: VA[55:s] of the entry's range (s = log2 of its size), the size,
//    global (= !nG) and the ASID (AsidW bits, compared when not global).
//  * Index: an entry of size s lives in set (VA >> s) mod Sets; a lookup
//    probes every configured size, each in its own set. When two entries
//    match (only after a missing break-before-make) the smallest size wins,
//    then the lowest way (index set * Ways + way).
//  * Fill: the lowest invalid way of the set, else the policy's victim; the
//    filled way is then touched.
//  * TLBI: the table in docs/uarch.md "TLB maintenance semantics".
//
// Timing: a lookup presented with lu_req_i in cycle L answers with the one-
// cycle pulse lu_valid_o in cycle L + LuLat (+ the hit's size position, or
// the number of sizes - 1 on a miss, when SeqProbe). The answer is the state
// at cycle L: fills, touches and invalidations of cycle c take effect for
// lookups from cycle c + 1. At most one update (fill, TLBI, index or range
// invalidation, touch) per cycle; the owner (the MMU top) is blocking and
// sequences them.
//
// The entries are an unpacked array of flat entries indexed [way][set], the
// valid bits a flat vector: Yosys 0.23 reads neither multi-dimensional
// packed arrays nor unpacked arrays of structs in the forms used here. Every
// computed read takes one entry at a constant way and a computed set
// (docs/rtl.md "Synthesis").
module tlb #(
  parameter int unsigned               Ways     = 4,
  parameter int unsigned               Sets     = 1,
  parameter granule_cfg_pkg::repl_e    Repl     = granule_cfg_pkg::ReplLru,
  parameter logic [15:0]               Seed     = 16'hACE1,
  parameter logic [6:0]                Sizes    = 7'b1111111,
  parameter bit                        SeqProbe = 1'b0,
  parameter int unsigned               LuLat    = 1,
  parameter int unsigned               AsidW    = 16,
  // LuNext = 1: a lookup sees the updates presented in its own cycle (the
  // next state), so the MMU top can fill an L1 in the cycle a miss's
  // response leaves and look the next request up in that same cycle
  // (docs/uarch.md: "its L1 lookup sees the miss's fills").
  parameter bit                        LuNext   = 1'b0,
  localparam int unsigned              SetW     = Sets > 1 ? $clog2(Sets) : 1,
  localparam int unsigned              WayW     = Ways > 1 ? $clog2(Ways) : 1,
  localparam int unsigned              EW       = granule_pkg::TlbEntryW,
  localparam int unsigned              VkW      = granule_pkg::VkeyW
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,

  // Lookup (docs/uarch.md "Lookups").
  input  logic                   lu_req_i,
  input  logic [VkW-1:0]         lu_vkey_i,    // VA[55:12]
  input  logic [15:0]            lu_asid_i,
  output logic                   lu_busy_o,    // a lookup is in flight
  output logic                   lu_valid_o,   // the answer, one cycle
  output logic                   lu_hit_o,
  output logic [SetW-1:0]        lu_set_o,
  output logic [WayW-1:0]        lu_way_o,
  output logic [2:0]             lu_probe_o,   // size position (sequential probe)
  output granule_pkg::tlb_entry_t lu_entry_o,

  // Replacement touch of a hit that answers.
  input  logic                   touch_i,
  input  logic [SetW-1:0]        touch_set_i,
  input  logic [WayW-1:0]        touch_way_i,

  // Fill (update_i): entry into its set; the chosen slot and the evicted
  // entry come back in the same cycle (update_evicted_o is '0 unless
  // update_evict_o).
  input  logic                   update_i,
  input  granule_pkg::tlb_entry_t update_entry_i,
  output logic [SetW-1:0]        update_set_o,
  output logic [WayW-1:0]        update_way_o,
  output logic                   update_evict_o,
  output granule_pkg::tlb_entry_t update_evicted_o,

  // TLB maintenance (gr_tlb_invalidate): applied in the cycle presented.
  input  logic                   flush_i,
  input  granule_pkg::tlbi_op_e  flush_op_i,
  input  logic [VkW-1:0]         flush_vkey_i,
  input  logic [15:0]            flush_asid_i,

  // Invalidate one slot (dirty miss, gr_tlb_invalidate_at).
  input  logic                   inv_i,
  input  logic [SetW-1:0]        inv_set_i,
  input  logic [WayW-1:0]        inv_way_i,

  // Inclusive-L2 back-invalidation (gr_tlb_invalidate_within): entries
  // starting inside [vkey, vkey + size) with the same global/ASID tag.
  input  logic                   bi_i,
  input  logic [VkW-1:0]         bi_vkey_i,
  input  granule_pkg::psize_e    bi_psize_i,
  input  logic                   bi_global_i,
  input  logic [15:0]            bi_asid_i,

  // Read port for testbenches and co-simulation dumps (dbg_entry_o is
  // meaningful only with dbg_valid_o: an invalid slot holds anything).
  input  logic [SetW-1:0]        dbg_set_i,
  input  logic [WayW-1:0]        dbg_way_i,
  output logic                   dbg_valid_o,
  output granule_pkg::tlb_entry_t dbg_entry_o
);

  localparam int unsigned N  = Sets * Ways;

  // ---- Static facts about the configured sizes ---------------------------
  // Position of each size in the configured list (0 = smallest), and the
  // number of configured sizes minus one (the miss's probe count).
  logic [20:0] size_pos;  // 3 bits per psize_e
  logic [2:0]  size_last;
  always_comb begin : p_size_pos
    logic [2:0] cnt;
    cnt = '0;
    size_pos = '0;
    for (int p = 0; p < 7; p++) begin
      size_pos[p*3 +: 3] = cnt;
      cnt = cnt + {2'b0, Sizes[p]};
    end
    size_last = cnt - 3'd1;
  end

  // ---- State -------------------------------------------------------------
  logic [N-1:0]    valid_q, valid_d;
  // Way-major: Yosys flattens the array to one memory addressed
  // way * Sets + set (Sets is a power of two), so a read at a constant way
  // has constant high address bits and becomes a Sets-input multiplexer of
  // one entry (the memory becomes a list of registers). Verilator copies
  // the one entry a read names; set rows (Ways * EW bits) made it copy a
  // whole row before every part-select of it (docs/rtl.md "Synthesis").
  logic [EW-1:0]   ent_q [Ways][Sets];

  // The evaluation cost of a structure is kept to what a cycle uses: every
  // per-entry loop below sits in a branch on the operation it serves
  // (lookup, TLBI, range invalidation, fill), so Verilator, which skips an
  // untaken branch, evaluates none of them in a cycle without that
  // operation; and a lookup of a set-associative structure compares only
  // the ways of the set each size indexes, not every entry.

  // Entry e (flat, EW bits) against a lookup: its tag at its own size, and
  // the ASID unless it is global.
  function automatic logic lu_match(logic v, logic [EW-1:0] e, logic [VkW-1:0] vkey,
                                    logic [AsidW-1:0] asid);
    logic tag_lu, asid_lu;
    tag_lu   = granule_pkg::vkey_at(vkey, e[granule_pkg::EntPsizeLsb +: 3]) ==
               e[granule_pkg::EntVkeyLsb +: VkW];
    asid_lu = e[granule_pkg::EntGlobalBit] || (e[granule_pkg::EntAsidLsb +: AsidW] == asid);
    lu_match = v && tag_lu && asid_lu;
  endfunction

  // The TLBI's verdict on entry e: by VA at the entry's own size (every
  // size covering the VA); ASIDE1 leaves global entries alone.
  function automatic logic flush_kills(logic [EW-1:0] e, granule_pkg::tlbi_op_e op,
                                       logic [VkW-1:0] vkey, logic [AsidW-1:0] asid);
    logic tag_flush, asid_flush, e_global;
    tag_flush  = granule_pkg::vkey_at(vkey, e[granule_pkg::EntPsizeLsb +: 3]) ==
                 e[granule_pkg::EntVkeyLsb +: VkW];
    asid_flush = e[granule_pkg::EntAsidLsb +: AsidW] == asid;
    e_global   = e[granule_pkg::EntGlobalBit];
    if (granule_pkg::tlbi_by_va(op)) begin
      flush_kills = tag_flush &&
                    (!granule_pkg::tlbi_by_asid(op) || e_global || asid_flush);
    end else if (granule_pkg::tlbi_by_asid(op)) begin
      flush_kills = !e_global && asid_flush;
    end else begin
      flush_kills = 1'b1;
    end
  endfunction

  // ---- Fill slot -------------------------------------------------------------
  logic [SetW-1:0] fill_set;
  logic [WayW-1:0] fill_way, free_way, victim;
  logic            free_found;
  logic [4:0]      fill_shift;

  assign fill_shift = granule_pkg::psize_shift(update_entry_i.psize);
  // Set index: the entry's own size picks the VA bits.
  assign fill_set = Sets > 1 ? SetW'(update_entry_i.vkey >> (fill_shift - 5'd12)) : '0;

  always_comb begin : p_free
    free_found = 1'b0;
    free_way   = '0;
    if (update_i) begin
      for (int w = Ways - 1; w >= 0; w--) begin
        if (!valid_q[32'(fill_set) * Ways + 32'(w)]) begin
          free_found = 1'b1;
          free_way   = WayW'(w);
        end
      end
    end
  end

  assign fill_way = free_found ? free_way : victim;

  // ---- Next valid bits -------------------------------------------------------
  // A TLBI in the cycle of a fill applies after it (the model fills, then
  // invalidates): it removes the new entry if it covers it.
  always_comb begin : p_valid
    logic [VkW:0]   bi_end;
    logic [VkW-1:0] e_vkey;
    logic [EW-1:0]  e;
    valid_d = valid_q;
    bi_end  = '0;
    e_vkey  = '0;
    e       = '0;
    if (flush_i) begin
      for (int s = 0; s < Sets; s++) begin
        for (int w = 0; w < Ways; w++) begin
          if (flush_kills(ent_q[w][s], flush_op_i, flush_vkey_i,
                          flush_asid_i[AsidW-1:0])) begin
            valid_d[s*Ways + w] = 1'b0;
          end
        end
      end
    end
    if (bi_i) begin
      // Entries starting inside [vkey, vkey + size) with the same
      // global/ASID tag (gr_tlb_invalidate_within).
      bi_end = {1'b0, bi_vkey_i} +
               ((VkW + 1)'(1) << (granule_pkg::psize_shift(bi_psize_i) - 5'd12));
      for (int s = 0; s < Sets; s++) begin
        for (int w = 0; w < Ways; w++) begin
          e      = ent_q[w][s];
          e_vkey = e[granule_pkg::EntVkeyLsb +: VkW];
          if (e_vkey >= bi_vkey_i && {1'b0, e_vkey} < bi_end &&
              e[granule_pkg::EntGlobalBit] == bi_global_i &&
              (bi_global_i || e[granule_pkg::EntAsidLsb +: AsidW] ==
                              bi_asid_i[AsidW-1:0])) begin
            valid_d[s*Ways + w] = 1'b0;
          end
        end
      end
    end
    if (inv_i) begin
      valid_d[32'(inv_set_i) * Ways + 32'(inv_way_i)] = 1'b0;
    end
    if (update_i) begin
      valid_d[32'(fill_set) * Ways + 32'(fill_way)] =
          !(flush_i && flush_kills(update_entry_i, flush_op_i, flush_vkey_i,
                                   flush_asid_i[AsidW-1:0]));
    end
  end

  // ---- Lookup: smallest size, then lowest index ----------------------------
  // The lookup compares the current state, or with LuNext the next one
  // (valid_d, and the filled slot holding the entry being filled).
  //
  // Three steps: the rows probed, each entry read once (the one set, or
  // with several sets the set each configured size indexes: Ways entries
  // of 7 sets); every candidate's match bit, each computed on its own (no
  // compare depends on another candidate's result); the winner picked from
  // that vector, its entry taken from the row at a constant position. A
  // compare evaluated under the priority chain of the candidates before it
  // makes Yosys' `share` pass enumerate the chain's activation patterns
  // (2^20 for one shift of the a76 L1, past 17 GB); docs/rtl.md
  // "Synthesis".
  //
  // Candidates: with one set, entry w at size class p (its own size; 8
  // classes so the pick is exactly "smallest size, then lowest way"); with
  // several sets, way w of the set size p indexes, holding an entry of
  // size p (an entry of size p lives only there).
  localparam int unsigned NCls = Sets == 1 ? 8 : 7;
  localparam int unsigned NRow = Sets == 1 ? 1 : 7;  // rows probed
  logic            hit;
  logic [SetW-1:0] hit_set;
  logic [WayW-1:0] hit_way;
  logic [2:0]      hit_psize;
  logic [EW-1:0]   hit_ent;

  // Set a lookup of size p indexes (0 with one set).
  function automatic logic [SetW-1:0] lu_set_at(logic [VkW-1:0] vkey, logic [2:0] p);
    lu_set_at = Sets > 1 ? SetW'(vkey >> (granule_pkg::psize_shift(p) - 5'd12)) : '0;
  endfunction

  // Entry e of slot (s, w) as a lookup sees it: with LuNext, the slot being
  // filled already holds the new entry. The one place a lookup reads an
  // entry.
  function automatic logic [EW-1:0] ent_seen(logic [EW-1:0] e, logic [SetW-1:0] s,
                                             logic [WayW-1:0] w);
    ent_seen = (LuNext && update_i && fill_set == s && fill_way == w) ? update_entry_i : e;
  endfunction

  // Row r: the one set (r = 0), or the set size r indexes; and its valid
  // bits (with LuNext, the next ones).
  logic [NRow*Ways*EW-1:0] lu_row;
  logic [NRow*Ways-1:0]    lu_rv;
  always_comb begin : p_lu_row
    logic [SetW-1:0] s;
    lu_rv = '0;
    s     = '0;
    // Entry by entry ('0 for all of them is a replication Verilator flags
    // past 8k bits).
    for (int r = 0; r < NRow; r++) begin
      if (lu_req_i && (Sets == 1 || Sizes[r])) begin
        s = lu_set_at(lu_vkey_i, 3'(r));
        for (int w = 0; w < Ways; w++) begin
          lu_row[(r * Ways + w) * EW +: EW] = ent_seen(ent_q[w][s], s, WayW'(w));
        end
        lu_rv[r*Ways +: Ways] = LuNext ? valid_d[32'(s) * Ways +: Ways]
                                       : valid_q[32'(s) * Ways +: Ways];
      end else begin
        for (int w = 0; w < Ways; w++) begin
          lu_row[(r * Ways + w) * EW +: EW] = '0;
        end
      end
    end
  end

  logic [NCls*Ways-1:0] lu_m;  // candidate (p, w) matches: bit p * Ways + w
  always_comb begin : p_lu_match
    logic [EW-1:0] e;
    logic          m;
    lu_m = '0;
    e    = '0;
    m    = 1'b0;
    if (lu_req_i) begin
      if (Sets == 1) begin
        for (int w = 0; w < Ways; w++) begin
          e = lu_row[w*EW +: EW];
          m = lu_match(lu_rv[w], e, lu_vkey_i, lu_asid_i[AsidW-1:0]);
          for (int p = 0; p < NCls; p++) begin
            lu_m[p * Ways + w] = m && e[granule_pkg::EntPsizeLsb +: 3] == 3'(p);
          end
        end
      end else begin
        for (int p = 0; p < 7; p++) begin
          if (Sizes[p]) begin
            for (int w = 0; w < Ways; w++) begin
              e = lu_row[(p * Ways + w) * EW +: EW];
              lu_m[p * Ways + w] = e[granule_pkg::EntPsizeLsb +: 3] == 3'(p) &&
                  lu_match(lu_rv[p * Ways + w], e, lu_vkey_i, lu_asid_i[AsidW-1:0]);
            end
          end
        end
      end
    end
  end

  // The winner: the first size class with a match, and in it the lowest
  // way: a priority chain over match bits only, then the entry selected by
  // the one-hot pick from the rows already read.
  always_comb begin : p_lookup
    logic [NCls-1:0] cls;
    logic [Ways-1:0] row;
    logic [Ways-1:0] sel;
    logic            found;
    hit       = 1'b0;
    hit_set   = '0;
    hit_way   = '0;
    hit_psize = '0;
    hit_ent   = '0;
    cls   = '0;
    row   = '0;
    sel   = '0;
    found = 1'b0;
    if (lu_req_i) begin
      for (int p = NCls - 1; p >= 0; p--) begin
        if (|lu_m[p * Ways +: Ways]) begin
          hit       = 1'b1;
          hit_set   = lu_set_at(lu_vkey_i, 3'(p));
          hit_psize = 3'(p);
          cls       = '0;
          cls[p]    = 1'b1;
          row       = lu_m[p * Ways +: Ways];
        end
      end
      for (int w = 0; w < Ways; w++) begin
        sel[w] = row[w] && !found;
        found  = found || row[w];
      end
      if (Sets == 1) begin
        for (int w = 0; w < Ways; w++) begin
          if (sel[w]) begin
            hit_way = WayW'(w);
            hit_ent = lu_row[w*EW +: EW];
          end
        end
      end else begin
        for (int p = 0; p < 7; p++) begin
          if (Sizes[p] && cls[p]) begin
            for (int w = 0; w < Ways; w++) begin
              if (sel[w]) begin
                hit_way = WayW'(w);
                hit_ent = lu_row[(p * Ways + w) * EW +: EW];
              end
            end
          end
        end
      end
    end
  end

  // The answer is registered in the lookup cycle and released after the
  // lookup latency (plus one cycle per size probed before the hit's, or
  // all of them on a miss, with SeqProbe).
  logic                    pend_q, pend_d;
  logic [7:0]              wait_q, wait_d;
  logic                    rhit_q, rhit_d;
  logic [SetW-1:0]         rset_q, rset_d;
  logic [WayW-1:0]         rway_q, rway_d;
  logic [2:0]              rprobe_q, rprobe_d;
  granule_pkg::tlb_entry_t rent_q, rent_d;
  logic [2:0]              probe;

  assign probe = hit ? size_pos[32'(hit_psize) * 3 +: 3] : size_last;

  always_comb begin
    pend_d   = pend_q;
    wait_d   = wait_q;
    rhit_d   = rhit_q;
    rset_d   = rset_q;
    rway_d   = rway_q;
    rprobe_d = rprobe_q;
    rent_d   = rent_q;
    if (lu_req_i) begin
      pend_d   = 1'b1;
      wait_d   = 8'(LuLat - 1) + (SeqProbe ? {5'b0, probe} : 8'd0);
      rhit_d   = hit;
      rset_d   = hit_set;
      rway_d   = hit_way;
      rprobe_d = probe;
      rent_d   = hit_ent;
    end else if (pend_q) begin
      if (wait_q == '0) begin
        pend_d = 1'b0;
      end else begin
        wait_d = wait_q - 8'd1;
      end
    end
  end

  // Busy while an answer is pending; a new lookup may be presented in the
  // cycle the previous one answers (one lookup per cycle with LuLat = 1).
  assign lu_busy_o  = pend_q && wait_q != '0;
  assign lu_valid_o = pend_q && wait_q == '0;
  assign lu_hit_o   = rhit_q;
  assign lu_set_o   = rset_q;
  assign lu_way_o   = rway_q;
  assign lu_probe_o = rprobe_q;
  assign lu_entry_o = rent_q;

  // ---- Fill ------------------------------------------------------------------
  // The chosen slot and the entry it evicts (read only for a fill that
  // evicts: a free way's slot holds nothing).
  assign update_set_o   = fill_set;
  assign update_way_o   = fill_way;
  assign update_evict_o = update_i && !free_found;
  always_comb begin : p_evicted
    update_evicted_o = '0;
    if (update_i && !free_found) begin
      for (int w = 0; w < Ways; w++) begin
        if (fill_way == WayW'(w)) begin
          update_evicted_o = ent_q[w][fill_set];
        end
      end
    end
  end

  repl #(
    .Policy (Repl),
    .Sets   (Sets),
    .Ways   (Ways),
    .Seed   (Seed)
  ) u_repl (
    .clk_i,
    .rst_ni,
    .touch_i     (touch_i || update_i),
    .touch_set_i (update_i ? fill_set : touch_set_i),
    .touch_way_i (update_i ? fill_way : touch_way_i),
    .alloc_i     (update_i && !free_found),
    .alloc_set_i (fill_set),
    .victim_o    (victim)
  );

  // ---- Entries -----------------------------------------------------------------
  // Written only by a fill, its slot: an enabled register write (the
  // write-enable decoded from the slot), not a copy of every entry each
  // cycle. No reset, as for a RAM: a slot's contents count only while its
  // valid bit (reset) is set, and no output or state depends on an invalid
  // slot's entry (a lookup masks it with the valid bit, the evicted entry
  // is read only with every way valid, an invalidation only clears valid
  // bits, the debug port's readers check dbg_valid_o).
  always_ff @(posedge clk_i) begin
    if (update_i) begin
      ent_q[fill_way][fill_set] <= update_entry_i;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q  <= '0;
      pend_q   <= 1'b0;
      wait_q   <= '0;
      rhit_q   <= 1'b0;
      rset_q   <= '0;
      rway_q   <= '0;
      rprobe_q <= '0;
      rent_q   <= '0;
    end else begin
      valid_q  <= valid_d;
      pend_q   <= pend_d;
      wait_q   <= wait_d;
      rhit_q   <= rhit_d;
      rset_q   <= rset_d;
      rway_q   <= rway_d;
      rprobe_q <= rprobe_d;
      rent_q   <= rent_d;
    end
  end

  // With one set the set index is the constant 0 (SetW is 1 even then):
  // a computed index would also address past the array, which Yosys maps
  // as more words of it.
  logic [SetW-1:0] dbg_set;
  assign dbg_set     = Sets > 1 ? dbg_set_i : '0;
  assign dbg_valid_o = valid_q[32'(dbg_set) * Ways + 32'(dbg_way_i)];
  always_comb begin : p_dbg
    dbg_entry_o = '0;
    for (int w = 0; w < Ways; w++) begin
      if (dbg_way_i == WayW'(w)) begin
        dbg_entry_o = ent_q[w][dbg_set];
      end
    end
  end

  // ASID bits above AsidW are not compared (the owner reduces the ASID).
  if (AsidW < 16) begin : g_asid_unused
    logic unused_asid;
    assign unused_asid = ^{lu_asid_i[15:AsidW], flush_asid_i[15:AsidW], bi_asid_i[15:AsidW]};
  end

`ifndef SYNTHESIS
  // At most one match per size among global entries and one among non-
  // global ones: guaranteed while fills follow misses (AssertFillNoDup).
  // Counted per (size, global) class over every entry (the lookup itself
  // stops at the first match), linear in the entries.
  logic lu_dup;
  always_comb begin : p_lu_dup
    logic [13:0]   seen;
    logic [3:0]    c;
    logic [EW-1:0] e;
    seen   = '0;
    lu_dup = 1'b0;
    c      = '0;
    e      = '0;
    if (lu_req_i) begin
      for (int s = 0; s < Sets; s++) begin
        for (int w = 0; w < Ways; w++) begin
          e = ent_seen(ent_q[w][s], SetW'(s), WayW'(w));
          c = {e[granule_pkg::EntPsizeLsb +: 3], e[granule_pkg::EntGlobalBit]};
          if (lu_match(LuNext ? valid_d[s*Ways + w] : valid_q[s*Ways + w], e, lu_vkey_i,
                       lu_asid_i[AsidW-1:0])) begin
            lu_dup  = lu_dup || seen[c];
            seen[c] = 1'b1;
          end
        end
      end
    end
  end
  // Exact tag equality of a valid entry with the entry being filled.
  logic fill_dup;
  always_comb begin : p_fill_dup
    logic [EW-1:0] e;
    fill_dup = 1'b0;
    e        = '0;
    if (update_i) begin
      for (int s = 0; s < Sets; s++) begin
        for (int w = 0; w < Ways; w++) begin
          e = ent_q[w][s];
          if (valid_q[s*Ways + w] && e[granule_pkg::EntVkeyLsb +: VkW] == update_entry_i.vkey &&
              e[granule_pkg::EntPsizeLsb +: 3] == update_entry_i.psize &&
              e[granule_pkg::EntGlobalBit] == update_entry_i.global &&
              (e[granule_pkg::EntGlobalBit] ||
               e[granule_pkg::EntAsidLsb +: AsidW] == update_entry_i.asid[AsidW-1:0])) begin
            fill_dup = 1'b1;
          end
        end
      end
    end
  end
  AssertLookupNoDupMatch: assert property (@(posedge clk_i) disable iff (!rst_ni)
    lu_req_i |-> !lu_dup);
  // A fill never duplicates the exact tag of a valid entry (fills follow
  // misses; a dirty miss invalidates before its refill).
  AssertFillNoDup: assert property (@(posedge clk_i) disable iff (!rst_ni)
    update_i |-> !fill_dup);
  AssertFillSizeHeld: assert property (@(posedge clk_i) disable iff (!rst_ni)
    update_i |-> Sizes[update_entry_i.psize]);
  // The owner is blocking: one lookup in flight.
  AssertLookupIdle: assert property (@(posedge clk_i) disable iff (!rst_ni)
    lu_req_i |-> !lu_busy_o);
  // One update per cycle; a TLBI may share its cycle with a fill or a
  // touch (it applies after them), never with a slot or range invalidation.
  AssertOneUpdate: assert property (@(posedge clk_i) disable iff (!rst_ni)
    $onehot0({update_i, inv_i, bi_i, touch_i}) && !(flush_i && (inv_i || bi_i)));
  AssertInvSlotInRange: assert property (@(posedge clk_i) disable iff (!rst_ni)
    inv_i |-> 32'(inv_way_i) < Ways);
  AssertTouchValid: assert property (@(posedge clk_i) disable iff (!rst_ni)
    touch_i |-> valid_q[32'(touch_set_i) * Ways + 32'(touch_way_i)]);
`endif

endmodule
