/* The Device Health Check Report: inspection.json as a report document
 * (report.h's blocks), rendered to Markdown and HTML like a drill report. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "collect.h"
#include "inspect.h"
#include "rules.h"

static const char *s_of(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static void add(json_t *doc, const char *kind, json_t *v) {
  json_array_append_new(doc, json_pack("{s:o}", kind, v));
}

static void table(json_t *doc, json_t *head, json_t *rows) {
  json_array_append_new(
      doc, json_pack("{s:{s:o,s:o}}", "table", "head", head, "rows", rows));
}

static json_t *fmt(const char *f, double v) {
  char buf[64];
  if (isnan(v))
    return json_string("-");
  snprintf(buf, sizeof(buf), f, v);
  return json_string(buf);
}

static double num(const json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

/* A device's clock against the runner's, to what it is known: within its
 * uncertainty (a DateTime of whole seconds, the round trip) it is in
 * sync, never a false -0.9 s. */
static json_t *clock_text(const json_t *snap) {
  double off = num(snap, "clock_offset_s");
  double unc = num(snap, "clock_uncertainty_s");
  char buf[64];
  if (isnan(off))
    return json_string("-");
  if (isnan(unc) || unc <= 0)
    snprintf(buf, sizeof(buf), "%+.1f s", off);
  else if (fabs(off) <= unc && unc >= 0.5)
    snprintf(buf, sizeof(buf), "in sync (to the second)");
  else if (fabs(off) <= unc)
    snprintf(buf, sizeof(buf), "in sync (± %.2f s)", unc);
  else if (unc >= 0.5)
    snprintf(buf, sizeof(buf), "%+.0f s (± %.1f s)", off, unc);
  else
    snprintf(buf, sizeof(buf), "%+.1f s (± %.2f s)", off, unc);
  return json_string(buf);
}

/* "device-NAME": the anchor of a device's section. A byte other than a
 * letter, a digit, '-' or '.' ('_' included) is written as "_" and its hex
 * code, so two names never share an anchor. */
static void device_anchor(const char *name, char *buf, size_t len) {
  size_t off = (size_t)snprintf(buf, len, "device-");
  for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
    if (off + 4 >= len)
      break;
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
        (*p >= '0' && *p <= '9') || *p == '-' || *p == '.')
      buf[off++] = (char)*p;
    else
      off += (size_t)snprintf(buf + off, len - off, "_%02x", *p);
  }
  buf[off] = '\0';
}

/* A device's name in a table: never broken across lines; linked to its
 * section when asked (a finding). */
static json_t *device_cell(const char *name, int link) {
  char id[300], href[304];
  device_anchor(name, id, sizeof(id));
  snprintf(href, sizeof(href), "#%s", id);
  json_t *c = json_pack("{s:s,s:s}", "text", name, "class", "name");
  if (link)
    json_object_set_new(c, "href", json_string(href));
  return c;
}

/* A severity in a table: the word, coloured in HTML. */
static json_t *severity_cell(const char *sev) {
  char cls[64];
  snprintf(cls, sizeof(cls), "sev-%s", sev);
  return json_pack("{s:s,s:s}", "text", sev, "class", cls);
}

static char *labels_text(const json_t *labels, char *buf, size_t len) {
  size_t off = 0;
  const char *k;
  json_t *v;
  buf[0] = '\0';
  json_object_foreach((json_t *)labels, k, v) {
    if (off < len)
      off += (size_t)snprintf(buf + off, len - off, "%s%s=%s", off ? " " : "",
                              k, json_string_value(v));
  }
  return buf;
}

int ed_inspect_verdict(const json_t *in, char *text, size_t len) {
  const json_t *counts = json_object_get(in, "counts");
  json_int_t c = json_integer_value(json_object_get(counts, "critical"));
  json_int_t h = json_integer_value(json_object_get(counts, "high"));
  json_int_t w = json_integer_value(json_object_get(counts, "warning"));
  json_int_t n = json_integer_value(json_object_get(counts, "notice"));
  int ready = c + h + w == 0;
  if (ready)
    snprintf(text, len, "ready for the event (%lld notice%s)", (long long)n,
             n == 1 ? "" : "s");
  else
    snprintf(text, len,
             "not ready: %lld critical, %lld high, %lld warning, %lld notice",
             (long long)c, (long long)h, (long long)w, (long long)n);
  return ready;
}

