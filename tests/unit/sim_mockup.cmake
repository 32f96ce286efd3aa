# Mockup loading (sim/mockup.c) as the service serves it, through
# ed__service_handle without sockets. It compiles the service's own sources
# (not the whole edsim library) so it builds while the transport changes.
if(NOT DEFINED ED_SIM_EMBED_SOURCES)
  include("${PROJECT_SOURCE_DIR}/sim/embed.cmake")
endif()
set(_ed_sim_mock_src)
foreach(m mockup mockup_scan bmc service actions reply auth power sel overlay
    live sensors)
  list(APPEND _ed_sim_mock_src "${PROJECT_SOURCE_DIR}/sim/${m}.c")
endforeach()
ed_unit_test(sim_mockup
  SOURCES "${CMAKE_CURRENT_SOURCE_DIR}/sim_mockup.c" ${_ed_sim_mock_src}
          ${ED_SIM_EMBED_SOURCES}
  LIBS edbase PkgConfig::JANSSON)
target_include_directories(test_sim_mockup PRIVATE
  "${PROJECT_SOURCE_DIR}/sim" ${ED_CORE_INCLUDE_DIRS})
target_compile_definitions(test_sim_mockup PRIVATE
  ED_TEST_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared"
  ED_TEST_DEFAULT_DIR="${PROJECT_SOURCE_DIR}/sim/mockups/default")
