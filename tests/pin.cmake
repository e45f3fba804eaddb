# Service-mode PIN: yescrypt hashing, the lockout gate and the kiosk-pin-hash tool.
add_executable(pin_test ${CMAKE_CURRENT_LIST_DIR}/pin_test.cpp)
target_link_libraries(pin_test PRIVATE kiosk_core crypt GTest::gtest_main)
target_compile_definitions(pin_test PRIVATE KIOSK_PIN_HASH="$<TARGET_FILE:kiosk-pin-hash>")
add_dependencies(pin_test kiosk-pin-hash)
gtest_discover_tests(pin_test)
