/* Results folders; see resultsdir.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "error.h"
#include "outfile.h"
#include "resultsdir.h"

int ed_mkdir_p(const char *path) {
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof(tmp), "%s", path);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
      return ED_EIO;
    *p = '/';
  }
  if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
    return ED_EIO;
  return 0;
}

int ed_results_dir(const char *root, const char *exact, const char *name,
                   char *buf, size_t len) {
  if (exact) {
    if ((size_t)snprintf(buf, len, "%s", exact) >= len)
      return ED_ERANGE;
    return ed_mkdir_p(buf);
  }
  if (!root)
    root = "results";
  if (ed_mkdir_p(root) != 0)
    return ED_EIO;
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  char stamp[32];
  strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
  for (int i = 1; i < 1000; i++) {
    int n = i == 1 ? snprintf(buf, len, "%s/%s-%s", root, stamp, name)
                   : snprintf(buf, len, "%s/%s-%s-%d", root, stamp, name, i);
    if (n < 0 || (size_t)n >= len)
      return ED_ERANGE;
    if (mkdir(buf, 0755) == 0)
      return 0;
    if (errno != EEXIST)
      return ED_EIO;
  }
  return ED_EEXISTS;
}

int ed_results_write(const char *dir, const char *name, const char *data,
                     size_t len) {
  char path[PATH_MAX];
  int n = snprintf(path, sizeof(path), "%s/%s", dir, name);
  if (n < 0 || (size_t)n >= sizeof(path))
    return ED_ERANGE;
  return ed_outfile_create(path, data, len, ED_OUTFILE_MODE) == 0 ? 0 : ED_EIO;
}
