/* Targets dealt to shards: by a hash of their name or by a label's value. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "shard.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

uint64_t ed_shard_fnv1a64(const char *s) {
  uint64_t h = FNV_OFFSET;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    h ^= *p;
    h *= FNV_PRIME;
  }
  return h;
}

/* A decimal number without sign, spaces or leading garbage. */
static int parse_uint(const char *s, const char *end, unsigned long *out) {
  if (s == end || *s < '0' || *s > '9')
    return -1;
  char *stop;
  errno = 0;
  unsigned long v = strtoul(s, &stop, 10);
  if (errno != 0 || stop != end)
    return -1;
  *out = v;
  return 0;
}

int ed_shard_parse(const char *text, unsigned *index, unsigned *count,
                   char *err, size_t errlen) {
  const char *slash = text ? strchr(text, '/') : NULL;
  unsigned long i, n;
  if (!slash || parse_uint(text, slash, &i) != 0 ||
      parse_uint(slash + 1, slash + strlen(slash), &n) != 0) {
    snprintf(err, errlen,
             "--shard \"%s\": expected I/N, two whole numbers (e.g. 0/4)",
             text ? text : "");
    return ED_EINVAL;
  }
  if (n == 0 || n > ED_SHARD_MAX) {
    snprintf(err, errlen, "--shard %s: N must be between 1 and %d", text,
             ED_SHARD_MAX);
    return ED_EINVAL;
  }
  if (i >= n) {
    snprintf(err, errlen,
             "--shard %s: the index must be below N (shards are numbered "
             "0 to %lu)",
             text, n - 1);
    return ED_EINVAL;
  }
  *index = (unsigned)i;
  *count = (unsigned)n;
  return 0;
}

static const char *label_of(const ed_target_t *t, const char *by) {
  return json_string_value(json_object_get(t->labels, by));
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int assign_by_label(const ed_target_t *targets, size_t n, unsigned count,
                           const char *by, unsigned *out, char *err,
                           size_t errlen) {
  const char **values = calloc(n + 1, sizeof(*values));
  if (!values)
    return ED_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    values[i] = label_of(&targets[i], by);
    if (!values[i]) {
      snprintf(err, errlen,
               "--shard-by %s: target %s (%s) has no label \"%s\" with a "
               "string value: every target needs one to be given a shard",
               by, targets[i].name, targets[i].path, by);
      free(values);
      return ED_EINVAL;
    }
  }
  qsort(values, n, sizeof(*values), cmp_str);
  size_t distinct = 0;
  for (size_t i = 0; i < n; i++)
    if (i == 0 || strcmp(values[i], values[distinct - 1]) != 0)
      values[distinct++] = values[i];
  for (size_t i = 0; i < n; i++) {
    const char *v = label_of(&targets[i], by);
    const char **hit = bsearch(&v, values, distinct, sizeof(*values), cmp_str);
    out[i] = (unsigned)((size_t)(hit - values) % count);
  }
  free(values);
  return 0;
}

int ed_shard_assign(const ed_target_t *targets, size_t n, unsigned count,
                    const char *by, unsigned *out, char *err, size_t errlen) {
  if (count == 0)
    return ED_EINVAL;
  if (by)
    return assign_by_label(targets, n, count, by, out, err, errlen);
  for (size_t i = 0; i < n; i++)
    out[i] = (unsigned)(ed_shard_fnv1a64(targets[i].name) % count);
  return 0;
}

json_t *ed_shard_rule_json(const char *by) {
  if (by) {
    char rule[300];
    snprintf(rule, sizeof(rule),
             "label %.200s: its distinct values sorted, the k-th to shard k "
             "mod N",
             by);
    return json_pack("{s:s,s:s,s:s}", "by", "label", "label", by, "rule", rule);
  }
  return json_pack("{s:s,s:s}", "by", "name", "rule", "fnv1a64(name) mod N");
}
