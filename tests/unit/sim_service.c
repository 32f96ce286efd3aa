/*
 * Unit tests of the virtual BMC's Redfish behaviour (sim/service.h), driven
 * through ed__service_handle() with no socket: routing, auth and sessions,
 * the power state machine, PATCH with If-Match, the SEL, Manager.Reset,
 * mockup loading (the default and, when present, DMTF's public-rackmount1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mockup.h"
#include "power.h"
#include "service.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_fixture.h"

#define BASIC_BAD "Basic YWRtaW46d3Jvbmc=" /* admin:wrong */
#define SYS1 "/redfish/v1/Systems/1"
#define RESET1 SYS1 "/Actions/ComputerSystem.Reset"
#define ENTRIES "/redfish/v1/Managers/1/LogServices/SEL/Entries"
#define SESSIONS "/redfish/v1/SessionService/Sessions"
#define RACK "public-rackmount1"

/* The last answer is a Redfish error whose MessageId ends with id. */
static void assert_error(fx_t *f, int status, const char *id) {
  assert_int_equal(f->r.status, status);
  json_t *j = body(f);
  json_t *e = json_object_get(j, "error");
  const char *code = str_at(e, "code");
  json_t *info = json_array_get(json_object_get(e, "@Message.ExtendedInfo"), 0);
  assert_non_null(code);
  assert_non_null(strstr(code, id));
  assert_non_null(strstr(str_at(info, "MessageId"), id));
  assert_non_null(str_at(info, "Message"));
  assert_non_null(str_at(info, "Severity"));
  assert_non_null(str_at(info, "Resolution"));
  json_decref(j);
}

static const char *power(fx_t *f, int64_t now) {
  return ed__service_power_state(f->s, now);
}

static json_int_t count_of(fx_t *f, const char *path, int64_t now) {
  assert_int_equal(call(f, "GET", path, NULL, now), 200);
  json_t *j = body(f);
  json_int_t n = json_integer_value(json_object_get(j, "Members@odata.count"));
  assert_int_equal((size_t)n, json_array_size(json_object_get(j, "Members")));
  json_decref(j);
  return n;
}

/* ---- routing ----------------------------------------------------------- */

static void test_routing(void **state) {
  fx_t *f = *state;
  assert_int_equal(
      call_full(f, "GET", "/redfish", NULL, NULL, NULL, NULL, NULL, 0), 200);
  json_t *j = body(f);
  assert_string_equal(str_at(j, "v1"), "/redfish/v1/");
  json_decref(j);

  assert_int_equal(
      call_full(f, "GET", "/redfish/v1", NULL, NULL, NULL, NULL, NULL, 0), 200);
  char *a = strdup(f->r.body);
  assert_non_null(f->r.etag);
  assert_int_equal(
      call_full(f, "GET", "/redfish/v1/", NULL, NULL, NULL, NULL, NULL, 0),
      200);
  assert_string_equal(a, f->r.body);
  free(a);

  assert_int_equal(call(f, "GET", SYS1 "/", NULL, 0), 200);
  j = body(f);
  assert_string_equal(str_at(j, "PowerState"), "On");
  json_decref(j);

  call(f, "GET", "/redfish/v1/Systems/2", NULL, 0);
  assert_error(f, 404, "ResourceMissingAtURI");
  call(f, "GET", "/redfish/v1/$metadata", NULL, 0);
  assert_int_equal(f->r.status, 404);

  call(f, "DELETE", SYS1, NULL, 0);
  assert_error(f, 405, "OperationNotAllowed");
  assert_string_equal(f->r.allow, "GET, HEAD, PATCH");
  call(f, "POST", "/redfish/v1/Chassis", "{}", 0);
  assert_error(f, 405, "OperationNotAllowed");
  assert_string_equal(f->r.allow, "GET, HEAD");
  call(f, "GET", RESET1, NULL, 0);
  assert_error(f, 405, "OperationNotAllowed");
  assert_string_equal(f->r.allow, "POST");
  call(f, "PUT", "/redfish/v1/Managers/1", "{}", 0);
  assert_string_equal(f->r.allow, "GET, HEAD");
}

