#include "rebuild.h"

#include <limits.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "rebuild_internal.h"
#include "summary.h"

static int new_hist(const ed_rebuild_t *rb, ed_hist_t **h) {
  if (*h)
    return 0;
  return ed_hist_create(ED_METRICS_HIGHEST_US, rb->sigfigs, h);
}

static int setup(ed_rebuild_t *rb, const json_t *start) {
  rb->start = json_deep_copy(start);
  rb->per_request =
      strcmp(json_string_value(json_object_get(start, "journal"))
                 ? json_string_value(json_object_get(start, "journal"))
                 : "",
             "requests") == 0;
  rb->sigfigs = (int)json_integer_value(json_object_get(start, "sigfigs"));
  if (rb->sigfigs < 1 || rb->sigfigs > 5)
    rb->sigfigs = 3;
  const json_t *wls = json_object_get(rb->start, "workloads");
  rb->nwls = json_array_size(wls);
  rb->wls = calloc(rb->nwls ? rb->nwls : 1, sizeof(wl_t));
  size_t *nt = calloc(rb->nwls + 1, sizeof(size_t));
  size_t *np = calloc(rb->nwls + 1, sizeof(size_t));
  if (!rb->wls || !nt || !np) {
    free(nt);
    free(np);
    return ED_ENOMEM;
  }
  for (size_t w = 0; w < rb->nwls; w++) {
    const json_t *wj = json_array_get(wls, w);
    wl_t *wl = &rb->wls[w];
    wl->name = json_string_value(json_object_get(wj, "name"));
    wl->ntargets = json_array_size(json_object_get(wj, "targets"));
    wl->nphases = json_array_size(json_object_get(wj, "phases"));
    wl->cur_sec = -1;
    nt[w] = wl->ntargets;
    np[w] = wl->nphases;
    wl->phase_lat = calloc(wl->nphases ? wl->nphases : 1, sizeof(ed_hist_t *));
    if (!wl->phase_lat) {
      free(nt);
      free(np);
      return ED_ENOMEM;
    }
  }
  int rc = ed_metrics_create(rb->nwls, nt, np, rb->sigfigs, &rb->metrics);
  free(nt);
  free(np);
  return rc;
}

static ed_rebuild_second_t *second(wl_t *wl, int64_t sec) {
  if (sec < 0 || sec > 10 * 24 * 3600)
    return NULL;
  if ((size_t)sec >= wl->capsecs) {
    size_t cap = wl->capsecs ? wl->capsecs * 2 : 64;
    while (cap <= (size_t)sec)
      cap *= 2;
    ed_rebuild_second_t *p = realloc(wl->secs, cap * sizeof(*p));
    if (!p)
      return NULL;
    memset(p + wl->capsecs, 0, (cap - wl->capsecs) * sizeof(*p));
    for (size_t i = wl->capsecs; i < cap; i++)
      p[i].phase = -1;
    wl->secs = p;
    wl->capsecs = cap;
  }
  if ((size_t)sec >= wl->nsecs)
    wl->nsecs = (size_t)sec + 1;
  return &wl->secs[sec];
}

/* The latencies of one second are complete once a later second shows up. */
static void close_second(wl_t *wl) {
  if (wl->cur_sec < 0 || !wl->cur)
    return;
  ed_rebuild_second_t *s = second(wl, wl->cur_sec);
  if (s && ed_hist_count(wl->cur)) {
    s->p50_us = ed_hist_percentile(wl->cur, 50);
    s->p99_us = ed_hist_percentile(wl->cur, 99);
    s->max_us = ed_hist_max(wl->cur);
  }
  ed_hist_reset(wl->cur);
}

/* The latencies of second sec of wl: a histogram h, a sparse one sp (as
 * the journal holds it), or one value. */
