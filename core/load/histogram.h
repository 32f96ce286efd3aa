/*
 * histogram: an HDR-style log-linear histogram of non-negative integer
 * values (the core records microseconds). Values are grouped in buckets whose
 * width is a power of two, each split in 2 * 10^sigfigs linear sub-buckets, so
 * any value is stored with a relative error below 10^-sigfigs. Histograms with
 * the same (highest, sigfigs) merge exactly.
 *
 * Memory grows with the ranges of values recorded, not with the range the
 * histogram can hold: the counts are allocated in blocks on first use and
 * freed by a reset.
 */
#ifndef ED_HISTOGRAM_H
#define ED_HISTOGRAM_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "textbuf.h"

typedef struct ed_hist_s ed_hist_t;

/* Create a histogram tracking 1..highest with `sigfigs` significant digits
 * (1..5). Returns 0 or ED_EINVAL / ED_ENOMEM. Free with ed_hist_destroy. */
int ed_hist_create(int64_t highest, int sigfigs, ed_hist_t **out);
void ed_hist_destroy(ed_hist_t *h);
/* Empty h and free its blocks. */
void ed_hist_reset(ed_hist_t *h);
/* Bytes h holds (its header and the blocks allocated so far). */
size_t ed_hist_memory(const ed_hist_t *h);

/* Record a value (clamped into [0, highest]; a clamped value is counted in
 * ed_hist_clamped). 0, or ED_ENOMEM when the block the value falls in
 * could not be allocated (then nothing is recorded). */
int ed_hist_record(ed_hist_t *h, int64_t value);
int ed_hist_record_n(ed_hist_t *h, int64_t value, uint64_t n);
/* Add every count of src to dst. ED_EINVAL if their layouts differ,
 * ED_ENOMEM (dst unchanged) when a block could not be allocated. */
int ed_hist_merge(ed_hist_t *dst, const ed_hist_t *src);

uint64_t ed_hist_count(const ed_hist_t *h);
uint64_t ed_hist_clamped(const ed_hist_t *h);
int64_t ed_hist_min(const ed_hist_t *h); /* 0 when empty */
int64_t ed_hist_max(const ed_hist_t *h); /* exact max recorded; 0 when empty */
double ed_hist_mean(const ed_hist_t *h);
/* Value at percentile p (0..100): the highest value equivalent to the bucket
 * holding the ceil(p/100 * count)-th value (never below the true percentile,
 * above it by less than the relative error), capped at the recorded max. */
int64_t ed_hist_percentile(const ed_hist_t *h, double p);
/* Largest relative error of a recorded value: 10^-sigfigs. */
double ed_hist_relative_error(const ed_hist_t *h);
int ed_hist_sigfigs(const ed_hist_t *h);
int64_t ed_hist_highest(const ed_hist_t *h);

/* Iterate non-empty buckets in increasing order: call with *cursor = 0 first;
 * returns 1 and fills the bucket's [lo, hi] value range and count, or 0 at
 * the end. */
int ed_hist_next_bucket(const ed_hist_t *h, size_t *cursor, int64_t *lo,
                        int64_t *hi, uint64_t *count);

/* Sparse JSON form, lossless: {"highest":H,"sigfigs":S,"min":..,"max":..,
 * "count":N,"clamped":C,"sum":X,"counts":[[bucket_index,count],...]}, the
 * pairs in increasing index order ("sum" of the recorded values keeps the mean
 * exact). Caller owns the result (json_decref); NULL when out of memory. */
json_t *ed_hist_to_json(const ed_hist_t *h);
/* The same form as text, as Jansson's compact dump writes it, added to t:
 * for the journal's per-second lines, written by the thousand. */
void ed_hist_to_jsontext(const ed_hist_t *h, ed_textbuf_t *t);
/* Rebuild from ed_hist_to_json's form. 0 or ED_EPARSE. */
int ed_hist_from_json(const json_t *j, ed_hist_t **out);

/* ed_hist_to_json's form read by other means (a journal reader's own
 * parser): the header and the [bucket_index, count] pairs (borrowed). */
typedef struct ed_hist_sparse_s {
  int64_t highest;
  int sigfigs;
  int64_t min, max;
  uint64_t count, clamped;
  double sum;
  const uint64_t (*pairs)[2];
  size_t npairs;
} ed_hist_sparse_t;

/* Add s to dst, as ed_hist_from_json then ed_hist_merge would, without a
 * histogram in between. ED_EPARSE when s is not one (the same checks as
 * ed_hist_from_json: layout, ranges, every index within [min, max]'s
 * slots, the counts adding up to count), ED_EINVAL when its layout is not
 * dst's, ED_ENOMEM; on any error dst is unchanged. */
int ed_hist_add_sparse(ed_hist_t *dst, const ed_hist_sparse_t *s);

#endif
