/* Unit tests of drivers/ssh/output.c: bounded buffers, values, numbers,
 * the pid line, quoting, file modes and host-key messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "output.h"

static void fill(ed__ssh_buf_t *b, size_t max, const char *s) {
  ed__ssh_buf_init(b, max);
  assert_int_equal(ed__ssh_buf_append(b, s, strlen(s)), 0);
}

static void test_truncation(void **state) {
  (void)state;
  ed__ssh_buf_t b;
  fill(&b, 5, "1\n2\n");
  assert_false(b.truncated);
  assert_int_equal(ed__ssh_buf_append(&b, "3\n4\n", 4), 0);
  assert_true(b.truncated);
  assert_int_equal(b.len, 5);
  assert_string_equal(b.data, "1\n2\n3");
  ed__ssh_buf_close(&b);
}

static void shape_is(ed__ssh_out_t mode, const char *out, const char *err,
                     size_t max, const char *want) {
  ed__ssh_buf_t o, e;
  char *v = NULL, why[128] = "";
  fill(&o, max, out);
  fill(&e, max, err);
  assert_int_equal(ed__ssh_shape(mode, 3, &o, &e, &v, why, sizeof(why)), 0);
  assert_string_equal(v, want);
  free(v);
  ed__ssh_buf_close(&o);
  ed__ssh_buf_close(&e);
}

static void test_shape(void **state) {
  (void)state;
  shape_is(ED_SSH_OUT_STDOUT, "active\n", "", 100, "\"active\"");
  shape_is(ED_SSH_OUT_STDOUT, "a\r\n\n", "", 100, "\"a\"");
  shape_is(ED_SSH_OUT_STDERR, "x", "oops\n", 100, "\"oops\"");
  shape_is(ED_SSH_OUT_NUMBER, " 87%\n", "", 100, "87");
  shape_is(ED_SSH_OUT_NUMBER, "0.25\n", "", 100, "0.25");
  shape_is(ED_SSH_OUT_JSON, "out\n", "err", 100,
           "{\"exit\":3,\"stdout\":\"out\\n\",\"stderr\":\"err\","
           "\"truncated\":false}");
  shape_is(
      ED_SSH_OUT_JSON, "abcdef", "", 3,
      "{\"exit\":3,\"stdout\":\"abc\",\"stderr\":\"\",\"truncated\":true}");
  /* invalid UTF-8 becomes U+FFFD, still valid JSON */
  shape_is(ED_SSH_OUT_STDOUT, "a\xff", "", 100, "\"a\xef\xbf\xbd\"");
}

static void test_not_a_number(void **state) {
  (void)state;
  ed__ssh_buf_t o, e;
  char *v = NULL, why[128] = "";
  fill(&o, 100, "active\n");
  fill(&e, 100, "");
  assert_int_equal(
      ed__ssh_shape(ED_SSH_OUT_NUMBER, 0, &o, &e, &v, why, sizeof(why)), -1);
  assert_null(v);
  assert_non_null(strstr(why, "not a number: \"active\""));
  ed__ssh_buf_close(&o);
  ed__ssh_buf_close(&e);
  double d;
  assert_int_equal(ed__ssh_parse_number("inf", 3, &d), -1);
  assert_int_equal(ed__ssh_parse_number("0x10", 4, &d), -1);
  assert_int_equal(ed__ssh_parse_number("", 0, &d), -1);
  assert_int_equal(ed__ssh_parse_number("1 2", 3, &d), -1);
  assert_int_equal(ed__ssh_parse_number("-1.5e2", 6, &d), 0);
  assert_true(d == -150.0);
}

static void test_modes(void **state) {
  (void)state;
  assert_int_equal(ed__ssh_output_mode(NULL), ED_SSH_OUT_STDOUT);
  assert_int_equal(ed__ssh_output_mode("number"), ED_SSH_OUT_NUMBER);
  assert_int_equal(ed__ssh_output_mode("json"), ED_SSH_OUT_JSON);
  assert_int_equal(ed__ssh_output_mode("text"), -1);
  unsigned m;
  assert_int_equal(ed__ssh_parse_mode("0755", &m), 0);
  assert_int_equal(m, 0755);
  assert_int_equal(ed__ssh_parse_mode("644", &m), 0);
  assert_int_equal(m, 0644);
  assert_int_equal(ed__ssh_parse_mode("0855", &m), -1);
  assert_int_equal(ed__ssh_parse_mode("", &m), -1);
  assert_int_equal(ed__ssh_parse_mode("07777", &m), -1);
}