static void verdict(json_t *doc, const json_t *in) {
  char text[256];
  int ready = ed_inspect_verdict(in, text, sizeof(text));
  json_array_append_new(doc,
                        json_pack("{s:s,s:b}", "verdict", text, "pass", ready));
}

static void overview(json_t *doc, const json_t *in) {
  const json_t *snaps = json_object_get(in, "snapshots");
  size_t up = 0, unread = 0;
  json_t *s;
  size_t i;
  json_array_foreach((json_t *)snaps, i, s) {
    up += json_is_true(json_object_get(s, "reachable"));
    unread += json_is_string(json_object_get(s, "unread"));
  }
  char devices[192], dur[32], more[80] = "";
  if (unread)
    snprintf(more, sizeof(more), ", %zu not read (no health collection)",
             unread);
  snprintf(devices, sizeof(devices), "%zu (%zu reached, %zu unreachable%s)",
           json_array_size(json_object_get(in, "devices")), up,
           json_array_size(snaps) - up - unread, more);
  snprintf(dur, sizeof(dur), "%.1f s", num(in, "duration_s"));
  json_t *rows = json_pack("[[s,s],[s,s],[s,s],[s,s],[s,s],[s,s],[s,s]]",
                           "inventory", s_of(in, "inventory"), "file",
                           s_of(in, "file"), "date", s_of(in, "started"),
                           "devices", devices, "duration", dur, "eventdrill",
                           s_of(in, "version"), "command", s_of(in, "command"));
  if (json_is_true(json_object_get(in, "interrupted")))
    json_array_append_new(
        rows,
        json_pack("[s,s]", "note", "interrupted: not every device was read"));
  add(doc, "h", json_string("Overview"));
  table(doc, json_pack("[s,s]", "", ""), rows);
  add(doc, "p",
      json_string("Every request was read-only: a request that could change "
                  "a device's state is refused before it is sent."));
}

static void findings(json_t *doc, const json_t *in) {
  const json_t *list = json_object_get(in, "findings");
  add(doc, "h", json_string("Findings by risk"));
  if (json_array_size(list) == 0) {
    add(doc, "p",
        json_string("No finding: every rule passed on every "
                    "device."));
    return;
  }
  json_t *rows = json_array();
  json_t *f;
  size_t i;
  json_array_foreach((json_t *)list, i, f) {
    char lab[256];
    json_array_append_new(
        rows,
        json_pack("[o,o,s,s,s]", severity_cell(s_of(f, "severity")),
                  device_cell(s_of(f, "device"), 1),
                  labels_text(json_object_get(f, "labels"), lab, sizeof(lab)),
                  s_of(f, "title"), s_of(f, "detail")));
  }
  table(doc,
        json_pack("[s,s,s,s,s]", "severity", "device", "labels", "finding",
                  "detail"),
        rows);
}

/* One line per rule that found something: its measure and the devices. */
static void measures(json_t *doc, const json_t *in) {
  const json_t *list = json_object_get(in, "findings");
  if (json_array_size(list) == 0)
    return;
  json_t *by_rule = json_object(), *order = json_array();
  json_t *f;
  size_t i;
  json_array_foreach((json_t *)list, i, f) {
    const char *rule = s_of(f, "rule");
    json_t *devs = json_object_get(by_rule, rule);
    if (!devs) {
      devs = json_array();
      json_object_set_new(by_rule, rule, devs);
      json_array_append(order, f);
    }
    size_t k;
    json_t *d;
    int seen = 0;
    json_array_foreach(devs, k, d) {
      seen |= strcmp(json_string_value(d), s_of(f, "device")) == 0;
    }
    if (!seen)
      json_array_append_new(devs, json_string(s_of(f, "device")));
  }
  json_t *items = json_array();
  json_array_foreach(order, i, f) {
    char line[1024];
    size_t off = (size_t)snprintf(line, sizeof(line),
                                  "%s (%s): %s Devices: ", s_of(f, "title"),
                                  s_of(f, "severity"), s_of(f, "measure"));
    json_t *d;
    size_t k;
    json_array_foreach(json_object_get(by_rule, s_of(f, "rule")), k, d) {
      if (off < sizeof(line))
        off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%s",
                                k ? ", " : "", json_string_value(d));
    }
    json_array_append_new(items, json_string(line));
  }
  add(doc, "h", json_string("Measures before the event"));
  add(doc, "list", items);
  json_decref(by_rule);
  json_decref(order);
}

