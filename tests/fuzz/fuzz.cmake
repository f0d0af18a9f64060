# Fuzzing, included by the top-level CMakeLists.txt. When a clang that links libFuzzer is found
# (Debian: apt-get install clang libclang-rt-dev, which `make deps` does), tests/fuzz/ is built
# as an external project with it, and each target gets a ctest run of a fixed number of
# executions over its corpus in tests/fuzz/corpus/<target>/ (label "fuzz"). Sanitizer builds
# skip it: the fuzz targets carry ASan and UBSan themselves.
option(CERTDECK_FUZZ "Build the libFuzzer targets when clang is available" ON)
set(CERTDECK_FUZZ_RUNS 20000 CACHE STRING "Executions per fuzz target in a ctest run")
set(CERTDECK_FUZZ_TARGETS codec dataset tc3_auth config creds errtmpl)

if(CERTDECK_FUZZ AND NOT CERTDECK_SANITIZE)
  find_program(CERTDECK_CLANG NAMES clang clang-16 clang-15 clang-14)
  set(probe_ok FALSE)
  if(CERTDECK_CLANG)
    # Does this clang link libFuzzer? (clang without libclang-rt-dev does not.)
    set(probe_dir ${CMAKE_BINARY_DIR}/fuzz-probe)
    file(WRITE ${probe_dir}/probe.c
         "#include <stddef.h>\n#include <stdint.h>\n"
         "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\n"
         "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n")
    execute_process(COMMAND ${CERTDECK_CLANG} -fsanitize=fuzzer,address ${probe_dir}/probe.c
                            -o ${probe_dir}/probe
                    RESULT_VARIABLE probe_rc OUTPUT_QUIET ERROR_QUIET)
    if(probe_rc EQUAL 0)
      set(probe_ok TRUE)
    endif()
  endif()
  if(probe_ok)
    include(ExternalProject)
    string(REPLACE ";" "$<SEMICOLON>" fuzz_targets_arg "${CERTDECK_FUZZ_TARGETS}")
    ExternalProject_Add(certdeck_fuzz
      SOURCE_DIR ${CMAKE_SOURCE_DIR}/tests/fuzz
      BINARY_DIR ${CMAKE_BINARY_DIR}/fuzz
      CMAKE_ARGS -DCMAKE_C_COMPILER=${CERTDECK_CLANG} -DCERTDECK_ROOT=${CMAKE_SOURCE_DIR}
                 -DCERTDECK_FUZZ_TARGETS=${fuzz_targets_arg}
      INSTALL_COMMAND ""
      BUILD_ALWAYS ON)
    foreach(t ${CERTDECK_FUZZ_TARGETS})
      add_test(NAME fuzz_${t}
               COMMAND bash ${CMAKE_SOURCE_DIR}/tests/fuzz/run.sh ${CMAKE_BINARY_DIR}/fuzz/fuzz_${t}
                       ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${t} --runs ${CERTDECK_FUZZ_RUNS})
      set_tests_properties(fuzz_${t} PROPERTIES LABELS fuzz TIMEOUT 600)
    endforeach()
    message(STATUS "fuzz targets: built with ${CERTDECK_CLANG}")
  else()
    message(STATUS "fuzz targets: not built (no clang linking libFuzzer; "
                   "apt-get install clang libclang-rt-dev, or run: make deps)")
  endif()
endif()