static void test_pid_line(void **state) {
  (void)state;
  ed__ssh_buf_t e;
  fill(&e, 100, "edssh-pid:4242\nboom\n");
  assert_int_equal(ed__ssh_take_pid(&e), 4242);
  assert_string_equal(e.data, "boom\n");
  assert_int_equal(e.len, 5);
  assert_int_equal(ed__ssh_take_pid(&e), -1);
  ed__ssh_buf_close(&e);
  fill(&e, 100, "edssh-pid:12x\n");
  assert_int_equal(ed__ssh_take_pid(&e), -1);
  ed__ssh_buf_close(&e);
}

static void test_quote(void **state) {
  (void)state;
  char *q = ed__ssh_shell_quote("/tmp/it's here");
  assert_string_equal(q, "'/tmp/it'\\''s here'");
  free(q);
}

static void test_hostkey_messages(void **state) {
  (void)state;
  char m[600];
  ed__ssh_hostkey_message(m, sizeof(m), ED_SSH_HK_UNKNOWN, "127.0.0.1", 2222,
                          "ssh-ed25519", "SHA256:abc", "/d/known_hosts");
  assert_non_null(strstr(m, "[127.0.0.1]:2222 is unknown (ssh-ed25519 "
                            "SHA256:abc): not in /d/known_hosts"));
  assert_non_null(strstr(m, "accept_unknown_host_key"));
  ed__ssh_hostkey_message(m, sizeof(m), ED_SSH_HK_CHANGED, "h", 22,
                          "ssh-ed25519", "SHA256:xyz", NULL);
  assert_non_null(strstr(m, "has CHANGED: the server now shows ssh-ed25519 "
                            "SHA256:xyz"));
  assert_non_null(strstr(m, "~/.ssh/known_hosts"));
  ed__ssh_hostkey_message(m, sizeof(m), ED_SSH_HK_PIN_CHANGED, "h", 22,
                          "ssh-rsa", "SHA256:q", NULL);
  assert_non_null(strstr(m, "changed during the run"));
}

/* The proof runs in a real POSIX shell here: exit 0 when the operation
 * would run, else the reason on stderr. */
static int proof_exit(const char *op, const char *arg, char *err, size_t len) {
  char *c = ed__ssh_proof_command(op, arg);
  assert_non_null(c);
  char file[] = "/tmp/ed_proof_XXXXXX";
  int fd = mkstemp(file);
  assert_true(fd >= 0);
  close(fd);
  size_t n = strlen(c) + strlen(file) + 32;
  char *cmd = malloc(n);
  snprintf(cmd, n, "( %s ) 2>%s", c, file);
  int st = system(cmd);
  free(cmd);
  free(c);
  FILE *f = fopen(file, "r");
  size_t got = f ? fread(err, 1, len - 1, f) : 0;
  err[got] = '\0';
  if (f)
    fclose(f);
  unlink(file);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_proofs(void **state) {
  (void)state;
  char err[512];
  assert_int_equal(proof_exit("run", "sh -c 'exit 3'", err, sizeof(err)), 0);
  assert_int_equal(proof_exit("run", "X=1 Y=2 true; false", err, sizeof(err)),
                   0);
  assert_int_equal(
      proof_exit("run", "no-such-program-ed42 --now", err, sizeof(err)), 127);
  assert_non_null(strstr(err, "no program 'no-such-program-ed42' on the host"));
  /* through sudo: the program after sudo's options is the one looked for */
  assert_int_equal(
      proof_exit("run", "sudo -n -E no-such-program-ed42", err, sizeof(err)),
      127);
  assert_non_null(strstr(err, "no-such-program-ed42"));
  char *c = ed__ssh_proof_command("run", "sudo systemctl restart web");
  assert_non_null(strstr(c, "command -v -- 'systemctl'"));
  assert_non_null(strstr(c, "sudo -n true"));
  free(c);
  assert_null(ed__ssh_proof_command("run", "   "));
  assert_null(ed__ssh_proof_command("check", "true"));
  /* upload: the folder must exist and be writable */
  assert_int_equal(
      proof_exit("upload", "/nonexistent-ed42/x.sh", err, sizeof(err)), 1);
  assert_non_null(strstr(err, "folder /nonexistent-ed42 does not exist"));
  char dir[] = "/tmp/ed_proof_dir_XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[600];
  snprintf(path, sizeof(path), "%s/it's here.sh", dir);
  assert_int_equal(proof_exit("upload", path, err, sizeof(err)), 0);
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_truncation),       cmocka_unit_test(test_shape),
      cmocka_unit_test(test_not_a_number),     cmocka_unit_test(test_modes),
      cmocka_unit_test(test_pid_line),         cmocka_unit_test(test_quote),
      cmocka_unit_test(test_hostkey_messages), cmocka_unit_test(test_proofs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
