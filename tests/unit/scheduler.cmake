# The scheduler on a real uv loop with a fake driver; metrics and profiles
# are the real ones (edcore).
ed_unit_test(scheduler
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/scheduler.c
  LIBS edcore)
