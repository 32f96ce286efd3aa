/* config: see config.h. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define MAX_BMCS 100000
/* Host parts .0 and .255 are skipped: 254 usable addresses per /24. */
#define PER_24 254u

static int failf(char *errbuf, size_t errlen, const char *origin,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int failf(char *errbuf, size_t errlen, const char *origin,
                 const char *fmt, ...) {
  int n = snprintf(errbuf, errlen, "%s: ", origin);
  if (n >= 0 && (size_t)n < errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
  }
  return ED_EINVAL;
}

/* Reject keys of obj that are not in allowed (NULL-terminated), naming the
 * first one with its path. */
static int only_keys(const json_t *obj, const char *const *allowed,
                     const char *where, const char *origin, char *errbuf,
                     size_t errlen) {
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)obj, key, v) {
    int ok = 0;
    for (const char *const *a = allowed; *a && !ok; a++)
      ok = strcmp(*a, key) == 0;
    if (!ok)
      return failf(errbuf, errlen, origin, "unknown key '%s%s%s'", where,
                   *where ? "." : "", key);
  }
  return 0;
}

static int dup_str(char **dst, const char *s) {
  free(*dst);
  *dst = strdup(s);
  return *dst ? 0 : ED_ENOMEM;
}

static int get_string(const json_t *obj, const char *key, const char *path,
                      char **dst, const char *origin, char *errbuf,
                      size_t errlen) {
  const json_t *v = json_object_get(obj, key);
  if (!v)
    return 0;
  if (!json_is_string(v) || json_string_length(v) == 0)
    return failf(errbuf, errlen, origin, "%s: expected a non-empty string",
                 path);
  if (dup_str(dst, json_string_value(v)) < 0)
    return failf(errbuf, errlen, origin, "%s: out of memory", path);
  return 0;
}

static int get_duration(const json_t *obj, const char *key, const char *path,
                        int64_t *dst, const char *origin, char *errbuf,
                        size_t errlen) {
  const json_t *v = json_object_get(obj, key);
  if (v && ed__duration_parse(v, dst) < 0)
    return failf(errbuf, errlen, origin,
                 "%s: expected a duration such as \"250ms\", \"2s\", \"1m\" "
                 "or integer milliseconds",
                 path);
  return 0;
}

static int loopback(uint32_t a) {
  return (a >> 24) == 127;
}

int ed__config_hostport(const char *s, uint32_t *addr, uint16_t *port) {
  const char *colon = strrchr(s, ':');
  char host[64];
  if (!colon || (size_t)(colon - s) >= sizeof(host))
    return ED_EINVAL;
  memcpy(host, s, (size_t)(colon - s));
  host[colon - s] = '\0';
  struct in_addr ia;
  if (inet_pton(AF_INET, host, &ia) != 1)
    return ED_EINVAL;
  char *end;
  errno = 0;
  long p = strtol(colon + 1, &end, 10);
  if (end == colon + 1 || *end || errno || p < 0 || p > 65535)
    return ED_EINVAL;
  *addr = ntohl(ia.s_addr);
  *port = (uint16_t)p;
  return loopback(*addr) ? 0 : ED_EINVAL;
}

void ed__config_bmc_addr(const ed__sim_config_t *cfg, size_t i, uint32_t *addr,
                         uint16_t *port) {
  if (cfg->mode == ED__LISTEN_PORTS) {
    *addr = cfg->address;
    /* Port 0: each BMC gets its own free port from the kernel. */
    *port = cfg->port ? (uint16_t)(cfg->port + i) : 0;
    return;
  }
  uint32_t prefix = cfg->address >> 8;
  uint32_t pos = (cfg->address & 0xff) - 1 + (uint32_t)i;
  *addr = ((prefix + pos / PER_24) << 8) | (1 + pos % PER_24);
  *port = cfg->port;
}

