#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "log.h"

/* The events of one (workload, target) in the current second, flushed when
 * the second or the phase changes, so that each flush is exactly one
 * (workload, target, phase, second). */
typedef struct accum_s {
  int64_t sec; /* -1 = empty */
  size_t ph;
  ed_counts_t counts;
  ed_hist_t *lat, *svc;
} accum_t;

typedef struct wl_s {
  size_t ntargets, nphases;
  ed_cell_t *cells; /* ntargets * nphases, histograms created lazily */
  accum_t *accums;  /* ntargets */
  /* Closed seconds: the last ED_METRICS_RECENT at [sec % RECENT]; all of
   * them in the series file up to `kept`, the next `nmem` in mem when the
   * file could not be made or written. */
  ed_second_t recent[ED_METRICS_RECENT];
  size_t nsecs, kept;
  ed_second_t *mem;
  size_t nmem, capmem;
  int mem_failed;      /* out of memory once: no more seconds kept */
  ed_second_t open;    /* the second being filled */
  int64_t open_sec;    /* its index */
  ed_hist_t *open_lat; /* latency of the open second */
} wl_t;

/* The closed seconds of a run are kept in a file, not in memory: second s
 * of workload w at record s * nworkloads + w, so that the series is read
 * back workload by workload while the seconds are written as they close.
 * The file is made at the first second closed, unlinked from the start.
 * Where it cannot be made or written, the seconds from then on are kept
 * in memory, as they were before there was a file. */
struct ed_metrics_s {
  size_t nworkloads;
  wl_t *wls;
  int sigfigs;
  int series_fd;     /* -1: not made yet */
  int series_failed; /* could not be made or written: nothing more kept */
  ed_metrics_flush_cb flush;
  void *flush_arg;
  /* The sweep: the targets' seconds before sweep_sec are flushed a slice
   * at a time (ed_metrics_sweep), from (sweep_w, sweep_t) on. */
  int sweeping;
  int64_t sweep_sec;
  size_t sweep_w, sweep_t;
};

static int new_hist(const ed_metrics_t *m, ed_hist_t **h) {
  if (*h)
    return 0;
  return ed_hist_create(ED_METRICS_HIGHEST_US, m->sigfigs, h);
}

int ed_metrics_create(size_t nworkloads, const size_t *ntargets,
                      const size_t *nphases, int sigfigs, ed_metrics_t **out) {
  ed_metrics_t *m = calloc(1, sizeof(*m));
  if (!m)
    return ED_ENOMEM;
  m->sigfigs = sigfigs;
  m->nworkloads = nworkloads;
  m->series_fd = -1;
  m->wls = calloc(nworkloads ? nworkloads : 1, sizeof(*m->wls));
  if (!m->wls)
    goto nomem;
  for (size_t w = 0; w < nworkloads; w++) {
    wl_t *wl = &m->wls[w];
    wl->ntargets = ntargets[w];
    wl->nphases = nphases[w];
    wl->cells = calloc(wl->ntargets * wl->nphases + 1, sizeof(*wl->cells));
    wl->accums = calloc(wl->ntargets + 1, sizeof(*wl->accums));
    if (!wl->cells || !wl->accums)
      goto nomem;
    for (size_t t = 0; t < wl->ntargets; t++)
      wl->accums[t].sec = -1;
    wl->open_sec = 0;
    wl->open.phase = -1;
    if (new_hist(m, &wl->open_lat))
      goto nomem;
  }
  *out = m;
  return 0;
nomem:
  ed_metrics_destroy(m);
  return ED_ENOMEM;
}

static void cell_free(ed_cell_t *c) {
  ed_hist_destroy(c->latency);
  ed_hist_destroy(c->service);
  ed_hist_destroy(c->lag);
}

