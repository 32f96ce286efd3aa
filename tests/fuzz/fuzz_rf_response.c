/*
 * Fuzz target: the Redfish driver's response handling
 * (drivers/redfish/response.c): transfer and status classification, JSON
 * pointer lookup and extraction of a value from an untrusted body.
 *
 * Input layout: byte 0 selects the curl code, bytes 1-2 the status, byte 3
 * flags; then a JSON pointer up to the first NUL (at most 1 KiB), then the
 * body.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "response.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4)
    return 0;
  CURLcode rc = (CURLcode)(data[0] % (CURL_LAST + 1));
  long status = (long)(data[1] | (data[2] << 8)) - 100;
  long expect = (data[3] & 0x80) ? status : (data[3] & 0x40) ? 200 : 0;
  ed_errclass_t c = ed__rf_curl_class(rc, status, data[3] & 1);
  if ((unsigned)c >= ED_ERRCLASS_COUNT)
    abort();
  c = ed__rf_status_class(status, expect);
  if ((unsigned)c >= ED_ERRCLASS_COUNT)
    abort();
  data += 4;
  size -= 4;
  const uint8_t *nul = memchr(data, 0, size < 1024 ? size : 1024);
  if (!nul)
    return 0;
  const char *ptr = (const char *)data;
  size_t plen = (size_t)(nul - data) + 1;
  /* The body is copied to an exact-size buffer: ASan catches any read past
   * len (the body need not be NUL-terminated). */
  size_t blen = size - plen;
  char *body = malloc(blen ? blen : 1);
  if (!body)
    return 0;
  memcpy(body, data + plen, blen);
  char detail[256];
  char *value = NULL;
  size_t vlen = 0;
  c = ed__rf_extract(body, blen, ptr, &value, &vlen, detail, sizeof(detail));
  if (c == ED_ERRCLASS_NONE) {
    if (!value || strlen(value) != vlen)
      abort();
    free(value);
  } else if (memchr(detail, 0, sizeof(detail)) == NULL) {
    abort();
  }
  value = NULL;
  c = ed__rf_extract_string(body, blen, ptr, &value, detail, sizeof(detail));
  if (c == ED_ERRCLASS_NONE)
    free(value);
  free(body);
  return 0;
}
