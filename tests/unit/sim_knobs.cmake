# The simulator's fault knobs, worker gate and config parsing: pure logic,
# built from their sources so the test needs no sockets.
ed_unit_test(sim_knobs
  SOURCES sim_knobs.c "${PROJECT_SOURCE_DIR}/sim/knobs.c"
          "${PROJECT_SOURCE_DIR}/sim/config.c"
  LIBS edbase PkgConfig::JANSSON m)
target_include_directories(test_sim_knobs PRIVATE
  "${PROJECT_SOURCE_DIR}/sim" ${ED_CORE_INCLUDE_DIRS})
