# A/B system updates on the kiosk's side (issue 17) against a real RAUC service on a private
# D-Bus bus, with two file-backed slots and GRUB's environment block (needs root: RAUC mounts
# the bundle on a loop device). The boot-time half (GRUB, kiosk-boot-good, rollback) runs in
# QEMU: image/update-check.
add_executable(system_update_test ${CMAKE_CURRENT_LIST_DIR}/system_update_test.cpp)
target_link_libraries(system_update_test PRIVATE kiosk_operations process_support GTest::gtest_main)
target_include_directories(system_update_test PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
target_compile_definitions(system_update_test PRIVATE KIOSK_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
gtest_discover_tests(system_update_test PROPERTIES TIMEOUT 180)
