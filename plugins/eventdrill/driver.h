/*
 * eventdrill driver SDK.
 *
 * A driver is a shared object that exports exactly one symbol,
 * ED_DRIVER_SYMBOL ("eventdrill_driver"), of type ed_driver_t. The core loads
 * it with dlopen(RTLD_NOW), checks abi_version and build_signature, and then
 * only calls the callbacks below.
 *
 * ABI rules:
 *  - abi_version is the first field and never moves.
 *  - Fields are only ever appended; a field added in ABI version N is read by
 *    the core only when the driver's abi_version >= N.
 *  - spare[] keeps room so that the size of the struct does not change when a
 *    few callbacks are added.
 *
 * Threads: every callback runs on the loop thread, except submit_blocking
 * and op_check_blocking, which a driver flagged ED_DRIVER_BLOCKING implements
 * instead of submit and op_check and which run on libuv's thread pool. A
 * non-blocking driver must never block the loop: it drives its I/O with the
 * uv_loop_t it is given. ed_host_t.log may be called from any thread.
 *
 * This header is the reference of the ABI; docs/writing-a-driver.md walks
 * through it, and eventdrill-driver-test checks a driver against it.
 */
#ifndef EVENTDRILL_DRIVER_H
#define EVENTDRILL_DRIVER_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ED_DRIVER_ABI_VERSION 2
#define ED_DRIVER_SYMBOL "eventdrill_driver"
/* Build signature: tells a driver built against another SDK layout apart
 * even when its abi_version was not bumped by mistake. */
#define ED_DRIVER_SIGNATURE "eventdrill-sdk-1:" ED__STR(ED_SIZEOF_PTR)
#define ED__STR2(x) #x
#define ED__STR(x) ED__STR2(x)
#if UINTPTR_MAX == 0xffffffffffffffffu
#define ED_SIZEOF_PTR 8
#else
#define ED_SIZEOF_PTR 4
#endif

/* Drivers are built with hidden visibility: the descriptor alone is
 * exported. Write: ED_DRIVER_EXPORT const ed_driver_t eventdrill_driver = {…};
 */
#if defined(__GNUC__)
#define ED_DRIVER_EXPORT __attribute__((visibility("default")))
#else
#define ED_DRIVER_EXPORT
#endif

/* ---- option tables --------------------------------------------------- */

/* Type of an option value. The core validates the JSON value against the
 * type and writes it at `offset` inside a struct of the driver's choosing.
 * Strings (STRING, JSON) belong to the core: a target's live until
 * target_close returns, an operation's arguments until op_free returns. */
typedef enum {
  ED_OPT_STRING = 1, /* char *   (owned by the core, see above)         */
  ED_OPT_INT,        /* int64_t                                          */
  ED_OPT_DOUBLE,     /* double                                           */
  ED_OPT_BOOL,       /* int (0/1)                                        */
  ED_OPT_DURATION,   /* int64_t milliseconds; JSON "250ms", "30s", "2m"  */
  ED_OPT_JSON        /* char *   compact JSON text of any value          */
} ed_opt_type_t;

/* Flags of an option (ed_option_t.flags), or-ed. */
#define ED_OPT_REQUIRED 0x1u /* the key must be present */
/* The value when an operation's argument is not an object: { "get": "/x" }
 * is { "get": { "<primary key>": "/x" } }. The argument may be any JSON
 * value of the option's type, not only a string. At most one per table. */
#define ED_OPT_PRIMARY 0x2u
#define ED_OPT_SECRET 0x4u /* never printed, journaled nor reported */
/* The target's address (a URL, a host, host:port): reports, inspections and
 * `watch` show it in their tables of targets and devices. Target options
 * only; at most one, of type ED_OPT_STRING. Added after ABI version 2
 * without a version bump: a core that predates it ignores the bit. */
#define ED_OPT_ADDRESS 0x8u

