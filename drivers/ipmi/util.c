/*
 * ipmi util: the driver's pure helpers (option checks, error classes,
 * value formatting), unit-tested without a BMC in tests/unit/ipmi_util.c.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ipmi.h"

int ed__ipmi_parse_privilege(const char *s, uint8_t *out, char *err,
                             size_t len) {
  static const struct {
    const char *name;
    uint8_t level;
  } levels[] = {{"user", IPMI_PRIVILEGE_LEVEL_USER},
                {"operator", IPMI_PRIVILEGE_LEVEL_OPERATOR},
                {"admin", IPMI_PRIVILEGE_LEVEL_ADMIN}};
  for (size_t i = 0; s && i < sizeof(levels) / sizeof(levels[0]); i++)
    if (strcasecmp(s, levels[i].name) == 0) {
      *out = levels[i].level;
      return 0;
    }
  snprintf(err, len,
           "privilege: \"%s\" is not a privilege level (user, operator, "
           "admin)",
           s ? s : "");
  return -1;
}

const char *ed__ipmi_privilege_name(uint8_t level) {
  switch (level) {
  case IPMI_PRIVILEGE_LEVEL_USER:
    return "user";
  case IPMI_PRIVILEGE_LEVEL_OPERATOR:
    return "operator";
  default:
    return "admin";
  }
}

/* FreeIPMI's own names (the tools' -W), for IPMI 2.0 sessions. */
static const struct {
  const char *name;
  unsigned flag;
} workarounds[] = {
    {"authcap",
     IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_AUTHENTICATION_CAPABILITIES},
    {"intel20", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_INTEL_2_0_SESSION},
    {"supermicro20",
     IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_SUPERMICRO_2_0_SESSION},
    {"sun20", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_SUN_2_0_SESSION},
    {"opensesspriv",
     IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_OPEN_SESSION_PRIVILEGE},
    {"integritycheckvalue",
     IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_NON_EMPTY_INTEGRITY_CHECK_VALUE},
    {"nochecksumcheck", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_NO_CHECKSUM_CHECK},
};

int ed__ipmi_parse_workarounds(const char *json, unsigned *flags, char *err,
                               size_t len) {
  *flags = 0;
  if (!json)
    return 0;
  json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
  if (!json_is_array(v)) {
    snprintf(err, len, "workarounds: expected an array of names");
    json_decref(v);
    return -1;
  }
  size_t i;
  json_t *w;
  json_array_foreach(v, i, w) {
    const char *s = json_string_value(w);
    size_t k = 0, n = sizeof(workarounds) / sizeof(workarounds[0]);
    while (s && k < n && strcmp(s, workarounds[k].name) != 0)
      k++;
    if (!s || k == n) {
      snprintf(err, len,
               "workarounds[%zu]: unknown workaround %s%s%s (known: authcap, "
               "intel20, supermicro20, sun20, opensesspriv, "
               "integritycheckvalue, nochecksumcheck)",
               i, s ? "\"" : "", s ? s : "(not a string)", s ? "\"" : "");
      json_decref(v);
      return -1;
    }
    *flags |= workarounds[k].flag;
  }
  json_decref(v);
  return 0;
}

int ed__ipmi_check_host(const char *host, char *err, size_t len) {
  if (!host || !*host) {
    snprintf(err, len, "host: empty");
    return -1;
  }
  if (strchr(host, '[') || strchr(host, ']')) {
    snprintf(err, len,
             "host: \"%s\": FreeIPMI refuses brackets; write the port after "
             "a colon, e.g. \"127.0.0.1:9623\"",
             host);
    return -1;
  }
  const char *colon = strchr(host, ':');
  if (colon && !strchr(colon + 1, ':')) { /* one colon: host:port */
    char *end;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (colon == host || errno || end == colon + 1 || *end || port < 1 ||
        port > 65535) {
      snprintf(err, len,
               "host: \"%s\": expected HOST or HOST:PORT with a port 1-65535",
               host);
      return -1;
    }
  }
  return 0;
}

int ed__ipmi_check_cipher(int64_t id, int allow_cipher_0, char *err,
                          size_t len) {
  if (id < 0 || id > 255 || !IPMI_CIPHER_SUITE_ID_SUPPORTED(id)) {
    snprintf(err, len,
             "cipher_suite: %lld is not supported by FreeIPMI (0-3, 6-8, "
             "11-12, 15-17; 3 is the usual one)",
             (long long)id);
    return -1;
  }
  if (id == 0 && !allow_cipher_0) {
    snprintf(err, len,
             "cipher_suite: 0 refused: cipher suite 0 has no authentication, "
             "no integrity and no confidentiality, so anyone who can reach "
             "the BMC can act as this user without the password; set "
             "\"allow_cipher_0\": true only for a BMC that offers nothing "
             "else");
    return -1;
  }
  return 0;
}

