# The collect capability between the core and a driver (driver.h, ABI
# version 2): a test driver (tests/plugins/collector.c) answers through
# <eventdrill/snapshot.h>, at once, with a text that is not JSON, or not at
# all; the example driver has no collect.
add_library(testplugin_collector MODULE
  "${PROJECT_SOURCE_DIR}/tests/plugins/collector.c")
set_target_properties(testplugin_collector PROPERTIES
  OUTPUT_NAME collector PREFIX ""
  LIBRARY_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/test-plugins/collector"
  C_VISIBILITY_PRESET hidden)
target_include_directories(testplugin_collector PRIVATE
  "${PROJECT_SOURCE_DIR}/plugins")
target_link_libraries(testplugin_collector PRIVATE PkgConfig::UV
  PkgConfig::JANSSON m)

ed_unit_test(collect_abi
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/collect_abi.c
  LIBS edcore)
target_compile_definitions(test_collect_abi PRIVATE
  ED_TEST_COLLECTOR_DIR="${CMAKE_BINARY_DIR}/test-plugins/collector"
  ED_TEST_DRIVER_DIR="${ED_DRIVER_OUTPUT_DIR}"
  ED_TEST_TMPDIR="${CMAKE_CURRENT_BINARY_DIR}")
add_dependencies(test_collect_abi testplugin_collector driver_example)
