/*
 * plugin_host: finds, checks and loads driver plugins (shared objects that
 * export ED_DRIVER_SYMBOL, see plugins/eventdrill/driver.h), and runs
 * blocking drivers on libuv's thread pool.
 *
 * Plugins are loaded only from the directories added to the host, searched in
 * the order they were added; ed_plugin_host_default_dirs() adds, in order:
 *   1. each entry of $EVENTDRILL_PLUGIN_PATH (colon-separated),
 *   2. <prefix>/ED_DRIVER_RELDIR, where <prefix> is the directory above the
 *      running binary's ED_BINDIR (so a build tree and an install both work),
 *   3. ED_DRIVER_INSTALL_DIR.
 * Driver "x" is the file "x.so"; the first directory holding it wins.
 *
 * Safety: a plugin runs with the user's rights, so a directory writable by
 * everyone, or a plugin file writable by group or others or owned by another
 * user than root or the current one, is refused (anyone could plant code).
 *
 * Every error names the file and is logged (ed_error) and kept for
 * ed_plugin_host_last_error().
 *
 * Threads: everything here runs on the loop thread.
 */
#ifndef ED_PLUGIN_HOST_H
#define ED_PLUGIN_HOST_H

#include <jansson.h>
#include <stdio.h>
#include <uv.h>

#include <eventdrill/driver.h>

#include "scenario.h"

typedef struct ed_plugin_host_s ed_plugin_host_t;

/* Create a host with no directory. `loop` (borrowed, may be NULL when only
 * validating or listing) is what drivers get in ed_host_t and where blocking
 * requests complete. Free with ed_plugin_host_destroy. */
int ed_plugin_host_create(uv_loop_t *loop, ed_plugin_host_t **out);
/* Set the loop later (before the first driver is loaded: drivers may keep
 * the ed_host_t they got in init, which is updated too). */
void ed_plugin_host_set_loop(ed_plugin_host_t *ph, uv_loop_t *loop);
/* Calls every loaded driver's fini (latest loaded first), dlcloses them and
 * frees the host. Every blocking request must have completed. NULL is ok. */
void ed_plugin_host_destroy(ed_plugin_host_t *ph);

/* Append a search directory (copied). Adding one twice is a no-op. */
int ed_plugin_host_add_dir(ed_plugin_host_t *ph, const char *dir);
/* Append the default directories (see above). */
int ed_plugin_host_default_dirs(ed_plugin_host_t *ph);
/* The search directories in order; i >= count gives NULL. Borrowed. */
size_t ed_plugin_host_dir_count(const ed_plugin_host_t *ph);
const char *ed_plugin_host_dir(const ed_plugin_host_t *ph, size_t i);

/* The driver named `name`, loading "<name>.so" from the first directory that
 * has it. *drv is borrowed, valid until destroy. Returns 0, ED_ENOTFOUND,
 * ED_EINVAL (a name that is not [a-z0-9_-]+), ED_EPERM (unsafe file or
 * directory), ED_EABI (ABI version or build signature), ED_EPLUGIN (not
 * loadable, bad descriptor, init failed), ED_ENOMEM. */
int ed_plugin_host_find(ed_plugin_host_t *ph, const char *name,
                        const ed_driver_t **drv);
/* Load every *.so of every directory (a name found in an earlier directory
 * shadows the later ones, with a warning). Continues after a broken plugin:
 * returns 0 when all loaded, else the error of the last one that failed. */
int ed_plugin_host_load_all(ed_plugin_host_t *ph);

/* The path a loaded driver came from (borrowed), or NULL. */
const char *ed_plugin_host_file(const ed_plugin_host_t *ph,
                                const ed_driver_t *drv);
/* The last error or warning message ("" if none). Borrowed: valid until the
 * next call on ph. */
const char *ed_plugin_host_last_error(const ed_plugin_host_t *ph);

/* Print the loaded drivers (sorted by name): name, version, file, blocking,
 * description, target options and operations with their arguments. json != 0
 * prints one JSON document {"drivers": [...]}. Returns 0 or <0. */
int ed_plugin_host_list(ed_plugin_host_t *ph, FILE *out, int json);
/* The same as JSON; a new reference. */
json_t *ed_plugin_host_list_json(ed_plugin_host_t *ph);

/* Fill the scenario loader's callback table: ctx = ph (borrowed: keep ph
 * alive while the table is used). Drivers are loaded lazily on lookup. */
void ed_plugin_host_scenario_drivers(ed_plugin_host_t *ph,
                                     ed_scenario_drivers_t *out);
/* The operation `name` of drv, or NULL. */
const ed_op_desc_t *ed_plugin_host_op(const ed_driver_t *drv, const char *name);

/* Submit a request to a driver. A non-blocking driver's submit is called
 * directly. For an ED_DRIVER_BLOCKING driver, submit_blocking runs on libuv's
 * thread pool (req->sent_ns is re-stamped when a pool thread starts it, as
 * waiting for a thread is not sending), and req->done is called on the loop
 * thread; the malloc'd value and detail of its result are freed after done
 * returns. Returns 0 (done will be called exactly once) or <0 (it will not). */
int ed_plugin_submit(ed_plugin_host_t *ph, const ed_driver_t *drv, void *target,
                     ed_request_t *req);
/* Whether drv can prove a state-changing operation without sending it
 * (ABI version 2's op_check); a version-1 driver cannot. */
int ed_plugin_can_check(const ed_driver_t *drv);
/* Whether drv collects device health (ABI version 2's collect); a
 * version-1 driver does not. The core calls drv->collect directly: it runs
 * on the loop for every driver. */
int ed_plugin_can_collect(const ed_driver_t *drv);
/* Like ed_plugin_submit, through the driver's op_check: req->done is called
 * with ED_ERRCLASS_NONE when the operation would run, else why not.
 * ED_EUNSUPPORTED (and no call) when the driver has no op_check. */
int ed_plugin_check(ed_plugin_host_t *ph, const ed_driver_t *drv, void *target,
                    ed_request_t *req);

#endif
