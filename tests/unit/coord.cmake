# The channel between shards, over loopback on one loop: three shards of
# one process.
ed_unit_test(coord
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/coord.c
          ${PROJECT_SOURCE_DIR}/core/coord/coord.c
          ${PROJECT_SOURCE_DIR}/core/coord/coord_call.c
          ${PROJECT_SOURCE_DIR}/core/coord/coord_wire.c
          ${PROJECT_SOURCE_DIR}/core/base/hostport.c
  LIBS PkgConfig::UV PkgConfig::JANSSON PkgConfig::OPENSSL)
target_include_directories(test_coord PRIVATE ${ED_CORE_INCLUDE_DIRS})
