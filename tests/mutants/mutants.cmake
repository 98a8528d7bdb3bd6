# The mutants of tests/mutants/{rtl,model}.list (docs/mutants.md), included
# by harness/rtlsim/CMakeLists.txt after granule_rtlsim_library() and the
# real RTL models are defined.
#
# scripts/mutate --emit-cmake writes the mutated copies into the build
# directory (rtl/ and model/src/ are not touched) and a file naming them; it
# fails, and so does the configuration, when a mutant's string no longer
# occurs exactly once in its file. The lists and the mutated sources are
# configure dependencies, so an edit of either re-applies the mutants.
#
#  * RTL mutant <id>: a Verilated mmu_top of `small` with the copied file in
#    place of the original, prefix Vrtlsim_mut_<id> (- as _), model name
#    small-<id>. The default ones (wclat, asid) are in one binary,
#    granule-mutant; every other one (GRANULE_MUTATION only) in a binary of
#    its own, granule-rmut-<id>, so a single mutant builds alone. The
#    Verilated C++ is compiled at -O1 with no debug information: the
#    mutation runs are short and the compile of one model is most of the
#    cost (several minutes on a loaded two-core machine).
#  * Model mutant <id> (GRANULE_MUTATION only): a `granule` binary,
#    granule-mmut-<id>, linking the mutated copy of one model/src file as an
#    object ahead of granule_model, so the archive member with the same
#    symbols is never pulled in (a symbol it lacked would be a duplicate
#    definition: the link fails rather than mixing the two). Its RTL is the
#    real one.
#
# GRANULE_MUTATION (default OFF): build every mutant and register the ctest
# `mutation_suite` (label mutation), which runs scripts/mutate --no-build on
# this build directory and fails if any mutant survives. Off, only the
# mutants marked `default = yes` (those the cosim tests use) are built, and
# `mutation_lists_apply` (scripts/mutate --check) still checks that every
# mutant applies. The full suite is not part of scripts/test: it builds 19
# extra Verilated models (docs/mutants.md gives the time).
option(GRANULE_MUTATION "Build every mutant of tests/mutants and the ctest mutation_suite" OFF)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

set(_mut_dir ${CMAKE_CURRENT_BINARY_DIR}/mutants)
set(_mut_script ${PROJECT_SOURCE_DIR}/scripts/mutate)
set(_mut_all "")
if(GRANULE_MUTATION)
  set(_mut_all --all)
endif()
execute_process(COMMAND ${Python3_EXECUTABLE} ${_mut_script} --emit-cmake ${_mut_dir} ${_mut_all}
                RESULT_VARIABLE _mut_rc ERROR_VARIABLE _mut_err)
if(_mut_rc)
  message(FATAL_ERROR "tests/mutants: ${_mut_err}")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${PROJECT_SOURCE_DIR}/tests/mutants/rtl.list
             ${PROJECT_SOURCE_DIR}/tests/mutants/model.list ${_mut_script})
include(${_mut_dir}/mutants.cmake)

