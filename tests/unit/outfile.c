/* core/base/outfile.c and the journal's failure path (core/run/journal.c):
 * planted links are replaced, never written through; modes hold under
 * umask 000; a write that fails (a file size limit stands in for a full
 * disk: the kernel cuts the write, then refuses it) leaves the previous
 * file, no temporary file, and a journal of whole lines. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "journal.h"
#include "outfile.h"

typedef struct {
  char dir[64];
  char path[PATH_MAX];
  char victim[PATH_MAX];
} fx_t;

static int setup(void **state) {
  fx_t *x = calloc(1, sizeof(*x));
  snprintf(x->dir, sizeof(x->dir), "/tmp/edoutfile.XXXXXX");
  if (!x || !mkdtemp(x->dir))
    return -1;
  snprintf(x->victim, sizeof(x->victim), "%s/victim", x->dir);
  FILE *f = fopen(x->victim, "w");
  fputs("precious\n", f);
  fclose(f);
  *state = x;
  return 0;
}

static int teardown(void **state) {
  fx_t *x = *state;
  DIR *d = opendir(x->dir);
  struct dirent *e;
  char p[PATH_MAX + 300];
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.' &&
        (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
      continue;
    snprintf(p, sizeof(p), "%s/%s", x->dir, e->d_name);
    if (unlink(p) != 0)
      rmdir(p);
  }
  if (d)
    closedir(d);
  rmdir(x->dir);
  free(x);
  return 0;
}

static void set_path(fx_t *x, const char *name) {
  snprintf(x->path, sizeof(x->path), "%s/%s", x->dir, name);
}

static char *slurp(const char *path) {
  static char buf[4096];
  FILE *f = fopen(path, "r");
  if (!f)
    return NULL;
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

/* Files in the folder whose name starts with a dot (temporary files). */
static int dot_files(const fx_t *x) {
  DIR *d = opendir(x->dir);
  struct dirent *e;
  int n = 0;
  while ((e = readdir(d)))
    n += e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 &&
         strcmp(e->d_name, "..") != 0;
  closedir(d);
  return n;
}

static void write_file(const char *path, const char *text) {
  FILE *f = ed_outfile_open(path, ED_OUTFILE_MODE);
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

static void test_symlink_replaced(void **state) {
  fx_t *x = *state;
  set_path(x, "summary.json");
  assert_int_equal(symlink(x->victim, x->path), 0);
  write_file(x->path, "{}\n");
  struct stat st;
  assert_int_equal(lstat(x->path, &st), 0);
  assert_true(S_ISREG(st.st_mode));
  assert_string_equal(slurp(x->path), "{}\n");
  assert_string_equal(slurp(x->victim), "precious\n");
  assert_int_equal(dot_files(x), 0);
}

static void test_hardlink_replaced(void **state) {
  fx_t *x = *state;
  set_path(x, "report.md");
  assert_int_equal(link(x->victim, x->path), 0);
  write_file(x->path, "# report\n");
  struct stat st;
  assert_int_equal(stat(x->path, &st), 0);
  assert_int_equal(st.st_nlink, 1);
  assert_string_equal(slurp(x->victim), "precious\n");
}

static void test_mode_whatever_umask(void **state) {
  fx_t *x = *state;
  mode_t old = umask(0);
  set_path(x, "a.csv");
  write_file(x->path, "x\n");
  struct stat st;
  assert_int_equal(stat(x->path, &st), 0);
  assert_int_equal(st.st_mode & 07777, 0644);
  set_path(x, "copy");
  assert_int_equal(ed_outfile_create(x->path, "y", 1, 0640), 0);
  assert_int_equal(stat(x->path, &st), 0);
  assert_int_equal(st.st_mode & 07777, 0640);
  umask(old);
}

/* A write that fails keeps the previous file and leaves nothing beside. */
static void test_failure_keeps_previous(void **state) {
  fx_t *x = *state;
  set_path(x, "summary.json");
  write_file(x->path, "good\n");
  struct rlimit old, small = {.rlim_cur = 8192, .rlim_max = RLIM_INFINITY};
  getrlimit(RLIMIT_FSIZE, &old);
  small.rlim_max = old.rlim_max;
  signal(SIGXFSZ, SIG_IGN);
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
  FILE *f = ed_outfile_open(x->path, ED_OUTFILE_MODE);
  assert_non_null(f);
  for (int i = 0; i < 2000; i++)
    fputs("0123456789\n", f);
  errno = 0;
  assert_int_equal(fclose(f), EOF);
  assert_int_equal(errno, EFBIG);
  setrlimit(RLIMIT_FSIZE, &old);
  assert_string_equal(slurp(x->path), "good\n");
  assert_int_equal(dot_files(x), 0);
}

static void test_create_refuses_links(void **state) {
  fx_t *x = *state;
  set_path(x, "scenario-x.json");
  assert_int_equal(symlink(x->victim, x->path), 0);
  assert_int_equal(ed_outfile_create(x->path, "z", 1, ED_OUTFILE_MODE), -1);
  assert_int_equal(errno, EEXIST);
  assert_string_equal(slurp(x->victim), "precious\n");
}

static void test_append_replaces_links(void **state) {
  fx_t *x = *state;
  set_path(x, "gnuplot.log");
  assert_int_equal(link(x->victim, x->path), 0);
  int fd = ed_outfile_append(x->path, ED_OUTFILE_MODE);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, "w\n", 2), 2);
  close(fd);
  fd = ed_outfile_append(x->path, ED_OUTFILE_MODE); /* its own: kept */
  assert_int_equal(write(fd, "v\n", 2), 2);
  close(fd);
  assert_string_equal(slurp(x->path), "w\nv\n");
  assert_string_equal(slurp(x->victim), "precious\n");
  unlink(x->path);
  assert_int_equal(symlink(x->victim, x->path), 0);
  fd = ed_outfile_append(x->path, ED_OUTFILE_MODE);
  assert_true(fd >= 0);
  close(fd);
  assert_string_equal(slurp(x->victim), "precious\n");
}

