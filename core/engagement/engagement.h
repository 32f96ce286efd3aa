/*
 * engagement: the Key Event Support Summary Report (`eventdrill summary
 * ENGAGEMENT`). An engagement file names a key event, its support window,
 * and the results folders of its inspections, rehearsals, verifications and
 * duty shifts; the summary reads each folder's evidence through the model
 * its own report renders (inspection.json; a run's summary as its report
 * rebuilds it from journal.jsonl; a watch's model from its journal) and
 * writes summary.md and summary.html: headline, before the event,
 * emergency plans, during the event, derived suggestions, and an appendix
 * that traces every figure to its folder. File format and sections:
 * docs/summary.md.
 *
 * It sits above core/evidence, core/report, core/inspect and core/watch: none
 * of them includes a header of this folder.
 */
#ifndef ED_ENGAGEMENT_H
#define ED_ENGAGEMENT_H

/* Run `summary` with its arguments (argv[0] is "summary"). Exit status: 0
 * the report is written and nothing is missing; 1 written, but a folder is
 * missing, unreadable, incomplete, of another fleet or of another role
 * (0 with --allow-gaps); 2 bad usage or an invalid engagement file; 4 the
 * report could not be written. */
int ed_engagement_command(int argc, char **argv);

#endif
