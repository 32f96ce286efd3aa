# Scenario loader, emergency-plan sections (checks, faults, plans,
# guardrails, limits). Sources compiled in directly, as for test_scenario
# (ED_SCENARIO_TEST_SOURCES comes from scenario.cmake).
ed_unit_test(scenario_plan
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/scenario_plan.c ${ED_SCENARIO_TEST_SOURCES}
  LIBS PkgConfig::JANSSON PkgConfig::OPENSSL PkgConfig::PCRE2 m)
target_include_directories(test_scenario_plan PRIVATE ${ED_CORE_INCLUDE_DIRS})
target_compile_definitions(test_scenario_plan PRIVATE
  ED_SCENARIO_TESTDIR="${PROJECT_SOURCE_DIR}/tests/scenarios")
