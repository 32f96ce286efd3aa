/*
 * shard: which shard of a drill owns each target, for a drill split by hand
 * into N processes (`--shard I/N`, docs/distributed.md). Every target
 * belongs to exactly one shard, decided from the scenario alone, so that
 * every shard computes the same mapping without talking to the others:
 *
 * - by name (the default): FNV-1a 64 of the target's name (its bytes, no
 *   terminator; offset basis 0xcbf29ce484222325, prime 0x100000001b3),
 *   modulo N;
 * - by label (`--shard-by LABEL`): the distinct values of that label,
 *   sorted bytewise (strcmp), are dealt round-robin: the k-th value goes to
 *   shard k mod N, and every target with that value with it. A target
 *   without the label, or with a label that is not a string, is an error.
 */
#ifndef ED_SHARD_H
#define ED_SHARD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

/* The largest N accepted by --shard. */
#define ED_SHARD_MAX 4096

/* Parse "I/N" (0 <= I < N <= ED_SHARD_MAX, decimal). 0, or ED_EINVAL with
 * a sentence in err naming what is wrong. */
int ed_shard_parse(const char *text, unsigned *index, unsigned *count,
                   char *err, size_t errlen);

/* FNV-1a 64 of a NUL-terminated string. */
uint64_t ed_shard_fnv1a64(const char *s);

/* out[i] = shard of targets[i] (out has n entries, caller's). by: a label
 * name, or NULL for the name hash. 0, or ED_EINVAL (a target without the
 * label: err names it) or ED_ENOMEM. */
int ed_shard_assign(const ed_target_t *targets, size_t n, unsigned count,
                    const char *by, unsigned *out, char *err, size_t errlen);

/* The rule as the journal and summary say it: {"by": "name", "rule"} or
 * {"by": "label", "label", "rule"}. New reference. */
json_t *ed_shard_rule_json(const char *by);

#endif
