/*
 * The fixture of the simulator's service tests (sim_service.c, sim_mockup.c):
 * one BMC's service on the default mockup, and requests made to it directly,
 * without sockets. Included by each test file; everything is static.
 */
#ifndef ED_TEST_SIM_FIXTURE_H
#define ED_TEST_SIM_FIXTURE_H

#define BASIC_OK "Basic YWRtaW46czNjcmV0" /* admin:s3cret */

typedef struct fx_s {
  ed__mockup_t *m;
  ed__service_t *s;
  ed__sim_response_t r;
} fx_t;

static const ed__service_config_t cfg = {
    .user = "admin",
    .password = "s3cret",
    .power_on_ms = 1000,
    .power_off_ms = 2000,
    .bmc_reset_ms = 3000,
    .session_timeout_ms = 60000,
};

static inline int setup(void **state) {
  fx_t *f = calloc(1, sizeof(*f));
  char err[256] = "";
  if (f == NULL || ed__mockup_load("default", &f->m, err, sizeof(err)) != 0 ||
      ed__service_create(f->m, &cfg, &f->s) != 0) {
    fprintf(stderr, "setup: %s\n", err);
    return -1;
  }
  *state = f;
  return 0;
}

static inline int teardown(void **state) {
  fx_t *f = *state;
  ed__sim_response_free(&f->r);
  ed__service_destroy(f->s);
  ed__mockup_destroy(f->m);
  free(f);
  return 0;
}

/* One request with every optional header; the answer lands in f->r. */
static inline int call_full(fx_t *f, const char *method, const char *path,
                            const char *authz, const char *token,
                            const char *if_match, const char *if_none,
                            const char *body, int64_t now) {
  ed__sim_response_free(&f->r);
  ed__sim_request_t q = {.method = method,
                         .path = path,
                         .authorization = authz,
                         .auth_token = token,
                         .if_match = if_match,
                         .if_none_match = if_none,
                         .body = body,
                         .body_len = body ? strlen(body) : 0};
  assert_int_equal(ed__service_handle(f->s, &q, now, &f->r), 0);
  return f->r.status;
}

static inline int call(fx_t *f, const char *method, const char *path,
                       const char *body, int64_t now) {
  return call_full(f, method, path, BASIC_OK, NULL, NULL, NULL, body, now);
}

/* The body of the last answer, parsed (caller decrefs). */
static inline json_t *body(fx_t *f) {
  assert_non_null(f->r.body);
  json_t *j = json_loadb(f->r.body, f->r.body_len, 0, NULL);
  assert_non_null(j);
  return j;
}

static inline const char *str_at(json_t *j, const char *k) {
  return json_string_value(json_object_get(j, k));
}

#endif
