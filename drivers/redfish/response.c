/* response: see response.h. */
#include "response.h"

#include <eventdrill/json_wide.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ed_errclass_t ed__rf_curl_class(CURLcode rc, long status, int too_large) {
  if (too_large)
    return ED_ERRCLASS_TOO_LARGE;
  switch (rc) {
  case CURLE_OK:
    return ED_ERRCLASS_NONE;
  case CURLE_COULDNT_CONNECT:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_SEND_ERROR:
    return ED_ERRCLASS_CONNECT;
  case CURLE_GOT_NOTHING:
    /* Closed or reset before any byte of an answer. */
    return ED_ERRCLASS_CONNECT;
  case CURLE_RECV_ERROR:
    /* A reset before the status line is a connection failure; after it, the
     * answer was cut short. */
    return status == 0 ? ED_ERRCLASS_CONNECT : ED_ERRCLASS_PROTOCOL;
  case CURLE_OPERATION_TIMEDOUT:
    return ED_ERRCLASS_TIMEOUT;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
  case CURLE_SSL_CRL_BADFILE:
  case CURLE_SSL_SHUTDOWN_FAILED:
  case CURLE_SSL_ENGINE_NOTFOUND:
  case CURLE_SSL_ENGINE_SETFAILED:
  case CURLE_SSL_ENGINE_INITFAILED:
  case CURLE_USE_SSL_FAILED:
    return ED_ERRCLASS_TLS;
  case CURLE_FILESIZE_EXCEEDED:
    return ED_ERRCLASS_TOO_LARGE;
  case CURLE_WEIRD_SERVER_REPLY:
  case CURLE_PARTIAL_FILE:
  case CURLE_BAD_CONTENT_ENCODING:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
  case CURLE_HTTP3:
  case CURLE_UNSUPPORTED_PROTOCOL:
  case CURLE_TOO_MANY_REDIRECTS:
    return ED_ERRCLASS_PROTOCOL;
  case CURLE_ABORTED_BY_CALLBACK:
    return ED_ERRCLASS_CANCELLED;
  default:
    return ED_ERRCLASS_OTHER;
  }
}

ed_errclass_t ed__rf_status_class(long status, long expect) {
  if (status < 100 || status > 599)
    return ED_ERRCLASS_PROTOCOL;
  if (expect > 0 && status == expect)
    return ED_ERRCLASS_NONE;
  if (status == 401 || status == 403)
    return ED_ERRCLASS_AUTH;
  if (status >= 500)
    return ED_ERRCLASS_HTTP_5XX;
  if (status >= 400)
    return ED_ERRCLASS_HTTP_4XX;
  /* A success, but not the one the operation expects. */
  return expect > 0 ? ED_ERRCLASS_OTHER : ED_ERRCLASS_NONE;
}

/* Decode one reference token [s, end) of a pointer into tok (~1 -> /,
 * ~0 -> ~). Returns the decoded length or -EINVAL. */
static int decode_token(const char *s, const char *end, char *tok, size_t cap) {
  size_t n = 0;
  for (; s < end; s++) {
    char c = *s;
    if (c == '~') {
      if (s + 1 >= end || (s[1] != '0' && s[1] != '1'))
        return -EINVAL;
      c = s[1] == '0' ? '~' : '/';
      s++;
    }
    if (n + 1 >= cap)
      return -EINVAL;
    tok[n++] = c;
  }
  tok[n] = '\0';
  return (int)n;
}

/* Array index per RFC 6901: "0" or digits without a leading zero. */
static int parse_index(const char *tok, size_t *idx) {
  if (tok[0] == '\0' || (tok[0] == '0' && tok[1] != '\0'))
    return -ENOENT;
  size_t v = 0;
  for (const char *p = tok; *p; p++) {
    if (*p < '0' || *p > '9' || v > (SIZE_MAX - 9) / 10)
      return -ENOENT;
    v = v * 10 + (size_t)(*p - '0');
  }
  *idx = v;
  return 0;
}

int ed__rf_json_pointer(json_t *root, const char *ptr, json_t **out) {
  char tok[512];
  json_t *cur = root;
  if (ptr[0] != '\0' && ptr[0] != '/')
    return -EINVAL;
  const char *p = ptr;
  while (*p == '/') {
    const char *start = p + 1;
    const char *end = strchr(start, '/');
    if (!end)
      end = start + strlen(start);
    if (decode_token(start, end, tok, sizeof(tok)) < 0)
      return -EINVAL;
    if (json_is_object(cur)) {
      cur = json_object_get(cur, tok);
    } else if (json_is_array(cur)) {
      size_t idx;
      if (parse_index(tok, &idx) < 0)
        return -ENOENT;
      cur = json_array_get(cur, idx);
    } else {
      cur = NULL;
    }
    if (!cur)
      return -ENOENT;
    p = end;
  }
  *out = cur;
  return 0;
}

/* Parse and look up; *root must be json_decref()ed by the caller when set. */
static ed_errclass_t lookup(const char *body, size_t len, const char *ptr,
                            json_t **root, json_t **val, char *detail,
                            size_t dlen) {
  json_error_t jerr;
  *root = ed_json_loadb_wide(body, len, JSON_DECODE_ANY, &jerr);
  if (!*root) {
    snprintf(detail, dlen, "body is not JSON: %s at byte %d", jerr.text,
             jerr.position);
    return ED_ERRCLASS_BAD_JSON;
  }
  int rc = ed__rf_json_pointer(*root, ptr, val);
  if (rc == 0)
    return ED_ERRCLASS_NONE;
  snprintf(detail, dlen,
           rc == -EINVAL ? "invalid JSON pointer %.200s" : "no value at %.200s",
           ptr);
  return ED_ERRCLASS_BAD_JSON;
}

ed_errclass_t ed__rf_extract(const char *body, size_t len, const char *ptr,
                             char **value, size_t *value_len, char *detail,
                             size_t detail_len) {
  json_t *root, *val;
  ed_errclass_t c = lookup(body, len, ptr, &root, &val, detail, detail_len);
  if (c == ED_ERRCLASS_NONE) {
    *value = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!*value) {
      snprintf(detail, detail_len, "out of memory");
      c = ED_ERRCLASS_OTHER;
    } else {
      *value_len = strlen(*value);
    }
  }
  json_decref(root);
  return c;
}

ed_errclass_t ed__rf_extract_string(const char *body, size_t len,
                                    const char *ptr, char **value, char *detail,
                                    size_t detail_len) {
  json_t *root, *val;
  ed_errclass_t c = lookup(body, len, ptr, &root, &val, detail, detail_len);
  if (c == ED_ERRCLASS_NONE) {
    if (!json_is_string(val)) {
      snprintf(detail, detail_len, "value at %.200s is not a string", ptr);
      c = ED_ERRCLASS_BAD_JSON;
    } else if (!(*value = strdup(json_string_value(val)))) {
      snprintf(detail, detail_len, "out of memory");
      c = ED_ERRCLASS_OTHER;
    }
  }
  json_decref(root);
  return c;
}
