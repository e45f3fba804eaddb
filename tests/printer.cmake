# Printer area: the talon PDF, the working-day calendar behind its answer date, and printing
# over IPP to a real ippeveprinter. Needs qpdf, poppler-utils, zbar-tools, cups-ipp-utils,
# dbus and avahi-daemon at run time (scripts/install-deps).

# Talon layout and PDF: fields, wrapping, ink inside the band, size, qpdf, pdftotext, QR.
add_executable(talon_test ${CMAKE_CURRENT_LIST_DIR}/talon_test.cpp)
target_link_libraries(talon_test PRIVATE printer GTest::gtest_main)
target_include_directories(talon_test PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
target_compile_definitions(talon_test PRIVATE KIOSK_FONT="${KIOSK_ASSETS_DIR}/fonts/KioskSans.ttf")
gtest_discover_tests(talon_test)

# The calendar is kiosk code, in the small citizen library: this test does not wait on the rest.
add_executable(calendar_test ${CMAKE_CURRENT_LIST_DIR}/calendar_test.cpp)
target_link_libraries(calendar_test PRIVATE kiosk_citizen GTest::gtest_main)
target_compile_definitions(calendar_test PRIVATE KIOSK_ASSETS_DIR="${KIOSK_ASSETS_DIR}")
gtest_discover_tests(calendar_test)

# A real IPP printer (ippeveprinter) for the printing tests; process_support is in register.cmake.
add_library(ipp_printer_support STATIC ${CMAKE_CURRENT_LIST_DIR}/support/ipp_printer.cpp)
target_include_directories(ipp_printer_support PUBLIC ${CMAKE_CURRENT_LIST_DIR}/support)
target_link_libraries(ipp_printer_support PUBLIC process_support PRIVATE PkgConfig::HTTPLIB)

add_executable(print_test ${CMAKE_CURRENT_LIST_DIR}/print_test.cpp)
target_link_libraries(print_test PRIVATE printer ipp_printer_support GTest::gtest_main)
target_compile_definitions(print_test PRIVATE KIOSK_FONT="${KIOSK_ASSETS_DIR}/fonts/KioskSans.ttf")
gtest_discover_tests(print_test PROPERTIES TIMEOUT 60)
