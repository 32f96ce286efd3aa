/*
 * overlay: the resources one virtual BMC has changed (a client's PATCH, or
 * the operator's "patch" through the control channel), each a private copy
 * of the template's JSON with its text and ETag. An untouched BMC has an
 * empty overlay and shares every resource with its fleet.
 */
#ifndef ED_SIM_OVERLAY_H
#define ED_SIM_OVERLAY_H

#include "mockup.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ed__ov_ent_s {
  uint32_t res; /* index in the template */
  json_t *json; /* owned */
  char *text;   /* owned, json serialised */
  size_t text_len;
  char etag[ED__ETAG_LEN];
} ed__ov_ent_t;

/* Caller-allocated (_init/_close). Few entries per BMC: a plain array. */
typedef struct ed__overlay_s {
  ed__ov_ent_t *v; /* owned */
  size_t n;
} ed__overlay_t;

/* Why a PATCH was refused (the property is reported alongside). */
typedef enum {
  ED__PATCH_OK = 0,
  ED__PATCH_UNKNOWN,      /* PropertyUnknown */
  ED__PATCH_NOT_WRITABLE, /* PropertyNotWritable */
  ED__PATCH_TYPE,         /* PropertyValueTypeError */
  ED__PATCH_NOT_IN_LIST,  /* PropertyValueNotInList */
} ed__patch_err_t;

void ed__overlay_init(ed__overlay_t *ov);
void ed__overlay_close(ed__overlay_t *ov);
/* This BMC's copy of resource res, or NULL if unchanged (borrowed). */
const ed__ov_ent_t *ed__overlay_get(const ed__overlay_t *ov, uint32_t res);
/* Whether resource r accepts PATCH at all. */
bool ed__overlay_patchable(const ed__mres_t *r);
/* Check every property of patch (an object) against resource res, then
 * apply all of them or none. On a refusal returns ED_EINVAL, *why and
 * *bad_prop (borrowed from patch). 0 or ED_ENOMEM otherwise. */
int ed__overlay_patch(ed__overlay_t *ov, const ed__mockup_t *m, uint32_t res,
                      json_t *patch, ed__patch_err_t *why,
                      const char **bad_prop);
/* The operator's hand: set the value at pointer (RFC 6901: "/A/0/B", with
 * ~1 for '/' and ~0 for '~') in this BMC's copy of resource res, made on
 * the first change. Every token but the last must exist; the last may name
 * a new key of an object, an element of an array, or "-" to append to one.
 * value is copied; nothing is checked against a schema. On a refusal
 * returns ED_EINVAL with "<pointer prefix>: <why>" in errbuf and changes
 * nothing; ED_ENOMEM otherwise, or 0. */
int ed__overlay_set(ed__overlay_t *ov, const ed__mockup_t *m, uint32_t res,
                    const char *pointer, const json_t *value, char *errbuf,
                    size_t errlen);
size_t ed__overlay_footprint(const ed__overlay_t *ov);

#endif