static void test_etag_conditional_get(void **state) {
  fx_t *f = *state;
  assert_int_equal(call(f, "GET", "/redfish/v1/Chassis/1/Thermal", NULL, 0),
                   200);
  char *etag = strdup(f->r.etag);
  assert_int_equal(etag[0], '"');
  assert_int_equal(call_full(f, "GET", "/redfish/v1/Chassis/1/Thermal",
                             BASIC_OK, NULL, NULL, etag, NULL, 0),
                   304);
  assert_null(f->r.body);
  assert_int_equal(call_full(f, "GET", "/redfish/v1/Chassis/1/Thermal",
                             BASIC_OK, NULL, NULL, "\"other\"", NULL, 0),
                   200);
  free(etag);
}

/* ---- auth -------------------------------------------------------------- */

static void test_auth_basic(void **state) {
  fx_t *f = *state;
  call_full(f, "GET", SYS1, NULL, NULL, NULL, NULL, NULL, 0);
  assert_error(f, 401, "NoValidSession");
  call_full(f, "GET", SYS1, BASIC_BAD, NULL, NULL, NULL, NULL, 0);
  assert_error(f, 401, "NoValidSession");
  call_full(f, "GET", SYS1, "Basic !!notbase64", NULL, NULL, NULL, NULL, 0);
  assert_int_equal(f->r.status, 401);
  call_full(f, "GET", SYS1, "Bearer abc", NULL, NULL, NULL, NULL, 0);
  assert_int_equal(f->r.status, 401);
  /* 401 comes before 404: nothing is revealed without credentials. */
  call_full(f, "GET", "/redfish/v1/Nope", NULL, NULL, NULL, NULL, NULL, 0);
  assert_int_equal(f->r.status, 401);
  assert_int_equal(call(f, "GET", SYS1, NULL, 0), 200);
  /* The password never shows up in an answer. */
  call_full(f, "GET", SYS1, BASIC_BAD, NULL, NULL, NULL, NULL, 0);
  assert_null(strstr(f->r.body, "s3cret"));
  assert_null(strstr(f->r.body, "wrong"));
}

/* Logs in at now; returns the token (malloc'd) and the session's URI. */
static char *login(fx_t *f, int64_t now, char **uri) {
  assert_int_equal(
      call_full(f, "POST", SESSIONS, NULL, NULL, NULL, NULL,
                "{\"UserName\": \"admin\", \"Password\": \"s3cret\"}", now),
      201);
  assert_non_null(f->r.auth_token);
  assert_int_equal(strlen(f->r.auth_token), 32);
  assert_non_null(f->r.location);
  json_t *j = body(f);
  assert_non_null(str_at(j, "Id"));
  assert_string_equal(str_at(j, "@odata.id"), f->r.location);
  assert_non_null(strstr(f->r.location, str_at(j, "Id")));
  assert_null(strstr(f->r.body, f->r.auth_token));
  assert_null(strstr(f->r.body, "s3cret"));
  json_decref(j);
  *uri = strdup(f->r.location);
  return strdup(f->r.auth_token);
}

