# Device snapshots (core/collect/collect*.c) through the real Redfish driver
# against a simulated BMC served in-process: what is read, and how few
# requests a poll costs once the device is known (the memo).
ed_unit_test(collect
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/collect.c
  LIBS edcore)
target_compile_definitions(test_collect PRIVATE
  ED_TEST_DRIVER_DIR="${ED_DRIVER_OUTPUT_DIR}"
  ED_TEST_TMPDIR="${CMAKE_CURRENT_BINARY_DIR}")
add_dependencies(test_collect driver_redfish)
