# The verdict model, compiled in directly: it depends on Jansson and the
# base's terminal helpers (colour, escaping) alone.
ed_unit_test(verdict
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/verdict.c
          ${PROJECT_SOURCE_DIR}/core/evidence/verdict.c
  LIBS edbase PkgConfig::JANSSON m)
target_include_directories(test_verdict PRIVATE
  ${PROJECT_SOURCE_DIR}/core/evidence)
