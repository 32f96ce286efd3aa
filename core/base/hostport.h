/*
 * hostport: "HOST:PORT", "[V6]:PORT" or a bare "PORT" (which means
 * 127.0.0.1: a listener is on loopback unless told otherwise), as the
 * command line's --metrics and --coordinator take them.
 */
#ifndef ED_HOSTPORT_H
#define ED_HOSTPORT_H

#include <stddef.h>

/* Split text into host (brackets removed) and port (0..65535). 0, or -1
 * with an error that starts with what (the flag's name) in err. */
int ed_hostport_split(const char *what, const char *text, char *host,
                      size_t hostlen, int *port, char *err, size_t errlen);

#endif
