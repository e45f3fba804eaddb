# common: atomic private state files and folders, UTF-8.
add_executable(common_test ${CMAKE_CURRENT_LIST_DIR}/common_test.cpp)
target_link_libraries(common_test PRIVATE common GTest::gtest_main)
gtest_discover_tests(common_test)
