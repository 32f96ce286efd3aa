/*
 * redfish_host: a tiny fake core for testing driver shared objects alone.
 * It dlopens a driver, fills the target's and one operation's option structs
 * from key=JSON arguments through the driver's own option tables, opens and
 * starts the target, keeps -c requests in flight until -n have completed, and
 * prints one JSON line per result plus a summary line.
 *
 *   redfish_host DRIVER.so -t url='"http://127.0.0.1:8080"' -t auth='"none"'
 *                -o get -a path='"/redfish/v1"' -n 100 -c 8 [-q] [-u USER]
 *                [-S STOP_AFTER_MS]
 * The secret is read from the environment variable RF_SECRET, never argv.
 */
#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <uv.h>

#include "eventdrill/driver.h"

#define MAX_KV 32

typedef struct {
  const char *key;
  const char *json;
} kv_t;

static const ed_driver_t *drv;
static void *target, *prepared;
static const ed_op_desc_t *op;
static ed_request_t *reqs;
static uint64_t *sent_at;
static long n_total = 1, n_sent, n_done, n_ok, conc = 1;
static long errs[ED_ERRCLASS_COUNT];
static int quiet, stopping, exit_code;
static uint64_t t0;
static uv_timer_t stop_timer;

static const char *class_name(ed_errclass_t c) {
  static const char *names[] = {
#define ED__NAME(name, str) str,
      ED_ERRCLASS_MAP(ED__NAME)
#undef ED__NAME
  };
  return (unsigned)c < ED_ERRCLASS_COUNT ? names[c] : "?";
}

