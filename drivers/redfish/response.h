/*
 * response: turn a finished Redfish transfer into an ed_result_t class, and
 * extract values from JSON bodies by JSON pointer (RFC 6901). Pure functions:
 * no I/O, no state, so they are unit-tested and fuzzed alone.
 */
#ifndef ED_REDFISH_RESPONSE_H
#define ED_REDFISH_RESPONSE_H

#include <curl/curl.h>
#include <jansson.h>
#include <stddef.h>

#include "eventdrill/driver.h"

/* Class of a transfer that curl ended with rc. status is the HTTP status seen
 * (0 when none), too_large whether the driver's own body cap stopped it. Only
 * transport-level classes: ED_ERRCLASS_NONE when rc is CURLE_OK. */
ed_errclass_t ed__rf_curl_class(CURLcode rc, long status, int too_large);

/* Class of a complete HTTP answer with this status. expect is the status the
 * operation asked for, or 0 for "any 1xx-3xx". 401 and 403 are auth. */
ed_errclass_t ed__rf_status_class(long status, long expect);

/* Find the value at pointer ptr ("" = the whole document) in root. Returns a
 * borrowed reference (owned by root) in *out and 0, or -ENOENT when no such
 * value, -EINVAL when ptr is not a JSON pointer. */
int ed__rf_json_pointer(json_t *root, const char *ptr, json_t **out);

/* Parse body (len bytes, need not be NUL-terminated) and extract the value at
 * ptr as compact JSON text. On success returns ED_ERRCLASS_NONE and *value is
 * malloc()ed and owned by the caller (free()). Otherwise returns
 * ED_ERRCLASS_BAD_JSON (not JSON, or no value at ptr) and writes a short
 * reason into detail. */
ed_errclass_t ed__rf_extract(const char *body, size_t len, const char *ptr,
                             char **value, size_t *value_len, char *detail,
                             size_t detail_len);

/* Like ed__rf_extract but for a string value, e.g. "@odata.id": *value is a
 * malloc()ed copy owned by the caller. */
ed_errclass_t ed__rf_extract_string(const char *body, size_t len,
                                    const char *ptr, char **value, char *detail,
                                    size_t detail_len);

#endif
