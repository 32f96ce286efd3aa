/* Splitting an address given on the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostport.h"

int ed_hostport_split(const char *what, const char *text, char *host,
                      size_t hostlen, int *port, char *err, size_t errlen) {
  const char *p = text;
  const char *colon = strrchr(text, ':');
  snprintf(host, hostlen, "127.0.0.1");
  if (colon) {
    const char *h = text;
    size_t hl = (size_t)(colon - text);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
      h++;
      hl -= 2;
    }
    if (hl == 0 || hl >= hostlen) {
      snprintf(err, errlen, "%s: \"%s\": no address before the port", what,
               text);
      return -1;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    p = colon + 1;
  }
  char *end;
  long n = strtol(p, &end, 10);
  if (!*p || *end || n < 0 || n > 65535) {
    snprintf(err, errlen, "%s: \"%s\": the port must be a number in 0..65535",
             what, text);
    return -1;
  }
  *port = (int)n;
  return 0;
}
