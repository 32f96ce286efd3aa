/* coord: the protocol between the shards of one drill (coord.h).
 *
 *   coordinator                          shard I
 *   challenge {nonce}            ->
 *                                <-      hello {shard, count, drill, nonce,
 *                                              mac}
 *   welcome {mac} | refused {why} ->
 *   ping {t1}                    ->      (8 times, one at a time)
 *                                <-      pong {t1, t2, t3}
 *                                <-      ready
 *   start {at, offset_s, rtt_s}  ->      (once every shard is ready)
 *   abort {why}                 <->      (either way, at any time)
 *                                <-      done
 *   beat                        <->      (every second)
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord_internal.h"
#include "hostport.h"

#define CLOCK_SAMPLES 8
#define TICK_MS 200
#define BEAT_MS 1000
#define CONNECT_RETRY_MS 250
/* The start instant is this far ahead of the decision, plus a few round
 * trips, so that the start message reaches every shard before it. */
#define START_LEAD_S 0.2

/* ---- the token --------------------------------------------------------- */

static void hex(const unsigned char *b, size_t n, char *out) {
  for (size_t i = 0; i < n; i++)
    sprintf(out + 2 * i, "%02x", b[i]);
  out[2 * n] = '\0';
}

static int new_nonce(char out[33]) {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof(b)) != 1)
    return -1;
  hex(b, sizeof(b), out);
  return 0;
}

/* HMAC-SHA256 of "what\nnonce\nshard\ndrill" under the token, in hex. */
static void mac_of(const ed_coord_t *c, const char *what, const char *nonce,
                   unsigned shard, char out[65]) {
  char text[1024];
  int n = snprintf(text, sizeof(text), "%s\n%s\n%u\n%s", what, nonce, shard,
                   c->drill);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned mdlen = 0;
  out[0] = '\0';
  if (n > 0 && (size_t)n < sizeof(text) &&
      HMAC(EVP_sha256(), c->token, (int)strlen(c->token),
           (const unsigned char *)text, (size_t)n, md, &mdlen) &&
      mdlen == 32)
    hex(md, 32, out);
}

static int mac_ok(const ed_coord_t *c, const char *what, const char *nonce,
                  unsigned shard, const char *got) {
  char want[65];
  mac_of(c, what, nonce, shard, want);
  return want[0] && got && strlen(got) == 64 &&
         CRYPTO_memcmp(want, got, 64) == 0;
}

/* ---- events -------------------------------------------------------------- */

static void journal(ed_coord_t *c, const char *ev, json_t *obj) {
  if (c->ev.event)
    c->ev.event(c->ev.arg, ev, obj);
  else
    json_decref(obj);
}

static void abort_here(ed_coord_t *c, const char *why) {
  if (c->aborted)
    return;
  c->aborted = 1;
  uv_timer_stop(&c->go);
  journal(c, "coordination",
          json_pack("{s:s,s:s}", "what", "abort", "why", why));
  if (c->ev.abort)
    c->ev.abort(c->ev.arg, why);
  ed__coord_calls_end(c, why);
}

static int send_type(ed__link_t *l, const char *type) {
  return ed__link_send(l, json_pack("{s:s}", "type", type));
}

/* The coordinator tells every shard (but one, the shard it came from). */
static void broadcast_abort(ed_coord_t *c, const char *why, int except) {
  for (ed__link_t *l = c->links; l; l = l->next)
    if (l->authed && !l->closing && l->shard != except)
      ed__link_send(l, json_pack("{s:s,s:s}", "type", "abort", "why", why));
}

static void abort_all(ed_coord_t *c, const char *why, int except) {
  if (c->aborted)
    return;
  broadcast_abort(c, why, except);
  abort_here(c, why);
}

/* ---- the start barrier --------------------------------------------------- */

static void on_go(uv_timer_t *t) {
  ed_coord_t *c = t->data;
  /* A timer counts whole milliseconds: wait out the rest of the last. */
  while (uv_hrtime() < c->t0)
    ;
  if (!c->aborted && c->ev.start)
    c->ev.start(c->ev.arg, c->t0);
}

/* Start at `at` on the coordinator's wall clock, this clock being offset_s
 * ahead of it. */
