# Unit tests of the SSH driver's pure module (output shaping, quoting,
# host-key messages).
ed_unit_test(ssh_output
  SOURCES ssh_output.c "${PROJECT_SOURCE_DIR}/drivers/ssh/output.c"
  LIBS PkgConfig::JANSSON m)
target_include_directories(test_ssh_output PRIVATE
  "${PROJECT_SOURCE_DIR}/drivers/ssh" "${PROJECT_SOURCE_DIR}/plugins")
