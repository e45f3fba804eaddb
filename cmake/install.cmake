# Install rules: the layout of the kiosk image (image/build runs
# `cmake --install BUILD --prefix /usr` with DESTDIR set to the image's root).
# The development register (register/, kiosk-register) is never installed: a kiosk talks to the
# real register only.
include(GNUInstallDirs)

install(TARGETS kiosk kiosk-outbox RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# kiosk-talon: image/enrol makes the kiosk's talon key with it; it also checks talons' codes.
install(TARGETS kiosk-talon RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# Made by another change; the image needs it for enrolment once it exists.
if(TARGET kiosk-pin-hash)
  install(TARGETS kiosk-pin-hash RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# Fonts and icons (with their licences), translations, the working-day calendar, the regions'
# appeal procedures and the office's emblem; not assets/register, which is the development
# register's catalog.
install(DIRECTORY
    ${PROJECT_SOURCE_DIR}/assets/fonts
    ${PROJECT_SOURCE_DIR}/assets/i18n
    ${PROJECT_SOURCE_DIR}/assets/calendar
    ${PROJECT_SOURCE_DIR}/assets/procedure
    ${PROJECT_SOURCE_DIR}/assets/emblem
  DESTINATION ${CMAKE_INSTALL_DATADIR}/complaint-kiosk
  PATTERN make-subset EXCLUDE    # the font subsetting tools are for developers
  PATTERN make-icons EXCLUDE)