static void start_at(ed_coord_t *c, double at, double offset_s) {
  double ahead = at + offset_s - ed__coord_wall();
  uint64_t now = uv_hrtime();
  c->t0 = ahead > 0 ? now + (uint64_t)(ahead * 1e9) : now;
  c->started = 1;
  uv_update_time(c->loop);
  uv_timer_start(&c->go, on_go, ahead > 0 ? (uint64_t)(ahead * 1000) : 0, 0);
}

static int all_ready(const ed_coord_t *c, double *max_rtt) {
  *max_rtt = 0;
  for (unsigned i = 1; i < c->count; i++) {
    const ed__peer_t *p = &c->peers[i];
    if (!p->ready || p->samples < CLOCK_SAMPLES || p->lost)
      return 0;
    if (p->rtt_s > *max_rtt)
      *max_rtt = p->rtt_s;
  }
  return c->self_ready;
}

static void maybe_start(ed_coord_t *c) {
  double max_rtt;
  if (c->started || c->aborted || !all_ready(c, &max_rtt))
    return;
  double lead = START_LEAD_S + 4 * (max_rtt < 0.5 ? max_rtt : 0.5);
  double at = ed__coord_wall() + lead;
  for (unsigned i = 1; i < c->count; i++) {
    ed__peer_t *p = &c->peers[i];
    ed__link_send(p->link,
                  json_pack("{s:s,s:f,s:f,s:f}", "type", "start", "at", at,
                            "offset_s", p->offset_s, "rtt_s", p->rtt_s));
  }
  journal(c, "coordination",
          json_pack("{s:s,s:f,s:o}", "what", "barrier", "at_wall_s", at,
                    "shards", ed_coord_shards(c)));
  start_at(c, at, 0);
}

/* ---- the coordinator's side of a link ------------------------------------ */

static void refuse(ed__link_t *l, const char *why) {
  ed__link_send(l, json_pack("{s:s,s:s}", "type", "refused", "why", why));
  ed__link_close_after_writes(l);
}

static void send_ping(ed__link_t *l) {
  ed__link_send(l,
                json_pack("{s:s,s:f}", "type", "ping", "t1", ed__coord_wall()));
}

/* Why a hello cannot be accepted, or NULL. */
static const char *hello_problem(ed_coord_t *c, ed__link_t *l, json_t *m,
                                 char *buf, size_t len) {
  json_int_t shard = json_integer_value(json_object_get(m, "shard"));
  json_int_t count = json_integer_value(json_object_get(m, "count"));
  const char *drill = json_string_value(json_object_get(m, "drill"));
  if (json_integer_value(json_object_get(m, "v")) != 1)
    return "another version of the protocol";
  if (shard < 0 || shard > 65535 ||
      !mac_ok(c, "hello", l->nonce, (unsigned)shard,
              json_string_value(json_object_get(m, "mac"))))
    return "wrong token";
  if (count != (json_int_t)c->count || shard < 1 ||
      shard >= (json_int_t)c->count) {
    snprintf(buf, len, "shard %lld of %lld: the coordinator runs %u shards",
             (long long)shard, (long long)count, c->count);
    return buf;
  }
  if (!drill || strcmp(drill, c->drill) != 0) {
    snprintf(buf, len,
             "another drill (\"%.160s\"; the coordinator's is \"%.160s\")",
             drill ? drill : "", c->drill);
    return buf;
  }
  if (c->peers[shard].joined) {
    snprintf(buf, len, "shard %lld of %u has joined already", (long long)shard,
             c->count);
    return buf;
  }
  if (c->aborted)
    return "the drill was aborted";
  if (c->started)
    return "the drill has started";
  return NULL;
}

static void on_hello(ed__link_t *l, json_t *m) {
  ed_coord_t *c = l->c;
  char buf[400];
  const char *problem = hello_problem(c, l, m, buf, sizeof(buf));
  const char *nonce = json_string_value(json_object_get(m, "nonce"));
  if (!problem && (!nonce || strlen(nonce) != 32))
    problem = "no nonce";
  if (problem) {
    journal(c, "coordination",
            json_pack("{s:s,s:I,s:s}", "what", "refused", "shard",
                      json_integer_value(json_object_get(m, "shard")), "why",
                      problem));
    refuse(l, problem);
    return;
  }
  unsigned shard = (unsigned)json_integer_value(json_object_get(m, "shard"));
  char mac[65];
  mac_of(c, "welcome", nonce, shard, mac);
  l->shard = (int)shard;
  l->authed = 1;
  c->peers[shard].joined = 1;
  c->peers[shard].link = l;
  ed__link_send(l, json_pack("{s:s,s:s}", "type", "welcome", "mac", mac));
  send_ping(l);
  ed__coord_calls_send(c);
  journal(c, "coordination",
          json_pack("{s:s,s:i}", "what", "joined", "shard", (int)shard));
}