typedef struct ed_option_s {
  ed_opt_type_t type;
  const char *key;
  const char *default_value; /* as JSON text, e.g. "\"10s\"", "true"; or NULL */
  size_t offset;             /* offsetof(driver struct, field) */
  unsigned flags;            /* ED_OPT_* */
  const char *description;
  int64_t min, max; /* range for INT and DURATION when min < max */
} ed_option_t;

/* ---- operations ------------------------------------------------------- */

#define ED_OP_DESTRUCTIVE                                                      \
  0x1u /* changes device state: refused in verify mode */

/* One operation a driver offers, e.g. "get" or "reset". In a scenario an
 * operation is written { "<name>": <argument> } where the argument is an
 * object of the options, a bare value (the value of the option flagged
 * ED_OPT_PRIMARY, of that option's type), or null / {} for none. An
 * operation without options has args NULL and args_size 0. */
typedef struct ed_op_desc_s {
  const char *name;
  unsigned flags;
  const char *description;
  const ed_option_t *args; /* terminated by an entry with key == NULL */
  size_t args_size;        /* size of the struct the args are written into */
} ed_op_desc_t;

/* ---- results ---------------------------------------------------------- */

/* Error classes every driver maps its failures to. */
#define ED_ERRCLASS_MAP(X)                                                     \
  X(NONE, "ok")                                                                \
  X(CONNECT, "connect")                                                        \
  X(TIMEOUT, "timeout")                                                        \
  X(TLS, "tls")                                                                \
  X(AUTH, "auth")                                                              \
  X(HTTP_4XX, "http_4xx")                                                      \
  X(HTTP_5XX, "http_5xx")                                                      \
  X(BAD_JSON, "bad_json")                                                      \
  X(PROTOCOL, "protocol")                                                      \
  X(TOO_LARGE, "too_large")                                                    \
  X(CANCELLED, "cancelled")                                                    \
  X(OTHER, "other")

typedef enum {
#define ED__ERRCLASS_ENUM(name, str) ED_ERRCLASS_##name,
  ED_ERRCLASS_MAP(ED__ERRCLASS_ENUM)
#undef ED__ERRCLASS_ENUM
      ED_ERRCLASS_COUNT
} ed_errclass_t;

/* The name of an error class as results and journals write it ("auth"). */
static inline const char *ed_errclass_string(ed_errclass_t e) {
  static const char *const names[] = {
#define ED__ERRCLASS_STRING(name, str) str,
      ED_ERRCLASS_MAP(ED__ERRCLASS_STRING)
#undef ED__ERRCLASS_STRING
  };
  return (unsigned)e < ED_ERRCLASS_COUNT ? names[e] : "other";
}

/* What a driver reports for one request. Pointers are borrowed: they must
 * stay valid only until the completion call returns (blocking drivers: see
 * submit_blocking). Neither value nor detail may hold the target's secret. */
typedef struct ed_result_s {
  ed_errclass_t err; /* ED_ERRCLASS_NONE on success */
  /* The protocol's own status, for checks and evidence: the HTTP status,
   * a command's exit status (SSH: -1 when it has none), an IPMI completion
   * code; 0 when the protocol has none or the request got no answer. */
  int code;
  /* A submitted request: the extracted value as JSON text ("\"On\"", "42",
   * an object...), or NULL. An op_check: text saying what was proven, shown
   * after "would run: ", or NULL. */
  const char *value;
  size_t value_len;
  const char *detail; /* human-readable reason of a failure, or NULL */
} ed_result_t;

/* ---- requests --------------------------------------------------------- */

typedef struct ed_request_s ed_request_t;
typedef void (*ed_request_done_cb)(ed_request_t *req, const ed_result_t *res);

/* A request belongs to the core. The driver keeps the pointer until it calls
 * req->done exactly once (on the loop thread, never from inside the submit or
 * op_check call that started it), after which it must not touch it again. */