static const char *worst_health(const json_t *snap) {
  const char *w = "OK";
  json_t *h;
  size_t i;
  json_array_foreach(json_object_get(snap, "health"), i, h) {
    w = ed_health_worst(w, s_of(h, "health"));
    w = ed_health_worst(w, s_of(h, "rollup"));
  }
  return json_array_size(json_object_get(snap, "health")) ? w : "-";
}

static size_t findings_of(const json_t *in, const char *device) {
  size_t n = 0;
  json_t *f;
  size_t i;
  json_array_foreach(json_object_get(in, "findings"), i, f) {
    n += strcmp(s_of(f, "device"), device) == 0;
  }
  return n;
}

/* The address of device `name` as its driver flags it (ED_OPT_ADDRESS), or
 * "-". */
static const char *address_of(const json_t *in, const char *name) {
  size_t i;
  json_t *d;
  json_array_foreach(json_object_get(in, "devices"), i, d) {
    if (strcmp(s_of(d, "name"), name) == 0)
      return s_of(d, "address")[0] ? s_of(d, "address") : "-";
  }
  return "-";
}

static void devices(json_t *doc, const json_t *in) {
  json_t *rows = json_array();
  json_t *s;
  size_t i;
  json_array_foreach(json_object_get(in, "snapshots"), i, s) {
    const json_t *lat = json_object_get(s, "latency_ms");
    const json_t *fw = json_object_get(s, "firmware");
    char lab[256];
    int up = json_is_true(json_object_get(s, "reachable"));
    int unread = json_is_string(json_object_get(s, "unread"));
    json_array_append_new(
        rows,
        json_pack("[o,s,s,s,s,s,s,o,o,s,o,I]",
                  device_cell(s_of(s, "device"), 0), s_of(s, "driver"),
                  address_of(in, s_of(s, "device")),
                  labels_text(json_object_get(s, "labels"), lab, sizeof(lab)),
                  up       ? "yes"
                  : unread ? "not read"
                           : "no",
                  up ? s_of(s, "power") : "-", up ? worst_health(s) : "-",
                  fmt("%.1f", num(lat, "p50")), fmt("%.1f", num(lat, "p99")),
                  s_of(fw, "bmc")[0] ? s_of(fw, "bmc") : "-", clock_text(s),
                  (json_int_t)findings_of(in, s_of(s, "device"))));
  }
  add(doc, "h", json_string("Devices"));
  table(doc,
        json_pack("[s,s,s,s,s,s,s,s,s,s,s,s]", "device", "driver", "address",
                  "labels", "reached", "power", "health", "p50 ms", "p99 ms",
                  "BMC firmware", "clock", "findings"),
        rows);
}

static void device_sensors(json_t *doc, const json_t *snap) {
  json_t *rows = json_array();
  json_t *x;
  size_t i;
  json_array_foreach(json_object_get(snap, "sensors"), i, x) {
    double r = num(x, "reading"), w = num(x, "upper_warning");
    double margin = (!isnan(r) && !isnan(w) && w > 0) ? (w - r) / w * 100 : NAN;
    json_array_append_new(
        rows,
        json_pack("[s,o,s,o,o,o,s]", s_of(x, "name"), fmt("%g", r),
                  s_of(x, "unit"), fmt("%g", w),
                  fmt("%g", num(x, "upper_critical")), fmt("%.1f %%", margin),
                  s_of(x, "health")[0] ? s_of(x, "health") : "-"));
  }
  if (json_array_size(rows))
    table(doc,
          json_pack("[s,s,s,s,s,s,s]", "sensor", "reading", "unit", "warning",
                    "critical", "margin", "health"),
          rows);
  else
    json_decref(rows);
}

/* "read: health 3, power on, sensors 9": what the inspection read of each
 * part a ready verdict needs (the snapshot's "read"), first in a device's
 * list, so that a reader sees at once what the verdict rests on. */
