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
    logic           dbm;
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

endpackage
