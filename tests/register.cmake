# Development register: the DevRegister fixture (also used by other areas' tests) and the
# register's own tests.
add_library(process_support STATIC ${CMAKE_CURRENT_LIST_DIR}/support/process.cpp)
target_include_directories(process_support PUBLIC ${CMAKE_CURRENT_LIST_DIR}/support)

add_library(dev_register_support STATIC ${CMAKE_CURRENT_LIST_DIR}/support/dev_register.cpp)
target_include_directories(dev_register_support PUBLIC ${CMAKE_CURRENT_LIST_DIR}/support)
target_link_libraries(dev_register_support PUBLIC process_support PRIVATE SQLite::SQLite3)
target_compile_definitions(dev_register_support PRIVATE
  KIOSK_REGISTER_BIN="$<TARGET_FILE:kiosk-register>"
  MAKE_DEV_CERTS="${CMAKE_SOURCE_DIR}/register/make-dev-certs"
  KIOSK_REGISTER_ASSETS="${KIOSK_ASSETS_DIR}/register")
# Whoever links the fixture runs kiosk-register, so it must be built first.
add_dependencies(dev_register_support kiosk-register)

add_executable(register_test ${CMAKE_CURRENT_LIST_DIR}/register_test.cpp)
target_compile_definitions(register_test PRIVATE
  KIOSK_REGISTER_BIN="$<TARGET_FILE:kiosk-register>")
target_link_libraries(register_test PRIVATE
  dev_register_support GTest::gtest_main PkgConfig::HTTPLIB nlohmann_json::nlohmann_json
  pugixml::pugixml)
# The kiosk's list of the attributes it sends (a constant in a header), checked against the
# register's definitions; the register itself stays independent of kiosk/.
target_include_directories(register_test PRIVATE ${CMAKE_SOURCE_DIR}/kiosk/base/include)
gtest_discover_tests(register_test TEST_PREFIX "register." DISCOVERY_TIMEOUT 30)

# Remote commands through the register (issue 16): the admin endpoint, heartbeat answers,
# diagnostic bundles, a kiosk certificate's CN; operators' Ed25519 keys made with libsodium.
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
add_executable(register_commands_test ${CMAKE_CURRENT_LIST_DIR}/register_commands_test.cpp)
target_compile_definitions(register_commands_test PRIVATE
  KIOSK_REGISTER_BIN="$<TARGET_FILE:kiosk-register>")
target_link_libraries(register_commands_test PRIVATE
  dev_register_support GTest::gtest_main PkgConfig::HTTPLIB PkgConfig::SODIUM
  nlohmann_json::nlohmann_json)
gtest_discover_tests(register_commands_test TEST_PREFIX "register." DISCOVERY_TIMEOUT 30)