void ed_metrics_destroy(ed_metrics_t *m) {
  if (!m)
    return;
  for (size_t w = 0; m->wls && w < m->nworkloads; w++) {
    wl_t *wl = &m->wls[w];
    for (size_t i = 0; wl->cells && i < wl->ntargets * wl->nphases; i++)
      cell_free(&wl->cells[i]);
    for (size_t t = 0; wl->accums && t < wl->ntargets; t++) {
      ed_hist_destroy(wl->accums[t].lat);
      ed_hist_destroy(wl->accums[t].svc);
    }
    free(wl->cells);
    free(wl->accums);
    free(wl->mem);
    ed_hist_destroy(wl->open_lat);
  }
  if (m->series_fd >= 0)
    close(m->series_fd);
  free(m->wls);
  free(m);
}

void ed_metrics_set_flush(ed_metrics_t *m, ed_metrics_flush_cb cb, void *arg) {
  m->flush = cb;
  m->flush_arg = arg;
}

static ed_cell_t *cell_at(const ed_metrics_t *m, size_t w, size_t t,
                          size_t ph) {
  wl_t *wl = &m->wls[w];
  return &wl->cells[t * wl->nphases + ph];
}

const ed_cell_t *ed_metrics_cell(const ed_metrics_t *m, size_t w, size_t t,
                                 size_t ph) {
  const ed_cell_t *c = cell_at(m, w, t, ph);
  return c->latency ? c : NULL;
}

ed_cell_t *ed_metrics_cell_fill(ed_metrics_t *m, size_t w, size_t t,
                                size_t ph) {
  ed_cell_t *c = cell_at(m, w, t, ph);
  if (new_hist(m, &c->latency) || new_hist(m, &c->service) ||
      new_hist(m, &c->lag))
    return NULL;
  return c;
}

size_t ed_metrics_nworkloads(const ed_metrics_t *m) {
  return m->nworkloads;
}
size_t ed_metrics_ntargets(const ed_metrics_t *m, size_t w) {
  return m->wls[w].ntargets;
}
size_t ed_metrics_nphases(const ed_metrics_t *m, size_t w) {
  return m->wls[w].nphases;
}

/* A cell's histograms exist once anything was recorded in it. */
static ed_cell_t *touch_cell(ed_metrics_t *m, size_t w, size_t t, size_t ph) {
  ed_cell_t *c = cell_at(m, w, t, ph);
  if (new_hist(m, &c->latency) || new_hist(m, &c->service) ||
      new_hist(m, &c->lag))
    return NULL;
  return c;
}

static void accum_flush(ed_metrics_t *m, size_t w, size_t t) {
  accum_t *a = &m->wls[w].accums[t];
  if (a->sec < 0)
    return;
  if (m->flush)
    m->flush(m->flush_arg, w, t, a->ph, a->sec, &a->counts, a->lat, a->svc);
  memset(&a->counts, 0, sizeof(a->counts));
  ed_hist_reset(a->lat);
  ed_hist_reset(a->svc);
  a->sec = -1;
}

/* The accumulator of (w, t) ready for an event of (ph, sec). */
static accum_t *touch_accum(ed_metrics_t *m, size_t w, size_t t, size_t ph,
                            int64_t sec) {
  accum_t *a = &m->wls[w].accums[t];
  if (a->sec >= 0 && (a->sec != sec || a->ph != ph))
    accum_flush(m, w, t);
  if (new_hist(m, &a->lat) || new_hist(m, &a->svc))
    return NULL;
  a->sec = sec;
  a->ph = ph;
  return a;
}

/* An unlinked file in $TMPDIR (else /tmp): O_TMPFILE where the file
 * system has it, else a named one removed at once. -1 on failure. */
static int series_open(void) {
  const char *dir = getenv("TMPDIR");
  if (!dir || !*dir)
    dir = "/tmp";
  int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != ENOENT))
    return fd;
  char path[4096];
  if (snprintf(path, sizeof(path), "%s/.eventdrill-series.XXXXXX", dir) >=
      (int)sizeof(path))
    return -1;
  fd = mkostemp(path, O_CLOEXEC);
  if (fd >= 0)
    unlink(path);
  return fd;
}

