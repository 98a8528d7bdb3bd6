// granule — hand-written types shared by the RTL units. The configuration
// parameters live in the generated granule_cfg_pkg (`granule config sv`);
// this package holds what does not depend on a configuration: the request,
// response and fault structs, and enumerations whose encodings equal the C
// model's (model/include/granule/{tlb,fault,config,ptw}.h), so a value
// crosses the co-simulation boundary unchanged.
package granule_pkg;

  // Width of the VA bits that take part in TLB tags: VA[55:0]
  // (docs/uarch.md "Tags and the current ASID"; GR_TLB_VA_MASK).
  localparam int unsigned TagVaW = 56;
  // Smallest page is 4K: tags keep VA[55:12].
  localparam int unsigned VkeyW  = TagVaW - 12;
  // Output addresses up to 52 bits (FEAT_LPA); entries keep OA[51:12].
  localparam int unsigned PaW    = 52;
  localparam int unsigned OaW    = PaW - 12;

  // gr_tlbi_op: TLB maintenance by the EL1&0 regime (GR_TLBI_LIST order).
  typedef enum logic [3:0] {
    TlbiVmalle1   = 4'd0,
    TlbiVmalle1is = 4'd1,
    TlbiAside1    = 4'd2,
    TlbiAside1is  = 4'd3,
    TlbiVae1      = 4'd4,
    TlbiVae1is    = 4'd5,
    TlbiVale1     = 4'd6,
    TlbiVale1is   = 4'd7,
    TlbiVaae1     = 4'd8,
    TlbiVaae1is   = 4'd9,
    TlbiVaale1    = 4'd10,
    TlbiVaale1is  = 4'd11
  } tlbi_op_e;

  // gr_fault_type: named after the Arm ARM pseudocode's Fault enumeration.
  typedef enum logic [2:0] {
    FaultNone         = 3'd0,
    FaultAddressSize  = 3'd1,
    FaultTranslation  = 3'd2,
    FaultAccessFlag   = 3'd3,
    FaultPermission   = 3'd4,
    FaultSyncExtWalk  = 3'd5,
    FaultPacFail      = 3'd6
  } fault_type_e;

  // gr_psize: entry sizes, ascending (GR_PSIZE_LIST order).
  typedef enum logic [2:0] {
    Ps4K   = 3'd0,
    Ps16K  = 3'd1,
    Ps64K  = 3'd2,
    Ps2M   = 3'd3,
    Ps32M  = 3'd4,
    Ps512M = 3'd5,
    Ps1G   = 3'd6
  } psize_e;

  // gr_acc: access type of a translation request.
  typedef enum logic [1:0] {
    AccRead  = 2'd0,
    AccWrite = 2'd1,
    AccExec  = 2'd2
  } acc_e;

  // log2 of the size of each psize_e (gr_config_psize_shift).
  // (Numeric labels: Yosys 0.23 does not resolve enum items inside package
  // functions; the order is psize_e's.)
  function automatic logic [4:0] psize_shift(logic [2:0] p);
    unique case (p)
      3'd0:    psize_shift = 5'd12;
      3'd1:    psize_shift = 5'd14;
      3'd2:    psize_shift = 5'd16;
      3'd3:    psize_shift = 5'd21;
      3'd4:    psize_shift = 5'd25;
      3'd5:    psize_shift = 5'd29;
      3'd6:    psize_shift = 5'd30;
      default: psize_shift = 5'd12;
    endcase
  endfunction

  // VA[55:12] with the bits below the entry size cleared: the tag a by-VA
  // compare uses at an entry's own size.
  function automatic logic [VkeyW-1:0] vkey_at(logic [VkeyW-1:0] vkey, logic [2:0] p);
    vkey_at = vkey & ({VkeyW{1'b1}} << (psize_shift(p) - 5'd12));
  endfunction

  // TLBI properties (gr_tlbi_by_va / gr_tlbi_by_asid / gr_tlbi_last_level),
  // the columns of GR_TLBI_LIST.
  function automatic logic tlbi_by_va(tlbi_op_e op);
    tlbi_by_va = op >= 4'd4;
  endfunction
  function automatic logic tlbi_by_asid(tlbi_op_e op);
    tlbi_by_asid = (op >= 4'd2) && (op <= 4'd7);
  endfunction
  function automatic logic tlbi_last_level(tlbi_op_e op);
    tlbi_last_level = (op == 4'd6) || (op == 4'd7) || (op == 4'd10) || (op == 4'd11);
  endfunction

  // A leaf translation as a TLB holds it (gr_tte, the fields the hit path
  // reads): the permission inputs with the table attributes folded in.
  typedef struct packed {
    logic [OaW-1:0] oa;         // OA[51:12] of the first byte of the entry
    logic [1:0]     level;      // lookup level of the leaf
    logic [2:0]     attr_index; // AttrIndx[2:0]
    logic [1:0]     sh;         // SH[1:0]
    logic [1:0]     ap;         // effective AP[2:1]
    logic [1:0]     ap_table;   // APTable OR'ed over the walk
    logic           uxn;
    logic           pxn;
    logic           dbm;        // writable-clean: DBM = 1 and descriptor
                                // AP[2] = 1 (a write with TCR.HA = HD = 1
                                // must reach the walker: docs/uarch.md)
    logic           contiguous;
    logic           half;       // TTBR0 (0) or TTBR1 (1)
  } tte_t;
  localparam int unsigned TteW = OaW + 2 + 3 + 2 + 2 + 2 + 5;

  // One TLB entry (gr_tlb_entry): tag plus leaf summary. asid is 16 bits
  // wide here; a structure compares only the configured ASID width.
  typedef struct packed {
    logic [VkeyW-1:0] vkey;     // VA[55:12] of the first byte, low bits 0
    psize_e           psize;
    logic             global;   // !nG
    logic [15:0]      asid;     // meaningful when !global
    tte_t             tte;
  } tlb_entry_t;
  localparam int unsigned TlbEntryW = VkeyW + 3 + 1 + 16 + TteW;
  // Field positions in a flat tlb_entry_t (for vectors of entries).
  localparam int unsigned EntAsidLsb   = TteW;
  localparam int unsigned EntGlobalBit = TteW + 16;
  localparam int unsigned EntPsizeLsb  = TteW + 17;
  localparam int unsigned EntVkeyLsb   = TteW + 20;

  // A fault leaves as a valid plus a struct (type, level, status code).
  typedef struct packed {
    fault_type_e kind;
    logic [1:0]  level;
    logic [5:0]  fsc;           // DFSC/IFSC (gr_fault_fsc)
  } fault_t;

  // Translation request channel payload (docs/uarch.md "Handshake").
  typedef struct packed {
    logic [63:0] va;
    acc_e        acc;
    logic        el;            // 0 or 1
    logic        pac;           // authenticate va first (combined AUT)
    logic [1:0]  pac_key;       // 0 IA, 1 IB, 2 DA, 3 DB
    logic [63:0] modifier;
  } req_t;

  // Translation response channel payload.
  typedef struct packed {
    logic [PaW-1:0] pa;
    logic [7:0]     mair_attr;
    logic [1:0]     sh;
    psize_e         psize;
    fault_t         fault;
  } rsp_t;

  // ---- Stage-1 walk parameters (gr_s1half / gr_s1ctx, model/include/granule/ptw.h)
  // Decoded from the registers once per register write by s1dec
  // (AArch64.GetS1TTWParams); the walker and the lookup stage read only these.
  typedef struct packed {
    logic [4:0]     gbits;       // granule_bits: 12, 14 or 16
    logic [5:0]     txsz;        // effective (clamped) TxSZ
    logic [6:0]     ia_bits;     // 64 - txsz
    logic [1:0]     start_level;
    logic [5:0]     oa_bits;     // AArch64.PhysicalAddressSize(IPS, TGx)
    logic           txsz_fault;  // TxSZ out of range: translation fault, level 0
    logic           epd;
    logic           tbi;
    logic           tbid;
    logic           hpd;
    logic           ha;
    logic           hd;          // HA && HD
    logic           lpa;         // 64K granule with PAMax 52: desc[15:12] = OA[51:48]
    logic [PaW-1:0] ttb;         // start table base, aligned to the table size
  } s1half_t;

  typedef struct packed {
    s1half_t     h0;             // TTBR0 (VA[55] = 0)
    s1half_t     h1;             // TTBR1 (VA[55] = 1)
    logic        m;              // SCTLR_EL1.M
    logic        wxn;
    logic        ee;
    logic        c;
    logic        i;
    logic        pan;
    logic [5:0]  pa_bits;        // AArch64.PAMax()
    logic [15:0] asid;           // TTBR(A1).ASID, 8 bits unless TCR.AS
    logic [63:0] mair;
  } s1ctx_t;

  // Mask of bits [hi:lo] of a 64-bit word (hi >= lo), as ptw.c's mask().
  function automatic logic [63:0] mask64(logic [6:0] hi, logic [6:0] lo);
    mask64 = ({64{1'b1}} >> (7'd63 - hi)) & ({64{1'b1}} << lo);
  endfunction

  // AArch64.AddrTop: the top bit that takes part in addressing.
  // (acc: 2 = execute.)
  function automatic logic [6:0] addr_top(logic tbi, logic tbid, logic [1:0] acc);
    if (tbid && acc == 2'd2) begin
      addr_top = 7'd63;
    end else begin
      addr_top = tbi ? 7'd55 : 7'd63;
    end
  endfunction

  // gr_s1_select: TxSZ out of range, AArch64.VAIsOutOfRange (the bits above
  // the input size must all equal VA[55], TBI/TBID excluding the top byte)
  // and EPDn: translation faults at level 0, raised before any lookup.
  function automatic logic s1_select_fault(logic txsz_fault, logic epd, logic tbi, logic tbid,
                                           logic [6:0] ia_bits, logic [63:0] va,
                                           logic [1:0] acc);
    logic [63:0] m;
    m = mask64(addr_top(tbi, tbid, acc), ia_bits);
    s1_select_fault = txsz_fault || epd || ((va & m) != (va[55] ? m : 64'd0));
  endfunction

  // AArch64.S1CheckPermissions on a leaf summary (gr_s1_check): AP[2:1]
  // with APTable, UXN/PXN (table bits folded in), EL0-writable never
  // executable at EL1, PAN for EL1 data accesses, WXN. 1 = allowed.
  function automatic logic s1_perm_ok(logic [1:0] ap, logic [1:0] ap_table, logic uxn,
                                      logic pxn, logic [1:0] acc, logic el, logic pan,
                                      logic wxn);
    logic pr, pw, ur, uw, px, ux, r, w, x;
    pr = 1'b1;
    pw = !ap[1];
    ur = ap[0];
    uw = ap[0] && !ap[1];
    if (ap_table[0]) begin  // APTable[0]: no EL0 access below this table
      ur = 1'b0;
      uw = 1'b0;
    end
    if (ap_table[1]) begin  // APTable[1]: read-only below this table
      pw = 1'b0;
      uw = 1'b0;
    end
    px = !(pxn || uw);
    ux = !uxn;
    if (pan && el && acc != 2'd2 && (ur || uw)) begin
      pr = 1'b0;
      pw = 1'b0;
    end
    r = el ? pr : ur;
    w = el ? pw : uw;
    x = el ? px : ux;
    if (wxn && w) begin
      x = 1'b0;
    end
    s1_perm_ok = acc == 2'd0 ? r : acc == 2'd1 ? w : x;
  endfunction

  // The memory attributes a translation returns (mmu.c attr_of,
  // gr_s1_translate): the MAIR byte, with SCTLR_EL1.C = 0 making data
  // accesses to Normal memory Non-cacheable and SCTLR_EL1.I = 0 doing the
  // same for fetches.
  function automatic logic [7:0] mair_attr(logic [63:0] mair, logic [2:0] idx, logic c,
                                           logic i, logic exec);
    logic [7:0] a;
    a = mair[8*idx +: 8];
    if (!c && !exec && a[7:4] != 4'd0) begin
      mair_attr = 8'h44;
    end else if (!i && exec) begin
      mair_attr = 8'h44;
    end else begin
      mair_attr = a;
    end
  endfunction

  // A fault_t (as 11 bits) of a fault type and level: gr_fault_fsc (Arm ARM EncodeLDFSC),
  // 0bxxxxLL; PacFail and None carry no status code.
  function automatic logic [10:0] make_fault(logic [2:0] kind, logic [1:0] level);
    logic [5:0] fsc;
    unique case (kind)
      3'd1:    fsc = {4'b0000, level};  // address size
      3'd2:    fsc = {4'b0001, level};  // translation
      3'd3:    fsc = {4'b0010, level};  // access flag
      3'd4:    fsc = {4'b0011, level};  // permission
      3'd5:    fsc = {4'b0101, level};  // synchronous external abort on walk
      default: fsc = 6'd0;
    endcase
    make_fault = {kind, level, fsc};
  endfunction

  // TCR_EL1.IPS and ID_AA64MMFR0_EL1.PARange share this encoding; 0 for a
  // reserved value.
  function automatic logic [5:0] pa_size_bits(logic [3:0] enc);
    unique case (enc)
      4'd0:    pa_size_bits = 6'd32;
      4'd1:    pa_size_bits = 6'd36;
      4'd2:    pa_size_bits = 6'd40;
      4'd3:    pa_size_bits = 6'd42;
      4'd4:    pa_size_bits = 6'd44;
      4'd5:    pa_size_bits = 6'd48;
      4'd6:    pa_size_bits = 6'd52;
      default: pa_size_bits = 6'd0;
    endcase
  endfunction

endpackage
