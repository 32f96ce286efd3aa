/* The report document: what a person reads first (the verdict and its
 * reasons), then the tables, anomalies, derived findings and the plots. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "verdict.h"

static const char *str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static double num(const json_t *o, const char *key) {
  return json_number_value(json_object_get(o, key));
}

json_t *ed_doc_fmt(const char *f, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, f);
  vsnprintf(buf, sizeof(buf), f, ap);
  va_end(ap);
  return json_string(buf);
}

void ed_doc_h(json_t *doc, const char *text) {
  json_array_append_new(doc, json_pack("{s:s}", "h", text));
}

void ed_doc_p(json_t *doc, json_t *text) {
  json_array_append_new(doc, json_pack("{s:o}", "p", text));
}

json_t *ed_doc_table(json_t *doc, const char *const *head) {
  json_t *hd = json_array();
  for (; *head; head++)
    json_array_append_new(hd, json_string(*head));
  json_t *rows = json_array();
  json_array_append_new(
      doc, json_pack("{s:{s:o,s:o}}", "table", "head", hd, "rows", rows));
  return rows;
}

/* A URL without any user:password@ part. */
static json_t *safe_url(const char *url) {
  const char *scheme = strstr(url, "://");
  const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
  const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
  if (!at || (slash && slash < at))
    return json_string(url);
  return ed_doc_fmt("%.*s%s", (int)(scheme + 3 - url), url, at + 1);
}

/* How a target's peer was verified: weakened settings are evidence too. */
static json_t *verification(const json_t *t) {
  static const char *const weakened[][2] = {
      {"insecure", "WEAKENED: TLS certificate not verified (insecure)"},
      {"accept_unknown_host_key", "WEAKENED: unknown SSH host key accepted"},
      {"allow_cipher_0", "WEAKENED: IPMI cipher suite 0 allowed"}};
  char text[300] = "";
  for (size_t i = 0; i < sizeof(weakened) / sizeof(weakened[0]); i++) {
    if (!json_is_true(json_object_get(t, weakened[i][0])))
      continue;
    size_t n = strlen(text);
    snprintf(text + n, sizeof(text) - n, "%s%s", n ? "; " : "", weakened[i][1]);
  }
  return json_string(text[0] ? text : "as configured");
}

/* What the driver flags as the target's address; a journal written before
 * the flag existed only has the URL. */
static const char *address(const json_t *t) {
  return str(t, "address")[0] ? str(t, "address") : str(t, "url");
}

static void header(json_t *doc, const json_t *s) {
  ed_doc_h(doc, "Run");
  json_t *rows = ed_doc_table(doc, (const char *const[]){"", "", NULL});
  json_array_append_new(rows,
                        json_pack("[s,s]", "scenario", str(s, "scenario")));
  json_array_append_new(
      rows, json_pack("[s,s]", "scenario SHA-256", str(s, "scenario_sha256")));
  json_array_append_new(rows, json_pack("[s,s]", "mode", str(s, "mode")));
  json_array_append_new(
      rows, json_pack("[s,o]", "date",
                      ed_doc_fmt("%s to %s (%.1f s)", str(s, "started"),
                                 str(s, "ended"), num(s, "elapsed_s"))));
  json_array_append_new(
      rows, json_pack("[s,s]", "eventdrill version", str(s, "version")));
  json_array_append_new(rows, json_pack("[s,s]", "command", str(s, "command")));
  ed_doc_h(doc, "Targets");
  rows = ed_doc_table(doc, (const char *const[]){"target", "driver", "address",
                                                 "simulated", "rehearsal",
                                                 "auth", "verification",
                                                 "credentials", NULL});
  size_t i;
  json_t *t;
  json_array_foreach(json_object_get(s, "targets"), i, t) {
    const char *cred = str(t, "credentials");
    json_array_append_new(
        rows,
        json_pack("[s,s,o,s,s,s,o,s]", str(t, "name"), str(t, "driver"),
                  safe_url(address(t)),
                  json_is_true(json_object_get(t, "simulated")) ? "yes" : "no",
                  json_is_true(json_object_get(t, "rehearsal")) ? "yes" : "no",
                  str(t, "auth")[0] ? str(t, "auth") : "driver default",
                  verification(t),
                  strncmp(cred, "env:", 4) == 0 ||
                          strncmp(cred, "file:", 5) == 0
                      ? cred
                      : (cred[0] ? "(reference)" : "none")));
  }
}