static void test_sessions(void **state) {
  fx_t *f = *state;
  call_full(f, "POST", SESSIONS, NULL, NULL, NULL, NULL,
            "{\"UserName\": \"admin\", \"Password\": \"nope\"}", 0);
  assert_error(f, 401, "NoValidSession");
  assert_null(f->r.auth_token);
  call_full(f, "POST", SESSIONS, NULL, NULL, NULL, NULL, "{\"UserName\":", 0);
  assert_error(f, 400, "MalformedJSON");
  call_full(f, "POST", SESSIONS "/", NULL, NULL, NULL, NULL,
            "{\"UserName\": \"admin\"}", 0);
  assert_error(f, 400, "PropertyMissing");

  char *uri, *uri2;
  char *tok = login(f, 1000, &uri);
  char *tok2 = login(f, 1000, &uri2);
  assert_string_not_equal(tok, tok2);
  assert_string_not_equal(uri, uri2);
  assert_int_equal(call_full(f, "GET", SYS1, NULL, tok, NULL, NULL, NULL, 2000),
                   200);
  call_full(f, "GET", SYS1, NULL, "0123456789abcdef0123456789abcdef", NULL,
            NULL, NULL, 2000);
  assert_int_equal(f->r.status, 401);
  assert_int_equal(count_of(f, SESSIONS, 2000), 2);
  assert_int_equal(call_full(f, "GET", uri, NULL, tok, NULL, NULL, NULL, 2000),
                   200);
  assert_null(strstr(f->r.body, tok));
  /* Below a session there is nothing, and nothing to delete. */
  char deeper[256];
  snprintf(deeper, sizeof(deeper), "%s/Oem", uri);
  assert_int_equal(
      call_full(f, "GET", deeper, NULL, tok, NULL, NULL, NULL, 2000), 404);
  assert_int_equal(
      call_full(f, "DELETE", deeper, NULL, tok, NULL, NULL, NULL, 2000), 404);
  assert_int_equal(count_of(f, SESSIONS, 2000), 2);
  assert_int_equal(
      call_full(f, "DELETE", uri, NULL, tok, NULL, NULL, NULL, 3000), 204);
  call_full(f, "GET", SYS1, NULL, tok, NULL, NULL, NULL, 3000);
  assert_int_equal(f->r.status, 401);
  assert_int_equal(call_full(f, "GET", uri, NULL, tok2, NULL, NULL, NULL, 3000),
                   404);
  assert_int_equal(count_of(f, SESSIONS, 3000), 1);

  /* Idle expiry: used at 1000, still alive at 60999, gone at 61000+. */
  assert_int_equal(
      call_full(f, "GET", SYS1, NULL, tok2, NULL, NULL, NULL, 60999), 200);
  assert_int_equal(
      call_full(f, "GET", SYS1, NULL, tok2, NULL, NULL, NULL, 120998), 200);
  call_full(f, "GET", SYS1, NULL, tok2, NULL, NULL, NULL, 180998);
  assert_int_equal(f->r.status, 401);
  assert_int_equal(count_of(f, SESSIONS, 180998), 0);
  free(tok);
  free(tok2);
  free(uri);
  free(uri2);
}

/* ---- power ------------------------------------------------------------- */

static int reset(fx_t *f, const char *type, int64_t now) {
  char b[96];
  snprintf(b, sizeof(b), "{\"ResetType\": \"%s\"}", type);
  return call(f, "POST", RESET1, b, now);
}

/* Expected state at each instant, checked through the service and a GET. */
typedef struct at_s {
  int64_t t;
  const char *state;
} at_t;

static void expect(fx_t *f, const at_t *at, size_t n) {
  for (size_t i = 0; i < n; i++) {
    assert_string_equal(power(f, at[i].t), at[i].state);
    assert_int_equal(call(f, "GET", SYS1, NULL, at[i].t), 200);
    json_t *j = body(f);
    assert_string_equal(str_at(j, "PowerState"), at[i].state);
    json_decref(j);
  }
}

#define EXPECT(f, ...)                                                         \
  do {                                                                         \
    const at_t at_[] = {__VA_ARGS__};                                          \
    expect(f, at_, sizeof(at_) / sizeof(at_[0]));                              \
  } while (0)

