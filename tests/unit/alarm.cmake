# Alarm rules of the watch (core/watch/alarm*.c): pure logic on hand-made
# snapshots. Sources compiled in directly, so these tests do not depend on
# the rest of the core building.
ed_unit_test(alarm
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/alarm.c
    ${PROJECT_SOURCE_DIR}/core/watch/alarm.c
    ${PROJECT_SOURCE_DIR}/core/watch/alarm_eval.c
    ${PROJECT_SOURCE_DIR}/core/watch/alarm_rules.c
  LIBS edbase PkgConfig::JANSSON m)
target_include_directories(test_alarm PRIVATE ${ED_CORE_INCLUDE_DIRS})
