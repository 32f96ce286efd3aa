/* The watch's events: the journal, alarm events as JSON lines on stdout
 * (no view), and the --hook command run on each alarm event with the
 * event on its stdin (spawned on the loop: a slow hook never blocks the
 * polls). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "watch_internal.h"

#define MAX_HOOKS 16 /* running at once; more are dropped and journaled */

void ed__watch_journal(ed__watch_t *w, const char *ev, json_t *obj) {
  if (!obj)
    obj = json_object();
  if (w->journal && obj)
    ed_journal_write(w->journal, ev, ed__watch_now(w), obj);
  json_decref(obj);
}

/* ---- hooks ------------------------------------------------------------- */

typedef struct ed__whook_s {
  uv_process_t proc;
  uv_pipe_t in;
  uv_write_t wr;
  char *text;
  int open;    /* handles not yet closed */
  int running; /* spawned and not exited: may be killed */
  unsigned alarm;
  char ev[24];
  ed__watch_t *w;
  struct ed__whook_s *prev, *next;
} hook_t;

static void hook_closed(uv_handle_t *h) {
  hook_t *k = h->data;
  if (--k->open > 0)
    return;
  if (k->prev)
    k->prev->next = k->next;
  else
    k->w->hooks = k->next;
  if (k->next)
    k->next->prev = k->prev;
  k->w->hooks_running--;
  free(k->text);
  free(k);
}

static void hook_exited(uv_process_t *p, int64_t status, int signum) {
  hook_t *k = p->data;
  k->running = 0;
  json_t *o = json_pack("{s:I,s:s,s:I}", "alarm", (json_int_t)k->alarm, "event",
                        k->ev, "status", (json_int_t)status);
  if (signum)
    json_object_set_new(o, "signal", json_integer(signum));
  ed__watch_journal(k->w, "hook_end", o);
  uv_close((uv_handle_t *)p, hook_closed);
}

static void hook_written(uv_write_t *req, int status) {
  hook_t *k = req->data;
  (void)status; /* a hook that does not read its stdin is its business */
  uv_close((uv_handle_t *)&k->in, hook_closed);
}

static void run_hook(ed__watch_t *w, const char *ev, unsigned alarm,
                     const char *text) {
  if (w->hooks_running >= MAX_HOOKS) {
    w->hooks_dropped++;
    ed__watch_journal(
        w, "hook_dropped",
        json_pack("{s:I,s:s}", "alarm", (json_int_t)alarm, "event", ev));
    return;
  }
  hook_t *k = calloc(1, sizeof(*k));
  size_t len = strlen(text);
  if (!k || !(k->text = malloc(len + 2))) {
    free(k);
    return;
  }
  memcpy(k->text, text, len);
  k->text[len] = '\n';
  k->w = w;
  k->alarm = alarm;
  snprintf(k->ev, sizeof(k->ev), "%s", ev);
  uv_pipe_init(&w->loop, &k->in, 0);
  k->in.data = k->proc.data = k->wr.data = k;
  char *args[] = {"sh", "-c", (char *)w->o.hook, NULL};
  /* Its output goes where ours goes to on stderr (watch.log under the
   * view): never into the JSON lines on stdout. */
  uv_stdio_container_t stdio[3] = {{.flags = UV_CREATE_PIPE | UV_READABLE_PIPE,
                                    .data.stream = (uv_stream_t *)&k->in},
                                   {.flags = UV_INHERIT_FD, .data.fd = 2},
                                   {.flags = UV_INHERIT_FD, .data.fd = 2}};
  uv_process_options_t po = {.file = "/bin/sh",
                             .args = args,
                             .exit_cb = hook_exited,
                             .stdio_count = 3,
                             .stdio = stdio};
  k->open = 1;
  w->hooks_running++;
  k->next = w->hooks;
  if (w->hooks)
    w->hooks->prev = k;
  w->hooks = k;
  int rc = uv_spawn(&w->loop, &k->proc, &po);
  if (rc != 0) {
    ed__watch_journal(w, "hook_error",
                      json_pack("{s:I,s:s,s:s}", "alarm", (json_int_t)alarm,
                                "event", ev, "error", uv_strerror(rc)));
    uv_close((uv_handle_t *)&k->in, hook_closed);
    return;
  }
  w->hooks_started++;
  k->open = 2;
  k->running = 1;
  uv_buf_t buf = uv_buf_init(k->text, (unsigned)len + 1);
  if (uv_write(&k->wr, (uv_stream_t *)&k->in, &buf, 1, hook_written) != 0)
    uv_close((uv_handle_t *)&k->in, hook_closed);
}

