# verilator --lint-only -Wall over every RTL top for each configuration
# package (docs/rtl.md "Lint"): any warning fails. Arguments: VERILATOR,
# RTL (the rtl/ directory), PKGS (a ;-list of granule_cfg_pkg.sv files).
set(srcs granule_pkg.sv repl.sv tlb.sv tlb_cfg.sv pac.sv pac_cfg.sv s1dec_half.sv s1dec.sv
    ptw.sv walkcache.sv walkcache_cfg.sv tlb_mkentry.sv mmu_top.sv)
list(TRANSFORM srcs PREPEND ${RTL}/)
set(failed 0)
# Every top of every package, a76's 1280-entry L2 and its MMU top included
# (2 s of CPU since the per-entry logic is in procedural loops).
foreach(pkg ${PKGS})
  set(tops ptw s1dec pac_cfg tlb_cfg:0 tlb_cfg:1 tlb_cfg:2 tlb_cfg:3 walkcache_cfg:0 mmu_top)
  foreach(top ${tops})
    string(REPLACE ":" ";" parts ${top})
    list(GET parts 0 mod)
    set(gen)
    list(LENGTH parts n)
    if(n GREATER 1)
      list(GET parts 1 which)
      set(gen -GWhich=${which})
    endif()
    execute_process(COMMAND ${VERILATOR} --lint-only -Wall ${RTL}/lint.vlt ${pkg} ${srcs}
                            --top-module ${mod} ${gen}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(rc)
      message(SEND_ERROR "lint ${top} with ${pkg}:\n${out}")
      set(failed 1)
    endif()
  endforeach()
endforeach()
if(failed)
  message(FATAL_ERROR "lint failed")
endif()
message(STATUS "lint clean")
