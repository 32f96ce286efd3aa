# Plugin host and driver options. The test plugins are MODULE libraries, each
# case in its own folder ${CMAKE_BINARY_DIR}/test-plugins/<case>/, built like
# real drivers (hidden visibility, see ed_add_driver).
set(ED_TEST_PLUGIN_DIR "${CMAKE_BINARY_DIR}/test-plugins")
set(ED_TEST_PLUGIN_SRC "${PROJECT_SOURCE_DIR}/tests/plugins")
set(ED_TEST_PLUGIN_TARGETS "")

# ed_test_plugin(<case> <file stem> <source> [compile definitions...])
macro(ed_test_plugin case stem src)
  add_library(testplugin_${case} MODULE "${ED_TEST_PLUGIN_SRC}/${src}")
  set_target_properties(testplugin_${case} PROPERTIES
    OUTPUT_NAME ${stem} PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY "${ED_TEST_PLUGIN_DIR}/${case}"
    C_VISIBILITY_PRESET hidden)
  target_include_directories(testplugin_${case} PRIVATE
    "${PROJECT_SOURCE_DIR}/plugins")
  target_link_libraries(testplugin_${case} PRIVATE PkgConfig::UV)
  target_compile_definitions(testplugin_${case} PRIVATE ${ARGN})
  list(APPEND ED_TEST_PLUGIN_TARGETS testplugin_${case})
endmacro()

ed_test_plugin(abi abi testdrv.c [[TD_NAME="abi"]] TD_ABI=7)
# A driver of ABI version 1 (its version-2 fields are zeros) still loads.
ed_test_plugin(v1 v1 testdrv.c [[TD_NAME="v1"]] TD_ABI=1)
ed_test_plugin(signature signature testdrv.c [[TD_NAME="signature"]]
  [[TD_SIGNATURE="eventdrill-sdk-0:8"]])
ed_test_plugin(nosymbol nosymbol testdrv.c [[TD_NAME="nosymbol"]]
  TD_WRONG_SYMBOL)
ed_test_plugin(noname noname testdrv.c TD_NAME=NULL)
ed_test_plugin(wrongname wrongname testdrv.c [[TD_NAME="other"]])
ed_test_plugin(initfail initfail testdrv.c [[TD_NAME="initfail"]]
  TD_INIT_FAILS)
ed_test_plugin(callbacks callbacks testdrv.c [[TD_NAME="callbacks"]]
  TD_MISSING_CALLBACKS)
ed_test_plugin(baddefault baddefault testdrv.c [[TD_NAME="baddefault"]]
  TD_BAD_DEFAULT)
# The same driver name in two folders: search order and shadowing.
ed_test_plugin(dup_a dup testdrv.c [[TD_NAME="dup"]] [[TD_VERSION="a"]])
ed_test_plugin(dup_b dup testdrv.c [[TD_NAME="dup"]] [[TD_VERSION="b"]])
ed_test_plugin(blocking blocking blocking.c)
# Drivers that load but break the request contract, one way each, for
# eventdrill-driver-test (tests/integration/sdk_driver_test.sh).
foreach(mb good twice inside never no_cancel not_json leak start_twice
    scribble)
  string(TOUPPER "MB_${mb}" mb_def)
  ed_test_plugin(mb_${mb} mb_${mb} misbehave.c "MB_NAME=\"mb_${mb}\"" ${mb_def})
endforeach()
# Not a shared object at all.
file(WRITE "${ED_TEST_PLUGIN_DIR}/notso/notso.so"
  "this is a text file, not a shared object\n")

set(ED_PH_CORE ../../core/scenario/options.c ../../core/base/diag.c ../../core/base/jsonpos.c
  ../../core/base/duration.c ../../core/base/log.c ../../core/base/error.c)

ed_unit_test(plugin_host
  SOURCES plugin_host.c ../../core/devices/plugin_host.c ${ED_PH_CORE}
  LIBS PkgConfig::JANSSON PkgConfig::UV ${CMAKE_DL_LIBS} m)
target_include_directories(test_plugin_host PRIVATE
  ${ED_CORE_INCLUDE_DIRS} "${PROJECT_SOURCE_DIR}/plugins")
target_compile_definitions(test_plugin_host PRIVATE
  ED_TEST_PLUGIN_DIR="${ED_TEST_PLUGIN_DIR}"
  ED_TEST_DRIVER_DIR="${ED_DRIVER_OUTPUT_DIR}")
# The example driver is the good case; drivers/CMakeLists.txt adds it.
if(NOT TARGET driver_example)
  add_subdirectory("${PROJECT_SOURCE_DIR}/drivers/example"
    "${CMAKE_BINARY_DIR}/drivers/example")
endif()
add_dependencies(test_plugin_host driver_example ${ED_TEST_PLUGIN_TARGETS})

ed_unit_test(options
  SOURCES options.c ${ED_PH_CORE}
  LIBS PkgConfig::JANSSON m)
target_include_directories(test_options PRIVATE
  ${ED_CORE_INCLUDE_DIRS} "${PROJECT_SOURCE_DIR}/plugins")
