# Talon printer: layout, PDF validity (qpdf, poppler-utils at run time) and atomic spooling.
add_executable(talon_test ${CMAKE_CURRENT_LIST_DIR}/talon_test.cpp)
target_link_libraries(talon_test PRIVATE printer GTest::gtest_main)
target_compile_definitions(talon_test PRIVATE KIOSK_FONT="${KIOSK_ASSETS_DIR}/fonts/KioskSans.ttf")
gtest_discover_tests(talon_test)
