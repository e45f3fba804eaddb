# The kiosk's voice: espeak-ng on its own thread, without a display or an audio device
# (espeak-ng-data from scripts/install-deps).
add_executable(speech_test ${CMAKE_CURRENT_LIST_DIR}/speech_test.cpp)
target_link_libraries(speech_test PRIVATE kiosk_speech process_support GTest::gtest_main)
gtest_discover_tests(speech_test PROPERTIES TIMEOUT 120)

# The voice through a real SDL audio device: SDL's disk driver writes what it plays to a file
# (no display, no sound card).
add_executable(speaker_test ${CMAKE_CURRENT_LIST_DIR}/speaker_test.cpp)
target_link_libraries(speaker_test PRIVATE kiosk_speaker process_support GTest::gtest_main)
gtest_discover_tests(speaker_test PROPERTIES TIMEOUT 120)