/* One clock exchange (NTP's): t1 sent here, t2 received there, t3 sent
 * there, t4 received here. The exchange of least round trip is kept: its
 * offset is the least disturbed by queueing on either side. */
static void on_pong(ed__link_t *l, json_t *m) {
  ed_coord_t *c = l->c;
  ed__peer_t *p = &c->peers[l->shard];
  double t4 = ed__coord_wall();
  double t1 = json_number_value(json_object_get(m, "t1"));
  double t2 = json_number_value(json_object_get(m, "t2"));
  double t3 = json_number_value(json_object_get(m, "t3"));
  double rtt = (t4 - t1) - (t3 - t2);
  if (t1 <= 0 || t2 <= 0 || t3 < t2 || rtt < 0 || p->samples >= CLOCK_SAMPLES)
    return;
  double offset = ((t2 - t1) + (t3 - t4)) / 2;
  if (p->samples == 0 || rtt < p->rtt_s) {
    p->rtt_s = rtt;
    p->offset_s = offset;
  }
  if (++p->samples < CLOCK_SAMPLES) {
    send_ping(l);
    return;
  }
  journal(c, "coordination",
          json_pack("{s:s,s:i,s:f,s:f}", "what", "clock", "shard", l->shard,
                    "offset_s", p->offset_s, "rtt_s", p->rtt_s));
  maybe_start(c);
}

static void coordinator_message(ed__link_t *l, const char *type, json_t *m) {
  ed_coord_t *c = l->c;
  if (!l->authed) {
    if (strcmp(type, "hello") == 0)
      on_hello(l, m);
    else
      refuse(l, "hello first");
    return;
  }
  ed__peer_t *p = &c->peers[l->shard];
  if (ed__coord_call_message(l, type, m))
    return;
  if (strcmp(type, "pong") == 0) {
    on_pong(l, m);
  } else if (strcmp(type, "ready") == 0) {
    p->ready = 1;
    journal(c, "coordination",
            json_pack("{s:s,s:i}", "what", "ready", "shard", l->shard));
    maybe_start(c);
  } else if (strcmp(type, "abort") == 0) {
    char why[512];
    const char *their = json_string_value(json_object_get(m, "why"));
    snprintf(why, sizeof(why), "shard %d of %u aborted: %.400s", l->shard,
             c->count, their ? their : "no reason given");
    abort_all(c, why, l->shard);
  } else if (strcmp(type, "done") == 0) {
    p->ended = l->ended = 1;
    journal(c, "coordination",
            json_pack("{s:s,s:i}", "what", "ended", "shard", l->shard));
    ed__coord_maybe_release(c);
  }
}

/* ---- a shard's side --------------------------------------------------- */

static void send_hello(ed__link_t *l, json_t *m) {
  ed_coord_t *c = l->c;
  const char *theirs = json_string_value(json_object_get(m, "nonce"));
  char mac[65];
  if (!theirs || strlen(theirs) != 32 || new_nonce(l->nonce) != 0) {
    ed__link_close(l);
    return;
  }
  mac_of(c, "hello", theirs, c->shard, mac);
  ed__link_send(l,
                json_pack("{s:s,s:i,s:i,s:i,s:s,s:s,s:s}", "type", "hello", "v",
                          1, "shard", (int)c->shard, "count", (int)c->count,
                          "drill", c->drill, "nonce", l->nonce, "mac", mac));
}

static void on_welcome(ed__link_t *l, json_t *m) {
  ed_coord_t *c = l->c;
  if (!mac_ok(c, "welcome", l->nonce, c->shard,
              json_string_value(json_object_get(m, "mac")))) {
    snprintf(c->why_not, sizeof(c->why_not),
             "the peer at %s does not hold the token", c->address);
    ed__link_close(l);
    return;
  }
  l->authed = 1;
  journal(c, "coordination", json_pack("{s:s}", "what", "joined"));
  ed__coord_calls_send(c);
  if (c->self_ready && !c->ready_sent) {
    c->ready_sent = 1;
    send_type(l, "ready");
  }
}

