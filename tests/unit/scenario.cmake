# Scenario loader, jsonpos, diag and durations. The sources are compiled in
# directly (not through edcore) so the test builds while other core files
# are being edited. scenario_plan.cmake (included after this) uses the same
# sources.
set(ED_SCENARIO_TEST_SOURCES
  scenario/scenario.c scenario/scenario_check.c scenario/scenario_targets.c
  scenario/scenario_workloads.c scenario/scenario_checks.c
  scenario/scenario_plan.c scenario/scenario_guard.c scenario/inventory.c
  base/jsonpos.c base/diag.c base/duration.c base/error.c base/pattern.c
  base/names.c)
list(TRANSFORM ED_SCENARIO_TEST_SOURCES PREPEND "${PROJECT_SOURCE_DIR}/core/")

ed_unit_test(scenario
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/scenario.c ${ED_SCENARIO_TEST_SOURCES}
  LIBS PkgConfig::JANSSON PkgConfig::OPENSSL PkgConfig::PCRE2 m)
target_include_directories(test_scenario PRIVATE ${ED_CORE_INCLUDE_DIRS})
target_compile_definitions(test_scenario PRIVATE
  ED_SCENARIO_TESTDIR="${PROJECT_SOURCE_DIR}/tests/scenarios")
