#include "plugin_host.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "duration.h"
#include "error.h"
#include "log.h"
#include "options.h"

#ifndef ED_BINDIR
#define ED_BINDIR "bin"
#endif
#ifndef ED_DRIVER_RELDIR
#define ED_DRIVER_RELDIR "lib/eventdrill/drivers"
#endif
#ifndef ED_DRIVER_INSTALL_DIR
#define ED_DRIVER_INSTALL_DIR "/usr/local/lib/eventdrill/drivers"
#endif

#define WHO "plugins"

typedef struct plugin_s {
  char *name;
  char *file;
  void *handle;
  const ed_driver_t *drv;
} plugin_t;

struct ed_plugin_host_s {
  ed_host_t host; /* handed to drivers' init: must not move */
  char **dirs;
  size_t ndirs;
  plugin_t *plugins;
  size_t nplugins;
  char **names;      /* cache of names(), NULL-terminated */
  unsigned inflight; /* blocking requests on the pool */
  char last_error[1024];
};

/* ---- messages -------------------------------------------------------- */

/* The loader asks for a driver once per target: a refusal is said once,
 * not once per target (last_error still holds it for the caller). */
static void vrecord(ed_plugin_host_t *ph, int level, const char *fmt,
                    va_list ap) {
  char msg[sizeof(ph->last_error)];
  vsnprintf(msg, sizeof(msg), fmt, ap);
  if (strcmp(msg, ph->last_error) == 0)
    return;
  memcpy(ph->last_error, msg, sizeof(msg));
  ed_log(level, WHO, "%s", ph->last_error);
}

