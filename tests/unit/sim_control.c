/*
 * Unit tests of the fleet's control commands in-process (sim/sim.h):
 * ed_sim_control with each op, the configuration's "changes" applied at
 * start and their errors, a drifting sensor read back after half a second
 * of real time. The fleet runs on its own loop on 127.0.0.1 (free ports);
 * a small libuv client in this file reads what the BMCs serve.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "error.h"
#include "sim.h"

#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#define AUTH "Basic YWRtaW46cGFzc3dvcmQ=" /* admin:password, the default */
#define THERMAL "/redfish/v1/Chassis/1/Thermal"
#define POWER "/redfish/v1/Chassis/1/Power"
#define MANAGER "/redfish/v1/Managers/1"
#define ENTRIES MANAGER "/LogServices/SEL/Entries"

/* ---- a small HTTP client on the fleet's loop --------------------------- */

typedef struct get_s {
  uv_tcp_t tcp;
  uv_connect_t conn;
  uv_write_t w;
  char req[512];
  char *buf;
  size_t len;
  int done;
  int refused;
} get_t;

static void get_closed(uv_handle_t *h) {
  ((get_t *)h->data)->done = 1;
}

static void get_alloc(uv_handle_t *h, size_t n, uv_buf_t *b) {
  get_t *g = h->data;
  g->buf = realloc(g->buf, g->len + n + 1);
  b->base = g->buf + g->len;
  b->len = n;
}

static void get_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b) {
  get_t *g = s->data;
  (void)b;
  if (n > 0)
    g->len += (size_t)n;
  if (n < 0)
    uv_close((uv_handle_t *)&g->tcp, get_closed);
}

static void get_connected(uv_connect_t *c, int status) {
  get_t *g = c->data;
  if (status < 0) {
    g->refused = 1;
    uv_close((uv_handle_t *)&g->tcp, get_closed);
    return;
  }
  uv_buf_t b = uv_buf_init(g->req, (unsigned)strlen(g->req));
  uv_write(&g->w, (uv_stream_t *)&g->tcp, &b, 1, NULL);
  uv_read_start((uv_stream_t *)&g->tcp, get_alloc, get_read);
}

/* GET path of a BMC whose base URL is url ("http://127.0.0.1:PORT").
 * Returns the status (-1: connection refused); *out gets the JSON body
 * (caller decrefs) when out is not NULL. */
static int http_get(uv_loop_t *loop, const char *url, const char *path,
                    json_t **out) {
  get_t g;
  memset(&g, 0, sizeof(g));
  unsigned port = 0;
  assert_int_equal(sscanf(url, "http://127.0.0.1:%u", &port), 1);
  snprintf(g.req, sizeof(g.req),
           "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " AUTH
           "\r\nConnection: close\r\n\r\n",
           path);
  struct sockaddr_in sa;
  uv_ip4_addr("127.0.0.1", (int)port, &sa);
  uv_tcp_init(loop, &g.tcp);
  g.tcp.data = g.conn.data = &g;
  assert_int_equal(
      uv_tcp_connect(&g.conn, &g.tcp, (struct sockaddr *)&sa, get_connected),
      0);
  while (!g.done)
    uv_run(loop, UV_RUN_ONCE);
  int status = -1;
  if (!g.refused) {
    assert_non_null(g.buf);
    g.buf[g.len] = '\0';
    assert_int_equal(sscanf(g.buf, "HTTP/1.1 %d", &status), 1);
    const char *b = strstr(g.buf, "\r\n\r\n");
    if (out) {
      assert_non_null(b);
      *out = json_loads(b + 4, 0, NULL);
      assert_non_null(*out);
    }
  }
  free(g.buf);
  return status;
}

/* GET that must answer 200; the body (caller decrefs). */
static json_t *get_ok(uv_loop_t *loop, const char *url, const char *path) {
  json_t *j = NULL;
  assert_int_equal(http_get(loop, url, path, &j), 200);
  return j;
}

/* ---- the fleet --------------------------------------------------------- */

typedef struct fx_s {
  uv_loop_t loop;
  ed_sim_t *sim;
  int closed;
} fx_t;

static void on_closed(void *arg) {
  ((fx_t *)arg)->closed = 1;
}

/* A fleet of n BMCs on free ports of 127.0.0.1, with extra keys from the
 * JSON text extra (an object, or NULL). Returns ed_sim_create's code; err
 * holds its message. */
