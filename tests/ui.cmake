# The real kiosk under Xvfb, tapped with xdotool; screenshots land in build/artifacts/ui.
add_executable(ui_test ${CMAKE_CURRENT_LIST_DIR}/ui_test.cpp ${CMAKE_CURRENT_LIST_DIR}/service_ui_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ui_gallery_test.cpp)
target_link_libraries(ui_test PRIVATE common dev_register_support process_support ipp_printer_support CURL::libcurl GTest::gtest_main)
target_compile_definitions(ui_test PRIVATE
  KIOSK_BIN="$<TARGET_FILE:kiosk>" KIOSK_ASSETS_DIR="${KIOSK_ASSETS_DIR}" KIOSK_BINARY_DIR="${CMAKE_BINARY_DIR}")
add_dependencies(ui_test kiosk)
gtest_discover_tests(ui_test PROPERTIES TIMEOUT 300 RESOURCE_LOCK ui_display)
