# Generated documentation, install() rules, `uninstall` and the Debian package (CPack DEB).
# Included from CMakeLists.txt after the certdeck and certdeck-emulator targets exist.
#
# The man pages' key table and the example config are printed by the certdeck just built
# (`certdeck keys --man`, `certdeck config --example`), so neither can drift from the key
# table or the config reader.

set(CERTDECK_ZSH_COMPLETION_DIR "${CMAKE_INSTALL_DATADIR}/zsh/site-functions"
    CACHE STRING "Where _certdeck goes, relative to the prefix (Debian's zsh: share/zsh/vendor-completions)")

set(CPACK_PACKAGE_CONTACT "certdeck maintainers <certdeck@localhost>" CACHE STRING
    "Maintainer field of the .deb")

set(DOC_OUT ${CMAKE_BINARY_DIR}/doc)
set(DOC_FILES ${DOC_OUT}/certdeck.1 ${DOC_OUT}/certdeck-emulator.1 ${DOC_OUT}/certdeck.1.gz
              ${DOC_OUT}/certdeck-emulator.1.gz ${DOC_OUT}/config.example ${DOC_OUT}/changelog.gz)
add_custom_command(
  OUTPUT ${DOC_FILES}
  COMMAND ${CMAKE_COMMAND} -DBIN=$<TARGET_FILE:certdeck> -DSRC=${CMAKE_SOURCE_DIR}/doc
          -DOUT=${DOC_OUT} -DVERSION=${PROJECT_VERSION}
          "-DMAINTAINER=${CPACK_PACKAGE_CONTACT}" -P ${CMAKE_SOURCE_DIR}/packaging/genman.cmake
  DEPENDS certdeck ${CMAKE_SOURCE_DIR}/doc/certdeck.1.in ${CMAKE_SOURCE_DIR}/doc/certdeck-emulator.1.in
          ${CMAKE_SOURCE_DIR}/packaging/genman.cmake ${CMAKE_SOURCE_DIR}/packaging/changelog.in
  COMMENT "Generating man pages, the example config and the changelog" VERBATIM)
add_custom_target(docs ALL DEPENDS ${DOC_FILES})

install(TARGETS certdeck certdeck-emulator RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/themes/ DESTINATION ${CMAKE_INSTALL_DATADIR}/certdeck/themes
        FILES_MATCHING PATTERN "*.theme")
install(FILES ${DOC_OUT}/certdeck.1.gz ${DOC_OUT}/certdeck-emulator.1.gz
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/completions/certdeck.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME certdeck)
install(FILES ${CMAKE_SOURCE_DIR}/completions/certdeck.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME certdeck-emulator)
install(FILES ${CMAKE_SOURCE_DIR}/completions/_certdeck DESTINATION ${CERTDECK_ZSH_COMPLETION_DIR})
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${DOC_OUT}/config.example ${DOC_OUT}/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# `cmake --install` writes install_manifest.txt (DESTDIR included); this removes what it lists.
add_custom_target(uninstall COMMAND ${CMAKE_COMMAND} -DMANIFEST=${CMAKE_BINARY_DIR}/install_manifest.txt
                                    -P ${CMAKE_SOURCE_DIR}/packaging/uninstall.cmake)

# ---- Debian package: `make deb` (cpack in a build configured with prefix /usr) -------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME certdeck)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "terminal UI for Tencent Cloud SSL certificate update records")
# CPack writes the summary as the first line of Description, then this, each line indented.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "certdeck is a keyboard-driven ncurses interface and batch CLI for operators who
push renewed SSL certificates to Tencent Cloud resources: it shows what was
deployed where, what failed and what was rolled back, and retries or rolls back
update tasks. It ships certdeck-emulator, a local stand-in for the API.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# --tz and timezone name zones of the tz database; local and utc work without it.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "tzdata")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
