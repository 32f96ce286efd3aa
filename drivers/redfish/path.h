/*
 * path: Redfish path templates and URLs. A path may contain "{first}" as a
 * whole segment: the first member of the collection before it, discovered at
 * run time. Pure string helpers, unit-tested alone.
 */
#ifndef ED_REDFISH_PATH_H
#define ED_REDFISH_PATH_H

#include <stddef.h>

/* Find the first "{first}" segment of path. Returns 1 and writes the
 * collection path before it into coll (NUL-terminated) and the text after it
 * into *rest (borrowed from path); 0 when path has none; -EINVAL when
 * "{first}" is not a whole segment, has no collection before it, or coll is
 * too small. */
int ed__rf_path_first(const char *path, char *coll, size_t cap,
                      const char **rest);

/* The path part of a URI reference: "/a/b" for "https://h:1/a/b" and for
 * "/a/b". Borrowed from uri; NULL when there is none. */
const char *ed__rf_path_of(const char *uri);

/* scheme://authority of url, without a trailing path, as a malloc()ed string
 * owned by the caller; NULL when url is not http:// or https://. */
char *ed__rf_url_base(const char *url);

/* 1 when the host of base (scheme://authority, as ed__rf_url_base returns)
 * is a numeric IPv4 or bracketed IPv6 address, else 0. */
int ed__rf_url_numeric_host(const char *base);

/* a followed by b, malloc()ed, owned by the caller; NULL on no memory. */
char *ed__rf_concat(const char *a, const char *b);

#endif
