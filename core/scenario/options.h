/*
 * options: validate a JSON object against a driver's option table
 * (ed_option_t, plugins/eventdrill/driver.h) and fill the driver's struct, so
 * that drivers never parse JSON for their options.
 *
 * Every problem goes into a diag with the JSON path of the offending key
 * ("targets.bmc1.url"), so a user sees all of them at once: wrong types,
 * values out of range, unknown keys (with a did-you-mean), missing required
 * keys.
 *
 * Where values land, by type (the struct belongs to the caller):
 *   STRING, JSON  char *   malloc'd; free with ed_options_free()
 *   INT, DURATION int64_t  (DURATION in milliseconds)
 *   DOUBLE        double
 *   BOOL          int      0 or 1
 * An option that is absent and has no default is written as 0 / NULL.
 */
#ifndef ED_OPTIONS_H
#define ED_OPTIONS_H

#include <jansson.h>
#include <stddef.h>

#include <eventdrill/driver.h>

#include "diag.h"

/* Validate `obj` (a JSON object, or NULL for "no options") against `table`
 * (terminated by key == NULL) and, when `out` is not NULL, fill it.
 * `path` is the JSON path of obj ("" for the document; borrowed).
 * `ignore_keys` (NULL-terminated, may be NULL) are keys someone else handles:
 * they are neither reported as unknown nor read.
 * Returns 0; ED_EINVAL when errors were added to diag (then out holds no
 * allocation and is zeroed for the table's fields); ED_ENOMEM. */
int ed_options_fill(const ed_option_t *table, const json_t *obj, void *out,
                    const char *path, ed_diag_t *diag,
                    const char *const *ignore_keys);

/* Same for the argument of an operation, written { "<op>": arg } in a
 * scenario. `arg` may be an object of op->args, NULL / JSON null (no
 * arguments), or a bare value (usually a string) that is the value of the
 * option flagged ED_OPT_PRIMARY. `path` is the JSON path of arg itself
 * ("workloads[0].op.get"). out, when not NULL, is op->args_size bytes. */
int ed_options_fill_op(const ed_op_desc_t *op, const json_t *arg, void *out,
                       const char *path, ed_diag_t *diag);

/* Free the strings ed_options_fill*() allocated in `out` and set them to
 * NULL. Safe on a zeroed struct; out may be NULL. */
void ed_options_free(const ed_option_t *table, void *out);

/* Check a driver's table itself (for the plugin host, when it loads a
 * driver): known types, fields inside a struct of `size` bytes, at most one
 * primary option, at most one address option and of type string, defaults
 * that are valid values. Returns 0 or ED_EINVAL
 * with the first problem in errbuf. */
int ed_options_check_table(const ed_option_t *table, size_t size, char *errbuf,
                           size_t errlen);

/* The option of `table` flagged ED_OPT_ADDRESS, or NULL. */
const ed_option_t *ed_options_address(const ed_option_t *table);

/* Name of a type, "string", "int", ... (static). */
const char *ed_options_type_name(ed_opt_type_t type);

#endif