static int second_latency(ed_rebuild_t *rb, wl_t *wl, int64_t sec,
                          const ed_hist_t *h, const ed_hist_sparse_t *sp,
                          int64_t value) {
  if (new_hist(rb, &wl->cur))
    return ED_ENOMEM;
  if (sec < wl->cur_sec)
    return 0; /* out of order: counted in the cells, not in the series */
  if (sec > wl->cur_sec) {
    close_second(wl);
    wl->cur_sec = sec;
  }
  if (h)
    return ed_hist_merge(wl->cur, h);
  if (sp)
    return ed_hist_add_sparse(wl->cur, sp);
  ed_hist_record(wl->cur, value);
  return 0;
}

static ed_cell_t *cell_at(ed_rebuild_t *rb, json_int_t w, json_int_t t,
                          json_int_t ph, wl_t **wlp, int *php) {
  if (w < 0 || (size_t)w >= rb->nwls) {
    rb->bad_index++;
    return NULL;
  }
  wl_t *wl = &rb->wls[w];
  if (t < 0 || ph < 0 || (size_t)t >= wl->ntargets ||
      (size_t)ph >= wl->nphases) {
    rb->bad_index++;
    return NULL;
  }
  ed_cell_t *c =
      ed_metrics_cell_fill(rb->metrics, (size_t)w, (size_t)t, (size_t)ph);
  if (!c)
    return NULL;
  *wlp = wl;
  *php = (int)ph;
  return c;
}

static ed_cell_t *cell_of(ed_rebuild_t *rb, const json_t *ev, wl_t **wlp,
                          int *php) {
  return cell_at(rb, json_integer_value(json_object_get(ev, "w")),
                 json_integer_value(json_object_get(ev, "tg")),
                 json_integer_value(json_object_get(ev, "ph")), wlp, php);
}

/* A "sec" line read by the fast parser (rebuild_fast.c): as on_sec. */
int ed__rebuild_sec(ed_rebuild_t *rb, const ed__rsec_t *e) {
  if (e->t > rb->last_t)
    rb->last_t = e->t;
  wl_t *wl;
  int ph;
  ed_cell_t *c = cell_at(rb, e->w, e->tg, e->ph, &wl, &ph);
  if (!c)
    return 0;
  ed_counts_add(&c->counts, &e->counts);
  ed_rebuild_second_t *s = second(wl, e->sec);
  if (s) {
    ed_counts_add(&s->counts, &e->counts);
    if (ph > s->phase)
      s->phase = ph;
  }
  if (rb->per_request)
    return 0;
  if (e->has_lat && ed_hist_add_sparse(c->latency, &e->lat) != 0)
    return 0; /* a damaged histogram: counted, latencies left out */
  if (e->has_svc && ed_hist_add_sparse(c->service, &e->svc) != 0)
    return 0;
  if (e->has_lat && e->lat.count > 0)
    second_latency(rb, wl, e->sec, NULL, &e->lat, 0);
  return 0;
}

static uint64_t u64(const json_t *o, const char *key) {
  json_int_t v = json_integer_value(json_object_get(o, key));
  return v > 0 ? (uint64_t)v : 0;
}

static void counts_of(const json_t *ev, ed_counts_t *k) {
  memset(k, 0, sizeof(*k));
  k->sent = u64(ev, "sent");
  k->completed = u64(ev, "completed");
  k->ok = u64(ev, "ok");
  k->late = u64(ev, "late");
  k->dropped = u64(ev, "dropped");
  const char *cls;
  json_t *n;
  json_object_foreach(json_object_get(ev, "errors"), cls, n) {
    int e = ed_errclass_from_name(cls);
    if (e <= 0 || e >= ED_ERRCLASS_COUNT)
      e = ed_errclass_from_name("other");
    if (e > 0 && json_integer_value(n) > 0)
      k->errors[e] += (uint64_t)json_integer_value(n);
  }
}