struct ed_request_s {
  void *op;             /* the driver's prepared operation (op_prepare) */
  uint64_t intended_ns; /* intended send time, uv_hrtime() clock */
  uint64_t sent_ns;     /* actual send time; set by the core at submit */
  int64_t timeout_ms;   /* per-request timeout, 0 = none */
  ed_request_done_cb done;
  void *core_data;   /* the core's; drivers leave it alone */
  void *driver_data; /* the driver's, e.g. its transfer */
};

/* ---- what the core offers a driver ----------------------------------- */

enum { ED_LOG_ERROR = 0, ED_LOG_WARN, ED_LOG_INFO, ED_LOG_DEBUG };

typedef struct ed_host_s {
  uint32_t abi_version; /* ED_DRIVER_ABI_VERSION of the core */
  uv_loop_t *loop;      /* the scheduler's loop */
  /* Print "eventdrill: <level>: [<who>] <message>" on stderr when the user's
   * verbosity allows (-v for ED_LOG_DEBUG). The driver passes `who` itself,
   * by convention the target's name (ed_target_info_t.name), or NULL; the
   * core adds nothing. Any thread. Never pass a secret. */
  void (*log)(int level, const char *who, const char *fmt, ...)
#if defined(__GNUC__)
      __attribute__((format(printf, 3, 4)))
#endif
      ;
  void *spare[8];
} ed_host_t;

/* What the core tells a driver about a target when it opens it. The struct
 * is the core's and lives only during target_open; the strings and opts it
 * points to live until target_close returns. */
typedef struct ed_target_info_s {
  const char *name;   /* the target's name in the scenario */
  const char *user;   /* from the credentials reference, or NULL */
  const char *secret; /* idem; never log or copy it into results */
  const void *opts;   /* struct of target_opts_size filled from target_opts */
  int max_in_flight;  /* the core never submits more than this at once */
} ed_target_info_t;

/* Called once when target_start / target_stop finishes, on the loop thread,
 * from inside the call or later. status 0 = ok; otherwise detail (borrowed,
 * may be NULL) says why. */
typedef void (*ed_target_cb)(void *arg, int status, const char *detail);

#define ED_DRIVER_BLOCKING 0x1u /* submit_blocking runs on the thread pool */

/* ---- health collection (ABI version 2) ---------------------------------
 * A device health snapshot, what `inspect` judges and `watch` polls. The
 * driver reads the device with read-only requests only and answers one JSON
 * object; the members it may fill (all optional but "reachable"):
 *
 *   "reachable": true | false     false: the first read failed; "error" says
 *   "error": {"class": "connect", "code": 0, "detail": "..."}       why
 *   "requests": 12                requests sent to the device for it
 *   "latency_ms": {"samples": 10, "p50": 2.1, "p99": 3.4, "max": 3.4}
 *   "clock_offset_s": 90.2        device clock − this host's clock
 *   "clock_uncertainty_s": 0.51   the offset is known to ± that (the
 *                                 clock's resolution, the round trip)
 *   "power": "on" | "off" | "poweringon" | "poweringoff"
 *   "health": [{"component", "kind", "health", "rollup", "state"}]
 *   "psus": [{"name", "health", "state", "chassis", "listed_in"}]
 *                                 listed_in: the list the device gave it in
 *                                 ("Chassis/1U/Power"); supplies are counted
 *                                 for redundancy per list, so that a device
 *                                 publishing one set twice counts it once
 *   "redundancy": [{"name", "health", "state", "mode"}]
 *   "sensors": [{"name", "kind": "temperature" | "fan" | "voltage" | ...,
 *                "reading", "unit", "upper_warning", "upper_critical",
 *                "lower_warning", "lower_critical", "health"}]
 *   "log": [{"severity", "created" (ISO 8601), "age_s", "message"}]
 *   "firmware": {"bmc": "1.2.3", "bios": "..."}
 *   "disks": [{"mount", "filesystem", "used_pct"}], "time_sync": true,
 *   "failed_units": ["x.service"]                       (hosts)
 *   "gaps": ["Chassis/1/Power: http_4xx 404"]  what could not be read
 *   "read": {"health": 3, "power": "on", "sensors": null}  each part the
 *           driver needs read before a device can be called ready: a count
 *           for a list, else the value, null when nothing was read (and
 *           then also a gap "sensors: nothing read")
 *
 * Health words are Redfish's: "OK", "Warning", "Critical". The core sets
 * "device", "driver", "labels", "at" and "duration_ms" itself (it times the
 * collection), over whatever the driver wrote there. <eventdrill/snapshot.h>
 * builds such a snapshot from a queue of reads (header-only, optional). */
