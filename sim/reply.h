/*
 * reply: building a virtual BMC's answers (ed__sim_response_t): JSON
 * bodies with their ETag, and Redfish error bodies from the Base registry.
 * Also implements ed__sim_error_response and ed__sim_response_free of
 * service.h.
 */
#ifndef ED_SIM_REPLY_H
#define ED_SIM_REPLY_H

#include "service.h"

#include <jansson.h>
#include <stddef.h>

/* Prefix of every message id this simulator emits. */
#define ED__BASE_REG "Base.1.16."

/* Replace whatever resp holds with a Base registry error: id is the bare
 * message id ("PropertyUnknown"). The message must hold no secret. Returns 0
 * or ED_ENOMEM. */
int ed__reply_fail(ed__sim_response_t *resp, int status, const char *id,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* 405 with an Allow header (allow is copied). */
int ed__reply_not_allowed(ed__sim_response_t *resp, const char *path,
                          size_t len, const char *method, const char *allow);
/* 404 ResourceMissingAtURI. */
int ed__reply_not_found(ed__sim_response_t *resp, const char *path, size_t len);
/* Body = a copy of text (len bytes + NUL), ETag = a copy of etag (may be
 * NULL). */
int ed__reply_text(ed__sim_response_t *resp, int status, const char *text,
                   size_t len, const char *etag);
/* Body = j serialised, ETag computed; j is stolen (NULL -> ED_ENOMEM). */
int ed__reply_json(ed__sim_response_t *resp, int status, json_t *j);

#endif