static void on_ping(ed__link_t *l, json_t *m) {
  double t2 = ed__coord_wall();
  ed__link_send(l, json_pack("{s:s,s:O,s:f,s:f}", "type", "pong", "t1",
                             json_object_get(m, "t1"), "t2", t2, "t3",
                             ed__coord_wall()));
}

static void on_start(ed__link_t *l, json_t *m) {
  ed_coord_t *c = l->c;
  if (c->started || c->aborted)
    return;
  c->offset_s = json_number_value(json_object_get(m, "offset_s"));
  c->rtt_s = json_number_value(json_object_get(m, "rtt_s"));
  c->measured = 1;
  start_at(c, json_number_value(json_object_get(m, "at")), c->offset_s);
}

static void shard_message(ed__link_t *l, const char *type, json_t *m) {
  ed_coord_t *c = l->c;
  const char *why = json_string_value(json_object_get(m, "why"));
  if (strcmp(type, "challenge") == 0 && !l->authed) {
    send_hello(l, m);
  } else if (strcmp(type, "refused") == 0) {
    snprintf(c->why_not, sizeof(c->why_not),
             "the coordinator at %s refused this shard: %.160s", c->address,
             why ? why : "no reason given");
    ed__link_close(l);
    abort_here(c, c->why_not);
  } else if (!l->authed) {
    if (strcmp(type, "welcome") == 0)
      on_welcome(l, m);
  } else if (ed__coord_call_message(l, type, m)) {
    return;
  } else if (strcmp(type, "ping") == 0) {
    on_ping(l, m);
  } else if (strcmp(type, "start") == 0) {
    on_start(l, m);
  } else if (strcmp(type, "abort") == 0) {
    abort_here(c, why ? why : "the coordinator aborted the drill");
  }
}

void ed__coord_on_message(ed__link_t *l, const char *type, json_t *msg) {
  if (ed__coord_is_coordinator(l->c))
    coordinator_message(l, type, msg);
  else
    shard_message(l, type, msg);
}

void ed__coord_on_gone(ed__link_t *l, const char *why) {
  ed_coord_t *c = l->c;
  char text[512];
  if (ed__coord_is_coordinator(c)) {
    if (l->shard < 0 || l->ended)
      return;
    c->peers[l->shard].lost = 1;
    snprintf(text, sizeof(text), "shard %d of %u disappeared (%s)", l->shard,
             c->count, why);
    journal(c, "coordination",
            json_pack("{s:s,s:i,s:s}", "what", "lost", "shard", l->shard, "why",
                      why));
    abort_all(c, text, l->shard);
    return;
  }
  if (c->finishing)
    return;
  if (l->authed) {
    snprintf(text, sizeof(text),
             "the coordinator (shard 0 at %s) disappeared (%s)", c->address,
             why);
    abort_here(c, text);
  } else if (!c->why_not[0]) {
    snprintf(c->why_not, sizeof(c->why_not), "%s: %s", c->address, why);
  }
}

ed__link_t *ed__coord_uplink(ed_coord_t *c) {
  for (ed__link_t *l = c->links; l; l = l->next)
    if (l->authed && !l->closing)
      return l;
  return NULL;
}

/* ---- handles and the clock of the channel -------------------------------- */

static void maybe_closed(ed_coord_t *c) {
  if (!c->closing || c->handles > 0)
    return;
  void (*cb)(void *) = c->closed;
  void *arg = c->closed_arg;
  free(c->peers);
  free(c->token);
  free(c->drill);
  free(c->address);
  free(c);
  if (cb)
    cb(arg);
}

void ed__coord_on_closed(ed__link_t *l) {
  ed_coord_t *c = l->c;
  for (ed__link_t **pp = &c->links; *pp; pp = &(*pp)->next)
    if (*pp == l) {
      *pp = l->next;
      break;
    }
  if (l->shard > 0 && c->peers && c->peers[l->shard].link == l)
    c->peers[l->shard].link = NULL;
  free(l->buf);
  free(l);
  c->handles--;
  maybe_closed(c);
}

static void handle_closed(uv_handle_t *h) {
  ed_coord_t *c = h->data;
  c->handles--;
  maybe_closed(c);
}

