# User patterns under PCRE2 with their limits (core/base/pattern.c).
ed_unit_test(pattern
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/pattern.c
          ${PROJECT_SOURCE_DIR}/core/base/pattern.c
          ${PROJECT_SOURCE_DIR}/core/base/error.c
  LIBS PkgConfig::PCRE2)
target_include_directories(test_pattern PRIVATE ${ED_CORE_INCLUDE_DIRS})
