# libFuzzer harnesses (KIOSK_FUZZ=ON with clang and KIOSK_SANITIZE=address,undefined): one
# fuzz_<name> per tests/fuzz/<name>_fuzz.cpp, its seed corpus in tests/fuzz/corpus/<name>/.
# Not ctest tests: scripts/sanitize runs each for a short time, scripts/fuzz for longer.
if(KIOSK_FUZZ)
  if(NOT KIOSK_SANITIZE MATCHES "address")
    message(FATAL_ERROR "KIOSK_FUZZ needs KIOSK_SANITIZE=address,undefined: a fuzzer without "
                        "AddressSanitizer misses the overflows it exists to find")
  endif()
  set(KIOSK_FUZZERS)
  function(kiosk_fuzzer name)
    add_executable(fuzz_${name} ${CMAKE_CURRENT_LIST_DIR}/fuzz/${name}_fuzz.cpp ${ARGN})
    target_compile_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
    target_include_directories(fuzz_${name} PRIVATE ${CMAKE_CURRENT_LIST_DIR}/fuzz)
    set(KIOSK_FUZZERS ${KIOSK_FUZZERS} fuzz_${name} PARENT_SCOPE)
  endfunction()

  kiosk_fuzzer(open311)
  target_link_libraries(fuzz_open311 PRIVATE net)
  kiosk_fuzzer(config)
  target_link_libraries(fuzz_config PRIVATE kiosk_base)
  kiosk_fuzzer(po)
  target_link_libraries(fuzz_po PRIVATE kiosk_base)
  kiosk_fuzzer(calendar)
  target_link_libraries(fuzz_calendar PRIVATE kiosk_citizen)
  kiosk_fuzzer(complaint)
  target_link_libraries(fuzz_complaint PRIVATE kiosk_citizen)
  kiosk_fuzzer(procedure)
  target_link_libraries(fuzz_procedure PRIVATE kiosk_citizen)
  target_compile_definitions(fuzz_procedure PRIVATE KIOSK_ASSETS_DIR="${KIOSK_ASSETS_DIR}")
  kiosk_fuzzer(talon_code)
  target_link_libraries(fuzz_talon_code PRIVATE kiosk_delivery)
  # The register's own catalog reader is built in: register/ is a program, not a library.
  kiosk_fuzzer(catalog ${CMAKE_SOURCE_DIR}/register/catalog.cpp)
  target_include_directories(fuzz_catalog PRIVATE ${CMAKE_SOURCE_DIR}/register)
  target_link_libraries(fuzz_catalog PRIVATE kiosk_delivery net nlohmann_json::nlohmann_json)

  # cmake --build <dir> --target fuzzers
  add_custom_target(fuzzers DEPENDS ${KIOSK_FUZZERS})
endif()
