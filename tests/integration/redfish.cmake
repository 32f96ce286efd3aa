# The Redfish driver against real peers on loopback (nginx with TLS, small
# misbehaving Python servers, the simulator when built), through a fake core.
add_executable(redfish_host "${PROJECT_SOURCE_DIR}/tests/drivers/redfish_host.c")
target_include_directories(redfish_host PRIVATE "${PROJECT_SOURCE_DIR}/plugins")
target_link_libraries(redfish_host PRIVATE PkgConfig::UV PkgConfig::JANSSON
  ${CMAKE_DL_LIBS})
add_dependencies(redfish_host driver_redfish)

ed_integration_test(redfish_nginx redfish_nginx.sh)
ed_integration_test(redfish_peers redfish_peers.sh)
ed_integration_test(redfish_sim redfish_sim.sh)
