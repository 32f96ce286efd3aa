# Drill evidence: the summary rebuilt from the journal, the report, plots,
# JUnit and compare. report_tool drives the modules directly.
add_executable(report_tool ${CMAKE_CURRENT_LIST_DIR}/report_tool.c)
target_link_libraries(report_tool PRIVATE edcore)
set_target_properties(report_tool PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
ed_integration_test(report_rebuild report_rebuild.sh)
ed_integration_test(report_compare report_compare.sh)
ed_integration_test(report_plots report_plots.sh)
ed_integration_test(report_targets report_targets.sh)
ed_integration_test(report_fast_sec report_fast_sec.sh)