int ed__ipmi_check_timeouts(int64_t session_ms, int64_t retrans_ms, char *err,
                            size_t len) {
  if (retrans_ms >= session_ms) {
    snprintf(err, len,
             "retransmission_timeout (%lld ms) must be shorter than "
             "session_timeout (%lld ms)",
             (long long)retrans_ms, (long long)session_ms);
    return -1;
  }
  return 0;
}

int ed__ipmi_parse_power(const char *s, uint8_t *control, char *err,
                         size_t len) {
  static const struct {
    const char *name;
    uint8_t control;
  } actions[] = {{"on", IPMI_CHASSIS_CONTROL_POWER_UP},
                 {"off", IPMI_CHASSIS_CONTROL_POWER_DOWN},
                 {"cycle", IPMI_CHASSIS_CONTROL_POWER_CYCLE},
                 {"reset", IPMI_CHASSIS_CONTROL_HARD_RESET},
                 {"soft", IPMI_CHASSIS_CONTROL_INITIATE_SOFT_SHUTDOWN}};
  for (size_t i = 0; s && i < sizeof(actions) / sizeof(actions[0]); i++)
    if (strcmp(s, actions[i].name) == 0) {
      *control = actions[i].control;
      return 0;
    }
  snprintf(err, len,
           "power: \"%s\" is not a power action (on, off, cycle, reset, "
           "soft)",
           s ? s : "");
  return -1;
}

void ed__ipmi_classify(int n, const char *privilege, ed__ipmi_err_t *e) {
  const char *what = NULL;
  /* No completion code: -1, so that an expect "status": 0 never takes a
   * failure to reach the BMC for an answer. */
  e->code = -1;
  e->reopen = 1;
  switch (n) {
  case IPMI_ERR_USERNAME_INVALID:
    e->err = ED_ERRCLASS_AUTH;
    what = "user name refused by the BMC";
    break;
  case IPMI_ERR_PASSWORD_INVALID:
  case IPMI_ERR_PASSWORD_VERIFICATION_TIMEOUT:
    e->err = ED_ERRCLASS_AUTH;
    what = "password refused by the BMC";
    break;
  case IPMI_ERR_K_G_INVALID:
    e->err = ED_ERRCLASS_AUTH;
    what = "BMC key (K_g) refused";
    break;
  case IPMI_ERR_PRIVILEGE_LEVEL_INSUFFICIENT:
    e->err = ED_ERRCLASS_AUTH;
    e->reopen = 0;
    snprintf(e->detail, sizeof(e->detail),
             "insufficient privilege: the command needs more than the "
             "session's \"%s\" level",
             privilege ? privilege : "?");
    return;
  case IPMI_ERR_PRIVILEGE_LEVEL_CANNOT_BE_OBTAINED:
    e->err = ED_ERRCLASS_AUTH;
    snprintf(e->detail, sizeof(e->detail),
             "insufficient privilege: level \"%s\" cannot be obtained for "
             "this user (a lower \"privilege\", or the \"opensesspriv\" "
             "workaround for BMCs such as ipmi_sim)",
             privilege ? privilege : "?");
    return;
  case IPMI_ERR_AUTHENTICATION_TYPE_UNAVAILABLE:
  case IPMI_ERR_CIPHER_SUITE_ID_UNAVAILABLE:
    e->err = ED_ERRCLASS_AUTH;
    what = "the BMC does not offer this cipher suite for this user";
    break;
  case IPMI_ERR_IPMI_2_0_UNAVAILABLE:
    e->err = ED_ERRCLASS_PROTOCOL;
    what = "the BMC does not speak IPMI 2.0 (RMCP+)";
    break;
  case IPMI_ERR_BAD_RMCPPLUS_STATUS_CODE:
    e->err = ED_ERRCLASS_AUTH;
    what = "session refused by the BMC (RMCP+ status code)";
    break;
  case IPMI_ERR_CONNECTION_TIMEOUT:
    e->err = ED_ERRCLASS_CONNECT;
    what = "no answer from the BMC to the session open (wrong host or "
           "port, or the BMC is down) within session_timeout";
    break;
  case IPMI_ERR_SESSION_TIMEOUT:
  case IPMI_ERR_MESSAGE_TIMEOUT:
  case IPMI_ERR_DRIVER_TIMEOUT:
    e->err = ED_ERRCLASS_TIMEOUT;
    what = "no answer from the BMC within session_timeout";
    break;
  case IPMI_ERR_HOSTNAME_INVALID:
    e->err = ED_ERRCLASS_CONNECT;
    what = "host name cannot be resolved";
    break;
  case IPMI_ERR_BMC_BUSY:
  case IPMI_ERR_DRIVER_BUSY:
    e->err = ED_ERRCLASS_PROTOCOL;
    e->code = 0xC0;
    e->reopen = 0;
    what = "BMC busy: completion code 0xC0 (node busy), try again";
    break;
  case IPMI_ERR_COMMAND_INVALID_OR_UNSUPPORTED:
    e->err = ED_ERRCLASS_PROTOCOL;
    e->code = 0xC1;
    e->reopen = 0;
    what = "completion code 0xC1: command not supported by the BMC";
    break;
  case IPMI_ERR_BAD_COMPLETION_CODE:
    e->err = ED_ERRCLASS_PROTOCOL;
    e->reopen = 0;
    what = "bad completion code";
    break;
  default:
    e->err = ED_ERRCLASS_OTHER;
    what = NULL;
    break;
  }
  if (what)
    snprintf(e->detail, sizeof(e->detail), "%s", what);
  else
    snprintf(e->detail, sizeof(e->detail), "%s", ipmi_ctx_strerror(n));
}