/* A shard's clock as the coordinator measured it, or why it was not. */
static json_t *clock_cell(const json_t *part) {
  const json_t *c = json_object_get(part, "clock");
  if (!c)
    return json_string("not measured");
  return ed_doc_fmt("%+.3f ms ±%.3f ms", num(c, "offset_s") * 1e3,
                    num(c, "rtt_s") * 1e3 / 2);
}

/* A merged drill (`eventdrill merge`): how its targets were dealt, and
 * what each shard did, on the merged clock. */
static void shard_table(json_t *doc, const json_t *s) {
  const json_t *sh = json_object_get(s, "shards");
  if (!sh)
    return;
  ed_doc_h(doc, "Shards");
  const json_t *rule = json_object_get(sh, "rule");
  ed_doc_p(doc, ed_doc_fmt(
                    "%lld shards; targets dealt by %s. Times are on one "
                    "clock: t = 0 is the earliest shard's start (its wall "
                    "clock, to the microsecond); each shard's events are "
                    "moved by its offset (per-second figures by the offset "
                    "rounded to a second). With a coordinator, each shard's "
                    "wall clock is first put on the coordinator's by the "
                    "offset measured over their channel (\"clock\", within "
                    "half the round trip); without one, the clocks of "
                    "several machines agree only as well as their time "
                    "synchronisation.",
                    (long long)json_integer_value(json_object_get(sh, "count")),
                    json_is_string(rule) ? json_string_value(rule)
                                         : "fnv1a64(name) mod N"));
  json_t *rows = ed_doc_table(
      doc, (const char *const[]){"shard", "targets", "started (UTC)", "offset",
                                 "clock", "requests", "completed", "errors",
                                 "dropped", "runner limits", "finished", NULL});
  size_t i, k;
  json_t *p, *x;
  json_array_foreach(json_object_get(sh, "parts"), i, p) {
    char names[512] = "";
    size_t len = 0;
    json_array_foreach(json_object_get(p, "targets"), k, x) {
      int n = snprintf(names + len, sizeof(names) - len, "%s%s", k ? ", " : "",
                       json_string_value(x));
      if (n < 0 || (size_t)n >= sizeof(names) - len) {
        snprintf(names + sizeof(names) - 5, 5, "...");
        break;
      }
      len += (size_t)n;
    }
    const json_t *warn = json_object_get(p, "warnings");
    json_int_t completed = json_integer_value(json_object_get(p, "completed"));
    json_int_t ok = json_integer_value(json_object_get(p, "ok"));
    json_array_append_new(
        rows,
        json_pack(
            "[o,s,s,o,o,o,o,o,o,o,s]",
            ed_doc_fmt("%lld", (long long)json_integer_value(
                                   json_object_get(p, "index"))),
            names, str(p, "started_utc"),
            ed_doc_fmt("%+.3f s", num(p, "offset_s")), clock_cell(p),
            ed_doc_fmt("%lld", (long long)json_integer_value(
                                   json_object_get(p, "requests"))),
            ed_doc_fmt("%lld", (long long)completed),
            ed_doc_fmt("%lld", (long long)(completed - ok)),
            ed_doc_fmt("%lld", (long long)json_integer_value(
                                   json_object_get(p, "dropped"))),
            json_array_size(warn)
                ? ed_doc_fmt("%s", json_string_value(json_array_get(warn, 0)))
                : json_string("none"),
            json_is_true(json_object_get(p, "complete")) ? "yes" : "no"));
  }
  json_array_foreach(json_object_get(sh, "missing"), i, x) {
    json_array_append_new(
        rows, json_pack("[o,s,s,s,s,s,s,s,s,s]",
                        ed_doc_fmt("%lld", (long long)json_integer_value(x)),
                        "(missing)", "-", "-", "-", "-", "-", "-", "-", "no"));
  }
}

/* The verdict's item of kind and name, or NULL. */
static const json_t *item(const json_t *s, const char *kind, const char *name) {
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(json_object_get(s, "verdict"), "items"), i,
                     it) if (!strcmp(str(it, "kind"), kind) &&
                             !strcmp(str(it, "name"), name)) return it;
  return NULL;
}

/* The judged tables: each only when it applies, and as the verdict judged
 * it (no data is not "met"; a fault not recovered has no RTO). */
