/*
 * The channel's parts, shared by coord.c (the protocol: hello, clock,
 * barrier, abort, end) and coord_wire.c (one connection: framing, reads
 * bounded in bytes, writes bounded in backlog). Not a public interface.
 */
#ifndef ED_COORD_INTERNAL_H
#define ED_COORD_INTERNAL_H

#include <jansson.h>
#include <stdint.h>
#include <uv.h>

#include "coord.h"

/* A message's body is small (hello, clock, abort): anything larger is a
 * peer that does not speak this protocol. */
#define ED__COORD_MAX_MSG 16384
/* A peer that stops reading: its backlog is bounded, then it is dropped. */
#define ED__COORD_MAX_BACKLOG (256 * 1024)

typedef struct ed__link_s ed__link_t;

struct ed__link_s {
  uv_tcp_t tcp;
  ed_coord_t *c;
  unsigned char buf[4 + ED__COORD_MAX_MSG];
  size_t len;
  uint64_t heard;   /* uv_now when bytes last came */
  uint64_t born;    /* uv_now when it connected */
  int shard;        /* the peer's shard once its hello is accepted, or -1 */
  int authed;       /* the peer proved the token */
  int ended;        /* the peer said its drill ended */
  int closing;      /* uv_close called */
  int close_after;  /* close once the writes queued are out */
  char nonce[33];   /* the nonce this side sent on this link */
  ed__link_t *next; /* the coordinator's list */
};

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
