#include "junit.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "outfile.h"

static void xml(FILE *f, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
    case '<':
      fputs("&lt;", f);
      break;
    case '>':
      fputs("&gt;", f);
      break;
    case '&':
      fputs("&amp;", f);
      break;
    case '"':
      fputs("&quot;", f);
      break;
    default:
      if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
        fputc(*s, f);
    }
  }
}

static const char *str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

/* The seconds a test case took: a step's duration, a recovery's RTO. */
static double seconds(const json_t *it) {
  const json_t *v = json_object_get(it, "duration_s");
  if (!v)
    v = json_object_get(it, "rto_s");
  double s = json_number_value(v);
  return s > 0 ? s : 0;
}

static void testcase(FILE *f, const char *cls, const json_t *it) {
  const char *status = str(it, "status"), *why = str(it, "reason");
  fputs("    <testcase classname=\"", f);
  xml(f, cls);
  fputs("\" name=\"", f);
  xml(f, str(it, "name"));
  fprintf(f, "\" time=\"%.3f\"", seconds(it));
  int failed = strcmp(status, "failed") == 0;
  if (!failed && strcmp(status, "not run") != 0) {
    fputs("/>\n", f);
    return;
  }
  fputs(">\n      <", f);
  fputs(failed ? "failure" : "skipped", f);
  fputs(" type=\"", f);
  xml(f, str(it, "kind"));
  fputs("\" message=\"", f);
  xml(f, why);
  fputs("\">", f);
  xml(f, why);
  fputs(failed ? "</failure>\n" : "</skipped>\n", f);
  fputs("    </testcase>\n", f);
}

/* One suite per kind of item, in the order the kinds first appear. */
static void suite(FILE *f, const char *scen, const json_t *items,
                  const char *kind) {
  size_t i, n = 0, failed = 0, skipped = 0;
  json_t *it;
  double total = 0;
  json_array_foreach(items, i, it) {
    if (strcmp(str(it, "kind"), kind) != 0)
      continue;
    n++;
    failed += strcmp(str(it, "status"), "failed") == 0;
    skipped += strcmp(str(it, "status"), "not run") == 0;
    total += seconds(it);
  }
  char cls[300];
  snprintf(cls, sizeof(cls), "%s.%s", scen, kind);
  fputs("  <testsuite name=\"", f);
  xml(f, cls);
  fprintf(f,
          "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" "
          "time=\"%.3f\">\n",
          n, failed, skipped, total);
  json_array_foreach(items, i, it) if (strcmp(str(it, "kind"), kind) == 0)
      testcase(f, cls, it);
  fputs("  </testsuite>\n", f);
}

int ed_junit_write(const json_t *s, const char *path) {
  FILE *f = ed_outfile_open(path, ED_OUTFILE_MODE);
  if (!f)
    return ED_EIO;
  const char *scen = str(s, "scenario");
  const json_t *v = json_object_get(s, "verdict");
  const json_t *items = json_object_get(v, "items");
  const json_t *counts = json_object_get(v, "counts");
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"", f);
  xml(f, scen);
  fprintf(f, "\" tests=\"%zu\" failures=\"%lld\" errors=\"0\">\n",
          json_array_size(items),
          (long long)json_integer_value(json_object_get(counts, "failed")));
  json_t *seen = json_object();
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    const char *kind = str(it, "kind");
    if (json_object_get(seen, kind))
      continue;
    json_object_set_new(seen, kind, json_true());
    suite(f, scen, items, kind);
  }
  json_decref(seen);
  fputs("</testsuites>\n", f);
  int rc = ferror(f) ? ED_EIO : 0;
  if (fclose(f) != 0)
    rc = ED_EIO;
  return rc;
}
