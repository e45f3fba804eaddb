# SIGKILL at many points of accepting and delivery, then a count of what the register holds.
add_executable(crash_test ${CMAKE_CURRENT_LIST_DIR}/crash_test.cpp)
target_link_libraries(crash_test PRIVATE kiosk_delivery dev_register_support SQLite::SQLite3 GTest::gtest_main)
target_compile_definitions(crash_test PRIVATE
  KIOSK_OUTBOX_BIN="$<TARGET_FILE:kiosk-outbox>" KIOSK_ASSETS_DIR="${KIOSK_ASSETS_DIR}")
add_dependencies(crash_test kiosk-outbox)
gtest_discover_tests(crash_test PROPERTIES TIMEOUT 300)