void ed__ipmi_completion(uint8_t cmd, uint8_t netfn, uint8_t cc,
                         ed__ipmi_err_t *e) {
  char meaning[160];
  if (ipmi_completion_code_strerror_r(cmd, netfn, cc, meaning,
                                      sizeof(meaning)) < 0)
    snprintf(meaning, sizeof(meaning), "unknown completion code");
  /* 0xD4: the session's privilege level is below the command's */
  e->err = cc == 0xD4 ? ED_ERRCLASS_AUTH : ED_ERRCLASS_PROTOCOL;
  e->code = cc;
  e->reopen = 0;
  snprintf(e->detail, sizeof(e->detail),
           "%scompletion code 0x%02X to command 0x%02X (netfn 0x%02X): %s",
           cc == 0xD4 ? "insufficient privilege: " : "", cc, cmd, netfn,
           meaning);
}

char *ed__ipmi_json_text(json_t *v) {
  if (!v)
    return NULL;
  char *s =
      json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
  json_decref(v);
  return s; /* json_dumps allocates with malloc (the default allocator) */
}

json_t *ed__ipmi_number(double x) {
  if (!isfinite(x))
    return json_null();
  if (x == floor(x) && fabs(x) < 9007199254740992.0)
    return json_integer((json_int_t)x);
  return json_real(x);
}

/* Threshold comparison bits of Get Sensor Reading (byte 3): 0 lower
 * non-critical, 1 lower critical, 2 lower non-recoverable, 3-5 the same
 * upper ones. The worst state wins. */
const char *ed__ipmi_threshold_state(uint16_t bitmask) {
  if (bitmask & 0x24)
    return "non-recoverable";
  if (bitmask & 0x12)
    return "critical";
  if (bitmask & 0x09)
    return "non-critical";
  return "ok";
}

json_t *ed__ipmi_sel_entry(const uint8_t *rec, size_t len) {
  if (len < 16)
    return NULL;
  json_t *o = json_object();
  unsigned id = rec[0] | (unsigned)rec[1] << 8;
  unsigned type = rec[2];
  json_object_set_new(o, "id", json_integer(id));
  json_object_set_new(o, "record_type", json_integer(type));
  if (type == 0x02) { /* system event record */
    uint32_t ts = rec[3] | (uint32_t)rec[4] << 8 | (uint32_t)rec[5] << 16 |
                  (uint32_t)rec[6] << 24;
    const char *st = ipmi_get_sensor_type_string(rec[10]);
    json_object_set_new(o, "timestamp", json_integer(ts));
    json_object_set_new(o, "generator", json_integer(rec[7] | rec[8] << 8));
    json_object_set_new(o, "sensor_type", st ? json_string(st) : json_null());
    json_object_set_new(o, "sensor_type_code", json_integer(rec[10]));
    json_object_set_new(o, "sensor_number", json_integer(rec[11]));
    json_object_set_new(o, "event_type", json_integer(rec[12] & 0x7f));
    json_object_set_new(
        o, "direction",
        json_string((rec[12] & 0x80) ? "deassertion" : "assertion"));
    json_object_set_new(o, "offset", json_integer(rec[13] & 0x0f));
    json_t *d = json_array();
    for (int i = 13; i < 16; i++)
      json_array_append_new(d, json_integer(rec[i]));
    json_object_set_new(o, "data", d);
  } else { /* OEM records: the bytes as they are */
    char hex[2 * 16 + 1];
    for (int i = 0; i < 16; i++)
      snprintf(hex + 2 * i, 3, "%02x", rec[i]);
    json_object_set_new(o, "raw", json_string(hex));
  }
  return o;
}

json_t *ed__ipmi_device_id(unsigned device_id, unsigned revision,
                           unsigned fw_major, unsigned fw_minor,
                           unsigned ipmi_major, unsigned ipmi_minor,
                           unsigned manufacturer, unsigned product) {
  char fw[16], ipmi[16];
  snprintf(fw, sizeof(fw), "%u.%02x", fw_major, fw_minor & 0xff); /* BCD */
  snprintf(ipmi, sizeof(ipmi), "%u.%u", ipmi_major, ipmi_minor);
  return json_pack("{s:I,s:I,s:s,s:s,s:I,s:I}", "device_id",
                   (json_int_t)device_id, "device_revision",
                   (json_int_t)revision, "firmware_revision", fw,
                   "ipmi_version", ipmi, "manufacturer_id",
                   (json_int_t)manufacturer, "product_id", (json_int_t)product);
}
