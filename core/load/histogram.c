/*
 * histogram: log-linear layout.
 *
 * Let S = 2^sub_bits be the smallest power of two >= 2 * 10^sigfigs and
 * H = S / 2. Values below S are counted exactly (bucket 0, width 1). Above,
 * bucket b >= 1 covers [H << b, S << b) in H slots of width 1 << b, so a
 * slot's width is at most 1/H <= 10^-sigfigs of any value in it.
 *
 * The slots are numbered in one flat range: a value v with most significant
 * bit m falls in bucket b = max(0, m - (sub_bits - 1)) and slot index
 * (b << half_bits) + (v >> b). Taking m from (v | (S - 1)) makes b >= 0
 * without a branch, so finding the slot is a clz, two shifts and an add.
 *
 * The counts are stored in two levels, each part allocated when a value
 * first falls in it: pages of PAGE slots hold pointers to blocks of BLOCK
 * counts. A block's counters start one byte wide and are widened (to 2, 4,
 * then 8 bytes) when one of them would overflow, so what a block holds
 * follows what it counted: a tail value seen once in a run costs a 16-byte
 * block, not the 128 bytes of 8-byte counters, and a histogram kept for
 * the whole run grows by little as ever rarer values reach new blocks.
 * A histogram that records a value once a second for a minute holds a few
 * pages' pointers and a small block per distinct value, not the 180 KiB the
 * whole range of an hour in microseconds at 3 digits takes. Reset frees
 * them, so a histogram emptied every second holds only what that second
 * measured. The layout (and so the error, the merge and the percentiles)
 * does not depend on which parts exist nor on their widths.
 *
 * The touched range of slots is always [index(min), index(max)], so reset,
 * merge, percentiles and iteration only walk the blocks of that range.
 */
#include "histogram.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define PAGE_BITS 10
#define PAGE ((size_t)1 << PAGE_BITS)
#define BLOCK_BITS 4
#define BLOCK ((size_t)1 << BLOCK_BITS)
#define PER_PAGE (PAGE / BLOCK) /* blocks in a page */

/* A page: its blocks, each NULL or BLOCK counters of 1 << wide[k] bytes. */
typedef struct page_s {
  void *blk[PER_PAGE];
  uint8_t wide[PER_PAGE]; /* log2 of the counters' size: 0..3 */
} page_t;

struct ed_hist_s {
  int64_t highest;
  int sigfigs;
  int sub_bits;      /* log2(S) */
  int half_bits;     /* log2(H) = sub_bits - 1 */
  uint64_t sub_mask; /* S - 1 */
  size_t len;        /* number of slots */
  size_t npages;     /* ceil(len / PAGE) */
  uint64_t count;
  uint64_t clamped;
  double sum;      /* exact while below 2^53; the mean needs no more */
  int64_t min;     /* INT64_MAX when empty */
  int64_t max;     /* 0 when empty */
  page_t *pages[]; /* npages, each NULL or allocated */
};

static size_t slot_of(const ed_hist_t *h, uint64_t v) {
  int msb = 63 - __builtin_clzll(v | h->sub_mask);
  int b = msb - h->half_bits;
  return ((size_t)b << h->half_bits) + (size_t)(v >> b);
}

/* Counter j of a block whose counters are 1 << wide bytes. */
static uint64_t blk_get(const void *blk, int wide, size_t j) {
  switch (wide) {
  case 0:
    return ((const uint8_t *)blk)[j];
  case 1:
    return ((const uint16_t *)blk)[j];
  case 2:
    return ((const uint32_t *)blk)[j];
  default:
    return ((const uint64_t *)blk)[j];
  }
}

static void blk_set(void *blk, int wide, size_t j, uint64_t v) {
  switch (wide) {
  case 0:
    ((uint8_t *)blk)[j] = (uint8_t)v;
    break;
  case 1:
    ((uint16_t *)blk)[j] = (uint16_t)v;
    break;
  case 2:
    ((uint32_t *)blk)[j] = (uint32_t)v;
    break;
  default:
    ((uint64_t *)blk)[j] = v;
  }
}