static void close_all(ed_coord_t *c) {
  if (c->closing)
    return;
  c->closing = 1;
  ed__coord_calls_end(c, "the channel between the shards closed");
  uv_close((uv_handle_t *)&c->tick, handle_closed);
  uv_close((uv_handle_t *)&c->go, handle_closed);
  if (ed__coord_is_coordinator(c))
    uv_close((uv_handle_t *)&c->server, handle_closed);
  /* What is queued (a last "done" or "abort") goes out first, unless the
   * peer has stopped reading: then it is not waited for. */
  for (ed__link_t *l = c->links; l; l = l->next)
    if (l->authed && uv_stream_get_write_queue_size((uv_stream_t *)&l->tcp) <
                         ED__COORD_MAX_BACKLOG)
      ed__link_close_after_writes(l);
    else
      ed__link_close(l);
}

static void on_connect(uv_connect_t *req, int status) {
  ed__link_t *l = req->data;
  ed_coord_t *c = l->c;
  if (status == 0 && !c->closing && ed__link_start(l) == 0)
    return;
  if (status != 0 && status != UV_ECANCELED)
    snprintf(c->why_not, sizeof(c->why_not), "%s: %s", c->address,
             uv_strerror(status));
  ed__link_close(l);
}

static ed__link_t *add_link(ed_coord_t *c) {
  ed__link_t *l = ed__link_new(c);
  if (!l)
    return NULL;
  uv_tcp_init(c->loop, &l->tcp);
  c->handles++;
  l->next = c->links;
  c->links = l;
  return l;
}

static int resolve(ed_coord_t *c, char *err, size_t errlen);

static void try_connect(ed_coord_t *c) {
  if (!c->resolved && resolve(c, c->why_not, sizeof(c->why_not)) != 0)
    return; /* tried again at the next attempt, until the barrier's end */
  ed__link_t *l = add_link(c);
  if (!l)
    return;
  c->connect_req.data = l;
  int rc = uv_tcp_connect(&c->connect_req, &l->tcp,
                          (const struct sockaddr *)&c->addr, on_connect);
  if (rc != 0) {
    snprintf(c->why_not, sizeof(c->why_not), "%s: %s", c->address,
             uv_strerror(rc));
    ed__link_close(l);
  }
}

static void on_connection(uv_stream_t *server, int status) {
  ed_coord_t *c = server->data;
  if (status != 0 || c->closing)
    return;
  ed__link_t *l = add_link(c);
  if (!l)
    return;
  if (uv_accept(server, (uv_stream_t *)&l->tcp) != 0 ||
      new_nonce(l->nonce) != 0 || ed__link_start(l) != 0) {
    ed__link_close(l);
    return;
  }
  ed__link_send(l,
                json_pack("{s:s,s:s}", "type", "challenge", "nonce", l->nonce));
}

/* Every link that proved the token hears a beat each second, and one that
 * has been silent too long is gone. When this loop itself was held up
 * (the tick is late), silence is not judged this time: the beats may be
 * waiting unread. */
static void beat_and_listen(ed_coord_t *c, uint64_t now, int late) {
  int beat = now >= c->next_beat;
  if (beat)
    c->next_beat = now + BEAT_MS;
  ed__link_t *next;
  for (ed__link_t *l = c->links; l; l = next) {
    next = l->next;
    if (l->closing || l->ended)
      continue;
    if (!l->authed) {
      /* a peer gets as long to prove the token as a shard may be silent */
      if (l->born && now - l->born > c->silence_ms)
        ed__link_close(l);
      continue;
    }
    if (!late && now - l->heard > c->silence_ms) {
      char why[96];
      snprintf(why, sizeof(why), "nothing heard for %.1f s",
               (double)(now - l->heard) / 1000.0);
      ed__coord_on_gone(l, why);
      ed__link_close(l);
    } else if (beat) {
      send_type(l, "beat");
    }
  }
}

static void barrier_timeout(ed_coord_t *c) {
  char why[512];
  if (!ed__coord_is_coordinator(c)) {
    snprintf(why, sizeof(why), "no start from the coordinator within %g s (%s)",
             (double)(c->wait_ms + c->silence_ms) / 1000.0,
             c->why_not[0] ? c->why_not : "connected, no answer");
    abort_here(c, why);
    return;
  }
  size_t len = (size_t)snprintf(
      why, sizeof(why),
      "the start barrier waited %g s; not ready:", (double)c->wait_ms / 1000.0);
  for (unsigned i = 1; i < c->count && len < sizeof(why); i++) {
    const ed__peer_t *p = &c->peers[i];
    if (p->ready)
      continue;
    int n = snprintf(why + len, sizeof(why) - len, " shard %u (%s)", i,
                     p->joined ? "joined, not ready" : "never joined");
    if (n < 0)
      break;
    len += (size_t)n;
  }
  abort_all(c, why, -1);
}