static int fail(ed_plugin_host_t *ph, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(ed_plugin_host_t *ph, int rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  /* A missing driver is reported by whoever asked for it (the scenario
   * loader says where); the search path is detail. */
  vrecord(ph, rc == ED_ENOTFOUND ? ED_LOG_LVL_INFO : ED_LOG_LVL_ERROR, fmt, ap);
  va_end(ap);
  return rc;
}

static void warn(ed_plugin_host_t *ph, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void warn(ed_plugin_host_t *ph, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vrecord(ph, ED_LOG_LVL_WARN, fmt, ap);
  va_end(ap);
}

const char *ed_plugin_host_last_error(const ed_plugin_host_t *ph) {
  return ph->last_error;
}

/* ---- lifecycle -------------------------------------------------------- */

int ed_plugin_host_create(uv_loop_t *loop, ed_plugin_host_t **out) {
  ed_plugin_host_t *ph = calloc(1, sizeof(*ph));
  if (!ph)
    return ED_ENOMEM;
  ph->host.abi_version = ED_DRIVER_ABI_VERSION;
  ph->host.loop = loop;
  ph->host.log = ed_log; /* same levels: ED_LOG_* == ED_LOG_LVL_* */
  *out = ph;
  return 0;
}

void ed_plugin_host_set_loop(ed_plugin_host_t *ph, uv_loop_t *loop) {
  ph->host.loop = loop;
}

static void free_names(ed_plugin_host_t *ph) {
  for (char **n = ph->names; n && *n; n++)
    free(*n);
  free(ph->names);
  ph->names = NULL;
}

void ed_plugin_host_destroy(ed_plugin_host_t *ph) {
  if (!ph)
    return;
  /* Unloading code a pool thread may still run would crash; leaking the
   * handles is the lesser evil for what is a caller's bug. */
  int unload = ph->inflight == 0;
  if (!unload)
    ed_error(WHO, "destroyed with %u blocking requests in flight",
             ph->inflight);
  for (size_t i = ph->nplugins; i-- > 0;) {
    plugin_t *p = &ph->plugins[i];
    if (unload && p->drv->fini)
      p->drv->fini();
    if (unload)
      dlclose(p->handle);
    free(p->name);
    free(p->file);
  }
  free(ph->plugins);
  for (size_t i = 0; i < ph->ndirs; i++)
    free(ph->dirs[i]);
  free(ph->dirs);
  free_names(ph);
  free(ph);
}

/* ---- search path ------------------------------------------------------ */

int ed_plugin_host_add_dir(ed_plugin_host_t *ph, const char *dir) {
  size_t len = strlen(dir);
  while (len > 1 && dir[len - 1] == '/')
    len--;
  if (len == 0)
    return ED_EINVAL;
  for (size_t i = 0; i < ph->ndirs; i++)
    if (strlen(ph->dirs[i]) == len && strncmp(ph->dirs[i], dir, len) == 0)
      return 0;
  char **dirs = realloc(ph->dirs, (ph->ndirs + 1) * sizeof(*dirs));
  if (!dirs)
    return ED_ENOMEM;
  ph->dirs = dirs;
  if (!(dirs[ph->ndirs] = strndup(dir, len)))
    return ED_ENOMEM;
  ph->ndirs++;
  return 0;
}

size_t ed_plugin_host_dir_count(const ed_plugin_host_t *ph) {
  return ph->ndirs;
}

const char *ed_plugin_host_dir(const ed_plugin_host_t *ph, size_t i) {
  return i < ph->ndirs ? ph->dirs[i] : NULL;
}

static int add_env_dirs(ed_plugin_host_t *ph) {
  const char *env = getenv("EVENTDRILL_PLUGIN_PATH");
  while (env && *env) {
    const char *colon = strchr(env, ':');
    size_t len = colon ? (size_t)(colon - env) : strlen(env);
    if (len > 0) {
      char *dir = strndup(env, len);
      if (!dir)
        return ED_ENOMEM;
      int rc = ed_plugin_host_add_dir(ph, dir);
      free(dir);
      if (rc < 0)
        return rc;
    }
    env = colon ? colon + 1 : NULL;
  }
  return 0;
}

/* <prefix>/ED_DRIVER_RELDIR, <prefix> being the binary's directory minus
 * ED_BINDIR: the build tree mirrors the install tree, so both work. */
static int add_exe_dir(ed_plugin_host_t *ph) {
  char exe[4096], dir[4200];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n <= 0)
    return 0; /* no /proc: only the other directories */
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (!slash)
    return 0;
  *slash = '\0';
  size_t len = strlen(exe), bl = strlen(ED_BINDIR);
  if (len > bl && exe[len - bl - 1] == '/' &&
      strcmp(exe + len - bl, ED_BINDIR) == 0) {
    exe[len - bl - 1] = '\0';
    snprintf(dir, sizeof(dir), "%s/%s", exe, ED_DRIVER_RELDIR);
  } else {
    snprintf(dir, sizeof(dir), "%s/../%s", exe, ED_DRIVER_RELDIR);
  }
  return ed_plugin_host_add_dir(ph, dir);
}

int ed_plugin_host_default_dirs(ed_plugin_host_t *ph) {
  int rc = add_env_dirs(ph);
  if (rc == 0)
    rc = add_exe_dir(ph);
  if (rc == 0)
    rc = ed_plugin_host_add_dir(ph, ED_DRIVER_INSTALL_DIR);
  return rc;
}

/* ---- checks before and after dlopen ----------------------------------- */

static int valid_name(const char *name) {
  size_t len = strlen(name);
  if (len == 0 || len > 64)
    return 0;
  for (const char *c = name; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
          (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
      return 0;
  return 1;
}

/* Loading runs the file's code (constructors included), so who can write
 * it is checked before dlopen. */
static int check_safety(ed_plugin_host_t *ph, const char *dir,
                        const char *file) {
  struct stat st;
  if (stat(dir, &st) < 0)
    return fail(ph, ED_EIO, "%s: cannot stat its directory %s: %s", file, dir,
                strerror(errno));
  if (st.st_mode & S_IWOTH)
    return fail(ph, ED_EPERM,
                "%s: refused: directory %s is world-writable, anyone could "
                "plant a driver there (chmod o-w it)",
                file, dir);
  if (stat(file, &st) < 0)
    return fail(ph, ED_EIO, "%s: cannot stat: %s", file, strerror(errno));
  if (!S_ISREG(st.st_mode))
    return fail(ph, ED_EPLUGIN, "%s: not a regular file", file);
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return fail(ph, ED_EPERM,
                "%s: refused: the file is writable by group or others "
                "(chmod go-w it)",
                file);
  if (st.st_uid != 0 && st.st_uid != geteuid())
    return fail(ph, ED_EPERM,
                "%s: refused: owned by uid %u, which is neither root nor you",
                file, (unsigned)st.st_uid);
  return 0;
}

static int check_callbacks(ed_plugin_host_t *ph, const char *file,
                           const ed_driver_t *d) {
  char missing[200] = "";
  size_t len = 0;
  int blocking = (d->flags & ED_DRIVER_BLOCKING) != 0;
  struct {
    const char *name;
    int present;
  } need[] = {
      {"target_open", d->target_open != NULL},
      {"target_close", d->target_close != NULL},
      {"op_prepare", d->op_prepare != NULL},
      {"op_free", d->op_free != NULL},
      {blocking ? "submit_blocking" : "submit",
       blocking ? d->submit_blocking != NULL : d->submit != NULL},
  };
  for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
    if (!need[i].present && len < sizeof(missing))
      len += (size_t)snprintf(missing + len, sizeof(missing) - len, "%s%s",
                              len ? ", " : "", need[i].name);
  if (len == 0)
    return 0;
  return fail(ph, ED_EPLUGIN,
              "%s: driver \"%s\" lacks required callbacks: %s (a %s driver "
              "must implement %s)",
              file, d->name, missing, blocking ? "blocking" : "non-blocking",
              blocking ? "submit_blocking" : "submit");
}

static int check_tables(ed_plugin_host_t *ph, const char *file,
                        const ed_driver_t *d) {
  char err[300];
  if (ed_options_check_table(d->target_opts, d->target_opts_size, err,
                             sizeof(err)) < 0)
    return fail(ph, ED_EPLUGIN, "%s: target option %s", file, err);
  if (!d->ops || !d->ops[0].name)
    return fail(ph, ED_EPLUGIN, "%s: driver \"%s\" offers no operations", file,
                d->name);
  for (const ed_op_desc_t *op = d->ops; op->name; op++) {
    if (ed_options_check_table(op->args, op->args_size, err, sizeof(err)) < 0)
      return fail(ph, ED_EPLUGIN, "%s: operation \"%s\": option %s", file,
                  op->name, err);
    const ed_option_t *addr = ed_options_address(op->args);
    if (addr)
      return fail(ph, ED_EPLUGIN,
                  "%s: operation \"%s\": option %s: flagged ED_OPT_ADDRESS, "
                  "which only a target option may be",
                  file, op->name, addr->key);
  }
  return 0;
}

/* Everything but init, on a descriptor found in `file`. */
static int check_descriptor(ed_plugin_host_t *ph, const char *file,
                            const char *stem, const void *sym) {
  /* Only the first field is known to exist before the version is. */
  uint32_t abi;
  memcpy(&abi, sym, sizeof(abi));
  if (abi < 1 || abi > ED_DRIVER_ABI_VERSION)
    return fail(ph, ED_EABI,
                "%s: driver ABI version %u, this eventdrill expects %d — "
                "rebuild the driver against this SDK",
                file, (unsigned)abi, ED_DRIVER_ABI_VERSION);
  const ed_driver_t *d = sym;
  if (!d->build_signature || strcmp(d->build_signature, ED_DRIVER_SIGNATURE))
    return fail(ph, ED_EABI,
                "%s: build signature \"%s\", this eventdrill expects \"%s\" — "
                "rebuild the driver against this SDK",
                file, d->build_signature ? d->build_signature : "(none)",
                ED_DRIVER_SIGNATURE);
  if (!d->name)
    return fail(ph, ED_EPLUGIN, "%s: the driver descriptor has no name", file);
  if (strcmp(d->name, stem) != 0)
    return fail(ph, ED_EPLUGIN,
                "%s: the driver calls itself \"%s\" but the file is "
                "\"%s.so\"; driver \"%s\" must be in \"%s.so\"",
                file, d->name, stem, d->name, d->name);
  if (!d->version)
    return fail(ph, ED_EPLUGIN, "%s: driver \"%s\" has no version", file,
                d->name);
  int rc = check_callbacks(ph, file, d);
  return rc < 0 ? rc : check_tables(ph, file, d);
}

static int load_file(ed_plugin_host_t *ph, const char *dir, const char *stem,
                     const ed_driver_t **out) {
  char file[4200];
  snprintf(file, sizeof(file), "%s/%s.so", dir, stem);
  int rc = check_safety(ph, dir, file);
  if (rc < 0)
    return rc;
  plugin_t *grown =
      realloc(ph->plugins, (ph->nplugins + 1) * sizeof(*ph->plugins));
  if (!grown)
    return ED_ENOMEM;
  ph->plugins = grown;

  dlerror();
  /* RTLD_NODELETE: a driver's libraries (libcurl, OpenSSL) keep
   * thread-local state and exit handlers that must outlive dlclose, so the
   * code stays mapped until the process ends. */
  void *h = dlopen(file, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!h)
    return fail(ph, ED_EPLUGIN,
                "%s: cannot load: %s (is it a driver built for this version "
                "of eventdrill?)",
                file, dlerror());
  const void *sym = dlsym(h, ED_DRIVER_SYMBOL);
  if (!sym) {
    dlclose(h);
    return fail(ph, ED_EPLUGIN,
                "%s: no symbol \"%s\": not an eventdrill driver, or its "
                "descriptor is not exported (default visibility)",
                file, ED_DRIVER_SYMBOL);
  }
  const ed_driver_t *d = sym;
  rc = check_descriptor(ph, file, stem, sym);
  if (rc == 0 && d->init && (rc = d->init(&ph->host)) < 0)
    rc = fail(ph, ED_EPLUGIN,
              "%s: driver \"%s\" failed to initialise (init returned %d)", file,
              d->name, rc);
  plugin_t *p = &ph->plugins[ph->nplugins];
  if (rc == 0 && (!(p->name = strdup(stem)) || !(p->file = strdup(file)))) {
    free(p->name);
    if (d->fini)
      d->fini();
    rc = ED_ENOMEM;
  }
  if (rc < 0) {
    dlclose(h);
    return rc;
  }
  p->handle = h;
  p->drv = d;
  ph->nplugins++;
  ed_debug(WHO, "loaded driver \"%s\" %s from %s", d->name, d->version, file);
  if (out)
    *out = d;
  return 0;
}

/* ---- finding drivers -------------------------------------------------- */

static plugin_t *loaded(const ed_plugin_host_t *ph, const char *name) {
  for (size_t i = 0; i < ph->nplugins; i++)
    if (strcmp(ph->plugins[i].name, name) == 0)
      return &ph->plugins[i];
  return NULL;
}

const char *ed_plugin_host_file(const ed_plugin_host_t *ph,
                                const ed_driver_t *drv) {
  for (size_t i = 0; i < ph->nplugins; i++)
    if (ph->plugins[i].drv == drv)
      return ph->plugins[i].file;
  return NULL;
}

static int not_found(ed_plugin_host_t *ph, const char *name) {
  char dirs[700] = "";
  size_t len = 0;
  for (size_t i = 0; i < ph->ndirs && len < sizeof(dirs); i++)
    len += (size_t)snprintf(dirs + len, sizeof(dirs) - len, "%s%s",
                            i ? ":" : "", ph->dirs[i]);
  return fail(ph, ED_ENOTFOUND,
              "no driver \"%s\": no %s.so in the plugin path \"%s\" (add a "
              "directory with EVENTDRILL_PLUGIN_PATH)",
              name, name, dirs);
}

int ed_plugin_host_find(ed_plugin_host_t *ph, const char *name,
                        const ed_driver_t **drv) {
  if (drv)
    *drv = NULL;
  plugin_t *p = loaded(ph, name);
  if (p) {
    if (drv)
      *drv = p->drv;
    return 0;
  }
  /* The name becomes a file name: no '/' nor ".." may slip through. */
  if (!valid_name(name))
    return fail(ph, ED_EINVAL,
                "\"%s\" is not a driver name (letters, digits, '-', '_')",
                name);
  for (size_t i = 0; i < ph->ndirs; i++) {
    char file[4200];
    struct stat st;
    snprintf(file, sizeof(file), "%s/%s.so", ph->dirs[i], name);
    if (stat(file, &st) == 0)
      return load_file(ph, ph->dirs[i], name, drv);
  }
  return not_found(ph, name);
}

static int so_filter(const struct dirent *e) {
  size_t len = strlen(e->d_name);
  return len > 3 && strcmp(e->d_name + len - 3, ".so") == 0;
}

/* Stems of the *.so files of dir, sorted; *n of them. */
static int list_stems(const char *dir, struct dirent ***ents) {
  int n = scandir(dir, ents, so_filter, alphasort);
  if (n < 0)
    *ents = NULL;
  for (int i = 0; i < n; i++)
    (*ents)[i]->d_name[strlen((*ents)[i]->d_name) - 3] = '\0';
  return n < 0 ? 0 : n;
}

static void free_ents(struct dirent **ents, int n) {
  for (int i = 0; i < n; i++)
    free(ents[i]);
  free(ents);
}

static int load_one(ed_plugin_host_t *ph, const char *dir, const char *stem) {
  char file[4200];
  snprintf(file, sizeof(file), "%s/%s.so", dir, stem);
  plugin_t *p = loaded(ph, stem);
  if (p) {
    if (strcmp(p->file, file) != 0)
      warn(ph, "%s: ignored: driver \"%s\" is already loaded from %s", file,
           stem, p->file);
    return 0;
  }
  if (!valid_name(stem))
    return fail(ph, ED_EINVAL,
                "%s: \"%s\" is not a driver name (letters, digits, '-', '_')",
                file, stem);
  return load_file(ph, dir, stem, NULL);
}

int ed_plugin_host_load_all(ed_plugin_host_t *ph) {
  int rc = 0;
  for (size_t i = 0; i < ph->ndirs; i++) {
    struct dirent **ents;
    int n = list_stems(ph->dirs[i], &ents);
    for (int j = 0; j < n; j++) {
      int r = load_one(ph, ph->dirs[i], ents[j]->d_name);
      if (r < 0)
        rc = r;
    }
    free_ents(ents, n);
  }
  return rc;
}

const ed_op_desc_t *ed_plugin_host_op(const ed_driver_t *drv,
                                      const char *name) {
  for (const ed_op_desc_t *op = drv->ops; op && op->name; op++)
    if (strcmp(op->name, name) == 0)
      return op;
  return NULL;
}

/* ---- listing ---------------------------------------------------------- */

static json_t *option_json(const ed_option_t *o) {
  json_t *def = NULL;
  if (o->default_value && !(o->flags & ED_OPT_SECRET))
    def = json_loads(o->default_value, JSON_DECODE_ANY, NULL);
  json_t *j = json_pack("{s:s, s:s, s:b, s:b, s:b, s:o, s:s}", "key", o->key,
                        "type", ed_options_type_name(o->type), "required",
                        (o->flags & ED_OPT_REQUIRED) != 0, "primary",
                        (o->flags & ED_OPT_PRIMARY) != 0, "secret",
                        (o->flags & ED_OPT_SECRET) != 0, "default",
                        def ? def : json_null(), "description",
                        o->description ? o->description : "");
  if (j && (o->flags & ED_OPT_ADDRESS))
    json_object_set_new(j, "address", json_true());
  if (j && o->min < o->max) {
    json_object_set_new(j, "min", json_integer(o->min));
    json_object_set_new(j, "max", json_integer(o->max));
  }
  return j;
}

static json_t *options_json(const ed_option_t *table) {
  json_t *a = json_array();
  for (const ed_option_t *o = table; a && o && o->key; o++)
    json_array_append_new(a, option_json(o));
  return a;
}

static json_t *driver_json(const plugin_t *p) {
  const ed_driver_t *d = p->drv;
  json_t *ops = json_array();
  for (const ed_op_desc_t *op = d->ops; ops && op && op->name; op++)
    json_array_append_new(
        ops, json_pack("{s:s, s:b, s:s, s:o}", "name", op->name, "destructive",
                       (op->flags & ED_OP_DESTRUCTIVE) != 0, "description",
                       op->description ? op->description : "", "args",
                       options_json(op->args)));
  return json_pack("{s:s, s:s, s:s, s:i, s:b, s:b, s:b, s:s, s:o, s:o}", "name",
                   d->name, "version", d->version, "file", p->file, "abi",
                   (int)d->abi_version, "proves_steps", ed_plugin_can_check(d),
                   "collects_health", ed_plugin_can_collect(d), "blocking",
                   (d->flags & ED_DRIVER_BLOCKING) != 0, "description",
                   d->description ? d->description : "", "target_options",
                   options_json(d->target_opts), "operations", ops);
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const plugin_t *)a)->name, ((const plugin_t *)b)->name);
}