static int fleet(fx_t *f, size_t n, const char *extra, char *err,
                 size_t errlen) {
  json_t *cfg =
      json_pack("{s:I,s:{s:s,s:s,s:i}}", "bmcs", (json_int_t)n, "listen",
                "mode", "ports", "address", "127.0.0.1", "port", 0);
  if (extra) {
    json_error_t je;
    json_t *x = json_loads(extra, 0, &je);
    if (!x)
      fail_msg("bad test JSON: %s: %s", je.text, extra);
    json_object_update(cfg, x);
    json_decref(x);
  }
  int rc = ed_sim_create(&f->loop, cfg, "fleet.json", &f->sim, err, errlen);
  json_decref(cfg);
  if (rc == 0 && ed_sim_start(f->sim, err, errlen) != 0)
    fail_msg("start: %s", err);
  return rc;
}

static int setup(void **state) {
  fx_t *f = calloc(1, sizeof(*f));
  if (!f || uv_loop_init(&f->loop) != 0)
    return -1;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fx_t *f = *state;
  if (f->sim) {
    ed_sim_close(f->sim, on_closed, f);
    while (!f->closed)
      uv_run(&f->loop, UV_RUN_ONCE);
  }
  uv_run(&f->loop, UV_RUN_DEFAULT);
  int rc = uv_loop_close(&f->loop);
  free(f);
  return rc == 0 ? 0 : -1;
}

static int control(fx_t *f, const char *cmd_text, char *err, size_t errlen) {
  json_t *cmd = json_loads(cmd_text, 0, NULL);
  assert_non_null(cmd);
  err[0] = '\0';
  int rc = ed_sim_control(f->sim, cmd, err, errlen);
  json_decref(cmd);
  return rc;
}

static json_t *named(json_t *j, const char *key, const char *name) {
  size_t i;
  json_t *el;
  json_array_foreach(json_object_get(j, key), i, el) {
    if (strcmp(json_string_value(json_object_get(el, "Name")), name) == 0)
      return el;
  }
  fail_msg("no %s named %s", key, name);
  return NULL;
}

static const char *health(json_t *obj) {
  return json_string_value(
      json_object_get(json_object_get(obj, "Status"), "Health"));
}

static double cpu1(fx_t *f, size_t bmc, const char **h) {
  json_t *j = get_ok(&f->loop, ed_sim_url(f->sim, bmc), THERMAL);
  json_t *el = named(j, "Temperatures", "CPU1 Temp");
  double v = json_number_value(json_object_get(el, "ReadingCelsius"));
  static char hb[16];
  snprintf(hb, sizeof(hb), "%s", health(el));
  *h = hb;
  json_decref(j);
  return v;
}

static json_int_t sel_count(fx_t *f, size_t bmc) {
  json_t *j = get_ok(&f->loop, ed_sim_url(f->sim, bmc), ENTRIES);
  json_int_t n = json_integer_value(json_object_get(j, "Members@odata.count"));
  assert_int_equal((size_t)n, json_array_size(json_object_get(j, "Members")));
  json_decref(j);
  return n;
}

/* Seconds between the manager's DateTime and now + offset_s. */
static double clock_skew(fx_t *f, size_t bmc, double offset_s) {
  json_t *m = get_ok(&f->loop, ed_sim_url(f->sim, bmc), MANAGER);
  const char *dt = json_string_value(json_object_get(m, "DateTime"));
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  assert_non_null(dt);
  assert_non_null(strptime(dt, "%Y-%m-%dT%H:%M:%S+00:00", &tm));
  assert_string_equal(
      json_string_value(json_object_get(m, "DateTimeLocalOffset")), "+00:00");
  json_decref(m);
  return difftime(timegm(&tm), time(NULL)) - offset_s;
}

/* ---- tests ------------------------------------------------------------- */

