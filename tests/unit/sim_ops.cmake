# The operator's commands on one virtual BMC (sensor, sel, patch, clock) and
# what the BMC serves after them, through ed__service_handle without
# sockets. Built from the service's own sources, like sim_service.
if(NOT DEFINED ED_SIM_EMBED_SOURCES)
  include("${PROJECT_SOURCE_DIR}/sim/embed.cmake")
endif()
set(_ed_sim_ops_src)
foreach(m mockup mockup_scan bmc service actions reply auth power sel overlay
    live sensors ops)
  list(APPEND _ed_sim_ops_src "${PROJECT_SOURCE_DIR}/sim/${m}.c")
endforeach()
ed_unit_test(sim_ops
  SOURCES "${CMAKE_CURRENT_SOURCE_DIR}/sim_ops.c" ${_ed_sim_ops_src}
          ${ED_SIM_EMBED_SOURCES}
  LIBS edbase PkgConfig::JANSSON m)
target_include_directories(test_sim_ops PRIVATE
  "${PROJECT_SOURCE_DIR}/sim" ${ED_CORE_INCLUDE_DIRS})