json_t *ed_plugin_host_list_json(ed_plugin_host_t *ph) {
  plugin_t *sorted = malloc((ph->nplugins + 1) * sizeof(*sorted));
  json_t *arr = json_array();
  if (!sorted || !arr) {
    free(sorted);
    json_decref(arr);
    return NULL;
  }
  if (ph->nplugins)
    memcpy(sorted, ph->plugins, ph->nplugins * sizeof(*sorted));
  qsort(sorted, ph->nplugins, sizeof(*sorted), by_name);
  for (size_t i = 0; i < ph->nplugins; i++)
    json_array_append_new(arr, driver_json(&sorted[i]));
  free(sorted);
  return json_pack("{s:o}", "drivers", arr);
}

/* "required primary default "0ms" [0s..1h]": the notes after the type. */
static void option_notes(const json_t *o, char *buf, size_t len) {
  const json_t *def = json_object_get(o, "default");
  char *dtext = json_is_null(def) ? NULL : json_dumps(def, JSON_ENCODE_ANY);
  int is_duration =
      strcmp(json_string_value(json_object_get(o, "type")), "duration") == 0;
  int n =
      snprintf(buf, len, "%s%s%s%s%s",
               json_is_true(json_object_get(o, "required")) ? " required" : "",
               json_is_true(json_object_get(o, "primary")) ? " primary" : "",
               json_is_true(json_object_get(o, "address")) ? " address" : "",
               dtext ? " default " : "", dtext ? dtext : "");
  free(dtext);
  if (n < 0 || (size_t)n >= len || !json_object_get(o, "min"))
    return;
  int64_t min = json_integer_value(json_object_get(o, "min"));
  int64_t max = json_integer_value(json_object_get(o, "max"));
  char a[32], b[32];
  if (is_duration)
    snprintf(buf + n, len - (size_t)n, " [%s..%s]",
             ed_duration_format(min, a, sizeof(a)),
             ed_duration_format(max, b, sizeof(b)));
  else
    snprintf(buf + n, len - (size_t)n, " [%" PRId64 "..%" PRId64 "]", min, max);
}

