# Targets dealt to shards (core/devices/shard.c), compiled in directly: it
# needs the scenario's target type and Jansson alone.
ed_unit_test(shard
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/shard.c
          ${PROJECT_SOURCE_DIR}/core/devices/shard.c
  LIBS edbase PkgConfig::JANSSON)
target_include_directories(test_shard PRIVATE
  ${PROJECT_SOURCE_DIR}/core/devices ${PROJECT_SOURCE_DIR}/core/scenario)
