/*
 * cmdline: the command line as the evidence records it (journal, summary,
 * reports).
 */
#ifndef ED_CMDLINE_H
#define ED_CMDLINE_H

/* prog, then argv[0..argc) joined by spaces. The value of an option named
 * in `hidden` (NULL-ended, may be NULL), as "--opt VALUE" or "--opt=VALUE",
 * is written "CMD": eventdrill takes no secret on its command line, but a
 * hook's command may hold a token. Malloc'd; NULL on no memory. */
char *ed_cmdline_join(const char *prog, int argc, char **argv,
                      const char *const *hidden);

#endif