static void slo_tables(json_t *doc, const json_t *s) {
  json_t *rows = NULL;
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(json_object_get(s, "verdict"), "items"), i,
                     c) {
    if (strcmp(str(c, "kind"), "slo") != 0)
      continue;
    if (!rows) {
      ed_doc_h(doc, "SLO: target vs achieved");
      rows =
          ed_doc_table(doc, (const char *const[]){"workload", "SLO", "target",
                                                  "achieved", "met", NULL});
    }
    const char *st = str(c, "status"), *why = str(c, "reason");
    int nodata = strncmp(why, "no data", 7) == 0;
    json_array_append_new(
        rows, json_pack("[s,s,o,o,s]", str(c, "workload"),
                        str(c, "name") + strlen(str(c, "workload")) + 1,
                        ed_doc_fmt("%g", num(c, "target")),
                        nodata ? json_string("no data")
                               : ed_doc_fmt("%g", num(c, "achieved")),
                        !strcmp(st, "passed")   ? "yes"
                        : !strcmp(st, "failed") ? "NO"
                                                : "not judged"));
  }
  const json_t *drill = json_object_get(s, "drill");
  if (json_array_size(json_object_get(drill, "faults"))) {
    ed_doc_h(doc, "RTO: target vs measured, per fault");
    rows = ed_doc_table(doc, (const char *const[]){"fault", "target", "state",
                                                   "plan", "RTO measured",
                                                   "RTO target", "met", NULL});
  }
  json_array_foreach(json_object_get(drill, "faults"), i, c) {
    const json_t *rec = item(s, "recovery", str(c, "name"));
    const char *st = rec ? str(rec, "status") : "";
    json_t *rto = json_object_get(c, "rto_s");
    json_t *tg = json_object_get(c, "rto_target_s");
    json_array_append_new(
        rows,
        json_pack("[s,s,s,s,o,o,s]", str(c, "name"), str(c, "target"),
                  str(c, "state"), str(c, "plan"),
                  rto ? ed_doc_fmt("%.1f s", json_number_value(rto))
                      : json_string(!strcmp(st, "not run") ? "not injected"
                                                           : "not recovered"),
                  tg ? ed_doc_fmt("%.1f s", json_number_value(tg))
                     : json_string("-"),
                  !strcmp(st, "passed")   ? "yes"
                  : !strcmp(st, "failed") ? "NO"
                                          : "-"));
  }
  json_t *pl, *st;
  size_t j;
  rows = NULL;
  json_array_foreach(json_object_get(drill, "plans"), i, pl) {
    json_array_foreach(json_object_get(pl, "steps"), j, st) {
      if (!rows) {
        ed_doc_h(doc, "Plan steps");
        rows = ed_doc_table(
            doc,
            (const char *const[]){"plan", "step", "target", "action", "outcome",
                                  "tries", "start", "duration", "note", NULL});
      }
      const char *why = str(st, "reason");
      json_array_append_new(
          rows,
          json_pack("[s,s,s,s,s,o,o,o,s]", str(pl, "name"), str(st, "name"),
                    str(st, "target")[0] ? str(st, "target") : "-",
                    str(st, "operation")[0] ? str(st, "operation")
                                            : "(verifies only)",
                    str(st, "outcome"),
                    ed_doc_fmt("%lld", (long long)json_integer_value(
                                           json_object_get(st, "tries"))),
                    ed_doc_fmt("%.1f s", num(st, "start_s")),
                    ed_doc_fmt("%.2f s", num(st, "duration_s")),
                    why[0] ? why : str(st, "action")));
    }
  }
}

