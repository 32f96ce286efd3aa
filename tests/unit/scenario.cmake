# Scenario loader, jsonpos, diag and durations. The sources are compiled in
# directly (not through edcore) so the test builds while other core files
# are being edited.
ed_unit_test(scenario
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/scenario.c
    ${PROJECT_SOURCE_DIR}/core/scenario/scenario.c
    ${PROJECT_SOURCE_DIR}/core/scenario/scenario_check.c
    ${PROJECT_SOURCE_DIR}/core/scenario/scenario_targets.c
    ${PROJECT_SOURCE_DIR}/core/scenario/scenario_workloads.c
    ${PROJECT_SOURCE_DIR}/core/scenario/scenario_checks.c
    ${PROJECT_SOURCE_DIR}/core/scenario/scenario_plan.c
    ${PROJECT_SOURCE_DIR}/core/scenario/scenario_guard.c
    ${PROJECT_SOURCE_DIR}/core/scenario/inventory.c
    ${PROJECT_SOURCE_DIR}/core/base/jsonpos.c
    ${PROJECT_SOURCE_DIR}/core/base/diag.c
    ${PROJECT_SOURCE_DIR}/core/base/duration.c
    ${PROJECT_SOURCE_DIR}/core/base/error.c
  LIBS PkgConfig::JANSSON PkgConfig::OPENSSL m)
target_include_directories(test_scenario PRIVATE ${ED_CORE_INCLUDE_DIRS})
target_compile_definitions(test_scenario PRIVATE
  ED_SCENARIO_TESTDIR="${PROJECT_SOURCE_DIR}/tests/scenarios")
