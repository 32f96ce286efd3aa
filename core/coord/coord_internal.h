/*
 * The channel's parts, shared by coord.c (the protocol: hello, clock,
 * barrier, abort, end), coord_call.c (probes one shard asks of another,
 * and holding the shards until none will be asked) and coord_wire.c (one
 * connection: framing, reads bounded in bytes, writes bounded in
 * backlog). Not a public interface.
 */
#ifndef ED_COORD_INTERNAL_H
#define ED_COORD_INTERNAL_H

#include <jansson.h>
#include <stdint.h>
#include <uv.h>

#include <netinet/in.h>

#include "coord.h"

/* A message's body is small (hello, clock, abort): anything larger from a
 * peer that has not proved the token is one that does not speak this
 * protocol. A shard that has proved it may send an answer carrying what a
 * device returned, up to ED__COORD_MAX_ANSWER. */
#define ED__COORD_MAX_MSG 16384
#define ED__COORD_MAX_ANSWER (1024 * 1024)
/* A peer that stops reading: its backlog is bounded, then it is dropped. */
#define ED__COORD_MAX_BACKLOG (256 * 1024)

typedef struct ed__link_s ed__link_t;

struct ed__link_s {
  uv_tcp_t tcp;
  ed_coord_t *c;
  unsigned char *buf; /* what has been read and not yet delivered */
  size_t len, cap;    /* 4 + ED__COORD_MAX_MSG, grown for an answer */
  uint64_t heard;     /* uv_now when bytes last came */
  uint64_t born;      /* uv_now when it connected */
  int shard;          /* the peer's shard once its hello is accepted, or -1 */
  int authed;         /* the peer proved the token */
  int ended;          /* the peer said its drill ended */
  int closing;        /* uv_close called */
  int close_after;    /* close once the writes queued are out */
  char nonce[33];     /* the nonce this side sent on this link */
  ed__link_t *next;   /* the coordinator's list */
};

typedef struct {
  int joined, ready, ended, lost;
  int drained; /* it will ask no other shard for anything more */
  int samples;
  double offset_s, rtt_s;
  ed__link_t *link;
} ed__peer_t;

/* A call this shard made and whose answer has not come. */
typedef struct ed__call_s {
  long long id;
  unsigned to;
  ed_coord_answer_cb cb;
  void *arg;
  json_t *unsent; /* the message, until a link to its shard is up */
  struct ed__call_s *next;
} ed__call_t;

/* A call the coordinator relays to a shard that has not joined yet. */
typedef struct ed__relay_s {
  unsigned to;
  json_t *msg;
  struct ed__relay_s *next;
} ed__relay_t;

struct ed_coord_s {
  uv_loop_t *loop;
  unsigned shard, count;
  char *token, *drill, *address;
  uint64_t wait_ms, silence_ms;
  ed_coord_events_t ev;
  struct sockaddr_storage addr;
  uv_tcp_t server;
  uv_timer_t tick, go;
  uv_connect_t connect_req;
  int handles; /* open: server, tick, go, links */
  ed__link_t *links;
  ed__peer_t *peers; /* the coordinator's view of every shard (0: itself) */
  uint64_t opened, last_tick, next_beat, next_connect;
  int self_ready, ready_sent, started, aborted, finishing, closing;
  uint64_t t0;
  double offset_s, rtt_s;
  int measured;
  int resolved;      /* addr holds the coordinator's address */
  char why_not[256]; /* a shard: the last connect error, or a refusal */
  void (*closed)(void *);
  void *closed_arg;
  /* coord_call.c */
  ed__call_t *calls;   /* made here, not yet answered */
  ed__relay_t *relays; /* the coordinator: for shards not joined yet */
  long long next_call;
  int self_drained, released;
};

static inline int ed__coord_is_coordinator(const ed_coord_t *c) {
  return c->shard == 0;
}

/* coord.c, for coord_call.c: the link to the coordinator (a shard) */
ed__link_t *ed__coord_uplink(ed_coord_t *c);

/* coord_call.c, for coord.c: a message about calls or draining (1), or
 * not one (0). */
int ed__coord_call_message(ed__link_t *l, const char *type, json_t *m);
/* A link has proved the token: calls waiting for it (made or relayed
 * here) go out. */
void ed__coord_calls_send(ed_coord_t *c);
/* The drill stopped, or the channel is closing: every call still waiting
 * fails with why, and a shard held is let go. */
void ed__coord_calls_end(ed_coord_t *c, const char *why);
/* The coordinator: a shard ended or was lost; maybe every shard is
 * drained now. */
void ed__coord_maybe_release(ed_coord_t *c);

/* coord_wire.c. The owner's callbacks, in coord.c: */
void ed__coord_on_message(ed__link_t *l, const char *type, json_t *msg);
/* The link is going (EOF, error, bad framing, silence): why says which. It
 * is closed after this returns; ed__coord_on_closed when it is. */
void ed__coord_on_gone(ed__link_t *l, const char *why);
void ed__coord_on_closed(ed__link_t *l);

ed__link_t *ed__link_new(ed_coord_t *c);
/* Start reading an accepted or connected link. 0 or a libuv error. */
int ed__link_start(ed__link_t *l);
/* Queue one message (stolen). 0, or -1 when the link is closing or its
 * backlog is full (then it is dropped as gone). */
int ed__link_send(ed__link_t *l, json_t *msg);
/* Close now; ed__coord_on_closed follows. */
void ed__link_close(ed__link_t *l);
/* Close once what is queued has been written. */
void ed__link_close_after_writes(ed__link_t *l);

/* Time: the wall clock (CLOCK_REALTIME) in seconds. */
double ed__coord_wall(void);

#endif
