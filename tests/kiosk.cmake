# Kiosk core: the complaint, the flow, configuration and translations, without a display.
add_executable(kiosk_core_test
  ${CMAKE_CURRENT_LIST_DIR}/complaint_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/flow_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/config_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/office_hours_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/i18n_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/procedure_test.cpp)
target_link_libraries(kiosk_core_test PRIVATE kiosk_core GTest::gtest_main)
target_include_directories(kiosk_core_test PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
target_compile_definitions(kiosk_core_test PRIVATE
  KIOSK_ASSETS_DIR="${KIOSK_ASSETS_DIR}" KIOSK_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
gtest_discover_tests(kiosk_core_test)

# The path a complaint takes, against the real development register over HTTPS.
add_executable(submission_test ${CMAKE_CURRENT_LIST_DIR}/submission_test.cpp ${CMAKE_CURRENT_LIST_DIR}/outbox_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/interop_test.cpp)
target_link_libraries(submission_test PRIVATE
  kiosk_core dev_register_support ipp_printer_support SQLite::SQLite3 nlohmann_json::nlohmann_json GTest::gtest_main)
target_compile_definitions(submission_test PRIVATE KIOSK_ASSETS_DIR="${KIOSK_ASSETS_DIR}"
  KIOSK_BINARY_DIR="${CMAKE_BINARY_DIR}")
target_include_directories(submission_test PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
gtest_discover_tests(submission_test PROPERTIES TIMEOUT 120)

# The duty specialist's name: checked, kept in the state folder, private.
add_executable(duty_test ${CMAKE_CURRENT_LIST_DIR}/duty_test.cpp)
target_link_libraries(duty_test PRIVATE kiosk_base process_support GTest::gtest_main)
target_include_directories(duty_test PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
gtest_discover_tests(duty_test)


# The citizen's session without a display, against the real development register.
add_executable(session_test ${CMAKE_CURRENT_LIST_DIR}/session_test.cpp ${CMAKE_CURRENT_LIST_DIR}/narration_test.cpp)
target_link_libraries(session_test PRIVATE kiosk_session dev_register_support GTest::gtest_main)
target_include_directories(session_test PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
target_compile_definitions(session_test PRIVATE KIOSK_ASSETS_DIR="${KIOSK_ASSETS_DIR}"
  KIOSK_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
gtest_discover_tests(session_test PROPERTIES TIMEOUT 120)

# The UI's palette against WCAG contrast (plain data: no display, no ImGui).
add_executable(contrast_test ${CMAKE_CURRENT_LIST_DIR}/contrast_test.cpp)
target_include_directories(contrast_test PRIVATE ${CMAKE_SOURCE_DIR}/kiosk/ui)
target_link_libraries(contrast_test PRIVATE GTest::gtest_main)
gtest_discover_tests(contrast_test)

# [ui] rotation's mapping between the screen and the layout (plain arithmetic: no display).
add_executable(rotation_test ${CMAKE_CURRENT_LIST_DIR}/rotation_test.cpp)
target_include_directories(rotation_test PRIVATE ${CMAKE_SOURCE_DIR}/kiosk/ui)
target_link_libraries(rotation_test PRIVATE GTest::gtest_main)
gtest_discover_tests(rotation_test)

# The talon's signed code: signing, checking, key files, the QR address and kiosk-talon.
add_executable(talon_code_test ${CMAKE_CURRENT_LIST_DIR}/talon_code_test.cpp)
target_link_libraries(talon_code_test PRIVATE kiosk_delivery process_support GTest::gtest_main)
target_compile_definitions(talon_code_test PRIVATE KIOSK_TALON="$<TARGET_FILE:kiosk-talon>")
add_dependencies(talon_code_test kiosk-talon)
gtest_discover_tests(talon_code_test)
