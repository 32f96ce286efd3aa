/* Unit tests of drivers/ipmi/util.c: option checks, error classes and
 * value formatting, without a BMC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ipmi.h"

static void privilege(void **state) {
  (void)state;
  char err[256];
  uint8_t p = 0;
  assert_int_equal(ed__ipmi_parse_privilege("admin", &p, err, sizeof(err)), 0);
  assert_int_equal(p, IPMI_PRIVILEGE_LEVEL_ADMIN);
  assert_int_equal(ed__ipmi_parse_privilege("Operator", &p, err, sizeof(err)),
                   0);
  assert_int_equal(p, IPMI_PRIVILEGE_LEVEL_OPERATOR);
  assert_int_equal(ed__ipmi_parse_privilege("user", &p, err, sizeof(err)), 0);
  assert_string_equal(ed__ipmi_privilege_name(p), "user");
  assert_int_equal(ed__ipmi_parse_privilege("root", &p, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "\"root\" is not a privilege level"));
}

static void cipher(void **state) {
  (void)state;
  char err[512];
  assert_int_equal(ed__ipmi_check_cipher(3, 0, err, sizeof(err)), 0);
  assert_int_equal(ed__ipmi_check_cipher(17, 0, err, sizeof(err)), 0);
  assert_int_equal(ed__ipmi_check_cipher(0, 0, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "no authentication"));
  assert_non_null(strstr(err, "allow_cipher_0"));
  assert_int_equal(ed__ipmi_check_cipher(0, 1, err, sizeof(err)), 0);
  assert_int_equal(ed__ipmi_check_cipher(4, 1, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "not supported"));
  assert_int_equal(ed__ipmi_check_cipher(300, 1, err, sizeof(err)), -1);
}

static void host(void **state) {
  (void)state;
  char err[256];
  assert_int_equal(ed__ipmi_check_host("127.0.0.5", err, sizeof(err)), 0);
  assert_int_equal(ed__ipmi_check_host("127.0.0.1:9623", err, sizeof(err)), 0);
  assert_int_equal(ed__ipmi_check_host("bmc1.example:623", err, sizeof(err)),
                   0);
  assert_int_equal(ed__ipmi_check_host("fe80::1", err, sizeof(err)), 0);
  assert_int_equal(ed__ipmi_check_host("[127.0.0.1]:9623", err, sizeof(err)),
                   -1);
  assert_non_null(strstr(err, "brackets"));
  assert_int_equal(ed__ipmi_check_host("127.0.0.1:0", err, sizeof(err)), -1);
  assert_int_equal(ed__ipmi_check_host("127.0.0.1:70000", err, sizeof(err)),
                   -1);
  assert_int_equal(ed__ipmi_check_host("127.0.0.1:x", err, sizeof(err)), -1);
  assert_int_equal(ed__ipmi_check_host(":623", err, sizeof(err)), -1);
  assert_int_equal(ed__ipmi_check_host("", err, sizeof(err)), -1);
}

static void timeouts_and_workarounds(void **state) {
  (void)state;
  char err[512];
  unsigned f = 99;
  assert_int_equal(ed__ipmi_check_timeouts(10000, 1000, err, sizeof(err)), 0);
  assert_int_equal(ed__ipmi_check_timeouts(1000, 1000, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "shorter than"));
  assert_int_equal(ed__ipmi_parse_workarounds("[]", &f, err, sizeof(err)), 0);
  assert_int_equal(f, 0);
  assert_int_equal(ed__ipmi_parse_workarounds("[\"opensesspriv\",\"authcap\"]",
                                              &f, err, sizeof(err)),
                   0);
  assert_int_equal(
      f, IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_OPEN_SESSION_PRIVILEGE |
             IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_AUTHENTICATION_CAPABILITIES);
  assert_int_equal(
      ed__ipmi_parse_workarounds("[\"nope\"]", &f, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "workarounds[0]: unknown workaround \"nope\""));
  assert_int_equal(ed__ipmi_parse_workarounds("[1]", &f, err, sizeof(err)), -1);
  assert_int_equal(
      ed__ipmi_parse_workarounds("\"opensesspriv\"", &f, err, sizeof(err)), -1);
}

static void power_actions(void **state) {
  (void)state;
  char err[256];
  uint8_t c = 0xff;
  assert_int_equal(ed__ipmi_parse_power("on", &c, err, sizeof(err)), 0);
  assert_int_equal(c, IPMI_CHASSIS_CONTROL_POWER_UP);
  assert_int_equal(ed__ipmi_parse_power("off", &c, err, sizeof(err)), 0);
  assert_int_equal(c, IPMI_CHASSIS_CONTROL_POWER_DOWN);
  assert_int_equal(ed__ipmi_parse_power("cycle", &c, err, sizeof(err)), 0);
  assert_int_equal(c, IPMI_CHASSIS_CONTROL_POWER_CYCLE);
  assert_int_equal(ed__ipmi_parse_power("reset", &c, err, sizeof(err)), 0);
  assert_int_equal(c, IPMI_CHASSIS_CONTROL_HARD_RESET);
  assert_int_equal(ed__ipmi_parse_power("soft", &c, err, sizeof(err)), 0);
  assert_int_equal(c, IPMI_CHASSIS_CONTROL_INITIATE_SOFT_SHUTDOWN);
  assert_int_equal(ed__ipmi_parse_power("ForceOff", &c, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "on, off, cycle, reset, soft"));
}

static void classify(void **state) {
  (void)state;
  static const struct {
    int n;
    ed_errclass_t cls;
    int reopen;
    const char *text;
  } cases[] = {
      {IPMI_ERR_PASSWORD_INVALID, ED_ERRCLASS_AUTH, 1, "password refused"},
      {IPMI_ERR_USERNAME_INVALID, ED_ERRCLASS_AUTH, 1, "user name refused"},
      {IPMI_ERR_PRIVILEGE_LEVEL_INSUFFICIENT, ED_ERRCLASS_AUTH, 0,
       "insufficient privilege: the command needs more than the session's "
       "\"operator\""},
      {IPMI_ERR_PRIVILEGE_LEVEL_CANNOT_BE_OBTAINED, ED_ERRCLASS_AUTH, 1,
       "level \"operator\" cannot be obtained"},
      {IPMI_ERR_CIPHER_SUITE_ID_UNAVAILABLE, ED_ERRCLASS_AUTH, 1,
       "cipher suite"},
      {IPMI_ERR_CONNECTION_TIMEOUT, ED_ERRCLASS_CONNECT, 1, "no answer"},
      {IPMI_ERR_SESSION_TIMEOUT, ED_ERRCLASS_TIMEOUT, 1, "no answer"},
      {IPMI_ERR_HOSTNAME_INVALID, ED_ERRCLASS_CONNECT, 1, "host name"},
      {IPMI_ERR_BMC_BUSY, ED_ERRCLASS_PROTOCOL, 0, "BMC busy"},
      {IPMI_ERR_COMMAND_INVALID_OR_UNSUPPORTED, ED_ERRCLASS_PROTOCOL, 0,
       "0xC1"},
      {IPMI_ERR_SYSTEM_ERROR, ED_ERRCLASS_OTHER, 1, ""},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    ed__ipmi_err_t e = {0};
    ed__ipmi_classify(cases[i].n, "operator", &e);
    assert_int_equal(e.err, cases[i].cls);
    assert_int_equal(e.reopen, cases[i].reopen);
    assert_non_null(strstr(e.detail, cases[i].text));
    assert_true(e.code == -1 || e.code == 0xC0 || e.code == 0xC1);
  }
}

static void completion_codes(void **state) {
  (void)state;
  ed__ipmi_err_t e = {0};
  /* Get Chassis Status (0x01), netfn chassis, 0xC0 node busy */
  ed__ipmi_completion(0x01, IPMI_NET_FN_CHASSIS_RQ, 0xC0, &e);
  assert_int_equal(e.err, ED_ERRCLASS_PROTOCOL);
  assert_int_equal(e.code, 0xC0);
  assert_int_equal(e.reopen, 0);
  assert_non_null(strstr(e.detail, "completion code 0xC0"));
  assert_non_null(strstr(e.detail, "Node Busy"));
  /* Chassis Control (0x02) refused for privilege */
  ed__ipmi_completion(0x02, IPMI_NET_FN_CHASSIS_RQ, 0xD4, &e);
  assert_int_equal(e.err, ED_ERRCLASS_AUTH);
  assert_int_equal(e.code, 0xD4);
  assert_non_null(strstr(e.detail, "insufficient privilege: completion code "
                                   "0xD4"));
}