static void on_tick(uv_timer_t *t) {
  ed_coord_t *c = t->data;
  uint64_t now = uv_now(c->loop);
  int late = c->last_tick && now - c->last_tick > c->silence_ms / 2;
  c->last_tick = now;
  if (c->closing)
    return;
  beat_and_listen(c, now, late);
  /* The coordinator judges the barrier; a shard gives it time to say so
   * before it gives up on it. */
  uint64_t wait =
      c->wait_ms + (ed__coord_is_coordinator(c) ? 0 : c->silence_ms);
  if (!c->started && !c->aborted && now - c->opened > wait) {
    barrier_timeout(c);
    return;
  }
  if (!ed__coord_is_coordinator(c) && !c->links && !c->aborted && !c->started &&
      !c->finishing && now >= c->next_connect) {
    c->next_connect = now + CONNECT_RETRY_MS;
    try_connect(c);
  }
  if (ed__coord_is_coordinator(c) && c->finishing) {
    for (unsigned i = 1; i < c->count; i++)
      if (c->peers[i].joined && !c->peers[i].ended && !c->peers[i].lost)
        return;
    close_all(c);
  }
}

/* ---- the interface --------------------------------------------------------
 */

/* 0; -1 when the address is not one (the user's error); -2 when its name
 * does not resolve (yet: a shard may start before the coordinator's name
 * is published, as in a Kubernetes Job). */
static int resolve(ed_coord_t *c, char *err, size_t errlen) {
  char host[256];
  int port;
  if (ed_hostport_split("--coordinator", c->address, host, sizeof(host), &port,
                        err, errlen) != 0)
    return -1;
  if (port == 0) {
    snprintf(err, errlen, "--coordinator: \"%s\": the port must not be 0",
             c->address);
    return -1;
  }
  uv_getaddrinfo_t req;
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
  char service[16];
  snprintf(service, sizeof(service), "%d", port);
  int rc = uv_getaddrinfo(c->loop, &req, NULL, host, service, &hints);
  if (rc != 0) {
    snprintf(err, errlen, "--coordinator: \"%s\": cannot resolve \"%s\": %s",
             c->address, host, uv_strerror(rc));
    return -2;
  }
  memcpy(&c->addr, req.addrinfo->ai_addr, req.addrinfo->ai_addrlen);
  uv_freeaddrinfo(req.addrinfo);
  c->resolved = 1;
  return 0;
}

static int check_config(const ed_coord_config_t *cfg, char *err,
                        size_t errlen) {
  if (cfg->count < 2 || cfg->shard >= cfg->count) {
    snprintf(err, errlen,
             "--coordinator needs --shard I/N with N of 2 or more");
    return -1;
  }
  size_t n = cfg->token ? strlen(cfg->token) : 0;
  if (n < 16) {
    snprintf(err, errlen,
             "--coordinator: the shared token is %s: it must have at least "
             "16 characters (EVENTDRILL_SHARD_TOKEN or --token-file)",
             n ? "too short" : "missing");
    return -1;
  }
  return 0;
}

static int listen_here(ed_coord_t *c, char *err, size_t errlen) {
  uv_tcp_init(c->loop, &c->server);
  c->server.data = c;
  c->handles++;
  int rc = uv_tcp_bind(&c->server, (const struct sockaddr *)&c->addr, 0);
  if (rc == 0)
    rc = uv_listen((uv_stream_t *)&c->server, 64, on_connection);
  if (rc != 0)
    snprintf(err, errlen, "--coordinator: cannot listen on %s: %s", c->address,
             uv_strerror(rc));
  return rc == 0 ? 0 : -1;
}

