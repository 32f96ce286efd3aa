# Name look-up and bounded suggestions (core/base/names.c, diag.c).
ed_unit_test(names
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/names.c
          ${PROJECT_SOURCE_DIR}/core/base/names.c
          ${PROJECT_SOURCE_DIR}/core/base/diag.c
          ${PROJECT_SOURCE_DIR}/core/base/jsonpos.c
          ${PROJECT_SOURCE_DIR}/core/base/error.c
  LIBS PkgConfig::JANSSON)
target_include_directories(test_names PRIVATE ${ED_CORE_INCLUDE_DIRS})
