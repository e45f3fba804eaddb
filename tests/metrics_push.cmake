# Metrics over TLS only (issue 16): the push to a loopback gateway that requires the kiosk's
# client certificate, the monitor's push loop, the management port over TLS, and the metrics
# table of docs/monitoring.md against the exposition. No display.
add_executable(metrics_push_test ${CMAKE_CURRENT_LIST_DIR}/metrics_push_test.cpp)
target_link_libraries(metrics_push_test PRIVATE
  kiosk_core net process_support CURL::libcurl PkgConfig::HTTPLIB OpenSSL::SSL OpenSSL::Crypto
  GTest::gtest_main)
target_include_directories(metrics_push_test PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
target_compile_definitions(metrics_push_test PRIVATE
  MAKE_DEV_CERTS="${CMAKE_SOURCE_DIR}/register/make-dev-certs"
  KIOSK_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
gtest_discover_tests(metrics_push_test PROPERTIES TIMEOUT 60)
