# Remote commands on the kiosk's side (issue 16): signatures and checks, the at-most-once ledger,
# out of service across restarts, the heartbeat's commands and results, kiosk-command, the
# monitor taking commands from a register's answers, and end to end through the development
# register.
add_executable(remote_command_test ${CMAKE_CURRENT_LIST_DIR}/remote_command_test.cpp)
target_link_libraries(remote_command_test PRIVATE kiosk_operations dev_register_support
  process_support PkgConfig::SODIUM CURL::libcurl nlohmann_json::nlohmann_json GTest::gtest_main)
target_include_directories(remote_command_test PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
target_compile_definitions(remote_command_test PRIVATE KIOSK_ASSETS_DIR="${KIOSK_ASSETS_DIR}"
  KIOSK_COMMAND="$<TARGET_FILE:kiosk-command>")
add_dependencies(remote_command_test kiosk-command)
gtest_discover_tests(remote_command_test PROPERTIES TIMEOUT 120)
