#include "compare.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "outfile.h"
#include "plots.h"
#include "rebuild.h"

static const json_t *find_named(const json_t *arr, const char *name) {
  size_t i;
  json_t *x;
  json_array_foreach(arr, i, x) {
    const char *n = json_string_value(json_object_get(x, "name"));
    if (n && strcmp(n, name) == 0)
      return x;
  }
  return NULL;
}

static double num(const json_t *o, const char *k) {
  return json_number_value(json_object_get(o, k));
}

static double lat(const json_t *o, const char *k) {
  return json_number_value(
      json_object_get(json_object_get(o, "latency_ms"), k));
}

/* "+12.3 %" or "new" when A had nothing. */
static void delta(char *buf, size_t len, double a, double b) {
  if (a == 0)
    snprintf(buf, len, "%s", b == 0 ? "=" : "new");
  else
    snprintf(buf, len, "%+.1f %%", (b - a) / a * 100.0);
}

static void row(FILE *f, const char *wl, const char *phase, const json_t *a,
                const json_t *b) {
  char dp50[32], dp99[32], drate[32];
  delta(dp50, sizeof(dp50), lat(a, "p50"), lat(b, "p50"));
  delta(dp99, sizeof(dp99), lat(a, "p99"), lat(b, "p99"));
  delta(drate, sizeof(drate), num(a, "sent_rate"), num(b, "sent_rate"));
  fprintf(f,
          "| %s | %s | %.1f | %.1f | %s | %.3f | %.3f | %.2f | %.2f | %s | "
          "%.2f | %.2f | %s |\n",
          wl, phase, num(a, "sent_rate"), num(b, "sent_rate"), drate,
          num(a, "error_rate"), num(b, "error_rate"), lat(a, "p50"),
          lat(b, "p50"), dp50, lat(a, "p99"), lat(b, "p99"), dp99);
}

static void latency_table(FILE *f, const json_t *sa, const json_t *sb) {
  fprintf(f, "| workload | phase | A req/s | B req/s | Δ | A errors | "
             "B errors | A p50 ms | B p50 ms | Δ | A p99 ms | B p99 ms | Δ "
             "|\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  size_t i, j;
  json_t *wa, *pa;
  json_array_foreach(json_object_get(sa, "workloads"), i, wa) {
    const char *name = json_string_value(json_object_get(wa, "name"));
    const json_t *wb = find_named(json_object_get(sb, "workloads"), name);
    if (!wb)
      continue;
    json_array_foreach(json_object_get(wa, "phases"), j, pa) {
      const char *ph = json_string_value(json_object_get(pa, "name"));
      const json_t *pb = find_named(json_object_get(wb, "phases"), ph);
      if (pb)
        row(f, name, ph, pa, pb);
    }
    row(f, name, "total", json_object_get(wa, "total"),
        json_object_get(wb, "total"));
  }
}

/* RTO per fault, from each run's summary.json (the drill's figures). */
static void rto_table(FILE *f, const char *dir_a, const char *dir_b) {
  char pa[PATH_MAX], pb[PATH_MAX];
  snprintf(pa, sizeof(pa), "%s/summary.json", dir_a);
  snprintf(pb, sizeof(pb), "%s/summary.json", dir_b);
  json_t *a = json_load_file(pa, 0, NULL), *b = json_load_file(pb, 0, NULL);
  const json_t *fa = json_object_get(json_object_get(a, "drill"), "faults");
  const json_t *fb = json_object_get(json_object_get(b, "drill"), "faults");
  if (json_array_size(fa) && json_array_size(fb)) {
    fprintf(f,
            "\n| fault | A RTO s | B RTO s | target s |\n|---|---|---|---|\n");
    size_t i;
    json_t *x;
    json_array_foreach(fa, i, x) {
      const char *n = json_string_value(json_object_get(x, "name"));
      const json_t *y = find_named(fb, n);
      if (y)
        fprintf(f, "| %s | %.1f | %.1f | %.1f |\n", n, num(x, "rto_s"),
                num(y, "rto_s"), num(y, "rto_target_s"));
    }
  }
  for (int k = 0; k < 2; k++) {
    const json_t *v = json_object_get(k ? b : a, "verdict");
    if (v)
      fprintf(f, "%sverdict %s: %s\n", k ? "" : "\n", k ? "B" : "A",
              json_is_true(json_object_get(v, "pass")) ? "PASS" : "FAIL");
  }
  json_decref(a);
  json_decref(b);
}

int ed_compare_write(const char *dir_a, const char *dir_b, const char *out_dir,
                     FILE *out) {
  ed_rebuild_t *ra = NULL, *rb = NULL;
  int rc = ed_rebuild_create(dir_a, &ra);
  if (rc == 0)
    rc = ed_rebuild_create(dir_b, &rb);
  if (rc != 0) {
    ed_rebuild_destroy(ra);
    return rc;
  }
  json_t *sa = ed_rebuild_summary(ra), *sb = ed_rebuild_summary(rb);
  if (mkdir(out_dir, 0755) != 0 && errno != EEXIST)
    rc = ED_EIO;
  char path[PATH_MAX];
  snprintf(path, sizeof(path), "%s/compare.md", out_dir);
  FILE *f = rc == 0 ? ed_outfile_open(path, ED_OUTFILE_MODE) : NULL;
  if (!f)
    rc = ED_EIO;
  for (int k = 0; f && k < 2; k++) {
    FILE *o = k ? out : f;
    if (!o)
      continue;
    fprintf(o, "# Compare: A = %s, B = %s\n\n", dir_a, dir_b);
    fprintf(o, "Figures rebuilt from each run's journal; Δ = B against A.\n\n");
    latency_table(o, sa, sb);
    rto_table(o, dir_a, dir_b);
  }
  json_t *plots = json_array();
  if (f) {
    if (ed_plots_compare(out_dir, ra, "A", rb, "B", plots) == 0 &&
        json_array_size(plots))
      fprintf(f, "\n![p99 latency per second, A and B](plots/"
                 "compare-latency.svg)\n");
    if (fclose(f) != 0)
      rc = ED_EIO;
  }
  json_decref(plots);
  json_decref(sa);
  json_decref(sb);
  ed_rebuild_destroy(ra);
  ed_rebuild_destroy(rb);
  return rc;
}
