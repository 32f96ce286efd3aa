# The journal's writers: a "sec" line written as text is, byte for byte,
# the line the Jansson path writes (edcore for the histograms).
ed_unit_test(journal_write
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/journal_write.c
  LIBS edcore)
