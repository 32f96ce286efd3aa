#include "compare.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
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

/* A phase (or a workload's total) that only one run has: its figures, and
 * which run lacks it, instead of a silent gap. */
static void one_sided_row(FILE *f, const char *wl, const char *phase,
                          const json_t *x, int in_a) {
  char rate[32], err[32], p50[32], p99[32];
  snprintf(rate, sizeof(rate), "%.1f", num(x, "sent_rate"));
  snprintf(err, sizeof(err), "%.3f", num(x, "error_rate"));
  snprintf(p50, sizeof(p50), "%.2f", lat(x, "p50"));
  snprintf(p99, sizeof(p99), "%.2f", lat(x, "p99"));
  fprintf(f,
          "| %s | %s (only in %s) | %s | %s | — | %s | %s | %s | %s | — | %s "
          "| %s | — |\n",
          wl, phase, in_a ? "A" : "B", in_a ? rate : "—", in_a ? "—" : rate,
          in_a ? err : "—", in_a ? "—" : err, in_a ? p50 : "—",
          in_a ? "—" : p50, in_a ? p99 : "—", in_a ? "—" : p99);
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
    json_array_foreach(json_object_get(wa, "phases"), j, pa) {
      const char *ph = json_string_value(json_object_get(pa, "name"));
      const json_t *pb = find_named(json_object_get(wb, "phases"), ph);
      if (pb)
        row(f, name, ph, pa, pb);
      else
        one_sided_row(f, name, ph, pa, 1);
    }
    if (wb) {
      json_array_foreach(json_object_get(wb, "phases"), j, pa) {
        const char *ph = json_string_value(json_object_get(pa, "name"));
        if (!find_named(json_object_get(wa, "phases"), ph))
          one_sided_row(f, name, ph, pa, 0);
      }
      row(f, name, "total", json_object_get(wa, "total"),
          json_object_get(wb, "total"));
    } else {
      one_sided_row(f, name, "total", json_object_get(wa, "total"), 1);
    }
  }
  json_array_foreach(json_object_get(sb, "workloads"), i, wa) {
    const char *name = json_string_value(json_object_get(wa, "name"));
    if (find_named(json_object_get(sa, "workloads"), name))
      continue;
    json_array_foreach(json_object_get(wa, "phases"), j, pa) one_sided_row(
        f, name, json_string_value(json_object_get(pa, "name")), pa, 0);
    one_sided_row(f, name, "total", json_object_get(wa, "total"), 0);
  }
}

/* The verdict item of `kind` named `name` in summary s, or NULL. */
static const json_t *verdict_item(const json_t *s, const char *kind,
                                  const char *name) {
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(json_object_get(s, "verdict"), "items"), i,
                     it) {
    const char *k = json_string_value(json_object_get(it, "kind"));
    const char *n = json_string_value(json_object_get(it, "name"));
    if (k && n && strcmp(k, kind) == 0 && strcmp(n, name) == 0)
      return it;
  }
  return NULL;
}

/* A fault's recovery as the verdict judged it: the RTO only when the fault
 * recovered; never a number for a fault that did not. */
static void recovery_cell(char *buf, size_t len, const json_t *it) {
  const char *st = it ? json_string_value(json_object_get(it, "status")) : NULL;
  const json_t *rto = json_object_get(it, "rto_s");
  if (!it)
    snprintf(buf, len, "—");
  else if (st && strcmp(st, "not run") == 0)
    snprintf(buf, len, "not injected");
  else if (!rto)
    snprintf(buf, len, "%s",
             st && strcmp(st, "passed") == 0 ? "recovered" : "not recovered");
  else
    snprintf(buf, len, "%.1f%s", json_number_value(rto),
             st && strcmp(st, "failed") == 0 ? " (over target)" : "");
}

static void rto_table(FILE *f, const json_t *a, const json_t *b) {
  const json_t *fa = json_object_get(json_object_get(a, "drill"), "faults");
  const json_t *fb = json_object_get(json_object_get(b, "drill"), "faults");
  if (json_array_size(fa) || json_array_size(fb)) {
    fprintf(f,
            "\n| fault | A RTO s | B RTO s | target s |\n|---|---|---|---|\n");
    for (int k = 0; k < 2; k++) {
      size_t i;
      json_t *x;
      json_array_foreach(k ? fb : fa, i, x) {
        const char *n = json_string_value(json_object_get(x, "name"));
        if (k && find_named(fa, n))
          continue; /* listed with A's */
        char ca[64], cb[64], tg[32] = "—";
        recovery_cell(ca, sizeof(ca), verdict_item(a, "recovery", n));
        recovery_cell(cb, sizeof(cb), verdict_item(b, "recovery", n));
        if (json_object_get(x, "rto_target_s"))
          snprintf(tg, sizeof(tg), "%.1f", num(x, "rto_target_s"));
        fprintf(f, "| %s | %s | %s | %s |\n", n, ca, cb, tg);
      }
    }
  }
  for (int k = 0; k < 2; k++) {
    const json_t *v = json_object_get(k ? b : a, "verdict");
    fprintf(f, "%sverdict %s: %s\n", k ? "" : "\n", k ? "B" : "A",
            json_is_true(json_object_get(v, "pass")) ? "PASS" : "FAIL");
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(v, "reasons"), i, r)
        fprintf(f, "  - %s\n", json_string_value(r));
  }
}

/* A run's summary as written (its verdict holds what the journal cannot),
 * or the one rebuilt from its journal. */
static json_t *summary_of(const char *dir, const json_t *rebuilt) {
  char path[PATH_MAX];
  snprintf(path, sizeof(path), "%s/summary.json", dir);
  json_t *s = json_load_file(path, 0, NULL);
  return s ? s : json_incref((json_t *)rebuilt);
}

/* Runs of different scenarios are not rehearsals of one plan: said first. */
static void scenario_warning(FILE *f, const json_t *a, const json_t *b) {
  const char *ha = json_string_value(json_object_get(a, "scenario_sha256"));
  const char *hb = json_string_value(json_object_get(b, "scenario_sha256"));
  if (ha && hb && strcmp(ha, hb) == 0)
    return;
  fprintf(f,
          "**WARNING: A and B are runs of different scenarios** (A: %s, "
          "SHA-256 %.12s…; B: %s, SHA-256 %.12s…): their figures do not "
          "compare one plan across rehearsals.\n\n",
          json_string_value(json_object_get(a, "scenario")), ha ? ha : "?",
          json_string_value(json_object_get(b, "scenario")), hb ? hb : "?");
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
  json_t *va = summary_of(dir_a, sa), *vb = summary_of(dir_b, sb);
  if (mkdir(out_dir, 0755) != 0 && errno != EEXIST)
    rc = ED_EIO;
  char path[PATH_MAX];
  snprintf(path, sizeof(path), "%s/compare.md", out_dir);
  FILE *f = rc == 0 ? fopen(path, "w") : NULL;
  if (!f)
    rc = ED_EIO;
  for (int k = 0; f && k < 2; k++) {
    FILE *o = k ? out : f;
    if (!o)
      continue;
    fprintf(o, "# Compare: A = %s, B = %s\n\n", dir_a, dir_b);
    scenario_warning(o, sa, sb);
    fprintf(o, "Figures rebuilt from each run's journal; Δ = B against A.\n\n");
    latency_table(o, sa, sb);
    rto_table(o, va, vb);
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
  json_decref(va);
  json_decref(vb);
  json_decref(sa);
  json_decref(sb);
  ed_rebuild_destroy(ra);
  ed_rebuild_destroy(rb);
  return rc;
}
