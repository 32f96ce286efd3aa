/*
 * curl_uv: libcurl's multi-socket API driven by a libuv loop.
 *
 * One ed__cuv_t wraps one CURLM. Sockets are watched with one uv_poll_t each,
 * kept for the whole life of the connection (found again by file descriptor
 * when curl re-uses a keep-alive connection) and only re-armed when the events
 * curl wants change; they are closed when curl closes the socket, which we
 * learn through CURLOPT_CLOSESOCKETFUNCTION (set by ed__cuv_setup_easy).
 * One uv_timer_t carries curl's timeout.
 *
 * libcurl 7.88 to 8.1 close a socket whose connect had not completed (a
 * connect refused, or a transfer taken back or timed out while connecting)
 * with close(2) alone, neither calling that hook nor saying CURL_POLL_REMOVE
 * (curl's cf-socket.c, fixed in 8.2). A watcher left on such a descriptor
 * makes libuv abort on epoll_ctl (EBADF), or watch another socket that gets
 * the number next. So a socket counts as unconfirmed until it has been
 * readable or was adopted (by then curl has made it its connection's and
 * closes it through the hook); after each call into the multi the
 * unconfirmed ones are checked (fstat: the same socket still there?) and a
 * gone one's watcher is retired; and a socket curl opens retires a watcher
 * still holding its number (CURLOPT_OPENSOCKETFUNCTION).
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

/* Flags of ed__cuv_create. KEEP_DONE: a finished transfer stays in the
 * multi (its owner takes it out with ed__cuv_remove), as a CURLOPT_CONNECT_ONLY
 * transfer must for its connection to stay open. */
enum { ED__CUV_KEEP_DONE = 1 };

/* Create a multi bound to loop. max_conns caps the connections kept alive and
 * the connections to one host (0: no cap). *out belongs to the caller:
 * ed__cuv_destroy. Returns 0 or -ENOMEM / -EIO. */
int ed__cuv_create(uv_loop_t *loop, long max_conns, int flags,
                   ed__cuv_done_cb done, ed__cuv_t **out);

/* Options every easy handle used with this multi needs (the open- and
 * close-socket hooks that retire a socket's watcher). Call once per easy
 * handle. */
void ed__cuv_setup_easy(ed__cuv_t *cuv, CURL *easy);

/* Start a transfer; the done callback is called later exactly once unless the
 * transfer is taken back with ed__cuv_remove. Returns 0 or -EIO. */
int ed__cuv_add(ed__cuv_t *cuv, CURL *easy);

/* Take a running transfer back; its callback will not be called. */
void ed__cuv_remove(ed__cuv_t *cuv, CURL *easy);

/* Events of an adopted socket (UV_READABLE / UV_WRITABLE, status < 0 on a
 * socket error), called from the loop, never from inside curl. */
typedef void (*ed__cuv_io_cb)(void *arg, int status, int events);
/* curl is closing an adopted socket (the connection was removed, judged dead,
 * or the multi freed): forget the descriptor. Called from inside curl, so the
 * callee must not call curl. */
typedef void (*ed__cuv_closed_cb)(void *arg);

/* Take over the watcher of fd, the socket of a finished CONNECT_ONLY
 * transfer, whose bytes the caller now moves itself: its events go to io
 * instead of curl, and closed is called when curl closes it. The watcher
 * starts stopped. Returns 0, or -ENOENT when curl has no such socket here. */
int ed__cuv_adopt(ed__cuv_t *cuv, curl_socket_t fd, ed__cuv_io_cb io,
                  ed__cuv_closed_cb closed, void *arg);

/* Poll an adopted socket for events (UV_* bits, 0 to stop); busy: whether
 * it keeps the loop alive (an idle connection must not). Returns 0 or <0. */
int ed__cuv_watch(ed__cuv_t *cuv, curl_socket_t fd, int events, int busy);

/* Free the multi (every easy handle must have been removed and cleaned up
 * first, since the connection cache lives in the multi) and close the uv
 * handles; the memory is freed by the last close callback, so the loop must
 * run on after this. */
void ed__cuv_destroy(ed__cuv_t *cuv);

#endif