static void values(void **state) {
  (void)state;
  char *s = ed__ipmi_json_text(ed__ipmi_number(40.0));
  assert_string_equal(s, "40");
  free(s);
  s = ed__ipmi_json_text(ed__ipmi_number(40.5));
  assert_string_equal(s, "40.5");
  free(s);
  s = ed__ipmi_json_text(json_string("on"));
  assert_string_equal(s, "\"on\"");
  free(s);
  assert_string_equal(ed__ipmi_threshold_state(0), "ok");
  assert_string_equal(ed__ipmi_threshold_state(0x08), "non-critical");
  assert_string_equal(ed__ipmi_threshold_state(0x18), "critical");
  assert_string_equal(ed__ipmi_threshold_state(0x02), "critical");
  assert_string_equal(ed__ipmi_threshold_state(0x3f), "non-recoverable");
  s = ed__ipmi_json_text(ed__ipmi_device_id(0, 3, 9, 0x08, 2, 0, 4753, 3842));
  assert_string_equal(s, "{\"device_id\":0,\"device_revision\":3,"
                         "\"firmware_revision\":\"9.08\",\"ipmi_version\":"
                         "\"2.0\",\"manufacturer_id\":4753,\"product_id\":"
                         "3842}");
  free(s);
}

static void sel_entries(void **state) {
  (void)state;
  /* record 1, system event, t=4613, generator 0x20, temperature sensor 1,
   * threshold type, assertion, upper critical going high (offset 9) */
  const uint8_t rec[16] = {0x01, 0x00, 0x02, 0x05, 0x12, 0x00, 0x00, 0x20,
                           0x00, 0x04, 0x01, 0x01, 0x01, 0x59, 0x95, 0x90};
  char *s = ed__ipmi_json_text(ed__ipmi_sel_entry(rec, sizeof(rec)));
  assert_string_equal(
      s, "{\"id\":1,\"record_type\":2,\"timestamp\":4613,\"generator\":32,"
         "\"sensor_type\":\"Temperature\",\"sensor_type_code\":1,"
         "\"sensor_number\":1,\"event_type\":1,\"direction\":\"assertion\","
         "\"offset\":9,\"data\":[89,149,144]}");
  free(s);
  const uint8_t oem[16] = {0x02, 0x00, 0xe0, 1, 2,  3,  4,  5,
                           6,    7,    8,    9, 10, 11, 12, 13};
  s = ed__ipmi_json_text(ed__ipmi_sel_entry(oem, sizeof(oem)));
  assert_string_equal(s, "{\"id\":2,\"record_type\":224,\"raw\":"
                         "\"0200e00102030405060708090a0b0c0d\"}");
  free(s);
  assert_null(ed__ipmi_sel_entry(rec, 10));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(privilege),
      cmocka_unit_test(cipher),
      cmocka_unit_test(host),
      cmocka_unit_test(timeouts_and_workarounds),
      cmocka_unit_test(power_actions),
      cmocka_unit_test(classify),
      cmocka_unit_test(completion_codes),
      cmocka_unit_test(values),
      cmocka_unit_test(sel_entries),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
