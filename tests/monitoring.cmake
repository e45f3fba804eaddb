# Health figures, /metrics (promtool), /healthz and the management server, without a display.
add_executable(health_test ${CMAKE_CURRENT_LIST_DIR}/health_test.cpp)
target_link_libraries(health_test PRIVATE kiosk_core dev_register_support process_support CURL::libcurl nlohmann_json::nlohmann_json GTest::gtest_main)
target_include_directories(health_test PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
target_compile_definitions(health_test PRIVATE KIOSK_ASSETS_DIR="${KIOSK_ASSETS_DIR}")
gtest_discover_tests(health_test PROPERTIES TIMEOUT 60)
