# The fleet's control commands in-process (ed_sim_control, "changes" at
# start), against the whole simulator library on a loop with loopback
# sockets.
ed_unit_test(sim_control
  SOURCES sim_control.c
  LIBS edsim PkgConfig::JANSSON PkgConfig::UV m)
target_include_directories(test_sim_control PRIVATE
  "${PROJECT_SOURCE_DIR}/sim" ${ED_CORE_INCLUDE_DIRS})
