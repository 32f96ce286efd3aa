/* Unit tests of drivers/redfish/response.c and path.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "path.h"
#include "response.h"

static void curl_classes(void **state) {
  (void)state;
  assert_int_equal(ed__rf_curl_class(CURLE_OK, 200, 0), ED_ERRCLASS_NONE);
  assert_int_equal(ed__rf_curl_class(CURLE_OK, 200, 1), ED_ERRCLASS_TOO_LARGE);
  assert_int_equal(ed__rf_curl_class(CURLE_COULDNT_CONNECT, 0, 0),
                   ED_ERRCLASS_CONNECT);
  assert_int_equal(ed__rf_curl_class(CURLE_RECV_ERROR, 0, 0),
                   ED_ERRCLASS_CONNECT);
  assert_int_equal(ed__rf_curl_class(CURLE_RECV_ERROR, 200, 0),
                   ED_ERRCLASS_PROTOCOL);
  assert_int_equal(ed__rf_curl_class(CURLE_OPERATION_TIMEDOUT, 0, 0),
                   ED_ERRCLASS_TIMEOUT);
  assert_int_equal(ed__rf_curl_class(CURLE_PEER_FAILED_VERIFICATION, 0, 0),
                   ED_ERRCLASS_TLS);
  assert_int_equal(ed__rf_curl_class(CURLE_SSL_CONNECT_ERROR, 0, 0),
                   ED_ERRCLASS_TLS);
  assert_int_equal(ed__rf_curl_class(CURLE_FILESIZE_EXCEEDED, 0, 0),
                   ED_ERRCLASS_TOO_LARGE);
  assert_int_equal(ed__rf_curl_class(CURLE_WEIRD_SERVER_REPLY, 0, 0),
                   ED_ERRCLASS_PROTOCOL);
  assert_int_equal(ed__rf_curl_class(CURLE_ABORTED_BY_CALLBACK, 0, 0),
                   ED_ERRCLASS_CANCELLED);
}

static void status_classes(void **state) {
  (void)state;
  assert_int_equal(ed__rf_status_class(200, 0), ED_ERRCLASS_NONE);
  assert_int_equal(ed__rf_status_class(204, 0), ED_ERRCLASS_NONE);
  assert_int_equal(ed__rf_status_class(401, 0), ED_ERRCLASS_AUTH);
  assert_int_equal(ed__rf_status_class(403, 0), ED_ERRCLASS_AUTH);
  assert_int_equal(ed__rf_status_class(404, 0), ED_ERRCLASS_HTTP_4XX);
  assert_int_equal(ed__rf_status_class(404, 404), ED_ERRCLASS_NONE);
  assert_int_equal(ed__rf_status_class(503, 0), ED_ERRCLASS_HTTP_5XX);
  assert_int_equal(ed__rf_status_class(200, 204), ED_ERRCLASS_OTHER);
  assert_int_equal(ed__rf_status_class(0, 0), ED_ERRCLASS_PROTOCOL);
  assert_int_equal(ed__rf_status_class(999, 0), ED_ERRCLASS_PROTOCOL);
}

static const char doc[] =
    "{\"a\":{\"b\":[10,{\"c\":\"x\"}]},\"m~n\":1,\"s/t\":2,\"\":3,"
    "\"Actions\":{\"#ComputerSystem.Reset\":{\"target\":\"/r\"}}}";

static void want_value(const char *ptr, const char *want) {
  char *v = NULL, detail[128];
  size_t n = 0;
  assert_int_equal(
      ed__rf_extract(doc, strlen(doc), ptr, &v, &n, detail, sizeof(detail)),
      ED_ERRCLASS_NONE);
  assert_string_equal(v, want);
  assert_int_equal(n, strlen(want));
  free(v);
}

static void pointers(void **state) {
  (void)state;
  want_value("/a/b/0", "10");
  want_value("/a/b/1/c", "\"x\"");
  want_value("/a/b/1", "{\"c\":\"x\"}");
  want_value("/m~0n", "1");
  want_value("/s~1t", "2");
  want_value("/", "3");
  want_value("/Actions/#ComputerSystem.Reset/target", "\"/r\"");
}

/* Integers wider than 64 bits are valid JSON that Redfish services send:
 * the body stays readable, the wide value is kept as a number, and the
 * values beside it are read exactly. */
static void wide_integers(void **state) {
  (void)state;
  static const char wide[] =
      "{\"Serial\":340282366920938463463374607431768211455,"
      "\"Neg\":-99999999999999999999,\"Text\":\"123456789012345678901234\","
      "\"Exact\":9223372036854775807,\"Real\":1.5e300}";
  char *v = NULL, detail[128];
  size_t n = 0;
  assert_int_equal(ed__rf_extract(wide, strlen(wide), "/Exact", &v, &n, detail,
                                  sizeof(detail)),
                   ED_ERRCLASS_NONE);
  assert_string_equal(v, "9223372036854775807");
  free(v);
  assert_int_equal(ed__rf_extract(wide, strlen(wide), "/Text", &v, &n, detail,
                                  sizeof(detail)),
                   ED_ERRCLASS_NONE);
  assert_string_equal(v, "\"123456789012345678901234\"");
  free(v);
  assert_int_equal(ed__rf_extract(wide, strlen(wide), "/Serial", &v, &n, detail,
                                  sizeof(detail)),
                   ED_ERRCLASS_NONE);
  assert_true(strtod(v, NULL) > 3.4e38 && strtod(v, NULL) < 3.5e38);
  free(v);
  assert_int_equal(ed__rf_extract(wide, strlen(wide), "/Neg", &v, &n, detail,
                                  sizeof(detail)),
                   ED_ERRCLASS_NONE);
  assert_true(strtod(v, NULL) < -9.9e19);
  free(v);
  /* a truly broken body is still refused */
  static const char broken[] = "{\"a\":123456789012345678901234,";
  assert_int_equal(ed__rf_extract(broken, strlen(broken), "/a", &v, &n, detail,
                                  sizeof(detail)),
                   ED_ERRCLASS_BAD_JSON);
}