/* Keep closed second s of workload w in memory (no file); on the first
 * lack of memory keep no more (the totals are unaffected). */
static void series_mem(wl_t *wl, const ed_second_t *s) {
  if (wl->mem_failed)
    return;
  if (wl->nmem == wl->capmem) {
    size_t cap = wl->capmem ? wl->capmem * 2 : 128;
    ed_second_t *n = realloc(wl->mem, cap * sizeof(*n));
    if (!n) {
      wl->mem_failed = 1;
      return;
    }
    wl->mem = n;
    wl->capmem = cap;
  }
  wl->mem[wl->nmem++] = *s;
}

/* Write closed second s of workload w to the series file; on the first
 * failure, say so once and keep the seconds in memory from then on. */
static void series_put(ed_metrics_t *m, size_t w, const ed_second_t *s) {
  wl_t *wl = &m->wls[w];
  if (!m->series_failed && m->series_fd < 0 &&
      (m->series_fd = series_open()) < 0) {
    m->series_failed = 1;
    const char *dir = getenv("TMPDIR");
    ed_warn("metrics",
            "cannot make a temporary file in %s for the per-second series "
            "(%s): it is kept in memory, which grows with the run's length",
            dir && *dir ? dir : "/tmp", strerror(errno));
  }
  if (!m->series_failed) {
    off_t at = (off_t)((wl->nsecs * m->nworkloads + w) * sizeof(*s));
    ssize_t n = pwrite(m->series_fd, s, sizeof(*s), at);
    if (n == (ssize_t)sizeof(*s)) {
      wl->kept = wl->nsecs + 1;
      return;
    }
    m->series_failed = 1;
    ed_warn("metrics",
            "cannot write the per-second series to its temporary file (%s): "
            "it is kept in memory from second %zu on",
            n < 0 ? strerror(errno) : "short write", wl->nsecs);
  }
  series_mem(wl, s);
}

static void close_second(ed_metrics_t *m, size_t w) {
  wl_t *wl = &m->wls[w];
  ed_second_t *s = &wl->open;
  if (ed_hist_count(wl->open_lat)) {
    s->p50_us = ed_hist_percentile(wl->open_lat, 50);
    s->p99_us = ed_hist_percentile(wl->open_lat, 99);
    s->max_us = ed_hist_max(wl->open_lat);
  }
  series_put(m, w, s);
  wl->recent[wl->nsecs % ED_METRICS_RECENT] = *s;
  wl->nsecs++;
  int64_t phase = s->phase;
  memset(s, 0, sizeof(*s));
  s->phase = phase;
  ed_hist_reset(wl->open_lat);
  wl->open_sec++;
}

/* Move workload w's open second forward to sec, closing the ones passed. */
static ed_second_t *second_at(ed_metrics_t *m, size_t w, int64_t sec) {
  wl_t *wl = &m->wls[w];
  while (wl->open_sec < sec)
    close_second(m, w);
  return &wl->open;
}

int ed_metrics_sent(ed_metrics_t *m, size_t w, size_t t, size_t ph, int64_t sec,
                    int64_t lag_us, int late) {
  ed_cell_t *c = touch_cell(m, w, t, ph);
  accum_t *a = touch_accum(m, w, t, ph, sec);
  if (!c || !a)
    return ED_ENOMEM;
  ed_second_t *s = second_at(m, w, sec);
  c->counts.sent++;
  a->counts.sent++;
  s->counts.sent++;
  if (late) {
    c->counts.late++;
    a->counts.late++;
    s->counts.late++;
  }
  /* The lag of a late request is its wait for a slot, already counted as
   * late; keeping it out leaves the lag the runner's own. */
  if (!late)
    return ed_hist_record(c->lag, lag_us < 0 ? 0 : lag_us);
  return 0;
}

