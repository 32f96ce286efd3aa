/* Internal to the merge module (merge.c, merge_write.c). */
#ifndef ED_MERGE_INTERNAL_H
#define ED_MERGE_INTERNAL_H

#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

#include "merge.h"
#include "outfile.h"
#include "resultsdir.h"

/* One shard's folder. */
typedef struct ed__mpart_s {
  const char *dir; /* borrowed from the options */
  char path[PATH_MAX + 32];
  FILE *f;
  json_t *start; /* its run_start */
  json_t *items; /* its drill_items, or NULL */
  unsigned index;
  double wall;         /* wall clock at its t = 0 (its "clock" event), on
                          the coordinator's clock when it measured it */
  int measured;        /* the clock event has the coordinator's offset */
  double clock_offset; /* ...this shard's clock minus the coordinator's */
  double clock_rtt;    /* ...and the round trip it was measured on */
  double offset;       /* wall - the earliest wall, seconds */
  long long sec_shift; /* offset rounded to a whole second */
  /* the line at the head of the stream (pass 2) */
  char *line;
  size_t cap;
  ssize_t len;
  int fast;   /* a "sec" or "req" line, rewritten as text */
  json_t *ev; /* else the event, parsed */
  double key; /* its merged time */
  int done;
  size_t lineno, bad_lines;
  /* what the per-shard breakdown says */
  uint64_t sent, completed, ok, dropped, late, reqs;
  json_t *warnings;
  double elapsed;
  int has_end, interrupted;
} ed__mpart_t;

typedef struct ed__merge_s {
  const ed_merge_options_t *opt;
  ed__mpart_t *parts;
  size_t nparts;
  unsigned count;  /* N */
  json_t *missing; /* indices of the shards not given */
  double origin;   /* the earliest wall clock: merged t = 0 */
} ed__merge_t;

/* merge_write.c: out/journal.jsonl, then out/summary.json. */
int ed__merge_write(ed__merge_t *m, char *err, size_t errlen);
int ed__merge_summary(ed__merge_t *m, char *err, size_t errlen);

#endif