/* The narrowest counter (log2 of its bytes) that holds v. */
static int wide_for(uint64_t v) {
  return v <= UINT8_MAX ? 0 : v <= UINT16_MAX ? 1 : v <= UINT32_MAX ? 2 : 3;
}

/* The page of slot i, or NULL. */
static page_t *page_of(const ed_hist_t *h, size_t i) {
  return h->pages[i >> PAGE_BITS];
}

static size_t blk_index(size_t i) {
  return (i >> BLOCK_BITS) & (PER_PAGE - 1);
}

/* Count of slot i; 0 where nothing was allocated. */
static uint64_t slot_count(const ed_hist_t *h, size_t i) {
  const page_t *pg = page_of(h, i);
  if (!pg)
    return 0;
  size_t k = blk_index(i);
  return pg->blk[k] ? blk_get(pg->blk[k], pg->wide[k], i & (BLOCK - 1)) : 0;
}

/* The block of slot i allocated, with counters of at least 1 << wide
 * bytes; its counts are unchanged. 0 or ED_ENOMEM (then the counts are
 * still those before, in the block as it was). */
static int block_ready(ed_hist_t *h, size_t i, int wide) {
  page_t **pg = &h->pages[i >> PAGE_BITS];
  if (__builtin_expect(!*pg, 0) && !(*pg = calloc(1, sizeof(page_t))))
    return ED_ENOMEM;
  size_t k = blk_index(i);
  void *old = (*pg)->blk[k];
  int was = (*pg)->wide[k];
  if (__builtin_expect(old && was >= wide, 1))
    return 0;
  void *blk = calloc(BLOCK, (size_t)1 << wide);
  if (!blk)
    return ED_ENOMEM;
  for (size_t j = 0; old && j < BLOCK; j++)
    blk_set(blk, wide, j, blk_get(old, was, j));
  free(old);
  (*pg)->blk[k] = blk;
  (*pg)->wide[k] = (uint8_t)wide;
  return 0;
}

/* Add n to slot i, widening its block if the count needs it. 0 or
 * ED_ENOMEM (nothing added). */
static int slot_add(ed_hist_t *h, size_t i, uint64_t n) {
  uint64_t v = slot_count(h, i) + n;
  if (block_ready(h, i, wide_for(v)))
    return ED_ENOMEM;
  page_t *pg = page_of(h, i);
  size_t k = blk_index(i);
  blk_set(pg->blk[k], pg->wide[k], i & (BLOCK - 1), v);
  return 0;
}

/* The first slot >= i (and <= last) whose count is not zero, or last + 1;
 * missing pages and blocks are skipped whole. */
static size_t next_used(const ed_hist_t *h, size_t i, size_t last) {
  while (i <= last) {
    if (!h->pages[i >> PAGE_BITS]) {
      i = ((i >> PAGE_BITS) + 1) << PAGE_BITS;
      continue;
    }
    const page_t *pg = page_of(h, i);
    size_t k = blk_index(i);
    if (!pg->blk[k]) {
      i = ((i >> BLOCK_BITS) + 1) << BLOCK_BITS;
      continue;
    }
    if (blk_get(pg->blk[k], pg->wide[k], i & (BLOCK - 1)))
      return i;
    i++;
  }
  return last + 1;
}

/* The value range [lo, hi] of slot i. */
static void slot_range(const ed_hist_t *h, size_t i, int64_t *lo, int64_t *hi) {
  size_t top = i >> h->half_bits;
  int b = top > 1 ? (int)top - 1 : 0;
  uint64_t sub = (uint64_t)i - ((uint64_t)b << h->half_bits);
  uint64_t l = sub << b;
  *lo = (int64_t)l;
  *hi = (int64_t)(l + ((uint64_t)1 << b) - 1);
}

static int sub_bits_for(int sigfigs) {
  uint64_t want = 2;
  for (int i = 0; i < sigfigs; i++)
    want *= 10;
  int bits = 0;
  while (((uint64_t)1 << bits) < want)
    bits++;
  return bits;
}

