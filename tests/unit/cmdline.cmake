# The command line as the evidence records it (core/base/cmdline.c).
ed_unit_test(cmdline
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/cmdline.c
  LIBS edbase)
target_include_directories(test_cmdline PRIVATE ${ED_CORE_INCLUDE_DIRS})
