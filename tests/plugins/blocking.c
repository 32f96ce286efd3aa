/*
 * A blocking test driver: op "work" sleeps on a pool thread and completes
 * with a malloc'd value and detail (which the core frees). res->code tells
 * the test where submit_blocking ran: 1 on the thread that called init (the
 * loop thread, which would be wrong), 2 elsewhere.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <eventdrill/driver.h>

typedef struct args_s {
  int64_t ms;
} args_t;

static const ed_option_t args[] = {
    {ED_OPT_DURATION, "for", "\"2ms\"", offsetof(args_t, ms), ED_OPT_PRIMARY,
     "how long to block", 0, 1000},
    {0},
};

static const ed_op_desc_t ops[] = {
    {"work", 0, "block a pool thread for a while", args, sizeof(args_t)},
    {0},
};

static pthread_t init_thread;

static int b_init(const ed_host_t *host) {
  (void)host;
  init_thread = pthread_self();
  return 0;
}

static int b_open(const ed_target_info_t *info, void **target, char *errbuf,
                  size_t errlen) {
  (void)info, (void)errbuf, (void)errlen;
  *target = NULL;
  return 0;
}

static void b_close(void *target) {
  (void)target;
}

static int b_prepare(void *target, const ed_op_desc_t *op, const void *a,
                     void **prepared, char *errbuf, size_t errlen) {
  (void)target, (void)op, (void)errbuf, (void)errlen;
  int64_t *ms = malloc(sizeof(*ms));
  if (!ms)
    return -1;
  *ms = ((const args_t *)a)->ms;
  *prepared = ms;
  return 0;
}

static void b_free(void *target, void *prepared) {
  (void)target;
  free(prepared);
}

static void b_submit_blocking(void *target, ed_request_t *req,
                              ed_result_t *res) {
  (void)target;
  int64_t ms = *(const int64_t *)req->op;
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
  nanosleep(&ts, NULL);
  char *value = malloc(32);
  if (value)
    snprintf(value, 32, "%lld", (long long)ms);
  res->value = value;
  res->value_len = value ? strlen(value) : 0;
  res->detail = strdup("slept");
  res->code = pthread_equal(pthread_self(), init_thread) ? 1 : 2;
}

ED_DRIVER_EXPORT const ed_driver_t eventdrill_driver = {
    .abi_version = ED_DRIVER_ABI_VERSION,
    .build_signature = ED_DRIVER_SIGNATURE,
    .name = "blocking",
    .version = "1.0",
    .description = "blocks a pool thread",
    .flags = ED_DRIVER_BLOCKING,
    .ops = ops,
    .init = b_init,
    .target_open = b_open,
    .target_close = b_close,
    .op_prepare = b_prepare,
    .op_free = b_free,
    .submit_blocking = b_submit_blocking,
};