int ed_hist_create(int64_t highest, int sigfigs, ed_hist_t **out) {
  if (!out || highest < 1 || sigfigs < 1 || sigfigs > 5)
    return ED_EINVAL;
  int sub_bits = sub_bits_for(sigfigs);
  int half_bits = sub_bits - 1;
  uint64_t sub_mask = ((uint64_t)1 << sub_bits) - 1;
  int msb = 63 - __builtin_clzll((uint64_t)highest | sub_mask);
  int top_bucket = msb - half_bits;
  /* Slots of bucket b end at (b + 2) * H. */
  size_t len = ((size_t)top_bucket + 2) << half_bits;
  size_t npages = (len + PAGE - 1) >> PAGE_BITS;
  ed_hist_t *h = calloc(1, sizeof(*h) + npages * sizeof(page_t *));
  if (!h)
    return ED_ENOMEM;
  h->highest = highest;
  h->sigfigs = sigfigs;
  h->sub_bits = sub_bits;
  h->half_bits = half_bits;
  h->sub_mask = sub_mask;
  h->len = len;
  h->npages = npages;
  h->min = INT64_MAX;
  assert(slot_of(h, (uint64_t)highest) < len);
  *out = h;
  return 0;
}

static void free_blocks(ed_hist_t *h) {
  for (size_t p = 0; p < h->npages; p++) {
    if (!h->pages[p])
      continue;
    for (size_t k = 0; k < PER_PAGE; k++)
      free(h->pages[p]->blk[k]);
    free(h->pages[p]);
    h->pages[p] = NULL;
  }
}

void ed_hist_destroy(ed_hist_t *h) {
  if (!h)
    return;
  free_blocks(h);
  free(h);
}

void ed_hist_reset(ed_hist_t *h) {
  free_blocks(h);
  h->count = 0;
  h->clamped = 0;
  h->sum = 0;
  h->min = INT64_MAX;
  h->max = 0;
}

size_t ed_hist_memory(const ed_hist_t *h) {
  size_t bytes = sizeof(*h) + h->npages * sizeof(page_t *);
  for (size_t p = 0; p < h->npages; p++) {
    if (!h->pages[p])
      continue;
    bytes += sizeof(page_t);
    for (size_t k = 0; k < PER_PAGE; k++)
      if (h->pages[p]->blk[k])
        bytes += BLOCK << h->pages[p]->wide[k];
  }
  return bytes;
}

/* The hot path: a branch for a block not yet allocated, the clamps compile
 * to cmovs. */
static inline int record(ed_hist_t *h, int64_t value, uint64_t n) {
  int64_t v = value < 0 ? 0 : value;
  v = v > h->highest ? h->highest : v;
  if (slot_add(h, slot_of(h, (uint64_t)v), n))
    return ED_ENOMEM;
  h->clamped += (uint64_t)(v != value) * n;
  h->count += n;
  h->sum += (double)v * (double)n;
  h->min = v < h->min ? v : h->min;
  h->max = v > h->max ? v : h->max;
  return 0;
}

int ed_hist_record(ed_hist_t *h, int64_t value) {
  return record(h, value, 1);
}

int ed_hist_record_n(ed_hist_t *h, int64_t value, uint64_t n) {
  /* n == 0 must not move min/max: they bound the touched range. */
  return n > 0 ? record(h, value, n) : 0;
}