static void phase_table(json_t *doc, const json_t *s) {
  ed_doc_h(doc, "Latency and rate per phase");
  json_t *rows = ed_doc_table(
      doc,
      (const char *const[]){"workload", "phase", "target req/s", "sent req/s",
                            "requests", "errors", "late", "dropped", "p50 ms",
                            "p90 ms", "p99 ms", "p99.9 ms", "max ms", NULL});
  size_t i, j;
  json_t *w, *ph;
  json_array_foreach(json_object_get(s, "workloads"), i, w) {
    json_t *all = json_copy(json_object_get(w, "phases"));
    json_t *tot = json_deep_copy(json_object_get(w, "total"));
    json_object_set_new(tot, "name", json_string("total"));
    json_array_append_new(all, tot);
    json_array_foreach(all, j, ph) {
      const json_t *l = json_object_get(ph, "latency_ms");
      json_int_t done = json_integer_value(json_object_get(ph, "completed"));
      json_int_t ok = json_integer_value(json_object_get(ph, "ok"));
      json_array_append_new(
          rows,
          json_pack("[s,s,o,o,I,I,I,I,o,o,o,o,o]", str(w, "name"),
                    str(ph, "name"), ed_doc_fmt("%.1f", num(ph, "target_rate")),
                    ed_doc_fmt("%.1f", num(ph, "sent_rate")),
                    json_integer_value(json_object_get(ph, "requests")),
                    done - ok, json_integer_value(json_object_get(ph, "late")),
                    json_integer_value(json_object_get(ph, "dropped")),
                    ed_doc_fmt("%.3f", num(l, "p50")),
                    ed_doc_fmt("%.3f", num(l, "p90")),
                    ed_doc_fmt("%.3f", num(l, "p99")),
                    ed_doc_fmt("%.3f", num(l, "p99.9")),
                    ed_doc_fmt("%.3f", num(l, "max"))));
    }
    json_decref(all);
  }
}

static void anomalies(json_t *doc, const json_t *s) {
  ed_doc_h(doc, "Anomalies");
  json_t *items = json_array();
  size_t i, j;
  json_t *w, *ph, *c;
  json_array_foreach(json_object_get(s, "workloads"), i, w) {
    json_array_foreach(json_object_get(w, "phases"), j, ph) {
      const char *cls;
      json_t *n;
      json_object_foreach(json_object_get(ph, "errors"), cls, n)
          json_array_append_new(
              items, ed_doc_fmt("%s / %s: %lld %s errors", str(w, "name"),
                                str(ph, "name"),
                                (long long)json_integer_value(n), cls));
      json_int_t late = json_integer_value(json_object_get(ph, "late"));
      json_int_t dropped = json_integer_value(json_object_get(ph, "dropped"));
      if (late || dropped)
        json_array_append_new(
            items, ed_doc_fmt("%s / %s: %lld requests sent late (waited for an "
                              "in-flight slot), %lld dropped",
                              str(w, "name"), str(ph, "name"), (long long)late,
                              (long long)dropped));
    }
  }
  json_array_foreach(json_object_get(json_object_get(s, "drill"), "checks"), i,
                     c) {
    json_int_t red = json_integer_value(json_object_get(c, "red"));
    json_int_t green = json_integer_value(json_object_get(c, "green"));
    /* Counts do not say in which order: red then green is a recovery,
     * not a flap, so no more is claimed than the counts show. */
    if (red && green)
      json_array_append_new(
          items, ed_doc_fmt("check %s was red on %lld and green on %lld of "
                            "%lld runs (last failure: %s)",
                            str(c, "name"), (long long)red, (long long)green,
                            (long long)(red + green), str(c, "last_failure")));
    else if (red)
      json_array_append_new(items,
                            ed_doc_fmt("check %s was red on all %lld runs: %s",
                                       str(c, "name"), (long long)red,
                                       str(c, "last_failure")));
  }
  json_array_foreach(json_object_get(json_object_get(s, "runner"), "warnings"),
                     i, c) json_array_append(items, c);
  /* what the rehearsal's proofs at its start found could not run */
  json_array_foreach(json_object_get(json_object_get(s, "drill"), "warnings"),
                     i, c) {
    if (json_object_get(c, "fault"))
      json_array_append_new(items,
                            ed_doc_fmt("warning: %sfault %s may not run: %s",
                                       json_is_true(json_object_get(c, "undo"))
                                           ? "the undo of "
                                           : "",
                                       str(c, "fault"), str(c, "reason")));
    else
      json_array_append_new(
          items, ed_doc_fmt("warning: plan %s, step \"%s\" may not run: %s",
                            str(c, "plan"), str(c, "step"), str(c, "reason")));
  }
  if (!json_array_size(items))
    json_array_append_new(items, json_string("none"));
  json_array_append_new(doc, json_pack("{s:o}", "list", items));
}

/* A phase's p99 from fewer completions than this says little. */
#define MIN_SAMPLES 100