static void print_options(FILE *out, const json_t *opts, const char *indent) {
  size_t i;
  const json_t *o;
  json_array_foreach(opts, i, o) {
    char notes[256];
    option_notes(o, notes, sizeof(notes));
    fprintf(out, "%s%-16s %s%s\n%s  %s\n", indent,
            json_string_value(json_object_get(o, "key")),
            json_string_value(json_object_get(o, "type")), notes, indent,
            json_string_value(json_object_get(o, "description")));
  }
}

static void print_driver(FILE *out, const json_t *d) {
  size_t i;
  const json_t *op;
  fprintf(out, "%s %s (%s)\n  file: %s\n  %s\n",
          json_string_value(json_object_get(d, "name")),
          json_string_value(json_object_get(d, "version")),
          json_is_true(json_object_get(d, "blocking"))
              ? "blocking: runs on the thread pool"
              : "non-blocking",
          json_string_value(json_object_get(d, "file")),
          json_string_value(json_object_get(d, "description")));
  fprintf(out, "  ABI version %d; %s\n",
          (int)json_integer_value(json_object_get(d, "abi")),
          json_is_true(json_object_get(d, "proves_steps"))
              ? "proves state-changing steps without running them (verify)"
              : "cannot prove state-changing steps: verify shows them as "
                "\"not provable\"");
  fprintf(out, "  %s\n",
          json_is_true(json_object_get(d, "collects_health"))
              ? "collects device health (inspect, watch)"
              : "no health collection: inspect reports its devices unread, "
                "watch shows them not monitored");
  const json_t *topts = json_object_get(d, "target_options");
  if (json_array_size(topts)) {
    fprintf(out, "  target options:\n");
    print_options(out, topts, "    ");
  }
  fprintf(out, "  operations:\n");
  json_array_foreach(json_object_get(d, "operations"), i, op) {
    fprintf(out, "    %s%s: %s\n",
            json_string_value(json_object_get(op, "name")),
            json_is_true(json_object_get(op, "destructive")) ? " (destructive)"
                                                             : "",
            json_string_value(json_object_get(op, "description")));
    print_options(out, json_object_get(op, "args"), "      ");
  }
}