/* on = 1000 ms, off = 2000 ms; restarts hold Off for on / 4 = 250 ms. */
static void test_power_transitions(void **state) {
  fx_t *f = *state;
  EXPECT(f, {0, "On"});
  assert_int_equal(reset(f, "GracefulShutdown", 100), 204);
  EXPECT(f, {100, "PoweringOff"}, {2099, "PoweringOff"}, {2100, "Off"});
  assert_int_equal(reset(f, "GracefulShutdown", 2200), 204);
  EXPECT(f, {2200, "Off"});
  assert_int_equal(reset(f, "On", 3000), 204);
  EXPECT(f, {3000, "PoweringOn"}, {3999, "PoweringOn"}, {4000, "On"});
  assert_int_equal(reset(f, "ForceOff", 5000), 204);
  EXPECT(f, {5000, "Off"}, {9000, "Off"});
  assert_int_equal(reset(f, "ForceRestart", 10000), 204);
  EXPECT(f, {10000, "Off"}, {10249, "Off"}, {10250, "PoweringOn"},
         {11249, "PoweringOn"}, {11250, "On"});
  assert_int_equal(reset(f, "PowerCycle", 12000), 204);
  EXPECT(f, {12000, "Off"}, {12250, "PoweringOn"}, {13250, "On"});
  assert_int_equal(reset(f, "GracefulRestart", 20000), 204);
  EXPECT(f, {20000, "PoweringOff"}, {21999, "PoweringOff"}, {22000, "Off"},
         {22249, "Off"}, {22250, "PoweringOn"}, {23249, "PoweringOn"},
         {23250, "On"});
  assert_int_equal(reset(f, "Nmi", 30000), 204);
  EXPECT(f, {30000, "On"});
  assert_int_equal(reset(f, "PushPowerButton", 31000), 204);
  EXPECT(f, {31000, "PoweringOff"}, {33000, "Off"});
  assert_int_equal(reset(f, "PushPowerButton", 34000), 204);
  EXPECT(f, {34000, "PoweringOn"}, {35000, "On"});
  /* A reset mid-transition continues from where the system is. */
  assert_int_equal(reset(f, "GracefulShutdown", 40000), 204);
  assert_int_equal(reset(f, "On", 41000), 204);
  EXPECT(f, {41000, "PoweringOn"}, {42000, "On"});
  /* On while powering on does not start over. */
  assert_int_equal(reset(f, "ForceOff", 43000), 204);
  assert_int_equal(reset(f, "On", 43000), 204);
  assert_int_equal(reset(f, "On", 43900), 204);
  EXPECT(f, {44000, "On"});
}

static void test_power_refusals(void **state) {
  fx_t *f = *state;
  reset(f, "Dance", 0);
  assert_error(f, 400, "ActionParameterValueNotInList");
  reset(f, "ForceOn", 0); /* known, but not in this mockup's list */
  assert_error(f, 400, "ActionParameterValueNotInList");
  call(f, "POST", RESET1, "{}", 0);
  assert_error(f, 400, "ActionParameterMissing");
  call(f, "POST", RESET1, "{\"ResetType\": 3}", 0);
  assert_error(f, 400, "ActionParameterValueNotInList");
  call(f, "POST", RESET1, "{not json", 0);
  assert_error(f, 400, "MalformedJSON");
  call_full(f, "POST", RESET1, NULL, NULL, NULL, NULL,
            "{\"ResetType\": \"ForceOff\"}", 0);
  assert_int_equal(f->r.status, 401);
  EXPECT(f, {0, "On"});
}

static void test_power_machine_direct(void **state) {
  (void)state;
  ed__power_t p;
  ed__power_timing_t t = {0, 0}; /* zero delays: instant transitions */
  ed__power_init(&p, false);
  assert_int_equal(ed__power_state(&p, &t, 0), ED__PWR_OFF);
  ed__power_reset(&p, &t, ED__RESET_ON, 5);
  assert_int_equal(ed__power_state(&p, &t, 5), ED__PWR_ON);
  assert_int_equal(ed__power_reset_parse("GracefulRestart"),
                   ED__RESET_GRACEFUL_RESTART);
  assert_true(ed__power_reset_parse("graceful") < 0);
  for (int r = 0; r < ED__RESET_COUNT; r++)
    assert_int_equal(ed__power_reset_parse(ed__power_reset_name(r)), r);
}

/* ---- PATCH ------------------------------------------------------------- */

static char *etag_of(fx_t *f, const char *path, int64_t now) {
  assert_int_equal(call(f, "GET", path, NULL, now), 200);
  assert_non_null(f->r.etag);
  return strdup(f->r.etag);
}

