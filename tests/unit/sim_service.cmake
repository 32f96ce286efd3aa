# The Redfish behaviour of a virtual BMC, tested through ed__service_handle
# without sockets. It compiles the service's own sources (not the whole
# edsim library) so it builds while the transport changes.
if(NOT DEFINED ED_SIM_EMBED_SOURCES)
  include("${PROJECT_SOURCE_DIR}/sim/embed.cmake")
endif()
set(_ed_sim_svc_src)
foreach(m mockup mockup_scan bmc service actions reply auth power sel overlay
    live sensors)
  list(APPEND _ed_sim_svc_src "${PROJECT_SOURCE_DIR}/sim/${m}.c")
endforeach()
ed_unit_test(sim_service
  SOURCES "${CMAKE_CURRENT_SOURCE_DIR}/sim_service.c" ${_ed_sim_svc_src}
          ${ED_SIM_EMBED_SOURCES}
  LIBS edbase PkgConfig::JANSSON)
target_include_directories(test_sim_service PRIVATE
  "${PROJECT_SOURCE_DIR}/sim" ${ED_CORE_INCLUDE_DIRS})
