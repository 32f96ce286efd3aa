# A check's expectation judged on a value (core/drill/checks.c, edcore).
ed_unit_test(expect
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/expect.c
  LIBS edcore)