int ed_plugin_host_list(ed_plugin_host_t *ph, FILE *out, int json) {
  json_t *list = ed_plugin_host_list_json(ph);
  if (!list)
    return ED_ENOMEM;
  if (json) {
    json_dumpf(list, out, JSON_INDENT(2));
    fputc('\n', out);
  } else {
    size_t i;
    const json_t *d;
    json_array_foreach(json_object_get(list, "drivers"), i, d) {
      if (i)
        fputc('\n', out);
      print_driver(out, d);
    }
    if (json_array_size(json_object_get(list, "drivers")) == 0)
      fprintf(out, "no driver found\n");
  }
  json_decref(list);
  return 0;
}

/* ---- the scenario loader's view --------------------------------------- */

static int sd_lookup(void *ctx, const char *driver) {
  const ed_driver_t *d;
  return ed_plugin_host_find(ctx, driver, &d);
}

static void sd_check_target(void *ctx, const char *driver, json_t *opts,
                            const char *path, ed_diag_t *diag) {
  const ed_driver_t *d;
  if (ed_plugin_host_find(ctx, driver, &d) == 0)
    ed_options_fill(d->target_opts, opts, NULL, path, diag, NULL);
}

static void unknown_op(const ed_driver_t *d, const char *name, const char *path,
                       ed_diag_t *diag) {
  const char *cand[64];
  size_t n = 0;
  for (const ed_op_desc_t *op = d->ops; op->name && n < 63; op++)
    cand[n++] = op->name;
  cand[n] = NULL;
  const char *best = ed_did_you_mean(name, cand);
  if (best)
    ed_diag_add(diag, path,
                "driver \"%s\" has no operation \"%s\" (did you mean \"%s\"?)",
                d->name, name, best);
  else
    ed_diag_add(diag, path, "driver \"%s\" has no operation \"%s\"", d->name,
                name);
}

