/* SSH hosts: reachability and response time (`true`), and with a full
 * collection the disks, the time sync, the failed units and the clock,
 * through read-only `check` commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect_internal.h"

#define DISKS_CMD "df -P -x tmpfs -x devtmpfs"
#define TIME_SYNC_CMD "timedatectl show -p NTPSynchronized --value"
#define FAILED_UNITS_CMD "systemctl --failed --no-legend --plain"

static void check(ed__cjob_t *j, const char *what, const char *command,
                  const char *output, ed__cjob_cb cb) {
  ed__cjob_op(j, what, "check",
              json_pack("{s:s,s:s}", "command", command, "output", output), cb,
              NULL, NULL);
}

/* The command's stdout when it exited 0; else a gap and NULL. */
static const char *stdout_of(ed__cjob_t *j, const ed_probe_outcome_t *o,
                             const char *what, json_t **holder) {
  *holder = ed__cjob_value(o);
  if (o->code != 0 || !json_is_string(*holder)) {
    ed__cjob_gap(j, what, o);
    return NULL;
  }
  return json_string_value(*holder);
}

static void sample_cb(ed__cjob_t *j, const ed_probe_outcome_t *o, void *ctx) {
  (void)ctx;
  ed__cjob_sample(j, o);
}

/* "Filesystem 1024-blocks Used Available Capacity Mounted on" lines. */
static void disks_cb(ed__cjob_t *j, const ed_probe_outcome_t *o, void *ctx) {
  (void)ctx;
  json_t *holder;
  const char *out = stdout_of(j, o, "disks", &holder);
  for (const char *line = out ? strchr(out, '\n') : NULL; line && *line;) {
    line++;
    char fs[256], mount[512];
    long long blocks, used, avail;
    int pct;
    if (sscanf(line, "%255s %lld %lld %lld %d%% %511s", fs, &blocks, &used,
               &avail, &pct, mount) == 6)
      ed__cjob_append(j, "disks",
                      json_pack("{s:s,s:s,s:i}", "mount", mount, "filesystem",
                                fs, "used_pct", pct));
    line = strchr(line, '\n');
  }
  json_decref(holder);
}

static void time_sync_cb(ed__cjob_t *j, const ed_probe_outcome_t *o,
                         void *ctx) {
  (void)ctx;
  json_t *holder;
  const char *out = stdout_of(j, o, "time sync", &holder);
  if (out)
    json_object_set_new(j->snap, "time_sync",
                        json_boolean(strncmp(out, "yes", 3) == 0));
  json_decref(holder);
}

static void failed_units_cb(ed__cjob_t *j, const ed_probe_outcome_t *o,
                            void *ctx) {
  (void)ctx;
  json_t *holder;
  const char *out = stdout_of(j, o, "failed units", &holder);
  if (out) {
    json_t *units = json_array();
    for (const char *p = out; *p;) {
      char unit[256];
      if (sscanf(p, "%255s", unit) == 1)
        json_array_append_new(units, json_string(unit));
      p = strchr(p, '\n');
      if (!p)
        break;
      p++;
    }
    json_object_set_new(j->snap, "failed_units", units);
  }
  json_decref(holder);
}

static void clock_cb(ed__cjob_t *j, const ed_probe_outcome_t *o, void *ctx) {
  (void)ctx;
  json_t *v = ed__cjob_value(o);
  if (o->code == 0 && json_is_number(v)) {
    double mid = ed_collect_now() - o->latency_ms / 2000.0;
    json_object_set_new(j->snap, "clock_offset_s",
                        json_real(json_number_value(v) - mid));
  } else {
    ed__cjob_gap(j, "clock", o);
  }
  json_decref(v);
}

static void first_cb(ed__cjob_t *j, const ed_probe_outcome_t *o, void *ctx) {
  (void)ctx;
  if (o->err != ED_ERRCLASS_NONE) {
    ed__cjob_unreachable(j, o);
    return;
  }
  ed__cjob_sample(j, o);
  for (int i = 0; i < j->o.latency_samples; i++)
    check(j, "response time", "true", "stdout", sample_cb);
  if (!j->o.full)
    return;
  check(j, "clock", "date +%s.%N", "number", clock_cb);
  check(j, "disks", j->o.ssh_disks ? j->o.ssh_disks : DISKS_CMD, "stdout",
        disks_cb);
  check(j, "time sync", j->o.ssh_time_sync ? j->o.ssh_time_sync : TIME_SYNC_CMD,
        "stdout", time_sync_cb);
  check(j, "failed units",
        j->o.ssh_failed_units ? j->o.ssh_failed_units : FAILED_UNITS_CMD,
        "stdout", failed_units_cb);
}

/* Without these read, the device is not known to be ready. */
static const ed__cpart_t required[] = {
    {"disks", "disks"}, {"failed units", "failed_units"}, {NULL, NULL}};

void ed__collect_ssh(ed__cjob_t *j) {
  j->required = required;
  check(j, "response time", "true", "stdout", first_cb);
}
