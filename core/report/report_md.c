/* report.md: the report document as Markdown. */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "textsafe.h"

/* Text, which may come from a device, is data: its control characters
 * and Markdown markup (a pipe that would break a row, <script>...) are
 * escaped (textsafe.h). */
static void cell(FILE *out, const char *s) {
  ed_text_fputs_md(out, s);
}

static void text(FILE *out, const char *pre, const json_t *v,
                 const char *post) {
  fputs(pre, out);
  ed_text_fputs_md(out, json_string_value(v));
  fputs(post, out);
}

/* An in-page anchor: letters, digits, '-', '_' and '.' only. */
static int safe_anchor(const char *s) {
  if (!s || !*s)
    return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
          (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
      return 0;
  return 1;
}

/* A table cell: a string, a number, or {"text", "href"} (a link to an
 * anchor of the page; "class" is HTML's alone). */
static void md_cell(FILE *out, const json_t *x) {
  if (json_is_object(x)) {
    const char *href = json_string_value(json_object_get(x, "href"));
    int link = href && href[0] == '#' && safe_anchor(href + 1);
    if (link)
      fputc('[', out);
    cell(out, json_string_value(json_object_get(x, "text")));
    if (link)
      fprintf(out, "](%s)", href);
  } else if (json_is_string(x))
    cell(out, json_string_value(x));
  else if (json_is_integer(x))
    fprintf(out, "%lld", (long long)json_integer_value(x));
  else
    fprintf(out, "%g", json_number_value(x));
}

int ed__report_md(const json_t *doc, FILE *out) {
  size_t i, j, k;
  json_t *b, *x, *row;
  json_array_foreach(doc, i, b) {
    json_t *v;
    if ((v = json_object_get(b, "title"))) {
      text(out, "# ", v, "\n\n");
    } else if ((v = json_object_get(b, "verdict"))) {
      fprintf(out, "**Verdict: %s**\n\n", json_string_value(v));
    } else if ((v = json_object_get(b, "warning"))) {
      fprintf(out, "**%s** %s\n\n", json_string_value(v),
              json_string_value(json_object_get(b, "text")));
    } else if ((v = json_object_get(b, "h"))) {
      const char *id = json_string_value(json_object_get(b, "id"));
      if (safe_anchor(id)) /* the target of the links to it */
        fprintf(out, "<a id=\"%s\"></a>\n\n", id);
      text(out, "## ", v, "\n\n");
    } else if ((v = json_object_get(b, "p"))) {
      text(out, "", v, "\n\n");
    } else if ((v = json_object_get(b, "list"))) {
      json_array_foreach(v, j, x) text(out, "- ", x, "\n");
      fputc('\n', out);
    } else if ((v = json_object_get(b, "table"))) {
      const json_t *head = json_object_get(v, "head");
      fputc('|', out);
      json_array_foreach(head, j, x) {
        fputc(' ', out);
        cell(out, json_string_value(x));
        fputs(" |", out);
      }
      fputs("\n|", out);
      for (j = 0; j < json_array_size(head); j++)
        fputs("---|", out);
      fputc('\n', out);
      json_array_foreach(json_object_get(v, "rows"), j, row) {
        fputc('|', out);
        json_array_foreach(row, k, x) {
          fputc(' ', out);
          md_cell(out, x);
          fputs(" |", out);
        }
        fputc('\n', out);
      }
      fputc('\n', out);
    } else if ((v = json_object_get(b, "plot"))) {
      fprintf(out,
              "### %s\n\n![%s](%s)\n\n([SVG](%s), data and gnuplot "
              "script in plots/)\n\n",
              json_string_value(json_object_get(v, "title")),
              json_string_value(json_object_get(v, "title")),
              json_string_value(json_object_get(v, "png")),
              json_string_value(json_object_get(v, "svg")));
    }
  }
  return ferror(out) ? -1 : 0;
}
