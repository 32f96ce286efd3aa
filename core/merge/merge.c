/* Shards' folders read and checked against each other (pass 1: each
 * journal's head, up to its "clock" event), then merged (merge_write.c). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "merge_internal.h"

static const char *str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

/* The head of one journal: run_start (first), drill_items, clock. */
static int read_head(ed__mpart_t *p, char *err, size_t errlen) {
  snprintf(p->path, sizeof(p->path), "%s/journal.jsonl", p->dir);
  p->f = fopen(p->path, "r");
  if (!p->f) {
    snprintf(err, errlen, "%s: cannot read journal.jsonl: %s", p->dir,
             strerror(errno));
    return errno == ENOENT ? ED_ENOTFOUND : ED_EIO;
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int rc = 0, have_clock = 0;
  size_t lineno = 0;
  while (!have_clock && (n = getline(&line, &cap, p->f)) > 0) {
    lineno++;
    json_t *e = json_loadb(line, (size_t)n, 0, NULL);
    const char *kind = str(e, "ev");
    if (lineno == 1 && strcmp(kind, "run_start") != 0) {
      snprintf(err, errlen,
               "%s: journal.jsonl line 1 is not a run_start event: not the "
               "journal of a run",
               p->dir);
      json_decref(e);
      rc = ED_EPARSE;
      break;
    }
    if (strcmp(kind, "run_start") == 0 && !p->start)
      p->start = json_incref(e);
    else if (strcmp(kind, "drill_items") == 0 && !p->items)
      p->items = json_incref(e);
    else if (strcmp(kind, "clock") == 0) {
      p->wall = json_number_value(json_object_get(e, "wall_s"));
      have_clock = p->wall > 0;
      const json_t *co = json_object_get(e, "coordinator");
      if (have_clock && json_is_number(json_object_get(co, "offset_s"))) {
        /* on the coordinator's clock, as the channel measured it */
        p->measured = 1;
        p->clock_offset = json_number_value(json_object_get(co, "offset_s"));
        p->clock_rtt = json_number_value(json_object_get(co, "rtt_s"));
        p->wall -= p->clock_offset;
      }
    }
    json_decref(e);
  }
  free(line);
  if (rc == 0 && !p->start) {
    snprintf(err, errlen, "%s: journal.jsonl is empty", p->dir);
    rc = ED_EPARSE;
  }
  if (rc == 0 && !have_clock) {
    snprintf(err, errlen,
             "%s: journal.jsonl has no \"clock\" event: this shard's drill "
             "never started, so it has no time to line up with the others",
             p->dir);
    rc = ED_EPARSE;
  }
  return rc;
}

/* "what" of part p differs from the reference part: say both. */
static int differs(const ed__mpart_t *p, const ed__mpart_t *ref,
                   const char *what, const char *mine, const char *theirs,
                   char *err, size_t errlen) {
  snprintf(err, errlen,
           "%s: %s is %s where %s has %s: the folders are not shards of one "
           "drill",
           p->dir, what, mine, ref->dir, theirs);
  return ED_EINVAL;
}

static int check_same(const ed__mpart_t *p, const ed__mpart_t *ref, char *err,
                      size_t errlen) {
  static const char *const keys[] = {"scenario_sha256", "mode", "journal"};
  static const char *const what[] = {"the scenario's SHA-256", "the mode",
                                     "the journal's kind (\"journal\")"};
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
    if (strcmp(str(p->start, keys[i]), str(ref->start, keys[i])) != 0)
      return differs(p, ref, what[i], str(p->start, keys[i]),
                     str(ref->start, keys[i]), err, errlen);
  char a[32], b[32];
  json_int_t sa = json_integer_value(json_object_get(p->start, "seed"));
  json_int_t sb = json_integer_value(json_object_get(ref->start, "seed"));
  if (sa != sb) {
    snprintf(a, sizeof(a), "%lld", (long long)sa);
    snprintf(b, sizeof(b), "%lld", (long long)sb);
    return differs(p, ref, "the seed", a, b, err, errlen);
  }
  const json_t *ps = json_object_get(p->start, "shard");
  const json_t *rs = json_object_get(ref->start, "shard");
  json_int_t na = json_integer_value(json_object_get(ps, "count"));
  json_int_t nb = json_integer_value(json_object_get(rs, "count"));
  if (na != nb) {
    snprintf(a, sizeof(a), "%lld", (long long)na);
    snprintf(b, sizeof(b), "%lld", (long long)nb);
    return differs(p, ref, "the number of shards N", a, b, err, errlen);
  }
  if (strcmp(str(ps, "by"), str(rs, "by")) != 0 ||
      strcmp(str(ps, "label"), str(rs, "label")) != 0)
    return differs(p, ref, "the sharding rule (--shard-by)",
                   json_object_get(ps, "label") ? str(ps, "label") : "name",
                   json_object_get(rs, "label") ? str(rs, "label") : "name",
                   err, errlen);
  if (!json_equal(json_object_get(ps, "targets"),
                  json_object_get(rs, "targets")))
    return differs(p, ref, "the target-to-shard mapping", "another one",
                   "this one", err, errlen);
  return 0;
}

static int check_part(ed__mpart_t *p, char *err, size_t errlen) {
  const json_t *sh = json_object_get(p->start, "shard");
  json_int_t i = json_integer_value(json_object_get(sh, "index"));
  json_int_t n = json_integer_value(json_object_get(sh, "count"));
  if (!json_is_object(sh) || n < 1 || i < 0 || i >= n) {
    snprintf(err, errlen,
             "%s: its run_start has no \"shard\" (index, count): not the "
             "folder of a shard (run with --shard I/N)",
             p->dir);
    return ED_EINVAL;
  }
  p->index = (unsigned)i;
  return 0;
}

/* A copy of the scenario ("scenario-*") from dir into out. */
static int copy_scenario(const char *dir, const char *out, char *err,
                         size_t errlen) {
  DIR *d = opendir(dir);
  struct dirent *de;
  int rc = ED_ENOTFOUND;
  while (d && (de = readdir(d)) != NULL) {
    if (strncmp(de->d_name, "scenario-", 9) != 0)
      continue;
    char src[PATH_MAX + 300], dst[PATH_MAX + 300];
    snprintf(src, sizeof(src), "%s/%s", dir, de->d_name);
    snprintf(dst, sizeof(dst), "%s/%s", out, de->d_name);
    FILE *in = fopen(src, "rb");
    FILE *o = in ? ed_outfile_open(dst, ED_OUTFILE_MODE) : NULL;
    char buf[65536];
    size_t n;
    rc = in && o ? 0 : ED_EIO;
    while (rc == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0)
      if (fwrite(buf, 1, n, o) != n)
        rc = ED_EIO;
    if (in)
      fclose(in);
    if (o && fclose(o) != 0)
      rc = ED_EIO;
    if (rc != 0)
      snprintf(err, errlen, "cannot copy %s to %s", src, dst);
    break;
  }
  if (d)
    closedir(d);
  if (rc == ED_ENOTFOUND)
    snprintf(err, errlen,
             "%s: no copy of the scenario (scenario-*): its SLO and phase "
             "kinds cannot be read",
             dir);
  return rc;
}

/* Every index once; a missing one refused unless allowed. */
static int check_indices(ed__merge_t *m, char *err, size_t errlen) {
  unsigned n = m->count;
  ed__mpart_t **by = calloc(n + 1, sizeof(*by));
  if (!by)
    return ED_ENOMEM;
  for (size_t i = 0; i < m->nparts; i++) {
    ed__mpart_t *p = &m->parts[i];
    if (by[p->index]) {
      snprintf(err, errlen, "%s: shard %u/%u again (also %s): each shard once",
               p->dir, p->index, n, by[p->index]->dir);
      free(by);
      return ED_EINVAL;
    }
    by[p->index] = p;
  }
  m->missing = json_array();
  for (unsigned i = 0; i < n; i++)
    if (!by[i])
      json_array_append_new(m->missing, json_integer(i));
  free(by);
  size_t nm = json_array_size(m->missing);
  if (nm && !m->opt->allow_missing) {
    char list[256] = "";
    size_t len = 0, k;
    json_t *x;
    json_array_foreach(m->missing, k, x) {
      int w = snprintf(list + len, sizeof(list) - len, "%s%lld", k ? ", " : "",
                       (long long)json_integer_value(x));
      if (w < 0 || (size_t)w >= sizeof(list) - len)
        break;
      len += (size_t)w;
    }
    snprintf(err, errlen,
             "shard%s %s of %u missing: give every shard's folder, or "
             "--allow-missing to merge without (the summary then says so)",
             nm == 1 ? "" : "s", list, n);
    return ED_EINVAL;
  }
  return 0;
}

static void close_parts(ed__merge_t *m) {
  for (size_t i = 0; i < m->nparts; i++) {
    ed__mpart_t *p = &m->parts[i];
    if (p->f)
      fclose(p->f);
    json_decref(p->start);
    json_decref(p->items);
    json_decref(p->ev);
    json_decref(p->warnings);
    free(p->line);
  }
  free(m->parts);
  json_decref(m->missing);
}

static int prepare(ed__merge_t *m, char *err, size_t errlen) {
  int rc = 0;
  for (size_t i = 0; i < m->nparts && rc == 0; i++) {
    ed__mpart_t *p = &m->parts[i];
    p->dir = m->opt->dirs[i];
    rc = read_head(p, err, errlen);
    if (rc == 0)
      rc = check_part(p, err, errlen);
    if (rc == 0 && i > 0)
      rc = check_same(p, &m->parts[0], err, errlen);
  }
  if (rc != 0)
    return rc;
  m->count = (unsigned)json_integer_value(
      json_object_get(json_object_get(m->parts[0].start, "shard"), "count"));
  rc = check_indices(m, err, errlen);
  if (rc != 0)
    return rc;
  m->origin = m->parts[0].wall;
  for (size_t i = 1; i < m->nparts; i++)
    if (m->parts[i].wall < m->origin)
      m->origin = m->parts[i].wall;
  for (size_t i = 0; i < m->nparts; i++) {
    ed__mpart_t *p = &m->parts[i];
    p->offset = p->wall - m->origin;
    p->sec_shift = (long long)(p->offset + 0.5);
    p->warnings = json_array();
    rewind(p->f);
  }
  return 0;
}

static int make_out(const char *out, char *err, size_t errlen) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof(path), "%s/journal.jsonl", out);
  if (access(path, F_OK) == 0) {
    snprintf(err, errlen,
             "%s: already holds a journal.jsonl: merge into a new folder", out);
    return ED_EEXISTS;
  }
  if (ed_mkdir_p(out) != 0) {
    snprintf(err, errlen, "cannot create %s: %s", out, strerror(errno));
    return ED_EIO;
  }
  return 0;
}

int ed_merge(const ed_merge_options_t *o, char *err, size_t errlen) {
  ed__merge_t m = {.opt = o};
  if (o->ndirs == 0) {
    snprintf(err, errlen, "no shard folder to merge");
    return ED_EINVAL;
  }
  m.parts = calloc(o->ndirs, sizeof(*m.parts));
  if (!m.parts)
    return ED_ENOMEM;
  m.nparts = o->ndirs;
  int rc = prepare(&m, err, errlen);
  if (rc == 0)
    rc = make_out(o->out, err, errlen);
  if (rc == 0)
    rc = copy_scenario(m.parts[0].dir, o->out, err, errlen);
  if (rc == 0)
    rc = ed__merge_write(&m, err, errlen);
  if (rc == 0)
    rc = ed__merge_summary(&m, err, errlen);
  close_parts(&m);
  return rc;
}
