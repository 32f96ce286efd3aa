/*
 * collect: the SSH driver's health collection (ABI version 2's collect).
 * Reachability and response time (`true`), and with a full collection the
 * disks, the time sync, the failed units and the clock, through read-only
 * "check" commands on the target's own connections, queued with
 * <eventdrill/snapshot.h>.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eventdrill/snapshot.h>

#include "ssh.h"

#define DISKS_CMD "df -P -x tmpfs -x devtmpfs"
#define TIME_SYNC_CMD "timedatectl show -p NTPSynchronized --value"
#define FAILED_UNITS_CMD "systemctl --failed --no-legend --plain"

static void check(ed_snap_job_t *j, const char *what, const char *command,
                  const char *output, ed_snap_cb cb) {
  ed_snap_read(j, what, ed__ssh_prepare_check(j->target, command, output), cb,
               NULL, NULL);
}

/* The command's stdout when it exited 0; else a gap and NULL. */
static const char *stdout_of(ed_snap_job_t *j, const ed_snap_answer_t *a,
                             const char *what, json_t **holder) {
  *holder = ed_snap_value(a);
  if (a->code != 0 || !json_is_string(*holder)) {
    ed_snap_gap(j, what, a);
    return NULL;
  }
  return json_string_value(*holder);
}

static void sample_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  (void)ctx;
  ed_snap_sample(j, a);
}

/* "Filesystem 1024-blocks Used Available Capacity Mounted on" lines. */
static void disks_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  (void)ctx;
  json_t *holder;
  const char *out = stdout_of(j, a, "disks", &holder);
  for (const char *line = out ? strchr(out, '\n') : NULL; line && *line;) {
    line++;
    char fs[256], mount[512];
    long long blocks, used, avail;
    int pct;
    if (sscanf(line, "%255s %lld %lld %lld %d%% %511s", fs, &blocks, &used,
               &avail, &pct, mount) == 6)
      ed_snap_append(j, "disks",
                     json_pack("{s:s,s:s,s:i}", "mount", mount, "filesystem",
                               fs, "used_pct", pct));
    line = strchr(line, '\n');
  }
  json_decref(holder);
}

static void time_sync_cb(ed_snap_job_t *j, const ed_snap_answer_t *a,
                         void *ctx) {
  (void)ctx;
  json_t *holder;
  const char *out = stdout_of(j, a, "time sync", &holder);
  if (out)
    json_object_set_new(j->snap, "time_sync",
                        json_boolean(strncmp(out, "yes", 3) == 0));
  json_decref(holder);
}

static void failed_units_cb(ed_snap_job_t *j, const ed_snap_answer_t *a,
                            void *ctx) {
  (void)ctx;
  json_t *holder;
  const char *out = stdout_of(j, a, "failed units", &holder);
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

static void clock_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  (void)ctx;
  json_t *v = ed_snap_value(a);
  if (a->code == 0 && json_is_number(v)) {
    double mid = ed_snap_now() - a->latency_ms / 2000.0;
    json_object_set_new(j->snap, "clock_offset_s",
                        json_real(json_number_value(v) - mid));
  } else {
    ed_snap_gap(j, "clock", a);
  }
  json_decref(v);
}

static void first_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  (void)ctx;
  if (a->err != ED_ERRCLASS_NONE) {
    ed_snap_unreachable(j, a);
    return;
  }
  ed_snap_sample(j, a);
  for (int i = 0; i < j->c->latency_samples; i++)
    check(j, "response time", "true", "stdout", sample_cb);
  if (!(j->c->flags & ED_COLLECT_FULL))
    return;
  check(j, "clock", "date +%s.%N", "number", clock_cb);
  check(j, "disks", DISKS_CMD, "stdout", disks_cb);
  check(j, "time sync", TIME_SYNC_CMD, "stdout", time_sync_cb);
  check(j, "failed units", FAILED_UNITS_CMD, "stdout", failed_units_cb);
}

/* Without these read, the device is not known to be ready. */
static const ed_snap_part_t required[] = {
    {"disks", "disks"}, {"failed units", "failed_units"}, {NULL, NULL}};

int ed__ssh_collect(void *target, ed_collect_t *c) {
  ed_snap_job_t *j = ed_snap_begin(target, c, ed__ssh_submit, ed__ssh_op_free);
  if (!j)
    return -1;
  j->required = required;
  check(j, "response time", "true", "stdout", first_cb);
  ed_snap_go(j);
  return 0;
}