static void test_patch_if_match(void **state) {
  fx_t *f = *state;
  char *e1 = etag_of(f, SYS1, 0);
  call_full(f, "PATCH", SYS1, BASIC_OK, NULL, "\"0000\"", NULL,
            "{\"AssetTag\": \"rack-7\"}", 0);
  assert_error(f, 412, "PreconditionFailed");
  assert_int_equal(call_full(f, "PATCH", SYS1, BASIC_OK, NULL, e1, NULL,
                             "{\"AssetTag\": \"rack-7\", "
                             "\"IndicatorLED\": \"Blinking\"}",
                             0),
                   200);
  json_t *j = body(f);
  assert_string_equal(str_at(j, "AssetTag"), "rack-7");
  json_decref(j);
  char *e2 = etag_of(f, SYS1, 0);
  assert_string_not_equal(e1, e2);
  j = body(f);
  assert_string_equal(str_at(j, "IndicatorLED"), "Blinking");
  json_decref(j);
  /* The old ETag is stale now; "*" and the new one match. */
  call_full(f, "PATCH", SYS1, BASIC_OK, NULL, e1, NULL, "{\"AssetTag\": \"x\"}",
            0);
  assert_int_equal(f->r.status, 412);
  assert_int_equal(call_full(f, "PATCH", SYS1, BASIC_OK, NULL, "*", NULL,
                             "{\"LocationIndicatorActive\": true}", 0),
                   200);
  /* A power change changes the ETag too (PowerState is in the text). */
  char *e3 = etag_of(f, SYS1, 0);
  reset(f, "ForceOff", 1);
  char *e4 = etag_of(f, SYS1, 1);
  assert_string_not_equal(e3, e4);
  call_full(f, "PATCH", SYS1, BASIC_OK, NULL, e3, NULL, "{\"AssetTag\": \"y\"}",
            1);
  assert_int_equal(f->r.status, 412);
  free(e1);
  free(e2);
  free(e3);
  free(e4);
}

static void test_patch_refusals(void **state) {
  fx_t *f = *state;
  call(f, "PATCH", SYS1, "{\"Model\": \"X\"}", 0);
  assert_error(f, 400, "PropertyNotWritable");
  call(f, "PATCH", SYS1, "{\"Colour\": \"blue\"}", 0);
  assert_error(f, 400, "PropertyUnknown");
  call(f, "PATCH", SYS1, "{\"IndicatorLED\": \"Purple\"}", 0);
  assert_error(f, 400, "PropertyValueNotInList");
  call(f, "PATCH", SYS1, "{\"AssetTag\": 5}", 0);
  assert_error(f, 400, "PropertyValueTypeError");
  call(f, "PATCH", SYS1, "[1,", 0);
  assert_error(f, 400, "MalformedJSON");
  /* All or nothing: a refused PATCH wrote no property. */
  call(f, "PATCH", SYS1, "{\"AssetTag\": \"z\", \"Model\": \"X\"}", 0);
  assert_int_equal(f->r.status, 400);
  assert_int_equal(call(f, "GET", SYS1, NULL, 0), 200);
  json_t *j = body(f);
  assert_string_equal(str_at(j, "AssetTag"), "");
  json_decref(j);
  call(f, "PATCH", "/redfish/v1/Managers/1", "{\"AssetTag\": \"m\"}", 0);
  assert_error(f, 405, "OperationNotAllowed");
  assert_int_equal(
      call(f, "PATCH", "/redfish/v1/Chassis/1", "{\"AssetTag\": \"c-1\"}", 0),
      200);
}

/* Two BMCs on one template: a change to one is invisible to the other. */
static void test_isolation_and_footprint(void **state) {
  fx_t *f = *state;
  ed__service_t *other = NULL;
  assert_int_equal(ed__service_create(f->m, &cfg, &other), 0);
  size_t untouched = ed__service_footprint(other);
  assert_true(untouched <= 128);
  assert_int_equal(call(f, "PATCH", SYS1, "{\"AssetTag\": \"mine\"}", 0), 200);
  reset(f, "ForceOff", 0);
  assert_true(ed__service_footprint(f->s) > untouched);
  assert_string_equal(ed__service_power_state(other, 0), "On");
  ed__sim_response_t r;
  ed__sim_request_t q = {
      .method = "GET", .path = SYS1, .authorization = BASIC_OK};
  assert_int_equal(ed__service_handle(other, &q, 0, &r), 0);
  assert_int_equal(r.status, 200);
  assert_null(strstr(r.body, "mine"));
  assert_non_null(strstr(r.body, "\"On\""));
  ed__sim_response_free(&r);
  assert_int_equal(ed__service_footprint(other), untouched);
  ed__service_destroy(other);
}

/* ---- SEL and Manager.Reset --------------------------------------------- */

