/* coord: probes one shard asks of another, and holding the shards until
 * none will be asked (coord.h).
 *
 *   caller (shard S)             coordinator                owner (T)
 *   call {id, to T, req}    ->   call {id, from S, to T, req}  ->
 *                           <-   answer {id, to S, reply|why}  <-
 *   drained                 ->   (every shard drained)
 *                           <-   release                       ->
 *
 * The coordinator relays; when it is the caller or the owner itself, the
 * message goes straight to the other side. A call is never retried: when
 * the drill stops, every call still waiting fails with the reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord_internal.h"

static ed__link_t *route(ed_coord_t *c, unsigned to);

static ed__call_t *take_call(ed_coord_t *c, long long id) {
  for (ed__call_t **pp = &c->calls; *pp; pp = &(*pp)->next)
    if ((*pp)->id == id) {
      ed__call_t *k = *pp;
      *pp = k->next;
      json_decref(k->unsent);
      k->unsent = NULL;
      return k;
    }
  return NULL;
}

static void complete(ed_coord_t *c, json_t *m) {
  ed__call_t *k = take_call(c, json_integer_value(json_object_get(m, "id")));
  if (!k)
    return; /* failed already when the drill stopped */
  const json_t *reply = json_object_get(m, "reply");
  const char *why = json_string_value(json_object_get(m, "why"));
  if (!json_is_object(reply))
    reply = NULL;
  k->cb(k->arg, reply, reply ? NULL : why ? why : "an answer without a reply");
  free(k);
}

static void release_here(ed_coord_t *c) {
  if (c->released)
    return;
  c->released = 1;
  if (c->ev.released)
    c->ev.released(c->ev.arg);
}

/* Relayed calls whose shard has joined go out (the oldest first). */
static void send_relays(ed_coord_t *c) {
  ed__relay_t **pp = &c->relays, *ready = NULL;
  while (*pp) {
    ed__relay_t *q = *pp;
    if (route(c, q->to)) {
      *pp = q->next;
      q->next = ready;
      ready = q;
    } else {
      pp = &q->next;
    }
  }
  while (ready) {
    ed__relay_t *q = ready;
    ready = q->next;
    ed__link_t *l = route(c, q->to);
    if (l)
      ed__link_send(l, q->msg);
    else
      json_decref(q->msg);
    free(q);
  }
}

static void drop_relays(ed_coord_t *c) {
  while (c->relays) {
    ed__relay_t *q = c->relays;
    c->relays = q->next;
    json_decref(q->msg);
    free(q);
  }
}

void ed__coord_calls_end(ed_coord_t *c, const char *why) {
  drop_relays(c);
  ed__call_t *k = c->calls;
  c->calls = NULL;
  while (k) {
    ed__call_t *next = k->next;
    json_decref(k->unsent);
    k->cb(k->arg, NULL, why);
    free(k);
    k = next;
  }
  release_here(c);
}

void ed__coord_calls_send(ed_coord_t *c) {
  send_relays(c);
  for (ed__call_t *k = c->calls; k; k = k->next) {
    ed__link_t *l = k->unsent ? route(c, k->to) : NULL;
    if (!l)
      continue;
    json_t *m = k->unsent;
    k->unsent = NULL;
    /* A link that fails is gone, and the drill stops: every call has
     * failed then, and the list is no more. */
    if (ed__link_send(l, m) != 0)
      return;
  }
}

void ed__coord_maybe_release(ed_coord_t *c) {
  if (!ed__coord_is_coordinator(c) || c->released || !c->self_drained)
    return;
  for (unsigned i = 1; i < c->count; i++) {
    const ed__peer_t *p = &c->peers[i];
    if (!p->drained && !p->ended && !p->lost)
      return;
  }
  for (ed__link_t *l = c->links; l; l = l->next)
    if (l->authed && !l->closing)
      ed__link_send(l, json_pack("{s:s}", "type", "release"));
  release_here(c);
}

/* The link a message for shard `to` goes on from here: the coordinator's
 * link to it, or a shard's link to the coordinator. */
static ed__link_t *route(ed_coord_t *c, unsigned to) {
  if (!ed__coord_is_coordinator(c))
    return ed__coord_uplink(c);
  if (to == 0 || to >= c->count || c->peers[to].lost)
    return NULL;
  ed__link_t *l = c->peers[to].link;
  return l && !l->closing ? l : NULL;
}

static void serve(ed_coord_t *c, const json_t *req, unsigned from,
                  long long id) {
  ed_coord_caller_t caller = {.shard = from, .id = id};
  if (c->ev.serve && json_is_object(req))
    c->ev.serve(c->ev.arg, req, caller);
  else
    ed_coord_answer(c, caller, NULL);
}

/* The coordinator relays an answer it cannot deliver as a failure. */
static void answer_why(ed_coord_t *c, unsigned to, long long id,
                       const char *why) {
  ed__link_t *l = route(c, to);
  if (l)
    ed__link_send(l, json_pack("{s:s,s:I,s:i,s:s}", "type", "answer", "id",
                               (json_int_t)id, "to", (int)to, "why", why));
}

