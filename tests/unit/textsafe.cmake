# Device text shown as data on the terminal and in Markdown
# (core/base/textsafe.c).
ed_unit_test(textsafe
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/textsafe.c
          ${PROJECT_SOURCE_DIR}/core/base/textsafe.c)
target_include_directories(test_textsafe PRIVATE ${ED_CORE_INCLUDE_DIRS})