void ed__watch_hooks_kill(ed__watch_t *w) {
  for (hook_t *k = w->hooks; k; k = k->next)
    if (k->running)
      uv_process_kill(&k->proc, SIGKILL);
}

/* ---- alarm events ------------------------------------------------------ */

static void iso_ms(char *buf, size_t len) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char s[32];
  strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf, len, "%.20s.%03dZ", s, (int)(ts.tv_nsec / 1000000) % 1000);
}

/* The event as the journal, the JSON lines and the hook see it: the
 * alarm, the wall-clock time, and its emergency-plan entry (in full when
 * raised or updated, by name otherwise). */
static json_t *event_json(ed__watch_t *w, ed_alarm_ev_t ev,
                          const ed_alarm_t *a) {
  json_t *o = ed_alarm_json(a, ev);
  char at[40];
  iso_ms(at, sizeof(at));
  json_object_set_new(o, "at", json_string(at));
  json_object_set_new(o, "inventory", json_string(w->inv->name));
  if (ev == ED_ALARM_EV_ACK) { /* who saw it, and why they say so */
    json_object_set_new(o, "operator", json_string(ed__watch_operator(w)));
    if (w->ack_note && w->ack_note[0])
      json_object_set_new(o, "note", json_string(w->ack_note));
  }
  const ed_fault_t *f = ed__watch_plan_fault(w, a);
  if (f && (ev == ED_ALARM_EV_RAISE || ev == ED_ALARM_EV_UPDATE))
    json_object_set_new(o, "plan", ed__watch_plan_entry(w, f));
  else if (f)
    json_object_set_new(
        o, "plan", json_pack("{s:s,s:s}", "plan", f->plan, "fault", f->name));
  return o;
}

static void tell_view(ed__watch_t *w, ed_alarm_ev_t ev, const ed_alarm_t *a) {
  static const char *const verbs[] = {"", "raised", "updated", "cleared",
                                      "acknowledged"};
  ed_view_message(w->view, "alarm %u %s: %s %s %s: %s", a->id, verbs[ev],
                  ed_alarm_sev_name(a->severity), a->device,
                  ed_alarm_kind_name(a->kind), a->text);
  ed_view_dirty(w->view);
}

void ed__watch_on_alarm(void *arg, ed_alarm_ev_t ev, const ed_alarm_t *a) {
  ed__watch_t *w = arg;
  const char *name = ed_alarm_ev_name(ev);
  double t = ed__watch_now(w);
  json_t *o = event_json(w, ev, a);
  if (!o)
    return;
  if (w->journal)
    ed_journal_write(w->journal, name, t, o);
  /* Raises and acks matter after a crash: on disk now. */
  if (ev == ED_ALARM_EV_RAISE || ev == ED_ALARM_EV_ACK)
    ed_journal_sync(w->journal);
  /* "type" as every --json line of eventdrill has; "ev" as the journal. */
  json_t *line = json_pack("{s:s,s:s,s:f}", "type", "alarm", "ev", name, "t",
                           round(t * 1e3) / 1e3);
  json_object_update(line, o);
  char *text = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(12));
  if (text && w->json_lines) {
    fputs(text, stdout);
    fputc('\n', stdout);
    fflush(stdout);
  }
  if (text && w->o.hook)
    run_hook(w, name, a->id, text);
  if (w->view)
    tell_view(w, ev, a);
  ed__watch_export_alarm(w, ev, a);
  free(text);
  json_decref(line);
  json_decref(o);
}