#define ED_COLLECT_FULL 0x1u /* inspect: also firmware, clock, disks, ... */
#define ED_COLLECT_MEMO                                                        \
  0x2u /* may read only what this target's earlier collections found */

typedef struct ed_collect_s ed_collect_t;
/* The answer: snapshot is the JSON text of one object, len its length. Both
 * are borrowed: the core copies what it keeps before it returns. */
typedef void (*ed_collect_done_cb)(ed_collect_t *c, const char *snapshot,
                                   size_t len);

/* One collection. It belongs to the core: the driver keeps the pointer until
 * it calls c->done exactly once, on the loop thread, and never touches it
 * afterwards. */
struct ed_collect_s {
  unsigned flags;      /* ED_COLLECT_* */
  int latency_samples; /* extra reads timed for "latency_ms", 0 = none */
  int log_entries;     /* newest log entries kept, 0 = read no log */
  int max_in_flight;   /* requests at once on the device, >= 1 */
  int64_t timeout_ms;  /* per request, 0 = none */
  ed_collect_done_cb done;
  void *core_data;   /* the core's; drivers leave it alone */
  void *driver_data; /* the driver's */
};

typedef struct ed_driver_s {
  /* ABI version 1 */
  uint32_t abi_version;        /* ED_DRIVER_ABI_VERSION */
  const char *build_signature; /* ED_DRIVER_SIGNATURE */
  const char *name;            /* as used in scenarios: "redfish" */
  const char *version;         /* the driver's own version */
  const char *description;
  unsigned flags; /* ED_DRIVER_* */

  const ed_option_t *target_opts; /* options of a target, NULL-key ended */
  size_t target_opts_size;
  const ed_op_desc_t *ops; /* operations, NULL-name ended */

  /* Once per process, when the driver is loaded, before any target. host
   * stays valid until fini. May be NULL. Returns 0, or <0 to refuse loading
   * (the core names the file and the return value). */
  int (*init)(const ed_host_t *host);
  /* Once per process, after every target is closed. May be NULL. */
  void (*fini)(void);

  /* Create the driver's state of one target; no I/O yet. On error return <0
   * and write a reason in errbuf: the core reports "driver <name> could not
   * open the target: <reason>" and does not use the target. The state
   * belongs to the driver. */
  int (*target_open)(const ed_target_info_t *info, void **target, char *errbuf,
                     size_t errlen);
  /* Start setup (e.g. log in). Return 0 and call cb exactly once, from
   * inside this call or later; or return <0 without calling cb (the core
   * then reports "the driver refused to start the target"). A target that
   * did not start gets no request and the run stops before sending any.
   * May be NULL (started at once). */
  int (*target_start)(void *target, ed_target_cb cb, void *arg);
  /* Teardown (e.g. log out) at the end of a run: the same convention as
   * target_start; <0 counts as stopped. May be NULL. */
  int (*target_stop)(void *target, ed_target_cb cb, void *arg);
  /* Free the target's state. Requests still in flight are completed first,
   * with ED_ERRCLASS_CANCELLED, before it returns (the core may still be
   * waiting for them after an interrupt). The core has already called
   * op_free for every prepared operation, without running the loop in
   * between: complete those requests without reading their operation.
   * Handles closed here may finish closing in later loop iterations: the
   * core runs the loop until none is left. */
  void (*target_close)(void *target);

  /* Compile an operation once (e.g. a workload's request). args points to a
   * struct of op->args_size filled from the scenario (for an operation
   * without options, to nothing to read); it belongs to the core and stays
   * valid, with its strings, until op_free has returned. On error return <0
   * and write a reason in errbuf: the run does not start. *prepared (NULL
   * is fine) is what requests carry in req->op. */
  int (*op_prepare)(void *target, const ed_op_desc_t *op, const void *args,
                    void **prepared, char *errbuf, size_t errlen);
  void (*op_free)(void *target, void *prepared);

  /* Non-blocking drivers: start req; complete it later with req->done,
   * from a later loop callback, never from inside submit. Return 0, or <0
   * when it could not even start: then done must not be called, and the core
   * records the request as failed, class "other", "the driver could not
   * start the request". At most info->max_in_flight requests of a target
   * are in flight at once. */
  int (*submit)(void *target, ed_request_t *req);
  /* Blocking drivers: do req on a pool thread and fill res. Here value and
   * detail, when not NULL, are allocated with malloc() and handed over: the
   * core frees them. */
  void (*submit_blocking)(void *target, ed_request_t *req, ed_result_t *res);

  /* ABI version 2: read by the core only when abi_version >= 2; a version-1
   * driver has zeros here (its spare slots) and keeps loading.
   *
   * Prove, without sending it, that a prepared state-changing operation
   * (req->op, from op_prepare) could run on the target now: what `verify`
   * needs to call an emergency plan executable on a live fleet. Only
   * read-only requests may reach the device (a GET, a `command -v`, a
   * privilege read). The result: err ED_ERRCLASS_NONE when it would run
   * (value, if any, says what was proven), else the class and, in detail,
   * why it cannot ("the system has no ComputerSystem.Reset action"). Same
   * calling convention as submit / submit_blocking: a non-blocking driver
   * sets op_check and completes req->done; a blocking one sets
   * op_check_blocking, run on the thread pool. May be NULL: the core then
   * reports the step as "not provable". */
  int (*op_check)(void *target, ed_request_t *req);
  void (*op_check_blocking)(void *target, ed_request_t *req, ed_result_t *res);

  /* ABI version 2, health collection: read the device's health snapshot
   * (see ed_collect_t above) and call c->done once with it. Runs on the
   * loop thread and must not block it, whatever the driver's flags: a
   * blocking driver queues its reads on the thread pool itself (uv_queue_work
   * on the host's loop) and calls done from the loop. Returns 0 (done will
   * be called exactly once, possibly before collect returns), or <0 when it
   * could not even start (done is not called; the core reports the device
   * unreachable: "driver x could not start a collection"). A read that fails is
   * part of the answer ("reachable" false, "gaps"), never a reason to return
   * <0.
   *   - Only read-only requests may reach the device.
   *   - The core starts a collection only on a started target, at most one
   *     at a time per target, and calls target_close only after done.
   *   - Cancel: stopping the target cancels its collection. Should
   *     target_stop come while a collection runs, the driver sends nothing
   *     more for it, cancels or awaits the reads in flight, and calls done
   *     promptly with what was read (the reads it gave up on as
   *     ED_ERRCLASS_CANCELLED gaps), before or after target_stop's own
   *     callback.
   * May be NULL (a version-1 driver reads as NULL): `inspect` then reports
   * the device unread ("driver x has no health collection", critical, never
   * ready) and `watch` shows it as not monitored. */
  int (*collect)(void *target, ed_collect_t *c);

  void *spare[5]; /* keep zero */
} ed_driver_t;

#ifdef __cplusplus
}
#endif
#endif /* EVENTDRILL_DRIVER_H */