static void test_each_op_in_process(void **state) {
  fx_t *f = *state;
  char err[512];
  const char *h;
  assert_int_equal(fleet(f, 3, NULL, err, sizeof(err)), 0);
  assert_int_equal(control(f,
                           "{\"op\": \"sensor\", \"bmc\": 1, \"name\": "
                           "\"CPU1 Temp\", \"value\": 88}",
                           err, sizeof(err)),
                   0);
  assert_true(cpu1(f, 1, &h) == 88);
  assert_string_equal(h, "Warning");
  assert_true(cpu1(f, 0, &h) == 46);
  assert_string_equal(h, "OK");
  assert_int_equal(control(f,
                           "{\"op\": \"sensor\", \"bmc\": [0, 1], \"name\": "
                           "\"CPU1 Temp\", \"jump\": 4}",
                           err, sizeof(err)),
                   0);
  assert_true(cpu1(f, 1, &h) == 92);
  assert_string_equal(h, "Critical");
  assert_true(cpu1(f, 0, &h) == 50);
  /* sel: add to two BMCs, clear one. */
  assert_int_equal(control(f,
                           "{\"op\": \"sel\", \"bmc\": [1, 2], \"severity\": "
                           "\"Critical\", \"message\": \"PSU2 failure "
                           "detected\"}",
                           err, sizeof(err)),
                   0);
  assert_int_equal(sel_count(f, 0), 1);
  assert_int_equal(sel_count(f, 2), 2);
  json_t *e = get_ok(&f->loop, ed_sim_url(f->sim, 2), ENTRIES "/2");
  assert_string_equal(json_string_value(json_object_get(e, "Severity")),
                      "Critical");
  json_decref(e);
  assert_int_equal(control(f, "{\"op\": \"sel\", \"bmc\": 2, \"clear\": true}",
                           err, sizeof(err)),
                   0);
  assert_int_equal(sel_count(f, 2), 0);
  assert_int_equal(sel_count(f, 1), 2);
  /* patch: no credentials, no ETag needed. */
  assert_int_equal(
      control(f,
              "{\"op\": \"patch\", \"bmc\": 2, \"path\": \"" POWER
              "\", \"pointer\": \"/PowerSupplies/1/Status/Health\", "
              "\"value\": \"Critical\"}",
              err, sizeof(err)),
      0);
  json_t *p = get_ok(&f->loop, ed_sim_url(f->sim, 2), POWER);
  assert_string_equal(health(named(p, "PowerSupplies", "PSU2")), "Critical");
  json_decref(p);
  /* clock: "all" and then one BMC. */
  assert_int_equal(
      control(f, "{\"op\": \"clock\", \"offset\": \"90s\"}", err, sizeof(err)),
      0);
  assert_int_equal(control(f,
                           "{\"op\": \"clock\", \"bmc\": 2, \"offset\": "
                           "\"-90 seconds\"}",
                           err, sizeof(err)),
                   ED_EINVAL);
  assert_non_null(strstr(err, "offset: expected a duration"));
  assert_int_equal(control(f,
                           "{\"op\": \"clock\", \"bmc\": 2, \"offset\": "
                           "\"-1m30s\"}",
                           err, sizeof(err)),
                   0);
  assert_true(fabs(clock_skew(f, 0, 90)) <= 2);
  assert_true(fabs(clock_skew(f, 2, -90)) <= 2);
  /* Errors name the key. */
  assert_int_equal(control(f,
                           "{\"op\": \"sensor\", \"name\": \"Nope\", "
                           "\"value\": 1}",
                           err, sizeof(err)),
                   ED_EINVAL);
  assert_string_equal(err, "name: no sensor named 'Nope' (searched: the "
                           "Temperatures and Fans of each chassis' Thermal, "
                           "the Voltages of its Power)");
  assert_int_equal(control(f,
                           "{\"op\": \"patch\", \"bmc\": 0, \"path\": \"" POWER
                           "\", \"pointer\": \"/Nope/x\", \"value\": 1}",
                           err, sizeof(err)),
                   ED_EINVAL);
  assert_string_equal(err, "pointer: /Nope: no such property");
  assert_int_equal(control(f,
                           "{\"op\": \"sel\", \"bmc\": 3, \"message\": \"x\"}",
                           err, sizeof(err)),
                   ED_EINVAL);
  assert_non_null(strstr(err, "bmc: expected a BMC index below 3"));
  assert_int_equal(control(f,
                           "{\"op\": \"sel\", \"severity\": \"Bad\", "
                           "\"message\": \"x\"}",
                           err, sizeof(err)),
                   ED_EINVAL);
  assert_non_null(strstr(err, "severity: expected"));
  assert_int_equal(control(f, "{\"op\": \"fly\"}", err, sizeof(err)),
                   ED_EINVAL);
  assert_non_null(strstr(err, "op: expected"));
  assert_int_equal(control(f, "{\"op\": \"sensor\", \"name\": \"CPU1 Temp\"}",
                           err, sizeof(err)),
                   ED_EINVAL);
  assert_non_null(strstr(err, "value: missing"));
  /* knobs, down and up still work as before. */
  assert_int_equal(
      control(f, "{\"bmc\": 0, \"capacity\": 3}", err, sizeof(err)), 0);
  assert_int_equal(
      control(f, "{\"op\": \"down\", \"bmc\": 1}", err, sizeof(err)), 0);
  assert_int_equal(http_get(&f->loop, ed_sim_url(f->sim, 1), THERMAL, NULL),
                   -1);
  assert_int_equal(control(f, "{\"op\": \"up\", \"bmc\": 1}", err, sizeof(err)),
                   0);
  assert_true(cpu1(f, 1, &h) == 92); /* its state survived the outage */
}