static int parse_listen(ed__sim_config_t *c, const json_t *l,
                        const char *origin, char *errbuf, size_t errlen) {
  static const char *const keys[] = {"mode", "address", "port", NULL};
  if (!json_is_object(l))
    return failf(errbuf, errlen, origin, "listen: expected an object");
  int rc = only_keys(l, keys, "listen", origin, errbuf, errlen);
  if (rc < 0)
    return rc;
  const json_t *v;
  if ((v = json_object_get(l, "mode"))) {
    const char *m = json_is_string(v) ? json_string_value(v) : "";
    if (strcmp(m, "addresses") == 0)
      c->mode = ED__LISTEN_ADDRESSES;
    else if (strcmp(m, "ports") == 0)
      c->mode = ED__LISTEN_PORTS;
    else
      return failf(errbuf, errlen, origin,
                   "listen.mode: expected \"addresses\" or \"ports\"");
  }
  if ((v = json_object_get(l, "address"))) {
    struct in_addr ia;
    if (!json_is_string(v) ||
        inet_pton(AF_INET, json_string_value(v), &ia) != 1 ||
        !loopback(ntohl(ia.s_addr)))
      return failf(errbuf, errlen, origin,
                   "listen.address: expected an IPv4 loopback address "
                   "(127.0.0.0/8) such as \"127.0.1.1\"");
    c->address = ntohl(ia.s_addr);
  }
  if ((v = json_object_get(l, "port"))) {
    json_int_t p = json_is_integer(v) ? json_integer_value(v) : -1;
    if (p < 0 || p > 65535)
      return failf(errbuf, errlen, origin,
                   "listen.port: expected a port between 1 and 65535, or 0 "
                   "for any free port");
    c->port = (uint16_t)p;
  }
  return 0;
}

/* The fleet's addresses must all lie in 127.0.0.0/8 (or ports fit). */
static int check_span(ed__sim_config_t *c, const char *origin, char *errbuf,
                      size_t errlen) {
  if (c->mode == ED__LISTEN_PORTS) {
    if ((size_t)c->port + c->bmcs - 1 > 65535)
      return failf(errbuf, errlen, origin,
                   "listen.port: %zu BMCs from port %u go past 65535", c->bmcs,
                   c->port);
    return 0;
  }
  uint32_t host = c->address & 0xff;
  if (host == 0 || host == 255)
    return failf(errbuf, errlen, origin,
                 "listen.address: the host part must be 1..254 in "
                 "\"addresses\" mode");
  uint32_t last;
  uint16_t port;
  ed__config_bmc_addr(c, c->bmcs - 1, &last, &port);
  if (!loopback(last))
    return failf(errbuf, errlen, origin,
                 "bmcs: %zu addresses from listen.address leave 127.0.0.0/8",
                 c->bmcs);
  return 0;
}

static int parse_tls(ed__sim_config_t *c, const json_t *t, const char *origin,
                     char *errbuf, size_t errlen) {
  static const char *const keys[] = {"cert", "key", "ca", NULL};
  if (json_is_null(t) || json_is_false(t))
    return 0;
  if (!json_is_object(t))
    return failf(errbuf, errlen, origin,
                 "tls: expected {\"cert\": file, \"key\": file}");
  int rc = only_keys(t, keys, "tls", origin, errbuf, errlen);
  if (rc == 0)
    rc =
        get_string(t, "cert", "tls.cert", &c->tls_cert, origin, errbuf, errlen);
  if (rc == 0)
    rc = get_string(t, "key", "tls.key", &c->tls_key, origin, errbuf, errlen);
  if (rc == 0)
    rc = get_string(t, "ca", "tls.ca", &c->tls_ca, origin, errbuf, errlen);
  if (rc == 0 && (!c->tls_cert || !c->tls_key))
    return failf(errbuf, errlen, origin,
                 "tls.%s: missing (both cert and key "
                 "are needed for HTTPS)",
                 c->tls_cert ? "key" : "cert");
  return rc;
}

static int parse_power(ed__sim_config_t *c, const json_t *p, const char *origin,
                       char *errbuf, size_t errlen) {
  static const char *const keys[] = {"on", "off", NULL};
  if (!json_is_object(p))
    return failf(errbuf, errlen, origin,
                 "power: expected {\"on\": \"2s\", \"off\": \"2s\"}");
  int rc = only_keys(p, keys, "power", origin, errbuf, errlen);
  if (rc == 0)
    rc = get_duration(p, "on", "power.on", &c->svc.power_on_ms, origin, errbuf,
                      errlen);
  if (rc == 0)
    rc = get_duration(p, "off", "power.off", &c->svc.power_off_ms, origin,
                      errbuf, errlen);
  return rc;
}

/* A knobs object: only knob keys. */
static int parse_knobs(const json_t *k, const char *where,
                       ed__knobs_patch_t *out, const char *origin, char *errbuf,
                       size_t errlen) {
  if (!json_is_object(k))
    return failf(errbuf, errlen, origin, "%s: expected an object of knobs",
                 where);
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)k, key, v) {
    if (!ed__knobs_is_key(key))
      return failf(errbuf, errlen, origin, "unknown key '%s.%s'", where, key);
  }
  char why[256];
  if (ed__knobs_parse(k, where, out, why, sizeof(why)) < 0)
    return failf(errbuf, errlen, origin, "%s", why);
  return 0;
}