static void sd_check_op(void *ctx, const char *driver, const ed_opspec_t *op,
                        ed_diag_t *diag) {
  const ed_driver_t *d;
  char path[512];
  if (ed_plugin_host_find(ctx, driver, &d) < 0)
    return;
  snprintf(path, sizeof(path), "%s%s%s", op->path ? op->path : "",
           op->path && *op->path ? "." : "", op->name);
  const ed_op_desc_t *desc = ed_plugin_host_op(d, op->name);
  if (!desc)
    unknown_op(d, op->name, path, diag);
  else
    ed_options_fill_op(desc, op->arg, NULL, path, diag);
}

static int push_name(char ***names, size_t *n, const char *name) {
  for (size_t i = 0; i < *n; i++)
    if (strcmp((*names)[i], name) == 0)
      return 0;
  char **grown = realloc(*names, (*n + 2) * sizeof(*grown));
  if (!grown)
    return ED_ENOMEM;
  *names = grown;
  if (!(grown[*n] = strdup(name)))
    return ED_ENOMEM;
  grown[++*n] = NULL;
  return 0;
}

/* Names for did-you-mean come from file names: no need to load (and run)
 * every plugin just to suggest a spelling. */
static const char *const *sd_names(void *ctx) {
  ed_plugin_host_t *ph = ctx;
  size_t n = 0;
  free_names(ph);
  for (size_t i = 0; i < ph->nplugins; i++)
    push_name(&ph->names, &n, ph->plugins[i].name);
  for (size_t i = 0; i < ph->ndirs; i++) {
    struct dirent **ents;
    int count = list_stems(ph->dirs[i], &ents);
    for (int j = 0; j < count; j++)
      if (valid_name(ents[j]->d_name))
        push_name(&ph->names, &n, ents[j]->d_name);
    free_ents(ents, count);
  }
  if (!ph->names)
    ph->names = calloc(1, sizeof(*ph->names));
  return (const char *const *)ph->names;
}

