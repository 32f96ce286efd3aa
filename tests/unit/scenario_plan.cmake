# Scenario loader, emergency-plan sections (checks, faults, plans,
# guardrails, limits). Sources compiled in directly, as for test_scenario.
ed_unit_test(scenario_plan
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/scenario_plan.c
    ${PROJECT_SOURCE_DIR}/core/scenario.c
    ${PROJECT_SOURCE_DIR}/core/scenario_check.c
    ${PROJECT_SOURCE_DIR}/core/scenario_targets.c
    ${PROJECT_SOURCE_DIR}/core/scenario_workloads.c
    ${PROJECT_SOURCE_DIR}/core/scenario_checks.c
    ${PROJECT_SOURCE_DIR}/core/scenario_plan.c
    ${PROJECT_SOURCE_DIR}/core/scenario_guard.c
    ${PROJECT_SOURCE_DIR}/core/jsonpos.c
    ${PROJECT_SOURCE_DIR}/core/diag.c
    ${PROJECT_SOURCE_DIR}/core/duration.c
    ${PROJECT_SOURCE_DIR}/core/error.c
  LIBS PkgConfig::JANSSON PkgConfig::OPENSSL m)
target_include_directories(test_scenario_plan PRIVATE ${PROJECT_SOURCE_DIR}/core)
target_compile_definitions(test_scenario_plan PRIVATE
  ED_SCENARIO_TESTDIR="${PROJECT_SOURCE_DIR}/tests/scenarios")