# ---- RTL mutants -------------------------------------------------------------
# granule_rtl_mutant_variant(ID): the variant entry of RTL mutant ID, with
# its sources, Verilator arguments and C++ flags set in the caller's scope.
macro(granule_rtl_mutant_variant id)
  set(_file ${GRANULE_MUTANT_rtl_${id}_FILE})
  string(REPLACE "-" "_" _prefix "Vrtlsim_mut_${id}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${GRANULE_RTL_DIR}/${_file})
  set(_src ${GRANULE_RTL_PKG_small})
  foreach(_f ${GRANULE_RTL_SOURCES})
    get_filename_component(_n ${_f} NAME)
    if(_n STREQUAL _file)
      list(APPEND _src ${GRANULE_MUTANT_rtl_${id}_PATH})
    else()
      list(APPEND _src ${_f})
    endif()
  endforeach()
  set(GRANULE_RTLSIM_SRC_${_prefix} ${_src})
  # A mutation may leave signals unused: lint warnings stay warnings.
  set(GRANULE_RTLSIM_ARGS_${_prefix} -Wno-fatal)
  set(GRANULE_RTLSIM_OPT_${_prefix} -O1 -g0)
  set(_variant "${_prefix}|small-${id}|${PROJECT_SOURCE_DIR}/configs/small.ini")
endmacro()

# granule_rtl_mutant_binary(TARGET LIB ENTRIES...): a `granule` binary
# whose RTL models are the entries (granule_rtlsim_library LIB).
function(granule_rtl_mutant_binary target lib)
  granule_rtlsim_library(${lib} ${ARGN})
  add_executable(${target} ${GRANULE_CLI_SOURCES})
  target_compile_definitions(${target} PRIVATE GRANULE_VERSION="${PROJECT_VERSION}"
                             GRANULE_HAVE_RTLSIM=1)
  target_link_libraries(${target} PRIVATE granule_model PkgConfig::JANSSON granule_warnings
                        granule_traces granule_replay granule_sweep ${lib})
  set_target_properties(${target} PROPERTIES LINKER_LANGUAGE CXX)
endfunction()

# The default mutants (wclat, asid), all in granule-mutant for the cosim
# tests; with GRANULE_MUTATION every other one in a binary of its own,
# granule-rmut-<id>, so that one mutant can be built and run alone.
set(_mut_variants)
set(_mut_rtl_targets)
foreach(id ${GRANULE_MUTANTS_rtl})
  granule_rtl_mutant_variant(${id})
  if(GRANULE_MUTANT_rtl_${id}_DEFAULT)
    list(APPEND _mut_variants ${_variant})
  else()
    granule_rtl_mutant_binary(granule-rmut-${id} granule_rtlsim_rmut_${_prefix} ${_variant})
    list(APPEND _mut_rtl_targets granule-rmut-${id})
  endif()
endforeach()
granule_rtl_mutant_binary(granule-mutant granule_rtlsim_mut ${_mut_variants})

add_test(NAME mutation_lists_apply COMMAND ${Python3_EXECUTABLE} ${_mut_script} --check)
set_tests_properties(mutation_lists_apply PROPERTIES LABELS "mutation;cosim")

if(NOT GRANULE_MUTATION)
  return()
endif()

# The crafted regression trace (TLBIs, global entries, two ASIDs on one VA).
add_executable(mutants-mktrace ${PROJECT_SOURCE_DIR}/tests/mutants/mktrace.c)
target_link_libraries(mutants-mktrace PRIVATE granule_traces granule_warnings)

# ---- Model mutants: granule-mmut-<id> --------------------------------------
# The CLI compiled once for all of them.
add_library(granule_cli_mut OBJECT ${GRANULE_CLI_SOURCES})
target_compile_definitions(granule_cli_mut PRIVATE GRANULE_VERSION="${PROJECT_VERSION}"
                           GRANULE_HAVE_RTLSIM=1)
target_link_libraries(granule_cli_mut PRIVATE granule_model PkgConfig::JANSSON granule_warnings
                      granule_traces granule_replay granule_sweep granule_rtlsim)
set(_mut_model_targets)
foreach(id ${GRANULE_MUTANTS_model})
  set(file ${GRANULE_MUTANT_model_${id}_FILE})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               ${PROJECT_SOURCE_DIR}/model/src/${file})
  # No -Werror on the mutated copy: a mutation may leave a parameter unused.
  add_executable(granule-mmut-${id} $<TARGET_OBJECTS:granule_cli_mut>
                 ${GRANULE_MUTANT_model_${id}_PATH})
  target_include_directories(granule-mmut-${id} PRIVATE ${PROJECT_SOURCE_DIR}/model/include)
  target_compile_definitions(granule-mmut-${id} PRIVATE GRANULE_VERSION="${PROJECT_VERSION}")
  target_link_libraries(granule-mmut-${id} PRIVATE granule_model PkgConfig::JANSSON
                        granule_traces granule_replay granule_sweep granule_rtlsim)
  set_target_properties(granule-mmut-${id} PROPERTIES LINKER_LANGUAGE CXX)
  list(APPEND _mut_model_targets granule-mmut-${id})
endforeach()
add_custom_target(granule-mutants DEPENDS granule granule-mutant mutants-mktrace
                  ${_mut_rtl_targets} ${_mut_model_targets})

# Every mutant caught on the regression traces (scripts/mutate builds
# nothing here: ctest runs after the build).
add_test(NAME mutation_suite
         COMMAND ${Python3_EXECUTABLE} ${_mut_script} --no-build --build-dir ${CMAKE_BINARY_DIR}
                 --jobs 2)
set_tests_properties(mutation_suite PROPERTIES LABELS mutation TIMEOUT 3600)
