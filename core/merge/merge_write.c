/* Pass 2: the shards' journals merged into one, in time order on the merged
 * clock, then the merged summary rebuilt from it. The hot lines ("sec",
 * "req") are rewritten as text: only their times change. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "merge_internal.h"
#include "rebuild.h"

#define REQ_PREFIX "{\"ev\":\"req\",\"t\":"
#define SEC_PREFIX "{\"ev\":\"sec\",\"t\":"
#define DUMP_FLAGS                                                             \
  (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))

static const char *str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static void iso_of(double wall, char *buf, size_t len) {
  time_t t = (time_t)floor(wall);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The same to the microsecond: "2026-12-07T06:04:30.282268Z". */
static json_t *iso_us(double wall) {
  char buf[64], head[32];
  time_t t = (time_t)floor(wall);
  long us = lround((wall - (double)t) * 1e6);
  if (us >= 1000000) {
    t++;
    us -= 1000000;
  }
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(head, sizeof(head), "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf, sizeof(buf), "%s.%06ldZ", head, us);
  return json_string(buf);
}

/* The unsigned integer after key, searched from *from, which moves past
 * it (the keys of a line are read in the order they were written), or 0. */
static uint64_t field_u64(const char **from, const char *key) {
  const char *k = strstr(*from, key);
  if (!k)
    return 0;
  char *end;
  uint64_t v = strtoull(k + strlen(key), &end, 10);
  *from = end;
  return v;
}

/* A slow line: the events that the merged journal writes once for all
 * (run_start, drill_items, clock, run_end) are taken in here. 1: the line
 * is to be written (p->ev holds it), 0: consumed. */
static int take_event(ed__mpart_t *p) {
  json_t *e = json_loadb(p->line, (size_t)p->len, 0, NULL);
  if (!json_is_object(e)) {
    json_decref(e);
    p->bad_lines++; /* a cut last line: the run died there */
    return 0;
  }
  const char *kind = str(e, "ev");
  if (!strcmp(kind, "run_start") || !strcmp(kind, "drill_items") ||
      !strcmp(kind, "clock")) {
    json_decref(e);
    return 0;
  }
  if (!strcmp(kind, "run_end")) {
    p->has_end = 1;
    p->elapsed = json_number_value(json_object_get(e, "elapsed_s"));
    p->interrupted |= json_is_true(json_object_get(e, "interrupted"));
    json_decref(e);
    return 0;
  }
  if (!strcmp(kind, "interrupt"))
    p->interrupted = 1;
  double t = json_number_value(json_object_get(e, "t")) + p->offset;
  json_object_set_new(e, "t", json_real(t));
  if (!strcmp(kind, "warning")) {
    /* the runner's limits of each shard, said as its own */
    json_array_append(p->warnings, json_object_get(e, "message"));
    char msg[1200];
    snprintf(msg, sizeof(msg), "shard %u: %s", p->index, str(e, "message"));
    json_object_set_new(e, "message", json_string(msg));
  }
  p->ev = e;
  p->key = t;
  return 1;
}

/* Read p's next line to write; p->done at the end of its journal. */
static void advance(ed__mpart_t *p) {
  json_decref(p->ev);
  p->ev = NULL;
  for (;;) {
    p->len = getline(&p->line, &p->cap, p->f);
    if (p->len <= 0) {
      p->done = 1;
      return;
    }
    p->lineno++;
    if (p->line[p->len - 1] == '\n')
      p->line[--p->len] = '\0';
    else if (p->len == 0 || p->line[p->len - 1] != '}') {
      p->bad_lines++;
      continue;
    }
    if (!strncmp(p->line, REQ_PREFIX, sizeof(REQ_PREFIX) - 1)) {
      p->fast = 1;
      p->key = strtod(p->line + sizeof(REQ_PREFIX) - 1, NULL) + p->offset;
      return;
    }
    if (!strncmp(p->line, SEC_PREFIX, sizeof(SEC_PREFIX) - 1)) {
      p->fast = 2;
      const char *at = p->line;
      long long sec = (long long)field_u64(&at, ",\"sec\":");
      p->key = (double)(sec + p->sec_shift + 1);
      return;
    }
    p->fast = 0;
    if (take_event(p))
      return;
  }
}

/* A "req" line with t and sent moved by the shard's offset. */
static int write_req(FILE *out, ed__mpart_t *p) {
  const char *line = p->line;
  char *e1;
  double t = strtod(line + sizeof(REQ_PREFIX) - 1, &e1);
  const char *s = strstr(e1, ",\"sent\":");
  if (!s)
    return fprintf(out, "%s\n", line) < 0 ? ED_EIO : 0;
  char *e2;
  double sent = strtod(s + 8, &e2);
  p->reqs++;
  int n = fprintf(out, REQ_PREFIX "%.6f%.*s,\"sent\":%.6f%s\n", t + p->offset,
                  (int)(s - e1), e1, sent + p->offset, e2);
  return n < 0 ? ED_EIO : 0;
}

/* A "sec" line: its second moved by the offset rounded to a second, its t
 * (the end of that second) with it; its counts noted for the breakdown. */
static int write_sec(FILE *out, ed__mpart_t *p) {
  const char *line = p->line;
  char *e1;
  strtod(line + sizeof(SEC_PREFIX) - 1, &e1);
  const char *s = strstr(e1, ",\"sec\":");
  if (!s)
    return fprintf(out, "%s\n", line) < 0 ? ED_EIO : 0;
  char *e2;
  long long sec = strtoll(s + 7, &e2, 10) + p->sec_shift;
  const char *at = e2;
  p->sent += field_u64(&at, ",\"sent\":");
  p->completed += field_u64(&at, ",\"completed\":");
  p->ok += field_u64(&at, ",\"ok\":");
  p->late += field_u64(&at, ",\"late\":");
  p->dropped += field_u64(&at, ",\"dropped\":");
  int n = fprintf(out, SEC_PREFIX "%lld.0%.*s,\"sec\":%lld%s\n", sec + 1,
                  (int)(s - e1), e1, sec, e2);
  return n < 0 ? ED_EIO : 0;
}

static int write_event(FILE *out, const json_t *e) {
  char *text = json_dumps(e, DUMP_FLAGS);
  if (!text)
    return ED_ENOMEM;
  int rc = fprintf(out, "%s\n", text) < 0 ? ED_EIO : 0;
  free(text);
  return rc;
}

static int cmp_index(const void *a, const void *b) {
  const ed__mpart_t *x = a, *y = b;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* The targets shard i owns, by the mapping. */
static json_t *owned(const json_t *map, unsigned i) {
  json_t *out = json_array();
  const char *name;
  json_t *v;
  json_object_foreach((json_t *)map, name,
                      v) if (json_integer_value(v) == (json_int_t)i)
      json_array_append_new(out, json_string(name));
  return out;
}

/* The merged run_start: the first shard's, with every shard's targets, the
 * mapping and each shard's start on the merged clock. */
static json_t *merged_start(const ed__merge_t *m) {
  json_t *s = json_deep_copy(m->parts[0].start);
  const json_t *sh = json_object_get(m->parts[0].start, "shard");
  json_t *targets = json_array();
  json_t *parts = json_array();
  char iso[32];
  for (size_t i = 0; i < m->nparts; i++) {
    const ed__mpart_t *p = &m->parts[i];
    json_array_extend(targets, json_object_get(p->start, "targets"));
    json_array_append_new(
        parts, json_pack("{s:i,s:s,s:f,s:o,s:f}", "index", (int)p->index, "dir",
                         p->dir, "wall_s", p->wall, "started_utc",
                         iso_us(p->wall), "offset_s", p->offset));
  }
  json_t *shards = json_deep_copy(sh);
  json_object_del(shards, "index");
  json_object_set_new(shards, "origin_wall_s", json_real(m->origin));
  json_object_set_new(shards, "origin_utc", iso_us(m->origin));
  json_object_set_new(shards, "parts", parts);
  json_object_set(shards, "missing", m->missing);
  json_object_del(s, "shard");
  iso_of(m->origin, iso, sizeof(iso));
  json_object_set_new(s, "started", json_string(iso));
  json_object_set_new(
      s, "command",
      json_string(m->opt->command ? m->opt->command : "eventdrill merge"));
  json_object_set_new(s, "targets", targets);
  json_object_set_new(s, "shards", shards);
  return s;
}

static json_t *merged_items(const ed__merge_t *m) {
  json_t *checks = json_array(), *faults = json_array();
  int any = 0;
  for (size_t i = 0; i < m->nparts; i++) {
    const json_t *it = m->parts[i].items;
    if (!it)
      continue;
    any = 1;
    json_array_extend(checks, json_object_get(it, "checks"));
    json_array_extend(faults, json_object_get(it, "faults"));
  }
  json_t *o = NULL;
  if (any)
    o = json_pack("{s:s,s:f,s:O,s:O}", "ev", "drill_items", "t", 0.0, "checks",
                  checks, "faults", faults);
  json_decref(checks);
  json_decref(faults);
  return o;
}

static int write_head(const ed__merge_t *m, FILE *out) {
  json_t *start = merged_start(m);
  int rc = write_event(out, start);
  json_decref(start);
  json_t *clock = json_pack("{s:s,s:f,s:f,s:s}", "ev", "clock", "t", 0.0,
                            "wall_s", m->origin, "clock", "CLOCK_REALTIME");
  if (rc == 0)
    rc = write_event(out, clock);
  json_decref(clock);
  json_t *items = merged_items(m);
  if (rc == 0 && items)
    rc = write_event(out, items);
  json_decref(items);
  return rc;
}

/* The per-shard breakdown, as the summary and the report show it. */
static json_t *breakdown(const ed__merge_t *m, double last) {
  json_t *parts = json_array();
  const json_t *map =
      json_object_get(json_object_get(m->parts[0].start, "shard"), "targets");
  for (size_t i = 0; i < m->nparts; i++) {
    const ed__mpart_t *p = &m->parts[i];
    json_t *o = json_pack(
        "{s:i,s:s,s:o,s:f,s:f,s:I,s:I,s:I,s:I,s:I,s:I,s:b,s:O,s:f,s:b,s:b,"
        "s:o}",
        "index", (int)p->index, "dir", p->dir, "started_utc", iso_us(p->wall),
        "wall_s", p->wall, "offset_s", p->offset, "requests",
        (json_int_t)p->sent, "completed", (json_int_t)p->completed, "ok",
        (json_int_t)p->ok, "late", (json_int_t)p->late, "dropped",
        (json_int_t)p->dropped, "request_events", (json_int_t)p->reqs,
        "limited", json_array_size(p->warnings) > 0, "warnings", p->warnings,
        "elapsed_s", p->elapsed, "complete", p->has_end && !p->bad_lines,
        "interrupted", p->interrupted, "targets", owned(map, p->index));
    if (p->measured)
      json_object_set_new(o, "clock",
                          json_pack("{s:f,s:f}", "offset_s", p->clock_offset,
                                    "rtt_s", p->clock_rtt));
    json_array_append_new(parts, o);
  }
  return json_pack("{s:s,s:f,s:i,s:O,s:o,s:f,s:o}", "ev", "shards", "t", last,
                   "count", (int)m->count, "missing", m->missing, "origin_utc",
                   iso_us(m->origin), "origin_wall_s", m->origin, "parts",
                   parts);
}

static int write_tail(const ed__merge_t *m, FILE *out, double last) {
  json_t *b = breakdown(m, last);
  int rc = write_event(out, b);
  json_decref(b);
  double elapsed = 0;
  int all_ended = 1, interrupted = 0;
  for (size_t i = 0; i < m->nparts; i++) {
    const ed__mpart_t *p = &m->parts[i];
    all_ended &= p->has_end;
    interrupted |= p->interrupted;
    if (p->offset + p->elapsed > elapsed)
      elapsed = p->offset + p->elapsed;
  }
  if (rc != 0 || !all_ended)
    return rc; /* a shard that did not finish: the merge did not either */
  char iso[32];
  iso_of(m->origin + elapsed, iso, sizeof(iso));
  json_t *end =
      json_pack("{s:s,s:f,s:b,s:f,s:s}", "ev", "run_end", "t", elapsed,
                "interrupted", interrupted, "elapsed_s", elapsed, "ended", iso);
  rc = write_event(out, end);
  json_decref(end);
  return rc;
}

/* The head line of the part whose time comes first (ties: lower index). */
static ed__mpart_t *next_part(ed__merge_t *m) {
  ed__mpart_t *best = NULL;
  for (size_t i = 0; i < m->nparts; i++) {
    ed__mpart_t *p = &m->parts[i];
    if (!p->done && (!best || p->key < best->key))
      best = p;
  }
  return best;
}

int ed__merge_write(ed__merge_t *m, char *err, size_t errlen) {
  qsort(m->parts, m->nparts, sizeof(*m->parts), cmp_index);
  char path[PATH_MAX + 32];
  snprintf(path, sizeof(path), "%s/journal.jsonl", m->opt->out);
  FILE *out = ed_outfile_open(path, ED_OUTFILE_MODE);
  if (!out) {
    snprintf(err, errlen, "cannot create %s", path);
    return ED_EIO;
  }
  static char buf[1 << 20];
  setvbuf(out, buf, _IOFBF, sizeof(buf));
  int rc = write_head(m, out);
  for (size_t i = 0; i < m->nparts; i++)
    advance(&m->parts[i]);
  double last = 0;
  ed__mpart_t *p;
  while (rc == 0 && (p = next_part(m)) != NULL) {
    if (p->fast == 1)
      rc = write_req(out, p);
    else if (p->fast == 2)
      rc = write_sec(out, p);
    else
      rc = write_event(out, p->ev);
    if (p->key > last)
      last = p->key;
    advance(p);
  }
  if (rc == 0)
    rc = write_tail(m, out, last);
  if (fclose(out) != 0 && rc == 0)
    rc = ED_EIO;
  if (rc != 0)
    snprintf(err, errlen, "cannot write %s", path);
  return rc;
}

int ed__merge_summary(ed__merge_t *m, char *err, size_t errlen) {
  ed_rebuild_t *rb;
  int rc = ed_rebuild_create(m->opt->out, &rb);
  if (rc != 0) {
    snprintf(err, errlen, "%s: the merged journal cannot be read back: %s",
             m->opt->out, ed_strerror(rc));
    return rc;
  }
  json_t *s = ed_rebuild_summary(rb);
  ed_rebuild_destroy(rb);
  if (!s)
    return ED_ENOMEM;
  json_t *from = json_array();
  for (size_t i = 0; i < m->nparts; i++)
    json_array_append_new(from, json_string(m->parts[i].dir));
  json_object_set_new(s, "merged_from", from);
  char path[PATH_MAX + 32];
  snprintf(path, sizeof(path), "%s/summary.json", m->opt->out);
  FILE *f = ed_outfile_open(path, ED_OUTFILE_MODE);
  rc = f ? json_dumpf(s, f,
                      JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                          JSON_REAL_PRECISION(10))
         : ED_EIO;
  if (!f || fclose(f) != 0 || rc != 0) {
    snprintf(err, errlen, "cannot write %s", path);
    rc = ED_EIO;
  }
  json_decref(s);
  return rc;
}