static int sd_op_flags(void *ctx, const char *driver, const char *op) {
  const ed_driver_t *drv;
  if (ed_plugin_host_find(ctx, driver, &drv) != 0)
    return ED_ENOTFOUND;
  const ed_op_desc_t *d = ed_plugin_host_op(drv, op);
  return d ? (int)d->flags : ED_ENOTFOUND;
}

void ed_plugin_host_scenario_drivers(ed_plugin_host_t *ph,
                                     ed_scenario_drivers_t *out) {
  /* Every member set (those not named are NULL): the loader calls what is
   * not NULL. */
  *out = (ed_scenario_drivers_t){.ctx = ph,
                                 .lookup = sd_lookup,
                                 .check_target = sd_check_target,
                                 .check_op = sd_check_op,
                                 .names = sd_names,
                                 .op_flags = sd_op_flags};
}

/* ---- submitting ------------------------------------------------------- */

typedef struct work_s {
  uv_work_t work;
  ed_plugin_host_t *ph;
  const ed_driver_t *drv;
  void *target;
  ed_request_t *req;
  ed_result_t res;
  int check; /* op_check_blocking, not submit_blocking */
} work_t;

static void work_run(uv_work_t *w) {
  work_t *k = w->data;
  k->req->sent_ns = uv_hrtime();
  if (k->check)
    k->drv->op_check_blocking(k->target, k->req, &k->res);
  else
    k->drv->submit_blocking(k->target, k->req, &k->res);
}

