/*
 * prom: live figures written in the Prometheus text exposition format
 * (version 0.0.4) or in OpenMetrics 1.0, for a scraper to read.
 *
 * A page is built family by family: ed_prom_family() starts one (its HELP,
 * TYPE and, in OpenMetrics, UNIT lines), then its samples follow. Names
 * follow Prometheus's conventions: base units (seconds, bytes), a counter's
 * family name without "_total" (the writer adds it to the samples, and to
 * the TYPE line of the text format, as each format wants).
 *
 * Label values may come from a device (a sensor name): they are escaped as
 * the formats require (\\, \", \n) and bytes that are not valid UTF-8 are
 * replaced, so that no value can break the page for the scraper.
 *
 * A failed allocation is remembered: the page is then unusable
 * (ed_prom_page returns NULL) and nothing else fails.
 */
#ifndef ED_PROM_H
#define ED_PROM_H

#include <stddef.h>

#include "histogram.h"

typedef enum { ED_PROM_TEXT = 0, ED_PROM_OPENMETRICS } ed_prom_format_t;

typedef enum {
  ED_PROM_COUNTER = 0,
  ED_PROM_GAUGE,
  ED_PROM_HISTOGRAM
} ed_prom_type_t;

typedef struct ed_prom_s ed_prom_t;

/* A new, empty page; NULL when out of memory. Free with ed_prom_free. */
ed_prom_t *ed_prom_new(ed_prom_format_t format);
void ed_prom_free(ed_prom_t *p);
ed_prom_format_t ed_prom_format(const ed_prom_t *p);

/* The HTTP Content-Type of a format. Static string. */
const char *ed_prom_content_type(ed_prom_format_t format);

/* Start a family. unit: the base unit the name ends with ("seconds"), or
 * NULL. help: one line. */
void ed_prom_family(ed_prom_t *p, const char *name, ed_prom_type_t type,
                    const char *unit, const char *help);

/* One sample of the current counter or gauge family. labels: name, value
 * pairs ending with NULL, or NULL for none. */
void ed_prom_sample(ed_prom_t *p, const char *const *labels, double value);

/* The samples of one series of the current histogram family, from a
 * histogram of microseconds: cumulative _bucket lines at each bound
 * (seconds, increasing) and +Inf, then _sum and _count. A value is counted
 * at a bound when its histogram bucket lies at or below it, so a count is
 * exact to the histogram's precision. */
void ed_prom_histogram_us(ed_prom_t *p, const char *const *labels,
                          const ed_hist_t *h, const double *bounds_s,
                          size_t nbounds);

/* The finished page ("# EOF" added in OpenMetrics) and its length, or NULL
 * when an allocation failed. Borrowed: valid until ed_prom_free. */
const char *ed_prom_page(ed_prom_t *p, size_t *len);

#endif
