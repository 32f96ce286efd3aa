# The engagement file's validation and the judging of its folders
# (core/engagement), on files written by the test.
ed_unit_test(engagement
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/engagement.c
  LIBS edcore)
target_compile_definitions(test_engagement PRIVATE
  ED_TEST_TMPDIR="${CMAKE_CURRENT_BINARY_DIR}")
