/*
 * cmdline: the command line as the evidence records it (journal, summary,
 * reports), and what a person is told when a command line is wrong.
 */
#ifndef ED_CMDLINE_H
#define ED_CMDLINE_H

/* prog, then argv[0..argc) joined by spaces. The value of an option named
 * in `hidden` (NULL-ended, may be NULL), as "--opt VALUE" or "--opt=VALUE",
 * is written "CMD": eventdrill takes no secret on its command line, but a
 * hook's command may hold a token. Malloc'd; NULL on no memory. */
char *ed_cmdline_join(const char *prog, int argc, char **argv,
                      const char *const *hidden);

struct option;

/* After getopt_long() returned '?' or ':' (parsed with opterr = 0 and an
 * optstring starting with ':'): say which option is wrong and how, with
 * the closest known option when there is one, then the command's usage
 * line and where its help is:
 *   eventdrill run: unknown option --jsn (did you mean --json?)
 *   usage: eventdrill run FILE [options]  (eventdrill run --help)
 * c is what getopt_long returned; argv as given to it. */
void ed_cmdline_bad_option(const char *command, const char *usage,
                           const struct option *longs, int c, char **argv);

#endif
