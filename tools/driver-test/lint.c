#include "lint.h"

#include <stdio.h>
#include <string.h>

#define KNOWN_OPT_FLAGS                                                        \
  (ED_OPT_REQUIRED | ED_OPT_PRIMARY | ED_OPT_SECRET | ED_OPT_ADDRESS)
#define KNOWN_OP_FLAGS (ED_OP_DESTRUCTIVE)
#define KNOWN_DRIVER_FLAGS (ED_DRIVER_BLOCKING)

/* `where` is "target option" or "operation \"x\": option". */
static size_t lint_option(const ed_option_t *o, const ed_option_t *table,
                          const char *where, int is_target, ed_lint_cb cb,
                          void *arg) {
  size_t errors = 0;
  for (const ed_option_t *p = table; p < o; p++)
    if (strcmp(p->key, o->key) == 0) {
      cb(arg, 1, "%s \"%s\" is declared twice", where, o->key);
      errors++;
    }
  if (o->flags & ~KNOWN_OPT_FLAGS) {
    cb(arg, 1, "%s \"%s\": flags 0x%x are not defined by this SDK", where,
       o->key, o->flags & ~KNOWN_OPT_FLAGS);
    errors++;
  }
  if ((o->flags & ED_OPT_SECRET) && o->type != ED_OPT_STRING &&
      o->type != ED_OPT_JSON) {
    cb(arg, 1, "%s \"%s\" is flagged ED_OPT_SECRET but is not a string", where,
       o->key);
    errors++;
  }
  if ((o->flags & ED_OPT_ADDRESS) && !is_target) {
    cb(arg, 1,
       "%s \"%s\" is flagged ED_OPT_ADDRESS, which only a target option "
       "may be",
       where, o->key);
    errors++;
  }
  if ((o->flags & ED_OPT_REQUIRED) && o->default_value)
    cb(arg, 0, "%s \"%s\" is required and has a default, which never applies",
       where, o->key);
  if (!o->description || !o->description[0])
    cb(arg, 0, "%s \"%s\" has no description (eventdrill plugins shows it)",
       where, o->key);
  return errors;
}

static size_t lint_table(const ed_option_t *table, const char *where,
                         int is_target, ed_lint_cb cb, void *arg) {
  size_t errors = 0;
  for (const ed_option_t *o = table; o && o->key; o++)
    errors += lint_option(o, table, where, is_target, cb, arg);
  return errors;
}

static size_t lint_op(const ed_op_desc_t *op, const ed_op_desc_t *ops,
                      ed_lint_cb cb, void *arg) {
  size_t errors = 0;
  char where[200];
  for (const ed_op_desc_t *p = ops; p < op; p++)
    if (strcmp(p->name, op->name) == 0) {
      cb(arg, 1, "operation \"%s\" is declared twice", op->name);
      errors++;
    }
  if (op->flags & ~KNOWN_OP_FLAGS) {
    cb(arg, 1, "operation \"%s\": flags 0x%x are not defined by this SDK",
       op->name, op->flags & ~KNOWN_OP_FLAGS);
    errors++;
  }
  if (op->args && op->args[0].key && op->args_size == 0) {
    cb(arg, 1, "operation \"%s\" has options but args_size 0", op->name);
    errors++;
  }
  if (!op->description || !op->description[0])
    cb(arg, 0, "operation \"%s\" has no description", op->name);
  snprintf(where, sizeof(where), "operation \"%s\": option", op->name);
  return errors + lint_table(op->args, where, 0, cb, arg);
}

size_t ed_lint_driver(const ed_driver_t *drv, ed_lint_cb cb, void *arg) {
  size_t errors = 0;
  if (drv->flags & ~KNOWN_DRIVER_FLAGS) {
    cb(arg, 1, "driver flags 0x%x are not defined by this SDK",
       drv->flags & ~KNOWN_DRIVER_FLAGS);
    errors++;
  }
  if (!drv->description || !drv->description[0])
    cb(arg, 0, "the driver has no description");
  int addresses = 0;
  for (const ed_option_t *o = drv->target_opts; o && o->key; o++)
    addresses += (o->flags & ED_OPT_ADDRESS) != 0;
  if (addresses == 0 && drv->target_opts && drv->target_opts[0].key)
    cb(arg, 0,
       "no target option is flagged ED_OPT_ADDRESS: reports show no address "
       "for its targets");
  errors += lint_table(drv->target_opts, "target option", 1, cb, arg);
  for (const ed_op_desc_t *op = drv->ops; op && op->name; op++)
    errors += lint_op(op, drv->ops, cb, arg);
  return errors;
}
