# Unit tests of the Redfish driver's pure modules (response, path).
ed_unit_test(redfish_response
  SOURCES redfish_response.c
          "${PROJECT_SOURCE_DIR}/drivers/redfish/response.c"
          "${PROJECT_SOURCE_DIR}/drivers/redfish/path.c"
  LIBS PkgConfig::CURL PkgConfig::JANSSON)
target_include_directories(test_redfish_response PRIVATE
  "${PROJECT_SOURCE_DIR}/drivers/redfish" "${PROJECT_SOURCE_DIR}/plugins")
# The reader of answers on kept-alive connections (answer.c).
ed_unit_test(redfish_answer
  SOURCES redfish_answer.c "${PROJECT_SOURCE_DIR}/drivers/redfish/answer.c"
  LIBS ${HTTP_PARSER_LIB})
target_include_directories(test_redfish_answer PRIVATE
  "${PROJECT_SOURCE_DIR}/drivers/redfish" "${HTTP_PARSER_INCLUDE}")
