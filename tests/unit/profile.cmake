# The profile's sources are compiled in directly, so its tests do not depend
# on the rest of the core building.
ed_unit_test(profile
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/profile.c
          ${PROJECT_SOURCE_DIR}/core/load/profile.c
          ${PROJECT_SOURCE_DIR}/core/load/rng.c
  LIBS PkgConfig::JANSSON m)
target_include_directories(test_profile PRIVATE ${ED_CORE_INCLUDE_DIRS})
