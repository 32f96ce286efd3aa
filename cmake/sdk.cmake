# The installed driver SDK (docs/writing-a-driver.md): the header, a
# pkg-config file, a CMake package, the harness (tools/driver-test), the
# example drivers' sources and the docs. Everything is found relative to
# where it is installed, so `cmake --install --prefix P` works for any P.
include(CMakePackageConfigHelpers)

file(STRINGS "${PROJECT_SOURCE_DIR}/plugins/eventdrill/driver.h" ED_ABI_LINE
  REGEX "^#define ED_DRIVER_ABI_VERSION ")
string(REGEX REPLACE ".* ([0-9]+).*" "\\1" ED_ABI_VERSION "${ED_ABI_LINE}")

set(ED_PKGCONFIG_RELDIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
set(ED_CMAKE_RELDIR "${CMAKE_INSTALL_LIBDIR}/cmake/eventdrill")
set(ED_EXAMPLES_RELDIR "${ED_DATA_RELDIR}/examples")

file(RELATIVE_PATH ED_PC_TO_PREFIX "/p/${ED_PKGCONFIG_RELDIR}" "/p")
string(REGEX REPLACE "/$" "" ED_PC_TO_PREFIX "${ED_PC_TO_PREFIX}")
configure_file(cmake/eventdrill-driver.pc.in
  "${CMAKE_BINARY_DIR}/sdk/eventdrill-driver.pc" @ONLY)
install(FILES "${CMAKE_BINARY_DIR}/sdk/eventdrill-driver.pc"
  DESTINATION "${ED_PKGCONFIG_RELDIR}")

configure_package_config_file(cmake/eventdrillConfig.cmake.in
  "${CMAKE_BINARY_DIR}/sdk/eventdrillConfig.cmake"
  INSTALL_DESTINATION "${ED_CMAKE_RELDIR}"
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_BINDIR ED_DRIVER_RELDIR
    ED_EXAMPLES_RELDIR)
# The ABI is checked when a driver loads; the package only promises the
# same SDK layout within a minor version.
write_basic_package_version_file(
  "${CMAKE_BINARY_DIR}/sdk/eventdrillConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES "${CMAKE_BINARY_DIR}/sdk/eventdrillConfig.cmake"
  "${CMAKE_BINARY_DIR}/sdk/eventdrillConfigVersion.cmake"
  DESTINATION "${ED_CMAKE_RELDIR}")

install(FILES drivers/example/example.c
  DESTINATION "${ED_EXAMPLES_RELDIR}/example")
install(DIRECTORY examples/out-of-tree-driver
  DESTINATION "${ED_EXAMPLES_RELDIR}" PATTERN "build*" EXCLUDE)
install(DIRECTORY docs/ DESTINATION "${CMAKE_INSTALL_DOCDIR}")
