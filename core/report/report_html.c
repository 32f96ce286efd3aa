/* report.html: the report document as one self-contained page: inline CSS
 * and SVG, no script, no external asset; prints well. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "report.h"
#include "textsafe.h"

static const char css[] =
    "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;"
    "padding:0 1em;color:#222;line-height:1.4}"
    "h1{font-size:1.6em}h2{font-size:1.2em;border-bottom:1px solid #ccc;"
    "margin-top:1.6em}h3{font-size:1em}"
    "table{border-collapse:collapse;margin:.5em 0;font-size:.9em}"
    "th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left}"
    "th{background:#f0f0f0}td.n{text-align:right}"
    ".verdict{font-size:1.4em;font-weight:bold;padding:.4em .8em;"
    "display:inline-block;border-radius:4px}"
    ".pass{background:#d5f5e3;color:#145a32}.fail{background:#fadbd8;"
    "color:#78281f}.warning{background:#fdebd0;border-left:4px solid "
    "#ca6f1e;padding:.5em .8em}.plot svg{max-width:100%;height:auto}"
    "td.name{white-space:nowrap}.sev-critical,.sev-high,.sev-warning,"
    ".sev-notice{white-space:nowrap;font-weight:bold}.sev-critical{background:#"
    "c62828;color:#fff}"
    ".sev-high{background:#ef6c00;color:#fff}.sev-warning{background:"
    "#fdd835;color:#222}.sev-notice{background:#e0e0e0;color:#444;"
    "font-weight:normal}"
    "@media print{body{max-width:none;margin:0}.plot{page-break-inside:"
    "avoid}h2{page-break-after:avoid}}";

/* Text of the document, device text included: markup as entities and
 * control bytes shown, never written raw (textsafe.h). */
static void esc(FILE *out, const char *s) {
  ed_text_fputs_html(out, s);
}

/* The SVG file inlined: from its <svg element on, without the XML prolog,
 * and with nothing that could run or fetch (gnuplot's SVG holds neither, but
 * a restyled script could). */
static void inline_svg(FILE *out, const char *dir, const char *rel) {
  char path[PATH_MAX + 128];
  snprintf(path, sizeof(path), "%s/%s", dir, rel);
  FILE *f = fopen(path, "rb");
  if (!f) {
    fputs("<p>(plot missing)</p>", out);
    return;
  }
  char *buf = NULL;
  size_t len = 0, cap = 0;
  char chunk[8192];
  size_t n;
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
    if (len + n + 1 > cap) {
      cap = (len + n + 1) * 2;
      char *nb = realloc(buf, cap);
      if (!nb)
        break;
      buf = nb;
    }
    memcpy(buf + len, chunk, n);
    len += n;
  }
  fclose(f);
  if (!buf) {
    fputs("<p>(plot unreadable)</p>", out);
    return;
  }
  buf[len] = '\0';
  const char *start = strstr(buf, "<svg");
  if (!start || strstr(start, "<script") || strstr(start, "href=\"http") ||
      strstr(start, "<image") || strstr(start, "<foreignObject"))
    fputs("<p>(plot left out: not a plain SVG)</p>", out);
  else
    fputs(start, out);
  free(buf);
}

/* A class or an in-page anchor of the document: letters, digits, '-', '_'
 * and '.' only (anything else is left out, never written). */
static int safe_name(const char *s) {
  if (!s || !*s)
    return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
          (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
      return 0;
  return 1;
}

/* A table cell: a string, a number, or {"text", "class", "href"} (href an
 * anchor of the page, "#device-x"). */
static void html_cell(FILE *out, const json_t *x) {
  if (json_is_object(x)) {
    const char *cls = json_string_value(json_object_get(x, "class"));
    const char *href = json_string_value(json_object_get(x, "href"));
    int link = href && href[0] == '#' && safe_name(href + 1);
    if (safe_name(cls))
      fprintf(out, "<td class=\"%s\">", cls);
    else
      fputs("<td>", out);
    if (link)
      fprintf(out, "<a href=\"%s\">", href);
    esc(out, json_string_value(json_object_get(x, "text")));
    if (link)
      fputs("</a>", out);
  } else if (json_is_string(x)) {
    fputs("<td>", out);
    esc(out, json_string_value(x));
  } else {
    fprintf(out, "<td class=\"n\">%lld", (long long)json_integer_value(x));
  }
  fputs("</td>", out);
}

int ed__report_html(const json_t *doc, const char *dir, FILE *out) {
  const char *title =
      json_string_value(json_object_get(json_array_get(doc, 0), "title"));
  fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
        "'none'; style-src 'unsafe-inline'; img-src data:\"><title>",
        out);
  esc(out, title ? title : "Drill report");
  fprintf(out, "</title><style>%s</style></head><body>\n", css);
  size_t i, j, k;
  json_t *b, *x, *row;
  json_array_foreach(doc, i, b) {
    json_t *v;
    if ((v = json_object_get(b, "title"))) {
      fputs("<h1>", out);
      esc(out, json_string_value(v));
      fputs("</h1>\n", out);
    } else if ((v = json_object_get(b, "verdict"))) {
      fprintf(out, "<p class=\"verdict %s\">Verdict: %s</p>\n",
              json_is_true(json_object_get(b, "pass")) ? "pass" : "fail",
              json_string_value(v));
    } else if ((v = json_object_get(b, "warning"))) {
      fputs("<p class=\"warning\"><strong>", out);
      esc(out, json_string_value(v));
      fputs("</strong> ", out);
      esc(out, json_string_value(json_object_get(b, "text")));
      fputs("</p>\n", out);
    } else if ((v = json_object_get(b, "h"))) {
      const char *id = json_string_value(json_object_get(b, "id"));
      if (safe_name(id))
        fprintf(out, "<h2 id=\"%s\">", id);
      else
        fputs("<h2>", out);
      esc(out, json_string_value(v));
      fputs("</h2>\n", out);
    } else if ((v = json_object_get(b, "p"))) {
      fputs("<p>", out);
      esc(out, json_string_value(v));
      fputs("</p>\n", out);
    } else if ((v = json_object_get(b, "list"))) {
      fputs("<ul>\n", out);
      json_array_foreach(v, j, x) {
        fputs("<li>", out);
        esc(out, json_string_value(x));
        fputs("</li>\n", out);
      }
      fputs("</ul>\n", out);
    } else if ((v = json_object_get(b, "table"))) {
      fputs("<table><tr>", out);
      json_array_foreach(json_object_get(v, "head"), j, x) {
        fputs("<th>", out);
        esc(out, json_string_value(x));
        fputs("</th>", out);
      }
      fputs("</tr>\n", out);
      json_array_foreach(json_object_get(v, "rows"), j, row) {
        fputs("<tr>", out);
        json_array_foreach(row, k, x) html_cell(out, x);
        fputs("</tr>\n", out);
      }
      fputs("</table>\n", out);
    } else if ((v = json_object_get(b, "plot"))) {
      fputs("<div class=\"plot\"><h3>", out);
      esc(out, json_string_value(json_object_get(v, "title")));
      fputs("</h3>\n", out);
      inline_svg(out, dir, json_string_value(json_object_get(v, "svg")));
      fputs("</div>\n", out);
    }
  }
  fputs("</body></html>\n", out);
  return ferror(out) ? ED_EIO : 0;
}
