// granule — the TLB entry a structure keeps for a translation, the RTL twin
// of gr_tlb_make_entry() (model/src/tlb.c), docs/uarch.md "Fills": the
// largest of the structure's sizes (sizes_i, bit p = psize_e p) that fits
// in the translation's range (2^shift_i bytes, after any contiguous
// coalescing), aligned around the request VA (splintering); the OA moves by
// the same offset. ok_o = 0 when no size fits (the structure is not
// filled). Combinational.
module tlb_mkentry (
  input  logic [6:0]              sizes_i,
  input  granule_pkg::tte_t       tte_i,     // oa = OA[51:12] of the range start
  input  logic [5:0]              shift_i,   // log2 of the range
  input  logic [55:12]            va_i,      // the request VA
  input  logic                    ng_i,
  input  logic [15:0]             asid_i,    // the current ASID (tag when nG)
  output logic                    ok_o,
  output granule_pkg::tlb_entry_t entry_o
);

  logic [2:0] pick;
  logic [4:0] s;
  logic [39:0] off;

  always_comb begin
    ok_o = 1'b0;
    pick = '0;
    for (int p = 0; p < 7; p++) begin
      if (sizes_i[p] && {1'b0, granule_pkg::psize_shift(3'(p))} <= shift_i) begin
        ok_o = 1'b1;
        pick = 3'(p);
      end
    end
    s = granule_pkg::psize_shift(pick);
    // Offset of the chosen piece inside the range: VA bits [shift-1:s].
    off = va_i[51:12] & ~({40{1'b1}} << (shift_i - 6'd12)) &
          ({40{1'b1}} << (s - 5'd12));
  end

  granule_pkg::tte_t tte;
  always_comb begin
    tte    = tte_i;
    tte.oa = tte_i.oa | off;
  end
  // tlb_entry_t field order: vkey, psize, global, asid, tte (a packed
  // concatenation: no cast to the enum type, which Yosys 0.23 does not read).
  assign entry_o = {granule_pkg::vkey_at(va_i[55:12], pick), pick, !ng_i,
                    ng_i ? asid_i : 16'd0, tte};

endmodule