/* Derived from the figures above, and said to be. */
static void findings(json_t *doc, const json_t *s) {
  ed_doc_h(doc, "Findings (derived from the data)");
  json_t *items = json_array();
  size_t i, j;
  json_t *w, *ph;
  json_array_foreach(json_object_get(s, "workloads"), i, w) {
    /* Phases in time order, each with the one before it, and only where
     * both have enough completions for their p99 to mean something. */
    const json_t *phases = json_object_get(w, "phases");
    const json_t *prev = NULL;
    json_array_foreach(phases, j, ph) {
      json_int_t done = json_integer_value(json_object_get(ph, "completed"));
      if (done < MIN_SAMPLES) {
        prev = NULL;
        continue;
      }
      if (prev) {
        double a = num(json_object_get(prev, "latency_ms"), "p99");
        double b = num(json_object_get(ph, "latency_ms"), "p99");
        double ra = num(prev, "sent_rate"), rb = num(ph, "sent_rate");
        if (a > 0 && (b / a >= 1.5 || a / b >= 1.5))
          json_array_append_new(
              items,
              ed_doc_fmt("derived: p99 of %s %s %.1fx from phase %s (%.3f ms "
                         "at %.0f req/s) to phase %s (%.3f ms at %.0f "
                         "req/s)%s",
                         str(w, "name"), b > a ? "rose" : "fell",
                         b > a ? b / a : a / b, str(prev, "name"), a, ra,
                         str(ph, "name"), b, rb,
                         b > a && ra > 0 && rb / ra >= 1.5
                             ? ", when the load rose"
                             : ""));
      }
      prev = ph;
    }
    const json_t *tot = json_object_get(w, "total");
    double er = num(tot, "error_rate");
    if (er > 0)
      json_array_append_new(
          items, ed_doc_fmt("derived: %.2f%% of the requests of %s failed",
                            100 * er, str(w, "name")));
    double asked = num(tot, "target_rate"), sent = num(tot, "sent_rate");
    if (asked > 0 && sent < 0.95 * asked)
      json_array_append_new(
          items, ed_doc_fmt("derived: %s sent %.0f%% of the rate asked",
                            str(w, "name"), 100 * sent / asked));
  }
  json_array_foreach(json_object_get(json_object_get(s, "drill"), "faults"), i,
                     w) {
    json_t *rto = json_object_get(w, "rto_s");
    double tg = num(w, "rto_target_s");
    if (rto && tg > 0)
      json_array_append_new(
          items, ed_doc_fmt("derived: recovery from %s used %.0f%% of its RTO "
                            "target (%.1f s of %.1f s)%s",
                            str(w, "name"), 100 * json_number_value(rto) / tg,
                            json_number_value(rto), tg,
                            json_number_value(rto) > 0.8 * tg
                                ? ": little margin, rehearse the plan again"
                                : ""));
  }
  if (!json_array_size(items))
    json_array_append_new(items, json_string("derived: nothing stood out"));
  json_array_append_new(doc, json_pack("{s:o}", "list", items));
}

json_t *ed__report_doc(const json_t *s, const json_t *notes,
                       const json_t *plots) {
  json_t *doc = json_array();
  const json_t *v = json_object_get(s, "verdict");
  json_array_append_new(
      doc, json_pack("{s:o}", "title",
                     ed_doc_fmt("Drill report: %s", str(s, "scenario"))));
  int pass = json_is_true(json_object_get(v, "pass"));
  json_array_append_new(doc, json_pack("{s:s,s:b}", "verdict",
                                       pass ? "PASS" : "FAIL", "pass", pass));
  json_t *reasons = json_deep_copy(json_object_get(v, "reasons"));
  if (!json_array_size(reasons)) {
    char text[400];
    ed_verdict_pass_sentence(v, text, sizeof(text));
    json_array_append_new(reasons, json_string(text));
  }
  json_array_append_new(doc, json_pack("{s:o}", "list", reasons));
  if (json_array_size(notes)) {
    ed_doc_h(doc, "About this report");
    json_array_append_new(doc, json_pack("{s:O}", "list", notes));
  }
  header(doc, s);
  shard_table(doc, s);
  slo_tables(doc, s);
  phase_table(doc, s);
  anomalies(doc, s);
  findings(doc, s);
  ed_doc_h(doc, "Plots");
  size_t i;
  json_t *x;
  json_array_foreach(plots, i, x)
      json_array_append_new(doc, json_pack("{s:O}", "plot", x));
  if (!json_array_size(plots))
    ed_doc_p(doc, json_string("no plot was drawn (see above)"));
  ed_doc_p(doc,
           json_string("Every figure here is rebuilt from journal.jsonl; "
                       "summary.rebuilt.json holds them all. Latency is "
                       "measured from each request's intended send time (open "
                       "loop)."));
  return doc;
}