int ed_hist_merge(ed_hist_t *dst, const ed_hist_t *src) {
  if (dst->highest != src->highest || dst->sigfigs != src->sigfigs)
    return ED_EINVAL;
  if (src->count == 0)
    return 0;
  /* Blocks allocated and widened first, so that a lack of memory leaves
   * dst's counts unchanged. */
  size_t a = slot_of(src, (uint64_t)src->min) >> BLOCK_BITS;
  size_t b = slot_of(src, (uint64_t)src->max) >> BLOCK_BITS;
  for (size_t k = a; k <= b; k++) {
    const page_t *pg = page_of(src, k << BLOCK_BITS);
    if (!pg || !pg->blk[blk_index(k << BLOCK_BITS)])
      continue;
    uint64_t most = 0;
    for (size_t j = 0; j < BLOCK; j++) {
      uint64_t v = slot_count(dst, (k << BLOCK_BITS) + j) +
                   slot_count(src, (k << BLOCK_BITS) + j);
      most = v > most ? v : most;
    }
    if (block_ready(dst, k << BLOCK_BITS, wide_for(most)))
      return ED_ENOMEM;
  }
  for (size_t k = a; k <= b; k++) {
    const page_t *from = page_of(src, k << BLOCK_BITS);
    size_t bk = blk_index(k << BLOCK_BITS);
    if (!from || !from->blk[bk])
      continue;
    page_t *to = page_of(dst, k << BLOCK_BITS);
    for (size_t j = 0; j < BLOCK; j++)
      blk_set(to->blk[bk], to->wide[bk], j,
              blk_get(to->blk[bk], to->wide[bk], j) +
                  blk_get(from->blk[bk], from->wide[bk], j));
  }
  dst->count += src->count;
  dst->clamped += src->clamped;
  dst->sum += src->sum;
  dst->min = src->min < dst->min ? src->min : dst->min;
  dst->max = src->max > dst->max ? src->max : dst->max;
  return 0;
}

uint64_t ed_hist_count(const ed_hist_t *h) {
  return h->count;
}
uint64_t ed_hist_clamped(const ed_hist_t *h) {
  return h->clamped;
}
int64_t ed_hist_min(const ed_hist_t *h) {
  return h->count ? h->min : 0;
}
int64_t ed_hist_max(const ed_hist_t *h) {
  return h->max;
}
int ed_hist_sigfigs(const ed_hist_t *h) {
  return h->sigfigs;
}
int64_t ed_hist_highest(const ed_hist_t *h) {
  return h->highest;
}

double ed_hist_mean(const ed_hist_t *h) {
  return h->count ? h->sum / (double)h->count : 0.0;
}

double ed_hist_relative_error(const ed_hist_t *h) {
  return pow(10.0, -h->sigfigs);
}

/* ceil(p/100 * count) in 1..count. p/100 * count is computed with a rounding
 * error of a few ulps (99.9% of 1000 is 999.0000000000001), so a relative
 * slack well above that but far below one rank keeps it on the exact rank. */
static uint64_t rank_of(double p, uint64_t count) {
  if (!(p > 0))
    return 1;
  if (p >= 100)
    return count;
  double r = p / 100.0 * (double)count;
  double k = ceil(r * (1.0 - 1e-13));
  if (k < 1)
    return 1;
  return k > (double)count ? count : (uint64_t)k;
}

int64_t ed_hist_percentile(const ed_hist_t *h, double p) {
  if (h->count == 0)
    return 0;
  uint64_t rank = rank_of(p, h->count);
  size_t a = slot_of(h, (uint64_t)h->min);
  size_t b = slot_of(h, (uint64_t)h->max);
  uint64_t seen = 0;
  size_t i = next_used(h, a, b);
  while (i < b) {
    seen += slot_count(h, i);
    if (seen >= rank)
      break;
    i = next_used(h, i + 1, b);
  }
  if (i > b)
    i = b;
  int64_t lo, hi;
  slot_range(h, i, &lo, &hi);
  return hi < h->max ? hi : h->max;
}

int ed_hist_next_bucket(const ed_hist_t *h, size_t *cursor, int64_t *lo,
                        int64_t *hi, uint64_t *count) {
  if (h->count == 0)
    return 0;
  size_t a = slot_of(h, (uint64_t)h->min);
  size_t b = slot_of(h, (uint64_t)h->max);
  size_t i = next_used(h, *cursor > a ? *cursor : a, b);
  if (i > b) {
    *cursor = b + 1;
    return 0;
  }
  slot_range(h, i, lo, hi);
  *count = slot_count(h, i);
  *cursor = i + 1;
  return 1;
}

