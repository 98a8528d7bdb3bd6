// granule — replacement state of one set-associative structure, the RTL
// twin of model/src/repl.c. docs/uarch.md "Replacement" is the bit-exact
// definition:
//   LRU     true LRU order: a rank per way, 0 = least recent (reset: rank =
//           way, so way 0 is least recent, as the model's stamps 0..ways-1)
//   PLRU    ways - 1 tree bits per set in heap order (node n's children
//           2n+1 lower half, 2n+2 upper half), bit = 1: victim in the upper
//           half; a touch makes every node on the path point away
//   FIFO    pointer per set, advanced (wrapping) each time it names a victim
//   RANDOM  one 16-bit Galois LFSR (taps 0xB400) per structure, stepped once
//           per victim; victim = state % ways after the step
// Invalid ways are the owner's business: it asks for a victim (alloc_i) only
// when the set is full. alloc_i and touch_i may come in the same cycle (a
// fill touches the victim it chose); victim_o is combinational.
module repl #(
  parameter granule_cfg_pkg::repl_e Policy = granule_cfg_pkg::ReplLru,
  parameter int unsigned Sets   = 1,
  parameter int unsigned Ways   = 4,
  parameter logic [15:0] Seed   = 16'hACE1,
  localparam int unsigned SetW  = Sets > 1 ? $clog2(Sets) : 1,
  localparam int unsigned WayW  = Ways > 1 ? $clog2(Ways) : 1
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  // A use of (set, way): a hit that answers, or a fill.
  input  logic            touch_i,
  input  logic [SetW-1:0] touch_set_i,
  input  logic [WayW-1:0] touch_way_i,
  // The policy chooses a victim in alloc_set_i; with alloc_i the choice is
  // consumed (FIFO pointer advances, LFSR steps).
  input  logic            alloc_i,
  input  logic [SetW-1:0] alloc_set_i,
  output logic [WayW-1:0] victim_o
);

  // Tree depth for PLRU (log2 of a power-of-two number of ways).
  localparam int unsigned Levels = $clog2(Ways);
  localparam int unsigned TreeW  = Ways > 1 ? Ways - 1 : 1;

  // State is kept in flat vectors (Yosys 0.23 reads neither multi-dimensional
  // packed arrays nor whole-array copies): set s, way w at (s * Ways + w).
  if (Policy == granule_cfg_pkg::ReplLru) begin : g_lru
    logic [Sets*Ways*WayW-1:0] rank_q;
    logic [Ways*WayW-1:0]      set_rank_q, set_rank_d;  // the touched set's ranks
    logic [WayW-1:0]           touch_rank;

    // A touch makes the way most recent; the ways that were more recent
    // than it move down one rank. Only the touched set is computed and
    // written (its write-enable decoded from the set), and only in a cycle
    // with a touch.
    always_comb begin : p_touch
      set_rank_q = '0;
      set_rank_d = '0;
      touch_rank = '0;
      if (touch_i) begin
        set_rank_q = rank_q[32'(touch_set_i) * Ways * WayW +: Ways * WayW];
        touch_rank = set_rank_q[32'(touch_way_i) * WayW +: WayW];
        set_rank_d = set_rank_q;
        // Each way's new rank at a constant position (a computed-index write
        // into the rank vector is a shift of the whole vector per write in
        // synthesis, docs/rtl.md "Synthesis").
        for (int w = 0; w < Ways; w++) begin
          if (WayW'(w) == touch_way_i) begin
            set_rank_d[w * WayW +: WayW] = WayW'(Ways - 1);
          end else if (set_rank_q[w * WayW +: WayW] > touch_rank) begin
            set_rank_d[w * WayW +: WayW] = set_rank_q[w * WayW +: WayW] - 1'b1;
          end
        end
      end
    end

    // The least recent way has rank 0. The set's ranks are read once, then
    // each way's at a constant position (one computed read, not one per way).
    logic [Ways*WayW-1:0] alloc_rank;
    assign alloc_rank = rank_q[32'(alloc_set_i) * Ways * WayW +: Ways * WayW];
    always_comb begin
      victim_o = '0;
      for (int w = 0; w < Ways; w++) begin
        if (alloc_rank[w * WayW +: WayW] == '0) begin
          victim_o = WayW'(w);
        end
      end
    end

    // Reset: rank = way (way 0 least recent), as the model's stamps.
    logic [Sets*Ways*WayW-1:0] rank_rst;
    always_comb begin
      rank_rst = '0;
      for (int i = 0; i < Sets * Ways; i++) begin
        rank_rst[i * WayW +: WayW] = WayW'(i % Ways);
      end
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        rank_q <= rank_rst;
      end else if (touch_i) begin
        rank_q[32'(touch_set_i) * Ways * WayW +: Ways * WayW] <= set_rank_d;
      end
    end

    logic unused_alloc;
    assign unused_alloc = alloc_i;

  end else if (Policy == granule_cfg_pkg::ReplPlru) begin : g_plru
    logic [Sets*TreeW-1:0] tree_q, tree_d;
    logic [TreeW-1:0]      tree_alloc;

    // From the root towards the touched way (its bits MSB first), every node
    // on the path is set to point away from it.
    always_comb begin : p_touch
      int  n;
      logic b;
      tree_d = tree_q;
      n = 0;
      b = 1'b0;
      if (touch_i && Ways > 1) begin
        for (int d = Levels - 1; d >= 0; d--) begin
          b = touch_way_i[d];
          tree_d[32'(touch_set_i) * TreeW + n] = ~b;
          n = b ? 2 * n + 2 : 2 * n + 1;
        end
      end
    end

    assign tree_alloc = tree_q[32'(alloc_set_i) * TreeW +: TreeW];

    // The victim follows the bits from the root.
    always_comb begin : p_victim
      int  n;
      logic b;
      victim_o = '0;
      n = 0;
      b = 1'b0;
      if (Ways > 1) begin
        for (int d = 0; d < Levels; d++) begin
          b = tree_alloc[n];
          victim_o = {victim_o[WayW-2:0], b};
          n = b ? 2 * n + 2 : 2 * n + 1;
        end
      end
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        tree_q <= '0;
      end else begin
        tree_q <= tree_d;
      end
    end

    logic unused_alloc;
    assign unused_alloc = alloc_i;

  end else if (Policy == granule_cfg_pkg::ReplFifo) begin : g_fifo
    logic [Sets*WayW-1:0] ptr_q, ptr_d;
    logic [WayW-1:0]      ptr_alloc;

    assign ptr_alloc = ptr_q[32'(alloc_set_i) * WayW +: WayW];

    always_comb begin
      ptr_d = ptr_q;
      if (alloc_i) begin
        ptr_d[32'(alloc_set_i) * WayW +: WayW] =
            (ptr_alloc == WayW'(Ways - 1)) ? '0 : ptr_alloc + 1'b1;
      end
    end

    assign victim_o = ptr_alloc;

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        ptr_q <= '0;
      end else begin
        ptr_q <= ptr_d;
      end
    end

    logic unused_touch;
    assign unused_touch = ^{touch_i, touch_set_i, touch_way_i};

  end else begin : g_random
    logic [15:0] lfsr_q, lfsr_d, lfsr_next;

    // Galois form of x^16 + x^14 + x^13 + x^11 + 1 (gr_repl_lfsr_step).
    assign lfsr_next = lfsr_q[0] ? ((lfsr_q >> 1) ^ granule_cfg_pkg::LfsrTaps)
                                 : (lfsr_q >> 1);
    assign lfsr_d    = alloc_i ? lfsr_next : lfsr_q;
    // The victim is the state after the step, modulo the number of ways.
    assign victim_o  = WayW'(lfsr_next % 16'(Ways));

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        lfsr_q <= Seed;
      end else begin
        lfsr_q <= lfsr_d;
      end
    end

    logic unused_sig;
    assign unused_sig = ^{touch_i, touch_set_i, touch_way_i, alloc_set_i};
  end

`ifndef SYNTHESIS
  // The touched and chosen ways exist.
  AssertTouchWayInRange: assert property (@(posedge clk_i) disable iff (!rst_ni)
    touch_i |-> 32'(touch_way_i) < Ways);
  AssertVictimInRange: assert property (@(posedge clk_i) disable iff (!rst_ni)
    alloc_i |-> 32'(victim_o) < Ways);
  AssertSetsPow2: assert property (@(posedge clk_i) (Sets & (Sets - 1)) == 0);
`endif

endmodule
