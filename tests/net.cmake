# net: the Open311 client against the development register (conformance, fault matrix, TLS
# refusals), what it sends in JSON and XML (a recording server), and its answer parsers fed
# malformed answers without a network.
add_executable(net_test
  ${CMAKE_CURRENT_LIST_DIR}/net_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/net_answers_test.cpp)
target_link_libraries(net_test PRIVATE
  net dev_register_support GTest::gtest_main nlohmann_json::nlohmann_json SQLite::SQLite3
  PkgConfig::HTTPLIB CURL::libcurl)
gtest_discover_tests(net_test TEST_PREFIX "net." DISCOVERY_TIMEOUT 30)