static void host_log(int level, const char *who, const char *fmt, ...) {
  static const char *lv[] = {"error", "warn", "info", "debug"};
  va_list ap;
  fprintf(stderr, "[%s] redfish/%s: ", lv[level & 3], who);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

/* "250ms", "10s", "2m" or a number of milliseconds. */
static int parse_duration(json_t *v, int64_t *ms) {
  if (json_is_integer(v)) {
    *ms = json_integer_value(v);
    return 0;
  }
  if (!json_is_string(v))
    return -EINVAL;
  char *end;
  const char *s = json_string_value(v);
  double d = strtod(s, &end);
  if (end == s)
    return -EINVAL;
  if (strcmp(end, "ms") == 0)
    *ms = (int64_t)d;
  else if (strcmp(end, "s") == 0)
    *ms = (int64_t)(d * 1000);
  else if (strcmp(end, "m") == 0)
    *ms = (int64_t)(d * 60000);
  else
    return -EINVAL;
  return 0;
}

static int set_one(const ed_option_t *o, const char *text, char *base) {
  json_error_t err;
  json_t *v = json_loads(text, JSON_DECODE_ANY, &err);
  void *at = base + o->offset;
  int rc = 0;
  if (!v)
    return -EINVAL;
  switch (o->type) {
  case ED_OPT_STRING:
    if (!json_is_string(v))
      rc = -EINVAL;
    else
      *(char **)at = strdup(json_string_value(v));
    break;
  case ED_OPT_INT:
    if (!json_is_integer(v))
      rc = -EINVAL;
    else
      *(int64_t *)at = json_integer_value(v);
    break;
  case ED_OPT_DOUBLE:
    *(double *)at = json_number_value(v);
    break;
  case ED_OPT_BOOL:
    *(int *)at = json_is_true(v);
    break;
  case ED_OPT_DURATION:
    rc = parse_duration(v, (int64_t *)at);
    break;
  case ED_OPT_JSON:
    *(char **)at = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    break;
  }
  json_decref(v);
  return rc;
}

/* Fill a struct of the table's options from kv, defaults otherwise. */
static void *fill(const ed_option_t *tab, size_t size, kv_t *kv, int nkv) {
  char *base = calloc(1, size);
  for (int i = 0; i < nkv; i++) {
    const ed_option_t *o = tab;
    while (o->key && strcmp(o->key, kv[i].key) != 0)
      o++;
    if (!o->key) {
      fprintf(stderr, "redfish_host: unknown option %s\n", kv[i].key);
      exit(2);
    }
  }
  for (const ed_option_t *o = tab; o->key; o++) {
    const char *text = o->default_value;
    for (int i = 0; i < nkv; i++)
      if (strcmp(kv[i].key, o->key) == 0)
        text = kv[i].json;
    if (!text && (o->flags & ED_OPT_REQUIRED)) {
      fprintf(stderr, "redfish_host: option %s is required\n", o->key);
      exit(2);
    }
    if (text && set_one(o, text, base) < 0) {
      fprintf(stderr, "redfish_host: bad value for %s: %s\n", o->key, text);
      exit(2);
    }
  }
  return base;
}

static void free_opts(const ed_option_t *tab, void *base) {
  for (const ed_option_t *o = tab; base && o->key; o++)
    if (o->type == ED_OPT_STRING || o->type == ED_OPT_JSON)
      free(*(char **)((char *)base + o->offset));
  free(base);
}

static void on_stopped(void *arg, int status, const char *detail) {
  (void)arg;
  printf("{\"stopped\":%d,\"detail\":\"%s\"}\n", status, detail ? detail : "");
  fflush(stdout);
  if (!uv_is_closing((uv_handle_t *)&stop_timer))
    uv_close((uv_handle_t *)&stop_timer, NULL);
  drv->op_free(target, prepared);
  prepared = NULL;
  drv->target_close(target);
  target = NULL;
}

static void stop_now(void) {
  if (stopping)
    return;
  stopping = 1;
  if (drv->target_stop(target, on_stopped, NULL) < 0)
    on_stopped(NULL, -1, "target_stop failed");
}

static void submit_one(long slot);

static void on_done(ed_request_t *req, const ed_result_t *res) {
  long slot = req - reqs;
  uint64_t lat = (uv_hrtime() - sent_at[slot]) / 1000;
  n_done++;
  if (res->err == ED_ERRCLASS_NONE)
    n_ok++;
  else
    exit_code = 1;
  errs[res->err]++;
  if (!quiet) {
    json_t *o = json_object();
    json_object_set_new(o, "i", json_integer(n_done - 1));
    json_object_set_new(o, "err", json_string(class_name(res->err)));
    json_object_set_new(o, "code", json_integer(res->code));
    json_object_set_new(o, "latency_us", json_integer((json_int_t)lat));
    json_t *v = res->value ? json_loadb(res->value, res->value_len,
                                        JSON_DECODE_ANY, NULL)
                           : json_null();
    json_object_set_new(o, "value", v ? v : json_string("<not JSON>"));
    if (res->detail)
      json_object_set_new(o, "detail", json_string(res->detail));
    char *line = json_dumps(o, JSON_COMPACT);
    puts(line);
    free(line);
    json_decref(o);
  }
  if (stopping)
    return;
  if (n_sent < n_total)
    submit_one(slot);
  else if (n_done == n_total)
    stop_now();
}

static void submit_one(long slot) {
  ed_request_t *r = &reqs[slot];
  memset(r, 0, sizeof(*r));
  r->op = prepared;
  r->done = on_done;
  r->intended_ns = r->sent_ns = sent_at[slot] = uv_hrtime();
  n_sent++;
  if (drv->submit(target, r) < 0) {
    fprintf(stderr, "redfish_host: submit refused\n");
    exit(1);
  }
}

static void on_started(void *arg, int status, const char *detail) {
  void *args = arg;
  char err[256] = "";
  if (status != 0) {
    printf("{\"start_error\":%d,\"detail\":\"%s\"}\n", status,
           detail ? detail : "");
    exit_code = 1;
    stopping = 1;
    on_stopped(NULL, status, "not started");
    return;
  }
  if (drv->op_prepare(target, op, args, &prepared, err, sizeof(err)) < 0) {
    fprintf(stderr, "redfish_host: op_prepare: %s\n", err);
    exit(2);
  }
  t0 = uv_hrtime();
  for (long i = 0; i < conc && n_sent < n_total; i++)
    submit_one(i);
}

static void on_stop_timer(uv_timer_t *t) {
  (void)t;
  stop_now();
}

int main(int argc, char **argv) {
  kv_t topts[MAX_KV], aopts[MAX_KV];
  int nt = 0, na = 0, c;
  const char *opname = "get", *user = NULL;
  long stop_after = 0;
  if (argc < 2) {
    fprintf(stderr, "usage: redfish_host DRIVER.so [options]\n");
    return 2;
  }
  while ((c = getopt(argc - 1, argv + 1, "t:a:o:n:c:qu:S:")) != -1) {
    char *eq = optarg ? strchr(optarg, '=') : NULL;
    switch (c) {
    case 't':
    case 'a':
      if (!eq || (c == 't' ? nt : na) >= MAX_KV)
        return 2;
      *eq = '\0';
      (c == 't' ? topts : aopts)[c == 't' ? nt++ : na++] =
          (kv_t){optarg, eq + 1};
      break;
    case 'o':
      opname = optarg;
      break;
    case 'n':
      n_total = strtol(optarg, NULL, 10);
      break;
    case 'c':
      conc = strtol(optarg, NULL, 10);
      break;
    case 'q':
      quiet = 1;
      break;
    case 'u':
      user = optarg;
      break;
    case 'S':
      stop_after = strtol(optarg, NULL, 10);
      break;
    default:
      return 2;
    }
  }
  void *so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!so) {
    fprintf(stderr, "redfish_host: %s\n", dlerror());
    return 2;
  }
  drv = dlsym(so, ED_DRIVER_SYMBOL);
  if (!drv || drv->abi_version != ED_DRIVER_ABI_VERSION ||
      strcmp(drv->build_signature, ED_DRIVER_SIGNATURE) != 0) {
    fprintf(stderr, "redfish_host: %s: no or bad %s\n", argv[1],
            ED_DRIVER_SYMBOL);
    return 2;
  }
  for (op = drv->ops; op->name && strcmp(op->name, opname) != 0; op++)
    ;
  if (!op->name) {
    fprintf(stderr, "redfish_host: no op %s\n", opname);
    return 2;
  }
  uv_loop_t *loop = uv_default_loop();
  ed_host_t host = {ED_DRIVER_ABI_VERSION, loop, host_log, {0}};
  void *to = fill(drv->target_opts, drv->target_opts_size, topts, nt);
  void *args = fill(op->args, op->args_size, aopts, na);
  ed_target_info_t info = {"t1", user, getenv("RF_SECRET"), to, (int)conc};
  char err[256] = "";
  reqs = calloc((size_t)conc, sizeof(*reqs));
  sent_at = calloc((size_t)conc, sizeof(*sent_at));
  if (drv->init && drv->init(&host) < 0)
    return 2;
  if (drv->target_open(&info, &target, err, sizeof(err)) < 0) {
    printf("{\"open_error\":\"%s\"}\n", err);
    return 2;
  }
  uv_timer_init(loop, &stop_timer);
  if (stop_after > 0)
    uv_timer_start(&stop_timer, on_stop_timer, (uint64_t)stop_after, 0);
  else
    uv_close((uv_handle_t *)&stop_timer, NULL);
  if (drv->target_start(target, on_started, args) < 0) {
    printf("{\"start_error\":-1}\n");
    return 1;
  }
  uv_run(loop, UV_RUN_DEFAULT);
  double secs = (double)(uv_hrtime() - t0) / 1e9;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  printf("{\"summary\":{\"done\":%ld,\"ok\":%ld,\"elapsed_s\":%.3f,"
         "\"rps\":%.0f,\"cpu_s\":%.3f,\"req_per_cpu_s\":%.0f,\"errors\":{",
         n_done, n_ok, secs, n_done / secs, cpu, n_done / cpu);
  for (int i = 1, first = 1; i < ED_ERRCLASS_COUNT; i++)
    if (errs[i]) {
      printf("%s\"%s\":%ld", first ? "" : ",", class_name(i), errs[i]);
      first = 0;
    }
  printf("}}}\n");
  int left = uv_loop_close(loop);
  if (left != 0)
    fprintf(stderr, "redfish_host: uv handles left open\n");
  if (drv->fini)
    drv->fini();
  free_opts(drv->target_opts, to);
  free_opts(op->args, args);
  free(reqs);
  free(sent_at);
  dlclose(so);
  return left != 0 ? 3 : exit_code;
}