static void on_timer(uv_timer_t *t) {
  *(int *)t->data = 1;
}

static void sleep_on_loop(uv_loop_t *loop, uint64_t ms) {
  uv_timer_t t;
  int done = 0;
  uv_timer_init(loop, &t);
  t.data = &done;
  uv_timer_start(&t, on_timer, ms, 0);
  while (!done)
    uv_run(loop, UV_RUN_ONCE);
  uv_close((uv_handle_t *)&t, NULL);
  uv_run(loop, UV_RUN_NOWAIT);
}

static void test_drift_in_real_time(void **state) {
  fx_t *f = *state;
  char err[512];
  const char *h;
  assert_int_equal(fleet(f, 1, NULL, err, sizeof(err)), 0);
  /* 10 degrees a second from 50: 55 after half a second. */
  uint64_t t0 = uv_hrtime();
  assert_int_equal(control(f,
                           "{\"op\": \"sensor\", \"name\": \"CPU1 Temp\", "
                           "\"value\": 50, \"drift\": 10}",
                           err, sizeof(err)),
                   0);
  sleep_on_loop(&f->loop, 500);
  double v = cpu1(f, 0, &h);
  double want = 50 + 10 * (double)(uv_hrtime() - t0) / 1e9;
  /* The loop's clock has millisecond steps and the GET takes its time. */
  assert_true(v >= 54.8 && v <= want + 0.05);
  assert_true(fabs(v - want) <= 0.3);
  assert_string_equal(h, "OK");
  assert_int_equal(control(f,
                           "{\"op\": \"sensor\", \"name\": \"CPU1 Temp\", "
                           "\"drift\": 0}",
                           err, sizeof(err)),
                   0);
  double stopped = cpu1(f, 0, &h);
  sleep_on_loop(&f->loop, 200);
  assert_true(cpu1(f, 0, &h) == stopped);
}

static void test_changes_at_start(void **state) {
  fx_t *f = *state;
  char err[512];
  const char *h;
  assert_int_equal(
      fleet(f, 4,
            "{\"changes\": ["
            " {\"op\": \"sensor\", \"bmc\": 1, \"name\": \"CPU1 Temp\","
            "  \"value\": 88},"
            " {\"op\": \"sel\", \"bmc\": [1, 2], \"severity\": \"Critical\","
            "  \"message\": \"PSU2 failure detected\"},"
            " {\"op\": \"patch\", \"bmc\": 2, \"path\": \"" MANAGER "\","
            "  \"pointer\": \"/FirmwareVersion\", \"value\": \"3.1.0\"},"
            " {\"op\": \"clock\", \"bmc\": 0, \"offset\": \"-90s\"},"
            " {\"op\": \"knobs\", \"bmc\": 0, \"capacity\": 2},"
            " {\"op\": \"down\", \"bmc\": 3},"
            " {\"op\": \"sensor\", \"bmc\": 1, \"name\": \"CPU1 Temp\","
            "  \"jump\": 3}"
            "]}",
            err, sizeof(err)),
      0);
  assert_true(cpu1(f, 1, &h) == 91); /* applied in order */
  assert_string_equal(h, "Critical");
  assert_true(cpu1(f, 0, &h) == 46);
  assert_int_equal(sel_count(f, 0), 1);
  assert_int_equal(sel_count(f, 1), 2);
  assert_int_equal(sel_count(f, 2), 2);
  json_t *m = get_ok(&f->loop, ed_sim_url(f->sim, 2), MANAGER);
  assert_string_equal(json_string_value(json_object_get(m, "FirmwareVersion")),
                      "3.1.0");
  json_decref(m);
  m = get_ok(&f->loop, ed_sim_url(f->sim, 1), MANAGER);
  assert_string_equal(json_string_value(json_object_get(m, "FirmwareVersion")),
                      "3.2.0");
  json_decref(m);
  assert_true(fabs(clock_skew(f, 0, -90)) <= 2);
  assert_true(fabs(clock_skew(f, 1, 0)) <= 2);
  assert_int_equal(http_get(&f->loop, ed_sim_url(f->sim, 3), THERMAL, NULL),
                   -1);
  json_t *st = ed_sim_status(f->sim);
  json_t *b = json_object_get(st, "bmcs");
  assert_true(json_is_false(json_object_get(json_array_get(b, 3), "up")));
  assert_true(json_is_true(json_object_get(json_array_get(b, 2), "up")));
  assert_int_equal(
      json_integer_value(json_object_get(
          json_object_get(json_array_get(b, 0), "knobs"), "capacity")),
      2);
  json_decref(st);
}

