/* `eventdrill summary ENGAGEMENT [--out DIR] [--allow-gaps]`: the command. */
#include "engagement.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "engagement_internal.h"
#include "error.h"
#include "report.h"
#include "resultsdir.h"

enum { EXIT_OK = 0, EXIT_GAPS = 1, EXIT_USAGE = 2, EXIT_FAILED = 4 };

static void usage(FILE *out) {
  fputs("usage: eventdrill summary ENGAGEMENT [--out DIR] [--allow-gaps]\n"
        "\n"
        "The Key Event Support Summary Report of an engagement: summary.md\n"
        "and summary.html, built from the evidence of the results folders\n"
        "the engagement file names (docs/summary.md).\n"
        "\n"
        "  --out DIR       where to write them (default: summary/ beside the\n"
        "                  engagement file)\n"
        "  --allow-gaps    exit 0 even when a folder is missing, unreadable,\n"
        "                  incomplete or of another fleet (the report shows\n"
        "                  it either way)\n"
        "\n"
        "exit status: 0 written, nothing missing; 1 written, evidence\n"
        "missing; 2 bad usage or invalid engagement file; 4 not written\n",
        out);
}

/* Gaps on stderr too: whoever runs it sees what is missing. */
static void print_gaps(const ed__eng_t *e) {
  size_t i;
  json_t *src;
  json_array_foreach(e->sources, i, src) {
    const char *st = ed__eng_str(src, "state");
    if (strcmp(st, "ok") != 0 && strcmp(st, "skipped") != 0)
      fprintf(stderr, "eventdrill: summary: %s: %s (%s): %s\n", e->file,
              ed__eng_str(src, "path"), st, ed__eng_str(src, "why"));
    if (json_is_true(json_object_get(src, "outside_window")))
      fprintf(stderr,
              "eventdrill: summary: %s: %s started %s, outside the support "
              "window\n",
              e->file, ed__eng_str(src, "path"), ed__eng_str(src, "started"));
  }
}

static int write_report(const ed__eng_t *e, const char *out) {
  if (ed_mkdir_p(out) != 0) {
    fprintf(stderr, "eventdrill: summary: cannot create %s\n", out);
    return ED_EIO;
  }
  json_t *doc = ed__eng_document(e);
  int rc = doc ? ed_report_render(doc, out, "summary") : ED_ENOMEM;
  json_decref(doc);
  if (rc != 0)
    fprintf(stderr, "eventdrill: summary: cannot write %s/summary.md: %s\n",
            out, ed_strerror(rc));
  return rc;
}

int ed_engagement_command(int argc, char **argv) {
  const char *file = NULL, *out = NULL;
  int allow = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--out") && i + 1 < argc)
      out = argv[++i];
    else if (!strcmp(argv[i], "--allow-gaps"))
      allow = 1;
    else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      usage(stdout);
      return EXIT_OK;
    } else if (argv[i][0] != '-' && !file)
      file = argv[i];
    else {
      fprintf(stderr, "eventdrill: summary: unexpected argument \"%s\"\n",
              argv[i]);
      return EXIT_USAGE;
    }
  }
  if (!file) {
    fprintf(stderr, "eventdrill: summary needs an engagement file "
                    "(eventdrill summary --help)\n");
    return EXIT_USAGE;
  }
  ed_diag_t diag;
  ed__eng_t e;
  ed_diag_init(&diag);
  int rc = ed__eng_load(file, &diag, &e);
  if (rc != 0) {
    ed_diag_print(&diag, stderr);
    fprintf(stderr, "%s: %zu error%s\n", file, diag.count,
            diag.count == 1 ? "" : "s");
    ed_diag_close(&diag);
    return rc == ED_EPARSE || rc == ED_EIO ? EXIT_USAGE : EXIT_FAILED;
  }
  ed_diag_close(&diag);
  int gaps = ed__eng_read_sources(&e);
  char def[PATH_MAX];
  if (!out) {
    snprintf(def, sizeof(def), "%s/summary", e.base);
    out = def;
  }
  int code = EXIT_FAILED;
  if (gaps >= 0 && write_report(&e, out) == 0) {
    print_gaps(&e);
    printf("summary: %s/summary.md, %s/summary.html\n", out, out);
    code = gaps > 0 && !allow ? EXIT_GAPS : EXIT_OK;
    if (gaps > 0)
      fprintf(stderr,
              "eventdrill: summary: %d folder%s with missing "
              "evidence%s\n",
              gaps, gaps == 1 ? "" : "s",
              allow ? " (allowed by --allow-gaps)" : "");
  }
  ed__eng_close(&e);
  return code;
}
