# Benchmarks: built with everything, run by scripts/bench (never by ctest: figures, not tests).
add_executable(outbox_bench ${CMAKE_CURRENT_LIST_DIR}/bench/outbox_bench.cpp)
target_link_libraries(outbox_bench PRIVATE kiosk_core dev_register_support SQLite::SQLite3)
target_include_directories(outbox_bench PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
target_compile_definitions(outbox_bench PRIVATE KIOSK_ASSETS_DIR="${KIOSK_ASSETS_DIR}")

# The UI against the reference page in Chromium (scripts/bench installs Chromium).
find_package(X11 REQUIRED)
add_executable(ui_bench ${CMAKE_CURRENT_LIST_DIR}/bench/ui_bench.cpp)
target_link_libraries(ui_bench PRIVATE common dev_register_support X11::X11)
target_include_directories(ui_bench PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
target_compile_definitions(ui_bench PRIVATE KIOSK_BIN="$<TARGET_FILE:kiosk>" KIOSK_ASSETS_DIR="${KIOSK_ASSETS_DIR}"
  KIOSK_BINARY_DIR="${CMAKE_BINARY_DIR}" KIOSK_SOURCE_DIR="${CMAKE_SOURCE_DIR}" BARE_SDL_BIN="$<TARGET_FILE:bare_sdl>")
add_dependencies(ui_bench kiosk bare_sdl)

# The floor for the kiosk's first frame: SDL2 alone, with the kiosk's window and renderer.
add_executable(bare_sdl ${CMAKE_CURRENT_LIST_DIR}/bench/bare_sdl.cpp)
target_link_libraries(bare_sdl PRIVATE PkgConfig::SDL2)

# Speech through a real SDL audio device (SDL's disk driver to /dev/null): latency, memory, CPU.
add_executable(speech_bench ${CMAKE_CURRENT_LIST_DIR}/bench/speech_bench.cpp)
target_link_libraries(speech_bench PRIVATE kiosk_speaker kiosk_session)
target_compile_definitions(speech_bench PRIVATE KIOSK_ASSETS_DIR="${KIOSK_ASSETS_DIR}")