static int add_per_bmc(ed__sim_config_t *c, size_t idx, const json_t *k,
                       const char *where, const char *origin, char *errbuf,
                       size_t errlen) {
  ed__bmc_knobs_t *e = &c->per_bmc[c->n_per_bmc];
  int rc = parse_knobs(k, where, &e->patch, origin, errbuf, errlen);
  if (rc < 0)
    return rc;
  e->index = idx;
  c->n_per_bmc++;
  return 0;
}

static int parse_per_bmc(ed__sim_config_t *c, const json_t *p,
                         const char *origin, char *errbuf, size_t errlen) {
  size_t n = json_is_array(p)    ? json_array_size(p)
             : json_is_object(p) ? json_object_size(p)
                                 : (size_t)-1;
  if (n == (size_t)-1)
    return failf(errbuf, errlen, origin,
                 "per_bmc: expected an array (one knobs object per BMC) or "
                 "an object keyed by BMC index");
  if (n == 0)
    return 0;
  if (!(c->per_bmc = calloc(n, sizeof(*c->per_bmc))))
    return failf(errbuf, errlen, origin, "per_bmc: out of memory");
  char where[64];
  if (json_is_array(p)) {
    for (size_t i = 0; i < n; i++) {
      snprintf(where, sizeof(where), "per_bmc[%zu]", i);
      int rc = add_per_bmc(c, i, json_array_get(p, i), where, origin, errbuf,
                           errlen);
      if (rc < 0)
        return rc;
    }
    return 0;
  }
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)p, key, v) {
    char *end;
    errno = 0;
    unsigned long idx = strtoul(key, &end, 10);
    snprintf(where, sizeof(where), "per_bmc.%s", key);
    if (end == key || *end || errno || *key == '-')
      return failf(errbuf, errlen, origin,
                   "%s: the key must be a BMC index (\"0\", \"1\", ...)",
                   where);
    int rc = add_per_bmc(c, idx, v, where, origin, errbuf, errlen);
    if (rc < 0)
      return rc;
  }
  return 0;
}

static int parse_password(ed__sim_config_t *c, const json_t *json,
                          const char *origin, char *errbuf, size_t errlen) {
  const json_t *env = json_object_get(json, "password_env");
  if (json_object_get(json, "password") && env)
    return failf(errbuf, errlen, origin,
                 "password_env: give either password or password_env");
  if (!env)
    return get_string(json, "password", "password", &c->password, origin,
                      errbuf, errlen);
  if (!json_is_string(env) || json_string_length(env) == 0)
    return failf(errbuf, errlen, origin,
                 "password_env: expected the name of an environment variable");
  const char *val = getenv(json_string_value(env));
  if (!val || !*val)
    return failf(errbuf, errlen, origin,
                 "password_env: the environment variable %s is not set",
                 json_string_value(env));
  return dup_str(&c->password, val);
}

static int parse_control(ed__sim_config_t *c, const json_t *v,
                         const char *origin, char *errbuf, size_t errlen) {
  if (json_is_null(v) || json_is_false(v))
    return 0;
  if (!json_is_string(v) ||
      ed__config_hostport(json_string_value(v), &c->control_addr,
                          &c->control_port) < 0)
    return failf(errbuf, errlen, origin,
                 "control: expected \"127.0.0.1:PORT\" (a loopback address; "
                 "port 0 picks a free one)");
  c->has_control = 1;
  return 0;
}

static int parse_scalars(ed__sim_config_t *c, const json_t *json,
                         const char *origin, char *errbuf, size_t errlen) {
  const json_t *v;
  if ((v = json_object_get(json, "bmcs"))) {
    json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;
    if (n < 1 || n > MAX_BMCS)
      return failf(errbuf, errlen, origin,
                   "bmcs: expected a count between 1 and %d", MAX_BMCS);
    c->bmcs = (size_t)n;
  }
  if ((v = json_object_get(json, "seed"))) {
    if (!json_is_integer(v) || json_integer_value(v) < 0)
      return failf(errbuf, errlen, origin,
                   "seed: expected a non-negative integer");
    c->seed = (uint64_t)json_integer_value(v);
  }
  if ((v = json_object_get(json, "access_log"))) {
    if (!json_is_boolean(v))
      return failf(errbuf, errlen, origin,
                   "access_log: expected true or false");
    c->access_log = json_is_true(v);
  }
  int rc = get_duration(json, "bmc_reset", "bmc_reset", &c->svc.bmc_reset_ms,
                        origin, errbuf, errlen);
  if (rc == 0)
    rc = get_duration(json, "session_timeout", "session_timeout",
                      &c->svc.session_timeout_ms, origin, errbuf, errlen);
  if (rc == 0)
    rc = get_string(json, "mockup", "mockup", &c->mockup, origin, errbuf,
                    errlen);
  if (rc == 0)
    rc = get_string(json, "user", "user", &c->user, origin, errbuf, errlen);
  return rc;
}