int ed_coord_open(uv_loop_t *loop, const ed_coord_config_t *cfg,
                  const ed_coord_events_t *ev, ed_coord_t **out, char *err,
                  size_t errlen) {
  *out = NULL;
  if (check_config(cfg, err, errlen) != 0)
    return -1;
  ed_coord_t *c = calloc(1, sizeof(*c));
  if (!c || !(c->peers = calloc(cfg->count, sizeof(ed__peer_t))) ||
      !(c->token = strdup(cfg->token)) ||
      !(c->drill = strdup(cfg->drill ? cfg->drill : "")) ||
      !(c->address = strdup(cfg->address))) {
    if (c) {
      free(c->peers);
      free(c->token);
      free(c->drill);
    }
    free(c);
    snprintf(err, errlen, "--coordinator: out of memory");
    return -1;
  }
  c->loop = loop;
  c->shard = cfg->shard;
  c->count = cfg->count;
  c->wait_ms = cfg->wait_ms ? cfg->wait_ms : 300000;
  c->silence_ms = cfg->silence_ms ? cfg->silence_ms : 10000;
  c->ev = *ev;
  c->measured = ed__coord_is_coordinator(c);
  uv_timer_init(loop, &c->tick);
  uv_timer_init(loop, &c->go);
  c->tick.data = c->go.data = c;
  c->handles = 2;
  c->opened = uv_now(loop);
  int rc = resolve(c, err, errlen);
  if (rc == -2 && !ed__coord_is_coordinator(c)) {
    snprintf(c->why_not, sizeof(c->why_not), "%s", err);
    rc = 0;
  }
  if (rc == 0 && ed__coord_is_coordinator(c))
    rc = listen_here(c, err, errlen);
  if (rc != 0) {
    close_all(c); /* freed once the handles are closed */
    return -1;
  }
  uv_timer_start(&c->tick, on_tick, 0, TICK_MS);
  *out = c;
  return 0;
}

void ed_coord_ready(ed_coord_t *c) {
  if (c->self_ready)
    return;
  c->self_ready = 1;
  if (ed__coord_is_coordinator(c)) {
    journal(c, "coordination",
            json_pack("{s:s,s:i}", "what", "ready", "shard", 0));
    maybe_start(c);
    return;
  }
  for (ed__link_t *l = c->links; l; l = l->next)
    if (l->authed && !l->closing && !c->ready_sent) {
      c->ready_sent = 1;
      send_type(l, "ready");
    }
}

void ed_coord_abort(ed_coord_t *c, const char *why) {
  if (c->aborted)
    return;
  c->aborted = 1;
  uv_timer_stop(&c->go);
  char text[512];
  snprintf(text, sizeof(text), "shard %u of %u aborted: %.400s", c->shard,
           c->count, why);
  if (ed__coord_is_coordinator(c)) {
    broadcast_abort(c, text, -1);
  } else {
    for (ed__link_t *l = c->links; l; l = l->next)
      if (l->authed && !l->closing)
        ed__link_send(l, json_pack("{s:s,s:s}", "type", "abort", "why", why));
  }
  ed__coord_calls_end(c, text);
}

void ed_coord_finish(ed_coord_t *c, void (*closed)(void *), void *arg) {
  c->closed = closed;
  c->closed_arg = arg;
  c->finishing = 1;
  uv_timer_stop(&c->go);
  if (ed__coord_is_coordinator(c)) {
    on_tick(&c->tick); /* closes now when every shard has ended */
    return;
  }
  for (ed__link_t *l = c->links; l; l = l->next)
    if (l->authed && !l->closing)
      send_type(l, "done");
  close_all(c);
}

int ed_coord_offset(const ed_coord_t *c, double *offset_s, double *rtt_s) {
  if (!c->measured)
    return -1;
  *offset_s = ed__coord_is_coordinator(c) ? 0 : c->offset_s;
  *rtt_s = ed__coord_is_coordinator(c) ? 0 : c->rtt_s;
  return 0;
}

json_t *ed_coord_shards(const ed_coord_t *c) {
  if (!ed__coord_is_coordinator(c))
    return NULL;
  json_t *a = json_array();
  for (unsigned i = 0; i < c->count; i++) {
    const ed__peer_t *p = &c->peers[i];
    int self = i == 0;
    json_array_append_new(
        a, json_pack("{s:i,s:f,s:f,s:b,s:b,s:b,s:b}", "shard", (int)i,
                     "offset_s", self ? 0.0 : p->offset_s, "rtt_s",
                     self ? 0.0 : p->rtt_s, "joined", self || p->joined,
                     "ready", self ? c->self_ready : p->ready, "ended",
                     p->ended, "lost", p->lost));
  }
  return a;
}
