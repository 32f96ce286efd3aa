# The journal reader and the summary rebuilt from a journal (linked with the
# core library: the rebuild uses the same summary code as a live run).
ed_unit_test(journal_read
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/journal_read.c
  LIBS edcore)
