# The exposition writer and its histogram, compiled in directly.
ed_unit_test(prom
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/prom.c
          ${PROJECT_SOURCE_DIR}/core/expose/prom.c
          ${PROJECT_SOURCE_DIR}/core/load/histogram.c
          ${PROJECT_SOURCE_DIR}/core/base/textbuf.c
  LIBS PkgConfig::JANSSON m)
target_include_directories(test_prom PRIVATE ${ED_CORE_INCLUDE_DIRS})
