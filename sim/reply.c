#include "reply.h"

#include "../core/base/error.h"
#include "mockup.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ed__sim_response_free(ed__sim_response_t *resp) {
  if (resp == NULL)
    return;
  free(resp->body);
  free(resp->location);
  if (resp->auth_token != NULL)
    explicit_bzero(resp->auth_token, strlen(resp->auth_token));
  free(resp->auth_token);
  free(resp->etag);
  free(resp->allow);
  memset(resp, 0, sizeof(*resp));
}

typedef struct msg_info_s {
  const char *id;
  const char *severity;
  const char *resolution;
} msg_info_t;

static const msg_info_t msg_infos[] = {
    {"Success", "OK", "None."},
    {"ResourceNotFound", "Critical",
     "Provide a valid resource identifier and resubmit the request."},
    {"ResourceMissingAtURI", "Critical",
     "Place a valid resource at the URI or correct the URI and resubmit."},
    {"NoValidSession", "Critical",
     "Establish a session before attempting any operations."},
    {"OperationNotAllowed", "Critical",
     "Use a method this resource allows (see the Allow header)."},
    {"PreconditionFailed", "Critical",
     "Get the resource again for its current ETag and resubmit."},
    {"MalformedJSON", "Critical",
     "Ensure that the request body is valid JSON and resubmit the request."},
    {"PropertyUnknown", "Warning",
     "Remove the unknown property from the request body and resubmit."},
    {"PropertyNotWritable", "Warning",
     "Remove the property from the request body and resubmit."},
    {"PropertyValueTypeError", "Warning",
     "Correct the value for the property in the request body and resubmit."},
    {"PropertyValueNotInList", "Warning",
     "Choose a value from the enumeration list and resubmit."},
    {"PropertyMissing", "Warning",
     "Ensure that the property is in the request body and resubmit."},
    {"ActionParameterMissing", "Critical",
     "Supply the action with the required parameter and resubmit."},
    {"ActionParameterValueNotInList", "Warning",
     "Choose a value from the AllowableValues list and resubmit."},
    {"ActionNotSupported", "Critical",
     "The action supplied cannot be resubmitted to the implementation."},
    {"SessionLimitExceeded", "Critical",
     "Reduce the number of other sessions before trying again."},
    {"ServiceTemporarilyUnavailable", "Critical",
     "Wait for the indicated retry duration and retry the operation."},
    {"InternalError", "Critical", "Resubmit the request."},
};

static const msg_info_t *msg_info(const char *message_id) {
  const char *dot = strrchr(message_id, '.');
  const char *id = dot ? dot + 1 : message_id;
  for (size_t i = 0; i < sizeof(msg_infos) / sizeof(msg_infos[0]); i++)
    if (strcmp(msg_infos[i].id, id) == 0)
      return &msg_infos[i];
  return NULL;
}

static int set_body_json(ed__sim_response_t *resp, json_t *j) {
  resp->body = j ? ed__mockup_dump(j, &resp->body_len) : NULL;
  json_decref(j);
  return resp->body ? 0 : ED_ENOMEM;
}

int ed__sim_error_response(ed__sim_response_t *resp, int status,
                           const char *message_id, const char *message) {
  memset(resp, 0, sizeof(*resp));
  resp->status = status;
  const msg_info_t *mi = msg_info(message_id);
  json_t *j = json_pack(
      "{s:{s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:s}]}}", "error", "code",
      message_id, "message", message, "@Message.ExtendedInfo", "@odata.type",
      "#Message.v1_1_1.Message", "MessageId", message_id, "Message", message,
      "Severity", mi ? mi->severity : "Critical", "Resolution",
      mi ? mi->resolution : "None.");
  return set_body_json(resp, j);
}

/* Replaces whatever resp holds with a Base registry error. */
int ed__reply_fail(ed__sim_response_t *resp, int status, const char *id,
                   const char *fmt, ...) {
  char mid[96], msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  snprintf(mid, sizeof(mid), ED__BASE_REG "%s", id);
  ed__sim_response_free(resp);
  return ed__sim_error_response(resp, status, mid, msg);
}

int ed__reply_not_allowed(ed__sim_response_t *resp, const char *path,
                          size_t len, const char *method, const char *allow) {
  int rc = ed__reply_fail(resp, 405, "OperationNotAllowed",
                          "The method %s is not allowed on %.*s.", method,
                          (int)len, path);
  resp->allow = strdup(allow);
  return resp->allow ? rc : ED_ENOMEM;
}

int ed__reply_not_found(ed__sim_response_t *resp, const char *path,
                        size_t len) {
  return ed__reply_fail(resp, 404, "ResourceMissingAtURI",
                        "The resource at the URI %.*s was not found.", (int)len,
                        path);
}

/* Answers with a copy of text (served as is, cached by the caller). */
int ed__reply_text(ed__sim_response_t *resp, int status, const char *text,
                   size_t len, const char *etag) {
  resp->status = status;
  resp->body = malloc(len + 1);
  resp->etag = etag ? strdup(etag) : NULL;
  if (resp->body == NULL || (etag && resp->etag == NULL))
    return ED_ENOMEM;
  memcpy(resp->body, text, len + 1);
  resp->body_len = len;
  return 0;
}

/* Answers with json (stolen), its ETag computed from the text. */
int ed__reply_json(ed__sim_response_t *resp, int status, json_t *j) {
  resp->status = status;
  if (set_body_json(resp, j) < 0)
    return ED_ENOMEM;
  char etag[ED__ETAG_LEN];
  ed__mockup_etag(resp->body, resp->body_len, etag);
  resp->etag = strdup(etag);
  return resp->etag ? 0 : ED_ENOMEM;
}
