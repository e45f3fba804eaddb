# Benchmarks: built with everything, run by scripts/bench (never by ctest: figures, not tests).
add_executable(outbox_bench ${CMAKE_CURRENT_LIST_DIR}/bench/outbox_bench.cpp)
target_link_libraries(outbox_bench PRIVATE kiosk_core dev_register_support SQLite::SQLite3)
target_include_directories(outbox_bench PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
