/*
 * outfile: how every output file is written, so that a results folder in a
 * shared place, or on a disk that fills up, never holds a half file and is
 * never written through a planted link.
 *
 * - ed_outfile_open writes to a new temporary file beside the target
 *   (created with O_EXCL, so never through a link), and fclose() syncs it
 *   and renames it over the target: a rename replaces the name, it does not
 *   write through a symlink or a hard link planted there. If a write, the
 *   sync or the rename fails, the temporary file is removed, the target is
 *   left as it was, and fclose() returns EOF.
 * - ed_outfile_create writes a file that must not exist yet (O_EXCL,
 *   O_NOFOLLOW), whole, and syncs it.
 * - ed_outfile_append opens a log to append to; a link or a file with other
 *   names is replaced by a new file first.
 * - ed_outfile_dir makes a subfolder, replacing a symlink planted in its
 *   place.
 *
 * Files get exactly the mode given, whatever the umask. Every failure is
 * logged, naming the file and the system's reason (strerror), and leaves
 * errno set.
 */
#ifndef ED_OUTFILE_H
#define ED_OUTFILE_H

#include <stdio.h>
#include <sys/types.h>

/* Mode of the files eventdrill writes, and of its journal. */
#define ED_OUTFILE_MODE 0644
#define ED_OUTFILE_MODE_JOURNAL 0640

/* A stream that replaces path when fclose()d (see above). NULL on failure
 * (logged). The caller owns the stream and closes it with fclose(), whose
 * result says whether path now holds what was written. */
FILE *ed_outfile_open(const char *path, mode_t mode);

/* Create path, which must not exist (EEXIST otherwise, also for a link),
 * with len bytes of data, synced. 0 or -1 (logged, errno set). */
int ed_outfile_create(const char *path, const void *data, size_t len,
                      mode_t mode);

/* A descriptor appending to path (a plain file with one name, created when
 * missing). -1 on failure (logged, errno set). The caller closes it. */
int ed_outfile_append(const char *path, mode_t mode);

/* mkdir path (mode 0755) unless it is already a folder; a symlink in its
 * place is removed first. 0 or -1 (logged, errno set). */
int ed_outfile_dir(const char *path);

/* 0 when dir is a folder that only its owner can write to; otherwise -1
 * with the reason in why (e.g. "writable by group and others (mode 0777)")
 * and errno set (EPERM, or what stat said). */
int ed_outfile_dir_private(const char *dir, char *why, size_t len);

/* Call fdatasync on fd, and on failure log "cannot write PATH: reason".
 * 0 or -1 (errno set). */
int ed_outfile_sync(int fd, const char *path);

#endif
