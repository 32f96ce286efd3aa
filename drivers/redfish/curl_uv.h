/*
 * curl_uv: libcurl's multi-socket API driven by a libuv loop.
 *
 * One ed__cuv_t wraps one CURLM. Sockets are watched with one uv_poll_t each,
 * kept for the whole life of the connection (found again by file descriptor
 * when curl re-uses a keep-alive connection) and only re-armed when the events
 * curl wants change; they are closed when curl closes the socket, which we
 * learn through CURLOPT_CLOSESOCKETFUNCTION (set by ed__cuv_setup_easy).
 * One uv_timer_t carries curl's timeout.
 */
#ifndef ED_REDFISH_CURL_UV_H
#define ED_REDFISH_CURL_UV_H

#include <curl/curl.h>
#include <uv.h>

typedef struct ed__cuv_s ed__cuv_t;

/* Called on the loop thread once a transfer added with ed__cuv_add is over,
 * after the easy handle was removed from the multi (the callee may re-add it
 * or clean it up). priv is the easy handle's CURLOPT_PRIVATE. */
typedef void (*ed__cuv_done_cb)(CURL *easy, CURLcode rc, void *priv);

/* Create a multi bound to loop. max_conns caps the connections kept alive and
 * the connections to one host. *out belongs to the caller: ed__cuv_destroy.
 * Returns 0 or -ENOMEM / -EIO. */
int ed__cuv_create(uv_loop_t *loop, long max_conns, ed__cuv_done_cb done,
                   ed__cuv_t **out);

/* Options every easy handle used with this multi needs (the close-socket hook
 * that retires a socket's watcher). Call once per easy handle. */
void ed__cuv_setup_easy(ed__cuv_t *cuv, CURL *easy);

/* Start a transfer; the done callback is called later exactly once unless the
 * transfer is taken back with ed__cuv_remove. Returns 0 or -EIO. */
int ed__cuv_add(ed__cuv_t *cuv, CURL *easy);

/* Take a running transfer back; its callback will not be called. */
void ed__cuv_remove(ed__cuv_t *cuv, CURL *easy);

/* Free the multi (every easy handle must have been removed and cleaned up
 * first, since the connection cache lives in the multi) and close the uv
 * handles; the memory is freed by the last close callback, so the loop must
 * run on after this. */
void ed__cuv_destroy(ed__cuv_t *cuv);

#endif
