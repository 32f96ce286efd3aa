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

/* One test case; failure NULL when it passed, skipped when not run. */
static void testcase(FILE *f, const char *cls, const char *name, double seconds,
                     const char *failure, int skipped) {
  fputs("    <testcase classname=\"", f);
  xml(f, cls);
  fputs("\" name=\"", f);
  xml(f, name);
  fprintf(f, "\" time=\"%.3f\"", seconds);
  if (!failure && !skipped) {
    fputs("/>\n", f);
    return;
  }
  fputs(">\n      ", f);
  fputs(skipped ? "<skipped message=\"" : "<failure message=\"", f);
  xml(f, failure ? failure : "not run");
  fputs("\"/>\n    </testcase>\n", f);
}

int ed_junit_write(const json_t *s, const char *path) {
  FILE *f = ed_outfile_open(path, ED_OUTFILE_MODE);
  if (!f)
    return ED_EIO;
  const char *scen = str(s, "scenario");
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"", f);
  xml(f, scen);
  fputs("\">\n", f);
  char cls[300], name[300], why[800];
  size_t i, j;
  json_t *c, *st;
  /* SLOs */
  snprintf(cls, sizeof(cls), "%s.slo", scen);
  fputs("  <testsuite name=\"", f);
  xml(f, cls);
  fputs("\">\n", f);
  json_array_foreach(json_object_get(json_object_get(s, "slo"), "checks"), i,
                     c) {
    snprintf(name, sizeof(name), "%s %s", str(c, "workload"), str(c, "slo"));
    double got = json_number_value(json_object_get(c, "achieved"));
    double tg = json_number_value(json_object_get(c, "target"));
    snprintf(why, sizeof(why), "achieved %g, target %g", got, tg);
    testcase(f, cls, name, 0,
             json_is_true(json_object_get(c, "met")) ? NULL : why, 0);
  }
  fputs("  </testsuite>\n", f);
  const json_t *drill = json_object_get(s, "drill");
  snprintf(cls, sizeof(cls), "%s.rto", scen);
  fputs("  <testsuite name=\"", f);
  xml(f, cls);
  fputs("\">\n", f);
  json_array_foreach(json_object_get(drill, "faults"), i, c) {
    if (!json_object_get(c, "plan"))
      continue;
    json_t *rto = json_object_get(c, "rto_s");
    double tg = json_number_value(json_object_get(c, "rto_target_s"));
    snprintf(name, sizeof(name), "fault %s: RTO", str(c, "name"));
    const char *fail = NULL;
    if (!rto) {
      snprintf(why, sizeof(why), "not recovered (%s)%s%s", str(c, "state"),
               json_object_get(c, "reason") ? ": " : "", str(c, "reason"));
      fail = why;
    } else if (json_is_false(json_object_get(c, "rto_met"))) {
      snprintf(why, sizeof(why), "RTO %.1f s is over its target of %.1f s",
               json_number_value(rto), tg);
      fail = why;
    }
    testcase(f, cls, name, rto ? json_number_value(rto) : 0, fail, 0);
  }
  fputs("  </testsuite>\n", f);
  snprintf(cls, sizeof(cls), "%s.plan", scen);
  fputs("  <testsuite name=\"", f);
  xml(f, cls);
  fputs("\">\n", f);
  json_array_foreach(json_object_get(drill, "plans"), i, c) {
    json_array_foreach(json_object_get(c, "steps"), j, st) {
      snprintf(name, sizeof(name), "plan %s: step %s", str(c, "name"),
               str(st, "name"));
      const char *out = str(st, "outcome");
      snprintf(why, sizeof(why), "%s after %lld tries%s%s", out,
               (long long)json_integer_value(json_object_get(st, "tries")),
               json_object_get(st, "reason") ? ": " : "", str(st, "reason"));
      testcase(f, cls, name,
               json_number_value(json_object_get(st, "duration_s")),
               strcmp(out, "passed") == 0 || strcmp(out, "not run") == 0 ? NULL
                                                                         : why,
               strcmp(out, "not run") == 0);
    }
  }
  fputs("  </testsuite>\n</testsuites>\n", f);
  int rc = ferror(f) ? ED_EIO : 0;
  if (fclose(f) != 0)
    rc = ED_EIO;
  return rc;
}