static void read_line(json_t *items, const json_t *snap) {
  const json_t *read = json_object_get(snap, "read");
  if (!json_is_object(read))
    return;
  char line[300];
  size_t off = (size_t)snprintf(line, sizeof(line), "read:");
  const char *k;
  const json_t *v;
  json_object_foreach((json_t *)read, k, v) {
    if (off >= sizeof(line))
      break;
    if (json_is_null(v))
      off += (size_t)snprintf(line + off, sizeof(line) - off, " %s none,", k);
    else if (json_is_string(v))
      off += (size_t)snprintf(line + off, sizeof(line) - off, " %s %s,", k,
                              json_string_value(v));
    else
      off += (size_t)snprintf(line + off, sizeof(line) - off, " %s %lld,", k,
                              (long long)json_integer_value(v));
  }
  if (off < sizeof(line) && line[off - 1] == ',')
    line[off - 1] = '\0';
  json_array_append_new(items, json_string(line));
}

static void device_detail(json_t *doc, const json_t *snap) {
  char h[200], id[300];
  snprintf(h, sizeof(h), "Device %s", s_of(snap, "device"));
  device_anchor(s_of(snap, "device"), id, sizeof(id));
  json_array_append_new(doc, json_pack("{s:s,s:s}", "h", h, "id", id));
  if (!json_is_true(json_object_get(snap, "reachable"))) {
    char p[600];
    const json_t *e = json_object_get(snap, "error");
    if (json_is_string(json_object_get(snap, "unread")))
      snprintf(p, sizeof(p), "Not read: %s", s_of(snap, "unread"));
    else
      snprintf(p, sizeof(p), "Unreachable (%s): %s", s_of(e, "class"),
               s_of(e, "detail"));
    add(doc, "p", json_string(p));
    return;
  }
  json_t *items = json_array();
  json_t *x;
  size_t i;
  read_line(items, snap);
  json_array_foreach(json_object_get(snap, "health"), i, x) {
    char line[300];
    snprintf(line, sizeof(line), "%s %s: health %s, rollup %s, %s",
             s_of(x, "kind"), s_of(x, "component"),
             s_of(x, "health")[0] ? s_of(x, "health") : "-",
             s_of(x, "rollup")[0] ? s_of(x, "rollup") : "-", s_of(x, "state"));
    json_array_append_new(items, json_string(line));
  }
  json_array_foreach(json_object_get(snap, "psus"), i, x) {
    char line[200];
    snprintf(line, sizeof(line), "power supply %s: health %s, %s",
             s_of(x, "name"), s_of(x, "health"), s_of(x, "state"));
    json_array_append_new(items, json_string(line));
  }
  json_array_foreach(json_object_get(snap, "disks"), i, x) {
    char line[300];
    snprintf(line, sizeof(line), "disk %s: %.0f %% used", s_of(x, "mount"),
             num(x, "used_pct"));
    json_array_append_new(items, json_string(line));
  }
  json_array_foreach(json_object_get(snap, "gaps"), i, x) {
    char line[600];
    snprintf(line, sizeof(line), "not read: %s", json_string_value(x));
    json_array_append_new(items, json_string(line));
  }
  if (json_array_size(items))
    add(doc, "list", items);
  else
    json_decref(items);
  device_sensors(doc, snap);
}

static void rules(json_t *doc, const json_t *in) {
  json_t *rows = json_array();
  json_t *r;
  size_t i;
  json_array_foreach(json_object_get(in, "rules"), i, r) {
    json_array_append_new(
        rows,
        json_pack("[s,o,s,s]", s_of(r, "id"),
                  severity_cell(s_of(r, "severity")),
                  json_is_true(json_object_get(r, "enabled")) ? "on" : "off",
                  s_of(r, "title")));
  }
  add(doc, "h", json_string("Rules applied"));
  table(doc, json_pack("[s,s,s,s]", "rule", "severity", "enabled", "checks"),
        rows);
}

json_t *ed_inspect_report_doc(const json_t *in) {
  json_t *doc = json_array();
  char title[256];
  snprintf(title, sizeof(title), "Device Health Check Report: %s",
           s_of(in, "inventory"));
  add(doc, "title", json_string(title));
  verdict(doc, in);
  overview(doc, in);
  findings(doc, in);
  measures(doc, in);
  devices(doc, in);
  json_t *s;
  size_t i;
  json_array_foreach(json_object_get(in, "snapshots"), i, s) {
    device_detail(doc, s);
  }
  rules(doc, in);
  return doc;
}
