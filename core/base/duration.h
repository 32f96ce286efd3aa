/*
 * duration: durations as written in scenario files and driver options.
 *
 *   a JSON integer            milliseconds: 250 is 250 ms
 *   a string with units      "250ms", "30s", "2m", "1h", "1m30s", "1.5s"
 *
 * Units are ms, s, m, h; several may follow each other from the largest to
 * the smallest, each once. A number may have a fraction as long as the total
 * is a whole number of milliseconds. Never negative.
 */
#ifndef ED_DURATION_H
#define ED_DURATION_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The longest duration accepted anywhere: 1000 days, far above any limit a
 * caller sets, and far below int64 overflow. */
#define ED_DURATION_MAX_MS ((int64_t)1000 * 24 * 3600 * 1000)

/* Parse a duration string with units. Returns 0 and *ms, or ED_EINVAL with
 * the reason (without the text itself) in errbuf, e.g.
 * "unknown unit \"x\" (use ms, s, m or h)". errbuf may be NULL. */
int ed_duration_parse(const char *text, int64_t *ms, char *errbuf,
                      size_t errlen);

/* A duration from JSON: an integer of ms or a string with units. Returns 0,
 * or ED_EINVAL with a complete message in errbuf, e.g.
 * "invalid duration \"5x\": unknown unit ..." or "expected a duration ...,
 * got an array". v is borrowed. */
int ed_duration_from_json(const json_t *v, int64_t *ms, char *errbuf,
                          size_t errlen);

/* Format ms as "1h2m3s4ms", "1m30s", "250ms", "0s" into buf; returns buf. */
char *ed_duration_format(int64_t ms, char *buf, size_t len);

#endif