int ed_metrics_dropped(ed_metrics_t *m, size_t w, size_t t, size_t ph,
                       int64_t sec) {
  ed_cell_t *c = touch_cell(m, w, t, ph);
  accum_t *a = touch_accum(m, w, t, ph, sec);
  if (!c || !a)
    return ED_ENOMEM;
  ed_second_t *s = second_at(m, w, sec);
  c->counts.dropped++;
  a->counts.dropped++;
  s->counts.dropped++;
  return 0;
}

static void count_outcome(ed_counts_t *c, ed_errclass_t err) {
  c->completed++;
  if (err == ED_ERRCLASS_NONE)
    c->ok++;
  else
    c->errors[err]++;
}

int ed_metrics_completed(ed_metrics_t *m, size_t w, size_t t, size_t ph,
                         int64_t sec, ed_errclass_t err, int64_t latency_us,
                         int64_t service_us) {
  ed_cell_t *c = touch_cell(m, w, t, ph);
  accum_t *a = touch_accum(m, w, t, ph, sec);
  if (!c || !a)
    return ED_ENOMEM;
  ed_second_t *s = second_at(m, w, sec);
  if ((unsigned)err >= ED_ERRCLASS_COUNT)
    err = ED_ERRCLASS_OTHER;
  count_outcome(&c->counts, err);
  count_outcome(&a->counts, err);
  count_outcome(&s->counts, err);
  /* Latency counts every completion, failed ones included: a timeout is the
   * slowest answer there is, and leaving it out would flatter the device. */
  int bad = ed_hist_record(c->latency, latency_us);
  bad |= ed_hist_record(c->service, service_us);
  bad |= ed_hist_record(a->lat, latency_us);
  bad |= ed_hist_record(a->svc, service_us);
  bad |= ed_hist_record(m->wls[w].open_lat, latency_us);
  return bad ? ED_ENOMEM : 0;
}

void ed_metrics_in_flight(ed_metrics_t *m, size_t w, int64_t sec,
                          int64_t in_flight, int64_t phase) {
  ed_second_t *s = second_at(m, w, sec);
  if (in_flight > s->in_flight_max)
    s->in_flight_max = in_flight;
  s->phase = phase;
}

/* At most this many accumulators are looked at per slice for each one
 * flushed: the look is cheap, but 10,000 idle targets are not. */
#define SWEEP_LOOKS_PER_FLUSH 16

/* Flush up to `budget` accumulators of seconds before sweep_sec, from
 * where the sweep stands; 1 while some may be left. */
static int sweep_slice(ed_metrics_t *m, size_t budget) {
  size_t looks = budget * SWEEP_LOOKS_PER_FLUSH;
  while (m->sweeping && budget > 0 && looks-- > 0) {
    if (m->sweep_w >= m->nworkloads) {
      m->sweeping = 0;
      break;
    }
    wl_t *wl = &m->wls[m->sweep_w];
    if (m->sweep_t >= wl->ntargets) {
      m->sweep_w++;
      m->sweep_t = 0;
      continue;
    }
    accum_t *a = &wl->accums[m->sweep_t];
    if (a->sec >= 0 && a->sec < m->sweep_sec) {
      accum_flush(m, m->sweep_w, m->sweep_t);
      budget--;
    }
    m->sweep_t++;
  }
  return m->sweeping;
}

int ed_metrics_sweep(ed_metrics_t *m, size_t budget) {
  return sweep_slice(m, budget ? budget : 1);
}

/* What the sweep has not reached yet, flushed now: every target's records
 * of a second are written before any of the next. */
static void sweep_all(ed_metrics_t *m) {
  while (sweep_slice(m, SIZE_MAX / SWEEP_LOOKS_PER_FLUSH))
    ;
}

void ed_metrics_tick(ed_metrics_t *m, int64_t sec) {
  sweep_all(m);
  m->sweeping = 1;
  m->sweep_sec = sec;
  m->sweep_w = m->sweep_t = 0;
  for (size_t w = 0; w < m->nworkloads; w++)
    second_at(m, w, sec);
}