static void relay_call(ed_coord_t *c, ed__link_t *from, json_t *m) {
  json_int_t to = json_integer_value(json_object_get(m, "to"));
  long long id = json_integer_value(json_object_get(m, "id"));
  if (to == 0) {
    serve(c, json_object_get(m, "req"), (unsigned)from->shard, id);
    return;
  }
  int valid = to > 0 && to < (json_int_t)c->count;
  ed__link_t *l = valid ? route(c, (unsigned)to) : NULL;
  json_object_set_new(m, "from", json_integer(from->shard));
  if (l) {
    ed__link_send(l, json_incref(m));
    return;
  }
  /* Before the start, the shard may not have joined yet: the call waits
   * for it (the barrier's end stops the drill if it never does). */
  ed__relay_t *q =
      valid && !c->started && !c->peers[to].lost ? calloc(1, sizeof(*q)) : NULL;
  if (!q) {
    char why[96];
    snprintf(why, sizeof(why), "shard %lld is not connected", (long long)to);
    answer_why(c, (unsigned)from->shard, id, why);
    return;
  }
  q->to = (unsigned)to;
  q->msg = json_incref(m);
  q->next = c->relays;
  c->relays = q;
}

static void relay_answer(ed_coord_t *c, json_t *m) {
  json_int_t to = json_integer_value(json_object_get(m, "to"));
  if (to == 0) {
    complete(c, m);
    return;
  }
  ed__link_t *l =
      to > 0 && to < (json_int_t)c->count ? route(c, (unsigned)to) : NULL;
  if (l)
    ed__link_send(l, json_incref(m));
}

int ed__coord_call_message(ed__link_t *l, const char *type, json_t *m) {
  ed_coord_t *c = l->c;
  int coordinator = ed__coord_is_coordinator(c);
  if (strcmp(type, "call") == 0) {
    if (coordinator)
      relay_call(c, l, m);
    else
      serve(c, json_object_get(m, "req"),
            (unsigned)json_integer_value(json_object_get(m, "from")),
            json_integer_value(json_object_get(m, "id")));
  } else if (strcmp(type, "answer") == 0) {
    if (coordinator)
      relay_answer(c, m);
    else
      complete(c, m);
  } else if (strcmp(type, "drained") == 0 && coordinator) {
    c->peers[l->shard].drained = 1;
    ed__coord_maybe_release(c);
  } else if (strcmp(type, "release") == 0 && !coordinator) {
    release_here(c);
  } else {
    return 0;
  }
  return 1;
}

/* A call before the link to its shard is up (the shards are still
 * joining: a steady-state check before the barrier) waits for it; the
 * barrier's end fails it if the link never comes. */
void ed_coord_call(ed_coord_t *c, unsigned to, json_t *req,
                   ed_coord_answer_cb cb, void *arg) {
  const char *why = NULL;
  if (c->aborted || c->closing || c->released)
    why = "the drill has stopped";
  else if (to >= c->count || to == c->shard)
    why = "no such shard";
  ed__call_t *k = why ? NULL : calloc(1, sizeof(*k));
  if (!k) {
    json_decref(req);
    cb(arg, NULL, why ? why : "out of memory");
    return;
  }
  k->id = ++c->next_call;
  k->to = to;
  k->cb = cb;
  k->arg = arg;
  k->next = c->calls;
  c->calls = k;
  k->unsent = json_pack("{s:s,s:I,s:i,s:i,s:o}", "type", "call", "id",
                        (json_int_t)k->id, "from", (int)c->shard, "to", (int)to,
                        "req", req);
  ed__coord_calls_send(c);
}

void ed_coord_answer(ed_coord_t *c, ed_coord_caller_t to, json_t *answer) {
  char *text = answer ? json_dumps(answer, JSON_COMPACT) : NULL;
  size_t n = text ? strlen(text) : 0;
  free(text);
  char why[160] = "";
  if (!answer)
    snprintf(why, sizeof(why), "shard %u serves no probe", c->shard);
  else if (n > ED__COORD_MAX_ANSWER)
    snprintf(why, sizeof(why),
             "the outcome (%zu bytes) is larger than the channel between "
             "shards carries (%d bytes)",
             n, ED__COORD_MAX_ANSWER);
  json_t *m = json_pack("{s:s,s:I,s:i}", "type", "answer", "id",
                        (json_int_t)to.id, "to", (int)to.shard);
  if (why[0])
    json_object_set_new(m, "why", json_string(why));
  else
    json_object_set(m, "reply", answer);
  json_decref(answer);
  ed__link_t *l = route(c, to.shard);
  if (l)
    ed__link_send(l, m);
  else
    json_decref(m);
}

void ed_coord_drained(ed_coord_t *c) {
  if (c->released) { /* the drill stopped: nothing will be asked */
    if (c->ev.released)
      c->ev.released(c->ev.arg);
    return;
  }
  if (c->self_drained)
    return;
  c->self_drained = 1;
  if (c->aborted || c->closing) {
    release_here(c);
    return;
  }
  if (ed__coord_is_coordinator(c)) {
    ed__coord_maybe_release(c);
    return;
  }
  ed__link_t *l = ed__coord_uplink(c);
  if (!l || ed__link_send(l, json_pack("{s:s}", "type", "drained")) != 0)
    release_here(c);
}
