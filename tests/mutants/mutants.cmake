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
#    small-<id>, all in the static library granule_rtlsim_mut linked into
#    one binary, granule-mutant. The Verilated C++ is compiled at -O1 with no
#    debug information: the mutation runs are short and the compile of one
#    model is most of the cost.
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

# ---- RTL mutants: granule-mutant -------------------------------------------
set(_mut_variants)
foreach(id ${GRANULE_MUTANTS_rtl})
  set(file ${GRANULE_MUTANT_rtl_${id}_FILE})
  string(REPLACE "-" "_" prefix "Vrtlsim_mut_${id}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${GRANULE_RTL_DIR}/${file})
  set(src ${GRANULE_RTL_PKG_small})
  foreach(f ${GRANULE_RTL_SOURCES})
    get_filename_component(n ${f} NAME)
    if(n STREQUAL file)
      list(APPEND src ${GRANULE_MUTANT_rtl_${id}_PATH})
    else()
      list(APPEND src ${f})
    endif()
  endforeach()
  set(GRANULE_RTLSIM_SRC_${prefix} ${src})
  # A mutation may leave signals unused: lint warnings stay warnings.
  set(GRANULE_RTLSIM_ARGS_${prefix} -Wno-fatal)
  set(GRANULE_RTLSIM_OPT_${prefix} -O1 -g0)
  list(APPEND _mut_variants "${prefix}|small-${id}|${PROJECT_SOURCE_DIR}/configs/small.ini")
endforeach()
granule_rtlsim_library(granule_rtlsim_mut ${_mut_variants})
add_executable(granule-mutant ${GRANULE_CLI_SOURCES})
target_compile_definitions(granule-mutant PRIVATE GRANULE_VERSION="${PROJECT_VERSION}"
                           GRANULE_HAVE_RTLSIM=1)
target_link_libraries(granule-mutant PRIVATE granule_model PkgConfig::JANSSON granule_warnings
                      granule_traces granule_replay granule_sweep granule_rtlsim_mut)
set_target_properties(granule-mutant PROPERTIES LINKER_LANGUAGE CXX)

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
                  ${_mut_model_targets})

# Every mutant caught on the regression traces (scripts/mutate builds
# nothing here: ctest runs after the build).
add_test(NAME mutation_suite
         COMMAND ${Python3_EXECUTABLE} ${_mut_script} --no-build --build-dir ${CMAKE_BINARY_DIR}
                 --jobs 2)
set_tests_properties(mutation_suite PROPERTIES LABELS mutation TIMEOUT 3600)
