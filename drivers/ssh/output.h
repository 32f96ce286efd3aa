/*
 * output: the pure parts of the SSH driver, with no libssh in them: bounded
 * output buffers, shaping a command's output into a result value, numbers,
 * shell quoting and the host-key messages. Unit-tested in
 * tests/unit/ssh_output.c.
 */
#ifndef ED_SSH_OUTPUT_H
#define ED_SSH_OUTPUT_H

#include <stddef.h>

/* A growing buffer that keeps at most `max` bytes and remembers that more
 * came. Caller-allocated; ed__ssh_buf_close frees its data. */
typedef struct ed__ssh_buf_s {
  char *data; /* owned; NUL-terminated when not NULL */
  size_t len, cap, max;
  int truncated; /* more than max bytes arrived */
} ed__ssh_buf_t;

void ed__ssh_buf_init(ed__ssh_buf_t *b, size_t max);
/* Append n bytes, keeping at most max in all. Returns 0, or -1 when out of
 * memory. */
int ed__ssh_buf_append(ed__ssh_buf_t *b, const char *p, size_t n);
void ed__ssh_buf_close(ed__ssh_buf_t *b);

/* What a command's result value is. */
typedef enum {
  ED_SSH_OUT_STDOUT = 0, /* stdout as a JSON string, trailing newlines cut */
  ED_SSH_OUT_STDERR,     /* the same for stderr */
  ED_SSH_OUT_JSON, /* {"exit":n,"stdout":"…","stderr":"…","truncated":b} */
  ED_SSH_OUT_NUMBER, /* stdout parsed as a number ("42", " 3.5\n", "87%") */
  ED_SSH_OUT_NONE    /* no value (upload) */
} ed__ssh_out_t;

/* "stdout", "stderr", "json", "number" -> the mode; -1 for anything else. */
int ed__ssh_output_mode(const char *s);

/* Parse text as a number: blanks around it, an optional trailing '%'.
 * Returns 0 and sets *out, or -1 when it is not one finite number. */
int ed__ssh_parse_number(const char *p, size_t n, double *out);

/* The result value of a command as malloc'd JSON text in *value (NULL for
 * ED_SSH_OUT_NONE). Returns 0; -1 when stdout is not a number in NUMBER mode
 * (a reason in errbuf, *value NULL); -2 when out of memory. Invalid UTF-8 is
 * replaced by U+FFFD so that any output makes valid JSON. */
int ed__ssh_shape(ed__ssh_out_t mode, int exit_status, const ed__ssh_buf_t *out,
                  const ed__ssh_buf_t *err, char **value, char *errbuf,
                  size_t errlen);

/* Commands run as ED_SSH_PID_PREFIX COMMAND: the login shell first tells
 * its pid (the session's process group: sshd makes it a session leader) on
 * stderr, so that a command past its deadline can be killed with its
 * children even where sshd refuses "signal" requests (root logins). */
#define ED_SSH_PID_PREFIX "printf 'edssh-pid:%d\\n' $$ >&2; "

/* Take the pid line from the start of err: the pid, or -1 when there is
 * none (then err is left as it is). */
long ed__ssh_take_pid(ed__ssh_buf_t *err);

/* s quoted for a POSIX shell ('…', with ' as '\''). Malloc'd; NULL when out
 * of memory. */
char *ed__ssh_shell_quote(const char *s);

/* The read-only shell command that proves, without running it, that a
 * state-changing operation could run (op_check): for "run", the program
 * the command starts with is found (`command -v`) and, when the command
 * starts with sudo, `sudo -n true` passes (sudo would not ask for a
 * password); for "upload", the file's folder exists and is writable, and
 * the file, if there, too. It exits 0 when the operation would run, else
 * non-zero with the reason on stderr. arg is the command (run) or the
 * file's path (upload). Malloc'd; NULL when out of memory or for another
 * op. */
char *ed__ssh_proof_command(const char *op, const char *arg);

/* A file mode written in octal ("0644", "755"): 0 and *mode, or -1. */
int ed__ssh_parse_mode(const char *s, unsigned *mode);

/* States of a host key, as the driver saw it. */
typedef enum {
  ED_SSH_HK_UNKNOWN = 1, /* not in the known_hosts file (or no such file) */
  ED_SSH_HK_CHANGED,     /* the file has another key for this host */
  ED_SSH_HK_OTHER_TYPE,  /* the file has a key of another type for it */
  ED_SSH_HK_PIN_CHANGED  /* accepted unknown at first, another one now */
} ed__ssh_hk_t;

/* The message refusing a host key: names the host, the key type and its
 * SHA256 fingerprint, the known_hosts file (NULL = libssh's default), and
 * what to do. */
void ed__ssh_hostkey_message(char *buf, size_t len, ed__ssh_hk_t state,
                             const char *host, int port, const char *keytype,
                             const char *fingerprint, const char *known_hosts);

#endif
