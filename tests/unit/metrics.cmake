# The metrics store alone: the per-second series kept outside memory and
# read back (edcore for the histograms and the log).
ed_unit_test(metrics
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/metrics.c
  LIBS edcore)
