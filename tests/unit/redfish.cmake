# Unit tests of the Redfish driver's pure modules (response, path).
ed_unit_test(redfish_response
  SOURCES redfish_response.c
          "${PROJECT_SOURCE_DIR}/drivers/redfish/response.c"
          "${PROJECT_SOURCE_DIR}/drivers/redfish/path.c"
  LIBS PkgConfig::CURL PkgConfig::JANSSON)
target_include_directories(test_redfish_response PRIVATE
  "${PROJECT_SOURCE_DIR}/drivers/redfish" "${PROJECT_SOURCE_DIR}/plugins")
