// rtl-synth-shift.v — a Yosys techmap for $shift and $shiftx used by
// scripts/rtl-synth before the generic `synth` fine stage.
//
// Why: the RTL keeps its arrays in flat vectors indexed with computed
// part-selects (Yosys 0.23 reads nothing else, docs/rtl.md), which Yosys
// turns into $shift/$shiftx cells of the whole vector's width. Yosys' own
// template (_90_shift_shiftx in techmap.v) asks for _TECHMAP_CONSTMSK_B_ /
// _TECHMAP_CONSTVAL_B_, so it is re-derived, with `proc` on a procedural
// loop, for every cell whose shift amount has a different constant pattern:
// on the a76 L1 TLB (48-way LRU) the 98 rank-update shifts alone took
// 527 s. This template computes the same function (same overflow rule, same
// padding, same staging: one 2:1 mux stage per shift-amount bit) with
// continuous assignments and no constant-dependent parameters, so it is
// derived once per cell shape; constant shift bits are folded by the `opt`
// and `abc` passes that follow instead of during the mapping.
(* techmap_celltype = "$shift $shiftx" *)
module _gr_shift_shiftx (A, B, Y);
  parameter A_SIGNED = 0;
  parameter B_SIGNED = 0;
  parameter A_WIDTH = 1;
  parameter B_WIDTH = 1;
  parameter Y_WIDTH = 1;
  parameter _TECHMAP_CELLTYPE_ = "";

  (* force_downto *)
  input [A_WIDTH-1:0] A;
  (* force_downto *)
  input [B_WIDTH-1:0] B;
  (* force_downto *)
  output [Y_WIDTH-1:0] Y;

  localparam MAXW = A_WIDTH > Y_WIDTH ? A_WIDTH : Y_WIDTH;
  localparam BBW0 = $clog2(MAXW) + (B_SIGNED ? 2 : 1);
  localparam BB_WIDTH = BBW0 < B_WIDTH ? BBW0 : B_WIDTH;
  localparam WIDTH = MAXW + (B_SIGNED ? 2 ** (BB_WIDTH - 1) : 0);
  localparam NSTAGE = B_SIGNED ? BB_WIDTH - 1 : BB_WIDTH;

  wire extbit = _TECHMAP_CELLTYPE_ == "$shift" ? 1'b0 : 1'bx;
  wire a_padding = _TECHMAP_CELLTYPE_ == "$shiftx" ? 1'bx : (A_SIGNED ? A[A_WIDTH-1] : 1'b0);

  // Shift amounts beyond BB_WIDTH bits shift everything out.
  wire overflow;
  generate
    if (B_WIDTH > BB_WIDTH) begin : g_ovf
      if (B_SIGNED) begin : g_s
        assign overflow = |(B[B_WIDTH-1:BB_WIDTH] ^ {(B_WIDTH-BB_WIDTH){B[BB_WIDTH-1]}});
      end else begin : g_u
        assign overflow = |B[B_WIDTH-1:BB_WIDTH];
      end
    end else begin : g_noovf
      assign overflow = 1'b0;
    end
  endgenerate

  // A, padded to Y_WIDTH, then extension bits up to WIDTH.
  wire [WIDTH-1:0] init;
  genvar j;
  generate
    for (j = 0; j < WIDTH; j = j + 1) begin : g_init
      if (j < A_WIDTH) begin : g_a
        assign init[j] = overflow ? extbit : A[j];
      end else if (j < Y_WIDTH) begin : g_p
        assign init[j] = overflow ? extbit : a_padding;
      end else begin : g_x
        assign init[j] = extbit;
      end
    end
  endgenerate

  // A negative amount (signed B): shift left by 2 ** (BB_WIDTH - 1) first,
  // then right by the low bits, as Yosys' template does.
  wire [WIDTH-1:0] st0;
  generate
    if (B_SIGNED) begin : g_neg
      localparam H = 2 ** (BB_WIDTH - 1);
      assign st0 = B[BB_WIDTH-1] ? {init[WIDTH-H-1:0], {H{extbit}}} : init;
    end else begin : g_pos
      assign st0 = init;
    end
  endgenerate

  // One 2:1 mux stage per amount bit, in a flat vector of stages.
  wire [(NSTAGE+1)*WIDTH-1:0] st;
  assign st[WIDTH-1:0] = st0;
  genvar i;
  generate
    for (i = 0; i < NSTAGE; i = i + 1) begin : g_stage
      if (2 ** i < WIDTH) begin : g_sh
        assign st[(i+1)*WIDTH +: WIDTH] = B[i] ?
            {{(2 ** i){extbit}}, st[i*WIDTH + 2 ** i +: WIDTH - 2 ** i]} : st[i*WIDTH +: WIDTH];
      end else begin : g_out
        assign st[(i+1)*WIDTH +: WIDTH] = B[i] ? {WIDTH{extbit}} : st[i*WIDTH +: WIDTH];
      end
    end
  endgenerate

  assign Y = st[NSTAGE*WIDTH +: Y_WIDTH];
endmodule