/* The fleet's status: its open connections, and BMC 0's hangs and
 * requests in flight. */
static void conn_status(fx_t *f, json_int_t *open, json_int_t *hangs,
                        json_int_t *in_flight) {
  json_t *st = ed_sim_status(f->sim);
  json_t *b0 = json_array_get(json_object_get(st, "bmcs"), 0);
  *open = json_integer_value(
      json_object_get(json_object_get(st, "connections"), "open"));
  *hangs = json_integer_value(json_object_get(b0, "hangs"));
  *in_flight = json_integer_value(json_object_get(b0, "in_flight"));
  json_decref(st);
}

static void tick_cb(uv_timer_t *t) {
  (void)t;
}

/* Run the loop until BMC 0 has `open` connections and `hangs` hangs, for
 * at most 5 s. */
static void run_until(fx_t *f, json_int_t open, json_int_t hangs) {
  json_int_t o = -1, h = -1, fl = -1;
  uint64_t end = uv_hrtime() + 5000000000ULL;
  uv_timer_t tick;
  uv_timer_init(&f->loop, &tick);
  uv_timer_start(&tick, tick_cb, 10, 10); /* wakes the loop to look again */
  for (;;) {
    conn_status(f, &o, &h, &fl);
    if ((o == open && h == hangs) || uv_hrtime() > end)
      break;
    uv_run(&f->loop, UV_RUN_ONCE);
  }
  uv_close((uv_handle_t *)&tick, NULL);
  uv_run(&f->loop, UV_RUN_NOWAIT);
  assert_int_equal(o, open);
  assert_int_equal(h, hangs);
}

