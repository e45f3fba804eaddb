# The remote command `update` (issue 17): the bundle's fields checked, kiosk-command signing
# one, and fetch_update downloading the bundle over mutual TLS from a loopback server (good,
# wrong SHA-256, longer than announced, cancelled). No display.
add_executable(update_command_test ${CMAKE_CURRENT_LIST_DIR}/update_command_test.cpp)
target_link_libraries(update_command_test PRIVATE kiosk_operations process_support
  PkgConfig::SODIUM PkgConfig::HTTPLIB OpenSSL::SSL OpenSSL::Crypto nlohmann_json::nlohmann_json
  GTest::gtest_main)
target_include_directories(update_command_test PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
target_compile_definitions(update_command_test PRIVATE
  MAKE_DEV_CERTS="${CMAKE_SOURCE_DIR}/register/make-dev-certs"
  KIOSK_COMMAND="$<TARGET_FILE:kiosk-command>")
add_dependencies(update_command_test kiosk-command)
gtest_discover_tests(update_command_test PROPERTIES TIMEOUT 120)
