/*
 * resultsdir: the folder a command writes its evidence into —
 * <root>/<UTC time>-<name>/ (made unique with a suffix), or an exact folder
 * the user named. Shared by run, inspect and watch.
 */
#ifndef ED_RESULTSDIR_H
#define ED_RESULTSDIR_H

#include <stddef.h>

/* Create the folder and write its path to buf. exact, when not NULL, is
 * created as it is (with its parents; it may exist); otherwise a new
 * folder under root ("results" when NULL). Returns 0, ED_EIO (errno kept),
 * ED_ERANGE or ED_EEXISTS. */
int ed_results_dir(const char *root, const char *exact, const char *name,
                   char *buf, size_t len);

/* mkdir -p. 0 or ED_EIO (errno kept). */
int ed_mkdir_p(const char *path);

/* Write data to dir/name, which must not exist yet. 0, ED_ERANGE, ED_EIO. */
int ed_results_write(const char *dir, const char *name, const char *data,
                     size_t len);

#endif