static void start_get(fx_t *f, get_t *g) {
  unsigned port = 0;
  memset(g, 0, sizeof(*g));
  assert_int_equal(sscanf(ed_sim_url(f->sim, 0), "http://127.0.0.1:%u", &port),
                   1);
  snprintf(g->req, sizeof(g->req),
           "GET /redfish/v1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  struct sockaddr_in sa;
  uv_ip4_addr("127.0.0.1", (int)port, &sa);
  uv_tcp_init(&f->loop, &g->tcp);
  g->tcp.data = g->conn.data = g;
  assert_int_equal(
      uv_tcp_connect(&g->conn, &g->tcp, (struct sockaddr *)&sa, get_connected),
      0);
}

/* A hung request's connection is closed when its client goes away, and
 * when the hang ends: nothing is left half-open. */
static void test_hang_lets_go(void **state) {
  fx_t *f = *state;
  char err[512];
  json_int_t open, hangs, in_flight;
  assert_int_equal(fleet(f, 1, NULL, err, sizeof(err)), 0);
  assert_int_equal(
      control(f, "{\"op\": \"knobs\", \"hang\": true}", err, sizeof(err)), 0);
  get_t g;
  start_get(f, &g);
  run_until(f, 1, 1);
  /* the client gives up */
  uv_read_stop((uv_stream_t *)&g.tcp);
  uv_close((uv_handle_t *)&g.tcp, get_closed);
  run_until(f, 0, 1);
  conn_status(f, &open, &hangs, &in_flight);
  assert_int_equal(in_flight, 0);
  assert_null(g.buf); /* never answered */
  /* a client still waiting when the hang ends: its connection closes */
  start_get(f, &g);
  run_until(f, 1, 2);
  assert_int_equal(
      control(f, "{\"op\": \"knobs\", \"hang\": false}", err, sizeof(err)), 0);
  while (!g.done)
    uv_run(&f->loop, UV_RUN_ONCE);
  run_until(f, 0, 2);
  assert_int_equal(g.len, 0); /* closed, not answered */
  free(g.buf);
  assert_int_equal(
      http_get(&f->loop, ed_sim_url(f->sim, 0), "/redfish/v1", NULL), 200);
}

static void test_changes_errors(void **state) {
  fx_t *f = *state;
  static const struct {
    const char *changes;
    const char *want; /* the whole message, or its start when it ends ... */
  } cases[] = {
      {"{\"changes\": {\"op\": \"sel\"}}",
       "fleet.json: changes: expected an array of control commands"},
      {"{\"changes\": [3]}",
       "fleet.json: changes[0]: expected an object {\"op\": ..., ...}"},
      {"{\"changes\": [{\"op\": \"fly\"}]}",
       "fleet.json: changes[0].op: expected \"knobs\", \"down\", \"up\", "
       "\"sensor\", \"sel\", \"patch\" or \"clock\""},
      {"{\"changes\": [{\"op\": \"knobs\", \"capacity\": 2},"
       " {\"op\": \"sensor\", \"name\": \"Nope\", \"value\": 1}]}",
       "fleet.json: changes[1].name: no sensor named 'Nope'"},
      {"{\"changes\": [{\"op\": \"sel\", \"message\": \"ok\"},"
       " {\"op\": \"sel\", \"message\": \"ok\"},"
       " {\"op\": \"patch\", \"bmc\": 1, \"path\": \"" POWER "\","
       "  \"pointer\": \"/PowerSupplies/9/Status/Health\","
       "  \"value\": \"Critical\"}]}",
       "fleet.json: changes[2].pointer: /PowerSupplies/9: no such element "
       "(the array has 2)"},
      {"{\"changes\": [{\"op\": \"patch\", \"path\": \"/redfish/v1/Nope\","
       " \"pointer\": \"/Name\", \"value\": 1}]}",
       "fleet.json: changes[0].path: no resource at /redfish/v1/Nope"},
      {"{\"changes\": [{\"op\": \"sensor\", \"bmc\": 2, \"name\": \"Fan1\","
       " \"value\": 1}]}",
       "fleet.json: changes[0].bmc: expected a BMC index below 2, a list of "
       "them, or \"all\""},
      {"{\"changes\": [{\"op\": \"down\", \"bmc\": [0, 7]}]}",
       "fleet.json: changes[0].bmc: expected a BMC index below 2"},
      {"{\"changes\": [{\"op\": \"down\"}]}",
       "fleet.json: changes[0].bmc: missing"},
      {"{\"changes\": [{\"op\": \"sel\", \"colour\": 1, \"message\": \"x\"}]}",
       "fleet.json: unknown key 'changes[0].colour'"},
      {"{\"changes\": [{\"op\": \"clock\", \"offset\": \"soon\"}]}",
       "fleet.json: changes[0].offset: expected a duration"},
      {"{\"changes\": [{\"op\": \"knobs\", \"error_rate\": 2}]}",
       "fleet.json: changes[0].error_rate: expected a probability"},
      {"{\"changes\": [{\"op\": \"sensor\", \"name\": \"Fan1\", \"value\": "
       "1, \"jump\": 2}]}",
       "fleet.json: changes[0].jump: give either value"},
      {"{\"changes\": [{\"op\": \"sel\", \"severity\": \"Critical\"}]}",
       "fleet.json: changes[0].message: missing"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char err[512] = "";
    int rc = fleet(f, 2, cases[i].changes, err, sizeof(err));
    if (rc != ED_EINVAL || strncmp(err, cases[i].want, strlen(cases[i].want)))
      fail_msg("case %zu: rc %d, '%s', want '%s'", i, rc, err, cases[i].want);
    assert_null(f->sim);
  }
  /* A refused fleet left nothing on the loop. */
  uv_run(&f->loop, UV_RUN_NOWAIT);
  assert_int_equal(uv_loop_alive(&f->loop), 0);
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_each_op_in_process, setup, teardown),
      cmocka_unit_test_setup_teardown(test_drift_in_real_time, setup, teardown),
      cmocka_unit_test_setup_teardown(test_changes_at_start, setup, teardown),
      cmocka_unit_test_setup_teardown(test_changes_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_hang_lets_go, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
