# Fleet area (issue 16): kiosk-fleet-sim runs N kiosks' own monitoring code headless on
# 127.0.x.y; the small fleet runs in every test run, the 1,000-kiosk benchmark by hand
# (tests/fleet/fleet-bench, docs/benchmarks.md). Needs prometheus, prometheus-pushgateway and
# nginx-light at run time (scripts/install-deps).
add_executable(kiosk-fleet-sim ${CMAKE_CURRENT_LIST_DIR}/fleet/fleet_sim.cpp
                               ${CMAKE_CURRENT_LIST_DIR}/fleet/fleet.cpp)
target_link_libraries(kiosk-fleet-sim PRIVATE kiosk_operations net PkgConfig::HTTPLIB
                                              nlohmann_json::nlohmann_json)

# Twenty kiosks (four scraped over TLS, sixteen pushing through nginx to Pushgateway) watched by
# Prometheus with the shipped configuration and rules; faults alerted, a liar refused.
add_test(NAME fleet_small
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/fleet/fleet-test $<TARGET_FILE:kiosk-fleet-sim>
          $<TARGET_FILE:kiosk-register>)
set_tests_properties(fleet_small PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77 LABELS fleet)

# The sanitizer builds (scripts/sanitize) build display_free_tests only: the simulator goes with
# them, so the small fleet runs there under the sanitizers too. Deferred: tests/CMakeLists.txt
# makes that target after reading the area lists.
cmake_language(DEFER DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
  CALL add_dependencies display_free_tests kiosk-fleet-sim)
