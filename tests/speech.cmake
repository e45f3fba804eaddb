# The kiosk's voice: espeak-ng on its own thread, without a display or an audio device
# (espeak-ng-data from scripts/install-deps). The SDL audio output is tested in ui.cmake.
add_executable(speech_test ${CMAKE_CURRENT_LIST_DIR}/speech_test.cpp)
target_link_libraries(speech_test PRIVATE kiosk_speech GTest::gtest_main)
gtest_discover_tests(speech_test PROPERTIES TIMEOUT 120)