static void test_dir(void **state) {
  fx_t *x = *state;
  char target[PATH_MAX + 8];
  snprintf(target, sizeof(target), "%s/elsewhere", x->dir);
  assert_int_equal(mkdir(target, 0755), 0);
  set_path(x, "plots");
  assert_int_equal(symlink(target, x->path), 0);
  assert_int_equal(ed_outfile_dir(x->path), 0);
  struct stat st;
  assert_int_equal(lstat(x->path, &st), 0);
  assert_true(S_ISDIR(st.st_mode));
  assert_int_equal(ed_outfile_dir(x->path), 0); /* already there */
  set_path(x, "victim");
  assert_int_equal(ed_outfile_dir(x->path), -1);
  assert_int_equal(errno, ENOTDIR);
}

static void test_dir_private(void **state) {
  fx_t *x = *state;
  char why[256];
  assert_int_equal(chmod(x->dir, 0755), 0);
  assert_int_equal(ed_outfile_dir_private(x->dir, why, sizeof(why)), 0);
  static const struct {
    mode_t mode;
    const char *who;
  } rows[] = {{0775, "writable by its group (mode 0775)"},
              {0757, "writable by others (mode 0757)"},
              {01777, "writable by group and others (mode 1777)"}};
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    assert_int_equal(chmod(x->dir, rows[i].mode), 0);
    assert_int_equal(ed_outfile_dir_private(x->dir, why, sizeof(why)), -1);
    assert_int_equal(errno, EPERM);
    assert_non_null(strstr(why, rows[i].who));
  }
  chmod(x->dir, 0700);
  assert_int_equal(ed_outfile_dir_private(x->victim, why, sizeof(why)), -1);
  assert_int_equal(errno, ENOTDIR);
}

/* A journal line cut by the limit is taken back: whole lines only, and
 * every write and sync after the failure fails. */
static int failures;
static void on_fail(void *arg, const char *why) {
  (void)arg;
  failures++;
  assert_non_null(strstr(why, "journal.jsonl: File too large"));
}

static void test_journal_whole_lines(void **state) {
  fx_t *x = *state;
  set_path(x, "journal.jsonl");
  mode_t old_mask = umask(0);
  ed_journal_t *j;
  assert_int_equal(ed_journal_open(x->path, &j), 0);
  umask(old_mask);
  struct stat st;
  assert_int_equal(stat(x->path, &st), 0);
  assert_int_equal(st.st_mode & 07777, 0640);
  ed_journal_on_fail(j, on_fail, NULL);
  failures = 0;
  struct rlimit old, small = {.rlim_cur = 1000};
  getrlimit(RLIMIT_FSIZE, &old);
  small.rlim_max = old.rlim_max;
  signal(SIGXFSZ, SIG_IGN);
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
  char line[64];
  int ok = 0, rc = 0;
  for (int i = 0; i < 100 && rc == 0; i++) {
    snprintf(line, sizeof(line),
             "{\"ev\":\"req\",\"n\":%03d,\"pad\":\"xxxxxx\"}", i);
    rc = ed_journal_write_raw(j, line, strlen(line));
    ok += rc == 0;
  }
  assert_int_equal(ed_journal_write_raw(j, "{}", 2), ED_EIO);
  assert_int_equal(ed_journal_sync(j), ED_EIO);
  assert_int_equal(ed_journal_failed(j), 1);
  setrlimit(RLIMIT_FSIZE, &old);
  assert_int_equal(failures, 1);
  assert_int_equal(ed_journal_events(j), (unsigned long long)ok);
  ed_journal_close(j);
  /* ok whole lines, and not a byte more */
  assert_int_equal(stat(x->path, &st), 0);
  assert_int_equal(st.st_size % (off_t)(strlen(line) + 1), 0);
  assert_int_equal(st.st_size / (off_t)(strlen(line) + 1), ok);
  assert_true(ok > 10 && st.st_size <= 1000);
  assert_int_equal(ed_journal_open(x->path, &j), ED_EEXISTS);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_symlink_replaced, setup, teardown),
      cmocka_unit_test_setup_teardown(test_hardlink_replaced, setup, teardown),
      cmocka_unit_test_setup_teardown(test_mode_whatever_umask, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_failure_keeps_previous, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_create_refuses_links, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_append_replaces_links, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_dir, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dir_private, setup, teardown),
      cmocka_unit_test_setup_teardown(test_journal_whole_lines, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