void ed_metrics_finish(ed_metrics_t *m) {
  sweep_all(m);
  for (size_t w = 0; w < m->nworkloads; w++) {
    wl_t *wl = &m->wls[w];
    for (size_t t = 0; t < wl->ntargets; t++)
      accum_flush(m, w, t);
    /* The last second is closed only if something happened in it. */
    if (wl->open.counts.sent || wl->open.counts.completed ||
        wl->open.counts.dropped)
      close_second(m, w);
  }
}

size_t ed_metrics_nseconds(const ed_metrics_t *m, size_t w) {
  return m->wls[w].nsecs;
}

int ed_metrics_second(const ed_metrics_t *m, size_t w, size_t sec,
                      ed_second_t *out) {
  const wl_t *wl = &m->wls[w];
  if (sec >= wl->nsecs)
    return ED_EINVAL;
  if (sec + ED_METRICS_RECENT >= wl->nsecs) {
    *out = wl->recent[sec % ED_METRICS_RECENT];
    return 0;
  }
  if (sec >= wl->kept) {
    if (sec >= wl->kept + wl->nmem)
      return ED_EIO;
    *out = wl->mem[sec - wl->kept];
    return 0;
  }
  off_t at = (off_t)((sec * m->nworkloads + w) * sizeof(*out));
  ssize_t n;
  do
    n = pread(m->series_fd, out, sizeof(*out), at);
  while (n < 0 && errno == EINTR);
  return n == (ssize_t)sizeof(*out) ? 0 : ED_EIO;
}

int ed_metrics_series_kept(const ed_metrics_t *m) {
  for (size_t w = 0; w < m->nworkloads; w++) {
    const wl_t *wl = &m->wls[w];
    if (wl->kept + wl->nmem + ED_METRICS_RECENT < wl->nsecs)
      return 0;
  }
  return 1;
}

int ed_metrics_cell_init(const ed_metrics_t *m, ed_cell_t *c) {
  memset(c, 0, sizeof(*c));
  if (new_hist(m, &c->latency) || new_hist(m, &c->service) ||
      new_hist(m, &c->lag)) {
    ed_metrics_cell_close(c);
    return ED_ENOMEM;
  }
  return 0;
}

void ed_metrics_cell_close(ed_cell_t *c) {
  cell_free(c);
  memset(c, 0, sizeof(*c));
}

void ed_counts_add(ed_counts_t *into, const ed_counts_t *c) {
  into->sent += c->sent;
  into->completed += c->completed;
  into->ok += c->ok;
  for (int i = 0; i < ED_ERRCLASS_COUNT; i++)
    into->errors[i] += c->errors[i];
  into->late += c->late;
  into->dropped += c->dropped;
}

uint64_t ed_counts_errors(const ed_counts_t *c) {
  uint64_t n = 0;
  for (int i = 0; i < ED_ERRCLASS_COUNT; i++)
    n += c->errors[i];
  return n;
}

int ed_metrics_merge(const ed_metrics_t *m, size_t w, size_t t, size_t ph,
                     ed_cell_t *into) {
  const wl_t *wl = &m->wls[w];
  for (size_t ti = 0; ti < wl->ntargets; ti++) {
    if (t != SIZE_MAX && ti != t)
      continue;
    for (size_t pi = 0; pi < wl->nphases; pi++) {
      if (ph != SIZE_MAX && pi != ph)
        continue;
      const ed_cell_t *c = ed_metrics_cell(m, w, ti, pi);
      if (!c)
        continue;
      ed_counts_add(&into->counts, &c->counts);
      if (ed_hist_merge(into->latency, c->latency) ||
          ed_hist_merge(into->service, c->service) ||
          ed_hist_merge(into->lag, c->lag))
        return ED_EINVAL;
    }
  }
  return 0;
}

const char *ed_errclass_name(ed_errclass_t e) {
  return ed_errclass_string(e);
}

int ed_errclass_from_name(const char *name) {
  for (int i = 0; i < ED_ERRCLASS_COUNT; i++)
    if (strcmp(ed_errclass_string((ed_errclass_t)i), name) == 0)
      return i;
  return -1;
}