static int set_defaults(ed__sim_config_t *c) {
  memset(c, 0, sizeof(*c));
  c->bmcs = 1;
  c->mode = ED__LISTEN_ADDRESSES;
  c->address = 0x7f000101; /* 127.0.1.1 */
  c->port = 8000;
  c->svc.power_on_ms = 2000;
  c->svc.power_off_ms = 2000;
  c->svc.bmc_reset_ms = 5000;
  c->svc.session_timeout_ms = 1800000;
  ed__knobs_default(&c->knobs);
  if (dup_str(&c->mockup, "default") < 0 || dup_str(&c->user, "admin") < 0 ||
      dup_str(&c->password, "password") < 0)
    return ED_ENOMEM;
  return 0;
}

static int parse_all(ed__sim_config_t *c, const json_t *json,
                     const char *origin, char *errbuf, size_t errlen) {
  static const char *const keys[] = {
      "bmcs",      "listen",          "tls",          "mockup",
      "user",      "password",        "password_env", "power",
      "bmc_reset", "session_timeout", "knobs",        "per_bmc",
      "seed",      "control",         "access_log",   "changes",
      NULL};
  if (!json_is_object(json))
    return failf(errbuf, errlen, origin, "expected a JSON object");
  int rc = only_keys(json, keys, "", origin, errbuf, errlen);
  if (rc == 0)
    rc = parse_scalars(c, json, origin, errbuf, errlen);
  const json_t *v;
  if (rc == 0 && (v = json_object_get(json, "listen")))
    rc = parse_listen(c, v, origin, errbuf, errlen);
  if (rc == 0)
    rc = check_span(c, origin, errbuf, errlen);
  if (rc == 0 && (v = json_object_get(json, "tls")))
    rc = parse_tls(c, v, origin, errbuf, errlen);
  if (rc == 0 && (v = json_object_get(json, "power")))
    rc = parse_power(c, v, origin, errbuf, errlen);
  if (rc == 0)
    rc = parse_password(c, json, origin, errbuf, errlen);
  if (rc == 0 && (v = json_object_get(json, "control")))
    rc = parse_control(c, v, origin, errbuf, errlen);
  if (rc == 0 && (v = json_object_get(json, "knobs"))) {
    ed__knobs_patch_t p;
    rc = parse_knobs(v, "knobs", &p, origin, errbuf, errlen);
    if (rc == 0)
      ed__knobs_apply(&c->knobs, &p);
  }
  if (rc == 0 && (v = json_object_get(json, "per_bmc")))
    rc = parse_per_bmc(c, v, origin, errbuf, errlen);
  if (rc == 0 && (v = json_object_get(json, "changes"))) {
    if (!json_is_array(v))
      rc = failf(errbuf, errlen, origin,
                 "changes: expected an array of control commands "
                 "({\"op\": \"sensor\", ...})");
    else if (!(c->changes = json_deep_copy(v)))
      rc = failf(errbuf, errlen, origin, "changes: out of memory");
  }
  for (size_t i = 0; rc == 0 && i < c->n_per_bmc; i++)
    if (c->per_bmc[i].index >= c->bmcs)
      rc = failf(errbuf, errlen, origin,
                 "per_bmc: BMC index %zu is out of range (bmcs is %zu)",
                 c->per_bmc[i].index, c->bmcs);
  return rc;
}

int ed__config_parse(ed__sim_config_t *c, const json_t *json,
                     const char *origin, char *errbuf, size_t errlen) {
  if (!origin)
    origin = "config";
  int rc = set_defaults(c);
  if (rc == 0 && dup_str(&c->origin, origin) < 0)
    rc = ED_ENOMEM;
  if (rc < 0)
    snprintf(errbuf, errlen, "%s: out of memory", origin);
  else
    rc = parse_all(c, json, origin, errbuf, errlen);
  if (rc < 0) {
    ed__config_close(c);
    return rc;
  }
  c->svc.user = c->user;
  c->svc.password = c->password;
  return 0;
}

void ed__config_close(ed__sim_config_t *c) {
  if (c->password)
    explicit_bzero(c->password, strlen(c->password));
  free(c->password);
  free(c->user);
  free(c->mockup);
  free(c->tls_cert);
  free(c->tls_key);
  free(c->tls_ca);
  free(c->per_bmc);
  json_decref(c->changes);
  free(c->origin);
  memset(c, 0, sizeof(*c));
}