/* JSON: the header's form plus "count", "clamped" and "sum", so that every
 * figure (the mean too) survives a round trip. */
static int put(json_t *o, const char *key, json_t *v) {
  return v ? json_object_set_new(o, key, v) : -1;
}

static json_t *pairs_to_json(const ed_hist_t *h) {
  json_t *pairs = json_array();
  if (!pairs || h->count == 0)
    return pairs;
  size_t a = slot_of(h, (uint64_t)h->min);
  size_t b = slot_of(h, (uint64_t)h->max);
  for (size_t i = next_used(h, a, b); i <= b; i = next_used(h, i + 1, b)) {
    json_t *pair =
        json_pack("[II]", (json_int_t)i, (json_int_t)slot_count(h, i));
    if (!pair || json_array_append_new(pairs, pair)) {
      json_decref(pairs);
      return NULL;
    }
  }
  return pairs;
}

json_t *ed_hist_to_json(const ed_hist_t *h) {
  json_t *o = json_object();
  if (!o)
    return NULL;
  int bad = put(o, "highest", json_integer(h->highest));
  bad |= put(o, "sigfigs", json_integer(h->sigfigs));
  bad |= put(o, "min", json_integer(ed_hist_min(h)));
  bad |= put(o, "max", json_integer(h->max));
  bad |= put(o, "count", json_integer((json_int_t)h->count));
  bad |= put(o, "clamped", json_integer((json_int_t)h->clamped));
  bad |= put(o, "sum", json_real(h->sum));
  bad |= put(o, "counts", pairs_to_json(h));
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

void ed_hist_to_jsontext(const ed_hist_t *h, ed_textbuf_t *t) {
  ed_textbuf_str(t, "{\"highest\":");
  ed_textbuf_int(t, h->highest);
  ed_textbuf_str(t, ",\"sigfigs\":");
  ed_textbuf_int(t, h->sigfigs);
  ed_textbuf_str(t, ",\"min\":");
  ed_textbuf_int(t, ed_hist_min(h));
  ed_textbuf_str(t, ",\"max\":");
  ed_textbuf_int(t, h->max);
  ed_textbuf_str(t, ",\"count\":");
  ed_textbuf_int(t, (int64_t)h->count);
  ed_textbuf_str(t, ",\"clamped\":");
  ed_textbuf_int(t, (int64_t)h->clamped);
  ed_textbuf_str(t, ",\"sum\":");
  ed_textbuf_json_real(t, h->sum);
  ed_textbuf_str(t, ",\"counts\":[");
  if (h->count > 0) {
    size_t a = slot_of(h, (uint64_t)h->min);
    size_t b = slot_of(h, (uint64_t)h->max);
    const char *sep = "[";
    for (size_t i = next_used(h, a, b); i <= b; i = next_used(h, i + 1, b)) {
      ed_textbuf_str(t, sep);
      ed_textbuf_int(t, (int64_t)i);
      ed_textbuf_str(t, ",");
      ed_textbuf_int(t, (int64_t)slot_count(h, i));
      ed_textbuf_str(t, "]");
      sep = ",[";
    }
  }
  ed_textbuf_str(t, "]}");
}

static int get_int(const json_t *j, const char *key, json_int_t *v) {
  json_t *x = json_object_get(j, key);
  if (!json_is_integer(x))
    return ED_EPARSE;
  *v = json_integer_value(x);
  return 0;
}

/* Fill h's counts from the pairs; each index must lie in the range that min
 * and max imply, which keeps reset's invariant. */
static int load_pairs(ed_hist_t *h, const json_t *pairs) {
  size_t a = slot_of(h, (uint64_t)h->min);
  size_t b = slot_of(h, (uint64_t)h->max);
  uint64_t total = 0;
  size_t k;
  json_t *pair;
  json_array_foreach(pairs, k, pair) {
    json_t *ji = json_array_get(pair, 0), *jc = json_array_get(pair, 1);
    if (json_array_size(pair) != 2 || !json_is_integer(ji) ||
        !json_is_integer(jc))
      return ED_EPARSE;
    json_int_t i = json_integer_value(ji), c = json_integer_value(jc);
    if (i < 0 || (size_t)i < a || (size_t)i > b || c <= 0)
      return ED_EPARSE;
    if (slot_add(h, (size_t)i, (uint64_t)c))
      return ED_ENOMEM;
    total += (uint64_t)c;
  }
  return total == h->count ? 0 : ED_EPARSE;
}

int ed_hist_from_json(const json_t *j, ed_hist_t **out) {
  json_int_t highest, sigfigs, min, max, count, clamped = 0;
  json_t *pairs = json_object_get(j, "counts");
  json_t *sum = json_object_get(j, "sum");
  if (!json_is_object(j) || get_int(j, "highest", &highest) ||
      get_int(j, "sigfigs", &sigfigs) || get_int(j, "min", &min) ||
      get_int(j, "max", &max) || get_int(j, "count", &count) ||
      !json_is_array(pairs) || (sum && !json_is_number(sum)))
    return ED_EPARSE;
  if (json_object_get(j, "clamped") && get_int(j, "clamped", &clamped))
    return ED_EPARSE;
  if (sigfigs < 1 || sigfigs > 5 || count < 0 || clamped < 0 ||
      (count > 0 && (min < 0 || min > max || max > highest)))
    return ED_EPARSE;
  ed_hist_t *h;
  if (ed_hist_create(highest, (int)sigfigs, &h))
    return ED_EPARSE;
  if (count > 0) {
    h->min = min;
    h->max = max;
    h->count = (uint64_t)count;
    h->clamped = (uint64_t)clamped;
    h->sum = sum ? json_number_value(sum) : 0.0;
  }
  if ((count == 0 && json_array_size(pairs) > 0) ||
      (count > 0 && load_pairs(h, pairs))) {
    ed_hist_destroy(h);
    return ED_EPARSE;
  }
  *out = h;
  return 0;
}

int ed_hist_add_sparse(ed_hist_t *dst, const ed_hist_sparse_t *s) {
  if (s->sigfigs < 1 || s->sigfigs > 5 ||
      (s->count > 0 && (s->min < 0 || s->min > s->max || s->max > s->highest)))
    return ED_EPARSE;
  if (s->highest != dst->highest || s->sigfigs != dst->sigfigs)
    return ED_EINVAL;
  if (s->count == 0)
    return s->npairs == 0 ? 0 : ED_EPARSE;
  size_t a = slot_of(dst, (uint64_t)s->min);
  size_t b = slot_of(dst, (uint64_t)s->max);
  uint64_t total = 0;
  int ascending = 1;
  /* Checked, then allocated and widened, before anything is added, so that
   * an error leaves dst unchanged. */
  for (size_t k = 0; k < s->npairs; k++) {
    uint64_t i = s->pairs[k][0], c = s->pairs[k][1];
    if (i < a || i > b || c == 0)
      return ED_EPARSE;
    ascending &= k == 0 || i > s->pairs[k - 1][0];
    total += c;
  }
  if (total != s->count)
    return ED_EPARSE;
  for (size_t k = 0; k < s->npairs; k++) {
    size_t i = (size_t)s->pairs[k][0];
    /* An index given twice adds up: its count is then bounded by the
     * whole's. */
    uint64_t more = ascending ? s->pairs[k][1] : s->count;
    uint64_t v = slot_count(dst, i) + more;
    if (block_ready(dst, i, v < more ? 3 : wide_for(v)))
      return ED_ENOMEM;
  }
  for (size_t k = 0; k < s->npairs; k++)
    slot_add(dst, (size_t)s->pairs[k][0], s->pairs[k][1]);
  dst->count += s->count;
  dst->clamped += s->clamped;
  dst->sum += s->sum;
  dst->min = s->min < dst->min ? s->min : dst->min;
  dst->max = s->max > dst->max ? s->max : dst->max;
  return 0;
}