static void test_sel_growth(void **state) {
  fx_t *f = *state;
  assert_int_equal(count_of(f, ENTRIES, 0), 1);
  assert_int_equal(reset(f, "ForceOff", 10), 204);
  assert_int_equal(reset(f, "On", 20), 204);
  assert_int_equal(count_of(f, ENTRIES, 30), 3);
  json_t *j = body(f);
  const char *last =
      str_at(json_array_get(json_object_get(j, "Members"), 2), "@odata.id");
  assert_string_equal(last, ENTRIES "/3");
  json_decref(j);
  assert_int_equal(call(f, "GET", ENTRIES "/2", NULL, 30), 200);
  j = body(f);
  assert_string_equal(str_at(j, "Id"), "2");
  assert_string_equal(str_at(j, "EntryType"), "SEL");
  assert_non_null(strstr(str_at(j, "Message"), "ForceOff"));
  assert_non_null(strstr(str_at(j, "Message"), "On -> Off"));
  json_decref(j);
  call(f, "DELETE", ENTRIES "/2", NULL, 30);
  assert_int_equal(f->r.status, 405);
  call(f, "GET", ENTRIES "/9", NULL, 30);
  assert_int_equal(f->r.status, 404);
  /* ClearLog empties it, the mockup's own entry included. */
  assert_int_equal(call(f, "POST",
                        "/redfish/v1/Managers/1/LogServices/SEL/"
                        "Actions/LogService.ClearLog",
                        "{}", 40),
                   204);
  assert_int_equal(count_of(f, ENTRIES, 40), 0);
  assert_int_equal(call(f, "GET", ENTRIES "/1", NULL, 40), 404);
  reset(f, "GracefulShutdown", 50);
  assert_int_equal(count_of(f, ENTRIES, 50), 1);
  assert_int_equal(call(f, "GET", ENTRIES "/4", NULL, 50), 200);
}

static void test_manager_reset(void **state) {
  fx_t *f = *state;
  const char *t = "/redfish/v1/Managers/1/Actions/Manager.Reset";
  call(f, "POST", t, "{\"ResetType\": \"On\"}", 0);
  assert_error(f, 400, "ActionParameterValueNotInList");
  assert_int_equal(f->r.go_down_ms, 0);
  assert_int_equal(
      call(f, "POST", t, "{\"ResetType\": \"GracefulRestart\"}", 0), 204);
  assert_int_equal(f->r.go_down_ms, 3000);
  assert_null(f->r.body);
  assert_int_equal(call(f, "POST", t, NULL, 0), 204); /* no body: default */
  assert_int_equal(f->r.go_down_ms, 3000);
  assert_int_equal(count_of(f, ENTRIES, 0), 3);
  /* The BMC's reset leaves the host's power alone. */
  assert_string_equal(power(f, 0), "On");
}

static void test_error_response(void **state) {
  (void)state;
  ed__sim_response_t r;
  assert_int_equal(
      ed__sim_error_response(&r, 503, "Base.1.16.ServiceTemporarilyUnavailable",
                             "busy"),
      0);
  assert_int_equal(r.status, 503);
  json_t *j = json_loadb(r.body, r.body_len, 0, NULL);
  json_t *e = json_object_get(j, "error");
  assert_string_equal(str_at(e, "code"),
                      "Base.1.16.ServiceTemporarilyUnavailable");
  assert_string_equal(str_at(e, "message"), "busy");
  json_t *i = json_array_get(json_object_get(e, "@Message.ExtendedInfo"), 0);
  assert_string_equal(str_at(i, "Severity"), "Critical");
  json_decref(j);
  ed__sim_response_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_routing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_etag_conditional_get, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_auth_basic, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
      cmocka_unit_test_setup_teardown(test_power_transitions, setup, teardown),
      cmocka_unit_test_setup_teardown(test_power_refusals, setup, teardown),
      cmocka_unit_test(test_power_machine_direct),
      cmocka_unit_test_setup_teardown(test_patch_if_match, setup, teardown),
      cmocka_unit_test_setup_teardown(test_patch_refusals, setup, teardown),
      cmocka_unit_test_setup_teardown(test_isolation_and_footprint, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_sel_growth, setup, teardown),
      cmocka_unit_test_setup_teardown(test_manager_reset, setup, teardown),
      cmocka_unit_test(test_error_response),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
