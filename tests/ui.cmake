# The real kiosk under Xvfb, tapped with xdotool; screenshots land in build/artifacts/ui.
add_executable(ui_test ${CMAKE_CURRENT_LIST_DIR}/ui_test.cpp ${CMAKE_CURRENT_LIST_DIR}/service_ui_test.cpp ${CMAKE_CURRENT_LIST_DIR}/speech_ui_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ui_gallery_test.cpp ${CMAKE_CURRENT_LIST_DIR}/remote_ui_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rotation_ui_test.cpp ${CMAKE_CURRENT_LIST_DIR}/office_hours_ui_test.cpp)
target_link_libraries(ui_test PRIVATE common dev_register_support process_support ipp_printer_support CURL::libcurl GTest::gtest_main)
target_compile_definitions(ui_test PRIVATE
  KIOSK_BIN="$<TARGET_FILE:kiosk>" KIOSK_ASSETS_DIR="${KIOSK_ASSETS_DIR}" KIOSK_BINARY_DIR="${CMAKE_BINARY_DIR}"
  KIOSK_COMMAND="$<TARGET_FILE:kiosk-command>")
add_dependencies(ui_test kiosk kiosk-command)
gtest_discover_tests(ui_test PROPERTIES TIMEOUT 300 RESOURCE_LOCK ui_display)

# The kiosk stopped while the register hangs, and started on a broken outbox or a full disk.
add_executable(resilience_test ${CMAKE_CURRENT_LIST_DIR}/resilience_test.cpp)
target_link_libraries(resilience_test PRIVATE kiosk_delivery dev_register_support process_support
  CURL::libcurl GTest::gtest_main)
target_compile_definitions(resilience_test PRIVATE
  KIOSK_BIN="$<TARGET_FILE:kiosk>" KIOSK_ASSETS_DIR="${KIOSK_ASSETS_DIR}" KIOSK_BINARY_DIR="${CMAKE_BINARY_DIR}")
add_dependencies(resilience_test kiosk)
gtest_discover_tests(resilience_test PROPERTIES TIMEOUT 300 RESOURCE_LOCK ui_display)