static void pointer_misses(void **state) {
  (void)state;
  json_t *root = json_loads(doc, 0, NULL), *out;
  assert_int_equal(ed__rf_json_pointer(root, "/a/b/2", &out), -ENOENT);
  assert_int_equal(ed__rf_json_pointer(root, "/a/b/01", &out), -ENOENT);
  assert_int_equal(ed__rf_json_pointer(root, "/a/b/-", &out), -ENOENT);
  assert_int_equal(ed__rf_json_pointer(root, "/nope", &out), -ENOENT);
  assert_int_equal(ed__rf_json_pointer(root, "/a/b/0/x", &out), -ENOENT);
  assert_int_equal(ed__rf_json_pointer(root, "a", &out), -EINVAL);
  assert_int_equal(ed__rf_json_pointer(root, "/m~2n", &out), -EINVAL);
  assert_int_equal(ed__rf_json_pointer(root, "", &out), 0);
  assert_ptr_equal(out, root);
  json_decref(root);
}

static void bad_bodies(void **state) {
  (void)state;
  char *v = NULL, detail[128];
  size_t n;
  const char *bad[] = {"", "{", "{\"a\":On}", "\xff\xfe", "[1,]"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(ed__rf_extract(bad[i], strlen(bad[i]), "", &v, &n, detail,
                                    sizeof(detail)),
                     ED_ERRCLASS_BAD_JSON);
  assert_int_equal(
      ed__rf_extract(doc, strlen(doc), "/zz", &v, &n, detail, sizeof(detail)),
      ED_ERRCLASS_BAD_JSON);
  assert_non_null(strstr(detail, "/zz"));
  assert_int_equal(ed__rf_extract_string(doc, strlen(doc), "/m~0n", &v, detail,
                                         sizeof(detail)),
                   ED_ERRCLASS_BAD_JSON);
  /* not NUL-terminated: only len bytes count */
  assert_int_equal(
      ed__rf_extract("{}garbage", 2, "", &v, &n, detail, sizeof(detail)),
      ED_ERRCLASS_NONE);
  free(v);
}

static void first_paths(void **state) {
  (void)state;
  char coll[64];
  const char *rest;
  assert_int_equal(ed__rf_path_first("/redfish/v1/Systems/{first}/Bios", coll,
                                     sizeof(coll), &rest),
                   1);
  assert_string_equal(coll, "/redfish/v1/Systems");
  assert_string_equal(rest, "/Bios");
  assert_int_equal(ed__rf_path_first("/redfish/v1", coll, sizeof(coll), &rest),
                   0);
  assert_int_equal(ed__rf_path_first("/x{first}", coll, sizeof(coll), &rest),
                   -EINVAL);
  assert_int_equal(ed__rf_path_first("/x/{first}y", coll, sizeof(coll), &rest),
                   -EINVAL);
  assert_int_equal(ed__rf_path_first("/{first}", coll, sizeof(coll), &rest),
                   -EINVAL);
  assert_int_equal(ed__rf_path_first("/a/b/{first}", coll, 3, &rest), -EINVAL);
}

static void urls(void **state) {
  (void)state;
  char *b = ed__rf_url_base("https://127.0.1.1:8443/redfish/v1");
  assert_string_equal(b, "https://127.0.1.1:8443");
  free(b);
  b = ed__rf_url_base("http://127.0.0.1:8000");
  assert_string_equal(b, "http://127.0.0.1:8000");
  free(b);
  assert_null(ed__rf_url_base("ftp://x"));
  assert_null(ed__rf_url_base("http:///x"));
  assert_string_equal(ed__rf_path_of("https://h:1/a/b"), "/a/b");
  assert_string_equal(ed__rf_path_of("/a/b"), "/a/b");
  assert_null(ed__rf_path_of("https://h:1"));
  assert_null(ed__rf_path_of("a/b"));
}

/* Only an address is cached for good; a name is resolved again. */
static void numeric_hosts(void **state) {
  (void)state;
  assert_int_equal(ed__rf_url_numeric_host("http://127.0.0.1:80"), 1);
  assert_int_equal(ed__rf_url_numeric_host("https://[::1]:8443"), 1);
  assert_int_equal(ed__rf_url_numeric_host("http://127.0.0.1"), 1);
  assert_int_equal(ed__rf_url_numeric_host("http://bmc1:80"), 0);
  assert_int_equal(ed__rf_url_numeric_host("http://localhost"), 0);
  assert_int_equal(ed__rf_url_numeric_host("http://[fe80::1%25eth0]:80"), 0);
  assert_int_equal(ed__rf_url_numeric_host("no-scheme"), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(curl_classes),  cmocka_unit_test(status_classes),
      cmocka_unit_test(pointers),      cmocka_unit_test(pointer_misses),
      cmocka_unit_test(wide_integers), cmocka_unit_test(bad_bodies),
      cmocka_unit_test(first_paths),   cmocka_unit_test(urls),
      cmocka_unit_test(numeric_hosts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
