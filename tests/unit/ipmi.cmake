# Unit tests of the IPMI driver's pure helpers (options, errors, values).
pkg_check_modules(FREEIPMI REQUIRED IMPORTED_TARGET libfreeipmi)
ed_unit_test(ipmi_util
  SOURCES ipmi_util.c "${PROJECT_SOURCE_DIR}/drivers/ipmi/util.c"
  LIBS PkgConfig::FREEIPMI PkgConfig::JANSSON m)
target_include_directories(test_ipmi_util PRIVATE
  "${PROJECT_SOURCE_DIR}/drivers/ipmi" "${PROJECT_SOURCE_DIR}/plugins")
