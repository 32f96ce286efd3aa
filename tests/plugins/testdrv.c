/*
 * A test driver that compile definitions break in one precise way each, for
 * tests/unit/plugin_host.c (see tests/unit/plugin_host.cmake for the cases):
 *   TD_NAME, TD_VERSION, TD_ABI, TD_SIGNATURE  descriptor fields
 *   TD_WRONG_SYMBOL       export the descriptor under a misspelt name
 *   TD_INIT_FAILS         init() returns an error
 *   TD_MISSING_CALLBACKS  a blocking driver without submit_blocking, op_free
 *   TD_BAD_DEFAULT        an int option whose default is a string
 * With none of them it is a valid driver that does nothing.
 */
#include <eventdrill/driver.h>

#ifndef TD_NAME
#error "TD_NAME must be defined"
#endif
#ifndef TD_VERSION
#define TD_VERSION "1.0"
#endif
#ifndef TD_ABI
#define TD_ABI ED_DRIVER_ABI_VERSION
#endif
#ifndef TD_SIGNATURE
#define TD_SIGNATURE ED_DRIVER_SIGNATURE
#endif
#ifdef TD_WRONG_SYMBOL
#define TD_SYMBOL eventdrill_drvier
#else
#define TD_SYMBOL eventdrill_driver
#endif
#ifdef TD_BAD_DEFAULT
#define TD_COUNT_DEFAULT "\"many\""
#else
#define TD_COUNT_DEFAULT "3"
#endif

typedef struct args_s {
  int64_t count;
} args_t;

static const ed_option_t args[] = {
    {ED_OPT_INT, "count", TD_COUNT_DEFAULT, offsetof(args_t, count), 0,
     "how many", 0, 10},
    {0},
};

static const ed_op_desc_t ops[] = {
    {"noop", 0, "does nothing", args, sizeof(args_t)},
    {0},
};

static int td_init(const ed_host_t *host) {
  (void)host;
#ifdef TD_INIT_FAILS
  return -5;
#else
  return 0;
#endif
}

static int td_open(const ed_target_info_t *info, void **target, char *errbuf,
                   size_t errlen) {
  (void)info, (void)errbuf, (void)errlen;
  *target = NULL;
  return 0;
}

static void td_close(void *target) {
  (void)target;
}

static int td_prepare(void *target, const ed_op_desc_t *op, const void *a,
                      void **prepared, char *errbuf, size_t errlen) {
  (void)target, (void)op, (void)a, (void)errbuf, (void)errlen;
  *prepared = NULL;
  return 0;
}

#ifndef TD_MISSING_CALLBACKS
static void td_free(void *target, void *prepared) {
  (void)target, (void)prepared;
}

static int td_submit(void *target, ed_request_t *req) {
  (void)target, (void)req;
  return -1;
}
#endif

ED_DRIVER_EXPORT const ed_driver_t TD_SYMBOL = {
    .abi_version = TD_ABI,
    .build_signature = TD_SIGNATURE,
    .name = TD_NAME,
    .version = TD_VERSION,
    .description = "a test driver",
    .ops = ops,
    .init = td_init,
    .target_open = td_open,
    .target_close = td_close,
    .op_prepare = td_prepare,
#ifdef TD_MISSING_CALLBACKS
    .flags = ED_DRIVER_BLOCKING,
#else
    .op_free = td_free,
    .submit = td_submit,
#endif
};
