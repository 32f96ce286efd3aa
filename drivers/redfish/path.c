/* path: see path.h. */
#include "path.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_SEG "{first}"

int ed__rf_path_first(const char *path, char *coll, size_t cap,
                      const char **rest) {
  const char *at = strstr(path, FIRST_SEG);
  if (!at)
    return 0;
  const char *after = at + sizeof(FIRST_SEG) - 1;
  if (at == path || at[-1] != '/' || (*after != '\0' && *after != '/'))
    return -EINVAL;
  size_t n = (size_t)(at - 1 - path);
  if (n == 0 || n + 1 > cap)
    return -EINVAL;
  memcpy(coll, path, n);
  coll[n] = '\0';
  *rest = after;
  return 1;
}

const char *ed__rf_path_of(const char *uri) {
  if (uri[0] == '/')
    return uri;
  const char *s = strstr(uri, "://");
  if (!s)
    return NULL;
  return strchr(s + 3, '/');
}

char *ed__rf_url_base(const char *url) {
  size_t skip;
  if (strncmp(url, "http://", 7) == 0)
    skip = 7;
  else if (strncmp(url, "https://", 8) == 0)
    skip = 8;
  else
    return NULL;
  const char *end = strchr(url + skip, '/');
  size_t n = end ? (size_t)(end - url) : strlen(url);
  if (n == skip)
    return NULL;
  return strndup(url, n);
}

int ed__rf_url_numeric_host(const char *base) {
  const char *h = strstr(base, "://");
  char host[64];
  unsigned char addr[16];
  if (!h)
    return 0;
  h += 3;
  const char *at = strrchr(h, '@'); /* user info is no part of the host */
  if (at)
    h = at + 1;
  size_t n;
  int af = AF_INET;
  if (*h == '[') {
    const char *end = strchr(++h, ']');
    if (!end)
      return 0;
    n = (size_t)(end - h);
    af = AF_INET6;
  } else {
    n = strcspn(h, ":/");
  }
  if (n == 0 || n >= sizeof(host))
    return 0;
  memcpy(host, h, n);
  host[n] = '\0';
  return inet_pton(af, host, addr) == 1;
}

char *ed__rf_concat(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  char *s = malloc(la + lb + 1);
  if (s) {
    memcpy(s, a, la);
    memcpy(s + la, b, lb + 1);
  }
  return s;
}
