# Output files written safely (core/base/outfile.c) and the journal's
# failure path (core/run/journal.c): planted links, modes, a write cut by
# the file size limit.
ed_unit_test(outfile
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/outfile.c
  LIBS edcore)