static int on_sec(ed_rebuild_t *rb, const json_t *ev) {
  wl_t *wl;
  int ph;
  ed_cell_t *c = cell_of(rb, ev, &wl, &ph);
  if (!c)
    return 0;
  ed_counts_t k;
  counts_of(ev, &k);
  ed_counts_add(&c->counts, &k);
  json_int_t sec = json_integer_value(json_object_get(ev, "sec"));
  ed_rebuild_second_t *s = second(wl, sec);
  if (s) {
    ed_counts_add(&s->counts, &k);
    if (ph > s->phase)
      s->phase = ph;
  }
  if (rb->per_request)
    return 0;
  /* Each histogram is read once: into the cell, and the latency into its
   * second's series. A damaged one: counted, its latencies left out. */
  const json_t *jl = json_object_get(ev, "lat");
  const json_t *js = json_object_get(ev, "svc");
  ed_hist_t *lat = NULL, *svc = NULL;
  if (jl && (ed_hist_from_json(jl, &lat) != 0 ||
             ed_hist_merge(c->latency, lat) != 0)) {
    ed_hist_destroy(lat);
    return 0;
  }
  int svc_ok = !js || (ed_hist_from_json(js, &svc) == 0 &&
                       ed_hist_merge(c->service, svc) == 0);
  if (svc_ok && lat && ed_hist_count(lat) > 0)
    second_latency(rb, wl, sec, lat, NULL, 0);
  ed_hist_destroy(lat);
  ed_hist_destroy(svc);
  return 0;
}

static int on_req(ed_rebuild_t *rb, const json_t *ev) {
  wl_t *wl;
  int ph;
  ed_cell_t *c = cell_of(rb, ev, &wl, &ph);
  if (!c)
    return 0;
  int64_t lat = (int64_t)json_integer_value(json_object_get(ev, "lat_us"));
  int64_t svc = (int64_t)json_integer_value(json_object_get(ev, "svc_us"));
  ed_hist_record(c->latency, lat < 0 ? 0 : lat);
  ed_hist_record(c->service, svc < 0 ? 0 : svc);
  double t = json_number_value(json_object_get(ev, "t"));
  double sent = json_number_value(json_object_get(ev, "sent"));
  if (!json_is_true(json_object_get(ev, "late"))) {
    /* The journal keeps microseconds: a lag may be 1 us off the live one. */
    int64_t lag = llround((sent - t) * 1e6);
    ed_hist_record(c->lag, lag < 0 ? 0 : lag);
  }
  int64_t done = (int64_t)floor(t + (double)lat / 1e6);
  return second_latency(rb, wl, done, NULL, NULL, lat);
}

static int on_event(void *arg, const json_t *ev, const char *kind,
                    size_t line) {
  (void)line;
  ed_rebuild_t *rb = arg;
  double t = json_number_value(json_object_get(ev, "t"));
  if (t > rb->last_t)
    rb->last_t = t;
  if (!rb->start && strcmp(kind, "run_start") != 0)
    return 0;
  if (strcmp(kind, "sec") == 0)
    return on_sec(rb, ev);
  if (strcmp(kind, "req") == 0)
    return on_req(rb, ev);
  if (strcmp(kind, "run_start") == 0 && !rb->start) {
    int rc = setup(rb, ev);
    if (rc)
      return rc;
  } else if (strcmp(kind, "run_end") == 0) {
    rb->elapsed_s = json_number_value(json_object_get(ev, "elapsed_s"));
    rb->has_elapsed = 1;
  } else if (strcmp(kind, "warning") == 0) {
    json_array_append(rb->warnings, json_object_get(ev, "message"));
  }
  return json_array_append(rb->events, (json_t *)ev) ? ED_ENOMEM : 0;
}

/* The copy of the scenario the run wrote, if its bytes hash to the
 * journal's scenario_sha256. */