static void work_after(uv_work_t *w, int status) {
  work_t *k = w->data;
  int owned = 1;
  if (status == UV_ECANCELED) {
    k->res = (ed_result_t){.err = ED_ERRCLASS_CANCELLED,
                           .detail = "cancelled before a thread ran it"};
    owned = 0;
  }
  if (k->res.value && k->res.value_len == 0)
    k->res.value_len = strlen(k->res.value);
  k->ph->inflight--;
  k->req->done(k->req, &k->res);
  if (owned) {
    free((void *)k->res.value);
    free((void *)k->res.detail);
  }
  free(k);
}

static int queue_blocking(ed_plugin_host_t *ph, const ed_driver_t *drv,
                          void *target, ed_request_t *req, int check) {
  if (!ph->host.loop)
    return ED_ESTATE;
  work_t *k = calloc(1, sizeof(*k));
  if (!k)
    return ED_ENOMEM;
  *k = (work_t){
      .ph = ph, .drv = drv, .target = target, .req = req, .check = check};
  k->work.data = k;
  int rc = uv_queue_work(ph->host.loop, &k->work, work_run, work_after);
  if (rc < 0) {
    free(k);
    return ED_EIO;
  }
  ph->inflight++;
  return 0;
}

int ed_plugin_submit(ed_plugin_host_t *ph, const ed_driver_t *drv, void *target,
                     ed_request_t *req) {
  if (!(drv->flags & ED_DRIVER_BLOCKING))
    return drv->submit(target, req);
  return queue_blocking(ph, drv, target, req, 0);
}

int ed_plugin_can_check(const ed_driver_t *drv) {
  if (drv->abi_version < 2)
    return 0;
  return drv->flags & ED_DRIVER_BLOCKING ? drv->op_check_blocking != NULL
                                         : drv->op_check != NULL;
}

int ed_plugin_can_collect(const ed_driver_t *drv) {
  return drv->abi_version >= 2 && drv->collect != NULL;
}

int ed_plugin_check(ed_plugin_host_t *ph, const ed_driver_t *drv, void *target,
                    ed_request_t *req) {
  if (!ed_plugin_can_check(drv))
    return ED_EUNSUPPORTED;
  if (!(drv->flags & ED_DRIVER_BLOCKING))
    return drv->op_check(target, req);
  return queue_blocking(ph, drv, target, req, 1);
}
