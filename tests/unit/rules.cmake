# Inspection rules on hand-made snapshots; the rules and what they use are
# compiled in directly.
ed_unit_test(rules
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/rules.c
          ${PROJECT_SOURCE_DIR}/core/inspect/rules.c
          ${PROJECT_SOURCE_DIR}/core/inspect/rules_builtin.c
          ${PROJECT_SOURCE_DIR}/core/inspect/rules_file.c
          ${PROJECT_SOURCE_DIR}/core/base/duration.c
          ${PROJECT_SOURCE_DIR}/core/base/diag.c
          ${PROJECT_SOURCE_DIR}/core/base/jsonpos.c
          ${PROJECT_SOURCE_DIR}/core/base/error.c
          ${PROJECT_SOURCE_DIR}/core/base/pattern.c
  LIBS PkgConfig::JANSSON PkgConfig::PCRE2 m)
target_include_directories(test_rules PRIVATE ${ED_CORE_INCLUDE_DIRS})
target_compile_definitions(test_rules PRIVATE
  ED_RULES_TMPDIR="${CMAKE_CURRENT_BINARY_DIR}")
