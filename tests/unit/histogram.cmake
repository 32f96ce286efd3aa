# The histogram's sources are compiled in directly, so its tests do not depend
# on the rest of the core building.
ed_unit_test(histogram
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/histogram.c
          ${PROJECT_SOURCE_DIR}/core/load/histogram.c
          ${PROJECT_SOURCE_DIR}/core/base/textbuf.c
          ${PROJECT_SOURCE_DIR}/core/load/rng.c
  LIBS PkgConfig::JANSSON m)
target_include_directories(test_histogram PRIVATE ${ED_CORE_INCLUDE_DIRS})