static void load_scenario(ed_rebuild_t *rb) {
  const char *want =
      json_string_value(json_object_get(rb->start, "scenario_sha256"));
  char pattern[PATH_MAX + 32];
  snprintf(pattern, sizeof(pattern), "%s/scenario-", rb->dir);
  /* The copy is named scenario-<file name>: the file names on the command
   * line say which. */
  json_t *doc = NULL;
  char path[PATH_MAX + 300];
  const char *cmd = json_string_value(json_object_get(rb->start, "command"));
  const char *p = cmd;
  while (p && *p && !doc) {
    const char *end = strchr(p, ' ');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    const char *base = p;
    for (size_t i = 0; i < n; i++)
      if (p[i] == '/')
        base = p + i + 1;
    size_t bn = n - (size_t)(base - p);
    if (bn > 5 && strncmp(base + bn - 5, ".json", 5) == 0 && bn < 256) {
      snprintf(path, sizeof(path), "%s%.*s", pattern, (int)bn, base);
      FILE *f = fopen(path, "rb");
      if (f) {
        char *buf = NULL;
        size_t len = 0, cap = 0;
        char chunk[8192];
        size_t got;
        while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
          if (len + got > cap) {
            cap = (len + got) * 2;
            char *nb = realloc(buf, cap);
            if (!nb)
              break;
            buf = nb;
          }
          memcpy(buf + len, chunk, got);
          len += got;
        }
        fclose(f);
        unsigned char md[32];
        unsigned int mdlen = 0;
        char hex[65] = "";
        if (buf && EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL)) {
          for (unsigned i = 0; i < mdlen && i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", md[i]);
        }
        if (want && strcmp(hex, want) == 0)
          doc = json_loadb(buf, len, 0, NULL);
        free(buf);
      }
    }
    p = end ? end + 1 : NULL;
  }
  rb->scenario = doc;
}

int ed_rebuild_create(const char *dir, ed_rebuild_t **out) {
  *out = NULL;
  ed_rebuild_t *rb = calloc(1, sizeof(*rb));
  if (!rb)
    return ED_ENOMEM;
  snprintf(rb->dir, sizeof(rb->dir), "%s", dir);
  rb->events = json_array();
  rb->warnings = json_array();
  char path[PATH_MAX + 16];
  snprintf(path, sizeof(path), "%s/journal.jsonl", dir);
  int rc = ed_journal_read_raw(path, ed__rebuild_raw, on_event, rb, &rb->st);
  if (rc == ED_EIO && rb->st.lines == 0)
    rc = ED_ENOTFOUND;
  if (rc == 0 && !rb->start)
    rc = ED_EPARSE;
  if (rc != 0) {
    ed_rebuild_destroy(rb);
    return rc;
  }
  for (size_t w = 0; w < rb->nwls; w++) {
    wl_t *wl = &rb->wls[w];
    close_second(wl);
    /* Each phase's latency, all targets merged (the plots' percentile
     * distributions): merged by the store's own code. */
    for (size_t ph = 0; ph < wl->nphases; ph++) {
      ed_cell_t c;
      if (ed_metrics_cell_init(rb->metrics, &c) == 0 &&
          ed_metrics_merge(rb->metrics, w, SIZE_MAX, ph, &c) == 0 &&
          ed_hist_count(c.latency)) {
        wl->phase_lat[ph] = c.latency;
        c.latency = NULL;
      }
      ed_metrics_cell_close(&c);
    }
  }
  if (!rb->has_elapsed)
    rb->elapsed_s = rb->last_t;
  load_scenario(rb);
  *out = rb;
  return 0;
}

void ed_rebuild_destroy(ed_rebuild_t *rb) {
  if (!rb)
    return;
  for (size_t w = 0; w < rb->nwls; w++) {
    wl_t *wl = &rb->wls[w];
    for (size_t ph = 0; ph < wl->nphases; ph++)
      ed_hist_destroy(wl->phase_lat[ph]);
    ed_hist_destroy(wl->cur);
    free(wl->phase_lat);
    free(wl->secs);
  }
  free(rb->wls);
  ed_metrics_destroy(rb->metrics);
  json_decref(rb->start);
  json_decref(rb->events);
  json_decref(rb->warnings);
  json_decref(rb->scenario);
  free(rb->pairs);
  free(rb);
}
